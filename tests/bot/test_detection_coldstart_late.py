"""A brand still judged by cold start (less than two days of history) catches up after an
outage as a brand with history does: a storm that came and went while the worker was down is
alerted late (up to 6 h), with the cold-start caveat and the storm's own posts, once; and a storm
across the moment the brand's history became long enough is alerted once, not twice, not never.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from bot import jobs
from bot.core import i18n
from bot.core.clock import ManualClock
from bot.core.config import Brand
from bot.detection import detect
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.response import incidents
from bot.testing import Stack, calm_stream
from detectors.storm import Assessment
from models import DetectorState, Incident
from tests.bot.flow import blocks_text, card

# Pinned: the brand's first mention (its sources connected); bins and the volume detector's
# warm-up fall the same way every run.
T0 = datetime(2026, 3, 10, 8, 2, 30, tzinfo=UTC)
SOFIA = "Europe/Sofia"
BREACH = (
    "Acme leaked my data?? Reports of a breach everywhere. Lawsuit incoming",
    "Acme got hacked and my card was stolen. Furious.",
    "Data breach at Acme, nobody told us. Disgraceful.",
)


@pytest.fixture(autouse=True)
def _fresh_trackers() -> None:
    # As a new process: the trackers of earlier tests (the same URL on PostgreSQL) are not ours.
    detect._TRACKERS.clear()


def _store(stack: Stack, records: list[dict[str, object]], now: datetime) -> None:
    with stack.bot.transaction() as session:
        store_mentions(
            session, [parse_record(r) for r in records], config=stack.bot.config, now=now
        )


def _breach(began: datetime, *, n: int = 40, authors: int = 30, minutes: int = 30) -> list[
        dict[str, object]]:  # fmt: skip
    """`n` negative posts naming crisis terms from `authors` people over `minutes`."""
    return [
        {"id": f"breach-{k}", "source": "bluesky", "brand": "Acme", "text": BREACH[k % 3],
         "created_at": (began + k * timedelta(minutes=minutes) / n).isoformat(),
         "author": f"victim{k % authors}", "author_followers": 150,
         "url": f"https://bsky.app/profile/victim{k % authors}/post/{k}"}
        for k in range(n)
    ]  # fmt: skip


def _feed(stack: Stack, records: list[dict[str, object]], now: datetime) -> None:
    """What the sources delivered by `now` (a post is stored once: the rest are skipped)."""
    _store(stack, [r for r in records if str(r["created_at"]) <= now.isoformat()], now)


def _incident(stack: Stack, number: int) -> Incident:
    with stack.bot.sessions() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        return incident


def _count(stack: Stack) -> int:
    with stack.bot.sessions() as session:
        return session.scalar(select(func.count()).select_from(Incident)) or 0


def _assess(stack: Stack, now: datetime) -> Assessment:
    """What a pass would say for Acme now, opening nothing (its state stored, as a pass does)."""
    with stack.bot.transaction() as session:
        plan = detect.plan_pass(session, config=stack.bot.config, now=now)
        result, _ = detect.assess_brand(session, "Acme", config=stack.bot.config, plan=plan)
        detect.save_states(session, plan)
        return result


def _keywords(stack: Stack, **changes: object) -> None:
    brand = Brand("Acme", terms=("acme",), keywords=("boycott", "breach"))
    stack.bot.config = replace(stack.bot.config, brands=(brand,), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("arrival", ["webhook", "import"])
@pytest.mark.parametrize(
    ("locale", "timezone", "late", "caveat"),
    [
        ("en", "UTC", "Late alert: this storm began ", "Only 1 h of history for this brand"),
        ("bg", SOFIA, "Закъсняла тревога: ", "Само 1 ч история за тази марка"),
    ],
    ids=["en", "bg-sofia"],
)
def test_a_cold_start_storm_during_a_worker_outage_is_alerted_late_when_it_comes_back(
    stack: Stack, clock: ManualClock, arrival: str, locale: str, timezone: str, late: str,
    caveat: str,
) -> None:  # fmt: skip
    """A brand connected an hour before the worker went down for three hours; meanwhile a
    breach storm (40 negative posts naming crisis terms, from 30 people) came and went. The
    first pass back alerts it, late, judged on content as cold start judges, quoting it; once."""
    stack.bot.config = replace(stack.bot.config, locale=locale, timezone=timezone)
    clock.set(T0)
    calm = calm_stream("bluesky", T0, T0 + timedelta(hours=12), 12, seed=1)
    down, back = T0 + timedelta(hours=1), T0 + timedelta(hours=4)
    for minutes in (20, 40, 60):  # the worker's passes before it went down: nothing
        clock.set(T0 + timedelta(minutes=minutes))
        _feed(stack, calm, clock())
        assert jobs.detect_storms(stack.bot) == []
    began = down + timedelta(minutes=30)
    storm = _breach(began)
    during = [r for r in calm if down.isoformat() < str(r["created_at"]) <= back.isoformat()]
    if arrival == "webhook":  # pushed as it happened, while the worker was down
        clock.set(began + timedelta(minutes=40))
        pushed = [r for r in during if str(r["created_at"]) <= clock().isoformat()]
        assert stack.push([*storm, *pushed]).status_code == 200
        clock.set(back)
        assert stack.push([r for r in during if r not in pushed]).status_code == 200
    else:  # imported once the worker is back
        clock.set(back)
        _store(stack, [*storm, *during], back)
    [number] = jobs.detect_storms(stack.bot)
    incident = _incident(stack, number)
    evidence = incident.evidence
    assert evidence["late"] is True and evidence["alert_at"] is None
    assert evidence["short_baseline"]
    assert evidence["cold_start"]["crisis_negatives"] >= 15
    assert incident.first_mention_at is not None
    assert began <= incident.first_mention_at.replace(tzinfo=UTC) <= began + timedelta(minutes=5)
    reasons = evidence["reasons"]
    assert reasons[0].startswith(late)  # first: the figures below are the storm's, not now's
    with i18n.using(locale, timezone):
        assert i18n.when(incident.first_mention_at) in reasons[0]
    assert reasons[1].startswith(caveat)
    quoted = [s["text"] for s in evidence["samples"]]
    assert quoted and all(t in BREACH for t in quoted)  # the storm's own posts
    stack.emulator.wait_for(lambda: card(stack, number) is not None)
    shown = blocks_text(card(stack, number))
    assert reasons[0] in shown and reasons[1] in shown
    for _ in range(6):  # one storm, one incident, as the hours go by
        _feed(stack, calm, clock.advance(minutes=20))
        assert jobs.detect_storms(stack.bot) == []
    with stack.bot.transaction() as session:
        incidents.resolve(session, number, user="U1", summary="handled", now=clock())
    for _ in range(6):  # nor after it is resolved, while its windows are within the late hours
        _feed(stack, calm, clock.advance(minutes=30))
        assert jobs.detect_storms(stack.bot) == []
    assert _count(stack) == 1


def test_a_rebuilt_state_and_a_resumed_one_agree_on_the_late_cold_start_alert(
    stack: Stack, clock: ManualClock
) -> None:
    """The stored state a pass resumes, and a state rebuilt from the mentions (a restart with
    no stored state, another worker), say the same about the storm no pass saw."""
    clock.set(T0)
    calm = calm_stream("bluesky", T0, T0 + timedelta(hours=5), 12, seed=1)
    down, back = T0 + timedelta(hours=1), T0 + timedelta(hours=4)
    _feed(stack, calm, down)
    assert not _assess(stack, down).fired
    for now in (back, back + timedelta(minutes=7), back + timedelta(minutes=31)):
        _feed(stack, [*_breach(down + timedelta(minutes=30)), *calm], now)
        resumed = _assess(stack, now)
        detect._TRACKERS.clear()
        with stack.bot.transaction() as session:
            session.execute(delete(DetectorState))
        rebuilt = _assess(stack, now)
        assert resumed.fired and resumed.evidence["late"] and resumed.evidence["short_baseline"]
        assert (resumed.started_at, resumed.severity, resumed.reasons, resumed.evidence) == (
            rebuilt.started_at, rebuilt.severity, rebuilt.reasons, rebuilt.evidence,
        )  # fmt: skip


def test_a_cold_start_storm_alerted_and_dismissed_is_not_raised_again_after_an_outage(
    stack: Stack, clock: ManualClock
) -> None:
    """Alerted as it happened (cold start, in its window) and dismissed; then the worker was
    down and restarted: the storm's windows are hours old, within the late hours, and no news."""
    clock.set(T0)
    calm = calm_stream("bluesky", T0, T0 + timedelta(hours=6), 12, seed=1)
    began = T0 + timedelta(minutes=70)
    storm = _breach(began)
    opened: list[int] = []
    now = T0
    while not opened and now < T0 + timedelta(hours=2):
        now += timedelta(minutes=5)
        clock.set(now)
        _feed(stack, [*calm, *storm], now)
        opened = jobs.detect_storms(stack.bot)
    [number] = opened
    assert "late" not in _incident(stack, number).evidence
    with stack.bot.transaction() as session:
        incidents.dismiss(session, number, user="U1", reason="a drill we forgot", now=now)
    back = now + timedelta(hours=3)
    _feed(stack, calm, back)
    clock.set(back)
    detect._TRACKERS.clear()  # a restart: the state is read back from the database
    assert jobs.detect_storms(stack.bot) == []
    for _ in range(4):
        _feed(stack, calm, clock.advance(minutes=30))
        assert jobs.detect_storms(stack.bot) == []
    assert _count(stack) == 1


