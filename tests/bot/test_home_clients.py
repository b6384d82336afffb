"""An agency's Home tab and Declare form show each person only their clients: the members of the
crisis channel (the agency's staff) see everything; anyone else the clients whose `channel` or
`updates_channel` they are in (users.conversations, through the emulator's channel membership);
when Slack cannot say, they see only what is theirs for sure, and why. A one-team playbook
asks Slack nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot.core.clock import ManualClock
from bot.core.config import Brand
from bot.emulator import SlackEmulator
from bot.emulator.state import DEFAULT_USERS, Workspace
from bot.slack import audience, home
from bot.slack.ids import Action, Block, View
from bot.testing import CHANNEL, Stack, start_stack
from tests.bot.flow import answer, declare_values, new_form, open_storm, view_ids
from tests.bot.test_home import _open_home, _text
from tests.bot.test_response import PLAYBOOK

ACME_ROOM, ACME_LEADS, GLOBEX_ROOM = "C0ACME", "C0ACMELEAD", "C0GLOBEX"
AGENCY = replace(
    PLAYBOOK,
    brands=(
        Brand("Acme", terms=("Acme",), channel=ACME_ROOM, updates_channel=ACME_LEADS,
              approvers=("U0ERIN",)),
        Brand("Globex", terms=("Globex",), channel=GLOBEX_ROOM),
        Brand("Initech", terms=("Initech",)),  # the agency's own room
    ),
)  # fmt: skip
STAFF = frozenset({"U0ALICE", "U0BOB", "U0CAROL", "U0DAN"})
# Erin is Acme's, in its incident channel; Frank is Acme's boss, in its leaders' channel only;
# Gina is Globex's; Hugo is a guest in none of them.
WORKSPACE = Workspace(
    strict_channels=True,
    users={**DEFAULT_USERS, "U0ERIN": "Erin Petrova", "U0FRANK": "Frank Ivanov",
           "U0GINA": "Gina Marsh", "U0HUGO": "Hugo Stone"},
    channels={CHANNEL: "crisis-room", ACME_ROOM: "acme-crisis", ACME_LEADS: "acme-leaders",
              GLOBEX_ROOM: "globex-crisis", "C0RANDOM": "random"},
    members={CHANNEL: STAFF, ACME_ROOM: STAFF | {"U0ERIN"}, ACME_LEADS: frozenset({"U0FRANK"}),
             GLOBEX_ROOM: STAFF | {"U0GINA"}},
    private_channels=frozenset({ACME_ROOM}),  # a shared client channel is often private
)  # fmt: skip


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator(workspace=WORKSPACE).start()
    yield emu
    emu.stop()


@pytest.fixture
def agency(database_url: str, pinned: ManualClock, emulator: SlackEmulator) -> Iterator[Stack]:
    s = start_stack(database_url, clock=pinned, config=AGENCY, emulator=emulator)
    yield s
    s.stop()


def _storms(s: Stack, clock: ManualClock) -> dict[str, int]:
    return {brand: open_storm(s, clock, brand=brand) for brand in ("Acme", "Globex", "Initech")}


def _membership_calls(s: Stack, user: str | None = None) -> list[Any]:
    calls = s.emulator.calls("users.conversations")
    return [c for c in calls if user is None or c.params.get("user") == user]


def _brand_element(form: dict[str, Any]) -> dict[str, Any]:
    return dict({b["block_id"]: b for b in form["blocks"]}[Block.DECLARE_BRAND]["element"])


def test_a_clients_person_sees_only_their_client_and_the_agency_everything(
    agency: Stack, pinned: ManualClock
) -> None:
    n = _storms(agency, pinned)

    erin = _text(_open_home(agency, "U0ERIN"))
    assert f"#{n['Acme']} Acme" in erin
    assert "Globex" not in erin and "Initech" not in erin
    assert "The incidents and figures of your client only, whose channel you are in: *Acme*" in erin
    assert "*1 real incident* (drills left out)" in erin  # Acme's alone
    # Asked once, about her, for public and private channels, archived ones left out.
    [call] = _membership_calls(agency, "U0ERIN")
    assert call.params["types"] == "public_channel,private_channel"
    assert call.params["exclude_archived"] in ("1", 1, True, "true")

    # Acme's boss is only in its leaders' channel: Acme's too.
    frank = _text(_open_home(agency, "U0FRANK"))
    assert f"#{n['Acme']} Acme" in frank and "Globex" not in frank

    # In no client's channel: no client's incidents at all, and told why.
    hugo = _text(_open_home(agency, "U0HUGO"))
    assert "Acme" not in hugo and "Globex" not in hugo and "Initech" not in hugo
    assert "You are in neither the crisis channel nor a client's channel" in hugo
    assert "*0 real incidents*" in hugo

    # The agency's staff (the crisis channel's members): every client, every figure, no note.
    alice = _text(_open_home(agency, "U0ALICE"))
    assert all(f"#{n[b]} {b}" in alice for b in n)
    assert "*3 real incidents* (drills left out)" in alice and "your client" not in alice

    # A refresh after a change (the courier, 4 tabs) asks Slack nothing new within the minute.
    before = len(_membership_calls(agency))
    agency.slack.command(f"claim #{n['Acme']}", user_id="U0BOB")
    agency.emulator.wait_for(lambda: "held by <@U0BOB>" in _text(agency.emulator.home("U0ERIN")))
    assert home.refresh(agency.bot) == 4
    assert len(_membership_calls(agency)) == before


def test_a_person_added_to_a_clients_channel_sees_it_once_the_minute_is_over(
    agency: Stack, pinned: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = _storms(agency, pinned)
    assert "Globex" not in _text(_open_home(agency, "U0ERIN"))
    agency.emulator.set_members(GLOBEX_ROOM, STAFF | {"U0GINA", "U0ERIN"})
    monkeypatch.setattr(audience, "MEMBERSHIP_SECONDS", 0.0)  # the minute is over
    erin = _text(_open_home(agency, "U0ERIN"))
    assert f"#{n['Globex']} Globex" in erin and "your clients only" in erin
    assert "*2 real incidents*" in erin


def test_the_declare_form_offers_a_clients_person_their_clients_and_refuses_another(
    agency: Stack, pinned: ManualClock
) -> None:
    _open_home(agency, "U0ERIN")
    known = view_ids(agency)
    agency.slack.click(Action.DECLARE, user_id="U0ERIN")
    form = new_form(agency, View.DECLARE, known)
    element = _brand_element(form)
    assert [o["value"] for o in element["options"]] == ["Acme"]
    assert element["initial_option"]["value"] == "Acme"  # her only client: already picked

    # The typeahead (an agency's 100+ brands) answers her with hers alone.
    def typed(user: str, value: str) -> list[str]:
        got = agency.slack.suggest(
            "brand", value, block_id=Block.DECLARE_BRAND, view_id=form["id"], user_id=user
        )
        assert got.status_code == 200
        return [o["value"] for o in got.json()["options"]]

    assert typed("U0ERIN", "") == ["Acme"] and typed("U0ERIN", "glo") == []
    assert typed("U0ALICE", "") == ["Acme", "Globex", "Initech"]

    # A forged pick of another client is refused in the form, as a brand that does not exist.
    mine_only = "Pick one of your clients: the brands whose channels you are in."
    for forged in ("Globex", "Nobody"):
        refused = agency.slack.submit_view(
            View.DECLARE, declare_values("Leak rumour", forged), user_id="U0ERIN",
            view_id=form["id"],
        )  # fmt: skip
        assert refused.json() == {
            "response_action": "errors",
            "errors": {Block.DECLARE_BRAND: mine_only},
        }
    ok = agency.slack.submit_view(
        View.DECLARE, declare_values("Leak rumour", "Acme"), user_id="U0ERIN", view_id=form["id"]
    )
    assert ok.status_code == 200 and ok.content == b""
    answer(agency, "declared: Leak rumour")

    # The agency's staff pick any client from the same form.
    known = view_ids(agency)
    agency.slack.click(Action.DECLARE, user_id="U0BOB")
    staff_form = new_form(agency, View.DECLARE, known)
    assert [o["value"] for o in _brand_element(staff_form)["options"]] == [
        "Acme", "Globex", "Initech",
    ]  # fmt: skip


def test_someone_in_no_clients_channel_gets_a_notice_instead_of_the_form(
    agency: Stack,
) -> None:
    known = view_ids(agency)
    agency.slack.click(Action.DECLARE, user_id="U0HUGO")
    notice = new_form(agency, "notice", known)
    assert "you are in none of them" in str(notice["blocks"])


def test_a_one_team_playbook_asks_slack_nothing(database_url: str, pinned: ManualClock) -> None:
    config = replace(
        PLAYBOOK, brands=(Brand("Acme", terms=("Acme",)), Brand("Globex", terms=("Globex",)))
    )
    s = start_stack(database_url, clock=pinned, config=config)
    try:
        n = open_storm(s, pinned, brand="Acme")
        assert f"#{n} Acme" in _text(_open_home(s, "U0ALICE"))
        known = view_ids(s)
        s.slack.click(Action.DECLARE, user_id="U0ALICE")
        form = new_form(s, View.DECLARE, known)
        assert len(_brand_element(form)["options"]) == 2
        s.slack.suggest("brand", "", block_id=Block.DECLARE_BRAND, view_id=form["id"])
        s.slack.submit_view(
            View.DECLARE, declare_values("Leak rumour", "Globex"), view_id=form["id"]
        )
        answer(s, "declared: Leak rumour")
        assert s.emulator.calls("users.conversations") == []
    finally:
        s.stop()


def test_a_missing_scope_fails_closed_showing_what_is_theirs_and_which_scope_to_add(
    agency: Stack, pinned: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    n = _storms(agency, pinned)
    agency.slack.command(f"draft #{n['Acme']} We are on it.", user_id="U0BOB", channel_id=ACME_ROOM)
    agency.slack.command(f"followup {n['Acme']} <@U0ERIN> Update the FAQ", user_id="U0BOB",
                         channel_id=ACME_ROOM)  # fmt: skip
    answer(agency, "Follow-up F1")
    # The app was installed from an older manifest: no groups:read.
    agency.emulator.set_scopes(
        {"commands", "chat:write", "chat:write.public", "channels:history", "groups:history",
         "users:read", "usergroups:read", "files:write", "app_mentions:read", "im:write",
         "im:history", "channels:read"}
    )  # fmt: skip
    agency.emulator.wait_for(lambda: agency.bot.deliver_now() == 0)
    caplog.set_level(logging.WARNING, logger="bot.slack.audience")

    erin = _text(_open_home(agency, "U0ERIN"))
    assert "Your clients' incidents cannot be shown" in erin
    assert "must add the `groups:read` scope" in erin
    assert "Open incidents" in erin and "No open incidents" not in erin
    assert "Globex" not in erin and "Initech" not in erin and "Last 30 days" not in erin
    # What is hers for sure: the draft she approves (Acme's own approver), her follow-up.
    assert "We are on it." in erin and "Update the FAQ" in erin

    # Nobody's membership can be read: the staff are closed too, told the same.
    assert "must add the `groups:read` scope" in _text(_open_home(agency, "U0ALICE"))
    # Told once in the log, not at every tab and refresh.
    home.refresh(agency.bot)
    warned = [r for r in caplog.records if "users.conversations failed" in r.getMessage()]
    assert len(warned) == 1 and "groups:read" in warned[0].getMessage()

    # Her Declare form cannot list her clients: a notice says why.
    known = view_ids(agency)
    agency.slack.click(Action.DECLARE, user_id="U0ERIN")
    notice = new_form(agency, "notice", known)
    assert "`groups:read`" in str(notice["blocks"])


def test_slack_rate_limiting_after_a_good_read_keeps_it_and_without_one_fails_closed(
    agency: Stack, pinned: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = _storms(agency, pinned)
    assert f"#{n['Acme']} Acme" in _text(_open_home(agency, "U0ERIN"))
    monkeypatch.setattr(audience, "MEMBERSHIP_SECONDS", 0.0)  # every tab asks again
    agency.emulator.fail_next("users.conversations", status=429, retry_after=0, count=8)

    # Erin's read of a moment ago stands; Gina, never read, sees no client and why.
    assert f"#{n['Acme']} Acme" in _text(_open_home(agency, "U0ERIN"))
    gina = _text(_open_home(agency, "U0GINA"))
    assert "Slack did not say which channels you are in (`ratelimited`)" in gina
    assert "Globex" not in gina and "Acme" not in gina


def test_a_form_slack_would_not_open_is_told_in_the_clients_channel_not_the_agencys(
    agency: Stack,
) -> None:
    _open_home(agency, "U0ERIN")
    agency.emulator.fail_next("views.open", status=500, count=2)  # the try and its retry
    agency.slack.click(Action.DECLARE, user_id="U0ERIN")
    told = agency.emulator.wait_for(
        lambda: [e for e in agency.emulator.ephemerals if e["user"] == "U0ERIN"]
    )
    assert [e["channel"] for e in told] == [ACME_ROOM]


def test_without_a_user_nobody_is_taken_for_the_app_itself(agency: Stack) -> None:
    # users.conversations without `user` answers the app's own channels: the crisis channel.
    nobody = agency.bot.audience("")
    assert not nobody.everything and nobody.brands == ()
    assert agency.emulator.calls("users.conversations") == []


def test_declare_typed_naming_another_client_opens_the_form_with_the_persons_own(
    agency: Stack,
) -> None:
    known = view_ids(agency)
    agency.slack.command("declare Globex stores closed", user_id="U0ERIN", channel_id="C0RANDOM")
    form = new_form(agency, View.DECLARE, known)
    assert [o["value"] for o in _brand_element(form)["options"]] == ["Acme"]
    assert agency.emulator.messages(GLOBEX_ROOM) == []
    # The agency's staff declare it at once, in Globex's channel.
    agency.slack.command("declare Globex stores closed", user_id="U0BOB", channel_id="C0RANDOM")
    answer(agency, "declared: Globex stores closed")
