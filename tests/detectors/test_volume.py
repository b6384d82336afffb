from __future__ import annotations

import random
from datetime import timedelta

import pytest

from detectors.backtest import backtest_series
from detectors.volume import VolumeDetector, VolumeSettings, run_series
from tests.detectors.synth import BIN, T0, series


def alerts(points: list, settings: VolumeSettings | None = None) -> list[int]:
    return [i for i, r in enumerate(run_series(points, settings)) if r.alert]


# The defaults wait for four bins to confirm a spike under z 9 (issue 12's leave-one-series-out
# pick: retweet cascades of a few bins are the commonest false alerts). Tests of the other
# mechanics on two- or three-bin bursts spell out one bin of confirmation, as it was before.
ONE_BIN = VolumeSettings(confirm_bins=1)


def test_causal_prefix_gives_prefix_of_output() -> None:
    pts = series(4, base=20, seed=3, storm_at=3 * 288, storm_total=600)
    full = list(run_series(pts))
    part = list(run_series(pts[: 3 * 288 + 5]))
    assert part == full[: len(part)]


def test_daily_rhythm_without_storm_is_quiet() -> None:
    for seed in range(3):
        assert alerts(series(10, base=30, seed=seed, weekend=1.0)) == []


def test_weekly_rhythm_is_learnt_after_a_week() -> None:
    # Known limit: with only one week of history the first weekend -> Monday step can look like
    # a slow 3 h rise; from then on last week's same hours set the weekday factor.
    for seed in range(3):
        found = alerts(series(22, base=30, seed=seed))
        assert [i for i in found if i >= 8 * 288] == []


def test_storm_on_top_of_rhythm_alerts_once_and_early() -> None:
    at = 8 * 288 + 150
    pts = series(10, base=30, seed=2, storm_at=at, storm_total=1500, storm_bins=24, weekend=1.0)
    found = alerts(pts)
    assert len(found) == 1
    assert at <= found[0] <= at + 5  # confirmed over four bins: 20 minutes


def test_slow_growth_does_not_alert() -> None:
    assert alerts(series(14, base=10, seed=4, growth=0.08, weekend=1.0)) == []
    for seed in range(4):  # +5 %/day for three weeks, weekly rhythm learnt after the first week
        found = alerts(series(21, base=10, seed=seed, growth=0.05))
        assert [i for i in found if i >= 8 * 288] == []


def test_sparse_calm_poisson_is_quiet() -> None:
    for seed in range(5):
        assert alerts(series(7, base=1.0, seed=seed)) == []


# 40 extra mentions on top of ~18 usual in that hour is borderline, so the 40 case runs on a
# quieter brand (~9 an hour). Smaller storms take longer: sums grow as sqrt(bins) on this scale.
# A storm under z 9 alerts once four more bins confirm it (`confirm_bins`, picked by issue 12's
# leave-one-series-out runs): the borderline ones within 80 minutes, a clear one within 40.
@pytest.mark.parametrize(("total", "base", "within"), [(40, 0.5, 16), (60, 1.0, 16), (100, 1.0, 8)])
def test_sparse_storm_alerts_within_a_few_bins(total: int, base: float, within: int) -> None:
    at = 7 * 288 + 140  # a weekday afternoon after a quiet week
    found = alerts(series(8, base=base, seed=7, storm_at=at, storm_total=total, storm_bins=12))
    assert found, f"storm of {total} mentions in an hour not found"
    assert at <= found[0] <= at + within
    assert len(found) == 1


def test_one_storm_one_alert_even_when_long() -> None:
    at = 5 * 288
    pts = series(7, base=20, seed=5, storm_at=at, storm_total=8000, storm_bins=72)
    assert len(alerts(pts)) == 1


def test_gaps_are_no_data_and_time_must_advance() -> None:
    det = VolumeDetector(VolumeSettings(bin_seconds=300))
    pts = series(3, base=20, seed=6)
    kept = [p for i, p in enumerate(pts) if not 400 <= i < 460]  # five hours missing
    results = [det.update(t, v) for t, v in kept]
    assert not any(r.alert for r in results)
    assert all(0.0 <= r.score <= 1.0 for r in results)
    with pytest.raises(ValueError):
        det.update(kept[-1][0], 1.0)


