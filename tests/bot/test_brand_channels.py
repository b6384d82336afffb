"""An agency's clients: each brand may name its own incident channel (and stakeholders'
channel); its alerts, card updates, thread, drafts and updates go there, the rest of the
playbook's brands stay in the crisis channel, and a brand channel Slack refuses never loses an
alert: it goes to the crisis channel, which says why."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.core.clock import ManualClock
from bot.core.config import Brand, ConfigError, load_config
from bot.emulator import SlackEmulator
from bot.emulator.state import Workspace
from bot.slack.ids import Block, View
from bot.testing import CHANNEL, start_stack
from tests.bot.flow import answer, declare_values, incident_row, open_storm, timeline
from tests.bot.test_response import PLAYBOOK

ACME_ROOM, ACME_LEADERS, GONE = "C0ACMEROOM", "C0ACMELEAD", "C0GONE"
AGENCY = replace(
    PLAYBOOK,
    brands=(
        Brand("Acme", terms=("Acme",), channel=ACME_ROOM, updates_channel=ACME_LEADERS),
        Brand("Globex", terms=("Globex",), channel=GONE),  # mistyped: Slack has no such channel
        Brand("Initech", terms=("Initech",)),  # none of its own: the crisis channel
    ),
)


def _top(emulator: SlackEmulator, channel: str) -> list[dict[str, Any]]:
    return [m for m in emulator.messages(channel) if m.get("thread_ts") in (None, m["ts"])]


def _thread(emulator: SlackEmulator, channel: str, ts: str) -> list[dict[str, Any]]:
    return [m for m in emulator.messages(channel) if m.get("thread_ts") == ts and m["ts"] != ts]


@pytest.fixture
def emulator() -> Any:
    workspace = Workspace(
        strict_channels=True,
        channels={CHANNEL: "crisis-room", ACME_ROOM: "acme-crisis", ACME_LEADERS: "acme-leaders"},
    )
    emu = SlackEmulator(workspace=workspace).start()
    yield emu
    emu.stop()


def test_each_brand_is_alerted_in_its_own_channel_and_a_refused_one_in_the_crisis_channel(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    s = start_stack(database_url, clock=pinned, config=AGENCY, emulator=emulator)
    try:
        acme = open_storm(s, pinned, brand="Acme")
        row = incident_row(s, acme)
        assert row.channel == ACME_ROOM
        assert [m["ts"] for m in _top(emulator, ACME_ROOM)] == [row.message_ts]
        assert _top(emulator, CHANNEL) == []

        # Work on it lands in the client's channel: the thread, the card's update, the
        # stakeholders' copy in the client's own leaders' channel.
        s.slack.command(f"note {acme} Client's CEO informed", user_id="U0BOB")
        s.slack.command(f"update {acme} Cause found, fix by 15:00", user_id="U0BOB")
        answer(s, "sent to")
        emulator.wait_for(lambda: len(_thread(emulator, ACME_ROOM, row.message_ts)) >= 1)
        emulator.wait_for(lambda: emulator.messages(ACME_LEADERS))
        assert "Cause found, fix by 15:00" in str(emulator.messages(ACME_LEADERS))
        # A form has no response_url: its answer is told in the incident's own channel.
        s.slack.submit_view(
            View.POST_UPDATE, {Block.UPDATE_TEXT: {"text": "Statement out at 16:00"}},
            user_id="U0BOB", private_metadata=str(acme),
        )  # fmt: skip
        # (the two commands above were answered where they were typed: the crisis channel)
        told = emulator.wait_for(
            lambda: [e for e in emulator.ephemerals if e["user"] == "U0BOB"][2:]
        )
        assert [e["channel"] for e in told] == [ACME_ROOM]

        # Globex's channel does not exist: the alert goes to the crisis channel, saying so.
        globex = open_storm(s, pinned, brand="Globex")
        row = incident_row(s, globex)
        assert row.channel == CHANNEL
        note = emulator.wait_for(
            lambda: next(iter(_thread(emulator, CHANNEL, row.message_ts)), None)
        )
        assert note["text"] == (
            f":warning: This alert was meant for <#{GONE}>, the brand's channel in the "
            "playbook, but Slack refused it there (`channel_not_found`). Invite the app to that "
            "channel (`/invite` it there), or correct `channel` in the brand's entry; this "
            "incident stays here."
        )
        posted = next(e for e in timeline(s, globex) if e["type"] == "alert.posted")
        assert (posted["channel"], posted["meant_for"], posted["refused"]) == (
            CHANNEL, GONE, "channel_not_found",
        )  # fmt: skip

        # A brand without a channel of its own: the crisis channel, as before.
        initech = open_storm(s, pinned, brand="Initech")
        assert incident_row(s, initech).channel == CHANNEL
    finally:
        s.stop()


def test_a_declared_incident_and_a_drill_typed_in_a_clients_channel_are_that_clients(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    s = start_stack(database_url, clock=pinned, config=AGENCY, emulator=emulator)
    try:
        # Declared from the form: the card and the form's answer in the client's channel.
        s.slack.submit_view(
            View.DECLARE,
            declare_values("A reporter calls about the recall", "Acme"),
            user_id="U0BOB",
        )
        told = emulator.wait_for(
            lambda: [e for e in emulator.ephemerals if "declared" in e["text"]]
        )
        assert told[0]["channel"] == ACME_ROOM and told[0]["user"] == "U0BOB"
        declared = emulator.wait_for(lambda: _top(emulator, ACME_ROOM))
        assert declared[0]["text"].startswith("#1 A reporter calls")
        # Globex's channel refuses: the answer is told in the crisis channel instead.
        s.slack.submit_view(
            View.DECLARE, declare_values("CEO video spreads", "Globex"), user_id="U0BOB"
        )
        told = emulator.wait_for(
            lambda: [e for e in emulator.ephemerals if "CEO video spreads" in e["text"]]
        )
        assert told[0]["channel"] == CHANNEL

        s.slack.command("drill", user_id="U0ALICE", channel_id=ACME_ROOM)
        answer(s, "DRILL #")
        emulator.wait_for(lambda: len(_top(emulator, ACME_ROOM)) == 2)
        assert "(Acme)" in _top(emulator, ACME_ROOM)[1]["text"]
        # Typed elsewhere: the playbook's first brand, in its channel.
        s.slack.command("drill breach", user_id="U0ALICE")
        emulator.wait_for(lambda: len(_top(emulator, ACME_ROOM)) == 3)
        assert [m["text"][:3] for m in _top(emulator, CHANNEL)] == ["#2 "]  # Globex's, above
    finally:
        s.stop()


def test_a_brands_channel_must_be_a_channel_id(tmp_path: Any) -> None:
    path = tmp_path / "crisisbot.toml"
    path.write_text('[[brands]]\nname = "Acme"\nchannel = "#acme-crisis"\n')
    with pytest.raises(ConfigError, match=r"brands\[0\]\.channel: '#acme-crisis' is not a Slack"):
        load_config(path)
    path.write_text('[[brands]]\nname = "Acme"\nupdates_channel = "acme-leaders"\n')
    with pytest.raises(ConfigError, match=r"brands\[0\]\.updates_channel: 'acme-leaders'"):
        load_config(path)
    path.write_text(
        '[plan]\nupdates_channel = "C0LEADERS"\n[[brands]]\nname = "Acme"\nchannel = "C0ACME"\n'
        '[[brands]]\nname = "Globex"\nupdates_channel = "C0GLOBEXLEAD"\n'
    )
    config = load_config(path)
    assert (config.channel_for("Acme"), config.channel_for("Globex")) == ("C0ACME", None)
    assert config.updates_channel_for("Acme") == "C0LEADERS"  # the plan's
    assert config.updates_channel_for("Globex") == "C0GLOBEXLEAD"
    assert config.brand_of_channel("C0ACME") == "Acme" and config.brand_of_channel(None) is None


def test_an_incident_of_a_second_brand_sharing_a_refused_channel_is_answered_there(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    # Globex and Hooli share a channel Slack refuses: Hooli's alert went to the crisis channel.
    # Typed in their channel, Hooli's incident is that channel's own, as Globex's is (it was
    # refused: only the channel's first brand was asked).
    shared = replace(
        AGENCY, brands=(*AGENCY.brands, Brand("Hooli", terms=("Hooli",), channel=GONE))
    )
    s = start_stack(database_url, clock=pinned, config=shared, emulator=emulator)
    try:
        hooli = open_storm(s, pinned, brand="Hooli")
        assert incident_row(s, hooli).channel == CHANNEL
        before = len(emulator.responses)
        s.slack.command(f"status {hooli}", user_id="U0BOB", channel_id=GONE)
        emulator.wait_for(lambda: len(emulator.responses) > before)
        said = str(emulator.responses[-1]["payload"]["text"])
        assert "not one of this channel's incidents" not in said and f"#{hooli}" in said
    finally:
        s.stop()


def test_stats_typed_in_a_clients_channel_count_that_clients_incidents_only(
    database_url: str, pinned: ManualClock, emulator: SlackEmulator
) -> None:
    """A client's channel is often shared with the client: the agency's other clients' figures
    (how many incidents, how fast) are not theirs to read."""
    s = start_stack(database_url, clock=pinned, config=AGENCY, emulator=emulator)
    try:
        open_storm(s, pinned, brand="Acme")
        open_storm(s, pinned, brand="Initech")
        s.slack.command("stats", user_id="U0BOB", channel_id=ACME_ROOM)
        here = answer(s, "in this channel")["text"]
        assert here.startswith("*Across 1 real incident in this channel* (drills left out)")
        s.slack.command("stats", user_id="U0BOB")  # the crisis channel: the agency's view
        assert answer(s, "*Across 2 real incidents*")["text"].startswith(
            "*Across 2 real incidents* (drills left out)"
        )
    finally:
        s.stop()
