"""Learning across incidents: every real incident of a period (drills never count), the response
metrics' medians and their trend (first half of the period against the second), the false-positive
share, a line per brand, the detectors that fired, and the busiest mention sources. Rendered as
Markdown, HTML, or a short Slack summary for the weekly digest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import IO, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.aftermath.html_report import CSP, STYLE, e
from bot.aftermath.records import NameOf, no_names, people
from bot.aftermath.records import md_text as _md
from bot.core import i18n
from bot.core.config import Config, formerly_label, shown_name
from bot.core.i18n import N_, _
from bot.response import followups, stats
from bot.response.incidents import KEPT_KEYS, status_name
from models import FollowUp, Incident, Mention

METRICS = (  # labels marked with N_, translated where shown
    ("time_to_detect", N_("Time to detect")),
    ("time_to_claim", N_("Time to claim")),
    ("time_to_first_approved_reply", N_("Time to first approved reply")),
    ("time_to_resolve", N_("Time to resolve")),
)
MEDIAN_LINES = {  # the digest's sentence per metric
    "time_to_detect": N_("Median time to detect: {value} ({trend})"),
    "time_to_claim": N_("Median time to claim: {value} ({trend})"),
    "time_to_first_approved_reply": N_("Median time to first approved reply: {value} ({trend})"),
    "time_to_resolve": N_("Median time to resolve: {value} ({trend})"),
}
TOP_SOURCES = 5
OVERDUE_LISTED = 50  # overdue follow-ups named in the report (the digest names fewer)
DIGEST_OVERDUE = 5


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    title: str
    brand: str | None
    status: str
    opened_at: datetime
    metrics: stats.Metrics
    detectors: tuple[str, ...]
    reopens: int = 0  # times reopened after a close (`incident.reopened`)
    # Held from its first second (declared by hand): no claim was waited for, so it is left
    # out of the medians of time to claim (its own row still says 0 s).
    declared: bool = False

    def measured(self, key: str) -> timedelta | None:
        """The metric `key` as the medians take it."""
        if key == "time_to_claim" and self.declared:
            return None
        return getattr(self.metrics, key)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Report:
    since: datetime
    until: datetime
    rows: list[Row]
    sources: list[tuple[str, int]]
    # Follow-up actions of real incidents: added and done within the period, and those overdue
    # at its end (due before `until`, not done by then), longest overdue first.
    follow_ups_opened: int = 0
    follow_ups_done: int = 0
    overdue: list[FollowUp] = field(default_factory=list)
    overdue_count: int = 0
    # A brand renamed in the playbook (`formerly`): its former names -> its name now.
    current: dict[str, str] = field(default_factory=dict)

    def shown_brand(self, brand: str | None) -> str | None:
        """An incident's brand as recorded, with the name it goes by now when renamed since."""
        return shown_name(brand, self.current)

    @property
    def dismissed(self) -> int:
        return sum(1 for r in self.rows if r.status == "dismissed")

    @property
    def dismissed_share(self) -> float:
        return self.dismissed / len(self.rows) if self.rows else 0.0

    @property
    def reopened(self) -> int:
        """Incidents reopened after a close, once or more: closed too early."""
        return sum(1 for r in self.rows if r.reopens)

    @property
    def reopened_share(self) -> float:
        return self.reopened / len(self.rows) if self.rows else 0.0

    @property
    def midpoint(self) -> datetime:
        return self.since + (self.until - self.since) / 2

    def medians(self, rows: list[Row] | None = None) -> dict[str, timedelta | None]:
        chosen = self.rows if rows is None else rows
        return {key: stats.median([r.measured(key) for r in chosen]) for key, _ in METRICS}

    def halves(self) -> tuple[dict[str, timedelta | None], dict[str, timedelta | None]]:
        early = [r for r in self.rows if r.opened_at < self.midpoint]
        late = [r for r in self.rows if r.opened_at >= self.midpoint]
        return self.medians(early), self.medians(late)

    def detectors(self) -> Counter[str]:
        return Counter(d for r in self.rows for d in r.detectors)

    def brands(self) -> list[tuple[str | None, list[Row]]]:
        """The rows per brand, the busiest brand first (an agency reads its clients apart). A
        renamed brand's incidents under its former names are its own line: "Acme Bank
        (formerly Acme)"."""
        groups: dict[str | None, list[Row]] = {}
        for r in self.rows:
            groups.setdefault(self.current.get(r.brand, r.brand) if r.brand else None, []).append(r)
        labelled = [
            (formerly_label(b, sorted({r.brand for r in rows if r.brand and r.brand != b}))
             if b else b, rows)
            for b, rows in groups.items()
        ]  # fmt: skip
        return sorted(labelled, key=lambda kv: (-len(kv[1]), kv[0] or ""))


