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


RAW_MENTION = text(
    "INSERT INTO mentions (source, external_id, brand, brand_key, text, created_at, ingested_at)"
    " VALUES ('bluesky', :e, :b, :k, 't', '2026-03-14 12:00:00', '2026-03-14 12:00:00')"
)


def test_the_mention_per_brand_migration_upgrades_stored_mentions(database_url: str) -> None:
    """0006 on a database that holds mentions (one row per post, as 0005 stored them): each
    keeps its brand under the new key (source, external_id, brand_key), "" for none, and a
    second brand's row for a stored post can then be added; downgraded, one row a post stays."""
    from alembic import command

    from bot.core.config import Brand, Config
    from bot.core.db import alembic_config, upgrade
    from bot.intake.ingest import store_mentions
    from sources.base import Mention as Post

    engine = create_db_engine(database_url)
    at = "2026-03-14 12:00:00"
    try:
        cfg = alembic_config(engine)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0005")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO mentions (source, external_id, brand, text, url, created_at, "
                    "ingested_at) VALUES ('bluesky', :e, :b, 'Acme and Globex down', :u, :at, :at)"
                ),
                [
                    {"e": "p1", "b": "Acme", "u": "https://x/1", "at": at},
                    {"e": "p2", "b": None, "u": "https://x/2", "at": at},
                ],
            )
        upgrade(engine)
        check(engine)
        with engine.begin() as conn:
            rows = conn.execute(
                text("SELECT external_id, brand, brand_key FROM mentions ORDER BY external_id")
            ).all()
            assert [tuple(r) for r in rows] == [("p1", "Acme", "Acme"), ("p2", None, "")]
        with session_factory(engine).begin() as session:
            config = Config(brands=(Brand("Acme"), Brand("Globex")))
            same = [
                Post("bluesky", e, "Acme and Globex down", datetime(2026, 3, 14, 12, tzinfo=UTC),
                     url=f"https://x/{e[1]}")
                for e in ("p1", "p2")
            ]  # fmt: skip
            # p1 gains Globex's row; p2 (no brand before) is stored for both brands.
            assert store_mentions(session, same, config=config, now=datetime.now(UTC)) == 2
        with engine.begin() as conn:
            keys = conn.execute(
                text("SELECT external_id, brand_key FROM mentions ORDER BY external_id, brand_key")
            ).all()
            assert [tuple(k) for k in keys] == [
                ("p1", "Acme"), ("p1", "Globex"), ("p2", ""), ("p2", "Acme"), ("p2", "Globex"),
            ]  # fmt: skip
            # The key holds for a mention without a brand (a NULL would never conflict) ...
            with pytest.raises(DBAPIError), conn.begin_nested():
                conn.execute(RAW_MENTION, {"e": "p2", "b": None, "k": ""})
            # ... and brand_key is the brand, "" for none: the database refuses any other.
            with pytest.raises(DBAPIError), conn.begin_nested():
                conn.execute(RAW_MENTION, {"e": "p9", "b": "Acme", "k": ""})
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0005")
        with engine.connect() as conn:
            kept = conn.execute(
                text("SELECT external_id, brand FROM mentions ORDER BY external_id")
            ).all()
            assert [tuple(k) for k in kept] == [("p1", "Acme"), ("p2", None)]
        upgrade(engine)
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
