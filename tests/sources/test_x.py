from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.core.clock import ManualClock
from sources.base import SourceError
from sources.http import Clock, utcnow
from sources.x import XSource
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, Reply, fixture_json

PATH = "/2/tweets/search/recent"


def make(platform: FakePlatform, client: httpx.Client, clock: Clock = utcnow) -> XSource:
    return XSource(
        client=client,
        brand="Acme",
        query="acme -is:retweet",
        bearer_token="test-bearer",
        base_url=platform.base_url + "/2",
        timeout=CLIENT_TIMEOUT,
        clock=clock,
    )


def test_it_maps_posts_with_their_authors(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, fixture_json("x_page1.json"))

    result = make(platform, client).fetch(None)

    post = result.mentions[0]
    assert post.source == "x"
    assert post.external_id == "1900612345678901300"
    assert post.text == "@Acme 3 hours at the gate, no crew, no updates."
    assert post.created_at == datetime(2025, 3, 14, 18, 2, 11, tzinfo=UTC)
    assert post.author == "janetravels"
    assert post.author_followers == 15320
    assert post.url == "https://x.com/janetravels/status/1900612345678901300"
    assert post.extra["likes"] == 51 and post.extra["reposts"] == 14
    assert post.brand == "Acme"


def test_it_asks_for_authors_and_sends_the_bearer_token(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, fixture_json("x_page1.json"))

    make(platform, client).fetch(None)

    request = platform.requests[0]
    assert request.headers["Authorization"] == "Bearer test-bearer"
    assert request.param("query") == "acme -is:retweet"
    assert request.param("expansions") == "author_id"
    assert "public_metrics" in (request.param("user.fields") or "")
    assert request.param("since_id") is None


def test_it_skips_a_post_without_created_at(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, fixture_json("x_page1.json"))

    result = make(platform, client).fetch(None)

    assert [m.external_id for m in result.mentions] == ["1900612345678901300"]


def test_first_poll_reads_one_page_and_keeps_the_newest_id(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, fixture_json("x_page1.json"), fixture_json("x_page2.json"))

    result = make(platform, client).fetch(None)

    assert len(platform.requests) == 1
    assert result.cursor == "1900612345678901300"


def test_it_pages_with_next_token_after_since_id(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, fixture_json("x_page1.json"), fixture_json("x_page2.json"))

    result = make(platform, client).fetch("1900612345678900000")

    assert [m.external_id for m in result.mentions] == [
        "1900612345678901300",
        "1900612345678901200",
    ]
    assert [r.param("since_id") for r in platform.requests] == ["1900612345678900000"] * 2
    assert (
        platform.requests[1].param("next_token") == "b26v89c19zqg8o3fr5u6ex5mpp4yzv5fm9hhlvtu9s5ot"
    )
    assert result.mentions[1].author is None  # the page did not include this author
    assert result.mentions[1].url == "https://x.com/i/web/status/1900612345678901200"
    assert result.cursor == "1900612345678901300"


def test_the_returned_cursor_polls_from_there(platform: FakePlatform, client: httpx.Client) -> None:
    source = make(platform, client)
    platform.reply(PATH, fixture_json("x_page1.json"), fixture_json("x_empty.json"))
    first = source.fetch(None)

    second = source.fetch(first.cursor)

    assert platform.requests[-1].param("since_id") == first.cursor
    assert second.mentions == []
    assert second.cursor is None


