"""Retention: `crisisbot prune --before DATE` removes old mentions no incident refers to.

An incident refers to its brand's mentions from `LEAD` before its first mention to `TAIL` after it
closed (what its HTML report charts) and to the mentions its evidence quotes; a drill to none.
Those stay; so do incidents, their timelines and evidence (never touched here). Deleted in
batches, one transaction each, so a large prune never holds long locks and can be stopped and
rerun.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from bot.aftermath.html_report import LEAD, TAIL
from bot.core.config import Config
from models import Incident, Mention

BATCH = 5000


@dataclass(frozen=True, slots=True)
class Pruned:
    deleted: int  # posts (a post stored for two brands is two rows)
    kept: int  # older than the date but referred to by an incident


@dataclass(slots=True)
class _Refs:
    windows: dict[str | None, tuple[list[datetime], list[datetime]]]  # brand -> starts, ends
    quoted: set[tuple[str, str]]  # (source, url) of quoted mentions
    # A renamed brand (`formerly`): its former names -> its name now, for its incidents and
    # mentions under either name are one brand's.
    current: dict[str, str] = field(default_factory=dict)

    def refer(self, brand: str | None, at: datetime, source: str, url: str | None) -> bool:
        if url is not None and (source, url) in self.quoted:
            return True
        brand = self.current.get(brand, brand) if brand else brand
        starts, ends = self.windows.get(brand, ([], []))
        i = bisect.bisect_right(starts, at)  # windows are merged: the one starting at or before
        return i > 0 and at <= ends[i - 1]


def _references(session: Session, now: datetime, current: dict[str, str]) -> _Refs:
    spans: dict[str | None, list[tuple[datetime, datetime]]] = defaultdict(list)
    quoted: set[tuple[str, str]] = set()
    rows = session.execute(
        select(
            Incident.brand,
            Incident.first_mention_at,
            Incident.opened_at,
            Incident.resolved_at,
            Incident.evidence,
        )
        # A drill's mentions are its scenario's, never stored, and its report charts them from
        # its evidence: it refers to no stored mention. Counted, a drill left open would keep
        # every real mention of its brand since it started.
        .where(Incident.is_drill.is_(False))
    )
    for recorded, first, opened, resolved, evidence in rows:
        brand = current.get(recorded, recorded) if recorded else recorded
        begin = min(first, opened) if first is not None else opened
        spans[brand].append((begin - LEAD, (resolved or now) + TAIL))
        for sample in (evidence or {}).get("samples") or []:
            if isinstance(sample, dict) and sample.get("url") and sample.get("source"):
                quoted.add((str(sample["source"]), str(sample["url"])))
    windows = {}
    for brand, found in spans.items():
        merged: list[list[datetime]] = []
        for start, end in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        windows[brand] = ([m[0] for m in merged], [m[1] for m in merged])
    return _Refs(windows, quoted, current)


@dataclass(slots=True)
class _Posts:
    """Posts counted from their rows, which come in key order: kept when any row is kept."""

    deleted: int = 0
    kept: int = 0
    post: tuple[str, str] | None = None
    post_kept: bool = False

    def add(self, post: tuple[str, str], kept: bool) -> None:
        if post != self.post:
            self.close()
            self.post = post
        self.post_kept |= kept

    def close(self) -> None:
        if self.post is not None:
            if self.post_kept:
                self.kept += 1
            else:
                self.deleted += 1
        self.post, self.post_kept = None, False


def prune(
    sessions: sessionmaker[Session],
    *,
    before: datetime,
    now: datetime,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
    config: Config | None = None,
) -> Pruned:
    """Delete mentions created before `before` that no incident refers to, `batch` at a time.

    A post stored for two brands is two rows, each kept or deleted by its own brand's
    incidents; the counts are posts: deleted when none of its rows is left, kept when one is.
    Batches walk the rows in key order, so a post's rows come one after the other. `config`:
    the playbook, whose renamed brands' (`formerly`) incidents refer to their mentions under
    their every name."""
    current = (config or Config()).renamed
    with sessions() as session:
        refs = _references(session, now, current)
    posts = _Posts()
    key = tuple_(Mention.source, Mention.external_id, Mention.brand_key)
    after: tuple[str, str, str] | None = None
    while True:
        # Each batch read in a reading session, its deletions in a unit of work of their own: on
        # SQLite the write lock is then free while the next batch is read, and the server and
        # worker write between batches (one unit for both held it almost without a break, and
        # they could wait past busy_timeout). Deleting by id is the same deletion: a mention
        # never changes, and the references were read once, above.
        with sessions() as session:
            rows = session.execute(
                select(
                    Mention.id, Mention.brand, Mention.created_at, Mention.source, Mention.url,
                    Mention.external_id, Mention.brand_key,
                )
                .where(Mention.created_at < before, *([key > after] if after else []))
                .order_by(Mention.source, Mention.external_id, Mention.brand_key)
                .limit(batch)
            ).all()  # fmt: skip
        if not rows:
            break
        after = (rows[-1].source, rows[-1].external_id, rows[-1].brand_key)
        gone = []
        for r in rows:
            referred = refs.refer(r.brand, r.created_at, r.source, r.url)
            posts.add((r.source, r.external_id), referred)
            if not referred:
                gone.append(r.id)
        if gone:
            with sessions.begin() as session:
                session.execute(delete(Mention).where(Mention.id.in_(gone)))
        if progress is not None:  # posts removed so far: the one in hand too, no row of it kept
            progress(posts.deleted + (posts.post is not None and not posts.post_kept))
    posts.close()
    return Pruned(posts.deleted, posts.kept)
