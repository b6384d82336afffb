"""SQLite transactions through the project's engine and sessions: what one costs, and what
threads writing at once get done (and how often one fails with "database is locked").

Usage: python benchmarks/sqlite_lock_bench.py [--units N] [--seconds S] [--pause P]

Alone: a unit of work that reads an incident and updates it (`sessions.begin()`), a reading
session (`sessions()`) and `lookups.reading` (autocommit), each timed over N in a row (CPU time,
best of 5, so a shared machine's load counts little).
Together, for S seconds, one thread each: a timer (a savepoint, the incident read, then updated,
as `timers.escalate_unclaimed`), a handler (an incident read, then updated, as a claim), the
courier (an update of its own row) and a reader, each pausing P seconds between units (its work
outside the database: a Slack call, scoring). SQLite's busy handler waits by sleeping, so with
P=0 a thread that begins again at once may take the lock time after time before a sleeper wakes.
Run it on two checkouts (baseline and change) and compare the figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from sqlalchemy import select, update  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from benchmarks.ingest_bench import sqlite_url  # noqa: E402
from bot.response import lookups  # noqa: E402
from models import Incident, create_db_engine, session_factory  # noqa: E402

KINDS = ("timer", "handler", "courier", "reader")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--pause", type=float, default=0.002)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(sqlite_url(Path(tmp)))
        sessions = session_factory(engine)
        now = datetime.now(UTC)
        with sessions.begin() as session:
            made = [Incident(title=f"t{i}", opened_at=now, updated_at=now, evidence={})
                    for i in range(4)]  # fmt: skip
            session.add_all(made)
            session.flush()
            ids = [i.id for i in made]

        def handler(number: int) -> None:
            with sessions.begin() as session:
                incident = session.get(Incident, number)
                assert incident is not None
                incident.level += 1

        def timer(number: int) -> None:
            with sessions.begin() as session, session.begin_nested():
                incident = session.get(Incident, number)
                assert incident is not None
                incident.level += 1

        def courier(number: int) -> None:
            with sessions.begin() as session:
                session.execute(
                    update(Incident).where(Incident.id == number).values(severity="high")
                )

        def reader(number: int) -> None:
            with sessions() as session:
                session.scalar(select(Incident.title).where(Incident.id == number))

        def autocommit(_number: int) -> None:
            with lookups.reading(engine) as conn:
                lookups.open_lines(conn)

        print(f"alone, {args.units} in a row (CPU µs per unit, best of 5):")
        for name, fn in (("write unit", handler), ("reading session", reader),
                         ("lookups.reading", autocommit)):  # fmt: skip
            best = float("inf")
            for _round in range(5):
                started = time.process_time()
                for _ in range(args.units):
                    fn(ids[0])
                best = min(best, time.process_time() - started)
            print(f"  {name:<16} {best / args.units * 1e6:8.1f}")

        done: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        stop = threading.Event()

        def loop(name: str, fn: Callable[[int], None], number: int) -> None:
            while not stop.is_set():
                try:
                    fn(number)
                    done[name] += 1
                except OperationalError as exc:
                    failed[name] += 1
                    if "locked" not in str(exc):
                        raise
                time.sleep(args.pause)

        work = {"timer": timer, "handler": handler, "courier": courier, "reader": reader}
        threads = [
            threading.Thread(target=loop, args=(name, work[name], ids[i]))
            for i, name in enumerate(KINDS)
        ]
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        engine.dispose()
    print(
        f"together for {args.seconds:g} s, {args.pause * 1000:g} ms between a thread's units "
        '(units done a second; failed: "database is locked"):'
    )
    for name in KINDS:
        print(f"  {name:<8} {done[name] / args.seconds:8.0f}/s   failed {failed[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
