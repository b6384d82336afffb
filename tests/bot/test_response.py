"""A whole crisis run from Slack: commands, buttons and the modal, against the emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot import jobs
from bot.core.clock import ManualClock
from bot.core.config import Config, Level, Template
from bot.slack.ids import Action, Block, View
from bot.testing import CHANNEL, Stack, start_stack
from tests.bot.flow import (
    answer,
    blocks_text,
    card,
    click_on,
    drafts_in_thread,
    open_storm,
    thread,
    timeline,
)

PLAYBOOK = Config(
    levels=(
        Level("Social team", ("S0COMMS",)),
        Level("Comms lead", ("U0BOB",)),
        Level("Legal and executives", ("U0DAN",)),
    ),
    templates=(Template("Holding statement", "We're aware of reports and are looking into it."),),
    key_messages=("Customers come first",),
    spokespeople=("U0BOB",),
    unclaimed_minutes=15,
    reminder_minutes=60,
)


@pytest.fixture
def team(database_url: str, clock: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock, config=PLAYBOOK)
    yield s
    s.stop()


def test_one_incident_from_alert_to_resolution(team: Stack, clock: ManualClock) -> None:
    n = open_storm(team, clock)

    clock.advance(minutes=2)
    team.slack.command(f"claim #{n}", user_id="U0ALICE")
    answer(team, f"You now hold #{n}")

    clock.advance(minutes=1)
    click_on(team, card(team, n), Action.ESCALATE, "U0ALICE")  # type: ignore[arg-type]
    team.emulator.wait_for(
        lambda: any("escalated to *Comms lead*" in m["text"] for m in thread(team, n))
    )
    page = next(m for m in thread(team, n) if "escalated to" in m["text"])
    assert "<@U0BOB>" in page["text"]

    # Draft reply opens the modal first (trigger lives 3 s) with evidence and the plan.
    clock.advance(minutes=1)
    click_on(team, card(team, n), Action.DRAFT, "U0ALICE")  # type: ignore[arg-type]
    # A placeholder opens at once; the evidence and the plan replace it (views.update).
    view = team.emulator.wait_for(
        lambda: [
            v for v in team.emulator.views.values() if "Customers come first" in str(v["blocks"])
        ]
    )[0]
    assert view["callback_id"] == View.DRAFT_REPLY
    assert [c.method for c in team.emulator.calls() if c.method.startswith("views.")] == [
        "views.open",
        "views.update",
    ]
    team.slack.submit_view(
        View.DRAFT_REPLY,
        {Block.DRAFT_TEMPLATE: {"template": {"type": "static_select",
                                             "selected_option": {"value": "0"}}},
         Block.DRAFT_TEXT: {"text": ""}},
        user_id="U0ALICE", private_metadata=str(n),
    )  # fmt: skip
    draft = team.emulator.wait_for(lambda: drafts_in_thread(team, n))[0]
    assert "We're aware of reports" in blocks_text(draft)
    assert "Approve" in blocks_text(draft) and "Reject" in blocks_text(draft)

    # Four eyes: the author and a non-approver are refused; an approver decides once.
    click_on(team, draft, Action.APPROVE, "U0ALICE")
    answer(team, "the author cannot approve their own draft")
    click_on(team, draft, Action.APPROVE, "U0DAN")
    answer(team, "not an approver")
    clock.advance(minutes=1)
    click_on(team, draft, Action.APPROVE, "U0CAROL")
    answer(team, "approved")
    click_on(team, draft, Action.APPROVE, "U0BOB")  # a second approver, or a double click
    answer(team, "already approved by <@U0CAROL>")
    team.emulator.wait_for(lambda: "Ready to copy" in blocks_text(drafts_in_thread(team, n)[0]))
    assert Action.APPROVE not in blocks_text(drafts_in_thread(team, n)[0])  # buttons gone

    team.slack.command(f"note {n} Statement posted on X and Bluesky", user_id="U0ALICE")
    answer(team, "Note added")

    clock.advance(minutes=10)
    click_on(team, card(team, n), Action.RESOLVE, "U0ALICE")  # type: ignore[arg-type]
    team.emulator.wait_for(
        lambda: any(v["callback_id"] == View.RESOLVE_SUMMARY for v in team.emulator.views.values())
    )
    team.slack.submit_view(
        View.RESOLVE_SUMMARY, {Block.REASON: {"reason": "Refunds issued; outage fixed."}},
        user_id="U0ALICE", private_metadata=str(n),
    )  # fmt: skip
    team.emulator.wait_for(lambda: "Resolved" in blocks_text(card(team, n)))
    assert "Refunds issued" in blocks_text(card(team, n))
    # No response buttons on a closed incident: only those that add a follow-up and reopen it.
    closed = [b for b in card(team, n)["blocks"] if b["type"] == "actions"]  # type: ignore[index]
    assert [e["action_id"] for b in closed for e in b["elements"]] == [
        Action.ADD_FOLLOW_UP, Action.REOPEN
    ]  # fmt: skip

    events = timeline(team, n)
    steps = [(e["type"], e["actor"]) for e in events]
    assert steps == [
        ("incident.opened", None),
        ("alert.posted", None),
        ("incident.claimed", "U0ALICE"),
        ("incident.escalated", "U0ALICE"),
        ("draft.created", "U0ALICE"),
        ("draft.refused", "U0ALICE"),
        ("draft.refused", "U0DAN"),
        ("draft.approved", "U0CAROL"),
        ("note.added", "U0ALICE"),
        ("incident.resolved", "U0ALICE"),
    ]
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)


def test_rejection_needs_a_reason_and_a_new_version_supersedes(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    team.slack.command(f"draft {n} We are sorry for the trouble.", user_id="U0ALICE")
    v1 = team.emulator.wait_for(lambda: drafts_in_thread(team, n))[0]
    click_on(team, v1, Action.REJECT, "U0CAROL")
    team.emulator.wait_for(
        lambda: any(v["callback_id"] == View.REJECT_REASON for v in team.emulator.views.values())
    )
    value = "1:1"
    empty = team.slack.submit_view(
        View.REJECT_REASON,
        {Block.REASON: {"reason": "  "}},
        user_id="U0CAROL",
        private_metadata=value,
    )
    assert empty.json()["response_action"] == "errors"
    team.slack.submit_view(
        View.REJECT_REASON,
        {Block.REASON: {"reason": "Too vague; name the outage."}},
        user_id="U0CAROL",
        private_metadata=value,
    )
    team.emulator.wait_for(
        lambda: "Rejected by <@U0CAROL>" in blocks_text(drafts_in_thread(team, n)[0])
    )

    team.slack.command(f"draft {n} v2: we are fixing the login outage.", user_id="U0ALICE")
    team.emulator.wait_for(lambda: len(drafts_in_thread(team, n)) == 2)
    team.slack.command(
        f"draft {n} v3: the login outage is being fixed; update at 3 pm.", user_id="U0ALICE"
    )
    team.emulator.wait_for(lambda: len(drafts_in_thread(team, n)) == 3)
    v2 = drafts_in_thread(team, n)[1]
    team.emulator.wait_for(lambda: "Superseded" in blocks_text(drafts_in_thread(team, n)[1]))
    team.slack.click(
        Action.APPROVE, "2:2", user_id="U0BOB", message={"channel": CHANNEL, "ts": v2["ts"]}
    )
    answer(team, "already superseded")

    types = [e["type"] for e in timeline(team, n)]
    assert types.count("draft.created") == 3
    assert "draft.rejected" in types and "draft.superseded" in types
    rejected = next(e for e in timeline(team, n) if e["type"] == "draft.rejected")
    assert rejected["reason"] == "Too vague; name the outage."


def test_an_unclaimed_incident_escalates_by_itself_and_reminders_follow(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    clock.advance(minutes=14)
    jobs.run_timers(team.bot)
    assert not any("escalated" in m["text"] for m in thread(team, n))
    clock.advance(minutes=2)
    jobs.run_timers(team.bot)
    jobs.run_timers(team.bot)  # a second worker pass changes nothing
    team.emulator.wait_for(
        lambda: any("escalated to *Comms lead*" in m["text"] for m in thread(team, n))
    )
    assert sum("escalated to" in m["text"] for m in thread(team, n)) == 1
    escalation = next(e for e in timeline(team, n) if e["type"] == "incident.escalated")
    assert escalation["automatic"] is True and escalation["actor"] is None

    clock.advance(minutes=61)
    jobs.run_timers(team.bot)
    jobs.run_timers(team.bot)
    team.emulator.wait_for(lambda: any("Reminder" in m["text"] for m in thread(team, n)))
    assert sum("Reminder" in m["text"] for m in thread(team, n)) == 1


def test_timers_survive_a_restart(database_url: str, clock: ManualClock) -> None:
    first = start_stack(database_url, clock=clock, config=PLAYBOOK)
    n = open_storm(first, clock)
    emulator = first.emulator
    first.slack.close()
    first.server.stop()
    first.bot.close()  # the process stops; the emulator (Slack) lives on
    clock.advance(minutes=20)
    second = start_stack(database_url, clock=clock, config=PLAYBOOK, emulator=emulator)
    try:
        jobs.run_timers(second.bot)
        second.emulator.wait_for(lambda: any("escalated" in m["text"] for m in thread(second, n)))
    finally:
        second.stop()


def test_a_drill_is_marked_pages_nobody_and_is_not_counted(team: Stack, clock: ManualClock) -> None:
    team.slack.command("drill breach", user_id="U0ALICE")
    answer(team, "DRILL #1 started")
    drill = team.emulator.wait_for(lambda: card(team, 1))
    assert drill["text"].startswith("DRILL")
    team.slack.command("escalate 1 practice", user_id="U0ALICE")
    team.emulator.wait_for(lambda: any("escalated" in m["text"] for m in thread(team, 1)))
    page = next(m for m in thread(team, 1) if "escalated" in m["text"])
    assert (
        page["text"].startswith("DRILL")
        and "<!subteam" not in page["text"]
        and "<@U0BOB>" not in page["text"]
    )
    team.slack.command("draft 1 Practice statement", user_id="U0ALICE")
    team.emulator.wait_for(lambda: drafts_in_thread(team, 1))
    assert "DRILL" in blocks_text(drafts_in_thread(team, 1)[0])
    team.slack.command("stats", user_id="U0ALICE")
    assert "Across 0 real incidents" in answer(team, "real incidents")["text"]
    team.slack.command("drill volcano", user_id="U0ALICE")
    answer(team, "No drill scenario `volcano`")


def test_stats_count_real_incidents_and_the_dismissed_share(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock, brand="Acme")
    clock.advance(minutes=4)
    team.slack.command(f"claim {n}", user_id="U0ALICE")
    answer(team, "You now hold")
    clock.advance(minutes=20)
    team.slack.command(f"resolve {n} fixed", user_id="U0ALICE")
    answer(team, "resolved")
    m = open_storm(team, clock, brand="Globex")
    click_on(team, card(team, m), Action.DISMISS, "U0BOB")  # type: ignore[arg-type]
    team.emulator.wait_for(
        lambda: any(v["callback_id"] == View.DISMISS_REASON for v in team.emulator.views.values())
    )
    team.slack.submit_view(
        View.DISMISS_REASON,
        {Block.REASON: {"reason": "a meme, not a crisis"}},
        user_id="U0BOB",
        private_metadata=str(m),
    )
    team.emulator.wait_for(lambda: "Dismissed" in blocks_text(card(team, m)))
    team.slack.command("stats", user_id="U0ALICE")
    text = answer(team, "real incidents")["text"]
    assert "Across 2 real incidents" in text
    assert "Median time to claim: 4 min" in text
    assert "Median time to resolve: 24 min" in text
    assert "50%" in text


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("claim 42", "There is no incident #42"),
        ("draft 1", "needs the text after the number"),
        ("note #1", "needs the text after the number"),
        ("draft 1 " + "x" * 3001, "the limit is 3,000"),
        ("export 1 pdf", "is not an export format"),
        ("escalate", "needs an incident number"),
        ("list everything", "takes only a page number"),
        ("stats everything", "takes no arguments"),
    ],
)
def test_bad_input_is_answered_and_records_nothing(
    team: Stack, clock: ManualClock, command: str, expected: str
) -> None:
    n = open_storm(team, clock)
    before = timeline(team, n)
    response = team.slack.command(command, user_id="U0ALICE")
    assert response.status_code == 200
    if response.content:  # usage errors are answered in the acknowledgement itself
        assert expected in response.json()["text"]
        assert response.json()["response_type"] == "ephemeral"
    else:
        assert answer(team, expected)["response_type"] == "ephemeral"
    assert timeline(team, n) == before


def test_claiming_a_held_incident_hands_it_over(team: Stack, clock: ManualClock) -> None:
    n = open_storm(team, clock)
    team.slack.command(f"claim {n}", user_id="U0ALICE")
    answer(team, "You now hold")
    team.slack.command(f"claim {n}", user_id="U0BOB")
    team.emulator.wait_for(lambda: "<@U0BOB>" in blocks_text(card(team, n)))
    handed = next(e for e in timeline(team, n) if e["type"] == "incident.handed_over")
    assert (handed["previous"], handed["to"], handed["actor"]) == ("U0ALICE", "U0BOB", "U0BOB")


def test_a_repeated_event_delivery_is_handled_once(team: Stack) -> None:
    event = {
        "type": "app_mention",
        "user": "U0ALICE",
        "text": "<@U0CRISISBOT> hi",
        "channel": CHANNEL,
        "ts": "1.0",
    }
    team.slack.event(event, event_id="Ev0001")
    team.slack.event(event, event_id="Ev0001", retry_num=1)
    answer(team, "I answer to `/crisis`")
    import time

    time.sleep(0.5)
    assert sum("I answer to" in e["text"] for e in team.emulator.ephemerals) == 1


def test_staff_can_change_the_severity_from_the_card(team: Stack, clock: ManualClock) -> None:
    n = open_storm(team, clock)
    alert = card(team, n)
    assert alert is not None
    option = {"text": {"type": "plain_text", "text": "Critical"}, "value": f"{n}:critical"}
    team.slack.click(
        Action.SEVERITY, user_id="U0BOB", message={"channel": CHANNEL, "ts": alert["ts"]},
        selected_option=option,
    )  # fmt: skip
    answer(team, f"#{n} is now critical")
    team.emulator.wait_for(lambda: "*Severity*\\ncritical" in blocks_text(card(team, n)))
    changed = next(e for e in timeline(team, n) if e["type"] == "incident.severity_changed")
    assert (changed["actor"], changed["severity"]) == ("U0BOB", "critical")


def test_draft_reply_on_a_closed_incident_says_so_in_the_form(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    alert = card(team, n)
    assert alert is not None
    team.slack.command(f"resolve {n}", user_id="U0ALICE")
    answer(team, "resolved")
    team.slack.click(
        Action.DRAFT, str(n), user_id="U0ALICE", message={"channel": CHANNEL, "ts": alert["ts"]}
    )
    team.emulator.wait_for(
        lambda: any("already resolved" in str(v["blocks"]) for v in team.emulator.views.values())
    )
    assert not any(e["type"] == "draft.created" for e in timeline(team, n))


def test_a_long_hostile_escalation_reason_pages_within_slack_limits(
    team: Stack, clock: ManualClock
) -> None:
    """The reason is quoted in the page: escaped, RTL folded, and cut well under Slack's
    recommended 4,000 characters (the whole reason stays in the timeline and the export)."""
    n = open_storm(team, clock)
    reason = ("<!channel> \u202eспешно & <@U0CEO> " * 200)[:3000]
    team.slack.command(f"escalate {n} {reason}", user_id="U0ALICE")
    team.emulator.wait_for(lambda: any("escalated to" in m["text"] for m in thread(team, n)))
    page = next(m for m in thread(team, n) if "escalated to" in m["text"])
    assert len(page["text"]) <= 4000
    assert "<!channel>" not in page["text"] and "<@U0CEO>" not in page["text"]
    assert "\u202e" not in page["text"]
    assert "<@U0BOB>" in page["text"]  # the level's people are still paged
    escalated = next(e for e in timeline(team, n) if e["type"] == "incident.escalated")
    assert escalated["reason"] == reason.strip()  # the whole reason, as typed
