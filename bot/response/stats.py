"""Response metrics for one incident and across real incidents (drills never count)."""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core import i18n
from bot.core.i18n import _
from models import Draft, Incident, TimelineEvent


@dataclass(frozen=True, slots=True)
class Metrics:
    time_to_detect: timedelta | None  # first mention of the storm → alert opened
    time_to_claim: timedelta | None
    time_to_first_approved_reply: timedelta | None
    time_to_resolve: timedelta | None

    def as_dict(self) -> dict[str, float | None]:
        return {
            name: (value.total_seconds() if value is not None else None)
            for name, value in (
                ("time_to_detect", self.time_to_detect),
                ("time_to_claim", self.time_to_claim),
                ("time_to_first_approved_reply", self.time_to_first_approved_reply),
                ("time_to_resolve", self.time_to_resolve),
            )
        }


def span(start: datetime | None, end: datetime | None) -> timedelta | None:
    return end - start if start and end else None


# When the incident's first draft was approved, as a column: one query for many incidents.
FIRST_APPROVED_AT = (
    select(func.min(Draft.decided_at))
    .where(Draft.incident_id == Incident.id, Draft.status == "approved")
    .scalar_subquery()
    .label("first_approved_at")
)
# How many times the incident was reopened after a close, as a column (one query, as above).
REOPENS = (
    select(func.count(TimelineEvent.id))
    .where(TimelineEvent.incident_id == Incident.id, TimelineEvent.type == "incident.reopened")
    .scalar_subquery()
    .label("reopens")
)
# What `metrics_of` reads, besides the status.
METRIC_COLUMNS = (
    Incident.first_mention_at,
    Incident.opened_at,
    Incident.claimed_at,
    Incident.resolved_at,
    FIRST_APPROVED_AT,
)


def metrics_of(row: Any, first_approved_at: datetime | None) -> Metrics:
    """Metrics from an incident, or a row with `status` and METRIC_COLUMNS' names."""
    detect = span(row.first_mention_at, row.opened_at)
    return Metrics(
        # A declared incident's storm may begin after the person declared it: no delay then.
        time_to_detect=max(detect, timedelta(0)) if detect is not None else None,
        time_to_claim=span(row.opened_at, row.claimed_at),
        time_to_first_approved_reply=span(row.opened_at, first_approved_at),
        time_to_resolve=span(row.opened_at, row.resolved_at if row.status == "resolved" else None),
    )


def waited_for_claim(row: Any) -> bool:
    """False for an incident held from the second it opened: declared by the person who holds
    it, so no alert waited for a claim, and its 0 s would only pull a median time to claim to
    zero (`/crisis stats`, the report and the digest leave it out alike)."""
    return bool(row.claimed_at != row.opened_at)


def first_approval(session: Session, incident_id: int) -> datetime | None:
    return session.scalar(
        select(func.min(Draft.decided_at)).where(
            Draft.incident_id == incident_id, Draft.status == "approved"
        )
    )


def incident_metrics(session: Session, incident: Incident) -> Metrics:
    return metrics_of(incident, first_approval(session, incident.id))


@dataclass(frozen=True, slots=True)
class TeamStats:
    count: int
    dismissed: int
    median_to_claim: timedelta | None
    median_to_first_approved_reply: timedelta | None
    median_to_resolve: timedelta | None
    reopened: int = 0  # incidents reopened after a close (once or more): closed too early

    @property
    def dismissed_share(self) -> float:
        return self.dismissed / self.count if self.count else 0.0

    @property
    def reopened_share(self) -> float:
        return self.reopened / self.count if self.count else 0.0


def team_stats(
    session: Session,
    *,
    since: datetime | None = None,
    channel: str | None = None,
    channels: Collection[str] | None = None,
) -> TeamStats:
    """`channel`: only the incidents whose card is there (a client's own channel); `channels`:
    only those whose card is in one of them (a client's person's Home tab: their clients')."""
    # One query, only the columns the medians need (not N+1 queries over whole incidents).
    stmt = select(Incident.status, REOPENS, *METRIC_COLUMNS).where(Incident.is_drill.is_(False))
    if since is not None:
        stmt = stmt.where(Incident.opened_at >= since)
    if channel is not None:
        stmt = stmt.where(Incident.channel == channel)
    if channels is not None:
        stmt = stmt.where(Incident.channel.in_(sorted(channels)))
    rows = session.execute(stmt).all()
    metrics = [metrics_of(r, r.first_approved_at) for r in rows]
    return TeamStats(
        count=len(rows),
        dismissed=sum(1 for i in rows if i.status == "dismissed"),
        median_to_claim=_median(
            [m.time_to_claim for r, m in zip(rows, metrics, strict=True) if waited_for_claim(r)]
        ),
        median_to_first_approved_reply=_median([m.time_to_first_approved_reply for m in metrics]),
        median_to_resolve=_median([m.time_to_resolve for m in metrics]),
        reopened=sum(1 for i in rows if i.reopens),
    )


def _median(values: list[timedelta | None]) -> timedelta | None:
    present = [v.total_seconds() for v in values if v is not None]
    return timedelta(seconds=statistics.median(present)) if present else None


def median(values: list[timedelta | None]) -> timedelta | None:
    """The median of the durations that exist (None = the step never happened)."""
    return _median(values)


def human(delta: timedelta | None) -> str:
    """A duration for a person, in the team's language ("12 s", "5 min", "1.5 h")."""
    if delta is None:
        return "—"
    seconds = int(delta.total_seconds())
    if seconds < 90:
        return _("{n} s", n=i18n.number(seconds))
    if seconds < 90 * 60:
        return _("{n} min", n=i18n.number(round(seconds / 60)))
    return _("{n} h", n=i18n.decimal(seconds / 3600))
