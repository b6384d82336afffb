"""A QA pass from outside on declaring, stakeholder updates and the card's pulse, as a comms team
and a Slack-app engineer would try them: odd text, forms submitted twice, Slack failing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
import pytest

from bot.core.clock import ManualClock
from bot.core.config import Brand
from bot.emulator import SlackEmulator, Workspace
from bot.slack.ids import Action, Block, Shortcut, View
from bot.testing import CHANNEL, Stack, start_stack
from models import Incident
from tests.bot.flow import answer, card, click_on, declare_values, opened_form, thread, timeline
from tests.bot.test_response import PLAYBOOK

LEADERS = "C0LEADERS"
RTL, ZERO_WIDTH = "\u202e", "\u200b"


@pytest.fixture
def team(database_url: str, pinned: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=pinned, config=replace(PLAYBOOK, updates_channel=LEADERS))
    yield s
    s.stop()


def _incidents(stack: Stack) -> list[Incident]:
    with stack.bot.sessions() as session:
        return list(session.query(Incident).order_by(Incident.id))


def test_text_with_nothing_visible_declares_nothing_and_posts_no_update(
    team: Stack, pinned: ManualClock
) -> None:
    """A pasted RTL override or zero-width space alone declared an incident titled "#1 " and
    posted an empty update ("> ") to the stakeholders."""
    team.slack.command(f"declare {RTL}", user_id="U0ALICE")
    form = opened_form(team, View.DECLARE)  # nothing said: the form asks what happened
    assert "initial_value" not in form["blocks"][0]["element"]
    blank = team.slack.submit_view(
        View.DECLARE, {Block.DECLARE_TEXT: {"text": f"{ZERO_WIDTH} {RTL}\n{ZERO_WIDTH}"}},
        user_id="U0ALICE", view_id=form["id"],
    )  # fmt: skip
    assert blank.json()["errors"] == {Block.DECLARE_TEXT: "Say what happened."}
    assert _incidents(team) == []

    # The title is the first line that says something.
    team.slack.command(
        f"declare {ZERO_WIDTH}{RTL}\nReporter calls about the recall", user_id="U0ALICE"
    )
    answer(team, "#1 declared: Reporter calls about the recall")
    assert _incidents(team)[0].title == "Reporter calls about the recall"
    team.emulator.wait_for(lambda: card(team, 1))

    team.slack.command(f"update 1 {RTL}{ZERO_WIDTH}", user_id="U0BOB")
    assert answer(team, "Write the update")["text"] == "Write the update."
    form = team.slack.submit_view(
        View.POST_UPDATE, {Block.UPDATE_TEXT: {"text": f"{ZERO_WIDTH}\n{RTL}"}},
        user_id="U0BOB", private_metadata="1",
    )  # fmt: skip
    assert form.json()["errors"] == {Block.UPDATE_TEXT: "Write the update."}
    team.bot.kick()
    assert not [m for m in thread(team, 1) if m["text"].startswith(":mega:")]
    assert team.emulator.messages(LEADERS) == []


def test_the_declared_answer_folds_an_rtl_override_as_the_card_does(
    team: Stack, pinned: ManualClock
) -> None:
    """The card folds an RTL override in the title; the answer to the declarer kept it, so the
    rest of the sentence ("You hold it; …") read backwards after it."""
    team.slack.command(f"declare <!channel> Leak {RTL}cilbup{chr(0x202C)} memo", user_id="U0ALICE")
    said = answer(team, "#1 declared")["text"]
    assert said == (
        "#1 declared: &lt;!channel&gt; Leak  cilbup  memo. You hold it; the card is in the channel."
    )


def test_a_refusal_in_a_form_shows_a_brand_with_an_ampersand_as_written(
    database_url: str, pinned: ManualClock
) -> None:
    """A form's error is plain text: the refusal escaped for mrkdwn showed "M&amp;S already
    has incident #1 open"."""
    brands = (Brand("M&S", terms=("M&S",)), Brand("<Globex>", terms=("globex",)))
    s = start_stack(database_url, clock=pinned, config=replace(PLAYBOOK, brands=brands))
    try:
        s.slack.command("declare M&S recall story", user_id="U0ALICE")
        answer(s, "#1 declared: M&amp;S recall story")  # mrkdwn: escaped, shown as "&"
        s.slack.command("declare Leak on a forum", user_id="U0BOB")
        form = opened_form(s, View.DECLARE)
        refused = s.slack.submit_view(
            View.DECLARE, declare_values("Leak on a forum", "M&S"), user_id="U0BOB",
            view_id=form["id"],
        )  # fmt: skip
        assert refused.json()["errors"] == {
            Block.DECLARE_TEXT: "M&S already has incident #1 open: add to it (`/crisis note 1 "
            "…`), or resolve it first."
        }
    finally:
        s.stop()


