"""After the crisis: a real incident driven through the Slack emulator (claim, drafts, a refusal,
a rejection, an approval, resolve), exported in every format from the CLI and from Slack."""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import html
import io
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from select import select as select_fds
from typing import Any
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from bot.aftermath import export, html_report
from bot.cli import main
from bot.core import i18n
from bot.core.clock import ManualClock
from bot.core.config import Level
from bot.response import incidents
from bot.testing import CHANNEL, Stack
from models import Draft, Incident, SlackEventSeen, create_db_engine, session_factory
from tests.bot.test_foundation import _alerts, _answered, _ingest_and_detect

REPLY_V1 = "We hear you & we're sorry."
REPLY_V2 = 'Double charges are being refunded today. <script>alert("x")</script>'


def _draft_id(stack: Stack, version: int) -> int:
    with stack.bot.transaction() as session:
        return session.scalars(select(Draft.id).where(Draft.version == version)).one()


def _crisis(stack: Stack, clock: ManualClock, tmp_path: Path) -> None:
    """Detect, claim after 3 min, draft v1 → rejected, v2 → a refusal then approved, resolve."""
    _ingest_and_detect(stack, clock, tmp_path)
    alert = {"channel": CHANNEL, "ts": _alerts(stack)[0]["ts"]}
    clock.advance(minutes=3)
    stack.slack.command("claim 1", user_id="U0ALICE")
    _answered(stack, "now hold #1")
    clock.advance(minutes=2)
    stack.slack.command(f"draft 1 {REPLY_V1}", user_id="U0ALICE")
    _answered(stack, "Draft v1")
    clock.advance(minutes=1)
    stack.slack.submit_view(
        "reject_reason", {"reason": {"reason": "Too vague"}}, user_id="U0CAROL",
        private_metadata=f"{_draft_id(stack, 1)}:1",
    )  # fmt: skip
    stack.emulator.wait_for(lambda: _status(stack, 1) == "rejected")
    stack.slack.command(f"draft 1 {REPLY_V2}", user_id="U0ALICE")
    _answered(stack, "Draft v2")
    clock.advance(minutes=4)
    value = f"{_draft_id(stack, 2)}:2"
    stack.slack.click("draft.approve", value, user_id="U0DAN", message=alert)
    _answered(stack, "not an approver")
    stack.slack.click("draft.approve", value, user_id="U0CAROL", message=alert)
    _answered(stack, "approved")
    clock.advance(minutes=30)
    stack.slack.command("resolve 1 Refunds issued; status page updated", user_id="U0ALICE")
    _answered(stack, "#1 resolved")


def _status(stack: Stack, version: int) -> str:
    with stack.bot.transaction() as session:
        return session.scalars(select(Draft.status).where(Draft.version == version)).one()


@pytest.fixture
def crisis(stack: Stack, clock: ManualClock, tmp_path: Path, command_line: None) -> Stack:
    _crisis(stack, clock, tmp_path)
    return stack


def _export(fmt: str, tmp_path: Path) -> bytes:
    out = tmp_path / f"t.{fmt}"
    assert main(["export", "1", "--format", fmt, "--out", str(out)]) == 0
    return out.read_bytes()


@pytest.mark.parametrize(
    "command", [["export", "1", "--format", "html"], ["report", "--since", "2000-01-01"]]
)
def test_an_export_or_report_runs_while_the_worker_writes(
    crisis: Stack, tmp_path: Path, command: list[str]
) -> None:
    """They only read: on SQLite they must neither wait for the one write lock nor hold it (the
    export asks Slack for names meanwhile, and the server and worker would wait on it)."""
    codes: list[int] = []
    with crisis.bot.transaction() as session:  # a pass of the worker, mid-way
        session.add(SlackEventSeen(event_id="Ev-worker", seen_at=datetime.now(UTC)))
        session.flush()
        out = str(tmp_path / "out")
        cli = threading.Thread(target=lambda: codes.append(main([*command, "--out", out])))
        cli.start()
        cli.join(timeout=20)
        assert codes == [0], "the command waited for the worker's transaction to end"
    assert "Acme" in (tmp_path / "out").read_text(encoding="utf-8-sig")


EXPECTED_TYPES = [
    "incident.opened", "alert.posted", "incident.claimed", "draft.created", "draft.rejected",
    "draft.created", "draft.refused", "draft.approved", "incident.resolved",
]  # fmt: skip


