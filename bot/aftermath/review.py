"""The post-incident review prefilled from the timeline: what happened, what worked, what to change.

`build` is pure functions over what the export already has (metrics, drafts, key steps, step
counts), so the rules are easy to test and to extend; `prefill` reads those from the database for
the HTML report and the Markdown export alike, in bounded memory (at most MAX_STEPS key steps and
one count per event type, whatever the length of the timeline). The thresholds are the team's own
timers where it has one (`unclaimed_minutes`), and plain defaults otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.aftermath import records
from bot.core import i18n
from bot.core.config import Config
from bot.core.i18n import _
from bot.response.stats import Metrics, human
from models import Incident, TimelineEvent

QUICK_DETECT = timedelta(minutes=15)
SLOW_DETECT = timedelta(minutes=30)
QUICK_REPLY = timedelta(minutes=60)
# The steps the chart marks and the review narrates (the rest is in the full timeline).
KEY_STEPS = (
    "incident.opened",
    "incident.claimed",
    "incident.handed_over",
    "incident.escalated",
    "draft.approved",
    "draft.rejected",
    "incident.resolved",
    "incident.dismissed",
    "incident.reopened",
)
MAX_STEPS = 40  # key steps narrated and marked on the chart
LAST_STEPS = 10  # of those, the last ones (how it ended) when there are more


@dataclass(frozen=True, slots=True)
class Step:
    at: datetime
    type: str
    actor: str | None
    data: dict[str, Any]


@dataclass(slots=True)
class Review:
    happened: list[tuple[datetime | None, str]] = field(default_factory=list)
    worked: list[str] = field(default_factory=list)
    change: list[str] = field(default_factory=list)
    # Key steps left untold, and the line of `happened` they come before (a long incident: its
    # first and last MAX_STEPS are told); 0 when every one is.
    untold: int = 0
    untold_at: int = 0

    def gap(self) -> str:
        """The line said where the untold steps are."""
        return i18n.ngettext("… {n} more step: the timeline below has it.",
                             "… {n} more steps: the timeline below has every one.",
                             self.untold)  # fmt: skip


def step_text(step: Step, who: str, name_of: Callable[[str], str] | None = None) -> str:
    """One key step as a sentence; `who` is the actor's display name ("crisisbot" for the bot),
    `name_of` names the other people a step lists (by ID where it is not given)."""
    d = step.data
    if step.type == "incident.escalated" and "would_page" in d:  # a drill's escalation
        would = ", ".join((name_of or str)(str(i)) for i in d["would_page"])
        paged = _("A drill: for real it would have paged {would}.",
                  would=would or _("(no one is configured)"))  # fmt: skip
        rest = {k: v for k, v in d.items() if k != "would_page"}
        return step_text(Step(step.at, step.type, step.actor, rest), who) + " " + paged
    if step.type == "incident.escalated" and "paged" in d:  # whom it paged, by name
        named = ", ".join((name_of or str)(str(i)) for i in d["paged"])
        paged = (
            _("It paged {paged}.", paged=named)
            if named
            else _("It paged nobody: no one is configured for that level.")
        )
        rest = {k: v for k, v in d.items() if k != "paged"}
        return step_text(Step(step.at, step.type, step.actor, rest), who) + " " + paged
    reason = f": {d['reason']}" if d.get("reason") else ""
    match step.type:
        case "incident.opened" if step.actor:
            return _("{who} declared it: {what}", who=who, what=_said(d.get("declared")))
        case "incident.opened":
            return _("crisisbot raised the alert.")
        case "incident.claimed":
            return _("{who} claimed it.", who=who)
        case "incident.handed_over":
            return _("{who} took it over.", who=who)
        case "incident.escalated":
            level = d.get("level_name") or _("the next level")
            why = f" ({d['reason']})" if d.get("reason") else ""
            if d.get("automatic"):
                return _("Escalated to {level} automatically{reason}.", level=level, reason=why)
            return _("Escalated to {level} by {who}{reason}.", level=level, who=who, reason=why)
        case "draft.approved":
            return _("{who} approved draft v{version}.", who=who, version=d.get("version"))
        case "draft.rejected":
            return _("{who} rejected draft v{version}{reason}.", who=who,
                     version=d.get("version"), reason=reason)  # fmt: skip
        case "incident.resolved":
            if d.get("automatic"):  # a drill nobody closed; its summary says why
                return str(d.get("summary") or _("The drill ended by itself."))
            summary = f": {d['summary']}" if d.get("summary") else ""
            return _("{who} resolved it{summary}.", who=who, summary=summary)
        case "incident.dismissed":
            return _("{who} dismissed it as a false positive{reason}.", who=who, reason=reason)
        case "incident.reopened":
            return _("{who} reopened it{reason}.", who=who, reason=reason)
    return _("{step} by {who}.", step=step.type, who=who)


DECLARED_SAID = 300  # characters of what happened, where a review or report line quotes it


def _said(text: Any) -> str:
    said = " ".join(str(text or "").split())
    return said if len(said) <= DECLARED_SAID else said[: DECLARED_SAID - 1].rstrip() + "…"


def declared_line(incident: Incident, name_of: Callable[[str], str]) -> str | None:
    """ "Declared by Maria (U0MARIA): …" for an incident a person opened by hand; None for an
    alert's. The exports put it first under "Why it fired"."""
    ev = incident.evidence or {}
    if not ev.get("declared_by"):
        return None
    who = str(ev["declared_by"])
    return _("Declared by {who}: {what}", who=records.named(who, name_of(who)),
             what=_said(ev.get("declared")))  # fmt: skip


