"""One volume alert is one storm: the live bot groups passes by the alert's `alert_at`."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import func, select

from bot import jobs
from bot.core.clock import ManualClock
from bot.detection.backtest import replay
from bot.detection.detect import run_detection
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.response import incidents
from bot.testing import CHANNEL, Stack, sample_storm
from models import Incident, TimelineEvent
from tests.bot.flow import blocks_text, card, open_storm


def _burst(stack: Stack, clock: ManualClock, n: int, minutes: int) -> None:
    now = clock()
    records = [
        {
            "id": f"burst-{now:%H%M}-{k}",
            "source": "bluesky",
            "text": "Acme charged me twice and support is not answering. Boycott.",
            "created_at": (
                now - timedelta(minutes=minutes) + k * timedelta(minutes=minutes) / n
            ).isoformat(),
            "author": f"user{k}",
            "url": f"https://bsky.app/profile/user{k}.bsky.social/post/{k}",
            "author_followers": 150,
            "brand": "Acme",
        }
        for k in range(n)
    ]
    with stack.bot.transaction() as session:
        store_mentions(session, [parse_record(r) for r in records], config=stack.bot.config,
                       now=now)  # fmt: skip


def _calm_week(clock: ManualClock) -> list[dict[str, object]]:
    """A week of the sample's calm (orders and shipping), as a backfill brings it."""
    return [
        {**r, "id": f"calm-{r['id']}", "source": "hackernews"}
        for r in sample_storm(clock() - timedelta(hours=1))
        if "order" in str(r["text"]) or "ship" in str(r["text"])
    ]


def leak_storm(clock: ManualClock, **extra: object) -> list[dict[str, object]]:
    """150 furious posts about a leak over the last 40 minutes, from one source."""
    return [
        {
            "id": f"storm-{k}",
            "source": "hackernews",
            "text": "Acme leaked every password in plain text. Terrible, awful, disgusting.",
            "created_at": (clock() - timedelta(minutes=40) + k * timedelta(seconds=16)).isoformat(),
            "author": f"angry{k}",
            "brand": "Acme",
            **extra,
        }
        for k in range(150)
    ]


def test_a_resolved_storm_is_not_reopened_but_a_new_alert_opens_a_new_incident(
    stack: Stack, clock: ManualClock
) -> None:
    first = open_storm(stack, clock)
    with stack.bot.transaction() as session:
        incidents.resolve(session, first, user="U1", summary="handled", now=clock())
    clock.advance(minutes=5)
    assert jobs.detect_storms(stack.bot) == []  # the same alert, still reported: no new incident

    clock.advance(hours=26)  # a day later, a new, bigger storm
    _burst(stack, clock, 400, 30)
    second = jobs.detect_storms(stack.bot)
    assert len(second) == 1 and second[0] != first
    with stack.bot.sessions() as session:
        a, b = session.get(Incident, first), session.get(Incident, second[0])
        assert a is not None and b is not None
        assert a.evidence["alert_at"] != b.evidence["alert_at"]
    clock.advance(minutes=5)
    assert jobs.detect_storms(stack.bot) == []  # that storm's incident is open


def test_backtest_replay_opens_what_the_live_bot_opens(stack: Stack, clock: ManualClock) -> None:
    records = [parse_record(r) for r in sample_storm(clock(), brand="Acme")]
    would = replay(records, stack.bot.config)
    live = open_storm(stack, clock)  # the storm's mentions, detected at the end (clock())
    assert len(would) == 1 and would[0].brand == "Acme"
    assert clock() - timedelta(minutes=40) <= would[0].opened_at <= clock() + timedelta(minutes=5)
    with stack.bot.sessions() as session:
        incident = session.get(Incident, live)
        assert incident is not None and incident.first_mention_at == would[0].first_mention_at


def _records(stack: Stack, clock: ManualClock, records: list[dict[str, object]]) -> None:
    with stack.bot.transaction() as session:
        store_mentions(session, [parse_record(r) for r in records], config=stack.bot.config,
                       now=clock())  # fmt: skip


