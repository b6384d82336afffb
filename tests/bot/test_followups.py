"""Follow-up actions with owners: recorded from `/crisis` or the closed card's form, listed, marked
done by anyone, shown on the card, the Home tab, the exports, the report and the digest, and
told to an overdue owner once, across a restart. Through the real stack, against the emulator."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import jobs
from bot.aftermath import export, report
from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.slack.ids import Action, Block, View
from bot.testing import Stack, start_stack
from models import FollowUp
from tests.bot.flow import answer, blocks_text, card, click_on, open_storm, thread, timeline
from tests.bot.test_home import _open_home


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
    if response.content and needle in response.json().get("text", ""):  # bad input: in the ack
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
    status = say(team, f"status {n}", "Time to detect")
    assert status.endswith(f"*2 open follow-ups*, 0 done · `/crisis followups {n}`")

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
    team_open = say(team, "followups", "*1 open follow-up*")
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
        ("followup {n} @maria Update the FAQ", "No one in this workspace goes by `@maria`"),
        ("followup {n} @bob", "needs the action after the owner"),
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


def test_a_typed_at_name_is_found_in_the_workspace(team: Stack, clock: ManualClock) -> None:
    """Slack sends "@maria" as plain text (the command does not escape mentions): the name is
    looked up among the workspace's people, the longest match first."""
    team.emulator.add_user("U0MARIA1", "Maria Petrova")
    team.emulator.add_user("U0MARIA2", "Maria Ivanova")
    n = resolved(team, clock)
    say(team, f"followup {n} @bob Update the FAQ", "Follow-up F1 added to #")
    say(team, f"followup {n} @Maria Ivanova Call legal by 2099-01-01", "Follow-up F2 added to #")
    say(team, f"followup {n} @maria.petrova Brief support", "Follow-up F3 added to #")
    both = say(team, f"followup {n} @maria Call legal", "could be")
    assert "`@maria` could be <@U0MARIA1>, <@U0MARIA2>" in both
    got = [(f.owner, f.text) for f in follow_ups(team)]
    assert got == [
        ("U0BOB", "Update the FAQ"),
        ("U0MARIA2", "Call legal"),
        ("U0MARIA1", "Brief support"),
    ]
    assert len(team.emulator.calls("users.list")) == 1  # the member list is read once, cached


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


def test_the_teams_list_says_how_many_are_open_and_pages_through_them(
    team: Stack, clock: ManualClock
) -> None:
    """`/crisis followups` with more than one message holds: each page says how many are open
    and which page of how many it is; together the pages list each once, oldest first."""
    n = resolved(team, clock)
    for k in range(1, 15):
        say(team, f"followup {n} <@U0BOB> Action {k}: " + "rewrite the FAQ entry " * 12, f"F{k}")
    say(team, "done F3", "is done")
    first = say(team, "followups", "open follow-ups")
    assert first.startswith("*13 open follow-ups* · page 1 of 2\n*F1* ·")
    assert first.endswith("`/crisis followups page 2`.")
    second = say(team, "followups page 2", "page 2 of 2")
    assert second.startswith("*13 open follow-ups* · page 2 of 2\n")
    listed = re.findall(r"^\*F(\d+)\*", first + "\n" + second, flags=re.M)
    assert [int(f) for f in listed] == [k for k in range(1, 15) if k != 3]
    assert "open follow-ups fill 2 pages" in say(team, "followups page 3", "There is no page 3")


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


def _home(team: Stack, user: str) -> dict[str, Any]:
    return _open_home(team, user)


