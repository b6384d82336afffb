"""The incident state machine: open, claim / hand over, and (later) escalate, resolve, dismiss.

Services take the session keyword-only and never commit: the caller owns the transaction, so the
change, its timeline event and its outbox row are committed together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import outbox, timeline
from bot.errors import Conflict, NotFound
from models import Incident

OPEN_STATUSES = ("open", "claimed", "escalated")


def get(session: Session, number: int, *, for_update: bool = False) -> Incident:
    stmt = select(Incident).where(Incident.id == number)
    if for_update:
        stmt = stmt.with_for_update()
    incident = session.scalar(stmt)
    if incident is None:
        raise NotFound(f"There is no incident #{number}. `/crisis list` shows the open ones.")
    return incident


def open_incidents(session: Session) -> list[Incident]:
    stmt = select(Incident).where(Incident.status.in_(OPEN_STATUSES)).order_by(Incident.id)
    return list(session.scalars(stmt))


def open_for_brand(session: Session, brand: str | None) -> Incident | None:
    return session.scalar(select(Incident).where(Incident.open_key == (brand or "")))


def open_incident(
    session: Session,
    *,
    brand: str | None,
    title: str,
    severity: str,
    evidence: dict[str, Any],
    first_mention_at: datetime | None,
    channel: str | None,
    now: datetime,
    is_drill: bool = False,
) -> Incident | None:
    """Open an incident and queue its alert; None when the brand already has an open one."""
    incident = Incident(
        brand=brand,
        title=title[:200],
        status="open",
        severity=severity,
        level=0,
        is_drill=is_drill,
        first_mention_at=first_mention_at,
        opened_at=now,
        updated_at=now,
        channel=channel,
        evidence=evidence,
        open_key=None if is_drill else (brand or ""),
    )
    try:
        # The unique open_key makes a concurrent second detector lose here, not post twice.
        with session.begin_nested():
            session.add(incident)
            session.flush()
    except IntegrityError:
        return None
    timeline.record(
        session,
        incident,
        "incident.opened",
        actor=None,
        at=now,
        severity=severity,
        brand=brand,
        reasons=evidence.get("reasons", []),
        first_mention_at=first_mention_at.isoformat() if first_mention_at else None,
    )
    outbox.enqueue_incident_card(session, incident, now=now)
    return incident


def claim(session: Session, number: int, *, user: str, now: datetime) -> Incident:
    """Make `user` the owner; claiming one held by someone else hands it over (kept in history)."""
    incident = get(session, number, for_update=True)
    _require_open(incident)
    if incident.owner == user:
        raise Conflict(f"You already hold #{incident.id}.")
    previous = incident.owner
    incident.owner = user
    incident.updated_at = now
    if incident.status == "open":
        incident.status = "claimed"
    if previous is None:
        incident.claimed_at = now
        timeline.record(session, incident, "incident.claimed", actor=user, at=now)
    else:
        timeline.record(
            session,
            incident,
            "incident.handed_over",
            actor=user,
            at=now,
            previous=previous,
            to=user,
        )
    outbox.enqueue_incident_card(session, incident, now=now)
    return incident


def _require_open(incident: Incident) -> None:
    if not incident.is_open:
        raise Conflict(f"#{incident.id} is already {incident.status}.")
