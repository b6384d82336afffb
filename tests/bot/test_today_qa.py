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
from bot.slack import audience
from bot.slack.ids import Action, Block, View
from bot.testing import CHANNEL, Stack, sample_storm, start_stack
from tests.bot.flow import answer, declare_values, incident_row, new_form, open_storm, view_ids
from tests.bot.test_agency_qa import _restart
from tests.bot.test_home import _open_home, _text
from tests.bot.test_home_clients import (
    ACME_ROOM,
    AGENCY,
    GLOBEX_ROOM,
    STAFF,
    WORKSPACE,
    _brand_element,
)

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


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_a_renamed_clients_person_meets_its_open_incident_in_every_door(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator, locale: str
) -> None:
    """What held: the incident opened under "Acme" before the rename is ACME Group's (listed
    under the name it was recorded with, "Acme") on Erin's Home tab, in her Declare form's
    refusal, in `/crisis list/status/stats/sources` typed in the client's channel, and in the
    HTML report (named "ACME Group (formerly Acme)")."""
    s = start_stack(database_url, clock=pinned, config=replace(AGENCY, locale=locale),
                    emulator=emulator)  # fmt: skip
    n = open_storm(s, pinned, brand="Acme")
    globex = open_storm(s, pinned, brand="Globex")
    s = _restart(s, database_url, pinned, replace(RENAMED, locale=locale))
    try:
        home = _text(_open_home(s, "U0ERIN"))
        assert f"#{n} Acme" in home and "*ACME Group*" in home and "Globex" not in home
        known = view_ids(s)
        s.slack.click(Action.DECLARE, user_id="U0ERIN")
        form = new_form(s, View.DECLARE, known)
        element = _brand_element(form)
        assert [o["value"] for o in element["options"]] == ["ACME Group"]
        assert element["initial_option"]["value"] == "ACME Group"
        sent = s.slack.submit_view(View.DECLARE, declare_values("Leak", "ACME Group"),
                                   user_id="U0ERIN", view_id=form["id"])  # fmt: skip
        refusal = sent.json()["errors"][Block.DECLARE_TEXT]
        assert refusal.startswith("ACME Group ") and f"#{n}" in refusal
        listed = _said(s, "list", "U0ERIN", ACME_ROOM)
        assert f"*#{n}*" in listed and f"#{globex}" not in listed
        assert f"*#{n}*" in _said(s, f"status {n}", "U0ERIN", ACME_ROOM)
        stats = _said(s, "stats", "U0ERIN", ACME_ROOM)
        assert stats.startswith("*Across 1 real incident" if locale == "en" else "*")
        assert " 1 " in stats
        assert "ACME Group" in _said(s, "sources", "U0ERIN", ACME_ROOM)
        _said(s, f"export {n} html", "U0ERIN", ACME_ROOM)
        [report] = emulator.wait_for(lambda: list(emulator.files.values()))
        formerly = "ACME Group (formerly Acme)" if locale == "en" else "ACME Group (по-рано Acme)"
        assert formerly in report["content"].decode()
        assert (report["channel"], report["thread_ts"]) == (
            ACME_ROOM,
            incident_row(s, n).message_ts,
        )
        # In Globex's channel, Acme's number is refused as another channel's.
        assert f"#{n}" in _said(s, f"status {n}", "U0GINA", GLOBEX_ROOM)
        assert "mention storm" not in _said(s, f"status {n}", "U0GINA", GLOBEX_ROOM)
    finally:
        s.stop()


