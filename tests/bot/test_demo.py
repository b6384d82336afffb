"""`crisisbot demo` runs the real bot against the emulator from start to export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main


def test_the_demo_runs_a_whole_crisis_and_writes_the_timeline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path / "out"), "--speed", "0"]) == 0
    shown = capsys.readouterr().out
    assert "MENTION STORM" in shown and "Ready to copy" in shown
    data = json.loads((tmp_path / "out" / "incident-1-timeline.json").read_text())
    types = [e["type"] for e in data["events"]]
    steps = ["incident.opened", "alert.posted", "incident.claimed", "incident.escalated"]
    steps += ["draft.created", "draft.refused", "draft.approved", "incident.resolved"]
    assert [t for t in types if t in steps] == steps
    assert (tmp_path / "out" / "incident-1-timeline.md").read_text().startswith("# Incident #1")
    assert "<svg" in (tmp_path / "out" / "incident-1-report.html").read_text()
