"""Declaring an incident by hand (`/crisis declare`): a journalist's call or a post on a platform
no source watches becomes the same incident an alert opens (card, buttons, timers, timeline,
exports), held by the person who declared it; the form when the command cannot tell the brand;
one open incident per brand; a storm detected later goes onto it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot import jobs
from bot.aftermath import export
from bot.core.clock import ManualClock
from bot.core.config import Brand
from bot.response import incidents
from bot.slack.commands import UsageError, parse
from bot.slack.ids import Action, Block, Shortcut, View
from bot.testing import Stack, start_stack
from models import Incident
from tests.bot.flow import (
    answer,
    blocks_text,
    card,
    declare_values,
    incident_row,
    open_storm,
    opened_form,
    thread,
    timeline,
)
from tests.bot.test_response import PLAYBOOK

TWO_BRANDS = replace(PLAYBOOK, brands=(Brand("Acme"), Brand("Globex", terms=("Globex",))))


@pytest.fixture
def agency(database_url: str, pinned: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=pinned, config=TWO_BRANDS)
    yield s
    s.stop()


def _incidents(stack: Stack) -> list[Incident]:
    with stack.bot.sessions() as session:
        return list(session.query(Incident).order_by(Incident.id))


def test_parse_declare_and_its_alias() -> None:
    assert parse("declare Journalist asks about the recall").text == (
        "Journalist asks about the recall"
    )
    assert parse("declare").name == "declare" and parse("declare").text == ""
    assert parse("обяви Журналист пита за изтеглянето").name == "declare"
    with pytest.raises(UsageError, match="the limit is 2,000"):
        parse("declare " + "x" * 2001)


def test_a_declared_incident_is_held_by_its_declarer_and_never_pages_as_unclaimed(
    team: Stack, pinned: ManualClock
) -> None:
    team.slack.command(
        "declare Journalist from BTV asks about the recall\nThe story airs at 18:00",
        user_id="U0ALICE",
    )
    said = answer(team, "declared")["text"]
    assert said == (
        "#1 declared: Journalist from BTV asks about the recall. You hold it; the card is in "
        "the channel."
    )
    team.emulator.wait_for(lambda: "alert.posted" in [e["type"] for e in timeline(team, 1)])
    message = card(team, 1)
    assert message is not None
    assert message["text"].startswith("#1 Journalist from BTV asks about the recall")
    text = blocks_text(message)
    assert "*Declared by* <@U0ALICE>" in text and "The story airs at 18:00" in text
    assert "Why this fired" not in text
    assert Action.CLAIM in text and Action.RESOLVE in text  # the same buttons as an alert's
    incident = incident_row(team, 1)
    assert (incident.status, incident.owner, incident.severity) == ("claimed", "U0ALICE", "high")
    assert incident.claimed_at == incident.opened_at and incident.first_mention_at is None
    steps = timeline(team, 1)
    assert [e["type"] for e in steps] == ["incident.opened", "incident.claimed", "alert.posted"]
    assert steps[0]["actor"] == "U0ALICE"
    assert steps[0]["declared"].endswith("The story airs at 18:00")

    team.slack.command("status 1", user_id="U0BOB")
    status = answer(team, "Declared by")["text"]
    assert "Declared by <@U0ALICE>." in status and "Time to detect — · to claim 0 s" in status

    # Past the unclaimed timer: it is held, so nobody is paged.
    pinned.advance(minutes=20)
    jobs.run_timers(team.bot)
    assert incident_row(team, 1).level == 0
    assert not [m for m in thread(team, 1) if "escalated" in m["text"]]


def test_a_declared_incident_in_the_exports_review_and_stats(
    team: Stack, pinned: ManualClock
) -> None:
    team.slack.command("declare Leaked memo on a forum we do not watch", user_id="U0ALICE")
    answer(team, "#1 declared")
    pinned.advance(minutes=30)
    team.slack.command("resolve 1 Statement issued, forum thread locked", user_id="U0ALICE")
    answer(team, "#1 resolved")

    with team.bot.transaction() as session:
        md, js = io.StringIO(), io.StringIO()
        export.write(session, 1, "md", md)
        export.write(session, 1, "json", js)
    markdown = md.getvalue()
    why = markdown.split("## Why it fired", 1)[1].split("##", 1)[0]
    # Exported without names: the ID once ("U0ALICE (U0ALICE)" before).
    assert "Declared by U0ALICE: Leaked memo on a forum we do not watch" in why
    assert "(no reasons recorded)" not in why
    assert "declared it: Leaked memo on a forum we do not watch" in markdown
    assert "Claim faster" not in markdown and "Nobody claimed it" not in markdown
    assert "| Time to detect | — |" in markdown
    data = json.loads(js.getvalue())["incident"]
    assert (data["declared_by"], data["declared"]) == (
        "U0ALICE", "Leaked memo on a forum we do not watch"
    )  # fmt: skip

    # An alert claimed after 4 minutes beside it: the declared one does not pull the median to 0.
    pinned.advance(hours=2)
    n = open_storm(team, pinned)
    pinned.advance(minutes=4)
    team.slack.command(f"claim {n}", user_id="U0BOB")
    answer(team, f"You now hold #{n}")
    team.slack.command("stats", user_id="U0ALICE")
    text = answer(team, "real incidents")["text"]
    assert "Across 2 real incidents*" in text and "Median time to claim: 4 min" in text


def test_one_open_incident_per_brand_a_declaration_is_refused_naming_it(
    agency: Stack, pinned: ManualClock
) -> None:
    n = open_storm(agency, pinned, brand="Acme")
    agency.slack.command("declare TV crew outside Acme's head office", user_id="U0ALICE")
    refusal = answer(agency, "already")["text"]
    assert refusal == (
        f"Acme already has incident #{n} open: add to it (`/crisis note {n} …`), or resolve it "
        "first."
    )
    assert len(_incidents(agency)) == 1
    # Another brand's story is its own incident.
    agency.slack.command("declare Globex van crash on the ring road", user_id="U0ALICE")
    answer(agency, "declared: Globex van crash on the ring road")
    assert [i.brand for i in _incidents(agency)] == ["Acme", "Globex"]


def test_without_text_the_form_opens_and_checks_what_was_typed(
    team: Stack, pinned: ManualClock
) -> None:
    team.slack.command("declare", user_id="U0ALICE")
    form = opened_form(team, View.DECLARE)
    blocks = {b["block_id"]: b for b in form["blocks"]}
    assert set(blocks) == {Block.DECLARE_TEXT, Block.DECLARE_SEVERITY}  # one brand: no pick
    assert blocks[Block.DECLARE_SEVERITY]["element"]["initial_option"]["value"] == "high"

    empty = team.slack.submit_view(
        View.DECLARE, {Block.DECLARE_TEXT: {"text": "  "}}, user_id="U0ALICE", view_id=form["id"]
    )
    assert empty.json() == {
        "response_action": "errors",
        "errors": {Block.DECLARE_TEXT: "Say what happened."},
    }
    done = team.slack.submit_view(
        View.DECLARE,
        {
            Block.DECLARE_TEXT: {"text": "Regulator letter received"},
            Block.DECLARE_SEVERITY: {
                "severity": {"type": "static_select", "selected_option": {"value": "critical"}}
            },
        },
        user_id="U0ALICE",
        view_id=form["id"],
    )
    assert done.status_code == 200 and not done.content  # the form closes
    answer(team, "#1 declared: Regulator letter received")
    assert incident_row(team, 1).severity == "critical"


def test_several_brands_the_text_names_it_or_the_form_asks(
    agency: Stack, pinned: ManualClock
) -> None:
    agency.slack.command("declare Globex CEO quoted out of context", user_id="U0ALICE")
    answer(agency, "#1 declared")
    assert incident_row(agency, 1).brand == "Globex"

    # Names no brand: the form opens with what was typed, and asks which brand.
    agency.slack.command("declare Recall rumour on TikTok", user_id="U0ALICE")
    form = opened_form(agency, View.DECLARE)
    blocks = {b["block_id"]: b for b in form["blocks"]}
    assert blocks[Block.DECLARE_TEXT]["element"]["initial_value"] == "Recall rumour on TikTok"
    options = [o["value"] for o in blocks[Block.DECLARE_BRAND]["element"]["options"]]
    assert options == ["Acme", "Globex"]
    unpicked = agency.slack.submit_view(
        View.DECLARE, {Block.DECLARE_TEXT: {"text": "Recall rumour on TikTok"}},
        user_id="U0ALICE", view_id=form["id"],
    )  # fmt: skip
    assert unpicked.json()["errors"] == {Block.DECLARE_BRAND: "Pick one of the playbook's brands."}

    def submit(brand: str) -> Any:
        return agency.slack.submit_view(
            View.DECLARE, declare_values("Recall rumour on TikTok", brand), user_id="U0BOB",
            view_id=form["id"],
        )  # fmt: skip

    # Globex has #1 open: refused beside the text, which stays in the form.
    refused = submit("Globex")
    assert refused.json()["errors"] == {
        Block.DECLARE_TEXT: "Globex already has incident #1 open: add to it (`/crisis note 1 "
        "…`), or resolve it first."
    }
    assert submit("Acme").status_code == 200
    answer(agency, "declared: Recall rumour on TikTok")  # its number: #2 (#3 on PostgreSQL,
    incident = _incidents(agency)[-1]  # whose sequence the refused insert used)
    assert (incident.brand, incident.owner) == ("Acme", "U0BOB")


# An agency's playbook: more brands than a static select may hold (Slack: 100).
AGENCY = replace(
    PLAYBOOK,
    brands=(
        *(Brand(f"Client {k:03d}") for k in range(120)),
        Brand("Acme Bank", terms=("Acme Bank", "Акме Банк")),
        Brand("Bank of Globex"),
    ),
)


def test_an_agencys_brands_are_a_typeahead_answered_by_the_bot(
    database_url: str, pinned: ManualClock
) -> None:
    stack = start_stack(database_url, clock=pinned, config=AGENCY)
    try:
        stack.slack.command("declare Recall rumour on TikTok", user_id="U0ALICE")
        form = opened_form(stack, View.DECLARE)
        element = {b["block_id"]: b for b in form["blocks"]}[Block.DECLARE_BRAND]["element"]
        assert element["type"] == "external_select" and "options" not in element

        def typed(value: str) -> list[str]:
            answer_ = stack.slack.suggest(
                "brand", value, block_id=Block.DECLARE_BRAND, view_id=form["id"]
            )
            assert answer_.status_code == 200
            return [o["value"] for o in answer_.json()["options"]]

        everything = typed("")
        assert len(everything) == 100 and everything[:2] == ["Acme Bank", "Bank of Globex"]
        # A name's start first, then a word's start, then anywhere in a name or a term.
        assert typed("bank") == ["Bank of Globex", "Acme Bank"]
        assert typed("  ACME ") == ["Acme Bank"]
        assert typed("Акме") == ["Acme Bank"]  # its Cyrillic term
        assert typed("akme") == ["Acme Bank"]  # typed in Latin letters: the same term
        assert typed("client 11")[:3] == ["Client 110", "Client 111", "Client 112"]
        assert typed("nobody") == []

        picked = stack.slack.submit_view(
            View.DECLARE,
            declare_values("Recall rumour on TikTok", "Acme Bank", "external_select"),
            user_id="U0ALICE",
            view_id=form["id"],
        )
        assert picked.status_code == 200
        answer(stack, "declared: Recall rumour on TikTok")
        assert _incidents(stack)[-1].brand == "Acme Bank"

        # From a message that names a brand: the form starts with it chosen.
        stack.slack.shortcut(
            Shortcut.DECLARE_FROM_MESSAGE, message={"text": "Video: Bank of Globex staff ..."}
        )
        again = opened_form(stack, View.DECLARE, before=1)
        element = {b["block_id"]: b for b in again["blocks"]}[Block.DECLARE_BRAND]["element"]
        assert element["initial_option"]["value"] == "Bank of Globex"
    finally:
        stack.stop()


def test_a_storm_detected_later_goes_onto_the_declared_incident_keeping_who_declared_it(
    team: Stack, pinned: ManualClock
) -> None:
    team.slack.command("declare Reporter says a breach story is coming", user_id="U0ALICE")
    answer(team, "#1 declared")
    pinned.advance(minutes=40)
    later = pinned()
    with team.bot.transaction() as session:
        grown = incidents.storm_grew(
            session, 1, first_mention_at=later - timedelta(minutes=10), now=later,
            evidence={"alert_at": later.isoformat(), "reasons": ["Mentions 6.0x the usual"]},
        )  # fmt: skip
        assert grown is not None
    team.bot.kick()  # the courier updates the card, as after a detection pass
    incident = incident_row(team, 1)
    assert incident.evidence["declared_by"] == "U0ALICE"
    assert incident.evidence["reasons"] == ["Mentions 6.0x the usual"]
    team.emulator.wait_for(lambda: "6.0x the usual" in blocks_text(card(team, 1)))
    text = blocks_text(card(team, 1))
    assert "*Declared by* <@U0ALICE>" in text and "Why this fired" in text
    # The storm began after it was declared: the team was ahead of it, not 30 minutes late.
    with team.bot.transaction() as session:
        md = io.StringIO()
        export.write(session, 1, "md", md)
    assert "| Time to detect | 0 s |" in md.getvalue()


def test_a_bulgarian_team_declares_in_bulgarian(database_url: str, pinned: ManualClock) -> None:
    stack = start_stack(database_url, clock=pinned, config=replace(PLAYBOOK, locale="bg"))
    try:
        stack.slack.command("обяви Журналист от bTV пита за изтеглянето", user_id="U0ALICE")
        said = answer(stack, "е обявен")["text"]
        assert said == (
            "#1 е обявен: Журналист от bTV пита за изтеглянето. Вие отговаряте за него; "
            "картата е в канала."
        )
        stack.emulator.wait_for(lambda: card(stack, 1))
        assert "*Обявен от* <@U0ALICE>" in blocks_text(card(stack, 1))
        stack.slack.command("declare", user_id="U0ALICE")
        form = opened_form(stack, View.DECLARE)
        assert form["title"]["text"] == "Обявяване на инцидент"
    finally:
        stack.stop()


def test_the_shortcuts_open_the_form_the_message_one_with_its_text(
    agency: Stack, pinned: ManualClock
) -> None:
    agency.slack.shortcut(Shortcut.DECLARE, user_id="U0ALICE")
    form = opened_form(agency, View.DECLARE)
    assert "initial_value" not in form["blocks"][0]["element"]
    first = form["id"]

    shared = (
        "&lt;urgent&gt; <@U0DAN> look: <https://x.com/p/1|this video> of a Globex van is "
        "everywhere <!here>"
    )
    response = agency.slack.shortcut(
        Shortcut.DECLARE_FROM_MESSAGE, user_id="U0BOB", message={"text": shared}
    )
    assert response.status_code == 200
    form = agency.emulator.wait_for(
        lambda: next((v for k, v in agency.emulator.views.items() if k != first), None)
    )
    blocks = {b["block_id"]: b for b in form["blocks"]}
    said = (
        "<urgent> @U0DAN look: this video (https://x.com/p/1) of a Globex van is everywhere @here"
    )
    assert blocks[Block.DECLARE_TEXT]["element"]["initial_value"] == said
    assert blocks[Block.DECLARE_BRAND]["element"]["initial_option"]["value"] == "Globex"
    agency.slack.submit_view(
        View.DECLARE, declare_values(said, "Globex"), user_id="U0BOB", view_id=form["id"]
    )
    answer(agency, "#1 declared: &lt;urgent&gt; @U0DAN look")  # escaped: never markup
    incident = incident_row(agency, 1)
    assert (incident.brand, incident.owner) == ("Globex", "U0BOB")
    agency.emulator.wait_for(lambda: card(agency, 1))
    # What was pasted is quoted, never a ping: "@here" stays text on the card.
    assert "<!here>" not in blocks_text(card(agency, 1))


def test_the_manifest_declares_both_shortcuts_and_where_options_load() -> None:
    from pathlib import Path

    manifest = json.loads((Path(__file__).parents[2] / "slack-manifest.json").read_text())
    # The brand typeahead of an agency's Declare form asks the same endpoint for its options.
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["message_menu_options_url"] == interactivity["request_url"]
    shortcuts = {s["callback_id"]: s for s in manifest["features"]["shortcuts"]}
    assert shortcuts[Shortcut.DECLARE]["type"] == "global"
    assert shortcuts[Shortcut.DECLARE_FROM_MESSAGE]["type"] == "message"
    assert all(len(s["name"]) <= 25 and len(s["description"]) <= 80 for s in shortcuts.values())


def test_the_home_tab_offers_declare_a_crisis(team: Stack, pinned: ManualClock) -> None:
    assert team.slack.app_home_opened("U0BOB").status_code == 200
    home = team.emulator.wait_for(lambda: team.emulator.home("U0BOB"))
    first = home["blocks"][0]
    assert first["type"] == "actions"
    [button] = first["elements"]
    assert (button["action_id"], button["text"]["text"]) == (Action.DECLARE, "Declare a crisis")
    team.slack.click(Action.DECLARE, user_id="U0BOB")
    form = opened_form(team, View.DECLARE)
    assert form["title"]["text"] == "Declare an incident"


@pytest.mark.parametrize(
    ("locale", "reply", "resolved"),
    [
        ("en", "A public reply was approved 20 min after it was declared.",
         "Resolved 45 min after it was declared."),
        ("bg", "Публичен отговор беше одобрен 20 мин след обявяването.",
         "Приключен 45 мин след обявяването."),
    ],
)  # fmt: skip
def test_the_review_of_a_declared_incident_counts_from_the_declaration(
    locale: str, reply: str, resolved: str
) -> None:
    """No alert came: the review said 'Resolved 45 min after the alert' of an incident a
    person declared."""
    from datetime import UTC, datetime

    from bot.aftermath import review
    from bot.core import i18n
    from bot.core.config import Config
    from bot.response.stats import Metrics

    at = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    metrics = Metrics(None, timedelta(0), timedelta(minutes=20), timedelta(minutes=45))
    approved = {"version": 1, "status": "approved", "reason": None}
    steps = [review.Step(at, "incident.opened", "U0ALICE", {"declared": "Leaked memo"})]
    with i18n.using(locale, "UTC"):
        worked = review.build(
            first_mention_at=None, metrics=metrics, drafts=[approved], steps=steps, counts={},
            config=Config(), name_of=str,
        ).worked  # fmt: skip
        alert = review.build(
            first_mention_at=None, metrics=metrics, drafts=[approved], steps=[], counts={},
            config=Config(), name_of=str,
        ).worked  # fmt: skip
    assert reply in worked and resolved in worked
    assert reply not in alert and resolved not in alert  # an alert's still runs from the alert
