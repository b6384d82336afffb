"""All Block Kit the bot sends, built in one place with slack_sdk's models and escaped once.

Everything quoted from the outside world goes through `escape_mrkdwn` before it reaches mrkdwn,
so a mention can never ping `@channel`, a group or a person, nor hide a link's real address.
Every word the bot adds comes from the catalogue (`bot.core.i18n`), in the team's language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    ExternalDataSelectElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.core import i18n
from bot.core.config import Config
from bot.core.i18n import N_, _
from bot.core.text import clean, cut, escape_mrkdwn, quote, safe_url
from bot.response import followups, updates
from bot.response.drafts import draft_status
from bot.response.incidents import severity_name, status_name
from bot.response.lookups import IncidentLine, PendingDraft
from bot.response.rooms import Room
from bot.response.stats import TeamStats, human
from bot.slack.audience import SCOPES, Audience
from bot.slack.commands import DECLARE_TEXT
from bot.slack.ids import Action
from bot.slack.ids import Block as BlockId
from bot.slack.ids import View as ViewId
from models import SEVERITIES, Draft, FollowUp, Incident

SECTION_LIMIT = 3000
CONTEXT_LIMIT = 2000  # per context element (Slack's documented maximum for a text object)
HEADER_LIMIT = 150
MESSAGE_TEXT_LIMIT = 4000  # the notification text; Slack truncates longer `text`
SAMPLE_LIMIT = 2900  # one quoted mention on the card
SAMPLE_ROOM = 300  # what a sample's link may never take from the mention's own text
DECLARED_LIMIT = 2500  # what a person said happened, on a declared incident's card
MAX_SELECT_OPTIONS = 100  # Slack's limit for a static select

STATUS_EMOJI = {
    "open": ":rotating_light:",
    "claimed": ":large_orange_circle:",
    "escalated": ":red_circle:",
    "resolved": ":white_check_mark:",
    "dismissed": ":heavy_minus_sign:",
}


def _user(user: str | None) -> str:
    return f"<@{user}>" if user else _("nobody")


def incident_title(incident: Incident) -> str:
    drill = _("DRILL · ") if incident.is_drill else ""
    return f"{drill}#{incident.id} {incident.title}"


def incident_card(
    incident: Incident,
    config: Config,
    latest_draft: Draft | None = None,
    follow_ups: tuple[int, int] = (0, 0),
    opening: int = 0,
    last_update: tuple[datetime, str | None] | None = None,
    room: Room | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """The alert message, kept up to date in place: state, owner, level, evidence, buttons;
    `room`: the incident's own channel, linked ("Room: #crisis-42-acme"), else a button opens it;
    `follow_ups` (open, done) are counted on it, and a closed card offers to add one.
    `opening`: how many times it was reopened, carried by Resolve, Dismiss and Reopen.
    `last_update`: when the last stakeholders' update went out, and who wrote it."""
    ev = incident.evidence or {}
    level = config.level_at(incident.level).name
    status = f"{STATUS_EMOJI.get(incident.status, '')} *{_cap(status_name(incident.status))}*"
    blocks: list[Block] = [
        # The brand comes from outside: escape it like all text (Slack shows the entities as
        # the characters) so no ping syntax reaches Slack at all, and fold RTL overrides.
        HeaderBlock(text=quote(incident_title(incident), HEADER_LIMIT)),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=_("*Status*") + f"\n{status}"),
                MarkdownTextObject(text=_("*Owner*") + f"\n{_user(incident.owner)}"),
                MarkdownTextObject(text=_("*Severity*") + f"\n{severity_name(incident.severity)}"),
                MarkdownTextObject(text=_("*Level*") + f"\n{quote(level, 200)}"),
            ]
        ),
    ]
    pulse = ev.get("pulse")
    if incident.is_open and isinstance(pulse, dict):
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=pulse_line(pulse))]))
    if ev.get("declared_by"):  # opened by a person, not by an alert
        said = quote(str(ev.get("declared") or ""), DECLARED_LIMIT)
        text = _("*Declared by* {who}", who=_user(str(ev["declared_by"])))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"{text}\n{said}")))
    reasons = [quote(str(r), 600) for r in ev.get("reasons", [])][:6]
    if reasons:
        text = _("*Why this fired*") + "\n" + "\n".join(f"• {r}" for r in reasons)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT))))
    blocks.extend(_samples(ev.get("samples", [])))
    if latest_draft is not None:
        blocks.append(_draft_summary(latest_draft))
    if incident.summary:
        text = _("*Summary*") + f"\n{quote(incident.summary, SECTION_LIMIT - 20)}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    if any(follow_ups):
        blocks.append(_follow_up_count(incident, *follow_ups))
    if last_update is not None:
        at, author = last_update
        line = last_update_line(at, author)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=line)]))
    if room is not None:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=room_line(room))]))
    if incident.is_open:
        blocks.append(_severity_picker(incident))
        blocks.append(_incident_buttons(incident, opening, with_room=room is None))
    else:  # the lessons are mostly written after the resolve
        button = ButtonElement(
            text=_("Add follow-up"), action_id=Action.ADD_FOLLOW_UP, value=str(incident.id)
        )
        # Reopen carries the state the card shows and its reopen count ("7:resolved:0"): a
        # click on a card that was reopened and closed (otherwise, or alike) meanwhile is
        # refused, not taken for the new close.
        reopen = ButtonElement(
            text=_("Reopen"), action_id=Action.REOPEN,
            value=f"{incident.id}:{incident.status}:{opening}",
        )  # fmt: skip
        blocks.append(ActionsBlock(block_id=BlockId.FOLLOW_UP_ACTIONS, elements=[button, reopen]))
    if incident.is_drill:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=_("*DRILL* · not a real crisis"))])
        )
    fallback = _(
        "{title} · {status} · owner: {owner}", title=incident_title(incident),
        status=status_name(incident.status), owner=incident.owner or _("nobody"),
    )  # fmt: skip
    # The notification text is mrkdwn too: a pushed brand like "<!channel>" would ping everyone.
    return quote(fallback, MESSAGE_TEXT_LIMIT), [b.to_dict() for b in blocks]


def last_update_line(at: datetime, author: str | None) -> str:
    """When the stakeholders last heard from the team (the card, `/crisis status`)."""
    return ":mega: " + _("Last update {at} by {who}", at=fmt_time(at), who=_user(author))


PULSE_TRENDS = {
    "rising": N_(":chart_with_upwards_trend: rising"),
    "steady": N_(":arrow_right: steady"),
    "easing": N_(":chart_with_downwards_trend: easing"),
    "usual": N_(":white_check_mark: back to its usual level"),
}


