"""The tables: mentions, incidents and their append-only timeline, drafts, delivery, sources."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, intpk, json_dict, slack_id, utc

SEVERITIES = ("low", "medium", "high", "critical")


def brand_is(column: Any, names: Sequence[str | None]) -> Any:
    """`column` (a brand column) is one of `names`: a brand's current and former names
    (`formerly`); (None,) is no brand (NULL)."""
    named = [n for n in names if n is not None]
    if not named:
        return column.is_(None)
    return column == named[0] if len(named) == 1 else column.in_(named)


def _brand_key(context: Any) -> str:
    return context.get_current_parameters().get("brand") or ""


class Mention(Base):
    """A post as one watched brand sees it: a post naming two brands is two rows, one per brand
    (bot.intake.ingest), so each brand's detection, card and report read only their own."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source", "external_id", "brand_key"),
        # brand_key is brand made NULL-safe for the unique key ("" for none): NULLs never
        # conflict, and an expression index (coalesce) is lost by SQLite's batch migrations.
        CheckConstraint("brand_key = coalesce(brand, '')", name="brand_key"),
        Index("ix_mentions_brand_created_at", "brand", "created_at"),
        Index("ix_mentions_created_at", "created_at"),
    )

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(255))
    brand: Mapped[str | None] = mapped_column(String(120))
    brand_key: Mapped[str] = mapped_column(String(120), default=_brand_key)
    author: Mapped[str | None] = mapped_column(String(255))
    author_followers: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[utc]
    ingested_at: Mapped[utc]
    polarity: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str | None] = mapped_column(String(10))
    # ISO 639 code ("bg", "en", "ru"): the record's own `lang`, else what the sentiment detector
    # identified; NULL when unknown (older rows, no detector). The alert's language share.
    language: Mapped[str | None] = mapped_column(String(8))


class Incident(Base):
    """A storm being handled. `id` is the number people see as #N."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_brand_status", "brand", "status"),)

    id: Mapped[intpk]
    brand: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="open")
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    level: Mapped[int] = mapped_column(Integer, default=0)  # index into escalation levels
    owner: Mapped[str | None] = mapped_column(String(32))
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    first_mention_at: Mapped[datetime | None]
    opened_at: Mapped[utc]
    claimed_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    updated_at: Mapped[utc]  # last change by staff; reminders count from here
    reminded_at: Mapped[datetime | None]
    summary: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    evidence: Mapped[json_dict]
    # Set to the brand ("" for none) while the incident is open, NULL once closed or for drills:
    # its unique index makes "one open incident per brand" a database guarantee under concurrency.
    open_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    @property
    def is_open(self) -> bool:
        return self.status not in ("resolved", "dismissed")


class TimelineEvent(Base):
    """Append-only: written only by `bot.timeline.record`; updates and deletes are refused."""

    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_events_incident_id_at", "incident_id", "at", "id"),)

    id: Mapped[intpk]
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    at: Mapped[utc]
    type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[json_dict]


class Draft(Base):
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("incident_id", "version"),)

    id: Mapped[intpk]
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[slack_id]
    status: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[utc]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    message_ts: Mapped[str | None] = mapped_column(String(32))


class FollowUp(Base):
    """An action a crisis taught ("update the refunds FAQ"), with an owner, tracked until done.
    People see `id` as F<id> (`/crisis done F3`): one number for the whole team, never confused
    with an incident's #N."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_incident_id", "incident_id"),
        Index("ix_follow_ups_owner_status", "owner", "status"),
        Index("ix_follow_ups_status_due_at", "status", "due_at"),
    )

    id: Mapped[intpk]
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    owner: Mapped[slack_id]
    text: Mapped[str] = mapped_column(Text)
    # The moment it becomes overdue. A due day ("by 2026-12-11") is due at the end of that day
    # on the team's clock: `due_at` is the next midnight there and `due_whole_day` is set.
    due_at: Mapped[datetime | None]
    due_whole_day: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | done
    created_by: Mapped[slack_id]
    created_at: Mapped[utc]
    done_by: Mapped[str | None] = mapped_column(String(32))
    done_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # the owner was told it is overdue (once)

    @property
    def ref(self) -> str:
        return f"F{self.id}"


class Outbox(Base):
    """What must reach Slack, written in the transaction of the change it reports."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(120), unique=True)  # idempotency key
    # card | post | upload | dm | channel_post | update (a stakeholders' update)
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str | None] = mapped_column(String(60), index=True)  # "incident:N", "draft:N"
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    channel: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[json_dict]
    # pending | sent | failed | withdrawn (taken back unsent: outbox.withdraw)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[utc]
    locked_until: Mapped[datetime | None]
    created_at: Mapped[utc]
    sent_at: Mapped[datetime | None]
    result_ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)


class SlackEventSeen(Base):
    __tablename__ = "slack_events_seen"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[utc]


class SourceState(Base):
    __tablename__ = "source_state"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    cursor: Mapped[str | None] = mapped_column(Text)
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    backoff_until: Mapped[datetime | None]
    day: Mapped[str | None] = mapped_column(String(10))  # the UTC date `mentions_today` counts
    mentions_today: Mapped[int] = mapped_column(Integer, default=0)
    info: Mapped[json_dict]
    # Walking back to fill the baseline (`bot.intake.backfill`): its own cursor, the days it
    # covers and how far it got. NULL: none started (or the source predates backfill).
    backfill: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class DetectorState(Base):
    """A brand's detector state as of `settled_until`, so a fresh process resumes from it and
    reads only the mentions since, not the whole look-back (see bot.detection.detect)."""

    __tablename__ = "detector_states"

    brand_key: Mapped[str] = mapped_column(String(120), primary_key=True)  # "" for no brand
    # Hash of the storm settings and the detectors' code: a change starts a fresh state.
    settings_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    settled_until: Mapped[utc]
    last_mention_id: Mapped[int] = mapped_column(Integer)  # mentions up to here were seen
    updated_at: Mapped[utc]


class AppendOnlyError(Exception):
    pass


@event.listens_for(TimelineEvent, "before_update")
@event.listens_for(TimelineEvent, "before_delete")
def _refuse_change(mapper: Any, connection: Any, target: TimelineEvent) -> None:
    raise AppendOnlyError("timeline events are append-only")
