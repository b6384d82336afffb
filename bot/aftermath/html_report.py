"""The incident report as ONE self-contained HTML file: inline CSS, an inline SVG chart, one small
inline script (the review's "Download edited copy"), no font, no image, nothing fetched (a
Content-Security-Policy says so to the browser, and lets that one script run by its hash). Every
piece of text from the database or Slack goes through `e()` (html.escape). Without JavaScript the
page reads the same; only the button stays hidden.

The timeline table is streamed like the other formats; everything above it is bounded in size
(a fixed number of chart bins, at most review.MAX_STEPS marked steps).
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.aftermath import records, review
from bot.aftermath.records import NameOf
from bot.core import i18n
from bot.core.config import Config
from bot.core.i18n import _
from bot.response import stats
from bot.response.drafts import draft_status
from bot.response.incidents import severity_name, status_name
from models import Incident, Mention, brand_is

# The review is edited in the page (contenteditable), and a browser's Save may keep the page as
# it was sent: this saves the DOM as it is now, as a new file. The copy hides the button again
# (shown by this script when it runs, so a copy opened without JavaScript has no dead button).
SCRIPT = (
    "(function(){var bar=document.getElementById('save-bar');"
    "var hint=document.getElementById('save-hint');if(!bar||!window.Blob)return;"
    "bar.hidden=false;if(hint)hint.hidden=true;"
    "document.getElementById('save-copy').addEventListener('click',function(){"
    "var copy=document.documentElement.cloneNode(true);"
    "copy.querySelector('#save-bar').hidden=true;"
    "var h=copy.querySelector('#save-hint');if(h)h.hidden=false;"
    "var blob=new Blob(['<!DOCTYPE html>\\n'+copy.outerHTML],{type:'text/html;charset=utf-8'});"
    "var a=document.createElement('a');a.href=URL.createObjectURL(blob);"
    "a.download=this.getAttribute('data-file');document.body.appendChild(a);a.click();"
    "setTimeout(function(){URL.revokeObjectURL(a.href);a.remove();},1000);});})();"
)
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; script-src 'sha256-{SCRIPT_HASH}'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
LEAD = timedelta(hours=6)  # calm before the storm shown on the chart
TAIL = timedelta(hours=1)
TARGET_BINS = 72
NICE_BINS_MIN = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)
W, H, LEFT, RIGHT, TOP, BOTTOM = 960, 300, 48, 48, 24, 36


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


@dataclass(frozen=True, slots=True)
class Series:
    start: datetime
    bin: timedelta
    counts: list[int]
    negative: list[int]

    @property
    def end(self) -> datetime:
        return self.start + self.bin * len(self.counts)


def nice_bin(span: timedelta) -> timedelta:
    wanted = span.total_seconds() / 60 / TARGET_BINS
    minutes = next((m for m in NICE_BINS_MIN if m >= wanted), NICE_BINS_MIN[-1])
    return timedelta(minutes=minutes)


def mention_series(
    session: Session, incident: Incident, now: datetime, config: Config | None = None
) -> Series:
    """Mentions of the brand per bin, from LEAD before the storm to TAIL after its end.

    From the mentions table, not the incident's `evidence["series"]`: that series holds observed
    counts and negatives only (no expected volume to draw a line from; `evidence["expected"]` is
    one number for the alert window), stops at detection (`chart_hours` back), and misses
    mentions polled after the alert with earlier timestamps. The table has the whole storm.
    `config`: the playbook, whose renamed brand (`formerly`) has its mentions under its every
    name (a storm across the rename is one storm)."""
    begin = (incident.first_mention_at or incident.opened_at) - LEAD
    end = (incident.resolved_at or now) + TAIL
    size = nice_bin(end - begin)
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    start = begin - (begin - epoch) % size  # round down so bins fall on whole minutes/hours
    n = max(1, min(-(-(end - start) // size), TARGET_BINS * 6))
    counts, negative = [0] * n, [0] * n
    if incident.is_drill:
        # A drill's mentions are its scenario's, never stored: its evidence keeps their bins.
        # The mentions table holds the brand's real ones, maybe a real storm at the same time.
        for at, count, negatives in _evidence_bins(incident):
            if start <= at < start + size * n:
                i = int((at - start) // size)
                counts[i] += count
                negative[i] += negatives
        return Series(start, size, counts, negative)
    names = (config or Config()).names_of(incident.brand)
    brand = brand_is(Mention.brand, names)
    stmt = (
        select(Mention.created_at, Mention.label)
        .where(brand, Mention.created_at >= start, Mention.created_at < start + size * n)
        .execution_options(yield_per=5000)
    )
    for at, label in session.connection().execute(stmt):
        i = int((at - start) // size)
        counts[i] += 1
        negative[i] += label == "negative"
    return Series(start, size, counts, negative)


def _evidence_bins(incident: Incident) -> list[tuple[datetime, int, int]]:
    """The detector's chart bins kept in the evidence: [start (ISO), count, negatives]."""
    out = []
    for row in (incident.evidence or {}).get("series") or []:
        try:
            at = datetime.fromisoformat(str(row[0]))
            out.append((at if at.tzinfo else at.replace(tzinfo=UTC), int(row[1]), int(row[2])))
        except (TypeError, ValueError, IndexError):
            continue  # a malformed bin is left off the chart, not the report
    return out