def test_staff_moved_out_of_the_crisis_channel_see_their_clients_once_the_minute_is_over(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What held: Alice, the agency's (in the crisis channel, Acme's and Globex's), goes on
    seeing every client within the minute; once it is over, the renamed client and Globex
    only, on her tab and in her Declare form; back in, everything again."""
    s = start_stack(database_url, clock=pinned, config=AGENCY, emulator=emulator)
    numbers = {b: open_storm(s, pinned, brand=b) for b in ("Acme", "Globex", "Initech")}
    s = _restart(s, database_url, pinned, RENAMED)
    try:
        assert f"#{numbers['Initech']} Initech" in _text(_open_home(s, "U0ALICE"))
        emulator.set_members(CHANNEL, STAFF - {"U0ALICE"})
        assert f"#{numbers['Initech']} Initech" in _text(_open_home(s, "U0ALICE"))  # cached
        monkeypatch.setattr(audience, "MEMBERSHIP_SECONDS", 0.0)  # the minute is over
        alice = _text(_open_home(s, "U0ALICE"))
        assert "Initech" not in alice and "*ACME Group*, *Globex*" in alice
        assert f"#{numbers['Acme']} Acme" in alice and f"#{numbers['Globex']} Globex" in alice
        known = view_ids(s)
        s.slack.click(Action.DECLARE, user_id="U0ALICE")
        form = new_form(s, View.DECLARE, known)
        assert [o["value"] for o in _brand_element(form)["options"]] == ["ACME Group", "Globex"]
        emulator.set_members(CHANNEL, STAFF)
        assert f"#{numbers['Initech']} Initech" in _text(_open_home(s, "U0ALICE"))
    finally:
        s.stop()


def test_a_youtube_storm_polled_across_a_restart_is_stored_once_and_alerted_in_the_clients_room(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    """What held: the renamed client's YouTube source read by a worker restarted mid-storm:
    the replies under the complaint, read inline and with comments.list, are stored once across
    the restart (the cursor carries the threads it tracks) and open ACME Group's incident in
    its own channel."""
    from sqlalchemy import func, select

    from bot.core.config import SourceConfig
    from models import Mention
    from tests.bot.conftest import poll_once
    from tests.local_server import serving
    from tests.sources.test_youtube_replies import KEY, YouTube, _handler

    def keyed(s: Stack) -> Stack:  # the worker's environment holds the API key
        s.bot.settings = replace(s.bot.settings, extra={"YOUTUBE_API_KEY": KEY})
        return s

    fake = YouTube()
    now = pinned()
    with serving(_handler(fake)) as base_url:
        source = SourceConfig(
            "youtube", "yt-acme", brand="ACME Group", interval=60,
            base_url=base_url + "/youtube/v3", credentials={"api_key": "YOUTUBE_API_KEY"},
            options={"channel_id": "UCacmeAirlinesOfficial00"},
        )  # fmt: skip
        config = replace(RENAMED, sources=(source,))
        s = _renamed_stack(database_url, pinned, emulator)
        s = keyed(_restart(s, database_url, pinned, config))
        try:
            complaint = fake.thread(1, now - timedelta(minutes=30))
            complaint.text = "Acme lost my bag and refuses a refund, a scam"
            poll_once(s.bot)  # the first poll: the complaint, the cursor stored

            def replies(k: int) -> None:
                for _ in range(k):
                    pinned.advance(seconds=20)
                    fake.reply(complaint, pinned())
                    complaint.replies[
                        -1
                    ].text = f"Acme lost mine too, refund refused, scam ({len(complaint.replies)})"

            replies(12)
            poll_once(s.bot)
            replies(14)
            s = keyed(_restart(s, database_url, pinned, config))  # restarted mid-storm
            poll_once(s.bot)
            replies(6)
            poll_once(s.bot)
            with s.bot.sessions() as session:
                stored = dict(
                    session.execute(
                        select(Mention.external_id, func.count())
                        .where(Mention.source == "youtube")
                        .group_by(Mention.external_id)
                    ).all()
                )
            assert len(stored) == 33 and set(stored.values()) == {1}
            # Judged once its bins have settled (observed: 10 minutes after the last reply).
            pinned.advance(minutes=10)
            [n] = jobs.detect_storms(s.bot)
            emulator.wait_for(lambda: incident_row(s, n).message_ts is not None)
            row = incident_row(s, n)
            assert (row.brand, row.channel) == ("ACME Group", ACME_ROOM)
        finally:
            s.stop()
