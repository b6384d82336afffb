"""PostgreSQL advisory locks: one job (or one brand's detection, one source's poll) at a time
across every worker on the database. SQLite runs one worker, so there every lock is granted."""

from __future__ import annotations

import zlib

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session


def lock_key(conn: Connection, name: str) -> int:
    """The advisory-lock key of `name`. Advisory locks belong to the whole database, not a
    schema: two deployments (or test runs) in separate schemas of one database would skip each
    other's jobs, so the schema is part of the key."""
    schema = conn.execute(text("SELECT current_schema()")).scalar() or ""
    return zlib.crc32(f"crisisbot:{schema}:{name}".encode())


def try_xact_lock(session: Session, name: str) -> bool:
    """Take lock `name` until the session's transaction ends, or return False at once when
    another worker holds it. Released by commit, rollback, or the worker's death (its
    connection closes), so a killed worker's work is picked up on the next pass."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return True
    key = lock_key(conn, name)
    return bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())
