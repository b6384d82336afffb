"""One detection pass: assess each brand's recent mentions and open incidents for new storms."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import i18n
from bot.core.config import Config
from bot.core.i18n import _
from bot.response import incidents
from detectors.language import language_shares
from detectors.storm import Assessment, StormSettings, StormTracker
from models import Incident, Mention

logger = logging.getLogger(__name__)

QUOTE_CHARS = 500  # per quoted mention; the card cuts again to Block Kit's limits

# Per-process detector state, one per (database, brand, settings). Only a speed-up: every tracker
# checks its state against the mentions it is given and rebuilds from them when they differ, so a
# restart or another process computes the same thing from the database.
_TRACKERS: dict[tuple[str, str | None, StormSettings], StormTracker] = {}
_TRACKERS_LOCK = threading.Lock()


def _tracker(session: Session, brand: str | None, settings: StormSettings) -> StormTracker:
    key = (str(session.get_bind().engine.url), brand, settings)
    tracker = _TRACKERS.get(key)
    if tracker is None:
        tracker = _TRACKERS[key] = StormTracker(settings)
    return tracker


def storm_settings(config: Config, brand: str | None) -> StormSettings:
    return StormSettings(
        bin_minutes=config.bin_minutes,
        window_minutes=config.window_minutes,
        keywords=config.keywords_for(brand),
        reach_threshold=config.reach_threshold,
    )


def run_detection(
    session: Session, *, config: Config, channel: str | None, now: datetime
) -> list[Incident]:
    """Open an incident for each brand in a new storm; a storm with an open incident gets none."""
    since = now - timedelta(days=config.lookback_days)
    brands = session.scalars(
        select(Mention.brand).where(Mention.created_at > since).distinct()
    ).all()
    opened = []
    for brand in sorted(brands, key=lambda b: b or ""):
        incident = _detect_brand(session, brand, config=config, channel=channel, now=now)
        if incident is not None:
            opened.append(incident)
    return opened


def _detect_brand(
    session: Session, brand: str | None, *, config: Config, channel: str | None, now: datetime
) -> Incident | None:
    if incidents.open_for_brand(session, brand) is not None:
        return None
    since = now - timedelta(days=config.lookback_days)
    # Plain rows of the columns the detectors and the card read: building ~50k ORM objects per
    # pass cost over a second, far more than the detection itself.
    mentions = session.execute(
        select(
            Mention.created_at,
            Mention.text,
            Mention.label,
            Mention.polarity,
            Mention.author,
            Mention.author_followers,
            Mention.url,
            Mention.source,
            Mention.language,
        )
        .where(Mention.brand.is_(None) if brand is None else Mention.brand == brand)
        .where(Mention.created_at > since, Mention.created_at <= now)
        .order_by(Mention.created_at, Mention.id)
    ).all()
    settings = storm_settings(config, brand)
    with _TRACKERS_LOCK:
        result = _tracker(session, brand, settings).assess(mentions, now)
    if not result.fired or _already_handled(session, brand, result):
        return None
    incident = incidents.open_incident(
        session,
        brand=brand,
        title=_("{brand}: mention storm", brand=brand or _("Brand")),
        severity=result.severity,
        evidence=evidence_for(result, mentions, settings=settings, now=now),
        first_mention_at=result.started_at,
        channel=channel,
        now=now,
    )
    if incident is not None:
        logger.info("opened incident #%s for brand %r", incident.id, brand)
    return incident


def _already_handled(session: Session, brand: str | None, result: Assessment) -> bool:
    """This storm already has an incident (open or resolved since).

    A volume alert keeps `fired` True for up to `window_minutes` under the same
    `evidence["alert_at"]`: one alert is one storm, so an incident carrying that alert_at was this
    storm, and a new alert (a new alert_at) after a resolved incident is a new storm. A content-only
    alert has no alert_at: it is the same storm when it began before the latest incident opened.
    A cold-start alert (`evidence["short_baseline"]`) is content-only too: a volume alert on a
    storm that began before it opened is that storm.
    """
    alert_at = result.evidence.get("alert_at")
    recent = session.scalars(
        select(Incident)
        .where(Incident.brand.is_(None) if brand is None else Incident.brand == brand)
        .where(Incident.is_drill.is_(False))
        .order_by(Incident.opened_at.desc())
        .limit(10)
    ).all()
    if alert_at is not None:
        if any((i.evidence or {}).get("alert_at") == alert_at for i in recent):
            return True
        # A cold-start alert (judged on content, short history) covers the storm it saw: when a
        # backfill then brings history, the volume alert on that same storm is no new storm.
        return result.started_at is not None and any(
            "short_baseline" in (i.evidence or {}) and result.started_at <= i.opened_at
            for i in recent
        )
    latest = recent[0] if recent else None
    return (
        latest is not None
        and result.started_at is not None
        and result.started_at <= latest.opened_at
    )


def evidence_for(
    result: Assessment, mentions: Any, *, settings: StormSettings, now: datetime
) -> dict[str, Any]:
    """The alert's evidence, its reasons written in the team's language (`i18n.current()`)."""
    samples = [
        {
            "source": m.source,
            "text": m.text[:QUOTE_CHARS],
            "url": m.url,
            "author": m.author,
            "author_followers": m.author_followers,
            "polarity": m.polarity,
            "created_at": m.created_at.isoformat(),
        }
        for m in (mentions[i] for i in result.sample_indexes[:5])
    ]
    evidence = {**result.evidence, "samples": samples}
    since = now - timedelta(minutes=settings.window_minutes)
    # The window's languages, largest share first (unknown, e.g. rows from before the language
    # column, counts as "und"): the alert says "87% Bulgarian".
    shares = language_shares(m.language for m in mentions if since < m.created_at <= now)
    if shares:
        evidence["languages"] = dict(shares)
    evidence["reasons"] = reasons_for(result, evidence, settings)
    return evidence


def reasons_for(result: Assessment, evidence: dict[str, Any], settings: StormSettings) -> list[str]:
    """The detector's sentences (English, the catalogue's source) or, in another locale, the
    same facts rewritten from the evidence's numbers; and the storm's languages."""
    if i18n.current() == i18n.SOURCE_LOCALE:
        reasons = list(result.reasons)
    else:
        reasons = _translated_reasons(evidence, settings)
    languages = evidence.get("languages")
    if languages:
        shares = ", ".join(
            _("{share} {language}", share=i18n.percent(share), language=i18n.language_name(code))
            for code, share in list(languages.items())[:3]
        )
        # Before the high-reach posts (always the last lines): the card shows the first six.
        at = len(reasons) - len((evidence.get("top_reach") or [])[:3])
        reasons.insert(max(at, 0), _("Languages: {shares}.", shares=shares))
    return reasons


def _cold_reasons(ev: dict[str, Any]) -> list[str]:
    """A cold-start alert's sentences (detectors.coldstart) rewritten from its evidence."""
    cold = ev.get("cold_start") or {}
    minutes = int(cold.get("history_minutes", 0))
    span = _("{n} min", n=max(minutes, 1)) if minutes < 60 else _("{n} h", n=minutes // 60)
    out = [_("Only {span} of history for this brand: judged on content, not on volume.", span=span)]
    if "burst" in cold.get("fired_on", []):
        named = ", ".join(
            f"“{t['term']}” ({i18n.number(t['count'])})" for t in cold.get("crisis_terms", [])
        )
        out.append(
            _(
                "{count} negative mentions naming crisis terms in the last {minutes} minutes, "
                "from {authors} different authors: {named}.",
                count=i18n.number(cold.get("crisis_negatives", 0)),
                minutes=cold.get("window_minutes", 0),
                authors=i18n.number(cold.get("crisis_authors", 0)), named=named,
            )
        )  # fmt: skip
        out.append(
            _(
                "{share} of the window's {count} mentions are negative.",
                share=i18n.percent(float(cold.get("negative_share", 0.0))),
                count=i18n.number(cold.get("window_mentions", 0)),
            )
        )
    for loud in (cold.get("loud") or [])[:3]:
        out.append(
            _(
                "High-reach negative post by {author} ({followers} followers).",
                author=loud.get("author") or _("an unknown author"),
                followers=i18n.number(loud.get("followers") or 0),
            )
        )
    return out


def _translated_reasons(ev: dict[str, Any], s: StormSettings) -> list[str]:
    if ev.get("short_baseline"):
        return _cold_reasons(ev)
    out = []
    observed, expected = ev.get("observed", 0), ev.get("expected", 0.0)
    minutes = ev.get("window_minutes", s.window_minutes)
    if ev.get("alert_at") is not None:
        out.append(
            _(
                "{observed} mentions in {minutes} minutes where about {expected} were expected "
                "at this time of day ({ratio} times the usual).",
                observed=i18n.number(observed), minutes=minutes,
                expected=i18n.number(round(expected)),
                ratio=i18n.decimal(observed / max(expected, 1.0)),
            )
        )  # fmt: skip
        z = float(ev.get("z", 0.0))
        unusual = (
            _("extremely unusual, far beyond its normal bursts")
            if z >= 12
            else _("very unusual, well beyond its normal bursts")
            if z >= 8
            else _("unusual, beyond its normal bursts")
        )
        out.append(
            _(
                "That is {unusual} for this brand (volume score {score}).",
                unusual=unusual, score=i18n.decimal(float(ev.get("score", 0.0)), 2),
            )
        )  # fmt: skip
    else:
        out.append(
            _(
                "Volume itself is not unusual yet: {observed} mentions in the last {minutes} "
                "minutes, about {expected} expected.",
                observed=i18n.number(observed), minutes=minutes,
                expected=i18n.number(round(expected)),
            )
        )  # fmt: skip
    recent = ev.get("recent_mentions") or 0
    if recent:
        share, usual = ev.get("negative_share", 0.0), ev.get("baseline_negative_share", 0.0)
        template = (
            _("{share} of the last {minutes} minutes' {count} mentions are negative "
              "(up from {usual}).")
            if share >= usual + s.min_negative_rise
            else _("{share} of the last {minutes} minutes' {count} mentions are negative "
                   "(usually {usual}).")
        )  # fmt: skip
        out.append(
            template.format(
                share=i18n.percent(share),
                minutes=s.window_minutes,
                count=i18n.number(recent),
                usual=i18n.percent(usual),
            )
        )
    rising: Sequence[dict[str, Any]] = ev.get("rising_terms") or []
    if rising:
        terms = ", ".join(
            _("“{term}” ({count}, usually {expected})", term=t["term"],
              count=i18n.number(t["count"]), expected=i18n.number(round(t["expected"])))
            for t in rising[:5]
        )  # fmt: skip
        out.append(_("Crisis terms rising: {terms}.", terms=terms))
    for t in (ev.get("top_reach") or [])[:3]:
        out.append(
            _(
                "High-reach post by {author} ({followers} followers, {label}).",
                author=t.get("author") or _("an unknown author"),
                followers=i18n.number(t.get("followers") or 0),
                label=label_name(t.get("label")),
            )
        )  # fmt: skip
    return out


def label_name(label: str | None) -> str:
    return {
        "negative": _("negative"),
        "neutral": _("neutral"),
        "positive": _("positive"),
    }.get(label or "", _("unscored"))
