"""`Watermark`: a cursor for platforms that can only filter by time.

It stores the newest timestamp seen and the ids seen at exactly that instant. Asking the platform
for items at or after the timestamp (inclusive) and dropping the remembered ids returns each item
once: two posts in the same second are neither missed nor repeated across a restart.

`Backmark` is the same walking back in time (backfill): the oldest timestamp reached and the ids
seen at it; ask for items at or before it and drop those ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sources.base import Mention, SourceError
from sources.http import parse_time


@dataclass(frozen=True, slots=True)
class Watermark:
    newest: datetime
    ids: frozenset[str]

    @classmethod
    def load(cls, cursor: str | None) -> Watermark | None:
        if cursor is None:
            return None
        try:
            data = json.loads(cursor)
            return cls(parse_time(data["newest"]), frozenset(map(str, data["ids"])))
        except (ValueError, KeyError, TypeError) as exc:
            # A stored cursor we cannot read needs a person: polling from scratch could flood.
            raise SourceError(f"unreadable cursor {cursor!r}: {exc!r}", permanent=True) from exc

    def dump(self) -> str:
        return json.dumps({"newest": self.newest.isoformat(), "ids": sorted(self.ids)})

    def is_new(self, item_id: str, at: datetime) -> bool:
        return at > self.newest or (at == self.newest and item_id not in self.ids)

    def advance(self, items: Iterable[tuple[str, datetime]]) -> Watermark:
        """The watermark after also seeing `items` (id, timestamp)."""
        newest, ids = self.newest, set(self.ids)
        for item_id, at in items:
            if at > newest:
                newest, ids = at, {item_id}
            elif at == newest:
                ids.add(item_id)
        return Watermark(newest, frozenset(ids))

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
