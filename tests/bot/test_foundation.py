"""The first slice end to end: a storm in a week of calm mentions becomes one Slack incident,
claimed through a signed /crisis command, exported with its timeline."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.clock import ManualClock
from bot.testing import CHANNEL, Stack, storm_jsonl


def _answered(stack: Stack, needle: str) -> dict:
    """Wait for the bot's respond() answer containing `needle`; return its payload."""

    def find() -> dict | None:
        return next(
            (
                r["payload"]
                for r in stack.emulator.responses
                if needle in r["payload"].get("text", "")
            ),
            None,
        )

    return stack.emulator.wait_for(find)


def _alerts(stack: Stack) -> list[dict]:
    return [m for m in stack.channel_messages() if m.get("thread_ts") in (None, m["ts"])]


def _buttons(message: dict) -> list[str]:
    return [
        e["text"]["text"]
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def _ingest_and_detect(stack: Stack, clock: ManualClock, tmp_path: Path) -> None:
    path = tmp_path / "storm.jsonl"
    path.write_text(storm_jsonl(clock()))
    assert main(["ingest", str(path)]) == 0
    assert main(["detect"]) == 0


@pytest.mark.usefixtures("command_line")
def test_a_storm_becomes_one_incident_posted_with_evidence_and_buttons(
    stack: Stack,
    clock: ManualClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _ingest_and_detect(stack, clock, tmp_path)
    assert "opened incident #1" in capsys.readouterr().out
    alerts = _alerts(stack)
    assert len(alerts) == 1
    alert = alerts[0]
    assert "#1" in alert["text"]
    shown = json.dumps(alert["blocks"])
    assert "expected" in shown and "negative" in shown
    assert "https://bsky.app/profile/" in shown  # quoted mentions link to the posts
    assert _buttons(alert)[:5] == ["Claim", "Escalate", "Draft reply", "Post update", "Resolve"]

    clock.advance(minutes=5)
    assert main(["detect"]) == 0
    assert "no new storm" in capsys.readouterr().out
    assert len(_alerts(stack)) == 1


@pytest.mark.usefixtures("command_line")
def test_calm_mentions_open_nothing(stack: Stack, clock: ManualClock, tmp_path: Path) -> None:
    lines = storm_jsonl(clock()).splitlines()
    (tmp_path / "calm.jsonl").write_text("\n".join(lines[:-90]) + "\n")
    assert main(["ingest", str(tmp_path / "calm.jsonl")]) == 0
    assert main(["detect"]) == 0
    assert _alerts(stack) == []


@pytest.mark.usefixtures("command_line")
def test_claim_by_command_updates_the_card_in_place(
    stack: Stack, clock: ManualClock, tmp_path: Path
) -> None:
    _ingest_and_detect(stack, clock, tmp_path)
    clock.advance(minutes=3)
    response = stack.slack.command("claim #1", user_id="U0ALICE")
    assert response.status_code == 200
    assert _answered(stack, "now hold #1")["response_type"] == "ephemeral"
    stack.emulator.wait_for(lambda: "<@U0ALICE>" in json.dumps(_alerts(stack)[0]["blocks"]))
    assert len(_alerts(stack)) == 1  # updated in place, not posted again
    assert stack.emulator.calls("chat.update")


@pytest.mark.usefixtures("command_line")
def test_claim_button_claims_too(stack: Stack, clock: ManualClock, tmp_path: Path) -> None:
    _ingest_and_detect(stack, clock, tmp_path)
    alert = _alerts(stack)[0]
    stack.slack.click(
        "incident.claim", "1", user_id="U0BOB", message={"channel": CHANNEL, "ts": alert["ts"]}
    )
    stack.emulator.wait_for(lambda: "<@U0BOB>" in json.dumps(_alerts(stack)[0]["blocks"]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("frobnicate", "is not a /crisis command"),
        ("claim", "needs an incident number"),
        ("claim abc", "is not an incident number"),
        ("claim #999", "There is no incident #999"),
        ("help", "/crisis claim N"),
        # Bolt alone reads any form body containing "payload" as an empty interactive payload.
        ("payload", "is not a /crisis command"),
        ("claim payload", "is not an incident number"),
    ],
)
def test_bad_input_gets_an_ephemeral_answer(stack: Stack, text: str, expected: str) -> None:
    response = stack.slack.command(text, user_id="U0ALICE")
    assert response.status_code == 200
    if response.content:
        body = response.json()
        if expected in body.get("text", ""):
            assert body.get("response_type") == "ephemeral"
            return
    assert _answered(stack, expected)["response_type"] == "ephemeral"


@pytest.mark.usefixtures("command_line")
def test_forged_or_stale_requests_get_401_and_change_nothing(
    stack: Stack, clock: ManualClock, tmp_path: Path
) -> None:
    _ingest_and_detect(stack, clock, tmp_path)
    forged = stack.slack.command("claim 1", user_id="U0ALICE", signature="v0=" + "0" * 64)
    stale = stack.slack.command("claim 1", user_id="U0ALICE", timestamp=int(time.time()) - 6 * 60)
    assert (forged.status_code, stale.status_code) == (401, 401)
    time.sleep(0.3)
    with stack.bot.transaction() as session:
        from bot.response import incidents

        assert incidents.get(session, 1).owner is None
    assert stack.emulator.calls("chat.update") == []


@pytest.mark.usefixtures("command_line")
def test_export_gives_the_timeline_in_all_three_formats(
    stack: Stack,
    clock: ManualClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _ingest_and_detect(stack, clock, tmp_path)
    clock.advance(minutes=2)
    stack.slack.command("claim 1", user_id="U0ALICE")
    _answered(stack, "now hold")
    capsys.readouterr()

    assert main(["export", "#1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    types = [e["type"] for e in data["events"]]
    assert types == ["incident.opened", "alert.posted", "incident.claimed"]
    assert [e["actor"] for e in data["events"]] == [None, None, "U0ALICE"]
    assert data["incident"]["number"] == 1
    ats = [e["at"] for e in data["events"]]
    assert ats == sorted(ats)

    assert main(["export", "1", "--format", "csv", "--out", str(tmp_path / "t.csv")]) == 0
    raw = (tmp_path / "t.csv").read_bytes()
    assert b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode(), newline="")))
    assert [r["type"] for r in rows] == types

    assert main(["export", "1", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# Incident #1") and "`incident.claimed`" in md


@pytest.mark.usefixtures("command_line")
def test_export_of_a_missing_incident_fails_cleanly(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["export", "7", "--out", str(tmp_path / "x.md")]) == 1
    assert "no incident #7" in capsys.readouterr().err
    assert not list(tmp_path.glob("*x.md*"))


@pytest.mark.usefixtures("command_line")
def test_ingest_reports_bad_lines_and_imports_the_rest_once(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = {"id": "1", "source": "x", "text": "hi Acme", "created_at": "2025-03-14T18:02:11+00:00"}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({**good, "id": "2", "created_at": "yesterday"}),
        json.dumps({**good, "id": "3", "author_followers": "many"}),
        json.dumps({**good, "id": "4"}),
    ]
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert main(["ingest", str(path)]) == 1
    out = capsys.readouterr()
    assert f"{path}:2:" in out.err and f"{path}:3:" in out.err and f"{path}:4:" in out.err
    assert "2 mentions read, 2 new" in out.out
    assert main(["ingest", str(path)]) == 1
    assert "2 mentions read, 0 new, 2 already known" in capsys.readouterr().out


def test_a_missing_setting_stops_with_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert main(["detect"]) == 2
    assert capsys.readouterr().err.strip() == "crisisbot: SLACK_BOT_TOKEN: is not set"
    monkeypatch.setenv("PORT", "eighty")
    assert main(["migrate"]) == 2
    assert "PORT" in capsys.readouterr().err


def test_slack_url_verification_is_answered(stack: Stack) -> None:
    response = stack.slack.url_verification("c-123")
    assert response.status_code == 200 and response.json()["challenge"] == "c-123"


def test_healthz_answers_200(stack: Stack) -> None:
    import httpx

    response = httpx.get(f"{stack.server.url}/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True, "database": "ok"}