# -- the chart ---------------------------------------------------------------------------------
def _x(series: Series, at: datetime) -> float:
    share = (at - series.start) / (series.end - series.start)
    return LEFT + max(0.0, min(1.0, share)) * (W - LEFT - RIGHT)


def _fmt(at: datetime, series: Series) -> str:
    long = series.end - series.start > timedelta(days=1)
    return i18n.short(at) if long else i18n.local(at).strftime("%H:%M")


def chart_svg(
    series: Series, steps: list[review.Step], incident: Incident, told: list[str] | None = None
) -> str:
    """Bars: mentions per bin; line: negative share (right axis); dashed lines: key steps,
    `told` as the review tells them (their event types where not given)."""
    plot_h = H - TOP - BOTTOM
    peak = max(series.counts) or 1
    bar_w = (W - LEFT - RIGHT) / len(series.counts)
    label = _(
        "Mentions of {brand} per {minutes} minutes, with the negative share and the response "
        "steps", brand=incident.brand or _("the brand"),
        minutes=int(series.bin.total_seconds() // 60),
    )  # fmt: skip
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'class="chart" aria-label="{e(label)}">'
    ]
    parts += _axes(series, peak, plot_h)
    for i, count in enumerate(series.counts):
        if not count:
            continue
        h = count / peak * plot_h
        at = series.start + series.bin * i
        neg = series.negative[i] / count
        parts.append(
            f'<rect class="bar" x="{LEFT + i * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}"><title>{e(_fmt(at, series))}: '
            + e(
                i18n.ngettext(
                    "{n} mention, {share} negative",
                    "{n} mentions, {share} negative",
                    count,
                    share=i18n.percent(neg),
                )
            )
            + "</title></rect>"
        )
    parts += _storm_band(series, incident, plot_h)  # over the bars, translucent
    parts.append(_share_line(series, bar_w, plot_h))
    parts += _markers(series, steps, plot_h, told or [step.type for step in steps])
    parts.append("</svg>")
    return "".join(parts)


def _storm_band(series: Series, incident: Incident, plot_h: int) -> list[str]:
    if incident.first_mention_at is None:
        return []
    x0, x1 = _x(series, incident.first_mention_at), _x(series, incident.opened_at)
    return [
        f'<rect class="band" x="{x0:.1f}" y="{TOP}" width="{max(x1 - x0, 1):.1f}" '
        f'height="{plot_h}"><title>'
        + e(_("From the first mention to the alert"))
        + "</title></rect>"
    ]


