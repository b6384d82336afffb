"""Three real `crisisbot worker` processes on one PostgreSQL, one killed with SIGKILL mid-storm:
the survivors poll every source, detect the storm once and post one alert, and no mention is lost
or stored twice.

The storm reaches the bot the way a live one does: through RSS feeds served by a local HTTP
server, released a few items at a time while the workers poll them every second.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import func, select

from bot.app import Crisisbot
from bot.core.clock import system_clock
from bot.core.config import Brand, Config
from bot.core.settings import Settings
from bot.emulator import SlackEmulator
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.testing import CHANNEL, sample_storm
from models import Incident, Mention, Outbox, SourceState
from tests.faults.helpers import keys_posted

ROOT = Path(__file__).resolve().parents[2]
PG = bool(os.environ.get("CRISISBOT_TEST_DATABASE_URL"))
FEEDS = 4
WORKERS = 3

pytestmark = pytest.mark.skipif(
    not PG, reason="several workers need PostgreSQL (SQLite serialises writers: one worker there)"
)


class Feeds:
    """RSS feeds whose items are released over time; every request is logged with its time."""

    def __init__(self) -> None:
        self.items: dict[int, list[dict[str, Any]]] = {k: [] for k in range(FEEDS)}
        self.released = 0
        self.requests: list[tuple[float, int]] = []
        self.lock = threading.Lock()
        feeds = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                k = int(self.path.strip("/").split(".")[0].removeprefix("feed"))
                with feeds.lock:
                    feeds.requests.append((time.monotonic(), k))
                    body = feeds.rss(k).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, records: list[dict[str, Any]]) -> None:
        for i, r in enumerate(records):
            self.items[i % FEEDS].append(r)

    def release(self, n: int) -> None:
        with self.lock:
            self.released = n

    def rss(self, k: int) -> str:
        shown = [r for i, r in enumerate(self.items[k]) if i * FEEDS + k < self.released]
        items = "".join(
            f"<item><guid>{escape(r['id'])}</guid><title>{escape(r['text'])}</title>"
            f"<link>https://example.com/{escape(r['id'])}</link>"
            f"<pubDate>{format_datetime(datetime.fromisoformat(r['created_at']))}</pubDate>"
            "</item>"
            for r in reversed(shown)
        )
        head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        return f"{head}{items}</channel></rss>"

    def polled_after(self, at: float) -> dict[int, float]:
        """Each feed's first request after `at` (monotonic seconds)."""
        with self.lock:
            first: dict[int, float] = {}
            for t, k in self.requests:
                if t > at and k not in first:
                    first[k] = t
            return first


@pytest.fixture
def feeds() -> Iterator[Feeds]:
    f = Feeds()
    f.thread.start()
    yield f
    f.server.shutdown()
    f.server.server_close()


def _playbook(tmp_path: Path, feeds: Feeds) -> Path:
    sources = "".join(
        f'[[sources]]\ntype = "rss"\nname = "feed{k}"\nfeed = "{feeds.url}/feed{k}.xml"\n'
        "interval = 1\n\n"
        for k in range(FEEDS)
    )
    path = tmp_path / "crisisbot.toml"
    path.write_text(
        '[[brands]]\nname = "Acme"\n\n[detection]\ninterval = 1\n\n' + sources, encoding="utf-8"
    )
    return path


def _worker(tmp_path: Path, n: int, emu: SlackEmulator, url: str, playbook: Path) -> Any:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": emu.bot_token,
        "SLACK_API_URL": emu.api_url,
        "DATABASE_URL": url,
        "CRISIS_CHANNEL": CHANNEL,
        "CRISIS_CONFIG": str(playbook),
        "LOG_LEVEL": "WARNING",
    }
    with (tmp_path / f"worker{n}.log").open("ab") as log:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker"],
            cwd=tmp_path, env=env, stdout=log, stderr=log,
        )  # fmt: skip


def _wait(what: str, check: Any, timeout: float, tmp_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            logs = "".join(p.read_text()[-1500:] for p in sorted(tmp_path.glob("worker*.log")))
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.2)


def test_three_workers_one_killed_mid_storm(
    tmp_path: Path, feeds: Feeds, database_url: str
) -> None:
    emu = SlackEmulator().start()
    playbook = _playbook(tmp_path, feeds)
    config = Config(brands=(Brand("Acme"),))
    bot = Crisisbot(
        Settings(slack_bot_token=emu.bot_token, slack_api_url=emu.api_url,
                 database_url=database_url, crisis_channel=CHANNEL),
        config=config, clock=system_clock,
    )  # fmt: skip
    workers: list[subprocess.Popen[bytes]] = []
    try:
        now = datetime.now(UTC).replace(microsecond=0)
        records = list(sample_storm(now, brand="Acme", calm_days=4))
        storm_from = (now - timedelta(minutes=41)).isoformat()
        calm = [r for r in records if r["created_at"] < storm_from]
        storm = [{**r, "id": f"s{r['id']}"} for r in records if r["created_at"] >= storm_from]
        with bot.transaction() as session:  # the history, imported before the workers start
            store_mentions(session, [parse_record(r) for r in calm], config=config, now=now)
        feeds.add(storm)
        feeds.release(len(storm) // 3)
        workers = [_worker(tmp_path, n, emu, database_url, playbook) for n in range(WORKERS)]

        def stored() -> int:
            with bot.sessions() as session:
                return session.scalar(select(func.count()).select_from(Mention)) or 0

        # Mid-storm: a third of it stored, the rest still to come.
        _wait("the storm's first third", lambda: stored() >= len(calm) + 20, 60, tmp_path)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        killed_at = time.monotonic()
        feeds.release(len(storm))
        _wait("every storm mention", lambda: stored() == len(calm) + len(storm), 60, tmp_path)

        def alerted() -> bool:
            with bot.sessions() as session:
                sent = session.scalar(
                    select(func.count()).where(Outbox.kind == "card", Outbox.status == "sent")
                )
                return bool(sent)

        # The dead worker's claim on the alert (if it had one) lapses with its lease.
        _wait("the alert", alerted, 120, tmp_path)
        time.sleep(3)  # a few more passes of every job: nothing must open or post twice

        # Every source was polled again by the survivors within a few intervals of the kill.
        first = feeds.polled_after(killed_at)
        assert sorted(first) == list(range(FEEDS)), first
        assert max(first.values()) - killed_at < 10, first
        with bot.sessions() as session:
            incidents = session.scalars(select(Incident)).all()
            assert len(incidents) == 1 and incidents[0].brand == "Acme"
            ids = session.scalars(select(Mention.external_id)).all()
            assert len(ids) == len(set(ids)) == len(calm) + len(storm)
            states = session.scalars(select(SourceState)).all()
            assert len(states) == FEEDS and all(s.last_success_at for s in states)
        posts = [
            c
            for c in emu.calls("chat.postMessage")
            if "incident:1" in str(c.params.get("metadata", ""))
        ]
        assert len(posts) == 1, posts
        assert keys_posted(emu.messages(CHANNEL))["incident:1"] == 1
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
                w.wait(timeout=15)
        bot.close()
        emu.stop()
