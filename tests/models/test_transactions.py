"""Transactions through the project's own engine and sessions, several connections at once.

On SQLite the driver used to begin a DEFERRED transaction before the first write only: a unit
of work that read inside a savepoint and then wrote failed at once with "database is locked"
when another connection had written meanwhile (the timer passes beside the courier), a
read-modify-write lost a concurrent update, and a released outermost savepoint committed by
itself. Now a unit of work that writes begins IMMEDIATE; a reader begins DEFERRED and blocks
no writer."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import make_url

from bot.response import lookups
from models import Incident, Sessions, create_db_engine, session_factory
from tests.conftest import PG_URL

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite's locking; PostgreSQL locks rows")

WAIT = 1.0  # how long one side gives the other to act before it goes on


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    e = create_db_engine(database_url)
    yield e
    e.dispose()


def _incidents(sessions: Sessions, n: int) -> list[int]:
    now = datetime.now(UTC)
    with sessions.begin() as session:
        made = [
            Incident(title=f"t{i}", opened_at=now, updated_at=now, evidence={}) for i in range(n)
        ]
        session.add_all(made)
        session.flush()
        return [i.id for i in made]


def _together(*work: Callable[[], None]) -> list[BaseException]:
    """Run each callable in its own thread; the exceptions they raised."""
    errors: list[BaseException] = []

    def run(fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a unit of work never finished"
    return errors


def _levels(sessions: Sessions) -> dict[int, int]:
    with sessions() as session:
        return dict(session.execute(select(Incident.id, Incident.level)).tuples().all())


def test_a_savepoint_that_reads_then_writes_waits_for_another_writer(engine: Engine) -> None:
    """The timers' shape (`escalate_unclaimed`: a savepoint, the incident read, then updated)
    while the courier commits its own row: both finish, neither says "database is locked"."""
    sessions = session_factory(engine)
    first, second = _incidents(sessions, 2)
    read, other_done = threading.Event(), threading.Event()

    def timer() -> None:
        with sessions.begin() as session, session.begin_nested():
            incident = session.get(Incident, first)
            assert incident is not None
            read.set()
            other_done.wait(WAIT)  # another connection writes now, or waits for us to finish
            incident.level = 1

    def courier() -> None:
        assert read.wait(10)
        with sessions.begin() as session:
            session.execute(update(Incident).where(Incident.id == second).values(level=2))
        other_done.set()

    assert _together(timer, courier) == []
    assert _levels(sessions) == {first: 1, second: 2}


@sqlite_only
def test_a_read_modify_write_unit_loses_no_concurrent_update(engine: Engine) -> None:
    """Two units each read a number and write it plus one: both increments stay. (On
    PostgreSQL such code reads FOR UPDATE, as `incidents.locked` does.)"""
    sessions = session_factory(engine)
    (number,) = _incidents(sessions, 1)
    read, other_done = threading.Event(), threading.Event()

    def bump(first: bool) -> None:
        if not first:
            assert read.wait(10)
        with sessions.begin() as session:
            level = session.scalar(select(Incident.level).where(Incident.id == number))
            assert level is not None
            if first:
                read.set()
                other_done.wait(WAIT)
            session.execute(update(Incident).where(Incident.id == number).values(level=level + 1))
        if not first:
            other_done.set()

    assert _together(lambda: bump(True), lambda: bump(False)) == []
    assert _levels(sessions) == {number: 2}


def test_a_released_savepoint_is_undone_with_its_transaction(engine: Engine) -> None:
    """A timer pass's first change is made in a savepoint: when the pass fails later, that
    change goes with the rest (on SQLite, releasing the outermost savepoint was a commit)."""
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    with pytest.raises(RuntimeError), sessions.begin() as session:
        with session.begin_nested():
            session.add(Incident(title="t", opened_at=now, updated_at=now, evidence={}))
        raise RuntimeError("the pass failed after its savepoint")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0


def _write_locked(engine: Engine) -> bool:
    """Whether some connection holds the database's write lock (asked without waiting)."""
    probe = sqlite3.connect(str(make_url(str(engine.url)).database), timeout=0)
    probe.isolation_level = None
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        probe.close()
    return False


@sqlite_only
def test_a_reader_left_open_blocks_no_writer_and_keeps_its_view(engine: Engine) -> None:
    """The courier reads its row and then calls Slack with its session open: a writer
    meanwhile neither waits nor fails, and the reader's view holds still until it ends."""
    sessions = session_factory(engine)
    (number,) = _incidents(sessions, 1)
    level = select(Incident.level).where(Incident.id == number)
    with sessions() as reader:
        assert reader.scalar(level) == 0
        assert not _write_locked(engine)

        def writer() -> None:
            with sessions.begin() as session:
                session.execute(update(Incident).where(Incident.id == number).values(level=5))

        assert _together(writer) == []  # finished while the reader is still open
        assert reader.scalar(level) == 0
    assert _levels(sessions) == {number: 5}


@sqlite_only
def test_a_unit_of_work_holds_the_write_lock_from_its_first_read(database_url: str) -> None:
    """Also on a pooled connection used in autocommit just before (`lookups.reading`, whose
    return to the pool puts the driver back in its own transaction mode)."""
    engine = create_db_engine(database_url, pool_size=1, max_overflow=0)  # one connection
    try:
        sessions = session_factory(engine)
        for _round in range(2):
            with lookups.reading(engine) as conn:
                assert lookups.open_lines(conn) == []
                assert not conn.connection.driver_connection.in_transaction  # type: ignore[union-attr]
                assert not _write_locked(engine)
            with sessions.begin() as session:
                session.scalar(select(func.count()).select_from(Incident))
                assert _write_locked(engine)
            assert not _write_locked(engine)
            with sessions() as session:
                session.scalar(select(func.count()).select_from(Incident))
                assert not _write_locked(engine)
    finally:
        engine.dispose()


@sqlite_only
def test_units_of_work_of_one_process_take_turns_in_order_of_arrival(engine: Engine) -> None:
    """SQLite's busy handler sleeps and polls: a waiting connection may sleep 100 ms while the
    write lock is free (the courier fell from ~250 to ~160 writes/s beside three busy threads,
    benchmarks/sqlite_lock_bench.py). Units of work of one process queue on one lock per
    engine instead, each woken as the one before it ends; two `Sessions` of an engine share it."""
    first, second = session_factory(engine), session_factory(engine)
    order: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def a() -> None:
        with first.begin():
            order.append("a in")
            holding.set()
            release.wait(WAIT)
            order.append("a out")

    def b() -> None:
        holding.wait(WAIT)
        with second.begin():
            order.append("b in")

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    holding.wait(WAIT)
    release.set()
    for t in threads:
        t.join(10)
    assert order == ["a in", "a out", "b in"]
    with first.begin(), second.begin():  # reentrant on one thread: not a wait on itself
        pass
