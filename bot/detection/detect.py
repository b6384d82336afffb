"""One detection pass: assess each brand's recent mentions and open incidents for new storms."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.config import Config
from bot.response import incidents
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
        title=f"{brand or 'Brand'}: mention storm",
        severity=result.severity,
        evidence=evidence_for(result, mentions),
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


def evidence_for(result: Assessment, mentions: Any) -> dict[str, Any]:
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
    return {**result.evidence, "reasons": result.reasons, "samples": samples}