def _axes(series: Series, peak: int, plot_h: int) -> list[str]:
    base = TOP + plot_h
    out = [f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{W - RIGHT}" y2="{base}"/>']
    for frac in (0.0, 0.5, 1.0):
        y = base - frac * plot_h
        out.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                   f"{round(peak * frac)}</text>")  # fmt: skip
        share = e(i18n.percent(frac))
        out.append(f'<text class="tick neg" x="{W - RIGHT + 6}" y="{y + 4:.1f}">{share}</text>')
    ticks, n = 6, len(series.counts)
    for k in range(ticks + 1):
        at = series.start + series.bin * round(k * n / ticks)  # on bin edges: whole minutes
        out.append(f'<text class="tick" x="{_x(series, at):.1f}" y="{base + 18}" '
                   f'text-anchor="middle">{e(_fmt(at, series))}</text>')  # fmt: skip
    out.append(f'<text class="tick" x="{LEFT}" y="{TOP - 12}">' + e(_("mentions")) + "</text>")
    out.append(
        f'<text class="tick neg" x="{W - RIGHT}" y="{TOP - 12}" text-anchor="end">'
        + e(_("negative share")) + "</text>"
    )  # fmt: skip
    return out


def _share_line(series: Series, bar_w: float, plot_h: int) -> str:
    points = [
        f"{LEFT + (i + 0.5) * bar_w:.1f},{TOP + plot_h - neg / count * plot_h:.1f}"
        for i, (count, neg) in enumerate(zip(series.counts, series.negative, strict=True))
        if count
    ]
    return f'<polyline class="share" points="{" ".join(points)}"/>' if points else ""


def _markers(series: Series, steps: list[review.Step], plot_h: int, told: list[str]) -> list[str]:
    out = []
    # A step's tip is its line of "What happened" ("2. 09:00 — Alice Moreau claimed it."), in
    # the reader's language, not its event type.
    for n, (step, text) in enumerate(zip(steps, told, strict=True), 1):
        x = _x(series, step.at)
        out.append(
            f'<g class="step"><line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}"/>'
            f'<circle cx="{x:.1f}" cy="{TOP - 2}" r="8"/><text x="{x:.1f}" y="{TOP + 2}" '
            f'text-anchor="middle">{n}</text><title>{n}. '
            + e(f"{_fmt(step.at, series)} — {text}")
            + "</title></g>"
        )
    return out


# -- the document ------------------------------------------------------------------------------
STYLE = """
:root{--ink:#1d2330;--muted:#5b6475;--line:#dfe3ea;--bar:#7aa7d9;--neg:#d2453b;--step:#30405c;
--band:#f6d9a8;--ok:#1f7a4d;--warn:#a5520f;--bg:#fff;--soft:#f5f7fa}
*{box-sizing:border-box}
body{margin:0;background:var(--soft);color:var(--ink);
font:15px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px}
section,header{background:var(--bg);border:1px solid var(--line);border-radius:10px;
padding:18px 22px;margin:0 0 16px}
h1{font-size:24px;margin:0 0 6px}h2{font-size:18px;margin:0 0 10px}
h3{font-size:15px;margin:12px 0 4px}
.meta{color:var(--muted);margin:2px 0}.drill{background:#6b3fa0;color:#fff;border-radius:4px;
padding:1px 6px;font-size:13px;vertical-align:middle}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card b{display:block;font-size:22px}.card span{color:var(--muted);font-size:13px}
.chart{width:100%;height:auto}.chart .bar{fill:var(--bar)}.chart .band{fill:var(--band);opacity:.55}
.chart .share{fill:none;stroke:var(--neg);stroke-width:2}.chart .axis{stroke:var(--muted)}
.chart .tick{fill:var(--muted);font-size:11px}.chart .tick.neg{fill:var(--neg)}
.chart .step line{stroke:var(--step);stroke-dasharray:4 3}.chart .step circle{fill:var(--step)}
.chart .step text{fill:#fff;font-size:10px;font-weight:bold}
.legend{color:var(--muted);font-size:13px}.legend i{display:inline-block;width:12px;height:12px;
margin:0 4px 0 12px;vertical-align:middle}
.review ul,.review ol{margin:4px 0 8px;padding-left:22px}.worked li::marker{color:var(--ok)}
.change li::marker{color:var(--warn)}.n{display:inline-block;min-width:20px;border-radius:10px;
background:var(--step);color:#fff;font-size:11px;text-align:center;margin-right:6px}
[contenteditable]{outline:none}[contenteditable]:focus{background:#fffbe8}
.draft{border-left:4px solid var(--line);padding:4px 12px;margin:10px 0}
.draft.approved{border-color:var(--ok)}.draft.rejected{border-color:var(--neg)}
blockquote{margin:6px 0;padding:6px 10px;background:var(--soft);white-space:pre-wrap;
overflow-wrap:anywhere}
.pill{border-radius:10px;padding:0 8px;font-size:12px;background:var(--soft);
border:1px solid var(--line)}
table{width:100%;border-collapse:collapse;font-size:13px}
th,td{text-align:left;vertical-align:top;padding:4px 6px;border-bottom:1px solid var(--line)}
td{overflow-wrap:anywhere}code{font-size:12px}.id{color:var(--muted);font-size:12px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:8px}
@media (max-width:700px){.cards{grid-template-columns:repeat(2,1fr)}}
@media print{body{background:#fff}section,header{break-inside:avoid;border:0}}
"""


