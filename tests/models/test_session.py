"""PostgreSQL pooled connections: one the server ended (a restart, a terminated backend) is
replaced at checkout without a round trip and without the caller seeing an error; a long-idle
one is pinged first, and the ping leaves the connection as it found it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text

from models import Incident, create_db_engine, session
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="SQLite has no server to end a connection")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    e = create_db_engine(database_url)
    yield e
    e.dispose()


def _pids(engine: Engine, n: int) -> set[int]:
    """Check out n connections at once (so the pool holds n), note their backends, return them."""
    conns = [engine.connect() for _ in range(n)]
    try:
        return {c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in conns}
    finally:
        for c in conns:
            c.close()


def _terminate(pids: set[int]) -> None:
    assert PG_URL
    admin = create_db_engine(PG_URL)
    try:
        # Autocommit: PostgreSQL takes one snapshot of pg_stat_activity per transaction, so a
        # poll inside one transaction would never see the backends go.
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for pid in pids:
                conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                alive = conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:p)"),
                    {"p": list(pids)},
                ).scalar_one()
                if not alive:
                    return
                time.sleep(0.05)
        raise AssertionError("the backends did not end")
    finally:
        admin.dispose()


def test_connections_the_server_ended_are_replaced_without_a_ping(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "PING_AFTER_IDLE_SECONDS", 1e9)  # only the socket can tell
    old = _pids(engine, 3)
    assert len(old) == 3 and engine.pool.checkedin() == 3  # type: ignore[attr-defined]
    _terminate(old)
    new = _pids(engine, 3)  # each checkout finds its connection dead and makes a new one
    assert len(new) == 3 and not new & old


def test_a_long_idle_connection_is_pinged_and_left_in_a_transaction_as_before(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "PING_AFTER_IDLE_SECONDS", 0.0)
    _pids(engine, 1)
    with engine.connect() as conn:  # pinged on checkout, then used as usual
        conn.execute(text("CREATE TEMP TABLE probe (n int)"))
        conn.execute(text("INSERT INTO probe VALUES (1)"))
        conn.rollback()  # the ping did not leave autocommit on: the rollback undoes both
        assert conn.execute(text("SELECT to_regclass('pg_temp.probe')")).scalar() is None
    with engine.connect() as conn:
        assert conn.execute(select(Incident.id).limit(1)).all() == []
