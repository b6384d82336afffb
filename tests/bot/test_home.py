"""The App Home tab, through the bot's signed HTTP endpoint and the emulator: what an approver
and a non-approver see, and the tab following a change for those who opened it lately."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete

from bot.core.clock import ManualClock
from bot.slack import home
from bot.slack.ids import Action
from bot.testing import CHANNEL, Stack, start_stack
from models import SlackEventSeen
from tests.bot.flow import card, drafts_in_thread, open_storm, recorded_drafts

# Approvers: Carol, and the S0COMMS group (Bob, Carol). Alice and Dan approve nothing.
DRAFT = "We know about the double charges and are refunding them."


@pytest.fixture
def clock(pinned: ManualClock) -> ManualClock:
    """The pinned clock: a storm stands out the same way whenever the suite runs."""
    return pinned


@pytest.fixture
def team(database_url: str, clock: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock)
    yield s
    s.stop()


def _open_home(team: Stack, user: str) -> dict[str, Any]:
    """Open the person's tab as Slack does and wait for the tab published in answer."""

    def published() -> int:
        return sum(c.params["user_id"] == user for c in team.emulator.calls("views.publish"))

    before = published()
    # A person's very first tab is published twice (confirmed on the hash it got: see
    # home.publish); waiting for one, the confirmation would be taken for the next open's tab.
    calls = 1 if team.emulator.home(user) is not None else 2
    response = team.slack.app_home_opened(user)
    assert response.status_code == 200
    team.emulator.wait_for(lambda: published() >= before + calls)
    view = team.emulator.home(user)
    assert view is not None and view["type"] == "home"
    return view


def _text(view: dict[str, Any] | None) -> str:
    return json.dumps((view or {}).get("blocks", []), ensure_ascii=False)


def _buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("url")]


