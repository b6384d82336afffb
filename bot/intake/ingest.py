"""Store mentions: score each one (its text, and a review's stars over it: `sentiment_of`), give
it its brands, de-duplicate on (source, external_id, brand).

A post is stored once for every watched brand it belongs to (`BrandMatcher.of`): "Acme and
Globex both down again" is a row for Acme and a row for Globex, so each brand's detection counts
it and each card can quote it. Every path a mention comes by (poll, push, file import) ends in
`store_mentions`; replays (`ScoredMention.each`) attribute it the same way.
"""

from __future__ import annotations

import functools
import hashlib
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

from bot.core.config import Brand, Config, renamed
from detectors.keywords import KeywordMatcher
from detectors.rating import apply_rating, stars
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
    external_id: str = ""  # with `source`, the post (one per brand it is replayed for)

    @classmethod
    def of(cls, m: Mention, *, brand: str | None = None) -> ScoredMention:
        s = sentiment_of(m, m.text)
        return cls(
            m.source, m.text, m.created_at, m.author, m.author_followers, m.url,
            s.label, s.polarity, brand if brand is not None else m.brand, language_of(s),
            m.external_id,
        )  # fmt: skip

    @classmethod
    def each(cls, m: Mention, brands: BrandMatcher) -> list[ScoredMention]:
        """The mention once per brand it is stored for, scored as `store_mentions` scores it."""
        text, s, named = _attributed(m, brands)
        return [
            cls(m.source, text, m.created_at, m.author, m.author_followers, m.url,
                s.label, s.polarity, brand, language_of(s), m.external_id)
            for brand in named
        ]  # fmt: skip


BATCH = 500
PAGE = 20  # rows per INSERT statement on SQLite (PostgreSQL: one statement a batch, _pg_insert)
# The column widths (models.Mention): a longer value from a stranger must be cut, not make
# PostgreSQL refuse the whole batch (a 503 the sender would retry for ever).
BRAND_CHARS = 120
AUTHOR_CHARS = 255
ID_CHARS = 255  # mentions.external_id


def storable_id(external_id: str) -> str:
    """A platform's id as the column holds it: a longer one (an RSS item named by a 300-character
    tracking link) as its start and a digest of the whole, the same on every poll, so the post is
    stored once and two ids alike for their first 255 characters stay two. Cutting it would merge
    them; storing it whole fails the batch on PostgreSQL (and SQLite would keep what it cannot)."""
    external_id = _storable(external_id)
    if len(external_id) <= ID_CHARS:
        return external_id
    digest = hashlib.sha256(external_id.encode("utf-8")).hexdigest()
    return f"{external_id[: ID_CHARS - len(digest) - 1]}#{digest}"


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
    """Insert the new mentions; return how many posts were new (duplicates are skipped silently).

    A post stored for two brands is one new mention here (two rows): the count is what the
    sender or source delivered, so `crisisbot ingest`'s "read, new, already known" and a
    source's mentions today add up whatever brands a post names. A post already stored that now
    gets a row for another brand (a brand added to the playbook since) counts as new.

    A mention dated after `now` (its arrival) is stored as of its arrival, whichever way it came
    (a poll, POST /ingest, `crisisbot ingest`, a backfill): a feed that writes its local time as
    GMT, a sender's wrong clock or a typo dates posts hours ahead, and detection counts only what
    is up to now, so it would see them that much late (or, dated 2099, never) and in the wrong bin.
    """
    brands = brand_matcher(config)
    new = 0
    batch: list[dict[str, Any]] = []
    for mention in mentions:
        batch += _rows(mention, brands, now)  # a post's rows stay in one batch
        if len(batch) >= BATCH:
            new += _insert(session, _unseen_posts(session, batch, brands))
            batch = []
    if batch:
        new += _insert(session, _unseen_posts(session, batch, brands))
    return new


Copies = dict[tuple[str | None, datetime, str], str]  # (url, time, brand key) -> first source


def first_copy(
    copies: Copies, url: str | None, at: datetime, brand: str | None, source: str
) -> bool:
    """Whether this delivery of a post is kept for `brand`: the first source to deliver it for
    that brand (`copies` learns it), or that source again, whose own key then decides. Two
    searches of one platform ("acme", "@acme"), or a push beside a poll, deliver the same post,
    and counted twice it would double the storm and its quotes. The same post is the same link
    at the same time (a post without a link cannot be told apart: it is kept). Per brand: brand
    B's own source delivering a post brand A's source stored keeps it for B."""
    if not url:
        return True
    return copies.setdefault((url, _utc(at), brand or ""), source) == source


