"""Volume detector on every development series, scored with NAB's rules, leave-one-series-out.

Not a test: reads ../shared (the three NAB tweet series, their windows and the NAB scorer). Usage:

    PYTHONPATH=. python benchmarks/nab_volume.py [--scorer PATH] [--data DIR] [--jobs 2]
                                                 [--no-synthetic-report] [--write-synth DIR]

Development series: the three NAB realTweets series in ../shared/data/nab and generated tweet-volume
series with labelled storms (tests/detectors/synth.py: `tweet_series`, fixed seeds, four volume
levels). Nothing else: NAB's other realTweets series are the judging set and are never read.
A generated storm is labelled (has a NAB window) only when it stands out of its series'
background as much as NAB's labelled tweet windows do (synth.LABEL_STANDOUT; the script prints
the NAB windows' figures); smaller storms stay in the series unlabelled, as a labeller would have
left them, and the synthetic report gives their recall and delay apart.

Headline (the protocol of issue 12): leave-one-series-out. For each series, the settings point of
`GRID` that scores best on all the other series (raw standard + reward_low_FP summed) is picked and
scored on the held-out series; the held-out scores are summed and normalised as NAB does. The
shipped defaults (`VolumeSettings()`) must be what the same procedure picks from all series; the
script says whether they are, and prints their (in-sample) score beside the headline. Spread: each
fold's held-out series scored alone. Each window the defaults miss is then measured as the labels
are made, against how many calm days before it stood out more (a miss at the noise, or not).

Then: throughput in bins per second against the rolling z-score baseline in the same run, and, on
generated series with fresh seeds (never used for picking), the median storm-to-alert delay and
the false alerts per calm week per volume level and storm shape, which window raised the false
alerts (the one-bin scale: retweet cascades) and how many come before day 10 (young spreads),
then every storm's recall and delay by how much it stands out (unlabelled sub-visible ones
included).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import itertools
import json
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from benchmarks import volume_baseline  # noqa: E402
from detectors.volume import BinResult, VolumeSettings, run_series  # noqa: E402
from tests.detectors.synth import (  # noqa: E402
    BIN,
    LABEL_STANDOUT,
    LEVELS,
    SHAPES,
    T0,
    hour_ratios,
    standout,
    tweet_series,
)

SHARED = REPO_ROOT.parent / "shared"
Series = list[tuple[datetime, float]]

# Generated development series: LOSO_SEEDS x LEVELS, 40 days and 3 storms each.
LOSO_SEEDS = (0, 1, 2)
REPORT_SEEDS = tuple(range(100, 110))  # fresh seeds for the delay report (never picked on)

# Knobs the procedure may pick from; every point is a full VolumeSettings.
GRID: dict[str, list[Any]] = {
    "threshold": [4.5, 5.0],
    "confirm_bins": [3, 4, 5],
    "standout_ratio": [1.5, 1.75],
    "standout_minutes": [(120, 360), (60, 180, 360)],
    "cusum_h": [0.0, 30.0],
}


@dataclass(frozen=True, slots=True)
class DevSeries:
    name: str
    group: str  # "nab-tweets" or "synthetic"
    points: Series
    windows: list[tuple[datetime, datetime]]


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("nab_score", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_series(path: Path) -> Series:
    with path.open(newline="") as fh:
        return [
            (datetime.fromisoformat(r["timestamp"]), float(r["value"])) for r in csv.DictReader(fh)
        ]


def synthetic_dev(seed: int, level: float) -> DevSeries:
    t = tweet_series(seed, level)
    wins = [(T0 + s.window[0] * BIN, T0 + s.window[1] * BIN) for s in t.storms if s.labelled]
    return DevSeries(t.name, "synthetic", t.points, wins)


def dev_series(data: Path, scorer: ModuleType) -> list[DevSeries]:
    windows = scorer.load_windows(str(data / "windows.json"))
    out = [
        DevSeries(p.name, "nab-tweets", read_series(p), windows[p.name])
        for p in sorted(data.glob("Twitter_volume_*.csv"))
    ]
    return out + [synthetic_dev(seed, lv) for lv in LEVELS for seed in LOSO_SEEDS]


def print_standout(series: list[DevSeries]) -> None:
    """The evidence for synth.LABEL_STANDOUT: how much each labelled NAB tweet window stands out
    from its own series' background, measured as the generator measures its storms."""
    parts = []
    for ser in series:
        if ser.group != "nab-tweets":
            continue
        times = [t for t, _ in ser.points]
        wins = [
            (
                next(i for i, t in enumerate(times) if t >= a),
                max(i for i, t in enumerate(times) if t <= b),
            )
            for a, b in ser.windows
        ]
        vals = standout([v for _, v in ser.points], wins)
        parts.append(
            f"{ser.name.removeprefix('Twitter_volume_').removesuffix('.csv')} "
            + " ".join(f"{v:.2f}" for v in vals)
        )
    print(
        "labelling criterion: NAB tweet windows' peak hour ratio / usual daily peak: "
        + "; ".join(parts)
        + f" (generated storms are labelled from {LABEL_STANDOUT:g})"
    )


