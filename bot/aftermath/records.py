"""The rows every export format is made of: the timeline streamed in batches, draft versions with
their decisions, and a memoised user-name lookup. Shared by `export` and `html_report`, so neither
imports the other.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection, Iterator
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import i18n
from bot.core.config import SLACK_USER_ID
from bot.core.i18n import _, pgettext
from bot.response import drafts, followups
from bot.response.incidents import severity_name, status_name
from models import SEVERITIES, Draft, Incident, TimelineEvent

NameOf = Callable[[str], str]
STREAM_BATCH = 5000


class Event(Protocol):
    """One timeline row as streamed: a plain result row, not an ORM object (5x cheaper)."""

    at: datetime
    type: str
    actor: str | None
    data: dict[str, Any]


def no_names(user: str) -> str:
    return user


def shown(value: Any) -> str:
    """A timeline value for a person: a list (the reasons) as JSON, not Python's repr, which
    wrote quotes, brackets and `\\xa0` for the no-break space of Bulgarian numbers."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# Timeline data that lists people by Slack ID (an escalation: whom it paged; a drill's: whom it
# would have paged; a refused decision on a brand with its own approvers: who could have taken it).
PEOPLE_KEYS = frozenset({"paged", "would_page", "approvers", "invited"})
# Data that names one person by Slack ID: who opened a war room, a follow-up's or an incident's
# owner, a draft's author, who held it before a handover (`previous`, else a severity or a state)
# and who took it (`to`, else where a message went). Named where the value is a user ID.
PERSON_KEYS = frozenset({"by", "owner", "author", "previous", "to"})
# Of those lists, the ones JSON and CSV also name, in a list beside the IDs (`paged_names`, like
# `actor_name`); Markdown and HTML name them in place (`detail`).
NAMED_KEYS = {"paged": "paged_names"}


def named(user: str, name: str) -> str:
    """A person for a person to read: "Bob Tanaka (U0BOB)"; the ID alone where no name is
    known (Slack could not say: "U0BOB (U0BOB)" said it twice)."""
    return f"{name} ({user})" if name != user else user


def people(ids: Collection[str], name_of: NameOf) -> str:
    """People (and user groups) for a person to read: "Bob Tanaka (U0BOB), @comms (S0COMMS)";
    the ID alone where no name is known."""
    return ", ".join(named(str(i), name_of(str(i))) for i in ids) or "—"


def names(data: dict[str, Any], name_of: NameOf) -> dict[str, list[str]]:
    """The names of the people an event's data lists (`NAMED_KEYS`), in the IDs' order: a
    user's display name, a user group's @handle, the ID where Slack cannot say."""
    return {
        NAMED_KEYS[key]: [name_of(str(i)) for i in value]
        for key, value in data.items()
        if key in NAMED_KEYS and isinstance(value, list)
    }


# The timeline's data keys and words are English (JSON and CSV keep them: a contract); the
# Markdown and HTML exports label and word them in the team's language. English shows the keys
# as stored, so an English export reads as it always did.
STATUSES = ("open", "claimed", "escalated", "resolved", "dismissed")


