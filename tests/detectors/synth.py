"""Synthetic series and mentions for the detector tests (seeded, no files)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

T0 = datetime(2024, 3, 4)  # a Monday
BIN = timedelta(minutes=5)


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth for small means, normal approximation for big ones (stdlib has no Poisson)."""
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def daily_rate(i: int, base: float, amplitude: float = 0.7, weekend: float = 0.6) -> float:
    """Mentions per bin at bin i: a daily rhythm (quiet nights) and quieter weekends."""
    hour = (i * 5 / 60) % 24
    weekend = weekend if (i // 288) % 7 >= 5 else 1.0
    return base * weekend * (1 + amplitude * math.sin((hour - 9) / 24 * 2 * math.pi))


def series(
    days: float,
    base: float,
    seed: int = 1,
    growth: float = 0.0,
    storm_at: int | None = None,
    storm_total: int = 0,
    storm_bins: int = 12,
    weekend: float = 0.6,
) -> list[tuple[datetime, float]]:
    """Poisson counts around the daily rhythm; `growth` per day (0.1 = +10 %/day compounded);
    an optional storm of `storm_total` extra mentions spread over `storm_bins` bins."""
    rng = random.Random(seed)
    out = []
    for i in range(int(days * 288)):
        lam = daily_rate(i, base, weekend=weekend) * (1 + growth) ** (i / 288)
        if storm_at is not None and storm_at <= i < storm_at + storm_bins:
            lam += storm_total / storm_bins
        out.append((T0 + i * BIN, float(poisson(rng, lam))))
    return out


@dataclass(frozen=True, slots=True)
class M:
    created_at: datetime
    text: str = "saw acme today"
    label: str | None = "neutral"
    polarity: float | None = 0.0
    author: str | None = "someone"
    author_followers: int | None = 100
    url: str | None = None


# --- Realistic tweet-volume series with labelled storms (benchmarks/nab_volume.py, tests) ---

SHAPES = ("spike", "ramp", "plateau", "double", "shift")
LEVELS = (5.0, 50.0, 500.0, 5000.0)  # mean mentions per 5-minute bin at the daily peak


@dataclass(frozen=True, slots=True)
class Storm:
    shape: str
    onset: int  # bin index where the extra volume starts
    size: float  # peak extra volume as a multiple of the usual volume at that hour
    window: tuple[int, int]  # NAB window (first, last bin index), centred on the onset
    standout: float = 0.0  # peak hour ratio / the background's usual daily peak (`standout`)
    labelled: bool = True  # standout >= LABEL_STANDOUT: a labeller would have marked it


@dataclass(frozen=True, slots=True)
class TweetSeries:
    name: str
    level: float
    points: list[tuple[datetime, float]]  # missing bins are absent rows, as in a real export
    index: list[int]  # bin index of each row (for windows and delays)
    storms: list[Storm]
    # unlabelled background events (bin, kind, size): cascades, level shifts, outage
    events: list[tuple[int, str, float]] = field(default_factory=list)


# --- What a labeller marks: a storm that stands out from the series' own background ---
#
# NAB's labellers marked what stood out in each series; a storm smaller than the series' routine
# bursts is not in its labels. The criterion, independent of any detector: the hour ratio of a bin
# is the mentions in the hour around it over the median of the same hour on the past 7 days; a
# storm's peak is its highest hour ratio inside its window; the background's usual daily peak is
# the 90th percentile over days of each day's highest hour ratio away from storms. On the three
# NAB tweet series (benchmarks/nab_volume.py prints them) every labelled window's peak is at
# least 0.85 times that (0.85 .. 3.4, median 2.15), so a generated storm is labelled when its
# peak is at least LABEL_STANDOUT = 0.85 times its series' usual daily peak. Smaller storms stay
# in the series, unlabelled, as a labeller would have left them; the benchmark reports how often
# and how soon they alert, per size band, apart from the NAB score.
LABEL_STANDOUT = 0.85


def hour_ratios(counts: list[float | None], day: int = 288, hour: int = 12) -> list[float]:
    """Per bin: mentions in the hour centred on it over the median of the same hour on the past
    (up to) 7 days (at least 1 mention); 0 on the first day. Missing bins count as 0."""
    n = len(counts)
    pre = [0.0]
    for c in counts:
        pre.append(pre[-1] + (c or 0.0))
    half = hour // 2

    def hsum(i: int) -> float:
        return pre[min(n, i + hour - half)] - pre[max(0, i - half)]

    out = [0.0] * n
    for i in range(day, n):
        past = sorted(hsum(i - d * day) for d in range(1, 8) if i - d * day >= 0)
        out[i] = hsum(i) / max(past[len(past) // 2], 1.0)
    return out


def standout(
    counts: list[float | None], windows: list[tuple[int, int]], quiet: set[int] | None = None
) -> list[float]:
    """Each window's peak hour ratio over the background's usual daily peak (90th percentile over
    days of the daily maximum hour ratio; bins within 3 hours of a window or in `quiet` are left
    out)."""
    day = 288
    ratios = hour_ratios(counts, day)
    away = set(quiet or ())
    for lo, hi in windows:
        away.update(range(lo - 36, hi + 37))
    peaks = []
    for d in range(1, len(counts) // day):
        vals = [ratios[i] for i in range(d * day, (d + 1) * day) if i not in away]
        if len(vals) >= day // 2:
            peaks.append(max(vals))
    peaks.sort()
    usual = peaks[int(0.9 * (len(peaks) - 1))] if peaks else 1.0
    return [max(ratios[lo : hi + 1]) / usual for lo, hi in windows]


def _storm_profile(shape: str, rng: random.Random) -> list[float]:
    """Extra volume per bin from the onset, as a fraction of the peak (1.0 = peak)."""
    if shape == "spike":  # sharp rise, exponential decay (half-life 15-60 minutes)
        half = rng.uniform(3, 12)
        return [0.5 ** (k / half) for k in range(int(half * 8))]
    if shape == "ramp":  # slow build-up over 2-8 hours, then a slower fade
        up, down = rng.randint(24, 96), rng.randint(24, 72)
        return [(k + 1) / up for k in range(up)] + [1 - k / down for k in range(down)]
    if shape == "plateau":  # abrupt step up, held 4-16 hours, abrupt end
        return [1.0] * rng.randint(48, 192)
    if shape == "double":  # two spikes 2-8 hours apart, the second at 0.6-1.4x the first
        half, gap, second = rng.uniform(3, 9), rng.randint(24, 96), rng.uniform(0.6, 1.4)
        out = [0.5 ** (k / half) for k in range(gap + int(half * 8))]
        for k in range(int(half * 8)):
            out[gap + k] += second * 0.5 ** (k / half)
        return out
    raise ValueError(shape)


def tweet_series(
    seed: int,
    level: float,
    days: int = 40,
    shapes: tuple[str, ...] = SHAPES,
    n_storms: int = 3,
    sizes: tuple[float, float] = (1.5, 15.0),
    t0: datetime = T0,
    zone: str | None = None,
    sharpness: float = 1.0,
) -> TweetSeries:
    """A brand's mention counts per 5 minutes with `n_storms` labelled storms.

    Background (unlabelled, all of it routine for a brand): a daily rhythm (random amplitude and
    peak hour), quieter weekends, a slow trend, level shifts of up to +-35 %, a slow wander of
    the level (correlated over hours), gamma-Poisson over-dispersion, heavy-tailed (Pareto)
    cascades of a few bins, 1 to 6 a day (as bursty as the NAB tweet series), one to three bots
    posting at the same minute every day, and missing bins (scattered, plus an outage of one to
    six hours). Storms: shapes cycled from `shapes`, peak extra volume log-uniform in `sizes`
    times the usual volume at that hour; a "shift" is a lasting level change (x1 + 0.3 size).
    Windows follow NAB: 10 % of the series split over the storms, centred on the onset. A storm
    is labelled when it stands out of the background as NAB's labelled windows do (`standout`,
    LABEL_STANDOUT above); smaller ones stay in the series unlabelled (`Storm.labelled`). Fixed
    seed, same output every time.

    Bins start at `t0` (naive UTC). With `zone` (an IANA name) the audience lives on that zone's
    wall clock: the daily rhythm, the weekends and the bots' minute follow it, so they move by an
    hour in UTC at each daylight-saving change (without: on UTC, the same series as ever).
    `sharpness` > 1 steepens the daily rhythm into days and nights joined by rises and falls of
    about 12 / `sharpness` hours (3: a 4-hour morning rise), as an audience in one zone wakes.
    """
    rng = random.Random(seed * 7919 + int(level))
    n = days * 288
    wall = _wall_bins(t0, n, zone)  # per bin, its index on the audience's clock
    amp, peak_hour = rng.uniform(0.3, 0.8), rng.uniform(10, 20)
    weekend = rng.uniform(0.55, 1.0)
    trend = rng.uniform(-0.01, 0.015)  # per day, compounded
    shifts = sorted((rng.randrange(3 * 288, n), rng.uniform(0.75, 1.35)) for _ in range(2))
    disp = rng.uniform(15.0, 80.0)  # gamma shape per bin: smaller = burstier
    # Slow wander of the level (a log AR(1): correlated over 1-4 hours, sd 8-20 %), as real
    # brands drift between conversations; it makes long windows noisier than Poisson.
    tau, wander = rng.uniform(12, 48), rng.uniform(0.08, 0.2)
    phi = math.exp(-1.0 / tau)
    step = wander * math.sqrt(1 - phi * phi)
    drift = 0.0
    bots = [(rng.randrange(288), rng.randint(1, 2), rng.uniform(0.5, 3.0)) for _ in range(3)]
    bots = bots[: rng.randint(1, 3)]
    burst_rate = rng.uniform(0.004, 0.02)  # cascades per bin: brands differ a lot (1-6 a day)
    cascade = [0.0] * (n + 16)
    width = int(0.1 * n / max(n_storms, 1))
    storms: list[Storm] = []
    extra = [0.0] * n
    mult = [1.0] * n
    slot = (n - 6 * 288) // max(n_storms, 1)
    for k in range(n_storms):
        shape = shapes[(seed + k) % len(shapes)]
        onset = 6 * 288 + k * slot + rng.randrange(slot // 6, slot - width // 2 - 96)
        lo, hi = math.log(sizes[0]), math.log(sizes[1])
        size = math.exp(rng.uniform(lo, hi))
        storms.append(Storm(shape, onset, size, (onset - width // 2, onset + width // 2)))
        usual = _usual(wall[onset], level, amp, peak_hour, weekend, trend, sharpness)
        if shape == "shift":
            for i in range(onset, n):
                mult[i] *= 1.0 + 0.3 * size
            continue
        for j, f in enumerate(_storm_profile(shape, rng)):
            if onset + j < n:
                extra[onset + j] += f * size * usual
    outage = rng.randrange(3 * 288, n - 72)
    outage_bins = set(range(outage, outage + rng.randint(12, 72)))
    level_now = 1.0
    events: list[tuple[int, str, float]] = [(s, "shift", f) for s, f in shifts]
    events.append((outage, "outage", len(outage_bins)))
    points: list[tuple[datetime, float]] = []
    index: list[int] = []
    for i in range(n):
        while shifts and shifts[0][0] == i:
            level_now *= shifts.pop(0)[1]
        lam = _usual(wall[i], level, amp, peak_hour, weekend, trend, sharpness)
        lam *= level_now * mult[i]
        drift = phi * drift + rng.gauss(0.0, step)
        lam *= math.exp(drift - wander * wander / 2) * rng.gammavariate(disp, 1.0 / disp)
        if rng.random() < burst_rate:  # a retweet cascade nobody labels: short, heavy-tailed
            peak, half = min(rng.paretovariate(1.8), 15.0), rng.uniform(0.5, 3.0)
            events.append((i, "cascade", peak))
            for k in range(16):
                cascade[i + k] += peak * 0.5 ** (k / half)
        lam *= 1.0 + cascade[i]
        for at, dur, size in bots:
            if 0 <= wall[i] % 288 - at < dur:
                lam += size * max(level, 2.0) ** 0.5 * 3.0
        count = poisson(rng, lam + extra[i])
        if i in outage_bins or rng.random() < 0.003:
            continue
        points.append((t0 + i * BIN, float(count)))
        index.append(i)
    counts: list[float | None] = [None] * n
    for i, (_, v) in zip(index, points, strict=True):
        counts[i] = v
    after_shift = {
        i for st in storms if st.shape == "shift" for i in range(st.onset, st.onset + 7 * 288)
    }
    peaks = standout(counts, [st.window for st in storms], after_shift)
    storms = [
        Storm(st.shape, st.onset, st.size, st.window, p, p >= LABEL_STANDOUT)
        for st, p in zip(storms, peaks, strict=True)
    ]
    name = f"synth_L{int(level)}_s{seed}" + (f"_{zone}" if zone else "")
    return TweetSeries(name, level, points, index, storms, events)


def _wall_bins(t0: datetime, n: int, zone: str | None) -> Sequence[int]:
    """Bin i's index on the wall clock of `zone`: i plus the zone's UTC offset then, in bins
    (minus the offset at t0, so bin 0 keeps its index)."""
    if zone is None:
        return range(n)
    tz = ZoneInfo(zone)

    def offset(t: datetime) -> int:
        off = t.replace(tzinfo=UTC).astimezone(tz).utcoffset() or timedelta(0)
        return round(off / BIN)

    first = offset(t0)
    return [i + offset(t0 + i * BIN) - first for i in range(n)]


def _usual(
    i: int,
    level: float,
    amp: float,
    peak_hour: float,
    weekend: float,
    trend: float,
    sharpness: float = 1.0,
) -> float:
    hour = (i * 5 / 60) % 24
    week = weekend if (i // 288) % 7 >= 5 else 1.0
    c = 0.5 + 0.5 * math.cos((hour - peak_hour) / 24 * 2 * math.pi)
    if sharpness != 1.0:  # a clipped, steeper cosine: day, night, and the rises between
        c = min(1.0, max(0.0, 0.5 + sharpness * (c - 0.5)))
    day = (1 - amp) + amp * c
    return level * week * day * (1 + trend) ** (i / 288)


def day_and_night(
    zone: str,
    change: datetime,
    *,
    days_before: int = 22,
    days_after: int = 10,
    seed: int = 2,
    storm_at: datetime | None = None,
    day: float = 60.0,
    night: float = 3.0,
) -> list[tuple[datetime, float]]:
    """An audience on `zone`'s clock (tests/detectors/test_volume_dst.py): `night` mentions a bin
    on average, `day` from 08:00 to 23:00 local (the morning rise and the evening fall are a bin
    wide), every day, and an optional storm of 200 more a bin for an hour. Bins are naive UTC,
    from midnight UTC `days_before` days before `change`."""
    rng, tz = random.Random(seed), ZoneInfo(zone)
    t0 = (change - timedelta(days=days_before)).replace(hour=0)
    out = []
    for i in range((days_before + days_after) * 288):
        t = t0 + i * BIN
        hour = t.replace(tzinfo=UTC).astimezone(tz).hour
        lam = day if 8 <= hour < 23 else night
        if storm_at is not None and storm_at <= t < storm_at + 12 * BIN:
            lam += 200.0
        out.append((t, float(poisson(rng, lam))))
    return out
