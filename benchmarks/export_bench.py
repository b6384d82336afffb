"""How long an export takes, and how much memory it needs, for 10k and 100k timeline events.

    PYTHONPATH=. python benchmarks/export_bench.py [--pg URL] [--sizes 10000,100000]

A script, not a timed test: wall time depends on the machine. For each database and size it builds
one incident with N events (plus drafts and a storm of mentions for the HTML chart), then exports
every format into a byte-counting sink. Time is measured without tracing; peak memory in a second
pass under tracemalloc (Python allocations, which is what would grow if an export held the
timeline). The 100k/10k peak ratio is the figure to watch: near 1 means memory does not grow.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from bot.aftermath import export  # noqa: E402
from bot.core.db import drop_schema, scratch_schema, upgrade  # noqa: E402
from models import Draft, Incident, Mention, TimelineEvent, create_db_engine, session_factory  # noqa: E402

TYPES = ("note.added", "reminder.sent", "storm.grew", "incident.severity_changed")


class Sink:
    """A text stream that only counts what it is given, like /dev/null."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, s: str) -> int:
        self.chars += len(s)
        return len(s)


def populate(url: str, n: int) -> None:
    engine = create_db_engine(url)
    now = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
    opened = now - timedelta(hours=6)
    with session_factory(engine).begin() as s:
        s.add(
            Incident(
                id=1, brand="Acme", title="Acme: mention storm", status="resolved",
                severity="high", owner="U0ALICE", first_mention_at=opened - timedelta(minutes=9),
                opened_at=opened, claimed_at=opened + timedelta(minutes=4),
                resolved_at=now, updated_at=now, summary="Refunds issued.",
                evidence={"reasons": ["90 mentions against 3 expected."]}, open_key=None,
            )
        )  # fmt: skip
        s.flush()
        for v in (1, 2):
            s.add(
                Draft(
                    incident_id=1, version=v, text=f"Sorry, v{v}", author="U0ALICE",
                    status="rejected" if v == 1 else "approved", created_at=opened,
                    decided_by="U0CAROL", decided_at=opened + timedelta(minutes=20 * v),
                )
            )  # fmt: skip
        mentions = [
            {
                "source": "bluesky", "external_id": f"m{i}", "brand": "Acme", "author": "a",
                "text": "Acme broke my order", "url": f"https://bsky.app/p/{i}",
                "created_at": opened - timedelta(hours=8) + timedelta(seconds=20 * i),
                "ingested_at": now, "label": "negative" if i % 3 == 0 else "neutral",
            }
            for i in range(3000)
        ]  # fmt: skip
        s.execute(insert(Mention), mentions)
        step = (now - opened) / n
        for start in range(0, n, 10_000):
            rows = [
                {
                    "incident_id": 1, "at": opened + step * i, "type": TYPES[i % len(TYPES)],
                    "actor": "U0ALICE" if i % 2 else None,
                    "data": {"text": f"event {i}, with \"quotes\", commas | pipes <b>"},
                }
                for i in range(start, min(n, start + 10_000))
            ]  # fmt: skip
            s.execute(insert(TimelineEvent), rows)
    engine.dispose()


def measure(url: str, fmt: str) -> tuple[float, float, float, int]:
    engine = create_db_engine(url)
    sessions = session_factory(engine)
    names = {"U0ALICE": "Alice Moreau", "U0CAROL": "Carol Diaz"}
    with sessions.begin() as s:  # warm-up: connection, statement caches, imports
        export.write(s, 1, fmt, Sink(), name_of=lambda u: names.get(u, u))
    with sessions.begin() as s:
        sink = Sink()
        t0, c0 = time.perf_counter(), time.process_time()
        export.write(s, 1, fmt, sink, name_of=lambda u: names.get(u, u))
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    with sessions.begin() as s:
        tracemalloc.start()
        export.write(s, 1, fmt, Sink(), name_of=lambda u: names.get(u, u))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    engine.dispose()
    return seconds, cpu, peak / 1e6, sink.chars


def databases(pg: str | None, size: int, workdir: Path) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    path = workdir / f"bench-{size}.db"
    out.append(("sqlite", f"sqlite:///{path}", None))
    if pg:
        url, schema = scratch_schema(pg, "export_bench")
        out.append(("postgresql", url, schema))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="also run on this PostgreSQL URL (a scratch schema is used)")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--formats", default=",".join(export.FORMATS))
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    results: dict[tuple[str, str, int], tuple[float, float, float, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            for db, url, schema in databases(args.pg, size, Path(tmp)):
                engine = create_db_engine(url)
                upgrade(engine)
                engine.dispose()
                populate(url, size)
                for fmt in args.formats.split(","):
                    results[(db, fmt, size)] = measure(url, fmt)
                    sec, cpu, mb, chars = results[(db, fmt, size)]
                    print(f"{db:10} {fmt:4} {size:>7} events: {sec:6.2f} s wall, {cpu:6.2f} s cpu, "
                          f"peak {mb:6.1f} MB, {chars / 1e6:6.1f} M chars", flush=True)  # fmt: skip
                if schema is not None:
                    drop_schema(args.pg, schema)
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        print(f"\npeak memory ratio {big}/{small} events (1.0 = flat):")
        for db, fmt, size in results:
            if size == big and (db, fmt, small) in results:
                ratio = results[(db, fmt, big)][2] / max(results[(db, fmt, small)][2], 1e-9)
                print(f"  {db:10} {fmt:4} {ratio:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