def key_steps(session: Session, incident_id: int) -> list[Step]:
    """The first MAX_STEPS key steps; for a longer incident, its first ones and its last
    LAST_STEPS: how it ended is what a review must tell."""
    t = TimelineEvent
    kept = select(t.id, t.at, t.type, t.actor, t.data).where(
        t.incident_id == incident_id, t.type.in_(KEY_STEPS)
    )
    rows = list(session.execute(kept.order_by(t.at, t.id).limit(MAX_STEPS + 1)))
    if len(rows) > MAX_STEPS:
        last = session.execute(kept.order_by(t.at.desc(), t.id.desc()).limit(LAST_STEPS))
        rows = rows[: MAX_STEPS - LAST_STEPS] + list(last)[::-1]
    return [Step(row.at, row.type, row.actor, row.data) for row in rows]


def step_counts(session: Session, incident_id: int, steps: list[Step]) -> dict[str, int]:
    rows = session.execute(
        select(TimelineEvent.type, func.count())
        .where(TimelineEvent.incident_id == incident_id)
        .group_by(TimelineEvent.type)
    )
    counts = {str(kind): int(n) for kind, n in rows}
    counts["escalated.automatic"] = sum(
        1 for s in steps if s.type == "incident.escalated" and s.data.get("automatic")
    )
    # A drill the bot ended, unless someone reopened it since (its last close decides).
    closes = [s for s in steps if s.type in ("incident.resolved", "incident.reopened")]
    counts["resolved.automatic"] = int(
        bool(closes) and closes[-1].type == "incident.resolved" and bool(
            closes[-1].data.get("automatic"))
    )  # fmt: skip
    return counts


def prefill(
    session: Session,
    incident: Incident,
    *,
    metrics: Metrics,
    drafts: list[dict[str, Any]],
    config: Config,
    name_of: Callable[[str], str],
) -> tuple[Review, list[Step]]:
    """The review of `incident` from its timeline, and the key steps it narrates (in order)."""
    steps = key_steps(session, incident.id)
    counts = step_counts(session, incident.id, steps)
    prefilled = build(
        first_mention_at=incident.first_mention_at, metrics=metrics, drafts=drafts, steps=steps,
        counts=counts, config=config, name_of=name_of,
        drill=incident.is_drill, false_positive=incident.status == "dismissed",
    )  # fmt: skip
    prefilled.untold = sum(counts.get(kind, 0) for kind in KEY_STEPS) - len(steps)
    prefilled.untold_at = len(prefilled.happened) - LAST_STEPS
    return prefilled, steps