@functools.cache
def _labels(locale: str) -> dict[str, str]:
    """The data keys `bot.response` writes on the timeline (`timeline.record`'s callers), for
    `locale` (the current one: the cache is keyed by it). An unknown key is shown as stored."""
    # `locale` is the cache key: pgettext reads the current locale itself. The context is a
    # literal, so the extractor sees it: "to", "previous", "true" mean other things elsewhere.
    del locale
    return {
        "alert_at": pgettext("timeline detail", "alert_at"),
        "approvers": pgettext("timeline detail", "approvers"),
        "attempted": pgettext("timeline detail", "attempted"),
        "author": pgettext("timeline detail", "author"),
        "automatic": pgettext("timeline detail", "automatic"),
        "by": pgettext("timeline detail", "by"),
        "brand": pgettext("timeline detail", "brand"),
        "by_version": pgettext("timeline detail", "by_version"),
        "channel": pgettext("timeline detail", "channel"),
        "closed_at": pgettext("timeline detail", "closed_at"),
        "declared": pgettext("timeline detail", "declared"),
        "draft_id": pgettext("timeline detail", "draft_id"),
        "due_at": pgettext("timeline detail", "due_at"),
        "due_whole_day": pgettext("timeline detail", "due_whole_day"),
        "error": pgettext("timeline detail", "error"),
        "first_mention_at": pgettext("timeline detail", "first_mention_at"),
        "followup": pgettext("timeline detail", "followup"),
        "format": pgettext("timeline detail", "format"),
        "last_update_at": pgettext("timeline detail", "last_update_at"),
        "level": pgettext("timeline detail", "level"),
        "level_name": pgettext("timeline detail", "level_name"),
        "meant_for": pgettext("timeline detail", "meant_for"),
        "name": pgettext("timeline detail", "name"),
        "needed": pgettext("timeline detail", "needed"),
        "not_invited": pgettext("timeline detail", "not_invited"),
        "invited": pgettext("timeline detail", "invited"),
        "private": pgettext("timeline detail", "private"),
        "owner": pgettext("timeline detail", "owner"),
        "paged": pgettext("timeline detail", "paged"),
        "previous": pgettext("timeline detail", "previous"),
        "quiet_minutes": pgettext("timeline detail", "quiet_minutes"),
        "reason": pgettext("timeline detail", "reason"),
        "reasons": pgettext("timeline detail", "reasons"),
        "refused": pgettext("timeline detail", "refused"),
        "severity": pgettext("timeline detail", "severity"),
        "status": pgettext("timeline detail", "status"),
        "summary": pgettext("timeline detail", "summary"),
        "text": pgettext("timeline detail", "text"),
        "to": pgettext("timeline detail", "to"),
        "ts": pgettext("timeline detail", "ts"),
        "version": pgettext("timeline detail", "version"),
        "why": pgettext("timeline detail", "why"),
        "would_go_to": pgettext("timeline detail", "would_go_to"),
        "would_page": pgettext("timeline detail", "would_page"),
    }


@functools.cache
def _words(locale: str) -> dict[str, str]:
    """The data's own words a value may be (booleans and null as JSON writes them, where a
    message went, what a refused decision tried); sources', channels' and people's names are
    not among them."""
    del locale
    return {
        "null": pgettext("timeline detail", "null"),
        "true": pgettext("timeline detail", "true"),
        "false": pgettext("timeline detail", "false"),
        "thread": pgettext("timeline detail", "thread"),
        "dm": pgettext("timeline detail", "dm"),
        "approve": pgettext("timeline detail", "approve"),
        "reject": pgettext("timeline detail", "reject"),
        "slack": pgettext("timeline detail", "slack"),
    }


# The keys whose values are those words (`to` of a handover is a user ID, of an export "slack").
WORDED_KEYS = frozenset({"automatic", "private", "due_whole_day", "to", "would_go_to", "attempted"})


def label(key: str) -> str:
    """A timeline data key for a person, in the team's language (the key itself if unknown)."""
    return _labels(i18n.current()).get(key, key)


def _worded(key: str, value: Any) -> Any:
    if value is None:  # nobody, no time: JSON's null
        return _words(i18n.current())["null"]
    if isinstance(value, bool):
        return _words(i18n.current())["true" if value else "false"]
    if not isinstance(value, str):
        return value
    # `previous` is a severity (a change of it), a state (a reopen) or a user (a handover).
    if key in ("severity", "previous") and value in SEVERITIES:
        return severity_name(value)
    if key in ("status", "previous") and value in STATUSES:
        return status_name(value)
    if key in WORDED_KEYS:
        return _words(i18n.current()).get(value, value)
    return value


def detail(key: str, value: Any, name_of: NameOf) -> str:
    """One timeline value for a person (Markdown and HTML exports): people by name and ID, and
    the data's words (why a decision was refused, severities, states, yes and no, where a
    message went) in the team's language (the data keeps the English words)."""
    if key in PEOPLE_KEYS and isinstance(value, list):
        return people(value, name_of)
    if key in PERSON_KEYS and isinstance(value, str) and SLACK_USER_ID.match(value):
        return people([value], name_of)
    if key == "not_invited" and isinstance(value, dict):  # who Slack kept out of a room, and why
        return ", ".join(f"{people([str(u)], name_of)}: {why}" for u, why in value.items()) or "—"
    if key == "why" and value in drafts.REFUSALS:
        return _(value)
    if isinstance(value, list):
        return shown([_worded(key, v) for v in value])
    return shown(_worded(key, value))