def write_html(
    session: Session,
    incident: Incident,
    out: IO[str],
    name_of: NameOf,
    *,
    config: Config | None = None,
    now: datetime | None = None,
) -> None:
    config = config or Config()
    now = now or datetime.now(UTC)
    metrics = stats.incident_metrics(session, incident)
    drafts = records.draft_dicts(session, incident, name_of)
    prefilled, steps = review.prefill(
        session, incident, metrics=metrics, drafts=drafts, config=config, name_of=name_of
    )
    title = (_("DRILL · ") if incident.is_drill else "") + _(
        "Incident #{number}: {title}", number=incident.id, title=incident.title
    )
    out.write(
        f'<!DOCTYPE html>\n<html lang="{e(i18n.current())}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="referrer" content="no-referrer">'
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body><main>\n"
    )
    out.write(_header(incident, name_of, config.shown_name(incident.brand)))
    out.write(_metrics(metrics))
    series = mention_series(session, incident, now, config)
    # The numbered steps are the last lines of "What happened" (the first mention leads).
    told = [text for _at, text in prefilled.happened[len(prefilled.happened) - len(steps) :]]
    out.write(_chart_section(series, steps, incident, told))
    follow_ups = records.follow_up_dicts(session, incident, now, name_of)
    out.write(_review_section(prefilled, steps, follow_ups, incident.id))
    out.write(_evidence_section(incident, name_of))
    out.write(_drafts_section(drafts))
    _timeline_section(session, incident, out, name_of)
    made = _("Made by crisisbot at {at} · times in {zone}", at=i18n.when(now),
             zone=i18n.zone_name())  # fmt: skip
    out.write(f"<footer>{e(made)}</footer>\n</main><script>{SCRIPT}</script></body></html>\n")


def _when(value: datetime | None) -> str:
    return e(i18n.when(value)) if value else "—"


def _stamp(iso: str | None) -> str:
    """A draft's stored UTC ISO time (as the JSON export has it) for a person, as the page's
    other dates and the Markdown export write it ("04.12.2026 09:05 EET"); ISO is for the
    timeline's column."""
    return i18n.when(datetime.fromisoformat(iso)) if iso else "—"


def _person(user: str | None, name_of: NameOf) -> str:
    if not user:
        return "crisisbot"
    return _named(user, name_of(user))


def _named(user: str, name: str | None) -> str:
    """A name with its ID beside it; the ID alone where no name is known."""
    if not name or name == user:
        return e(user)
    return f'{e(name)} <span class="id">{e(user)}</span>'


def _header(incident: Incident, name_of: NameOf, brand: str | None) -> str:
    """`brand`: as recorded, with the name it goes by now when renamed since (`formerly`)."""
    drill = '<span class="drill">' + e(_("DRILL")) + "</span> " if incident.is_drill else ""
    owner = _person(incident.owner, name_of) if incident.owner else e(_("nobody"))
    summary = f"<p>{e(incident.summary)}</p>" if incident.summary else ""
    title = e(_("Incident #{number}: {title}", number=incident.id, title=incident.title))
    meta = _(
        "Brand <b>{brand}</b> · status <b>{status}</b> · severity <b>{severity}</b> · "
        "owner {owner}", brand=e(brand or "—"), status=e(status_name(incident.status)),
        severity=e(severity_name(incident.severity)), owner=owner,
    )  # fmt: skip
    times = (
        _("Opened {opened} · dismissed {resolved}")
        if incident.status == "dismissed"  # a false positive, not a resolve
        else _("Opened {opened} · resolved {resolved}")
    ).format(opened=_when(incident.opened_at), resolved=_when(incident.resolved_at))
    return (
        f"<header><h1>{drill}{title}</h1>"
        f'<p class="meta">{meta}</p>'
        f'<p class="meta">{times}</p>{summary}</header>\n'
    )


