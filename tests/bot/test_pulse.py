"""An open incident's card says how its storm goes now ("*Now* …: rising · 90 mentions in the last
hour (usually about 1; …)"), renewed every 15 minutes or at once when the storm turns, and says
when the brand is back to its usual level: the team sees whether its response works and when the
story has died down. A measure, not a step: no timeline event."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from bot import jobs
from bot.core.clock import ManualClock
from bot.testing import Stack, start_stack
from detectors.storm import pulse_trend
from tests.bot.flow import (
    PINNED_START,
    answer,
    blocks_text,
    card,
    incident_row,
    open_storm,
    timeline,
)
from tests.bot.test_response import PLAYBOOK

START = PINNED_START


def _now_line(stack: Stack, number: int) -> str | None:
    for block in (card(stack, number) or {}).get("blocks", []):
        for element in block.get("elements", []) if block["type"] == "context" else []:
            if element.get("text", "").startswith("*Now*"):
                return str(element["text"])
    return None


def _updates(stack: Stack) -> int:
    return len(stack.emulator.calls("chat.update"))


def test_pulse_trend() -> None:
    assert pulse_trend(3, 2.5, 1) == "usual"  # within the noise of what is expected
    assert pulse_trend(90, 1.2, 1) == "rising"
    assert pulse_trend(40, 1.2, 90) == "easing"
    assert pulse_trend(60, 1.2, 62) == "steady"
    assert pulse_trend(60, 1.2, None) == "steady"  # no hour before it to compare with
    assert pulse_trend(5, 0.2, 3) == "steady"  # 3 -> 5 on a quiet brand is no trend


def test_the_card_shows_how_the_storm_goes_and_when_it_is_over(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    assert _now_line(team, n) is None  # the alert's own figures are fresh

    pinned.advance(minutes=10)
    jobs.detect_storms(team.bot)
    assert "pulse" not in incident_row(team, n).evidence  # not within 15 minutes of the alert

    pinned.advance(minutes=10)
    jobs.detect_storms(team.bot)
    line = team.emulator.wait_for(lambda: _now_line(team, n))
    assert re.fullmatch(
        r"\*Now\* \(2026-11-18 09:20 UTC\): :chart_with_upwards_trend: rising · \d+ mentions in "
        r"the last hour \(usually about \d+; \d+ the hour before\) · \d+% negative",
        line,
    ), line
    pulse = incident_row(team, n).evidence["pulse"]
    assert pulse["trend"] == "rising" and pulse["observed"] >= 60 and pulse["previous"] <= 5
    # The share is the last hour's own, whatever the detection window (window_minutes).
    assert 0 < pulse["negatives"] <= pulse["observed"]
    assert f" · {round(100 * pulse['negatives'] / pulse['observed'])}% negative" in line
    assert "pulse" not in {e["type"] for e in timeline(team, n)}  # a measure, not a step

    # Within 15 minutes and the same trend: the card is left alone.
    updates = _updates(team)
    pinned.advance(minutes=2)
    jobs.detect_storms(team.bot)
    team.bot.kick()
    assert _updates(team) == updates

    # Hours later, nothing new: back to the usual level, said at once.
    pinned.advance(hours=3)
    jobs.detect_storms(team.bot)
    line = team.emulator.wait_for(lambda: (_now_line(team, n) or "").count("usual level") and
                                  _now_line(team, n))  # fmt: skip
    assert ":white_check_mark: back to its usual level · 0 mentions in the last hour" in line
    assert "% negative" not in line  # no mentions, no share

    team.slack.command(f"resolve {n} It died down", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    team.emulator.wait_for(lambda: "Resolved" in blocks_text(card(team, n)))
    assert _now_line(team, n) is None  # a closed card says nothing about now


def test_a_bulgarian_card_reads_the_pulse_in_bulgarian(
    database_url: str, pinned: ManualClock
) -> None:
    stack = start_stack(
        database_url, clock=pinned,
        config=replace(PLAYBOOK, locale="bg", timezone="Europe/Sofia"),
    )  # fmt: skip
    try:
        n = open_storm(stack, pinned)
        pinned.advance(minutes=20)
        jobs.detect_storms(stack.bot)
        line = stack.emulator.wait_for(
            lambda: next(
                (
                    e["text"]
                    for b in (card(stack, n) or {}).get("blocks", [])
                    if b["type"] == "context"
                    for e in b["elements"]
                    if e.get("text", "").startswith("*Сега*")
                ),
                None,
            )
        )
        assert re.fullmatch(
            r"\*Сега\* \(18\.11\.2026 11:20 EET\): :chart_with_upwards_trend: расте · \d+ "
            r"споменавания за последния час \(обичайно около \d+; \d+ в предходния час\) · "
            r"\d+\u00a0% негативни",
            line,
        ), line
    finally:
        stack.stop()


def test_a_new_alert_on_the_storm_keeps_the_pulse(team: Stack, pinned: ManualClock) -> None:
    from bot.response import incidents

    n = open_storm(team, pinned)
    pinned.advance(minutes=20)
    jobs.detect_storms(team.bot)
    team.emulator.wait_for(lambda: _now_line(team, n))
    with team.bot.transaction() as session:
        grown = incidents.storm_grew(
            session, n, first_mention_at=None, now=pinned(),
            evidence={"alert_at": pinned().isoformat(), "reasons": ["Mentions 6.0x the usual"]},
        )  # fmt: skip
        assert grown is not None
    assert "pulse" in incident_row(team, n).evidence
    assert timedelta(0) <= pinned() - START


def test_crisis_status_says_how_the_storm_goes_and_when_stakeholders_last_heard(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    pinned.advance(minutes=20)
    jobs.detect_storms(team.bot)
    team.slack.command(f"update {n} Refunds are automatic; next update at 11:00", user_id="U0BOB")
    answer(team, "Update posted")
    team.slack.command(f"status {n}", user_id="U0ALICE")
    status = answer(team, "Time to detect")["text"]
    assert "*Now* (2026-11-18 09:20 UTC): :chart_with_upwards_trend: rising" in status
    assert ":mega: Last update 2026-11-18 09:20 UTC by <@U0BOB>" in status


def test_a_reopened_card_drops_the_pulse_it_had_before_the_close(
    team: Stack, pinned: ManualClock
) -> None:
    """Reopened days later, the card said "*Now* (two days ago): rising · 91 mentions in the
    last hour" until a pass renewed it, or for good when the brand is quiet: not now at all."""
    n = open_storm(team, pinned)
    pinned.advance(minutes=20)
    jobs.detect_storms(team.bot)
    team.emulator.wait_for(lambda: _now_line(team, n))
    team.slack.command(f"resolve {n} It died down", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    pinned.advance(days=2)
    team.slack.command(f"reopen {n} A TV report brought it back", user_id="U0ALICE")
    answer(team, f"#{n} is open again")
    team.emulator.wait_for(lambda: "Resolved" not in blocks_text(card(team, n)))
    assert ":rotating_light: *Open*" in blocks_text(card(team, n))
    assert _now_line(team, n) is None
    assert "pulse" not in incident_row(team, n).evidence
    # The next pass measures the storm as it is now.
    jobs.detect_storms(team.bot)
    line = team.emulator.wait_for(lambda: _now_line(team, n))
    assert "(2026-11-20 09:20 UTC): :white_check_mark: back to its usual level" in line
