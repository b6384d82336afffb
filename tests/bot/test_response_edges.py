"""The response flow as people really use it: stale buttons, two clicks at once, modals that
meet a changed incident, odd spacing in `/crisis`. Through the signed HTTP endpoint and the
emulator, like test_response."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator

import pytest

from bot import jobs
from bot.core.clock import ManualClock
from bot.response import incidents
from bot.slack.ids import Action, Block, View
from bot.testing import Stack, start_stack
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
    # Its number as said, not n + 1: a PostgreSQL sequence skips the numbers of refused inserts.
    drill = int(answer(team, "DRILL #")["text"].split("#")[1].split()[0])
    ok = team.slack.submit_view(
        View.DRAFT_REPLY, {Block.DRAFT_TEXT: {"text": "Practice reply."}},
        user_id="U0ALICE", private_metadata=str(drill),
    )  # fmt: skip
    assert ok.status_code == 200 and not ok.content
    answer(team, f"Draft v1 for #{drill}")


def _at_once(*calls: Callable[[], object]) -> None:
    """Send these requests at the same moment, as two people clicking together."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> None:
        start.wait()
        call()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _answers(team: Stack, needle: str) -> list[str]:
    return [r["payload"]["text"] for r in team.emulator.responses
            if needle in r["payload"].get("text", "")]  # fmt: skip


