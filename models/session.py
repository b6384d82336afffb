"""Engines and sessions, built on demand from a URL (nothing at import time)."""

from __future__ import annotations

import os
import select
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

# A pooled PostgreSQL connection idle longer than this is pinged (a round trip) before use.
PING_AFTER_IDLE_SECONDS = 30.0

# Execution option of a connection whose transaction will write (see `_sqlite_begin`).
WRITES = "crisisbot_writes"
LOCK_WAIT_MS = 30_000  # how long a statement waits for SQLite's lock (busy_timeout)
LOCK_SLICE_MS = 200  # a unit of work waits for the write lock in slices of this (see _immediate)


def create_db_engine(url: str, *, create: bool = True, **kwargs: Any) -> Engine:
    """`create=False`: a SQLite file that does not exist is not made (connecting fails with
    "unable to open database file"): only what creates the schema (`crisisbot migrate`, the demo,
    tests) should leave a database file behind; a mistyped DATABASE_URL left an empty one."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        if not create:
            event.listen(engine, "do_connect", _sqlite_existing_only)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=10, **kwargs)
    event.listen(engine, "checkout", _alive)
    event.listen(engine, "checkin", _idle_from)
    return engine


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None: another database, in memory, or a `file:` URI)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("uri"):
        return None
    database = parsed.database or ""
    return Path(database) if database not in ("", ":memory:") else None


def _sqlite_existing_only(
    _dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]
) -> None:
    """Open the file read-write but never create it: SQLite's `mode=rw` URI. Opening is the
    only check without a race (a check for the file before connecting is one)."""
    if cparams.get("uri") or not cargs or cargs[0] in ("", ":memory:"):
        return  # a URI of the user's own, or no file at all: as given
    cargs[0] = "file:" + quote(os.path.abspath(cargs[0])) + "?mode=rw"
    cparams["uri"] = True


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
    _no_driver_transactions(dbapi_conn)
    cur = dbapi_conn.cursor()
    # WAL lets the web and worker threads read while one writes; busy_timeout waits for locks.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _no_driver_transactions(dbapi_conn: Any) -> None:
    """The driver begins no transaction of its own: `_sqlite_begin` does. (Python 3.12 added
    `autocommit`, whose default is to change in a later Python to a mode that ignores
    isolation_level: pin the mode this relies on.)"""
    legacy = getattr(sqlite3, "LEGACY_TRANSACTION_CONTROL", None)
    if legacy is not None and dbapi_conn.autocommit != legacy:
        dbapi_conn.autocommit = legacy
    if dbapi_conn.isolation_level is not None:
        dbapi_conn.isolation_level = None


def _sqlite_begin(conn: Connection) -> None:
    """Begin each transaction on SQLite ourselves, IMMEDIATE when it will write (SQLAlchemy's
    pysqlite recipe, "Serializable isolation / Savepoints / Transactional DDL").

    The driver began a DEFERRED transaction before the first INSERT, UPDATE or DELETE only; a
    SELECT ran outside it, a SAVEPOINT began one by itself. A deferred transaction that read
    and then writes must upgrade its lock, and the upgrade never waits (busy_timeout does not
    apply): another connection writing, or having committed since the read (WAL:
    SQLITE_BUSY_SNAPSHOT), fails it at once with "database is locked". So failed the timer
    passes (a savepoint, the incident read, then updated) beside the courier or a request.
    Releasing that outermost savepoint also committed by itself, and a read-modify-write
    could lose a concurrent update (its read was no part of its transaction).

    A unit of work that writes (`Sessions.begin()`, so `bot.transaction()`; a connection
    marked `writing`) begins IMMEDIATE: it waits (busy_timeout) for the write lock at its
    first statement and holds it to the end, so what it read stays true and it never
    upgrades. A reader (`sessions()`, `engine.connect()`) begins DEFERRED: a snapshot that
    blocks no writer (WAL) however long it stays open (the courier reads, then calls Slack).
    IMMEDIATE for all would make every reader queue for, and hold, the one write lock;
    retrying on SQLITE_BUSY would need every unit of work to be rerunnable.

    AUTOCOMMIT (`lookups.reading`) runs each statement alone: no BEGIN. Its return to the
    pool puts the driver back in its own mode, hence `_no_driver_transactions` here too."""
    options = conn.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    _no_driver_transactions(conn.connection.driver_connection)
    if options.get(WRITES):
        _immediate(conn)
    else:
        conn.exec_driver_sql("BEGIN")


def _immediate(conn: Connection) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock as long as busy_timeout would, but in slices:
    Python runs signal handlers only between them, so one 30 s wait inside SQLite put off a
    Ctrl-C at a database another process holds until the wait ended (a `crisisbot` command was
    stopped 30 s late, or not at all: "database is locked", exit 1)."""
    deadline = time.monotonic() + LOCK_WAIT_MS / 1000
    conn.exec_driver_sql(f"PRAGMA busy_timeout={LOCK_SLICE_MS}")
    try:
        while True:
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                if "locked" not in str(exc.orig) or time.monotonic() >= deadline:
                    raise
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")


def writing(conn: Connection) -> Connection:
    """Mark a Core connection whose next transaction writes (IMMEDIATE on SQLite)."""
    return conn.execution_options(**{WRITES: True})


class Sessions(sessionmaker[Session]):
    """`sessions()` is a session for reading; `sessions.begin()` a unit of work that writes and
    commits. On SQLite the second begins IMMEDIATE (`_sqlite_begin`); PostgreSQL has row locks
    and sees no difference. A read that will write belongs in `begin()`: a reader that wrote
    after reading could fail as before."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, expire_on_commit=False)
        sqlite = engine.dialect.name == "sqlite"
        self.writer = engine.execution_options(**{WRITES: True}) if sqlite else engine
        # SQLite has one write lock, and a connection waiting for it sleeps and polls (1 ms
        # growing to 100 ms between tries): twenty requests of one process queuing for it
        # mostly slept while it was free (a burst of 20 commands took seconds to answer). They
        # queue here instead, woken the moment it is released; other processes (serve beside
        # worker) still meet at SQLite's lock. Reentrant: a unit of work opened inside another
        # on the same thread waits at SQLite, as before, instead of on itself.
        self._write_turn = _engine_lock(engine) if sqlite else None

    @contextmanager
    def begin(self) -> Iterator[Session]:
        with self._turn(), self(bind=self.writer) as session, session.begin():
            yield session

    @contextmanager
    def _turn(self) -> Iterator[None]:
        if self._write_turn is None:
            yield
            return
        with self._write_turn:
            yield


_ENGINE_LOCKS_GUARD = threading.Lock()


def _engine_lock(engine: Engine) -> threading.RLock:
    """One writers' queue per engine (so per database file): every `Sessions` made on an
    engine shares it."""
    with _ENGINE_LOCKS_GUARD:
        lock = engine.__dict__.get("_crisisbot_write_turn")
        if lock is None:
            lock = threading.RLock()
            engine.__dict__["_crisisbot_write_turn"] = lock
        return cast(threading.RLock, lock)


def session_factory(engine: Engine) -> Sessions:
    return Sessions(engine)


def affected(result: Result[Any]) -> int:
    """Rows an UPDATE changed: the count a conditional update ("claim it if still free") checks."""
    return cast(CursorResult[Any], result).rowcount
