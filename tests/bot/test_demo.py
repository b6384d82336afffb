"""`crisisbot demo` runs the real bot against the emulator from start to export, and tells the
story once: no log lines, no warnings, the card in full once and then only what changed."""

from __future__ import annotations

import io
import itertools
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from bot.demo import card_changes, card_fields, use_colour

QUIET = {k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "PYTHONWARNINGS")}


def test_the_demo_runs_a_whole_crisis_tells_it_once_and_writes_the_timeline(
    tmp_path: Path,
) -> None:
    # A process of its own, as a newcomer runs it: what it prints is all of stdout and stderr.
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--out", str(tmp_path / "out"), "--speed", "0"],
        capture_output=True, text=True, timeout=120, env=QUIET, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = done.stdout + done.stderr
    assert done.stderr == ""
    assert "\x1b" not in shown  # a pipe or a file (`crisisbot demo > demo.log`) gets plain text
    noise = [line for line in shown.splitlines() if "INFO" in line or "arning" in line]
    assert noise == []
    assert shown.count("MENTION STORM") == 1 and shown.count("Why this fired") == 1
    # At speed 0 several steps may land in one update (or before the first post is seen):
    # whatever the grouping, later updates show only what changed, old → new.
    assert "(what changed)" in shown and "Status: " in shown
    assert "→ Resolved" in shown and shown.rindex("→ Resolved") < shown.index("Exported")
    assert "Ready to copy" in shown and "about 0" not in shown
    # Each command's and click's answer to its person comes before the story's next step.
    steps = [ln for ln in shown.splitlines() if ln.startswith("▶") or "sees)" in ln]
    for step, after in itertools.pairwise(steps):
        if step.startswith("▶") and any(
            w in step for w in ("/crisis ", " approve her", "approves it")
        ):
            assert "sees)" in after, f"no answer to {step!r} before {after!r}"
    # Management reads the team's update in its own channel, with who holds the incident.
    leaders = shown[shown.index("The management's channel") :]
    assert "Update on #1" in leaders and "Next update by 15:00." in leaders
    # After the escalation the comms lead opens the incident's room; it gets a note a step.
    room = shown[shown.index("The incident's room #crisis-1-acme") :]
    assert "/crisis room #1" in shown and "Members: @Alice, @Bob, @Carol" in room
    assert "Where it stands: escalated · owner @Alice" in room.split("└")[0]
    assert "+ Room: #crisis-1-acme" in shown and "Room: #crisis-1-acme  [ Open thread ]" in shown
    notes = shown[shown.index("The room's notes") :]
    assert "approved by @Carol" in notes and "resolved by @Alice" in notes
    home = shown[shown.index("Carol's Home tab") :]
    assert "OPEN INCIDENTS" in home and "WAITING FOR YOUR APPROVAL" in home
    assert home.index("Draft v1 for #1") < home.index("LAST 30 DAYS")
    data = json.loads((tmp_path / "out" / "incident-1-timeline.json").read_text())
    types = [e["type"] for e in data["events"]]
    steps = ["incident.opened", "alert.posted", "incident.claimed", "incident.escalated"]
    steps += ["draft.created", "draft.refused", "draft.approved", "incident.update_posted"]
    steps += ["incident.resolved"]
    assert [t for t in types if t in steps] == steps
    assert types[-1] == "followup.added"  # the lesson, for Bob, after the resolve
    assert data["follow_ups"][0]["owner"] == "U0BOB" and "/crisis followup #1 @bob" in shown
    assert (tmp_path / "out" / "incident-1-timeline.md").read_text().startswith("# Incident #1")
    assert "<svg" in (tmp_path / "out" / "incident-1-report.html").read_text()
    for written in (tmp_path / "out").glob("incident-1-*"):
        assert "\x1b" not in written.read_text(encoding="utf-8-sig"), written.name


def test_the_demo_colours_a_terminal_only_and_honours_no_color(tmp_path: Path) -> None:
    """The narration was dimmed with ANSI escapes whatever stdout was: a log file held them."""
    leader, follower = pty.openpty()
    with open(follower, "w") as terminal, (tmp_path / "demo.log").open("w") as log:
        assert use_colour(terminal, {})
        assert use_colour(terminal, {"NO_COLOR": ""})  # no-color.org: set *and not empty*
        assert not use_colour(terminal, {"NO_COLOR": "1"})
        assert not use_colour(terminal, {"TERM": "dumb"})
        assert not use_colour(log, {})
    os.close(leader)
    assert not use_colour(io.StringIO(), {})


def _card(status: str, buttons: bool, draft: str | None = None) -> dict[str, object]:
    blocks: list[dict[str, object]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "#1 Acme: mention storm"}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Status*\n{status}"},
                {"type": "mrkdwn", "text": "*Owner*\n<@U0ALICE>"},
            ],
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Why this fired*\n• 91 mentions"}},
    ]
    if draft:
        text = f"*Latest draft* (v1, {draft}) by <@U0ALICE>\nWe are on it."
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if buttons:
        button = {"type": "button", "text": {"type": "plain_text", "text": "Claim"}}
        blocks.append({"type": "actions", "elements": [button]})
    return {"ts": "1.0", "blocks": blocks}


def test_an_update_shows_changed_fields_new_sections_and_what_went_away() -> None:
    before = card_fields(_card("Open", buttons=True))
    after = card_fields(_card("Resolved", buttons=False, draft="approved"))
    assert card_changes(before, after, 100) == [
        "Status: Open → Resolved",
        "+ Latest draft: (v1, approved) by @Alice",
        "  We are on it.",
        "− no longer shown: buttons",
    ]
    assert card_changes(after, after, 100) == []
