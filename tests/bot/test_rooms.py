"""An incident's own channel (a war room): `/crisis room N` and the card's button, its name,
whom it invites, the notes it gets, its close, Slack's refusals and a restart mid-way."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from bot.core.clock import ManualClock
from bot.core.config import Level
from bot.core.text import channel_name
from bot.slack.ids import Action
from bot.testing import Stack, start_stack
from tests.bot.flow import answer, blocks_text, card, click_on, open_storm, thread, timeline
from tests.bot.test_response import PLAYBOOK


@pytest.fixture
def team(database_url: str, pinned: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=pinned, config=PLAYBOOK)
    yield s
    s.stop()


def _room(stack: Stack, number: int, brand: str = "acme") -> dict:  # type: ignore[type-arg]
    return stack.emulator.wait_for(lambda: stack.emulator.channel_named(f"crisis-{number}-{brand}"))


def _opened(stack: Stack, number: int) -> dict:  # type: ignore[type-arg]
    return stack.emulator.wait_for(
        lambda: next((e for e in timeline(stack, number) if e["type"] == "incident.room_opened"),
                     None)
    )  # fmt: skip


def test_the_command_opens_a_private_room_and_invites_the_people(
    database_url: str, pinned: ManualClock
) -> None:
    # The first level is Bob alone, and Erin is an approver through S0COMMS only: each way into
    # the room is seen (the approvers' group was the first level's too, which hid them).
    levels = (Level("Social team", ("U0BOB",)), *PLAYBOOK.levels[1:])
    team = start_stack(
        database_url, clock=pinned, config=dataclasses.replace(PLAYBOOK, levels=levels)
    )
    try:
        team.emulator.workspace.users["U0ERIN"] = "Erin Walsh"
        team.emulator.workspace.groups["S0COMMS"].append("U0ERIN")
        n = open_storm(team, pinned)
        team.slack.command(f"claim {n}", user_id="U0DAN")
        answer(team, f"You now hold #{n}")
        team.slack.command(f"room {n}", user_id="U0ALICE")
        said = answer(team, "opened by <@U0ALICE>")
        room = _room(team, n)
        assert room["is_private"] is True
        # the owner, the one who asked, the approvers (S0COMMS as its members), the level's people
        assert {"U0DAN", "U0ALICE", "U0CAROL", "U0ERIN", "U0BOB"} <= set(room["members"])
        assert f"#{n} " in room["topic"]["value"] and "http" in room["topic"]["value"]
        assert room["purpose"]["value"] == room["topic"]["value"]
        first = team.emulator.messages(room["id"])[0]["text"]
        assert "Customers come first" in first and "<@U0BOB>" in first  # key message, spokesperson
        assert f"crisis-{n}-acme" in said["text"]
        event = _opened(team, n)
        assert event["channel"] == room["id"] and event["name"] == f"crisis-{n}-acme"
        assert event["actor"] == "U0ALICE" and "U0DAN" in event["invited"]
        team.emulator.wait_for(
            lambda: f"<#{room['id']}|crisis-{n}-acme>" in blocks_text(card(team, n))
        )
        assert Action.OPEN_ROOM not in blocks_text(card(team, n))  # the button went
        # a second ask answers with the room; Slack is asked for no second one
        team.slack.command(f"стая {n}", user_id="U0BOB")
        answer(team, f"#{n} has its room")
        assert len(team.emulator.calls("conversations.create")) == 1
    finally:
        team.stop()


def test_the_button_with_a_cyrillic_brand_a_taken_name_and_a_refused_guest(
    database_url: str, pinned: ManualClock
) -> None:
    s = start_stack(database_url, clock=pinned, config=PLAYBOOK)
    try:
        s.emulator.workspace.restricted_users = frozenset({"U0CAROL"})
        n = open_storm(s, pinned, brand="Акме")
        s.emulator.add_channel("C0TAKEN", f"crisis-{n}-akme")  # someone made it by hand
        message = s.emulator.wait_for(lambda: card(s, n))
        click_on(s, message, Action.OPEN_ROOM, "U0ALICE")
        said = answer(s, "opened by <@U0ALICE>")
        assert f"crisis-{n}-akme-2" in said["text"]
        assert "<@U0CAROL> is a guest" in said["text"] and "user_is_restricted" in said["text"]
        room = s.emulator.wait_for(lambda: s.emulator.channel_named(f"crisis-{n}-akme-2"))
        assert "U0CAROL" not in room["members"]
        s.emulator.wait_for(lambda: any("user_is_restricted" in m["text"] for m in thread(s, n)))
        assert _opened(s, n)["not_invited"] == {"U0CAROL": "user_is_restricted"}
    finally:
        s.stop()


def test_a_long_name_is_cut_to_slacks_80_characters_with_its_number() -> None:
    name = channel_name("{brand}-{number}", number=4242, brand="Щ" * 100, drill=False)
    assert len(name) == 80 and name.endswith("-4242") and name.startswith("shtsht")
    assert channel_name("crisis-{number}-{brand}", number=7, brand="A&B Co!", drill=True) == (
        "drill-crisis-7-a-b-co"
    )


def test_the_room_follows_each_step_and_is_archived_after_the_resolve(
    database_url: str, pinned: ManualClock
) -> None:
    config = dataclasses.replace(PLAYBOOK, room_archive=True, room_private=False)
    s = start_stack(database_url, clock=pinned, config=config)
    try:
        n = open_storm(s, pinned)
        s.slack.command(f"room {n}", user_id="U0ALICE")
        answer(s, "opened by")
        room = _room(s, n)
        assert room["is_private"] is False
        # each command's work runs after its ack: wait for each, or a resolve may pass the update
        s.slack.command(f"claim {n}", user_id="U0ALICE")
        answer(s, f"You now hold #{n}")
        s.slack.command(f"escalate {n} the press called", user_id="U0ALICE")
        answer(s, "Comms lead")
        s.slack.command(f"update {n} We are refunding everyone", user_id="U0ALICE")
        s.emulator.wait_for(
            lambda: any(e["type"] == "incident.update_posted" for e in timeline(s, n))
        )
        s.slack.command(f"resolve {n} refunds sent", user_id="U0ALICE")

        def notes() -> list[str]:
            return [m["text"] for m in s.emulator.messages(room["id"])]

        s.emulator.wait_for(lambda: any("resolved by" in t for t in notes()))
        said = "\n".join(notes())
        for step in ("held by <@U0ALICE>", "escalated to *Comms lead*", "update posted",
                     "refunds sent"):  # fmt: skip
            assert step in said
        s.emulator.wait_for(lambda: s.emulator.channel_named(room["id"])["is_archived"])  # type: ignore[index]
        s.emulator.wait_for(
            lambda: any(e["type"] == "incident.room_archived" for e in timeline(s, n))
        )
        # the card and its thread stay where they were: the update is in the thread too
        assert any("We are refunding everyone" in m["text"] for m in thread(s, n))
        # reopened, its room archived: a new owner is not invited there, nor blamed for it
        s.slack.command(f"reopen {n} the press is back", user_id="U0ALICE")
        answer(s, f"#{n} is open again")
        s.slack.command(f"claim {n}", user_id="U0DAN")
        answer(s, f"You now hold #{n}")
        s.emulator.wait_for(
            lambda: any(
                c.params["users"] == "U0DAN" for c in s.emulator.calls("conversations.invite")
            )
        )  # tried, and refused: the room is archived
        s.emulator.wait_for(lambda: s.bot.deliverer().pending() == 0)
        assert not any("stays out of" in m["text"] for m in thread(s, n))
    finally:
        s.stop()


def test_a_missing_scope_is_named_and_the_incident_goes_on(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    team.emulator.set_scopes({"chat:write", "channels:manage"})  # private rooms need groups:write
    team.slack.command(f"room {n}", user_id="U0ALICE")
    said = answer(team, "Could not open a room")
    assert "`groups:write`" in said["text"]
    team.emulator.wait_for(lambda: any("groups:write" in m["text"] for m in thread(team, n)))
    failed = next(e for e in timeline(team, n) if e["type"] == "incident.room_failed")
    assert failed["error"] == "missing_scope" and failed["needed"] == "groups:write"
    team.emulator.set_scopes(None)
    team.slack.command(f"claim {n}", user_id="U0ALICE")
    answer(team, f"You now hold #{n}")


def test_an_escalation_opens_the_room_by_itself_when_the_playbook_says(
    database_url: str, pinned: ManualClock
) -> None:
    s = start_stack(
        database_url, clock=pinned, config=dataclasses.replace(PLAYBOOK, room_on="escalated")
    )
    try:
        n = open_storm(s, pinned)
        s.bot.deliver_now()
        assert not s.emulator.calls("conversations.create")  # not before the escalation
        s.slack.command(f"escalate {n}", user_id="U0ALICE")
        event = _opened(s, n)  # the invites are done by then
        room = _room(s, n)
        assert event["actor"] is None and event["channel"] == room["id"]
        assert "U0BOB" in room["members"]  # the level it reached: Comms lead
    finally:
        s.stop()


def test_a_lost_answer_and_a_restart_neither_lose_nor_double_the_room(
    database_url: str, pinned: ManualClock
) -> None:
    s = start_stack(database_url, clock=pinned, config=PLAYBOOK)
    try:
        n = open_storm(s, pinned)
        # Slack makes the channel, then the answer is lost (a 500 after the effect)
        s.emulator.fail_next("conversations.create", status=500, after_effect=True)
        s.slack.command(f"room {n}", user_id="U0ALICE")
        answer(s, "Slack is slow")  # the retry waits on the (pinned) clock
        assert not any(e["type"] == "incident.room_opened" for e in timeline(s, n))
    finally:
        s.stop()
    pinned.advance(minutes=10)  # past the retry's wait
    s.emulator.start()  # Slack kept its state; the bot starts again
    again = start_stack(database_url, clock=pinned, config=PLAYBOOK, emulator=s.emulator)
    try:
        again.bot.deliver_now()
        _opened(again, n)
        assert len(s.emulator.calls("conversations.create")) == 1  # found by name, not made again
        room = s.emulator.channel_named(f"crisis-{n}-acme")
        assert room is not None and len(s.emulator.messages(room["id"])) == 1
    finally:
        again.stop()
        s.emulator.stop()


def test_a_drill_room_is_named_drill_and_invites_only_the_one_who_asked(
    team: Stack, pinned: ManualClock
) -> None:
    team.slack.command("drill", user_id="U0ALICE")
    n = team.emulator.wait_for(lambda: _drill_number(team))
    team.slack.command(f"room {n}", user_id="U0DAN")
    answer(team, "opened by <@U0DAN>")
    room = team.emulator.wait_for(lambda: team.emulator.channel_named(f"drill-crisis-{n}-acme"))
    assert set(room["members"]) == {"U0DAN", "U0CRISISBOT"}
    # nor does it invite anyone new as the drill moves: a new owner, the level it reached
    team.slack.command(f"claim {n}", user_id="U0ALICE")
    answer(team, f"You now hold #{n}")
    team.slack.command(f"escalate {n}", user_id="U0ALICE")
    team.emulator.wait_for(
        lambda: any("escalated to" in m["text"] for m in team.emulator.messages(room["id"]))
    )
    team.emulator.wait_for(lambda: team.bot.deliverer().pending() == 0)
    assert set(team.emulator.channel_named(room["id"])["members"]) == {"U0DAN", "U0CRISISBOT"}  # type: ignore[index]


def _drill_number(stack: Stack) -> int | None:
    from tests.bot.flow import top_level

    for m in top_level(stack):
        if m["text"].startswith("DRILL · #"):
            return int(m["text"].split("#", 1)[1].split(" ", 1)[0])
    return None


def test_the_bulgarian_team_is_answered_in_bulgarian(
    database_url: str, pinned: ManualClock
) -> None:
    s = start_stack(database_url, clock=pinned, config=dataclasses.replace(PLAYBOOK, locale="bg"))
    try:
        n = open_storm(s, pinned)
        s.slack.command(f"стая {n}", user_id="U0ALICE")
        said = answer(s, "<@U0ALICE>")
        assert "Стая" in said["text"]
        s.emulator.wait_for(lambda: "Стая: " in blocks_text(card(s, n)))
    finally:
        s.stop()


def test_people_join_the_room_as_the_incident_moves(database_url: str, pinned: ManualClock) -> None:
    levels = (*PLAYBOOK.levels[:2], Level("Legal and executives", ("U0ERIN",)))
    s = start_stack(database_url, clock=pinned, config=dataclasses.replace(PLAYBOOK, levels=levels))
    try:
        ws = s.emulator.workspace
        ws.users.update({"U0ERIN": "Erin Walsh", "U0FRAN": "Fran Guest", "U0GINA": "Gina Park"})
        ws.restricted_users = frozenset({"U0FRAN"})
        n = open_storm(s, pinned)
        s.slack.command(f"room {n}", user_id="U0ALICE")
        answer(s, "opened by <@U0ALICE>")
        room = _room(s, n)
        assert not {"U0DAN", "U0ERIN", "U0GINA"} & set(room["members"])
        # the approvers' group gets two people since: one joins, the guest cannot
        ws.groups["S0COMMS"] += ["U0GINA", "U0FRAN"]
        s.slack.command(f"claim {n}", user_id="U0DAN")  # the new owner
        answer(s, f"You now hold #{n}")
        s.slack.command(f"escalate {n}", user_id="U0DAN")
        answer(s, "Comms lead")
        s.slack.command(f"escalate {n} the CEO is tagged", user_id="U0DAN")
        answer(s, "Legal and executives")

        def members() -> set[str]:
            return set(s.emulator.channel_named(room["id"])["members"])  # type: ignore[index]

        s.emulator.wait_for(lambda: "U0ERIN" in members())  # the level it reached
        assert {"U0DAN", "U0GINA", "U0ERIN"} <= members() and "U0FRAN" not in members()
        s.emulator.wait_for(lambda: s.bot.deliverer().pending() == 0)
        refusals = [m["text"] for m in thread(s, n) if "so stays out of" in m["text"]]
        assert len(refusals) == 1 and "<@U0FRAN> is a guest" in refusals[0]  # said once, not 3×
        # someone in it already is no error: a hand-over back to Alice, then the resolve
        s.slack.command(f"claim {n}", user_id="U0ALICE")
        answer(s, f"You now hold #{n}")
        s.slack.command(f"resolve {n} done", user_id="U0ALICE")
        s.emulator.wait_for(
            lambda: any("resolved by" in m["text"] for m in s.emulator.messages(room["id"]))
        )
        s.emulator.wait_for(lambda: s.bot.deliverer().pending() == 0)
        assert not any(e["type"] == "incident.room_failed" for e in timeline(s, n))
        assert len([m for m in thread(s, n) if "so stays out of" in m["text"]]) == 1
    finally:
        s.stop()


def test_a_room_opened_mid_way_says_where_the_incident_stands(
    team: Stack, pinned: ManualClock
) -> None:
    """Its people missed the steps so far: the first message names the owner, the level
    reached, the severity and the drafts waiting for approval."""
    n = open_storm(team, pinned)
    team.slack.command(f"claim {n}", user_id="U0DAN")
    answer(team, f"You now hold #{n}")
    team.slack.command(f"escalate {n}", user_id="U0DAN")
    answer(team, "Comms lead")
    team.slack.command(f"draft {n} We are refunding the double charges.", user_id="U0DAN")
    team.emulator.wait_for(lambda: "v1" in " ".join(m["text"] for m in thread(team, n)))
    team.slack.command(f"room {n}", user_id="U0DAN")
    answer(team, "opened by <@U0DAN>")
    first = team.emulator.messages(_room(team, n)["id"])[0]["text"]
    stands = next(line for line in first.splitlines() if line.startswith("*Where it stands*"))
    assert "owner <@U0DAN>" in stands and "level Comms lead" in stands
    assert "1 draft waits for approval on the card." in first


def test_status_and_the_home_tab_show_the_room(team: Stack, pinned: ManualClock) -> None:
    from tests.bot.test_home import _open_home, _text

    n = open_storm(team, pinned)
    team.slack.command(f"status {n}", user_id="U0ALICE")
    assert "Room:" not in answer(team, "Time to detect")["text"]
    assert "Room:" not in _text(_open_home(team, "U0ALICE"))
    team.slack.command(f"room {n}", user_id="U0ALICE")
    answer(team, "opened by <@U0ALICE>")
    link = f"<#{_room(team, n)['id']}|crisis-{n}-acme>"
    team.slack.command(f"status {n}", user_id="U0DAN")
    assert "Time to detect" in answer(team, f"Room: {link}")["text"]
    assert f"Room: {link}" in _text(_open_home(team, "U0DAN"))
