"""The incident state machine: open (by an alert, or declared by a person), claim / hand over,
escalate, resolve, dismiss, reopen.

Services take the session keyword-only and never commit: the caller owns the transaction, so the
change, its timeline event and its outbox row are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.config import Level
from bot.core.errors import Conflict, NotFound
from bot.core.i18n import _
from bot.core.text import escape_mrkdwn, quote, visible
from bot.response import outbox, rooms, timeline
from models import SEVERITIES, Draft, Incident, TimelineEvent, affected

OPEN_STATUSES = ("open", "claimed", "escalated")
PAGE_REASON_LIMIT = 1500  # of an escalation's reason, in the page posted to the thread


def get(session: Session, number: int, *, for_update: bool = False) -> Incident:
    stmt = select(Incident).where(Incident.id == number)
    if for_update:
        stmt = stmt.with_for_update()
    incident = session.scalar(stmt)
    if incident is None:
        raise NotFound(no_such_incident(number))
    return incident


def no_such_incident(number: int) -> str:
    return _("There is no incident #{number}. `/crisis list` shows the open ones.", number=number)


def status_name(status: str) -> str:
    """An incident state in the team's language (the stored value stays the English word)."""
    names = {
        "open": _("open"),
        "claimed": _("claimed"),
        "escalated": _("escalated"),
        "resolved": _("resolved"),
        "dismissed": _("dismissed"),
    }
    return names.get(status, status)


def severity_name(severity: str) -> str:
    names = {
        "low": _("low"),
        "medium": _("medium"),
        "high": _("high"),
        "critical": _("critical"),
    }
    return names.get(severity, severity)


# A brand's names now, current first (`Config.names_of`): a renamed brand's former ones after.
NamesOf = Callable[[str | None], tuple[str | None, ...]]


def open_incidents(session: Session) -> list[Incident]:
    stmt = select(Incident).where(Incident.status.in_(OPEN_STATUSES)).order_by(Incident.id)
    return list(session.scalars(stmt))


def open_for_brand(
    session: Session, brand: str | None, *, formerly: Sequence[str] = ()
) -> Incident | None:
    """The brand's open incident. `formerly`: its former names (the playbook's `formerly`): an
    incident opened under one before the rename is the brand's, and stays its one open incident."""
    keys = [brand or "", *formerly]
    return session.scalar(
        select(Incident).where(Incident.open_key.in_(keys)).order_by(Incident.id).limit(1)
    )


def open_incident(
    session: Session,
    *,
    brand: str | None,
    title: str,
    severity: str,
    evidence: dict[str, Any],
    first_mention_at: datetime | None,
    channel: str | None,
    now: datetime,
    is_drill: bool = False,
    actor: str | None = None,
    formerly: Sequence[str] = (),
    **data: Any,
) -> Incident | None:
    """Open an incident and queue its alert; None when the brand already has an open one.
    `actor`: the person who declared it (None: the bot raised it); `data` goes on the
    timeline's `incident.opened` beside the reasons. `formerly`: the brand's former names: one
    still open under one of them is its open incident (the unique `open_key` cannot see it)."""
    if formerly and not is_drill and open_for_brand(session, brand, formerly=formerly):
        return None
    incident = Incident(
        brand=brand,
        title=title[:200],
        status="open",
        severity=severity,
        level=0,
        is_drill=is_drill,
        first_mention_at=first_mention_at,
        opened_at=now,
        updated_at=now,
        channel=channel,
        evidence=evidence,
        open_key=None if is_drill else (brand or ""),
    )
    try:
        # The unique open_key makes a concurrent second detector lose here, not post twice.
        with session.begin_nested():
            session.add(incident)
            session.flush()
    except IntegrityError:
        return None
    timeline.record(
        session,
        incident,
        "incident.opened",
        actor=actor,
        at=now,
        severity=severity,
        brand=brand,
        reasons=evidence.get("reasons", []),
        first_mention_at=first_mention_at.isoformat() if first_mention_at else None,
        **data,
    )
    outbox.enqueue_incident_card(session, incident, now=now)
    return incident


DECLARED_TITLE = 120  # characters of what happened that title a declared incident
# Evidence an incident keeps when a new alert replaces the rest: who declared it and what they
# said, and the latest pulse (the card's "Now" line).
KEPT_KEYS = ("declared_by", "declared", "pulse")