def test_the_home_tab_lists_the_viewers_own_open_follow_ups_overdue_first(
    team: Stack, clock: ManualClock
) -> None:
    n = resolved(team, clock)
    soon = (clock() + timedelta(hours=2)).replace(microsecond=0, tzinfo=None).isoformat()
    later = (clock() + timedelta(days=5)).date().isoformat()
    say(team, f"followup {n} <@U0BOB> Rewrite the refunds FAQ by {later}", "F1")
    say(team, f"followup {n} <@U0BOB> Call the agency", "F2")
    say(team, f"followup {n} <@U0BOB> Brief support by {soon}", "F3")
    say(team, f"followup {n} <@U0CAROL> Not Bob's", "F4")
    clock.advance(hours=3)  # F3 is overdue now

    view = _home(team, "U0BOB")
    texts = [json.dumps(b, ensure_ascii=False) for b in view["blocks"]]
    head = next(i for i, t in enumerate(texts) if "Your follow-ups" in t)
    mine = [t for t in texts[head + 1 : head + 4]]
    assert ["*F3*" in mine[0], "*F1*" in mine[1], "*F2*" in mine[2]] == [True, True, True]
    assert "*overdue*" in mine[0] and "*overdue*" not in mine[1]
    assert not any("*F4*" in t for t in texts)
    button = view["blocks"][head + 1]["accessory"]
    assert (button["action_id"], button["value"]) == (Action.FOLLOW_UP_DONE, "3")

    # "Mark done" on the tab marks it, and the tab is published again without it.
    published = len(team.emulator.calls("views.publish"))
    team.slack.click(Action.FOLLOW_UP_DONE, "3", user_id="U0BOB")
    team.emulator.wait_for(lambda: len(team.emulator.calls("views.publish")) > published)
    team.emulator.wait_for(
        lambda: "*F3*" not in json.dumps(team.emulator.home("U0BOB"), ensure_ascii=False)
    )
    (f3,) = [f for f in follow_ups(team) if f.id == 3]
    assert (f3.status, f3.done_by) == ("done", "U0BOB")


def test_an_overdue_follow_up_is_told_to_its_owner_once_across_a_restart(
    database_url: str, clock: ManualClock
) -> None:
    first = start_stack(database_url, clock=clock)
    try:
        n = resolved(first, clock)
        due = (clock() + timedelta(hours=1)).replace(microsecond=0, tzinfo=None).isoformat()
        say(first, f"followup {n} <@U0BOB> Update the refunds FAQ by {due}", "F1")
        say(first, f"followup {n} <@U0CAROL> Done in time by {due}", "F2")
        say(first, "done F2", "is done", user="U0CAROL")
        jobs.run_timers(first.bot)
        first.emulator.wait_for(lambda: first.bot.deliverer().pending() == 0)
        assert not [m for m in thread(first, n) if "was due" in m["text"]]  # not yet due
        clock.advance(hours=2)
        emulator = first.emulator
    finally:
        first.slack.close()
        first.server.stop()
        first.bot.close()  # a restart: the emulator (Slack) stays, the bot process goes

    second = start_stack(database_url, clock=clock, emulator=emulator)
    try:

        def reminders() -> list[dict[str, Any]]:
            return [m for m in thread(second, n) if "was due" in m["text"]]

        for _ in range(3):  # the worker's timer job, run again and again: one reminder
            jobs.run_timers(second.bot)
            second.bot.deliver_now()
        second.emulator.wait_for(reminders)
        second.emulator.wait_for(lambda: second.bot.deliverer().pending() == 0)
        told = reminders()
        assert len(told) == 1
        assert told[0]["text"].startswith(f"<@U0BOB>, follow-up F1 of #{n} was due ")
        assert "Update the refunds FAQ" in told[0]["text"]
        # The owner is told in person too, once; Carol's, done in time, is told nowhere.
        (dm,) = second.emulator.direct_messages("U0BOB")
        assert dm["text"].startswith(f"Your follow-up F1 of #{n} Acme")
        assert "was due " in dm["text"] and "Update the refunds FAQ" in dm["text"]
        assert "`/crisis done F1`" in dm["text"]
        assert second.emulator.direct_messages("U0CAROL") == []
        events = [e for e in timeline(second, n) if e["type"] == "followup.reminded"]
        assert [(e["followup"], e["owner"], e["to"]) for e in events] == [
            ("F1", "U0BOB", ["thread", "dm"])
        ]
    finally:
        second.stop()