def test_json_keeps_the_contract_with_names_drafts_and_metrics(
    crisis: Stack, tmp_path: Path
) -> None:
    data = json.loads(_export("json", tmp_path))
    events = data["events"]
    assert [e["type"] for e in events] == EXPECTED_TYPES
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert all(set(e) >= {"at", "type", "actor"} for e in events)
    assert events[0]["actor"] is None and events[2]["actor"] == "U0ALICE"
    assert events[2]["actor_name"] == "Alice Moreau"  # from users.info
    assert events[7]["actor_name"] == "Carol Diaz"
    metrics = data["incident"]["metrics"]
    # `crisisbot detect` opens the incident on the wall clock, the stack acts on the test clock
    # (set to the wall clock when the test began): a few seconds of slack.
    assert metrics["time_to_claim"] == pytest.approx(180, abs=20)
    assert metrics["time_to_first_approved_reply"] == pytest.approx(10 * 60, abs=20)
    assert metrics["time_to_resolve"] == pytest.approx(40 * 60, abs=20)
    assert metrics["time_to_detect"] > 0
    assert data["incident"]["summary"] == "Refunds issued; status page updated"
    drafts = data["drafts"]
    assert [(d["version"], d["status"]) for d in drafts] == [(1, "rejected"), (2, "approved")]
    assert drafts[0]["reason"] == "Too vague" and drafts[0]["decided_by_name"] == "Carol Diaz"
    assert drafts[1]["text"] == REPLY_V2


def test_csv_is_rfc4180_with_a_bom_for_spreadsheets(crisis: Stack, tmp_path: Path) -> None:
    raw = _export("csv", tmp_path)
    assert raw.startswith(b"\xef\xbb\xbfat,type,actor,actor_name,details\r\n")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["type"] for r in rows] == EXPECTED_TYPES
    claimed = rows[2]
    assert (claimed["actor"], claimed["actor_name"]) == ("U0ALICE", "Alice Moreau")
    created = json.loads(rows[5]["details"])
    assert created["text"] == REPLY_V2  # quotes and commas survive the quoting


def test_out_without_format_writes_the_format_its_name_says(crisis: Stack, tmp_path: Path) -> None:
    """`crisisbot export 1 --out review.html` wrote Markdown into review.html (a browser showed
    it as one line of text) and `--out timeline.csv` Markdown into a spreadsheet: --format was
    md unless given. A name's ending now picks the format when --format is not given."""
    for name, starts in (
        ("review.html", b"<!DOCTYPE html>"),
        ("REVIEW.HTM", b"<!DOCTYPE html>"),
        ("timeline.csv", b"\xef\xbb\xbfat,type,actor,actor_name,details\r\n"),
        ("timeline.json", b'{"incident": {"number": 1,'),
        ("notes.txt", b"# Incident #1"),  # any other name: Markdown, as before
    ):
        assert main(["export", "1", "--out", str(tmp_path / name)]) == 0
        assert (tmp_path / name).read_bytes().startswith(starts), name
    # Said explicitly, the format wins over the name.
    assert main(["export", "1", "--format", "md", "--out", str(tmp_path / "x.html")]) == 0
    assert (tmp_path / "x.html").read_bytes().startswith(b"# Incident #1")
    assert main(["report", "--since", "2000-01-01", "--out", str(tmp_path / "month.html")]) == 0
    assert (tmp_path / "month.html").read_bytes().startswith(b"<!DOCTYPE html>")


@pytest.mark.parametrize("slack", ["down", "refusing"])
def test_an_export_without_slack_names_people_by_id_and_says_so_once(
    crisis: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    slack: str,
) -> None:
    """Slack down: each person's name was asked with every retry (seconds each), an ERROR line
    per try and a WARNING per person, for IDs in the end; a refused token, a WARNING each."""
    if slack == "down":
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{closed.getsockname()[1]}/api/"
        monkeypatch.setenv("SLACK_API_URL", url)
        said = f"cannot reach Slack at {url} ("
    else:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
        said = "invalid_auth"
    capsys.readouterr()
    raw = _export("csv", tmp_path)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and lines[1] == f"crisisbot: wrote {tmp_path / 't.csv'}", lines
    assert (
        lines[0].startswith("crisisbot: people are named by their Slack IDs: ") and said in lines[0]
    )
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.records
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [(r["actor"], r["actor_name"]) for r in rows][2] == ("U0ALICE", "U0ALICE")


