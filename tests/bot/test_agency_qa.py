"""An agency's three clients tried together from outside (qaagency): Acme with its own
channel, leaders' channel, approvers and people to page; Globex with its own channel and
approver; Initech with none. What went wrong when the features met is held here."""

from __future__ import annotations

import json
import re
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
from tests.bot.test_home import _open_home, _text
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
        refused = (
            f"#{acme} is not one of this channel's incidents: type the command in the crisis "
            "channel."
        )
        assert answered(f"status {acme}", GLOBEX_ROOM) == refused
        # A number mistyped in Globex's channel: Globex's reply never lands in Acme's thread,
        # nor is Acme's incident claimed, noted or closed from there.
        for command in (
            f"draft {acme} Globex apologises",
            f"claim {acme}",
            f"note {acme} x",
            f"resolve {acme}",
            f"update {acme} Globex fix",
            f"followups {acme}",
            f"export {acme}",
            f"escalate {acme}",
            f"followup {acme} <@U0GINA> x",
        ):
            assert answered(command, GLOBEX_ROOM) == refused, command
        s.slack.command(f"draft {globex} Globex apologises", user_id="U0GINA",
                        channel_id=GLOBEX_ROOM)  # fmt: skip
        answer(s, f"for #{globex} is posted")
        assert "Globex" in answered(f"status {globex}", GLOBEX_ROOM)
        row = incident_row(s, acme)
        assert (row.status, row.owner) == ("open", None) and emulator.files == {}
        assert not [m for m in emulator.messages(ACME_ROOM) if "Globex" in str(m)]
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
    # Wonka, Acme's sister brand, shares Acme's channel.
    wonka = Brand("Wonka", terms=("Wonka",), channel=ACME_ROOM)
    s = _start(database_url, pinned, emulator, replace(AGENCY, brands=(*AGENCY.brands, wonka)))
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
        # In Acme's channel: another client's name is not taken for the brand; the sister
        # brand sharing the channel is.
        # (Acme's is open: refused, naming it; before, an Initech incident was opened.)
        s.slack.command("declare Initech ad mocks our recall", user_id="U0ERIN",
                        channel_id=ACME_ROOM)  # fmt: skip
        assert answer(s, "already")["text"].startswith("Acme already has incident #")
        s.slack.command("declare Wonka bars recalled", user_id="U0ERIN", channel_id=ACME_ROOM)
        answer(s, "declared: Wonka bars")
        brands = {incident_row(s, k).brand: incident_row(s, k).title for k in range(n, n + 6)
                  if _exists(s, k)}  # fmt: skip
        assert "Initech" not in brands and brands["Wonka"] == "Wonka bars recalled"
        # A drill typed in the agency's channel is the first brand's, in its channel: said so.
        s.slack.command("drill", user_id="U0ALICE")
        assert f"started in <#{ACME_ROOM}>: " in answer(s, "DRILL #")["text"]
        s.slack.command("drill breach", user_id="U0GINA", channel_id=GLOBEX_ROOM)
        assert "(Globex). It pages nobody." in answer(s, "(Globex)")["text"]
        assert "started in" not in answer(s, "(Globex)")["text"]
        assert view_count(emulator) == 0  # no Declare form was opened
    finally:
        s.stop()


def _exists(s: Stack, number: int) -> bool:
    from models import Incident

    with s.bot.sessions() as session:
        return session.get(Incident, number) is not None


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


def _drafts_status(s: Stack) -> dict[int, str]:
    from models import Draft

    with s.bot.sessions() as session:
        return {d.incident_id: d.status for d in session.query(Draft)}


