"""Steps the response tests share: open a storm's incident, find messages, wait for answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bot import jobs
from bot.core.clock import ManualClock
from bot.emulator.server import WAIT_TIMEOUT
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.slack.ids import Block
from bot.testing import CHANNEL, Stack, sample_storm
from models import Draft, Incident

# The clock of the response tests that read the time of day (the volume detector does): a storm
# stands out the same way whenever the suite runs (`pinned`, `team` in tests/bot/conftest.py).
PINNED_START = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def open_storm(stack: Stack, clock: ManualClock, brand: str = "Acme") -> int:
    """Store a storm and run the detection job; return the incident number once it is posted."""
    mentions = [parse_record(r) for r in sample_storm(clock(), brand=brand)]
    with stack.bot.transaction() as session:
        store_mentions(session, mentions, config=stack.bot.config, now=clock())
    numbers = jobs.detect_storms(stack.bot)
    assert numbers, "the storm should open an incident"
    stack.emulator.wait_for(lambda: _posted(stack, numbers[0]))  # alert.posted is recorded
    return int(numbers[0])


def incident_row(stack: Stack, number: int) -> Incident:
    """The incident's row as it is now in the database."""
    with stack.bot.sessions() as session:
        found = session.get(Incident, number)
        assert found is not None
        return found


def opened_form(stack: Stack, callback_id: str, before: int = 0) -> dict[str, Any]:
    """Wait for a modal with this callback_id the bot opened (`before`: how many such were
    open already, so a second form of the same kind is waited for)."""

    def found() -> dict[str, Any] | None:
        views = [v for v in stack.emulator.views.values() if v["callback_id"] == callback_id]
        return views[before] if len(views) > before else None

    return stack.emulator.wait_for(found)  # type: ignore[arg-type]


def view_ids(stack: Stack) -> set[str]:
    """The ids of the views the bot opened so far: take them before a click, for `new_form`."""
    return set(stack.emulator.views)


def new_form(stack: Stack, callback_id: str, known: set[str]) -> dict[str, Any]:
    """Wait for a modal with this callback_id opened since `known` (`view_ids`) was taken.

    Unlike counting them (`opened_form(before=...)`), it does not rely on the earlier forms
    keeping their callback_id: a form is opened at once and checked after (the trigger lives
    3 s), and one whose check ran late, after the change it is refused for, becomes a notice."""

    def found() -> dict[str, Any] | None:
        return next(
            (
                v
                for i, v in stack.emulator.views.items()
                if v["callback_id"] == callback_id and i not in known
            ),
            None,
        )

    return stack.emulator.wait_for(found)  # type: ignore[arg-type]


def _posted(stack: Stack, number: int) -> bool:
    with stack.bot.sessions() as session:
        incident = session.get(Incident, number)
        return incident is not None and incident.message_ts is not None


def top_level(stack: Stack) -> list[dict[str, Any]]:
    # A thread's parent carries thread_ts equal to its own ts, as in Slack.
    return [m for m in stack.emulator.messages(CHANNEL) if m.get("thread_ts") in (None, m["ts"])]


def card(stack: Stack, number: int) -> dict[str, Any] | None:
    return next((m for m in top_level(stack) if m["text"].startswith(f"#{number} ") or
                 m["text"].startswith(f"DRILL · #{number} ")), None)  # fmt: skip


def thread(stack: Stack, number: int) -> list[dict[str, Any]]:
    """The replies under incident #number's card; none while the card is not posted yet (a
    wait_for on them then waits, where an assertion here ended the wait at once)."""
    parent = card(stack, number)
    if parent is None:
        return []
    return [m for m in stack.emulator.messages(CHANNEL) if m.get("thread_ts") == parent["ts"]
            and m["ts"] != parent["ts"]]  # fmt: skip


def blocks_text(message: dict[str, Any] | None) -> str:
    return json.dumps((message or {}).get("blocks", []), ensure_ascii=False)


def answer(stack: Stack, needle: str, timeout: float = WAIT_TIMEOUT) -> dict[str, Any]:
    """Wait for an answer to the person (respond() or chat.postEphemeral) containing `needle`."""

    def find() -> dict[str, Any] | None:
        for r in stack.emulator.responses:
            if needle in r["payload"].get("text", ""):
                return dict(r["payload"])
        for e in stack.emulator.ephemerals:
            if needle in e.get("text", ""):
                return {"text": e["text"], "response_type": "ephemeral"}
        return None

    return stack.emulator.wait_for(find, timeout=timeout)


def drafts_in_thread(stack: Stack, number: int) -> list[dict[str, Any]]:
    return [m for m in thread(stack, number) if "Draft reply v" in m.get("text", "")]


def recorded_drafts(stack: Stack, number: int) -> list[dict[str, Any]]:
    """Wait for the incident's draft messages and for the bot to have recorded where each was
    posted (`Draft.message_ts`, stored by the courier once Slack answered): the emulator shows a
    draft a moment before, and what links to it (the Home tab) points at the card till then."""

    def found() -> list[dict[str, Any]]:
        shown = drafts_in_thread(stack, number)  # first: a draft shown exists in the database
        if not shown:
            return []
        with stack.bot.sessions() as session:
            unrecorded = session.scalar(
                select(func.count())
                .select_from(Draft)
                .where(Draft.incident_id == number, Draft.message_ts.is_(None))
            )
        return shown if unrecorded == 0 else []

    return stack.emulator.wait_for(found)


def click_on(stack: Stack, message: dict[str, Any], action_id: str, user: str) -> None:
    value = next(
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    response = stack.slack.click(
        action_id, value, user_id=user, message={"channel": CHANNEL, "ts": message["ts"]}
    )
    assert response.status_code == 200


def timeline(stack: Stack, number: int) -> list[dict[str, Any]]:
    import io

    from bot.aftermath import export

    buffer = io.StringIO()
    with stack.bot.transaction() as session:
        export.write(session, number, "json", buffer)
    return list(json.loads(buffer.getvalue())["events"])


def declare_values(text: str, brand: str, kind: str = "static_select") -> dict[str, Any]:
    """The Declare form's state as Slack sends it on submit: what happened, and the brand picked
    from the list (`kind`: "external_select" for an agency's typeahead)."""
    picked = {"text": {"type": "plain_text", "text": brand}, "value": brand}
    return {
        Block.DECLARE_TEXT: {"text": text},
        Block.DECLARE_BRAND: {"brand": {"type": kind, "selected_option": picked}},
    }
