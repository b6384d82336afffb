"""Backfill: a source's past, fetched back to the detector's baseline so a storm is judged
against a week of normal, not against nothing.

When: on a source's first poll, after a gap longer than the baseline (the source was down or
switched off for days), and after a live poll that ran out of pages (a shorter gap with more new
mentions than the live poll's page cap: back to where the live cursor was). `crisisbot backfill`
starts one by hand. Where a platform can page back in time (`sources.base.Backfilling`) the
poller walks back one page at a time after each live poll, within a budget (`PAGES_PER_POLL`,
`SECONDS_PER_POLL`), so a long backfill spreads over several polls and never delays the live one.
Feeds have no past to page: they take what they list.

Each page is stored in ONE transaction with the backfill cursor it leads to (`SourceState.backfill`,
next to the live cursor), so a crash (even kill -9) between pages repeats at most the page in
flight, which de-duplication absorbs: no gap, no duplicate.

Backfilled mentions are only history: detection alerts on a storm happening now (an alert in the
last window), never on one the backfill finds already over.

The state, a JSON object::

    days      the span asked for;  since / until: its bounds (until = when it started)
    cursor    the connector's backfill cursor (None: from the newest)
    reached   the oldest mention stored by it, ISO time (None before the first)
    pages, mentions   requests made and new mentions stored
    done      nothing more to fetch;  supported: False for sources that cannot page back
    error     why it stopped early (a permanent error), else None
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.core import i18n
from bot.core.i18n import _
from detectors.storm import StormSettings

DEFAULT_DAYS = StormSettings().baseline_days  # the detector's baseline: 7 days
MAX_DAYS = 90
PAGES_PER_POLL = 10  # requests per source per poll, on top of the live poll's
SECONDS_PER_POLL = 20.0  # and no longer than this (checked between pages)


def new_state(
    now: datetime, days: int, *, supported: bool, since: datetime | None = None
) -> dict[str, Any]:
    """A backfill of the last `days` (or back to `since`, a gap's start, `days` then naming the
    whole days it spans)."""
    if since is None:
        since = now - timedelta(days=days)
    return {
        "days": days,
        "since": since.isoformat(),
        "until": now.isoformat(),
        "cursor": None,
        "reached": None,
        "pages": 0,
        "mentions": 0,
        "done": not supported,
        "supported": supported,
        "error": None,
    }


GAP_MARGIN = timedelta(hours=1)  # a gap's backfill reaches this far before the last success


def start_since(
    state: dict[str, Any] | None,
    *,
    live_cursor: str | None,
    last_success_at: datetime | None,
    truncated: bool,
    now: datetime,
    days: int,
) -> datetime | None:
    """Where a backfill starting with this poll reaches back to, or None when none starts.

    A first poll (no live cursor, no backfill yet) or a gap longer than the baseline: the whole
    baseline. A live poll that ran out of pages (a gap shorter than that, but busier than the
    live poll's page cap): back to just before the last success, where the live cursor was.
    """
    baseline = now - timedelta(days=days)
    if state is None and live_cursor is None:
        return baseline
    if last_success_at is None:
        return None
    if now - last_success_at > timedelta(days=days):
        return baseline
    if not truncated:
        return None
    since = max(baseline, last_success_at - GAP_MARGIN)
    if active(state):  # widen the walk under way rather than lose its range
        assert state is not None
        since = min(since, datetime.fromisoformat(state["since"]))
    return since


def active(state: dict[str, Any] | None) -> bool:
    return state is not None and not state.get("done")


def covered_days(state: dict[str, Any]) -> int:
    """Whole days from the start of the backfill back to the oldest mention it stored."""
    if state.get("done") and not state.get("error"):
        return int(state["days"])
    reached = state.get("reached")
    if not reached:
        return 0
    span = datetime.fromisoformat(state["until"]) - datetime.fromisoformat(reached)
    return min(int(state["days"]), max(0, span.days))


def progress(state: dict[str, Any] | None) -> str | None:
    """One line for `crisisbot poll` and `/crisis sources`, e.g. "backfilling: 3 of 7 days"."""
    if state is None:
        return None
    if not state.get("supported", True):
        return _("no backfill: the feed lists what it keeps")
    days = int(state["days"])  # the word "days" agrees with it ("1 of 1 day")
    if state.get("error"):
        return i18n.ngettext(
            "backfill stopped at {covered} of {n} day: {error}",
            "backfill stopped at {covered} of {n} days: {error}",
            days, covered=covered_days(state), error=state["error"],
        )  # fmt: skip
    if state.get("done"):
        return i18n.ngettext(
            "backfill done: {n} of {n} day", "backfill done: {n} of {n} days", days
        )
    return i18n.ngettext(
        "backfilling: {covered} of {n} day", "backfilling: {covered} of {n} days", days,
        covered=covered_days(state),
    )  # fmt: skip


def advanced(
    state: dict[str, Any], *, cursor: str | None, oldest: datetime | None, new: int, done: bool
) -> dict[str, Any]:
    """The state after one stored page (a new dict: JSON columns track assignment only)."""
    reached = state.get("reached")
    if oldest is not None and (reached is None or oldest < datetime.fromisoformat(reached)):
        reached = oldest.isoformat()
    return {
        **state,
        "cursor": cursor,
        "reached": reached,
        "pages": int(state.get("pages", 0)) + 1,
        "mentions": int(state.get("mentions", 0)) + new,
        "done": done,
    }
