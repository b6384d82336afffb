"""Today's features tried together from outside (qatoday), as an agency with three clients meets
them: a client renamed with `formerly` (rename), each person's clients on the Home tab and in
the Declare form (homescope), the connectors' fixes (qasources) and YouTube replies
(ytreplies). What held is kept here as a record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot import jobs
from bot.core.clock import ManualClock
from bot.emulator import SlackEmulator
from bot.slack.ids import Action, Block, View
from bot.testing import Stack, sample_storm, start_stack
from tests.bot.flow import answer, declare_values, incident_row, new_form, open_storm, view_ids
from tests.bot.test_agency_qa import _restart
from tests.bot.test_home_clients import ACME_ROOM, AGENCY, WORKSPACE, _brand_element

RENAMED = replace(
    AGENCY,
    brands=(replace(AGENCY.brands[0], name="ACME Group", formerly=("Acme",)), *AGENCY.brands[1:]),
)


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator(workspace=WORKSPACE).start()
    yield emu
    emu.stop()


def _said(s: Stack, command: str, user: str, channel: str) -> str:
    before = len(s.emulator.responses)
    s.slack.command(command, user_id=user, channel_id=channel)
    s.emulator.wait_for(lambda: len(s.emulator.responses) > before)
    return str(s.emulator.responses[-1]["payload"]["text"])


def _renamed_stack(database_url: str, clock: ManualClock, emulator: SlackEmulator) -> Stack:
    """Acme's week of calm mentions recorded under "Acme", then the bot restarted with Acme
    renamed "ACME Group" (`formerly = ["Acme"]`)."""
    now = clock()
    calm = [r for r in sample_storm(now, brand="Acme")
            if r["created_at"] < (now - timedelta(minutes=40)).isoformat()]  # fmt: skip
    s = start_stack(database_url, clock=clock, config=AGENCY, emulator=emulator)
    assert s.push(calm).json()["new"] == len(calm)
    return _restart(s, database_url, clock, RENAMED)


POST = (
    "Acme lost my bag again & nobody at the desk would even look for it. Three hours now at the "
    "airport with a toddler and no stroller. Never flying Acme again"
)


def _reposted_storm(now: Any) -> list[dict[str, Any]]:
    """One complaint on X by a small account, reposted 60 times (X cuts a repost's text with
    "…"; one reposter has 2 million followers), and 30 YouTube replies under it. Some records
    still name the client's old name, as a sender not yet told of the rename would."""
    at = now - timedelta(minutes=39)
    records = [{"id": "x-1", "source": "x", "text": POST, "created_at": at.isoformat(),
                "author": "jane", "author_followers": 800, "brand": "Acme"}]  # fmt: skip
    for k in range(60):
        records.append({
            "id": f"x-rt-{k}", "source": "x", "text": f"RT @jane: {POST[:110]}…",
            "created_at": (at + timedelta(seconds=30 * (k + 1))).isoformat(),
            "author": f"fan{k}", "author_followers": 2_000_000 if k == 5 else 50,
            "brand": "ACME Group",
        })  # fmt: skip
    for k in range(30):
        records.append({
            "id": f"yt-{k}", "source": "youtube",
            "text": f"@jane same here, Acme lost my luggage too, {k} hours and counting",
            "created_at": (at + timedelta(seconds=40 * (k + 1))).isoformat(),
            "author": f"viewer{k}", "brand": "ACME Group",
        })  # fmt: skip
    return records


def test_a_storm_of_reposts_and_replies_quotes_the_post_whole_once(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    s = _renamed_stack(database_url, pinned, emulator)
    try:
        assert s.push(_reposted_storm(pinned())).json()["new"] == 91
        [n] = jobs.detect_storms(s.bot)
        emulator.wait_for(lambda: incident_row(s, n).message_ts is not None)
        row = incident_row(s, n)
        assert (row.brand, row.channel) == ("ACME Group", ACME_ROOM)
        [card] = [m for m in emulator.messages(ACME_ROOM) if m["ts"] == row.message_ts]
        said = json.dumps(card["blocks"], ensure_ascii=False)
        # The reposter's reach is in the reasons; the quote is the post, whole, once.
        assert "High-reach post by fan5 (2,000,000 followers, negative)" in said
        sections = [b["text"]["text"] for b in card["blocks"] if "text" in b]
        quotes = [q for q in sections if "\n> " in q]
        assert sum("lost my bag again" in q for q in quotes) == 1, quotes
        assert "Never flying Acme again" in said and "RT @jane" not in said
        assert any("same here" in q for q in quotes)  # the YouTube replies are quoted too
    finally:
        s.stop()


def test_a_declare_form_opened_before_the_rename_is_taken_for_the_renamed_client(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    s = start_stack(database_url, clock=pinned, config=AGENCY, emulator=emulator)
    n = open_storm(s, pinned, brand="Acme")
    known = view_ids(s)
    s.slack.click(Action.DECLARE, user_id="U0ERIN")  # Erin's form lists "Acme"
    form = new_form(s, View.DECLARE, known)
    assert [o["value"] for o in _brand_element(form)["options"]] == ["Acme"]
    s = _restart(s, database_url, pinned, RENAMED)  # she submits it after the restart
    try:
        sent = s.slack.submit_view(
            View.DECLARE, declare_values("Leak", "Acme"), user_id="U0ERIN", view_id=form["id"]
        )
        # Her client by its old name: refused only because its incident is open (before, as
        # a client that is not hers).
        assert sent.json()["errors"] == {
            Block.DECLARE_TEXT: f"ACME Group already has incident #{n} open: add to it "
            f"(`/crisis note {n} …`), or resolve it first."
        }
        s.slack.command(f"resolve {n} Bags found", user_id="U0ALICE", channel_id=ACME_ROOM)
        answer(s, "resolved")
        sent = s.slack.submit_view(
            View.DECLARE, declare_values("Leak", "Acme"), user_id="U0ERIN", view_id=form["id"]
        )
        assert sent.status_code == 200 and sent.content == b""
        told = answer(s, "declared: Leak")["text"]
        declared = incident_row(s, int(told.split()[0].lstrip("#")))
        assert (declared.brand, declared.channel) == ("ACME Group", ACME_ROOM)
    finally:
        s.stop()
