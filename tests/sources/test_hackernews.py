from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.core.clock import ManualClock
from sources.base import SourceError
from sources.cursor import nothing_yet
from sources.hackernews import HackerNewsSource
from sources.http import Clock, utcnow
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, fixture_json

PATH = "/api/v1/search_by_date"


def make(platform: FakePlatform, client: httpx.Client, clock: Clock = utcnow) -> HackerNewsSource:
    return HackerNewsSource(
        client=client,
        brand="Acme",
        query="acme",
        base_url=platform.base_url + "/api/v1",
        timeout=CLIENT_TIMEOUT,
        clock=clock,
    )


def test_it_maps_comments_and_stories(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, fixture_json("hn_page0.json"))

    result = make(platform, client).fetch(None)

    comment = result.mentions[0]
    assert comment.source == "hackernews"
    assert comment.external_id == "43361240"
    assert comment.text == (
        'Our Acme cluster was down 3 hours & support said "working as intended".\nNever again.'
    )
    assert comment.created_at == datetime(2025, 3, 14, 18, 20, tzinfo=UTC)
    assert comment.author == "ops_person"
    assert comment.url == "https://news.ycombinator.com/item?id=43361240"
    assert comment.brand == "Acme"
    assert comment.extra["kind"] == "comment"
    assert comment.extra["story_title"] == "Acme outage post-mortem"


def test_it_skips_a_hit_missing_its_text(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, fixture_json("hn_page0.json"))

    result = make(platform, client).fetch(None)

    assert [m.external_id for m in result.mentions] == ["43361240"]


def test_first_poll_takes_the_latest_page_only(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, fixture_json("hn_page0.json"), fixture_json("hn_page1.json"))

    make(platform, client).fetch(None)

    assert len(platform.requests) == 1
    request = platform.requests[0]
    assert request.param("query") == "acme"
    assert request.param("tags") == "(story,comment)"
    assert request.param("numericFilters") is None


def test_it_follows_pages_after_a_cursor(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, fixture_json("hn_page0.json"), fixture_json("hn_page1.json"))
    cursor = json.dumps({"newest": "2025-03-14T15:00:00+00:00", "ids": []})

    result = make(platform, client).fetch(cursor)

    assert [m.external_id for m in result.mentions] == ["43361240", "43360000"]
    assert [r.param("page") for r in platform.requests] == ["0", "1"]
    assert platform.requests[0].param("numericFilters") == "created_at_i>=1741964400"
    story = result.mentions[1]
    assert story.text == "Acme outage post-mortem"
    assert story.extra["points"] == 212
    assert story.extra["comments"] == 148


def test_a_first_poll_that_finds_nothing_leaves_a_mark_the_next_poll_pages_on_from(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Before, an empty first poll stored no cursor: the next poll was a first poll again and
    took only the latest page of whatever storm came meanwhile."""
    start = datetime(2025, 3, 14, 15, 0, tzinfo=UTC)  # before every fixture hit
    clock = ManualClock(start)
    source = make(platform, client, clock)
    platform.reply(PATH, {"hits": [], "nbHits": 0, "page": 0, "nbPages": 0, "hitsPerPage": 100})

    first = source.fetch(None)

    assert first.mentions == []
    assert json.loads(first.cursor or "null") == {
        "newest": (start - timedelta(days=1)).isoformat(),
        "ids": [],
    }
    platform.requests.clear()
    platform.replies.clear()
    platform.reply(PATH, fixture_json("hn_page0.json"), fixture_json("hn_page1.json"))
    clock.advance(hours=4)  # the storm: more than a page before the next poll

    second = source.fetch(first.cursor)

    assert [m.external_id for m in second.mentions] == ["43361240", "43360000"]
    assert [r.param("page") for r in platform.requests] == ["0", "1"]
    since = int((start - timedelta(days=1)).timestamp())
    assert {r.param("numericFilters") for r in platform.requests} == {f"created_at_i>={since}"}


def test_the_returned_cursor_yields_nothing_twice(
    platform: FakePlatform, client: httpx.Client
) -> None:
    source = make(platform, client)
    platform.reply(PATH, fixture_json("hn_page0.json"))
    first = source.fetch(None)
    assert first.cursor is not None

    # The platform answers the inclusive filter with the newest hit again, as Algolia does.
    second = source.fetch(first.cursor)

    assert second.mentions == []
    assert second.cursor is None  # nothing new: keep the stored cursor
    assert platform.requests[-1].param("numericFilters") == "created_at_i>=1741976400"


def test_it_logs_when_new_hits_overflow_the_page_cap(
    platform: FakePlatform, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    page = {**fixture_json("hn_page0.json"), "nbPages": 9}
    platform.reply(PATH, page)
    source = make(platform, client)
    source.page_cap = 2
    cursor = json.dumps({"newest": "2025-03-14T15:00:00+00:00", "ids": []})

    source.fetch(cursor)

    assert len(platform.requests) == 2
    assert "more than 2 pages of new items" in caplog.text


def test_an_unreadable_cursor_is_permanent(platform: FakePlatform, client: httpx.Client) -> None:
    with pytest.raises(SourceError, match="unreadable cursor") as caught:
        make(platform, client).fetch("not json")

    assert caught.value.permanent
    assert platform.requests == []


def test_a_hit_dated_past_what_a_datetime_holds_is_skipped_alone(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = fixture_json("hn_page0.json")
    good = body["hits"][0]
    body["hits"].insert(0, {**good, "objectID": "1", "created_at_i": 10**20})
    body["nbPages"] = "?"
    platform.reply(PATH, body)

    result = make(platform, client).fetch(None)  # was an OverflowError failing the whole poll

    assert [m.external_id for m in result.mentions] == [good["objectID"]]


def _hit(object_id: str, at: int, text: str) -> dict[str, object]:
    return {
        "objectID": object_id,
        "created_at_i": at,
        "author": "pg_reader",
        "comment_text": text,
        "_tags": ["comment"],
    }


def test_a_hit_indexed_after_a_poll_but_dated_before_what_it_saw_is_still_taken(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Algolia indexes Hacker News items some time after they are posted, not always in order:
    a comment posted at :00 and indexed after a poll that saw one posted at :05 is dated
    before the watermark. The next poll filtered `created_at_i>=:05` and dropped it. Each poll
    now asks from 10 minutes before the newest hit seen and takes what it has not seen there."""
    at = 1741976400  # 2025-03-14T18:20:00Z
    seen, late = _hit("900", at + 5, "acme down"), _hit("899", at, "acme down for me too")
    platform.reply(PATH, {"hits": [seen], "nbPages": 1}, {"hits": [seen, late], "nbPages": 1})
    source = make(platform, client, ManualClock(datetime(2025, 3, 14, 18, 20, 30, tzinfo=UTC)))
    first = source.fetch(nothing_yet(datetime(2025, 3, 14, 18, 0, tzinfo=UTC)))

    second = source.fetch(first.cursor)

    assert [m.external_id for m in second.mentions] == ["899"]
    assert platform.requests[-1].param("numericFilters") == f"created_at_i>={at + 5 - 600}"