def build(
    *,
    first_mention_at: datetime | None,
    metrics: Metrics,
    drafts: list[dict[str, Any]],
    steps: list[Step],
    counts: dict[str, int],
    config: Config,
    name_of: Any,
    drill: bool = False,
    false_positive: bool | None = None,
) -> Review:
    """`false_positive`: it ended dismissed (None: it was ever dismissed, from `counts`). A
    dismissal later reopened was no false positive: the final state decides."""
    if false_positive is None:
        false_positive = bool(counts.get("incident.dismissed"))
    review = Review()
    if first_mention_at is not None:
        review.happened.append((first_mention_at, _("The storm began (its first mention).")))
    for step in steps:
        who = name_of(step.actor) if step.actor else "crisisbot"
        review.happened.append((step.at, step_text(step, who, name_of)))
    if not drill:  # a drill's storm starts when its script says: no lesson about detection
        _detection(review, metrics)
    # A declared incident was held by the person who declared it from its first second: no
    # alert waited for a claim, so there is no lesson about claiming; and its times run from
    # the declaration, not from an alert.
    declared = any(s.type == "incident.opened" and s.actor for s in steps)
    if not declared:
        _claiming(review, metrics, counts, config, false_positive)
    _replies(review, metrics, drafts, counts, config, false_positive, declared)
    _follow_through(review, metrics, counts, false_positive, declared)
    if not review.change:
        review.change.append(_("Nothing stood out from the timeline; keep the playbook as it is."))
    return review


def _detection(review: Review, m: Metrics) -> None:
    if m.time_to_detect is None:
        return
    if m.time_to_detect <= QUICK_DETECT:
        review.worked.append(
            _("Detection was quick: the alert came {time} after the storm's first mention.",
              time=human(m.time_to_detect))
        )  # fmt: skip
    elif m.time_to_detect > SLOW_DETECT:
        review.change.append(
            _("Detect sooner: the alert came {time} after the first mention; consider a "
              "shorter detection window or interval.", time=human(m.time_to_detect))
        )  # fmt: skip


def _claiming(
    review: Review, m: Metrics, counts: dict[str, int], config: Config, false_positive: bool
) -> None:
    timer = timedelta(minutes=config.unclaimed_minutes)
    if m.time_to_claim is None:
        if not false_positive:
            review.change.append(_("Nobody claimed it: make sure someone on call owns each alert."))
    elif m.time_to_claim <= timer:
        review.worked.append(
            _("Claimed in {time}, inside the {minutes}-minute unclaimed timer.",
              time=human(m.time_to_claim), minutes=config.unclaimed_minutes)
        )  # fmt: skip
    else:
        review.change.append(
            _("Claim faster: it took {time} to claim; consider a shorter unclaimed timer "
              "(now {minutes} min) or a clearer on-call rota.",
              time=human(m.time_to_claim), minutes=config.unclaimed_minutes)
        )  # fmt: skip
    automatic = counts.get("escalated.automatic", 0)
    if automatic:
        review.change.append(
            _("crisisbot escalated it by itself because nobody claimed it in time: check who "
              "is paged at the first level.")
        )  # fmt: skip
    manual = counts.get("incident.escalated", 0) - automatic
    if manual:
        review.worked.append(_("The team escalated when it needed to ({count}×).", count=manual))


