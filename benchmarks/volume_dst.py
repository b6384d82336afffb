"""The volume detector across daylight-saving changes: on UTC slots and on the audience's clock.

Not a test. Usage:

    PYTHONPATH=. python benchmarks/volume_dst.py [--seeds 5] [--jobs 2] [--no-headline]
                                                 [--speed-only]

Generated series (tests/detectors/synth.py) whose audience lives on Europe/Sofia's or
America/New_York's wall clock, 24 days before a change (spring forward, fall back; 2024) and 21
after, each scored without a zone (the UTC slots, as the detector was) and with the zone
(`VolumeSettings(zone=...)`, what the playbook's `timezone` now gives). Counted: alerts in the 21
days after the change and, as the control, in the 21 days before it (after 3 days of warm-up).

* calm: `tweet_series` without storms, so every alert is false: its own rhythm (a cosine, the
  generator's default) and a steeper one (sharpness 3: nights, days and 4-hour rises between);
* day/night: `day_and_night`, an audience with a one-bin morning rise and evening fall (60
  mentions a bin from 08:00 to 23:00, 3 at night): the sharpest case;
* storms: `tweet_series` with its three storms; the labelled ones starting in the 21 days after
  the change: found (an alert in the window) and the median delay;
* the cost of a wrong setting: the same series with the audience on UTC (a zone that does not
  change its clocks, or an audience spread over zones that change on other days), scored with
  the zone set anyway.

Then the speed on the 15 development series of benchmarks/nab_volume.py, without a zone and with
Europe/Sofia (all of them cross a spring change), CPU time, best of 3 interleaved rounds, as a
ratio in the same run; and the leave-one-series-out headline of benchmarks/nab_volume.py, which
runs without a zone (unchanged: 81.31 / 75.59).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from benchmarks import nab_volume  # noqa: E402
from detectors.volume import VolumeSettings, run_series  # noqa: E402
from tests.detectors.synth import BIN, LEVELS, day_and_night, tweet_series  # noqa: E402

ZONES = ("Europe/Sofia", "America/New_York")
SEASONS = ("spring", "autumn")
BEFORE, AFTER = 24, 21  # days of series before and after the change
WINDOW = timedelta(days=21)  # alerts counted this long after the change (and before it)


def change_of(zone: str, season: str, year: int = 2024) -> datetime:
    """The UTC instant (naive) of the zone's spring or autumn clock change in `year`."""
    tz = ZoneInfo(zone)
    t = datetime(year, 3, 1) if season == "spring" else datetime(year, 9, 1)
    hour = timedelta(hours=1)

    def off(u: datetime) -> timedelta | None:
        return u.replace(tzinfo=UTC).astimezone(tz).utcoffset()

    while off(t + hour) == off(t):
        t += hour
    return t + hour


def _count(points: list[tuple[datetime, float]], zone: str | None, change: datetime) -> dict:
    res = list(run_series(points, VolumeSettings(zone=zone)))
    alerts = [t for (t, _), r in zip(points, res, strict=True) if r.alert]
    return {
        "before": sum(change - WINDOW <= t < change for t in alerts),
        "after": sum(change <= t < change + WINDOW for t in alerts),
        "alerts": alerts,
    }


def _task(task: tuple[str, str, str, float, int, str | None]) -> tuple[tuple, dict]:
    """One series, scored without and with `scored_zone`. kind: calm / calm3 / daynight / storms;
    `audience` is the clock the audience lives on (None: UTC)."""
    kind, zone, season, level, seed, audience = task
    change = change_of(zone, season)
    t0 = (change - timedelta(days=BEFORE)).replace(hour=0, minute=0)
    out: dict[str, Any] = {}
    if kind == "daynight":
        pts = day_and_night(audience or "UTC", change, days_before=BEFORE, days_after=AFTER,
                            seed=seed)  # fmt: skip
        storms: list[tuple[int, int, int]] = []
    else:
        sharp = 3.0 if kind == "calm3" else 1.0
        n_storms = 3 if kind == "storms" else 0
        t = tweet_series(seed, level, days=BEFORE + AFTER, n_storms=n_storms, t0=t0,
                         zone=audience, sharpness=sharp)  # fmt: skip
        pts = t.points
        storms = [(s.onset, *s.window) for s in t.storms if s.labelled]
    for name, z in (("utc", None), ("zone", zone)):
        got = _count(pts, z, change)
        if kind == "storms":
            found, delays = 0, []
            inside = set()
            for onset, lo, hi in storms:
                at = t0 + onset * BIN
                if not change <= at < change + WINDOW:
                    continue
                hits = [a for a in got["alerts"] if t0 + lo * BIN <= a <= t0 + hi * BIN]
                inside.update(hits)
                found += bool(hits)
                later = [(a - at) / BIN for a in hits if a >= at]
                if hits:
                    delays.append(later[0] if later else 0.0)
            got["storms"] = sum(change <= t0 + o * BIN < change + WINDOW for o, _, _ in storms)
            got["found"], got["delays"] = found, delays
            got["after"] = sum(
                change <= a < change + WINDOW and a not in inside for a in got["alerts"]
            )
        del got["alerts"]
        out[name] = got
    return task, out


