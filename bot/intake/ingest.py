"""Store mentions: score each one, give it a brand, de-duplicate on (source, external_id).

Every path a mention comes by (poll, push, file import) ends in `store_mentions`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast, overload

from sqlalchemy import String, Table, Text, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.core.config import Config
from detectors.keywords import KeywordMatcher, matcher_for
from detectors.sentiment import Sentiment, analyze
from models import Mention as MentionRow
from sources.base import Mention


@dataclass(frozen=True, slots=True)
class ScoredMention:
    """A mention with its sentiment that is not stored: what backtests and drills feed the
    detectors, shaped like a stored row."""

    source: str
    text: str
    created_at: datetime
    author: str | None
    author_followers: int | None
    url: str | None
    label: str | None
    polarity: float | None
    brand: str | None
    language: str | None = None

    @classmethod
    def of(cls, m: Mention, *, brand: str | None = None) -> ScoredMention:
        s = analyze(m.text, given_language(m))
        return cls(
            m.source, m.text, m.created_at, m.author, m.author_followers, m.url,
            s.label, s.polarity, brand if brand is not None else m.brand, language_of(s),
        )  # fmt: skip


BATCH = 500
PAGE = 20  # rows per INSERT statement on SQLite (PostgreSQL: one statement a batch, _pg_insert)
# The column widths (models.Mention): a longer value from a stranger must be cut, not make
# PostgreSQL refuse the whole batch (a 503 the sender would retry for ever).
BRAND_CHARS = 120
AUTHOR_CHARS = 255


@overload
def _storable(value: str, limit: int | None = None) -> str: ...
@overload
def _storable(value: str | None, limit: int | None = None) -> str | None: ...
def _storable(value: str | None, limit: int | None = None) -> str | None:
    """PostgreSQL text cannot hold NUL; SQLite can, and the two must store the same thing. Half
    a surrogate pair (JSON's "\\ud800", a platform's cut emoji) no UTF-8 holds, on either."""
    if value is None:
        return None
    value = value.replace("\x00", "\ufffd")
    if not value.isascii() and _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value[:limit] if limit is not None else value


_SURROGATE = re.compile("[\ud800-\udfff]")


def store_mentions(
    session: Session, mentions: Iterable[Mention], *, config: Config, now: datetime
) -> int:
    """Insert the new mentions; return how many were new (duplicates are skipped silently).

    A mention dated after `now` (its arrival) is stored as of its arrival, whichever way it came
    (a poll, POST /ingest, `crisisbot ingest`, a backfill): a feed that writes its local time as
    GMT, a sender's wrong clock or a typo dates posts hours ahead, and detection counts only what
    is up to now, so it would see them that much late (or, dated 2099, never) and in the wrong bin.
    """
    new = 0
    batch: list[dict[str, Any]] = []
    for mention in mentions:
        batch.append(_row(mention, config, now))
        if len(batch) >= BATCH:
            new += _insert(session, _unseen_posts(session, batch))
            batch = []
    if batch:
        new += _insert(session, _unseen_posts(session, batch))
    return new


def _unseen_posts(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Leave out a post already stored under another source: two searches of one platform
    ("acme", "@acme"), or a push beside a poll, deliver the same post, and counted twice it
    would double the storm and its quotes. The same post is the same link at the same time (a
    row without a link cannot be told apart: it is kept). One query a batch, on created_at's
    index."""
    linked = [r for r in rows if r["url"]]
    if not linked:
        return rows
    times = {r["created_at"] for r in linked}
    urls = {r["url"] for r in linked}
    stored = session.execute(
        select(
            MentionRow.url, MentionRow.created_at, MentionRow.source, MentionRow.external_id
        ).where(MentionRow.created_at.in_(times), MentionRow.url.in_(urls))
    ).all()
    # Only another source's copy is left out: within one source (source, id) decides, and ON
    # CONFLICT counts a post seen under its own key as known, not new.
    seen = {(url, _utc(at)): source for url, at, source, _id in stored}
    kept = []
    for r in rows:
        first = (
            seen.setdefault((r["url"], _utc(r["created_at"])), r["source"]) if r["url"] else None
        )
        if first is None or first == r["source"]:
            kept.append(r)
    return kept


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _row(m: Mention, config: Config, now: datetime) -> dict[str, Any]:
    text = _storable(m.text)
    sentiment = analyze(text, given_language(m))
    return {
        "source": _storable(m.source),
        "external_id": _storable(m.external_id),
        "brand": _storable(m.brand or brand_for(config, text), BRAND_CHARS),
        "author": _storable(m.author, AUTHOR_CHARS),
        "author_followers": m.author_followers,
        "text": text,
        "url": _storable(m.url),
        "created_at": min(m.created_at, now),  # never in the future (see store_mentions)
        "ingested_at": now,
        "polarity": sentiment.polarity,
        "label": sentiment.label,
        "language": language_of(sentiment),
    }


