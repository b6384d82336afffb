"""`crisisbot backtest` and `crisisbot sentiment`: the detectors on a team's own history.

`--series` streams a count series through the live volume detector (default settings, on the
playbook's clock like the live pass), strictly causally; `--mentions` replays a mention history
through the live detection pass itself (`detect.run_detection`, on a scratch database) and reports
the incidents the bot would have opened, when, and why.
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core import i18n
from bot.core.config import Config
from bot.core.db import upgrade
from bot.core.files import replacing
from bot.detection import detect
from bot.detection.detect import detection_zone
from bot.intake.importer import ENCODING, Problem, read_jsonl
from bot.intake.ingest import store_mentions
from bot.response import incidents
from detectors.backtest import TIME_FORMAT, backtest_series
from detectors.sentiment import analyze
from detectors.storm import Assessment
from models import Incident, create_db_engine, session_factory
from models import Mention as MentionRow
from sources.base import Mention


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
    with (
        source.open(encoding=ENCODING, newline="") as f,  # a BOM (Excel's "CSV UTF-8") is fine
        replacing(out) as g,
    ):
        writer = csv.writer(g, lineterminator="\n")
        writer.writerow(["timestamp", "value", "score", "alert"])
        rows = series_rows(f, str(source))
        for stamp, value, score, alert in backtest_series(rows, zone=zone):
            alerts += alert
            writer.writerow([stamp, _num(value), f"{score:.6f}", alert])
    return alerts


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def read_history(stream: IO[str], name: str) -> tuple[list[Mention], list[str]]:
    """The history's records (the ingest format, `source` included: the live rules read it)
    in the file's order, each (source, id) once; and the bad lines."""
    mentions: list[Mention] = []
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for item in read_jsonl(stream):
        if isinstance(item, Problem):
            problems.append(f"{name}:{item.line}: {item.message}")
            continue
        if (item.source, item.external_id) in seen:
            continue  # what the store would skip anyway, counted once in "mentions replayed"
        seen.add((item.source, item.external_id))
        mentions.append(item)
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

    @classmethod
    def of(cls, incident: Incident) -> WouldOpen:
        return cls(
            incident.brand,
            _utc(incident.opened_at),
            _utc(incident.first_mention_at) if incident.first_mention_at else None,
            incident.severity,
            list((incident.evidence or {}).get("reasons", [])),
        )


# Who closes a replayed incident when its storm is over (its timeline says so).
BACKTEST_USER = "backtest"


STORE_CHUNK = 2000  # records stored between two looks at `stopped`


def _never() -> bool:
    return False


def replay(
    records: list[Mention], config: Config, *, stopped: Callable[[], bool] = _never
) -> list[WouldOpen]:
    """What the live bot would have opened on this history: the records stored as the live
    store stores them (scored, given their brand, the same post through a second source once),
    then the live detection pass (`detect.run_detection`, with its rules on sources) run at the
    end of every bin that received mentions, as the worker would, on a scratch SQLite database.

    Nobody works the incidents: each stays open while its storm lasts and is closed at the
    first pass that finds nothing in the brand's current window (`close_calm`), so a storm
    opens one incident and a later storm another. Times and reasons are English and UTC (a
    terminal's). `stopped` is asked between chunks of the store and between passes (Ctrl-C in
    the command line): KeyboardInterrupt then, where no library is mid-statement (raised inside
    one, it was lost in a cursor's cleanup and the replay ran on to exit 0)."""
    if not records:
        return []
    with tempfile.TemporaryDirectory(prefix="crisisbot-backtest-") as folder:
        url = f"sqlite:///{Path(folder) / 'backtest.db'}"
        engine = create_db_engine(url)
        try:
            upgrade(engine)
            sessions = session_factory(engine)
            with i18n.using(i18n.SOURCE_LOCALE, i18n.DEFAULT_TIMEZONE):
                return _replay(sessions, records, config, stopped)
        finally:
            detect.forget(engine)
            engine.dispose()


def _replay(
    sessions: sessionmaker[Session],
    records: list[Mention],
    config: Config,
    stopped: Callable[[], bool],
) -> list[WouldOpen]:
    last = max(r.created_at for r in records)
    with sessions.begin() as session:
        for start in range(0, len(records), STORE_CHUNK):
            _stop_if(stopped)
            store_mentions(session, records[start : start + STORE_CHUNK], config=config, now=last)
        times = session.scalars(select(MentionRow.created_at).order_by(MentionRow.created_at))
        ends = list(bin_ends((_utc(t) for t in times), timedelta(minutes=config.bin_minutes)))
    opened: list[WouldOpen] = []
    for now in ends:
        _stop_if(stopped)
        with sessions.begin() as session:
            verdicts: dict[str | None, Assessment] = {}
            found = detect.run_detection(
                session, config=config, channel=None, now=now, verdicts=verdicts
            )
            opened += [WouldOpen.of(i) for i in found]
            close_calm(session, verdicts, now=now)
    return opened


def _stop_if(stopped: Callable[[], bool]) -> None:
    if stopped():
        raise KeyboardInterrupt


def close_calm(
    session: Session, verdicts: dict[str | None, Assessment], *, now: datetime
) -> list[int]:
    """Close the open incidents whose brand a pass found calm (nothing fired in its current
    window; a late alert is a storm already past): the backtest's stand-in for the team."""
    closed = []
    for incident in incidents.open_incidents(session):
        verdict = verdicts.get(incident.brand)
        if incident.is_drill or verdict is None:
            continue
        if not verdict.fired or verdict.evidence.get("late"):
            incidents.resolve(session, incident.id, user=BACKTEST_USER, summary="", now=now)
            closed.append(incident.id)
    return closed


def bin_ends(times: Iterable[datetime], width: timedelta) -> Iterator[datetime]:
    """The end of every bin holding one of `times` (in time order), each once."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    previous: datetime | None = None
    for t in times:
        end = epoch + ((t - epoch) // width + 1) * width
        if end != previous:
            yield end
            previous = end


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