def _settled(s: Stack) -> None:
    """Everything queued is delivered (the courier runs beside; this delivers what is due).
    Generous: a loaded machine (exports, a digest, two dozen posts) may take a while."""
    s.emulator.wait_for(
        lambda: s.bot.deliver_now() == 0 and s.bot.deliverer().pending() == 0, timeout=60
    )


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_three_clients_whole_crises_stay_each_in_its_own_channels_and_people(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator, locale: str
) -> None:
    """What held when tried from outside: each client's card, thread, pages, drafts, decisions,
    updates, exports and drills stay in its own channels and name only its own people; the
    agency's stay in the crisis channel; in Bulgarian every answer is Bulgarian."""
    s = _start(database_url, pinned, emulator, replace(AGENCY, locale=locale))
    try:
        acme = open_storm(s, pinned, brand="Acme")
        globex = open_storm(s, pinned, brand="Globex")
        initech = open_storm(s, pinned, brand="Initech")
        rooms = {acme: ACME_ROOM, globex: GLOBEX_ROOM, initech: CHANNEL}
        pinned.advance(minutes=16)  # nobody claimed them: each pages its own people
        jobs.run_timers(s.bot)
        for n, room in rooms.items():
            s.slack.command(f"draft {n} Reply {n}", user_id="U0ALICE", channel_id=room)
            s.slack.command(f"update {n} Fix {n} by 15:00", user_id="U0ALICE", channel_id=room)
        emulator.wait_for(lambda: all(_drafts(emulator, r) for r in rooms.values()))
        # Home tabs: each client's approver is offered its own client's draft, the agency's
        # approver the agency's; nobody another client's.
        for user, own in (("U0ERIN", acme), ("U0GINA", globex), ("U0CAROL", initech)):
            home = _text(_open_home(s, user))
            assert f"Reply {own}" in home, user
            assert not [n for n in rooms if n != own and f"Reply {n}" in home], user
        # The wrong people first (another client's approver, the agency's on a client's
        # draft), then the right ones.
        for n, room, wrong, right in (
            (acme, ACME_ROOM, "U0GINA", "U0ERIN"), (globex, GLOBEX_ROOM, "U0CAROL", "U0GINA"),
            (initech, CHANNEL, "U0ERIN", "U0CAROL"),
        ):  # fmt: skip
            (draft,) = [d for d in _drafts(emulator, room) if f"Reply {n}" in str(d["blocks"])]
            _click(s, room, draft, Action.APPROVE, wrong)
            emulator.wait_for(
                lambda w=wrong: [e for e in emulator.ephemerals if e["user"] == w]  # type: ignore[misc]
            )
            assert _drafts_status(s)[n] == "pending"
            _click(s, room, draft, Action.APPROVE, right)
            emulator.wait_for(lambda n=n: _drafts_status(s)[n] == "approved")  # type: ignore[misc]
        s.slack.command(f"export {acme} md", user_id="U0ERIN", channel_id=ACME_ROOM)
        s.slack.command(f"export {globex} html", user_id="U0ALICE")
        s.slack.command(f"resolve {globex} Recall done", user_id="U0ALICE", channel_id=GLOBEX_ROOM)
        s.slack.command(f"reopen {globex} Flares", user_id="U0GINA", channel_id=GLOBEX_ROOM)
        s.slack.command("drill", user_id="U0GINA", channel_id=GLOBEX_ROOM)
        emulator.wait_for(lambda: len(emulator.files) == 2)
        emulator.wait_for(lambda: len(_top(emulator, GLOBEX_ROOM)) == 2)
        drill = int(_top(emulator, GLOBEX_ROOM)[1]["text"].split("#")[1].split()[0])
        # Acme's drill, left unclaimed: the timer escalates it, paging nobody.
        s.slack.command("drill recall", user_id="U0ERIN", channel_id=ACME_ROOM)
        acme_drill = int(answer(s, "(Acme)")["text"].split("#")[1].split()[0])
        pinned.advance(minutes=16)
        jobs.run_timers(s.bot)
        s.slack.command(f"escalate {drill} practice", user_id="U0GINA", channel_id=GLOBEX_ROOM)
        jobs.post_digest(s.bot)
        _settled(s)

        cards = {n: incident_row(s, n) for n in rooms}
        for n, room in rooms.items():
            assert cards[n].channel == room
        assert [m["ts"] for m in _top(emulator, ACME_ROOM)] == [
            cards[acme].message_ts,
            incident_row(s, acme_drill).message_ts,
        ]
        # Pages: Acme's own people at Comms lead; the agency's for Globex (no notify), Initech.
        for n, paged in ((acme, "<!subteam^S0ACME>"), (globex, "<@U0BOB>"),
                         (initech, "<@U0BOB>")):  # fmt: skip
            thread = _in_thread(emulator, rooms[n], cards[n].message_ts)
            assert any(m["text"].endswith(paged) for m in thread), (n, thread)
        # A client's drill pages nobody.
        drill_thread = _in_thread(emulator, GLOBEX_ROOM, incident_row(s, drill).message_ts)
        assert "Bob Tanaka" in str(drill_thread)  # named as whom it would have paged
        acme_drill_thread = str(
            _in_thread(emulator, ACME_ROOM, incident_row(s, acme_drill).message_ts)
        )
        assert "@acme-approvers" in acme_drill_thread and "<!subteam" not in acme_drill_thread
        assert "<@U0BOB>" not in str(drill_thread) and "<!subteam" not in str(drill_thread)
        # Stakeholders: Acme's leaders get Acme's only; the agency's get the others'.
        assert [f"Fix {acme}" in m["text"] for m in emulator.messages(ACME_LEADS)] == [True]
        agency_updates = " ".join(m["text"] for m in emulator.messages(AGENCY_LEADS))
        assert f"Fix {globex}" in agency_updates and f"Fix {acme}" not in agency_updates
        # Exports: each in its incident's own thread.
        assert sorted((f["channel"], f["thread_ts"]) for f in emulator.files.values()) == sorted(
            [(ACME_ROOM, cards[acme].message_ts), (GLOBEX_ROOM, cards[globex].message_ts)]
        )
        # Nothing in a client's channels names another client or its people.
        others = {
            ACME_ROOM: ("Globex", "Initech", "U0GINA"),
            ACME_LEADS: ("Globex", "Initech", "U0GINA"),
            GLOBEX_ROOM: ("Acme", "Initech", "U0ERIN", "S0ACME", "U0DAN"),
        }
        for room, names in others.items():
            said = json.dumps(emulator.messages(room), ensure_ascii=False)
            assert not [x for x in names if x in said], room
        # The digest is the agency's: in the crisis channel only.
        assert len(_top(emulator, CHANNEL)) == 2  # Initech's card and the digest
        # Home tabs: each approver is offered the drafts they may decide, and nothing else.
        if locale == "bg":  # every answer a person was given is in Bulgarian
            said = [r["payload"].get("text", "") for r in emulator.responses]
            said += [e["text"] for e in emulator.ephemerals]
            assert said and all(re.search("[а-я]", t) for t in said), [
                t for t in said if not re.search("[а-я]", t)
            ]
    finally:
        s.stop()