def _unseen_posts(
    session: Session, rows: list[dict[str, Any]], brands: BrandMatcher
) -> list[dict[str, Any]]:
    """Leave out a post already stored for the same brand under another source (`first_copy`),
    or under one of the brand's former names (`formerly`). One query a batch, on created_at's
    index (and one on the unique key's when the batch has a renamed brand's rows)."""
    if brands.formerly:
        rows = _not_stored_formerly(session, rows, brands.formerly)
    linked = [r for r in rows if r["url"]]
    if not linked:
        return rows
    times = {r["created_at"] for r in linked}
    urls = {r["url"] for r in linked}
    stored = session.execute(
        select(
            MentionRow.url, MentionRow.created_at, MentionRow.source, MentionRow.brand_key
        ).where(MentionRow.created_at.in_(times), MentionRow.url.in_(urls))
    ).all()
    # Only another source's copy is left out: within one source (source, id, brand) decides,
    # and ON CONFLICT counts a post seen under its own key as known, not new.
    copies: Copies = {
        (url, _utc(at), brands.current.get(key, key)): source for url, at, source, key in stored
    }
    return [
        r
        for r in rows
        if first_copy(copies, r["url"], r["created_at"], r["brand_key"], r["source"])
    ]


def _not_stored_formerly(
    session: Session, rows: list[dict[str, Any]], formerly: dict[str, tuple[str, ...]]
) -> list[dict[str, Any]]:
    """Leave out a renamed brand's row for a post stored under one of its former names: the
    same post (source, id) counted twice in the brand's one series would be a step in it (a
    re-import of last week's file, a backfill walking back over what was polled before)."""
    renamed = [r for r in rows if r["brand_key"] in formerly]
    if not renamed:
        return rows
    old = sorted({n for r in renamed for n in formerly[r["brand_key"]]})
    stored = set(
        session.execute(
            select(MentionRow.source, MentionRow.external_id, MentionRow.brand_key).where(
                MentionRow.external_id.in_({r["external_id"] for r in renamed}),
                MentionRow.brand_key.in_(old),
            )
        ).tuples()
    )
    return [
        r
        for r in rows
        if not any(
            (r["source"], r["external_id"], n) in stored for n in formerly.get(r["brand_key"], ())
        )
    ]


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _attributed(m: Mention, brands: BrandMatcher) -> tuple[str, Sentiment, tuple[str | None, ...]]:
    """The text as stored, its sentiment, and the brands the post is stored for (cut to the
    column, as stored): what the live store and the replays both read."""
    text = _storable(m.text)
    named = brands.of(m.brand, text)
    if len(named) == 1:  # most posts
        named = (_storable(named[0], BRAND_CHARS),)
    else:  # two cut to the same width are one
        named = tuple(dict.fromkeys(_storable(b, BRAND_CHARS) for b in named))
    return text, sentiment_of(m, text), named


