from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.core.clock import ManualClock
from sources.base import RateLimited
from sources.http import Clock, utcnow
from sources.reddit import RedditSource
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, fixture_json

PATH = "/search.json"
START = datetime(2025, 3, 14, 15, 0, tzinfo=UTC)  # before every fixture post


def make(platform: FakePlatform, client: httpx.Client, clock: Clock = utcnow) -> RedditSource:
    return RedditSource(
        client=client,
        brand="Acme",
        query="acme",
        base_url=platform.base_url,
        timeout=CLIENT_TIMEOUT,
        clock=clock,
    )


def test_it_maps_posts_and_sends_a_descriptive_user_agent(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, fixture_json("reddit_page1.json"))

    result = make(platform, client).fetch(None)

    post = result.mentions[0]
    assert post.source == "reddit"
    assert post.external_id == "t3_1jb2ccc"
    title, body = post.text.split("\n")
    assert title == "Acme cancelled my flight and the app shows nothing"
    assert body == "Email at 5am, app still says on time."
    assert post.created_at == datetime.fromtimestamp(1741975331, UTC)
    assert post.author == "throwaway_flyer"
    assert post.url == "https://www.reddit.com/r/travel/comments/1jb2ccc/acme_cancelled_my_flight/"
    assert post.extra == {
        "score": 42,
        "comments": 17,
        "subreddit": "r/travel",
        "subreddit_subscribers": 9000000,
        "link": None,
    }
    request = platform.requests[0]
    assert request.param("sort") == "new" and request.param("q") == "acme"
    assert request.headers["User-Agent"].startswith("server:crisisbot:")


def test_it_skips_a_post_without_a_title(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, fixture_json("reddit_page1.json"))

    result = make(platform, client).fetch(None)

    assert [m.external_id for m in result.mentions] == ["t3_1jb2ccc"]


def test_it_pages_with_after_until_the_cursor(platform: FakePlatform, client: httpx.Client) -> None:
    source = make(platform, client)
    platform.reply(PATH, fixture_json("reddit_page2.json"))
    cursor = source.fetch(None).cursor  # the megathread is known
    platform.requests.clear()
    platform.replies.clear()
    platform.reply(PATH, fixture_json("reddit_page1.json"), fixture_json("reddit_page2.json"))

    result = source.fetch(cursor)

    assert [m.external_id for m in result.mentions] == ["t3_1jb2ccc"]
    assert [r.param("after") for r in platform.requests] == [None, "t3_1jb2aaa"]
    again = source.fetch(result.cursor)
    assert again.mentions == []


def test_a_first_poll_that_finds_nothing_leaves_a_mark_the_next_poll_pages_on_from(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Before, an empty first poll stored no cursor: the next poll was a first poll again and
    took only the latest page of whatever storm came meanwhile."""
    clock = ManualClock(START)
    source = make(platform, client, clock)
    platform.reply(PATH, {"kind": "Listing", "data": {"after": None, "children": []}})

    first = source.fetch(None)

    assert first.mentions == []
    assert json.loads(first.cursor or "null") == {
        "newest": (START - timedelta(days=1)).isoformat(),
        "ids": [],
    }
    platform.requests.clear()
    platform.replies.clear()
    platform.reply(PATH, fixture_json("reddit_page1.json"), fixture_json("reddit_page2.json"))
    clock.advance(hours=4)  # the storm: more than a page before the next poll

    second = source.fetch(first.cursor)

    assert [m.external_id for m in second.mentions] == ["t3_1jb2ccc", "t3_1jb2aaa"]
    assert [r.param("after") for r in platform.requests] == [None, "t3_1jb2aaa"]
    assert json.loads(second.cursor or "")["ids"] == ["t3_1jb2ccc"]


def test_it_paces_itself_when_the_budget_is_spent(
    platform: FakePlatform, client: httpx.Client
) -> None:
    headers = {
        "x-ratelimit-used": "100",
        "x-ratelimit-remaining": "0.0",
        "x-ratelimit-reset": "412",
    }
    platform.reply(PATH, fixture_json("reddit_page2.json"), headers=headers)
    source = make(platform, client)
    source.fetch(None)

    with pytest.raises(RateLimited) as caught:
        source.fetch(None)

    assert 410 < caught.value.retry_after <= 412
    assert len(platform.requests) == 1  # the second poll did not spend a request


def test_a_post_dated_past_what_a_datetime_holds_is_skipped_alone(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = fixture_json("reddit_page1.json")
    children = body["data"]["children"]
    far = {**children[0], "data": {**children[0]["data"], "name": "t3_far", "created_utc": 1e20}}
    children.insert(0, far)
    platform.reply("/search.json", body)

    result = make(platform, client).fetch(None)  # was an OverflowError failing the whole poll

    assert [m.external_id for m in result.mentions] == ["t3_1jb2ccc"]


@pytest.mark.parametrize("gone", ["[deleted]", "[removed]"])
def test_a_deleted_or_removed_post_keeps_its_title_not_the_placeholders(
    platform: FakePlatform, client: httpx.Client, gone: str
) -> None:
    body = fixture_json("reddit_page1.json")
    post = body["data"]["children"][0]["data"]
    post.update(selftext=gone, author="[deleted]")
    platform.reply("/search.json", body)

    mention = make(platform, client).fetch(None).mentions[0]

    assert mention.text == post["title"]  # was "<title>\n[removed]", scored and matched as text
    assert mention.author is None  # was one "[deleted]" author for every deleted account


def test_an_after_that_comes_round_again_ends_the_poll(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = fixture_json("reddit_page1.json")
    body["data"]["after"] = "t3_loop"  # every page says the same next page
    platform.reply("/search.json", body)
    source = make(platform, client)

    source.fetch('{"newest": "2020-01-01T00:00:00+00:00", "ids": []}')

    assert len(platform.requests) == 2  # was 5, the page cap
    assert not source.truncated  # was True: a backfill started for nothing
