"""Requirement 3: PostgreSQL stops (an outage) and comes back (a restart) under a running bot.

During the outage a command gets the clear "try again" answer (not a 500, not silence), a
pushed batch of mentions gets 503 so its sender retries, and /healthz says the database is
unavailable. Afterwards the bot recovers by itself (dead pooled connections are replaced at
checkout, models/session.py): the same command works, the card is updated, the retried batch
is stored and detected, and nothing was lost or doubled.

Only on PostgreSQL: it stops and starts the local cluster, so it runs alone in its own session
(the fault tests are sequential) and always starts the cluster again in `finally`.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from bot import jobs
from bot.core.clock import system_clock
from bot.slack.desk import DB_DOWN
from bot.testing import Stack, sample_storm, start_stack
from models import Mention, TimelineEvent
from tests.faults.helpers import CHANNEL, assert_slack_matches_db, wait_drained

OUTAGE_SECONDS = float(os.environ.get("CRISISBOT_OUTAGE_SECONDS", "30"))

pytestmark = pytest.mark.skipif(
    not os.environ.get("CRISISBOT_TEST_DATABASE_URL"),
    reason="stops and restarts the PostgreSQL cluster; SQLite has no server to lose",
)


def _cluster(action: str) -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    # fast: a smart stop would wait for the bot's pooled connections, which never leave.
    mode = ["-m", "fast"] if action in ("stop", "restart") else []
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *mode],
        check=True,
        timeout=60,
    )


@pytest.fixture
def live_stack(database_url: str) -> Iterator[Stack]:
    s = start_stack(database_url, clock=system_clock)
    yield s
    s.stop()


def _answer(stack: Stack, needle: str, timeout: float = 15) -> dict:
    def find() -> dict | None:
        for r in stack.emulator.responses:
            if needle in r["payload"].get("text", ""):
                return r["payload"]
        return None

    return stack.emulator.wait_for(find, timeout=timeout)


def _push(stack: Stack, records: list[dict]) -> httpx.Response:
    return httpx.post(
        f"{stack.server.url}/ingest",
        content=json.dumps(records),
        headers={"Authorization": "Bearer ingest-token", "Content-Type": "application/json"},
        timeout=30,
    )


def test_postgres_outage_and_restart_are_survived(live_stack: Stack) -> None:
    stack, bot = live_stack, live_stack.bot
    now = bot.clock()
    storm = list(sample_storm(now, brand="Acme", calm_days=4))
    assert _push(stack, storm).json()["new"] == len(storm)
    assert jobs.detect_storms(bot) == [1]
    wait_drained(bot)

    # A second brand's storm arrives while the database is down.
    late = [{**r, "id": f"g{r['id']}"} for r in sample_storm(now, brand="Globex", calm_days=4)]
    try:
        _cluster("stop")
        started = time.monotonic()
        response = stack.slack.command("claim 1", user_id="U0ALICE")
        assert response.status_code == 200  # acknowledged; the answer follows
        assert _answer(stack, DB_DOWN)["response_type"] == "ephemeral"
        refused = _push(stack, late)
        assert refused.status_code == 503 and "try again" in refused.json()["error"]
        health = httpx.get(f"{stack.server.url}/healthz", timeout=10).json()
        assert health["database"] == "unavailable"
        with pytest.raises(DBAPIError):  # the worker's job fails, logs, and runs again later
            jobs.detect_storms(bot)
        assert time.monotonic() - started < 20, "outage answers must be quick"
        # Hold the outage for the full half minute: the courier keeps failing meanwhile and
        # must still be alive afterwards; a command at the end is answered as quickly.
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - started)))
        asked = time.monotonic()
        stack.slack.command("status 1", user_id="U0BOB")
        assert len([r for r in stack.emulator.responses if DB_DOWN in r["payload"]["text"]]) >= 1
        _answer_count(stack, DB_DOWN, 2)
        assert time.monotonic() - asked < 5
    finally:
        _cluster("start")

    # Back: the same command works, with no restart of the bot.
    stack.emulator.wait_for(lambda: _pg_ready(stack), timeout=30)
    stack.slack.command("claim 1", user_id="U0ALICE")
    _answer(stack, "You now hold #1")
    assert _push(stack, late).json()["new"] == len(late)  # the sender's retry

    # And a plain restart (every pooled connection dies at once) is survived as well.
    _cluster("restart")
    stack.slack.command("claim 1", user_id="U0BOB")
    _answer(stack, "You now hold #1")
    assert jobs.detect_storms(bot) == [2]
    wait_drained(bot)

    assert_slack_matches_db(bot, stack.emulator.messages(CHANNEL))
    with bot.sessions() as session:
        assert len(session.scalars(select(Mention.id)).all()) == len(storm) + len(late)
        types = [e.type for e in session.scalars(select(TimelineEvent).order_by(TimelineEvent.id))]
    assert types.count("incident.claimed") == 1 and types.count("incident.handed_over") == 1
    assert types.count("alert.posted") == 2
    assert bot._courier is not None and bot._courier.is_alive()


def _answer_count(stack: Stack, needle: str, count: int) -> None:
    stack.emulator.wait_for(
        lambda: (
            sum(needle in r["payload"].get("text", "") for r in stack.emulator.responses) >= count
        ),
        timeout=15,
    )


def _pg_ready(stack: Stack) -> bool:
    return httpx.get(f"{stack.server.url}/healthz", timeout=10).json()["database"] == "ok"
