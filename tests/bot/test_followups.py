"""Follow-up actions with owners: recorded from `/crisis` or the closed card's form, listed, marked
done by anyone, shown on the card, the Home tab, the exports, the report and the digest, and
told to an overdue owner once, across a restart. Through the real stack, against the emulator."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.aftermath import export
from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.slack.ids import Action, Block, View
from bot.testing import Stack, start_stack
from models import FollowUp
from tests.bot.flow import answer, blocks_text, card, click_on, open_storm, thread, timeline


@pytest.fixture
def team(database_url: str, clock: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock)
    yield s
    s.stop()


def resolved(team: Stack, clock: ManualClock) -> int:
    n = open_storm(team, clock)
    team.slack.command(f"resolve {n} Refunds issued", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    team.emulator.wait_for(lambda: "Resolved" in blocks_text(card(team, n)))
    return n


def say(team: Stack, text: str, needle: str, user: str = "U0ALICE") -> str:
    """Run `/crisis <text>` and return the answer that contains `needle`."""
    response = team.slack.command(text, user_id=user)
    assert response.status_code == 200
    if response.content and needle in response.text:  # bad input: answered in the ack itself
        return str(response.json()["text"])
    return str(answer(team, needle)["text"])


def follow_ups(team: Stack) -> list[FollowUp]:
    with team.bot.sessions() as session:
        return list(session.query(FollowUp).order_by(FollowUp.id))


def export_text(team: Stack, n: int, fmt: str) -> str:
    buffer = io.StringIO()
    with team.bot.transaction() as session:
        export.write(
            session, n, fmt, buffer, name_of=team.bot.gateway.user_name, now=team.bot.clock()
        )
    return buffer.getvalue()


def test_a_follow_up_is_added_listed_counted_and_marked_done_by_anyone(
    team: Stack, clock: ManualClock
) -> None:
    n = resolved(team, clock)
    clock.advance(hours=1)
    due = (clock() + timedelta(days=3)).date().isoformat()
    reply = say(team, f"followup #{n} <@U0BOB|bob> Update the refunds FAQ by {due}", "Follow-up F")
    assert reply == f"Follow-up F1 added to #{n} for <@U0BOB>, due {due}."
    say(team, f"followup {n} U0CAROL Brief support on the new script", "Follow-up F2")

    # The owner hears of it in the thread (a mention); the card counts the open ones.
    posted = team.emulator.wait_for(
        lambda: [m for m in thread(team, n) if m["text"].startswith("Follow-up F1")]
    )
    assert "<@U0BOB>" in posted[0]["text"] and "Update the refunds FAQ" in posted[0]["text"]
    team.emulator.wait_for(lambda: "*2 open follow-ups*" in blocks_text(card(team, n)))

    listed = say(team, f"followups {n}", "Follow-ups of")
    assert listed.splitlines()[0] == f"*Follow-ups of #{n}* · 2 open, 0 done"
    assert f"*F1* · <@U0BOB> · due {due}" in listed

    clock.advance(minutes=5)
    assert say(team, "done F1", "is done", user="U0DAN") == "F1 is done: Update the refunds FAQ"
    again = say(team, "done f1", "already", user="U0BOB")
    assert again.startswith("F1 was already marked done by <@U0DAN> at ")
    team.emulator.wait_for(lambda: "*1 open follow-up*, 1 done" in blocks_text(card(team, n)))

    listed = say(team, f"followups {n}", "1 open, 1 done")
    assert listed.index("*F2*") < listed.index("*F1*")  # open ones first
    assert "done by <@U0DAN>" in listed
    team_open = say(team, "followups", "*Open follow-ups*")
    assert "*F2*" in team_open and "*F1*" not in team_open

    steps = [(e["type"], e["actor"], e.get("followup")) for e in timeline(team, n)]
    assert steps[-3:] == [
        ("followup.added", "U0ALICE", "F1"),
        ("followup.added", "U0ALICE", "F2"),
        ("followup.done", "U0DAN", "F1"),
    ]
    added = next(e for e in timeline(team, n) if e["type"] == "followup.added")
    assert added["owner"] == "U0BOB" and added["text"] == "Update the refunds FAQ"
    assert added["due_whole_day"] is True


def test_a_due_day_is_due_at_its_end_on_the_teams_clock(
    database_url: str, clock: ManualClock
) -> None:
    stack = start_stack(database_url, clock=clock, config=Config(timezone="Europe/Sofia"))
    try:
        n = resolved(stack, clock)
        say(stack, f"followup {n} <@U0BOB> Check the FAQ by 2099-12-11", "Follow-up F1")
        say(stack, f"followup {n} <@U0BOB> Call legal by 2099-12-11T17:00", "Follow-up F2")
        say(stack, f"followup {n} <@U0BOB> Call legal by 2099-12-11T17:00Z", "Follow-up F3")
        f1, f2, f3 = follow_ups(stack)
        # Midnight between the 11th and the 12th in Sofia (EET, UTC+2) is 22:00 UTC.
        assert f1.due_at == datetime(2099, 12, 11, 22, 0, tzinfo=UTC) and f1.due_whole_day
        assert f2.due_at == datetime(2099, 12, 11, 15, 0, tzinfo=UTC) and not f2.due_whole_day
        assert f3.due_at == datetime(2099, 12, 11, 17, 0, tzinfo=UTC)
        listed = say(stack, f"followups {n}", "Follow-ups of")
        assert "due 2099-12-11 ·" in listed or "due 2099-12-11\n" in listed
        assert "due 2099-12-11 17:00 EET" in listed
    finally:
        stack.stop()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("followup 999 <@U0BOB> Update the FAQ", "There is no incident #999"),
        ("followup {n}", "needs an owner"),
        ("followup {n} Update the FAQ", "`Update` is not a person"),
        ("followup {n} @maria Update the FAQ", "reached me as plain text"),
        ("followup {n} <@U0BOB>", "needs the action after the owner"),
        ("followup {n} <@U0BOB>   by 2099-01-01", "needs the action after the owner"),
        ("followup {n} <@U0BOB> Update the FAQ by 2099-13-45", "is not a date"),
        ("followup {n} <@U0BOB> Update the FAQ by 2001-01-01", "is already past"),
        ("done", "needs a follow-up number"),
        ("done 3", "`3` is not a follow-up number (write F3"),
        ("done F77", "There is no follow-up F77"),
        ("followups page 0", "takes only a page number"),
        ("followups 1 2", "takes only the incident number"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_changes_nothing(
    team: Stack, clock: ManualClock, text: str, needle: str
) -> None:
    n = resolved(team, clock)
    answered = say(team, text.format(n=n), needle)
    assert needle in answered
    assert follow_ups(team) == []
    assert not any(e["type"].startswith("followup.") for e in timeline(team, n))


def test_a_follow_up_by_the_button_and_form_on_the_resolved_card(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    assert Action.ADD_FOLLOW_UP not in blocks_text(card(team, n))  # open: the response first
    team.slack.command(f"resolve {n}", user_id="U0ALICE")
    team.emulator.wait_for(lambda: Action.ADD_FOLLOW_UP in blocks_text(card(team, n)))

    click_on(team, card(team, n), Action.ADD_FOLLOW_UP, "U0CAROL")  # type: ignore[arg-type]
    view = team.emulator.wait_for(
        lambda: [v for v in team.emulator.views.values() if v["callback_id"] == View.FOLLOW_UP]
    )[0]
    kinds = {b.get("block_id"): b.get("element", {}).get("type") for b in view["blocks"]}
    assert kinds[Block.FOLLOW_UP_OWNER] == "users_select"
    assert kinds[Block.FOLLOW_UP_DUE] == "datepicker"

    def submit(owner: str | None, text: str, day: str | None) -> Any:
        values: dict[str, dict[str, Any]] = {
            Block.FOLLOW_UP_OWNER: {"owner": {"type": "users_select", "selected_user": owner}},
            Block.FOLLOW_UP_TEXT: {"text": text},
            Block.FOLLOW_UP_DUE: {"due": {"type": "datepicker", "selected_date": day}},
        }
        return team.slack.submit_view(
            View.FOLLOW_UP, values, user_id="U0CAROL", private_metadata=str(n)
        )

    empty = submit(None, "", None).json()
    assert empty["response_action"] == "errors"
    assert set(empty["errors"]) == {Block.FOLLOW_UP_OWNER, Block.FOLLOW_UP_TEXT}
    past = submit("U0BOB", "Update the FAQ", "2001-01-01").json()
    assert "already past" in past["errors"][Block.FOLLOW_UP_DUE]
    assert follow_ups(team) == []

    day = (clock() + timedelta(days=2)).date().isoformat()
    assert submit("U0BOB", "Update the FAQ", day).status_code == 200
    answer(team, f"Follow-up F1 added to #{n} for <@U0BOB>, due {day}.")
    (added,) = follow_ups(team)
    assert (added.owner, added.created_by, added.due_whole_day) == ("U0BOB", "U0CAROL", True)
    team.emulator.wait_for(lambda: "*1 open follow-up*" in blocks_text(card(team, n)))


def test_the_exports_carry_the_follow_ups(team: Stack, clock: ManualClock) -> None:
    n = resolved(team, clock)
    say(team, f"followup {n} <@U0BOB> Update the FAQ | <b>now</b> by 2099-12-11", "F1")
    say(team, f"followup {n} <@U0CAROL> Brief support", "F2")
    say(team, "done F2", "is done", user="U0DAN")

    data = json.loads(export_text(team, n, "json"))
    assert list(data) == ["incident", "drafts", "follow_ups", "events"]
    f1, f2 = data["follow_ups"]
    assert (f1["ref"], f1["owner"], f1["owner_name"], f1["status"]) == (
        "F1", "U0BOB", "Bob Tanaka", "open",
    )  # fmt: skip
    assert f1["due_at"].startswith("2099-12-12T00:00:00") and f1["due_whole_day"] is True
    assert (f2["status"], f2["done_by"], f2["done_by_name"]) == ("done", "U0DAN", "Dan Okafor")

    rows = list(csv.DictReader(io.StringIO(export_text(team, n, "csv"))))
    fu = [r for r in rows if r["type"].startswith("followup.")]
    assert [r["type"] for r in fu] == ["followup.added", "followup.added", "followup.done"]
    assert json.loads(fu[0]["details"])["followup"] == "F1"

    md = export_text(team, n, "md")
    section = md[md.index("### Follow-up actions") : md.index("## Timeline")]
    row = "| F1 | Update the FAQ \\| &lt;b&gt;now&lt;/b&gt; | Bob Tanaka (U0BOB) | 2099-12-11 |"
    assert row in section
    assert "| F2 | Brief support | Carol Diaz (U0CAROL) | — | done by Dan Okafor (U0DAN) at " in (
        section
    )

    html = export_text(team, n, "html")
    review = html[html.index('<section class="review">') :]
    review = review[: review.index("</section>")]
    assert "Follow-up actions" in review and "&lt;b&gt;now&lt;/b&gt;" in review
    assert "<b>now</b>" not in html
