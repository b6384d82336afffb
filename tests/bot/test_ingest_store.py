"""`store_mentions` stores the same rows on both databases, whatever path the batch takes to the
server (PostgreSQL: one `INSERT … SELECT FROM unnest(arrays)` per batch; SQLite: multi-row
VALUES): each column as given or scored, cut to the column's width, UTC, one row per
(source, external_id) within a batch, across batches and against what is already stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.core.config import Brand, Config
from bot.intake import ingest
from bot.intake.ingest import AUTHOR_CHARS, BRAND_CHARS, store_mentions
from detectors.sentiment import analyze
from models import Mention as Row
from models import create_db_engine, session_factory
from sources.base import Mention

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
CONFIG = Config(brands=(Brand("Acme", keywords=("refund",)), Brand("Globex")))
COLUMNS = (
    "external_id", "brand", "author", "author_followers", "text", "url",
    "created_at", "ingested_at", "polarity", "label", "language",
)  # fmt: skip


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = create_db_engine(database_url)
    with session_factory(engine)() as s:
        yield s
    engine.dispose()


def _mention(k: int, **fields: Any) -> Mention:
    values: dict[str, Any] = {
        "source": "bluesky",
        "external_id": f"m{k}",
        "text": f"Acme charged me twice, still waiting on a refund ({k})",
        "created_at": NOW - timedelta(minutes=k),
        "author": f"user{k}",
        "author_followers": k * 10,
        "url": f"https://bsky.app/p/{k}",
    }
    values.update(fields)
    return Mention(**values)


ODD = [
    _mention(1),
    _mention(2, text="Globex \x00 outage, NUL and all \u202e\u200d \U0001f525", author=None),
    _mention(3, brand="B" * 300, author="a" * 400, url=None, author_followers=None),
    _mention(4, created_at=datetime(2026, 3, 14, 13, 30, tzinfo=timezone(timedelta(hours=2)))),
    _mention(5, text="Много хубаво обслужване от Acme, благодаря"),
    _mention(6, text="Acme", extra={"lang": "de"}),  # scored in the language it came with
    _mention(7, text="12345 !!!"),  # no letters: no language, no brand
    _mention(8, author_followers=True),  # a platform's odd JSON; SQLite stores 1
    _mention(1, text="a second copy of m1 in the same batch"),
]


def _stored(session: Session, source: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Row).where(Row.source == source).order_by(Row.external_id, Row.brand_key)
    )
    return [{c: getattr(r, c) for c in COLUMNS} for (r,) in rows]


def test_each_column_is_stored_as_given_or_scored(session: Session) -> None:
    assert store_mentions(session, ODD, config=CONFIG, now=NOW) == 8
    session.commit()
    got = {r["external_id"]: r for r in _stored(session, "bluesky")}
    assert sorted(got) == [f"m{k}" for k in range(1, 9)]
    one = got["m1"]
    s = analyze(ODD[0].text)
    assert one == {
        "external_id": "m1", "brand": "Acme", "author": "user1", "author_followers": 10,
        "text": ODD[0].text, "url": "https://bsky.app/p/1",
        "created_at": NOW - timedelta(minutes=1), "ingested_at": NOW,
        "polarity": s.polarity, "label": s.label, "language": "en",
    }  # fmt: skip
    assert one["text"] != ODD[-1].text  # the first copy in a batch is kept
    assert got["m2"]["text"] == "Globex \ufffd outage, NUL and all \u202e\u200d \U0001f525"
    assert got["m2"]["brand"] == "Globex" and got["m2"]["author"] is None
    assert got["m3"]["brand"] == "B" * BRAND_CHARS and got["m3"]["author"] == "a" * AUTHOR_CHARS
    assert got["m3"]["url"] is None and got["m3"]["author_followers"] is None
    assert got["m4"]["created_at"] == datetime(2026, 3, 14, 11, 30, tzinfo=UTC)
    assert got["m5"]["language"] == "bg" and got["m5"]["label"] == "positive"
    assert got["m6"]["language"] == "de"
    assert got["m7"]["language"] is None and got["m7"]["brand"] is None
    assert got["m7"]["polarity"] == 0.0 and isinstance(got["m7"]["polarity"], float)
    assert got["m8"]["author_followers"] == 1


def test_a_lone_surrogate_is_stored_as_a_replacement_character_not_a_crash(
    session: Session,
) -> None:
    """JSON may escape half a surrogate pair ("\\ud800"): a str no UTF-8 holds. The insert
    raised UnicodeEncodeError (a traceback for `ingest`, a 500 for a push, a poll failing)."""
    odd = _mention(
        1, source="bluesky\ud800", external_id="m\udfff", text="Acme \ud83d down",
        author="\udc00jane", url="https://x.example/\ud800", brand="Acme\ud800",
    )  # fmt: skip
    assert store_mentions(session, [odd], config=CONFIG, now=NOW) == 1
    session.commit()
    # The record's brand (no playbook brand), and Acme, which the text names: one post.
    named, given = _stored(session, "bluesky\ufffd")
    assert (given["external_id"], given["text"], given["author"], given["url"], given["brand"]) == (
        "m\ufffd", "Acme \ufffd down", "\ufffdjane", "https://x.example/\ufffd", "Acme\ufffd",
    )  # fmt: skip
    assert named == {**given, "brand": "Acme"}
    assert store_mentions(session, [odd], config=CONFIG, now=NOW) == 0  # the same key again


def test_the_rows_are_those_a_plain_insert_of_the_scored_rows_stores(session: Session) -> None:
    """The batch path against SQLAlchemy's own one-row-at-a-time INSERT of `_row`'s dicts."""
    store_mentions(session, ODD[:-1], config=CONFIG, now=NOW)
    for m in ODD[:-1]:
        for row in ingest._rows(m, ingest.brand_matcher(CONFIG), NOW):
            session.execute(insert(Row).values({**row, "source": "reference"}))
    session.commit()
    assert _stored(session, "bluesky") == _stored(session, "reference")


def test_duplicates_across_batches_and_against_stored_rows_are_skipped(session: Session) -> None:
    first = [_mention(k) for k in range(0, 1300, 2)]  # 650: two batches of 500 and 150
    assert store_mentions(session, first, config=CONFIG, now=NOW) == 650
    session.commit()
    again = [_mention(k) for k in range(1300)] + [_mention(k) for k in range(0, 1300, 3)]
    assert store_mentions(session, again, config=CONFIG, now=NOW) == 650
    session.commit()
    ids = [r["external_id"] for r in _stored(session, "bluesky")]
    assert len(ids) == len(set(ids)) == 1300
    assert store_mentions(session, [], config=CONFIG, now=NOW) == 0


def test_a_value_too_long_for_its_column_is_refused_not_cut(
    session: Session, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite does not enforce VARCHAR widths")
    with pytest.raises(DBAPIError):  # as a single-row INSERT into VARCHAR(40) would be
        store_mentions(session, [_mention(1, source="s" * 41)], config=CONFIG, now=NOW)
