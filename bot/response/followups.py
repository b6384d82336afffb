"""Follow-up actions: what a crisis taught, each with an owner and maybe a due date, tracked until
someone marks it done, so the lessons do not stay in a review nobody reopens.

A follow-up may be added to any incident, open or closed (most are written after the resolve),
and to a drill (lessons from practice; it stays marked DRILL). People see one as `F<id>`: a
single token for `/crisis done`, one sequence for the whole team, never read as an incident's
#N. Each change is one transaction with its timeline event and outbox rows, like every step.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.core import i18n
from bot.core.errors import Conflict, NotFound
from bot.core.i18n import _
from bot.core.text import quote
from bot.response import incidents, outbox, timeline
from models import FollowUp, Incident, affected

# A due day is over at midnight; its owner is told the morning after (09:00 on the team's
# clock, an hour off across a DST change), not woken by a mention at midnight.
MORNING_AFTER = timedelta(hours=9)
MAX_TEXT = 1000  # one line of a list, a review, a Home tab entry: an action, not an essay
# "F3", "#F3", "f3", or with the Cyrillic Ф a Bulgarian keyboard types in the same place.
_REF = re.compile(r"^#?[FfФф](\d{1,9})$")


def parse_ref(text: str) -> int | None:
    """The follow-up number in "F3" (NFKC: a full-width "Ｆ３" too); None if it is not one."""
    match = _REF.match(unicodedata.normalize("NFKC", text.strip()))
    return int(match.group(1)) if match else None


def ref(follow_up_id: int) -> str:
    return f"F{follow_up_id}"


def due_text(follow_up: FollowUp) -> str:
    """When it is due, for a person: the day for a due day, else the moment; "" for none."""
    if follow_up.due_at is None:
        return ""
    if follow_up.due_whole_day:
        return i18n.day(follow_up.due_at - timedelta(microseconds=1))
    return i18n.when(follow_up.due_at)


def state_name(status: str, overdue: bool = False) -> str:
    """A follow-up's state for a person (the stored value stays the English word)."""
    if status == "done":
        return i18n.pgettext("follow-up", "done")
    return i18n.pgettext("follow-up", "overdue") if overdue else i18n.pgettext("follow-up", "open")


def is_overdue(follow_up: FollowUp, now: datetime) -> bool:
    return follow_up.status == "open" and follow_up.due_at is not None and follow_up.due_at <= now


def end_of_day(day: date) -> datetime:
    """A due day ("by 2026-12-11") as the moment it is over on the team's clock."""
    start = datetime(day.year, day.month, day.day, tzinfo=i18n.zone())
    following = start.date() + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=i18n.zone())


def add(
    session: Session,
    number: int,
    *,
    owner: str,
    text: str,
    due_at: datetime | None,
    due_whole_day: bool = False,
    user: str,
    now: datetime,
) -> tuple[FollowUp, Incident]:
    incident = incidents.get(session, number)
    text = text.strip()
    if not text:
        raise Conflict(_("A follow-up needs the action to take."))
    if len(text) > MAX_TEXT:
        raise Conflict(
            _("That text is {length} characters; the limit is {limit}.",
              length=i18n.number(len(text)), limit=i18n.number(MAX_TEXT))
        )  # fmt: skip
    if due_at is not None and due_at <= now:
        raise Conflict(
            _("The due date {due} is already past: give a later one.", due=_due_of(due_at,
              due_whole_day))
        )  # fmt: skip
    follow_up = FollowUp(
        incident_id=incident.id, owner=owner, text=text, due_at=due_at,
        due_whole_day=due_whole_day if due_at is not None else False, status="open",
        created_by=user, created_at=now,
    )  # fmt: skip
    session.add(follow_up)
    session.flush()
    timeline.record(
        session, incident, "followup.added", actor=user, at=now, followup=follow_up.ref,
        owner=owner, text=text, due_at=due_at.isoformat() if due_at else None,
        due_whole_day=follow_up.due_whole_day,
    )  # fmt: skip
    # Told in the thread with a mention: the owner hears of it at once, the team sees it.
    drill = _("DRILL · ") if incident.is_drill else ""
    due = due_text(follow_up)
    line = drill + (
        _("Follow-up {ref} for <@{owner}>, due {due}: {text}", ref=follow_up.ref, owner=owner,
          due=due, text=quote(text, MAX_TEXT + 200))
        if due
        else _("Follow-up {ref} for <@{owner}>: {text}", ref=follow_up.ref, owner=owner,
               text=quote(text, MAX_TEXT + 200))
    )  # fmt: skip
    line += " " + _("(`/crisis done {ref}` when it is done)", ref=follow_up.ref)
    outbox.enqueue_post(session, incident, text=line, now=now, key=f"followup:{follow_up.id}")
    outbox.enqueue_incident_card(session, incident, now=now)  # its count of open follow-ups
    return follow_up, incident


