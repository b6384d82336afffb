"""The response flow as people really use it: stale buttons, two clicks at once, modals that
meet a changed incident, odd spacing in `/crisis`. Through the signed HTTP endpoint and the
emulator, like test_response."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.core.clock import ManualClock
from bot.slack.ids import Action, Block, View
from bot.testing import Stack, start_stack
from tests.bot.flow import (
    answer,
    blocks_text,
    click_on,
    drafts_in_thread,
    open_storm,
    timeline,
)
from tests.bot.test_response import PLAYBOOK


@pytest.fixture
def team(database_url: str, clock: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock, config=PLAYBOOK)
    yield s
    s.stop()


def test_a_draft_left_pending_cannot_be_approved_once_the_incident_is_closed(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    team.slack.command(f"draft {n} We are looking into it.", user_id="U0ALICE")
    draft = team.emulator.wait_for(lambda: drafts_in_thread(team, n))[0]
    clock.advance(minutes=5)
    team.slack.command(f"resolve {n} Fixed.", user_id="U0ALICE")
    answer(team, "resolved")

    click_on(team, draft, Action.APPROVE, "U0CAROL")  # the button still on Carol's screen
    answer(team, f"#{n} is already resolved")
    steps = [e["type"] for e in timeline(team, n)]
    assert "draft.approved" not in steps
    # The draft's card loses its buttons and says why it was never decided.
    team.emulator.wait_for(lambda: "was closed first" in blocks_text(drafts_in_thread(team, n)[0]))
    assert Action.APPROVE not in blocks_text(drafts_in_thread(team, n)[0])


def test_a_form_sent_after_the_incident_closed_keeps_the_text_and_says_why(
    team: Stack, clock: ManualClock
) -> None:
    """Someone resolved the incident while Alice was writing: her form stays open with the
    reason next to her text (response_action errors), instead of closing and losing it."""
    n = open_storm(team, clock)
    team.slack.command(f"resolve {n}", user_id="U0BOB")
    answer(team, "resolved")

    draft = team.slack.submit_view(
        View.DRAFT_REPLY, {Block.DRAFT_TEXT: {"text": "A long, careful statement."}},
        user_id="U0ALICE", private_metadata=str(n),
    )  # fmt: skip
    assert draft.json() == {
        "response_action": "errors",
        "errors": {Block.DRAFT_TEXT: f"#{n} is already resolved."},
    }
    summary = team.slack.submit_view(
        View.RESOLVE_SUMMARY, {Block.REASON: {"reason": "Refunds issued."}},
        user_id="U0ALICE", private_metadata=str(n),
    )  # fmt: skip
    assert summary.json()["errors"] == {Block.REASON: f"#{n} is already resolved."}
    dismissal = team.slack.submit_view(
        View.DISMISS_REASON, {Block.REASON: {"reason": "A test post."}},
        user_id="U0ALICE", private_metadata=str(n),
    )  # fmt: skip
    assert dismissal.json()["errors"] == {Block.REASON: f"#{n} is already resolved."}
    assert [e["type"] for e in timeline(team, n)].count("incident.resolved") == 1
    assert "draft.created" not in [e["type"] for e in timeline(team, n)]

    # A form that goes through still closes (an empty answer) and says so in the channel.
    team.slack.command("drill", user_id="U0ALICE")
    answer(team, "DRILL #")
    ok = team.slack.submit_view(
        View.DRAFT_REPLY, {Block.DRAFT_TEXT: {"text": "Practice reply."}},
        user_id="U0ALICE", private_metadata=str(n + 1),
    )  # fmt: skip
    assert ok.status_code == 200 and not ok.content
    answer(team, f"Draft v1 for #{n + 1}")