def test_csv_on_stdout_has_no_bom(crisis: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["export", "1", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("at,type,")


def test_out_dash_is_standard_output(
    crisis: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # it wrote a file named "-" here
    assert main(["export", "1", "--out", "-"]) == 0
    assert capsys.readouterr().out.startswith("# Incident #1")
    assert main(["report", "--since", "2000-01-01", "--format", "html", "--out", "-"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    assert not (tmp_path / "-").exists()


def test_markdown_reads_well(crisis: Stack, tmp_path: Path) -> None:
    md = _export("md", tmp_path).decode()
    assert md.startswith("# Incident #1")
    assert "| Time to claim | 3 min |" in md and "| Time to resolve | 40 min |" in md
    assert "rejected by Carol Diaz (U0CAROL)" in md and "Too vague" in md
    assert "**Owner:** Alice Moreau (U0ALICE)" in md
    assert "&lt;script&gt;" in md and "<script>" not in md
    steps = re.findall(r"^\| [^|]+ \| `([a-z_.]+)` \|", md, flags=re.M)
    assert steps == EXPECTED_TYPES


def test_markdown_quotes_the_evidence_that_opened_it_like_the_html_report(
    crisis: Stack, tmp_path: Path
) -> None:
    """A review is read without Slack open: the posts that opened the incident are in the file."""
    md = _export("md", tmp_path).decode()
    with crisis.bot.sessions() as session:
        samples = session.scalars(select(Incident.evidence)).one()["samples"]
    said = md.split("### What people said\n\n", 1)[1].split("\n## ", 1)[0]
    first = samples[0]
    assert f"> {first['text']}" in said.replace("\\", "")
    assert f"— {first['author']} on {first['source']} · {first['url']}" in said
    assert said.count("\n> — ") == min(len(samples), 5)


def _md_review(md: str) -> dict[str, list[str]]:
    """The bullets under each heading of the Markdown review (times dropped from What happened)."""
    section = md.split("## Post-incident review", 1)[1].split("\n## ", 1)[0]
    out = {}
    for part in section.split("### ")[1:]:
        heading, _, body = part.partition("\n")
        bullets = re.findall(r"^- (.*)$", body, flags=re.M)
        out[heading] = [re.sub(r"^\*\*[^*]+\*\* — ", "", b) for b in bullets]
    return out


def _html_review(page: str) -> dict[str, list[str]]:
    section = page.split("<h2>Post-incident review</h2>", 1)[1].split("</section>", 1)[0]
    out = {}
    for heading, items in re.findall(r"<h3>([^<]+)</h3><ul[^>]*>(.*?)</ul>", section):
        texts = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", items)]
        out[heading] = [html.unescape(re.sub(r"^.*? — ", "", t, count=1)) for t in texts]
    return out


def test_markdown_has_the_review_the_html_report_has(crisis: Stack, tmp_path: Path) -> None:
    md = _export("md", tmp_path).decode()
    assert md.index("## Response metrics") < md.index("## Post-incident review")
    assert md.index("## Post-incident review") < md.index("## Timeline")
    got = _md_review(md)
    assert got["What happened"] == [
        "The storm began (its first mention).",
        "crisisbot raised the alert.",
        "Alice Moreau claimed it.",
        "Carol Diaz rejected draft v1: Too vague.",
        "Carol Diaz approved draft v2.",
        "Alice Moreau resolved it: Refunds issued; status page updated.",
    ]
    worked = " ".join(got["What worked"])
    assert "Claimed in 3 min, inside the" in worked
    assert "A public reply was approved 10 min after the alert." in worked
    assert "Resolved 40 min after the alert." in worked and "four-eyes rule held" in worked
    assert any(
        t.startswith("1 draft rejected before approval (v1: Too") for t in got["What to change"]
    )
    # One review, two renderings: what the Markdown says is what the HTML report says.
    html_review = _html_review(_export("html", tmp_path).decode())
    assert html_review == {k: [_unmd(t) for t in v] for k, v in got.items()}


def _unmd(text: str) -> str:
    for escaped in ("|", "[", "]", "`"):
        text = text.replace("\\" + escaped, escaped)
    return html.unescape(text.replace("\\\\", "\\"))


def test_markdown_review_of_a_false_positive_is_escaped(database_url: str) -> None:
    engine = create_db_engine(database_url)
    now = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        fp = incidents.open_incident(
            session, brand="Globex", title="Globex: mention storm", severity="medium",
            evidence={"reasons": ["a meme"]}, first_mention_at=now - timedelta(minutes=5),
            channel=CHANNEL, now=now,
        )  # fmt: skip
        assert fp is not None
        reason = "a meme | <img src=x onerror=alert(1)>\nnot a crisis"
        incidents.dismiss(session, fp.id, user="U0BOB", reason=reason, now=now)
        buffer, page = io.StringIO(), io.StringIO()
        export.write(session, fp.id, "md", buffer, name_of={"U0BOB": "Bob Ng"}.get)
        export.write(session, fp.id, "html", page, name_of={"U0BOB": "Bob Ng"}.get)
    engine.dispose()
    # closed as a false positive, not resolved: the header says which
    assert "· **Dismissed:** " in buffer.getvalue() and "**Resolved:**" not in buffer.getvalue()
    assert "· dismissed " in page.getvalue() and "· resolved " not in page.getvalue()
    got = _md_review(buffer.getvalue())
    assert got["What happened"][-1] == (
        "Bob Ng dismissed it as a false positive: a meme \\| &lt;img src=x onerror=alert(1)&gt; "
        "not a crisis."
    )
    assert got["What worked"] == ["Detection was quick: the alert came 5 min after the storm's "
                                  "first mention."]  # fmt: skip
    assert any("false positive: consider tuning" in t for t in got["What to change"])
    assert not any("Nobody claimed" in t for t in got["What to change"])  # dismissed, not missed


def test_a_long_incidents_review_ends_with_how_it_ended(database_url: str) -> None:
    """A week-long crisis handed over at every shift change: 60 hand-overs, then the resolve.
    The review narrated its first 40 key steps and stopped there, mid-way, without a word: the
    resolve never appeared in What happened, nor on the chart."""
    from bot.aftermath import review

    engine = create_db_engine(database_url)
    now = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        opened = incidents.open_incident(
            session, brand="Globex", title="Globex: storm", severity="high",
            evidence={"reasons": ["many"]}, first_mention_at=now, channel=CHANNEL, now=now,
        )  # fmt: skip
        assert opened is not None
        n = opened.id
        for shift in range(61):
            now += timedelta(hours=2)
            incidents.claim(session, n, user=("U0ALICE", "U0BOB")[shift % 2], now=now)
        now += timedelta(hours=1)
        incidents.resolve(session, n, user="U0BOB", summary="Story over", now=now)
        out = {fmt: io.StringIO() for fmt in ("md", "html")}
        for fmt, buffer in out.items():
            export.write(session, n, fmt, buffer)
    engine.dispose()
    happened = _md_review(out["md"].getvalue())["What happened"]
    assert happened[-1] == "U0BOB resolved it: Story over."
    assert "… 23 more steps: the timeline below has every one." in happened
    assert len(happened) == 1 + review.MAX_STEPS + 1  # the alert, the steps told, the gap
    page = out["html"].getvalue()
    told = _html_review(page)["What happened"]
    assert told[-1] == "U0BOB resolved it: Story over."
    assert '<span class="n">40</span>' in page and '<span class="n">41</span>' not in page
    assert "… 23 more steps: the timeline below has every one." in told
    assert page.count('<g class="step">') == review.MAX_STEPS  # each told step marked
    assert "<title>40. " in page and "resolved it: Story over.</title>" in page


def test_without_names_each_person_is_their_id_once(database_url: str) -> None:
    """Slack down, or an export from a copy of the database: people are named by their IDs, and
    every line said each twice ("Owner: U0BOB (U0BOB)", "U0ALICE U0ALICE" in the HTML)."""
    from bot.response import drafts, followups

    engine = create_db_engine(database_url)
    now = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        declared = incidents.declare(
            session, brand="Globex", text="Van crash on the ring road", severity="high",
            user="U0ALICE", channel=CHANNEL, now=now,
        )  # fmt: skip
        n = declared.id
        incidents.claim(session, n, user="U0BOB", now=now)
        draft = drafts.create(session, n, user="U0ALICE", text="We are on it.", now=now)
        drafts.decide(session, draft.id, draft.version, user="U0CAROL", approve=True,
                      approvers={"U0CAROL"}, now=now)  # fmt: skip
        added, _incident = followups.add(session, n, owner="U0DAN", text="FAQ", due_at=None,
                                         user="U0ALICE", now=now)  # fmt: skip
        followups.mark_done(session, added.id, user="U0DAN", now=now)
        out = {fmt: io.StringIO() for fmt in ("md", "html")}
        for fmt, buffer in out.items():
            export.write(session, n, fmt, buffer)  # no names: the IDs
    engine.dispose()
    md, page = out["md"].getvalue(), out["html"].getvalue()
    for user in ("U0ALICE", "U0BOB", "U0CAROL", "U0DAN"):
        assert f"{user} ({user})" not in md, user
        assert f'{user} <span class="id">{user}</span>' not in page, user
    assert "- **Owner:** U0BOB\n" in md and "Declared by U0ALICE: Van crash" in md
    assert "| `incident.handed_over` | U0BOB |" in md


def test_a_right_to_left_reply_or_post_reads_in_its_own_direction(database_url: str) -> None:
    """A reply drafted in Hebrew for an Israeli market, a post quoted in Arabic: in the HTML
    report they were laid out left to right, so a sentence's closing "!" or "?" showed at its
    start. Each quoted text takes its own direction (dir="auto", <bdi>)."""
    from bot.response import drafts

    hebrew, arabic = "שלום! אנחנו בודקים את זה.", "هل الخدمة متوقفة؟"
    engine = create_db_engine(database_url)
    now = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        opened = incidents.open_incident(
            session, brand="Globex", title="Globex: storm", severity="high",
            evidence={"reasons": ["many"], "samples": [{"text": arabic, "author": "a1",
                                                        "source": "x"}]},
            first_mention_at=now, channel=CHANNEL, now=now,
        )  # fmt: skip
        assert opened is not None
        drafts.create(session, opened.id, user="U0ALICE", text=hebrew, now=now)
        page = io.StringIO()
        export.write(session, opened.id, "html", page)
    engine.dispose()
    assert f'<blockquote dir="auto">{hebrew}</blockquote>' in page.getvalue()
    assert f"<blockquote><bdi>{arabic}</bdi><br>" in page.getvalue()


def test_bulgarian_markdown_and_html_word_the_timeline_details_in_bulgarian(
    database_url: str,
) -> None:
    """The Details column of a Bulgarian export: its keys labelled and its words (yes/no, a
    severity, a state, where an update went) in Bulgarian; JSON and CSV keep the English data."""
    engine = create_db_engine(database_url)
    now = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
    levels = (Level("Екип"), Level("Ръководство", ("U0LEAD",)))
    with session_factory(engine).begin() as session, i18n.using("bg", "Europe/Sofia"):
        opened = incidents.open_incident(
            session, brand="Globex", title="Globex: буря", severity="high",
            evidence={"reasons": ["много споменавания"]}, first_mention_at=now, channel=CHANNEL,
            now=now, mystery="kept as it is",  # a key the catalogue does not know
        )  # fmt: skip
        assert opened is not None
        n = opened.id
        incidents.set_severity(session, n, user="U0BOB", severity="critical", now=now)
        incidents.escalate(
            session, n, user=None, reason="никой не го пое", levels_for=lambda *_: levels,
            now=now, automatic=True,
        )  # fmt: skip
        incidents.resolve(session, n, user="U0BOB", summary="Готово", now=now)
        incidents.reopen(session, n, user="U0BOB", reason="отново", now=now)
        out = {fmt: io.StringIO() for fmt in ("md", "html", "json")}
        for fmt, buffer in out.items():
            export.write(session, n, fmt, buffer, name_of=lambda u: {"U0LEAD": "Лора"}.get(u, u))
    engine.dispose()
    md, page = out["md"].getvalue(), html.unescape(out["html"].getvalue())
    md_rows = re.findall(r"^\| [^|]+ \| `([a-z_.]+)` \| [^|]+ \| (.*) \|$", md, re.M)
    html_rows = re.findall(r"<td><code>([a-z_.]+)</code></td><td>.*?</td><td>(.*?)</td></tr>", page)
    for text, found in ((md, md_rows), (page, html_rows)):
        rows = {step: shown.split("; ") for step, shown in found}  # data's order: PostgreSQL's
        for step, parts in {
            # an unknown key as it is
            "incident.opened": ["сериозност: висока", "марка: Globex", "mystery: kept as it is"],
            "incident.severity_changed": ["предишно: висока", "сериозност: критична"],
            "incident.escalated": ["ниво: 1", "име на нивото: Ръководство", "автоматично: да",
                                   "причина: никой не го пое", "известени: Лора (U0LEAD)"],
            "incident.resolved": ["обобщение: Готово"],
            "incident.reopened": ["предишно: приключен", "състояние: ескалиран",
                                  "отговорник: —"],
        }.items():  # fmt: skip
            assert set(parts) <= set(rows[step]), (step, rows[step])
        assert any(p.startswith("причини: ") for p in rows["incident.opened"])
        for english in ("severity:", "automatic:", ": true", "level_name", "previous:", "null"):
            assert english not in text, english
    events = json.loads(out["json"].getvalue())["events"]
    escalated = next(e for e in events if e["type"] == "incident.escalated")
    assert escalated["automatic"] is True and escalated["level_name"] == "Ръководство"
    assert next(e for e in events if e["type"] == "incident.opened")["severity"] == "high"


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("en", {"incident.handed_over": ["previous: Alice Moreau (U0ALICE)",
                                         "to: Bob Tanaka (U0BOB)"],
                "incident.room_opened": ["by: Bob Tanaka (U0BOB)",
                                         "not_invited: Dan Okoro (U0DAN): user_is_restricted"],
                "draft.approved": ["author: Alice Moreau (U0ALICE)"],
                "followup.added": ["owner: Bob Tanaka (U0BOB)"]}),
        ("bg", {"incident.room_opened": ["отворена от: Bob Tanaka (U0BOB)",
                                         "непоканени: —"]}),
    ],
)  # fmt: skip
def test_the_timeline_details_name_every_person_they_list(
    database_url: str, locale: str, said: dict[str, list[str]]
) -> None:
    """A reviewer reads who did what: a handover, a war room (who opened it, who Slack kept
    out), a draft's author and a follow-up's owner were IDs alone in the Markdown and HTML
    Details ("owner: U0BOB", "not_invited: {}"), and `by` stayed English in Bulgarian."""
    from bot.response import drafts, followups, timeline
    from bot.response.rooms import opened_data

    names = {"U0ALICE": "Alice Moreau", "U0BOB": "Bob Tanaka", "U0DAN": "Dan Okoro"}
    engine = create_db_engine(database_url)
    now = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
    with session_factory(engine).begin() as session, i18n.using(locale, "UTC"):
        opened = incidents.open_incident(
            session, brand="Globex", title="Globex: storm", severity="high",
            evidence={"reasons": ["many"]}, first_mention_at=now, channel=CHANNEL, now=now,
        )  # fmt: skip
        assert opened is not None
        n = opened.id
        incidents.claim(session, n, user="U0ALICE", now=now)
        incidents.claim(session, n, user="U0BOB", now=now)
        refused = {"U0DAN": "user_is_restricted"} if locale == "en" else {}
        payload = {"channel": "G0ROOM", "name": "crisis-1", "by": "U0BOB", "private": True,
                   "invited": ["U0BOB"], "not_invited": refused}  # fmt: skip
        timeline.record(session, opened, "incident.room_opened", actor="U0BOB", at=now,
                        **opened_data(payload))  # fmt: skip
        draft = drafts.create(session, n, user="U0ALICE", text="We are on it.", now=now)
        drafts.decide(session, draft.id, draft.version, user="U0CAROL", approve=True,
                      approvers={"U0CAROL"}, now=now)  # fmt: skip
        followups.add(session, n, owner="U0BOB", text="FAQ", due_at=None, user="U0ALICE",
                      now=now)  # fmt: skip
        out = {fmt: io.StringIO() for fmt in ("md", "html", "json")}
        for fmt, buffer in out.items():
            export.write(session, n, fmt, buffer, name_of=lambda u: names.get(u, u))
    engine.dispose()
    md, page = out["md"].getvalue(), html.unescape(out["html"].getvalue())
    md_rows = re.findall(r"^\| [^|]+ \| `([a-z_.]+)` \| [^|]+ \| (.*) \|$", md, re.M)
    html_rows = re.findall(r"<td><code>([a-z_.]+)</code></td><td>.*?</td><td>(.*?)</td></tr>", page)
    for found in (md_rows, html_rows):
        rows = {step: shown.split("; ") for step, shown in found}
        for step, parts in said.items():
            assert set(parts) <= set(rows[step]), (step, rows[step])
    events = json.loads(out["json"].getvalue())["events"]  # the data keeps the IDs
    room = next(e for e in events if e["type"] == "incident.room_opened")
    assert (room["by"], room["not_invited"]) == ("U0BOB", refused)


def test_html_report_has_chart_metrics_drafts_review_and_escapes(
    crisis: Stack, tmp_path: Path
) -> None:
    page = _export("html", tmp_path).decode()
    assert page.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in page
    assert page.count("<svg") == 1 and 'class="bar"' in page and 'class="step"' in page
    assert "Alice Moreau" in page and "Carol Diaz" in page
    assert "<b>3 min</b><span>to claim" in page and "<b>40 min</b><span>to resolve" in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # One script, the report's own (Download edited copy), allowed by its hash and no other.
    assert re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S) == [html_report.SCRIPT]
    assert f"script-src 'sha256-{html_report.SCRIPT_HASH}'" in page
    assert (
        base64.b64encode(hashlib.sha256(html_report.SCRIPT.encode()).digest()).decode()
        == html_report.SCRIPT_HASH
    )
    assert "Post-incident review" in page and "What to change" in page
    assert "rejected before approval" in page  # prefilled from the rejected v1
    assert "four-eyes rule held" in page  # the refused approval by U0DAN
    _only_post_links(page)
    order = [page.index(t) for t in ("claimed it.", "rejected draft v1", "approved draft v2")]
    assert order == sorted(order)
    # A draft's line reads "v2 by its author … [approved] · approved by Carol", not "v2
    # [approved] by Alice" (the pill before the author read as Alice approving her own draft).
    v2 = re.sub(r"<[^>]+>", "", page.split("<b>v2</b>", 1)[1].split("<blockquote", 1)[0])
    assert re.fullmatch(r" by Alice Moreau U0ALICE at [^·]+ approved · approved by Carol Diaz "
                        r"U0CAROL at .+", v2), v2  # fmt: skip


def _only_post_links(page: str) -> None:
    """Nothing loads from the network: no src at all; http(s) only in <a href> to posts. (The
    report's own script, checked to the letter elsewhere, says createObjectURL(: not CSS.)"""
    page = page.replace(html_report.SCRIPT, "")
    assert not re.search(r"\ssrc\s*=", page, flags=re.I)
    assert not re.search(r"url\(|@import", page, flags=re.I)
    for tag, url in re.findall(r"<(\w+)[^>]*\shref=\"([^\"]*)\"", page):
        assert tag == "a" and url.startswith("https://bsky.app/"), (tag, url)


def test_crisis_export_html_uploads_the_report_into_the_thread(crisis: Stack) -> None:
    crisis.slack.command("export 1 html", user_id="U0BOB")
    _answered(crisis, "html export of #1")
    files = crisis.emulator.wait_for(lambda: list(crisis.emulator.files.values()))
    file = files[0]
    assert file["name"] == "incident-1-report.html"
    with crisis.bot.transaction() as session:
        alert_ts = incidents.get(session, 1).message_ts
    assert file["thread_ts"] == alert_ts and file["channel"] == CHANNEL
    assert b"<svg" in file["content"] and b"Alice Moreau" in file["content"]
    assert not crisis.emulator.calls("files.upload")  # the retired method


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_crisis_export_uploads_every_format(crisis: Stack, fmt: str) -> None:
    crisis.slack.command(f"export 1 {fmt}", user_id="U0BOB")
    file = crisis.emulator.wait_for(lambda: list(crisis.emulator.files.values()))[0]
    assert file["name"] == f"incident-1-timeline.{fmt}"
    assert b"Alice Moreau" in file["content"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with every name resolving nowhere: a fetch would show in the log."""
    profile = page.parent / "chromium-profile"
    return subprocess.run(
        [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", '--host-resolver-rules=MAP * ~NOTFOUND',
         "--enable-logging=stderr", "--v=1", *extra, page.as_uri()],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


# Chromium itself calls home (time, component updates, accounts) whatever the page; those hosts are
# not the page's. A font would come from fonts.* on the same domains, so those still count.
BROWSER_HOSTS = ("google.com", "googleapis.com", "gvt1.com")


def _page_requests(log: str) -> list[str]:
    urls = re.findall(r"NotifyBeforeURLRequest: (\S+)", log)
    return [
        u for u in urls
        if not (host := urlparse(u).hostname or "").endswith(BROWSER_HOSTS)
        or host.startswith("fonts.")
    ]  # fmt: skip


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_html_report_renders_in_headless_chromium_without_network(
    crisis: Stack, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_bytes(_export("html", tmp_path))
    dumped = _chromium(page, "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert "Incident #1" in dom and "Post-incident review" in dom
    assert len(re.findall(r"<rect class=\"bar\"", dom)) > 3  # the chart was parsed and kept
    assert re.search(r"<svg[^>]*class=\"chart\"", dom)
    assert not _page_requests(dumped.stderr)
    assert "Refused to load" not in dumped.stderr  # the CSP blocked nothing: nothing was asked
    # The check can fail: the same browser on a page with an external image sees its request.
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><img src="http://cdn.example.invalid/x.png">')
    assert "cdn.example.invalid" in " ".join(
        _page_requests(_chromium(control, "--dump-dom").stderr)
    )
    shot = tmp_path / "report.png"
    shown = _chromium(page, "--window-size=1100,1600", f"--screenshot={shot}")
    assert shown.returncode == 0 and shot.stat().st_size > 10_000


def _save_bar(dom: str) -> str:
    return re.search(r"<p id=\"save-bar\"[^>]*>", dom)[0]  # type: ignore[index]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_the_reviews_edits_are_saved_by_download_edited_copy_and_the_page_works_without_js(
    crisis: Stack, tmp_path: Path
) -> None:
    """The review is edited in the browser; "Download edited copy" saves the page as it is now
    (a browser's Save may keep it as sent). The CSP lets that one script run and nothing else;
    without JavaScript the button stays hidden and the page says how to keep the edits."""
    page = tmp_path / "report.html"
    page.write_bytes(_export("html", tmp_path))

    running = _chromium(page, "--dump-dom")
    assert running.returncode == 0 and "Refused to" not in running.stderr
    assert " hidden" not in _save_bar(running.stdout)  # the script ran: the button shows
    assert '<span id="save-hint" hidden="">' in running.stdout

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    edited = "EDITED in the browser: the holding statement went out in nine minutes."
    with _DevTools(tmp_path / "cdp-profile") as browser:
        browser.call("Browser.setDownloadBehavior", behavior="allow",
                     downloadPath=str(downloads))  # fmt: skip
        target = browser.call("Target.createTarget", url=page.as_uri())["targetId"]
        session = browser.call("Target.attachToTarget", targetId=target, flatten=True)
        tab = session["sessionId"]
        loaded = "location.protocol == 'file:' && document.readyState == 'complete'"
        browser.wait(lambda: browser.js(tab, loaded))
        assert browser.js(tab, "document.getElementById('save-bar').hidden") is False

        # Without JavaScript (--dump-dom needs it, so read the DOM over the protocol).
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        off = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        browser.call("Emulation.setScriptExecutionDisabled", off, value=True)
        browser.call("Page.navigate", off, url=page.as_uri())
        browser.wait(lambda: "</footer>" in browser.dom(off))
        dom = browser.dom(off)
        assert " hidden" in _save_bar(dom)  # no button that could not work
        assert '<span id="save-hint">To keep your edits, print the page' in dom

        browser.js(tab, f"document.querySelector('.worked li').textContent = {json.dumps(edited)}")
        browser.js(tab, "document.getElementById('save-copy').click()")
        saved = downloads / "incident-1-report-edited.html"
        browser.wait(lambda: saved.exists() and saved.stat().st_size > 10_000)
    copy = saved.read_text("utf-8")
    assert copy.startswith("<!DOCTYPE html>\n<html") and copy.rstrip().endswith("</html>")
    assert edited in copy and "Alice Moreau" in copy and "<svg" in copy
    assert f'content="{html_report.CSP}"' in copy  # still self-contained and locked down
    assert " hidden" in _save_bar(copy)  # opened without JavaScript: no dead button
    assert '<span id="save-hint">' in copy

    # The copy opens as the report did: its script still matches the hash, the edit is kept.
    reopened = _chromium(saved, "--dump-dom")
    assert reopened.returncode == 0 and "Refused to" not in reopened.stderr
    assert edited in reopened.stdout and " hidden" not in _save_bar(reopened.stdout)
    assert not _page_requests(reopened.stderr)


class _Refused(Exception):
    """The browser answered a DevTools call with an error."""


class _DevTools:
    """Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
    it reads commands on fd 3 and answers on fd 4, each message JSON ending in a NUL)."""

    def __init__(self, profile: Path) -> None:
        to_child, self._commands = os.pipe()
        self._answers, from_child = os.pipe()
        # A fresh Python puts our pipe ends on fds 3 and 4, then becomes Chromium (no
        # preexec_fn: this process has threads, and running Python code in a fork among them
        # is not safe; dash's redirections take one-digit fds only).
        move = (
            "import fcntl,os,sys;a,b=(fcntl.fcntl(int(f),fcntl.F_DUPFD,10) for f in "
            "sys.argv[1:3]);os.dup2(a,3);os.dup2(b,4);os.execv(sys.argv[3],sys.argv[3:])"
        )
        chromium = CHROMIUM or "chromium"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", move, str(to_child), str(from_child), chromium, "--headless",
             "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(to_child, from_child),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_child)
        os.close(from_child)
        self._next = 0
        self._buffer = b""

    def __enter__(self) -> _DevTools:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, AssertionError, TimeoutError, _Refused):
            self.call("Browser.close")
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._commands)
        os.close(self._answers)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            while b"\0" not in self._buffer:
                ready, _w, _x = select_fds([self._answers], [], [], 1)
                if ready:
                    chunk = os.read(self._answers, 1 << 16)
                    assert chunk, "chromium closed the pipe"
                    self._buffer += chunk
                elif time.monotonic() > deadline:
                    raise TimeoutError(method)
            raw, self._buffer = self._buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self._next:  # events and others' answers are passed over
                if "error" in answer:
                    raise _Refused(f"{method}: {answer['error']}")
                return dict(answer.get("result") or {})
        raise TimeoutError(method)

    def dom(self, session: str) -> str:
        """The page's DOM as it is now, serialised by the browser (no page script involved);
        "" while a navigation replaces the document under the call."""
        try:
            root = self.call("DOM.getDocument", session)["root"]["nodeId"]
            return str(self.call("DOM.getOuterHTML", session, nodeId=root)["outerHTML"])
        except _Refused:
            return ""

    def js(self, session: str, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session, expression=expression,
                           returnByValue=True, userGesture=True)  # fmt: skip
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    @staticmethod
    def wait(predicate: Callable[[], Any], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.1)
