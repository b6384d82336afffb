"""Engines and sessions, built on demand from a URL (nothing at import time)."""

from __future__ import annotations

import select
import time
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

# A pooled PostgreSQL connection idle longer than this is pinged (a round trip) before use.
PING_AFTER_IDLE_SECONDS = 30.0


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=10, **kwargs)
    event.listen(engine, "checkout", _alive)
    event.listen(engine, "checkin", _idle_from)
    return engine


def _alive(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    """A PostgreSQL restart leaves dead pooled connections: test each before use, without the
    round trip SQLAlchemy's pool_pre_ping costs on every checkout (a `/crisis list` is one
    query; the ping was a second: half its database time under 20 concurrent senders).

    A server that restarts or ends a backend says so on the socket (an error message, then
    the close), so an idle connection with anything to read, or closed, is dead: that costs
    a poll(), no round trip. A connection idle for PING_AFTER_IDLE_SECONDS is pinged as
    before (a firewall may have dropped it without a word). Raising DisconnectionError makes
    the pool replace the connection and check out again."""
    if dbapi_conn.closed or getattr(dbapi_conn, "broken", False) or _readable(dbapi_conn.fileno()):
        raise DisconnectionError("the server closed the connection while it was pooled")
    idle_from = record.info.get("idle_from")
    if idle_from is not None and time.monotonic() - idle_from > PING_AFTER_IDLE_SECONDS:
        autocommit = dbapi_conn.autocommit
        try:
            dbapi_conn.autocommit = True  # local to the driver: no BEGIN for the ping
            with dbapi_conn.cursor() as cur:
                cur.execute("SELECT 1")
            dbapi_conn.autocommit = autocommit
        except Exception as exc:
            raise DisconnectionError(f"ping failed: {exc}") from exc


def _idle_from(_dbapi_conn: Any, record: Any) -> None:
    record.info["idle_from"] = time.monotonic()


def _readable(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))  # POLLIN, or POLLHUP/POLLERR (always reported)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the web and worker threads read while one writes; busy_timeout waits for locks.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def affected(result: Result[Any]) -> int:
    """Rows an UPDATE changed: the count a conditional update ("claim it if still free") checks."""
    return cast(CursorResult[Any], result).rowcount
