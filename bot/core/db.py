"""Schema management through Alembic, for `crisisbot migrate`, the release step and tests."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from models import create_db_engine, writing

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate in one transaction: a migration that fails (or a Ctrl-C) leaves the schema as
    it was, on SQLite too, where the driver otherwise commits each CREATE or ALTER by itself
    (a half-made schema that every later `crisisbot migrate` then fails on)."""
    cfg = alembic_config(engine)
    # On SQLite the engine begins each transaction itself (models.session._sqlite_begin), so
    # the DDL is in this one; IMMEDIATE, as it writes: two `migrate` at once take turns.
    with engine.connect() as connection, writing(connection).begin():
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def unknown_revision(engine: Engine) -> str | None:
    """The schema's revision when no migration here knows it (a newer release migrated it)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return None
    try:
        ScriptDirectory.from_config(alembic_config(engine)).get_revision(current)
    except (RevisionError, CommandError):  # alembic wraps the first in the second
        return current
    return None


NO_SCHEMA = "the database has no crisisbot tables; run `crisisbot migrate`"


def newer_schema(revision: str) -> str:
    return (
        f"the schema is at revision {revision}, which this crisisbot does not know "
        "(migrated by a newer release?)"
    )


def schema_problem(engine: Engine) -> str | None:
    """Why this release cannot work on the database's schema, in one line, or None when the
    schema is the one its migrations end at. Not migrated, every query fails (POST /ingest
    answered 503 for ever, the worker logged a traceback per job); behind, the newest columns
    are missing; ahead, a newer release's (a NOT NULL column this one never fills)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return NO_SCHEMA
    if unknown_revision(engine) is not None:
        return newer_schema(current)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    if current != head:
        return (
            f"the schema is at revision {current}, older than this crisisbot's {head}; "
            "run `crisisbot migrate`"
        )
    return None


def check(engine: Engine) -> None:
    """Raise if the models have changes no revision covers (alembic check)."""
    cfg = alembic_config(engine)
    with engine.connect() as connection:
        cfg.attributes["connection"] = connection
        command.check(cfg)


def scratch_schema(url: str, prefix: str) -> tuple[str, str]:
    """Create a schema `<prefix>_<8 hex digits>` in the PostgreSQL database at `url`, for tests
    and benchmarks; return a URL whose connections work in it (its search_path) and its name."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_db_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), schema


def drop_schema(url: str, schema: str) -> None:
    """Drop a schema `scratch_schema` made, with everything in it."""
    admin = create_db_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
