"""Detection after the worker was down, or after a source delivered hours of backlog: the storm
is still alerted, and the alert says it is late and when the storm began (the team's clock)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import jobs
from bot.core import i18n
from bot.core.clock import ManualClock
from bot.core.config import Brand
from bot.detection import detect
from bot.detection.detect import assess_brand, plan_pass
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.response import incidents
from bot.testing import CALM, Stack, sample_storm
from models import Incident
from tests.bot.flow import blocks_text, card, incident_row

SOFIA = "Europe/Sofia"


def _store(stack: Stack, records: list[dict[str, object]], now: datetime) -> None:
    with stack.bot.transaction() as session:
        store_mentions(
            session, [parse_record(r) for r in records], config=stack.bot.config, now=now
        )


@pytest.mark.parametrize(
    ("locale", "timezone", "late"),
    [("en", "UTC", "Late alert: this storm began "), ("bg", SOFIA, "Закъснял сигнал: ")],
    ids=["en", "bg-sofia"],
)
def test_a_storm_during_a_worker_outage_is_alerted_late_when_it_comes_back(
    stack: Stack, clock: ManualClock, locale: str, timezone: str, late: str
) -> None:
    stack.bot.config = replace(stack.bot.config, locale=locale, timezone=timezone)
    began = clock()
    records = list(sample_storm(began))
    calm = [r for r in records if r["created_at"] < (began - timedelta(minutes=40)).isoformat()]
    _store(stack, calm, began - timedelta(hours=1))
    clock.advance(minutes=-60)
    assert jobs.detect_storms(stack.bot) == []  # the worker's last pass, before the storm
    clock.advance(minutes=60)
    _store(stack, records, began)  # pushed while the worker is down
    clock.advance(hours=3)
    [number] = jobs.detect_storms(stack.bot)
    incident = incident_row(stack, number)
    assert incident.first_mention_at is not None
    assert began - timedelta(minutes=45) <= incident.first_mention_at <= began
    reasons = incident.evidence["reasons"]
    assert reasons[0].startswith(late)
    with i18n.using(locale, timezone):  # the storm's start, on the team's clock
        assert i18n.when(incident.first_mention_at) in reasons[0]
    assert ("EET" in reasons[0]) == (timezone == SOFIA)
    stack.emulator.wait_for(lambda: card(stack, number) is not None)
    shown = card(stack, number)
    assert shown is not None and reasons[0] in blocks_text(shown)
    clock.advance(minutes=5)
    assert jobs.detect_storms(stack.bot) == []  # one storm, one incident


def test_a_backlog_delivered_hours_late_is_alerted_late(stack: Stack, clock: ManualClock) -> None:
    """The worker ran on; the source was down and came back hours later with the storm."""
    began = clock()
    records = list(sample_storm(began))
    cut = (began - timedelta(minutes=40)).isoformat()
    _store(stack, [r for r in records if r["created_at"] < cut], began - timedelta(minutes=40))
    clock.advance(minutes=-40)
    for _ in range(12):  # the worker's passes every 20 minutes: nothing yet
        assert jobs.detect_storms(stack.bot) == []
        clock.advance(minutes=20)
    _store(stack, [r for r in records if r["created_at"] >= cut], clock())  # the backlog
    [number] = jobs.detect_storms(stack.bot)
    incident = incident_row(stack, number)
    assert incident.evidence["reasons"][0].startswith("Late alert: this storm began ")


def test_the_late_limit_a_storm_older_than_six_hours_is_not_alerted(
    stack: Stack, clock: ManualClock
) -> None:
    """The documented limit (detectors.storm `late_hours`): alerted up to 6 h late, not after."""
    began = clock()
    _store(stack, list(sample_storm(began)), began)
    clock.advance(hours=5)
    with stack.bot.transaction() as session:  # what a pass would say now, without opening
        plan = plan_pass(session, config=stack.bot.config, now=clock())
        result, _ = assess_brand(session, "Acme", config=stack.bot.config, plan=plan)
        assert result.fired and result.evidence["late"]
    clock.advance(hours=2)
    assert jobs.detect_storms(stack.bot) == []


# --- Content alone (no rise in volume): the same catch-up over the same 6 hours -------------

STORM_TEXTS = (
    "Never buying from Acme again. Boycott.",
    "Acme leaked my data?? Reports of a breach everywhere. Lawsuit incoming",
    "Boycott Acme, they hid the data breach",
)


def _steady(start: datetime, end: datetime, *, storm: tuple[datetime, datetime] | None = None,
            seed: int = 3) -> list[dict[str, object]]:  # fmt: skip
    """Acme at a steady 24 mentions an hour; inside `storm` the same rate of furious posts
    about a breach: content alone, no rise in volume."""
    rng = random.Random(seed)
    out, t, i = [], start, 0
    while True:
        t += timedelta(minutes=rng.expovariate(24 / 60))
        if t >= end:
            return out
        i += 1
        stormy = storm is not None and storm[0] <= t < storm[1]
        text = rng.choice(STORM_TEXTS if stormy else CALM["en"]).format(b="Acme")
        out.append({"id": f"steady-{start:%Y%m%d%H%M%S}-{seed}-{i}", "source": "bluesky",
                    "brand": "Acme", "text": text, "created_at": t.isoformat(),
                    "author": f"u{rng.randint(1, 9000)}", "author_followers": 150})  # fmt: skip


LOUD = {"id": "loud-1", "source": "bluesky", "brand": "Acme", "author": "bignews",
        "text": "Acme leaked my data?? Reports of a breach everywhere. Lawsuit incoming",
        "author_followers": 4_000_000}  # fmt: skip


def _keywords(stack: Stack, **changes: object) -> None:
    brand = Brand("Acme", terms=("acme",), keywords=("boycott", "breach"))
    stack.bot.config = replace(stack.bot.config, brands=(brand,), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("locale", "timezone", "late"),
    [("en", "UTC", "Late alert: this storm began "), ("bg", SOFIA, "Закъснял сигнал: ")],
    ids=["en", "bg-sofia"],
)
@pytest.mark.parametrize("signal", ["negativity", "loud post"])
def test_a_content_storm_during_a_worker_outage_is_alerted_late_when_it_comes_back(
    stack: Stack, clock: ManualClock, locale: str, timezone: str, late: str, signal: str
) -> None:
    """Negativity with rising crisis terms (or one very loud negative post) while the worker was
    down for three hours, and no rise in volume: alerted when it is back, as late as a volume
    storm would be, with the storm's own quotes; once."""
    _keywords(stack, locale=locale, timezone=timezone)
    down = clock()
    began, ended = down + timedelta(minutes=60), down + timedelta(minutes=105)
    _store(stack, _steady(down - timedelta(days=8), down), down)
    assert jobs.detect_storms(stack.bot) == []  # the worker's last pass
    back = down + timedelta(hours=3)
    if signal == "negativity":
        records = _steady(down, back, storm=(began, ended))
    else:
        records = [*_steady(down, back), {**LOUD, "created_at": began.isoformat()}]
    _store(stack, records, back)  # pushed while the worker was down
    clock.advance(hours=3)
    [number] = jobs.detect_storms(stack.bot)
    incident = incident_row(stack, number)
    evidence = incident.evidence
    assert evidence["late"] is True and evidence["alert_at"] is None
    assert incident.first_mention_at is not None
    assert (
        began - timedelta(minutes=60) <= incident.first_mention_at <= began + timedelta(minutes=5)
    )
    assert evidence["reasons"][0].startswith(late)
    with i18n.using(locale, timezone):
        assert i18n.when(incident.first_mention_at) in evidence["reasons"][0]
    quoted = [s["text"] for s in evidence["samples"]]
    assert quoted and quoted[0] in STORM_TEXTS  # the storm's own posts, not the calm's
    if signal == "loud post":
        assert evidence["top_reach"][0]["author"] == "bignews"
        assert evidence["samples"][0]["author"] == "bignews"
    else:
        assert {t["term"] for t in evidence["rising_terms"]} & {"boycott", "breach"}
        assert all(t in STORM_TEXTS for t in quoted[:2])
    stack.emulator.wait_for(lambda: card(stack, number) is not None)
    for _ in range(4):  # one storm, one incident, as the hours go by
        clock.advance(minutes=20)
        _store(
            stack, _steady(clock() - timedelta(minutes=20), clock(), seed=clock().minute), clock()
        )
        assert jobs.detect_storms(stack.bot) == []