def pulse_line(pulse: dict[str, Any]) -> str:
    """How the storm goes now, on an open incident's card: "*Now* (14:05): rising · 120
    mentions in the last hour (usually about 39; 80 the hour before) · 64% negative"."""
    observed, previous = int(pulse.get("observed") or 0), pulse.get("previous")
    count = i18n.ngettext("{n} mention in the last hour", "{n} mentions in the last hour", observed)
    usual = _("usually about {n}", n=i18n.number(round(float(pulse.get("expected") or 0))))
    if previous is not None:
        usual = _("{usual}; {n} the hour before", usual=usual, n=i18n.number(int(previous)))
    line = _(
        "*Now* ({at}): {trend} · {count} ({usual})",
        at=fmt_time(datetime.fromisoformat(str(pulse["at"]))),
        trend=_(PULSE_TRENDS.get(str(pulse.get("trend")), PULSE_TRENDS["steady"])),
        count=count, usual=usual,
    )  # fmt: skip
    # The last hour's own share (a pulse stored before it was counted: the window's share).
    negatives, share = pulse.get("negatives"), pulse.get("negative_share")
    if isinstance(negatives, int) and observed:
        share = min(negatives / observed, 1.0)
    if isinstance(share, int | float) and observed:
        line += " · " + _("{share} negative", share=i18n.percent(float(share)))
    return line


def _follow_up_count(incident: Incident, open_: int, done: int) -> Block:
    text = follow_up_count(incident.id, open_, done)
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def follow_up_count(number: int, open_: int, done: int) -> str:
    """ ":clipboard: *2 open follow-ups*, 1 done · `/crisis followups 7`" (card and status)."""
    opened = i18n.ngettext("*{n} open follow-up*", "*{n} open follow-ups*", open_)
    text = _("{open}, {done} done · `/crisis followups {number}`", open=opened,
             done=i18n.number(done), number=number)  # fmt: skip
    return ":clipboard: " + text


def _samples(samples: Sequence[dict[str, Any]]) -> list[Block]:
    if not samples:
        return []
    blocks: list[Block] = [DividerBlock()]
    for s in samples[:5]:
        author = quote(s.get("author") or _("unknown"), 80)
        followers = s.get("author_followers")
        reach = (
            " · " + i18n.ngettext("{n} follower", "{n} followers", followers)
            if isinstance(followers, int)
            else ""
        )
        url = safe_url(s.get("url"))
        link = " · <" + url + "|" + i18n.pgettext("link", "open") + ">" if url else ""
        source = quote(str(s.get("source", "")), 40)
        head = _("*{author}* on {source}", author=author, source=source) + reach
        if len(head) + len(link) > SAMPLE_LIMIT - SAMPLE_ROOM:
            link = ""  # a link of thousands of characters: left out whole, not cut open
        body = "\n".join("> " + line for line in quote(s.get("text", ""), 700).splitlines() or [""])
        text = cut(f"{head}{link}\n{body}", SAMPLE_LIMIT)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    return blocks


def _draft_summary(draft: Draft) -> Block:
    fields = {"version": draft.version, "status": draft_status(draft.status),
              "author": f"<@{draft.author}>", "approver": f"<@{draft.decided_by}>"}  # fmt: skip
    head = (
        _("*Latest draft* (v{version}, {status}) by {author}, approved by {approver}", **fields)
        if draft.status == "approved"
        else _("*Latest draft* (v{version}, {status}) by {author}", **fields)
    )
    text = f"{head}\n{quote(draft.text, 2500)}"
    return SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT)))


def _severity_picker(incident: Incident) -> Block:
    """Severity starts from the detector's evidence; staff can change it here."""
    options = [Option(text=_cap(severity_name(s)), value=f"{incident.id}:{s}") for s in SEVERITIES]
    current = next(o for o in options if o.value == f"{incident.id}:{incident.severity}")
    return SectionBlock(
        text=MarkdownTextObject(text=_("*Change severity*")),
        accessory=StaticSelectElement(
            action_id=Action.SEVERITY, options=options, initial_option=current
        ),
    )


def _incident_buttons(incident: Incident, opening: int, *, with_room: bool = True) -> Block:
    value = str(incident.id)
    # Claim and Escalate carry the state the card shows ("7:U123" held by U123, "7:" by nobody;
    # "7:1" at level 1): a click on a card that changed meanwhile is refused, not done twice.
    # Resolve and Dismiss carry the reopen count ("7:0"): a form opened before a reopen must
    # not close the incident again unseen.
    claim = f"{incident.id}:{incident.owner or ''}"
    escalate = f"{incident.id}:{incident.level}"
    close = f"{incident.id}:{opening}"
    buttons = [
        ButtonElement(text=_("Claim"), action_id=Action.CLAIM, value=claim, style="primary"),
        ButtonElement(
            text=_("Escalate"), action_id=Action.ESCALATE, value=escalate, style="danger"
        ),
        ButtonElement(text=_("Draft reply"), action_id=Action.DRAFT, value=value),
        ButtonElement(text=_("Post update"), action_id=Action.POST_UPDATE, value=value),
        ButtonElement(text=_("Resolve"), action_id=Action.RESOLVE, value=close),
        ButtonElement(text=_("Dismiss"), action_id=Action.DISMISS, value=close),
    ]
    if with_room:  # 7 of the 25 elements Slack allows in one actions block
        room = ButtonElement(text=_("Open a room"), action_id=Action.OPEN_ROOM, value=value)
        buttons.append(room)
    return ActionsBlock(block_id=BlockId.ACTIONS, elements=buttons)


def fmt_time(at: datetime | None) -> str:
    return i18n.when(at)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


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
    @property
    def is_drill(self) -> bool: ...


def incident_line(incident: IncidentLike) -> str:
    holder = f"<@{incident.owner}>"
    owner = _("held by {who}", who=holder) if incident.owner else _("unclaimed")
    # A drill beside a real incident of the same brand: the list must say which is practice.
    drill = _("DRILL · ") if incident.is_drill else ""
    return drill + _(
        "*#{number}* {title} · {status} · {severity} · {owner} · opened {opened}",
        number=incident.id, title=quote(incident.title, HEADER_LIMIT),
        status=status_name(incident.status), severity=severity_name(incident.severity),
        owner=owner, opened=fmt_time(incident.opened_at),
    )  # fmt: skip


LIST_BUDGET = 3500  # the lines of one `/crisis list` page; with its head and tail under 4,000


