"""A brand renamed in the playbook (`formerly`): an agency with one client "Acme" adds "Acme
Mobile" and renames "Acme" to "Acme Bank". The worker, restarted with the new playbook, keeps
Acme Bank's history: its baseline (no cold start), its open incident (a new storm goes onto it),
the reopen rule, the report's line; rows keep the name they were recorded under."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import jobs
from bot.aftermath import report
from bot.core.clock import ManualClock
from bot.core.config import Brand, ConfigError, parse_config
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.testing import Stack, sample_storm, start_stack
from models import Incident, Mention
from tests.bot.flow import answer, incident_row, open_storm
from tests.bot.test_response import PLAYBOOK

BEFORE = replace(PLAYBOOK, brands=(Brand("Acme", terms=("acme",)),))
AFTER = replace(
    PLAYBOOK,
    brands=(
        Brand("Acme Bank", terms=("acme",), formerly=("Acme",)),
        Brand("Acme Mobile", terms=("acmemobile",)),
    ),
)


@pytest.fixture
def stack(database_url: str, pinned: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=pinned, config=BEFORE)
    yield s
    s.stop()


def _renamed(stack: Stack) -> None:
    """The worker restarted with the new playbook."""
    stack.bot.config = AFTER


def _store(stack: Stack, records: list[dict[str, Any]], now: Any) -> int:
    with stack.bot.transaction() as session:
        return store_mentions(
            session, [parse_record(r) for r in records], config=stack.bot.config, now=now
        )


def _incidents(stack: Stack) -> list[Incident]:
    with stack.bot.sessions() as session:
        return list(session.scalars(select(Incident).order_by(Incident.id)))


def test_the_renamed_brand_keeps_its_baseline_a_storm_after_the_rename_is_judged_on_volume(
    stack: Stack, pinned: ManualClock
) -> None:
    now = pinned()
    records = list(sample_storm(now, brand="Acme"))
    calm = [r for r in records if r["created_at"] < (now - timedelta(minutes=40)).isoformat()]
    storm = records[len(calm) :]
    _store(stack, calm, now)  # a week recorded under "Acme"
    _renamed(stack)
    # The storm's records still say "Acme" (a sender's old name): stored for Acme Bank.
    assert _store(stack, storm, now) == len(storm)
    with stack.bot.sessions() as session:
        counted = select(Mention.brand, func.count()).group_by(Mention.brand)
        brands = dict(session.execute(counted).tuples().all())
    assert brands == {"Acme": len(calm), "Acme Bank": len(storm)}  # rows keep their name

    numbers = jobs.detect_storms(stack.bot)
    assert len(numbers) == 1
    row = incident_row(stack, numbers[0])
    assert row.brand == "Acme Bank"
    # Judged against the week under its old name: a volume alert, not a cold start.
    assert "short_baseline" not in row.evidence and row.evidence.get("alert_at")
    assert row.evidence["expected"] > 0


def test_a_storm_after_the_rename_goes_onto_the_open_incident_and_a_declaration_is_refused(
    stack: Stack, pinned: ManualClock
) -> None:
    n = open_storm(stack, pinned, brand="Acme")
    _renamed(stack)
    pinned.advance(minutes=30)
    more = list(sample_storm(pinned(), brand="Acme Bank", seed=11))[-90:]
    for i, r in enumerate(more):
        r["id"] = f"after-{i}"
    assert _store(stack, more, pinned()) == 90
    assert jobs.detect_storms(stack.bot) == []
    assert [i.id for i in _incidents(stack)] == [n]  # no second incident beside #n

    stack.slack.command("declare Acme Bank's app is down for everyone", user_id="U0BOB")
    answer(stack, f"Acme Bank already has incident #{n} open")
    assert [i.id for i in _incidents(stack)] == [n]


def test_an_incident_under_the_old_name_is_not_reopened_beside_the_brand_s_open_one(
    stack: Stack, pinned: ManualClock
) -> None:
    n = open_storm(stack, pinned, brand="Acme")
    stack.slack.command(f"resolve {n} handled", user_id="U0BOB")
    stack.emulator.wait_for(lambda: incident_row(stack, n).status == "resolved")
    _renamed(stack)
    stack.slack.command("declare Acme Bank: the call centre is flooded", user_id="U0BOB")
    declared = answer(stack, "declared")
    m = int(declared["text"].split("#")[1].split(" ")[0])
    assert incident_row(stack, m).brand == "Acme Bank"

    stack.slack.command(f"reopen {n} the story is back", user_id="U0BOB")
    answer(stack, f"#{n} cannot be reopened while #{m}")
    assert incident_row(stack, n).status == "resolved"


def test_the_report_gives_the_renamed_brand_one_line_and_each_incident_its_recorded_name(
    stack: Stack, pinned: ManualClock
) -> None:
    n = open_storm(stack, pinned, brand="Acme")
    stack.slack.command(f"resolve {n} handled", user_id="U0BOB")
    stack.emulator.wait_for(lambda: incident_row(stack, n).status == "resolved")
    _renamed(stack)
    stack.slack.command("declare Acme Bank: the call centre is flooded", user_id="U0BOB")
    answer(stack, "declared")
    with stack.bot.sessions() as session:
        built = report.build(
            session, since=pinned() - timedelta(days=1), until=pinned() + timedelta(hours=1),
            config=stack.bot.config,
        )  # fmt: skip
    assert [(b, len(rows)) for b, rows in built.brands()] == [("Acme Bank (formerly Acme)", 2)]
    out = io.StringIO()
    report.write_markdown(built, out)
    text = out.getvalue()
    assert f"| {n} | " in text and "| Acme Bank (formerly Acme) |" in text


def test_a_post_stored_under_the_old_name_is_not_stored_again_for_the_new_one(
    stack: Stack, pinned: ManualClock
) -> None:
    now = pinned()
    records = list(sample_storm(now, brand="Acme", calm_days=1))[:50]
    assert _store(stack, records, now) == 50
    _renamed(stack)
    assert _store(stack, records, now) == 0  # last week's file imported again
    with stack.bot.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 50


def _playbook(brands: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"brands": brands, **more}


@pytest.mark.parametrize(
    ("brands", "error"),
    [
        (
            [{"name": "Acme Bank", "formerly": ["Acme Mobile"]}, {"name": "Acme Mobile"}],
            "brands[0].formerly[0]: 'Acme Mobile' (a former name of 'Acme Bank') is the name of "
            "brands[1] 'Acme Mobile'",
        ),
        (
            [
                {"name": "Acme Bank", "formerly": ["Acme"]},
                {"name": "Acme Mobile", "formerly": ["acme"]},
            ],
            "brands[1].formerly[0]: 'acme' is a former name of both 'Acme Bank' and 'Acme Mobile'",
        ),
        (
            [{"name": "Acme Bank", "formerly": ["Acme Bank"]}],
            "brands[0].formerly[0]: 'Acme Bank' is this brand's own name",
        ),
        ([{"name": "Acme Bank", "formerly": [""]}], "brands[0].formerly[0] is empty"),
    ],
)
def test_a_former_name_is_one_brand_s_only(brands: list[dict[str, Any]], error: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(_playbook(brands), "crisisbot.toml")
    assert error in str(caught.value)


def test_a_source_bound_to_a_former_name_keeps_polling_for_the_renamed_brand() -> None:
    config = parse_config(
        _playbook(
            [{"name": "Acme Bank", "formerly": ["Acme"]}, {"name": "Acme Mobile"}],
            sources=[{"type": "hackernews", "query": "acme", "brand": "Acme"}],
        ),
        "crisisbot.toml",
    )
    assert config.sources[0].brand == "Acme Bank"
    assert config.warnings == (
        "crisisbot.toml: sources[0].brand: 'Acme' is a former name of 'Acme Bank'; its mentions "
        "are stored for 'Acme Bank': write brand = 'Acme Bank'",
    )
    assert config.names_of("Acme") == ("Acme Bank", "Acme")
    assert config.shown_name("Acme") == "Acme Bank (formerly Acme)"
    # An old name nobody lists is refused as before, saying how to keep its history.
    with pytest.raises(ConfigError, match="list its old name in the brand's `formerly`"):
        parse_config(
            _playbook(
                [{"name": "Acme Bank"}],
                sources=[{"type": "hackernews", "query": "acme", "brand": "Acme"}],
            ),
            "crisisbot.toml",
        )


def test_the_markdown_export_names_the_brand_as_the_html_report_does(
    stack: Stack, pinned: ManualClock
) -> None:
    """An agency's account lead reads the Markdown export of a declared incident: its title is
    what the person typed, and only the HTML report said which client it was about."""
    from bot.aftermath import export

    n = open_storm(stack, pinned, brand="Acme")
    stack.slack.command(f"resolve {n} handled", user_id="U0BOB")
    stack.emulator.wait_for(lambda: incident_row(stack, n).status == "resolved")
    _renamed(stack)
    stack.slack.command("declare The call centre is flooded, acme", user_id="U0BOB")
    answer(stack, "declared")
    with stack.bot.sessions() as session:
        declared = max(i.id for i in session.scalars(select(Incident)))
        out = {(number, fmt): io.StringIO() for number in (n, declared) for fmt in ("md", "html")}
        for (number, fmt), buffer in out.items():
            export.write(session, number, fmt, buffer, config=stack.bot.config)
    assert "- **Brand:** Acme Bank (formerly Acme)\n" in out[n, "md"].getvalue()
    assert "Brand <b>Acme Bank (formerly Acme)</b>" in out[n, "html"].getvalue()
    assert "- **Brand:** Acme Bank\n" in out[declared, "md"].getvalue()
    assert "Brand <b>Acme Bank</b>" in out[declared, "html"].getvalue()