def details(data: dict[str, Any], name_of: NameOf) -> str:
    """An event's data as the Markdown and HTML timelines show it: "label: value; …"."""
    return "; ".join(f"{label(k)}: {detail(k, v, name_of)}" for k, v in data.items())


def draft_dicts(
    session: Session, incident: Incident, name_of: NameOf = no_names
) -> list[dict[str, Any]]:
    """Every version with its decision; the people by ID and by name."""
    rows = session.scalars(
        select(Draft).where(Draft.incident_id == incident.id).order_by(Draft.version)
    )
    return [
        {
            "version": d.version,
            "text": d.text,
            "author": d.author,
            "author_name": name_of(d.author),
            "status": d.status,
            "created_at": iso(d.created_at),
            "decided_by": d.decided_by,
            "decided_by_name": name_of(d.decided_by) if d.decided_by else None,
            "decided_at": iso(d.decided_at),
            "reason": d.reason,
        }
        for d in rows
    ]


def follow_up_dicts(
    session: Session, incident: Incident, now: datetime, name_of: NameOf = no_names
) -> list[dict[str, Any]]:
    """The incident's follow-up actions as data, the people by ID and by name; `overdue` as of
    `now` (the export's moment)."""
    rows = followups.as_dicts(session, incident.id, now)
    for row in rows:
        row["owner_name"] = name_of(str(row["owner"]))
        row["done_by_name"] = name_of(str(row["done_by"])) if row["done_by"] else None
    return rows


def follow_up_due(f: dict[str, Any]) -> str:
    if not f["due_at"]:
        return "—"
    due_at = datetime.fromisoformat(f["due_at"])
    return i18n.day(due_at - timedelta(microseconds=1)) if f["due_whole_day"] else i18n.when(due_at)


def follow_up_state(f: dict[str, Any]) -> str:
    state = followups.state_name(f["status"], f["overdue"])
    if f["status"] != "done":
        return state
    at = i18n.when(datetime.fromisoformat(f["done_at"])) if f["done_at"] else "—"
    return _("{state} by {who} at {at}", state=state, who=named(f["done_by"], f["done_by_name"]),
             at=at)  # fmt: skip


def events(
    session: Session, incident_id: int, *, types: Collection[str] | None = None
) -> Iterator[Event]:
    """The timeline in time order, fetched in batches (server-side cursor on PostgreSQL).

    Plain rows rather than ORM objects: nothing enters the identity map, and building 100k
    mapped instances (then expunging them) was most of an export's time."""
    t = TimelineEvent
    stmt = (
        select(t.at, t.type, t.actor, t.data)
        .where(t.incident_id == incident_id)
        .order_by(t.at, t.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    if types is not None:
        stmt = stmt.where(t.type.in_(list(types)))
    # Core rows straight from the connection: the ORM result layer added a third to the time.
    yield from session.connection().execute(stmt)  # type: ignore[misc]


def cached(name_of: NameOf) -> NameOf:
    """Memoise a name lookup for one export: one dict hit per event instead of a gateway call."""
    names: dict[str, str] = {}

    def lookup(user: str) -> str:
        if user not in names:
            names[user] = name_of(user)
        return names[user]

    return lookup


def event_dict(event: Event, name_of: NameOf) -> dict[str, Any]:
    actor = event.actor
    out: dict[str, Any] = {
        "at": event.at.isoformat(),
        "type": event.type,
        "actor": actor,
        "actor_name": name_of(actor) if actor else "crisisbot",
    }
    for key, value in event.data.items():
        out.setdefault(key, value)  # the contract's keys win over same-named data
    for key, value in names(event.data, name_of).items():
        out.setdefault(key, value)
    return out


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def md_text(text: str) -> str:
    """Plain text in a Markdown table or paragraph: no pipes, no HTML, no stray newlines, no
    links, images or code spans (`[x](…)`, `![x](…)` in a note would render as a link or fetch
    an image when the file is viewed). The export's and the report's."""
    return (
        str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
        .replace(">", "&gt;").replace("[", "\\[").replace("]", "\\]").replace("`", "\\`")
        .replace("\r", " ").replace("\n", " ")
    )  # fmt: skip
