"""Volume spike detection on mention counts per time bin (streaming, strictly causal).

The model, per bin:

* expected count = seasonal profile (mean of the same time of day over the past week, +-1 bin)
  scaled by the recent level (last few hours against what the profile predicted for them).
  Without a day of history the recent level alone is used.
* history is stored "cleaned": a bin far above expectation is capped before it is remembered, so a
  past storm does not inflate tomorrow's baseline (a winsorised history, robust like a median but
  unbiased for small counts, unlike a median of 0-3 mentions).
* how unusual: counts summed over several scales (1 bin, 15 min, 1 h) are compared on the Anscombe
  square-root scale, where Poisson noise has unit variance; the spread of past residuals (robust
  MAD, floored at the Poisson value) absorbs over-dispersion, so no per-series tuning is needed.
* one storm = one alert: after an alert the detector stays quiet for `cooldown_seconds` and until
  the series has calmed down.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DAY_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class VolumeSettings:
    bin_seconds: int = 300
    threshold: float = 6.0  # z on the variance-stabilised scale that counts as a storm
    min_excess: float = 8.0  # mentions above expected, so tiny brands don't alert on 3 posts
    scales_minutes: tuple[int, ...] = (0, 15, 60)  # 0 = a single bin
    season_days: int = 7
    level_minutes: int = 180  # recent-level window
    spread_days: float = 3.0  # residual history for the robust spread
    cooldown_seconds: int = 12 * 3600
    rearm_z: float = 3.0  # after cooldown, re-arm only once z is back under this
    warmup_seconds: int = 6 * 3600
    clean_z: float = 3.0  # history is capped at this many spreads above expected


@dataclass(frozen=True, slots=True)
class BinResult:
    start: datetime
    observed: float
    expected: float
    score: float  # 0..1, 0.5 at the alert threshold
    alert: bool  # a NEW alert: exactly where the live bot would post one
    z: float = 0.0  # strongest standardised excess over the scales
    window_bins: int = 1  # the scale (in bins) on which z was strongest
    window_observed: float = 0.0
    window_expected: float = 0.0
    in_storm: bool = False  # inside an alerted storm (cooldown not over)


def _anscombe(x: float) -> float:
    return 2.0 * math.sqrt(max(x, 0.0) + 0.375)


def _robust_spread(values: Iterable[float]) -> tuple[float, float]:
    """(median, 1.4826 * MAD) of the values."""
    xs = sorted(values)
    if not xs:
        return 0.0, 1.0
    med = xs[len(xs) // 2]
    devs = sorted(abs(x - med) for x in xs)
    return med, 1.4826 * devs[len(devs) // 2]


@dataclass(slots=True)
class _Scale:
    bins: int
    resid: deque[float]
    centre: float = 0.0
    spread: float = 1.0


@dataclass(slots=True)
class VolumeDetector:
    """Feed bins in time order with `update`; missing bins are treated as 'no data'."""

    settings: VolumeSettings = field(default_factory=VolumeSettings)
    _obs: list[float | None] = field(default_factory=list)
    _clean: list[float | None] = field(default_factory=list)
    _seas: list[float | None] = field(default_factory=list)
    _exp: list[float | None] = field(default_factory=list)
    _scales: list[_Scale] = field(default_factory=list)
    _last_start: datetime | None = None
    _first_start: datetime | None = None
    _last_alert: datetime | None = None
    _storm: bool = False
    _n: int = 0

    def __post_init__(self) -> None:
        s = self.settings
        keep = max(1, round(s.spread_days * DAY_SECONDS / s.bin_seconds))
        for minutes in s.scales_minutes:
            bins = max(1, round(minutes * 60 / s.bin_seconds))
            if all(sc.bins != bins for sc in self._scales):
                self._scales.append(_Scale(bins=bins, resid=deque(maxlen=keep)))

    @property
    def _day_bins(self) -> int:
        return max(1, round(DAY_SECONDS / self.settings.bin_seconds))

    @property
    def _memory(self) -> int:
        return self._day_bins * self.settings.season_days + 2

    def _get(self, series: list[float | None], back: int) -> float | None:
        """Value `back` bins before the newest stored one (0 = newest)."""
        return series[-1 - back] if back < len(series) else None

    def _push(self, obs: float | None, clean: float | None, seas: float | None,
              exp: float | None) -> None:
        for series, v in ((self._obs, obs), (self._clean, clean), (self._seas, seas),
                          (self._exp, exp)):
            series.append(v)
            if len(series) > 2 * self._memory:  # trim in chunks: amortised O(1)
                del series[: len(series) - self._memory]

    def _seasonal(self) -> float | None:
        """Mean cleaned count at the same time of day over past days (+-1 bin)."""
        day = self._day_bins
        vals = []
        for d in range(1, self.settings.season_days + 1):
            for j in (-1, 0, 1):
                v = self._get(self._clean, d * day - 1 + j)
                if v is not None:
                    vals.append(v)
        return sum(vals) / len(vals) if len(vals) >= 3 else None

    def _expected(self, seas: float | None) -> float | None:
        """Seasonal profile scaled by the recent level, or the recent level alone."""
        level_bins = max(1, round(self.settings.level_minutes * 60 / self.settings.bin_seconds))
        clean_sum = seas_sum = 0.0
        clean_only: list[float] = []
        for back in range(min(level_bins, len(self._clean))):
            c = self._clean[-1 - back]
            if c is None:
                continue
            clean_only.append(c)
            s = self._seas[-1 - back]
            if s is not None:
                clean_sum += c
                seas_sum += s
        if seas is not None and seas_sum > 0.0:
            prior = 3.0  # pseudo-counts: a few quiet bins must not swing the level wildly
            return seas * (clean_sum + prior) / (seas_sum + prior)
        if clean_only:
            return sum(clean_only) / len(clean_only)
        return seas

    def _gap(self, start: datetime) -> None:
        """Insert 'no data' rows for skipped bins; reject time going backwards."""
        if self._last_start is None:
            self._first_start = start
            return
        steps = round((start - self._last_start).total_seconds() / self.settings.bin_seconds)
        if steps < 1:
            raise ValueError(f"bin {start} is not after the previous bin {self._last_start}")
        for _ in range(min(steps - 1, self._memory)):
            self._push(None, None, None, None)

    def _score_scales(self) -> list[tuple[float, int, float, float]]:
        """(z, bins, observed, expected) for each scale, ending at the newest bin."""
        out = []
        for sc in self._scales:
            obs = exp = 0.0
            for back in range(min(sc.bins, len(self._obs))):
                o, e = self._obs[-1 - back], self._exp[-1 - back]
                if o is not None and e is not None:
                    obs += o
                    exp += e
            d = _anscombe(obs) - _anscombe(exp)
            z = (d - sc.centre) / max(sc.spread, 1.0)  # Poisson floor: sd 1 on this scale
            sc.resid.append(d)
            if len(sc.resid) < 100 or self._n % 12 == 0:  # refresh the spread now and then
                sc.centre, sc.spread = _robust_spread(sc.resid)
            out.append((z, sc.bins, obs, exp))
        return out

    def update(self, start: datetime, value: float) -> BinResult:
        """Add one bin (its start time and count) and say how unusual it is."""
        s = self.settings
        self._gap(start)
        self._last_start = start
        self._n += 1
        seas = self._seasonal()
        exp = self._expected(seas)
        if exp is None:
            exp = float(value)  # the very first bin: nothing to compare with
        self._push(float(value), float(value), seas, exp)
        scales = self._score_scales()
        z1 = scales[0][0]
        if z1 > s.clean_z:  # remember a capped value, not the spike itself
            sc = self._scales[0]
            cap = (_anscombe(exp) + sc.centre + s.clean_z * max(sc.spread, 1.0)) / 2.0
            self._clean[-1] = min(float(value), cap * cap - 0.375)
        gated = [t for t in scales if t[2] - t[3] >= s.min_excess]
        best = max(gated or scales)
        z = best[0] if gated else min(best[0], 0.99 * s.threshold)
        alert = self._decide(start, z, bool(gated))
        return BinResult(
            start=start, observed=float(value), expected=exp,
            score=z * z / (z * z + s.threshold**2) if z > 0 else 0.0,
            alert=alert, z=best[0], window_bins=best[1], window_observed=best[2],
            window_expected=best[3], in_storm=self._storm,
        )

    def _decide(self, start: datetime, z: float, material: bool) -> bool:
        """Alert on a new storm only: cooldown and hysteresis keep one storm = one alert."""
        s = self.settings
        if self._storm and self._last_alert is not None:
            calm = z < s.rearm_z
            if calm and start - self._last_alert >= timedelta(seconds=s.cooldown_seconds):
                self._storm = False
        assert self._first_start is not None
        warm = start - self._first_start >= timedelta(seconds=s.warmup_seconds)
        if self._storm or not warm or not material or z < s.threshold:
            return False
        self._storm = True
        self._last_alert = start
        return True


def run_series(
    points: Iterable[tuple[datetime, float]], settings: VolumeSettings | None = None
) -> Iterator[BinResult]:
    """Replay a series through a fresh detector; bin width inferred from the first two rows."""
    it = iter(points)
    first = next(it, None)
    if first is None:
        return
    second = next(it, None)
    if settings is None:
        width = 300 if second is None else int((second[0] - first[0]).total_seconds())
        settings = VolumeSettings(bin_seconds=max(1, width))
    det = VolumeDetector(settings)
    yield det.update(*first)
    if second is not None:
        yield det.update(*second)
    for start, value in it:
        yield det.update(start, value)
