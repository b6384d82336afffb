"""A brand with too short a history for a baseline: its alert says so first, before any figure,
in the evidence and on the card, so nobody reads the figures as calibrated."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot import jobs
from bot.core.clock import ManualClock
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.testing import Stack
from models import Incident
from tests.bot.flow import blocks_text, card
from tests.bot.test_detection_grouping import leak_storm


@pytest.mark.parametrize("followers", [150, 310_000], ids=["plain", "high-reach"])
def test_the_cold_start_caveat_is_the_first_line_of_the_evidence(
    stack: Stack, clock: ManualClock, followers: int
) -> None:
    storm = leak_storm(clock, author_followers=followers, lang="en")
    with stack.bot.transaction() as session:
        store_mentions(session, [parse_record(r) for r in storm], config=stack.bot.config,
                       now=clock())  # fmt: skip
    [number] = jobs.detect_storms(stack.bot)
    with stack.bot.sessions() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        evidence = incident.evidence
    assert evidence["short_baseline"]
    assert evidence["reasons"][0] == evidence["short_baseline"]
    stack.emulator.wait_for(lambda: card(stack, number) is not None)
    text = blocks_text(card(stack, number))
    assert text.index(evidence["short_baseline"]) < text.index("Languages")


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_a_cold_start_alert_on_one_loud_post_beside_neutral_high_reach_ones_says_so_first(
    stack: Stack, clock: ManualClock, locale: str
) -> None:
    """One negative post by a very large account fires; two neutral posts by large accounts in
    the same hour are listed as high-reach too: the language line went above the caveat."""
    stack.bot.config = replace(stack.bot.config, locale=locale)
    now = clock()
    records = [
        {"id": "loud", "source": "x", "author": "bignews", "author_followers": 2_000_000,
         "text": "Acme is a disgrace, terrible service, awful people.",
         "created_at": (now - timedelta(minutes=10)).isoformat(), "brand": "Acme", "lang": "en"},
        *(
            {"id": f"neutral-{k}", "source": "x", "author": f"paper{k}",
             "author_followers": 400_000, "text": f"Acme opens a new store in town {k}.",
             "created_at": (now - timedelta(minutes=20 + k)).isoformat(), "brand": "Acme",
             "lang": "en"}
            for k in range(3)
        ),
    ]  # fmt: skip
    with stack.bot.transaction() as session:
        store_mentions(session, [parse_record(r) for r in records], config=stack.bot.config,
                       now=now)  # fmt: skip
    [number] = jobs.detect_storms(stack.bot)
    with stack.bot.sessions() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        evidence = incident.evidence
    if locale == "en":
        assert evidence["reasons"][0] == evidence["short_baseline"]
    else:  # the same caveat, in the team's language
        assert evidence["reasons"][0].startswith("Само ")