@dataclass(frozen=True, slots=True)
class _Page:
    """One page of a long list, cut to a budget of characters."""

    lines: list[str]
    number: int
    pages: int  # how many pages the whole list fills
    after: int  # lines on the pages after this one

    @property
    def exists(self) -> bool:
        return 1 <= self.number <= self.pages


def _page(lines: Sequence[str], number: int, budget: int) -> _Page:
    """Page `number` (from 1) of `lines` cut into pages of at most `budget` characters (a line
    longer than that gets a page of its own); `exists` is False past the last page."""
    pages: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if pages[-1] and size + len(line) + 1 > budget:
            pages.append([])
            size = 0
        pages[-1].append(line)
        size += len(line) + 1
    if not 1 <= number <= len(pages):
        return _Page([], number, len(pages), 0)
    after = len(lines) - sum(len(p) for p in pages[:number])
    return _Page(pages[number - 1], number, len(pages), after)


def _listed(head: str, page: _Page, more: str) -> str:
    """A page under its head, and what the next page holds (`more` is the command for it)."""
    text = "\n".join([head, *page.lines])
    if page.after > 0:
        text += "\n" + _("… and {count} more: {where}.", count=i18n.number(page.after), where=more)
    return text


def incident_list(rows: Sequence[IncidentLike], page: int = 1, this_channel: bool = False) -> str:
    """`/crisis list`: the open incidents, oldest first, a page at a time so a storm of them
    stays one readable message (Slack recommends at most 4,000 characters of `text`).
    `this_channel`: those of a client's channel only, and its head says so."""
    if not rows:
        return _("No open incidents. :relieved:")
    lines = [incident_line(row) for row in rows]
    shown = _page(lines, page, LIST_BUDGET)
    if not shown.exists:
        return i18n.ngettext(
            "There is no page {page}: the open incidents fill {n} page.",
            "There is no page {page}: the open incidents fill {n} pages.",
            shown.pages, page=page,
        )  # fmt: skip
    if this_channel:
        head = (
            _("*Open incidents in this channel*")
            if shown.pages == 1
            else _("*Open incidents in this channel* · page {page} of {pages}", page=page,
                   pages=shown.pages)
        )  # fmt: skip
    else:
        head = (
            _("*Open incidents*")
            if shown.pages == 1
            else _("*Open incidents* · page {page} of {pages}", page=page, pages=shown.pages)
        )
    return _listed(head, shown, f"`/crisis list {page + 1}`")


# -- Follow-ups -----------------------------------------------------------------------------------
FOLLOW_UP_BUDGET = 3500  # one page of `/crisis followups`, as `/crisis list` keeps it
FOLLOW_UP_QUOTE = 300  # of the action's text, in a list line


def follow_up_added(follow_up: FollowUp, incident: Incident) -> str:
    """The answer to the person who added one."""
    drill = _("DRILL · ") if incident.is_drill else ""
    fields = {"ref": follow_up.ref, "number": incident.id, "owner": f"<@{follow_up.owner}>"}
    due = followups.due_text(follow_up)
    return drill + (
        _("Follow-up {ref} added to #{number} for {owner}, due {due}.", due=due, **fields)
        if due
        else _("Follow-up {ref} added to #{number} for {owner}, no due date.", **fields)
    )


def follow_up_line(line: followups.Line, now: datetime, *, with_incident: bool = True) -> str:
    """One follow-up: its F number, (its incident), owner, due date, state, and the action."""
    f = line.follow_up
    drill = _("DRILL · ") if line.is_drill else ""
    parts = [f"*{f.ref}*"]
    if with_incident:
        parts.append(f"{drill}#{line.incident_id} {quote(line.incident_title, 80)}")
    elif drill:
        parts.append(drill.strip(" ·"))
    parts.append(f"<@{f.owner}>")
    due = followups.due_text(f)
    if f.status == "done":
        parts.append(_("done by {who} {at}", who=f"<@{f.done_by}>", at=fmt_time(f.done_at)))
    elif followups.is_overdue(f, now):
        parts.append(_(":warning: *overdue* since {due}", due=due))
    elif due:
        parts.append(_("due {due}", due=due))
    return " · ".join(parts) + "\n> " + quote(f.text, FOLLOW_UP_QUOTE).replace("\n", " ")


def incident_follow_ups(number: int, lines: Sequence[followups.Line], now: datetime) -> str:
    """`/crisis followups N`: the incident's follow-ups, the open ones first."""
    if not lines:
        return _("#{number} has no follow-ups yet. `/crisis followup {number} @owner <text>` "
                 "adds one.", number=number)  # fmt: skip
    open_ = sum(1 for ln in lines if ln.follow_up.status == "open")
    head = _("*Follow-ups of #{number}* · {open} open, {done} done", number=number,
             open=i18n.number(open_), done=i18n.number(len(lines) - open_))  # fmt: skip
    out = [head]
    size = len(head)
    for k, ln in enumerate(lines):
        text = follow_up_line(ln, now, with_incident=False)
        if size + len(text) + 1 > FOLLOW_UP_BUDGET:
            where = f"`/crisis export {number}`"
            out.append(_("… and {count} more: {where}.", count=i18n.number(len(lines) - k),
                         where=where))  # fmt: skip
            break
        out.append(text)
        size += len(text) + 1
    return "\n".join(out)


def follow_up_list(lines: Sequence[followups.Line], page: int, now: datetime) -> str:
    """`/crisis followups`: every open follow-up of the team, oldest first, a page at a time,
    under how many there are ("*12 open follow-ups* · page 1 of 2")."""
    if not lines:
        return _("No open follow-ups. :relieved:")
    texts = [follow_up_line(ln, now) for ln in lines]
    shown = _page(texts, page, FOLLOW_UP_BUDGET)
    if not shown.exists:
        return i18n.ngettext(
            "There is no page {page}: the open follow-ups fill {n} page.",
            "There is no page {page}: the open follow-ups fill {n} pages.",
            shown.pages, page=page,
        )  # fmt: skip
    head = i18n.ngettext("*{n} open follow-up*", "*{n} open follow-ups*", len(lines))
    if shown.pages > 1:
        head = _("{list} · page {page} of {pages}", list=head, page=page, pages=shown.pages)
    # The word `page` in the team's language: the parser takes "page", "страница" and "стр".
    return _listed(head, shown, _("`/crisis followups page {page}`", page=page + 1))


