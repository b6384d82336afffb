"""Issue 12: causality, the shared live/backtest path, speed, the CUSUM, the stand-out channel and
the generator (and its labelling criterion)."""

from __future__ import annotations

import bisect
import random
import time
from collections import deque
from datetime import timedelta

import pytest

from benchmarks import volume_baseline
from detectors.backtest import TIME_FORMAT, backtest_series
from detectors.storm import StormSettings, StormTracker
from detectors.volume import VolumeDetector, VolumeSettings, _Standout, run_series
from tests.detectors.synth import (
    BIN,
    LABEL_STANDOUT,
    LEVELS,
    SHAPES,
    T0,
    M,
    standout,
    tweet_series,
)

CUSUM = VolumeSettings(cusum_h=30.0)  # the CUSUM (off by default; the benchmark grid holds it)
# The detector as it was before issue 12: no stand-out channel, a 3 h scale, one-bin confirmation
PRE_12 = VolumeSettings(
    cusum_h=0.0,
    cooldown_seconds=24 * 3600,
    scales_minutes=(0, 15, 60, 180),
    standout_minutes=(),
    confirm_bins=1,
    instant_z=10.0,
)


def _alerts(points: list, settings: VolumeSettings | None = None) -> list[int]:
    return [i for i, r in enumerate(run_series(points, settings)) if r.alert]