def declare(
    session: Session,
    *,
    brand: str | None,
    text: str,
    severity: str,
    user: str,
    channel: str | None,
    now: datetime,
    formerly: Sequence[str] = (),
) -> Incident:
    """An incident a person opens by hand: a journalist's call, a post on a platform no source
    watches, a leaked memo. It is the same incident as an alert's (card, buttons, timers,
    timeline, exports), titled by what happened, and the person who declared it holds it from
    the start (they know most about it; anyone can take it over with Claim). A storm the
    detectors see later for the brand goes onto it (`storm_grew`), not into a second incident.
    Refused while the brand has an open incident: that one is where the story goes."""
    if severity not in SEVERITIES:
        raise Conflict(_("Pick a severity: low, medium, high or critical."))
    text = text.strip()
    if not visible(text):
        raise Conflict(_("Say what happened."))
    # The first line that says something ("\u200b" alone, a paste's leftover, titles nothing).
    first_line = next(line for line in text.splitlines() if visible(line)).strip()
    title = first_line if len(first_line) <= DECLARED_TITLE else (
        first_line[: DECLARED_TITLE - 1].rstrip() + "…"
    )  # fmt: skip
    incident = open_incident(
        session, brand=brand, title=title, severity=severity,
        evidence={"declared_by": user, "declared": text}, first_mention_at=None,
        channel=channel, now=now, actor=user, declared=text, formerly=formerly,
    )  # fmt: skip
    if incident is None:
        current = open_for_brand(session, brand, formerly=formerly)
        number = current.id if current is not None else "?"
        if brand:
            raise Conflict(
                _("{brand} already has incident #{number} open: add to it (`/crisis note "
                  "{number} …`), or resolve it first.", brand=escape_mrkdwn(brand),
                  number=number)
            )  # fmt: skip
        raise Conflict(
            _("Incident #{number} is open: add to it (`/crisis note {number} …`), or resolve "
              "it first.", number=number)
        )  # fmt: skip
    claim(session, incident.id, user=user, now=now)
    return incident


def storm_grew(
    session: Session,
    number: int,
    *,
    evidence: dict[str, Any],
    first_mention_at: datetime | None,
    now: datetime,
) -> Incident | None:
    """A new alert on the storm an open incident is for (a new volume alert, a cold-start alert
    now backed by history): the new evidence replaces the card's, the timeline keeps it
    (`storm.grew`), and the storm's start moves earlier if the new alert saw it begin sooner.
    The severity stays the team's. None when the incident was closed meanwhile."""
    try:
        incident = locked(session, number)
    except Conflict:
        return None
    session.refresh(incident)  # the evidence as it is now: another pass may have put this alert
    if not incident.is_open or _alert_at(incident.evidence) == _alert_at(evidence):
        return None
    # A declared incident keeps who declared it and what they said above the alert's evidence.
    kept = {k: v for k, v in (incident.evidence or {}).items() if k in KEPT_KEYS}
    incident.evidence = {**evidence, **kept}
    if first_mention_at is not None and (
        incident.first_mention_at is None or first_mention_at < incident.first_mention_at
    ):
        incident.first_mention_at = first_mention_at
    incident.updated_at = now
    timeline.record(
        session,
        incident,
        "storm.grew",
        actor=None,
        at=now,
        alert_at=evidence.get("alert_at"),
        reasons=evidence.get("reasons", []),
    )
    outbox.enqueue_incident_card(session, incident, now=now)
    return incident


PULSE_EVERY = timedelta(minutes=15)  # how often an open incident's card shows the storm anew


def pulse_due(incident: Incident, trend: str, now: datetime) -> bool:
    """A new pulse for the card: the first 15 minutes after it opened (the alert's own figures
    are fresh until then), then every 15 minutes, or at once when the storm turns."""
    last = (incident.evidence or {}).get("pulse")
    if not isinstance(last, dict):
        return now - _aware(incident.opened_at) >= PULSE_EVERY
    if last.get("trend") != trend:
        return True
    return now - datetime.fromisoformat(str(last.get("at"))) >= PULSE_EVERY