def test_a_dismissed_content_storm_is_not_raised_again_after_an_outage(
    stack: Stack, clock: ManualClock
) -> None:
    """Alerted as it happened and dismissed; then the worker was down (and restarted, without
    its trackers): its windows are now hours old, still within the late hours, and not news."""
    _keywords(stack)
    start = clock()
    began = start + timedelta(minutes=10)
    _store(stack, _steady(start - timedelta(days=8), start), start)
    assert jobs.detect_storms(stack.bot) == []
    now = start
    opened: list[int] = []
    while not opened and now < start + timedelta(hours=2):
        clock.advance(minutes=5)
        now = clock()
        _store(stack, _steady(now - timedelta(minutes=5), now, storm=(began, began + timedelta(
            minutes=45)), seed=now.minute), now)  # fmt: skip
        opened = jobs.detect_storms(stack.bot)
    [number] = opened
    with stack.bot.transaction() as session:
        incidents.dismiss(session, number, user="U1", reason="a drill we forgot", now=clock())
    back = began + timedelta(hours=3)
    _store(stack, _steady(now, back, seed=11), back)
    clock.set(back)
    detect._TRACKERS.clear()  # a restart: the state is read back from the database
    assert jobs.detect_storms(stack.bot) == []
    with stack.bot.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1


def test_a_volume_storm_alerted_late_is_not_alerted_again_on_its_content(
    stack: Stack, clock: ManualClock
) -> None:
    """The sample storm (volume and content together) pushed while the worker was down: one
    late alert; resolved, the hours after (content windows among them) raise nothing more."""
    began = clock()
    records = list(sample_storm(began))
    _store(stack, records, began)
    clock.advance(hours=2)
    [number] = jobs.detect_storms(stack.bot)
    with stack.bot.transaction() as session:
        incidents.resolve(session, number, user="U1", summary="handled", now=clock())
    for _ in range(16):
        clock.advance(minutes=30)
        assert jobs.detect_storms(stack.bot) == []
