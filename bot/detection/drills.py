"""Drills: a bundled crisis replayed into the channel through the real workflow, marked DRILL.

The scenario's mentions go through the same detector as real ones, but are never stored as
mentions, never open a real incident, never count in stats and never page anyone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core import i18n
from bot.core.config import Config
from bot.core.errors import NotFound
from bot.core.i18n import N_, _
from bot.core.text import quote
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
    # The same crisis as a Bulgarian team's public would write it (drills follow the locale).
    storm_bg: tuple[str, ...] = ()
    calm_bg: tuple[str, ...] = (
        "Поднових абонамента си в {brand}, всичко е наред.",
        "Някой знае ли дали {brand} работи в неделя?",
        "Доставката от {brand} дойде по-рано днес",
        "Чета тримесечния отчет на {brand}",
    )

    def posts(self, language: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
        """The calm and storm posts in `language` where the scenario has them, and that language."""
        if language == "bg" and self.storm_bg:
            return self.calm_bg, self.storm_bg, "bg"
        return self.calm, self.storm, "en"


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
            storm_bg=(
                "Приложението на {brand} пак не работи, не мога да вляза #срив",
                "{brand} не работи ли? Пробвам от час, поддръжката мълчи",
                "Сривът на {brand} ми струва пари, най-лошата услуга",
                "Трети път тази седмица {brand} не работи. Сменям доставчика.",
                "Чакам на телефона на {brand} от 45 минути, никой не вдига",
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
            storm_bg=(
                "Пишат, че при {brand} е имало изтичане на данни и имейлите на клиенти са изтекли",
                "Получих фишинг имейл веднага след изтичането при {brand}. Благодаря за нищо.",
                "Защо {brand} мълчат за изтичането на данни? Ще има дела",
                "Сменям всичките си пароли заради {brand}. Недопустимо.",
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
            storm_bg=(
                "{brand} изтеглят продукта, но как да си върнем парите?? Още чакам",
                "Продуктът на {brand}, който купих на детето, е за изтегляне, а поддръжката мълчи",
                "Бойкот на {brand}, докато не решат проблема с изтеглянето",
                "{brand} са знаели за дефекта и пак са го продавали. Отвратително.",
            ),
        ),
    )
}


def scenario_mentions(
    scenario: Scenario, brand: str, now: datetime, language: str = "en"
) -> list[ScoredMention]:
    rng = random.Random(scenario.name)  # the same drill every time
    calm, storm, lang = scenario.posts(language)
    out: list[ScoredMention] = []
    for hour in range(72, 1, -1):
        for _n in range(rng.randint(0, 3)):
            at = now - timedelta(hours=hour, minutes=rng.randint(0, 59))
            out.append(_mention(rng, rng.choice(calm), brand, at, len(out), lang))
    for i in range(60):
        at = now - timedelta(minutes=45 - i * 0.7)
        out.append(_mention(rng, rng.choice(storm), brand, at, len(out), lang))
    return sorted(out, key=lambda m: m.created_at)


def _mention(
    rng: random.Random, template: str, brand: str, at: datetime, i: int, lang: str
) -> ScoredMention:
    text = template.format(brand=brand)
    followers = rng.choice([120, 800, 4_000, 250_000])
    # The drill's brand as a source bound to it gives it: only that brand's pass reads them.
    return ScoredMention.of(
        Mention("drill", f"drill-{i}", text, at, f"drill_user_{i}", followers, brand=brand,
                extra={"lang": lang})
    )  # fmt: skip


def start_drill(
    session: Session,
    *,
    scenario: str,
    config: Config,
    channel: str | None,
    default_channel: str | None,
    user: str,
    now: datetime,
) -> Incident:
    """`channel`: where `/crisis drill` was typed; `default_channel`: the crisis channel."""
    picked = SCENARIOS.get(scenario or "outage")
    if picked is None:
        raise NotFound(
            # Echoed inside a code span: escaped, folded, short, and unable to close the span.
            _("No drill scenario `{scenario}`. Scenarios: {names}.",
              scenario=quote(scenario.replace("`", "'"), 40), names=", ".join(SCENARIOS))
        )  # fmt: skip
    # Run in a client's channel, the drill is that client's; elsewhere the playbook's first brand.
    brand = config.brand_of_channel(channel) or (config.brands[0].name if config.brands else "Acme")
    channel = config.channel_for(brand) or default_channel
    mentions = scenario_mentions(picked, brand, now, i18n.current())
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
