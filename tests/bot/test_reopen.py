"""Reopening a closed incident when the story flares again, from Slack: the command and the card's
button, the refusals, one open incident per brand, honest metrics after it, and the line a new
storm's card gets when the brand's last incident was resolved recently."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot import jobs
from bot.aftermath import export, report
from bot.core import i18n
from bot.core.clock import ManualClock
from bot.response import incidents
from bot.slack.ids import Action, Block, View
from bot.testing import CHANNEL, Stack, start_stack
from tests.bot.flow import (
    PINNED_START,
    answer,
    blocks_text,
    card,
    click_on,
    drafts_in_thread,
    incident_row,
    open_storm,
    opened_form,
    thread,
    timeline,
)
from tests.bot.test_detection_grouping import _burst
from tests.bot.test_response import PLAYBOOK

# A fixed start: the volume detector reads the time of day, and the flare test's second storm
# must stand out the same way whenever the suite runs.
START = PINNED_START


def _buttons(message: dict[str, Any] | None) -> dict[str, str]:
    """action_id -> value of the card's buttons."""
    return {
        e["action_id"]: e.get("value", "")
        for b in (message or {}).get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    }


def _said(stack: Stack, needle: str) -> list[dict[str, Any]]:
    payloads = [r["payload"] for r in stack.emulator.responses]
    return [p for p in payloads if needle in p.get("text", "")]


def answer_again(stack: Stack, needle: str, before: int) -> dict[str, Any]:
    """The answer containing `needle` that follows the `before` ones already given (a command
    answered the same way twice)."""
    return stack.emulator.wait_for(lambda: _said(stack, needle)[before:][:1])[0]


