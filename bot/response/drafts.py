"""Drafted public replies and their decisions: four eyes, decided once, versions superseded.

A decision is a conditional UPDATE (`… WHERE status = 'pending' AND version = :v`), so a double
click, a second approver or a decision on an old version changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.core.errors import Conflict, NotFound
from bot.core.i18n import N_, _
from bot.core.text import escape_mrkdwn
from bot.response import incidents, outbox, rooms, timeline
from models import Draft, Incident, affected


@dataclass(frozen=True, slots=True)
class Decision:
    ok: bool
    message: str
    draft: Draft


def latest(session: Session, incident_id: int) -> Draft | None:
    """The newest version drafted for the incident, whatever its status."""
    return session.scalar(
        select(Draft)
        .where(Draft.incident_id == incident_id)
        .order_by(Draft.version.desc())
        .limit(1)
    )


def waiting(session: Session, incident_id: int) -> int:
    """How many of the incident's drafts wait for a decision."""
    found = session.scalar(
        select(func.count())
        .select_from(Draft)
        .where(Draft.incident_id == incident_id, Draft.status == "pending")
    )
    return found or 0


def brand_of(session: Session, draft_id: int) -> tuple[str | None, str | None]:
    """The brand and channel of the draft's incident (whose approvers decide it: the channel
    finds a brand renamed in the playbook since); None: none, or no such draft (the decision
    then says so). An incident's brand never changes once opened."""
    row = session.execute(
        select(Incident.brand, Incident.channel).join(Draft, Draft.incident_id == Incident.id)
        .where(Draft.id == draft_id)
    ).first()  # fmt: skip
    return (row.brand, row.channel) if row is not None else (None, None)


def create(session: Session, number: int, *, user: str, text: str, now: datetime) -> Draft:
    """A new version; a pending older one is superseded and needs no decision any more."""
    incident = incidents.locked(session, number)
    incidents.require_open(incident)
    previous = session.scalar(select(func.max(Draft.version)).where(Draft.incident_id == number))
    version = (previous or 0) + 1
    for old in session.scalars(
        select(Draft).where(Draft.incident_id == number, Draft.status == "pending")
    ):
        old.status = "superseded"
        timeline.record(
            session, incident, "draft.superseded", actor=user, at=now,
            draft_id=old.id, version=old.version, by_version=version,
        )  # fmt: skip
        outbox.enqueue_draft_card(session, old, incident, now=now)
    draft = Draft(
        incident_id=number, version=version, text=text, author=user, status="pending",
        created_at=now,
    )  # fmt: skip
    session.add(draft)
    session.flush()
    incident.updated_at = now
    timeline.record(
        session, incident, "draft.created", actor=user, at=now,
        draft_id=draft.id, version=version, text=text,
    )  # fmt: skip
    outbox.enqueue_draft_card(session, draft, incident, now=now)
    outbox.enqueue_incident_card(session, incident, now=now)
    return draft


def decide(
    session: Session,
    draft_id: int,
    version: int,
    *,
    user: str,
    approve: bool,
    approvers: Collection[str],
    named: Sequence[str] = (),
    reason: str = "",
    now: datetime,
) -> Decision:
    """Approve or reject; refusals are recorded on the timeline (who tried, and why not).

    `approvers`: the people who may decide drafts about the incident's brand; `named`: the
    brand's own `approvers` as the playbook lists them (a refusal names them), none when
    CRISIS_APPROVERS decide."""
    draft, incident = _pending(session, draft_id, version, lock=True)
    refused = _refusal(
        session, draft, incident, user, approve=approve, approvers=approvers, named=named,
        now=now,
    )  # fmt: skip
    if refused is not None:
        return refused
    status = "approved" if approve else "rejected"
    changed = affected(
        session.execute(
            update(Draft)
            .where(Draft.id == draft_id, Draft.version == version, Draft.status == "pending")
            .values(status=status, decided_by=user, decided_at=now, reason=reason or None)
            .execution_options(synchronize_session=False)
        )
    )
    session.refresh(draft)
    if changed != 1:
        raise Conflict(_already(draft, incident.id))
    incident.updated_at = now
    data = {"draft_id": draft.id, "version": version, "author": draft.author}
    if approve:
        timeline.record(session, incident, "draft.approved", actor=user, at=now, **data)
        rooms.note(session, incident, _("#{number} · draft v{version} approved by {who}",
                                        number=incident.id, version=version,
                                        who=f"<@{user}>"), now=now)  # fmt: skip
    else:
        timeline.record(
            session, incident, "draft.rejected", actor=user, at=now, reason=reason, **data
        )
    outbox.enqueue_draft_card(session, draft, incident, now=now)
    outbox.enqueue_incident_card(session, incident, now=now)
    text = (
        _("Draft v{version} of #{number} approved.", version=version, number=incident.id)
        if approve
        else _("Draft v{version} of #{number} rejected.", version=version, number=incident.id)
    )
    return Decision(True, text, draft)