def _top(emu: SlackEmulator, channel: str) -> list[dict[str, Any]]:
    return [m for m in emu.messages(channel) if m.get("thread_ts") in (None, m["ts"])]


def _in_thread(emu: SlackEmulator, channel: str, ts: str | None) -> list[dict[str, Any]]:
    return [m for m in emu.messages(channel) if m.get("thread_ts") == ts and m["ts"] != ts]


def test_sources_typed_in_a_clients_channel_lists_that_clients_only(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    from bot.core.config import SourceConfig

    watched = (
        SourceConfig("bluesky", "bluesky-acme", query="acme", brand="Acme"),
        SourceConfig("trustpilot", "trustpilot-initech", brand="Initech"),
        SourceConfig("hackernews", "hn-everyone", query="acme OR globex OR initech"),
    )
    s = _start(database_url, pinned, emulator, replace(AGENCY, sources=watched))
    try:

        def answered(channel: str) -> str:
            before = len(emulator.responses)
            s.slack.command("sources", user_id="U0ERIN", channel_id=channel)
            emulator.wait_for(lambda: len(emulator.responses) > before)
            return str(emulator.responses[-1]["payload"]["text"])

        acme = answered(ACME_ROOM)
        assert "bluesky-acme" in acme and "initech" not in acme and "globex" not in acme
        assert answered(GLOBEX_ROOM) == (
            "No source in crisisbot.toml is bound to Globex (a source's `brand`)."
        )
        everything = answered(CHANNEL)
        assert all(name in everything for name in ("bluesky-acme", "trustpilot-initech",
                                                   "hn-everyone"))  # fmt: skip
    finally:
        s.stop()


def test_a_clients_mistyped_leaders_channel_is_said_plainly_in_the_thread(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    globex = replace(AGENCY.brands[1], updates_channel="C0GLOBEXLEADZ")  # no such channel
    config = replace(AGENCY, brands=(AGENCY.brands[0], globex, AGENCY.brands[2]))
    s = _start(database_url, pinned, emulator, config)
    try:
        n = open_storm(s, pinned, brand="Globex")
        s.slack.command(f"update {n} Fix by 15:00", user_id="U0GINA", channel_id=GLOBEX_ROOM)
        note = emulator.wait_for(
            lambda: next((m for m in _thread(emulator, GLOBEX_ROOM) if ":warning:" in m["text"]),
                         None)
        )  # fmt: skip
        assert note["text"] == (
            ":warning: The update by <@U0GINA> could not be posted in <#C0GLOBEXLEADZ>: Slack "
            "answered `channel_not_found`. Correct `updates_channel` in the playbook (the "
            "brand's entry, else `[plan]`), or, if that channel is private, invite the app to "
            "it; then post the update again."
        )
    finally:
        s.stop()


def test_a_draft_of_a_renamed_brands_incident_says_its_own_approvers_must_approve_it(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    # The card, the approvers and the refusal find the renamed brand by the incident's channel;
    # the answer to `draft` once said "an approver other than you", whom the brand refuses.
    s = _start(database_url, pinned, emulator, AGENCY)
    try:
        n = open_storm(s, pinned, brand="Acme")
        acme = replace(AGENCY.brands[0], name="ACME Group")
        s = _restart(s, database_url, pinned, replace(AGENCY, brands=(acme, *AGENCY.brands[1:])))
        s.slack.command(f"draft {n} We are refunding.", user_id="U0ALICE", channel_id=ACME_ROOM)
        assert answer(s, f"Draft v1 for #{n}")["text"] == (
            f"Draft v1 for #{n} is posted in the incident's thread; one of Acme's own approvers, "
            "other than you, must approve it."
        )
    finally:
        s.stop()
