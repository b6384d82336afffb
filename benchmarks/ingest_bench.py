"""Ingest → score → store → detect, in mentions per second, against the TextBlob-only floor.

Usage: python benchmarks/ingest_bench.py [--mentions N] [--pg URL]

The floor is the same texts scored with plain `textblob.TextBlob(text).sentiment` and nothing
else; the pipeline is `store_mentions` (brand, our sentiment analyzer, one INSERT … ON CONFLICT
per batch, RETURNING) in 2,000-mention transactions as `crisisbot ingest` does, then one
detection pass over everything stored. Both are timed in the same run; the figure that
matters is the ratio (target: at least 0.7). SQLite runs on a temp file; PostgreSQL (when
--pg or CRISISBOT_TEST_DATABASE_URL is given) in a throw-away schema.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from textblob import TextBlob  # noqa: E402

from bot.core.config import Config  # noqa: E402
from bot.core.db import drop_schema, scratch_schema, upgrade  # noqa: E402
from bot.detection.detect import run_detection  # noqa: E402
from bot.intake.ingest import store_mentions  # noqa: E402
from detectors.sentiment import analyze  # noqa: E402
from models import create_db_engine, session_factory  # noqa: E402
from sources.base import Mention  # noqa: E402

BATCH = 2000
OPENERS = [
    "{b} charged me twice and support is not answering",
    "Is {b} down? The app has been broken all morning",
    "Picked up my {b} order today, smooth as always",
    "Three hours on hold with {b}, worst customer service ever",
    "Does {b} ship to Canada? asking for a friend",
    "{b} support sorted my question quickly, great job",
    "Never buying from {b} again, boycott",
    "New {b} store opening downtown next month",
]
TAILS = [
    "honestly", "so disappointed", "love it", "really bad", "not happy", "amazing team",
    "terrible", "thanks!", "#fail", "totally useless", "pretty good", "awful experience",
]  # fmt: skip


def make_mentions(n: int, now: datetime, seed: int = 1) -> list[Mention]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        brand = rng.choice(["Acme", "Globex", "Initech", "Umbrella"])
        body = rng.choice(OPENERS).format(b=brand)
        words = " ".join(rng.sample(TAILS, 3))
        out.append(
            Mention(
                source="bench",
                external_id=f"m{i}",
                text=f"{body} {words} (order {rng.randint(1, 10**6)})",
                created_at=now - timedelta(minutes=rng.uniform(0, 3 * 24 * 60)),
                author=f"user{rng.randint(1, 5000)}",
                author_followers=rng.choice([12, 150, 900, 4_000, 27_000]),
                url=f"https://example.com/{i}",
                brand=brand,
            )
        )
    return out


def textblob_floor(mentions: list[Mention]) -> float:
    started = time.perf_counter()
    for m in mentions:
        TextBlob(m.text).sentiment  # noqa: B018 - the work being timed
    return len(mentions) / (time.perf_counter() - started)


def pipeline(url: str, mentions: list[Mention], now: datetime) -> tuple[float, float, int]:
    """Mentions per second for store + detect; also seconds spent detecting, incidents opened."""
    engine = create_db_engine(url)
    sessions = session_factory(engine)
    config = Config()
    try:
        started = time.perf_counter()
        for i in range(0, len(mentions), BATCH):
            with sessions.begin() as session:
                store_mentions(session, mentions[i : i + BATCH], config=config, now=now)
        detect_started = time.perf_counter()
        with sessions.begin() as session:
            opened = run_detection(session, config=config, channel="C0BENCH", now=now)
        done = time.perf_counter()
        return len(mentions) / (done - started), done - detect_started, len(opened)
    finally:
        engine.dispose()


def _measured(url: str, mentions: list[Mention], now: datetime) -> tuple[float, float, float, int]:
    """The floor is timed right before and right after the pipeline and averaged, so a shared
    machine's load drifts into both sides of the ratio alike."""
    before = textblob_floor(mentions)
    rate, detect_s, opened = pipeline(url, mentions, now)
    after = textblob_floor(mentions)
    return (before + after) / 2, rate, detect_s, opened


def sqlite_url(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'bench.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def pg_schema(base: str) -> tuple[str, str]:
    rendered, schema = scratch_schema(base, "crisisbot_bench")
    engine = create_db_engine(rendered)
    upgrade(engine)
    engine.dispose()
    return rendered, schema


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=20_000)
    parser.add_argument("--pg", default=os.environ.get("CRISISBOT_TEST_DATABASE_URL"))
    args = parser.parse_args()
    now = datetime.now(UTC)
    mentions = make_mentions(args.mentions, now)
    # Warm both analyzers (lexicon loading is a one-off cost, not throughput).
    for m in mentions[:200]:
        TextBlob(m.text).sentiment  # noqa: B018
        analyze(m.text)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(("SQLite", *_measured(sqlite_url(Path(tmp)), mentions, now)))
    if args.pg:
        url, schema = pg_schema(args.pg)
        try:
            results.append(("PostgreSQL", *_measured(url, mentions, now)))
        finally:
            drop_schema(args.pg, schema)
    print(f"{len(mentions):,} mentions; target ratio >= 0.7")
    for name, floor, rate, detect_s, opened in results:
        print(
            f"{name:<10} ingest→score→store→detect {rate:,.0f} mentions/s "
            f"(detection pass {detect_s:.2f}s, {opened} incidents) | TextBlob-only floor "
            f"{floor:,.0f} mentions/s | ratio {rate / floor:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
