"""Pushed (`POST /ingest`) and imported (`crisisbot ingest`, JSONL or CSV) mentions: refused with
a reason when wrong, all or nothing per request, and one row per (source, id) whatever path a
mention came by — pushed, then imported, then polled."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot import cli
from bot.app import Crisisbot
from bot.cli import main
from bot.core.config import Brand, Config, SourceConfig
from bot.intake.polling import poll_all
from bot.testing import Stack
from models import Mention
from tests.bot.test_polling_platforms import Platforms, serve

TOKEN = {"Authorization": "Bearer ingest-token"}


def _record(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"p{n}",
        "source": "webhook",
        "text": f"Acme mention {n}",
        "created_at": "2025-03-14T18:02:11+00:00",
        **fields,
    }


def _push(stack: Stack, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        f"{stack.server.url}/ingest",
        content=data,
        headers={"Content-Type": "application/json", **(TOKEN if headers is None else headers)},
        timeout=10,
    )


def _stored(bot: Crisisbot) -> list[tuple[str, str]]:
    with bot.transaction() as session:
        rows = session.execute(select(Mention.source, Mention.external_id).order_by(Mention.id))
        return [(s, e) for s, e in rows]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "ingest-token"}],
    ids=["missing", "wrong", "not bearer"],
)
def test_push_without_the_token_is_refused(stack: Stack, headers: dict[str, str]) -> None:
    response = _push(stack, [_record(1)], headers)
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error": "missing or wrong bearer token"}
    assert _stored(stack.bot) == []


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer  "])
def test_the_bearer_scheme_is_case_insensitive_as_http_says(stack: Stack, scheme: str) -> None:
    response = _push(stack, [_record(1)], {"Authorization": f"{scheme} ingest-token"})
    assert response.status_code == 200  # RFC 9110: the scheme is case-insensitive
    assert (
        _push(stack, [_record(2)], {"Authorization": f"{scheme} ingest-tokeN"}).status_code == 401
    )


def test_push_takes_an_array_or_a_single_object(stack: Stack) -> None:
    response = _push(stack, [_record(1), _record(2), _record(1)])
    assert response.status_code == 200
    assert response.json() == {"ok": True, "received": 3, "new": 2}
    response = _push(stack, _record(3, author="jane", author_followers=120, brand="Acme"))
    assert response.json() == {"ok": True, "received": 1, "new": 1}
    assert _stored(stack.bot) == [("webhook", "p1"), ("webhook", "p2"), ("webhook", "p3")]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "body is not JSON"),
        ([_record(1), _record(2, created_at="yesterday")], "item 1: `created_at` is not an ISO"),
        ([_record(1), {"id": "x", "source": "webhook"}], "item 1: `text` is missing"),
        ([_record(1), "just text"], "item 1: expected a JSON object"),
        (_record(1, created_at="2025-03-14T18:02:11"), "`created_at` has no UTC offset"),
        (_record(1, author_followers="many"), "`author_followers` is not a whole number"),
        (_record(1, lang="бг"), "`lang` is not an ISO 639 language code like bg or en"),
    ],
    ids=["not json", "bad date", "no text", "not an object", "naive date", "followers", "бг"],
)
def test_a_bad_push_says_what_is_wrong_and_stores_nothing(
    stack: Stack, body: Any, error: str
) -> None:
    response = _push(stack, body)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert _stored(stack.bot) == []  # all or nothing: the good item 0 was not kept either


def test_push_over_the_limit_is_413(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import web

    monkeypatch.setattr(web, "MAX_INGEST_ITEMS", 2)
    response = _push(stack, [_record(1), _record(2), _record(3)])
    assert response.status_code == 413 and _stored(stack.bot) == []


def test_without_a_configured_token_push_is_closed(database_url: str, clock: Any) -> None:
    from bot.testing import start_stack

    stack = start_stack(database_url, clock=clock, ingest_token=None)
    try:
        assert _push(stack, [_record(1)]).status_code == 401  # no token can be right
    finally:
        stack.stop()


# -- import ----------------------------------------------------------------------------------


@pytest.fixture
def ingest_env(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`crisisbot ingest` run in `tmp_path` against the stack's database, with Acme's playbook."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", stack.bot.settings.database_url)
    monkeypatch.setenv("CRISIS_CONFIG", str(tmp_path / "crisisbot.toml"))
    (tmp_path / "crisisbot.toml").write_text('[[brands]]\nname = "Acme"\n')


def _csv(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


FIELDS = ("id", "source", "text", "created_at", "author", "author_followers", "url")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("day.jsonl", b""),
        ("day.jsonl", b"\n\r\n  \n"),
        ("day.csv", b""),
        ("day.csv", b"\xef\xbb\xbf\r\n"),  # Excel's "CSV UTF-8" of nothing
    ],
    ids=["jsonl", "blank-lines", "csv", "csv-bom"],
)
@pytest.mark.usefixtures("ingest_env")
def test_an_empty_file_is_refused_by_name(
    stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes
) -> None:
    """An export that failed or the wrong file: JSONL said "0 mentions read, …, 0 bad" and
    exited 0, CSV "the header lacks id, source, text, created_at" (there is no header)."""
    (tmp_path / name).write_bytes(content)
    assert main(["ingest", name]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [f"crisisbot: {name}: is empty; no mentions to import"]


@pytest.mark.usefixtures("ingest_env")
def test_csv_import_reports_a_bad_row_by_its_line_and_keeps_the_rest(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [
        _record(1, author="jane", author_followers="1200"),
        _record(2, text="A post\nover two lines, quoted"),  # lines 3-4 of the file
        _record(3, created_at="14/03/2025"),  # line 5
        _record(4, author_followers="-"),  # line 6
        _record(1),  # a repeat of line 2
    ]
    path = tmp_path / "mentions.csv"
    path.write_text(_csv(rows, FIELDS), encoding="utf-8")

    assert main(["ingest", str(path)]) == 1  # some input was refused
    captured = capsys.readouterr()
    assert f"{path}:5: `created_at` is not an ISO 8601 date-time" in captured.err
    assert f"{path}:6: `author_followers` is not a whole number" in captured.err
    assert "3 mentions read, 2 new, 1 already known, 2 bad" in captured.out
    assert _stored(stack.bot) == [("webhook", "p1"), ("webhook", "p2")]


@pytest.mark.usefixtures("ingest_env")
def test_csv_without_the_required_columns_is_refused(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "mentions.csv"
    path.write_text("id,text\np1,hello\n", encoding="utf-8")
    assert main(["ingest", str(path)]) == 1
    assert f"{path}:1: the header lacks source, created_at" in capsys.readouterr().err


BULGARIAN = "Акме ни измами: парите ги няма, срив на приложението"


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (f"{json.dumps(_record(1))}\n{json.dumps(_record(2, text=BULGARIAN), ensure_ascii=False)}\n"
         .encode("cp1251"), 2),
        (json.dumps(_record(1)).encode() + b"\n" + bytes(range(128, 256)) + b"\n", 2),
    ],
    ids=["cp1251", "binary"],
)  # fmt: skip
@pytest.mark.usefixtures("ingest_env")
def test_a_file_that_is_not_utf8_is_refused_whole_naming_its_line(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    line: int,
) -> None:
    path = tmp_path / "mentions.jsonl"
    path.write_bytes(content)
    assert main(["ingest", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:{line}: not UTF-8 text" in err and "nothing imported" in err
    assert "Traceback" not in err
    assert _stored(stack.bot) == []  # not the ASCII line 1 either: the file is refused whole


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.usefixtures("ingest_env")
def test_a_byte_order_mark_and_crlf_are_read_as_excel_and_notepad_write_them(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    records = [_record(1, text=BULGARIAN), _record(2)]
    path = tmp_path / f"mentions.{fmt}"
    if fmt == "csv":
        text = _csv(records, FIELDS[:4]).replace("\n", "\r\n")
    else:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in records)
    path.write_bytes("\ufeff".encode() + text.encode())
    assert main(["ingest", str(path)]) == 0
    assert sorted(_stored(stack.bot)) == [("webhook", "p1"), ("webhook", "p2")]


# Records that passed validation and then broke the insert: a traceback for the importer (and
# every good line of its batch lost), a 500 for a push (a 503 on PostgreSQL, retried for ever).
UNSTORABLE = [
    (_record(1, created_at="0001-01-01T00:00:00+01:00"), "`created_at` is out of range"),
    (_record(1, author_followers=10**30), "`author_followers` is too large"),
    (_record(1, author_followers=2**31), "`author_followers` is too large"),
    (_record(1, author_followers="²"), "`author_followers` is not a whole number"),
]


@pytest.mark.parametrize(("record", "error"), UNSTORABLE, ids=["year 1", "huge", "int32", "²"])
def test_a_record_the_database_cannot_hold_is_a_bad_push(
    stack: Stack, record: dict[str, Any], error: str
) -> None:
    response = _push(stack, [_record(2), record])
    assert response.status_code == 400
    assert response.json()["error"] == f"item 1: {error}"
    assert _stored(stack.bot) == []


def test_a_push_with_half_a_surrogate_pair_is_stored(stack: Stack) -> None:
    body = json.dumps([_record(1, text="Acme \ud83d down", author="\udc00")]).encode()
    assert b"\\ud83d" in body  # as JSON escapes it
    assert _push(stack, body).json() == {"ok": True, "received": 1, "new": 1}


def test_json_nested_too_deeply_is_a_bad_push(stack: Stack) -> None:
    response = _push(stack, b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]


@pytest.mark.usefixtures("ingest_env")
def test_an_import_reports_unstorable_and_unreadable_lines_and_keeps_the_rest(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = [json.dumps(_record(1))] + [json.dumps(r) for r, _ in UNSTORABLE]
    lines += ["[" * 100_000 + "]" * 100_000, json.dumps(_record(2))]
    path = tmp_path / "mentions.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert main(["ingest", str(path)]) == 1
    err = capsys.readouterr().err
    for number, (_, error) in enumerate(UNSTORABLE, start=2):
        assert f"{path}:{number}: {error}" in err
    assert f"{path}:6: not valid JSON (nested too deeply)" in err
    assert "Traceback" not in err
    assert sorted(_stored(stack.bot)) == [("webhook", "p1"), ("webhook", "p2")]


@pytest.mark.usefixtures("ingest_env")
def test_a_csv_row_with_too_many_fields_or_a_huge_field_is_reported_by_its_line(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "mentions.csv"
    path.write_text(
        "id,source,created_at,text,author\n"
        "p1,webhook,2025-03-14T18:02:11+00:00,fine,jane\n"
        # An unquoted comma in the text: "really" became the author and bob was dropped.
        "p2,webhook,2025-03-14T18:02:11+00:00,down again, really,bob\n"
        f"p3,webhook,2025-03-14T18:02:11+00:00,{'a' * 200_000},\n"
        "p4,webhook,2025-03-14T18:02:11+00:00,fine,\n"
    )
    assert main(["ingest", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: 6 fields, but the header names 5" in err
    assert f"{path}:4: not valid CSV (field larger than field limit" in err
    assert sorted(_stored(stack.bot)) == [("webhook", "p1"), ("webhook", "p4")]


@pytest.mark.usefixtures("ingest_env")
def test_a_csv_header_is_read_whatever_its_case_and_ignored_columns_are_named(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "mentions.csv"
    path.write_text(
        "ID,Source,Text,Created_At,Autor,likes\np1,webhook,Acme down,2025-03-14T18:02:11Z,jane,3\n"
    )
    assert main(["ingest", str(path)]) == 0  # every mention was read
    captured = capsys.readouterr()
    assert f"{path}:1: ignored columns: Autor (did you mean author?), likes" in captured.err
    assert "1 mentions read, 1 new" in captured.out


@pytest.mark.usefixtures("ingest_env")
def test_a_csv_separated_by_semicolons_as_excel_writes_it_in_bulgaria_is_read(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "mentions.csv"
    path.write_text(
        "id;source;text;created_at;author_followers\r\n"
        f"p1;webhook;{BULGARIAN}, отново;2025-03-14T18:02:11+02:00;1200\r\n",
        encoding="utf-8-sig",
    )
    assert main(["ingest", str(path)]) == 0, capsys.readouterr().err
    with stack.bot.transaction() as session:
        text, followers = session.execute(select(Mention.text, Mention.author_followers)).one()
    assert (text, followers) == (f"{BULGARIAN}, отново", 1200)


@pytest.mark.parametrize(
    ("indent", "error"),
    [
        (2, "1: one JSON document, not JSON Lines (one mention object per line); nothing imported"),
        (None, "1: expected a JSON object, not an array (JSON Lines: one object per line)"),
    ],
    ids=["pretty-printed", "one line"],
)
@pytest.mark.usefixtures("ingest_env")
def test_a_json_array_file_is_named_as_such_not_line_by_line(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    indent: int | None,
    error: str,
) -> None:
    path = tmp_path / "mentions.json"
    path.write_text(json.dumps([_record(1), _record(2)], indent=indent) + "\n")
    assert main(["ingest", str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"{path}:{error}"]
    assert _stored(stack.bot) == []


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.usefixtures("ingest_env")
def test_the_progress_bar_follows_the_bytes_read(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    records = [_record(n) for n in range(4500)]
    path = tmp_path / f"big.{fmt}"
    if fmt == "csv":
        path.write_text(_csv(records, FIELDS[:4]), encoding="utf-8")
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 0)
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True, raising=False)

    assert main(["ingest", str(path)]) == 0
    bars = [b for b in capsys.readouterr().err.split("\r") if b.startswith("[")]
    percents = [int(b.split("]")[1].strip().rstrip("%\n")) for b in bars]
    assert percents == sorted(percents) and percents[-1] == 100
    assert 30 <= percents[0] < 100  # after the first 2000 of 4500 records


# -- every path into one row -----------------------------------------------------------------


@pytest.fixture
def platforms() -> Iterator[Platforms]:
    yield from serve(Platforms.storm(datetime.now(UTC)))


@pytest.mark.usefixtures("ingest_env")
def test_pushed_imported_and_polled_copies_are_one_mention(
    stack: Stack,
    platforms: Platforms,
    tmp_path: Path,
) -> None:
    # Acme's playbook on every path, as `crisisbot ingest` reads it (ingest_env): a post is
    # stored once per brand, and under another playbook it could name another one.
    stack.bot.config = Config(brands=(Brand("Acme"),))
    platforms.horizon -= timedelta(days=6)
    newest = platforms.visible("hackernews")[-1]
    hn_id = str(40_000_000 + newest.n)  # the objectID the HN server gives that post
    same = {"source": "hackernews", "id": hn_id, "created_at": newest.at.isoformat()}
    assert _push(stack, [_record(1, **same)]).json()["new"] == 1

    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(_record(1, **same)) + "\n" + json.dumps(_record(9)) + "\n")
    assert main(["ingest", str(path)]) == 0

    source = SourceConfig(
        type="hackernews",
        name="hn",
        query="acme",
        base_url=f"{platforms.base_url}/hn/api/v1",
    )
    stack.bot.config = Config(brands=stack.bot.config.brands, sources=(source,))
    (result,) = poll_all(stack.bot)
    visible = len(platforms.visible("hackernews"))
    assert result.ok and result.new == visible - 1  # the pushed one was already there
    with stack.bot.transaction() as session:
        count = session.scalar(
            select(func.count()).select_from(Mention).where(Mention.external_id == hn_id)
        )
    assert count == 1
    assert len(_stored(stack.bot)) == visible + 1  # + the webhook-only record p9


@pytest.mark.usefixtures("ingest_env")
def test_a_mention_dated_ahead_is_stored_as_of_its_arrival_pushed_or_imported(
    stack: Stack, tmp_path: Path
) -> None:
    """A sender writing Sofia's local time as UTC dates posts hours ahead: like a polled one,
    the mention is stored as of its arrival, not left in the future where no pass counts it."""
    now = stack.bot.clock()  # the stack's clock; `crisisbot ingest` runs on the real one
    ahead = (now + timedelta(hours=3)).isoformat()
    past = (now - timedelta(minutes=5)).isoformat()
    pushed = _push(stack, [_record(1, created_at=ahead), _record(2, created_at=past)])
    assert pushed.status_code == 200
    path = tmp_path / "export.jsonl"
    late = datetime.now(UTC) + timedelta(hours=3)
    path.write_text(json.dumps(_record(3, created_at=late.isoformat())) + "\n")
    assert main(["ingest", str(path)]) == 0
    imported_by = datetime.now(UTC)
    with stack.bot.transaction() as session:
        rows = session.execute(select(Mention.external_id, Mention.created_at))
        dates = {external_id: at for external_id, at in rows}
    assert dates["p1"] == now and dates["p2"] == now - timedelta(minutes=5)
    assert imported_by - timedelta(minutes=1) < dates["p3"] <= imported_by