def _table(title: str, results: dict[tuple, dict], kind: str, audience_of: Callable) -> None:
    print(f"== {title}")
    print(f"{'zone':<18}{'change':<8}{'level':>7}  {'UTC slots: before / after':>26}"
          f"  {'zone slots: before / after':>27}")  # fmt: skip
    levels = sorted({k[3] for k in results if k[0] == kind})
    tot = {"utc": [0, 0], "zone": [0, 0]}
    for zone in ZONES:
        for season in SEASONS:
            for level in levels:
                rows = [
                    v
                    for k, v in results.items()
                    if k[0] == kind
                    and k[1:4] == (zone, season, level)
                    and k[5] == audience_of(zone)
                ]
                if not rows:
                    continue
                cells = []
                for name in ("utc", "zone"):
                    b = sum(r[name]["before"] for r in rows)
                    a = sum(r[name]["after"] for r in rows)
                    tot[name][0] += b
                    tot[name][1] += a
                    cells.append(f"{b:>5} / {a:<5}")
                lv = f"{level:g}" if kind != "daynight" else "60/3"
                print(f"{zone:<18}{season:<8}{lv:>7}  {cells[0]:>26}  {cells[1]:>27}")
    (ub, ua), (zb, za) = tot["utc"], tot["zone"]
    print(
        f"all: alerts in the 21 days before / after the changes: on UTC slots {ub} / {ua}, "
        f"on the zone's clock {zb} / {za}"
    )


def _storms(results: dict[tuple, dict]) -> None:
    print("== storms starting in the 21 days after a change (labelled ones; tweet_series, 3 each)")
    for name, label in (("utc", "UTC slots"), ("zone", "the zone's clock")):
        rows = [v[name] for k, v in results.items() if k[0] == "storms"]
        n = sum(r["storms"] for r in rows)
        found = sum(r["found"] for r in rows)
        delays = [d for r in rows for d in r["delays"]]
        fa = sum(r["after"] for r in rows)
        med = f"{statistics.median(delays) * 5:.0f} min" if delays else "-"
        print(f"{label:<18} found {found}/{n}, median delay {med}; "
              f"{fa} false alerts outside the windows after the changes")  # fmt: skip


def speed() -> None:
    nab_volume._init(str(nab_volume.SHARED / "tools" / "nab_score.py"),
                     str(nab_volume.SHARED / "data" / "nab"))  # fmt: skip
    pts = [s.points for s in nab_volume._SERIES]
    bins = sum(len(p) for p in pts)
    plain, zoned = VolumeSettings(), VolumeSettings(zone="Europe/Sofia")
    runners = {"no zone": plain, "Europe/Sofia": zoned}
    best = dict.fromkeys(runners, float("inf"))
    for _ in range(3):  # interleaved: a burst of load on a shared machine hits both alike
        for name, settings in runners.items():
            t0 = time.process_time()
            for p in pts:
                for _r in run_series(p, settings):
                    pass
            best[name] = min(best[name], time.process_time() - t0)
    print(f"== speed over {bins:,} bins (the 15 development series), CPU time, best of 3")
    for name, t in best.items():
        print(f"{name:<14} {bins / t:>10,.0f} bins/s")
    print(f"with a zone / without: {best['no zone'] / best['Europe/Sofia']:.3f}x "
          "(target: >= 20,000 bins/s with a zone)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-headline", action="store_true", help="skip nab_volume's LOSO run")
    ap.add_argument("--speed-only", action="store_true")
    args = ap.parse_args(argv)
    if args.speed_only:
        speed()
        return 0
    seeds = range(args.seeds)
    tasks = []
    for zone in ZONES:
        for season in SEASONS:
            for level in LEVELS:
                for seed in seeds:
                    for kind in ("calm", "calm3", "storms"):
                        tasks.append((kind, zone, season, level, seed, zone))
                    tasks.append(("calm", zone, season, level, seed, None))  # wrong setting
            for seed in seeds:
                tasks.append(("daynight", zone, season, 60.0, seed + 1, zone))
                tasks.append(("daynight", zone, season, 60.0, seed + 1, None))
    with ProcessPoolExecutor(args.jobs) as pool:
        results = dict(pool.map(_task, tasks, chunksize=2))
    print(f"seeds 0..{args.seeds - 1} per level (day/night: {args.seeds} seeds); changes: "
          + ", ".join(f"{z} {s} {change_of(z, s):%Y-%m-%d %H:%M} UTC" for z in ZONES
                      for s in SEASONS))  # fmt: skip
    _table("calm series, the generator's rhythm, audience on the zone's clock (every alert false)",
           results, "calm", lambda z: z)  # fmt: skip
    _table("calm series, a steeper rhythm (sharpness 3), audience on the zone's clock",
           results, "calm3", lambda z: z)  # fmt: skip
    _table("day/night audience (one-bin rise at 08:00, fall at 23:00 local) on the zone's clock",
           results, "daynight", lambda z: z)  # fmt: skip
    _storms(results)
    _table("the cost of a wrong setting: audience on UTC (no clock change), scored with the zone",
           results, "calm", lambda z: None)  # fmt: skip
    _table("the cost of a wrong setting: day/night audience on UTC, scored with the zone",
           results, "daynight", lambda z: None)  # fmt: skip
    speed()
    if not args.no_headline:
        print("== benchmarks/nab_volume.py (no zone), leave-one-series-out headline:")
        nab_volume.main(["--jobs", str(args.jobs), "--no-synthetic-report"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