def test_a_cold_start_alert_covers_its_storm_once_the_backfill_brings_history(
    stack: Stack, clock: ManualClock
) -> None:
    """The storm alerts on content while only it is known; the backfill then brings a week of
    calm, and the volume detector alerts on the same storm: that is not a new storm."""
    storm = leak_storm(clock)
    _records(stack, clock, storm)
    [first] = jobs.detect_storms(stack.bot)
    with stack.bot.transaction() as session:
        incident = session.get(Incident, first)
        assert incident is not None and "short_baseline" in incident.evidence
        incidents.resolve(session, first, user="U1", summary="handled", now=clock())

    _records(stack, clock, _calm_week(clock))
    clock.advance(minutes=1)
    assert jobs.detect_storms(stack.bot) == []


def _cold_incident_then_history(stack: Stack, clock: ManualClock) -> tuple[int, str]:
    """A storm opened on content while only it was known, then a week of calm history stored:
    the next pass sees a volume alert on that same storm."""
    storm = leak_storm(clock)
    _records(stack, clock, storm)
    [first] = jobs.detect_storms(stack.bot)
    stack.emulator.wait_for(lambda: card(stack, first) is not None)
    with stack.bot.sessions() as session:
        incident = session.get(Incident, first)
        assert incident is not None and "short_baseline" in incident.evidence
        caveat = incident.evidence["short_baseline"]
    _records(stack, clock, _calm_week(clock))
    clock.advance(minutes=1)
    return first, caveat


def _grew(stack: Stack, number: int) -> list[TimelineEvent]:
    with stack.bot.sessions() as session:
        return list(
            session.scalars(
                select(TimelineEvent).where(
                    TimelineEvent.incident_id == number, TimelineEvent.type == "storm.grew"
                )
            )
        )


def test_a_new_alert_on_an_open_incidents_storm_goes_onto_that_incident(
    stack: Stack, clock: ManualClock
) -> None:
    """Open on content while only the storm is known (cold start); the backfill brings a week
    of calm and the volume detector alerts on the same storm: no second incident, the open one
    gets the volume evidence (its card no longer says the figures are uncalibrated)."""
    first, caveat = _cold_incident_then_history(stack, clock)
    assert jobs.detect_storms(stack.bot) == []
    clock.advance(minutes=1)
    assert jobs.detect_storms(stack.bot) == []  # one new alert, told once
    with stack.bot.sessions() as session:
        incident = session.get(Incident, first)
        assert incident is not None and incident.is_open
        assert "short_baseline" not in incident.evidence
        assert incident.evidence["alert_at"] is not None
        grew = _grew(stack, first)
        assert len(grew) == 1 and grew[0].data["reasons"] == incident.evidence["reasons"]
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
    stack.emulator.wait_for(lambda: caveat not in blocks_text(card(stack, first)))


def test_two_passes_at_once_put_a_new_alert_on_the_incident_once(
    stack: Stack, clock: ManualClock
) -> None:
    """`crisisbot detect` run beside the worker: both see the new alert; the second waits for the
    incident's row (SQLite: for the write lock, before it reads) and then finds the alert
    already there."""
    first, _caveat = _cold_incident_then_history(stack, clock)
    config, now = stack.bot.config, clock()
    second: list[BaseException] = []

    def other_pass() -> None:
        try:
            with stack.bot.transaction() as session:
                run_detection(session, config=config, channel=CHANNEL, now=now)
        except BaseException as exc:  # pragma: no cover - reported below
            second.append(exc)

    with stack.bot.transaction() as session:
        assert run_detection(session, config=config, channel=CHANNEL, now=now) == []
        thread = threading.Thread(target=other_pass)
        thread.start()
        time.sleep(1.0)  # the other pass reads the incident as it was, then waits for its row
    thread.join(timeout=30)
    assert not second and len(_grew(stack, first)) == 1
