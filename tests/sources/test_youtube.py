from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.core.clock import ManualClock
from sources.base import RateLimited, SourceError
from sources.http import MAX_WAIT
from sources.youtube import YouTubeSource
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, fixture_json

PATH = "/youtube/v3/commentThreads"
KEY = "AIzaSyTest-youtube-key"
CHANNEL = "UCacmeAirlinesOfficial00"


def make(
    platform: FakePlatform,
    client: httpx.Client,
    clock: ManualClock | None = None,
    **options: str,
) -> YouTubeSource:
    extra = {"clock": clock} if clock is not None else {}
    return YouTubeSource(
        client=client,
        brand="Acme",
        api_key=KEY,
        base_url=platform.base_url + "/youtube/v3",
        timeout=CLIENT_TIMEOUT,
        **(options or {"channel_id": CHANNEL}),
        **extra,  # type: ignore[arg-type]
    )


def test_it_maps_top_level_comments_and_keeps_the_key_out_of_the_address(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, fixture_json("youtube_page1.json"))

    result = make(platform, client, channel_id=CHANNEL, search_terms="update").fetch(None)

    comment = result.mentions[0]
    assert comment.source == "youtube" and comment.brand == "Acme"
    assert comment.external_id == "UgxExampleThread0003AaABAg"
    assert comment.text == "The new update drains my battery in 2 hours. Please fix!"
    assert comment.created_at == datetime(2025, 3, 14, 18, 9, tzinfo=UTC)
    assert comment.author == "@examplecommenter"
    assert comment.author_followers is None  # likes are not the author's reach
    assert (
        comment.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgxExampleThread0003AaABAg"
    )
    assert comment.extra == {
        "likes": 128,
        "replies": 1,
        "video_id": "dQw4w9WgXcQ",
        "channel_id": CHANNEL,
        "author_channel_id": "UCcommenterChannelId0003",
    }
    (request,) = platform.requests  # the first poll takes the latest page only
    assert {k: v[-1] for k, v in request.query.items()} == {
        "part": "snippet,replies",  # the inline replies cost no more
        "order": "time",
        "maxResults": "100",
        "textFormat": "plainText",
        "allThreadsRelatedToChannelId": CHANNEL,
        "searchTerms": "update",
    }
    assert request.headers["X-Goog-Api-Key"] == KEY
    assert json.loads(result.cursor or "")["ids"] == ["UgxExampleThread0003AaABAg"]


