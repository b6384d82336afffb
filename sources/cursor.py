"""`Watermark`: a cursor for platforms that can only filter by time.

It stores the newest timestamp seen and the ids seen at exactly that instant. Asking the platform
for items at or after the timestamp (inclusive) and dropping the remembered ids returns each item
once: two posts in the same second are neither missed nor repeated across a restart.

Platforms list some items late, dated before items already listed: Bluesky dates a post by the
earlier of its author's clock and its indexing, so a post written a second before a poll and
indexed a second after it sorts behind what that poll saw; Algolia indexes Hacker News items and
Reddit its search some seconds to minutes after they are posted. Asked from the newest time seen,
they never came. So the mark also keeps the ids it saw over the `OVERLAP` before the newest
(`recent`, at most `MAX_RECENT`), each poll asks from `since` (that far back), and an item there is
new unless it was seen. A cursor stored before (no `floor`) asks from its newest as it did.
Mastodon keeps one over the times in its status ids, looking back further and remembering fewer
(`advance`'s `overlap` and `max_recent`; sources/mastodon.py says why).

`Backmark` is the same walking back in time (backfill): the oldest timestamp reached and the ids
seen at it; ask for items at or before it and drop those ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sources.base import Mention, SourceError
from sources.http import parse_time

# How far behind the newest item a poll still looks for items listed late (see above).
OVERLAP = timedelta(minutes=10)
MAX_RECENT = 2000  # ids remembered over the overlap; a busier window is narrowed to its newest


@dataclass(frozen=True, slots=True)
class Watermark:
    newest: datetime
    ids: frozenset[str]  # seen at `newest`
    # Seen since `floor` (older ones are taken as seen), with their times; None: `newest`.
    floor: datetime | None = None
    recent: dict[str, datetime] = field(default_factory=dict)

    @property
    def since(self) -> datetime:
        """The time to ask the platform from (inclusive)."""
        return self.newest if self.floor is None else min(self.floor, self.newest)

    @classmethod
    def load(cls, cursor: str | None) -> Watermark | None:
        if cursor is None:
            return None
        try:
            data = json.loads(cursor)
            floor = parse_time(data["floor"]) if data.get("floor") is not None else None
            recent = {str(k): parse_time(v) for k, v in (data.get("recent") or {}).items()}
            return cls(parse_time(data["newest"]), frozenset(map(str, data["ids"])), floor, recent)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # A stored cursor we cannot read needs a person: polling from scratch could flood.
            raise SourceError(f"unreadable cursor {cursor!r}: {exc!r}", permanent=True) from exc

    def dump(self) -> str:
        data: dict[str, object] = {"newest": self.newest.isoformat(), "ids": sorted(self.ids)}
        if self.floor is not None:
            data["floor"] = self.floor.isoformat()
            data["recent"] = {k: v.isoformat() for k, v in sorted(self.recent.items())}
        return json.dumps(data)

    def is_new(self, item_id: str, at: datetime) -> bool:
        if at > self.newest:
            return True
        return at >= self.since and item_id not in self.ids and item_id not in self.recent

    def advance(
        self,
        items: Iterable[tuple[str, datetime]],
        *,
        overlap: timedelta = OVERLAP,
        max_recent: int = MAX_RECENT,
    ) -> Watermark:
        """The watermark after also seeing `items` (id, timestamp), remembering those over the
        `overlap` before the newest (at most `max_recent`: a platform may want another span)."""
        newest, ids = self.newest, set(self.ids)
        seen = {**{i: self.newest for i in self.ids}, **self.recent}
        for item_id, at in items:
            seen[item_id] = at
            if at > newest:
                newest, ids = at, {item_id}
            elif at == newest:
                ids.add(item_id)
        # Never back before where this mark looked from: what lay there was seen or given up.
        floor = max(newest - overlap, self.since)
        recent = sorted(((at, i) for i, at in seen.items() if at >= floor), reverse=True)
        if len(recent) > max_recent:  # a storm: remember its newest, look back less far
            # Past the instant of the first id forgotten: one forgotten at the new floor would be
            # asked for again and taken twice. A single instant that busy keeps only `ids`.
            cut = recent[max_recent][0]
            recent = [(at, i) for at, i in recent[:max_recent] if at > cut]
            floor = recent[-1][0] if recent else newest
        return Watermark(newest, frozenset(ids), floor, {i: at for at, i in recent})

    @classmethod
    def start(cls, items: Iterable[tuple[str, datetime]]) -> Watermark | None:
        items = list(items)
        if not items:
            return None
        return cls(min(at for _, at in items), frozenset()).advance(items)


# How far before an empty first poll its mark is set: an item the platform lists late (a review
# published after moderation, a feed's cache) still counts as new.
EMPTY_MARGIN = timedelta(days=1)


def nothing_yet(now: datetime) -> str:
    """The cursor of a first poll that found nothing (a new video, an app nobody reviewed yet).

    Stored, it makes the next poll page on to everything that came since, as any later poll
    does; without one, the next poll would be a first poll again and take only the latest page,
    losing the rest of a storm bigger than a page.
    """
    return Watermark(now - EMPTY_MARGIN, frozenset()).dump()


def next_cursor(mark: Watermark | None, items: Iterable[tuple[str, datetime]]) -> str | None:
    """The cursor to store after a poll that saw `items`; None (keep the old one) if none."""
    items = list(items)
    if not items:
        return None
    new_mark = mark.advance(items) if mark is not None else Watermark.start(items)
    return new_mark.dump() if new_mark is not None else None


def polled_cursor(mark: Watermark | None, mentions: Iterable[Mention], now: datetime) -> str | None:
    """The cursor after a poll by time (`next_cursor` of what it found), and on a first poll
    that found nothing, `nothing_yet`: how every poll by a `Watermark` ends."""
    return polled_mark(mark, [(m.external_id, m.created_at) for m in mentions], now)


def polled_mark(
    mark: Watermark | None, items: Iterable[tuple[str, datetime]], now: datetime
) -> str | None:
    """`polled_cursor` for a platform whose filter is on another time than `created_at` (Bluesky's
    sort time): `items` are (id, that time)."""
    cursor = next_cursor(mark, items)
    return nothing_yet(now) if mark is None and cursor is None else cursor


@dataclass(frozen=True, slots=True)
class Backmark:
    oldest: datetime
    ids: frozenset[str]

    @classmethod
    def load(cls, cursor: str | None) -> Backmark | None:
        if cursor is None:
            return None
        try:
            data = json.loads(cursor)
            return cls(parse_time(data["oldest"]), frozenset(map(str, data["ids"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceError(
                f"unreadable backfill cursor {cursor!r}: {exc!r}", permanent=True
            ) from exc

    def dump(self) -> str:
        return json.dumps({"oldest": self.oldest.isoformat(), "ids": sorted(self.ids)})

    def is_new(self, item_id: str, at: datetime) -> bool:
        return at < self.oldest or (at == self.oldest and item_id not in self.ids)

    @classmethod
    def after(cls, mark: Backmark | None, items: Iterable[tuple[str, datetime]]) -> Backmark:
        """The mark after also seeing `items` (id, timestamp); at least one item or a mark."""
        items = list(items)
        oldest = min([at for _, at in items] + ([mark.oldest] if mark else []))
        ids = {i for i, at in items if at == oldest}
        if mark is not None and mark.oldest == oldest:
            ids |= mark.ids
        return cls(oldest, frozenset(ids))
