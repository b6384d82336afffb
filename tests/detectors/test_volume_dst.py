"""Detection on the team's clock: with a zone (`VolumeSettings.zone`, the playbook's `timezone`)
the volume detector's time-of-day and time-of-week slots follow the audience's wall clock, so a
daylight-saving change does not move its daily pattern against the baselines. Without one (or
"UTC") nothing changes. Europe/Sofia: EET (UTC+2) in winter, EEST (UTC+3) in summer; the clocks
change on 31 March and 27 October 2024 at 01:00 UTC. America/New_York: on 10 March (07:00 UTC)
and 3 November 2024 (06:00 UTC).
"""

from __future__ import annotations

import bisect
import pickle
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from detectors.backtest import TIME_FORMAT, backtest_series
from detectors.storm import StormSettings, StormTracker
from detectors.volume import BinResult, VolumeDetector, VolumeSettings, run_series
from tests.detectors.synth import BIN, M, day_and_night, tweet_series

SOFIA, NEW_YORK = "Europe/Sofia", "America/New_York"
# (zone, the change's UTC instant): spring forward, fall back
CHANGES = {
    "sofia-spring": (SOFIA, datetime(2024, 3, 31, 1)),
    "sofia-autumn": (SOFIA, datetime(2024, 10, 27, 1)),
    "new-york-spring": (NEW_YORK, datetime(2024, 3, 10, 7)),
    "new-york-autumn": (NEW_YORK, datetime(2024, 11, 3, 6)),
}
ZONED = VolumeSettings(zone=SOFIA)


def alert_times(points: list[tuple[datetime, float]], settings: VolumeSettings | None) -> list:
    return [t for (t, _), r in zip(points, run_series(points, settings), strict=True) if r.alert]


@pytest.mark.parametrize("zone", [None, "UTC", UTC, timezone(timedelta(hours=3))])
def test_no_zone_utc_and_fixed_offsets_score_every_bin_as_before(zone: object) -> None:
    # A zone that never changes its clock moves no slot: the same results, bit for bit.
    pts = tweet_series(3, 50.0, days=16).points
    plain = list(run_series(pts))
    assert list(run_series(pts, VolumeSettings(zone=zone))) == plain  # type: ignore[arg-type]
    assert any(r.alert for r in plain)


@pytest.mark.parametrize("case", sorted(CHANGES))
def test_the_daily_rise_after_a_clock_change_is_no_storm_on_the_team_clock(case: str) -> None:
    zone, change = CHANGES[case]
    pts = day_and_night(zone, change)
    assert alert_times(pts, VolumeSettings(zone=zone)) == []
    # On UTC bins the morning rise (spring) or the evening fall (autumn) comes an hour off the
    # baseline: a "storm" the day after the change.
    utc = alert_times(pts, None)
    assert utc and all(change <= t < change + timedelta(days=1) for t in utc[:1])


@pytest.mark.parametrize("case", sorted(CHANGES))
def test_every_bin_around_a_change_is_scored_once_and_causally(case: str) -> None:
    # The 23-hour day skips a wall-clock hour, the 25-hour day repeats one: every UTC bin still
    # gets one result, a score in 0..1, and a prefix cut anywhere (inside the repeated hour too)
    # scores its bins exactly as the full run did.
    zone, change = CHANGES[case]
    pts = day_and_night(zone, change, days_after=3, storm_at=change + timedelta(minutes=30))
    settings = VolumeSettings(zone=zone)
    full = list(run_series(pts, settings))
    assert len(full) == len(pts)
    assert all(0.0 <= r.score <= 1.0 for r in full)
    at = next(i for i, (t, _) in enumerate(pts) if t == change)
    for cut in (at, at + 1, at + 6, at + 12, at + 13, at + 300):
        assert list(run_series(pts[:cut], settings)) == full[:cut]
    # the night storm half an hour into the changed clock is found on time
    found = [t for (t, _), r in zip(pts, full, strict=True) if r.alert]
    assert found and change + timedelta(minutes=30) <= found[0] <= change + timedelta(minutes=55)


@pytest.mark.parametrize("case", ["sofia-spring", "sofia-autumn"])
def test_a_gap_across_the_change_is_no_data(case: str) -> None:
    # Missing bins across the change (an outage at 01:00 UTC) are skipped bins, as ever.
    zone, change = CHANGES[case]
    outage = (change - BIN * 7, change + BIN * 9)
    pts = [p for p in day_and_night(zone, change) if not outage[0] <= p[0] < outage[1]]
    settings = VolumeSettings(zone=zone)
    full = list(run_series(pts, settings))
    assert len(full) == len(pts) and all(0.0 <= r.score <= 1.0 for r in full)
    assert [t for (t, _), r in zip(pts, full, strict=True) if r.alert] == []
    half = len(pts) // 2 + 500
    assert list(run_series(pts[:half], settings)) == full[:half]


