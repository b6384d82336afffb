"""SQLAlchemy 2.0 models and the session factory."""

from models.base import Base
from models.session import affected, create_db_engine, session_factory
from models.tables import (
    SEVERITIES,
    AppendOnlyError,
    DetectorState,
    Draft,
    FollowUp,
    Incident,
    Mention,
    Outbox,
    SlackEventSeen,
    SourceState,
    TimelineEvent,
)

__all__ = [
    "SEVERITIES",
    "AppendOnlyError",
    "Base",
    "DetectorState",
    "Draft",
    "FollowUp",
    "Incident",
    "Mention",
    "Outbox",
    "SlackEventSeen",
    "SourceState",
    "TimelineEvent",
    "affected",
    "create_db_engine",
    "session_factory",
]
