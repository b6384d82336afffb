"""Storm to alert: from a storm's mentions being stored to its alert being visible in Slack.

Usage: python benchmarks/storm_bench.py [--interval 5] [--storms 3] [--pg URL]

The real `crisisbot worker` runs in a subprocess (crisisbot.toml: `[detection] interval = N`)
against the database and the local Slack emulator. Each brand gets a calm history first; then,
one brand at a time, its storm is written (as POST /ingest or a poll would store it) and the
clock starts; it stops when the emulator holds the brand's alert. Target: at most one
detection interval plus 5 seconds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from benchmarks.ingest_bench import drop_schema, pg_schema, sqlite_url  # noqa: E402
from bot.app import Crisisbot  # noqa: E402
from bot.core.clock import system_clock  # noqa: E402
from bot.core.config import Config  # noqa: E402
from bot.core.settings import Settings  # noqa: E402
from bot.emulator import SlackEmulator  # noqa: E402
from bot.intake.importer import parse_record  # noqa: E402
from bot.intake.ingest import store_mentions  # noqa: E402
from bot.testing import CHANNEL, sample_storm  # noqa: E402

BRANDS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli")


def _store(bot: Crisisbot, records: list[dict]) -> None:
    with bot.transaction() as session:
        store_mentions(
            session, [parse_record(r) for r in records], config=bot.config, now=bot.clock()
        )


def run(database_url: str, interval: int, storms: int, workdir: Path) -> list[float]:
    emu = SlackEmulator().start()
    bot = Crisisbot(
        Settings(database_url=database_url, crisis_channel=CHANNEL), config=Config(),
        clock=system_clock,
    )  # fmt: skip
    (workdir / "crisisbot.toml").write_text(f"[detection]\ninterval = {interval}\n")
    worker = None
    took = []
    try:
        now = bot.clock()
        brands = BRANDS[:storms]
        split = now - timedelta(minutes=40)
        storm_records = {}
        for seed, brand in enumerate(brands):
            records = [
                {**r, "id": f"{brand}-{r['id']}"}
                for r in sample_storm(now + timedelta(minutes=5), brand=brand, seed=seed)
            ]
            _store(bot, [r for r in records if r["created_at"] < split.isoformat()])
            storm_records[brand] = [r for r in records if r["created_at"] >= split.isoformat()]
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "SLACK_BOT_TOKEN": emu.bot_token,
            "SLACK_API_URL": emu.api_url,
            "DATABASE_URL": database_url,
            "CRISIS_CHANNEL": CHANNEL,
            "LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker"], cwd=workdir, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(interval + 2)  # the worker is up and has seen only calm
        for brand in brands:
            # The storm's mentions, dated up to now (sample_storm ends 5 min ahead; drop those).
            cutoff = bot.clock().isoformat()
            _store(bot, [r for r in storm_records[brand] if r["created_at"] <= cutoff])
            started = time.monotonic()
            while not any(
                f"{brand}: mention storm" in m.get("text", "")
                for m in emu.messages(CHANNEL)
                if not m.get("thread_ts")
            ):
                if time.monotonic() - started > 4 * interval + 30:
                    raise SystemExit(f"no alert for {brand}")
                time.sleep(0.05)
            took.append(time.monotonic() - started)
        return took
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=15)
        bot.close()
        emu.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=int, default=5)
    parser.add_argument("--storms", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("CRISISBOT_TEST_DATABASE_URL"))
    args = parser.parse_args()
    bound = args.interval + 5
    targets = [("SQLite", None)] + ([("PostgreSQL", args.pg)] if args.pg else [])
    for name, pg in targets:
        with tempfile.TemporaryDirectory() as tmp:
            if pg:
                url, schema = pg_schema(pg)
            else:
                url, schema = sqlite_url(Path(tmp)), None
            try:
                took = run(url, args.interval, args.storms, Path(tmp))
            finally:
                if schema:
                    drop_schema(pg, schema)
        shown = ", ".join(f"{t:.1f}s" for t in took)
        print(
            f"{name:<10} storm→alert: {shown}; worst {max(took):.1f}s vs interval+5 = {bound}s "
            f"({'within' if max(took) <= bound else 'OVER'})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
