"""All Block Kit the bot sends, built in one place with slack_sdk's models and escaped once.

Everything quoted from the outside world goes through `escape_mrkdwn` before it reaches mrkdwn,
so a mention can never ping `@channel`, a group or a person, nor hide a link's real address.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.core.config import Config
from bot.core.text import cut, escape_mrkdwn, quote, safe_url
from bot.response.lookups import IncidentLine, PendingDraft
from bot.response.stats import TeamStats, human
from bot.slack.ids import Action
from bot.slack.ids import Block as BlockId
from bot.slack.ids import View as ViewId
from models import SEVERITIES, Draft, Incident

SECTION_LIMIT = 3000
CONTEXT_LIMIT = 2000  # per context element (Slack's documented maximum for a text object)
HEADER_LIMIT = 150
MESSAGE_TEXT_LIMIT = 4000  # the notification text; Slack truncates longer `text`

STATUS_EMOJI = {
    "open": ":rotating_light:",
    "claimed": ":large_orange_circle:",
    "escalated": ":red_circle:",
    "resolved": ":white_check_mark:",
    "dismissed": ":heavy_minus_sign:",
}


def _user(user: str | None) -> str:
    return f"<@{user}>" if user else "nobody"


def incident_title(incident: Incident) -> str:
    drill = "DRILL · " if incident.is_drill else ""
    return f"{drill}#{incident.id} {incident.title}"


def incident_card(
    incident: Incident, config: Config, latest_draft: Draft | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The alert message, kept up to date in place: state, owner, level, evidence, buttons."""
    ev = incident.evidence or {}
    level = config.levels[min(incident.level, len(config.levels) - 1)].name
    status = f"{STATUS_EMOJI.get(incident.status, '')} *{incident.status.capitalize()}*"
    blocks: list[Block] = [
        # The brand comes from outside: escape it like all text (Slack shows the entities as
        # the characters) so no ping syntax reaches Slack at all, and fold RTL overrides.
        HeaderBlock(text=quote(incident_title(incident), HEADER_LIMIT)),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Status*\n{status}"),
                MarkdownTextObject(text=f"*Owner*\n{_user(incident.owner)}"),
                MarkdownTextObject(text=f"*Severity*\n{incident.severity}"),
                MarkdownTextObject(text=f"*Level*\n{escape_mrkdwn(level)}"),
            ]
        ),
    ]
    reasons = [quote(str(r), 600) for r in ev.get("reasons", [])][:6]
    if reasons:
        text = "*Why this fired*\n" + "\n".join(f"• {r}" for r in reasons)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT))))
    blocks.extend(_samples(ev.get("samples", [])))
    if latest_draft is not None:
        blocks.append(_draft_summary(latest_draft))
    if incident.summary:
        text = f"*Summary*\n{quote(incident.summary, SECTION_LIMIT - 20)}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    if incident.is_open:
        blocks.append(_severity_picker(incident))
        blocks.append(_incident_buttons(incident))
    if incident.is_drill:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text="*DRILL* · not a real crisis")])
        )
    fallback = (
        f"{incident_title(incident)} · {incident.status} · owner: {incident.owner or 'nobody'}"
    )
    # The notification text is mrkdwn too: a pushed brand like "<!channel>" would ping everyone.
    return quote(fallback, MESSAGE_TEXT_LIMIT), [b.to_dict() for b in blocks]


def _samples(samples: Sequence[dict[str, Any]]) -> list[Block]:
    if not samples:
        return []
    blocks: list[Block] = [DividerBlock()]
    for s in samples[:5]:
        author = quote(s.get("author") or "unknown", 80)
        followers = s.get("author_followers")
        reach = f" · {followers:,} followers" if isinstance(followers, int) else ""
        url = safe_url(s.get("url"))
        link = f" · <{url}|open>" if url else ""
        source = quote(str(s.get("source", "")), 40)
        head = f"*{author}* on {source}{reach}{link}"
        body = "\n".join("> " + line for line in quote(s.get("text", ""), 700).splitlines() or [""])
        blocks.append(SectionBlock(text=MarkdownTextObject(text=cut(f"{head}\n{body}", 2900))))
    return blocks


