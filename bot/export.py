"""Export an incident's timeline as JSON, CSV or Markdown, streamed: memory does not grow with
the timeline. JSON keeps the contract shape `{"incident": {...}, "events": [...]}`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import incidents, stats
from models import Draft, Incident, TimelineEvent

FORMATS = ("json", "csv", "md")
NameOf = Callable[[str], str]
STREAM_BATCH = 2000


def _no_names(user: str) -> str:
    return user


def incident_dict(session: Session, incident: Incident) -> dict[str, Any]:
    return {
        "number": incident.id,
        "title": incident.title,
        "brand": incident.brand,
        "status": incident.status,
        "severity": incident.severity,
        "level": incident.level,
        "owner": incident.owner,
        "is_drill": incident.is_drill,
        "first_mention_at": _iso(incident.first_mention_at),
        "opened_at": _iso(incident.opened_at),
        "claimed_at": _iso(incident.claimed_at),
        "resolved_at": _iso(incident.resolved_at),
        "summary": incident.summary,
        "reasons": incident.evidence.get("reasons", []),
        "metrics": stats.incident_metrics(session, incident).as_dict(),
    }


def draft_dicts(session: Session, incident: Incident) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Draft).where(Draft.incident_id == incident.id).order_by(Draft.version)
    )
    return [
        {
            "version": d.version,
            "text": d.text,
            "author": d.author,
            "status": d.status,
            "created_at": _iso(d.created_at),
            "decided_by": d.decided_by,
            "decided_at": _iso(d.decided_at),
            "reason": d.reason,
        }
        for d in rows
    ]


def events(session: Session, incident_id: int) -> Iterator[TimelineEvent]:
    """The timeline in time order, fetched in batches (server-side cursor on PostgreSQL)."""
    stmt = (
        select(TimelineEvent)
        .where(TimelineEvent.incident_id == incident_id)
        .order_by(TimelineEvent.at, TimelineEvent.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    for event in session.scalars(stmt):
        yield event
        session.expunge(event)  # keep the identity map from growing with the timeline


def event_dict(event: TimelineEvent, name_of: NameOf) -> dict[str, Any]:
    out: dict[str, Any] = {"at": _iso(event.at), "type": event.type, "actor": event.actor}
    out["actor_name"] = name_of(event.actor) if event.actor else "crisisbot"
    out.update({k: v for k, v in event.data.items() if k not in out})
    return out


def write(
    session: Session, number: int, fmt: str, out: IO[str], *, name_of: NameOf = _no_names
) -> None:
    incident = incidents.get(session, number)
    writer = {"json": write_json, "csv": write_csv, "md": write_markdown}[fmt]
    writer(session, incident, out, name_of)


def write_json(session: Session, incident: Incident, out: IO[str], name_of: NameOf) -> None:
    head = {"incident": incident_dict(session, incident), "drafts": draft_dicts(session, incident)}
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "events": [')
    for i, event in enumerate(events(session, incident.id)):
        out.write(
            ("," if i else "") + "\n" + json.dumps(event_dict(event, name_of), ensure_ascii=False)
        )
    out.write("\n]}\n")


CSV_COLUMNS = ("at", "type", "actor", "actor_name", "details")


def write_csv(session: Session, incident: Incident, out: IO[str], name_of: NameOf) -> None:
    """RFC 4180: CRLF line ends, quoted where needed; one row per timeline event."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in events(session, incident.id):
        row = event_dict(event, name_of)
        details = {k: v for k, v in row.items() if k not in CSV_COLUMNS}
        writer.writerow(
            [row["at"], row["type"], row["actor"] or "", row["actor_name"],
             json.dumps(details, ensure_ascii=False, sort_keys=True)]
        )  # fmt: skip


def write_markdown(session: Session, incident: Incident, out: IO[str], name_of: NameOf) -> None:
    info = incident_dict(session, incident)
    drill = "DRILL · " if incident.is_drill else ""
    out.write(f"# {drill}Incident #{incident.id}: {_md(incident.title)}\n\n")
    out.write(f"- **Status:** {incident.status} · **Severity:** {incident.severity}\n")
    owner = f"{_md(name_of(incident.owner))} ({incident.owner})" if incident.owner else "nobody"
    out.write(f"- **Owner:** {owner}\n")
    out.write(f"- **Opened:** {info['opened_at']} · **Resolved:** {info['resolved_at'] or '—'}\n")
    if incident.summary:
        out.write(f"- **Summary:** {_md(incident.summary)}\n")
    out.write("\n## Why it fired\n\n")
    for reason in info["reasons"] or ["(no reasons recorded)"]:
        out.write(f"- {_md(str(reason))}\n")
    out.write("\n## Response metrics\n\n| Metric | Value |\n|---|---|\n")
    m = stats.incident_metrics(session, incident)
    for label, value in (
        ("Time to detect", m.time_to_detect),
        ("Time to claim", m.time_to_claim),
        ("Time to first approved reply", m.time_to_first_approved_reply),
        ("Time to resolve", m.time_to_resolve),
    ):
        out.write(f"| {label} | {stats.human(value)} |\n")
    drafts = draft_dicts(session, incident)
    if drafts:
        out.write("\n## Drafted replies\n\n")
        for d in drafts:
            decided = f", by {_md(name_of(d['decided_by']))}" if d["decided_by"] else ""
            out.write(
                f"**v{d['version']}** by {_md(name_of(d['author']))} — {d['status']}{decided}\n\n"
            )
            out.write("".join(f"> {_md(line)}\n" for line in d["text"].splitlines()) + "\n")
    out.write("\n## Timeline\n\n| Time (UTC) | Step | Who | Details |\n|---|---|---|---|\n")
    for event in events(session, incident.id):
        row = event_dict(event, name_of)
        who = f"{row['actor_name']} ({row['actor']})" if row["actor"] else "crisisbot"
        details = "; ".join(
            f"{k}: {v}" for k, v in row.items() if k not in ("at", "type", "actor", "actor_name")
        )
        out.write(f"| {row['at']} | `{row['type']}` | {_md(who)} | {_md(details)} |\n")


def _md(text: str) -> str:
    """Plain text in a Markdown table or paragraph: no pipes, no HTML, no stray newlines."""
    return (
        str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
        .replace(">", "&gt;").replace("\r", " ").replace("\n", " ")
    )  # fmt: skip


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
