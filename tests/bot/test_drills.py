"""Drills tried as a comms team practises: every surface says DRILL, the practice behaves like the
real thing (escalation says who would have been paged), and a drill touches nothing real (the
brand's mentions, their retention, the report's figures)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.core.clock import ManualClock
from bot.testing import Stack, start_stack
from tests.bot.flow import answer, card, drafts_in_thread, open_storm, thread
from tests.bot.test_home import _open_home, _text
from tests.bot.test_response import PLAYBOOK


@pytest.fixture
def team(database_url: str, clock: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock, config=PLAYBOOK)
    yield s
    s.stop()


def _drill(team: Stack, scenario: str = "") -> int:
    team.slack.command(f"drill {scenario}".strip(), user_id="U0ALICE")
    number = int(re.search(r"DRILL #(\d+) started", answer(team, "DRILL #")["text"])[1])  # type: ignore[index]
    team.emulator.wait_for(lambda: card(team, number))
    return number


def test_list_and_status_mark_a_drill(team: Stack, clock: ManualClock) -> None:
    """`/crisis list` beside a real incident of the same brand: which one is the practice?"""
    drill = _drill(team)
    real = open_storm(team, clock)
    team.slack.command("list", user_id="U0ALICE")
    listed = answer(team, "*Open incidents*")["text"]
    assert f"DRILL · *#{drill}*" in listed and f"\n*#{real}*" in listed
    team.slack.command(f"status {drill}", user_id="U0ALICE")
    assert answer(team, "to first approved reply")["text"].startswith(f"DRILL · *#{drill}*")


def test_a_drill_draft_waiting_on_the_home_tab_says_drill(team: Stack) -> None:
    """An approver approving from the Home tab must see that the reply is a practice one."""
    n = _drill(team)
    team.slack.command(f"draft {n} Practice statement", user_id="U0ALICE")
    team.emulator.wait_for(lambda: drafts_in_thread(team, n))
    shown = _text(_open_home(team, "U0CAROL"))
    assert f"*DRILL · Draft v1* for #{n}" in shown


def test_a_drill_escalation_says_who_would_have_been_paged_without_paging(
    team: Stack,
) -> None:
    n = _drill(team)
    team.slack.command(f"escalate {n} practice", user_id="U0ALICE")
    page = team.emulator.wait_for(
        lambda: next((m for m in thread(team, n) if "escalated" in m["text"]), None)
    )
    text = page["text"]
    assert text.startswith("DRILL · ") and "<@U0BOB>" not in text and "<!subteam" not in text
    assert "would have paged `U0BOB`" in text  # the Comms lead level's notify list
