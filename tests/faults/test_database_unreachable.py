"""The database stops answering under a running `crisisbot worker` for a while, then answers
again: the operator's log says so once each way, not at every try of every job.

Found by outside-in QA: two workers and `crisisbot serve` on PostgreSQL, the database made
unreachable for a minute, wrote about 10,000 log lines and 200 tracebacks per worker (each job's
run logged twice with psycopg's traceback, the courier's every retry once more).

PostgreSQL only, and it does not stop the server (others share it): the worker reaches the
test's database through a TCP proxy in this process, which the test closes and opens again.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app import Crisisbot
from bot.core.clock import system_clock
from bot.core.config import Config
from bot.core.settings import Settings
from bot.emulator import SlackEmulator
from tests.faults.helpers import CHANNEL, ingest_storm, keys_posted

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not os.environ.get("CRISISBOT_TEST_DATABASE_URL"),
    reason="a database server to lose the way to; SQLite is a file",
)


class TcpProxy:
    """127.0.0.1:port → target; `cut()` drops every connection and refuses new ones (the
    database host gone from the network), `mend()` listens again on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.port = self._listen(0)

    def _listen(self, port: int) -> int:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return int(listener.getsockname()[1])

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self._lock:
            assert self._listener is not None
            self._listener.close()
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._sockets.clear()

    def mend(self) -> None:
        self._listen(self.port)

    def close(self) -> None:
        self.cut()


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator().start()
    yield emu
    emu.stop()


def _wait_for(log: Path, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text(errors="replace")
        if text in content:
            return content
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never logged:\n{log.read_text(errors='replace')[-3000:]}")


def test_an_unreachable_database_is_one_line_in_the_log_each_way(
    tmp_path: Path, emulator: SlackEmulator, database_url: str
) -> None:
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": emulator.bot_token or "",
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": proxied,
        "CRISIS_CHANNEL": CHANNEL,
        "LOG_LEVEL": "WARNING",
    }
    (tmp_path / "crisisbot.toml").write_text("[detection]\ninterval = 2\n", encoding="utf-8")
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker"], cwd=tmp_path, env=env, stdout=out,
            stderr=out,
        )  # fmt: skip
    bot = Crisisbot(
        Settings(database_url=database_url, crisis_channel=CHANNEL), config=Config(),
        clock=system_clock,
    )  # fmt: skip
    try:
        _wait_for(log, "worker running", timeout=30)
        proxy.cut()
        # The courier tries every 2 s, delivery every 5 s, detection every 2 s: a dozen tries.
        _wait_for(log, "database unavailable", timeout=30)
        time.sleep(12)
        proxy.mend()
        _wait_for(log, "database answers again", timeout=30)

        # And it works again by itself: a storm stored now is detected and alerted, once.
        ingest_storm(bot, "Acme", bot.clock())
        emulator.wait_for(
            lambda: keys_posted(emulator.messages(CHANNEL)).get("incident:1") == 1, timeout=30
        )
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        bot.close()
        proxy.close()
    lines = log.read_text(errors="replace").splitlines()
    assert "Traceback" not in "\n".join(lines)
    said = [line for line in lines if " WARNING " in line or " ERROR " in line]
    assert len(said) == 2, "\n".join(lines[:40])
    assert "database unavailable while" in said[0]
    assert "Connection refused" in said[0] or "connection" in said[0].lower()
    assert "database answers again (unavailable for" in said[1]