def brand_cells(rows: list[Row]) -> tuple[str, str, str, str, str]:
    """A brand's line: its real incidents, how many were dismissed, median claim and resolve,
    how many were reopened (last: the columns before it kept their places)."""
    return (
        i18n.number(len(rows)),
        i18n.number(sum(1 for r in rows if r.status == "dismissed")),
        stats.human(stats.median([r.measured("time_to_claim") for r in rows])),
        stats.human(stats.median([r.metrics.time_to_resolve for r in rows])),
        i18n.number(sum(1 for r in rows if r.reopens)),
    )


def status_cell(row: Row) -> str:
    """The incident's state, and how often it was reopened when it was."""
    if not row.reopens:
        return status_name(row.status)
    return i18n.ngettext("{status}, reopened once", "{status}, reopened {n} times", row.reopens,
                         status=status_name(row.status))  # fmt: skip


def detectors_of(evidence: dict[str, Any]) -> tuple[str, ...]:
    """What fired, from the evidence: a `detectors` list or a `kind` when the detector records
    one; otherwise the storm detector (volume and negative share), the only one that predates
    those keys. Nothing for an incident a person declared that no alert has joined since (its
    evidence is who declared it and what they said): no detector fired."""
    if evidence.get("declared_by") and set(evidence) <= set(KEPT_KEYS):
        return ()
    named = evidence.get("detectors")
    if isinstance(named, list) and named:
        return tuple(str(d) for d in named)
    if evidence.get("kind"):
        return (str(evidence["kind"]),)
    return ("storm",)


def build(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    config: Config | None = None,
    now: datetime | None = None,
) -> Report:
    """`config`: the playbook, for its renamed brands (`formerly`); `now`: a period that ends
    later (`--until` ahead) counts the follow-ups overdue as of now, not those merely due by
    its end."""
    # The first approval comes with each incident: one query, not one more per incident.
    incidents = session.execute(
        select(Incident, stats.FIRST_APPROVED_AT, stats.REOPENS)
        .where(Incident.is_drill.is_(False))
        .where(Incident.opened_at >= since, Incident.opened_at < until)
        .order_by(Incident.opened_at, Incident.id)
    ).all()
    rows = [
        Row(i.id, i.title, i.brand, i.status, i.opened_at, stats.metrics_of(i, first),
            detectors_of(i.evidence or {}), int(reopens or 0),
            declared=not stats.waited_for_claim(i))
        for i, first, reopens in incidents
    ]  # fmt: skip
    # Posts, not rows: a post naming two brands is stored once for each (one id per source).
    posts = func.count(Mention.external_id.distinct())
    sources = session.execute(
        select(Mention.source, posts)
        .where(Mention.created_at >= since, Mention.created_at < until)
        .group_by(Mention.source)
        .order_by(posts.desc(), Mention.source)
        .limit(TOP_SOURCES)
    ).all()
    real = select(Incident.id).where(Incident.is_drill.is_(False))
    of_real = FollowUp.incident_id.in_(real.scalar_subquery())

    def count(*where: Any) -> int:
        return int(session.scalar(select(func.count(FollowUp.id)).where(of_real, *where)) or 0)

    opened = count(FollowUp.created_at >= since, FollowUp.created_at < until)
    done = count(FollowUp.done_at >= since, FollowUp.done_at < until)
    end = min(until, now) if now is not None else until
    late = (
        of_real,
        FollowUp.due_at <= end,
        FollowUp.created_at < end,
        or_(FollowUp.done_at.is_(None), FollowUp.done_at > end),
    )
    overdue = list(
        session.scalars(
            select(FollowUp).where(*late).order_by(FollowUp.due_at, FollowUp.id)
            .limit(OVERDUE_LISTED)
        )
    )  # fmt: skip
    return Report(
        since, until, rows, [(str(s), int(n)) for s, n in sources],
        follow_ups_opened=opened, follow_ups_done=done, overdue=overdue,
        overdue_count=count(*late[1:]),
        current=(config or Config()).renamed,
    )  # fmt: skip