def set_pulse(session: Session, number: int, pulse: dict[str, Any], *, now: datetime) -> bool:
    """Put how the storm goes now on an open incident's card (evidence["pulse"]): a measure,
    not a step of the team's, so no timeline event. False when it was closed meanwhile."""
    try:
        incident = locked(session, number)
    except Conflict:
        return False
    if not incident.is_open:
        return False
    incident.evidence = {**(incident.evidence or {}), "pulse": pulse}
    outbox.enqueue_incident_card(session, incident, now=now)
    return True


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _alert_at(evidence: dict[str, Any] | None) -> Any:
    return (evidence or {}).get("alert_at")


ANYONE = "*"  # `holder` of a claim that takes the incident whoever holds it (`/crisis claim`)
ATTEMPTS = 3  # reads before giving up on a row others keep changing under us


def claim(
    session: Session, number: int, *, user: str, now: datetime, holder: str | None = ANYONE
) -> Incident:
    """Make `user` the owner; claiming one held by someone else hands it over (kept in history).

    `holder` is who held it on the card that was clicked (None: nobody): when that changed
    meanwhile (two people clicked Claim at once), the click is refused instead of silently
    taking the incident from the one who just claimed it."""
    incident = locked(session, number)
    require_open(incident)
    if incident.owner == user:
        raise Conflict(_("You already hold #{number}.", number=incident.id))
    if holder != ANYONE and incident.owner != holder:
        raise Conflict(
            _("#{number} is now held by {who}; click Claim again to take it over.",
              number=incident.id, who=f"<@{incident.owner}>")
        )  # fmt: skip
    previous = incident.owner
    incident.owner = user
    incident.updated_at = now
    if incident.status == "open":
        incident.status = "claimed"
    if previous is None:
        incident.claimed_at = now
        timeline.record(session, incident, "incident.claimed", actor=user, at=now)
    else:
        timeline.record(
            session,
            incident,
            "incident.handed_over",
            actor=user,
            at=now,
            previous=previous,
            to=user,
        )
    rooms.note(session, incident, _("#{number} · held by {who}", number=incident.id,
                                    who=f"<@{user}>"), now=now)  # fmt: skip
    rooms.invite(session, incident, [user], now=now)  # the new owner works there too
    outbox.enqueue_incident_card(session, incident, now=now)
    return incident


def locked(session: Session, number: int) -> Incident:
    """The incident, read for a change: its row is ours until the transaction ends.

    On PostgreSQL that is FOR UPDATE. On SQLite (one process, several request threads) FOR
    UPDATE does nothing, so two requests both read "open, nobody holds it" and both acted: two
    claims, a second page, a resolved incident set back to "escalated". There, an UPDATE that
    matches the state as read takes the write lock; when it matches nothing, someone changed
    the row since, and it is read again."""
    for _attempt in range(ATTEMPTS):
        incident = get(session, number, for_update=True)
        as_read = affected(
            session.execute(
                update(Incident)
                .where(
                    Incident.id == incident.id,
                    Incident.status == incident.status,
                    Incident.owner.is_not_distinct_from(incident.owner),
                    Incident.level == incident.level,
                    Incident.severity == incident.severity,
                )
                .values(updated_at=Incident.updated_at)  # changes nothing; takes the lock
                .execution_options(synchronize_session=False)
            )
        )
        if as_read == 1:
            return incident
        session.expire(incident)
    raise Conflict(_("#{number} keeps changing; try again.", number=number))


def require_open(incident: Incident) -> None:
    if not incident.is_open:
        raise Conflict(
            _("#{number} is already {status}.", number=incident.id,
              status=status_name(incident.status))
        )  # fmt: skip


def reopens(session: Session, number: int) -> int:
    """How many times the incident was reopened: which of its openings (and closes) a card
    showed. A card's Resolve, Dismiss and Reopen carry it, so a form opened before a reopen (or
    before a close after one) is refused instead of undoing what it never showed."""
    count = session.scalar(
        select(func.count())
        .select_from(TimelineEvent)
        .where(TimelineEvent.incident_id == number, TimelineEvent.type == "incident.reopened")
    )
    return int(count or 0)


