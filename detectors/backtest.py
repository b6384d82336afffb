"""Pure helper behind `crisisbot backtest --series IN.csv --out OUT.csv`.

Streams (timestamp, value) rows through the volume detector, strictly causally: each output row
depends only on the rows up to it. The CLI owns the file handling.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from detectors.volume import VolumeDetector, VolumeSettings

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def backtest_series(
    rows: Iterable[tuple[str, float]],
    settings: VolumeSettings | None = None,
    *,
    zone: str | None = None,
) -> Iterator[tuple[str, float, float, int]]:
    """Yield (timestamp as given, value, score 0..1, alert 0/1) per input row.

    The bin width is inferred from the first two rows (unless `settings` gives it); later rows may
    skip bins (missing rows = no data). Rows must be in increasing time order. Timestamps are
    UTC; `zone` (without `settings`) is the audience's clock for the time-of-day slots.
    """
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return
    second = next(it, None)
    t0 = datetime.strptime(first[0].strip(), TIME_FORMAT)
    if settings is None:
        width = 300
        if second is not None:
            width = int((datetime.strptime(second[0].strip(), TIME_FORMAT) - t0).total_seconds())
        if width <= 0:
            raise ValueError(f"rows are not in increasing time order: {first[0]}, {second}")
        settings = VolumeSettings(bin_seconds=width, zone=zone)
    det = VolumeDetector(settings)
    for stamp, value in (first, *(() if second is None else (second,))):
        yield _row(det, stamp, value)
    for stamp, value in it:
        yield _row(det, stamp, value)


def _row(det: VolumeDetector, stamp: str, value: float) -> tuple[str, float, float, int]:
    r = det.update(datetime.strptime(stamp.strip(), TIME_FORMAT), float(value))
    return stamp, float(value), round(r.score, 6), int(r.alert)
