"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL when
CRISISBOT_TEST_DATABASE_URL is set), migrated with Alembic, and the whole bot against the
local Slack emulator through its real HTTP endpoint."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core.clock import ManualClock
from bot.core.db import drop_schema, scratch_schema, upgrade
from bot.testing import Stack, start_stack
from models import Base, create_db_engine

PG_URL = os.environ.get("CRISISBOT_TEST_DATABASE_URL")


def pytest_report_header() -> str:
    return f"crisisbot database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database made once: a SQLite file to copy, or a PostgreSQL schema."""
    if PG_URL:
        rendered, schema = scratch_schema(PG_URL, "crisisbot_test")
        engine = create_db_engine(rendered)
        upgrade(engine)
        engine.dispose()
        yield rendered
        drop_schema(PG_URL, schema)
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = create_db_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        yield str(path)


@pytest.fixture
def database_url(_template: str, tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        path = tmp_path / "crisisbot.db"
        shutil.copy(_template, path)
        yield f"sqlite:///{path}"
        return
    yield _template
    engine = create_db_engine(_template)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def stack(database_url: str, clock: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock)
    yield s
    s.stop()
