from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bot.core.clock import ManualClock
from sources.base import SourceError
from sources.http import Clock, parse_time, utcnow
from sources.mastodon import MastodonSource
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, Reply, fixture_json

SEARCH = "/api/v2/search"
TAG = "/api/v1/timelines/tag/acme"
START = datetime(2025, 3, 14, 15, 0, tzinfo=UTC)  # before every fixture status


def make(
    platform: FakePlatform, client: httpx.Client, query: str, clock: Clock = utcnow, **kw: str
) -> MastodonSource:
    return MastodonSource(
        client=client,
        brand="Acme",
        query=query,
        base_url=platform.base_url,
        timeout=CLIENT_TIMEOUT,
        clock=clock,
        **kw,
    )


def link(platform: FakePlatform, newer: str, older: str) -> dict[str, str]:
    url = platform.base_url + TAG
    return {"Link": f'<{url}?max_id={older}>; rel="next", <{url}?min_id={newer}>; rel="prev"'}


def test_search_maps_statuses_to_plain_text(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(SEARCH, fixture_json("mastodon_search.json"))

    result = make(platform, client, "acme", access_token="tok").fetch(None)

    status = result.mentions[0]
    assert status.source == "mastodon"
    assert status.external_id == "https://social.example/users/pat/statuses/113456789012345678"
    assert status.text == (
        "Anyone else unable to log in to #Acme since this morning?\nSupport isn't answering."
    )
    assert status.created_at == datetime(2025, 3, 14, 18, 5, 33, tzinfo=UTC)
    assert status.author == "pat@social.example"
    assert status.author_followers == 412
    assert status.url == "https://social.example/@pat/113456789012345678"
    assert status.extra["likes"] == 8 and status.extra["reposts"] == 3
    request = platform.requests[0]
    assert request.param("q") == "acme" and request.param("type") == "statuses"
    assert request.headers["Authorization"] == "Bearer tok"
    assert result.cursor == "113456789012345678"


def test_search_skips_a_status_without_account(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(SEARCH, fixture_json("mastodon_search.json"))

    result = make(platform, client, "acme").fetch(None)

    assert len(result.mentions) == 1


def test_search_pages_with_offset_after_min_id(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(SEARCH, fixture_json("mastodon_search.json"), {"statuses": []})
    source = make(platform, client, "acme")
    source.limit = 2

    result = source.fetch("113456789012345000")

    assert [r.param("offset") for r in platform.requests] == [None, "2"]
    assert {r.param("min_id") for r in platform.requests} == {"113456789012345000"}
    assert result.cursor == "113456789012345678"


def test_a_hashtag_query_reads_the_tag_timeline_following_link_prev(
    platform: FakePlatform, client: httpx.Client
) -> None:
    page1 = fixture_json("mastodon_tag_page1.json")
    platform.reply(
        TAG,
        Reply(200, page1, link(platform, "113456790000000003", "113456790000000002")),
        Reply(200, fixture_json("mastodon_tag_page2.json"), {}),
    )
    source = make(platform, client, "#acme")
    source.limit = 2

    result = source.fetch("113456790000000001")

    assert [r.param("min_id") for r in platform.requests] == [
        "113456790000000001",
        "113456790000000003",
    ]
    assert [m.external_id.rsplit("/", 1)[1] for m in result.mentions] == [
        "113456790000000003",
        "113456790000000002",
        "113456790000000005",
    ]
    assert result.mentions[0].text == "[CW: refund rant]\nRefund still pending after 3 weeks. #acme"
    assert result.cursor == "113456790000000005"


def test_the_returned_cursor_yields_nothing_twice(
    platform: FakePlatform, client: httpx.Client
) -> None:
    source = make(platform, client, "#acme")
    platform.reply(TAG, fixture_json("mastodon_tag_page2.json"), [])
    first = source.fetch(None)

    second = source.fetch(first.cursor)

    assert platform.requests[-1].param("min_id") == "113456790000000005"
    assert second.mentions == [] and second.cursor is None


def _snowflake(at: datetime) -> int:
    """The id Mastodon gives a status posted at `at`: milliseconds, 16 bits of sequence."""
    return int(at.timestamp() * 1000) << 16


def _ided(statuses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fixture's statuses with the ids Mastodon gives them: from their time, as it does (the
    fixtures' own ids are of other days)."""
    return [{**s, "id": str(_snowflake(parse_time(s["created_at"])) + 1)} for s in statuses]


def test_a_first_poll_that_finds_nothing_leaves_an_id_the_next_poll_pages_forward_from(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Before, an empty first poll stored no cursor: the next poll was a first poll again and
    took only the latest page of whatever storm came meanwhile. Now it stores the id of a day
    before it, and the next poll pages forward from there (`min_id`, then Link rel="prev")."""
    clock = ManualClock(START)
    source = make(platform, client, "#acme", clock)
    source.limit = 2
    platform.reply(TAG, Reply(200, [], {}))

    first = source.fetch(None)

    assert first.mentions == []
    assert first.cursor == str(_snowflake(START - timedelta(days=1)))
    assert int(first.cursor) >> 16 == int((START - timedelta(days=1)).timestamp() * 1000)
    platform.requests.clear()
    platform.replies.clear()
    page1, page2 = (_ided(fixture_json(f"mastodon_tag_page{n}.json")) for n in (1, 2))
    newer, older = page1[0]["id"], page1[-1]["id"]
    platform.reply(TAG, Reply(200, page1, link(platform, newer, older)), Reply(200, page2, {}))
    clock.advance(hours=4)  # the storm: more than a page before the next poll

    second = source.fetch(first.cursor)

    assert [r.param("min_id") for r in platform.requests] == [first.cursor, newer]
    assert [m.external_id.rsplit("/", 1)[1] for m in second.mentions] == [
        "113456790000000003",
        "113456790000000002",
        "113456790000000005",
    ]
    assert second.cursor == page2[0]["id"]


def test_an_empty_first_search_leaves_an_id_too(
    platform: FakePlatform, client: httpx.Client
) -> None:
    source = make(platform, client, "acme", ManualClock(START), access_token="tok")
    platform.reply(SEARCH, {"accounts": [], "statuses": [], "hashtags": []})

    first = source.fetch(None)

    assert first.cursor == str(_snowflake(START - timedelta(days=1)))
    platform.replies.clear()
    found = fixture_json("mastodon_search.json")
    found["statuses"] = _ided(found["statuses"])
    platform.reply(SEARCH, found, {"statuses": []})
    source.limit = 2

    second = source.fetch(first.cursor)

    assert {r.param("min_id") for r in platform.requests[1:]} == {first.cursor}
    assert [r.param("offset") for r in platform.requests[1:]] == [None, "2"]
    assert len(second.mentions) == 1
    assert second.cursor == max((s["id"] for s in found["statuses"]), key=int)


def test_a_first_poll_of_statuses_it_skips_keeps_their_newest_id(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Boosts only: nothing to store, but the page's ids are real; no made-up id is needed."""
    boost = {**fixture_json("mastodon_tag_page2.json")[0], "reblog": {"id": "1"}}
    platform.reply(TAG, Reply(200, [boost], {}))

    first = make(platform, client, "#acme", ManualClock(START)).fetch(None)

    assert first.mentions == [] and first.cursor == "113456790000000005"


def test_it_reads_mastodons_iso_reset_header(platform: FakePlatform, client: httpx.Client) -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "2025-03-14T18:10:00.000Z"}
    platform.reply(TAG, Reply(200, [], headers))
    source = MastodonSource(
        client=client,
        brand=None,
        query="#acme",
        base_url=platform.base_url,
        clock=lambda: datetime(2025, 3, 14, 18, 9, tzinfo=UTC),
    )
    source.fetch(None)

    assert source.retry_after == 60


@pytest.mark.parametrize("newer", ["100", "50"])  # the same page again, or an older one
def test_a_prev_link_that_goes_back_ends_the_poll(
    platform: FakePlatform, client: httpx.Client, newer: str
) -> None:
    status = fixture_json("mastodon_tag_page1.json")[0]
    page = [{**status, "id": str(200 + i), "uri": f"{status['uri']}-{i}"} for i in range(40)]
    platform.reply(TAG, Reply(200, page, link(platform, newer=newer, older="200")))
    source = make(platform, client, "#acme")

    result = source.fetch("100")

    assert len(platform.requests) == 1  # was 5, the page cap, the same 40 statuses each time
    assert not source.truncated
    assert result.cursor == "239"


def test_a_search_without_an_access_token_stops_saying_why_instead_of_finding_nothing(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Mastodon searches statuses only for a signed-in user: to a search without a user's token
    it answers 200 with `"statuses": []` whatever was posted (app/services/search_service.rb,
    `status_searchable?` needs an account). The source looked healthy and never found a thing:
    `/crisis sources` said OK while the bot was blind. Now it stops, naming access_token and
    the hashtag timeline, which needs none; with a token, an empty answer is just a quiet query."""
    anonymous = {"accounts": [], "statuses": [], "hashtags": []}
    platform.reply(SEARCH, anonymous)

    with pytest.raises(SourceError) as caught:
        make(platform, client, "acme").fetch(None)
    with pytest.raises(SourceError):
        make(platform, client, "acme").fetch("113456789012345000")

    assert caught.value.permanent
    assert "access_token" in caught.value.message and "#acme" in caught.value.message
    quiet = make(platform, client, "acme", access_token="tok").fetch("113456789012345000")
    assert quiet.mentions == [] and quiet.cursor is None
