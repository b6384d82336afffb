"""Drills tried as a comms team practises: every surface says DRILL, the practice behaves like the
real thing (escalation says who would have been paged), and a drill touches nothing real (the
brand's mentions, their retention, the report's figures)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import jobs
from bot.aftermath import export, retention
from bot.core.clock import ManualClock
from bot.core.config import Level
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.response import timeline
from bot.testing import Stack, start_stack
from models import Incident, Mention
from tests.bot.flow import answer, card, drafts_in_thread, open_storm, thread
from tests.bot.flow import timeline as timeline_of
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
    assert "would have paged Bob Tanaka.)" in text  # the Comms lead level's notify list


def test_a_drill_page_and_its_exports_name_the_people_it_would_have_paged(
    database_url: str, clock: ManualClock
) -> None:
    """Whom the real thing would page, as people read them: names in Slack (never a mention,
    which would notify them), the group's @handle, and the ID only where Slack knows no name;
    the exports name them with their IDs, the JSON keeps the IDs."""
    levels = (Level("Social team"), Level("Comms lead", ("U0BOB", "S0COMMS", "U0GONE")))
    stack = start_stack(database_url, clock=clock, config=replace(PLAYBOOK, levels=levels))
    try:
        n = _drill(stack)
        stack.slack.command(f"escalate {n} practice", user_id="U0ALICE")
        page = stack.emulator.wait_for(
            lambda: next((m for m in thread(stack, n) if "escalated" in m["text"]), None)
        )
        assert page["text"] == (
            f"DRILL · #{n} escalated to *Comms lead* by <@U0ALICE>: practice. (A drill pages "
            "nobody; for real this would have paged Bob Tanaka, @comms-team, `U0GONE`.)"
        )
        (event,) = [e for e in timeline_of(stack, n) if e["type"] == "incident.escalated"]
        assert event["would_page"] == ["U0BOB", "S0COMMS", "U0GONE"]
        for fmt in ("md", "html"):
            out = io.StringIO()
            with stack.bot.transaction() as session:
                export.write(session, n, fmt, out, name_of=stack.bot.gateway.user_name)
            text = out.getvalue()
            assert "would have paged Bob Tanaka, @comms-team, U0GONE." in text  # the review
            assert "would_page: Bob Tanaka (U0BOB), @comms-team (S0COMMS), U0GONE" in text
    finally:
        stack.stop()


def test_a_drill_left_open_does_not_hold_back_the_brands_retention(
    team: Stack, clock: ManualClock
) -> None:
    """A drill stores no mentions, so it refers to none: forgotten open for a month, it must not
    keep every real mention of its brand since it started (a real incident would)."""
    start = clock()
    _drill(team)
    clock.advance(days=30)
    records = [
        {"id": f"m{k}", "source": "bluesky", "text": f"Acme order {k}", "brand": "Acme",
         "created_at": (start - timedelta(days=5) + timedelta(hours=2 * k)).isoformat()}
        for k in range(12 * 20)
    ]  # fmt: skip
    with team.bot.transaction() as session:
        store_mentions(session, [parse_record(r) for r in records], config=team.bot.config,
                       now=clock())  # fmt: skip
    before = start + timedelta(days=10)
    pruned = retention.prune(team.bot.sessions, before=before, now=clock())
    assert pruned.kept == 0
    with team.bot.sessions() as session:
        left = session.scalars(select(Mention.created_at)).all()
    assert left and min(left) >= before


def _charted(html: str) -> int:
    """Mentions on the HTML report's chart: the sum of its bars' counts."""
    return sum(
        int(n.replace(",", "")) for n in re.findall(r"<title>[^<]*: ([\d,]+) mentions?,", html)
    )


def test_a_drills_html_report_charts_its_scenario_not_the_brands_real_mentions(
    team: Stack, clock: ManualClock
) -> None:
    n = _drill(team)

    def chart() -> int:
        out = io.StringIO()
        with team.bot.transaction() as session:
            export.write(session, n, "html", out, now=clock())
        return _charted(out.getvalue())

    alone = chart()
    assert alone > 60  # the scenario's storm (60 posts) and some of its calm before
    open_storm(team, clock)  # a real storm of the same brand meanwhile: 312 stored mentions
    assert chart() == alone


def test_a_drills_export_uploaded_to_the_thread_is_titled_drill(team: Stack) -> None:
    n = _drill(team)
    team.slack.command(f"export {n} csv", user_id="U0ALICE")
    upload = team.emulator.wait_for(lambda: list(team.emulator.files.values()))[0]
    assert upload["title"] == f"DRILL · #{n} timeline (csv)"


def test_a_drills_review_does_not_blame_detection_for_the_scenarios_head_start(
    team: Stack,
) -> None:
    """The scenario's storm begins 45 minutes before the drill starts: that is the script, not
    the detector's delay, so the review does not advise detecting sooner."""
    n = _drill(team)
    out, data = io.StringIO(), io.StringIO()
    with team.bot.transaction() as session:
        export.write(session, n, "md", out)
        export.write(session, n, "json", data)
    # A real incident this slow to detect gets the advice (SLOW_DETECT is 30 minutes).
    assert json.loads(data.getvalue())["incident"]["metrics"]["time_to_detect"] > 30 * 60
    assert "Detect sooner" not in out.getvalue()


