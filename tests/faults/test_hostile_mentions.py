"""Requirement 5: hostile mention text is stored, alerted and shown harmlessly.

Mentions come from strangers. Pushed through POST /ingest (the real path) as a storm, texts,
authors and brands carrying Slack's ping syntax, masked links, 100 KB of text and odd Unicode
(RTL override, zero-width joiners, combining marks, emoji, NUL) must: be stored (not refused,
not a 503 the sender would retry for ever), reach Slack as an alert Slack accepts (the emulator
validates Block Kit like Slack, answering `invalid_blocks`), and keep no ping or masked link
anywhere in the posted text or blocks.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from bot import jobs
from bot.testing import CHANNEL, Stack
from models import Mention, Outbox
from tests.faults.helpers import wait_drained

PINGS = "<!channel> <!here> <!everyone> <!subteam^S123|@comms> <@U123> <#C999>"
MASKED = "<http://evil.example|bank.com> <https://evil.example/login|https://bank.com>"
ODD = (
    "\u202eevil.exe\u202c \u200d\u200b\u2060 Z\u0351\u0358\u035c\u0300 "
    "\U0001f525\U0001f9d1\u200d\U0001f4bb \x00 \ufeff"
)
HUGE = ("Acme is a scam " + PINGS + " " + ODD + " ") * 800  # about 100 KB

HOSTILE = [
    f"Acme {PINGS} refund now!!! worst ever",
    f"Acme stole my money {MASKED}",
    f"Acme {ODD} outage lawsuit",
    HUGE,
    "Acme & <b>bold</b> &lt;!channel&gt; *bold* _it_ ~s~ `code` ```block``` > quote",
]

# Anything of this shape in what the bot posts would ping, or hide where a link goes.
# The bot's own "<https://…|open>" link to a checked sample URL is the one allowed label.
DANGEROUS = re.compile(r"<[!@#]|<[a-z]+://[^>|]*\|(?!open>)")


def _storm(now, brand: str = "Acme") -> list[dict]:  # type: ignore[no-untyped-def]
    records = []
    for k in range(120):
        at = now - timedelta(minutes=40) + timedelta(seconds=k * 20)
        records.append(
            {
                "id": f"h{k}",
                "source": "bluesky" if k % 2 else "x",
                "text": HOSTILE[k % len(HOSTILE)],
                "created_at": at.isoformat(),
                "author": (f"<!channel>{ODD}" if k % 3 == 0 else "x" * 400),
                "url": "https://bsky.app/x>|<!channel>" if k % 4 == 0 else f"https://x.com/{k}",
                "author_followers": 250_000,
                "brand": brand,
            }
        )
    for k in range(200):  # a calm past, so the storm stands out
        at = now - timedelta(days=2) + timedelta(minutes=k * 12)
        records.append(
            {
                "id": f"c{k}",
                "source": "x",
                "text": "Acme order arrived, thanks",
                "created_at": at.isoformat(),
                "brand": brand,
            }
        )
    return records


def _assert_harmless(message: dict, owner: str | None = None) -> None:
    assert message.get("text") is not None
    own = f"<@{owner}>" if owner else "\x00"  # the bot's own mention of the claimer
    for where, text in [("text", message["text"])] + [
        (f"blocks[{i}]", json.dumps(b, ensure_ascii=False))
        for i, b in enumerate(message.get("blocks", []))
    ]:
        # The bot's own mentions (the owner) would be <@U0...>; there is no owner here.
        found = DANGEROUS.findall(text.replace(own, ""))
        assert not found, f"{where} keeps {found}: {text[:300]}"
        assert "\x00" not in text and "\u202e" not in text, where


def test_hostile_mentions_are_stored_and_alerted_harmlessly(stack: Stack) -> None:
    bot = stack.bot
    # Acme's storm, and one for a brand named by the pusher with a ping in its name.
    records = _storm(bot.clock()) + [
        {**r, "id": f"b{r['id']}", "brand": f"<!channel> {ODD} " + "B" * 300}
        for r in _storm(bot.clock())
    ]
    answer = httpx.post(
        f"{stack.server.url}/ingest",
        content=json.dumps(records),
        headers={"Authorization": "Bearer ingest-token", "Content-Type": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["new"] == len(records)
    with bot.sessions() as session:
        stored = session.scalars(select(Mention).where(Mention.external_id == "h3")).one()
        assert len(stored.text) > 90_000  # kept whole; only what is shown is cut
    assert jobs.detect_storms(bot) == [1, 2]
    counts = wait_drained(bot, timeout=30)
    with bot.sessions() as session:
        errors = session.scalars(select(Outbox.last_error).where(Outbox.status == "failed")).all()
    assert counts.get("failed", 0) == 0, errors
    assert not [c for c in stack.emulator.calls() if c.error == "invalid_blocks"]
    alerts = [m for m in stack.emulator.messages(CHANNEL) if not m.get("thread_ts")]
    assert len(alerts) == 2
    for alert in alerts:
        _assert_harmless(alert)
    shown = json.dumps(alerts[0]["blocks"], ensure_ascii=False)
    assert "&lt;!channel&gt;" in shown  # escaped and visible, not dropped

    # The card stays harmless and valid as it is updated (claim renders it again).
    stack.slack.command("claim 1", user_id="U0ALICE")
    stack.emulator.wait_for(lambda: stack.emulator.calls("chat.update"), timeout=10)
    _assert_harmless(stack.emulator.messages(CHANNEL)[0], owner="U0ALICE")
    status = stack.slack.command("status 1", user_id="U0ALICE")
    assert status.status_code == 200
    answer_text = stack.emulator.wait_for(
        lambda: [r for r in stack.emulator.responses if "#1" in r["payload"].get("text", "")],
        timeout=10,
    )[-1]["payload"]["text"]
    assert not DANGEROUS.findall(answer_text.replace("<@U0ALICE>", ""))
