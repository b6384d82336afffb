"""Backfill requests in each platform's dialect: where the walk back starts, how its cursor moves,
when it is done, and that nothing older than `since` is kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from sources.appstore import AppStoreSource
from sources.base import Backfilling
from sources.bluesky import BlueskySource
from sources.hackernews import HackerNewsSource
from sources.mastodon import MastodonSource
from sources.reddit import RedditSource
from sources.rss import FeedSource
from sources.trustpilot import TrustpilotSource
from sources.x import XSource
from sources.youtube import YouTubeSource
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, fixture_json

WEEK_BEFORE = datetime(2025, 3, 7, 18, 0, tzinfo=UTC)
NOW = datetime(2025, 3, 14, 19, 0, tzinfo=UTC)


def _kw(platform: FakePlatform, client: httpx.Client, path: str = "") -> dict[str, object]:
    return {
        "client": client,
        "brand": "Acme",
        "base_url": platform.base_url + path,
        "timeout": CLIENT_TIMEOUT,
        "clock": lambda: NOW,
    }


def test_feeds_cannot_page_back_and_every_api_connector_can(client: httpx.Client) -> None:
    feed = FeedSource(client=client, brand=None, feed="https://example.com/feed.xml")
    assert not isinstance(feed, Backfilling)
    assert isinstance(HackerNewsSource(client=client, brand=None, query="a"), Backfilling)
    assert isinstance(XSource(client=client, brand=None, query="a", bearer_token="t"), Backfilling)
    reviews = [
        AppStoreSource(client=client, brand=None, app_id="1"),
        TrustpilotSource(client=client, brand=None, business_unit_id="a1", api_key="k"),
        YouTubeSource(client=client, brand=None, video_id="dQw4w9WgXcQ", api_key="k"),
    ]
    assert all(isinstance(source, Backfilling) for source in reviews)


# -- Hacker News -------------------------------------------------------------------------------

HN = "/api/v1/search_by_date"


def _hit(object_id: str, at: int) -> dict[str, object]:
    return {"objectID": object_id, "created_at_i": at, "comment_text": "acme", "_tags": ["comment"]}


def test_hn_walks_back_with_a_time_bound_not_page_numbers(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(HN, fixture_json("hn_page0.json"))
    source = HackerNewsSource(query="acme", **_kw(platform, client, "/api/v1"))  # type: ignore[arg-type]

    first = source.backfill(None, WEEK_BEFORE)
    assert [m.external_id for m in first.mentions] == ["43361240"]  # the malformed hit skipped
    assert first.done  # fewer hits than a page: nothing older
    assert json.loads(first.cursor or "") == {
        "oldest": "2025-03-14T18:20:00+00:00",
        "ids": ["43361240"],
    }
    request = platform.requests[0]
    assert request.param("numericFilters") == f"created_at_i>={int(WEEK_BEFORE.timestamp())}"
    assert request.param("page") is None and request.param("hitsPerPage") == "100"

    again = source.backfill(first.cursor, WEEK_BEFORE)  # the same hit again: already stored
    assert again.mentions == [] and again.done and again.cursor == first.cursor
    assert platform.requests[1].param("numericFilters") == (
        f"created_at_i>={int(WEEK_BEFORE.timestamp())},created_at_i<=1741976400"
    )


def test_hn_steps_past_a_second_holding_a_whole_page(
    platform: FakePlatform, client: httpx.Client
) -> None:
    at = 1741976400
    platform.reply(HN, {"hits": [_hit("1", at), _hit("2", at)]})
    source = HackerNewsSource(query="acme", **_kw(platform, client, "/api/v1"))  # type: ignore[arg-type]
    source.hits_per_page = 2
    cursor = json.dumps({"oldest": "2025-03-14T18:20:00+00:00", "ids": ["1", "2"]})

    page = source.backfill(cursor, WEEK_BEFORE)

    assert page.mentions == [] and not page.done
    assert json.loads(page.cursor or "") == {"oldest": "2025-03-14T18:19:59+00:00", "ids": []}


# -- Bluesky -------------------------------------------------------------------------------------

BSKY = "/public/xrpc/app.bsky.feed.searchPosts"


def test_bluesky_walks_back_with_until_just_past_the_oldest_post(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(BSKY, fixture_json("bluesky_page1.json"))
    source = BlueskySource(query="acme", **_kw(platform, client, "/public/xrpc"))  # type: ignore[arg-type]

    first = source.backfill(None, WEEK_BEFORE)
    assert len(first.mentions) == 1 and not first.done  # the answer offers more
    request = platform.requests[0]
    assert request.param("since") == "2025-03-07T18:00:00.000Z" and request.param("until") is None
    assert request.param("sort") == "latest" and request.param("cursor") is None

    second = source.backfill(first.cursor, WEEK_BEFORE)
    # Exclusive `until`: a millisecond past the oldest post keeps its instant, whose id is known.
    assert platform.requests[1].param("until") == "2025-03-14T18:02:11.513Z"
    assert second.mentions == [] and second.done


def test_bluesky_keeps_nothing_older_than_since(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(BSKY, fixture_json("bluesky_page1.json"))
    source = BlueskySource(query="acme", **_kw(platform, client, "/public/xrpc"))  # type: ignore[arg-type]
    page = source.backfill(None, datetime(2025, 3, 14, 18, 3, tzinfo=UTC))
    assert page.mentions == [] and page.done


# -- Mastodon ------------------------------------------------------------------------------------


def test_mastodon_walks_back_with_max_id(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply("/api/v1/timelines/tag/acme", fixture_json("mastodon_tag_page1.json"))
    source = MastodonSource(query="#acme", **_kw(platform, client))  # type: ignore[arg-type]

    first = source.backfill(None, WEEK_BEFORE)
    assert len(first.mentions) == 2 and first.cursor == "113456790000000002"
    assert first.done  # 2 statuses, under the 40 a page holds
    source.backfill(first.cursor, WEEK_BEFORE)
    assert platform.requests[1].param("max_id") == "113456790000000002"
    assert platform.requests[1].param("min_id") is None

    cut = source.backfill(None, datetime(2025, 3, 14, 18, 8, 30, tzinfo=UTC))
    assert len(cut.mentions) == 1 and cut.done  # the older status is past `since`


def test_mastodon_search_walks_back_with_max_id(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply("/api/v2/search", fixture_json("mastodon_search.json"))
    source = MastodonSource(query="acme", access_token="tok", **_kw(platform, client))  # type: ignore[arg-type]
    source.backfill("113456790000000009", WEEK_BEFORE)
    request = platform.requests[0]
    assert request.param("q") == "acme" and request.param("type") == "statuses"
    assert request.param("max_id") == "113456790000000009"


# -- Reddit --------------------------------------------------------------------------------------


def test_reddit_walks_back_with_after(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply("/search.json", fixture_json("reddit_page1.json"))
    source = RedditSource(query="acme", **_kw(platform, client))  # type: ignore[arg-type]

    first = source.backfill(None, WEEK_BEFORE)
    assert [m.external_id for m in first.mentions] == ["t3_1jb2ccc"]  # the other is malformed
    assert first.cursor == "t3_1jb2aaa" and not first.done
    assert platform.requests[0].param("sort") == "new"
    source.backfill(first.cursor, WEEK_BEFORE)
    assert platform.requests[1].param("after") == "t3_1jb2aaa"

    cut = source.backfill(None, datetime.fromtimestamp(1741975400, UTC))
    assert cut.mentions == [] and cut.done  # the post is older than `since`: the walk is over


# -- X -------------------------------------------------------------------------------------------

X = "/2/tweets/search/recent"


def test_x_walks_back_with_until_id_within_seven_days(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(X, fixture_json("x_page1.json"))
    source = XSource(query="acme", bearer_token="tok", **_kw(platform, client, "/2"))  # type: ignore[arg-type]

    first = source.backfill(None, NOW - timedelta(days=10))
    # Recent search refuses a start_time over 7 days old: the backfill asks for what it keeps.
    assert platform.requests[0].param("start_time") == "2025-03-07T19:01:00Z"
    assert platform.requests[0].param("until_id") is None
    assert first.cursor == "1900612345678901250" and not first.done  # a next_token: more

    source.backfill(first.cursor, WEEK_BEFORE)
    request = platform.requests[1]
    assert request.param("until_id") == "1900612345678901250"
    assert request.param("start_time") == "2025-03-07T19:01:00Z"
    assert request.param("next_token") is None and request.param("since_id") is None
