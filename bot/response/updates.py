"""Stakeholder updates: what the team tells leadership and colleagues while an incident runs
("what we know, what we are doing, next update at 15:00").

An update goes into the incident's thread and, when the playbook names one (`[plan]
updates_channel`), to the stakeholders' channel as a message of its own: self-contained, with a
link back to the thread, rendered when it is delivered (`bot.slack.delivery`). It is internal, so
it needs no approval; only an open incident takes one. A drill's stays in its thread (a drill
reaches nobody outside it). The update, its timeline event and both outbox rows are written in
one transaction, like every change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core import i18n
from bot.core.errors import Conflict
from bot.core.i18n import _
from bot.core.text import cut, quote, visible
from bot.response import incidents, outbox, rooms, timeline
from models import Incident, Outbox, TimelineEvent

MAX_TEXT = 3000  # what the form takes (Slack's plain-text input), and the command
THREAD_LIMIT = 4000  # the thread's message (Slack's advice for a message's text)
POSTED = "incident.update_posted"


@dataclass(frozen=True, slots=True)
class Posted:
    incident: Incident
    channel: str | None  # the stakeholders' channel it was sent to
    withheld: str | None  # a drill's: the channel the real thing would have gone to


def require_open(incident: Incident) -> None:
    if not incident.is_open:
        raise Conflict(
            _("#{number} is {status}: updates are for open incidents. If the story is back, "
              "`/crisis reopen {number}` first.", number=incident.id,
              status=incidents.status_name(incident.status))
        )  # fmt: skip


def post(
    session: Session,
    number: int,
    *,
    user: str,
    text: str,
    channel_for: Callable[[str | None, str | None], str | None],
    now: datetime,
    form: str | None = None,
) -> Posted:
    """Post `user`'s update on incident #number: in its thread, and to the stakeholders'
    channel `channel_for` names for its brand and channel (Config.updates_channel_for; None:
    the thread only). `form`: the Post update form's view id; a second submission of one form
    (Submit clicked again on a slow answer) posts nothing more."""
    text = text.strip()
    if not visible(text):  # an RTL override or a zero-width space alone says nothing
        raise Conflict(_("Write the update."))
    if len(text) > MAX_TEXT:  # the command and the form hold it already; a forged form too
        raise Conflict(
            _("That text is {length} characters; the limit is {limit}.",
              length=i18n.number(len(text)), limit=i18n.number(MAX_TEXT))
        )  # fmt: skip
    # Locked, so a close landing at the same moment either comes first (and the update is
    # refused) or after it: never an update recorded on a closed incident.
    incident = incidents.locked(session, number)
    channel = channel_for(incident.brand, incident.channel)  # the channel: a renamed brand
    sent_to = None if incident.is_drill else channel
    withheld = channel if incident.is_drill else None
    # A form's messages are keyed by the form, so its second submission finds them (the
    # incident's lock orders the two; the unique key stops a second insert all the same).
    keyed = f"update:{incident.id}:form:{form[:60]}" if form else None
    if keyed and session.scalar(select(Outbox.id).where(Outbox.key == f"{keyed}:thread")):
        return Posted(incident, sent_to, withheld)
    require_open(incident)
    incident.updated_at = now  # an update is news: the quiet reminder counts from here
    event = timeline.record(
        session, incident, POSTED, actor=user, at=now, text=text,
        to=["thread", sent_to] if sent_to else ["thread"],
        **({"would_go_to": withheld} if withheld else {}),
    )  # fmt: skip
    session.flush()  # the event's id keys its messages
    key = keyed or f"update:{incident.id}:{event.id}"
    outbox.enqueue_post(
        session, incident, text=thread_text(incident, user, text, sent_to, withheld), now=now,
        key=f"{key}:thread",
    )  # fmt: skip
    if sent_to:
        # What the stakeholders read is as it stands now (state, owner, severity); the names
        # and the thread's link are filled in when it is delivered.
        outbox.enqueue_update(
            session, incident, channel=sent_to, key=key, now=now,
            fields={
                "number": incident.id, "title": incident.title, "brand": incident.brand,
                "status": incident.status, "severity": incident.severity,
                "owner": incident.owner, "author": user, "text": text, "at": now.isoformat(),
            },
        )  # fmt: skip
    rooms.note(session, incident, _("#{number} · update posted by {who}:\n{text}",
                                    number=incident.id, who=f"<@{user}>",
                                    text=quote(text, 2500)), now=now)  # fmt: skip
    outbox.enqueue_incident_card(session, incident, now=now)  # "Last update 14:05 by …"
    return Posted(incident, sent_to, withheld)


def thread_text(
    incident: Incident, user: str, text: str, channel: str | None, withheld: str | None
) -> str:
    """The update as the team reads it in the thread: who wrote it, where it went, the text."""
    drill = _("DRILL · ") if incident.is_drill else ""
    head = ":mega: " + drill + _("*Update* by {who}", who=f"<@{user}>")
    if withheld:
        head += " · " + _("a drill: for real it would also go to {channel}",
                          channel=f"<#{withheld}>")  # fmt: skip
    elif channel:
        head += " · " + _("sent to {channel}", channel=f"<#{channel}>")
    return f"{head}\n{quoted(text, incident.id, THREAD_LIMIT - len(head) - 1)}"


def quoted(text: str, number: int, limit: int) -> str:
    """People's text as a Slack quote, escaped (no @channel from a pasted text), within
    `limit`: if it must be cut, it says where the whole text is."""
    body = quote(text, 10 * MAX_TEXT)  # escaped and folded; cut below, where it is quoted
    shown = "\n".join("> " + line for line in body.splitlines() or [""])
    if len(shown) <= limit:
        return shown
    note = _("_Shortened to fit Slack: `/crisis export {number}` has the full text._",
             number=number)  # fmt: skip
    return f"{cut(shown, limit - len(note) - 1)}\n{note}"


def last(session: Session, number: int) -> tuple[datetime, str | None] | None:
    """When the last update on incident #number went out, and who wrote it (the card's line)."""
    row = session.execute(
        select(TimelineEvent.at, TimelineEvent.actor)
        .where(TimelineEvent.incident_id == number, TimelineEvent.type == POSTED)
        .order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc())
        .limit(1)
    ).first()
    return (row.at, row.actor) if row is not None else None


