"""The outbox: what must reach Slack, written in the same transaction as the change it reports.

Rows are delivered by `bot.delivery` (right after the commit, and by the worker as a safety net).
A *card* row renders the current state of an incident (or a draft) when it is delivered, so a burst
of changes costs one Slack update, and a card is never shown older than the database.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.response import timeline
from models import Draft, Incident, Outbox, affected


def enqueue_incident_card(session: Session, incident: Incident, *, now: datetime) -> None:
    """Post the incident's card (the alert) or bring it up to date."""
    _enqueue_card(session, f"incident:{incident.id}", incident, now)


def enqueue_draft_card(
    session: Session, draft: Draft, incident: Incident, *, now: datetime
) -> None:
    """Post the draft (with Approve/Reject) in the incident's thread, or update it."""
    session.flush()  # a new draft needs its id
    _enqueue_card(session, f"draft:{draft.id}", incident, now)


def enqueue_post(
    session: Session,
    incident: Incident,
    *,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    now: datetime,
    in_thread: bool = True,
    key: str | None = None,
    render: dict[str, Any] | None = None,
) -> None:
    """A plain message about the incident (a page, a reminder), in its thread by default.
    `render`: what the courier needs to write it again when it is sent (a drill's page names
    people, which only Slack knows); `text` is what goes if it cannot."""
    extra = {"render": render} if render else {}
    session.add(
        Outbox(
            key=key or f"post:{incident.id}:{uuid.uuid4().hex}",
            kind="post",
            incident_id=incident.id,
            channel=incident.channel,
            payload={"text": text, "blocks": blocks, "in_thread": in_thread, **extra},
            next_attempt_at=now,
            created_at=now,
        )
    )


def enqueue_dm(
    session: Session,
    incident: Incident,
    *,
    user: str,
    text: str,
    key: str,
    now: datetime,
    about: dict[str, Any] | None = None,
) -> None:
    """A direct message to one person about the incident (an overdue follow-up to its owner).
    `about` is kept with it for the timeline, should Slack refuse it for good."""
    session.add(
        Outbox(
            key=key, kind="dm", incident_id=incident.id, channel=None,
            payload={"user": user, "text": text, "about": about or {}},
            next_attempt_at=now, created_at=now,
        )
    )  # fmt: skip


def enqueue_update(
    session: Session,
    incident: Incident,
    *,
    channel: str,
    key: str,
    fields: dict[str, Any],
    now: datetime,
) -> None:
    """A stakeholders' update (`bot.response.updates`) as a message of its own in `channel`,
    written when it is delivered from `fields`, with a link to the incident's thread."""
    session.add(
        Outbox(
            key=key, kind="update", incident_id=incident.id, channel=channel,
            payload={"fields": fields}, next_attempt_at=now, created_at=now,
        )
    )  # fmt: skip


def withdraw(session: Session, keys: list[str]) -> int:
    """Take back messages not sent yet (a reminder about something done since): a row still
    waiting, or between retries, is never sent. One a courier is sending goes (too late)."""
    result = session.execute(
        update(Outbox)
        .where(Outbox.key.in_(keys), Outbox.status == "pending")
        .values(status="withdrawn", locked_until=None)
        .execution_options(synchronize_session=False)
    )
    return affected(result)


def enqueue_channel_post(
    session: Session, *, key: str, channel: str | None, text: str, now: datetime
) -> bool:
    """A message of its own in a channel (the weekly digest, a source's stop and return), once
    per `key`: False when that key was queued already."""
    if session.scalar(select(Outbox.id).where(Outbox.key == key)) is not None:
        return False
    session.add(
        Outbox(
            key=key, kind="channel_post", incident_id=None, channel=channel,
            payload={"text": text}, next_attempt_at=now, created_at=now,
        )
    )  # fmt: skip
    return True


def _enqueue_card(session: Session, target: str, incident: Incident, now: datetime) -> None:
    session.flush()  # our change first: on SQLite this takes the write lock before we look
    # A pending row renders the latest state when it is delivered, so it covers this change too,
    # unless a courier has claimed it: it may have rendered before this commit, and Slack would
    # keep the older card. Then a new row follows it (delivery keeps one row per card in
    # flight, oldest first). A claim whose lease ran out counts as claimed too: its courier may
    # be dead, or only slow (Slack answering late) and about to mark the row sent. FOR UPDATE
    # makes a courier's claim (SKIP LOCKED) pass this row by until we commit, or makes us see
    # its claim if it came first.
    waiting = (
        select(Outbox.id)
        .where(
            Outbox.kind == "card",
            Outbox.target == target,
            Outbox.status == "pending",
            Outbox.locked_until.is_(None),  # set by a claim, cleared when a retry is scheduled
        )
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        waiting = waiting.with_for_update()
    if session.scalar(waiting) is not None:
        return
    session.add(
        Outbox(
            key=f"{target}:{uuid.uuid4().hex}",
            kind="card",
            target=target,
            incident_id=incident.id,
            channel=incident.channel,
            payload={},
            next_attempt_at=now,
            created_at=now,
        )
    )


def enqueue_upload(
    session: Session, incident: Incident, *, fmt: str, user: str, now: datetime
) -> None:
    """An export file for the incident's thread; rendered when delivered, so it is current."""
    session.add(
        Outbox(
            key=f"upload:{incident.id}:{uuid.uuid4().hex}",
            kind="upload",
            incident_id=incident.id,
            channel=incident.channel,
            payload={"format": fmt, "user": user},
            next_attempt_at=now,
            created_at=now,
        )
    )
    timeline.record(session, incident, "export.made", actor=user, at=now, format=fmt, to="slack")
