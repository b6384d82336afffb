"""How long a 7-day backfill takes against a local Hacker News-style server, and how many polls
the default budget (10 pages or 20 s per source per poll) spreads it over.

Usage: python benchmarks/backfill_bench.py [--latency MS] [--pg URL]

For brands of three sizes (a mention every 45, 5 and 1 minutes for a week) the bench runs a
first poll the way the worker does (live page, then the backfill within the budget) until the
backfill is done, on a fresh database, and prints requests, pages, mentions stored, wall time and
the number of polls. `--latency` adds a delay to every answer (a real platform is not on
localhost). The server answers like Algolia's `search_by_date` (the polling tests' local server).
Baseline in the same run: the same mentions stored through `store_mentions` in one batch, i.e.
the floor set by sentiment scoring and inserts; "bot s" is the wall time less the local server's
own time and the added latency, and "ratio" compares it with that floor (what paging, one
transaction per page and the live polls cost on top).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from benchmarks.ingest_bench import drop_schema, pg_schema, sqlite_url  # noqa: E402
from bot.app import Crisisbot  # noqa: E402
from bot.core.clock import ManualClock  # noqa: E402
from bot.core.config import load_config  # noqa: E402
from bot.core.settings import Settings  # noqa: E402
from bot.intake.ingest import store_mentions  # noqa: E402
from bot.intake.polling import Poller, http_client  # noqa: E402
from models import Mention as MentionRow  # noqa: E402
from sources.base import Mention  # noqa: E402
from tests.bot.test_backfill import BRANDS, SlowPlatforms, timeline  # noqa: E402
from tests.bot.test_polling_platforms import HN, serve, toml_sources  # noqa: E402


class TimedPlatforms(SlowPlatforms):
    """Counts the server's own time (it filters and sorts the whole timeline per request), so
    the bot's share of the wall time can be told apart."""

    server_seconds: float = 0.0

    def answer(
        self, path: str, q: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        started = time.perf_counter()
        try:
            return super().answer(path, q, headers)
        finally:
            self.server_seconds += time.perf_counter() - started - self.pause


def run(url: str, every: float, latency: float, tmp: Path) -> dict[str, float]:
    now = datetime.now(UTC)
    posts = timeline(now, calm_days=6.9, every_minutes=every, storm=0)
    platforms = TimedPlatforms({"hackernews": posts}, horizon=now, pause=latency)
    with contextmanager(serve)(platforms) as served:
        playbook = tmp / "crisisbot.toml"
        playbook.write_text(BRANDS + toml_sources(served.base_url, names=("hackernews",)))
        clock = ManualClock(now)
        with (
            Crisisbot(Settings(database_url=url), config=load_config(playbook), clock=clock) as bot,
            http_client() as client,
        ):
            poller = Poller(bot, client)
            polls = 0
            started = time.perf_counter()
            while True:
                polls += 1
                [result] = poller.poll_all()
                assert result.ok, result.error
                if result.backfill and result.backfill.startswith("backfill done"):
                    break
                clock.advance(seconds=60)
            elapsed = time.perf_counter() - started
            with bot.transaction() as session:
                stored = session.scalar(select(func.count()).select_from(MentionRow)) or 0
        requests = len(served.sent(HN))
    return {
        "posts": len(posts),
        "stored": stored,
        "requests": requests,
        "polls": polls,
        "seconds": elapsed,
        "server": platforms.server_seconds,
    }


def floor(url: str, every: float) -> float:
    """Storing the same mentions in one call: scoring and inserts, no HTTP."""
    now = datetime.now(UTC)
    posts = timeline(now, calm_days=6.9, every_minutes=every, storm=0)
    mentions = [
        Mention("hackernews", str(p.n), p.text, p.at, p.author, brand="Acme") for p in posts
    ]
    with Crisisbot(Settings(database_url=url)) as bot:
        started = time.perf_counter()
        with bot.transaction() as session:
            store_mentions(session, mentions, config=bot.config, now=now)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="ms added to every answer")
    parser.add_argument("--pg", default=os.environ.get("CRISISBOT_TEST_DATABASE_URL"))
    args = parser.parse_args()
    print(f"database: {'PostgreSQL' if args.pg else 'SQLite'}; latency {args.latency:.0f} ms")
    print("every  posts  stored  requests  polls  wall s  server s  bot s  store-only s  ratio")
    for every in (45.0, 5.0, 1.0):
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            urls = []
            for _ in range(2):
                if args.pg:
                    urls.append(pg_schema(args.pg))
                else:
                    sub = Path(tempfile.mkdtemp(dir=tmp))
                    urls.append((sqlite_url(sub), ""))
            try:
                got = run(urls[0][0], every, args.latency / 1000, tmp)
                base = floor(urls[1][0], every)
            finally:
                if args.pg:
                    for _, schema in urls:
                        drop_schema(args.pg, schema)
        bot_s = got["seconds"] - got["server"] - got["requests"] * args.latency / 1000
        print(
            f"{every:>4.0f}m  {got['posts']:>5.0f}  {got['stored']:>6.0f}  {got['requests']:>8.0f}"
            f"  {got['polls']:>5.0f}  {got['seconds']:>6.2f}  {got['server']:>8.2f}"
            f"  {bot_s:>5.2f}  {base:>12.2f}  {bot_s / base:>5.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
