"""The schema: migrations match the models, and the timeline refuses rewrites in the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.core.db import check, drop_schema, scratch_schema
from bot.response import timeline
from models import AppendOnlyError, Incident, create_db_engine, session_factory
from tests.conftest import PG_URL


def test_the_migrations_cover_every_model_change(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        check(engine)  # alembic check: raises when a model change has no revision
    finally:
        engine.dispose()


def _one_event(database_url: str) -> int:
    engine = create_db_engine(database_url)
    now = datetime.now(UTC)
    with session_factory(engine).begin() as session:
        incident = Incident(title="t", opened_at=now, updated_at=now, evidence={})
        session.add(incident)
        session.flush()
        timeline.record(session, incident, "note.added", actor="U0ALICE", at=now, text="hi")
    engine.dispose()
    return incident.id


@pytest.mark.parametrize(
    "sql", ["UPDATE timeline_events SET type = 'x'", "DELETE FROM timeline_events"]
)
def test_the_database_refuses_to_rewrite_the_timeline(database_url: str, sql: str) -> None:
    _one_event(database_url)
    engine = create_db_engine(database_url)
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT type FROM timeline_events")).scalars().all() == [
                "note.added"
            ]
    finally:
        engine.dispose()


def test_the_orm_refuses_to_rewrite_the_timeline(database_url: str) -> None:
    _one_event(database_url)
    engine = create_db_engine(database_url)
    from models import TimelineEvent

    try:
        with pytest.raises(AppendOnlyError), session_factory(engine).begin() as session:
            event = session.query(TimelineEvent).one()
            event.type = "incident.resolved"
    finally:
        engine.dispose()


def test_unknown_event_types_are_refused(database_url: str) -> None:
    with pytest.raises(ValueError, match="unknown timeline event type"):
        timeline.record(None, Incident(), "incident.exploded", actor=None, at=datetime.now(UTC))  # type: ignore[arg-type]


def test_the_follow_ups_migration_goes_down_and_up_again(database_url: str) -> None:
    """0005 (follow_ups) downgrades cleanly, keeping the rest, and upgrades again."""
    from alembic import command
    from sqlalchemy import inspect

    from bot.core.db import alembic_config, upgrade

    number = _one_event(database_url)
    engine = create_db_engine(database_url)
    try:
        cfg = alembic_config(engine)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0004")
        assert "follow_ups" not in inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM incidents WHERE id = :n"), {"n": number})
        upgrade(engine)
        assert "follow_ups" in inspect(engine).get_table_names()
        check(engine)
    finally:
        engine.dispose()


@pytest.fixture
def blank_url(tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new PostgreSQL schema."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path}/blank.db"
        return
    url, schema = scratch_schema(PG_URL, "crisisbot_blank")
    yield url
    drop_schema(PG_URL, schema)


def test_a_migration_that_fails_leaves_the_database_as_it_was(blank_url: str) -> None:
    """A table in the way (another tool's `mentions`) stops the first migration part-way. On
    SQLite the driver committed each CREATE TABLE by itself, so `incidents` and an empty
    `alembic_version` stayed, and every later `crisisbot migrate` failed on "table incidents
    already exists": a half-made schema no release could finish or read."""
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from bot.core.db import upgrade

    engine = create_db_engine(blank_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE mentions (x INTEGER)"))
        with pytest.raises(DBAPIError, match="mentions"):
            upgrade(engine)
        assert inspect(engine).get_table_names() == ["mentions"]
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE mentions"))
        upgrade(engine)  # once the table is out of the way, the same command finishes
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() is not None
        check(engine)
    finally:
        engine.dispose()