def test_reopen_by_command_brings_it_back_as_it_was_closed_and_counts_once(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    pinned.advance(minutes=2)
    team.slack.command(f"claim {n}", user_id="U0ALICE")
    answer(team, f"You now hold #{n}")
    pinned.advance(minutes=8)
    team.slack.command(f"resolve {n} Refunds issued", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    team.emulator.wait_for(lambda: Action.REOPEN in _buttons(card(team, n)))
    assert _buttons(card(team, n))[Action.REOPEN] == f"{n}:resolved:0"  # state, reopen count

    pinned.advance(minutes=30)  # a journalist picks the story up
    team.slack.command(f"reopen #{n} A journalist picked it up", user_id="U0BOB")
    reply = answer(team, f"#{n} is open again")
    assert reply["response_type"] == "ephemeral" and "(claimed)" in reply["text"]

    # The card, in place: open buttons back, the old summary gone (the timeline keeps it).
    team.emulator.wait_for(lambda: Action.CLAIM in _buttons(card(team, n)))
    shown = blocks_text(card(team, n))
    assert "Claimed" in shown and "<@U0ALICE>" in shown and "Refunds issued" not in shown
    assert Action.REOPEN not in _buttons(card(team, n))
    line = team.emulator.wait_for(
        lambda: next((m for m in thread(team, n) if "is open again" in m["text"]), None)
    )
    assert line["text"] == (
        f"#{n} is open again: reopened by <@U0BOB>: A journalist picked it up. <@U0ALICE> holds it."
    )
    incident = incident_row(team, n)
    assert (incident.status, incident.owner, incident.open_key) == ("claimed", "U0ALICE", "Acme")
    assert incident.resolved_at is None and incident.summary is None
    reopened = next(e for e in timeline(team, n) if e["type"] == "incident.reopened")
    assert (reopened["actor"], reopened["reason"]) == ("U0BOB", "A journalist picked it up")
    assert (reopened["previous"], reopened["status"]) == ("resolved", "claimed")

    # While it is open again, it has no time to resolve: the first close does not count.
    team.slack.command("stats", user_id="U0ALICE")
    text = answer(team, "real incident")["text"]
    assert "Across 1 real incident*" in text and "Median time to resolve: —" in text

    pinned.advance(minutes=20)
    team.slack.command(f"resolve {n} Correction published", user_id="U0ALICE")
    answer_again(team, f"#{n} resolved. ", 1)
    team.slack.command("stats", user_id="U0ALICE")
    text = answer_again(team, "real incident", 1)["text"]
    # One incident, resolved once in the figures: 60 min from the alert to the final resolution.
    assert "Across 1 real incident*" in text
    assert "Median time to claim: 2 min" in text and "Median time to resolve: 60 min" in text
    steps = [e["type"] for e in timeline(team, n)]
    assert steps[-3:] == ["incident.resolved", "incident.reopened", "incident.resolved"]


def test_the_reopen_button_asks_why_then_reopens_a_dismissed_incident(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    click_on(team, card(team, n), Action.DISMISS, "U0BOB")  # type: ignore[arg-type]
    opened_form(team, View.DISMISS_REASON)
    team.slack.submit_view(
        View.DISMISS_REASON, {Block.REASON: {"reason": "a meme"}}, user_id="U0BOB",
        private_metadata=str(n),
    )  # fmt: skip
    team.emulator.wait_for(lambda: Action.REOPEN in _buttons(card(team, n)))
    assert _buttons(card(team, n)) == {
        Action.ADD_FOLLOW_UP: str(n),
        Action.REOPEN: f"{n}:dismissed:0",
    }

    pinned.advance(minutes=40)
    click_on(team, card(team, n), Action.REOPEN, "U0ALICE")  # type: ignore[arg-type]
    form = opened_form(team, View.REOPEN_REASON)
    assert form["private_metadata"] == f"{n}:dismissed:0"
    assert form["title"]["text"] == f"Reopen #{n}"
    response = team.slack.submit_view(
        View.REOPEN_REASON, {Block.REASON: {"reason": "Not a meme: TV news covers it"}},
        user_id="U0ALICE", view_id=form["id"],
    )  # fmt: skip
    assert response.status_code == 200 and not response.content  # the form closes
    answer(team, f"#{n} is open again (open)")
    team.emulator.wait_for(lambda: Action.CLAIM in _buttons(card(team, n)))
    assert "a false positive" not in blocks_text(card(team, n))  # the dismissal's summary
    line = next(m for m in thread(team, n) if "is open again" in m["text"])
    assert line["text"].endswith("Nobody holds it: Claim is on the card.")
    reopened = next(e for e in timeline(team, n) if e["type"] == "incident.reopened")
    assert (reopened["actor"], reopened["reason"], reopened["previous"]) == (
        "U0ALICE", "Not a meme: TV news covers it", "dismissed"
    )  # fmt: skip

    # Nobody holds it: the unclaimed timer counts from the reopen, not from the first alert.
    pinned.advance(minutes=14)
    jobs.run_timers(team.bot)
    assert incident_row(team, n).level == 0
    pinned.advance(minutes=2)
    jobs.run_timers(team.bot)
    team.emulator.wait_for(lambda: any("escalated to" in m["text"] for m in thread(team, n)))
    assert incident_row(team, n).status == "escalated"

    # The review narrates the reopen, and the final state decides: no false positive now.
    team.slack.command(f"resolve {n} Statement out", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    team.emulator.wait_for(lambda: incident_row(team, n).status == "resolved")
    md = _export(team, n, "md")
    assert "Alice Moreau reopened it: Not a meme: TV news covers it." in md
    assert "It was reopened 1 time after it was closed" in md
    assert "It was a false positive" not in md


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("reopen 42", "There is no incident #42"),
        ("reopen {n}", "is open (open): there is nothing to reopen"),
        ("поднови {n}", "is open (open): there is nothing to reopen"),
    ],
)
def test_a_refused_reopen_is_said_to_the_person_and_records_nothing(
    team: Stack, pinned: ManualClock, command: str, expected: str
) -> None:
    n = open_storm(team, pinned)
    before = timeline(team, n)
    team.slack.command(command.format(n=n), user_id="U0ALICE")
    assert answer(team, expected)["response_type"] == "ephemeral"
    assert timeline(team, n) == before


def test_reopen_needs_an_incident_number(team: Stack) -> None:
    response = team.slack.command("reopen soon", user_id="U0ALICE")
    assert response.json()["response_type"] == "ephemeral"
    assert "`reopen`: `soon` is not an incident number" in response.json()["text"]
    help_reply = team.slack.command("help", user_id="U0ALICE").json()["text"]
    assert "`/crisis reopen N [reason]`" in help_reply


def test_a_click_on_a_card_that_changed_meanwhile_is_refused(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    message = card(team, n)
    assert message is not None
    team.slack.command(f"resolve {n}", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    # The card showed it dismissed (two people, two clicks): the state now is another one.
    team.slack.click(
        Action.REOPEN, f"{n}:dismissed", user_id="U0BOB",
        message={"channel": CHANNEL, "ts": message["ts"]},
    )  # fmt: skip
    refused = answer(team, "changed meanwhile: it is now resolved")
    assert refused["response_type"] == "ephemeral"
    team.emulator.wait_for(
        lambda: any("changed meanwhile" in str(v["blocks"]) for v in team.emulator.views.values())
    )
    # The form's submit, when the incident was reopened after the form opened.
    team.slack.command(f"reopen {n}", user_id="U0ALICE")
    answer(team, f"#{n} is open again")
    submitted = team.slack.submit_view(
        View.REOPEN_REASON, {Block.REASON: {"reason": ""}}, user_id="U0BOB",
        private_metadata=f"{n}:resolved",
    )  # fmt: skip
    assert submitted.json()["response_action"] == "errors"
    assert "there is nothing to reopen" in submitted.json()["errors"][Block.REASON]
    assert [e["type"] for e in timeline(team, n)].count("incident.reopened") == 1


def test_a_new_storm_says_it_flares_again_and_holds_the_brand_against_a_reopen(
    team: Stack, pinned: ManualClock
) -> None:
    first = open_storm(team, pinned)
    team.slack.command(f"resolve {first} Handled", user_id="U0ALICE")
    answer(team, f"#{first} resolved")

    # The story flares again, past the volume detector's 6-hour cooldown (aftershocks within it
    # are the same storm, on no new card).
    pinned.advance(hours=9)
    _burst(team, pinned, 400, 30)
    [second] = jobs.detect_storms(team.bot)
    team.emulator.wait_for(lambda: card(team, second))
    flare = f"Flares again: #{first} was resolved 9 h ago."
    assert flare in blocks_text(card(team, second))
    evidence = incident_row(team, second).evidence
    assert evidence["reasons"][0] == flare
    assert evidence["flares_again"]["number"] == first
    opened = next(e for e in timeline(team, second) if e["type"] == "incident.opened")
    assert opened["reasons"][0] == flare

    # One open incident per brand: the old one cannot come back beside the new one.
    team.slack.command(f"reopen {first}", user_id="U0BOB")
    refused = answer(team, f"#{first} cannot be reopened while #{second}")
    assert refused["response_type"] == "ephemeral" and "Acme: mention storm" in refused["text"]
    click_on(team, card(team, first), Action.REOPEN, "U0BOB")  # type: ignore[arg-type]
    team.emulator.wait_for(
        lambda: any(f"while #{second}" in str(v["blocks"]) for v in team.emulator.views.values())
    )
    assert not any(e["type"] == "incident.reopened" for e in timeline(team, first))

    # The team decides it is the same story: close the new one, carry on in the old one.
    team.slack.command(f"resolve {second} Same story as #{first}", user_id="U0ALICE")
    answer(team, f"#{second} resolved")
    team.slack.command(f"reopen {first} Same story", user_id="U0ALICE")
    answer(team, f"#{first} is open again")
    assert incident_row(team, first).open_key == "Acme"


def test_a_storm_opened_while_reopening_wins_and_is_named(team: Stack, pinned: ManualClock) -> None:
    """The unique open_key decides a race between a detection pass and a reopen: the storm's
    incident, written first, stays; the reopen is refused naming it (on PostgreSQL the reopen's
    own check cannot see the uncommitted incident: the unique index catches it)."""
    n = open_storm(team, pinned)
    team.slack.command(f"resolve {n}", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    written = threading.Event()
    opened: list[int] = []

    def detection_pass() -> None:
        with team.bot.transaction() as session:
            other = incidents.open_incident(
                session, brand="Acme", title="Acme: mention storm", severity="high",
                evidence={"reasons": []}, first_mention_at=None, channel=CHANNEL,
                now=pinned(),
            )  # fmt: skip
            assert other is not None
            opened.append(other.id)
            written.set()
            time.sleep(0.5)  # the reopen arrives while this is not committed yet

    runner = threading.Thread(target=detection_pass)
    runner.start()
    written.wait(timeout=5)
    team.slack.command(f"reopen {n}", user_id="U0BOB")
    runner.join()
    answer(team, f"#{n} cannot be reopened while #{opened[0]}")
    assert incident_row(team, n).status == "resolved"


def test_a_drill_reopens_beside_a_real_incident_and_says_drill(
    team: Stack, pinned: ManualClock
) -> None:
    team.slack.command("drill", user_id="U0ALICE")
    answer(team, "DRILL #1 started")
    team.emulator.wait_for(lambda: card(team, 1))
    team.slack.command("resolve 1 practice over", user_id="U0ALICE")
    answer(team, "#1 resolved")
    real = open_storm(team, pinned, brand=incident_row(team, 1).brand or "")
    team.slack.command("reopen 1 once more", user_id="U0ALICE")
    answer(team, "#1 is open again")
    drill = incident_row(team, 1)
    assert drill.is_open and drill.open_key is None and incident_row(team, real).is_open
    line = team.emulator.wait_for(
        lambda: next((m for m in thread(team, 1) if "is open again" in m["text"]), None)
    )
    assert line["text"].startswith("DRILL · #1 is open again")


def test_every_export_and_the_report_after_a_reopen(team: Stack, pinned: ManualClock) -> None:
    n = open_storm(team, pinned)
    opened_at = pinned()
    pinned.advance(minutes=5)
    team.slack.command(f"resolve {n} First close", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    pinned.advance(minutes=25)
    team.slack.command(f"reopen {n} Back in the news", user_id="U0BOB")
    answer(team, f"#{n} is open again")
    pinned.advance(minutes=30)
    team.slack.command(f"resolve {n} Final close", user_id="U0ALICE")
    answer_again(team, f"#{n} resolved. ", 1)
    team.emulator.wait_for(lambda: Action.REOPEN in _buttons(card(team, n)))

    data = json.loads(_export(team, n, "json"))
    assert data["incident"]["metrics"]["time_to_resolve"] == 60 * 60  # to the final close
    assert data["incident"]["summary"] == "Final close"
    reopened = [e for e in data["events"] if e["type"] == "incident.reopened"]
    assert [(e["actor"], e["reason"], e["previous"]) for e in reopened] == [
        ("U0BOB", "Back in the news", "resolved")
    ]
    rows = list(csv.DictReader(io.StringIO(_export(team, n, "csv"))))
    row = next(r for r in rows if r["type"] == "incident.reopened")
    assert row["actor"] == "U0BOB" and json.loads(row["details"])["reason"] == "Back in the news"
    md = _export(team, n, "md")
    assert "| Time to resolve | 60 min |" in md and "`incident.reopened`" in md
    assert "Bob Tanaka reopened it: Back in the news." in md
    page = _export(team, n, "html")
    assert "reopened it: Back in the news." in page and "It was reopened 1 time" in page

    with team.bot.sessions() as session:
        period = report.build(
            session, since=opened_at - timedelta(hours=1), until=pinned() + timedelta(hours=1)
        )
    assert [r.number for r in period.rows] == [n]  # one incident, counted once
    assert period.medians()["time_to_resolve"] == timedelta(minutes=60)


def _reopened_once(stack: Stack, clock: ManualClock, words: dict[str, str]) -> int:
    """A storm resolved after 5 min, reopened 25 min later, resolved again 30 min after that.

    Each step waits for its own command's answer, given once the change is committed, before
    the clock moves or the next command goes: the card's buttons are no such sign, since the
    courier updates the card later (right after the reopen the card could still show the open
    buttons of before the first close, and after the last close the REOPEN button of the first),
    and the commands run on the listener pool, so the next one, or the test's /crisis stats,
    could overtake them."""
    n = open_storm(stack, clock)
    clock.advance(minutes=5)
    stack.slack.command(f"{words['resolve']} {n} First close", user_id="U0ALICE")
    answer_again(stack, f"#{n} {words['resolved']}", 0)
    clock.advance(minutes=25)
    stack.slack.command(f"{words['reopen']} {n} Back in the news", user_id="U0BOB")
    answer_again(stack, f"#{n} {words['reopened']}", 0)
    clock.advance(minutes=30)
    stack.slack.command(f"{words['resolve']} {n} Final close", user_id="U0ALICE")
    answer_again(stack, f"#{n} {words['resolved']}", 1)
    return n


# The commands and the start of their answers ("#1 resolved. …", "#1 is open again (claimed).").
ENGLISH = {"resolve": "resolve", "resolved": "resolved", "reopen": "reopen",
           "reopened": "is open again"}  # fmt: skip
BULGARIAN = {"resolve": "приключи", "resolved": "е приключен", "reopen": "поднови",
             "reopened": "е отворен отново"}  # fmt: skip


def _period(stack: Stack, clock: ManualClock) -> report.Report:
    with stack.bot.sessions() as session:
        return report.build(
            session, since=START - timedelta(hours=1), until=clock() + timedelta(hours=1)
        )


def _written(period: report.Report, locale: str) -> tuple[str, str, str]:
    md, page = io.StringIO(), io.StringIO()
    with i18n.using(locale):
        report.write_markdown(period, md)
        report.write_html(period, page)
        return md.getvalue(), page.getvalue(), report.slack_summary(period)


def test_stats_the_report_and_the_digest_count_a_reopened_incident(
    team: Stack, pinned: ManualClock
) -> None:
    """They counted incidents, dismissed ones and times, but not the ones closed too early and
    reopened (`incident.reopened`)."""
    n = _reopened_once(team, pinned, ENGLISH)
    team.slack.command("stats", user_id="U0ALICE")
    text = answer(team, "real incident")["text"]
    assert "• Reopened after a close: 100% (1)" in text

    md, page, digest = _written(_period(team, pinned), "en")
    assert "- **Reopened after a close:** 100% (1 of 1)\n" in md
    assert "| Brand | Real incidents | Dismissed | Claim | Resolve | Reopened |" in md
    assert "| Acme | 1 | 0 | — | 60 min | 1 |" in md
    assert f"| {n} | " in md and "| resolved, reopened once |" in md
    assert "100% reopened after a close (1)" in page and "<th>Reopened</th>" in page
    assert "<td>resolved, reopened once</td>" in page
    assert "• Reopened after a close: 100% (1)" in digest


def test_a_bulgarian_team_reads_the_reopened_count_in_bulgarian(
    database_url: str, pinned: ManualClock
) -> None:
    s = start_stack(database_url, clock=pinned, config=replace(PLAYBOOK, locale="bg"))
    try:
        _reopened_once(s, pinned, BULGARIAN)
        s.slack.command("статистика", user_id="U0ALICE")
        text = answer(s, "реален инцидент")["text"]
        assert "• Подновени след приключване: 100\u00a0% (1)" in text
        md, page, digest = _written(_period(s, pinned), "bg")
    finally:
        s.stop()
    assert "- **Подновени след приключване:** 100\u00a0% (1 от 1)\n" in md
    assert "| Отхвърлени | Поемане | Приключване | Подновени |" in md
    assert "| приключен, подновен веднъж |" in md
    assert "100\u00a0% подновени след приключване (1)" in page
    assert "• Подновени след приключване: 100\u00a0% (1)" in digest


def _export(stack: Stack, number: int, fmt: str) -> str:
    out = io.StringIO()
    with stack.bot.sessions() as session:
        export.write(session, number, fmt, out, name_of=stack.bot.gateway.user_name, now=START)
    return out.getvalue()


def test_a_bulgarian_team_reopens_in_bulgarian(database_url: str, pinned: ManualClock) -> None:
    s = start_stack(database_url, clock=pinned, config=replace(PLAYBOOK, locale="bg"))
    try:
        n = open_storm(s, pinned)
        s.slack.command(f"приключи {n}", user_id="U0ALICE")
        answer(s, f"#{n} е приключен")
        s.slack.command(f"поднови {n} Медиите пак пишат", user_id="U0BOB")
        assert answer(s, f"#{n} е отворен отново (отворен)")["response_type"] == "ephemeral"
        line = s.emulator.wait_for(
            lambda: next((m for m in thread(s, n) if "отворен отново" in m["text"]), None)
        )
        assert line["text"] == (
            f"#{n} е отворен отново: подновен от <@U0BOB>: Медиите пак пишат. Никой не отговаря "
            "за него: бутонът „Поемам“ е на картата."
        )
        s.emulator.wait_for(lambda: Action.CLAIM in _buttons(card(s, n)))
        s.slack.command(f"поднови {n}", user_id="U0BOB")
        answer(s, "няма какво да се подновява")
    finally:
        s.stop()


def test_a_draft_left_pending_at_the_close_can_be_decided_again(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    team.slack.command(f"draft {n} We are looking into it.", user_id="U0ALICE")
    team.emulator.wait_for(lambda: drafts_in_thread(team, n))
    team.slack.command(f"resolve {n}", user_id="U0ALICE")
    team.emulator.wait_for(lambda: "Never decided" in blocks_text(drafts_in_thread(team, n)[0]))
    assert Action.APPROVE not in blocks_text(drafts_in_thread(team, n)[0])
    team.slack.command(f"reopen {n}", user_id="U0ALICE")
    team.emulator.wait_for(lambda: Action.APPROVE in blocks_text(drafts_in_thread(team, n)[0]))
    click_on(team, drafts_in_thread(team, n)[0], Action.APPROVE, "U0CAROL")
    answer(team, "approved")
    team.emulator.wait_for(lambda: "Ready to copy" in blocks_text(drafts_in_thread(team, n)[0]))
