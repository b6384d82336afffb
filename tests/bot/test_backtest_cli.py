"""`crisisbot backtest` and `crisisbot sentiment`: contracts of their files and streams."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from tests.detectors.synth import day_and_night


def _series(path: Path, n: int, storm_at: int | None = None) -> list[tuple[str, int]]:
    start = datetime(2025, 1, 6)
    rows = []
    for i in range(n):
        t = start + timedelta(minutes=5 * i)
        base = 20 + 12 * math.sin(2 * math.pi * (i % 288) / 288) + (i * 7919 % 5)
        value = int(base + (400 if storm_at is not None and storm_at <= i < storm_at + 6 else 0))
        rows.append((t.strftime("%Y-%m-%d %H:%M:%S"), value))
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["timestamp", "value"])
        writer.writerows(rows)
    return rows


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_series_backtest_writes_one_row_per_input_row_and_alerts_on_the_storm(
    tmp_path: Path,
) -> None:
    rows = _series(tmp_path / "in.csv", 288 * 5, storm_at=288 * 4 + 100)
    assert (
        main(["backtest", "--series", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out.csv")])
        == 0
    )
    out = _read(tmp_path / "out.csv")
    assert list(out[0]) == ["timestamp", "value", "score", "alert"]
    assert [(r["timestamp"], int(r["value"])) for r in out] == rows
    assert all(0.0 <= float(r["score"]) <= 1.0 for r in out)
    alerts = [i for i, r in enumerate(out) if r["alert"] == "1"]
    assert alerts and 288 * 4 + 100 <= alerts[0] <= 288 * 4 + 103


def test_series_backtest_is_causal(tmp_path: Path) -> None:
    _series(tmp_path / "in.csv", 288 * 5, storm_at=288 * 4 + 100)
    lines = (tmp_path / "in.csv").read_text().splitlines()
    (tmp_path / "prefix.csv").write_text("\n".join(lines[: 288 * 4 + 103]) + "\n")
    main(["backtest", "--series", str(tmp_path / "in.csv"), "--out", str(tmp_path / "full.out")])
    main(["backtest", "--series", str(tmp_path / "prefix.csv"), "--out", str(tmp_path / "p.out")])
    prefix = _read(tmp_path / "p.out")
    assert prefix == _read(tmp_path / "full.out")[: len(prefix)]


@pytest.mark.parametrize("zone", ["Europe/Sofia", "America/New_York"])
def test_series_backtest_follows_the_playbook_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    # An audience on the team's clock, across the October change (timestamps are UTC): on its
    # wall clock the evening fall comes when it always did; on UTC slots it comes an hour late,
    # and the busy hour alerts as a storm, day after day.
    change = datetime(2024, 10, 27, 1) if zone == "Europe/Sofia" else datetime(2024, 11, 3, 6)
    pts = day_and_night(zone, change, days_before=9, days_after=3)
    with (tmp_path / "in.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["timestamp", "value"])
        writer.writerows((t.strftime("%Y-%m-%d %H:%M:%S"), int(v)) for t, v in pts)
    playbook = tmp_path / "crisisbot.toml"
    monkeypatch.setenv("CRISIS_CONFIG", str(playbook))
    alerts = {}
    for name in (zone, "UTC"):
        playbook.write_text(f'timezone = "{name}"\n', encoding="utf-8")
        out = tmp_path / f"{name.replace('/', '_')}.csv"
        assert main(["backtest", "--series", str(tmp_path / "in.csv"), "--out", str(out)]) == 0
        rows = _read(out)
        assert len(rows) == len(pts) and all(0.0 <= float(r["score"]) <= 1.0 for r in rows)
        alerts[name] = [r["timestamp"] for r in rows if r["alert"] == "1"]
    assert alerts[zone] == []
    assert alerts["UTC"] and all(a >= f"{change:%Y-%m-%d %H:%M:%S}" for a in alerts["UTC"])


def test_series_backtest_refuses_a_broken_playbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # It reads the playbook now (its clock): a broken one is named, as for --mentions.
    _series(tmp_path / "in.csv", 288)
    playbook = tmp_path / "crisisbot.toml"
    playbook.write_text('timezone = "Mars/Olympus"\n', encoding="utf-8")
    monkeypatch.setenv("CRISIS_CONFIG", str(playbook))
    out = tmp_path / "out.csv"
    assert main(["backtest", "--series", str(tmp_path / "in.csv"), "--out", str(out)]) == 2
    assert "Mars/Olympus" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("time,count\n2025-01-01 00:00:00,1\n", "header must be `timestamp,value`"),
        ("timestamp,value\n2025-01-01 00:00:00,1\nyesterday,3\n", "in.csv:3:"),
        ("timestamp,value\n2025-01-01 00:05:00,1\n2025-01-01 00:00:00,3\n", "must increase"),
        # Not a count: a spreadsheet's overflow or an empty cell read as NaN stopped the run
        # with a traceback; a negative one is a sign error upstream.
        ("timestamp,value\n2025-01-01 00:00:00,1\n2025-01-01 00:05:00,1e309\n", "in.csv:3: "),
        ("timestamp,value\n2025-01-01 00:00:00,nan\n", "in.csv:2: `nan` is not a count"),
        ("timestamp,value\n2025-01-01 00:00:00,-inf\n", "in.csv:2: `-inf` is not a count"),
        ("timestamp,value\n2025-01-01 00:00:00,-5\n", "in.csv:2: `-5` is not a count"),
    ],
)
def test_bad_series_input_is_named_and_leaves_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    (tmp_path / "in.csv").write_text(content)
    assert (
        main(["backtest", "--series", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o.csv")])
        == 2
    )
    assert expected in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [tmp_path / "in.csv"]


def test_out_with_a_mention_replay_is_refused_not_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--mentions h.jsonl --out o.csv` replayed, printed, exited 0 and wrote no o.csv."""
    history = tmp_path / "h.jsonl"
    history.write_text(
        '{"id": "1", "source": "t", "text": "Acme", "created_at": "2025-03-01T10:00:00Z"}\n'
    )
    assert main(["backtest", "--mentions", str(history), "--out", str(tmp_path / "o.csv")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        "crisisbot: --out goes with --series; --mentions prints the incidents it would open"
    ]


def test_an_empty_mention_history_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "0 mentions replayed; 0 incidents would have opened." and exited 0: a history
    that did not export reads as a calm one."""
    (tmp_path / "h.jsonl").write_text("\n")
    assert main(["backtest", "--mentions", str(tmp_path / "h.jsonl")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        f"crisisbot: {tmp_path / 'h.jsonl'}: is empty; no mentions to replay"
    ]


def test_a_series_saved_by_excel_reads_like_any_other(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a byte order mark and ends lines with CRLF: the header was
    refused as not `timestamp,value` when it was."""
    rows = _series(tmp_path / "plain.csv", 288 * 2)
    text = (tmp_path / "plain.csv").read_text()
    (tmp_path / "excel.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    out = tmp_path / "out.csv"
    assert main(["backtest", "--series", str(tmp_path / "excel.csv"), "--out", str(out)]) == 0
    assert [(r["timestamp"], int(r["value"])) for r in _read(out)] == rows


def test_a_series_not_in_utf8_is_named_with_its_line_and_leaves_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A count column in UTF-8 and a stray Windows-1251 note on line 3: a traceback before.
    (tmp_path / "in.csv").write_bytes(
        "timestamp,value\n2025-01-01 00:00:00,1\n2025-01-01 00:05:00,2 шт\n".encode("cp1251")
    )
    out = tmp_path / "o.csv"
    assert main(["backtest", "--series", str(tmp_path / "in.csv"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith(f"crisisbot: {tmp_path / 'in.csv'}:3: not UTF-8 text")
        and err.count("\n") == 1
    ), err
    assert list(tmp_path.iterdir()) == [tmp_path / "in.csv"]


def test_sentiment_reads_lines_and_writes_json_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("still no refund, on hold for an hour\nI love it\n\n")
    )
    assert main(["sentiment"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["label"] for r in rows] == ["negative", "positive", "neutral"]
    assert all(-1 <= r["polarity"] <= 1 for r in rows)


def test_sentiment_stops_at_a_line_that_is_not_utf8_rather_than_label_mojibake(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "\ufeffI love it\r\n".encode() + "Акме ни измами, ужасно!\n".encode("cp1251")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert main(["sentiment"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["label"] for line in captured.out.splitlines()] == ["positive"]
    assert captured.err.startswith("crisisbot: stdin:2: not UTF-8 text")


def test_sentiment_model_can_be_switched_off_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from detectors import sentiment_model as sm
    from detectors.sentiment import analyze_with, use_model

    text = "the screen went black after a week"  # no word the lexicon knows: the model's catch
    lines = []
    try:
        for switch in ("on", "off"):
            monkeypatch.setenv("CRISIS_SENTIMENT_MODEL", switch)
            monkeypatch.setattr("sys.stdin", io.StringIO(text + "\n"))
            assert main(["sentiment"]) == 0
            lines.append(json.loads(capsys.readouterr().out)["label"])
    finally:
        use_model(True)
    assert lines == [analyze_with(text, sm.shipped_model()).label, analyze_with(text, None).label]
    monkeypatch.setenv("CRISIS_SENTIMENT_MODEL", "maybe")
    assert main(["sentiment"]) == 2


def test_sentiment_writes_bulgarian_signals_as_written_not_as_escapes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Ужасно обслужване, никога повече!\n"))
    assert main(["sentiment"]) == 0
    out = capsys.readouterr().out
    assert "\\u" not in out and "lexicon:ужасно" in json.loads(out)["signals"]
