"""Timers derived from the database, so they survive restarts: nothing lives only in memory.

The worker checks them every minute; each change is a conditional update, so two workers checking
at once act once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.config import Config
from bot.core.errors import Conflict
from bot.core.i18n import _
from bot.response import incidents, outbox, stats, timeline, updates
from models import Incident, TimelineEvent, affected

logger = logging.getLogger(__name__)


def escalate_unclaimed(session: Session, *, config: Config, now: datetime) -> list[int]:
    """Nobody claimed an incident within `unclaimed_minutes`: escalate it by itself, once."""
    deadline = now - timedelta(minutes=config.unclaimed_minutes)
    # A reopened incident nobody holds gets the whole timer again, from its reopen.
    reopened_since = (
        select(TimelineEvent.id)
        .where(
            TimelineEvent.incident_id == Incident.id,
            TimelineEvent.type == "incident.reopened",
            TimelineEvent.at > deadline,
        )
        .exists()
    )
    due = session.scalars(
        select(Incident.id).where(
            Incident.status == "open",
            Incident.owner.is_(None),
            Incident.level == 0,
            Incident.opened_at <= deadline,
            ~reopened_since,
        )
    ).all()
    done = []
    for number in due:
        reason = _("nobody claimed it within {minutes} minutes", minutes=config.unclaimed_minutes)
        try:
            with session.begin_nested():
                # Read again, locked: a claim may have landed since the query above, and a page
                # saying "nobody claimed it in time" would then be wrong.
                incident = incidents.locked(session, number)
                if incident.status != "open" or incident.owner is not None:
                    logger.info("auto-escalation of #%s skipped: claimed meanwhile", number)
                    continue
                incidents.escalate(
                    session, number, user=None, reason=reason, levels_for=config.levels_for,
                    now=now, automatic=True, from_level=0,
                )  # fmt: skip
            done.append(number)
        except Conflict as exc:  # claimed or escalated meanwhile: nothing to do
            logger.info("auto-escalation of #%s skipped: %s", number, exc.message)
    return done


def remind_stale(session: Session, *, config: Config, now: datetime) -> list[int]:
    """An open incident with no update for `reminder_minutes` gets one reminder per interval.

    A drill gets one per quiet spell (not since its last update): a practice left open would
    otherwise nag the channel for ever; `end_quiet_drills` ends it if it stays quiet."""
    interval = timedelta(minutes=config.reminder_minutes)
    quiet_since = now - interval
    not_reminded = Incident.reminded_at.is_(None)
    due = session.scalars(
        select(Incident).where(
            Incident.status.in_(incidents.OPEN_STATUSES),
            Incident.updated_at <= quiet_since,
            or_(
                and_(
                    Incident.is_drill.is_(False),
                    not_reminded | (Incident.reminded_at <= quiet_since),
                ),
                and_(
                    Incident.is_drill.is_(True),
                    not_reminded | (Incident.reminded_at < Incident.updated_at),
                ),
            ),
        )
    ).all()
    done = []
    for incident in due:
        as_read = Incident.reminded_at.is_not_distinct_from(incident.reminded_at)
        if not _unchanged(session, incident, as_read, reminded_at=now):
            continue
        who = f"<@{incident.owner}>" if incident.owner else _("Nobody holds it yet")
        minutes = int((now - incident.updated_at).total_seconds() // 60)
        drill = _("DRILL · ") if incident.is_drill else ""
        # As a duration for a person: after a long downtime "10 h", not "600 minutes".
        text = drill + _(
            "Reminder: #{number} has had no update for {quiet}. {who} — "
            "post a status, a note or a draft, or resolve it.",
            number=incident.id,
            quiet=stats.human(now - incident.updated_at),
            who=who,
        )
        if incident.is_drill:
            text += " " + _(
                "If it stays quiet for {interval} more, the drill ends by itself.",
                interval=stats.human(interval),
            )
        outbox.enqueue_post(session, incident, text=text, now=now)
        timeline.record(
            session, incident, "reminder.sent", actor=None, at=now,
            owner=incident.owner, quiet_minutes=minutes,
        )  # fmt: skip
        done.append(incident.id)
    return done


def _unchanged(
    session: Session, incident: Incident, *also: ColumnElement[bool], **values: Any
) -> bool:
    """Take `incident` for a reminder (setting `values`) only if it is open and unchanged since
    the query read it: a resolve, a note or an update that landed meanwhile means no reminder
    (it was one for a closed or busy incident). `also`: more of the state as read."""
    taken = affected(
        session.execute(
            update(Incident)
            .where(
                Incident.id == incident.id,
                Incident.updated_at == incident.updated_at,
                Incident.status.in_(incidents.OPEN_STATUSES),
                *also,
            )
            .values(**(values or {"updated_at": Incident.updated_at}))  # none: only the lock
            .execution_options(synchronize_session=False)
        )
    )
    return taken == 1


START = datetime.min.replace(tzinfo=UTC)
UPDATE_STEPS = (updates.POSTED, "incident.update_reminded", "incident.reopened")


def remind_updates(session: Session, *, config: Config, now: datetime) -> list[int]:
    """`[escalation] update_minutes` (off unless set): an open incident whose stakeholders have
    had no update for that long gets a reminder in its thread, to its owner; one per quiet spell
    of that length (counted from the last update, reminder or reopen, else the opening).

    Derived from the timeline, so a restart neither skips nor repeats one. Each reminder's
    outbox key names the moment it became due: a second worker (or pass) that finds it due
    too writes the same key, and the unique key keeps one."""
    if config.update_minutes is None:
        return []
    interval = timedelta(minutes=config.update_minutes)
    quiet_since = now - interval
    candidates = session.scalars(
        select(Incident)
        .where(Incident.status.in_(incidents.OPEN_STATUSES), Incident.opened_at <= quiet_since)
        .order_by(Incident.id)
    ).all()
    numbers = [i.id for i in candidates]
    latest = updates.last_at(session, numbers, UPDATE_STEPS)
    posted = updates.last_at(session, numbers, (updates.POSTED,))
    reopened = updates.last_at(session, numbers, ("incident.reopened",))
    done = []
    for incident in candidates:
        anchor = max(incident.opened_at, latest.get(incident.id, incident.opened_at))
        if anchor > quiet_since:
            continue
        since = posted.get(incident.id)
        # None ever posted: quiet since it opened (or was reopened).
        quiet = now - (since or max(incident.opened_at, reopened.get(incident.id, START)))
        try:
            with session.begin_nested():
                if not _unchanged(session, incident):
                    continue
                outbox.enqueue_post(
                    session, incident, now=now, key=f"update-due:{incident.id}:"
                    f"{int(anchor.timestamp())}",
                    text=_update_due_text(incident, quiet, interval, ever=since is not None),
                )  # fmt: skip
                timeline.record(
                    session, incident, "incident.update_reminded", actor=None, at=now,
                    owner=incident.owner, quiet_minutes=int(quiet.total_seconds() // 60),
                    last_update_at=since.isoformat() if since else None,
                )  # fmt: skip
        except IntegrityError:  # another worker reminded it first: its key is taken
            logger.info("update reminder of #%s: already queued", incident.id)
            continue
        done.append(incident.id)
    return done


def _update_due_text(
    incident: Incident, quiet: timedelta, interval: timedelta, *, ever: bool
) -> str:
    who = f"<@{incident.owner}>" if incident.owner else _("Nobody holds it yet")
    fields = {"number": incident.id, "quiet": stats.human(quiet),
              "interval": stats.human(interval), "who": who}  # fmt: skip
    drill = _("DRILL · ") if incident.is_drill else ""
    return drill + (
        _("Update due: the last update on #{number} went out {quiet} ago, and the playbook asks "
          "for one every {interval}. {who} — *Post update* on the card, or "
          "`/crisis update {number} <text>`.", **fields)
        if ever
        else _("Update due: nobody has posted an update on #{number} in {quiet}, and the "
               "playbook asks for one every {interval}. {who} — *Post update* on the card, or "
               "`/crisis update {number} <text>`.", **fields)
    )  # fmt: skip


def end_quiet_drills(session: Session, *, config: Config, now: datetime) -> list[int]:
    """A drill still quiet `reminder_minutes` after its reminder ends by itself, resolved by the
    bot with a timeline event and a line in its thread. A trainer's practice nobody closed is
    over: left open it would sit on everyone's Home tab and in `/crisis list` for ever."""
    interval = timedelta(minutes=config.reminder_minutes)
    due = session.scalars(
        select(Incident.id).where(
            Incident.is_drill.is_(True),
            Incident.status.in_(incidents.OPEN_STATUSES),
            Incident.reminded_at.is_not(None),
            Incident.reminded_at >= Incident.updated_at,  # nothing happened since the reminder
            Incident.reminded_at <= now - interval,
        )
    ).all()
    done = []
    for number in due:
        try:
            with session.begin_nested():
                # Read again, locked: a note or a resolve may have landed since the query.
                incident = incidents.locked(session, number)
                session.refresh(incident)
                reminded = incident.reminded_at
                if reminded is None or reminded < incident.updated_at or not incident.is_open:
                    continue
                quiet = stats.human(now - incident.updated_at)
                summary = _("The drill ended by itself: no update for {quiet}.", quiet=quiet)
                incidents.resolve(
                    session, number, user=None, summary=summary, now=now, automatic=True
                )
                outbox.enqueue_post(
                    session, incident, now=now,
                    text=_("DRILL · ") + _(
                        "#{number} ended by itself: nobody updated it for {quiet}, its "
                        "reminder included. `/crisis drill` starts another.",
                        number=number, quiet=quiet,
                    ),
                )  # fmt: skip
            done.append(number)
        except Conflict as exc:  # closed or changed meanwhile: nothing to do
            logger.info("ending quiet drill #%s skipped: %s", number, exc.message)
    return done
