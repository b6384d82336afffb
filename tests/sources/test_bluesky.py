from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.core.clock import ManualClock
from sources.base import RateLimited, SourceError
from sources.bluesky import BlueskySource
from sources.cursor import nothing_yet
from sources.http import Clock, utcnow
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, Reply, fixture_json

PUBLIC = "/public/xrpc/app.bsky.feed.searchPosts"
PDS_SEARCH = "/pds/xrpc/app.bsky.feed.searchPosts"
LOGIN = "/pds/xrpc/com.atproto.server.createSession"
REFRESH = "/pds/xrpc/com.atproto.server.refreshSession"
SESSION = {"accessJwt": "access-1", "refreshJwt": "refresh-1", "handle": "bot.bsky.social"}
EXPIRED = Reply(400, {"error": "ExpiredToken", "message": "Token has expired"})


def make(
    platform: FakePlatform, client: httpx.Client, clock: Clock = utcnow, **credentials: str
) -> BlueskySource:
    return BlueskySource(
        client=client,
        brand="Acme",
        query="acme",
        base_url=platform.base_url + "/public/xrpc",
        auth_base_url=platform.base_url + "/pds/xrpc",
        timeout=CLIENT_TIMEOUT,
        clock=clock,
        **credentials,
    )


def test_it_maps_posts(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PUBLIC, fixture_json("bluesky_page1.json"))

    result = make(platform, client).fetch(None)

    post = result.mentions[0]
    assert post.source == "bluesky"
    assert (
        post.external_id
        == "at://did:plc:abcd1234efgh5678ijkl9012/app.bsky.feed.post/3lxyzexample2a"
    )
    assert post.text.startswith("Three hours on the tarmac with @acme")
    assert post.created_at == datetime(2025, 3, 14, 18, 2, 11, 512000, tzinfo=UTC)
    assert post.author == "jane-traveler.bsky.social"
    assert post.url == "https://bsky.app/profile/jane-traveler.bsky.social/post/3lxyzexample2a"
    assert post.extra["likes"] == 37 and post.extra["reposts"] == 12
    request = platform.requests[0]
    assert request.param("q") == "acme" and request.param("sort") == "latest"
    assert request.param("since") is None


def test_it_skips_a_post_without_text(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PUBLIC, fixture_json("bluesky_page1.json"))

    result = make(platform, client).fetch(None)

    assert len(result.mentions) == 1


def test_it_pages_back_with_until_after_since(platform: FakePlatform, client: httpx.Client) -> None:
    # Not with `cursor`: the public AppView answers a logged-out follow-up page with a 403.
    platform.reply(PUBLIC, fixture_json("bluesky_page1.json"), fixture_json("bluesky_page2.json"))
    cursor = '{"newest": "2025-03-14T17:00:00+00:00", "ids": []}'

    result = make(platform, client).fetch(cursor)

    assert [m.author for m in result.mentions] == ["jane-traveler.bsky.social", "sam.example.com"]
    assert [r.param("cursor") for r in platform.requests] == [None, None]
    # Just past the page's oldest sort time (the earlier of createdAt and indexedAt).
    assert [r.param("until") for r in platform.requests] == [None, "2025-03-14T18:02:11.513Z"]
    assert {r.param("since") for r in platform.requests} == {"2025-03-14T17:00:00.000Z"}