def _overdue_cells(f: FollowUp, name_of: NameOf) -> tuple[str, str, str, str, str]:
    owner = people([f.owner], name_of)  # "Bob Tanaka (U0BOB)", as the exports name people
    return (f.ref, f"#{f.incident_id}", owner, followups.due_text(f), f.text)


def _follow_up_heads() -> tuple[str, ...]:
    return ("", _("Incident"), _("Owner"), _("Due"), _("Action"))


def _follow_up_figures(report: Report) -> str:
    return _(
        "Follow-up actions: {opened} added, {done} done in the period; {overdue} overdue at "
        "its end",
        opened=i18n.number(report.follow_ups_opened), done=i18n.number(report.follow_ups_done),
        overdue=i18n.number(report.overdue_count),
    )  # fmt: skip


def trend(early: timedelta | None, late: timedelta | None) -> str:
    """Words for a change in a response time: shorter is better."""
    if early is None or late is None:
        return _("not enough data")
    if late < early * 0.9:
        return _("faster")
    if late > early * 1.1:
        return _("slower")
    return _("steady")


def _day(at: datetime) -> str:
    return i18n.day(at)


def _opened(at: datetime) -> str:
    # The locale's day ("04.12.2026" in Bulgarian) and the time; the heading names the zone.
    return f"{i18n.day(at)} {i18n.local(at):%H:%M}"


# Detectors by the names a person reads (the evidence keeps the ids: "storm", "keyword"); an id
# not listed is shown as it is.
DETECTOR_NAMES = {"storm": N_("storm"), "keyword": N_("keyword")}


def detector_name(name: str) -> str:
    return _(DETECTOR_NAMES[name]) if name in DETECTOR_NAMES else name


def _last_day(until: datetime) -> str:
    """The period's last day: `until` is excluded, so one at the team's midnight ends the day
    before (`--until 2026-12-01` is a November report, titled to 30.11.2026)."""
    end = i18n.local(until)
    if end.time() == time(0):
        end -= timedelta(microseconds=1)
    return i18n.day(end)


def _title(report: Report) -> str:
    return _("Incidents from {since} to {until}", since=_day(report.since),
             until=_last_day(report.until))  # fmt: skip


def _table_heads(report: Report) -> tuple[str, ...]:
    mid = _day(report.midpoint)
    return (_("Metric"), _("Whole period"), _("Before {day}", day=mid),
            _("From {day}", day=mid), _("Trend"))  # fmt: skip


def _incident_heads() -> tuple[str, ...]:
    # Column heads name durations; the bare words are the card's buttons (an imperative in
    # Bulgarian: "Поемам"), hence the context.
    claim, resolve = i18n.pgettext("column", "Claim"), i18n.pgettext("column", "Resolve")
    opened = _("Opened ({zone})", zone=i18n.zone_name())
    # The title last: the columns before it kept their places.
    return ("#", opened, _("Brand"), _("Status"), claim, resolve, _("Title"))