def why_missed(series: list[DevSeries], results: dict[tuple[int, int], dict[str, Any]]) -> None:
    """Every window the shipped defaults miss, measured as the labeller measures (synth.standout:
    the peak hour ratio over the series' usual daily peak) and against the series' own routine:
    how many calm days before the window (no window within 3 hours) peaked higher on the same
    measure. A window that many calm days outdo is at the noise: any bar low enough to catch it
    alerts on those days too."""
    for s, ser in enumerate(series):
        if results[0, s]["hit"] == results[0, s]["windows"]:
            continue
        times = [t for t, _ in ser.points]
        t0 = times[0]
        n = round((times[-1] - t0) / BIN) + 1
        counts: list[float | None] = [None] * n  # by bin, skipped bins None (as synth does)
        for t, v in ser.points:
            counts[round((t - t0) / BIN)] = v
        alerts = [t for t, a in zip(times, alerts_of(ser.points), strict=True) if a]
        wins = [(round((a - t0) / BIN), round((b - t0) / BIN)) for a, b in ser.windows]
        ratios = hour_ratios(counts)
        away: set[int] = set()
        for lo, hi in wins:
            away.update(range(lo - 36, hi + 37))
        peaks = {
            d: max(ratios[i] for i in range(d * 288, min(n, (d + 1) * 288)) if i not in away)
            for d in range(1, n // 288)
            if sum(i not in away for i in range(d * 288, (d + 1) * 288)) >= 144
        }
        if not peaks:  # under two days of data: nothing to compare with
            continue
        usual = max(sorted(peaks.values())[int(0.9 * (len(peaks) - 1))], 1e-9)
        for (a, b), (lo, hi) in zip(ser.windows, wins, strict=True):
            if any(a <= t <= b for t in alerts):
                continue
            peak = max(ratios[lo : hi + 1])
            before = [v for d, v in peaks.items() if (d + 1) * 288 <= lo]
            print(
                f"missed by the defaults: {ser.name} window from {a:%Y-%m-%d %H:%M}: peak hour "
                f"ratio {peak / usual:.2f} x the usual daily peak; {sum(v >= peak for v in before)}"
                f" of {len(before)} calm days before it peaked higher"
            )


def grid_points() -> list[dict[str, Any]]:
    """Grid points, the shipped defaults first (ties go to them)."""
    default = VolumeSettings()
    base = {k: getattr(default, k) for k in GRID}
    pts = [dict(zip(GRID, v, strict=True)) for v in itertools.product(*GRID.values())]
    return [base] + [p for p in pts if p != base]


def settings_of(point: dict[str, Any]) -> VolumeSettings:
    return VolumeSettings(**point)


def alerts_of(points: Series, settings: VolumeSettings | None = None) -> list[int]:
    return [int(r.alert) for r in run_series(points, settings)]


_SCORER: ModuleType | None = None
_SERIES: list[DevSeries] = []


def _init(scorer_path: str, data: str) -> None:
    global _SCORER, _SERIES
    _SCORER = load_scorer(Path(scorer_path))
    _SERIES = dev_series(Path(data), _SCORER)


def _run(task: tuple[int, int]) -> tuple[int, int, dict[str, Any]]:
    """Score grid point p on series s (in a worker: the series are built there once)."""
    p, s = task
    assert _SCORER is not None
    ser = _SERIES[s]
    alerts = alerts_of(ser.points, settings_of(grid_points()[p]))
    r = _SCORER.score_file([t for t, _ in ser.points], alerts, ser.windows)
    return p, s, r


def normalised(raw: float, windows: int) -> float:
    """NAB's normalisation for profiles with tp = fn = 1 (standard, reward_low_FP)."""
    return 100.0 * (raw + windows) / (2 * windows) if windows else float("nan")


RAW_KEYS = ("standard", "reward_low_FP_rate")


def objective(results: dict[tuple[int, int], dict[str, Any]], p: int, series: list[int]) -> float:
    return sum(results[p, s]["raw"][k] for s in series for k in RAW_KEYS)


def loso(series: list[DevSeries], results: dict[tuple[int, int], dict[str, Any]]) -> None:
    n_pts = len(grid_points())
    idx = list(range(len(series)))
    picks: dict[int, int] = {}
    for s in idx:
        others = [o for o in idx if o != s]
        picks[s] = max(range(n_pts), key=lambda p: (objective(results, p, others), -p))
    chosen = max(range(n_pts), key=lambda p: (objective(results, p, idx), -p))

    def total(pick: Callable[[int], int], subset: list[int]) -> tuple[float, float, int]:
        w = sum(results[pick(s), s]["windows"] for s in subset)
        std = sum(results[pick(s), s]["raw"]["standard"] for s in subset)
        low = sum(results[pick(s), s]["raw"]["reward_low_FP_rate"] for s in subset)
        return normalised(std, w), normalised(low, w), w

    print(f"== leave-one-series-out over {len(series)} development series, grid {GRID}")
    print(
        f"{'held-out series':<28} {'picked (others)':<72} hit  out  std    lowFP "
        f"| defaults: hit out  std    lowFP"
    )
    fold_std: list[float] = []
    fold_low: list[float] = []
    for s in idx:
        r, d = results[picks[s], s], results[0, s]
        w = r["windows"]
        fs, fl = normalised(r["raw"]["standard"], w), normalised(r["raw"]["reward_low_FP_rate"], w)
        fold_std.append(fs)
        fold_low.append(fl)
        pick = " ".join(_short(k, v) for k, v in grid_points()[picks[s]].items())
        print(
            f"{series[s].name:<28} {pick:<72} {r['hit']}/{w}  {r['outside']:>3}  {fs:6.1f} "
            f"{fl:6.1f} | {d['hit']}/{w} {d['outside']:>3}  "
            f"{normalised(d['raw']['standard'], w):6.1f} "
            f"{normalised(d['raw']['reward_low_FP_rate'], w):6.1f}"
        )
    groups = {"all": idx} | {
        g: [s for s in idx if series[s].group == g] for g in ("nab-tweets", "synthetic")
    }
    for g, subset in groups.items():
        hs, hl, w = total(lambda s: picks[s], subset)
        ds, dl, _ = total(lambda s: 0, subset)
        print(
            f"LOSO headline [{g}, {len(subset)} series, {w} windows]: standard={hs:.2f} "
            f"reward_low_FP={hl:.2f}   | shipped defaults (in-sample): standard={ds:.2f} "
            f"reward_low_FP={dl:.2f}"
        )
    print(
        "spread over folds (each held-out series alone): standard "
        f"min {min(fold_std):.1f} median {statistics.median(fold_std):.1f} max {max(fold_std):.1f}"
        f"; reward_low_FP min {min(fold_low):.1f} median {statistics.median(fold_low):.1f} "
        f"max {max(fold_low):.1f}"
    )
    picked = grid_points()[chosen]
    same = "yes" if chosen == 0 else f"NO: the procedure picks {picked}"
    print(f"shipped defaults = the procedure's pick on all development series: {same}")


def _short(key: str, value: Any) -> str:
    if key == "scales_minutes":
        return f"scales={max(value)}m"
    if key == "standout_minutes":
        return "standout=" + "/".join(f"{m // 60}h" for m in value)
    if key.endswith("_seconds"):
        return f"{key[:-8]}={value // 3600}h"
    return f"{key}={value:g}"


def rolling_z_alerts(series: Series, window: int = 288, k: float = 4.0, gap: int = 72) -> list[int]:
    """The README's baseline: > k sd above the past day's mean, at most once every 6 hours
    (running sums: as cheap as a streaming detector gets)."""
    past: deque[float] = deque()
    out: list[int] = []
    last, s1, s2 = -gap, 0.0, 0.0
    for i, (_, v) in enumerate(series):
        fire = 0
        if len(past) >= 12:
            mu = s1 / len(past)
            sd = max(s2 / len(past) - mu * mu, 0.0) ** 0.5
            if v > mu + k * max(sd, 1e-9) and i - last >= gap:
                fire, last = 1, i
        out.append(fire)
        past.append(v)
        s1, s2 = s1 + v, s2 + v * v
        if len(past) > window:
            old = past.popleft()
            s1, s2 = s1 - old, s2 - old * old
    return out


def throughput(series: list[DevSeries]) -> None:
    """Bins per second on one core, same series, same run: the detector against the detector as
    it was before issue 12 (benchmarks/volume_baseline.py) and the rolling z baseline."""
    pts = [s.points for s in series]
    bins = sum(len(p) for p in pts)
    runners: dict[str, Callable[[Series], object]] = {
        "volume detector": alerts_of,
        "pre-issue-12 detector": lambda p: [r.alert for r in volume_baseline.run_series(p)],
        "rolling z baseline": rolling_z_alerts,
    }
    best = dict.fromkeys(runners, float("inf"))
    for _ in range(3):  # interleaved rounds: a burst of load on a shared machine hits all alike
        for name, fn in runners.items():
            t0 = time.process_time()  # this process's CPU time: other processes' load is not ours
            for p in pts:
                fn(p)
            best[name] = min(best[name], time.process_time() - t0)
    speeds = {name: bins / t for name, t in best.items()}
    det, old = speeds["volume detector"], speeds["pre-issue-12 detector"]
    print(f"== throughput over {bins:,} bins, one process, CPU time, best of 3 interleaved rounds")
    for name, v in speeds.items():
        print(f"{name:<24} {v:>12,.0f} bins/s")
    # Issue 12 asks for >= 20,000 bins/s where the detector of then did ~7-9k: a machine-free
    # target is that ratio, >= 2.5x (20k over the middle of 7-9k).
    print(
        f"volume detector / pre-issue-12 detector: {det / old:.2f}x "
        f"(target: >= 2.5x, i.e. 20,000 bins/s where the pre-issue-12 detector does 8,000)"
    )


BANDS = ((0.0, 0.5), (0.5, LABEL_STANDOUT), (LABEL_STANDOUT, 1.5), (1.5, 3.0), (3.0, float("inf")))


def synthetic_report() -> None:
    """Fresh seeds: per level and shape, labelled storms found (an alert inside the window),
    median delay from the onset to the first alert at or after it, and false alerts per calm week
    (alerts outside every storm's window after two days of warm-up, per week of time outside the
    windows). Then every storm, labelled or not, by how much it stands out (synth.standout)."""
    print(
        f"== generated series, fresh seeds {REPORT_SEEDS[0]}..{REPORT_SEEDS[-1]} "
        "(40 days, 3 storms each; labelled storms only in the table)"
    )
    rows: dict[tuple[float, str], list[int | None]] = {}
    bands: dict[int, list[int | None]] = {}
    false_alerts: dict[float, tuple[int, float]] = {}
    paths: dict[int, int] = {}  # false alerts by the window (minutes) that raised them
    young = 0  # false alerts before day 10
    for level in LEVELS:
        fa, calm_bins = 0, 0
        for seed in REPORT_SEEDS:
            t = tweet_series(seed, level)
            res = list(run_series(t.points))
            alerts = [i for i, r in zip(t.index, res, strict=True) if r.alert]
            inside = set()
            for st in t.storms:
                lo, hi = st.window
                hits = [a for a in alerts if lo <= a <= hi]
                inside.update(hits)
                after = [a - st.onset for a in hits if a >= st.onset]
                delay = after[0] if after else (0 if hits else None)
                if st.labelled:
                    rows.setdefault((level, st.shape), []).append(delay)
                band = next(k for k, (a, b) in enumerate(BANDS) if a <= st.standout < b)
                bands.setdefault(band, []).append(delay)
            warm = 2 * 288
            fa += sum(1 for a in alerts if a >= warm and a not in inside)
            for j, (i, r) in enumerate(zip(t.index, res, strict=True)):
                if r.alert and i >= warm and i not in inside:
                    path = _trigger(res, j).window_bins * BIN.seconds // 60
                    paths[path] = paths.get(path, 0) + 1
                    young += i < 10 * 288
            covered = sum(st.window[1] - st.window[0] + 1 for st in t.storms)
            calm_bins += 40 * 288 - warm - covered
        false_alerts[level] = (fa, calm_bins / (7 * 288))
    head = "".join(f"{sh:>20}" for sh in SHAPES)
    print(f"{'level /5min':<12}{head}{'false alerts/calm wk':>24}")
    for level in LEVELS:
        cells = []
        for sh in SHAPES:
            got = rows.get((level, sh), [])
            found = [d for d in got if d is not None]
            med = f"{statistics.median(found) * 5:.0f} min" if found else "-"
            cells.append(f"{len(found)}/{len(got)} {med:>8}")
        fa, weeks = false_alerts[level]
        print(f"{level:<12g}" + "".join(f"{c:>20}" for c in cells) + f"{fa / weeks:>24.2f}")
    tot = [(sh, [d for (_, s), ds in rows.items() if s == sh for d in ds]) for sh in SHAPES]
    summary = ", ".join(
        f"{sh} {sum(d is not None for d in ds)}/{len(ds)} "
        f"(median {statistics.median([d for d in ds if d is not None] or [0]) * 5:.0f} min)"
        for sh, ds in tot
    )
    print(f"all levels: {summary}")
    fa_all = sum(v[0] for v in false_alerts.values())
    weeks_all = sum(v[1] for v in false_alerts.values())
    print(f"false alerts per calm week, all levels: {fa_all / weeks_all:.2f}")
    by_path = ", ".join(f"{m} min {n}" for m, n in sorted(paths.items()))
    print(
        f"false alerts by the window that raised them: {by_path}; {young} of {fa_all} before day 10"
    )
    print(
        f"every storm by how much it stands out (peak hour ratio / usual daily peak; labelled "
        f"from {LABEL_STANDOUT:g}): alerted, median delay"
    )
    for k, (a, b) in enumerate(BANDS):
        got = bands.get(k, [])
        found = [d for d in got if d is not None]
        med = f"{statistics.median(found) * 5:.0f} min" if found else "-"
        tag = "labelled" if a >= LABEL_STANDOUT else "unlabelled"
        print(f"  standout {a:4.2f}-{b:<4.2f} ({tag:>10}): {len(found)}/{len(got)} alerted, {med}")


def _trigger(res: list[BinResult], j: int) -> BinResult:
    """The bin that raised the alert at j: the earliest bin at or over the threshold, at most
    `confirm_bins` back, from which every bin up to j confirmed it (j itself when it fired at
    once). An approximation of the detector's path (escalation and the routine check aside)."""
    s = VolumeSettings()
    for k in range(max(0, j - s.confirm_bins), j):
        if res[k].z >= s.threshold and all(r.z >= s.confirm_z for r in res[k + 1 : j + 1]):
            return res[k]
    return res[j]


def write_synth(out: Path) -> None:
    """The generated development series as NAB-style files, for the scorer's command line."""
    out.mkdir(parents=True, exist_ok=True)
    windows = {}
    for level in LEVELS:
        for seed in LOSO_SEEDS:
            s = synthetic_dev(seed, level)
            with (out / f"{s.name}.csv").open("w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["timestamp", "value"])
                w.writerows((t.strftime("%Y-%m-%d %H:%M:%S"), int(v)) for t, v in s.points)
            windows[f"{s.name}.csv"] = [
                [a.strftime("%Y-%m-%d %H:%M:%S.000000"), b.strftime("%Y-%m-%d %H:%M:%S.000000")]
                for a, b in s.windows
            ]
    (out / "windows.json").write_text(json.dumps(windows, indent=1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scorer", type=Path, default=SHARED / "tools" / "nab_score.py")
    ap.add_argument("--data", type=Path, default=SHARED / "data" / "nab")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-synthetic-report", action="store_true")
    ap.add_argument("--write-synth", type=Path, help="write the generated series and stop")
    ap.add_argument("--speed-only", action="store_true", help="only the throughput")
    args = ap.parse_args(argv)
    if args.write_synth:
        write_synth(args.write_synth)
        return 0
    assert {f.name for f in fields(VolumeSettings)} >= set(GRID)
    _init(str(args.scorer), str(args.data))
    series = _SERIES
    if args.speed_only:
        throughput(series)
        return 0
    tasks = [(p, s) for p in range(len(grid_points())) for s in range(len(series))]
    with ProcessPoolExecutor(
        args.jobs, initializer=_init, initargs=(str(args.scorer), str(args.data))
    ) as pool:
        results = {(p, s): r for p, s, r in pool.map(_run, tasks, chunksize=4)}
    loso(series, results)
    why_missed(series, results)
    print_standout(series)
    throughput(series)
    if not args.no_synthetic_report:
        synthetic_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