def follow_up_modal(incident: Incident) -> dict[str, Any]:
    """Add follow-up, from a closed incident's card: the owner, the action, a due day."""
    view = View(
        type="modal",
        callback_id=ViewId.FOLLOW_UP,
        private_metadata=str(incident.id),
        title=PlainTextObject(text=cut(_("Follow-up · #{number}", number=incident.id), 24)),
        submit=PlainTextObject(text=_("Add")),
        close=PlainTextObject(text=_("Cancel")),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"*{quote(incident_title(incident), 200)}*")),
            InputBlock(
                block_id=BlockId.FOLLOW_UP_OWNER,
                label=_("Owner"),
                element=UserSelectElement(action_id="owner"),
            ),
            InputBlock(
                block_id=BlockId.FOLLOW_UP_TEXT,
                label=_("What is to be done"),
                element=PlainTextInputElement(
                    action_id="text", multiline=True, max_length=followups.MAX_TEXT
                ),
            ),
            InputBlock(
                block_id=BlockId.FOLLOW_UP_DUE,
                label=_("Due by (optional)"),
                optional=True,
                element=DatePickerElement(action_id="due"),
            ),
        ],
    )
    return view.to_dict()


def declare_modal(
    config: Config, text: str, brand: str | None, audience: Audience | None = None
) -> dict[str, Any]:
    """`/crisis declare`'s form: what happened, the brand (when the playbook has several) and a
    severity. `text` and `brand`: what the command already said. `audience`: whose clients the
    person may pick (an agency's client's person: theirs only; one of them: already picked)."""
    blocks: list[Block] = [
        InputBlock(
            block_id=BlockId.DECLARE_TEXT,
            label=_("What happened"),
            hint=_("The first line becomes the incident's title."),
            element=PlainTextInputElement(
                action_id="text",
                multiline=True,
                max_length=DECLARE_TEXT,
                initial_value=text[:DECLARE_TEXT] or None,
                placeholder=_("A journalist asked about the recall; a story runs at 18:00"),
            ),
        )
    ]
    names = [b.name for b in config.brands]
    if len(names) > 1:
        if audience is not None and not audience.everything:
            names = [n for n in names if audience.may_declare(n)]
            brand = names[0] if len(names) == 1 else brand
        if len(names) <= MAX_SELECT_OPTIONS:
            options = [Option(text=cut(name, 75), value=name) for name in names]
            initial = next((o for o in options if o.value == brand), None)
            element: Any = StaticSelectElement(
                action_id="brand", options=options, initial_option=initial,
                placeholder=_("Pick the brand"),
            )  # fmt: skip
        else:  # an agency's long list: a typeahead Slack fills from `brand_options`
            element = ExternalDataSelectElement(
                action_id="brand", min_query_length=0, placeholder=_("Type the brand's name"),
                initial_option=Option(text=cut(brand, 75), value=brand) if brand in names else None,
            )  # fmt: skip
        blocks.append(InputBlock(block_id=BlockId.DECLARE_BRAND, label=_("Brand"), element=element))
    options = [Option(text=_cap(severity_name(s)), value=s) for s in SEVERITIES]
    blocks.append(
        InputBlock(
            block_id=BlockId.DECLARE_SEVERITY,
            label=_("Severity"),
            element=StaticSelectElement(
                action_id="severity",
                options=options,
                initial_option=next(o for o in options if o.value == "high"),
            ),
        )
    )
    view = View(
        type="modal",
        callback_id=ViewId.DECLARE,
        title=PlainTextObject(text=cut(_("Declare an incident"), 24)),
        submit=PlainTextObject(text=cut(_("Declare"), 24)),
        close=PlainTextObject(text=_("Cancel")),
        blocks=blocks,
    )
    return view.to_dict()


def draft_card(
    draft: Draft, incident: Incident, *, own_approvers: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """A drafted public reply in the incident's thread; Approve/Reject while it is pending.
    `own_approvers`: the incident's brand names its own approvers (the agency's may not)."""
    drill = _("DRILL · ") if incident.is_drill else ""
    author = f"<@{draft.author}>"
    head = _(
        "*{drill}Draft reply v{version}* for #{number} by {author}", drill=drill,
        version=draft.version, number=incident.id, author=author,
    )  # fmt: skip
    who, at = f"<@{draft.decided_by}>", fmt_time(draft.decided_at)
    if draft.status == "pending" and not incident.is_open:
        state = _("Never decided: #{number} was closed first.", number=incident.id)
    elif draft.status == "pending" and own_approvers:
        # The brand's name, not its approvers' mentions: an edit of the card would page them.
        state = _("Waiting for approval by one of {brand}'s own approvers, other than the author.",
                  brand=escape_mrkdwn(incident.brand or ""))  # fmt: skip
    elif draft.status == "pending":
        state = _("Waiting for approval by an approver other than the author.")
    elif draft.status == "approved":
        state = _("Approved by {who} at {at}. Ready to copy:", who=who, at=at)
    elif draft.status == "rejected" and draft.reason:
        state = _("Rejected by {who} at {at}: {reason}", who=who, at=at,
                  reason=quote(draft.reason, 500))  # fmt: skip
    elif draft.status == "rejected":
        state = _("Rejected by {who} at {at}.", who=who, at=at)
    else:
        state = _("Superseded by a newer version.")
    text_block = _draft_body(draft, incident)
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"{head}\n{state}")),
        SectionBlock(block_id=BlockId.DRAFT_TEXT, text=MarkdownTextObject(text=text_block)),
    ]
    if draft.status == "pending" and incident.is_open:
        value = f"{draft.id}:{draft.version}"
        blocks.append(
            ActionsBlock(
                block_id=BlockId.DRAFT_ACTIONS,
                elements=[
                    ButtonElement(
                        text=_("Approve"), action_id=Action.APPROVE, value=value, style="primary"
                    ),
                    ButtonElement(
                        text=_("Reject"), action_id=Action.REJECT, value=value, style="danger"
                    ),
                ],
            )
        )
    fallback = drill + _(
        "Draft reply v{version} for #{number}: {status}",
        version=draft.version, number=incident.id, status=draft_status(draft.status),
    )  # fmt: skip
    return fallback, [b.to_dict() for b in blocks]


def _draft_body(draft: Draft, incident: Incident) -> str:
    """The reply as the card shows it, in one section: a code block once approved (to copy),
    quoted before. Escaping and the "> " of each line make it longer than the 3,000 characters
    a draft may have; if it must be cut, the card says where the whole text is."""
    if draft.status != "approved":
        return updates.quoted(draft.text, incident.id, SECTION_LIMIT)
    body = escape_mrkdwn(clean(draft.text))
    shown = f"```{body}```"
    if len(shown) <= SECTION_LIMIT:
        return shown
    note = _("_Shortened to fit Slack: `/crisis export {number}` has the full text._",
             number=incident.id)  # fmt: skip
    room = SECTION_LIMIT - len(note) - 1
    return f"```{cut(body, room - 6)}```\n{note}"