def _due_of(due_at: datetime, whole_day: bool) -> str:
    return i18n.day(due_at - timedelta(microseconds=1)) if whole_day else i18n.when(due_at)


def mark_done(session: Session, follow_up_id: int, *, user: str, now: datetime) -> FollowUp:
    """Done, by anyone (who is recorded); a second "done" is refused, saying by whom."""
    marked = affected(
        session.execute(
            update(FollowUp)
            .where(FollowUp.id == follow_up_id, FollowUp.status == "open")
            .values(status="done", done_by=user, done_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    follow_up = session.get(FollowUp, follow_up_id, populate_existing=True)
    if follow_up is None:
        raise NotFound(
            _("There is no follow-up {ref}. `/crisis followups` lists the open ones.",
              ref=ref(follow_up_id))
        )  # fmt: skip
    if marked != 1:
        raise Conflict(
            _("{ref} was already marked done by {who} at {at}.", ref=follow_up.ref,
              who=f"<@{follow_up.done_by}>", at=i18n.when(follow_up.done_at))
        )  # fmt: skip
    incident = incidents.get(session, follow_up.incident_id)
    timeline.record(
        session, incident, "followup.done", actor=user, at=now, followup=follow_up.ref,
        owner=follow_up.owner, text=follow_up.text,
    )  # fmt: skip
    # An overdue reminder still queued (Slack answering 429s, a DM between retries) would tell
    # the owner to do what is done: it is not sent.
    outbox.withdraw(session, [_reminder_key(follow_up.id), _reminder_key(follow_up.id, dm=True)])
    outbox.enqueue_incident_card(session, incident, now=now)
    return follow_up


def _reminder_key(follow_up_id: int, *, dm: bool = False) -> str:
    return f"followup:{follow_up_id}:due" + (":dm" if dm else "")


@dataclass(frozen=True, slots=True)
class Line:
    """A follow-up as a list shows it, with its incident's number, title and drill mark."""

    follow_up: FollowUp
    incident_id: int
    incident_title: str
    is_drill: bool
    incident_channel: str | None = None  # where its card is (a client's own, at an agency)


def _lines(session: Session, stmt: object) -> list[Line]:
    rows = session.execute(stmt).all()  # type: ignore[call-overload]
    return [
        Line(f, f.incident_id, title, bool(drill), channel) for f, title, drill, channel in rows
    ]


_WITH_INCIDENT = select(FollowUp, Incident.title, Incident.is_drill, Incident.channel).join(
    Incident, Incident.id == FollowUp.incident_id
)


def of_incident(session: Session, number: int) -> list[Line]:
    """Incident #number's follow-ups, the open ones first, each group oldest first."""
    incidents.get(session, number)  # NotFound for an unknown incident
    done_last = (FollowUp.status == "done").label("done_last")
    stmt = (
        _WITH_INCIDENT.add_columns(done_last)
        .where(FollowUp.incident_id == number)
        .order_by(done_last, FollowUp.id)
    )
    rows = session.execute(stmt).all()
    return [
        Line(f, f.incident_id, title, bool(drill), channel) for f, title, drill, channel, _d in rows
    ]


def open_ones(session: Session) -> list[Line]:
    """Every open follow-up of the team, oldest first."""
    return _lines(session, _WITH_INCIDENT.where(FollowUp.status == "open").order_by(FollowUp.id))


def owned_open(session: Session, owner: str, now: datetime) -> list[Line]:
    """`owner`'s open follow-ups: overdue first (the longest overdue on top), then by due date,
    those without one last."""
    stmt = _WITH_INCIDENT.where(FollowUp.status == "open", FollowUp.owner == owner)
    lines = _lines(session, stmt.order_by(FollowUp.id))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(lines, key=lambda ln: (ln.follow_up.due_at or far, ln.follow_up.id))


def counts(session: Session | Connection, incident_id: int) -> tuple[int, int]:
    """(open, done) follow-ups of an incident, for its card and `/crisis status`."""
    rows = session.execute(
        select(FollowUp.status, func.count())
        .where(FollowUp.incident_id == incident_id)
        .group_by(FollowUp.status)
    ).all()
    by = {str(s): int(n) for s, n in rows}
    return by.get("open", 0), by.get("done", 0)


def remind_overdue(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Tell each overdue follow-up's owner once, in its incident's thread with a mention and in
    a direct message.

    Derived from the database (`reminded_at`), so it survives restarts; the conditional update
    lets one worker of several win, and the outbox keys (one per follow-up and place) keep a
    retried delivery from posting twice."""
    due = session.scalars(
        select(FollowUp)
        .where(
            FollowUp.status == "open",
            FollowUp.due_at.is_not(None),
            or_(
                and_(FollowUp.due_whole_day.is_(False), FollowUp.due_at <= now),
                and_(FollowUp.due_whole_day.is_(True), FollowUp.due_at <= now - MORNING_AFTER),
            ),
            FollowUp.reminded_at.is_(None),
        )
        .order_by(FollowUp.due_at, FollowUp.id)
        .limit(limit)
    ).all()
    told = []
    for follow_up in due:
        won = affected(
            session.execute(
                update(FollowUp)
                .where(
                    FollowUp.id == follow_up.id,
                    FollowUp.status == "open",
                    FollowUp.reminded_at.is_(None),
                )
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if won != 1:
            continue
        incident = incidents.get(session, follow_up.incident_id)
        drill = _("DRILL · ") if incident.is_drill else ""
        text = drill + _(
            "<@{owner}>, follow-up {ref} of #{number} was due {due}: {text} "
            "(`/crisis done {ref}` once it is done)",
            owner=follow_up.owner, ref=follow_up.ref, number=incident.id,
            due=due_text(follow_up), text=quote(follow_up.text, MAX_TEXT + 200),
        )  # fmt: skip
        outbox.enqueue_post(session, incident, text=text, now=now, key=_reminder_key(follow_up.id))
        # The owner is the one who must act: told in person too, where a thread mention is
        # easy to miss. Its own row, so a refused DM (a bot, someone gone) leaves the thread's.
        outbox.enqueue_dm(
            session, incident, user=follow_up.owner, text=_dm_text(follow_up, incident),
            key=_reminder_key(follow_up.id, dm=True), now=now, about={"followup": follow_up.ref},
        )  # fmt: skip
        timeline.record(
            session, incident, "followup.reminded", actor=None, at=now, followup=follow_up.ref,
            owner=follow_up.owner, to=["thread", "dm"],
        )  # fmt: skip
        told.append(follow_up.id)
    return told


def _dm_text(follow_up: FollowUp, incident: Incident) -> str:
    drill = _("DRILL · ") if incident.is_drill else ""
    return drill + _(
        "Your follow-up {ref} of #{number} {title} was due {due}: {text} "
        "(`/crisis done {ref}` once it is done)",
        ref=follow_up.ref, number=incident.id, title=quote(incident.title, 80),
        due=due_text(follow_up), text=quote(follow_up.text, MAX_TEXT + 200),
    )  # fmt: skip


def as_dicts(session: Session, incident_id: int, now: datetime) -> list[dict[str, Any]]:
    """The incident's follow-ups as data (JSON export, the review): people by Slack ID."""
    rows: Sequence[FollowUp] = session.scalars(
        select(FollowUp).where(FollowUp.incident_id == incident_id).order_by(FollowUp.id)
    ).all()
    return [
        {
            "ref": f.ref,
            "text": f.text,
            "owner": f.owner,
            "due_at": f.due_at.isoformat() if f.due_at else None,
            "due_whole_day": f.due_whole_day,
            "status": f.status,
            "overdue": is_overdue(f, now),
            "created_by": f.created_by,
            "created_at": f.created_at.isoformat(),
            "done_by": f.done_by,
            "done_at": f.done_at.isoformat() if f.done_at else None,
        }
        for f in rows
    ]