def test_a_first_poll_that_finds_nothing_leaves_a_time_the_next_poll_asks_from(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """No post, no id to poll `since_id` from: before, nothing was stored, the next poll was a
    first poll again and took only the latest page of whatever storm came meanwhile. Now it
    stores a time (a day before the poll) and the next poll asks `start_time` and pages on."""
    start = datetime(2025, 3, 14, 15, 0, 30, tzinfo=UTC)  # before every fixture post
    clock = ManualClock(start)
    source = make(platform, client, clock)
    platform.reply(PATH, fixture_json("x_empty.json"))

    first = source.fetch(None)

    assert first.mentions == []
    assert json.loads(first.cursor or "null") == {
        "newest": (start - timedelta(days=1)).isoformat(),
        "ids": [],
    }
    platform.requests.clear()
    platform.replies.clear()
    platform.reply(PATH, fixture_json("x_page1.json"), fixture_json("x_page2.json"))
    clock.advance(hours=4)  # the storm: more than a page before the next poll

    second = source.fetch(first.cursor)

    assert [m.external_id for m in second.mentions] == [
        "1900612345678901300",
        "1900612345678901200",
    ]
    assert {r.param("start_time") for r in platform.requests} == {"2025-03-13T15:00:30Z"}
    assert {r.param("since_id") for r in platform.requests} == {None}
    assert platform.requests[1].param("next_token")
    assert second.cursor == "1900612345678901300"  # and from here on, by id
    platform.replies.clear()
    platform.reply(PATH, fixture_json("x_empty.json"))
    third = source.fetch(second.cursor)
    assert platform.requests[-1].param("since_id") == second.cursor
    assert platform.requests[-1].param("start_time") is None
    assert third.mentions == [] and third.cursor is None


def test_a_quiet_week_after_an_empty_first_poll_asks_no_further_back_than_search_reaches(
    platform: FakePlatform, client: httpx.Client
) -> None:
    start = datetime(2025, 3, 14, 15, 0, tzinfo=UTC)
    clock = ManualClock(start)
    source = make(platform, client, clock)
    platform.reply(PATH, fixture_json("x_empty.json"))
    first = source.fetch(None)
    clock.advance(days=8)

    again = source.fetch(first.cursor)

    assert again.mentions == [] and again.cursor is None  # kept: still nothing found
    # 7 days less a minute (clock skew): an older start_time is a 400
    assert platform.requests[-1].param("start_time") == "2025-03-15T15:01:00Z"


def test_a_since_id_older_than_the_search_window_starts_over(
    platform: FakePlatform, client: httpx.Client
) -> None:
    stale = {
        "errors": [
            {
                "parameters": {"since_id": ["1519056945277198339"]},
                "message": "Invalid 'since_id':'1519056945277198339'. "
                "'since_id' must be a tweet id created after 2025-03-07T18:00Z.",
            }
        ],
        "title": "Invalid Request",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    platform.reply(PATH, Reply(400, stale), fixture_json("x_page1.json"))

    result = make(platform, client).fetch("1519056945277198339")

    assert [r.param("since_id") for r in platform.requests] == ["1519056945277198339", None]
    assert result.cursor == "1900612345678901300"


def test_an_invalid_query_is_permanent(platform: FakePlatform, client: httpx.Client) -> None:
    invalid = {"errors": [{"parameters": {"query": ["acme ("]}, "message": "bad query"}]}
    platform.reply(PATH, Reply(400, invalid))

    with pytest.raises(SourceError) as caught:
        make(platform, client).fetch(None)

    assert caught.value.permanent


def test_a_next_token_that_comes_round_again_ends_the_poll(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = fixture_json("x_page1.json")
    body["meta"]["next_token"] = "loop"
    platform.reply(PATH, body)
    source = make(platform, client)

    source.fetch("1")

    assert len(platform.requests) == 2  # was 5, the page cap
    assert not source.truncated


def _post(post_id: str, text: str, **fields: object) -> dict[str, object]:
    """One post as recent search returns it (tweet.fields as the connector asks)."""
    return {
        "id": post_id,
        "text": text,
        "author_id": "123456789",
        "created_at": "2025-03-14T18:02:11.000Z",
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0},
        **fields,
    }


def _page(*posts: dict[str, object]) -> dict[str, object]:
    return {
        "data": list(posts),
        "meta": {"newest_id": max(str(p["id"]) for p in posts), "result_count": len(posts)},
    }


def test_a_posts_text_is_read_without_the_html_escapes_x_adds(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """X escapes `&`, `<` and `>` in a post's text (`&amp;`; sferik/twitter-ruby#348,
    FxEmbed/FxEmbed#24): the card showed "AT&amp;T", and a keyword such as "q&a" never matched.
    What the author typed as "&amp;" arrives as "&amp;amp;" and stays "&amp;"."""
    text = "@Acme &lt;3 no more: refund &amp; apology please &gt;:( Cyrillic too: Акме &amp; Ко 😡"
    typed = "the literal &amp;amp; stays"
    platform.reply(
        PATH, _page(_post("1900612345678901301", text), _post("1900612345678901302", typed))
    )

    result = make(platform, client).fetch(None)

    assert [m.text for m in result.mentions] == [
        "@Acme <3 no more: refund & apology please >:( Cyrillic too: Акме & Ко 😡",
        "the literal &amp; stays",
    ]


def test_a_long_post_is_read_whole_from_its_note_tweet(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """A post over 280 characters comes with `text` cut at 280 and the whole in
    `note_tweet.text`, only when `tweet.fields` asks for `note_tweet` (X's data dictionary:
    "the full-content of the Tweet, including text beyond 280 characters"). The crisis words of
    a long complaint are often past the cut."""
    whole = (
        "Flight AC123 with @Acme: "
        + "waited, " * 40
        + "and then they LOST my luggage &amp; refused a refund."
    )
    cut = whole[:279] + "…"
    long_post = _post("1900612345678901303", cut, note_tweet={"text": whole})
    platform.reply(PATH, _page(long_post))

    result = make(platform, client).fetch(None)

    assert "note_tweet" in (platform.requests[0].param("tweet.fields") or "").split(",")
    assert result.mentions[0].text == whole.replace("&amp;", "&")
    assert result.mentions[0].text.endswith("LOST my luggage & refused a refund.")


def test_a_repost_is_a_mention_of_its_own_marked_with_the_post_it_repeats(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Recent search lists a repost as a post of its own ("RT @janetravels: …", a new id). It
    stays a mention: a complaint reposted by hundreds is how a storm spreads on X, and the volume
    detector's tweet counts include reposts. It is marked with the post it repeats; a quote or a
    reply has words of its own and is not."""
    original = _post("1900612345678901310", "@Acme lost my bag again", author_id="1")
    repost = _post(
        "1900612345678901340",
        "RT @janetravels: @Acme lost my bag again",
        referenced_tweets=[{"type": "retweeted", "id": "1900612345678901310"}],
    )
    quote = _post(
        "1900612345678901330",
        "same here, @Acme",
        referenced_tweets=[{"type": "quoted", "id": "1900612345678901310"}],
    )
    platform.reply(PATH, _page(repost, quote, original))

    result = make(platform, client).fetch(None)

    assert "referenced_tweets" in (platform.requests[0].param("tweet.fields") or "").split(",")
    assert [(m.external_id, m.extra["repost_of"]) for m in result.mentions] == [
        ("1900612345678901340", "1900612345678901310"),
        ("1900612345678901330", None),
        ("1900612345678901310", None),
    ]
    assert result.cursor == "1900612345678901340"
