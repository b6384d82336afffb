"""An incident's own Slack channel, its war room (opt-in): asked for with `/crisis room N` or the
card's button, or opened by itself (`[plan] room_on`).

The card and its thread stay the one source of truth: the room gets the incident's first
summary and then a short note for each step (claimed, escalated, a draft approved, an update
posted, resolved). Everything the room needs from Slack goes through the outbox: one `room` row
per incident (its unique key makes "one room per incident" a database guarantee), then its
notes and its close, all under the target `room:N`, so the courier sends them in order and a
note written while the room is still being opened waits for it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Incident, Outbox, TimelineEvent


def key(number: int) -> str:
    return f"room:{number}"


@dataclass(frozen=True)
class Room:
    channel: str
    name: str


def room_of(session: Session, number: int) -> Room | None:
    """The incident's room once opened (its `incident.room_opened` event), else None."""
    data = session.scalar(
        select(TimelineEvent.data)
        .where(TimelineEvent.incident_id == number, TimelineEvent.type == "incident.room_opened")
        .order_by(TimelineEvent.id.desc())
        .limit(1)
    )
    if not data:
        return None
    return Room(str(data["channel"]), str(data["name"]))


def request_row(session: Session, number: int) -> Outbox | None:
    return session.scalar(select(Outbox).where(Outbox.key == key(number)))


def ask(session: Session, incident: Incident, *, user: str | None, now: datetime) -> Outbox | None:
    """Queue the room's opening; None when it was asked for already (this call or a concurrent
    one: the key is unique). `user` None: opened by itself (`room_on`)."""
    if request_row(session, incident.id) is not None:
        return None
    row = Outbox(
        key=key(incident.id), kind="room", target=key(incident.id), incident_id=incident.id,
        channel=None, payload={"by": user}, next_attempt_at=now, created_at=now,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def due_by_itself(incident: Incident, room_on: str | None) -> bool:
    """Whether `[plan] room_on` opens this incident's room now (drills never by themselves:
    a drill's room invites only the person who asked)."""
    if room_on is None or incident.is_drill or not incident.is_open:
        return False
    if room_on == "escalated":
        return incident.level > 0
    return incident.severity in ("high", "critical")


def note(session: Session, incident: Incident, text: str, *, now: datetime) -> None:
    """A short note in the room about a step (nothing when the incident has none, nor one
    being opened). Queued behind the room's opening (same target), so it is never lost while
    the room is still being made."""
    _queue(session, incident, "room_note", text, now)


def invite(session: Session, incident: Incident, people: list[str], *, now: datetime) -> None:
    """Invite people the incident now involves (a new owner, the level it reached; user groups
    are expanded when it is sent, and the brand's approvers are asked again: someone added to
    their group since joins too). Queued behind the room's opening, like a note; nothing for a
    drill (its room is the asker's alone) or an incident without a room."""
    if incident.is_drill:
        return
    _queue(session, incident, "room_invite", "", now, people=[p for p in people if p])


def close(session: Session, incident: Incident, text: str, *, now: datetime) -> None:
    """The room is told the incident is closed; the courier archives it after that message
    when the playbook says so (`[plan] room_archive`)."""
    _queue(session, incident, "room_close", text, now)


def _queue(
    session: Session, incident: Incident, kind: str, text: str, now: datetime, **extra: Any
) -> None:
    asked = request_row(session, incident.id)
    if asked is None or asked.status in ("failed", "withdrawn"):
        return
    session.add(
        Outbox(
            key=f"{key(incident.id)}:{uuid.uuid4().hex}", kind=kind, target=key(incident.id),
            incident_id=incident.id, channel=None, payload={"text": text, **extra},
            next_attempt_at=now, created_at=now,
        )
    )  # fmt: skip


def opening(session: Session, number: int) -> dict[str, Any]:
    """What `incident.room_opened` recorded (who was invited, who was refused), or {}."""
    data = session.scalar(
        select(TimelineEvent.data)
        .where(TimelineEvent.incident_id == number, TimelineEvent.type == "incident.room_opened")
        .order_by(TimelineEvent.id.desc())
        .limit(1)
    )
    return dict(data or {})


def refused_key(number: int, user: str) -> str:
    """The thread's message saying `user` could not join the room: once per person."""
    return f"{key(number)}:refused:{user}"


def opened_data(payload: dict[str, Any]) -> dict[str, Any]:
    """What `incident.room_opened` records of a delivered room row."""
    return {
        "channel": payload["channel"], "name": payload["name"], "by": payload.get("by"),
        "private": payload.get("private", True), "invited": payload.get("invited", []),
        "not_invited": payload.get("not_invited", {}),
    }  # fmt: skip
