"""Learning across incidents: every real incident of a period (drills never count), the response
metrics' medians and their trend (first half of the period against the second), the false-positive
share, the detectors that fired, and the busiest mention sources. Rendered as Markdown, HTML, or a
short Slack summary for the weekly digest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.aftermath.html_report import CSP, STYLE, e
from bot.response import stats
from models import Incident, Mention

METRICS = (
    ("time_to_detect", "Time to detect"),
    ("time_to_claim", "Time to claim"),
    ("time_to_first_approved_reply", "Time to first approved reply"),
    ("time_to_resolve", "Time to resolve"),
)
TOP_SOURCES = 5


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    title: str
    brand: str | None
    status: str
    opened_at: datetime
    metrics: stats.Metrics
    detectors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    since: datetime
    until: datetime
    rows: list[Row]
    sources: list[tuple[str, int]]

    @property
    def dismissed(self) -> int:
        return sum(1 for r in self.rows if r.status == "dismissed")

    @property
    def dismissed_share(self) -> float:
        return self.dismissed / len(self.rows) if self.rows else 0.0

    @property
    def midpoint(self) -> datetime:
        return self.since + (self.until - self.since) / 2

    def medians(self, rows: list[Row] | None = None) -> dict[str, timedelta | None]:
        chosen = self.rows if rows is None else rows
        return {key: stats.median([getattr(r.metrics, key) for r in chosen]) for key, _ in METRICS}

    def halves(self) -> tuple[dict[str, timedelta | None], dict[str, timedelta | None]]:
        early = [r for r in self.rows if r.opened_at < self.midpoint]
        late = [r for r in self.rows if r.opened_at >= self.midpoint]
        return self.medians(early), self.medians(late)

    def detectors(self) -> Counter[str]:
        return Counter(d for r in self.rows for d in r.detectors)


def detectors_of(evidence: dict[str, Any]) -> tuple[str, ...]:
    """What fired, from the evidence: a `detectors` list or a `kind` when the detector records
    one; otherwise the storm detector (volume and negative share), the only one that predates
    those keys."""
    named = evidence.get("detectors")
    if isinstance(named, list) and named:
        return tuple(str(d) for d in named)
    if evidence.get("kind"):
        return (str(evidence["kind"]),)
    return ("storm",)


def build(session: Session, *, since: datetime, until: datetime) -> Report:
    # The first approval comes with each incident: one query, not one more per incident.
    incidents = session.execute(
        select(Incident, stats.FIRST_APPROVED_AT)
        .where(Incident.is_drill.is_(False))
        .where(Incident.opened_at >= since, Incident.opened_at < until)
        .order_by(Incident.opened_at, Incident.id)
    ).all()
    rows = [
        Row(i.id, i.title, i.brand, i.status, i.opened_at, stats.metrics_of(i, first),
            detectors_of(i.evidence or {}))
        for i, first in incidents
    ]  # fmt: skip
    sources = session.execute(
        select(Mention.source, func.count())
        .where(Mention.created_at >= since, Mention.created_at < until)
        .group_by(Mention.source)
        .order_by(func.count().desc(), Mention.source)
        .limit(TOP_SOURCES)
    ).all()
    return Report(since, until, rows, [(str(s), int(n)) for s, n in sources])


def trend(early: timedelta | None, late: timedelta | None) -> str:
    """Words for a change in a response time: shorter is better."""
    if early is None or late is None:
        return "not enough data"
    if late < early * 0.9:
        return "faster"
    if late > early * 1.1:
        return "slower"
    return "steady"


def _day(at: datetime) -> str:
    return at.strftime("%Y-%m-%d")


def write_markdown(report: Report, out: IO[str]) -> None:
    n = len(report.rows)
    out.write(f"# Incidents from {_day(report.since)} to {_day(report.until)}\n\n")
    out.write(f"- **Real incidents:** {n} (drills left out)\n")
    out.write(f"- **False positives (dismissed):** {report.dismissed_share:.0%} "
              f"({report.dismissed} of {n})\n\n")  # fmt: skip
    early, late = report.halves()
    overall = report.medians()
    out.write("## Response times (medians)\n\n")
    out.write(f"| Metric | Whole period | Before {_day(report.midpoint)} | From "
              f"{_day(report.midpoint)} | Trend |\n|---|---|---|---|---|\n")  # fmt: skip
    for key, label in METRICS:
        out.write(f"| {label} | {stats.human(overall[key])} | {stats.human(early[key])} | "
                  f"{stats.human(late[key])} | {trend(early[key], late[key])} |\n")  # fmt: skip
    out.write("\n## Detectors that fired\n\n")
    for name, count in report.detectors().most_common() or [("(none)", 0)]:
        out.write(f"- {_md(name)}: {count}\n")
    out.write("\n## Busiest sources (mentions)\n\n")
    for source, count in report.sources or [("(no mentions)", 0)]:
        out.write(f"- {_md(source)}: {count:,}\n")
    out.write("\n## Incidents\n\n| # | Opened (UTC) | Brand | Status | Claim | Resolve |\n")
    out.write("|---|---|---|---|---|---|\n")
    for r in report.rows:
        out.write(f"| {r.number} | {r.opened_at:%Y-%m-%d %H:%M} | {_md(r.brand or '—')} | "
                  f"{r.status} | {stats.human(r.metrics.time_to_claim)} | "
                  f"{stats.human(r.metrics.time_to_resolve)} |\n")  # fmt: skip


def write_html(report: Report, out: IO[str]) -> None:
    title = f"Incidents from {_day(report.since)} to {_day(report.until)}"
    early, late = report.halves()
    overall = report.medians()
    trends = "".join(
        f"<tr><td>{label}</td><td>{e(stats.human(overall[k]))}</td>"
        f"<td>{e(stats.human(early[k]))}</td><td>{e(stats.human(late[k]))}</td>"
        f"<td>{e(trend(early[k], late[k]))}</td></tr>"
        for k, label in METRICS
    )
    detectors = "".join(f"<li>{e(d)}: {c}</li>" for d, c in report.detectors().most_common())
    sources = "".join(f"<li>{e(s)}: {c:,}</li>" for s, c in report.sources)
    incidents = "".join(
        f"<tr><td>#{r.number}</td><td>{r.opened_at:%Y-%m-%d %H:%M}</td><td>{e(r.brand or '—')}"
        f"</td><td>{e(r.status)}</td><td>{e(stats.human(r.metrics.time_to_claim))}</td>"
        f"<td>{e(stats.human(r.metrics.time_to_resolve))}</td></tr>"
        for r in report.rows
    )
    out.write(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body><main>"
        f'<header><h1>{e(title)}</h1><p class="meta">{len(report.rows)} real incidents '
        f"(drills left out) · {report.dismissed_share:.0%} dismissed as false positives "
        f"({report.dismissed})</p></header>"
        f"<section><h2>Response times (medians)</h2><table><thead><tr><th>Metric</th>"
        f"<th>Whole period</th><th>Before {_day(report.midpoint)}</th><th>From "
        f"{_day(report.midpoint)}</th><th>Trend</th></tr></thead><tbody>{trends}</tbody></table>"
        f"</section><section><h2>Detectors that fired</h2><ul>{detectors or '<li>—</li>'}</ul>"
        f"<h2>Busiest sources</h2><ul>{sources or '<li>—</li>'}</ul></section>"
        f"<section><h2>Incidents</h2><table><thead><tr><th>#</th><th>Opened (UTC)</th>"
        f"<th>Brand</th><th>Status</th><th>Claim</th><th>Resolve</th></tr></thead><tbody>"
        f"{incidents}</tbody></table></section></main></body></html>\n"
    )


def slack_summary(report: Report) -> str:
    """The weekly digest: a few lines of mrkdwn, no tables (Slack has none)."""
    n = len(report.rows)
    if not n:
        return (f"*Weekly crisis digest* ({_day(report.since)} – {_day(report.until)})\n"
                "No real incidents this week. :relieved:")  # fmt: skip
    overall = report.medians()
    early, late = report.halves()
    lines = [
        f"*Weekly crisis digest* ({_day(report.since)} – {_day(report.until)})",
        f"• {n} real incident{'s' if n != 1 else ''}, {report.dismissed_share:.0%} dismissed as "
        "false positives",
    ]
    for key, label in METRICS:
        lines.append(f"• Median {label.lower()}: {stats.human(overall[key])} "
                     f"({trend(early[key], late[key])})")  # fmt: skip
    detectors = ", ".join(f"{_mrkdwn(d)} ×{c}" for d, c in report.detectors().most_common())
    lines.append(f"• Detectors: {detectors}")
    if report.sources:
        lines.append("• Busiest sources: " + ", ".join(
            f"{_mrkdwn(s)} ({c:,})" for s, c in report.sources[:3]))  # fmt: skip
    lines.append("`crisisbot report --since DATE --format html` for the full report.")
    return "\n".join(lines)


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
