"""Replay the shared NAB tweet-volume series through the volume detector and score it.

Not a test: reads ../shared (the labelled series and the NAB scorer). Usage:

    PYTHONPATH=. python benchmarks/nab_volume.py [--scorer PATH] [--data DIR] [--windows JSON]

Prints the scorer's output for the detector, then for a rolling z-score baseline measured in the
same run, and the detector's throughput in bins per second.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from detectors.volume import VolumeSettings, run_series

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

Series = list[tuple[datetime, float]]
Detector = Callable[[Series], list[int]]


def read_series(path: Path) -> tuple[list[str], Series]:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    stamps = [r["timestamp"] for r in rows]
    series = [(datetime.fromisoformat(r["timestamp"]), float(r["value"])) for r in rows]
    return stamps, series


def volume_alerts(series: Series, settings: VolumeSettings | None = None) -> list[int]:
    return [int(r.alert) for r in run_series(series, settings)]


def rolling_z_alerts(series: Series, window: int = 288, k: float = 4.0,
                     gap: int = 72) -> list[int]:
    """The README's baseline: > k sd above the past day's mean, at most once every 6 hours."""
    past: deque[float] = deque(maxlen=window)
    out: list[int] = []
    last = -gap
    for i, (_, v) in enumerate(series):
        fire = 0
        if len(past) >= 12:
            mu, sd = statistics.fmean(past), statistics.pstdev(past)
            if v > mu + k * max(sd, 1e-9) and i - last >= gap:
                fire, last = 1, i
        out.append(fire)
        past.append(v)
    return out


def score(name: str, detector: Detector, files: Iterable[Path], args: argparse.Namespace) -> float:
    """Write one result CSV per series, run the scorer, return detector bins per second."""
    bins, elapsed = 0, 0.0
    with tempfile.TemporaryDirectory() as out:
        for path in files:
            stamps, series = read_series(path)
            t0 = time.perf_counter()
            alerts = detector(series)
            elapsed += time.perf_counter() - t0
            bins += len(series)
            with (Path(out) / path.name).open("w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["timestamp", "alert"])
                w.writerows(zip(stamps, alerts, strict=True))
        print(f"== {name}")
        cmd = [sys.executable, str(args.scorer), "--data", str(args.data),
               "--windows", str(args.windows), "--results", out]
        subprocess.run(cmd, check=True)
    return bins / elapsed if elapsed else float("inf")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scorer", type=Path, default=SHARED / "tools" / "nab_score.py")
    ap.add_argument("--data", type=Path, default=SHARED / "data" / "nab")
    ap.add_argument("--windows", type=Path, default=None)
    args = ap.parse_args(argv)
    args.windows = args.windows or args.data / "windows.json"
    files = sorted(args.data.glob("*.csv"))
    speed = score("volume detector (defaults)", volume_alerts, files, args)
    score("rolling z-score baseline (24h, 4 sd, 6h gap)", rolling_z_alerts, files, args)
    print(f"volume detector throughput: {speed:,.0f} bins/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
