"""Each mention keeps its language: the record's own `lang` (pushed, imported as JSONL or CSV),
else what language identification found, else NULL (no letters to go by); a bad `lang` is
refused with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.cli import main
from bot.core.config import parse_config
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.testing import Stack
from models import Mention
from tests.bot.conftest import cli_env

TOKEN = {"Authorization": "Bearer ingest-token"}


def _record(n: int, **fields: object) -> dict[str, object]:
    return {"id": f"l{n}", "source": "webhook", "text": f"Acme {n}",
            "created_at": "2025-03-14T18:02:11+00:00", **fields}  # fmt: skip


def _languages(stack: Stack) -> dict[str, str | None]:
    with stack.bot.transaction() as session:
        rows = session.execute(select(Mention.external_id, Mention.language))
        return {e: lang for e, lang in rows}


def test_a_pushed_lang_is_stored_and_a_bad_one_refused(stack: Stack) -> None:
    url = f"{stack.server.url}/ingest"
    bad = httpx.post(url, json=[_record(1, lang="Bulgarian")], headers=TOKEN, timeout=10)
    assert bad.status_code == 400 and "`lang` is not an ISO 639 language code" in bad.text
    unsaid = [
        _record(4, text="Изтекоха данните на всички клиенти на Акме, скандал"),
        _record(5, text="uzhasno obsluzhvane ot Acme, nikoga poveche"),
        _record(6, text="Acme lost my order and nobody answers"),
        _record(7, text="🔥🔥🔥"),
    ]
    ok = httpx.post(
        url, json=[_record(2, lang="BG"), _record(3, lang="en"), *unsaid], headers=TOKEN,
        timeout=10,
    )  # fmt: skip
    assert ok.status_code == 200, ok.text
    got = _languages(stack)
    assert got["l2"] == "bg" and got["l3"] == "en"
    assert "l1" not in got
    # No `lang`: identified (Bulgarian in Latin letters too); no letters at all: unknown.
    assert [got["l4"], got["l5"], got["l6"], got["l7"]] == ["bg", "bg", "en", None]
    with stack.bot.transaction() as session:
        labels = dict(session.execute(select(Mention.external_id, Mention.label)).all())
    assert labels["l4"] == "negative"  # scored as Bulgarian


def test_imported_jsonl_and_csv_carry_their_lang(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    playbook = tmp_path / "crisisbot.toml"
    playbook.write_text('locale = "bg"\n', encoding="utf-8")
    cli_env(monkeypatch, stack, playbook)
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text(json.dumps(_record(5, lang="bg")) + "\n", encoding="utf-8")
    assert main(["ingest", str(jsonl)]) == 0
    table = tmp_path / "m.csv"
    table.write_text(
        "id,source,text,created_at,lang\r\n"
        "l6,webhook,Акме пак не работи,2025-03-14T18:02:11+00:00,bg\r\n"
        "l7,webhook,Acme again,2025-03-14T18:02:11+00:00,\r\n",
        encoding="utf-8",
    )
    assert main(["ingest", str(table)]) == 0
    got = _languages(stack)
    assert got["l5"] == "bg" and got["l6"] == "bg"
    assert got["l7"] == "en"  # no lang: identified


def test_brand_terms_match_in_the_other_script(stack: Stack) -> None:
    config = parse_config(
        {
            "brands": [
                {"name": "Acme", "terms": ["acme"]},
                {"name": "Виваком", "terms": ["виваком"]},
            ]
        },
        "crisisbot.toml",
    )
    records = [
        _record(1, text="Акме пак не работи"),
        _record(2, text="Vivacom mi vzeha parite dva pati"),
        _record(3, text="Времето в София днес"),
    ]
    with stack.bot.transaction() as session:
        store_mentions(
            session, [parse_record(r) for r in records], config=config, now=stack.bot.clock()
        )
    with stack.bot.transaction() as session:
        brands = dict(session.execute(select(Mention.external_id, Mention.brand)).all())
    assert brands == {"l1": "Acme", "l2": "Виваком", "l3": None}
