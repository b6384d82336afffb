"""Forms and buttons of the newest flows (reopen, follow-ups) against a card that moved on while
a person looked at it: clicked and submitted through the bot's signed endpoint, as Slack sends
them."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.core.clock import ManualClock
from bot.slack.ids import Action, Block, View
from bot.testing import Stack
from models import Incident
from tests.bot.flow import (
    answer,
    card,
    click_on,
    new_form,
    open_storm,
    opened_form,
    timeline,
    view_ids,
)


def _buttons(message: dict[str, Any] | None) -> dict[str, str]:
    return {
        e["action_id"]: e.get("value", "")
        for b in (message or {}).get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    }


def _status(stack: Stack, number: int) -> str:
    with stack.bot.sessions() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        return incident.status


def _steps(stack: Stack, number: int) -> list[str]:
    return [e["type"] for e in timeline(stack, number)]


@pytest.mark.parametrize(
    ("button", "form", "typed"),
    [
        (Action.RESOLVE, View.RESOLVE_SUMMARY, "Refunds issued, all calm"),
        (Action.DISMISS, View.DISMISS_REASON, "Only a meme"),
    ],
)
def test_a_close_form_opened_before_a_reopen_does_not_close_it_again(
    team: Stack, pinned: ManualClock, button: str, form: str, typed: str
) -> None:
    """Carol opens Resolve (or Dismiss) and types; meanwhile Alice resolves and Bob reopens it (a
    journalist picked the story up). Carol's form, written about the story before the reopen,
    must not close it again unseen: refused beside her text, which stays; a fresh click works."""
    n = open_storm(team, pinned)
    click_on(team, card(team, n), button, "U0CAROL")  # type: ignore[arg-type]
    opened = opened_form(team, form)
    team.slack.command(f"resolve {n} Handled", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    team.slack.command(f"reopen {n} A journalist picked it up", user_id="U0BOB")
    answer(team, f"#{n} is open again")

    # The form as Carol saw it: had the form's own check run only after Alice's resolve (a
    # race under load), it would have become a notice, which cannot be submitted.
    submitted = team.slack.submit_view(
        form, {Block.REASON: {"reason": typed}}, user_id="U0CAROL", view_id=opened["id"],
        private_metadata=opened["private_metadata"],
    )  # fmt: skip
    assert submitted.json()["response_action"] == "errors"
    error = submitted.json()["errors"][Block.REASON]
    assert f"#{n} was reopened" in error and "@Bob" in error, error
    assert _status(team, n) == "open"
    assert _steps(team, n)[-2:] == ["incident.resolved", "incident.reopened"]

    # The card now shows the reopen; a click on it is about the incident as it is. Waited for
    # by its reopen count ("n:1"): the card's Claim button was there before the close too, and
    # the courier may not have delivered the close and the reopen yet.
    team.emulator.wait_for(lambda: _buttons(card(team, n)).get(button) == f"{n}:1")
    known = view_ids(team)
    click_on(team, card(team, n), button, "U0CAROL")  # type: ignore[arg-type]
    again = new_form(team, form, known)
    response = team.slack.submit_view(
        form, {Block.REASON: {"reason": typed}}, user_id="U0CAROL", view_id=again["id"]
    )
    assert response.status_code == 200 and not response.content
    team.emulator.wait_for(lambda: _status(team, n) in ("resolved", "dismissed"))


def test_a_reopen_form_from_an_earlier_close_does_not_undo_a_later_one(
    team: Stack, pinned: ManualClock
) -> None:
    """Bob and Dan click Reopen on the resolved card at once. Bob reopens; Alice resolves it
    again ("the old story, handled"). Dan's form, from before all that, must not reopen it over
    Alice's close, although the card says "resolved" again."""
    n = open_storm(team, pinned)
    team.slack.command(f"resolve {n} Handled", user_id="U0ALICE")
    team.emulator.wait_for(lambda: Action.REOPEN in _buttons(card(team, n)))
    stale = card(team, n)
    assert stale is not None
    click_on(team, stale, Action.REOPEN, "U0BOB")
    bobs = opened_form(team, View.REOPEN_REASON)
    known = view_ids(team)
    click_on(team, stale, Action.REOPEN, "U0DAN")
    # Dan's form may turn into a notice ("open: nothing to reopen") should its check run only
    # after Bob's reopen below: his submit, with the form's metadata, is refused all the same.
    dans = new_form(team, View.REOPEN_REASON, known)

    done = team.slack.submit_view(
        View.REOPEN_REASON, {Block.REASON: {"reason": "TV covers it"}}, user_id="U0BOB",
        view_id=bobs["id"],
    )  # fmt: skip
    assert done.status_code == 200 and not done.content
    team.slack.command(f"resolve {n} The old story: handled", user_id="U0ALICE")
    team.emulator.wait_for(lambda: _status(team, n) == "resolved")

    refused = team.slack.submit_view(
        View.REOPEN_REASON, {Block.REASON: {"reason": "Radio too"}}, user_id="U0DAN",
        view_id=dans["id"], private_metadata=dans["private_metadata"],
    )  # fmt: skip
    assert refused.json()["response_action"] == "errors"
    assert "Look at its card again" in refused.json()["errors"][Block.REASON]
    assert _status(team, n) == "resolved"
    assert _steps(team, n).count("incident.reopened") == 1

    # A click on the card as it is now reopens it. Waited for by its state: any change from the
    # stale card would do, and the open card of Bob's reopen has no Reopen button.
    team.emulator.wait_for(lambda: _buttons(card(team, n)).get(Action.REOPEN) == f"{n}:resolved:1")
    known = view_ids(team)
    click_on(team, card(team, n), Action.REOPEN, "U0DAN")  # type: ignore[arg-type]
    fresh = new_form(team, View.REOPEN_REASON, known)
    ok = team.slack.submit_view(
        View.REOPEN_REASON, {Block.REASON: {"reason": "Radio too"}}, user_id="U0DAN",
        view_id=fresh["id"],
    )  # fmt: skip
    assert ok.status_code == 200 and not ok.content
    assert _steps(team, n).count("incident.reopened") == 2


def test_a_form_refusal_is_acked_in_time_while_slack_rate_limits_names(
    team: Stack, pinned: ManualClock
) -> None:
    """A form's error names people (plain text cannot show a mention), which asks Slack. While
    Slack answers users.info with 429 (Retry-After 2 s), the error must still be the answer
    within Slack's 3 seconds: with the ID when the name cannot be had at once."""
    n = open_storm(team, pinned)
    click_on(team, card(team, n), Action.RESOLVE, "U0CAROL")  # type: ignore[arg-type]
    opened = opened_form(team, View.RESOLVE_SUMMARY)
    team.slack.command(f"resolve {n} Handled", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    team.slack.command(f"reopen {n} A journalist picked it up", user_id="U0BOB")
    answer(team, f"#{n} is open again")

    team.emulator.fail_next("users.info", status=429, retry_after=2, count=4)
    began = time.monotonic()
    submitted = team.slack.submit_view(
        View.RESOLVE_SUMMARY, {Block.REASON: {"reason": "Handled"}}, user_id="U0CAROL",
        view_id=opened["id"], private_metadata=opened["private_metadata"],
    )  # fmt: skip
    took = time.monotonic() - began
    assert submitted.status_code == 200, submitted.text
    assert f"#{n} was reopened by @U0BOB" in submitted.json()["errors"][Block.REASON]
    assert took < 2.5, took
    assert _status(team, n) == "open"