@pytest.mark.parametrize(
    ("per_hour", "size", "minutes"),
    [(24, 30, 45), (12, 40, 50)],
    ids=["content-only", "volume-too"],
)
@pytest.mark.parametrize("keywords", [True, False], ids=["keywords", "no-keywords"])
@pytest.mark.parametrize("back_after", [10, 120], ids=["back-10min-after", "back-2h-after"])
def test_a_storm_across_the_hand_over_to_the_full_detector_is_alerted_once(
    stack: Stack, clock: ManualClock, keywords: bool, back_after: int, per_hour: int, size: int,
    minutes: int,
) -> None:  # fmt: skip
    """The worker was down from 46 h after the brand's first mention; a breach storm began
    half an hour before its history reached two days (cold start judged its windows) and went
    on after (the full detector judged those; with the volume detector warm by then, at twice
    the calm's rate it alerts on volume too). One alert, dated within the storm or its hour;
    nothing more as the hours go by, nor once it is resolved. Back 2 h after, it is late; back
    10 minutes after, the storm's windows are not settled yet: the full detector may alert it
    at once in its window, else the late alert comes as they settle."""
    if keywords:
        _keywords(stack)
    clock.set(T0)
    handover = T0 + timedelta(hours=48)
    calm = calm_stream("bluesky", T0, handover + timedelta(hours=12), per_hour, seed=1)
    down = T0 + timedelta(hours=46)
    clock.set(down)
    _feed(stack, calm, down)
    assert jobs.detect_storms(stack.bot) == []  # the worker's last pass
    began = handover - timedelta(minutes=30)
    storm = _breach(began, n=size, minutes=minutes)
    back = handover + timedelta(minutes=back_after)
    clock.set(back)
    _feed(stack, [*storm, *calm], back)
    opened = jobs.detect_storms(stack.bot)
    if back_after >= 70:
        assert len(opened) == 1
    while not opened and clock() < back + timedelta(minutes=70):
        _feed(stack, calm, clock.advance(minutes=5))
        opened = jobs.detect_storms(stack.bot)
    [number] = opened
    incident = _incident(stack, number)
    if back_after >= 70:
        assert incident.evidence["late"] is True
    assert incident.first_mention_at is not None
    started = incident.first_mention_at.replace(tzinfo=UTC)
    assert began - timedelta(minutes=60) <= started <= began + timedelta(minutes=minutes)
    for _ in range(12):
        _feed(stack, calm, clock.advance(minutes=10))
        assert jobs.detect_storms(stack.bot) == []
    with stack.bot.transaction() as session:
        incidents.resolve(session, number, user="U1", summary="handled", now=clock())
    for _ in range(10):
        _feed(stack, calm, clock.advance(minutes=30))
        assert jobs.detect_storms(stack.bot) == []
    assert _count(stack) == 1