@pytest.mark.parametrize("settings", [None, CUSUM])
def test_a_prefix_alerts_exactly_as_the_full_run_did(settings: VolumeSettings | None) -> None:
    # Causal: cutting the series anywhere leaves the alerts before the cut unchanged (gaps,
    # bots, storms and the CUSUM included).
    pts = tweet_series(3, 50.0, days=20).points
    full = _alerts(pts, settings)
    assert full
    for cut in (full[0], full[0] + 1, len(pts) // 2, len(pts) - 1):
        assert _alerts(pts[:cut], settings) == [a for a in full if a < cut]


@pytest.mark.parametrize("settings", [VolumeSettings(), CUSUM])
def test_a_cloned_state_goes_on_exactly_as_the_original(settings: VolumeSettings) -> None:
    # The live bot feeds settled bins once and replays the tail on a clone.
    pts = tweet_series(4, 500.0, days=12).points
    straight = list(run_series(pts, settings))
    det = VolumeDetector(settings)
    first = [det.update(t, v) for t, v in pts[:2000]]
    twin = det.clone()
    rest = [twin.update(t, v) for t, v in pts[2000:]]
    assert first + rest == straight
    assert [det.update(t, v) for t, v in pts[2000:2100]] == straight[2000:2100]


def test_live_tracker_and_backtest_give_the_same_alerts() -> None:
    # One code path: the counts the live bot bins from mentions, fed through StormTracker, alert
    # where `crisisbot backtest --series` does on the same counts.
    pts = tweet_series(5, 5.0, days=9).points
    start, width = pts[0][0], timedelta(minutes=5)
    counts = {t: int(v) for t, v in pts}
    n = round((pts[-1][0] - start) / width) + 1
    grid = [start + k * width for k in range(n)]
    second = timedelta(seconds=1)
    mentions = [M(created_at=t + second) for t in grid for _ in range(counts.get(t, 0))]
    tracker = StormTracker(StormSettings(), settle_minutes=0)
    times = [m.created_at for m in mentions]
    live = []
    for k, t in enumerate(grid):  # a pass at the end of every bin, as the worker runs them
        now = t + timedelta(minutes=4)
        since = None if tracker.young(now) else tracker.resume_from(now)
        lo = 0 if since is None else bisect.bisect_left(times, since)
        tracker.assess(mentions[lo : bisect.bisect_right(times, now)], now, complete_from=since)
        if k and tracker._results[-1].alert:  # bin k-1 settled on this pass
            live.append(k - 1)
    rows = [(t.strftime(TIME_FORMAT), float(counts.get(t, 0))) for t in grid]  # live: gaps = 0
    offline = [i for i, row in enumerate(backtest_series(rows)) if row[3] and i < len(grid) - 1]
    assert live == offline
    assert live


def test_running_sums_alert_exactly_as_the_pre_issue_12_detector() -> None:
    # The speed-up (running window sums) changed no decision: same alerts, same z, with gaps.
    for seed, level in ((6, 5.0), (7, 500.0)):
        pts = tweet_series(seed, level, days=15).points
        old = list(volume_baseline.run_series(pts))  # its defaults: no CUSUM, cooldown a day
        new = list(run_series(pts, PRE_12))
        assert [r.alert for r in new] == [r.alert for r in old]
        assert max(abs(a.z - b.z) for a, b in zip(new, old, strict=True)) < 1e-6


def test_speed_at_least_1_3_times_the_old_detector() -> None:
    # Both in this process on the same bins (machine load affects both); the absolute figure
    # (>= 20,000 bins/s on one core) is printed by benchmarks/nab_volume.py.
    pts = tweet_series(8, 50.0, days=10).points

    def best(fn: object) -> float:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            for _r in fn(pts):  # type: ignore[operator]
                pass
            times.append(time.perf_counter() - t0)
        return min(times)

    new, old = best(run_series), best(volume_baseline.run_series)
    assert old / new >= 1.3, f"{len(pts) / new:,.0f} vs {len(pts) / old:,.0f} bins/s"


def test_a_lasting_level_shift_alerts_with_the_cusum() -> None:
    # x1.8 for good on a quiet brand, no spike: the CUSUM piles up the evidence bin by bin (the
    # 3 h window may catch it too), and it does not fire before the shift.
    from tests.detectors.synth import series

    at = 8 * 288 + 130
    base = series(12, base=4.0, seed=21, weekend=1.0)
    lifted = series(12, base=4.0 * 1.8, seed=22, weekend=1.0)
    pts = base[:at] + lifted[at:]
    found = _alerts(pts, CUSUM)
    assert [a for a in found if at <= a <= at + 36], found
    assert [a for a in found if a < at] == []


def test_generator_is_seeded_realistic_and_labelled() -> None:
    a, b = tweet_series(1, 50.0, days=20), tweet_series(1, 50.0, days=20)
    assert a == b
    assert tweet_series(2, 50.0, days=20).points != a.points
    assert len(a.points) < 20 * 288  # missing bins
    assert a.index == [round((t - T0) / BIN) for t, _ in a.points]
    assert [s.window[0] <= s.onset <= s.window[1] for s in a.storms] == [True] * 3
    assert all(x.window[1] < y.window[0] for x, y in zip(a.storms, a.storms[1:], strict=False))
    shapes = {s.shape for seed in range(5) for s in tweet_series(seed, 5.0, days=20).storms}
    assert shapes == set(SHAPES)
    for level in (LEVELS[0], LEVELS[-1]):
        vals = sorted(v for _, v in tweet_series(1, level, days=20).points)
        median = vals[len(vals) // 2]
        assert level / 5 <= median <= level


@pytest.mark.parametrize("shape", SHAPES)
def test_every_storm_shape_alerts_inside_its_window(shape: str) -> None:
    # Large storms of each shape (ramps and lasting shifts included) on a mid-volume brand, with
    # the defaults. One miss in six is allowed: an unlabelled cascade that alerted the same day
    # can hide a storm behind the cooldown (a known cost of one-alert-per-story).
    found = total = 0
    for seed in (1, 2, 3):
        t = tweet_series(seed, 50.0, days=20, shapes=(shape,), n_storms=2, sizes=(6.0, 12.0))
        alerts = [i for i, r in zip(t.index, run_series(t.points), strict=True) if r.alert]
        for st in t.storms:
            total += 1
            found += any(st.window[0] <= a <= st.window[1] for a in alerts)
    assert found >= total - 1, (shape, found, total)


def test_the_standout_ratio_is_against_the_same_window_on_past_days() -> None:
    day = 24  # a short "day" keeps the test small
    so = _Standout(bins=4, day=day, hist=deque(maxlen=7 * day + 1), days=deque(maxlen=21))
    for _ in range(2 * day + 10):
        so.push(10.0)
    assert so.ratio(prior=0.0) is None  # needs the same window on three past days
    for _ in range(2 * day):
        so.push(10.0)
    assert so.ratio(prior=0.0) == (1.0, 40.0, 40.0)
    for _ in range(4):
        so.push(30.0)  # the window triples against the same window on the past days
    assert so.ratio(prior=0.0) == (3.0, 120.0, 40.0)
    assert so.ratio(prior=40.0) == (2.0, 120.0, 40.0)  # the prior damps tiny counts
    so.push(None)
    so.push(None)
    so.push(None)  # under half the window has data: no ratio
    assert so.ratio(prior=0.0) is None


def test_the_usual_daily_peak_is_a_quantile_of_past_days_peaks() -> None:
    so = _Standout(bins=1, day=1, hist=deque(maxlen=8), days=deque(maxlen=21))
    for k, peak in enumerate([2.0, 1.5, 3.0, 1.2, 1.8, 9.0, 1.4, 1.6, 2.2, 1.3]):
        so.today = peak
        so.roll(quantile=0.9, min_days=3)
        if k < 2:
            assert so.usual == 0.0  # not known before three days
    assert so.usual == 3.0  # the 90th percentile of the ten peaks: one freak day does not count
    assert so.today == 0.0


def test_a_routine_daily_burst_is_learnt_a_storm_of_the_same_height_is_not() -> None:
    # Every afternoon the brand's hour of promotion triples its volume (at a different time each
    # day); after the first week that is routine. A 4-hour storm of the same height is news.
    from tests.detectors.synth import poisson

    rng = random.Random(5)
    storm = 16 * 288 + 150
    pts = []
    burst_at = [rng.randrange(150, 200) for _ in range(22)]
    for i in range(22 * 288):
        lam = 20.0
        if 0 <= i % 288 - burst_at[i // 288] < 12:
            lam *= 3.0
        if storm <= i < storm + 48:
            lam *= 3.0
        pts.append((T0 + i * BIN, float(poisson(rng, lam))))
    found = _alerts(pts)
    assert [a for a in found if 8 * 288 <= a < storm] == []
    assert [a for a in found if storm <= a <= storm + 48]


def test_generator_labels_only_storms_that_stand_out() -> None:
    # A labeller marks what stands out from the series' own background (synth.LABEL_STANDOUT,
    # measured on NAB's labelled tweet windows); a storm under that stays in, unlabelled.
    tiny = tweet_series(1, 50.0, days=20, sizes=(1.0, 1.01), shapes=("spike",))
    huge = tweet_series(1, 50.0, days=20, sizes=(14.0, 15.0), shapes=("plateau",))
    assert not any(s.labelled for s in tiny.storms)
    assert all(s.labelled for s in huge.storms)
    for t in (tiny, huge, tweet_series(2, 500.0, days=20)):
        assert [s.labelled for s in t.storms] == [s.standout >= LABEL_STANDOUT for s in t.storms]
    day = 288
    flat: list[float | None] = [10.0] * (20 * day)
    for i in range(15 * day, 15 * day + 12):
        flat[i] = 40.0  # an hour at four times the usual: it stands out of a flat background
    assert standout(flat, [(15 * day - 50, 15 * day + 50)])[0] > 2.0