def _draft_summary(draft: Draft) -> Block:
    who = f"by <@{draft.author}>"
    if draft.status == "approved":
        who += f", approved by <@{draft.decided_by}>"
    text = f"*Latest draft* (v{draft.version}, {draft.status}) {who}\n{quote(draft.text, 2500)}"
    return SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT)))


def _severity_picker(incident: Incident) -> Block:
    """Severity starts from the detector's evidence; staff can change it here."""
    options = [Option(text=s.capitalize(), value=f"{incident.id}:{s}") for s in SEVERITIES]
    current = next(o for o in options if o.value == f"{incident.id}:{incident.severity}")
    return SectionBlock(
        text=MarkdownTextObject(text="*Change severity*"),
        accessory=StaticSelectElement(
            action_id=Action.SEVERITY, options=options, initial_option=current
        ),
    )


def _incident_buttons(incident: Incident) -> Block:
    value = str(incident.id)
    buttons = [
        ButtonElement(text="Claim", action_id=Action.CLAIM, value=value, style="primary"),
        ButtonElement(text="Escalate", action_id=Action.ESCALATE, value=value, style="danger"),
        ButtonElement(text="Draft reply", action_id=Action.DRAFT, value=value),
        ButtonElement(text="Resolve", action_id=Action.RESOLVE, value=value),
        ButtonElement(text="Dismiss", action_id=Action.DISMISS, value=value),
    ]
    return ActionsBlock(block_id=BlockId.ACTIONS, elements=buttons)


def fmt_time(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "—"


class IncidentLike(Protocol):
    """An incident as a one-line summary needs it: the model or a lookup's row."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def owner(self) -> str | None: ...
    @property
    def opened_at(self) -> datetime: ...


def incident_line(incident: IncidentLike) -> str:
    owner = f"held by <@{incident.owner}>" if incident.owner else "unclaimed"
    return (
        f"*#{incident.id}* {escape_mrkdwn(incident.title)} · {incident.status} · "
        f"{incident.severity} · {owner} · opened {fmt_time(incident.opened_at)}"
    )


def draft_card(draft: Draft, incident: Incident) -> tuple[str, list[dict[str, Any]]]:
    """A drafted public reply in the incident's thread; Approve/Reject while it is pending."""
    drill = "DRILL · " if incident.is_drill else ""
    head = f"*{drill}Draft reply v{draft.version}* for #{incident.id} by <@{draft.author}>"
    state = {
        "pending": "Waiting for approval by an approver other than the author.",
        "approved": f"Approved by <@{draft.decided_by}> at {fmt_time(draft.decided_at)}. "
        "Ready to copy:",
        "rejected": f"Rejected by <@{draft.decided_by}> at {fmt_time(draft.decided_at)}"
        + (f": {quote(draft.reason, 500)}" if draft.reason else "."),
        "superseded": "Superseded by a newer version.",
    }[draft.status]
    body = quote(draft.text, 2800)
    text_block = (
        f"```{body}```"
        if draft.status == "approved"
        else "\n".join("> " + line for line in body.splitlines() or [""])
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"{head}\n{state}")),
        SectionBlock(block_id=BlockId.DRAFT_TEXT, text=MarkdownTextObject(text=text_block)),
    ]
    if draft.status == "pending":
        value = f"{draft.id}:{draft.version}"
        blocks.append(
            ActionsBlock(
                block_id=BlockId.DRAFT_ACTIONS,
                elements=[
                    ButtonElement(
                        text="Approve", action_id=Action.APPROVE, value=value, style="primary"
                    ),
                    ButtonElement(
                        text="Reject", action_id=Action.REJECT, value=value, style="danger"
                    ),
                ],
            )
        )
    fallback = f"{drill}Draft reply v{draft.version} for #{incident.id}: {draft.status}"
    return fallback, [b.to_dict() for b in blocks]


