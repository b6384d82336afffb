"""Due dates of `/crisis followup` as people type them: the bot's own Bulgarian day format, a day
and a time, full-width digits, "tomorrow". Each is read on the team's clock, or refused in the
answer; none is silently left in the action's text without a due date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.testing import Stack, start_stack
from models import FollowUp
from tests.bot.flow import answer, open_storm

# 01:30 on the 19th in Sofia (EET, UTC+2), still the 18th in UTC: "today" is the team's day.
START = datetime(2026, 11, 18, 23, 30, tzinfo=UTC)
DAY_END = datetime(2026, 12, 11, 22, 0, tzinfo=UTC)  # midnight after 2026-12-11 in Sofia
AT_FIVE = datetime(2026, 12, 11, 15, 0, tzinfo=UTC)  # 17:00 in Sofia


@pytest.fixture
def team(database_url: str) -> Iterator[Stack]:
    s = start_stack(database_url, clock=ManualClock(START), config=Config(timezone="Europe/Sofia"))
    yield s
    s.stop()


def _follow_ups(stack: Stack) -> list[FollowUp]:
    with stack.bot.sessions() as session:
        return list(session.query(FollowUp).order_by(FollowUp.id))


@pytest.mark.parametrize(
    ("due", "at", "whole_day"),
    [
        ("by 2026-12-11", DAY_END, True),
        ("by ２０２６-１２-１１", DAY_END, True),  # a Japanese or Chinese keyboard's digits
        ("by 20261211", DAY_END, True),  # ISO without dashes: a day, due at its end
        ("до 11.12.2026", DAY_END, True),  # as the bot writes a day in Bulgarian
        ("by 11.12.2026", DAY_END, True),
        ("by 2026-12-11 17:00", AT_FIVE, False),
        ("до 11.12.2026 17:00", AT_FIVE, False),
        ("by 2026-12-11T17:00", AT_FIVE, False),
        ("by tomorrow", datetime(2026, 11, 20, 22, 0, tzinfo=UTC), True),
        ("до утре", datetime(2026, 11, 20, 22, 0, tzinfo=UTC), True),
        ("by Today", datetime(2026, 11, 19, 22, 0, tzinfo=UTC), True),
        ("до днес", datetime(2026, 11, 19, 22, 0, tzinfo=UTC), True),
    ],
)
def test_a_due_date_as_people_type_it(team: Stack, due: str, at: datetime, whole_day: bool) -> None:
    n = open_storm(team, team.bot.clock)  # type: ignore[arg-type]
    team.slack.command(f"followup {n} <@U0BOB> Update the FAQ {due}", user_id="U0ALICE")
    answer(team, "Follow-up F1 added")
    (added,) = _follow_ups(team)
    assert (added.text, added.due_at, added.due_whole_day) == ("Update the FAQ", at, whole_day)


@pytest.mark.parametrize(
    ("due", "needle"),
    [
        ("by 31.02.2027", "`31.02.2027` is not a date"),
        ("by 2027-02-31", "`2027-02-31` is not a date"),
        ("by 2027-12-11 25:00", "is not a date"),
        ("by 2026-11-18", "is already past"),  # the 18th is over in Sofia
        ("by yesterday", None),  # not a date word: part of the action, as "by phone" is
    ],
)
def test_a_due_date_that_cannot_be_is_refused(team: Stack, due: str, needle: str | None) -> None:
    n = open_storm(team, team.bot.clock)  # type: ignore[arg-type]
    response = team.slack.command(f"followup {n} <@U0BOB> Update the FAQ {due}", user_id="U0ALICE")
    if needle is None:
        answer(team, "Follow-up F1 added to")
        (added,) = _follow_ups(team)
        assert (added.text, added.due_at) == (f"Update the FAQ {due}", None)
        return
    said = response.json()["text"] if response.content else answer(team, needle)["text"]
    assert needle in said
    assert _follow_ups(team) == []