def require_opening(session: Session, incident: Incident, opening: int | None) -> None:
    """Refuse a close from a card or form shown before the incident was last reopened
    (`opening`: its reopen count then; None from a card posted before buttons carried it)."""
    if opening is None or reopens(session, incident.id) == opening:
        return
    who = session.scalar(
        select(TimelineEvent.actor)
        .where(TimelineEvent.incident_id == incident.id, TimelineEvent.type == "incident.reopened")
        .order_by(TimelineEvent.id.desc())
        .limit(1)
    )
    raise Conflict(
        _("#{number} was reopened by {who} since this card was shown: look at it again before "
          "closing it.", number=incident.id, who=f"<@{who}>" if who else _("someone"))
    )  # fmt: skip


def escalate(
    session: Session,
    number: int,
    *,
    user: str | None,
    reason: str,
    levels_for: Callable[[str | None, str | None], Sequence[Level]],
    now: datetime,
    automatic: bool = False,
    from_level: int | None = None,
) -> tuple[Incident, Level]:
    """Move to the next escalation level and page it in the thread (drills page nobody).

    `levels_for(brand, channel)`: the levels for the incident's brand (`Config.levels_for`: a
    client's own people to page; the incident's channel finds a brand renamed since).
    `from_level`: the level shown where the person clicked (or the timer looked); refused when
    the incident has moved on since."""
    incident = locked(session, number)
    require_open(incident)
    levels = levels_for(incident.brand, incident.channel)
    if from_level is not None and incident.level != from_level:
        # A second click, or two people at once, on the same card: one step, not two.
        reached = levels[min(incident.level, len(levels) - 1)].name
        raise Conflict(
            _("#{number} was escalated to {level} meanwhile.", number=incident.id,
              level=reached)
        )  # fmt: skip
    if incident.level + 1 >= len(levels):
        raise Conflict(
            _("#{number} is already at the top level ({level}).", number=incident.id,
              level=levels[-1].name)
        )  # fmt: skip
    incident.level += 1
    incident.status = "escalated"
    incident.updated_at = now
    level = levels[incident.level]
    # Whom it paged (a brand's own people, else the level's; the exports and the review name
    # them); a drill pages nobody and keeps whom the real thing would have paged.
    targets = list(level.notify)
    who_paged = {"would_page": targets} if incident.is_drill else {"paged": targets}
    timeline.record(
        session, incident, "incident.escalated", actor=user, at=now,
        level=incident.level, level_name=level.name, reason=reason, automatic=automatic,
        **who_paged,
    )  # fmt: skip
    fields = _page_fields(incident, level, user, reason)
    if incident.is_drill:
        # Rendered again when delivered, with the people's names from Slack (`drill_page`).
        text = drill_page_text(fields, [f"`{target}`" for target in level.notify])
        outbox.enqueue_post(
            session, incident, text=text, now=now,
            render={"drill_page": fields, "would_page": list(level.notify)},
        )  # fmt: skip
    else:
        outbox.enqueue_post(session, incident, text=_page_text(fields, level), now=now)
    rooms.note(session, incident, _("#{number} · escalated to *{level}* by {who}",
                                    **fields), now=now)  # fmt: skip
    rooms.invite(session, incident, list(level.notify), now=now)  # the level it reached
    outbox.enqueue_incident_card(session, incident, now=now)
    return incident, level


def _page_fields(incident: Incident, level: Level, user: str | None, reason: str) -> dict[str, Any]:
    who = f"<@{user}>" if user else _("crisisbot (nobody claimed it in time)")
    # Quoted like any text from people (escaped, RTL folded) and cut: the page stays a page;
    # the whole reason is in the timeline and the export.
    reason_text = f": {quote(reason, PAGE_REASON_LIMIT)}" if reason else ""
    return {"number": incident.id, "level": escape_mrkdwn(level.name), "who": who,
            "reason": reason_text}  # fmt: skip


def drill_page_text(fields: dict[str, Any], would: list[str]) -> str:
    """A drill's page: whom the real thing would page, by `would` (their names: a mention
    would notify them, and a drill pages nobody)."""
    return _(
        "DRILL · #{number} escalated to *{level}* by {who}{reason}. (A drill pages nobody; "
        "for real this would have paged {would}.)",
        would=", ".join(would) or _("(no one is configured)"), **fields,
    )  # fmt: skip


def _page_text(fields: dict[str, Any], level: Level) -> str:
    pings = " ".join(mention(target) for target in level.notify) or _("(no one is configured)")
    return _("#{number} escalated to *{level}* by {who}{reason}. {pings}", pings=pings, **fields)