def _replies(
    review: Review,
    m: Metrics,
    drafts: list[dict[str, Any]],
    counts: dict[str, int],
    config: Config,
    false_positive: bool,
    declared: bool = False,
) -> None:
    rejected = [d for d in drafts if d["status"] == "rejected"]
    if rejected:
        reasons = "; ".join(f"v{d['version']}: {d['reason']}" for d in rejected if d["reason"])
        hint = "" if config.templates else " " + _("(crisisbot.toml has no [templates] yet)")
        review.change.append(
            i18n.ngettext("{n} draft rejected before approval",
                          "{n} drafts rejected before approval", len(rejected))
            + (f" ({reasons})" if reasons else "")
            + ": " + _("agree key messages and reply templates beforehand{hint}.", hint=hint)
        )  # fmt: skip
    if counts.get("draft.refused"):
        review.worked.append(
            i18n.ngettext(
                "The four-eyes rule held: {n} decision by someone not allowed was refused and "
                "recorded.",
                "The four-eyes rule held: {n} decisions by someone not allowed were refused and "
                "recorded.",
                counts["draft.refused"],
            )
        )
    if m.time_to_first_approved_reply is None:
        if drafts:
            review.change.append(_("No drafted reply was approved."))
        elif not false_positive:
            review.change.append(_("No public reply was drafted: was silence the right answer?"))
    elif m.time_to_first_approved_reply <= QUICK_REPLY:
        review.worked.append(
            _("A public reply was approved {time} after it was declared.",
              time=human(m.time_to_first_approved_reply))
            if declared
            else _("A public reply was approved {time} after the alert.",
                   time=human(m.time_to_first_approved_reply))
        )  # fmt: skip
    else:
        review.change.append(
            _("Reply sooner: the first approved reply took {time}; make sure an approver is "
              "reachable during the crisis.", time=human(m.time_to_first_approved_reply))
        )  # fmt: skip


def _follow_through(
    review: Review,
    m: Metrics,
    counts: dict[str, int],
    false_positive: bool,
    declared: bool = False,
) -> None:
    if counts.get("reminder.sent"):
        review.change.append(
            _("crisisbot had to remind the team {count}× after silence: post updates or notes "
              "in the thread more often.", count=counts["reminder.sent"])
        )  # fmt: skip
    if counts.get("incident.update_posted"):
        review.worked.append(
            i18n.ngettext("{n} update kept stakeholders informed.",
                          "{n} updates kept stakeholders informed.",
                          counts["incident.update_posted"])
        )  # fmt: skip
    if counts.get("incident.update_reminded"):
        review.change.append(
            i18n.ngettext(
                "crisisbot had to remind the team {n} time that an update for stakeholders was "
                "due: agree beforehand who sends them, and how often.",
                "crisisbot had to remind the team {n} times that an update for stakeholders was "
                "due: agree beforehand who sends them, and how often.",
                counts["incident.update_reminded"],
            )
        )
    if counts.get("incident.reopened"):
        review.change.append(
            i18n.ngettext(
                "It was reopened {n} time after it was closed: before closing, check that the "
                "story has died down (mentions, questions from the press).",
                "It was reopened {n} times after it was closed: before closing, check that the "
                "story has died down (mentions, questions from the press).",
                counts["incident.reopened"],
            )
        )
    if false_positive:
        review.change.append(
            _("It was a false positive: consider tuning this brand's detection (keywords, "
              "thresholds) so it does not fire again.")
        )  # fmt: skip
    if counts.get("note.added"):
        review.worked.append(
            i18n.ngettext("{n} note kept the timeline readable.",
                          "{n} notes kept the timeline readable.", counts["note.added"])
        )  # fmt: skip
    if counts.get("resolved.automatic"):
        review.change.append(
            _("Nobody closed the drill: it ended by itself after going quiet. End a practice as "
              "you would the real thing: resolve it with a summary.")
        )  # fmt: skip
    elif m.time_to_resolve is not None:
        review.worked.append(
            _("Resolved {time} after it was declared.", time=human(m.time_to_resolve))
            if declared
            else _("Resolved {time} after the alert.", time=human(m.time_to_resolve))
        )