# -- Stakeholder updates --------------------------------------------------------------------------


def update_posted(posted: updates.Posted) -> str:
    """The answer to the person who posted an update: where it went."""
    number = posted.incident.id
    if posted.withheld:
        return _("DRILL · ") + _(
            "Update posted in #{number}'s thread (a drill sends nothing to {channel}).",
            number=number, channel=f"<#{posted.withheld}>",
        )  # fmt: skip
    drill = _("DRILL · ") if posted.incident.is_drill else ""
    if posted.channel:
        return drill + _("Update posted in #{number}'s thread and sent to {channel}.",
                         number=number, channel=f"<#{posted.channel}>")  # fmt: skip
    return drill + _("Update posted in #{number}'s thread.", number=number)


def update_modal(incident: Incident, channel: str | None) -> dict[str, Any]:
    """Post update, from an open incident's card: the text, and where it will go."""
    if channel and incident.is_drill:
        where = _("A drill: posted in the incident's thread only (for real it would also go to "
                  "{channel}).", channel=f"<#{channel}>")  # fmt: skip
    elif channel:
        where = _("Posted in the incident's thread and in {channel}.", channel=f"<#{channel}>")
    else:
        where = _("Posted in the incident's thread.")
    view = View(
        type="modal",
        callback_id=ViewId.POST_UPDATE,
        private_metadata=str(incident.id),
        title=PlainTextObject(text=cut(_("Update · #{number}", number=incident.id), 24)),
        submit=PlainTextObject(text=_("Post")),
        close=PlainTextObject(text=_("Cancel")),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"*{quote(incident_title(incident), 200)}*")),
            ContextBlock(elements=[MarkdownTextObject(text=where)]),
            InputBlock(
                block_id=BlockId.UPDATE_TEXT,
                label=_("Update"),
                hint=_("What we know, what we are doing, and when the next update comes."),
                element=PlainTextInputElement(
                    action_id="text", multiline=True, max_length=updates.MAX_TEXT
                ),
            ),
        ],
    )
    return view.to_dict()


def stakeholder_update(
    fields: dict[str, Any], *, author: str, owner: str | None, link: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """The update in the stakeholders' channel, readable on its own: the incident, its brand,
    severity, state and owner when it was written, the text, who wrote it, and a link to the
    incident's thread (None: Slack could not give one). People by name (`author`, `owner`): a
    mention would notify them in a channel they may not follow."""
    number = fields["number"]
    title = _("Update on #{number} {title}", number=number,
              title=quote(str(fields.get("title") or ""), HEADER_LIMIT))  # fmt: skip
    facts = [
        (_("*Brand*"), quote(str(fields.get("brand") or "—"), 200)),
        (_("*Severity*"), severity_name(str(fields.get("severity") or ""))),
        (_("*Status*"), _cap(status_name(str(fields.get("status") or "")))),
        (_("*Owner*"), quote(owner, 200) if owner else _("nobody")),
    ]
    at = datetime.fromisoformat(str(fields["at"]))
    posted = _("Posted by {who} at {at}", who=quote(author, 200), at=fmt_time(at))
    url = safe_url(link)
    if url:
        posted += " · <" + url + "|" + _("Open the incident thread") + ">"
    text = str(fields.get("text") or "")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f":mega: *{title}*")),
        SectionBlock(fields=[MarkdownTextObject(text=f"{k}\n{v}") for k, v in facts]),
        SectionBlock(text=MarkdownTextObject(text=updates.quoted(text, number, SECTION_LIMIT))),
        ContextBlock(elements=[MarkdownTextObject(text=cut(posted, CONTEXT_LIMIT))]),
    ]
    fallback = cut(f"{title}: {quote(text, MESSAGE_TEXT_LIMIT)}", MESSAGE_TEXT_LIMIT)
    return fallback, [b.to_dict() for b in blocks]


def draft_modal(incident: Incident, config: Config, latest: Draft | None = None) -> dict[str, Any]:
    """Evidence on top, a holding statement from the plan to start from, and the reply text.

    After a rejection the rejected text is in the box, with the reason, to edit rather than
    retype; a pending one likewise (posting replaces it)."""
    ev = incident.evidence or {}
    info: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{quote(incident_title(incident), 200)}*")),
    ]
    reasons = "\n".join(f"• {quote(str(r), 300)}" for r in ev.get("reasons", [])[:4])
    if reasons:
        info.append(SectionBlock(text=MarkdownTextObject(text=cut(reasons, SECTION_LIMIT))))
    for s in ev.get("samples", [])[:3]:
        author = quote(s.get("author") or _("unknown"), 60)
        line = f"> {quote(s.get('text', ''), 280)} — {author}"
        info.append(ContextBlock(elements=[MarkdownTextObject(text=line)]))
    plan = _plan_lines(config)
    if plan:
        info.append(ContextBlock(elements=[MarkdownTextObject(text=cut(plan, CONTEXT_LIMIT))]))
    inputs: list[Block] = []
    start_from = latest if latest is not None and latest.status in ("rejected", "pending") else None
    if start_from is not None:
        info.append(ContextBlock(elements=[MarkdownTextObject(text=_previous_draft(start_from))]))
    if config.templates:
        options = [
            Option(text=cut(t.name, 75), value=str(i)) for i, t in enumerate(config.templates[:100])
        ]
        inputs.append(
            InputBlock(
                block_id=BlockId.DRAFT_TEMPLATE,
                label=_("Start from a holding statement"),
                optional=True,
                element=StaticSelectElement(action_id="template", options=options),
            )
        )
    inputs.append(
        InputBlock(
            block_id=BlockId.DRAFT_TEXT,
            label=_("Public reply"),
            optional=bool(config.templates),
            hint=_("Leave empty to use the chosen statement as it is."),
            element=PlainTextInputElement(
                action_id="text",
                multiline=True,
                max_length=3000,
                initial_value=start_from.text[:3000] if start_from is not None else None,
            ),
        )
    )
    view = View(
        type="modal",
        callback_id=ViewId.DRAFT_REPLY,
        private_metadata=str(incident.id),
        title=PlainTextObject(text=cut(_("Draft reply · #{number}", number=incident.id), 24)),
        submit=PlainTextObject(text=_("Post draft")),
        close=PlainTextObject(text=_("Cancel")),
        blocks=[*info, DividerBlock(), *inputs],
    )
    return view.to_dict()


