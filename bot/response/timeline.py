"""The one writer of timeline events. Every step of an incident goes through `record`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import Incident, TimelineEvent

# Dotted noun.verb, past tense. A new kind of step is added here first.
EVENT_TYPES = frozenset(
    {
        "incident.opened",
        "alert.posted",
        "incident.claimed",
        "incident.handed_over",
        "incident.escalated",
        "incident.severity_changed",
        "incident.resolved",
        "incident.dismissed",
        "incident.reopened",
        "note.added",
        "draft.created",
        "draft.approved",
        "draft.rejected",
        "draft.refused",
        "draft.superseded",
        "reminder.sent",
        "export.made",
        "followup.added",
        "followup.done",
        "followup.reminded",
        "followup.dm_failed",
        "storm.grew",
        "incident.update_posted",
        "incident.update_reminded",
        "incident.update_failed",
        "incident.room_opened",  # its own channel (bot.response.rooms): id, name, who, invited
        "incident.room_failed",  # Slack refused to open it: the error, the scope it lacks
        "incident.room_archived",
    }
)


def record(
    session: Session,
    incident: Incident,
    type: str,
    *,
    actor: str | None,
    at: datetime,
    **data: Any,
) -> TimelineEvent:
    """Append one event; `actor` is a Slack user ID, or None when the bot did it."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown timeline event type {type!r}")
    event = TimelineEvent(incident_id=incident.id, at=at, type=type, actor=actor, data=data)
    session.add(event)
    return event
