from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bot.core.clock import ManualClock
from sources.base import FetchResult, SourceError
from sources.cursor import Watermark
from sources.http import Clock, parse_time, utcnow
from sources.mastodon import MastodonSource
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, Recorded, Reply, fixture_json

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


def newest(cursor: str | None) -> str:
    """The newest status id a stored cursor remembers."""
    mark = Watermark.load(cursor)
    assert mark is not None
    return max(mark.ids, key=int)


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
    assert newest(result.cursor) == "113456789012345678"


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
    assert newest(result.cursor) == "113456789012345678"


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
    assert newest(result.cursor) == "113456790000000005"


def test_the_returned_cursor_yields_nothing_twice(
    platform: FakePlatform, client: httpx.Client
) -> None:
    source = make(platform, client, "#acme")
    platform.reply(TAG, fixture_json("mastodon_tag_page2.json"), [])
    first = source.fetch(None)

    second = source.fetch(first.cursor)

    # It asks again from just before the status it took (the look-back), and skips it.
    assert int(platform.requests[-1].param("min_id") or 0) < 113456790000000005
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
    assert newest(second.cursor) == page2[0]["id"]


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
    assert newest(second.cursor) == max((s["id"] for s in found["statuses"]), key=int)


def test_a_first_poll_of_statuses_it_skips_keeps_their_newest_id(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Boosts only: nothing to store, but the page's ids are real; no made-up id is needed."""
    boost = {**fixture_json("mastodon_tag_page2.json")[0], "reblog": {"id": "1"}}
    platform.reply(TAG, Reply(200, [boost], {}))

    first = make(platform, client, "#acme", ManualClock(START)).fetch(None)

    assert first.mentions == [] and newest(first.cursor) == "113456790000000005"


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
    assert newest(result.cursor) == "239"


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


class TagTimeline:
    """A hashtag timeline answering as Mastodon's `/api/v1/timelines/tag/:hashtag` does: statuses
    newest first by id; `max_id` (older than it), `since_id` (newer than it, the newest page),
    `min_id` (the page right after it), `limit` (at most 40); a Link header with rel="next"
    (`max_id`: the page's oldest) when the page is full and rel="prev" (`min_id`: its newest)
    unless it is empty (api/v1/timelines/tag_controller.rb, `insert_pagination_headers`).

    Ids as Mastodon gives them (lib/mastodon/snowflake.rb): a status written on the server or
    pushed to its inbox (`override_timestamps`) gets the id of when it was stored (the database's
    `timestamp_id`: now); one the server fetched (a boost, a reply's parent, a search) with a
    publishing time in the past gets `id_at(published)`: that second, a random millisecond and
    a random sequence, so it sorts among the statuses of when it was written, not when it came.
    """

    def __init__(self, platform: FakePlatform, seed: int = 1) -> None:
        self.platform = platform
        self.statuses: dict[int, dict[str, Any]] = {}
        self.random = random.Random(seed)
        self.template = fixture_json("mastodon_tag_page1.json")[0]
        platform.answer(TAG, self)

    def post(self, text: str, written: datetime, fetched_at: datetime | None = None) -> str:
        """A status written at `written`: stored then, or, `fetched_at`, pulled in later."""
        if fetched_at is None:
            status_id = (int(written.timestamp() * 1000) << 16) + self.random.randrange(2**16)
        else:
            assert fetched_at > written
            ms = int(written.timestamp()) * 1000 + self.random.randrange(1000)
            status_id = (ms << 16) + self.random.randrange(2**16)
        uri = f"https://other.example/users/sam/statuses/{text}"
        self.statuses[status_id] = {
            **self.template,
            "id": str(status_id),
            "created_at": written.isoformat().replace("+00:00", "Z"),
            "uri": uri,
            "url": uri,
            "spoiler_text": "",
            "content": f"<p>{text} #acme</p>",
        }
        return str(status_id)

    def __call__(self, request: Recorded) -> Reply:
        ids = sorted(self.statuses)
        limit = min(int(request.param("limit") or 20), 40)
        if (max_id := request.param("max_id")) is not None:
            ids = [i for i in ids if i < int(max_id)]
        if (since_id := request.param("since_id")) is not None:
            ids = [i for i in ids if i > int(since_id)]
        if (min_id := request.param("min_id")) is not None:
            page = [i for i in ids if i > int(min_id)][:limit]
        else:
            page = ids[-limit:]
        page.reverse()
        url = self.platform.base_url + TAG
        links = []
        if len(page) == limit:
            links.append(f'<{url}?max_id={page[-1]}>; rel="next"')
        if page:
            links.append(f'<{url}?min_id={page[0]}>; rel="prev"')
        headers = {"Link": ", ".join(links)} if links else {}
        return Reply(200, [self.statuses[i] for i in page], headers)


def texts(result: FetchResult) -> list[str]:
    return sorted(m.external_id.rsplit("/", 1)[1] for m in result.mentions)


def test_a_remote_status_listed_after_a_newer_local_one_is_taken_on_the_next_poll(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """A status another server published at 15:02 that this one fetched at 15:07 (a boost
    brought it) has the id of 15:02, below a local status of 15:05 a poll already saw. Asked
    from that status's id (`min_id`), Mastodon never listed it: the mention was lost. Now each
    poll reads again from well before the newest status seen, and takes what it had not seen."""
    tag = TagTimeline(platform)
    source = make(platform, client, "#acme", ManualClock(START))
    tag.post("first", START)
    first = source.fetch(None)
    local = tag.post("local", START + timedelta(minutes=5))
    second = source.fetch(first.cursor)

    late = tag.post("remote", START + timedelta(minutes=2), START + timedelta(minutes=7))
    third = source.fetch(second.cursor)

    assert int(late) < int(local)  # listed below what the second poll saw
    assert (texts(first), texts(second), texts(third)) == (["first"], ["local"], ["remote"])
    fourth = source.fetch(third.cursor)
    assert fourth.mentions == [] and fourth.cursor is None


def test_over_many_polls_with_late_statuses_each_is_taken_once(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """A tag busier than a page per poll, with statuses fetched up to 3 minutes after they were
    written: every one is taken, none twice, and no poll runs out of pages (reading the look-back
    again costs pages of its own). Before, the late ones were lost."""
    tag = TagTimeline(platform, seed=7)
    rng = random.Random(11)
    now = START
    clock = ManualClock(now)
    source = make(platform, client, "#acme", clock)
    source.limit = 3
    cursor = source.fetch(None).cursor  # nothing yet: the next poll pages forward from a day ago
    posted: list[str] = []
    taken: list[str] = []
    for minute in range(60):
        burst = 12 if minute == 30 else rng.randint(0, 2)  # 4 pages' worth at once
        for n in range(burst):
            posted.append(f"m{minute}-{n}")
            tag.post(posted[-1], now + timedelta(seconds=rng.randint(0, 59)))
        if rng.random() < 0.5:  # a status written up to 3 minutes ago, fetched now
            posted.append(f"late{minute}")
            tag.post(posted[-1], now - timedelta(seconds=rng.randint(30, 180)), now)
        now = clock.advance(minutes=1)
        result = source.fetch(cursor)
        assert not source.truncated
        taken += texts(result)
        cursor = result.cursor or cursor

    assert len(taken) == len(set(taken))
    assert sorted(taken) == sorted(posted)


def test_a_cursor_stored_before_loads_and_asks_from_its_id(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """A plain id (what the source stored before) is asked from as it was (`min_id`): what lay
    before it was read then, and it is not taken again; from then on the look-back applies."""
    tag = TagTimeline(platform)
    source = make(platform, client, "#acme", ManualClock(START))
    tag.post("read-before", START)
    stored = tag.post("last-read-before", START + timedelta(minutes=1))
    tag.post("after", START + timedelta(minutes=3))

    first = source.fetch(stored)

    assert platform.requests[-1].param("min_id") == stored
    assert texts(first) == ["after"]
    tag.post("late", START + timedelta(minutes=2), START + timedelta(minutes=4))
    second = source.fetch(first.cursor)
    assert texts(second) == ["late"]
    # From the old id's millisecond, never before it: the old version read what lay there.
    asked = platform.requests[-1].param("min_id")
    assert asked is not None and int(asked) + 1 == int(stored) >> 16 << 16
    assert source.fetch(second.cursor).mentions == []


def test_a_restarted_source_takes_a_late_status_once_from_the_stored_cursor(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """The look-back and the ids it took live in the stored cursor: a new process (a new source
    and client, the cursor read back as stored) takes a late status once and nothing again."""
    tag = TagTimeline(platform)
    tag.post("a", START)
    tag.post("b", START + timedelta(minutes=1))
    before = make(platform, client, "#acme", ManualClock(START))
    stored = before.fetch(None).cursor
    assert stored is not None
    stored = before.fetch(stored).cursor or stored  # a quiet poll: the cursor is kept

    tag.post("late", START + timedelta(seconds=30), START + timedelta(minutes=3))
    with httpx.Client(timeout=CLIENT_TIMEOUT) as fresh:
        after = make(platform, fresh, "#acme", ManualClock(START + timedelta(minutes=4)))
        first = after.fetch(stored)
        again = after.fetch(first.cursor or stored)

    assert texts(first) == ["late"] and again.mentions == []


def test_a_search_page_shifted_by_a_new_status_takes_nothing_twice(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Search pages by `offset`, newest first: a status posted between two pages pushes the last
    of the first page onto the second, and the poll took it twice."""
    template = fixture_json("mastodon_tag_page1.json")[0]

    def status(n: int) -> dict[str, Any]:
        uri = f"https://other.example/users/sam/statuses/{n}"
        return {**template, "id": str(_snowflake(START) + n), "uri": uri, "url": uri}

    pages = [[status(5), status(4)], [status(4), status(3)], []]
    platform.reply(SEARCH, *({"statuses": page} for page in pages))
    source = make(platform, client, "acme", access_token="tok")
    source.limit = 2

    result = source.fetch(str(_snowflake(START)))

    assert [r.param("offset") for r in platform.requests] == [None, "2", "4"]
    assert texts(result) == ["3", "4", "5"]