def test_score_is_half_at_threshold_and_bounded() -> None:
    pts = series(3, base=20, seed=8, storm_at=2 * 288 + 100, storm_total=2000, storm_bins=6)
    results = list(run_series(pts))
    hit = next(r for r in results if r.alert)
    assert hit.score >= 0.5 and hit.z >= VolumeSettings().threshold
    assert hit.observed > hit.expected
    assert all(0.0 <= r.score < 1.0 for r in results)


def test_backtest_rows_are_streamed_with_timestamps_as_given() -> None:
    pts = series(3, base=20, seed=9, storm_at=2 * 288 + 50, storm_total=1500, storm_bins=6)
    rows = [(t.strftime("%Y-%m-%d %H:%M:%S"), v) for t, v in pts]
    del rows[100:110]  # missing rows = no data
    out = list(backtest_series(iter(rows)))
    assert [o[0] for o in out] == [r[0] for r in rows]
    assert [o[1] for o in out] == [r[1] for r in rows]
    assert sum(o[3] for o in out) == 1
    assert all(0.0 <= o[2] <= 1.0 and o[3] in (0, 1) for o in out)
    assert out[:300] == list(backtest_series(rows[:300]))


def test_first_day_without_history_does_not_alert_on_noise() -> None:
    pts = [(T0 + i * BIN, float(v)) for i, v in enumerate([5, 7, 6, 4, 8, 5] * 60)]
    assert alerts(pts) == []
    assert pts[-1][0] - pts[0][0] > timedelta(hours=29)


def test_a_second_bigger_storm_alerts_again_a_later_storm_too() -> None:
    first, second, third = 4 * 288 + 150, 4 * 288 + 250, 8 * 288 + 150

    def with_storm(at: int, total: int, bins: int) -> list[tuple]:
        return series(
            10, base=20, seed=11, weekend=1.0, storm_at=at, storm_total=total, storm_bins=bins
        )

    calm = series(10, base=20, seed=11, weekend=1.0)
    parts = [with_storm(first, 300, 6), with_storm(second, 6000, 12), with_storm(third, 300, 6)]
    mixed = [(t, c + sum(p[i][1] - c for p in parts)) for i, (t, c) in enumerate(calm)]
    found = alerts(mixed)
    assert len(found) == 3
    assert first <= found[0] <= first + 6
    assert second <= found[1] <= second + 3  # 8 hours later but far bigger: a new alert
    # Four days on, the big storm no longer widens the spreads: a small storm alerts again.
    assert third <= found[2] <= third + 10


def _with_spikes(spikes: dict[int, float]) -> list[tuple]:
    pts = series(6, base=20, seed=12, weekend=1.0)
    return [(t, c + spikes.get(i, 0.0)) for i, (t, c) in enumerate(pts)]


def test_an_isolated_one_bin_blip_is_not_a_storm() -> None:
    # ~5x the usual for one bin, then back to normal: the commonest false alarm on real series.
    at = 4 * 288 + 150
    assert alerts(_with_spikes({at: 70.0})) == []


def test_a_spike_that_goes_on_alerts_one_bin_later() -> None:
    at = 4 * 288 + 150
    found = alerts(_with_spikes({at: 70.0, at + 1: 45.0, at + 2: 30.0}), ONE_BIN)
    assert found == [at + 1]
    # The defaults want four bins of confirmation (z >= 3 on some scale, the hour's included).
    assert alerts(_with_spikes({at: 70.0, at + 1: 45.0, at + 2: 30.0})) == [at + 4]


def test_a_huge_spike_alerts_at_once_without_waiting() -> None:
    at = 4 * 288 + 150
    assert alerts(_with_spikes({at: 600.0}))[:1] == [at]