def brand_for(config: Config, text: str) -> str | None:
    """The brand a mention names: a term as written (the playbook's `terms`), else a term in the
    other script or inflected ("Акме", "Акмето" for "acme"; "Vivacom" for "Виваком")."""
    exact = config.brand_for(text)
    if exact is not None or not config.brands:
        return exact
    for brand in config.brands:
        if _brand_matcher(brand.terms or (brand.name,)).find(text):
            return brand.name
    return None


@functools.lru_cache(maxsize=64)
def _brand_matcher(terms: tuple[str, ...]) -> KeywordMatcher:
    return matcher_for(terms)  # one per brand, kept: building one per mention would cost more


def given_language(m: Mention) -> str | None:
    """The record's own `lang`, when a platform or sender knows it: it is scored in that
    language (no identification); otherwise `analyze` identifies it (detectors.language)."""
    given = m.extra.get("lang") if isinstance(m.extra, dict) else None
    return given if isinstance(given, str) and given else None


def language_of(sentiment: Sentiment) -> str | None:
    """The language the mention was scored in; NULL when undetermined ("und": no letters)."""
    return None if sentiment.lang in ("", "und") else sentiment.lang[:8]


def _insert(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    # Duplicates inside one batch would make ON CONFLICT see the same key twice; keep the first.
    unique = list({(r["source"], r["external_id"]): r for r in reversed(rows)}.values())
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        names = tuple(unique[0])  # the row builder's keys: one list of columns, not two
        return len(session.execute(_pg_insert(names), _columns(unique, names)).all())
    if dialect == "sqlite":
        stmt: Any = sqlite_insert(MentionRow).on_conflict_do_nothing(
            index_elements=["source", "external_id"]
        )
    else:  # pragma: no cover - only the two supported backends
        stmt = insert(MentionRow)
    # RETURNING gives exactly the inserted rows (executemany rowcounts are not reliable).
    stmt = stmt.returning(MentionRow.id).execution_options(insertmanyvalues_page_size=PAGE)
    return len(session.execute(stmt, unique).all())


def _columns(rows: Sequence[dict[str, Any]], names: tuple[str, ...]) -> dict[str, list[Any]]:
    """The batch column by column. psycopg dumps a list with one type, so numbers are made one
    type (a polarity of 0 beside 0.5; followers given as True, which SQLite stores as 1)."""
    columns = {name: [r[name] for r in rows] for name in names}
    columns["polarity"] = [None if v is None else float(v) for v in columns["polarity"]]
    columns["author_followers"] = [
        int(v) if isinstance(v, int) else v for v in columns["author_followers"]
    ]
    return columns


@functools.cache
def _pg_insert(names: tuple[str, ...]) -> Any:
    """One `INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING id` per batch:
    a column per array parameter, so the SQL text is the same whatever the batch's size.

    The multi-row VALUES pages it replaces (SQLAlchemy's insertmanyvalues, 20 rows a page)
    cost a round trip per page and psycopg re-splitting each page's SQL (over its statement
    cache): at 1 M stored, 2,000 new ones spent half their time in that (scale_bench ingest
    ratio 0.58). Same rows, same de-duplication on (source, external_id), same RETURNING.
    Strings go as text[] (not varchar(n)[], whose cast would silently cut what the column
    refuses); datetimes through the column's own type (aware UTC -> naive UTC)."""
    table = cast(Table, MentionRow.__table__)
    arrays = []
    for name in names:
        column_type = table.c[name].type
        item = Text() if isinstance(column_type, String) else column_type
        arrays.append(bindparam(name, type_=ARRAY(item)))  # rendered with its ::type[] cast
    source = func.unnest(*arrays).table_valued(*names).render_derived()
    return (
        pg_insert(table)  # the Core table: the ORM would take the arrays for bulk rows
        .from_select(list(names), select(*(source.c[name] for name in names)))
        .on_conflict_do_nothing(index_elements=["source", "external_id"])
        .returning(table.c.id)
    )
