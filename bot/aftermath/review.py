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

from bot.core.config import Config
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


def step_text(step: Step, who: str) -> str:
    """One key step as a sentence; `who` is the actor's display name ("crisisbot" for the bot)."""
    d = step.data
    match step.type:
        case "incident.opened":
            return "crisisbot raised the alert."
        case "incident.claimed":
            return f"{who} claimed it."
        case "incident.handed_over":
            return f"{who} took it over."
        case "incident.escalated":
            how = "automatically" if d.get("automatic") else f"by {who}"
            reason = f" ({d['reason']})" if d.get("reason") else ""
            return f"Escalated to {d.get('level_name', 'the next level')} {how}{reason}."
        case "draft.approved":
            return f"{who} approved draft v{d.get('version')}."
        case "draft.rejected":
            reason = f": {d['reason']}" if d.get("reason") else ""
            return f"{who} rejected draft v{d.get('version')}{reason}."
        case "incident.resolved":
            summary = f": {d['summary']}" if d.get("summary") else ""
            return f"{who} resolved it{summary}."
        case "incident.dismissed":
            reason = f": {d['reason']}" if d.get("reason") else ""
            return f"{who} dismissed it as a false positive{reason}."
        case "incident.reopened":
            return f"{who} reopened it."
    return f"{step.type} by {who}."


def key_steps(session: Session, incident_id: int) -> list[Step]:
    t = TimelineEvent
    rows = session.execute(
        select(t.at, t.type, t.actor, t.data)
        .where(t.incident_id == incident_id, t.type.in_(KEY_STEPS))
        .order_by(t.at, t.id)
        .limit(MAX_STEPS)
    )
    return [Step(*row) for row in rows]


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
    prefilled = build(
        first_mention_at=incident.first_mention_at, metrics=metrics, drafts=drafts, steps=steps,
        counts=step_counts(session, incident.id, steps), config=config, name_of=name_of,
    )  # fmt: skip
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
) -> Review:
    review = Review()
    if first_mention_at is not None:
        review.happened.append((first_mention_at, "The storm began (its first mention)."))
    for step in steps:
        who = name_of(step.actor) if step.actor else "crisisbot"
        review.happened.append((step.at, step_text(step, who)))
    _detection(review, metrics)
    _claiming(review, metrics, counts, config)
    _replies(review, metrics, drafts, counts, config)
    _follow_through(review, metrics, counts)
    if not review.change:
        review.change.append("Nothing stood out from the timeline; keep the playbook as it is.")
    return review


def _detection(review: Review, m: Metrics) -> None:
    if m.time_to_detect is None:
        return
    if m.time_to_detect <= QUICK_DETECT:
        review.worked.append(
            f"Detection was quick: the alert came {human(m.time_to_detect)} "
            "after the storm's first mention."
        )
    elif m.time_to_detect > SLOW_DETECT:
        review.change.append(
            f"Detect sooner: the alert came {human(m.time_to_detect)} after the "
            "first mention; consider a shorter detection window or interval."
        )


def _claiming(review: Review, m: Metrics, counts: dict[str, int], config: Config) -> None:
    timer = timedelta(minutes=config.unclaimed_minutes)
    if m.time_to_claim is None:
        if not counts.get("incident.dismissed"):
            review.change.append("Nobody claimed it: make sure someone on call owns each alert.")
    elif m.time_to_claim <= timer:
        review.worked.append(
            f"Claimed in {human(m.time_to_claim)}, inside the "
            f"{config.unclaimed_minutes}-minute unclaimed timer."
        )
    else:
        review.change.append(
            f"Claim faster: it took {human(m.time_to_claim)} to claim; consider a shorter "
            f"unclaimed timer (now {config.unclaimed_minutes} min) or a clearer on-call rota."
        )
    automatic = counts.get("escalated.automatic", 0)
    if automatic:
        review.change.append(
            "crisisbot escalated it by itself because nobody claimed it in "
            "time: check who is paged at the first level."
        )
    manual = counts.get("incident.escalated", 0) - automatic
    if manual:
        review.worked.append(f"The team escalated when it needed to ({manual}×).")


def _replies(
    review: Review,
    m: Metrics,
    drafts: list[dict[str, Any]],
    counts: dict[str, int],
    config: Config,
) -> None:
    rejected = [d for d in drafts if d["status"] == "rejected"]
    if rejected:
        reasons = "; ".join(f"v{d['version']}: {d['reason']}" for d in rejected if d["reason"])
        hint = "" if config.templates else " (crisisbot.toml has no [templates] yet)"
        review.change.append(
            f"{len(rejected)} draft(s) rejected before approval"
            + (f" ({reasons})" if reasons else "")
            + f": agree key messages and reply templates beforehand{hint}."
        )
    if counts.get("draft.refused"):
        review.worked.append(
            f"The four-eyes rule held: {counts['draft.refused']} decision(s) "
            "by someone not allowed were refused and recorded."
        )
    if m.time_to_first_approved_reply is None:
        if drafts:
            review.change.append("No drafted reply was approved.")
        elif not counts.get("incident.dismissed"):
            review.change.append("No public reply was drafted: was silence the right answer?")
    elif m.time_to_first_approved_reply <= QUICK_REPLY:
        review.worked.append(
            f"A public reply was approved {human(m.time_to_first_approved_reply)} after the alert."
        )
    else:
        review.change.append(
            f"Reply sooner: the first approved reply took {human(m.time_to_first_approved_reply)};"
            " make sure an approver is reachable during the crisis."
        )


def _follow_through(review: Review, m: Metrics, counts: dict[str, int]) -> None:
    if counts.get("reminder.sent"):
        review.change.append(
            f"crisisbot had to remind the team {counts['reminder.sent']}× after "
            "silence: post updates or notes in the thread more often."
        )
    if counts.get("incident.dismissed"):
        review.change.append(
            "It was a false positive: consider tuning this brand's detection "
            "(keywords, thresholds) so it does not fire again."
        )
    if counts.get("note.added"):
        review.worked.append(f"{counts['note.added']} note(s) kept the timeline readable.")
    if m.time_to_resolve is not None:
        review.worked.append(f"Resolved {human(m.time_to_resolve)} after the alert.")