def test_the_post_update_form_submitted_twice_posts_the_update_once(
    team: Stack, pinned: ManualClock
) -> None:
    """A double submission of one Post update form (a slow answer, Submit clicked again) sent
    the update twice to the thread and twice to the stakeholders' channel."""
    team.slack.command("declare Reporter calls about the recall", user_id="U0ALICE")
    answer(team, "#1 declared")
    message = team.emulator.wait_for(lambda: card(team, 1))
    click_on(team, message, Action.POST_UPDATE, "U0BOB")
    form = opened_form(team, View.POST_UPDATE)

    def submit() -> httpx.Response:
        return team.slack.submit_view(
            View.POST_UPDATE, {Block.UPDATE_TEXT: {"text": "Cause found; next update 15:00"}},
            user_id="U0BOB", view_id=form["id"],
        )  # fmt: skip

    with ThreadPoolExecutor(2) as pool:  # at the same moment, then once more after
        answers = [*pool.map(lambda _: submit(), range(2)), submit()]
    assert [(r.status_code, r.content) for r in answers] == [(200, b"")] * 3  # each closes it
    team.emulator.wait_for(lambda: team.bot.deliverer().pending() == 0)
    assert len([m for m in thread(team, 1) if m["text"].startswith(":mega:")]) == 1
    assert len(team.emulator.messages(LEADERS)) == 1
    posted = [e for e in timeline(team, 1) if e["type"] == "incident.update_posted"]
    assert len(posted) == 1

    # Another form is another update.
    click_on(team, card(team, 1) or {}, Action.POST_UPDATE, "U0BOB")
    second = opened_form(team, View.POST_UPDATE, before=1)
    team.slack.submit_view(
        View.POST_UPDATE, {Block.UPDATE_TEXT: {"text": "Refunds started"}}, user_id="U0BOB",
        view_id=second["id"],
    )  # fmt: skip
    team.emulator.wait_for(lambda: len(team.emulator.messages(LEADERS)) == 2)


def test_declare_from_the_home_tab_or_the_shortcut_says_when_slack_opens_no_form(
    database_url: str, pinned: ManualClock
) -> None:
    """The Home tab's Declare a crisis and the global shortcut have no response_url: when Slack
    would not open the form (an expired trigger, a 429 or 5xx), the person was told nothing."""
    emulator = SlackEmulator(trigger_ttl=0.0).start()  # every trigger expired when it is used
    s = start_stack(database_url, clock=pinned, config=PLAYBOOK, emulator=emulator)
    try:
        s.slack.click(Action.DECLARE, user_id="U0BOB")
        s.slack.shortcut(Shortcut.DECLARE, user_id="U0CAROL")
        slow = "Slack would not open the form in time. Please click again."
        told = s.emulator.wait_for(
            lambda: {e["user"]: e["text"] for e in s.emulator.ephemerals if e["text"] == slow}
            if len(s.emulator.ephemerals) >= 2 else None
        )  # fmt: skip
        assert told == {"U0BOB": slow, "U0CAROL": slow}
        assert {e["channel"] for e in s.emulator.ephemerals} == {CHANNEL}
    finally:
        s.stop()


def test_a_retried_update_to_a_public_channel_the_app_has_not_joined_is_delivered(
    database_url: str, pinned: ManualClock
) -> None:
    """chat:write.public posts in a public channel the app has not joined, but cannot read it:
    after a 503, the retry looked for the first try's message there, Slack answered
    not_in_channel, and the update was given up with "Invite the app to that channel"."""
    workspace = Workspace(outside_channels=frozenset({LEADERS}))
    workspace.channels[LEADERS] = "leadership"  # public, not joined
    emulator = SlackEmulator(workspace=workspace).start()
    config = replace(PLAYBOOK, updates_channel=LEADERS)
    s = start_stack(database_url, clock=pinned, config=config, emulator=emulator)
    try:
        s.slack.command("declare Reporter calls about the recall", user_id="U0ALICE")
        answer(s, "#1 declared")
        s.emulator.wait_for(lambda: s.bot.deliverer().pending() == 0)
        s.emulator.fail_next("chat.postMessage", status=503, count=2)  # the thread's, the leaders'
        s.slack.command("update 1 Cause found", user_id="U0BOB")
        answer(s, "Update posted")

        def delivered() -> bool:
            pinned.advance(seconds=10)  # past each retry's backoff
            s.bot.deliver_now()
            return s.bot.deliverer().pending() == 0

        s.emulator.wait_for(delivered, timeout=15)
        assert len(s.emulator.messages(LEADERS)) == 1
        assert not [m for m in thread(s, 1) if "could not be posted" in m["text"]]
        assert "incident.update_failed" not in {e["type"] for e in timeline(s, 1)}
    finally:
        s.stop()


def test_a_rate_limited_form_is_said_at_once_not_after_the_trigger_died(
    team: Stack, pinned: ManualClock
) -> None:
    """views.open answered 429 (Retry-After 2 s): waiting it out only meets an expired trigger
    (3 s). One try, and the person hears it within a second or so."""
    team.emulator.fail_next("views.open", status=429, retry_after=2, count=3)
    began = time.monotonic()
    team.slack.command("declare", user_id="U0ALICE")
    answer(team, "Slack would not open the form in time")
    assert time.monotonic() - began < 1.5
    assert len(team.emulator.calls("views.open")) == 1