def _overdue(stack: Stack, clock: ManualClock, owner: str) -> int:
    """A resolved incident with a follow-up for `owner` due in an hour, then two hours on."""
    n = resolved(stack, clock)
    due = (clock() + timedelta(hours=1)).replace(microsecond=0, tzinfo=None).isoformat()
    say(stack, f"followup {n} <@{owner}> Update the refunds FAQ by {due}", "F1")
    clock.advance(hours=2)
    return n


def test_a_direct_message_whose_answer_was_lost_is_not_sent_twice_after_a_restart(
    database_url: str, clock: ManualClock
) -> None:
    first = start_stack(database_url, clock=clock)
    try:
        n = _overdue(first, clock, "U0BOB")
        first.emulator.wait_for(lambda: first.bot.deliverer().pending() == 0)
        # Slack stores both posts (the thread's, then the DM) and the answers never arrive;
        # then the bot goes before it retries.
        first.emulator.fail_next("chat.postMessage", status=500, after_effect=True, count=2)
        jobs.run_timers(first.bot)
        first.bot.deliver_now()
        first.emulator.wait_for(lambda: first.emulator.direct_messages("U0BOB"))
        lost = [c for c in first.emulator.calls("chat.postMessage") if c.fault == "after"]
        assert [c.params["channel"][0] for c in lost] == ["C", "D"]  # the thread's, the DM
        emulator = first.emulator
    finally:
        first.slack.close()
        first.server.stop()
        first.bot.close()

    second = start_stack(database_url, clock=clock, emulator=emulator)
    try:
        clock.advance(minutes=5)  # past the retries' backoff
        for _ in range(3):
            jobs.run_timers(second.bot)
            second.bot.deliver_now()
        # The worker's own courier thread may hold a row deliver_now passed by: wait for it.
        second.emulator.wait_for(lambda: second.bot.deliverer().pending() == 0)
        assert len(second.emulator.direct_messages("U0BOB")) == 1
        assert len([m for m in thread(second, n) if "was due" in m["text"]]) == 1
        opened = second.emulator.calls("conversations.open")
        assert opened and {c.params["users"] for c in opened} == {"U0BOB"}
        # Each retry looked for its message by its key before posting it again.
        assert second.emulator.calls("conversations.replies")
        assert second.emulator.calls("conversations.history")
    finally:
        second.stop()


