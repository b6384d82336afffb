"""Replay the shared NAB tweet-volume series through the volume detector and score it.

Not a test: reads ../shared (the labelled series and the NAB scorer). Usage:

    PYTHONPATH=. python benchmarks/nab_volume.py [--scorer PATH] [--data DIR] [--windows JSON]

Prints the scorer's output for the detector, then for a rolling z-score baseline measured in the
same run, and the detector's throughput in bins per second. `--loo` adds a leave-one-file-out check:
for each file, the best of a small grid of settings on the other two files, scored on the held-out
one (how the defaults might do on series they were not tuned on).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import itertools
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from detectors.volume import DAY_SECONDS, VolumeSettings, run_series  # noqa: E402

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


def rolling_z_alerts(series: Series, window: int = 288, k: float = 4.0, gap: int = 72) -> list[int]:
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
        cmd = [
            sys.executable,
            str(args.scorer),
            "--data",
            str(args.data),
            "--windows",
            str(args.windows),
            "--results",
            out,
        ]
        subprocess.run(cmd, check=True)
    return bins / elapsed if elapsed else float("inf")


def synthetic(days: int, base: float, seed: int, storm: float) -> tuple[Series, int]:
    """Bursty counts: daily and weekly rhythm, gamma-Poisson noise (over-dispersed), random
    one-bin bursts of 3-8x, and one storm of `storm` times the hour's volume (0 = none)."""
    rng = random.Random(seed)
    at = rng.randrange(9 * 288, (days - 1) * 288)
    out: Series = []
    for i in range(days * 288):
        hour = i / 12 % 24
        lam = base * (1 + 0.7 * math.sin((hour - 9) / 12 * math.pi))
        lam *= 0.6 if i // 288 % 7 >= 5 else 1.0
        lam *= rng.gammavariate(5.0, 0.2)  # over-dispersion
        if rng.random() < 0.002:
            lam *= rng.uniform(3, 8)
        if storm and at <= i < at + 24:
            lam += storm * base * min(1.0, (i - at + 1) / 6)  # ramps up over half an hour
        out.append((datetime(2024, 1, 1) + timedelta(minutes=5 * i), _poisson(rng, lam)))
    return out, at


def _poisson(rng: random.Random, lam: float) -> float:
    if lam > 30:
        return float(max(0, round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while (p := p * rng.random()) > limit:
        k += 1
    return float(k)


def synthetic_report(runs: int = 6) -> None:
    """False alerts per week on calm bursty series, and detection delay of injected storms."""
    print("== synthetic (bursty gamma-Poisson, rhythm, one-bin bursts; 21 days each)")
    for base in (1.0, 10.0, 100.0):
        calm_alerts = 0
        delays: list[int] = []
        for seed in range(runs):
            calm, _ = synthetic(21, base, seed, 0.0)
            calm_alerts += sum(volume_alerts(calm)[9 * 288 :])  # after the first week (+2 days)
            stormy, at = synthetic(21, base, seed, 3.0)
            hits = [i for i, a in enumerate(volume_alerts(stormy)) if a and i >= at]
            delays.extend([hits[0] - at] if hits and hits[0] < at + 24 else [])
        weeks = runs * 12 / 7
        delay = f"median delay {statistics.median(delays) * 5:.0f} min" if delays else "no hits"
        print(
            f"base {base:>5} /bin: calm false alerts {calm_alerts / weeks:.2f} per week; "
            f"storms (+3x for 2 h) found {len(delays)}/{runs}, {delay}"
        )


# Knobs the leave-one-out check may pick from (the defaults are one of the points).
LOO_GRID: dict[str, list[float]] = {
    "threshold": [4.5, 5.0],
    "confirm_z": [0.0, 3.0],
    "storm_memory_seconds": [3 * DAY_SECONDS, 7 * DAY_SECONDS],
    "likelihood_z": [0.0, 5.0],
}


def _raw_scores(task: tuple[str, str, str, dict[str, float]]) -> tuple[float, float]:
    """(standard, reward_low_FP) raw NAB scores of one settings point on one file."""
    scorer, path, windows, point = task
    spec = importlib.util.spec_from_file_location("nab_score", scorer)
    assert spec is not None and spec.loader is not None
    nab = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(nab)
    _, series = read_series(Path(path))
    alerts = volume_alerts(series, VolumeSettings(**point))  # type: ignore[arg-type]
    times = [t for t, _ in series]
    raw = nab.score_file(times, alerts, nab.load_windows(windows)[Path(path).name])["raw"]
    return raw["standard"], raw["reward_low_FP_rate"]


def leave_one_out(files: list[Path], args: argparse.Namespace) -> None:
    points = [dict(zip(LOO_GRID, v, strict=True)) for v in itertools.product(*LOO_GRID.values())]
    tasks = [(str(args.scorer), str(f), str(args.windows), p) for p in points for f in files]
    with ProcessPoolExecutor() as pool:
        raw = dict(
            zip(
                ((json.dumps(p), f.name) for p, f in itertools.product(points, files)),
                pool.map(_raw_scores, tasks),
                strict=True,
            )
        )
    windows = json.loads(Path(args.windows).read_text())
    n = sum(len(windows[f.name]) for f in files)
    std = low = 0.0
    print(f"== leave-one-file-out over {len(points)} settings points: {LOO_GRID}")
    for held in files:
        best = max(
            points, key=lambda p: sum(raw[json.dumps(p), f.name][0] for f in files if f != held)
        )
        s, lo = raw[json.dumps(best), held.name]
        std, low = std + s, low + lo
        print(f"{held.name}: picked {best}, held-out raw standard {s:+.3f}")
    print(
        f"leave-one-out NAB: standard={100 * (std + n) / (2 * n):.2f} "
        f"reward_low_FP={100 * (low + n) / (2 * n):.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scorer", type=Path, default=SHARED / "tools" / "nab_score.py")
    ap.add_argument("--data", type=Path, default=SHARED / "data" / "nab")
    ap.add_argument("--windows", type=Path, default=None)
    ap.add_argument("--no-synthetic", action="store_true", help="skip the synthetic series")
    ap.add_argument("--loo", action="store_true", help="add the leave-one-file-out check")
    ap.add_argument("--variants", action="store_true", help="also score opt-in settings")
    args = ap.parse_args(argv)
    args.windows = args.windows or args.data / "windows.json"
    files = sorted(args.data.glob("*.csv"))
    speed = score("volume detector (defaults)", volume_alerts, files, args)
    score("rolling z-score baseline (24h, 4 sd, 6h gap)", rolling_z_alerts, files, args)
    if args.variants:
        likely = VolumeSettings(confirm_z=0.0, likelihood_z=5.0)
        score("variant: likelihood gate (z 5 over 4 bins) instead of confirmation",
              lambda series: volume_alerts(series, likely), files, args)  # fmt: skip
    print(f"volume detector throughput: {speed:,.0f} bins/s")
    if args.loo:
        leave_one_out(files, args)
    if not args.no_synthetic:
        synthetic_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
