"""A source's first poll finding nothing, or failing, then a storm bigger than a page: polled end to
end against local servers speaking Bluesky's, Hacker News's, Mastodon's, Reddit's and X's search
APIs and an RSS 2.0 and a Google Alerts feed (their filters and paging), the next poll takes all of
the storm (a feed: all it lists) and the one after takes nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import Crisisbot
from bot.core.clock import ManualClock
from models import Mention
from tests.bot.conftest import BRANDS, make_bot, poll_once, source_states
from tests.bot.test_polling_platforms import (
    FEED_WINDOW,
    MORE_PLATFORMS,
    PLATFORMS,
    X_TOKEN,
    Fault,
    Platforms,
    Post,
    serve,
    toml_sources,
)

NAMES = PLATFORMS + MORE_PLATFORMS
FEEDS = ("blog", "alerts")  # both of type `rss`: stored under that source name
ENV = {"X_BEARER_TOKEN": X_TOKEN}
STORM = 110  # more than a page on each: Reddit, HN, Bluesky and X 100, Mastodon 40


@pytest.fixture
def platforms(clock: ManualClock) -> Iterator[Platforms]:
    yield from serve(Platforms({name: [] for name in NAMES}, horizon=clock()))


@pytest.fixture
def playbook(tmp_path: Path, platforms: Platforms) -> Path:
    path = tmp_path / "crisisbot.toml"
    path.write_text(BRANDS + toml_sources(platforms.base_url, names=NAMES), encoding="utf-8")
    return path


def _storm(platforms: Platforms, start: datetime) -> None:
    """`STORM` posts on each platform within the hour after `start`, several a second."""
    for k, name in enumerate(NAMES):
        platforms.posts[name] += [
            Post(
                1000 * (k + 1) + i,
                f"Acme lost my booking again, refund now ({name} {i})",
                start + timedelta(seconds=1 + i * 3),
                f"user{i % 40}",
                100,
            )
            for i in range(STORM)
        ]


def _per_source(bot: Crisisbot) -> dict[str, int]:
    with bot.transaction() as session:
        rows = session.execute(select(Mention.source, func.count()).group_by(Mention.source))
        return dict(rows.tuples().all())


EXPECTED = {name: STORM for name in NAMES if name not in FEEDS} | {"rss": 2 * FEED_WINDOW}


def test_a_storm_after_a_first_poll_that_found_nothing_is_taken_whole(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    """A new brand, a quiet query: the first poll finds nothing. Before, it stored no cursor, so
    the next poll was a first poll again and took only the latest page of the storm (Mastodon
    40 of 110, the others 100); the backfill the first poll started had already found nothing."""
    start = clock()
    with make_bot(database_url, clock, playbook, **ENV) as bot:
        first = poll_once(bot)
        assert all(r.ok and r.new == 0 for r in first.values()), first
        assert all(s.cursor for s in source_states(bot).values())

    _storm(platforms, start)
    platforms.horizon = start + timedelta(hours=1)
    clock.advance(hours=1)
    with make_bot(database_url, clock, playbook, **ENV) as bot:  # a new process: what is stored
        second = poll_once(bot)
        assert all(r.ok for r in second.values()), second
        assert _per_source(bot) == EXPECTED
        assert not [
            q for q in platforms.sent("/bsky/xrpc/app.bsky.feed.searchPosts") if "cursor" in q
        ]

    clock.advance(minutes=10)
    with make_bot(database_url, clock, playbook, **ENV) as bot:  # and nothing twice
        third = poll_once(bot)
        assert all(r.ok and r.new == 0 for r in third.values()), third
        assert _per_source(bot) == EXPECTED


FAULTS = {
    "503": Fault(503, b"Service Unavailable", {"Content-Type": "text/plain"}),
    "timeout": Fault(delay=0.8),  # no answer within the 0.5 s timeout: the network's fault
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_storm_after_a_first_poll_that_failed_is_taken_whole(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path, fault: str
) -> None:
    """The first poll fails: no cursor and no backfill yet. The first poll that works takes the
    latest page and starts the week's backfill, which walks back through the rest of the storm
    in the same pass; a feed lists what it lists. (It worked so before; this keeps it so.)"""
    start = clock()
    for name in NAMES:
        platforms.fail(name, FAULTS[fault])
    with make_bot(database_url, clock, playbook, **ENV) as bot:
        first = poll_once(bot, timeout=0.5)  # the fault measures it
        assert all(r.error for r in first.values()), first
        assert not any(s.cursor or s.backfill for s in source_states(bot).values())

    _storm(platforms, start)
    platforms.horizon = start + timedelta(hours=1)
    clock.advance(hours=1)  # past the backoff
    with make_bot(database_url, clock, playbook, **ENV) as bot:
        second = poll_once(bot)
        assert all(r.ok for r in second.values()), second
        assert _per_source(bot) == EXPECTED

    clock.advance(minutes=10)
    with make_bot(database_url, clock, playbook, **ENV) as bot:
        third = poll_once(bot)
        assert all(r.ok and r.new == 0 for r in third.values()), third