def _metrics(m: stats.Metrics) -> str:
    cards = "".join(
        f'<div class="card"><b>{e(stats.human(value))}</b><span>{e(label)}</span></div>'
        for label, value in (
            (_("to detect (first mention → alert)"), m.time_to_detect),
            (_("to claim"), m.time_to_claim),
            (_("to first approved reply"), m.time_to_first_approved_reply),
            (_("to resolve"), m.time_to_resolve),
        )
    )
    head = e(_("Response times"))
    return f'<section><h2>{head}</h2><div class="cards">{cards}</div></section>\n'


def _chart_section(
    series: Series, steps: list[review.Step], incident: Incident, told: list[str]
) -> str:
    minutes = int(series.bin.total_seconds() // 60)
    head = _("Mentions of {brand}", brand=incident.brand or _("the brand"))
    legend = [
        ("--bar", _("mentions per {minutes} min", minutes=minutes)),
        ("--neg", _("negative share")),
        ("--band", _("first mention → alert")),
        ("--step", _("numbered steps (see What happened)")),
    ]
    keys = "".join(f'<i style="background:var({var})"></i>{e(text)}' for var, text in legend)
    return (
        f"<section><h2>{e(head)}</h2>"
        f"{chart_svg(series, steps, incident, told)}"
        f'<p class="legend">{keys}</p>'
        "</section>\n"
    )


def _review_section(
    r: review.Review, steps: list[review.Step], follow_ups: list[dict[str, Any]], number: int
) -> str:
    lead = len(r.happened) - len(steps)  # lines before the numbered steps (the first mention)
    happened = []
    for n, (at, text) in enumerate(r.happened):
        if r.untold > 0 and n == r.untold_at:
            happened.append(f"<li>{e(r.gap())}</li>")
        badge = f'<span class="n">{n - lead + 1}</span>' if n >= lead else ""
        happened.append(f"<li>{badge}<b>{_when(at)}</b> — {e(text)}</li>")
    worked = (
        "".join(f"<li>{e(t)}</li>" for t in r.worked) or "<li>" + e(_("(to fill in)")) + "</li>"
    )
    change = "".join(f"<li>{e(t)}</li>" for t in r.change)
    prefilled = _("Prefilled from the timeline: edit it here (the text is editable).")
    # Without JavaScript there is no button: a browser's Save may drop the edits, printing
    # keeps them.
    no_script = _("To keep your edits, print the page (to PDF) or copy them out: a browser's "
                  "Save may keep the page as it was sent.")  # fmt: skip
    button = e(_("Download edited copy"))
    saves = e(_("saves this page with your edits as a new file"))
    name = e(f"incident-{number}-report-edited.html")
    h_review, h_happened = e(_("Post-incident review")), e(_("What happened"))
    h_worked, h_change = e(_("What worked")), e(_("What to change"))
    return (
        f'<section class="review"><h2>{h_review}</h2>'
        f'<p class="meta">{e(prefilled)} <span id="save-hint">{e(no_script)}</span></p>'
        f'<p id="save-bar" class="meta" hidden><button type="button" id="save-copy" '
        f'data-file="{name}">{button}</button> {saves}</p>'
        f'<h3>{h_happened}</h3><ul contenteditable="true">{"".join(happened)}</ul>'
        f'<h3>{h_worked}</h3><ul class="worked" contenteditable="true">{worked}</ul>'
        f'<h3>{h_change}</h3><ul class="change" contenteditable="true">{change}</ul>'
        f"{_follow_ups_table(follow_ups)}</section>\n"
    )


def _follow_ups_table(rows: list[dict[str, Any]]) -> str:
    """The follow-up actions under the review: tracked in Slack, so shown, not editable."""
    head = e(_("Follow-up actions"))
    if not rows:
        none = e(_("(none yet: `/crisis followup N @owner <text>` adds one)"))
        return f"<h3>{head}</h3><ul><li>{none}</li></ul>"
    heads = "".join(f"<th>{e(h)}</th>" for h in ("", _("Action"), _("Owner"), _("Due"), _("State")))
    body = "".join(
        f'<tr class="fu {e(f["status"])}"><td>{e(f["ref"])}</td><td>{e(f["text"])}</td>'
        f"<td>{_named(f['owner'], f['owner_name'])}</td>"
        f"<td>{e(records.follow_up_due(f))}</td><td>{e(records.follow_up_state(f))}</td></tr>"
        for f in rows
    )
    return f"<h3>{head}</h3><table><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>"


def safe_link(url: Any) -> str | None:
    """Only http(s) links to posts: a javascript: or data: URL from a feed must not be a link."""
    if not isinstance(url, str):
        return None
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else None


def _evidence_section(incident: Incident, name_of: NameOf) -> str:
    ev = incident.evidence or {}
    declared = review.declared_line(incident, name_of)
    lines = ([declared] if declared else []) + list(ev.get("reasons", []))
    reasons = "".join(f"<li>{e(r)}</li>" for r in lines) or "<li>—</li>"
    quotes = []
    for s in ev.get("samples", [])[:5]:
        link = safe_link(s.get("url"))
        source = e(s.get("source") or _("post"))
        cite = f'<a href="{e(link)}" rel="noopener noreferrer">{source}</a>' if link else source
        said = _("— {author} on {source}", author=e(s.get("author")), source=cite)
        # <bdi>: a post in Arabic or Hebrew reads in its own direction ("؟" at its end).
        quotes.append(
            f"<blockquote><bdi>{e(s.get('text'))}</bdi><br><small>{said}</small></blockquote>"
        )
    h_why, h_said = e(_("Why it fired")), e(_("What people said"))
    return (
        f"<section><h2>{h_why}</h2><ul>{reasons}</ul>"
        + (f"<h3>{h_said}</h3>{''.join(quotes)}" if quotes else "")
        + "</section>\n"
    )


def _drafts_section(drafts: list[dict[str, Any]]) -> str:
    head = e(_("Drafted replies"))
    if not drafts:
        none = e(_("No reply was drafted."))
        return f"<section><h2>{head}</h2><p>{none}</p></section>\n"
    items = []
    for d in drafts:
        status = e(draft_status(d["status"]))
        decider = _named(d["decided_by"] or "", d["decided_by_name"])
        decided = (
            " · " + _("{status} by {who} at {at}", status=status, who=decider,
                      at=e(_stamp(d["decided_at"])))
            if d["decided_by"] else ""
        )  # fmt: skip
        reason = (
            "<p>" + e(_("Reason: {reason}", reason=d["reason"])) + "</p>" if d["reason"] else ""
        )
        author = _named(d["author"], d["author_name"])
        # The state after the author: "v2 approved by Alice" read as Alice approving her own.
        items.append(
            f'<div class="draft {e(d["status"])}"><b>v{d["version"]}</b> '
            + _("by {author} at {at}", author=author, at=e(_stamp(d["created_at"])))
            + f' <span class="pill">{status}</span>'
            + f'{decided}<blockquote dir="auto">{e(d["text"])}</blockquote>{reason}</div>'
        )
    return f"<section><h2>{head}</h2>{''.join(items)}</section>\n"


def _timeline_section(session: Session, incident: Incident, out: IO[str], name_of: NameOf) -> None:
    time = _("Time ({zone})", zone=i18n.zone_name())
    heads = "".join(f"<th>{e(h)}</th>" for h in (time, _("Step"), _("Who"), _("Details")))
    h_timeline = e(_("Timeline"))
    out.write(f"<section><h2>{h_timeline}</h2><table><thead><tr>{heads}</tr></thead><tbody>\n")
    for event in records.events(session, incident.id):
        details = records.details(event.data, name_of)
        out.write(
            f"<tr><td>{i18n.stamp(event.at)}</td><td><code>{e(event.type)}</code></td>"
            f"<td>{_person(event.actor, name_of)}</td><td>{e(details)}</td></tr>\n"
        )
    out.write("</tbody></table></section>\n")