def test_an_approver_sees_the_incidents_the_draft_to_approve_and_the_figures(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    clock.advance(minutes=12)
    team.slack.command(f"draft #{n} {DRAFT}", user_id="U0BOB")
    # Not only shown: recorded. A tab opened before the courier stored the draft's ts links
    # the draft to the card, and is published again right after (`home.refresh`), too late
    # for `_open_home`, which reads the first tab published.
    recorded_drafts(team, n)

    view = _open_home(team, "U0CAROL")
    shown = _text(view)
    assert f"#{n} Acme" in shown and "Open · " in shown and "unclaimed" in shown
    assert "open for 12 min" in shown  # the age, from the bot's clock
    assert "Waiting for your approval" in shown and f"Draft v1* for #{n}" in shown
    assert DRAFT in shown and "<@U0BOB>" in shown
    assert "Last 30 days" in shown and "*1 real incident* (drills left out)" in shown
    # Each line links to its message, by the permalink Slack gives for it.
    alert, draft = card(team, n), drafts_in_thread(team, n)[0]
    assert alert is not None
    urls = [b["url"] for b in _buttons(view)]
    assert urls == [
        f"https://crisisbot-emu.slack.com/archives/{CHANNEL}/p{m['ts'].replace('.', '')}"
        for m in (alert, draft)
    ]
    assert {b["action_id"] for b in _buttons(view)} == {Action.OPEN_THREAD}
    # Clicking the link button is answered (Slack would warn the person otherwise).
    clicked = team.slack.click(Action.OPEN_THREAD, str(n), user_id="U0CAROL")
    assert clicked.status_code == 200


def test_the_author_and_a_non_approver_see_no_draft_to_approve(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    team.slack.command(f"draft #{n} {DRAFT}", user_id="U0BOB")
    team.emulator.wait_for(lambda: drafts_in_thread(team, n))

    author = _text(_open_home(team, "U0BOB"))  # an approver, but it is his own draft
    assert f"#{n} Acme" in author
    assert "Nothing waits for your approval." in author and DRAFT not in author

    other = _text(_open_home(team, "U0ALICE"))  # no approver at all
    assert f"#{n} Acme" in other
    assert "you are not one of them" in other and DRAFT not in other


def test_the_messages_tab_publishes_nothing(team: Stack) -> None:
    assert team.slack.app_home_opened("U0ALICE", tab="messages").status_code == 200
    assert team.emulator.calls("views.publish") == [] and team.emulator.home("U0ALICE") is None


def test_the_tab_follows_a_claim_for_those_who_opened_it_lately_only(
    team: Stack, clock: ManualClock
) -> None:
    n = open_storm(team, clock)
    assert "unclaimed" in _text(_open_home(team, "U0ALICE"))

    team.slack.command(f"claim #{n}", user_id="U0BOB")
    # The courier delivers the card, then publishes Alice's tab again: no event from her.
    team.emulator.wait_for(lambda: "held by <@U0BOB>" in _text(team.emulator.home("U0ALICE")))
    assert "Claimed · " in _text(team.emulator.home("U0ALICE"))
    published_for = {c.params["user_id"] for c in team.emulator.calls("views.publish")}
    assert published_for == {"U0ALICE"}  # nobody else's tab, though Bob claimed

    # Two hours later Alice's tab is no longer followed; Carol's, just opened, is.
    clock.advance(hours=2)
    _open_home(team, "U0CAROL")
    with team.bot.sessions() as session:
        assert home.recent_viewers(session, clock()) == ["U0CAROL"]


def test_the_manifest_asks_for_the_home_tab_and_its_event_and_the_scopes_it_uses() -> None:
    from pathlib import Path

    manifest = json.loads((Path(__file__).parents[2] / "slack-manifest.json").read_text())
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    # Direct messages (an overdue follow-up's owner) show in the Messages tab, read-only: the
    # bot reads no message sent to it.
    assert home["messages_tab_enabled"] is True and home["messages_tab_read_only_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    # views.publish, chat.getPermalink and app_home_opened need no scope of their own;
    # conversations.open needs im:write, and finding a DM whose answer was lost im:history;
    # users.conversations (an agency's Home tab: whose clients a person sees) channels:read
    # and groups:read; an incident's room (conversations.create, .invite, .archive)
    # channels:manage (public) and groups:write (private).
    assert manifest["oauth_config"]["scopes"]["bot"] == [
        "commands", "chat:write", "chat:write.public", "channels:history", "groups:history",
        "users:read", "usergroups:read", "files:write", "app_mentions:read", "im:write",
        "im:history", "channels:read", "groups:read", "channels:manage", "groups:write",
    ]  # fmt: skip


def test_a_busy_tab_stays_within_slack_limits_and_says_what_it_left_out() -> None:
    from datetime import UTC, datetime, timedelta

    from bot.emulator import validate_blocks
    from bot.response.lookups import IncidentLine, PendingDraft
    from bot.response.stats import TeamStats
    from bot.slack import messages

    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    lines = [
        IncidentLine(i, f"Brand {i}: mention storm", "open", "high", None,
                     now - timedelta(minutes=i), i % 2 == 0, CHANNEL, f"1.{i:06d}")
        for i in range(1, 31)
    ]  # fmt: skip
    drafts = [
        PendingDraft(i, 1, "U0BOB", "x" * 5000, i, "Brand", CHANNEL, None) for i in range(1, 16)
    ]
    figures = TeamStats(30, 3, timedelta(minutes=4), None, timedelta(hours=3))
    view = messages.home_view(
        lines,
        drafts,
        figures,
        days=30,
        now=now,
        link=lambda c, ts: f"https://x/{c}/{ts}" if ts else None,
    )
    assert validate_blocks(view["blocks"], max_blocks=100) == []
    shown = _text(view)
    assert "… and 10 more: `/crisis list` shows them all." in shown
    assert "… and 5 more" in shown and "DRILL · #2 " in shown and "open for 5 min" in shown
    assert len(_buttons(view)) == 20  # drafts without a message to link to have no button
    assert "*30 real incidents*" in shown and "Median time to claim: 4 min" in shown


def test_a_tab_read_before_a_change_never_lands_over_the_courier_s_fresh_one(
    team: Stack, clock: ManualClock
) -> None:
    """The race: Alice's tab is read (unclaimed), its publish waits out a 429 for 2 s; Bob
    claims meanwhile and the courier publishes her fresh tab. The stale one, arriving last,
    is refused by Slack (the hash it read after is gone) and read again: the claim stands."""
    n = open_storm(team, clock)
    assert "unclaimed" in _text(_open_home(team, "U0ALICE"))

    def calls() -> list[Any]:
        return [c for c in team.emulator.calls("views.publish") if c.params["user_id"] == "U0ALICE"]

    team.emulator.fail_next("views.publish", status=429, retry_after=2)
    before = len(calls())
    opener = threading.Thread(target=team.slack.app_home_opened, args=("U0ALICE",))
    opener.start()
    team.emulator.wait_for(lambda: any(c.status == 429 for c in calls()[before:]))

    team.slack.command(f"claim #{n}", user_id="U0BOB")
    team.emulator.wait_for(lambda: "held by <@U0BOB>" in _text(team.emulator.home("U0ALICE")))
    opener.join(timeout=30)
    # The stale tab's retry reached Slack after the fresh one (a call after the 429's).
    team.emulator.wait_for(lambda: len(calls()) >= before + 3)
    tab = _text(team.emulator.home("U0ALICE"))
    assert "held by <@U0BOB>" in tab and "unclaimed" not in tab


def test_a_first_tab_read_before_a_change_never_lands_over_the_courier_s_fresh_one(
    team: Stack, clock: ManualClock
) -> None:
    """The same race on Alice's very first tab: no hash is kept for her, and Slack sends none
    in the event until a tab is published. Her tab is read (unclaimed) and its publish waits
    out a 429; Bob claims and the courier publishes her fresh tab, with no hash either. The
    stale one, arriving last, stood: now a publish without a hash is confirmed, read again
    and published on the hash it got."""
    n = open_storm(team, clock)
    assert team.emulator.home("U0ALICE") is None  # never published: nothing to send a hash of

    def calls() -> list[Any]:
        return [c for c in team.emulator.calls("views.publish") if c.params["user_id"] == "U0ALICE"]

    team.emulator.fail_next("views.publish", status=429, retry_after=2)
    opener = threading.Thread(target=team.slack.app_home_opened, args=("U0ALICE",))
    opener.start()
    team.emulator.wait_for(lambda: any(c.status == 429 for c in calls()))

    team.slack.command(f"claim #{n}", user_id="U0BOB")
    team.emulator.wait_for(lambda: "held by <@U0BOB>" in _text(team.emulator.home("U0ALICE")))
    opener.join(timeout=30)
    team.emulator.wait_for(lambda: len(calls()) >= 3)  # the 429, the courier's, the stale retry

    def fresh() -> bool:
        tab = _text(team.emulator.home("U0ALICE"))
        return "held by <@U0BOB>" in tab and "unclaimed" not in tab

    team.emulator.wait_for(fresh)  # the stale tab stood for good before


def test_the_hash_slack_sends_with_the_event_orders_the_first_publish(
    team: Stack, clock: ManualClock
) -> None:
    """A tab Slack has but whose hash is not kept here (the database restored, the row lost):
    the event's `view.hash` makes the publish conditional at once, with no confirming
    second publish."""
    open_storm(team, clock)
    _open_home(team, "U0ALICE")
    # her first tab, then its confirmation: both in before the hash is dropped
    team.emulator.wait_for(lambda: len(team.emulator.calls("views.publish")) >= 2)
    with team.bot.transaction() as session:  # as if the kept hash were lost
        session.execute(delete(SlackEventSeen).where(SlackEventSeen.event_id.like("homeview:%")))
    hash_ = team.emulator.home("U0ALICE")["hash"]
    before = len(team.emulator.calls("views.publish"))
    team.slack.app_home_opened("U0ALICE")
    team.emulator.wait_for(lambda: len(team.emulator.calls("views.publish")) > before)
    published = team.emulator.calls("views.publish")[before:]
    assert [c.params.get("hash") for c in published] == [hash_]
