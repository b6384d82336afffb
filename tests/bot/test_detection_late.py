"""Detection after the worker was down, or after a source delivered hours of backlog: the storm
is still alerted, and the alert says it is late and when the storm began (the team's clock)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot import jobs
from bot.core import i18n
from bot.core.clock import ManualClock
from bot.detection.detect import assess_brand, plan_pass
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.testing import Stack, sample_storm
from models import Incident
from tests.bot.flow import blocks_text, card

SOFIA = "Europe/Sofia"


def _store(stack: Stack, records: list[dict[str, object]], now: datetime) -> None:
    with stack.bot.transaction() as session:
        store_mentions(
            session, [parse_record(r) for r in records], config=stack.bot.config, now=now
        )


def _incident(stack: Stack, number: int) -> Incident:
    with stack.bot.sessions() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        return incident


@pytest.mark.parametrize(
    ("locale", "timezone", "late"),
    [("en", "UTC", "Late alert: this storm began "), ("bg", SOFIA, "Закъсняла тревога: ")],
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
    incident = _incident(stack, number)
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
    incident = _incident(stack, number)
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
