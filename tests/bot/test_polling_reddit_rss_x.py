"""Polling end to end for Reddit, RSS 2.0 and Atom feeds, and X: `crisisbot poll` against local
servers speaking those platforms' formats ingests a calm week and a storm, `crisisbot detect` alerts
on it; each cursor is stored with the mentions it covers and goes out in the platform's own dialect
(`after` down to a watermark, `since_id` + `next_token`, conditional GET / seen ids), a poll with
nothing new stores nothing, and a 429 backs off only the source that got it, for as long as its
headers say."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import Crisisbot
from bot.core.clock import ManualClock
from bot.intake.polling import PollResult
from bot.testing import Stack
from models import Mention
from tests.bot.conftest import (
    BRANDS,
    Cli,
    alerts,
    make_bot,
    poll_once,
    source_states,
)
from tests.bot.test_polling_platforms import (
    ALERTS,
    BLOG,
    MORE_PLATFORMS,
    REDDIT,
    X_TOKEN,
    Fault,
    Platforms,
    Post,
    X,
    alerts_article,
    alerts_id,
    blog_guid,
    reddit_fullname,
    serve,
    toml_sources,
    x_id,
)

ENV = {"X_BEARER_TOKEN": X_TOKEN}


@pytest.fixture
def cli_extra_env() -> dict[str, str]:
    return ENV


@pytest.fixture
def platforms(now: datetime) -> Iterator[Platforms]:
    yield from serve(Platforms.storm(now, MORE_PLATFORMS))


@pytest.fixture
def playbook(tmp_path: Path, platforms: Platforms) -> Path:
    path = tmp_path / "crisisbot.toml"
    sources = toml_sources(platforms.base_url, names=tuple(platforms.posts))
    path.write_text(BRANDS + sources, encoding="utf-8")
    return path


def _stored(bot: Crisisbot) -> dict[str, int]:
    with bot.transaction() as session:
        rows = session.execute(select(Mention.source, func.count()).group_by(Mention.source))
        return {source: count for source, count in rows.tuples()}


def _urls(bot: Crisisbot) -> set[str]:
    with bot.transaction() as session:
        return set(session.scalars(select(Mention.url).where(Mention.url.is_not(None))))


def _expected(platforms: Platforms) -> dict[str, int]:
    """Mentions per stored source name: both feeds are type `rss`."""
    counts: dict[str, int] = {}
    for name in platforms.posts:
        source = "rss" if name in ("blog", "alerts") else name
        counts[source] = counts.get(source, 0) + len(platforms.visible(name))
    return counts


# -- the storm, through the command line ---------------------------------------------------------


def test_polled_storm_is_stored_once_and_alerted(
    polling_stack: Stack,
    platforms: Platforms,
    now: datetime,
    cli: Cli,
) -> None:
    bot = polling_stack.bot
    start = now - timedelta(days=7)
    # Every 12 hours through the calm week, every 10 minutes in the storm: a feed lists only its
    # latest entries, so it has to be read before they scroll out of it.
    calm = [start + timedelta(hours=h) for h in range(6, 7 * 24 - 1, 12)]
    storm = [now - timedelta(minutes=m) for m in (30, 20, 10, 0)]
    for i, horizon in enumerate(calm):
        platforms.horizon = horizon
        cli.ok("poll")  # a new process each time: it continues from the stored cursors
        assert _stored(bot) == _expected(platforms), f"after poll {i + 1}"
    assert "no new storm" in cli.ok("detect")

    for horizon in storm:
        platforms.horizon = horizon
        out = cli.ok("poll")
        assert _stored(bot) == _expected(platforms), f"at {horizon}"
    assert all(f"{name}: " in out for name in MORE_PLATFORMS)
    assert "opened incident #1" in cli.ok("detect")
    posted = alerts(polling_stack)
    assert len(posted) == 1 and "Acme" in posted[0]["text"]

    # Each cursor was stored with the mentions it covers, in the platform's own terms.
    states = source_states(bot)
    newest = {name: platforms.visible(name)[-1] for name in MORE_PLATFORMS}
    assert states["x"].cursor == str(x_id(newest["x"]))
    mark = json.loads(states["reddit"].cursor or "")
    second = datetime.fromtimestamp(int(newest["reddit"].at.timestamp()), UTC)  # created_utc
    assert (mark["newest"], mark["ids"]) == (
        second.isoformat(),
        [reddit_fullname(newest["reddit"])],
    )
    blog = json.loads(states["blog"].cursor or "")
    assert blog["seen"][0] == blog_guid(newest["blog"]) and blog["etag"]
    assert json.loads(states["alerts"].cursor or "")["seen"][0] == alerts_id(newest["alerts"])
    # The stored addresses are the posts', not a redirector's.
    urls = _urls(bot)
    assert alerts_article(newest["alerts"]) in urls
    assert f"https://x.com/{newest['x'].author}/status/{x_id(newest['x'])}" in urls

    # A restart with nothing new: each platform is asked from the cursor and nothing is stored.
    sent = {path: len(platforms.received(path)) for path in (REDDIT, X, BLOG, ALERTS)}
    assert "crisisbot: 0 new mentions" in cli.ok("poll")
    assert _stored(bot) == _expected(platforms)
    reddit, x, blog_get, alerts_get = (
        platforms.received(path)[sent[path] :] for path in (REDDIT, X, BLOG, ALERTS)
    )
    assert len(reddit) == 1 and "after" not in reddit[0].query  # the first page reached the mark
    assert len(x) == 1 and x[0].query["since_id"] == states["x"].cursor
    assert [r.status for r in blog_get] == [304]
    assert blog_get[0].headers["If-None-Match"] == blog["etag"]
    assert [r.status for r in alerts_get] == [200]  # no validators: read whole, seen ids filter it
    after = source_states(bot)
    assert {name: s.cursor for name, s in after.items()} == {
        name: s.cursor for name, s in states.items()
    }
    assert {s.failures for s in after.values()} == {0}


# -- pages after an outage -----------------------------------------------------------------------


def _bot(database_url: str, clock: ManualClock, playbook: Path) -> Crisisbot:
    return make_bot(database_url, clock, playbook, **ENV)


def _poll(bot: Crisisbot) -> dict[str, PollResult]:
    return poll_once(bot)


@pytest.fixture
def reddit_and_x(now: datetime) -> Iterator[Platforms]:
    yield from serve(Platforms.storm(now, ("reddit", "x")))  # ~150 posts each: over a page


def test_after_an_outage_reddit_and_x_page_back_to_the_cursor(
    database_url: str, clock: ManualClock, now: datetime, reddit_and_x: Platforms, tmp_path: Path
) -> None:
    platforms = reddit_and_x
    playbook = tmp_path / "crisisbot.toml"
    sources = toml_sources(platforms.base_url, names=("reddit", "x"))
    playbook.write_text(BRANDS + sources, encoding="utf-8")
    platforms.horizon = now - timedelta(days=7, hours=-6)
    with _bot(database_url, clock, playbook) as bot:
        assert all(r.ok for r in _poll(bot).values())
        # The live page, then the first backfill page: six hours of posts, one page, done.
        assert len(platforms.received(REDDIT)) == len(platforms.received(X)) == 2
        assert "start_time" in platforms.received(X)[1].query
        cursor = source_states(bot)["x"].cursor

        platforms.horizon = now  # the poller was down all week
        results = _poll(bot)
        assert results["reddit"].new > 100 and results["x"].new > 100
        assert _stored(bot) == _expected(platforms)

        reddit = [r.query for r in platforms.received(REDDIT)[2:]]
        assert len(reddit) == 2  # a full page, then one that reaches the watermark
        first_page = platforms.visible("reddit")[::-1][:100]
        assert "after" not in reddit[0] and reddit[1]["after"] == reddit_fullname(first_page[-1])
        x = [r.query for r in platforms.received(X)[2:]]
        assert len(x) == 2 and {q["since_id"] for q in x} == {cursor}
        assert "next_token" not in x[0] and x[1]["next_token"]
        assert source_states(bot)["x"].cursor == str(x_id(platforms.visible("x")[-1]))

        results = _poll(bot)  # and again: one request each, nothing new
        assert results["reddit"].new == results["x"].new == 0
        assert len(platforms.received(REDDIT)) == 5 and len(platforms.received(X)) == 5
        assert _stored(bot) == _expected(platforms)


# -- rate limits -----------------------------------------------------------------------------------


def _rate_limited(name: str, clock: ManualClock) -> tuple[Fault, float]:
    """A 429 as each platform sends it, and the wait its headers ask for. Times are on the
    bot's clock, which the connectors read them against: the wall clock, read after the first
    poll, was as far past the test's start as that poll took (seconds on a loaded machine)."""
    now = clock().timestamp()
    if name == "reddit":  # seconds until the window resets
        headers = {"x-ratelimit-used": "100", "x-ratelimit-remaining": "0.0"}
        body = b'{"message": "Too Many Requests", "error": 429}'
        return Fault(429, body, {**headers, "x-ratelimit-reset": "412"}), 412
    if name == "x":  # the epoch second the window resets
        headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0"}
        problem = {"title": "Too Many Requests", "type": "about:blank", "status": 429}
        body = json.dumps({**problem, "detail": "Too Many Requests"}).encode()
        return Fault(429, body, {**headers, "x-rate-limit-reset": str(int(now) + 900)}), 900
    if name == "blog":  # Retry-After in seconds
        return Fault(429, b"Too Many Requests", {"Retry-After": "600"}), 600
    # Retry-After as an HTTP date
    when = format_datetime(datetime.fromtimestamp(int(now) + 1200, UTC), usegmt=True)
    return Fault(429, b"Too Many Requests", {"Retry-After": when}), 1200