def mention(target: str) -> str:
    """A user (U…) or user group (S…) as Slack mentions it."""
    return f"<!subteam^{target}>" if target.startswith("S") else f"<@{target}>"


def resolve(
    session: Session,
    number: int,
    *,
    user: str | None,
    summary: str,
    now: datetime,
    automatic: bool = False,
    opening: int | None = None,
) -> Incident:
    """Close it as handled; `automatic` (user None) when the bot ends a drill nobody closed.
    `opening`: the reopen count on the clicked card (see `require_opening`)."""
    incident = locked(session, number)
    require_open(incident)
    require_opening(session, incident, opening)
    incident.status, incident.resolved_at, incident.updated_at = "resolved", now, now
    incident.summary = summary or None
    incident.open_key = None
    extra = {"automatic": True} if automatic else {}
    timeline.record(
        session, incident, "incident.resolved", actor=user, at=now, summary=summary, **extra
    )
    said = f": {quote(summary, PAGE_REASON_LIMIT)}" if summary else ""
    who = f"<@{user}>" if user else "crisisbot"
    rooms.close(session, incident, _("#{number} · resolved by {who}{summary}. The review: "
                                     "`/crisis export {number} html`.", number=incident.id,
                                     who=who, summary=said), now=now)  # fmt: skip
    _closed(session, incident, now)
    return incident


def dismiss(
    session: Session,
    number: int,
    *,
    user: str,
    reason: str,
    now: datetime,
    opening: int | None = None,
) -> Incident:
    """Close as a false positive; the reason feeds the detectors' false-alarm share."""
    incident = locked(session, number)
    require_open(incident)
    require_opening(session, incident, opening)
    incident.status, incident.resolved_at, incident.updated_at = "dismissed", now, now
    incident.summary = (
        _("Dismissed as a false positive: {reason}", reason=reason) if reason else None
    )
    incident.open_key = None
    timeline.record(session, incident, "incident.dismissed", actor=user, at=now, reason=reason)
    rooms.close(session, incident, _("#{number} · dismissed as a false positive by {who}.",
                                     number=incident.id, who=f"<@{user}>"), now=now)  # fmt: skip
    _closed(session, incident, now)
    return incident


def reopen(
    session: Session,
    number: int,
    *,
    user: str,
    reason: str,
    now: datetime,
    shown: str | None = None,
    opening: int | None = None,
    names_of: NamesOf | None = None,
) -> Incident:
    """Open a resolved or dismissed incident again (the story flared up after it was closed).

    It comes back in the state it was closed in: the owner still holds it, the level stays
    (the people paged know the story), so the status is escalated, claimed or open as before.
    The unclaimed timer of an incident nobody holds counts from the reopen (`bot.response.
    timers`). `resolved_at` and the summary are cleared, so time to resolve counts to the final
    resolution; the earlier close stays on the timeline. `shown`: the state on the clicked card,
    `opening` its reopen count (a close after a reopen shows the same state). `names_of`: the
    brand's names now (`Config.names_of`: current first, then former): an incident recorded
    under a former name reopens as the brand's, one open incident for its every name."""
    incident = locked(session, number)
    check_reopen(session, incident, shown=shown, opening=opening, names_of=names_of)
    previous, closed_at = incident.status, incident.resolved_at
    if not incident.is_drill:
        current, formerly = _names(incident, names_of)
        try:
            # The unique open_key: a storm detected for the brand meanwhile wins, and we say so.
            with session.begin_nested():
                incident.open_key = current or ""
                session.flush()
        except IntegrityError:
            other = open_for_brand(session, current, formerly=formerly)
            raise Conflict(_brand_busy(incident, other)) from None
    incident.status = "escalated" if incident.level > 0 else "claimed" if incident.owner else "open"
    incident.resolved_at, incident.summary, incident.updated_at = None, None, now
    # The pulse measured before the close is not "now" any more: the next pass measures anew.
    if "pulse" in (incident.evidence or {}):
        incident.evidence = {k: v for k, v in incident.evidence.items() if k != "pulse"}
    timeline.record(
        session, incident, "incident.reopened", actor=user, at=now, reason=reason,
        previous=previous, closed_at=closed_at.isoformat() if closed_at else None,
        status=incident.status, owner=incident.owner,
    )  # fmt: skip
    outbox.enqueue_post(session, incident, text=_reopen_text(incident, user, reason), now=now)
    outbox.enqueue_incident_card(session, incident, now=now)
    # Drafts left pending at the close get their Approve and Reject buttons back.
    pending = select(Draft).where(Draft.incident_id == incident.id, Draft.status == "pending")
    for draft in session.scalars(pending):
        outbox.enqueue_draft_card(session, draft, incident, now=now)
    return incident


