"""Stopping the bot lets the work in hand finish: a listener still answering a person after its
ack, the web server's request threads, the courier. Only then do the database connections close,
so none is dropped unclosed (PostgreSQL would log an aborted session; psycopg warns)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.app import Crisisbot
from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.core.settings import Settings
from bot.emulator import SlackEmulator
from bot.testing import Stack, start_stack

ROOT = Path(__file__).resolve().parents[2]


class HeldResponses:
    """The emulator stores what a listener POSTs to its response_url, then holds the answer until
    `release()`: a listener still at work after the ack when the bot is told to stop."""

    def __init__(self, emu: SlackEmulator) -> None:
        self.reached = threading.Event()
        self._release = threading.Event()
        self._handle = emu._handle  # test-only hook: the emulator has no "slow answer" switch
        emu._handle = self._wrapped  # type: ignore[method-assign]

    def _wrapped(self, path: str, headers: dict[str, str], body: bytes) -> Any:
        reply = self._handle(path, headers, body)
        if path.startswith("/commands/"):
            self.reached.set()
            self._release.wait(timeout=10)
        return reply

    def release(self) -> None:
        self._release.set()


def _threads(prefix: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix) and t.is_alive()]


def test_stop_waits_for_a_listener_still_answering_after_its_ack(
    database_url: str, clock: ManualClock
) -> None:
    stack = start_stack(database_url, clock=clock)
    held = HeldResponses(stack.emulator)
    pool = stack.bot.engine.pool
    assert stack.slack.command("list").status_code == 200  # acked at once
    assert held.reached.wait(timeout=10)

    stopper = threading.Thread(target=stack.stop)
    stopper.start()
    stopper.join(timeout=0.5)
    assert stopper.is_alive(), "stop() returned while a listener was still at work"
    held.release()
    stopper.join(timeout=20)
    assert not stopper.is_alive()

    assert [r["kind"] for r in stack.emulator.responses] == ["commands"]
    assert pool.checkedout() == 0
    assert not _threads("listener") and not _threads("courier")


def test_stop_ends_the_web_servers_request_threads(database_url: str, clock: ManualClock) -> None:
    before = set(_threads("waitress"))
    stack: Stack = start_stack(database_url, clock=clock)
    assert stack.slack.command("list").status_code == 200
    assert set(_threads("waitress")) - before  # waitress answered on its own threads
    stack.stop()
    assert not set(_threads("waitress")) - before


def test_close_runs_its_closers_while_the_database_is_still_open(database_url: str) -> None:
    bot = Crisisbot(Settings(database_url=database_url), config=Config())
    seen: list[int] = []

    def last_work() -> None:
        with bot.transaction() as session:
            seen.append(session.execute(text("SELECT 1")).scalar_one())

    bot.on_close(last_work)
    pool = bot.engine.pool
    bot.close()
    assert seen == [1]
    assert pool.checkedout() == 0
    bot.close()  # twice is harmless (the CLI closes every bot it opened on the way out)
    assert seen == [1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sigterm_stops_crisisbot_serve_cleanly(database_url: str) -> None:
    emu = SlackEmulator().start()
    try:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": emu.bot_token or "",
            "SLACK_SIGNING_SECRET": "secret",
            "SLACK_API_URL": emu.api_url,
            "DATABASE_URL": database_url,
            "CRISIS_CHANNEL": "C0CRISIS",
            "PORT": str(_free_port()),
            "LOG_LEVEL": "WARNING",
        }
        with subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True,
        ) as proc:  # fmt: skip
            assert proc.stderr is not None
            line = proc.stderr.readline()
            assert line.startswith("crisisbot: listening on port"), line  # and no warning before
            time.sleep(0.3)  # past the print, into waitress's loop
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 0, proc.stderr.read()
    finally:
        emu.stop()


def test_stop_leaves_a_paced_backlog_pending_instead_of_sending_it_first(
    database_url: str, clock: ManualClock
) -> None:
    """The courier sends one message a second per channel (Slack's pace). Told to stop with a
    backlog, it finished its whole pass first: `crisisbot serve` with a few hundred queued
    messages took 30 s to stop on SIGTERM (docker stop kills at 10). Now it ends after the
    message in hand; the rest stay pending for the next process, nothing lost."""
    from bot.response import outbox
    from models import Outbox

    team = start_stack(database_url, clock=clock, courier=False, min_post_interval=1.0)
    try:
        with team.bot.transaction() as session:
            for k in range(12):
                outbox.enqueue_channel_post(
                    session, key=f"backlog:{k}", channel="C0CRISIS", text=f"note {k}", now=clock()
                )
        team.bot.start_courier()
        team.bot.kick()
        team.emulator.wait_for(lambda: len(team.emulator.messages("C0CRISIS")) >= 1)
        started = time.monotonic()
        team.bot.close()
        assert time.monotonic() - started < 3.0
        with team.bot.sessions() as session:
            pending = session.query(Outbox).filter(Outbox.status == "pending").count()
        assert pending >= 8  # left for the next process
    finally:
        team.stop()


def test_sigterm_stops_crisisbot_worker_while_a_source_does_not_answer(
    database_url: str, tmp_path: Path
) -> None:
    """Found by outside-in QA: SIGTERM to `crisisbot worker` (or `run`) while a source
    trickled its body took 42 s to stop (up to the 60 s a body may take; 15 s for a source that
    says nothing: the read's timeout), past docker stop's 10: the scheduler's thread pool is
    joined at exit whatever its shutdown is told. Now the jobs in hand get a few seconds, and a
    poll still waiting on its platform is left (its fetch commits nothing)."""
    from http.server import BaseHTTPRequestHandler

    from tests.local_server import serving

    asked = threading.Event()

    class Silent(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.set()
            time.sleep(40)  # answers nothing within the source's 15 s read timeout

        def log_message(self, format: str, *args: Any) -> None:
            pass

    emu = SlackEmulator().start()
    try:
        with serving(Silent) as base_url:
            (tmp_path / "crisisbot.toml").write_text(
                '[[sources]]\nname = "hn"\ntype = "hackernews"\nquery = "acme"\n'
                f'base_url = "{base_url}"\ninterval = 60\n',
                encoding="utf-8",
            )
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "SLACK_BOT_TOKEN": emu.bot_token or "",
                "SLACK_API_URL": emu.api_url,
                "DATABASE_URL": database_url,
                "CRISIS_CHANNEL": "C0CRISIS",
                "LOG_LEVEL": "WARNING",
            }
            with subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "worker"],
                env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True,
            ) as proc:  # fmt: skip
                assert proc.stderr is not None
                assert asked.wait(timeout=30), proc.stderr.readline()
                time.sleep(0.5)
                proc.send_signal(signal.SIGTERM)
                started = time.monotonic()
                status = proc.wait(timeout=60)
                took = time.monotonic() - started
                said = proc.stderr.read()
    finally:
        emu.stop()
    assert status == 0, said
    assert took < 9, f"took {took:.1f} s to stop"
    assert "stopping without waiting for poll:hn (nothing is lost" in said
    assert "Traceback" not in said
