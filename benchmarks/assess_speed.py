"""How long one detection pass takes: `assess` (replays the whole history) against a
`StormTracker` (feeds only new bins), and the `crisisbot backtest --mentions` replay; and for a
brand still judged by cold start (`--young-hours` of history), its passes and its first pass
after a 3-hour outage (every settled window judged by cold start once, for late alerts).

Not a test. Usage: PYTHONPATH=. python benchmarks/assess_speed.py [--days 14] [--per-bin 12.4]
  [--young-hours 40] [--young-only]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from bot.core.config import Config  # noqa: E402
from bot.detection.backtest import replay  # noqa: E402
from bot.detection.detect import storm_settings  # noqa: E402
from bot.intake.importer import parse_record  # noqa: E402
from bot.intake.ingest import ScoredMention  # noqa: E402
from bot.testing import sample_storm  # noqa: E402
from detectors.sentiment import analyze  # noqa: E402
from detectors.storm import StormSettings, StormTracker, assess  # noqa: E402

T0 = datetime(2025, 3, 3, tzinfo=UTC)
BIN = timedelta(minutes=5)
KEYWORDS = ("breach", "recall", "boycott", "lawsuit", "outage")


@dataclass(frozen=True, slots=True)
class Mention:
    created_at: datetime
    text: str
    label: str | None
    polarity: float | None
    author: str | None
    author_followers: int | None
    url: str | None


def mentions(days: int, per_bin: float, seed: int = 1) -> list[Mention]:
    """A busy brand with a daily rhythm: about `per_bin` mentions per 5 minutes."""
    rng = random.Random(seed)
    out = []
    for i in range(days * 288):
        lam = per_bin * (1 + 0.6 * math.sin(2 * math.pi * (i % 288) / 288))
        for _ in range(max(0, round(rng.gauss(lam, math.sqrt(lam))))):
            neg = rng.random() < 0.2
            text = "acme outage again" if rng.random() < 0.01 else "bought acme today"
            out.append(
                Mention(
                    T0 + i * BIN + timedelta(seconds=rng.randrange(300)),
                    text,
                    "negative" if neg else "neutral",
                    -0.5 if neg else 0.1,
                    f"u{rng.randrange(9999)}",
                    rng.choice([10, 500, 200_000]),
                    None,
                )
            )
    out.sort(key=lambda m: m.created_at)
    return out


def timed(
    fn: Callable[[], object], runs: int, clock: Callable[[], float] = time.perf_counter
) -> list[float]:
    out = []
    for _ in range(runs):
        t = clock()
        fn()
        out.append((clock() - t) * 1000)
    return out


def live(days: int, per_bin: float) -> None:
    history = mentions(days + 1, per_bin)
    settings = StormSettings(keywords=KEYWORDS)
    end = T0 + timedelta(days=days)
    window = [m for m in history if m.created_at <= end]
    print(
        f"== one pass over {days} days, {len(window):,} mentions "
        f"({len(window) / (days * 288):.1f} per bin)"
    )
    full = timed(lambda: assess(window, end, settings), 3)
    print(f"assess (replays every bin):        median {statistics.median(full):7.1f} ms")
    tracker = StormTracker(settings)
    first = timed(lambda: tracker.assess(window, end), 1)[0]
    print(f"StormTracker, first pass (builds): {first:7.1f} ms")
    passes = []
    lookback = timedelta(days=days)
    for k in range(1, 25):  # two hours of passes, a minute apart, the look-back sliding on
        now = end + timedelta(minutes=k)
        own = [m for m in history if now - lookback < m.created_at <= now]
        passes.extend(timed(lambda own=own, now=now: tracker.assess(own, now), 1))
    print(
        f"StormTracker, next passes:         median {statistics.median(passes):7.1f} ms, "
        f"max {max(passes):.1f} ms (rebuilds: {tracker.rebuilds})"
    )


def young(hours: int, per_bin: float, runs: int = 9) -> None:
    """A brand with `hours` of history (under cold start's two days): the live bot gives its
    tracker the whole look-back every pass. Medians of `runs`, in CPU time (this process's: on a
    shared machine the wall clock measures the neighbours)."""
    cpu = time.process_time
    history = mentions(hours // 24 + 2, per_bin)
    settings = StormSettings(keywords=KEYWORDS)
    end = T0 + timedelta(hours=hours)
    seen = [m for m in history if m.created_at <= end]
    print(f"== a young brand: {hours} h of history, {len(seen):,} mentions ({per_bin} per bin)")
    builds, passes, backs = [], [], []
    for _ in range(runs):
        tracker = StormTracker(settings)
        builds += timed(lambda tracker=tracker: tracker.assess(seen, end), 1, cpu)
        for k in range(1, 13):  # an hour of passes, five minutes apart (a bin settles each)
            now = end + timedelta(minutes=5 * k)
            own = [m for m in history if m.created_at <= now]
            passes += timed(lambda own=own, now=now, t=tracker: t.assess(own, now), 1, cpu)
        now = end + timedelta(hours=4)  # the worker down for three hours: 36 bins to settle
        own = [m for m in history if m.created_at <= now]
        backs += timed(lambda own=own, now=now, t=tracker: t.assess(own, now), 1, cpu)
    print(f"StormTracker, first pass (builds): median {statistics.median(builds):7.1f} ms CPU")
    print(f"StormTracker, next passes:         median {statistics.median(passes):7.1f} ms CPU")
    print(f"StormTracker, back after 3 h down: median {statistics.median(backs):7.1f} ms CPU")


def replay_speed() -> None:
    config = Config()
    records = [parse_record(r) for r in sample_storm(T0 + timedelta(days=7))]
    history = sorted(
        (
            ScoredMention(
                r.source,
                r.text,
                r.created_at,
                r.author,
                r.author_followers,
                r.url,
                analyze(r.text).label,
                None,
                r.brand,
            )
            for r in records
        ),
        key=lambda m: m.created_at,
    )
    print(f"== backtest --mentions replay: {len(history)} mentions over a week")
    t = time.perf_counter()
    opened = list(replay(records, config))  # the records, as `crisisbot backtest` reads them
    new = time.perf_counter() - t
    t = time.perf_counter()
    old = _replay_with_assess(history, config)
    before = time.perf_counter() - t
    print(
        f"one StormTracker pass: {new:.2f} s, {len(opened)} incidents; "
        f"assess at every bin end (before): {before:.2f} s, {old} passes fired"
    )


def _replay_with_assess(history: list[ScoredMention], config: Config) -> int:
    """The previous replay loop: a fresh `assess` at the end of every bin with mentions."""
    fired, start = 0, 0
    settings = storm_settings(config, history[0].brand)
    for end in range(1, len(history) + 1):
        if end < len(history) and _bin(history[end]) == _bin(history[end - 1]):
            continue
        now = history[end - 1].created_at  # (approximately the bin's end; enough for timing)
        while history[start].created_at <= now - timedelta(days=config.lookback_days):
            start += 1
        fired += assess(history[start:end], now, settings).fired
    return fired


def _bin(m: ScoredMention) -> int:
    return (m.created_at - T0) // BIN


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--per-bin", type=float, default=12.4)
    ap.add_argument("--young-hours", type=int, default=40)
    ap.add_argument("--young-only", action="store_true", help="only the young brand's figures")
    args = ap.parse_args(argv)
    young(args.young_hours, args.per_bin)
    if not args.young_only:
        live(args.days, args.per_bin)
        replay_speed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