def check(
    session: Session,
    draft_id: int,
    version: int,
    *,
    user: str,
    approve: bool,
    approvers: Collection[str],
    named: Sequence[str] = (),
    now: datetime,
) -> tuple[int, Decision | None]:
    """Whether `user` may decide this draft now, before they are asked for a reason: the
    incident's number, and the refusal (recorded on the timeline like one at decision time) or
    None. Raises as `decide` does when the draft is gone, decided or its incident closed."""
    draft, incident = _pending(session, draft_id, version, lock=False)
    refused = _refusal(
        session, draft, incident, user, approve=approve, approvers=approvers, named=named,
        now=now,
    )  # fmt: skip
    return incident.id, refused


def _pending(
    session: Session, draft_id: int, version: int, *, lock: bool
) -> tuple[Draft, Incident]:
    draft = session.get(Draft, draft_id)
    if draft is None or draft.version != version:
        raise NotFound(_("That draft does not exist."))
    # Locked: a resolve at the same moment lands wholly before or after this decision.
    incident = (
        incidents.locked(session, draft.incident_id)
        if lock
        else incidents.get(session, draft.incident_id)
    )
    # A button left on an old card: a closed incident's replies are no longer published, and an
    # approval after the close would count as its "first approved reply".
    incidents.require_open(incident)
    if not lock and draft.status != "pending":
        raise Conflict(_already(draft, incident.id))
    return draft, incident


def _already(draft: Draft, number: int) -> str:
    fields = {"version": draft.version, "number": number, "status": draft_status(draft.status)}
    if draft.decided_by:
        who = f"<@{draft.decided_by}>"
        return _("Draft v{version} of #{number} is already {status} by {who}.", who=who, **fields)
    return _("Draft v{version} of #{number} is already {status}.", **fields)


# Why a decision was refused, as the timeline stores it (English data, the `why` of
# `draft.refused`); marked so the exports can say it in the team's language.
AUTHOR_APPROVES = N_("the author cannot approve their own draft")
NOT_AN_APPROVER = N_("not an approver")
REFUSALS = frozenset({AUTHOR_APPROVES, NOT_AN_APPROVER})


def _refusal(
    session: Session,
    draft: Draft,
    incident: Incident,
    user: str,
    *,
    approve: bool,
    approvers: Collection[str],
    named: Sequence[str] = (),
    now: datetime,
) -> Decision | None:
    verb = "approve" if approve else "reject"
    why = None
    if user == draft.author and approve:  # even an approver: four eyes means two people
        why = AUTHOR_APPROVES
    elif user not in approvers:
        why = NOT_AN_APPROVER
    if not why:
        return None
    # The timeline keeps the English words (data); the person is told in the team's language.
    # A brand's own approvers are kept with it: the exports say who could have decided.
    own = {"approvers": list(named)} if named and why == NOT_AN_APPROVER else {}
    timeline.record(
        session, incident, "draft.refused", actor=user, at=now,
        draft_id=draft.id, version=draft.version, attempted=verb, why=why, **own,
    )  # fmt: skip
    fields: dict[str, object] = {"version": draft.version, "number": incident.id}
    if why == NOT_AN_APPROVER and named:
        # Ephemeral (or a form): the mentions show names and notify nobody.
        who = ", ".join(incidents.mention(target) for target in named)
        brand = escape_mrkdwn(incident.brand or "")
        text = (
            _("You can't approve draft v{version} of #{number}: replies about {brand} are "
              "approved by {who}.", brand=brand, who=who, **fields)
            if approve
            else _("You can't reject draft v{version} of #{number}: replies about {brand} are "
                   "decided by {who}.", brand=brand, who=who, **fields)
        )  # fmt: skip
    elif why == NOT_AN_APPROVER:
        text = (
            _("You can't approve draft v{version} of #{number}: not an approver.", **fields)
            if approve
            else _("You can't reject draft v{version} of #{number}: not an approver.", **fields)
        )
    else:
        text = _(
            "You can't approve draft v{version} of #{number}: the author cannot approve "
            "their own draft.",
            **fields,
        )
    return Decision(False, text, draft)


def draft_status(status: str) -> str:
    """A draft's state in the team's language (stored as the English word)."""
    names = {
        "pending": _("pending"),
        "approved": _("approved"),
        "rejected": _("rejected"),
        "superseded": _("superseded"),
    }
    return names.get(status, status)