def _previous_draft(draft: Draft) -> str:
    if draft.status == "pending":
        return _("Draft v{version} waits for approval; posting this form replaces it. Its text "
                 "is below to edit.", version=draft.version)  # fmt: skip
    who = f"<@{draft.decided_by}>"
    reason = quote(draft.reason or "", 500) or "—"
    text = _("Draft v{version} was rejected by {who}: {reason}. Its text is below to edit.",
             version=draft.version, who=who, reason=reason)  # fmt: skip
    return cut(text, CONTEXT_LIMIT)


def _plan_lines(config: Config) -> str:
    lines = []
    if config.key_messages:
        keys = "; ".join(quote(k, 500) for k in config.key_messages)
        lines.append(_("*Key messages:*") + " " + keys)
    if config.spokespeople:
        people = ", ".join(f"<@{s}>" for s in config.spokespeople)
        lines.append(_("*Spokespeople:*") + " " + people)
    if config.plan_channels:
        channels = ", ".join(quote(c, 100) for c in config.plan_channels)
        lines.append(_("*Channels:*") + " " + channels)
    return "\n".join(lines)


def reason_modal(
    callback_id: str, metadata: str, title: str, label: str, *, optional: bool = False
) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=callback_id,
        private_metadata=metadata,
        title=PlainTextObject(text=cut(title, 24)),
        submit=PlainTextObject(text=_("Submit")),
        close=PlainTextObject(text=_("Cancel")),
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
    return notice_modal(number, _("Loading the evidence…"), callback_id=ViewId.DRAFT_REPLY)


def notice_modal(
    number: int, text: str, *, callback_id: str = "notice", title: str | None = None
) -> dict[str, Any]:
    """A modal that only shows a line of text (and can only be closed)."""
    view = View(
        type="modal",
        callback_id=callback_id,
        private_metadata=str(number),
        title=PlainTextObject(text=cut(title or _("Draft reply · #{number}", number=number), 24)),
        close=PlainTextObject(text=_("Close")),
        blocks=[SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT)))],
    )
    return view.to_dict()


def team_stats_lines(s: TeamStats) -> list[str]:
    """The response medians, one bullet each (`/crisis stats` and the Home tab)."""
    return [
        "• " + _("Median time to claim: {value}", value=human(s.median_to_claim)),
        "• " + _("Median time to first approved reply: {value}",
                 value=human(s.median_to_first_approved_reply)),
        "• " + _("Median time to resolve: {value}", value=human(s.median_to_resolve)),
        "• " + _("Dismissed as false positives: {share} ({count})",
                 share=i18n.percent(s.dismissed_share), count=i18n.number(s.dismissed)),
        "• " + _("Reopened after a close: {share} ({count})",
                 share=i18n.percent(s.reopened_share), count=i18n.number(s.reopened)),
    ]  # fmt: skip


# -- App Home ------------------------------------------------------------------------------------
HOME_MAX_INCIDENTS = 20  # a Home tab holds 100 blocks; the rest is one `/crisis list` away
HOME_MAX_DRAFTS = 10
HOME_MAX_SOURCES = 5  # stopped sources named on top; 20 + 10 + 5 blocks + headers stay < 100
HOME_MAX_FOLLOW_UPS = 10  # the viewer's own; with their header and "more", still < 100
HOME_OPEN_THREAD = N_("Open thread")
HOME_OPEN_DRAFT = N_("Open draft")


def home_view(
    incidents: Sequence[IncidentLine],
    drafts: Sequence[PendingDraft] | None,
    stats: TeamStats | None,
    *,
    days: int,
    now: datetime,
    link: Callable[[str | None, str | None], str | None],
    stopped: Sequence[tuple[str, datetime | None] | tuple[str, datetime | None, str]] = (),
    follow_ups: Sequence[followups.Line] = (),
    brand_approvers: bool = False,
    audience: Audience | None = None,
) -> dict[str, Any]:
    """The viewer's Home tab: the open incidents, the drafts waiting for them (None: they are no
    approver), the team's figures over the last `days` days (None: left out). `link(channel,
    ts)` gives a message's permalink, or None (the line then has no button). `stopped`: the
    mention sources that stopped working (name, last success, and why and what to do when
    known), shown first. `follow_ups`: the viewer's own open ones, overdue first.
    `brand_approvers`: some brands name their own approvers (the note to a non-approver says
    so). `audience`: an agency's client's person (not everything): the incidents shown are
    their clients' only, and the tab says so, or says why it shows none."""
    # A crisis no source saw (a journalist's call) starts here too: the Declare form.
    declare = ButtonElement(text=_("Declare a crisis"), action_id=Action.DECLARE, style="danger")
    blocks: list[Block] = [ActionsBlock(elements=[declare])]
    for name, since, *todo in stopped[:HOME_MAX_SOURCES]:
        shown = quote(name, 100)
        warning = (
            _(":warning: Mention source *{name}* has stopped working (last success {at}): "
              "storms seen only there are not detected. `/crisis sources` has the details.",
              name=shown, at=fmt_time(since))
            if since is not None
            else _(":warning: Mention source *{name}* has never worked yet: storms seen only "
                   "there are not detected. `/crisis sources` has the details.", name=shown)
        )  # fmt: skip
        # Why and what to do (bot.intake.stopped: already safe mrkdwn), when the error said.
        blocks.append(
            _mrkdwn_section(f"{warning}\n{cut(todo[0], 1500)}" if todo and todo[0] else warning)
        )
    blocks += _more(len(stopped) - HOME_MAX_SOURCES, "`/crisis sources`")
    blocks.append(HeaderBlock(text=_("Open incidents")))
    if audience is not None and audience.failed:  # "No open incidents" would be a guess
        blocks.append(_mrkdwn_section(clients_unreadable(audience)))
    elif audience is not None and not audience.everything:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clients_shown(audience))]))
    if not incidents and not (audience is not None and audience.failed):
        blocks.append(_mrkdwn_section(_("No open incidents. :relieved:")))
    for line in incidents[:HOME_MAX_INCIDENTS]:
        drill = _("DRILL · ") if line.is_drill else ""
        holder = f"<@{line.owner}>"
        owner = _("held by {who}", who=holder) if line.owner else _("unclaimed")
        head = f"{STATUS_EMOJI.get(line.status, '')} *{drill}#{line.id} {quote(line.title, 200)}*"
        state = _(
            "{status} · {severity} · {owner} · open for {time}",
            status=_cap(status_name(line.status)), severity=severity_name(line.severity),
            owner=owner, time=human(now - line.opened_at),
        )  # fmt: skip
        if line.room is not None:  # where the people working on it talk
            state += "\n" + room_line(line.room)
        url = link(line.channel, line.message_ts)
        button = _link_button(_(HOME_OPEN_THREAD), url, line.id)
        blocks.append(_mrkdwn_section(f"{head}\n{state}", button))
    blocks += _more(len(incidents) - HOME_MAX_INCIDENTS, _("`/crisis list` shows them all"))
    blocks += [DividerBlock(), HeaderBlock(text=_("Waiting for your approval"))]
    if drafts is None:
        note = (
            _("Drafts are approved by the people in CRISIS_APPROVERS, and a brand's by its "
              "own approvers where the playbook names them; you are not one of them.")
            if brand_approvers
            else _("Drafts are approved by the people in CRISIS_APPROVERS; you are not one of "
                   "them.")
        )  # fmt: skip
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    elif not drafts:
        blocks.append(_mrkdwn_section(_("Nothing waits for your approval.")))
    for d in (drafts or [])[:HOME_MAX_DRAFTS]:
        body = "\n".join("> " + ln for ln in quote(d.text, 400).splitlines() or [""])
        author = f"<@{d.author}>"
        drill = _("DRILL · ") if d.is_drill else ""  # approving a practice reply, not a real one
        text = _(
            "*{drill}Draft v{version}* for #{number} {title} by {author}", drill=drill,
            version=d.version,
            number=d.incident_id, title=quote(d.incident_title, 150), author=author,
        )  # fmt: skip
        url = link(d.channel, d.ts)
        button = _link_button(_(HOME_OPEN_DRAFT), url, d.id)
        blocks.append(_mrkdwn_section(cut(f"{text}\n{body}", SECTION_LIMIT), button))
    blocks += _more(len(drafts or []) - HOME_MAX_DRAFTS, _("open the incidents' threads"))
    blocks += [DividerBlock(), HeaderBlock(text=_("Your follow-ups"))]
    if not follow_ups:
        blocks.append(_mrkdwn_section(_("No open follow-ups of yours.")))
    for ln in follow_ups[:HOME_MAX_FOLLOW_UPS]:
        done = ButtonElement(
            text=_("Mark done"), action_id=Action.FOLLOW_UP_DONE, value=str(ln.follow_up.id)
        )
        blocks.append(_mrkdwn_section(follow_up_line(ln, now), done))
    blocks += _more(len(follow_ups) - HOME_MAX_FOLLOW_UPS, "`/crisis followups`")
    if stats is not None:
        blocks += [DividerBlock(), HeaderBlock(text=_("Last {days} days", days=days))]
        head = i18n.ngettext(
            "*{n} real incident* (drills left out)", "*{n} real incidents* (drills left out)",
            stats.count,
        )  # fmt: skip
        blocks.append(_mrkdwn_section("\n".join([head, *team_stats_lines(stats)])))
    updated = _("Updated {at} · `/crisis help` lists every command", at=fmt_time(now))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=updated)]))
    return View(type="home", blocks=blocks).to_dict()


