"""A post is a mention of every watched brand it belongs to: its source's brand and each brand its
text names. It is stored once per brand (bot.intake.ingest), so each brand's storm counts it and
each card can quote it, and it is counted once wherever a total across brands is shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import jobs
from bot.aftermath import report, retention
from bot.cli import main
from bot.core.clock import ManualClock
from bot.core.config import Brand, Config
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.response import incidents
from bot.testing import CHANNEL, Stack, sample_storm
from models import Incident, Mention, create_db_engine, session_factory
from sources.base import Mention as Post
from tests.bot.flow import blocks_text, card

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
CONFIG = Config(
    brands=(
        Brand("Acme", terms=("acme", "акме", "Acme Group")),
        Brand("Globex", terms=("globex",)),  # in Cyrillic only by the matcher's skeletons
        Brand("Acme Mobile", terms=("acme mobile", "acme group")),
    )
)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = create_db_engine(database_url)
    with session_factory(engine)() as s:
        yield s
    engine.dispose()


def _post(n: int, text: str, **fields: Any) -> Post:
    values: dict[str, Any] = {
        "source": "bluesky",
        "external_id": f"p{n}",
        "text": text,
        "created_at": NOW - timedelta(minutes=n),
        "author": f"user{n}",
        "url": f"https://bsky.app/p/{n}",
    }
    values.update(fields)
    return Post(**values)


def _brands(session: Session) -> dict[tuple[str, str], list[str | None]]:
    """(source, id) -> the brands it is stored for, in name order."""
    out: dict[tuple[str, str], list[str | None]] = {}
    rows = session.execute(
        select(Mention.source, Mention.external_id, Mention.brand).order_by(Mention.brand_key)
    )
    for source, external_id, brand in rows:
        out.setdefault((source, external_id), []).append(brand)
    return out


def test_a_post_naming_two_brands_is_stored_for_both_and_counted_once(session: Session) -> None:
    both = _post(1, "Acme and Globex both down again")
    assert store_mentions(session, [both, _post(2, "Globex support is great")], config=CONFIG,
                          now=NOW) == 2  # fmt: skip
    session.commit()
    assert _brands(session) == {
        ("bluesky", "p1"): ["Acme", "Globex"],
        ("bluesky", "p2"): ["Globex"],
    }
    acme, globex = session.scalars(
        select(Mention).where(Mention.external_id == "p1").order_by(Mention.brand_key)
    ).all()
    same = ("source", "text", "url", "author", "created_at", "polarity", "label", "language")
    assert all(getattr(acme, c) == getattr(globex, c) for c in same)
    assert (acme.brand_key, globex.brand_key) == ("Acme", "Globex")
    # Delivered again, by the same source: nothing new, for either brand.
    assert store_mentions(session, [both], config=CONFIG, now=NOW) == 0
    session.commit()
    assert len(_brands(session)[("bluesky", "p1")]) == 2


def test_a_shared_term_and_other_scripts_and_forms_name_every_brand(session: Session) -> None:
    posts_ = [
        _post(1, "Acme Group results out today"),  # a term Acme and Acme Mobile share
        _post(2, "Проблем с Акмето и Глобекс днес"),  # Cyrillic: inflected, transliterated
        _post(3, "Nobody we watch"),
        _post(4, "Globex again", brand="Acme Mobile"),  # its source's brand first
        _post(5, "acme mobile outage"),  # "acme" is in it too: Acme, as before
    ]
    assert store_mentions(session, posts_, config=CONFIG, now=NOW) == 5
    session.commit()
    assert _brands(session) == {
        ("bluesky", "p1"): ["Acme", "Acme Mobile"],
        ("bluesky", "p2"): ["Acme", "Globex"],
        ("bluesky", "p3"): [None],
        ("bluesky", "p4"): ["Acme Mobile", "Globex"],
        ("bluesky", "p5"): ["Acme", "Acme Mobile"],
    }


def test_brand_b_s_own_source_keeps_a_post_brand_a_s_source_stored(session: Session) -> None:
    """Before, the same link at the same time under another source was dropped whatever brand
    it came for: Globex's own search lost the post because Acme's search stored it first."""
    text = "Switching from Acme to a new bank"  # names Acme only
    by_acme = _post(1, text, source="acme-search", brand="Acme")
    by_globex = _post(1, text, source="globex-search", external_id="g1", brand="Globex")
    assert store_mentions(session, [by_acme], config=CONFIG, now=NOW) == 1
    session.commit()
    assert store_mentions(session, [by_globex], config=CONFIG, now=NOW) == 1
    session.commit()
    assert _brands(session) == {
        ("acme-search", "p1"): ["Acme"],
        ("globex-search", "g1"): ["Globex"],
    }
    # Acme's copy from Globex's search (the text names Acme) is still the same post for Acme.
    rows = session.execute(select(Mention.source, Mention.brand).where(Mention.brand == "Acme"))
    assert rows.all() == [("acme-search", "Acme")]


def test_a_post_delivered_twice_for_the_same_brand_is_stored_once(session: Session) -> None:
    text = "Acme down again"
    first = _post(1, text, source="acme-search")
    again = _post(1, text, source="acme-mentions", external_id="x1")  # same link, same time
    pushed = _post(1, text, source="acme-search")  # same key
    assert store_mentions(session, [first, again, pushed], config=CONFIG, now=NOW) == 1
    assert store_mentions(session, [again], config=CONFIG, now=NOW) == 0
    session.commit()
    assert _brands(session) == {("acme-search", "p1"): ["Acme"]}


# -- detection and the cards ------------------------------------------------------------------


def _shared_storm(clock: ManualClock) -> list[dict[str, Any]]:
    """A calm week for each brand from one unbound source, then a storm whose every post names
    both brands ("Acme and Globex ...")."""
    acme = list(sample_storm(clock(), brand="Acme"))
    calm_globex = list(sample_storm(clock(), brand="Globex", seed=8))[:-90]
    storm = [
        {**r, "text": r["text"].replace("Acme", "Acme and Globex"), "id": f"both-{r['id']}"}
        for r in acme[-90:]
    ]
    return [{k: v for k, v in r.items() if k != "brand"} for r in acme[:-90] + calm_globex + storm]


def test_a_storm_of_posts_naming_two_brands_alerts_for_both(
    stack: Stack, clock: ManualClock
) -> None:
    stack.bot.config = Config(brands=(Brand("Acme"), Brand("Globex")))
    records = _shared_storm(clock)
    with stack.bot.transaction() as session:
        new = store_mentions(
            session, [parse_record(r) for r in records], config=stack.bot.config, now=clock()
        )
    assert new == len(records)
    numbers = jobs.detect_storms(stack.bot)
    assert len(numbers) == 2
    shared = {r["url"] for r in records if str(r["id"]).startswith("both-")}
    with stack.bot.sessions() as session:
        opened = {
            i.brand: i for i in session.scalars(select(Incident).where(Incident.id.in_(numbers)))
        }
        assert set(opened) == {"Acme", "Globex"}
        for incident in opened.values():
            samples = incident.evidence["samples"]
            assert samples and all(s["url"] in shared for s in samples)
        for brand in ("Acme", "Globex"):  # each brand's storm counts every shared post
            counted = session.scalar(
                select(func.count()).where(Mention.brand == brand, Mention.url.in_(shared))
            )
            assert counted == len(shared) == 90
    for number in numbers:  # and each card quotes them
        stack.emulator.wait_for(lambda n=number: card(stack, n) is not None)
        assert "Acme and Globex" in blocks_text(card(stack, number))


# -- totals across brands ---------------------------------------------------------------------

TOKEN = {"Authorization": "Bearer ingest-token"}


@pytest.fixture
def two_brands_env(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", stack.bot.settings.database_url)
    monkeypatch.setenv("CRISIS_CONFIG", str(tmp_path / "crisisbot.toml"))
    (tmp_path / "crisisbot.toml").write_text(
        '[[brands]]\nname = "Acme"\n\n[[brands]]\nname = "Globex"\n'
    )
    stack.bot.config = Config(brands=(Brand("Acme"), Brand("Globex")))


def _record(n: int, text: str) -> dict[str, Any]:
    return {"id": f"r{n}", "source": "webhook", "text": text,
            "created_at": "2025-03-14T18:02:11+00:00", "url": f"https://x.example/{n}"}  # fmt: skip


@pytest.mark.usefixtures("two_brands_env")
def test_push_and_import_count_a_post_once_whatever_brands_it_names(
    stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pushed = httpx.post(
        f"{stack.server.url}/ingest", json=[_record(1, "Acme and Globex both down")],
        headers=TOKEN, timeout=10,
    )  # fmt: skip
    assert pushed.json() == {"ok": True, "received": 1, "new": 1}
    path = tmp_path / "export.jsonl"
    path.write_text(
        "".join(
            json.dumps(r) + "\n"
            for r in (_record(1, "Acme and Globex both down"), _record(2, "Globex, then Acme"))
        )
    )
    capsys.readouterr()
    assert main(["ingest", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 mentions read, 1 new, 1 already known, 0 bad" in out
    with stack.bot.sessions() as session:
        assert sum(len(b) for b in _brands(session).values()) == 4


def test_report_and_prune_count_a_post_once(stack: Stack, clock: ManualClock) -> None:
    now = clock()
    config = Config(brands=(Brand("Acme"), Brand("Globex")))
    old = now - timedelta(days=40)
    with stack.bot.transaction() as session:
        store_mentions(
            session,
            [
                _post(1, "Acme and Globex both down", created_at=old),
                _post(2, "Acme and Globex again", created_at=old, source="hn"),
                _post(3, "Globex alone", created_at=old),
            ],
            config=config,
            now=now,
        )
        incident = incidents.open_incident(
            session, brand="Acme", title="Acme: mention storm", severity="high", evidence={},
            first_mention_at=old, channel=CHANNEL, now=old + timedelta(minutes=10),
        )  # fmt: skip
        assert incident is not None
        incidents.resolve(
            session, incident.id, user="U0A", summary="ok", now=old + timedelta(hours=1)
        )
        built = report.build(session, since=old - timedelta(days=1), until=now)
    assert built.sources == [("bluesky", 2), ("hn", 1)]  # posts, not rows (5 rows)

    pruned = retention.prune(stack.bot.sessions, before=now - timedelta(days=20), now=now, batch=1)
    # p1 and p2 stay for Acme's incident (their Globex rows go); p3 goes: one post each.
    assert (pruned.deleted, pruned.kept) == (1, 2)
    with stack.bot.sessions() as session:
        assert _brands(session) == {("bluesky", "p1"): ["Acme"], ("hn", "p2"): ["Acme"]}