def draft_modal(incident: Incident, config: Config) -> dict[str, Any]:
    """Evidence on top, a holding statement from the plan to start from, and the reply text."""
    ev = incident.evidence or {}
    info: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{quote(incident_title(incident), 200)}*")),
    ]
    reasons = "\n".join(f"• {quote(str(r), 300)}" for r in ev.get("reasons", [])[:4])
    if reasons:
        info.append(SectionBlock(text=MarkdownTextObject(text=cut(reasons, SECTION_LIMIT))))
    for s in ev.get("samples", [])[:3]:
        line = f"> {quote(s.get('text', ''), 280)} — {quote(s.get('author') or 'unknown', 60)}"
        info.append(ContextBlock(elements=[MarkdownTextObject(text=line)]))
    plan = _plan_lines(config)
    if plan:
        info.append(ContextBlock(elements=[MarkdownTextObject(text=cut(plan, CONTEXT_LIMIT))]))
    inputs: list[Block] = []
    if config.templates:
        options = [
            Option(text=cut(t.name, 75), value=str(i)) for i, t in enumerate(config.templates[:100])
        ]
        inputs.append(
            InputBlock(
                block_id=BlockId.DRAFT_TEMPLATE,
                label="Start from a holding statement",
                optional=True,
                element=StaticSelectElement(action_id="template", options=options),
            )
        )
    inputs.append(
        InputBlock(
            block_id=BlockId.DRAFT_TEXT,
            label="Public reply",
            optional=bool(config.templates),
            hint="Leave empty to use the chosen statement as it is.",
            element=PlainTextInputElement(action_id="text", multiline=True, max_length=3000),
        )
    )
    view = View(
        type="modal",
        callback_id=ViewId.DRAFT_REPLY,
        private_metadata=str(incident.id),
        title=PlainTextObject(text=cut(f"Draft reply · #{incident.id}", 24)),
        submit=PlainTextObject(text="Post draft"),
        close=PlainTextObject(text="Cancel"),
        blocks=[*info, DividerBlock(), *inputs],
    )
    return view.to_dict()


def _plan_lines(config: Config) -> str:
    lines = []
    if config.key_messages:
        lines.append("*Key messages:* " + "; ".join(escape_mrkdwn(k) for k in config.key_messages))
    if config.spokespeople:
        lines.append("*Spokespeople:* " + ", ".join(f"<@{s}>" for s in config.spokespeople))
    if config.plan_channels:
        lines.append("*Channels:* " + ", ".join(escape_mrkdwn(c) for c in config.plan_channels))
    return "\n".join(lines)


def reason_modal(
    callback_id: str, metadata: str, title: str, label: str, *, optional: bool = False
) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=callback_id,
        private_metadata=metadata,
        title=PlainTextObject(text=cut(title, 24)),
        submit=PlainTextObject(text="Submit"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            InputBlock(
                block_id=BlockId.REASON,
                label=label,
                optional=optional,
                element=PlainTextInputElement(action_id="reason", multiline=True, max_length=2000),
            )
        ],
    )
    return view.to_dict()


def loading_modal(number: int) -> dict[str, Any]:
    return notice_modal(number, "Loading the evidence…", callback_id=ViewId.DRAFT_REPLY)


def notice_modal(number: int, text: str, *, callback_id: str = "notice") -> dict[str, Any]:
    """A modal that only shows a line of text (and can only be closed)."""
    view = View(
        type="modal",
        callback_id=callback_id,
        private_metadata=str(number),
        title=PlainTextObject(text=cut(f"Draft reply · #{number}", 24)),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT)))],
    )
    return view.to_dict()