HOME_MAX_CLIENTS = 10  # clients named in the note above a client's person's incidents


def clients_shown(audience: Audience) -> str:
    """Above a client's person's incidents: whose they are (the figures count the same)."""
    if not audience.brands:
        return _(
            "You are in neither the crisis channel nor a client's channel, so no client's "
            "incidents are shown here."
        )
    names = ", ".join(f"*{quote(b, 100)}*" for b in audience.brands[:HOME_MAX_CLIENTS])
    if len(audience.brands) > HOME_MAX_CLIENTS:
        names += " …"
    return i18n.ngettext(
        "The incidents and figures of your client only, whose channel you are in: {names}.",
        "The incidents and figures of your clients only, whose channels you are in: {names}.",
        len(audience.brands),
        names=names,
    )


def clients_unreadable(audience: Audience) -> str:
    """Instead of the incidents, when Slack could not say which clients are the person's: why,
    and for a missing scope what the admin must add. Their drafts and follow-ups still show."""
    if audience.error == "missing_scope":
        return _(
            ":warning: Your clients' incidents cannot be shown: the app may not read which "
            "channels you are in. A Slack admin must add the `{scope}` scope to the app "
            "(slack-manifest.json lists it) and reinstall it.",
            scope=quote(audience.needed or SCOPES, 100),
        )
    return _(
        ":warning: Your clients' incidents cannot be shown just now: Slack did not say which "
        "channels you are in (`{error}`). Drafts waiting for you and your own follow-ups are "
        "below; the tab tries again when it is next updated.",
        error=quote(audience.error or "", 100),
    )


def declare_unavailable(audience: Audience) -> str:
    """Instead of the Declare form, for an agency's client's person with no client to pick:
    Slack could not say which channels they are in, or they are in no client's channel."""
    if audience.error == "missing_scope":
        return _(
            "The form cannot list your clients: the app may not read which channels you are "
            "in. A Slack admin must add the `{scope}` scope to the app and reinstall it. "
            "Meanwhile `/crisis declare` and what happened, typed in your client's channel, "
            "declares for that client.",
            scope=quote(audience.needed or SCOPES, 100),
        )
    if audience.failed:
        return _(
            "The form cannot list your clients just now: Slack did not say which channels you "
            "are in (`{error}`). Try again in a minute, or type `/crisis declare` and what "
            "happened in your client's channel.",
            error=quote(audience.error or "", 100),
        )
    return _(
        "You may declare a crisis for the clients whose channels you are in, and you are in "
        "none of them. Ask the agency to add you to your client's channel."
    )


def declare_brand_refused(audience: Audience) -> str:
    """The Declare form's error beside the brand, for a pick the person may not make (plain
    text: a form's error shows no markup). Whether the brand exists is not said."""
    if audience.failed:
        return _(
            "Slack did not say which channels you are in ({error}), so the brand cannot be "
            "checked. Try again in a minute.",
            error=audience.error,
        )
    return _("Pick one of your clients: the brands whose channels you are in.")


def _mrkdwn_section(text: str, accessory: ButtonElement | None = None) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT)), accessory=accessory)


def _link_button(label: str, url: str | None, ident: int) -> ButtonElement | None:
    if url is None:
        return None
    return ButtonElement(text=label, action_id=Action.OPEN_THREAD, url=url, value=str(ident))


def _more(hidden: int, where: str) -> list[Block]:
    if hidden <= 0:
        return []
    more = _("… and {count} more: {where}.", count=i18n.number(hidden), where=where)
    return [ContextBlock(elements=[MarkdownTextObject(text=more)])]


