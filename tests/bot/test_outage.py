"""Which database errors are an outage (one log line each way, bot.core.outage) and which are a
bug to log with its traceback: errors made by real statements on SQLite."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from bot.core.outage import is_outage


def _error(url: str, statement: str, **connect_args: object) -> DBAPIError:
    engine = create_engine(url, connect_args=connect_args)
    try:
        with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
            conn.execute(text(statement))
        return caught.value
    finally:
        engine.dispose()


def test_a_missing_table_on_sqlite_is_a_bug_not_an_outage(tmp_path: Path) -> None:
    """SQLite raises OperationalError for it, as for a locked file: counted as an outage, a
    schema bug in a job was one "database unavailable (no such table: …)" line, its traceback
    never logged."""
    error = _error(f"sqlite:///{tmp_path / 'a.db'}", "SELECT * FROM no_such_table")
    assert "no such table" in str(error.orig)
    assert not is_outage(error)


def test_a_locked_sqlite_file_is_an_outage(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        error = _error(f"sqlite:///{path}", "INSERT INTO t VALUES (1)", timeout=0.1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked" in str(error.orig)
    assert is_outage(error)


def test_an_unreachable_postgresql_is_an_outage() -> None:
    error = _error("postgresql+psycopg://postgres@127.0.0.1:1/none", "SELECT 1", connect_timeout=2)
    assert is_outage(error)


def test_a_job_that_fails_for_another_reason_logs_one_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A job's error was logged twice, each with its traceback: by APScheduler ("Job … raised an
    exception") and by jobs._log_error ("job … failed"). Seen in the QA runs' logs. A database
    of its own (SQLite on either run): the test breaks its schema."""
    from bot.app import Crisisbot
    from bot.core.config import Config
    from bot.core.db import upgrade
    from bot.core.settings import Settings
    from bot.jobs import create_scheduler
    from models import create_db_engine

    url = f"sqlite:///{tmp_path / 'broken.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    engine.dispose()
    bot = Crisisbot(Settings(database_url=url, crisis_channel="C0CRISIS"), config=Config())
    with bot.transaction() as session:  # a schema bug: the timers' query fails, no outage
        session.execute(text("DROP TABLE follow_ups"))
    scheduler = create_scheduler(bot)
    scheduler.start(paused=True)
    try:
        for job in scheduler.get_jobs():
            if job.id != "run_timers":
                job.remove()
        scheduler.get_job("run_timers").modify(next_run_time=datetime.now(UTC))
        scheduler.resume()
        deadline = time.monotonic() + 20
        while not [r for r in caplog.records if r.exc_info] and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # a second record would come right after the first
    finally:
        scheduler.shutdown()
        bot.close()
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1, [r.getMessage() for r in tracebacks]
    assert "run_timers" in tracebacks[0].getMessage()
    assert not is_outage(tracebacks[0].exc_info[1])  # type: ignore[index]
