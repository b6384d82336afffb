"""Export an incident's timeline as JSON, CSV, Markdown or a self-contained HTML report, streamed:
memory does not grow with the timeline. JSON keeps the contract shape
`{"incident": {...}, "events": [...]}`.

CSV is RFC 4180 (CRLF, quoted where needed); a cell that would start a spreadsheet formula is
prefixed with an apostrophe (`FORMULA_START`). A file meant for a person (`--out`, the Slack upload)
starts with a UTF-8 byte order mark, because Excel on Windows reads a CSV without one as the local
code page and mangles names like "Amélie"; stdout has none, since a pipe feeds a program.

Markdown and HTML are for people: written in the team's language (`bot.core.i18n`). JSON and CSV
are data: their keys, event types and values stay as stored, whatever the locale.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy.orm import Session

from bot.aftermath import html_report, review
from bot.aftermath.records import (
    NAMED_KEYS,
    NameOf,
    cached,
    details,
    draft_dicts,
    event_dict,
    events,
    follow_up_dicts,
    follow_up_due,
    follow_up_state,
    iso,
    named,
    names,
    no_names,
)
from bot.aftermath.records import md_text as _md
from bot.core import i18n
from bot.core.config import Config
from bot.core.i18n import _
from bot.response import incidents, stats
from bot.response.drafts import draft_status
from models import Incident

FORMATS = ("json", "csv", "md", "html")
BOM = "\ufeff"


def incident_dict(
    session: Session, incident: Incident, metrics: stats.Metrics | None = None
) -> dict[str, Any]:
    return {
        "number": incident.id,
        "title": incident.title,
        "brand": incident.brand,
        "status": incident.status,
        "severity": incident.severity,
        "level": incident.level,
        "owner": incident.owner,
        "is_drill": incident.is_drill,
        "first_mention_at": iso(incident.first_mention_at),
        "opened_at": iso(incident.opened_at),
        "claimed_at": iso(incident.claimed_at),
        "resolved_at": iso(incident.resolved_at),
        "summary": incident.summary,
        "reasons": incident.evidence.get("reasons", []),
        # A declared incident: who opened it by hand and what they said (None for an alert's).
        "declared_by": incident.evidence.get("declared_by"),
        "declared": incident.evidence.get("declared"),
        "metrics": (metrics or stats.incident_metrics(session, incident)).as_dict(),
    }


def write(
    session: Session,
    number: int,
    fmt: str,
    out: IO[str],
    *,
    name_of: NameOf = no_names,
    config: Config | None = None,
    bom: bool = False,
    now: datetime | None = None,
) -> None:
    """Write incident #number in `fmt`; `bom` marks a CSV file for spreadsheets (see above);
    `config` feeds the review in the HTML and Markdown formats (timer targets), `now` the HTML
    chart (an open incident's end)."""
    incident = incidents.get(session, number)
    name_of = cached(name_of)
    if fmt == "html":
        html_report.write_html(session, incident, out, name_of, config=config, now=now)
        return
    if fmt == "md":
        write_markdown(session, incident, out, name_of, config=config, now=now)
        return
    if fmt == "csv" and bom:
        out.write(BOM)
    if fmt == "json":
        write_json(session, incident, out, name_of, now=now)
        return
    write_csv(session, incident, out, name_of)


def write_json(
    session: Session,
    incident: Incident,
    out: IO[str],
    name_of: NameOf,
    *,
    now: datetime | None = None,
) -> None:
    head = {
        "incident": incident_dict(session, incident),
        "drafts": draft_dicts(session, incident, name_of),
        # Added after `drafts`: readers of the older shape find every key where it was.
        "follow_ups": follow_up_dicts(session, incident, now or datetime.now(UTC), name_of),
    }
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "events": [')
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    separator = "\n"
    for event in events(session, incident.id):
        out.write(separator + dumps(event_dict(event, name_of)))
        separator = ",\n"
    out.write("\n]}\n")


CSV_COLUMNS = ("at", "type", "actor", "actor_name", "details")
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets: a Slack
# display name like `=HYPERLINK("http://…")` would run when the export is opened. Such a cell gets
# a leading apostrophe (OWASP's advice), which spreadsheets show as text and do not display.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def write_csv(session: Session, incident: Incident, out: IO[str], name_of: NameOf) -> None:
    """RFC 4180: CRLF line ends, quoted where needed; one row per timeline event."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
    for event in events(session, incident.id):
        actor = event.actor
        details = {k: v for k, v in event.data.items() if k not in CSV_COLUMNS}
        details |= names(event.data, name_of)  # `paged_names` beside `paged`, as in JSON
        writer.writerow(
            _cell(cell) for cell in (event.at.isoformat(), event.type, actor or "",
                                     name_of(actor) if actor else "crisisbot", dumps(details))
        )  # fmt: skip


def write_markdown(
    session: Session,
    incident: Incident,
    out: IO[str],
    name_of: NameOf,
    *,
    config: Config | None = None,
    now: datetime | None = None,
) -> None:
    m = stats.incident_metrics(session, incident)
    info = incident_dict(session, incident, m)
    drill = _("DRILL · ") if incident.is_drill else ""
    title = _("Incident #{number}: {title}", number=incident.id, title=_md(incident.title))
    out.write(f"# {drill}{title}\n\n")
    # As the HTML report's header: a declared incident's title need not name the client.
    brand = (config or Config()).shown_name(incident.brand) or "—"
    out.write(_("- **Brand:** {brand}", brand=_md(brand)) + "\n")
    status = incidents.status_name(incident.status)
    severity = incidents.severity_name(incident.severity)
    out.write(_("- **Status:** {status} · **Severity:** {severity}", status=status,
                severity=severity) + "\n")  # fmt: skip
    owner = _md(named(incident.owner, name_of(incident.owner))) if incident.owner else _("nobody")
    out.write(_("- **Owner:** {owner}", owner=owner) + "\n")
    # A false positive is closed as dismissed, not resolved (the same column keeps the time).
    closed = (
        _("- **Opened:** {opened} · **Dismissed:** {resolved}")
        if incident.status == "dismissed"
        else _("- **Opened:** {opened} · **Resolved:** {resolved}")
    )
    out.write(closed.format(opened=i18n.when(incident.opened_at),
                            resolved=i18n.when(incident.resolved_at)) + "\n")  # fmt: skip
    if incident.summary:
        out.write(_("- **Summary:** {summary}", summary=_md(incident.summary)) + "\n")
    out.write("\n## " + _("Why it fired") + "\n\n")
    declared = review.declared_line(incident, name_of)
    lines = ([declared] if declared else []) + [str(r) for r in info["reasons"]]
    for reason in lines or [_("(no reasons recorded)")]:
        out.write(f"- {_md(reason)}\n")
    _write_samples((incident.evidence or {}).get("samples") or [], out)
    out.write("\n## " + _("Response metrics") + "\n\n")
    out.write("| " + _("Metric") + " | " + _("Value") + " |\n|---|---|\n")
    for label, value in (
        (_("Time to detect"), m.time_to_detect),
        (_("Time to claim"), m.time_to_claim),
        (_("Time to first approved reply"), m.time_to_first_approved_reply),
        (_("Time to resolve"), m.time_to_resolve),
    ):
        out.write(f"| {label} | {stats.human(value)} |\n")
    drafts = draft_dicts(session, incident, name_of)
    prefilled, _steps = review.prefill(
        session, incident, metrics=m, drafts=drafts, config=config or Config(), name_of=name_of
    )
    _write_review(prefilled, out)
    _write_follow_ups(follow_up_dicts(session, incident, now or datetime.now(UTC), name_of), out)
    if drafts:
        out.write("\n## " + _("Drafted replies") + "\n\n")
        for d in drafts:
            author = _md(named(d["author"], d["author_name"]))
            out.write(_("**v{version}** by {author}", version=d["version"], author=author))
            out.write(f" — {draft_status(d['status'])}{_decision(d)}\n\n")
            out.write("".join(f"> {_md(line)}\n" for line in d["text"].splitlines()) + "\n")
    out.write("\n## " + _("Timeline") + "\n\n")
    heads = (_("Time ({zone})", zone=i18n.zone_name()), _("Step"), _("Who"), _("Details"))
    out.write("| " + " | ".join(heads) + " |\n")
    out.write("|---|---|---|---|\n")
    for event in events(session, incident.id):
        row = event_dict(event, name_of)
        who = named(row["actor"], row["actor_name"]) if row["actor"] else "crisisbot"
        data = {
            k: v
            for k, v in row.items()
            if k not in ("at", "type", "actor", "actor_name") and k not in NAMED_KEYS.values()
        }
        at = i18n.stamp(event.at)  # the team's clock; JSON and CSV keep the UTC `at`
        out.write(f"| {at} | `{row['type']}` | {_md(who)} | {_md(details(data, name_of))} |\n")


def _write_samples(samples: list[Any], out: IO[str]) -> None:
    """The posts that opened the incident, as the HTML report and the card quote them."""
    quoted = [s for s in samples[:5] if isinstance(s, dict)]
    if not quoted:
        return
    out.write("\n### " + _("What people said") + "\n\n")
    for s in quoted:
        lines = str(s.get("text") or "").splitlines() or [""]
        out.write("".join(f"> {_md(line)}\n" for line in lines))
        link = html_report.safe_link(s.get("url"))  # http(s) only: no javascript: from a feed
        said = _("— {author} on {source}", author=_md(s.get("author") or _("unknown")),
                 source=_md(s.get("source") or _("post")))  # fmt: skip
        out.write(f">\n> {said}{' · ' + _md(link) if link else ''}\n\n")


def _write_review(r: review.Review, out: IO[str]) -> None:
    """The same prefilled review as the HTML report's, as lists to edit before sharing."""
    out.write("\n## " + _("Post-incident review") + "\n\n_")
    out.write(_("Prefilled from the timeline: edit it before sharing.") + "_\n")
    out.write("\n### " + _("What happened") + "\n\n")
    for line, (at, text) in enumerate(r.happened):
        if r.untold > 0 and line == r.untold_at:
            out.write(f"- {_md(r.gap())}\n")
        out.write(f"- **{i18n.when(at)}** — {_md(text)}\n")
    for heading, lines in ((_("What worked"), r.worked), (_("What to change"), r.change)):
        out.write(f"\n### {heading}\n\n")
        for text in lines or [_("(to fill in)")]:
            out.write(f"- {_md(text)}\n")


def _write_follow_ups(rows: list[dict[str, Any]], out: IO[str]) -> None:
    """The follow-up actions, under the review: who does what by when, and whether it is done."""
    out.write("\n### " + _("Follow-up actions") + "\n\n")
    if not rows:
        out.write("- " + _("(none yet: `/crisis followup N @owner <text>` adds one)") + "\n")
        return
    heads = ("", _("Action"), _("Owner"), _("Due"), _("State"))
    out.write("| " + " | ".join(heads) + " |\n|---|---|---|---|---|\n")
    for f in rows:
        out.write(
            f"| {f['ref']} | {_md(f['text'])} | {_md(named(f['owner'], f['owner_name']))} | "
            f"{_md(follow_up_due(f))} | {_md(follow_up_state(f))} |\n"
        )


def _decision(d: dict[str, Any]) -> str:
    if not d["decided_by"]:
        return ""
    reason = f": {_md(d['reason'])}" if d["reason"] else ""
    who = _md(named(d["decided_by"], d["decided_by_name"]))
    at = i18n.when(datetime.fromisoformat(d["decided_at"])) if d["decided_at"] else "—"
    return " " + _("by {who} at {at}", who=who, at=at) + reason
