"""A pushed or imported record's `rating` (a review's stars, 1 to 5) refused when it is not one,
as every other bad field is there: the request whole for POST /ingest, the line for `crisisbot
ingest` (JSONL and CSV). That a good one decides as the connectors' stars do is
test_polling_reviews' `test_a_pushed_or_imported_rating_decides_as_a_reviews_stars_do`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.cli import main
from bot.testing import Stack
from models import Mention

TOKEN = {"Authorization": "Bearer ingest-token"}
AT = datetime(2025, 3, 14, 19, 55, tzinfo=UTC)


def _record(n: int, text: str, source: str, **fields: Any) -> dict[str, Any]:
    return {"id": f"r{n}", "source": source, "text": text, "created_at": AT.isoformat(), **fields}


BAD = [(0, "0"), (6, "6"), (2.5, "2.5"), ("five", '"five"'), (True, "true"), ("-1", '"-1"')]


@pytest.mark.parametrize(("value", "shown"), BAD, ids=[s for _, s in BAD])
def test_a_bad_pushed_rating_refuses_the_request_naming_the_item(
    stack: Stack, value: Any, shown: str
) -> None:
    body = [_record(1, "Acme app down", "webhook", rating=5)]
    body.append(_record(2, "Acme app down", "webhook", rating=value))
    response = httpx.post(f"{stack.server.url}/ingest", json=body, headers=TOKEN, timeout=10)
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error": f"item 1: `rating` is not a whole number of stars from 1 to 5: {shown}",
    }
    with stack.bot.transaction() as session:  # all or nothing: the good item 0 neither
        assert session.scalars(select(Mention.id)).all() == []


def test_a_bad_imported_rating_is_reported_by_its_line_and_the_rest_imported(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", stack.bot.settings.database_url or "")
    monkeypatch.setenv("CRISIS_CONFIG", str(tmp_path / "crisisbot.toml"))
    (tmp_path / "crisisbot.toml").write_text('[[brands]]\nname = "Acme"\n')
    jsonl = tmp_path / "reviews.jsonl"
    rows = [_record(1, "Acme fine", "j", rating=2), _record(2, "Acme fine", "j", rating=0)]
    rows += [_record(3, "Acme fine", "j", rating=None), _record(4, "Acme fine", "j", rating="5 ")]
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["ingest", str(jsonl)]) == 1  # some input was refused
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{jsonl}:2: `rating` is not a whole number of stars from 1 to 5: 0"
    ]
    assert "3 mentions read, 3 new, 0 already known, 1 bad" in captured.out

    path = tmp_path / "reviews.csv"
    path.write_text(
        "id;source;text;created_at;Rating;stars\n"
        f"c1;c;Acme fine;{AT.isoformat()};2;1\n"
        f"c2;c;Acme fine;{AT.isoformat()};2,5;1\n"  # Excel's decimal comma, in Bulgaria
        f"c3;c;Acme fine;{AT.isoformat()};;\n"
        f"c4;c;Acme fine;{AT.isoformat()};five;\n",
        encoding="utf-8",
    )
    assert main(["ingest", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{path}:1: ignored columns: stars (did you mean rating?)",
        f'{path}:3: `rating` is not a whole number of stars from 1 to 5: "2,5"',
        f'{path}:5: `rating` is not a whole number of stars from 1 to 5: "five"',
    ]
    with stack.bot.transaction() as session:
        rows = session.execute(select(Mention.external_id, Mention.label)).tuples()
        labels = {external_id: label for external_id, label in rows}
    assert set(labels) == {"r1", "r3", "r4", "c1", "c3"}
    assert labels["r1"] == labels["c1"] == "negative"  # two stars: the words read "fine"
    assert labels["r3"] == labels["c3"] != "negative"  # no rating: the words decide
