"""A source added for a brand that already has one: its mentions are a level shift our own
configuration made, not a crisis. A storm on content still alerts meanwhile."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import jobs
from bot.core.clock import ManualClock
from bot.detection import detect
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.response import incidents
from bot.testing import Stack, calm_stream, sample_storm, start_stack
from models import Incident, Mention, TimelineEvent


def _store(stack: Stack, records: list[dict], now: datetime) -> None:
    with stack.bot.transaction() as session:
        store_mentions(session, [parse_record(r) for r in records], config=stack.bot.config,
                       now=now)  # fmt: skip


def _add_source(
    stack: Stack, clock: ManualClock, base: float, extra: float, hours: int, days: int = 8
) -> list[int]:
    """The brand's own source at `base` an hour for `days` days; then a second one is added,
    bringing `extra` an hour more (no history: its platform cannot page back), poll by poll."""
    now = clock()
    _store(stack, calm_stream("bluesky-acme", now - timedelta(days=days), now, base, 1), now)
    assert jobs.detect_storms(stack.bot) == []
    return _step(stack, clock, base, extra, hours)


def _step(stack: Stack, clock: ManualClock, base: float, extra: float, hours: int) -> list[int]:
    opened = []
    for step in range(1, hours * 12 + 1):
        clock.advance(minutes=5)
        t = clock()
        new = calm_stream("mastodon-acme", t - timedelta(minutes=5), t, extra, 100 + step)
        old = calm_stream("bluesky-acme", t - timedelta(minutes=5), t, base, 200 + step)
        _store(stack, new + old, t)
        opened += jobs.detect_storms(stack.bot)
    return opened


@pytest.mark.parametrize(("base", "extra"), [(30, 90), (6, 30), (200, 400)])
def test_a_second_source_for_a_brand_raises_no_volume_alert(
    stack: Stack, clock: ManualClock, base: float, extra: float
) -> None:
    assert _add_source(stack, clock, base, extra, hours=3) == []


# Started at these moments, the new source's step raised a volume alert (explained away), and
# the storm below fell inside it: it was explained away by the same step (1 run in ~10 at `now`).
STEP_ALERTED = [datetime(2026, 12, 7, 10, 32, 5, tzinfo=UTC), datetime(2026, 12, 7, 17, 0, 57,
                tzinfo=UTC), datetime(2026, 12, 8, 7, 35, 54, tzinfo=UTC)]  # fmt: skip


@pytest.mark.parametrize("start", [None, *STEP_ALERTED])
def test_a_storm_on_the_old_source_still_alerts_beside_a_new_source(
    database_url: str, start: datetime | None
) -> None:
    clock = ManualClock(start or datetime.now(UTC).replace(microsecond=0))
    stack = start_stack(database_url, clock=clock)
    try:
        _storm_beside_a_new_source(stack, clock)
    finally:
        stack.stop()


def _storm_beside_a_new_source(stack: Stack, clock: ManualClock) -> None:
    assert _add_source(stack, clock, 30, 90, hours=1) == []
    t = clock()
    burst = [
        {**r, "text": "Acme order arrived broken again, support ignores me"}
        for r in calm_stream("bluesky-acme", t - timedelta(minutes=30), t, 900, 999)
    ]
    _store(stack, burst, t)
    clock.advance(minutes=1)
    assert len(jobs.detect_storms(stack.bot)) == 1


def test_the_same_post_through_two_sources_is_counted_once(
    stack: Stack, clock: ManualClock
) -> None:
    """Two Bluesky searches ("acme", "@acme") both find a post; a webhook pushes it too: one
    mention, not three, in the counts and the quotes."""
    now = clock()
    post = {"id": "at://did:plc:x/app.bsky.feed.post/3k", "brand": "Acme",
            "text": "Acme charged me twice", "created_at": (now - timedelta(minutes=3)).isoformat(),
            "url": "https://bsky.app/profile/jane.bsky.social/post/3k"}  # fmt: skip
    other = {**post, "id": "at://did:plc:x/app.bsky.feed.post/4k", "url": post["url"][:-2] + "4k"}
    no_url = {**post, "id": "rss-1", "url": None}  # no link to tell them apart: kept
    _store(stack, [{**post, "source": "bluesky-acme"}], now)
    _store(stack, [{**post, "source": "bluesky-at-acme"}, {**other, "source": "bluesky-at-acme"}],
           now)  # fmt: skip
    _store(stack, [{**post, "source": "webhook"}, {**no_url, "source": "rss"}], now)
    # Within one source its ids decide: two items of one feed may share a link.
    _store(stack, [{**post, "id": "edited-3k", "source": "bluesky-acme"}], now)
    with stack.bot.transaction() as session:
        rows = session.execute(select(Mention.source, Mention.url)).all()
    assert sorted(rows, key=str) == sorted(
        [
            ("bluesky-acme", post["url"]),
            ("bluesky-acme", post["url"]),
            ("bluesky-at-acme", other["url"]),
            ("rss", None),
        ],
        key=str,
    )


@pytest.mark.parametrize("start", [None, *STEP_ALERTED])
def test_a_storm_on_live_sources_connected_after_an_imported_history_alerts(
    database_url: str, start: datetime | None
) -> None:
    """The history came from a file (an export of the listening tool used before), then live
    sources were connected and brought the storm: every live mention is from a source new to
    the brand, but the old one has stopped, so they replace it rather than add to it. A storm on
    them is a storm (the three-worker fault test saw no alert at all)."""
    clock = ManualClock(start or datetime.now(UTC).replace(microsecond=0))
    stack = start_stack(database_url, clock=clock)
    try:
        now = clock()
        records = list(sample_storm(now, brand="Acme", calm_days=4))
        storm_from = (now - timedelta(minutes=41)).isoformat()
        calm = [{**r, "source": "import"} for r in records if r["created_at"] < storm_from]
        storm = [{**r, "source": f"rss-{i % 3}"} for i, r in enumerate(records)
                 if r["created_at"] >= storm_from]  # fmt: skip
        _store(stack, calm, now)
        _store(stack, storm, now)
        clock.advance(minutes=1)
        assert len(jobs.detect_storms(stack.bot)) == 1
    finally:
        stack.stop()


@pytest.mark.parametrize(("hours", "locale"), [(3, "en"), (8, "bg"), (30, "en")])
def test_a_storm_hours_after_a_new_source_raises_an_alert_of_its_own(
    database_url: str, hours: int, locale: str
) -> None:
    """The new source's step was explained away, but it left the volume detector in the storm
    it opened (for days: its windows compare with past days that lacked the source). A real
    storm on the old source hours later was then found only as that step's alert, late and
    dated at the step (within 6 h), or not at all (after). It alerts on its own, on time, and
    says what it counted without. (benchmarks/new_source_storm.py measures it over start
    times and seeds.)"""
    clock = ManualClock(STEP_ALERTED[0])  # the step alerts (most start times, not all)
    stack = start_stack(database_url, clock=clock)
    stack.bot.config = replace(stack.bot.config, locale=locale)
    try:
        assert _add_source(stack, clock, 30, 90, hours=1) == []
        evidence = _storm_later(stack, clock, hours, restart=hours > 24)
        held = {"en": "Counted without mastodon-acme: ", "bg": "Преброено без mastodon-acme: "}
        assert any(r.startswith(held[locale]) for r in evidence["reasons"])
    finally:
        stack.stop()


def test_a_step_whose_storm_ends_soon_is_held_out_while_its_alert_is_reported_late(
    database_url: str,
) -> None:
    """A brand with three days of history: the detector's storm after the step is over within
    hours (its windows that compare with past days wait for more of them), but its alert is
    still reported, late, for 6 h. Held out only while the storm lasted, the step came back as
    that late alert and a real storm 5 h later was alerted on it ("began" at the step)."""
    clock = ManualClock(STEP_ALERTED[0])
    stack = start_stack(database_url, clock=clock)
    try:
        assert _add_source(stack, clock, 12, 36, hours=1, days=3) == []
        evidence = _storm_later(stack, clock, 5, base=12, extra=36)
        assert evidence["window_minutes"] <= 60  # the storm's own figures, not the step's
    finally:
        stack.stop()


def test_a_new_sources_step_is_no_news_on_an_open_incident(database_url: str) -> None:
    """A source added while the brand has an incident open: its step is not put on the incident
    as the storm growing, and a real storm after the incident is closed alerts on its own."""
    clock = ManualClock(STEP_ALERTED[0])
    stack = start_stack(database_url, clock=clock)
    try:
        now = clock()
        loud = {"id": "loud", "source": "bluesky-acme", "brand": "Acme", "author": "bignews",
                "text": "Acme leaked my data, a breach everywhere. Lawsuit incoming",
                "created_at": (now - timedelta(minutes=2)).isoformat(),
                "author_followers": 4_000_000}  # fmt: skip
        _store(
            stack, [*calm_stream("bluesky-acme", now - timedelta(days=8), now, 30, 1), loud], now
        )
        [number] = jobs.detect_storms(stack.bot)
        assert _step(stack, clock, 30, 90, hours=1) == []
        with stack.bot.transaction() as session:
            grew = session.scalars(
                select(TimelineEvent.type).where(TimelineEvent.incident_id == number)
            ).all()
            assert "storm.grew" not in grew
            incidents.resolve(session, number, user="U1", summary="handled", now=clock())
        _storm_later(stack, clock, 3)
    finally:
        stack.stop()


def _storm_later(
    stack: Stack,
    clock: ManualClock,
    hours: int,
    base: float = 30,
    extra: float = 90,
    restart: bool = False,
) -> dict[str, Any]:
    """The worker runs on (a pass an hour) until `hours` after the step began; then a storm on
    the old source: one incident, on an alert of its own, in time. Its evidence. `restart`: the
    worker restarts before the storm (what was held out is read back with the detector's state;
    the step is past the 24 h in which the new-source rule would explain it again)."""
    until = clock() + timedelta(hours=hours - 1)
    while clock() < until:
        t = clock()
        clock.advance(hours=1)
        step = int(t.timestamp())
        _store(stack, calm_stream("mastodon-acme", t, clock(), extra, step)
               + calm_stream("bluesky-acme", t, clock(), base, step + 1), clock())  # fmt: skip
        assert jobs.detect_storms(stack.bot) == []
    if restart:
        detect._TRACKERS.clear()
    began = clock()
    clock.advance(minutes=30)
    t = clock()
    burst = [
        {**r, "text": "Acme order arrived broken again, support ignores me"}
        for r in calm_stream("bluesky-acme", began, t, 900, 999)
    ]
    _store(stack, burst + calm_stream("mastodon-acme", began, t, extra, 998), t)
    clock.advance(minutes=1)
    [number] = jobs.detect_storms(stack.bot)
    with stack.bot.sessions() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        evidence = dict(incident.evidence)
    assert "late" not in evidence
    assert datetime.fromisoformat(evidence["alert_at"]) >= began - timedelta(minutes=5)
    assert incident.first_mention_at is not None
    assert incident.first_mention_at >= began - timedelta(minutes=5)
    assert evidence["without_sources"] == ["mastodon-acme"]
    return evidence
