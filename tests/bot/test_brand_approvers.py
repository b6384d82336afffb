"""An agency's clients sign off their own replies and are paged for their own crises: a brand's
`approvers` decide its drafts (the agency's CRISIS_APPROVERS are refused, told who may), its
Home tab shows each draft only to those who may decide it (and the answer to a draft says so),
and its `notify` pages its people at the levels it names (the timeline keeps whom, the exports and
the review name them); a brand without these keys works as before."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from bot import jobs
from bot.aftermath import export
from bot.core.clock import ManualClock
from bot.core.config import Brand, ConfigError, load_config
from bot.emulator import SlackEmulator
from bot.emulator.state import DEFAULT_GROUP_NAMES, DEFAULT_GROUPS, DEFAULT_USERS, Workspace
from bot.slack.ids import Action, Block, View
from bot.testing import Stack, start_stack
from tests.bot.flow import (
    answer,
    blocks_text,
    card,
    click_on,
    drafts_in_thread,
    open_storm,
    opened_form,
    thread,
    timeline,
)
from tests.bot.test_home import _open_home, _text
from tests.bot.test_response import PLAYBOOK

# The agency's approvers (start_stack's default): Carol, and S0COMMS (Bob, Carol). Acme's own:
# Dan, and its group S0ACME (Erin). Levels: Social team (S0COMMS), Comms lead (Bob), Legal and
# executives (Dan); Acme pages its group instead of Bob at "Comms lead".
AGENCY = replace(
    PLAYBOOK,
    brands=(
        Brand(
            "Acme", terms=("Acme",), approvers=("U0DAN", "S0ACME"),
            notify=(("Comms lead", ("S0ACME",)),),
        ),
        Brand("Initech", terms=("Initech",)),  # neither key: the agency's, as before
    ),
)  # fmt: skip
ACME_APPROVERS = "<@U0DAN>, <!subteam^S0ACME>"


@pytest.fixture
def agency(database_url: str, pinned: ManualClock) -> Iterator[Stack]:
    workspace = Workspace(
        users={**DEFAULT_USERS, "U0ERIN": "Erin Petrova"},
        groups={**DEFAULT_GROUPS, "S0ACME": ["U0ERIN"]},
        group_names={**DEFAULT_GROUP_NAMES, "S0ACME": "Acme approvers"},
    )
    emulator = SlackEmulator(workspace=workspace).start()
    s = start_stack(database_url, clock=pinned, config=AGENCY, emulator=emulator)
    yield s
    s.stop()
    emulator.stop()


def _draft(team: Stack, number: int, text: str) -> dict[str, Any]:
    team.slack.command(f"draft {number} {text}", user_id="U0ALICE")
    return team.emulator.wait_for(lambda: drafts_in_thread(team, number))[0]  # type: ignore[no-any-return]


def test_a_brands_own_approvers_decide_its_drafts_and_the_agencys_are_told_who_may(
    agency: Stack, pinned: ManualClock
) -> None:
    n = open_storm(agency, pinned, brand="Acme")
    draft = _draft(agency, n, "We are refunding the double charges.")
    assert "Waiting for approval by one of Acme's own approvers, other than the author." in (
        blocks_text(draft)
    )

    # Carol approves the agency's replies, not Acme's: refused, naming who may.
    click_on(agency, draft, Action.APPROVE, "U0CAROL")
    refused = answer(agency, "replies about Acme")
    assert refused["text"] == (
        f"You can't approve draft v1 of #{n}: replies about Acme are approved by {ACME_APPROVERS}."
    )
    assert refused["response_type"] == "ephemeral"
    # Her Reject is refused in its form, before she types a reason.
    click_on(agency, draft, Action.REJECT, "U0CAROL")
    answer(agency, "replies about Acme are decided by")
    assert "replies about Acme are decided by" in str(opened_form(agency, "notice")["blocks"])
    # Erin, in Acme's group, approves.
    click_on(agency, draft, Action.APPROVE, "U0ERIN")
    answer(agency, f"Draft v1 of #{n} approved.")
    agency.emulator.wait_for(
        lambda: "Approved by <@U0ERIN>" in blocks_text(drafts_in_thread(agency, n)[0])
    )
    refusals = [e for e in timeline(agency, n) if e["type"] == "draft.refused"]
    assert [(e["actor"], e["attempted"], e["approvers"]) for e in refusals] == [
        ("U0CAROL", "approve", ["U0DAN", "S0ACME"]),
        ("U0CAROL", "reject", ["U0DAN", "S0ACME"]),
    ]
    # The Markdown export names who could have decided.
    out = io.StringIO()
    with agency.bot.transaction() as session:
        export.write(session, n, "md", out, name_of=agency.bot.gateway.user_name)
    assert "Dan Okafor (U0DAN), @acme-approvers (S0ACME)" in out.getvalue()

    # Initech names no approvers: the agency's decide, and Acme's are no approvers there.
    m = open_storm(agency, pinned, brand="Initech")
    other = _draft(agency, m, "Initech is looking into it.")
    assert "Waiting for approval by an approver other than the author." in blocks_text(other)
    click_on(agency, other, Action.APPROVE, "U0ERIN")
    assert answer(agency, f"of #{m}: not")["text"] == (
        f"You can't approve draft v1 of #{m}: not an approver."
    )
    click_on(agency, other, Action.APPROVE, "U0CAROL")
    answer(agency, f"Draft v1 of #{m} approved.")


def test_the_home_tab_shows_a_draft_only_to_those_who_may_decide_it(
    agency: Stack, pinned: ManualClock
) -> None:
    acme = open_storm(agency, pinned, brand="Acme")
    _draft(agency, acme, "Acme statement")
    initech = open_storm(agency, pinned, brand="Initech")
    _draft(agency, initech, "Initech statement")

    carol = _text(_open_home(agency, "U0CAROL"))  # the agency's approver
    assert f"Draft v1* for #{initech}" in carol and f"for #{acme}" not in carol
    erin = _text(_open_home(agency, "U0ERIN"))  # Acme's, through its group
    assert f"Draft v1* for #{acme}" in erin and f"for #{initech}" not in erin
    dan = _text(_open_home(agency, "U0DAN"))  # Acme's, by name
    assert f"Draft v1* for #{acme}" in dan and f"for #{initech}" not in dan
    alice = _text(_open_home(agency, "U0ALICE"))  # nobody's approver (and the author)
    assert "and a brand's by its own approvers" in alice
    assert "Acme statement" not in alice and "Initech statement" not in alice


def test_a_brands_escalation_pages_its_own_people_at_the_levels_it_names(
    agency: Stack, pinned: ManualClock
) -> None:
    acme = open_storm(agency, pinned, brand="Acme")
    pinned.advance(minutes=16)  # nobody claimed it: the timer escalates to Comms lead
    jobs.run_timers(agency.bot)
    page = agency.emulator.wait_for(
        lambda: next((m for m in thread(agency, acme) if "escalated to" in m["text"]), None)
    )
    assert "*Comms lead*" in page["text"] and page["text"].endswith("<!subteam^S0ACME>")
    # A level Acme does not name pages the agency's people.
    agency.slack.command(f"escalate {acme} legal exposure", user_id="U0ERIN")
    answer(agency, "escalated to Legal and executives")
    agency.emulator.wait_for(
        lambda: any(m["text"].endswith("<@U0DAN>") for m in thread(agency, acme))
    )

    initech = open_storm(agency, pinned, brand="Initech")  # as before: the level's notify
    click_on(agency, card(agency, initech), Action.ESCALATE, "U0ALICE")  # type: ignore[arg-type]
    page = agency.emulator.wait_for(
        lambda: next((m for m in thread(agency, initech) if "escalated to" in m["text"]), None)
    )
    assert page["text"].endswith("<@U0BOB>") and "S0ACME" not in page["text"]


def test_a_brands_drill_names_its_own_people_it_would_have_paged(agency: Stack) -> None:
    agency.slack.command("drill", user_id="U0ALICE")  # the playbook's first brand: Acme
    started = re.search(r"DRILL #(\d+) started", answer(agency, "DRILL #")["text"])
    assert started is not None
    n = int(started[1])
    agency.emulator.wait_for(lambda: card(agency, n))
    agency.slack.command(f"escalate {n} practice", user_id="U0ALICE")
    page = agency.emulator.wait_for(
        lambda: next((m for m in thread(agency, n) if "escalated" in m["text"]), None)
    )
    assert page["text"].endswith("for real this would have paged @acme-approvers.)")
    assert "<!subteam" not in page["text"]
    (event,) = [e for e in timeline(agency, n) if e["type"] == "incident.escalated"]
    assert event["would_page"] == ["S0ACME"]


def test_a_brands_approvers_and_notify_are_checked_at_load(tmp_path: Any) -> None:
    path = tmp_path / "crisisbot.toml"

    def refused(toml: str, match: str) -> None:
        path.write_text(toml)
        with pytest.raises(ConfigError, match=match):
            load_config(path)

    brand = '[[brands]]\nname = "Acme"\n'
    refused(brand + 'approvers = ["@dan"]\n', r"brands\[0\]\.approvers\[0\]: '@dan' is not a Sl")
    refused(brand + "approvers = []\n", r"brands\[0\]\.approvers is empty; name the brand's")
    refused(brand + 'notify = ["U0DAN"]\n', r"brands\[0\]\.notify must be a table")
    refused(
        brand + '[brands.notify]\n"Comms lead" = ["#leads"]\n',
        r"brands\[0\]\.notify\.Comms lead\[0\]: '#leads' is not a Slack user",
    )
    levels = '[[escalation.levels]]\nname = "Social team"\n[[escalation.levels]]\nname = "Legal"\n'
    refused(
        levels + brand + 'notify = { "Legl" = ["U0DAN"] }\n',
        r"brands\[0\]\.notify: 'Legl' is not an escalation level name \(Social team, Legal\); "
        r"did you mean 'Legal'\?",
    )
    # The default levels, when the playbook names none; a name in another case is suggested.
    refused(brand + 'notify = { "comms lead" = ["U0DAN"] }\n', r"did you mean 'Comms lead'\?")

    path.write_text(
        levels.replace('"Legal"', '"Legal"\nnotify = ["U0LAWYER"]')
        + brand
        + 'approvers = ["U0DAN", "S0ACME"]\nnotify = { "Legal" = ["U0ACMELAW"] }\n'
        + '[[brands]]\nname = "Initech"\n'
    )
    config = load_config(path)
    assert config.approvers_for("Acme") == ("U0DAN", "S0ACME")
    assert config.approvers_for("Initech") == () and config.approvers_for(None) == ()
    assert [lvl.notify for lvl in config.levels_for("Acme")] == [(), ("U0ACMELAW",)]
    assert config.levels_for("Initech") == config.levels
    assert [lvl.notify for lvl in config.levels] == [(), ("U0LAWYER",)]


def test_the_reject_form_submitted_by_a_brands_approver_rejects(
    agency: Stack, pinned: ManualClock
) -> None:
    n = open_storm(agency, pinned, brand="Acme")
    draft = _draft(agency, n, "Too soon to say.")
    value = next(
        e["value"] for b in draft["blocks"] if b["type"] == "actions" for e in b["elements"]
    )
    agency.slack.submit_view(
        View.REJECT_REASON, {Block.REASON: {"reason": "Say what happened."}},
        user_id="U0DAN", private_metadata=value,
    )  # fmt: skip
    agency.emulator.wait_for(
        lambda: "Rejected by <@U0DAN>" in blocks_text(drafts_in_thread(agency, n)[0])
    )


def test_the_draft_answer_says_a_brands_own_approvers_must_approve_it(
    agency: Stack, pinned: ManualClock
) -> None:
    n = open_storm(agency, pinned, brand="Acme")
    agency.slack.command(f"draft {n} We are refunding the double charges.", user_id="U0ALICE")
    said = answer(agency, f"Draft v1 for #{n}")
    assert said["text"] == (
        f"Draft v1 for #{n} is posted in the incident's thread; one of Acme's own approvers, "
        "other than you, must approve it."
    )
    assert said["response_type"] == "ephemeral" and "<@" not in said["text"]
    # The Draft reply form says so too (its answer is an ephemeral in the incident's channel).
    agency.slack.submit_view(
        View.DRAFT_REPLY, {Block.DRAFT_TEXT: {"text": "Refunds go out today."}},
        user_id="U0ALICE", private_metadata=str(n),
    )  # fmt: skip
    assert answer(agency, f"Draft v2 for #{n}")["text"] == (
        f"Draft v2 for #{n} is posted in the incident's thread; one of Acme's own approvers, "
        "other than you, must approve it."
    )

    # Initech names no approvers: the agency's, as before.
    m = open_storm(agency, pinned, brand="Initech")
    agency.slack.command(f"draft {m} Initech is looking into it.", user_id="U0ALICE")
    assert answer(agency, f"Draft v1 for #{m}")["text"] == (
        f"Draft v1 for #{m} is posted in the incident's thread; an approver other than you must "
        "approve it."
    )


def _export_of(team: Stack, number: int, fmt: str) -> str:
    out = io.StringIO()
    with team.bot.sessions() as session:
        export.write(session, number, fmt, out, name_of=team.bot.gateway.user_name)
    return out.getvalue()


def test_an_escalation_records_whom_it_paged_and_the_exports_name_them(
    agency: Stack, pinned: ManualClock
) -> None:
    acme = open_storm(agency, pinned, brand="Acme")
    pinned.advance(minutes=16)  # nobody claimed it: the timer pages Acme's group (Comms lead)
    jobs.run_timers(agency.bot)
    agency.emulator.wait_for(lambda: any("escalated to" in m["text"] for m in thread(agency, acme)))
    agency.slack.command(f"escalate {acme} legal exposure", user_id="U0ERIN")  # the level's Dan
    answer(agency, "escalated to Legal and executives")
    events = json.loads(_export_of(agency, acme, "json"))["events"]
    escalations = [e for e in events if e["type"] == "incident.escalated"]
    assert [(e["level_name"], e["automatic"], e["paged"]) for e in escalations] == [
        ("Comms lead", True, ["S0ACME"]),
        ("Legal and executives", False, ["U0DAN"]),
    ]
    assert [e["paged_names"] for e in escalations] == [["@acme-approvers"], ["Dan Okafor"]]
    assert all("would_page" not in e for e in escalations)

    rows = list(csv.DictReader(io.StringIO(_export_of(agency, acme, "csv"), newline="")))
    details = [json.loads(r["details"]) for r in rows if r["type"] == "incident.escalated"]
    assert [(d["paged"], d["paged_names"]) for d in details] == [
        (["S0ACME"], ["@acme-approvers"]),
        (["U0DAN"], ["Dan Okafor"]),
    ]

    md = _export_of(agency, acme, "md")
    # The timeline names them with their IDs; the review says who was paged at each step.
    assert "paged: @acme-approvers (S0ACME)" in md and "paged: Dan Okafor (U0DAN)" in md
    assert "paged_names" not in md
    timer = "Escalated to Comms lead automatically (nobody claimed it within 15 minutes)."
    assert f"{timer} It paged @acme-approvers." in md
    assert (
        "Escalated to Legal and executives by Erin Petrova (legal exposure). "
        "It paged Dan Okafor." in md
    )
    page = html.unescape(_export_of(agency, acme, "html"))
    assert "paged: @acme-approvers (S0ACME)" in page and "paged: Dan Okafor (U0DAN)" in page
    assert f"{timer} It paged @acme-approvers." in page

    # A brand without its own notify: the level's people, by the Escalate button.
    initech = open_storm(agency, pinned, brand="Initech")
    click_on(agency, card(agency, initech), Action.ESCALATE, "U0ALICE")  # type: ignore[arg-type]
    agency.emulator.wait_for(
        lambda: any("escalated to" in m["text"] for m in thread(agency, initech))
    )
    events = json.loads(_export_of(agency, initech, "json"))["events"]
    (event,) = [e for e in events if e["type"] == "incident.escalated"]
    assert (event["paged"], event["paged_names"]) == (["U0BOB"], ["Bob Tanaka"])
    assert "Comms lead by Alice Moreau (escalated from the alert). It paged Bob Tanaka." in (
        _export_of(agency, initech, "md")
    )