@pytest.mark.parametrize(
    ("owner", "error"), [("U0CRISISBOT", "cannot_dm_bot"), ("U0DAN", "user_not_found")]
)
def test_a_refused_direct_message_leaves_the_thread_reminder_and_says_so(
    team: Stack, clock: ManualClock, owner: str, error: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A bot set as owner, or someone who left (gone from the workspace since): Slack refuses
    the DM for good; the thread still has the reminder, the log and the timeline say why."""
    n = _overdue(team, clock, owner)
    if owner == "U0DAN":
        del team.emulator.workspace.users["U0DAN"]  # deactivated since
    jobs.run_timers(team.bot)
    team.bot.deliver_now()
    team.emulator.wait_for(lambda: team.bot.deliverer().pending() == 0)
    told = [m for m in thread(team, n) if "was due" in m["text"]]
    assert len(told) == 1 and told[0]["text"].startswith(f"<@{owner}>, follow-up F1")
    assert team.emulator.direct_messages(owner) == []
    assert [c.error for c in team.emulator.calls("conversations.open")] == [error]
    assert f"could not message {owner} directly" in caplog.text and error in caplog.text
    events = [e for e in timeline(team, n) if e["type"].startswith("followup.")]
    assert [e["type"] for e in events][-2:] == ["followup.reminded", "followup.dm_failed"]
    refused = events[-1]
    assert (refused["followup"], refused["owner"], refused["error"]) == ("F1", owner, error)
    jobs.run_timers(team.bot)  # nothing more: not retried, not reminded again
    team.bot.deliver_now()
    assert len(team.emulator.calls("conversations.open")) == 1


def test_the_report_and_the_digest_count_follow_ups_and_name_the_overdue(
    team: Stack, clock: ManualClock, tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from bot.cli import main
    from tests.bot.conftest import stack_env

    n = resolved(team, clock)
    due = (clock() + timedelta(hours=1)).replace(microsecond=0, tzinfo=None).isoformat()
    say(team, f"followup {n} <@U0BOB> Update the refunds FAQ by {due}", "F1")
    say(team, f"followup {n} <@U0CAROL> Brief support", "F2")
    say(team, "done F2", "is done")
    team.slack.command("drill", user_id="U0BOB")
    # Its number as said, not n + 1: a PostgreSQL sequence skips the numbers of refused inserts.
    drill = int(answer(team, "DRILL #")["text"].split("#")[1].split()[0])
    say(team, f"followup {drill} <@U0BOB> Practise the hand-over", "DRILL · Follow-up F3")
    clock.advance(hours=2)

    stack_env(monkeypatch, team, tmp_path)
    capsys.readouterr()
    since = (clock() - timedelta(days=1)).date().isoformat()
    assert main(["report", "--since", since, "--until", clock().isoformat()]) == 0
    md = capsys.readouterr().out
    section = md[md.index("## Follow-up actions") : md.index("## Incidents")]
    # The drill's follow-up stays out, as drills do in every report figure. The command's own
    # clock is the real one, behind the test's by two hours: F1 is not due yet by it.
    assert "Follow-up actions: 2 added, 1 done in the period; 0 overdue at its end." in section
    # By the test's clock, when the period has ended, F1 is overdue.
    with team.bot.sessions() as session:
        built = report.build(session, since=clock() - timedelta(days=1), until=clock(),
                             now=clock())  # fmt: skip
    out = io.StringIO()
    report.write_markdown(built, out)
    section = out.getvalue()[out.getvalue().index("## Follow-up actions") :]
    assert "Follow-up actions: 2 added, 1 done in the period; 1 overdue at its end." in section
    assert f"| F1 | #{n} | U0BOB |" in section and "Update the refunds FAQ" in section
    assert "F3" not in section

    assert jobs.post_digest(team.bot) is True
    digest = team.emulator.wait_for(
        lambda: [m for m in team.channel_messages() if "Weekly crisis digest" in m["text"]]
    )[0]["text"]
    assert "Follow-up actions: 2 added, 1 done in the period; 1 overdue at its end" in digest
    assert f":warning: F1 (#{n}, <@U0BOB>, due " in digest and "F2" not in digest


def test_a_drills_follow_ups_are_marked_drill(team: Stack, clock: ManualClock) -> None:
    team.slack.command("drill", user_id="U0BOB")
    number = int(answer(team, "DRILL #")["text"].split("#")[1].split()[0])
    reply = say(team, f"followup {number} <@U0BOB> Practise the hand-over", "Follow-up F1")
    assert reply.startswith("DRILL · Follow-up F1 added")
    assert f"*F1* · DRILL · #{number} " in say(team, "followups", "open follow-up")
    assert "DRILL" in say(team, f"followups {number}", "Follow-ups of")
    team.emulator.wait_for(
        lambda: [m for m in thread(team, number) if m["text"].startswith("DRILL · Follow-up F1")]
    )


def test_follow_ups_in_bulgarian(database_url: str, clock: ManualClock) -> None:
    stack = start_stack(database_url, clock=clock, config=Config(locale="bg"))
    try:
        n = open_storm(stack, clock)
        stack.slack.command(f"приключи {n}", user_id="U0ALICE")
        stack.emulator.wait_for(lambda: Action.ADD_FOLLOW_UP in blocks_text(card(stack, n)))
        assert "Добави последващо действие" in blocks_text(card(stack, n))
        reply = say(stack, f"задача {n} <@U0BOB> Да обновим ЧЗВ до 2099-12-11", "F1")
        added = f"Последващото действие F1 е добавено към #{n} за <@U0BOB>, срок 11.12.2099."
        assert reply == added
        (f1,) = follow_ups(stack)
        assert f1.text == "Да обновим ЧЗВ" and f1.due_whole_day
        assert "*F1* · #" in say(stack, "задачи", "*1 отворено последващо действие*")
        stack.emulator.wait_for(
            lambda: "*1 отворено последващо действие*" in blocks_text(card(stack, n))
        )
        assert say(stack, "готово ф1", "изпълнено") == "F1 е изпълнено: Да обновим ЧЗВ"
        assert "вече е отбелязано като изпълнено" in say(stack, "готово F1", "вече")
        assert "не е дата" in say(stack, f"задача {n} <@U0BOB> Нещо до 2099-99-99", "не е дата")
        team_help = say(stack, "помощ", "/crisis followup")
        assert "(also" not in team_help and "`/crisis задача`" in team_help
    finally:
        stack.stop()


def test_a_due_day_is_told_the_morning_after_not_at_midnight(
    database_url: str, clock: ManualClock
) -> None:
    stack = start_stack(database_url, clock=clock, config=Config(timezone="Europe/Sofia"))
    try:
        n = resolved(stack, clock)
        day = (clock() + timedelta(days=2)).astimezone(ZoneInfo("Europe/Sofia")).date()
        say(stack, f"followup {n} <@U0BOB> Update the FAQ by {day.isoformat()}", "F1")
        (f1,) = follow_ups(stack)
        assert f1.due_at is not None

        def told() -> int:
            return len([m for m in thread(stack, n) if "was due" in m["text"]])

        clock.set(f1.due_at + timedelta(minutes=1))  # 00:01 in Sofia: overdue, but night
        jobs.run_timers(stack.bot)
        stack.emulator.wait_for(lambda: stack.bot.deliverer().pending() == 0)
        assert told() == 0 and follow_ups(stack)[0].reminded_at is None
        assert "*overdue*" in say(stack, "followups", "open follow-up")
        clock.set(f1.due_at + timedelta(hours=9, minutes=1))  # 09:01 in Sofia
        jobs.run_timers(stack.bot)
        stack.emulator.wait_for(lambda: told() == 1)
        jobs.run_timers(stack.bot)  # once only
        stack.emulator.wait_for(lambda: stack.bot.deliverer().pending() == 0)
        assert told() == 1
    finally:
        stack.stop()


def test_a_reminder_still_queued_when_the_follow_up_is_done_is_not_sent(
    team: Stack, clock: ManualClock
) -> None:
    """Slack refuses the DM's conversation for a while (5xx): the reminder waits between
    retries; Bob marks F1 done meanwhile, so he is not told to do what he has done."""
    _overdue(team, clock, "U0BOB")
    # 500 three times: the first try and the client's two retries (bot/slack/gateway.py).
    team.emulator.fail_next("conversations.open", status=500, count=3)
    jobs.run_timers(team.bot)
    team.bot.deliver_now()
    team.emulator.wait_for(lambda: len(team.emulator.calls("conversations.open")) == 3)
    team.emulator.wait_for(lambda: team.bot.deliverer().pending() == 1)
    assert team.bot.deliverer().pending() == 1  # the DM, waiting for its retry
    say(team, "done F1", "is done", user="U0BOB")
    clock.advance(minutes=10)  # past the retry's backoff
    for _ in range(2):
        jobs.run_timers(team.bot)
        team.bot.deliver_now()
    team.emulator.wait_for(lambda: team.bot.deliverer().pending() == 0)
    assert team.emulator.direct_messages("U0BOB") == []
    assert len(team.emulator.calls("conversations.open")) == 3  # not tried again