def test_two_people_clicking_claim_together_one_holds_it_the_other_is_told(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    alert = card(team, n)
    assert alert is not None
    _at_once(*(lambda u=u: click_on(team, alert, Action.CLAIM, u) for u in ("U0BOB", "U0ALICE")))
    team.emulator.wait_for(lambda: len(team.emulator.responses) == 2)
    assert len(_answers(team, "You now hold")) == 1
    assert len(_answers(team, "click Claim again to take it over")) == 1
    steps = [e["type"] for e in timeline(team, n)]
    assert steps.count("incident.claimed") == 1 and "incident.handed_over" not in steps

    # On the card as it is now, Claim hands it over, as before.
    holder = next(e["actor"] for e in timeline(team, n) if e["type"] == "incident.claimed")
    other = "U0ALICE" if holder == "U0BOB" else "U0BOB"
    team.emulator.wait_for(lambda: f"<@{holder}>" in blocks_text(card(team, n)))
    click_on(team, card(team, n), Action.CLAIM, other)  # type: ignore[arg-type]
    team.emulator.wait_for(lambda: len(_answers(team, "You now hold")) == 2)
    assert [e["type"] for e in timeline(team, n)][-1] == "incident.handed_over"


PEOPLE = ("U0BOB", "U0ALICE", "U0DAN", "U0CAROL", "U0ERIN")  # as many as Bolt's listener threads


def test_claim_commands_at_once_record_a_claim_then_a_handover(
    team: Stack, clock: ManualClock
) -> None:
    """`/crisis claim` takes the incident whoever holds it; two at once must still be one
    claim and one handover, not two people each recorded as its first owner."""
    n = open_storm(team, clock)
    _at_once(*(lambda u=u: team.slack.command(f"claim {n}", user_id=u)
               for u in PEOPLE))  # fmt: skip
    team.emulator.wait_for(lambda: len(_answers(team, "You now hold")) == len(PEOPLE))
    steps = [e["type"] for e in timeline(team, n)]
    assert steps.count("incident.claimed") == 1
    assert steps.count("incident.handed_over") == len(PEOPLE) - 1


def test_a_double_click_on_escalate_pages_one_level_once(team: Stack, clock: ManualClock) -> None:
    n = open_storm(team, clock)
    alert = card(team, n)
    assert alert is not None
    _at_once(*(lambda u=u: click_on(team, alert, Action.ESCALATE, u) for u in ("U0BOB", "U0BOB")))
    team.emulator.wait_for(lambda: len(team.emulator.responses) == 2)
    assert len(_answers(team, "escalated to Comms lead meanwhile")) == 1
    team.emulator.wait_for(lambda: any("escalated to *Comms lead*" in m["text"]
                                       for m in thread(team, n)))  # fmt: skip
    escalations = [e for e in timeline(team, n) if e["type"] == "incident.escalated"]
    assert [e["level"] for e in escalations] == [1]
    # From the card as it is now, Escalate goes on to the next level.
    team.emulator.wait_for(lambda: '"value": "1:1"' in blocks_text(card(team, n)))
    click_on(team, card(team, n), Action.ESCALATE, "U0BOB")  # type: ignore[arg-type]
    answer(team, f"#{n} escalated to Legal and executives")


def test_commands_typed_with_tabs_new_lines_and_no_break_spaces(
    team: Stack, clock: ManualClock
) -> None:
    """A new line after the number (Shift+Enter) or a no-break space separates words like a
    space; the reply keeps its own lines."""
    n = open_storm(team, clock)
    team.slack.command(f"  CLAIM\t#{n} ", user_id="U0ALICE")
    answer(team, f"You now hold #{n}")
    team.slack.command(f"draft\u00a0{n}\nWe are sorry.\nRefunds go out today.", user_id="U0ALICE")
    answer(team, f"Draft v1 for #{n}")
    team.slack.command(f"бележка {n}\n\nCalled the bank.", user_id="U0ALICE")
    answer(team, "Note added")
    team.slack.command(f"export {n}\tcsv", user_id="U0ALICE")
    answer(team, "csv export")
    # A full-width number sign and digits, a zero-width space pasted along.
    team.slack.command(f"status ＃{chr(0xFF10 + n)}\u200b", user_id="U0ALICE")
    answer(team, "Time to detect")  # the status, not a usage error
    steps = {e["type"]: e for e in timeline(team, n)}
    assert steps["draft.created"]["text"] == "We are sorry.\nRefunds go out today."
    assert steps["note.added"]["text"] == "Called the bank."
    assert steps["incident.claimed"]["actor"] == "U0ALICE"


def test_after_a_rejection_the_draft_form_starts_from_the_rejected_text(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    first = "We are aware of the double charges.\nMore soon."
    team.slack.command(f"draft {n} {first}", user_id="U0ALICE")
    v1 = team.emulator.wait_for(lambda: drafts_in_thread(team, n))[0]
    click_on(team, v1, Action.REJECT, "U0CAROL")
    reject = team.emulator.wait_for(
        lambda: [v for v in team.emulator.views.values() if v["callback_id"] == View.REJECT_REASON]
    )[0]
    team.slack.submit_view(
        View.REJECT_REASON, {Block.REASON: {"reason": "Say when refunds arrive."}},
        user_id="U0CAROL", view_id=reject["id"],
    )  # fmt: skip
    answer(team, "rejected")

    click_on(team, card(team, n), Action.DRAFT, "U0ALICE")  # type: ignore[arg-type]
    form = team.emulator.wait_for(
        lambda: [v for v in team.emulator.views.values()
                 if v["callback_id"] == View.DRAFT_REPLY and "Say when refunds" in str(v)]
    )[0]  # fmt: skip
    box = next(b for b in form["blocks"] if b.get("block_id") == Block.DRAFT_TEXT)
    assert box["element"]["initial_value"] == first
    assert "rejected by <@U0CAROL>" in blocks_text(form)

    edited = first.replace("More soon.", "Refunds arrive within 3 days.")
    team.slack.submit_view(
        View.DRAFT_REPLY, {Block.DRAFT_TEXT: {"text": edited}}, user_id="U0ALICE",
        view_id=form["id"],
    )  # fmt: skip
    answer(team, f"Draft v2 for #{n}")


def test_after_a_long_downtime_one_reminder_says_how_long_in_hours(
    team: Stack, clock: ManualClock
) -> None:
    """The worker was down for ten hours: its first passes send one reminder (not one per
    missed interval), and it reads "10.0 h", not "600 minutes"."""
    n = open_storm(team, clock)
    team.slack.command(f"claim {n}", user_id="U0ALICE")
    answer(team, "You now hold")
    clock.advance(hours=10)
    for _ in range(3):
        jobs.run_timers(team.bot)
    team.emulator.wait_for(lambda: any("Reminder" in m["text"] for m in thread(team, n)))
    reminders = [m["text"] for m in thread(team, n) if "Reminder" in m["text"]]
    assert reminders == [
        f"Reminder: #{n} has had no update for 10.0 h. <@U0ALICE> — post a status, a note or a "
        "draft, or resolve it."
    ]
    assert [e["quiet_minutes"] for e in timeline(team, n) if e["type"] == "reminder.sent"] == [600]


def test_closing_an_incident_while_others_act_on_it_closes_it_once_for_good(
    team: Stack, clock: ManualClock
) -> None:
    """Resolve, dismiss, escalate and claim at the same moment: one close wins, and nothing
    after it sets the incident back to open (on SQLite an escalation read before the resolve
    used to write "escalated" over "resolved")."""
    n = open_storm(team, clock)

    def dismiss() -> None:
        team.slack.submit_view(View.DISMISS_REASON, {Block.REASON: {"reason": "A meme."}},
                               user_id="U0DAN", private_metadata=str(n))  # fmt: skip

    _at_once(
        lambda: team.slack.command(f"resolve {n} Fixed.", user_id="U0BOB"),
        lambda: team.slack.command(f"resolve {n} Done.", user_id="U0CAROL"),
        dismiss,
        lambda: team.slack.command(f"escalate {n} Spreading.", user_id="U0ALICE"),
        lambda: team.slack.command(f"claim {n}", user_id="U0ERIN"),
    )
    team.emulator.wait_for(lambda: len(team.emulator.responses) == 4)
    steps = [e["type"] for e in timeline(team, n)]
    closes = [s for s in steps if s in ("incident.resolved", "incident.dismissed")]
    assert len(closes) == 1, steps
    after = steps[steps.index(closes[0]) + 1 :]
    assert not {"incident.escalated", "incident.claimed", "incident.handed_over"} & set(after)
    team.slack.command(f"status {n}", user_id="U0BOB")
    closed = "resolved" if closes[0] == "incident.resolved" else "dismissed"
    answer(team, f"· {closed} ·")  # the state, as the status line shows it


def test_an_approval_racing_the_resolve_lands_before_it_or_not_at_all(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    team.slack.command(f"draft {n} We are on it.", user_id="U0ALICE")
    draft = team.emulator.wait_for(lambda: drafts_in_thread(team, n))[0]
    _at_once(
        lambda: team.slack.command(f"resolve {n}", user_id="U0BOB"),
        lambda: click_on(team, draft, Action.APPROVE, "U0CAROL"),
    )
    team.emulator.wait_for(lambda: len(team.emulator.responses) == 3)
    steps = [e["type"] for e in timeline(team, n)]
    if "draft.approved" in steps:
        assert steps.index("draft.approved") < steps.index("incident.resolved"), steps


def test_resolve_and_dismiss_on_an_old_card_say_at_once_that_it_is_closed(
    team: Stack, clock: ManualClock
) -> None:
    """Before, the form asked for a summary or a reason, then refused it."""
    n = open_storm(team, clock)
    old = card(team, n)
    assert old is not None
    team.slack.command(f"resolve {n}", user_id="U0BOB")
    answer(team, "resolved")
    for action, title in ((Action.DISMISS, f"Dismiss #{n}"), (Action.RESOLVE, f"Resolve #{n}")):
        click_on(team, old, action, "U0ALICE")
        notice = team.emulator.wait_for(
            lambda title=title: [v for v in team.emulator.views.values()
                                 if v["title"]["text"] == title and v["callback_id"] == "notice"]
        )[0]  # fmt: skip
        assert f"#{n} is already resolved." in blocks_text(notice)
        assert not any(b["type"] == "input" for b in notice["blocks"])


def test_a_claim_landing_while_the_timer_escalates_stops_the_automatic_page(
    team: Stack, clock: ManualClock
) -> None:
    """The timer found #n unclaimed after 15 minutes; Alice's claim committed while it waited
    for the row. The timer must see the claim and page nobody, not page "nobody claimed it in
    time" over her claim. (PostgreSQL: the worker's backend waits for the row. SQLite: the
    timer's pass waits for the write lock; it used to fail, "database is locked".)"""
    n = open_storm(team, clock)
    clock.advance(minutes=16)
    with team.bot.transaction() as session:  # Alice's claim, holding the row a moment
        incidents.claim(session, n, user="U0ALICE", now=clock())
        timer = threading.Thread(target=jobs.run_timers, args=(team.bot,))
        timer.start()
        timer.join(timeout=0.5)  # the timer has read "unclaimed" and waits for the row
    timer.join()
    steps = [e["type"] for e in timeline(team, n)]
    assert steps[-1] == "incident.claimed" and "incident.escalated" not in steps, steps


def test_a_resolve_landing_while_the_timer_reminds_stops_the_reminder(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    team.slack.command(f"claim {n}", user_id="U0ALICE")
    answer(team, "You now hold")
    clock.advance(minutes=61)
    with team.bot.transaction() as session:  # Bob resolves it, holding the row a moment
        incidents.resolve(session, n, user="U0BOB", summary="", now=clock())
        timer = threading.Thread(target=jobs.run_timers, args=(team.bot,))
        timer.start()
        timer.join(timeout=0.5)  # the timer has read "quiet for an hour" and waits
    timer.join()
    steps = [e["type"] for e in timeline(team, n)]
    assert steps[-1] == "incident.resolved" and "reminder.sent" not in steps, steps


def test_a_rejection_sent_after_someone_approved_stays_in_the_form_and_names_them(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    team.slack.command(f"draft {n} We are on it.", user_id="U0ALICE")
    draft = team.emulator.wait_for(lambda: drafts_in_thread(team, n))[0]
    click_on(team, draft, Action.REJECT, "U0BOB")  # Bob opens the form and starts typing
    form = team.emulator.wait_for(
        lambda: [v for v in team.emulator.views.values() if v["callback_id"] == View.REJECT_REASON]
    )[0]
    click_on(team, draft, Action.APPROVE, "U0CAROL")  # meanwhile Carol approves
    answer(team, "approved")
    said = f"Draft v1 of #{n} is already approved by @Carol Diaz."
    now_shown = team.emulator.views[form["id"]]
    if now_shown["callback_id"] != View.REJECT_REASON:
        # Bob's form was checked (right after it opened) only once Carol had approved, on a
        # busy machine: it was replaced by the same words, and has nothing left to submit.
        assert said in json.dumps(now_shown["blocks"]), now_shown
    else:
        late = team.slack.submit_view(
            View.REJECT_REASON, {Block.REASON: {"reason": "Too vague."}}, user_id="U0BOB",
            view_id=form["id"],
        )  # fmt: skip
        assert late.json() == {"response_action": "errors", "errors": {Block.REASON: said}}
    assert "draft.rejected" not in [e["type"] for e in timeline(team, n)]


@pytest.mark.parametrize(
    ("callback_id", "block", "metadata"),
    [
        (View.REJECT_REASON, Block.REASON, "0"),  # a form since replaced by a notice
        (View.REJECT_REASON, Block.REASON, "12:v1"),
        (View.RESOLVE_SUMMARY, Block.REASON, "seven"),
        (View.REOPEN_REASON, Block.REASON, ""),
        (View.POST_UPDATE, Block.UPDATE_TEXT, "1²"),
    ],
)
def test_a_form_not_as_opened_is_answered_in_the_form(
    team: Stack, callback_id: str, block: str, metadata: str
) -> None:
    """A submission whose private_metadata is not what the bot opened the form with (forged,
    or a form replaced meanwhile) gets an answer in the form: before, int() raised in the
    listener and the person was left with a form that did nothing."""
    sent = team.slack.submit_view(
        callback_id, {block: {"reason" if block == Block.REASON else "text": "Some words."}},
        user_id="U0BOB", private_metadata=metadata,
    )  # fmt: skip
    assert sent.json() == {
        "response_action": "errors",
        "errors": {
            block: "This form is out of date: close it and open it again from the incident."
        },
    }


def test_reject_says_at_once_who_may_not_reject_and_an_old_button_that_it_is_decided(
    team: Stack, clock: ManualClock
) -> None:
    """Before, the reason form opened for anyone, and a non-approver (or someone clicking a
    draft already approved) typed a reason only to be refused."""
    n = open_storm(team, clock)
    team.slack.command(f"draft {n} We are on it.", user_id="U0ALICE")
    draft = team.emulator.wait_for(lambda: drafts_in_thread(team, n))[0]

    def notice(text: str) -> dict[str, object]:
        return team.emulator.wait_for(
            lambda: [v for v in team.emulator.views.values()
                     if v["callback_id"] == "notice" and text in blocks_text(v)]
        )[0]  # fmt: skip

    click_on(team, draft, Action.REJECT, "U0DAN")  # Dan is not an approver
    form = notice(f"You can't reject draft v1 of #{n}: not an approver.")
    assert not any(b["type"] == "input" for b in form["blocks"])  # type: ignore[union-attr]
    answer(team, "not an approver")
    refused = [e for e in timeline(team, n) if e["type"] == "draft.refused"]
    assert [e["actor"] for e in refused] == ["U0DAN"] and "reject" in str(refused[0])

    click_on(team, draft, Action.APPROVE, "U0CAROL")
    answer(team, "approved")
    click_on(team, draft, Action.REJECT, "U0BOB")  # an approver, on the card before it updated
    notice(f"Draft v1 of #{n} is already approved by <@U0CAROL>.")
    assert "draft.rejected" not in [e["type"] for e in timeline(team, n)]
