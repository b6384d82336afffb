"""Block Kit rendering: quoted text is escaped once, cut to Slack's limits, and valid."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.core.config import Config
from bot.core.text import cut, escape_mrkdwn
from bot.emulator import validate_blocks
from bot.slack.messages import incident_card
from models import Incident

HOSTILE = "<!channel> <!here> <!subteam^S0LEGAL> <@U0CEO> <https://evil.example|your bank> & more"


def _incident(samples: list[dict]) -> Incident:
    now = datetime.now(UTC)
    return Incident(
        id=7, title="Acme: mention storm", status="open", severity="high", level=0,
        opened_at=now, updated_at=now, is_drill=False,
        evidence={"reasons": [HOSTILE], "samples": samples},
    )  # fmt: skip


def test_escape_replaces_exactly_the_three_control_characters() -> None:
    assert escape_mrkdwn("a & b < c > d *e* _f_") == "a &amp; b &lt; c &gt; d *e* _f_"


def test_cut_never_splits_an_escape() -> None:
    text = escape_mrkdwn("x" * 8 + "&")  # "xxxxxxxx&amp;"
    assert cut(text, 11) == "xxxxxxxx…"


def test_hostile_mentions_ping_nobody_and_fit_block_kit() -> None:
    samples = [
        {"source": "x", "text": HOSTILE * 2000, "url": "javascript:alert(1)", "author": "<@U0CEO>",
         "author_followers": 10},
        {"source": "x", "text": "\u202egnp.exe\u200b\u0000 ünïcödé 🔥", "url": "https://ok.example/p",
         "author": "a|b>c"},
    ]  # fmt: skip
    text, blocks = incident_card(_incident(samples), Config())
    shown = json.dumps(blocks) + text
    for ping in ("<!channel>", "<!here>", "<!subteam", "<@U0CEO>", "<https://evil"):
        assert ping not in shown
    assert "<javascript:" not in shown  # only http(s) links become clickable
    assert "\u202e" not in shown and "\\u202e" not in shown
    assert validate_blocks(blocks) == []