def test_without_the_original_text_it_takes_the_displayed_one(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """The API returns textOriginal only to the comment's author."""
    platform.reply(PATH, fixture_json("youtube_page1.json"))

    result = make(platform, client).fetch(None)

    assert result.mentions[1].text == "Same here since 4.2 & no answer from support"


def test_it_reads_one_video(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, fixture_json("youtube_page2.json"))

    make(platform, client, video_id="aBcDeFgHiJk").fetch(None)

    query = platform.requests[0].query
    assert query["videoId"] == ["aBcDeFgHiJk"] and "allThreadsRelatedToChannelId" not in query


def test_it_pages_with_the_token_until_the_cursor(
    platform: FakePlatform, client: httpx.Client
) -> None:
    source = make(platform, client)
    platform.reply(PATH, fixture_json("youtube_page2.json"))
    cursor = source.fetch(None).cursor  # the oldest comment is known
    platform.requests.clear()
    platform.replies.clear()
    platform.reply(PATH, fixture_json("youtube_page1.json"), fixture_json("youtube_page2.json"))

    result = source.fetch(cursor)

    assert len(result.mentions) == 4  # page 1's three comments and the reply one came with
    assert [r.param("pageToken") for r in platform.requests] == [
        None,
        "QURTSl9pMkV4YW1wbGVQYWdlVG9rZW4=",
    ]
    again = source.fetch(result.cursor)
    assert again.mentions == [] and again.cursor is None


def test_a_spent_quota_waits_for_midnight_pacific_time(
    platform: FakePlatform, client: httpx.Client
) -> None:
    clock = ManualClock(datetime(2025, 3, 15, 6, 30, tzinfo=UTC))  # 23:30 in California (PDT)
    platform.reply(PATH, fixture_json("youtube_quota_exceeded.json"), status=403)
    source = make(platform, client, clock)

    with pytest.raises(RateLimited, match="daily quota is spent") as caught:
        source.fetch(None)

    assert caught.value.retry_after == 30 * 60
    assert not caught.value.permanent
    with pytest.raises(RateLimited):  # not asked again before the reset
        source.fetch(None)
    assert len(platform.requests) == 1
    clock.advance(minutes=31)
    platform.replies.clear()
    platform.reply(PATH, fixture_json("youtube_page1.json"))
    assert len(source.fetch(None).mentions) == 4


def test_a_spent_quota_is_asked_again_within_max_wait(
    platform: FakePlatform, client: httpx.Client
) -> None:
    clock = ManualClock(datetime(2025, 3, 14, 16, 0, tzinfo=UTC))  # 09:00 in California
    platform.reply(PATH, fixture_json("youtube_quota_exceeded.json"), status=403)

    with pytest.raises(RateLimited) as caught:
        make(platform, client, clock).fetch(None)

    assert caught.value.retry_after == MAX_WAIT < timedelta(hours=15).total_seconds()


def test_a_short_term_limit_waits_a_minute(platform: FakePlatform, client: httpx.Client) -> None:
    body = {"error": {"code": 403, "message": "Rate Limit Exceeded", "errors": [
        {"domain": "usageLimits", "reason": "rateLimitExceeded", "message": "Rate Limit Exceeded"}
    ]}}  # fmt: skip
    platform.reply(PATH, body, status=403)

    with pytest.raises(RateLimited) as caught:
        make(platform, client).fetch(None)

    assert caught.value.retry_after == 60


@pytest.mark.parametrize("fixture", ["youtube_key_invalid.json", "youtube_key_invalid_legacy.json"])
def test_a_refused_key_is_permanent_and_said(
    platform: FakePlatform, client: httpx.Client, fixture: str
) -> None:
    platform.reply(PATH, fixture_json(fixture), status=400)

    with pytest.raises(SourceError, match="the API key was refused") as caught:
        make(platform, client).fetch(None)

    assert caught.value.permanent and not isinstance(caught.value, RateLimited)
    assert KEY not in caught.value.message
    assert (caught.value.cause, caught.value.keys) == ("key_refused", ("api_key",))


def test_disabled_comments_are_permanent_naming_the_reason(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, fixture_json("youtube_comments_disabled.json"), status=403)

    with pytest.raises(SourceError, match="commentsDisabled") as caught:
        make(platform, client, video_id="aBcDeFgHiJk").fetch(None)

    assert caught.value.permanent
    # what the team is told to fix: the video's comments, or the option naming it
    assert (caught.value.cause, caught.value.keys) == ("comments_disabled", ("video_id",))
    # Google writes its messages in HTML: shown as is, they read "<code><a href=…>videoId</a>…"
    assert "(commentsDisabled: The video identified by the videoId parameter has disabled" in (
        caught.value.message
    )


def test_a_429_still_pauses_for_as_long_as_it_says(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, b"{}", status=429, headers={"Retry-After": "90"})

    with pytest.raises(RateLimited) as caught:
        make(platform, client).fetch(None)

    assert 88 < caught.value.retry_after <= 90


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"items": [', "malformed JSON"),
        (b'{"kind": "youtube#commentThreadListResponse"}', "unexpected response shape"),
        (b'{"items": "none"}', "field 'items' is str"),
    ],
)
def test_a_malformed_page_fails_the_poll_naming_the_problem(
    platform: FakePlatform, client: httpx.Client, body: bytes, says: str
) -> None:
    platform.reply(PATH, body)

    with pytest.raises(SourceError, match=says):
        make(platform, client).fetch(None)


def test_it_takes_exactly_one_of_a_channel_and_a_video(client: httpx.Client) -> None:
    with pytest.raises(ValueError, match="exactly one of channel_id or video_id"):
        YouTubeSource(client=client, brand=None, api_key=KEY)
    with pytest.raises(ValueError, match="exactly one"):
        YouTubeSource(
            client=client, brand=None, api_key=KEY, channel_id=CHANNEL, video_id="aBcDeFgHiJk"
        )


def test_the_backfill_follows_the_tokens_down_to_since(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, fixture_json("youtube_page1.json"), fixture_json("youtube_page2.json"))
    source = make(platform, client)
    since = datetime(2025, 3, 13, tzinfo=UTC)

    first = source.backfill(None, since)
    assert len(first.mentions) == 4 and first.cursor == "QURTSl9pMkV4YW1wbGVQYWdlVG9rZW4="
    second = source.backfill(first.cursor, since)

    assert [m.external_id for m in second.mentions] == ["UgxExampleThread0000AaABAg"]
    assert second.done and second.cursor == first.cursor  # no further token: where it ended
    assert [r.param("pageToken") for r in platform.requests] == [None, first.cursor]


def test_a_stale_backfill_token_ends_the_walk(platform: FakePlatform, client: httpx.Client) -> None:
    stale = {"error": {"code": 400, "message": "The page token is not valid.", "errors": [
        {"domain": "youtube.parameter", "reason": "invalidPageToken", "message": "invalid"}
    ]}}  # fmt: skip
    platform.reply(PATH, stale, status=400)

    with pytest.raises(SourceError, match="the page token was refused") as caught:
        make(platform, client).backfill("old-token", datetime(2025, 3, 13, tzinfo=UTC))

    assert caught.value.permanent  # the poller then marks the backfill done with what it has
