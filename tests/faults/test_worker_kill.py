"""Requirement 2: the worker is killed with SIGKILL while it delivers, between Slack storing a
message and the worker committing that it did, then restarted: nothing lost, nothing doubled.

The worker is the real `crisisbot worker` in a subprocess, against the test's database (a
SQLite file or the PostgreSQL schema) and the emulator. The emulator is made to hold its answer
to chosen posts until the worker is dead, so the crash lands exactly in the window the outbox's
metadata lookup exists for.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import Crisisbot
from bot.core.clock import system_clock
from bot.core.config import Config
from bot.core.settings import Settings
from bot.emulator import SlackEmulator
from bot.response import outbox
from models import Incident, Outbox
from tests.faults.helpers import CHANNEL, assert_slack_matches_db, ingest_storm, keys_posted

ROOT = Path(__file__).resolve().parents[2]
BRANDS = ("Acme", "Globex", "Initech")
POSTS_PER_INCIDENT = 2


class HeldPosts:
    """Store the Nth chat.postMessage, then keep its answer until `release()`."""

    def __init__(self, emu: SlackEmulator, kill_at: set[int]) -> None:
        self.kill_at = kill_at
        self.count = 0
        self.stored = threading.Event()
        self._release = threading.Event()
        state = emu._state  # test-only hook: the emulator has no "slow answer" switch
        self._post = state.chat_postMessage
        state.chat_postMessage = self._wrapped

    def _wrapped(self, params: dict[str, Any]) -> Any:
        answer = self._post(params)
        self.count += 1
        if self.count in self.kill_at:
            self._release.clear()
            self.stored.set()
            self._release.wait(timeout=20)  # the worker dies while waiting for this answer
        return answer

    def release(self) -> None:
        self.stored.clear()
        self._release.set()


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator().start()
    yield emu
    emu.stop()


def _worker(tmp_path: Path, emu: SlackEmulator, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": emu.bot_token,
        "SLACK_API_URL": emu.api_url,
        "DATABASE_URL": database_url,
        "CRISIS_CHANNEL": CHANNEL,
        "LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "worker.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"], cwd=tmp_path, env=env, stdout=log, stderr=log
    )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def _pending(bot: Crisisbot) -> int:
    with bot.sessions() as session:
        return len(session.scalars(select(Outbox.id).where(Outbox.status == "pending")).all())


# The emulator writing its held answer to the killed worker's socket gets a broken pipe: the
# point of the test, not a fault in it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_worker_killed_mid_delivery_loses_and_doubles_nothing(
    tmp_path: Path, emulator: SlackEmulator, database_url: str
) -> None:
    settings = Settings(
        slack_bot_token=emulator.bot_token,
        slack_api_url=emulator.api_url,
        database_url=database_url,
        crisis_channel=CHANNEL,
    )
    # The test's own bot only writes (detection, outbox rows); the worker does all delivery.
    bot = Crisisbot(settings, config=Config(), clock=system_clock)
    try:
        now = bot.clock()
        for seed, brand in enumerate(BRANDS):
            ingest_storm(bot, brand, now, seed=seed)
        with bot.transaction() as session:
            from bot.detection import detect as detection

            opened = detection.run_detection(session, config=bot.config, channel=CHANNEL, now=now)
            for incident in opened:
                for k in range(POSTS_PER_INCIDENT):
                    outbox.enqueue_post(session, incident, text=f"update {k}", now=now)
        assert len(opened) == 3
        expected = 3 * (1 + POSTS_PER_INCIDENT)

        # Crash 1 on the second alert (a first post, found again via conversations.history);
        # crash 2 on a thread reply (found again via conversations.replies).
        held = HeldPosts(emulator, kill_at={2, 6})
        for crash in (1, 2):
            worker = _worker(tmp_path, emulator, database_url)
            assert held.stored.wait(timeout=60), f"worker never reached crash point {crash}"
            _kill(worker)
            held.release()
            # Slack has the message, the database does not know it was posted.
            assert _pending(bot) > 0
            # The dead worker's lease would run out after a minute; let that minute pass.
            with bot.transaction() as session:
                session.execute(
                    update(Outbox)
                    .where(Outbox.locked_until.is_not(None))
                    .values(locked_until=bot.clock())
                )
        worker = _worker(tmp_path, emulator, database_url)
        try:
            deadline = time.monotonic() + 90
            while _pending(bot) and time.monotonic() < deadline:
                time.sleep(0.3)
            assert _pending(bot) == 0, (tmp_path / "worker.log").read_text()[-3000:]
        finally:
            worker.terminate()
            worker.wait(timeout=15)

        shown = emulator.messages(CHANNEL)
        posted = keys_posted(shown)
        assert sum(posted.values()) == expected, posted
        assert assert_slack_matches_db(bot, shown) == 3
        assert emulator.calls("conversations.history"), "the lost alert was looked up"
        assert emulator.calls("conversations.replies"), "the lost reply was looked up"
        with bot.sessions() as session:
            assert all(i.message_ts for i in session.scalars(select(Incident)))
            failed = session.scalars(select(Outbox).where(Outbox.status != "sent")).all()
            assert failed == []
    finally:
        bot.close()