PATHS = {"reddit": REDDIT, "x": X, "blog": BLOG, "alerts": ALERTS}


@pytest.mark.parametrize("name", MORE_PLATFORMS)
def test_a_429_backs_off_that_source_alone_as_long_as_asked(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path, name: str
) -> None:
    start = platforms.horizon - timedelta(days=7)
    platforms.horizon = start + timedelta(hours=6)
    with _bot(database_url, clock, playbook) as bot:
        assert all(r.ok for r in _poll(bot).values())
    platforms.horizon = start + timedelta(days=1)
    fault, wait = _rate_limited(name, clock)
    platforms.fail(name, fault)

    with _bot(database_url, clock, playbook) as bot:
        results = _poll(bot)
        assert "429" in (results[name].error or "")
        assert all(r.ok and r.new > 0 for n, r in results.items() if n != name)
        states = source_states(bot)
        state = states[name]
        assert state.failures == 0  # asked to wait, not a failure
        assert state.backoff_until is not None
        assert abs((state.backoff_until - clock()).total_seconds() - wait) < 10
        others = [s for n, s in states.items() if n != name]
        assert all(s.backoff_until is None and s.failures == 0 for s in others)

    requests = len(platforms.received(PATHS[name]))
    clock.advance(seconds=wait - 30)
    with _bot(database_url, clock, playbook) as bot:  # not yet: not even asked
        results = _poll(bot)
        assert results[name].skipped
        assert len(platforms.received(PATHS[name])) == requests

    clock.advance(seconds=60)
    with _bot(database_url, clock, playbook) as bot:  # then it catches up, nothing twice
        assert all(r.ok for r in _poll(bot).values())
        state = source_states(bot)[name]
        assert state.last_error is None and state.backoff_until is None
        assert _stored(bot) == _expected(platforms)


def test_a_post_dated_in_the_future_is_stored_as_of_when_it_was_polled(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    """A feed that writes its local time (UTC+2) as GMT dates its news 2 hours ahead; detection
    counts only mentions up to now, so it saw them 2 hours late (one dated 2099: never)."""
    ahead = clock() + timedelta(hours=2)
    platforms.posts["blog"].append(Post(99_999, "Acme outage: all trains stopped", ahead, "d", 0))
    platforms.horizon = ahead

    with make_bot(database_url, clock, playbook) as bot:
        assert _poll(bot)["blog"].ok
        with bot.transaction() as session:
            row = session.scalars(select(Mention).where(Mention.text.like("Acme outage%"))).one()
            assert row.created_at.replace(tzinfo=UTC) == clock()
