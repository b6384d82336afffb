"""Synthetic series and mentions for the detector tests (seeded, no files)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

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