def test_a_burst_at_the_same_time_as_on_a_recent_day_is_routine() -> None:
    # A scheduled post: the burst of day 2 (it alerted then) comes back on day 4 at the same time
    # of day. That is the brand's routine, not news; off by an hour it is news again, and a far
    # bigger burst at the same time still alerts at once.
    day2, day4 = 2 * 288 + 150, 4 * 288 + 150
    post = {day2: 70.0, day2 + 1: 45.0}
    again = _with_spikes(post | {day4: 70.0, day4 + 1: 45.0})
    assert alerts(again, ONE_BIN) == [day2 + 1]
    off = VolumeSettings(routine_days=0, confirm_bins=1)
    assert alerts(again, off) == [day2 + 1, day4 + 1]
    later = day4 + 12
    found = alerts(_with_spikes(post | {later: 70.0, later + 1: 45.0}), ONE_BIN)
    assert found == [day2 + 1, later + 1]
    assert alerts(_with_spikes(post | {day4: 600.0}), ONE_BIN)[1:] == [day4]


def test_likelihood_gate_option_skips_blips_and_keeps_storms() -> None:
    # Opt-in (see benchmarks/nab_volume.py): fewer false alerts on bursty series, slower on
    # borderline storms.
    s = VolumeSettings(confirm_z=0.0, likelihood_z=5.0)
    at = 4 * 288 + 150
    assert [i for i, r in enumerate(run_series(_with_spikes({at: 70.0}), s)) if r.alert] == []
    pts = series(6, base=20, seed=12, weekend=1.0, storm_at=at, storm_total=1500, storm_bins=24)
    found = [i for i, r in enumerate(run_series(pts, s)) if r.alert]
    assert len(found) == 1 and at <= found[0] <= at + 4


def test_spread_of_sorted_matches_the_plain_computation() -> None:
    from statistics import NormalDist

    from detectors.volume import _spread_of_sorted

    def plain(xs: list[float], tail: float) -> tuple[float, float, float]:
        med = xs[len(xs) // 2]
        devs = sorted(abs(x - med) for x in xs)
        core = spread = 1.4826 * devs[len(devs) // 2]
        if len(xs) >= 100:
            hi = xs[min(len(xs) - 1, int(tail * len(xs)))]
            spread = max(core, (hi - med) / NormalDist().inv_cdf(tail))
        return med, core, spread

    rng = random.Random(5)
    for _ in range(2000):
        n = rng.randint(1, 250)
        if rng.random() < 0.3:  # many ties, as with sparse counts
            xs = sorted(float(rng.randint(-3, 3)) for _ in range(n))
        else:
            xs = sorted(rng.gauss(0.0, 1.0) ** 3 for _ in range(n))
        assert _spread_of_sorted(xs, 0.995) == plain(xs, 0.995)


def _bursty_then_quiet(seed: int, burst: float, at: int, storm_total: int = 0) -> list[tuple]:
    """Two weeks with two short bursts (burst, then 0.6 x burst) a day, a quiet third week, then
    the same burst (and, optionally, a storm) at bin `at`."""
    rng = random.Random(seed + 100)
    pts = series(23, base=20, seed=seed, weekend=1.0, storm_at=at, storm_total=storm_total)
    extra: dict[int, float] = {at: burst, at + 1: 0.6 * burst}
    for day in range(1, 14):
        for _ in range(2):
            i = day * 288 + rng.randrange(288)
            extra[i], extra[i + 1] = burst, 0.6 * burst
    return [(t, v + extra.get(i, 0.0)) for i, (t, v) in enumerate(pts)]


def test_a_quiet_week_does_not_make_the_usual_burst_news() -> None:
    # The spread remembers three weeks of residuals: after a quiet week a burst of the size this
    # brand had twice a day the fortnight before is no storm (with one week of memory it was).
    at = 22 * 288 + 150
    for seed in range(3):
        pts = _bursty_then_quiet(seed, 80.0, at)
        assert [i for i in alerts(pts, ONE_BIN) if i >= at] == []
        week = [r.alert for r in run_series(pts, VolumeSettings(spread_days=7.0, confirm_bins=1))]
        assert any(week[at : at + 3])
        stormy = _bursty_then_quiet(seed, 80.0, at, storm_total=1500)
        found = [i for i in alerts(stormy, ONE_BIN) if i >= at]
        assert found and found[0] <= at + 3  # a real storm still alerts at once
        found = [i for i in alerts(stormy) if i >= at]
        assert found and found[0] <= at + 5  # with the defaults' four bins of confirmation