def last_at(session: Session, numbers: list[int], types: tuple[str, ...]) -> dict[int, datetime]:
    """The latest of these timeline steps, per incident."""
    if not numbers:
        return {}
    rows = session.execute(
        select(TimelineEvent.incident_id, func.max(TimelineEvent.at))
        .where(TimelineEvent.incident_id.in_(numbers), TimelineEvent.type.in_(types))
        .group_by(TimelineEvent.incident_id)
    )
    return {int(number): at for number, at in rows}


def delivery_failed(
    session: Session,
    incident: Incident,
    fields: dict[str, Any],
    channel: str,
    error: str,
    now: datetime,
    permanent: bool = True,
) -> None:
    """Slack refused the stakeholders' copy for good (the app is not in a private channel, the
    channel is gone), or kept failing through every retry (`permanent` False: Slack down for
    long): the team is told in the thread what to do, and the timeline keeps it."""
    timeline.record(
        session, incident, "incident.update_failed", actor=None, at=now, channel=channel,
        error=error, author=fields.get("author"),
    )  # fmt: skip
    who = f"<@{fields['author']}>" if fields.get("author") else _("someone")
    if permanent and error == "channel_not_found":  # a mistyped ID, or a private channel
        text = _(
            "The update by {who} could not be posted in {channel}: Slack answered `{error}`. "
            "Correct `updates_channel` in the playbook (the brand's entry, else `[plan]`), or, "
            "if that channel is private, invite the app to it; then post the update again.",
            who=who, channel=f"<#{channel}>", error=error,
        )  # fmt: skip
        outbox.enqueue_post(session, incident, now=now, text=":warning: " + text)
        return
    outbox.enqueue_post(
        session, incident, now=now,
        text=":warning: " + (_(
            "The update by {who} could not be posted in {channel}: Slack answered `{error}`. "
            "Invite the app to that channel, then post the update again.",
            who=who, channel=f"<#{channel}>", error=cut(error, 100).replace("`", "'"),
        ) if permanent else _(
            "The update by {who} could not be posted in {channel}: Slack kept answering "
            "`{error}`. Post the update again once Slack is back.",
            who=who, channel=f"<#{channel}>", error=cut(error, 100).replace("`", "'"),
        )),
    )  # fmt: skip
