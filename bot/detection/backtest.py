"""`crisisbot backtest` and `crisisbot sentiment`: the detectors on a team's own history.

`--series` streams a count series through the live volume detector (default settings, on the
playbook's clock like the live pass), strictly causally; `--mentions` replays a mention history
through the whole detection stack and reports the incidents the bot would have opened, when, and
why.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from bot.core.config import Config
from bot.detection.detect import detection_zone, storm_settings
from bot.intake.importer import ENCODING, Problem, read_jsonl
from bot.intake.ingest import ScoredMention, brand_for
from detectors.backtest import TIME_FORMAT, backtest_series
from detectors.sentiment import analyze
from detectors.storm import StormTracker


class BacktestError(ValueError):
    """Bad input, with where it is; the CLI prints it and exits 2 (no output file is left)."""


def series_rows(stream: IO[str], name: str) -> Iterator[tuple[str, float]]:
    reader = csv.reader(stream)
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:2] != ["timestamp", "value"]:
        raise BacktestError(f"{name}:1: the header must be `timestamp,value`")
    previous: datetime | None = None
    for line, row in enumerate(reader, start=2):
        if not row or not "".join(row).strip():
            continue
        try:
            stamp, value = row[0].strip(), float(row[1])
            at = datetime.strptime(stamp, TIME_FORMAT)
        except (IndexError, ValueError):
            raise BacktestError(
                f"{name}:{line}: expected `YYYY-MM-DD HH:MM:SS,count`, got {','.join(row)[:60]!r}"
            ) from None
        if not 0 <= value < math.inf:  # NaN fails too; the detector and the output need a count
            shown = row[1].strip()[:30]
            raise BacktestError(f"{name}:{line}: `{shown}` is not a count (0 or more)")
        if previous is not None and at <= previous:
            raise BacktestError(f"{name}:{line}: timestamps must increase ({stamp})")
        previous = at
        yield stamp, value


def backtest_series_file(source: Path, out: Path, config: Config | None = None) -> int:
    """Write OUT atomically; return the number of alerts. With `config`, the volume detector
    follows the playbook's clock (`timezone`) as the live pass does; its timestamps are UTC."""
    zone = None if config is None else detection_zone(config)
    alerts = 0
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    try:
        with (
            source.open(encoding=ENCODING, newline="") as f,  # a BOM (Excel's "CSV UTF-8") is fine
            os.fdopen(fd, "w", encoding="utf-8", newline="") as g,
        ):
            writer = csv.writer(g, lineterminator="\n")
            writer.writerow(["timestamp", "value", "score", "alert"])
            rows = series_rows(f, str(source))
            for stamp, value, score, alert in backtest_series(rows, zone=zone):
                alerts += alert
                writer.writerow([stamp, _num(value), f"{score:.6f}", alert])
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return alerts


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def read_history(
    stream: IO[str], name: str, config: Config
) -> tuple[list[ScoredMention], list[str]]:
    mentions: list[ScoredMention] = []
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for item in read_jsonl(stream):
        if isinstance(item, Problem):
            problems.append(f"{name}:{item.line}: {item.message}")
            continue
        if (item.source, item.external_id) in seen:
            continue  # the same de-duplication as the live store
        seen.add((item.source, item.external_id))
        mentions.append(ScoredMention.of(item, brand=item.brand or brand_for(config, item.text)))
    mentions.sort(key=lambda m: m.created_at)
    return mentions, problems


def sentiment_lines(stream: Iterable[str], out: IO[str]) -> int:
    count = 0
    for line in stream:
        text = line.rstrip("\n")
        s = analyze(text)
        # Cyrillic signals as written ("lexicon:ужасно"), not \u escapes: people read these lines.
        row = {"label": s.label, "polarity": s.polarity, "signals": list(s.signals)}
        out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


@dataclass(frozen=True, slots=True)
class WouldOpen:
    brand: str | None
    opened_at: datetime
    first_mention_at: datetime | None
    severity: str
    reasons: list[str]


def replay(mentions: list[ScoredMention], config: Config) -> Iterator[WouldOpen]:
    """Run the live rules at the end of every bin that received mentions, as the worker would:
    assess the brand's trailing history, open when it fires and the storm has no incident yet
    (the same volume alert, or a content alert that began before the last one opened). The
    replayed incident stays open while the storm lasts (nobody resolves it).

    One `StormTracker` per brand, as in the live bot: each pass feeds only the new bins to the
    detector, so the replay is one pass over the history."""
    brands = sorted({m.brand for m in mentions}, key=lambda b: b or "")
    width = timedelta(minutes=config.bin_minutes)
    lookback = timedelta(days=config.lookback_days)
    for brand in brands:
        own = [m for m in mentions if m.brand == brand]
        tracker = StormTracker(storm_settings(config, brand))
        last_opened: datetime | None = None
        last_alert_at: str | None = None
        start = 0
        for end, now in _bin_ends(own, width):
            while own[start].created_at <= now - lookback:
                start += 1
            result = tracker.assess(own[start:end], now)
            if not result.fired:
                continue
            alert_at = result.evidence.get("alert_at")
            if alert_at is not None and alert_at == last_alert_at:
                continue  # the same volume alert: the live bot opens no second incident
            if last_opened is not None and (result.started_at or now) <= last_opened:
                continue  # the same storm: the live bot opens no second incident
            last_opened, last_alert_at = now, alert_at or last_alert_at
            yield WouldOpen(brand, now, result.started_at, result.severity, result.reasons)


def _bin_ends(mentions: list[ScoredMention], width: timedelta) -> Iterator[tuple[int, datetime]]:
    """(index past the bin's last mention, the bin's end) for every bin holding mentions."""
    epoch = datetime(2000, 1, 1, tzinfo=mentions[0].created_at.tzinfo) if mentions else None
    i = 0
    while i < len(mentions):
        assert epoch is not None
        n = (mentions[i].created_at - epoch) // width
        end_time = epoch + (n + 1) * width
        while i < len(mentions) and mentions[i].created_at < end_time:
            i += 1
        yield i, end_time