def team_stats_lines(s: TeamStats) -> list[str]:
    """The response medians, one bullet each (`/crisis stats` and the Home tab)."""
    return [
        f"• Median time to claim: {human(s.median_to_claim)}",
        f"• Median time to first approved reply: {human(s.median_to_first_approved_reply)}",
        f"• Median time to resolve: {human(s.median_to_resolve)}",
        f"• Dismissed as false positives: {s.dismissed_share:.0%} ({s.dismissed})",
    ]


# -- App Home ------------------------------------------------------------------------------------
HOME_MAX_INCIDENTS = 20  # a Home tab holds 100 blocks; the rest is one `/crisis list` away
HOME_MAX_DRAFTS = 10
HOME_OPEN_THREAD = "Open thread"
HOME_OPEN_DRAFT = "Open draft"


def home_view(
    incidents: Sequence[IncidentLine],
    drafts: Sequence[PendingDraft] | None,
    stats: TeamStats,
    *,
    days: int,
    now: datetime,
    link: Callable[[str | None, str | None], str | None],
) -> dict[str, Any]:
    """The viewer's Home tab: the open incidents, the drafts waiting for them (None: they are no
    approver), the team's figures over the last `days` days. `link(channel, ts)` gives a
    message's permalink, or None (the line then has no button)."""
    blocks: list[Block] = [HeaderBlock(text="Open incidents")]
    if not incidents:
        blocks.append(_mrkdwn_section("No open incidents. :relieved:"))
    for line in incidents[:HOME_MAX_INCIDENTS]:
        drill = "DRILL · " if line.is_drill else ""
        owner = f"held by <@{line.owner}>" if line.owner else "unclaimed"
        text = (
            f"{STATUS_EMOJI.get(line.status, '')} *{drill}#{line.id} "
            f"{quote(line.title, 200)}*\n{line.status.capitalize()} · {line.severity} · "
            f"{owner} · open for {human(now - line.opened_at)}"
        )
        url = link(line.channel, line.message_ts)
        blocks.append(_mrkdwn_section(text, _link_button(HOME_OPEN_THREAD, url, line.id)))
    blocks += _more(len(incidents) - HOME_MAX_INCIDENTS, "`/crisis list` shows them all")
    blocks += [DividerBlock(), HeaderBlock(text="Waiting for your approval")]
    if drafts is None:
        note = "Drafts are approved by the people in CRISIS_APPROVERS; you are not one of them."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    elif not drafts:
        blocks.append(_mrkdwn_section("Nothing waits for your approval."))
    for d in (drafts or [])[:HOME_MAX_DRAFTS]:
        body = "\n".join("> " + ln for ln in quote(d.text, 400).splitlines() or [""])
        text = (
            f"*Draft v{d.version}* for #{d.incident_id} {quote(d.incident_title, 150)} "
            f"by <@{d.author}>\n{body}"
        )
        url = link(d.channel, d.ts)
        blocks.append(
            _mrkdwn_section(cut(text, SECTION_LIMIT), _link_button(HOME_OPEN_DRAFT, url, d.id))
        )
    blocks += _more(len(drafts or []) - HOME_MAX_DRAFTS, "open the incidents' threads")
    blocks += [DividerBlock(), HeaderBlock(text=f"Last {days} days")]
    noun = "real incident" if stats.count == 1 else "real incidents"
    head = f"*{stats.count} {noun}* (drills left out)"
    blocks.append(_mrkdwn_section("\n".join([head, *team_stats_lines(stats)])))
    updated = f"Updated {fmt_time(now)} · `/crisis help` lists every command"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=updated)]))
    return View(type="home", blocks=blocks).to_dict()


def _mrkdwn_section(text: str, accessory: ButtonElement | None = None) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT)), accessory=accessory)


def _link_button(label: str, url: str | None, ident: int) -> ButtonElement | None:
    if url is None:
        return None
    return ButtonElement(text=label, action_id=Action.OPEN_THREAD, url=url, value=str(ident))


def _more(hidden: int, where: str) -> list[Block]:
    if hidden <= 0:
        return []
    return [ContextBlock(elements=[MarkdownTextObject(text=f"… and {hidden} more: {where}.")])]