def test_a_first_poll_that_finds_nothing_leaves_a_mark_the_next_poll_pages_on_from(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Before, an empty first poll stored no cursor: the next poll was a first poll again and
    took only the latest page of whatever storm came meanwhile."""
    start = datetime(2025, 3, 14, 15, 0, tzinfo=UTC)  # before every fixture post
    clock = ManualClock(start)
    source = make(platform, client, clock)
    platform.reply(PUBLIC, {"posts": []})

    first = source.fetch(None)

    assert first.mentions == []
    assert json.loads(first.cursor or "null") == {
        "newest": (start - timedelta(days=1)).isoformat(),
        "ids": [],
    }
    platform.requests.clear()
    platform.replies.clear()
    platform.reply(PUBLIC, fixture_json("bluesky_page1.json"), fixture_json("bluesky_page2.json"))
    clock.advance(hours=4)  # the storm: more than a page before the next poll

    second = source.fetch(first.cursor)

    assert [m.author for m in second.mentions] == ["jane-traveler.bsky.social", "sam.example.com"]
    assert {r.param("since") for r in platform.requests} == {"2025-03-13T15:00:00.000Z"}
    assert [r.param("until") for r in platform.requests] == [None, "2025-03-14T18:02:11.513Z"]


def test_a_page_with_nothing_new_ends_the_poll(
    platform: FakePlatform, client: httpx.Client
) -> None:
    page = fixture_json("bluesky_page1.json")  # says there is more (a cursor), every time
    platform.reply(PUBLIC, page)

    result = make(platform, client).fetch('{"newest": "2025-03-14T17:00:00+00:00", "ids": []}')

    assert len(result.mentions) == 1
    assert len(platform.requests) == 2  # the second page repeated the first: stop, not 5 pages


def test_the_returned_cursor_yields_nothing_twice(
    platform: FakePlatform, client: httpx.Client
) -> None:
    source = make(platform, client)
    platform.reply(PUBLIC, fixture_json("bluesky_page1.json"))
    first = source.fetch(None)
    platform.replies.clear()
    platform.reply(PUBLIC, {"posts": [fixture_json("bluesky_page1.json")["posts"][0]]})

    second = source.fetch(first.cursor)

    # `since` is inclusive, so the newest post comes back and is dropped by its URI.
    assert platform.requests[-1].param("since") == "2025-03-14T18:02:11.512Z"
    assert second.mentions == [] and second.cursor is None


def test_it_logs_in_when_the_public_appview_refuses(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PUBLIC, Reply(403, {"error": "Forbidden"}))
    platform.reply(LOGIN, SESSION)
    platform.reply(PDS_SEARCH, fixture_json("bluesky_page2.json"))
    source = make(platform, client, handle="bot.bsky.social", app_password="app-pass")

    result = source.fetch(None)

    assert len(result.mentions) == 1
    assert platform.paths() == [PUBLIC, LOGIN, PDS_SEARCH]
    login = platform.requests[1]
    assert login.method == "POST"
    assert login.body == b'{"identifier":"bot.bsky.social","password":"app-pass"}'
    assert platform.requests[2].headers["Authorization"] == "Bearer access-1"
    source.fetch(None)
    assert platform.paths()[-1] == PDS_SEARCH  # the session is kept


def test_it_refreshes_an_expired_access_token(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PUBLIC, Reply(401, {"error": "AuthenticationRequired"}))
    platform.reply(LOGIN, SESSION)
    platform.reply(REFRESH, {**SESSION, "accessJwt": "access-2", "refreshJwt": "refresh-2"})
    page = fixture_json("bluesky_page2.json")
    platform.reply(PDS_SEARCH, page, EXPIRED, page)
    source = make(platform, client, handle="bot.bsky.social", app_password="app-pass")
    source.fetch(None)

    result = source.fetch(None)

    assert len(result.mentions) == 1
    assert platform.paths()[-3:] == [PDS_SEARCH, REFRESH, PDS_SEARCH]
    assert platform.requests[-2].headers["Authorization"] == "Bearer refresh-1"
    assert platform.requests[-1].headers["Authorization"] == "Bearer access-2"


def test_it_logs_in_again_when_the_refresh_token_expired(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PUBLIC, Reply(401, {"error": "AuthenticationRequired"}))
    platform.reply(LOGIN, SESSION)
    platform.reply(REFRESH, EXPIRED)
    page = fixture_json("bluesky_page2.json")
    platform.reply(PDS_SEARCH, page, EXPIRED, page)
    source = make(platform, client, handle="bot.bsky.social", app_password="app-pass")
    source.fetch(None)

    source.fetch(None)

    assert platform.paths()[-4:] == [PDS_SEARCH, REFRESH, LOGIN, PDS_SEARCH]


def test_without_credentials_a_refusal_is_permanent(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PUBLIC, Reply(403, {"error": "Forbidden"}))

    with pytest.raises(SourceError, match="handle and app_password") as caught:
        make(platform, client).fetch(None)

    assert caught.value.permanent


def test_a_wrong_app_password_is_permanent(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PUBLIC, Reply(403, {"error": "Forbidden"}))
    platform.reply(LOGIN, Reply(401, {"error": "AuthenticationRequired"}))

    with pytest.raises(SourceError) as caught:
        make(platform, client, handle="bot.bsky.social", app_password="wrong").fetch(None)

    assert caught.value.permanent


def test_it_paces_itself_on_ratelimit_headers(platform: FakePlatform, client: httpx.Client) -> None:
    now = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
    headers = {"ratelimit-remaining": "0", "ratelimit-reset": str(int(now.timestamp()) + 90)}
    platform.reply(PUBLIC, Reply(200, fixture_json("bluesky_page2.json"), headers))
    source = make(platform, client)
    source.clock = lambda: now
    source.fetch(None)

    with pytest.raises(RateLimited) as caught:
        source.fetch(None)

    assert caught.value.retry_after == 90


def _post(rkey: str, text: str, created: str, indexed: str) -> dict[str, object]:
    return {
        "uri": f"at://did:plc:abcd1234efgh5678ijkl9012/app.bsky.feed.post/{rkey}",
        "author": {"did": "did:plc:abcd1234efgh5678ijkl9012", "handle": "jane.bsky.social"},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": created},
        "indexedAt": indexed,
    }


def test_a_post_indexed_after_a_poll_but_dated_before_what_it_saw_is_still_taken(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """searchPosts sorts and filters (`since`) on a post's sort time, the earlier of its
    `createdAt` (the author's clock) and `indexedAt`. A post written at 18:02:10 and indexed at
    18:02:13 was not there for the poll at 18:02:12, which saw one sorted at 18:02:11; the next
    poll asked `since` 18:02:11 and dropped it as older than the cursor: lost, and with it
    every post of an author whose phone runs a minute slow. Each poll now asks 10 minutes
    further back and takes what it has not seen there."""
    seen = _post(
        "3seen", "acme lost my bag", "2025-03-14T18:02:11.000Z", "2025-03-14T18:02:11.500Z"
    )
    late = _post("3late", "acme, same here", "2025-03-14T18:02:10.000Z", "2025-03-14T18:02:13.000Z")
    slow = _post("3slow", "acme still down", "2025-03-14T17:58:00.000Z", "2025-03-14T18:03:00.000Z")
    platform.reply(PUBLIC, {"posts": [seen]}, {"posts": [slow, seen, late]})
    now = datetime(2025, 3, 14, 18, 2, 12, tzinfo=UTC)
    source = make(platform, client, ManualClock(now))
    first = source.fetch(nothing_yet(now - timedelta(hours=1)))  # a poll like any after the first

    second = source.fetch(first.cursor)

    assert [m.external_id.rsplit("/", 1)[1] for m in second.mentions] == ["3slow", "3late"]
    assert platform.requests[-1].param("since") == "2025-03-14T17:52:11.000Z"
    assert source.fetch(second.cursor).mentions == []  # and neither comes again