def _brand_heads() -> tuple[str, ...]:
    claim, resolve = i18n.pgettext("column", "Claim"), i18n.pgettext("column", "Resolve")
    return (_("Brand"), _("Real incidents"), _("Dismissed"), claim, resolve, _("Reopened"))


def write_markdown(report: Report, out: IO[str], name_of: NameOf = no_names) -> None:
    """`name_of`: people's names (the overdue follow-ups' owners), their IDs by default."""
    n = len(report.rows)
    out.write(f"# {_title(report)}\n\n")
    out.write(_("- **Real incidents:** {count} (drills left out)", count=n) + "\n")
    out.write(_("- **False positives (dismissed):** {share} ({dismissed} of {count})",
                share=i18n.percent(report.dismissed_share), dismissed=report.dismissed,
                count=n) + "\n")  # fmt: skip
    out.write(_("- **Reopened after a close:** {share} ({reopened} of {count})",
                share=i18n.percent(report.reopened_share), reopened=report.reopened,
                count=n) + "\n\n")  # fmt: skip
    early, late = report.halves()
    overall = report.medians()
    out.write("## " + _("Response times (medians)") + "\n\n")
    out.write("| " + " | ".join(_table_heads(report)) + " |\n|---|---|---|---|---|\n")
    for key, label in METRICS:
        name = _(label)
        out.write(f"| {name} | {stats.human(overall[key])} | {stats.human(early[key])} | "
                  f"{stats.human(late[key])} | {trend(early[key], late[key])} |\n")  # fmt: skip
    if report.rows:
        out.write("\n## " + _("By brand (median times)") + "\n\n")
        heads = _brand_heads()
        out.write("| " + " | ".join(heads) + " |\n|" + "---|" * len(heads) + "\n")
        for brand, rows in report.brands():
            out.write(f"| {_md(brand or '—')} | " + " | ".join(brand_cells(rows)) + " |\n")
    out.write("\n## " + _("Detectors that fired") + "\n\n")
    # An empty period (or one of declared incidents only) says so, instead of "(none): 0".
    for name, count in report.detectors().most_common():
        out.write(f"- {_md(detector_name(name))}: {count}\n")
    if not report.detectors():
        out.write("- " + _("(none)") + "\n")
    out.write("\n## " + _("Busiest sources (mentions)") + "\n\n")
    for source, count in report.sources:
        out.write(f"- {_md(source)}: {i18n.number(count)}\n")
    if not report.sources:
        out.write("- " + _("(no mentions)") + "\n")
    out.write("\n## " + _("Follow-up actions") + "\n\n")
    out.write(_follow_up_figures(report) + ".\n")
    if report.overdue:
        out.write("\n| " + " | ".join(_follow_up_heads()) + " |\n|---|---|---|---|---|\n")
        for f in report.overdue:
            out.write("| " + " | ".join(_md(c) for c in _overdue_cells(f, name_of)) + " |\n")
        _more_overdue(report, out)
    out.write("\n## " + _("Incidents") + "\n\n")
    if not report.rows:
        out.write("- " + _("(none)") + "\n")
        return
    heads = _incident_heads()
    out.write("| " + " | ".join(heads) + " |\n|" + "---|" * len(heads) + "\n")
    for r in report.rows:
        brand = report.shown_brand(r.brand) or "—"
        out.write(f"| {r.number} | {_opened(r.opened_at)} | {_md(brand)} | "
                  f"{status_cell(r)} | {stats.human(r.metrics.time_to_claim)} | "
                  f"{stats.human(r.metrics.time_to_resolve)} | {_md(r.title)} |\n")  # fmt: skip


def _more_overdue(report: Report, out: IO[str]) -> None:
    hidden = report.overdue_count - len(report.overdue)
    if hidden > 0:
        out.write("\n" + _("… and {count} more: `/crisis followups`.", count=i18n.number(hidden))
                  + "\n")  # fmt: skip


