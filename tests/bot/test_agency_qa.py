"""An agency's three clients tried together from outside (qaagency): Acme with its own
channel, leaders' channel, approvers and people to page; Globex with its own channel and
approver; Initech with none. What went wrong when the features met is held here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot import jobs
from bot.core.clock import ManualClock
from bot.core.config import Brand, Config
from bot.emulator import SlackEmulator
from bot.emulator.state import DEFAULT_GROUP_NAMES, DEFAULT_GROUPS, DEFAULT_USERS, Workspace
from bot.slack.ids import Action
from bot.testing import CHANNEL, Stack, start_stack
from tests.bot.flow import answer, incident_row, open_storm, timeline
from tests.bot.test_response import PLAYBOOK

ACME_ROOM, ACME_LEADS, GLOBEX_ROOM, AGENCY_LEADS = "C0ACME", "C0ACMELEAD", "C0GLOBEX", "C0AGLEAD"
AGENCY = replace(
    PLAYBOOK,
    updates_channel=AGENCY_LEADS,
    brands=(
        Brand("Acme", terms=("Acme",), channel=ACME_ROOM, updates_channel=ACME_LEADS,
              approvers=("U0DAN", "S0ACME"), notify=(("Comms lead", ("S0ACME",)),)),
        Brand("Globex", terms=("Globex",), channel=GLOBEX_ROOM, approvers=("U0GINA",)),
        Brand("Initech", terms=("Initech",)),
    ),
)  # fmt: skip
WORKSPACE = Workspace(
    strict_channels=True,
    users={**DEFAULT_USERS, "U0ERIN": "Erin Petrova", "U0GINA": "Gina Marsh"},
    groups={**DEFAULT_GROUPS, "S0ACME": ["U0ERIN"]},
    group_names={**DEFAULT_GROUP_NAMES, "S0ACME": "Acme approvers"},
    channels={CHANNEL: "crisis-room", ACME_ROOM: "acme-crisis", ACME_LEADS: "acme-leaders",
              GLOBEX_ROOM: "globex-crisis", AGENCY_LEADS: "agency-leaders"},
)  # fmt: skip


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator(workspace=WORKSPACE).start()
    yield emu
    emu.stop()


def _start(database_url: str, clock: ManualClock, emu: SlackEmulator, config: Config) -> Stack:
    return start_stack(database_url, clock=clock, config=config, emulator=emu)


def _restart(s: Stack, database_url: str, clock: ManualClock, config: Config) -> Stack:
    """The bot restarted with a changed playbook; the same Slack and database."""
    s.slack.close()
    s.server.stop()
    s.bot.close()
    return _start(database_url, clock, s.emulator, config)


def _thread(emu: SlackEmulator, channel: str) -> list[dict[str, Any]]:
    return [m for m in emu.messages(channel) if m.get("thread_ts") not in (None, m["ts"])]


def _drafts(emu: SlackEmulator, channel: str) -> list[dict[str, Any]]:
    return [m for m in emu.messages(channel) if Action.APPROVE in str(m.get("blocks"))]


def _click(s: Stack, channel: str, message: dict[str, Any], action: str, user: str) -> None:
    value = next(e["value"] for b in message["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == action)  # fmt: skip
    where = {"channel": channel, "ts": message["ts"]}
    assert s.slack.click(action, value, user_id=user, message=where).status_code == 200


def test_a_brand_renamed_while_its_incident_is_open_keeps_its_approvers_pages_and_leaders(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    s = _start(database_url, pinned, emulator, AGENCY)
    try:
        n = open_storm(s, pinned, brand="Acme")
        s.slack.command(f"draft {n} We are refunding.", user_id="U0ALICE", channel_id=ACME_ROOM)
        draft = emulator.wait_for(lambda: next(iter(_drafts(emulator, ACME_ROOM)), None))
        # The agency renames its client's entry (same channel, approvers, notify), and restarts.
        acme = replace(AGENCY.brands[0], name="ACME Group")
        s = _restart(s, database_url, pinned, replace(AGENCY, brands=(acme, *AGENCY.brands[1:])))

        # The agency's approver still may not sign off a reply about the client; its own may.
        _click(s, ACME_ROOM, draft, Action.APPROVE, "U0CAROL")
        assert "replies about Acme are approved by" in answer(s, f"of #{n}")["text"]
        _click(s, ACME_ROOM, draft, Action.APPROVE, "U0ERIN")
        answer(s, f"Draft v1 of #{n} approved.")
        # Nobody claimed it: the timer pages the client's people at Comms lead, not the agency's.
        pinned.advance(minutes=16)
        jobs.run_timers(s.bot)
        page = emulator.wait_for(
            lambda: next((m for m in _thread(emulator, ACME_ROOM) if "escalated" in m["text"]),
                         None)
        )  # fmt: skip
        assert page["text"].endswith("<!subteam^S0ACME>")
        # Its stakeholders' update goes to the client's leaders, not the agency's.
        s.slack.command(f"update {n} Fix by 15:00", user_id="U0ALICE", channel_id=ACME_ROOM)
        assert f"sent to <#{ACME_LEADS}>" in answer(s, "Update posted")["text"]
        emulator.wait_for(lambda: emulator.messages(ACME_LEADS))
        assert emulator.messages(AGENCY_LEADS) == []
        posted = [e for e in timeline(s, n) if e["type"] == "incident.update_posted"]
        assert posted[0]["to"] == ["thread", ACME_LEADS]
    finally:
        s.stop()


def test_what_is_typed_in_a_clients_channel_is_answered_about_that_client_only(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    s = _start(database_url, pinned, emulator, AGENCY)
    try:
        acme = open_storm(s, pinned, brand="Acme")
        globex = open_storm(s, pinned, brand="Globex")
        initech = open_storm(s, pinned, brand="Initech")
        s.slack.command(f"followup {acme} <@U0ERIN> Acme's FAQ", user_id="U0ALICE")
        s.slack.command(f"followup {globex} <@U0GINA> Globex's FAQ", user_id="U0ALICE")
        answer(s, "Follow-up F2")

        def answered(command: str, channel: str) -> str:
            before = len(emulator.responses)
            s.slack.command(command, user_id="U0GINA", channel_id=channel)
            emulator.wait_for(lambda: len(emulator.responses) > before)
            return str(emulator.responses[-1]["payload"]["text"])

        # Globex's person, in Globex's channel (shared with Globex): Globex's incident only.
        listed = answered("list", GLOBEX_ROOM)
        assert listed.startswith("*Open incidents in this channel*")
        assert f"*#{globex}* Globex" in listed and "Acme" not in listed and "Initech" not in listed
        assert answered(f"status {acme}", GLOBEX_ROOM) == (
            f"#{acme} is not one of this channel's incidents: ask about it in the crisis channel."
        )
        assert "Globex" in answered(f"status {globex}", GLOBEX_ROOM)
        follow_ups = answered("followups", GLOBEX_ROOM)
        assert "Globex's FAQ" in follow_ups and "Acme" not in follow_ups
        # The agency's crisis channel lists every client's.
        everything = answered("list", CHANNEL)
        assert all(f"*#{n}*" in everything for n in (acme, globex, initech))
        assert "Acme" in answered(f"status {acme}", CHANNEL)
        assert "Acme's FAQ" in answered("followups", CHANNEL)
    finally:
        s.stop()


def test_declared_in_a_clients_channel_is_that_clients_and_an_answer_says_where_a_card_went(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    s = _start(database_url, pinned, emulator, AGENCY)
    try:
        # Typed in Globex's channel, naming no brand: Globex's, declared at once (no form
        # listing every client), its card there.
        s.slack.command("declare Reporter asks about the recall", user_id="U0GINA",
                        channel_id=GLOBEX_ROOM)  # fmt: skip
        told = answer(s, "declared: Reporter asks")["text"]
        assert told.endswith("You hold it; the card is in the channel.")
        n = int(told.split()[0][1:])
        assert incident_row(s, n).brand == "Globex" and incident_row(s, n).channel == GLOBEX_ROOM
        # Typed in the agency's channel about Acme: the card is in Acme's channel; said so.
        s.slack.command("declare Acme CEO video spreads", user_id="U0ALICE")
        told = answer(s, "declared: Acme CEO video")["text"]
        assert told.endswith(f"You hold it; the card is in <#{ACME_ROOM}>.")
        # A drill typed in the agency's channel is the first brand's, in its channel: said so.
        s.slack.command("drill", user_id="U0ALICE")
        assert f"started in <#{ACME_ROOM}>: " in answer(s, "DRILL #")["text"]
        s.slack.command("drill breach", user_id="U0GINA", channel_id=GLOBEX_ROOM)
        assert "(Globex). It pages nobody." in answer(s, "(Globex)")["text"]
        assert "started in" not in answer(s, "(Globex)")["text"]
        assert view_count(emulator) == 0  # no Declare form was opened
    finally:
        s.stop()


def view_count(emulator: SlackEmulator) -> int:
    return len(emulator.calls("views.open"))


def test_a_clients_refusal_from_the_home_tab_is_told_where_that_client_can_see_it(
    database_url: str, pinned: ManualClock
) -> None:
    # Erin is Acme's: in Acme's channel, not in the agency's crisis channel.
    agency_people = frozenset({"U0ALICE", "U0BOB", "U0CAROL", "U0DAN"})
    workspace = replace(WORKSPACE, members={CHANNEL: agency_people})
    emu = SlackEmulator(workspace=workspace).start()
    s = _start(database_url, pinned, emu, AGENCY)
    try:
        n = open_storm(s, pinned, brand="Acme")
        s.slack.command(f"followup {n} <@U0ERIN> Update the FAQ", user_id="U0ALICE",
                        channel_id=ACME_ROOM)  # fmt: skip
        answer(s, "Follow-up F1")
        s.slack.command("done F1", user_id="U0ALICE", channel_id=ACME_ROOM)
        answer(s, "F1 is done")
        # Erin's tab still showed it: her Mark done is refused, and she is told in Acme's room.
        assert s.slack.click(Action.FOLLOW_UP_DONE, "1", user_id="U0ERIN").status_code == 200
        told = emu.wait_for(lambda: [e for e in emu.ephemerals if e["user"] == "U0ERIN"])
        assert told[0]["channel"] == ACME_ROOM
        assert told[0]["text"].startswith("F1 was already marked done by <@U0ALICE>")
    finally:
        s.stop()
        emu.stop()
