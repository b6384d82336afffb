"""Which database errors are an outage (one log line each way, bot.core.outage) and which are a
bug to log with its traceback: errors made by real statements on SQLite."""

from __future__ import annotations

import sqlite3
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