def write_html(report: Report, out: IO[str], name_of: NameOf = no_names) -> None:
    title = _title(report)
    early, late = report.halves()
    overall = report.medians()
    trends = "".join(
        "<tr><td>" + e(_(label)) + f"</td><td>{e(stats.human(overall[k]))}</td>"
        f"<td>{e(stats.human(early[k]))}</td><td>{e(stats.human(late[k]))}</td>"
        f"<td>{e(trend(early[k], late[k]))}</td></tr>"
        for k, label in METRICS
    )
    detectors = "".join(
        f"<li>{e(detector_name(d))}: {c}</li>" for d, c in report.detectors().most_common()
    )
    sources = "".join(f"<li>{e(s)}: {e(i18n.number(c))}</li>" for s, c in report.sources)
    incidents = (
        "".join(
            f"<tr><td>#{r.number}</td><td>{_opened(r.opened_at)}</td>"
            f"<td>{e(report.shown_brand(r.brand) or '—')}"
            f"</td><td>{e(status_cell(r))}</td>"
            f"<td>{e(stats.human(r.metrics.time_to_claim))}</td>"
            f"<td>{e(stats.human(r.metrics.time_to_resolve))}</td><td>{e(r.title)}</td></tr>"
            for r in report.rows
        )
        or f'<tr><td colspan="{len(_incident_heads())}">—</td></tr>'
    )
    by_brand = "".join(
        f"<tr><td>{e(brand or '—')}</td>" + "".join(f"<td>{e(c)}</td>" for c in brand_cells(rows))
        + "</tr>"
        for brand, rows in report.brands()
    ) or f'<tr><td colspan="{len(_brand_heads())}">—</td></tr>'  # fmt: skip
    brand_heads = "".join(f"<th>{e(h)}</th>" for h in _brand_heads())
    meta = i18n.ngettext(
        "{n} real incident (drills left out) · {share} dismissed as false positives ({dismissed})",
        "{n} real incidents (drills left out) · {share} dismissed as false positives "
        "({dismissed})",
        len(report.rows), share=i18n.percent(report.dismissed_share), dismissed=report.dismissed,
    ) + " · " + _("{share} reopened after a close ({reopened})",
                  share=i18n.percent(report.reopened_share), reopened=report.reopened)  # fmt: skip
    heads = "".join(f"<th>{e(h)}</th>" for h in _table_heads(report))
    incident_heads = "".join(f"<th>{e(h)}</th>" for h in _incident_heads())
    # Headings outside the f-string: the catalogue's extractor does not look inside one.
    h_times, h_detectors = e(_("Response times (medians)")), e(_("Detectors that fired"))
    h_sources, h_incidents = e(_("Busiest sources")), e(_("Incidents"))
    h_brands = e(_("By brand (median times)"))
    h_follow = e(_("Follow-up actions"))
    overdue = "".join(
        "<tr>" + "".join(f"<td>{e(c)}</td>" for c in _overdue_cells(f, name_of)) + "</tr>"
        for f in report.overdue
    )
    follow_heads = "".join(f"<th>{e(h)}</th>" for h in _follow_up_heads())
    follow = (
        f"<section><h2>{h_follow}</h2><p>{e(_follow_up_figures(report))}.</p>"
        + (
            f"<table><thead><tr>{follow_heads}</tr></thead><tbody>{overdue}</tbody></table>"
            if overdue
            else ""
        )
        + "</section>"
    )
    out.write(
        f'<!DOCTYPE html>\n<html lang="{e(i18n.current())}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body><main>"
        f'<header><h1>{e(title)}</h1><p class="meta">{e(meta)}</p></header>'
        f"<section><h2>{h_times}</h2><table><thead><tr>{heads}"
        f"</tr></thead><tbody>{trends}</tbody></table></section>"
        f"<section><h2>{h_brands}</h2><table><thead><tr>{brand_heads}</tr></thead>"
        f"<tbody>{by_brand}</tbody></table></section>"
        f"<section><h2>{h_detectors}</h2><ul>{detectors or '<li>—</li>'}</ul>"
        f"<h2>{h_sources}</h2><ul>{sources or '<li>—</li>'}</ul></section>"
        f"{follow}<section><h2>{h_incidents}</h2><table><thead><tr>{incident_heads}</tr></thead>"
        f"<tbody>{incidents}</tbody></table></section></main></body></html>\n"
    )