def test_a_drill_nobody_closes_reminds_once_then_ends_by_itself(
    team: Stack, clock: ManualClock
) -> None:
    """A trainer's drill left open must not nag the channel every hour for ever: one reminder
    per quiet spell, then, still quiet an interval later (`reminder_minutes`), it ends by
    itself, in its thread, on its card, in its timeline and in its review. A real incident
    keeps reminding."""
    n = _drill(team)
    real = open_storm(team, clock)
    for number in (n, real):
        team.slack.command(f"claim {number}", user_id="U0ALICE")
        answer(team, f"You now hold #{number}")

    def reminders(number: int) -> list[str]:
        return [m["text"] for m in thread(team, number) if "Reminder" in m["text"]]

    clock.advance(minutes=61)
    jobs.run_timers(team.bot)
    team.emulator.wait_for(lambda: reminders(n) and reminders(real))
    assert reminders(n) == [
        f"DRILL · Reminder: #{n} has had no update for 61 min. <@U0ALICE> — post a status, a "
        "note or a draft, or resolve it. If it stays quiet for 60 min more, the drill ends by "
        "itself."
    ]
    # A note starts a new quiet spell: one more reminder after it, not one per hour.
    clock.advance(minutes=30)
    team.slack.command(f"note {n} Trainer: waiting for the holding statement", user_id="U0BOB")
    answer(team, "Note added")
    clock.advance(minutes=61)
    jobs.run_timers(team.bot)
    team.emulator.wait_for(lambda: len(reminders(n)) == 2)
    clock.advance(minutes=59)
    jobs.run_timers(team.bot)
    team.bot.deliver_now()
    with team.bot.sessions() as session:
        assert session.get(Incident, n).status == "claimed"  # type: ignore[union-attr]

    clock.advance(minutes=2)  # an interval after the second reminder, still quiet
    for _ in range(2):  # a second worker pass changes nothing
        jobs.run_timers(team.bot)
    team.emulator.wait_for(lambda: "Resolved" in json.dumps(card(team, n)))
    ended = team.emulator.wait_for(
        lambda: [m["text"] for m in thread(team, n) if "ended by itself" in m["text"]]
    )
    assert ended == [
        f"DRILL · #{n} ended by itself: nobody updated it for 2.0 h, its reminder included. "
        "`/crisis drill` starts another."
    ]
    events = [e for e in timeline_of(team, n) if e["type"] == "incident.resolved"]
    assert len(events) == 1 and events[0]["actor"] is None and events[0]["automatic"] is True
    assert events[0]["summary"] == "The drill ended by itself: no update for 2.0 h."
    with team.bot.sessions() as session:
        drill = session.get(Incident, n)
        assert drill is not None and drill.status == "resolved" and drill.open_key is None

    clock.advance(hours=5)  # ended: no more reminders; the real incident keeps reminding
    jobs.run_timers(team.bot)
    team.emulator.wait_for(lambda: len(reminders(real)) == 3)
    assert len(reminders(n)) == 2

    out = io.StringIO()
    with team.bot.transaction() as session:
        export.write(session, n, "md", out)
    review = out.getvalue()
    assert "The drill ended by itself: no update for 2.0 h." in review
    assert "Nobody closed the drill: it ended by itself after going quiet." in review
    assert not re.search(r"Resolved .* after the alert", review) and "resolved it" not in review

    # Its last close decides: reopened since (as `/crisis reopen` records it) and resolved by
    # someone, the review has no "nobody closed the drill".
    with team.bot.transaction() as session:
        drill = session.get(Incident, n)
        assert drill is not None
        timeline.record(session, drill, "incident.reopened", actor="U0ALICE", at=clock())
        timeline.record(session, drill, "incident.resolved", actor="U0ALICE", at=clock(),
                        summary="Practice over")  # fmt: skip
    out = io.StringIO()
    with team.bot.transaction() as session:
        export.write(session, n, "md", out)
    assert "Nobody closed the drill" not in out.getvalue()
    assert "resolved it: Practice over." in out.getvalue()
