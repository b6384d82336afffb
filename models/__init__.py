"""SQLAlchemy 2.0 models and the session factory."""

from models.base import Base
from models.session import (
    Sessions,
    affected,
    create_db_engine,
    session_factory,
    sqlite_file,
    writing,
)
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
    brand_is,
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
    "Sessions",
    "SlackEventSeen",
    "SourceState",
    "TimelineEvent",
    "affected",
    "brand_is",
    "create_db_engine",
    "session_factory",
    "sqlite_file",
    "writing",
]