def _rows(m: Mention, brands: BrandMatcher, now: datetime) -> list[dict[str, Any]]:
    """The rows of one post: one per brand it belongs to, the same but for `brand`."""
    text, sentiment, named = _attributed(m, brands)
    row = {
        "source": _storable(m.source),
        "external_id": storable_id(m.external_id),
        "brand": None,
        "brand_key": "",
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
    if len(named) == 1:  # most posts: no copy
        row["brand"], row["brand_key"] = named[0], named[0] or ""
        return [row]
    return [{**row, "brand": b, "brand_key": b or ""} for b in named]


class BrandMatcher:
    """Which of the playbook's brands a text names: a term as written (the playbook's `terms`,
    any case; a brand with none by its name), or in the other script or inflected ("Акме",
    "Акмето" for "acme"; "Vivacom" for "Виваком"). A term two brands share ("Acme Group" for
    "Acme Bank" and "Acme Mobile") names both."""

    def __init__(self, brands: Sequence[Brand]) -> None:
        self.names = tuple(b.name for b in brands)
        # A renamed brand (`formerly`): a record or source naming its old name is stored for it.
        self.current = renamed(brands)
        self.formerly = {b.name: b.formerly for b in brands if b.formerly}
        self._terms: dict[str, list[str]] = {}  # a term as written, lower case -> its brands
        self._owners: dict[str, list[str]] = {}  # the same as the keyword matcher names it
        for b in brands:
            for term in b.terms or (b.name,):
                self._terms.setdefault(term.lower(), []).append(b.name)
                self._owners.setdefault(term.strip().lower(), []).append(b.name)
        self._written: tuple[str, ...] = tuple(self._terms)
        self._rest: dict[frozenset[str], KeywordMatcher] = {}

    def of(self, given: str | None, text: str) -> tuple[str | None, ...]:
        """The brands a post is stored for: `given` (its source's, or the record's `brand`)
        first, then every brand its text names, in the playbook's order; (None,) for none."""
        if not self.names:
            return (given or None,)
        given = self.current.get(given, given) if given else given
        named = self.named(text)
        if given:
            return (given, *(b for b in named if b != given)) if named else (given,)
        return named or (None,)

    def named(self, text: str) -> tuple[str, ...]:
        lowered = text.lower()
        written = [t for t in self._written if t in lowered]
        found = {b for term in written for b in self._terms[term]}
        if len(found) < len(self.names):
            for term in self._fuzzy(frozenset(found)).find(text, once=True):
                found.update(self._owners[term])
        return tuple(n for n in self.names if n in found)

    def _fuzzy(self, found: frozenset[str]) -> KeywordMatcher:
        """The other script and inflected forms of the brands not found as written: a text
        naming a brand as written (most) is then ruled out by the matcher's one regex search,
        not read word by word for that brand's own name."""
        matcher = self._rest.get(found)
        if matcher is None:
            if len(self._rest) >= 256:  # combinations seen: a few per brand, bounded anyway
                self._rest.clear()
            rest = [t for t, owners in self._owners.items() if not found.issuperset(owners)]
            matcher = self._rest[found] = KeywordMatcher(rest)
        return matcher


def brand_matcher(config: Config) -> BrandMatcher:
    return _brand_matcher(config.brands)


@functools.lru_cache(maxsize=16)
def _brand_matcher(brands: tuple[Brand, ...]) -> BrandMatcher:
    return BrandMatcher(brands)  # one per playbook, kept: building one costs more than matching


def given_language(m: Mention) -> str | None:
    """The record's own `lang`, when a platform or sender knows it: it is scored in that
    language (no identification); otherwise `analyze` identifies it (detectors.language)."""
    given = m.extra.get("lang") if isinstance(m.extra, dict) else None
    return given if isinstance(given, str) and given else None


def given_rating(m: Mention) -> int | None:
    """A review's stars (1-5), when its platform or sender gives them (`extra["rating"]`: App
    Store, Trustpilot, a pushed or imported record's `rating`); None otherwise."""
    return stars(m.extra.get("rating")) if isinstance(m.extra, dict) else None


def sentiment_of(m: Mention, text: str) -> Sentiment:
    """How a mention is scored, whichever way it came: its text in its language, then a review's
    stars over the wording (detectors.rating: 1-2 negative, 4-5 not negative)."""
    return apply_rating(analyze(text, given_language(m)), given_rating(m))


def language_of(sentiment: Sentiment) -> str | None:
    """The language the mention was scored in; NULL when undetermined ("und": no letters)."""
    return None if sentiment.lang in ("", "und") else sentiment.lang[:8]


def _insert(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the rows not stored yet; return how many posts got one."""
    if not rows:
        return 0
    # Duplicates inside one batch would make ON CONFLICT see the same key twice; keep the first.
    unique = list({_key(r): r for r in reversed(rows)}.values())
    # A row a post (most batches): the rows inserted are the posts, and RETURNING id says so;
    # with a post's second brand in the batch, the posts are told apart by their key.
    single = len({(r["source"], r["external_id"]) for r in unique}) == len(unique)
    returned = ("id",) if single else ("source", "external_id")
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        names = tuple(unique[0])  # the row builder's keys: one list of columns, not two
        result = session.execute(_pg_insert(names, returned), _columns(unique, names))
    else:
        if dialect == "sqlite":
            stmt: Any = sqlite_insert(MentionRow).on_conflict_do_nothing(index_elements=KEY)
        else:  # pragma: no cover - only the two supported backends
            stmt = insert(MentionRow)
        # RETURNING gives exactly the inserted rows (executemany rowcounts are not reliable).
        stmt = stmt.returning(*(MentionRow.__table__.c[c] for c in returned))
        result = session.execute(stmt.execution_options(insertmanyvalues_page_size=PAGE), unique)
    inserted = result.all()
    return len(inserted) if single else len(set(inserted))


KEY = ["source", "external_id", "brand_key"]  # the unique key ON CONFLICT names


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    return row["source"], row["external_id"], row["brand_key"]


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
def _pg_insert(names: tuple[str, ...], returned: tuple[str, ...]) -> Any:
    """One `INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING id` per batch:
    a column per array parameter, so the SQL text is the same whatever the batch's size.

    The multi-row VALUES pages it replaces (SQLAlchemy's insertmanyvalues, 20 rows a page)
    cost a round trip per page and psycopg re-splitting each page's SQL (over its statement
    cache): at 1 M stored, 2,000 new ones spent half their time in that (scale_bench ingest
    ratio 0.58). Same rows, same de-duplication on (source, external_id, brand_key), same
    RETURNING.
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
        .on_conflict_do_nothing(index_elements=KEY)
        .returning(*(table.c[c] for c in returned))
    )
