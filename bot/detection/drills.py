"""Drills: a bundled crisis replayed into the channel through the real workflow, marked DRILL.

The scenario's mentions go through the same detector as real ones, but are never stored as
mentions, never open a real incident, never count in stats and never page anyone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.config import Config
from bot.core.errors import NotFound
from bot.core.i18n import N_, _
from bot.detection.detect import evidence_for, storm_settings
from bot.intake.ingest import ScoredMention
from bot.response import incidents
from detectors.storm import assess
from models import Incident
from sources.base import Mention


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    title: str  # marked with N_: translated when the drill starts
    storm: tuple[str, ...]
    calm: tuple[str, ...] = (
        "Just renewed my {brand} plan, all good.",
        "Anyone know when {brand} opens on Sundays?",
        "{brand} delivery came early today",
        "Reading the {brand} quarterly update",
    )


SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "outage",
            N_("Service outage storm"),
            (
                "{brand} app is down again, can't log in at all #outage",
                "Is {brand} down? Been trying for an hour, still no response from support",
                "{brand} outage is costing me money, worst service ever",
                "Third time this week {brand} is down. Switching providers.",
                "on hold with {brand} for 45 minutes, nobody answers",
            ),
        ),
        Scenario(
            "breach",
            N_("Data breach rumour"),
            (
                "Reports say {brand} had a data breach and customer emails leaked",
                "Got a phishing mail right after the {brand} breach. Thanks for nothing.",
                "Why is {brand} silent about the breach? Lawsuit incoming",
                "Changing all my passwords because of {brand}. Unacceptable.",
            ),
        ),
        Scenario(
            "recall",
            N_("Product recall backlash"),
            (
                "{brand} recall notice but no refund process?? still waiting",
                "My kid's {brand} product is on the recall list, support won't answer",
                "Boycott {brand} until they handle this recall properly",
                "{brand} knew about the defect and sold it anyway. Disgusting.",
            ),
        ),
    )
}


def scenario_mentions(scenario: Scenario, brand: str, now: datetime) -> list[ScoredMention]:
    rng = random.Random(scenario.name)  # the same drill every time
    out: list[ScoredMention] = []
    for hour in range(72, 1, -1):
        for _n in range(rng.randint(0, 3)):
            at = now - timedelta(hours=hour, minutes=rng.randint(0, 59))
            out.append(_mention(rng, rng.choice(scenario.calm), brand, at, len(out)))
    for i in range(60):
        at = now - timedelta(minutes=45 - i * 0.7)
        out.append(_mention(rng, rng.choice(scenario.storm), brand, at, len(out)))
    return sorted(out, key=lambda m: m.created_at)


def _mention(rng: random.Random, template: str, brand: str, at: datetime, i: int) -> ScoredMention:
    text = template.format(brand=brand)
    followers = rng.choice([120, 800, 4_000, 250_000])
    return ScoredMention.of(Mention("drill", f"drill-{i}", text, at, f"drill_user_{i}", followers))


def start_drill(
    session: Session,
    *,
    scenario: str,
    config: Config,
    channel: str | None,
    user: str,
    now: datetime,
) -> Incident:
    picked = SCENARIOS.get(scenario or "outage")
    if picked is None:
        raise NotFound(
            _("No drill scenario `{scenario}`. Scenarios: {names}.", scenario=scenario,
              names=", ".join(SCENARIOS))
        )  # fmt: skip
    brand = config.brands[0].name if config.brands else "Acme"
    mentions = scenario_mentions(picked, brand, now)
    result = assess(mentions, now, storm_settings(config, brand))  # same settings as below
    settings = storm_settings(config, brand)
    evidence = evidence_for(result, mentions, settings=settings, now=now)
    title = _(picked.title)
    evidence["reasons"] = [_("This is a drill: {title}.", title=title), *evidence["reasons"]]
    evidence["drill"] = {"scenario": picked.name, "started_by": user}
    incident = incidents.open_incident(
        session, brand=brand, title=f"{title} ({brand})", severity=result.severity,
        evidence=evidence, first_mention_at=result.started_at, channel=channel, now=now,
        is_drill=True,
    )  # fmt: skip
    assert incident is not None  # drills have no open_key, so they never collide
    return incident
