"""Read-only answers for `/crisis list`, `status` and the App Home: one Core query each, on an
autocommit connection.

These are the commands a team fires most during a storm, on the same server that must ack every
request within Slack's 3 s. The ORM path cost three queries, a transaction (BEGIN/ROLLBACK round
trips on PostgreSQL) and a decode of each incident's whole evidence JSON (chart series included);
here one statement, built once, fetches only the columns the answer shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, select

from bot.core.errors import NotFound
from bot.response.incidents import OPEN_STATUSES, no_such_incident
from bot.response.rooms import Room
from bot.response.stats import METRIC_COLUMNS, Metrics, metrics_of
from models import Draft, Incident, TimelineEvent

# The incident's own channel once opened (`bot.response.rooms`): the card, `status` and the
# Home tab link it.
_ROOM = (
    select(TimelineEvent.data)
    .where(TimelineEvent.incident_id == Incident.id, TimelineEvent.type == "incident.room_opened")
    .order_by(TimelineEvent.id.desc())
    .limit(1)
    .scalar_subquery()
    .label("room")
)

_LINE = (
    Incident.id,
    Incident.title,
    Incident.status,
    Incident.severity,
    Incident.owner,
    Incident.opened_at,
    Incident.is_drill,
    Incident.channel,
    Incident.message_ts,
    _ROOM,
)

_LIST = select(*_LINE).where(Incident.status.in_(OPEN_STATUSES)).order_by(Incident.id)

_of_incident = Draft.incident_id == Incident.id
# The stakeholders' updates of the incident (`bot.response.updates`: the card's last-update line).
_update_of_incident = (TimelineEvent.incident_id == Incident.id) & (
    TimelineEvent.type == "incident.update_posted"
)
_STATUS = select(
    *_LINE,
    *(c for c in METRIC_COLUMNS if c is not Incident.opened_at),  # opened_at is in _LINE
    Incident.evidence["reasons"].label("reasons"),
    Incident.evidence["declared_by"].label("declared_by"),
    Incident.evidence["pulse"].label("pulse"),
    select(TimelineEvent.at).where(_update_of_incident)
    .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc()).limit(1)
    .scalar_subquery().label("update_at"),
    select(TimelineEvent.actor).where(_update_of_incident)
    .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc()).limit(1)
    .scalar_subquery().label("update_by"),
    select(Draft.version).where(_of_incident).order_by(Draft.version.desc()).limit(1)
    .scalar_subquery().label("draft_version"),
    select(Draft.status).where(_of_incident).order_by(Draft.version.desc()).limit(1)
    .scalar_subquery().label("draft_status"),
).where(Incident.id == bindparam("number"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class IncidentLine:
    """What a one-line summary of an incident shows."""

    id: int
    title: str
    status: str
    severity: str
    owner: str | None
    opened_at: datetime
    is_drill: bool = False
    channel: str | None = None  # where the alert was posted, once it was
    message_ts: str | None = None
    room: Room | None = None  # its own channel, once opened


@dataclass(frozen=True, slots=True)
class PendingDraft:
    """A draft that waits for a decision, with what a link to it needs."""

    id: int
    version: int
    author: str
    text: str
    incident_id: int
    incident_title: str
    channel: str | None
    ts: str | None  # the draft's own message in the thread, else the incident's alert
    is_drill: bool = False
    brand: str | None = None  # whose approvers decide it (a brand's own, else the agency's)


_PENDING = (
    select(
        Draft.id, Draft.version, Draft.author, Draft.text, Draft.incident_id,
        Incident.title, Incident.channel,
        func.coalesce(Draft.message_ts, Incident.message_ts).label("ts"), Incident.is_drill,
        Incident.brand,
    )
    .join(Incident, _of_incident)
    .where(
        Draft.status == "pending",
        Incident.status.in_(OPEN_STATUSES),
        Draft.author != bindparam("viewer"),
    )
    .order_by(Draft.id)
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class IncidentStatus:
    line: IncidentLine
    reasons: list[str]
    draft_version: int | None
    draft_status: str | None
    metrics: Metrics
    declared_by: str | None = None  # who declared it by hand (None: an alert opened it)
    pulse: dict[str, Any] | None = None  # how its storm goes now (the card's "Now" line)
    last_update: tuple[datetime, str | None] | None = None  # the last stakeholders' update


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A pooled connection in autocommit: a lone SELECT needs no BEGIN, and returning the
    connection needs no ROLLBACK (two round trips saved per command on PostgreSQL)."""
    with engine.connect() as conn:
        yield conn.execution_options(isolation_level="AUTOCOMMIT")


def open_lines(conn: Connection) -> list[IncidentLine]:
    return [_line(row) for row in conn.execute(_LIST)]


def status(conn: Connection, number: int) -> IncidentStatus:
    row = conn.execute(_STATUS, {"number": number}).one_or_none()
    if row is None:
        raise NotFound(no_such_incident(number))
    reasons = row.reasons if isinstance(row.reasons, list) else []
    return IncidentStatus(
        declared_by=row.declared_by if isinstance(row.declared_by, str) else None,
        pulse=row.pulse if isinstance(row.pulse, dict) else None,
        last_update=(_aware(row.update_at), row.update_by) if row.update_at else None,
        line=_line(row),
        reasons=[str(r) for r in reasons],
        draft_version=row.draft_version,
        draft_status=row.draft_status,
        metrics=metrics_of(row, row.first_approved_at),
    )


def pending_drafts(conn: Connection, *, viewer: str) -> list[PendingDraft]:
    """Drafts of open incidents waiting for a decision, but `viewer`'s own; whose brand's
    approvers include the viewer is the caller's to sort out (it asks Slack for groups)."""
    return [
        PendingDraft(r.id, r.version, r.author, r.text, r.incident_id, r.title, r.channel, r.ts,
                     bool(r.is_drill), r.brand)
        for r in conn.execute(_PENDING, {"viewer": viewer})
    ]  # fmt: skip


def _line(row: Any) -> IncidentLine:
    return IncidentLine(
        row.id, row.title, row.status, row.severity, row.owner, row.opened_at,
        bool(row.is_drill), row.channel, row.message_ts, _room(row.room),
    )  # fmt: skip


def _room(data: Any) -> Room | None:
    if isinstance(data, str):  # a JSON column read through a subquery may come back as text
        data = json.loads(data)
    if not isinstance(data, dict) or not data.get("channel"):
        return None
    return Room(str(data["channel"]), str(data.get("name") or ""))


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite gives naive UTC back