def slack_summary(report: Report) -> str:
    """The weekly digest: a few lines of mrkdwn, no tables (Slack has none)."""
    n = len(report.rows)
    head = _("*Weekly crisis digest* ({since} – {until})", since=_day(report.since),
             until=_last_day(report.until))  # fmt: skip
    if not n:
        return "\n".join([head, _("No real incidents this week. :relieved:"),
                          *_digest_follow_ups(report)])  # fmt: skip
    overall = report.medians()
    early, late = report.halves()
    lines = [
        head,
        "• " + i18n.ngettext("{n} real incident, {share} dismissed as false positives",
                             "{n} real incidents, {share} dismissed as false positives", n,
                             share=i18n.percent(report.dismissed_share)),
    ]  # fmt: skip
    if report.reopened:  # the digest is short: a reopen is worth a line, none is not
        lines.append("• " + _("Reopened after a close: {share} ({count})",
                              share=i18n.percent(report.reopened_share),
                              count=i18n.number(report.reopened)))  # fmt: skip
    for key, _label in METRICS:
        lines.append("• " + _(MEDIAN_LINES[key], value=stats.human(overall[key]),
                              trend=trend(early[key], late[key])))  # fmt: skip
    detectors = ", ".join(
        f"{_mrkdwn(detector_name(d))} ×{c}" for d, c in report.detectors().most_common()
    )
    if detectors:  # none when every incident was declared by hand
        lines.append("• " + _("Detectors: {detectors}", detectors=detectors))
    if report.sources:
        busiest = ", ".join(f"{_mrkdwn(s)} ({i18n.number(c)})" for s, c in report.sources[:3])
        lines.append("• " + _("Busiest sources: {sources}", sources=busiest))
    lines += _digest_follow_ups(report)
    lines.append(_("`crisisbot report --since {since} --format html` for the full report.",
                   since=_cli_moment(report.since)))  # fmt: skip
    return "\n".join(lines)


def _cli_moment(at: datetime) -> str:
    """`at` as `crisisbot report --since` reads it back: a bare day is midnight on the team's
    clock (the digest's week starts there); another moment keeps its offset."""
    local = i18n.local(at)
    return local.date().isoformat() if local.time() == time(0) else local.isoformat("T", "minutes")


def _digest_follow_ups(report: Report) -> list[str]:
    """The week's follow-up figures, and the overdue ones by name: the lessons of a crisis are
    only learnt once someone does them."""
    if not (report.follow_ups_opened or report.follow_ups_done or report.overdue_count):
        return []
    lines = ["• " + _follow_up_figures(report)]
    for f in report.overdue[:DIGEST_OVERDUE]:
        lines.append(
            "   ◦ " + _(":warning: {ref} (#{number}, <@{owner}>, due {due}): {text}", ref=f.ref,
                       number=f.incident_id, owner=f.owner, due=followups.due_text(f),
                       text=_mrkdwn(f.text[:200]))
        )  # fmt: skip
    hidden = report.overdue_count - min(len(report.overdue), DIGEST_OVERDUE)
    if hidden > 0:
        lines.append("   ◦ " + _("… and {count} more: `/crisis followups`.",
                                  count=i18n.number(hidden)))  # fmt: skip
    return lines


def _mrkdwn(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