def _names(incident: Incident, names_of: NamesOf | None) -> tuple[str | None, list[str]]:
    """The brand's current name and its former ones (`names_of`: the playbook's; None: the
    incident's own brand alone)."""
    names = names_of(incident.brand) if names_of is not None else (incident.brand,)
    return names[0], [n for n in names[1:] if n]


def check_reopen(
    session: Session,
    incident: Incident,
    *,
    shown: str | None = None,
    opening: int | None = None,
    names_of: NamesOf | None = None,
) -> None:
    """Refuse a reopen that cannot be done: still open, changed since the card was seen, or
    another incident of the brand open (one per brand, as `open_key` guarantees)."""
    if incident.is_open:
        raise Conflict(
            _("#{number} is open ({status}): there is nothing to reopen.", number=incident.id,
              status=status_name(incident.status))
        )  # fmt: skip
    if (shown and incident.status != shown) or (
        opening is not None and reopens(session, incident.id) != opening
    ):
        raise Conflict(
            _("#{number} changed meanwhile: it is now {status}. Look at its card again before "
              "reopening it.", number=incident.id, status=status_name(incident.status))
        )  # fmt: skip
    if not incident.is_drill:
        current, formerly = _names(incident, names_of)
        other = open_for_brand(session, current, formerly=formerly)
        if other is not None:
            raise Conflict(_brand_busy(incident, other))


def _brand_busy(incident: Incident, other: Incident | None) -> str:
    if other is None:  # it closed again between the failed write and this read
        return _("#{number} keeps changing; try again.", number=incident.id)
    return _(
        "#{number} cannot be reopened while #{other} ({title}) is open for the same brand: one "
        "incident per brand is open at a time. Carry on in #{other}, or close it first.",
        number=incident.id, other=other.id, title=quote(other.title, 200),
    )  # fmt: skip


def _reopen_text(incident: Incident, user: str, reason: str) -> str:
    drill = _("DRILL · ") if incident.is_drill else ""
    reason_text = f": {quote(reason, PAGE_REASON_LIMIT)}" if reason else ""
    head = _("#{number} is open again: reopened by {who}{reason}.", number=incident.id,
             who=f"<@{user}>", reason=reason_text)  # fmt: skip
    holder = (
        _("{who} holds it.", who=f"<@{incident.owner}>")
        if incident.owner
        else _("Nobody holds it: Claim is on the card.")
    )
    return f"{drill}{head} {holder}"


def _closed(session: Session, incident: Incident, now: datetime) -> None:
    """Show the close on the card, and on the drafts still pending: their Approve and Reject
    buttons go (a decision on a closed incident is refused)."""
    outbox.enqueue_incident_card(session, incident, now=now)
    pending = select(Draft).where(Draft.incident_id == incident.id, Draft.status == "pending")
    for draft in session.scalars(pending):
        outbox.enqueue_draft_card(session, draft, incident, now=now)


def add_note(session: Session, number: int, *, user: str, text: str, now: datetime) -> Incident:
    incident = get(session, number)
    incident.updated_at = now
    timeline.record(session, incident, "note.added", actor=user, at=now, text=text)
    return incident


def set_severity(
    session: Session, number: int, *, user: str, severity: str, now: datetime
) -> Incident:
    if severity not in SEVERITIES:
        raise Conflict(_("Severity must be one of {choices}.", choices=", ".join(SEVERITIES)))
    incident = locked(session, number)
    require_open(incident)
    if incident.severity == severity:
        raise Conflict(
            _("#{number} is already {severity}.", number=incident.id,
              severity=severity_name(severity))
        )  # fmt: skip
    previous, incident.severity, incident.updated_at = incident.severity, severity, now
    timeline.record(
        session, incident, "incident.severity_changed", actor=user, at=now,
        previous=previous, severity=severity,
    )  # fmt: skip
    outbox.enqueue_incident_card(session, incident, now=now)
    return incident