def test_a_zoned_state_clones_and_pickles_and_goes_on_exactly() -> None:
    # The live bot keeps the detector in a pickled state and replays the tail on a clone.
    zone, change = CHANGES["sofia-autumn"]
    pts = day_and_night(zone, change, days_after=4)
    straight = list(run_series(pts, ZONED))
    at = next(i for i, (t, _) in enumerate(pts) if t == change) + 3  # in the repeated hour
    det = VolumeDetector(ZONED)
    first = [det.update(t, v) for t, v in pts[:at]]
    twin, thawed = det.clone(), pickle.loads(pickle.dumps(det))
    assert first + [twin.update(t, v) for t, v in pts[at:]] == straight
    assert first + [thawed.update(t, v) for t, v in pts[at:]] == straight


def test_bin_starts_with_a_tzinfo_are_read_as_the_same_instants() -> None:
    # The live tracker's bins carry UTC; the backtest's are naive UTC: the same slots.
    zone, change = CHANGES["sofia-spring"]
    pts = day_and_night(zone, change, days_before=9, days_after=2)
    naive = list(run_series(pts, ZONED))
    aware = list(run_series([(t.replace(tzinfo=UTC), v) for t, v in pts], ZONED))
    assert [r[1:] for r in aware] == [r[1:] for r in naive]


def test_a_zone_set_for_an_audience_on_utc_costs_an_hour_of_misaligned_slots() -> None:
    # The cost of a wrong setting: an audience that keeps UTC scored on Sofia's clock looks, after
    # the change, like the Sofia audience scored on UTC: its rise is an hour off the baseline.
    change = CHANGES["sofia-spring"][1]
    on_utc = day_and_night("UTC", change)
    assert alert_times(on_utc, None) == []
    assert alert_times(on_utc, ZONED) != []


def test_a_result_is_a_bin_result_with_the_bins_own_start() -> None:
    zone, change = CHANGES["new-york-autumn"]
    pts = day_and_night(zone, change, days_before=2, days_after=1)
    out = list(run_series(pts, VolumeSettings(zone=zone)))
    assert all(isinstance(r, BinResult) for r in out)
    assert [r.start for r in out] == [t for t, _ in pts]


def test_live_tracker_and_backtest_alert_alike_on_the_team_clock() -> None:
    # One code path with a zone too: mentions binned and fed through StormTracker (the live
    # pass) alert where `backtest_series` does on the same counts, across the autumn change.
    zone, change = CHANGES["sofia-autumn"]
    storm = change + timedelta(days=1, hours=9)
    pts = day_and_night(zone, change, days_before=9, days_after=3, day=10.0, night=1.0,
                        storm_at=storm)  # fmt: skip
    counts = {t: int(v) for t, v in pts}
    grid = [t for t, _ in pts]
    second = timedelta(seconds=1)
    mentions = [M(created_at=t + second) for t in grid for _ in range(counts[t])]
    times = [m.created_at for m in mentions]
    tracker = StormTracker(StormSettings(volume=VolumeSettings(zone=zone)), settle_minutes=0)
    live = []
    for k, t in enumerate(grid):
        now = t + timedelta(minutes=4)
        since = None if tracker.young(now) else tracker.resume_from(now)
        lo = 0 if since is None else bisect.bisect_left(times, since)
        tracker.assess(mentions[lo : bisect.bisect_right(times, now)], now, complete_from=since)
        if k and tracker._results[-1].alert:
            live.append(grid[k - 1])
    rows = [(t.strftime(TIME_FORMAT), float(counts[t])) for t in grid]
    offline = [t for t, row in zip(grid, backtest_series(rows, zone=zone), strict=True) if row[3]]
    assert live == [t for t in offline if t < grid[-1]]
    assert live and storm <= live[0] <= storm + 5 * BIN  # the storm, and nothing before it
    on_utc = [t for t, row in zip(grid, backtest_series(rows), strict=True) if row[3]]
    assert on_utc[0] < storm  # on UTC slots the evening fall came first


def test_a_zone_costs_next_to_nothing_per_bin() -> None:
    # The offset is cached between transitions: one comparison per bin, not a zoneinfo call.
    # Both in this process on the same bins (crossing a change); benchmarks/volume_dst.py prints
    # the figures (~0.98x on the development series).
    pts = tweet_series(8, 50.0, days=10, t0=datetime(2024, 3, 25)).points

    def best(settings: VolumeSettings) -> float:
        times = []
        for _ in range(3):
            t0 = time.process_time()
            for _r in run_series(pts, settings):
                pass
            times.append(time.process_time() - t0)
        return min(times)

    plain, zoned = best(VolumeSettings()), best(ZONED)
    assert plain / zoned >= 0.8, f"{len(pts) / zoned:,.0f} vs {len(pts) / plain:,.0f} bins/s"
