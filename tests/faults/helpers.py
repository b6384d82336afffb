"""Shared helpers for the fault-injection tests: drive storms, wait for the outbox to drain,
and compare what Slack shows with what the database says."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.app import Crisisbot
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.slack import messages
from bot.testing import CHANNEL, sample_storm
from models import Draft, Incident, Outbox


def ingest_storm(bot: Crisisbot, brand: str, now: datetime, *, seed: int = 7) -> int:
    """A week of calm plus a storm for `brand`, stored as every path stores mentions."""
    records = [
        {**r, "id": f"{brand}-{r['id']}"}
        for r in sample_storm(now, brand=brand, calm_days=4, seed=seed)
    ]
    with bot.transaction() as session:
        return store_mentions(
            session, [parse_record(r) for r in records], config=bot.config, now=now
        )


def outbox_counts(bot: Crisisbot) -> dict[str, int]:
    with bot.sessions() as session:
        rows = session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
        return {status: n for status, n in rows}


def wait_drained(bot: Crisisbot, timeout: float = 90.0) -> dict[str, int]:
    """Wait until no outbox row is pending; the courier delivers (kicked every few seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        counts = outbox_counts(bot)
        if not counts.get("pending"):
            return counts
        if time.monotonic() > deadline:
            raise TimeoutError(f"outbox not drained: {counts}")
        bot.kick()
        time.sleep(0.2)


def keys_posted(channel_messages: list[dict[str, Any]]) -> Counter[str]:
    """How many Slack messages carry each outbox key (the exactly-once measure)."""
    return Counter(
        str(((m.get("metadata") or {}).get("event_payload") or {}).get("key"))
        for m in channel_messages
    )


def assert_slack_matches_db(bot: Crisisbot, channel_messages: list[dict[str, Any]]) -> int:
    """Every incident and draft is posted exactly once, and its card shows the DB state."""
    posted = keys_posted(channel_messages)
    by_ts = {m["ts"]: m for m in channel_messages}
    doubled = {k: n for k, n in posted.items() if n > 1}
    assert not doubled, f"posted more than once: {doubled}"
    checked = 0
    with bot.sessions() as session:
        for incident in session.scalars(select(Incident).order_by(Incident.id)):
            assert posted[f"incident:{incident.id}"] == 1, f"alert #{incident.id} missing"
            latest = session.scalar(
                select(Draft)
                .where(Draft.incident_id == incident.id)
                .order_by(Draft.version.desc())
                .limit(1)
            )
            text, blocks = messages.incident_card(incident, bot.config, latest)
            shown = by_ts[incident.message_ts]  # type: ignore[index]
            assert (shown["text"], shown["blocks"]) == (text, blocks), (
                f"card #{incident.id}: Slack shows {shown['text']!r}, the database {text!r}; "
                f"outbox: {_rows(session, incident.id)}"
            )
            checked += 1
            for draft in session.scalars(select(Draft).where(Draft.incident_id == incident.id)):
                assert posted[f"draft:{draft.id}"] == 1, f"draft {draft.id} missing"
                text, blocks = messages.draft_card(draft, incident)
                shown = by_ts[draft.message_ts]  # type: ignore[index]
                assert shown.get("thread_ts") == incident.message_ts
                assert json.dumps(shown["blocks"]) == json.dumps(blocks), f"draft {draft.id}"
                checked += 1
    return checked


__all__ = ["CHANNEL", "assert_slack_matches_db", "ingest_storm", "keys_posted", "wait_drained"]


def _rows(session: Any, incident_id: int) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(
            Outbox.id,
            Outbox.target,
            Outbox.status,
            Outbox.attempts,
            Outbox.last_error,
            Outbox.created_at,
            Outbox.sent_at,
        )
        .where(Outbox.incident_id == incident_id)
        .order_by(Outbox.id)
    )
    return [tuple(r) for r in rows]