def brand_options(
    config: Config, typed: str, audience: Audience | None = None
) -> list[dict[str, Any]]:
    """The Declare form's brand typeahead: Slack's answer to a `block_suggestion` (at most 100
    options, best matches first; none found: an empty list, and Slack says "No results").
    `audience`: an agency's client's person is offered their clients only."""
    if audience is None or audience.everything:
        found = config.find_brands(typed, MAX_SELECT_OPTIONS)
    else:
        mine = config.find_brands(typed, len(config.brands))
        found = [name for name in mine if audience.may_declare(name)][:MAX_SELECT_OPTIONS]
    return [Option(text=cut(name, 75), value=name).to_dict() for name in found]


def alert_rerouted(channel: str, error: str) -> str:
    """In the thread of an alert that its brand's own channel refused (posted here instead)."""
    return _(
        ":warning: This alert was meant for <#{channel}>, the brand's channel in the playbook, "
        "but Slack refused it there (`{error}`). Invite the app to that channel (`/invite` it "
        "there), or correct `channel` in the brand's entry; this incident stays here.",
        channel=channel, error=error,
    )  # fmt: skip


# ---- an incident's room (bot.response.rooms) -----------------------------------------------
TOPIC_LIMIT = 250  # Slack's longest topic and purpose
ROOM_REASONS = 6


def room_line(room: Room) -> str:
    """On the card: where the incident's room is."""
    return ":door: " + _("Room: {room}", room=f"<#{room.channel}|{room.name}>")


def room_topic(incident: Incident, link: str | None) -> str:
    """The room's topic and purpose: the incident's title and a link to its card (Slack shows
    them as plain text, links made clickable), within 250 characters, the link kept whole."""
    title = clean(incident_title(incident))
    if not link or len(link) > TOPIC_LIMIT - 40:
        return cut(title, TOPIC_LIMIT)
    return cut(title, TOPIC_LIMIT - len(link) - 3) + " · " + link


def room_intro(
    incident: Incident, config: Config, link: str | None, crisis: str | None, waiting: int = 0
) -> str:
    """The room's first message: where the incident stands (a room opened mid-way missed the
    steps so far: owner, level, drafts `waiting` for approval), what fired, the key messages
    and spokespeople, and where the decisions are taken (the card and its thread, not here)."""
    ev = incident.evidence or {}
    head = _("*{title}*: this room is for the people working on it.",
             title=quote(incident_title(incident), HEADER_LIMIT))  # fmt: skip
    where = f"<{link}|" + _("the card") + ">" if link else _("the card")
    lines = [head, _("Drafts, approvals and updates stay on {card} and in its thread; this room "
                     "gets a short note at each step.", card=where)]  # fmt: skip
    level = config.level_at(incident.level).name
    stands = _(
        "*Where it stands*: {status} · owner {owner} · severity {severity} · level {level}",
        status=status_name(incident.status), owner=_user(incident.owner),
        severity=severity_name(incident.severity), level=quote(level, 200),
    )  # fmt: skip
    if waiting:
        stands += "\n" + i18n.ngettext(
            "{n} draft waits for approval on the card.",
            "{n} drafts wait for approval on the card.",
            waiting,
        )
    lines.append(stands)
    if incident.summary:
        lines.append(_("*Summary*") + "\n" + quote(incident.summary, 1500))
    if ev.get("declared"):
        lines.append(_("*Declared by* {who}", who=_user(str(ev.get("declared_by") or ""))))
        lines.append(quote(str(ev["declared"]), 1500))
    reasons = [quote(str(r), 400) for r in ev.get("reasons", [])][:ROOM_REASONS]
    if reasons:
        lines.append(_("*Why this fired*") + "\n" + "\n".join(f"• {r}" for r in reasons))
    if config.key_messages:
        keys = "\n".join(f"• {quote(m, 400)}" for m in config.key_messages[:10])
        lines.append(_("*Key messages*") + "\n" + keys)
    if config.spokespeople:
        people = ", ".join(f"<@{p}>" for p in config.spokespeople)
        lines.append(_("*Spokespeople*: {people}", people=people))
    return cut("\n\n".join(lines), MESSAGE_TEXT_LIMIT - 100)


# Slack's answers for a person the room could not take, in words.
_INVITE_REFUSALS = {
    "cant_invite": N_("cannot be invited (a deactivated account or another app's bot)"),
    "user_is_restricted": N_("is a guest: only an admin can add them"),
    "user_is_ultra_restricted": N_("is a single-channel guest: only an admin can add them"),
    "user_not_found": N_("is not in this workspace"),
    "user_disabled": N_("is deactivated"),
    "cant_invite_self": N_("is the app itself"),
}


def room_opened(data: dict[str, Any]) -> str:
    """In the thread (and the command's answer): the room is open, who is in it, who is not."""
    room = f"<#{data['channel']}|{data['name']}>"
    who = _("by {who}", who=f"<@{data['by']}>") if data.get("by") else _("by itself")
    invited = ", ".join(f"<@{u}>" for u in data.get("invited") or []) or _("nobody")
    lines = [":door: " + _("Room {room} opened {who}; invited: {invited}.", room=room, who=who,
                           invited=invited)]  # fmt: skip
    for user, error in (data.get("not_invited") or {}).items():
        why = _INVITE_REFUSALS.get(error)
        lines.append(
            _("• <@{user}> {why} (`{error}`)", user=user, why=_(why) if why else _("was refused"),
              error=error)
        )  # fmt: skip
    return "\n".join(lines)


def room_not_invited(room: Room, user: str, error: str) -> str:
    """In the thread: someone the incident now involves could not join its room."""
    why = _INVITE_REFUSALS.get(error)
    return ":door: " + _(
        "<@{user}> {why} (`{error}`), so stays out of {room}.", user=user,
        room=f"<#{room.channel}|{room.name}>", why=_(why) if why else _("was refused"), error=error,
    )  # fmt: skip


def room_refused(number: int, error: str, needed: str | None) -> str:
    """In the thread and the command's answer: Slack would not open the room."""
    if error == "missing_scope":
        scope = needed or "channels:manage, groups:write"
        why = _(
            "the app lacks the `{scope}` scope: add it in the app's settings (OAuth & "
            "Permissions, or from slack-manifest.json) and reinstall the app",
            scope=scope,
        )
    elif error == "restricted_action":
        why = _(
            "the workspace's settings do not let this app create channels (`restricted_action`)"
        )
    else:
        why = _("Slack answered `{error}`", error=error)
    return ":warning: " + _(
        "Could not open a room for #{number}: {why}. The incident goes on here as before.",
        number=number,
        why=why,
    )


def room_step(number: int, text: str) -> str:
    """A step's note in the room: "#42 · claimed by @maria"."""
    return f"#{number} · {text}"
