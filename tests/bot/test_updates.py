"""Stakeholder updates during an incident ("what we know, what we are doing, next update at
15:00"): `/crisis update N <text>` and the card's Post update form, posted in the incident's
thread and, when the playbook names one, in the stakeholders' channel; the card's last update,
the timeline and the exports, and the optional reminder when none went out for too long."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot import jobs
from bot.aftermath import export
from bot.core.clock import ManualClock
from bot.core.config import Config, Level
from bot.emulator import SlackEmulator, Workspace
from bot.slack.commands import UsageError, parse
from bot.slack.ids import Action, Block, View
from bot.testing import CHANNEL, Stack, start_stack
from tests.bot.flow import (
    PINNED_START,
    answer,
    blocks_text,
    card,
    click_on,
    open_storm,
    thread,
    timeline,
)
from tests.bot.test_response import PLAYBOOK

# A fixed start: the volume detector reads the time of day (see test_reopen).
START = PINNED_START
LEADERS = "C0LEADERS"
WITH_CHANNEL = replace(PLAYBOOK, updates_channel=LEADERS)


@pytest.fixture
def team(database_url: str, pinned: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=pinned, config=WITH_CHANNEL)
    yield s
    s.stop()


def _updates_in_thread(stack: Stack, number: int) -> list[dict[str, Any]]:
    return [m for m in thread(stack, number) if m["text"].startswith((":mega:", ":mega: DRILL"))]


def _leaders(stack: Stack) -> list[dict[str, Any]]:
    return stack.emulator.messages(LEADERS)


def _buttons(message: dict[str, Any] | None) -> dict[str, str]:
    return {
        e["action_id"]: e.get("value", "")
        for b in (message or {}).get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    }


def _form(stack: Stack, callback_id: str) -> dict[str, Any]:
    return stack.emulator.wait_for(
        lambda: next(
            (v for v in stack.emulator.views.values() if v["callback_id"] == callback_id), None
        )
    )


def _export(stack: Stack, number: int, fmt: str) -> str:
    out = io.StringIO()
    with stack.bot.sessions() as session:
        export.write(
            session, number, fmt, out, name_of=stack.bot.gateway.user_name,
            config=stack.bot.config, now=START,
        )  # fmt: skip
    return out.getvalue()


def test_an_update_by_command_goes_to_the_thread_and_the_stakeholders_channel_with_a_link(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    team.slack.command(f"claim {n}", user_id="U0ALICE")
    answer(team, f"You now hold #{n}")
    pinned.advance(minutes=5)
    text = "We found the cause: a billing bug. Refunds start today.\nNext update at 15:00."
    team.slack.command(f"update #{n} {text}", user_id="U0BOB")
    reply = answer(team, "Update posted")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == f"Update posted in #{n}'s thread and sent to <#{LEADERS}>."

    # In the thread, for the team: who wrote it, where it went, the text quoted.
    [posted] = team.emulator.wait_for(lambda: _updates_in_thread(team, n))
    assert posted["text"] == (
        f":mega: *Update* by <@U0BOB> · sent to <#{LEADERS}>\n"
        "> We found the cause: a billing bug. Refunds start today.\n> Next update at 15:00."
    )

    # In the stakeholders' channel: self-contained, names rather than pings, a link to the thread.
    [leaders] = team.emulator.wait_for(lambda: _leaders(team))
    shown = blocks_text(leaders)
    assert leaders["text"].startswith(f"Update on #{n} Acme: ")
    assert f"*Update on #{n} Acme: " in shown
    for part in ("*Brand*\\nAcme", "*Severity*\\n", "*Status*\\nClaimed", "*Owner*\\nAlice Moreau"):
        assert part in shown, part
    assert "> We found the cause: a billing bug." in shown and "Next update at 15:00." in shown
    assert "Posted by Bob Tanaka at 2026-11-18 09:05 UTC" in shown
    alert = card(team, n)
    assert alert is not None
    digits = alert["ts"].replace(".", "")
    domain = team.emulator.workspace.team_domain
    link = f"https://{domain}.slack.com/archives/{CHANNEL}/p{digits}"
    assert f"<{link}|Open the incident thread>" in shown
    assert "<@" not in shown and "<@" not in leaders["text"]  # nobody is pinged there

    # The card says when the last update went out, and by whom; its button is there.
    team.emulator.wait_for(lambda: "Last update" in blocks_text(card(team, n)))
    assert "Last update 2026-11-18 09:05 UTC by <@U0BOB>" in blocks_text(card(team, n))
    assert _buttons(card(team, n))[Action.POST_UPDATE] == str(n)

    [event] = [e for e in timeline(team, n) if e["type"] == "incident.update_posted"]
    assert (event["actor"], event["text"], event["to"]) == ("U0BOB", text, ["thread", LEADERS])


def test_the_post_update_button_opens_a_form_and_without_a_channel_posts_in_the_thread_only(
    database_url: str, pinned: ManualClock
) -> None:
    s = start_stack(database_url, clock=pinned, config=PLAYBOOK)  # no updates_channel
    try:
        n = open_storm(s, pinned)
        click_on(s, card(s, n), Action.POST_UPDATE, "U0ALICE")  # type: ignore[arg-type]
        form = _form(s, View.POST_UPDATE)
        assert form["private_metadata"] == str(n)
        assert form["title"]["text"] == f"Update · #{n}"
        [field] = [b for b in form["blocks"] if b.get("block_id") == Block.UPDATE_TEXT]
        assert field["element"]["multiline"] and field["element"]["max_length"] == 3000
        assert not field.get("optional")
        assert "Posted in the incident's thread." in json.dumps(form["blocks"])

        blank = s.slack.submit_view(
            View.POST_UPDATE, {Block.UPDATE_TEXT: {"text": "  "}}, user_id="U0ALICE",
            view_id=form["id"],
        )  # fmt: skip
        assert blank.json() == {
            "response_action": "errors", "errors": {Block.UPDATE_TEXT: "Write the update."}
        }  # fmt: skip
        done = s.slack.submit_view(
            View.POST_UPDATE, {Block.UPDATE_TEXT: {"text": "Statement drafted <!channel> & co"}},
            user_id="U0ALICE", view_id=form["id"],
        )  # fmt: skip
        assert done.status_code == 200 and not done.content  # the form closes
        assert answer(s, "Update posted")["text"] == f"Update posted in #{n}'s thread."
        [posted] = s.emulator.wait_for(lambda: _updates_in_thread(s, n))
        assert posted["text"] == (
            ":mega: *Update* by <@U0ALICE>\n> Statement drafted &lt;!channel&gt; &amp; co"
        )
        s.emulator.wait_for(lambda: s.bot.deliverer().pending() == 0)
        channels = {c.params.get("channel") for c in s.emulator.calls("chat.postMessage")}
        assert channels == {CHANNEL}
        [event] = [e for e in timeline(s, n) if e["type"] == "incident.update_posted"]
        assert event["to"] == ["thread"]
    finally:
        s.stop()


def test_a_closed_incident_takes_no_update(team: Stack, pinned: ManualClock) -> None:
    n = open_storm(team, pinned)
    stale_card = card(team, n)
    assert stale_card is not None
    team.slack.command(f"resolve {n} Handled", user_id="U0ALICE")
    answer(team, f"#{n} resolved")
    before = timeline(team, n)

    team.slack.command(f"update {n} Too late", user_id="U0BOB")
    refused = answer(team, "updates are for open incidents")
    assert refused["response_type"] == "ephemeral"
    assert refused["text"] == (
        f"#{n} is resolved: updates are for open incidents. If the story is back, "
        f"`/crisis reopen {n}` first."
    )
    # The button on a card shown before the close: said at once, no form to type into.
    team.slack.click(
        Action.POST_UPDATE, str(n), user_id="U0BOB",
        message={"channel": CHANNEL, "ts": stale_card["ts"]},
    )  # fmt: skip
    team.emulator.wait_for(lambda: len(_said(team, "updates are for open incidents")) == 2)
    assert not any(v["callback_id"] == View.POST_UPDATE for v in team.emulator.views.values())
    # A form opened before the close, submitted after it: the refusal stays in the form.
    submitted = team.slack.submit_view(
        View.POST_UPDATE, {Block.UPDATE_TEXT: {"text": "Too late"}}, user_id="U0BOB",
        private_metadata=str(n),
    )  # fmt: skip
    assert "updates are for open incidents" in submitted.json()["errors"][Block.UPDATE_TEXT]
    assert Action.POST_UPDATE not in _buttons(card(team, n))  # a closed card has none
    assert timeline(team, n) == before
    assert _leaders(team) == []

    team.slack.command("update 42 Anything", user_id="U0BOB")
    answer(team, "There is no incident #42")


def _said(stack: Stack, needle: str) -> list[dict[str, Any]]:
    payloads = [r["payload"] for r in stack.emulator.responses]
    return [p for p in payloads if needle in p.get("text", "")]


def test_bad_update_commands_are_answered_with_the_usage() -> None:
    for raw, problem in (
        ("update", "`update`: needs an incident number"),
        ("update 7", "`update` needs the text after the number."),
        ("update x We know", "`update`: `x` is not an incident number"),
        ("update 7 " + "x" * 3001, "That text is 3,001 characters; the limit is 3,000."),
    ):
        with pytest.raises(UsageError) as info:
            parse(raw)
        assert problem in info.value.text
        assert "`/crisis update N <text>`" in info.value.text
    assert parse("информирай #7 Знаем причината") == parse("update 7 Знаем причината")


def test_slack_failing_on_the_stakeholders_post_delivers_it_once(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    team.emulator.wait_for(lambda: team.bot.deliverer().pending() == 0)
    # Slack stores both posts (the thread's, then the stakeholders') and the answers are lost.
    team.emulator.fail_next("chat.postMessage", status=500, after_effect=True, count=2)
    team.slack.command(f"update {n} Cause found <!here>", user_id="U0BOB")
    answer(team, "Update posted")
    team.emulator.wait_for(
        lambda: len([c for c in team.emulator.calls("chat.postMessage") if c.fault]) == 2
    )

    def delivered() -> bool:
        # Time goes on (the courier may schedule a retry only after the faults were seen, from
        # the clock as it is then): past each retry's backoff, until nothing is left to send.
        pinned.advance(seconds=10)
        team.bot.deliver_now()
        return team.bot.deliverer().pending() == 0

    team.emulator.wait_for(delivered, timeout=15)
    [leaders] = _leaders(team)
    assert len(_updates_in_thread(team, n)) == 1
    assert team.emulator.calls("conversations.history")  # looked for it by its key first
    # Escaped like every text from people: no @here reaches the stakeholders.
    assert "Cause found &lt;!here&gt;" in blocks_text(leaders) and "<!here>" not in str(leaders)


def test_a_stakeholders_channel_slack_refuses_is_said_in_the_thread(
    database_url: str, pinned: ManualClock
) -> None:
    emulator = SlackEmulator(workspace=Workspace(strict_channels=True)).start()
    s = start_stack(database_url, clock=pinned, config=WITH_CHANNEL, emulator=emulator)
    try:
        n = open_storm(s, pinned)
        s.slack.command(f"update {n} Cause found", user_id="U0BOB")
        warning = s.emulator.wait_for(
            lambda: next((m for m in thread(s, n) if "could not be posted" in m["text"]), None)
        )
        assert warning["text"] == (
            f":warning: The update by <@U0BOB> could not be posted in <#{LEADERS}>: Slack "
            "answered `channel_not_found`. Correct `updates_channel` in the playbook (the "
            "brand's entry, else `[plan]`), or, if that channel is private, invite the app to "
            "it; then post the update again."
        )
        failed = s.emulator.wait_for(
            lambda: [e for e in timeline(s, n) if e["type"] == "incident.update_failed"]
        )
        assert (failed[0]["channel"], failed[0]["error"]) == (LEADERS, "channel_not_found")
        assert len(_updates_in_thread(s, n)) == 1  # the team's copy is there
    finally:
        s.stop()


def test_a_drill_update_stays_in_the_thread(team: Stack, pinned: ManualClock) -> None:
    team.slack.command("drill", user_id="U0ALICE")
    answer(team, "DRILL #1 started")
    team.emulator.wait_for(lambda: card(team, 1))
    team.slack.command("update 1 Practice update", user_id="U0ALICE")
    reply = answer(team, "Update posted")
    assert reply["text"] == (
        f"DRILL · Update posted in #1's thread (a drill sends nothing to <#{LEADERS}>)."
    )
    [posted] = team.emulator.wait_for(lambda: _updates_in_thread(team, 1))
    assert posted["text"].startswith(
        ":mega: DRILL · *Update* by <@U0ALICE> · a drill: for real it would also go to "
        f"<#{LEADERS}>"
    )
    team.emulator.wait_for(lambda: team.bot.deliverer().pending() == 0)
    assert _leaders(team) == []


def test_a_bulgarian_team_posts_updates_in_bulgarian(
    database_url: str, pinned: ManualClock
) -> None:
    s = start_stack(database_url, clock=pinned, config=replace(WITH_CHANNEL, locale="bg"))
    try:
        n = open_storm(s, pinned)
        s.slack.command(f"поеми {n}", user_id="U0ALICE")
        answer(s, f"Поехте #{n}")
        s.slack.command(f"информирай {n} Открихме причината. Следваща актуализация в 15:00.",
                        user_id="U0BOB")  # fmt: skip
        reply = answer(s, "Актуализацията")
        assert reply["text"] == (
            f"Актуализацията е публикувана в нишката на #{n} и изпратена в <#{LEADERS}>."
        )
        [posted] = s.emulator.wait_for(lambda: _updates_in_thread(s, n))
        assert posted["text"].startswith(
            f":mega: *Актуализация* от <@U0BOB> · изпратена и в <#{LEADERS}>\n> Открихме"
        )
        [leaders] = s.emulator.wait_for(lambda: _leaders(s))
        shown = blocks_text(leaders)
        assert leaders["text"].startswith(f"Актуализация по #{n} Acme: ")
        for part in ("*Марка*\\nAcme", "*Състояние*\\nПоет", "*Отговорник*\\nAlice Moreau",
                     "Публикувана от Bob Tanaka на 18.11.2026 09:00 UTC",
                     "|Към нишката на инцидента>"):  # fmt: skip
            assert part in shown, part
        s.emulator.wait_for(lambda: "Последна актуализация" in blocks_text(card(s, n)))
        last = "Последна актуализация от <@U0BOB> на 18.11.2026 09:00 UTC"
        assert last in blocks_text(card(s, n))
        assert "Информирай" in blocks_text(card(s, n))
        s.slack.command(f"приключи {n}", user_id="U0ALICE")
        answer(s, f"#{n} е приключен")
        s.slack.command(f"информирай {n} Късно", user_id="U0BOB")
        answer(s, "актуализациите са за отворени инциденти")
    finally:
        s.stop()


def test_the_update_timer_reminds_the_owner_once_per_quiet_spell(
    database_url: str, pinned: ManualClock
) -> None:
    s = start_stack(database_url, clock=pinned, config=replace(WITH_CHANNEL, update_minutes=60))
    try:
        n = open_storm(s, pinned)
        s.slack.command(f"claim {n}", user_id="U0ALICE")
        answer(s, f"You now hold #{n}")

        def reminders() -> list[dict[str, Any]]:
            s.emulator.wait_for(lambda: s.bot.deliverer().pending() == 0)
            return [m for m in thread(s, n) if m["text"].startswith("Update due")]

        pinned.advance(minutes=59)
        jobs.run_timers(s.bot)
        assert reminders() == []
        pinned.advance(minutes=1)
        for _ in range(3):  # the worker's pass every 30 s, and a second worker: one reminder
            jobs.run_timers(s.bot)
        [first] = s.emulator.wait_for(reminders)
        assert first["text"] == (
            f"Update due: nobody has posted an update on #{n} in 60 min, and the playbook asks "
            f"for one every 60 min. <@U0ALICE> — *Post update* on the card, or "
            f"`/crisis update {n} <text>`."
        )
        pinned.advance(minutes=30)
        jobs.run_timers(s.bot)
        assert len(reminders()) == 1

        # An update starts the clock again: nothing until 60 min after it.
        s.slack.command(f"update {n} Refunds under way", user_id="U0ALICE")
        answer(s, "Update posted")
        pinned.advance(minutes=59)
        jobs.run_timers(s.bot)
        assert len(reminders()) == 1
        pinned.advance(minutes=1)
        jobs.run_timers(s.bot)
        jobs.run_timers(s.bot)
        second = s.emulator.wait_for(lambda: reminders()[1:])[0]
        assert second["text"].startswith(
            f"Update due: the last update on #{n} went out 60 min ago, and the playbook asks "
            "for one every 60 min. <@U0ALICE>"
        )
        assert len(reminders()) == 2
        events = [e for e in timeline(s, n) if e["type"] == "incident.update_reminded"]
        assert [(e["owner"], e["quiet_minutes"]) for e in events] == [
            ("U0ALICE", 60), ("U0ALICE", 60)
        ]  # fmt: skip

        # Closed: no more reminders.
        s.slack.command(f"resolve {n}", user_id="U0ALICE")
        answer(s, f"#{n} resolved")
        pinned.advance(hours=3)
        jobs.run_timers(s.bot)
        assert len(reminders()) == 2
    finally:
        s.stop()


def test_without_update_minutes_there_is_no_update_reminder(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    pinned.advance(hours=5)
    jobs.run_timers(team.bot)
    team.emulator.wait_for(lambda: team.bot.deliverer().pending() == 0)
    assert not [m for m in thread(team, n) if m["text"].startswith("Update due")]
    assert not [e for e in timeline(team, n) if e["type"] == "incident.update_reminded"]


def test_every_export_shows_the_updates_and_the_review_counts_them(
    team: Stack, pinned: ManualClock
) -> None:
    n = open_storm(team, pinned)
    pinned.advance(minutes=5)
    team.slack.command(f"update {n} First update: cause found", user_id="U0BOB")
    answer(team, "Update posted")
    pinned.advance(minutes=60)
    team.slack.command(f"update {n} Second update: refunds | done", user_id="U0ALICE")
    team.emulator.wait_for(lambda: len(_said(team, "Update posted")) == 2)

    data = json.loads(_export(team, n, "json"))
    posted = [e for e in data["events"] if e["type"] == "incident.update_posted"]
    assert [(e["actor"], e["text"], e["to"]) for e in posted] == [
        ("U0BOB", "First update: cause found", ["thread", LEADERS]),
        ("U0ALICE", "Second update: refunds | done", ["thread", LEADERS]),
    ]
    rows = [r for r in csv.DictReader(io.StringIO(_export(team, n, "csv")))
            if r["type"] == "incident.update_posted"]  # fmt: skip
    assert [json.loads(r["details"])["text"] for r in rows] == [
        "First update: cause found", "Second update: refunds | done"
    ]  # fmt: skip
    md = _export(team, n, "md")
    assert "`incident.update_posted`" in md and "text: Second update: refunds \\| done" in md
    assert "2 updates kept stakeholders informed." in md
    page = _export(team, n, "html")
    assert "incident.update_posted" in page and "First update: cause found" in page
    assert "2 updates kept stakeholders informed." in page


def test_the_playbook_keys_are_checked_and_documented() -> None:
    from pathlib import Path

    from bot.core.config import ConfigError, parse_config

    config = parse_config(
        {"plan": {"updates_channel": "C0LEADERS"}, "escalation": {"update_minutes": 60}}, "x"
    )
    assert (config.updates_channel, config.update_minutes) == ("C0LEADERS", 60)
    assert (Config().updates_channel, Config().update_minutes) == (None, None)  # off by default
    for data, expected in (
        ({"plan": {"updates_channel": "#leaders"}},
         "plan.updates_channel: '#leaders' is not a Slack channel ID (like C0123ABCD"),
        ({"plan": {"updates_channel": 5}}, "plan.updates_channel must be a string"),
        ({"escalation": {"update_minutes": 0}},
         "escalation.update_minutes must be a positive number"),
        ({"escalation": {"update_minutes": 10**9}},
         "escalation.update_minutes must be at most 43200"),
        ({"plan": {"update_channel": "C0LEADERS"}},
         "unknown key 'plan.update_channel' (did you mean 'updates_channel'?)"),
    ):  # fmt: skip
        with pytest.raises(ConfigError) as info:
            parse_config(data, "team.toml")
        assert expected in str(info.value)
    # The example documents both, commented out (off by default): uncommented, it loads.
    root = Path(__file__).resolve().parents[2]
    example = (root / "crisisbot.example.toml").read_text(encoding="utf-8")
    assert '# updates_channel = "C0LEADERS"' in example and "# update_minutes = 60" in example
    import tomllib

    loaded = parse_config(
        tomllib.loads(
            example.replace(
                '# updates_channel = "C0LEADERS"', 'updates_channel = "C0LEADERS"'
            ).replace("# update_minutes = 60", "update_minutes = 60")
        ),
        "example",
    )
    assert (loaded.updates_channel, loaded.update_minutes) == ("C0LEADERS", 60)
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "updates_channel" in readme and "update_minutes" in readme
    assert "incident.update_posted" in readme


def test_the_bulgarian_renders_leave_no_english_behind() -> None:
    """Every text of this feature, rendered in Bulgarian: no two English words in a row outside
    the code spans that quote the `/crisis` contract (as test_i18n checks the others)."""
    import re
    from datetime import timedelta

    from bot.core import i18n
    from bot.response import timers, updates
    from bot.slack import messages
    from models import Incident
    from tests.bot.test_i18n import _texts

    now = START
    incident = Incident(
        id=7, title="Акме: буря", brand="Акме", status="claimed", severity="high", level=1,
        owner="U0ALICE", is_drill=False, opened_at=now, updated_at=now, evidence={},
    )  # fmt: skip
    drill = Incident(
        id=8, title="Учение", status="open", severity="low", level=0, owner=None,
        is_drill=True, opened_at=now, updated_at=now, evidence={},
    )  # fmt: skip
    fields = {"number": 7, "title": "Акме: буря", "brand": "Акме", "status": "claimed",
              "severity": "high", "owner": "U0ALICE", "author": "U0BOB", "text": "Знаем & правим",
              "at": now.isoformat()}  # fmt: skip
    team = Config(levels=(Level("Екип"), Level("Ръководство")))
    with i18n.using("bg"):
        rendered: list[Any] = [
            messages.incident_card(incident, team, last_update=(now, "U0BOB")),
            messages.incident_card(drill, team),
            messages.update_modal(incident, LEADERS),
            messages.update_modal(incident, None),
            messages.update_modal(drill, LEADERS),
            messages.stakeholder_update(
                fields, author="Боб", owner="Алис", link="https://x.slack.com/archives/C1/p1"
            ),
            messages.stakeholder_update(
                {**fields, "owner": None}, author="Боб", owner=None, link=None
            ),
            messages.update_posted(updates.Posted(incident, LEADERS, None)),
            messages.update_posted(updates.Posted(incident, None, None)),
            messages.update_posted(updates.Posted(drill, None, LEADERS)),
            updates.thread_text(incident, "U0BOB", "Знаем", LEADERS, None),
            updates.thread_text(drill, "U0BOB", "Знаем", None, LEADERS),
            updates.quoted("x & y\n" * 2000, 7, 3000),
            timers._update_due_text(incident, timedelta(hours=2), timedelta(hours=1), ever=True),
            timers._update_due_text(drill, timedelta(hours=2), timedelta(hours=1), ever=False),
        ]
        for raw in ("update", "update 7", "информирай х"):
            with pytest.raises(UsageError) as info:
                parse(raw)
            rendered.append(info.value.text)
        # A form's title holds 24 characters: the incident's number stays whole in it.
        big = Incident(id=123_456_789, title="Т", status="open", is_drill=False)
        assert messages.update_modal(big, None)["title"]["text"].endswith("#123456789")
    shown = " ".join(_texts(json.loads(json.dumps(rendered, ensure_ascii=False))))
    prose = re.sub(r"`[^`]*`|<[^>]*>|x &amp; y", " ", shown)
    assert re.findall(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\b", prose) == []
    assert "Актуализация по #7 Акме: буря" in shown and "Последна актуализация" in shown


def test_an_update_slack_kept_failing_asks_to_post_again_not_to_invite_the_app(
    team: Stack, pinned: ManualClock
) -> None:
    """After every retry of a 5xx (Slack down for long) the advice is to post again later:
    inviting the app would not help."""
    from bot.response import updates
    from models import Incident

    n = open_storm(team, pinned)
    with team.bot.transaction() as session:
        incident = session.get(Incident, n)
        assert incident is not None
        updates.delivery_failed(
            session, incident, {"author": "U0BOB"}, LEADERS, "http_503", pinned(), permanent=False
        )
    team.bot.kick()
    warning = team.emulator.wait_for(
        lambda: next((m for m in thread(team, n) if "could not be posted" in m["text"]), None)
    )
    assert warning["text"] == (
        f":warning: The update by <@U0BOB> could not be posted in <#{LEADERS}>: Slack kept "
        "answering `http_503`. Post the update again once Slack is back."
    )
