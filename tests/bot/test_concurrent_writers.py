"""The worker's timer pass while a request handler is writing: on SQLite the pass used to fail at
once with "database is locked" (its savepoint read the incident, then could not take the write
lock the handler held), and the escalation waited for a later pass. Now it waits its turn."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from bot import jobs
from bot.core.clock import ManualClock
from bot.testing import Stack, calm_stream, start_stack
from models import Incident
from tests.bot.flow import open_storm, thread
from tests.bot.test_response import PLAYBOOK
from tests.conftest import PG_URL
from tests.models.test_transactions import _write_locked

PUSHED = 3000  # enough for the push's transaction to outlast a timer pass by far


@pytest.fixture
def team(database_url: str, clock: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock, config=PLAYBOOK)
    yield s
    s.stop()


def test_a_timer_pass_during_a_long_push_escalates_instead_of_failing(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    clock.advance(minutes=16)  # nobody claimed it: the pass escalates it by itself
    now = clock()
    records = calm_stream("webhook", now - timedelta(days=2), now, PUSHED / 48, seed=3)
    answers: list[httpx.Response] = []
    push = threading.Thread(target=lambda: answers.append(team.push(records)))
    push.start()
    try:
        if not PG_URL:  # the pass must come while the push holds SQLite's write lock
            deadline = time.monotonic() + 30
            while not _write_locked(team.bot.engine):
                assert push.is_alive() and time.monotonic() < deadline, "the push never wrote"
                time.sleep(0.002)
        jobs.run_timers(team.bot)
    finally:
        push.join(timeout=60)
    assert answers and answers[0].status_code == 200, answers
    assert answers[0].json()["new"] == len(records)
    with team.bot.sessions() as session:
        incident = session.get(Incident, n)
        assert incident is not None and incident.status == "escalated" and incident.level == 1
    team.emulator.wait_for(
        lambda: any("escalated to *Comms lead*" in m["text"] for m in thread(team, n))
    )
