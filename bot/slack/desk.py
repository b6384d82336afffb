"""The response desk: runs a parsed `/crisis` command or a button for a person, in one
transaction, and says what happened. Listeners call these after `ack()`; delivery to Slack
happens through the outbox, off the request path. Answers are in the team's language: the Bolt
app sets the locale for each request (`handlers`), so nothing here passes it around.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.core import i18n
from bot.core.errors import Conflict, NotFound, ServiceError
from bot.core.i18n import N_, _
from bot.core.text import escape_mrkdwn, quote, visible
from bot.detection import drills
from bot.intake import backfill, stopped
from bot.response import drafts, followups, incidents, lookups, outbox, rooms, stats, updates
from bot.slack import home, messages
from bot.slack.commands import Command, help_text
from bot.slack.gateway import SlackError
from models import FollowUp, Incident, SlackEventSeen, SourceState, TimelineEvent

if TYPE_CHECKING:  # the container is handed in by the shell, never imported below it
    from bot.app import Crisisbot

logger = logging.getLogger(__name__)

DB_DOWN = N_(
    "The database is not answering right now, so nothing was changed. Try again in a minute."
)
SLACK_DOWN = N_("Slack did not answer while I checked the approvers. Try again in a minute.")
SLACK_SLOW = N_("Slack would not open the form in time. Please click again.")


ANYONE = incidents.ANYONE  # a claim that takes the incident whoever holds it
READ_ONLY = frozenset({"help", "list", "status", "stats", "sources", "followups"})
STATUS_REASONS = 6  # as many as the card shows; with the rest, `/crisis status` stays < 4,000


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    public: bool = False  # in_channel instead of ephemeral
    ok: bool = True  # False: refused or failed, nothing was changed
    # The incident it is about: a form's answer is told in that incident's channel (set by
    # every service a form calls, on success; `handlers.views._done` reads it).
    number: int | None = None


def guarded(work: Callable[[], Reply]) -> Reply:
    """Turn service refusals and outages into a clear answer; the transaction rolled back."""
    try:
        return _retrying_conflicts(work)
    except ServiceError as exc:
        return Reply(exc.message, ok=False)
    except DBAPIError:
        logger.exception("database error while serving a request")
        return Reply(_(DB_DOWN), ok=False)
    except SlackError as exc:
        logger.warning("Slack error while serving a request: %s", exc)
        return Reply(_(SLACK_DOWN), ok=False)


def _retrying_conflicts(work: Callable[[], Reply], attempts: int = 3) -> Reply:
    """Run `work` again when a concurrent request won a unique-key race (two drafts of one
    incident numbered at once): the work is one transaction, rolled back, so a rerun is safe
    and sees the winner's row, instead of answering "the database is down"."""
    for attempt in range(attempts):
        try:
            return work()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            logger.info("concurrent change; running the request again")
    raise AssertionError("unreachable")


def guard(fn: Callable[..., Reply]) -> Callable[..., Reply]:
    """`guarded` as a decorator, for command handlers that do not go through a guarded
    entry point of their own: every path is guarded exactly once."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Reply:
        return guarded(lambda: fn(*args, **kwargs))

    return run


# The commands whose number is an incident's (`list`'s is a page, `done`'s a follow-up's).
ABOUT_AN_INCIDENT = frozenset({"status", "claim", "escalate", "draft", "note", "update",
                               "resolve", "reopen", "export", "followup", "followups",
                               "room"})  # fmt: skip


def run_command(bot: Crisisbot, cmd: Command, *, user: str, channel: str) -> Reply:
    """Every command but `declare`, which may open a form (`declare`)."""
    if cmd.name in ABOUT_AN_INCIDENT and cmd.number is not None:
        refused = _elsewhere(bot, cmd.number, channel)
        if refused is not None:
            return refused
    reply = _COMMANDS[cmd.name](bot, dataclasses.replace(cmd, channel=channel), user)
    if cmd.name not in READ_ONLY:
        # Only a change queues a Slack message; waking the courier after a read cost every
        # /crisis list or status a claim query on the request server's CPU and pool.
        bot.kick()
    return reply


@guard
def _help(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    return Reply(help_text())


def _client_channel(bot: Crisisbot, channel: str | None) -> str | None:
    """`channel` when it is a brand's own incident channel (an agency's client's, often shared
    with the client): what is typed there is answered about the incidents in it only, never
    naming another client's. None elsewhere: every incident (the agency's view)."""
    return channel if bot.config.brand_of_channel(channel) else None


def _elsewhere(bot: Crisisbot, number: int, channel: str) -> Reply | None:
    """Typed in a client's channel about another client's incident (a number mistyped, or
    looked up elsewhere): refused, naming nothing of it, before anything is read out or done,
    so a client's draft never lands in another client's thread. None: go ahead (the
    channel's own incident, any incident outside a client's channel, an unknown number)."""
    here = _client_channel(bot, channel)
    if here is None:
        return None
    try:
        with bot.sessions() as session:
            found = session.execute(
                select(Incident.channel, Incident.brand).where(Incident.id == number)
            ).first()
    except DBAPIError:
        return None  # the command itself answers the outage
    if found is None or found.channel in (here, None):
        return None
    if found.brand is not None and bot.config.channel_for(found.brand) == here:
        # the channel's brand's own (any brand sharing it), posted in the crisis channel when
        # its channel refused
        return None
    return Reply(
        _("#{number} is not one of this channel's incidents: type the command in the crisis "
          "channel.", number=number),
        ok=False,
    )  # fmt: skip


@guard
def _list(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    with lookups.reading(bot.engine) as conn:
        rows = lookups.open_lines(conn)
    here = _client_channel(bot, cmd.channel)
    if here is not None:
        rows = [r for r in rows if r.channel == here]
    return Reply(messages.incident_list(rows, cmd.number or 1, this_channel=here is not None))


@guard
def _status(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    assert cmd.number is not None
    with lookups.reading(bot.engine) as conn:
        found = lookups.status(conn, cmd.number)
        follow_ups = followups.counts(conn, cmd.number)
    lines = [messages.incident_line(found.line)]
    if found.declared_by:
        lines.append(_("Declared by <@{user}>.", user=found.declared_by))
    if found.line.room is not None:  # as the card shows it
        lines.append(messages.room_line(found.line.room))
    if found.pulse is not None and found.line.status in incidents.OPEN_STATUSES:
        lines.append(messages.pulse_line(found.pulse))
    if found.last_update is not None:
        at, author = found.last_update
        lines.append(messages.last_update_line(at, author))
    lines += [f"• {messages.quote(r, 450)}" for r in found.reasons[:STATUS_REASONS]]
    if len(found.reasons) > STATUS_REASONS:
        where = f"`/crisis export {cmd.number}`"
        hidden = i18n.number(len(found.reasons) - STATUS_REASONS)
        lines.append(_("… and {count} more: {where}.", count=hidden, where=where))
    if found.draft_version is not None:
        lines.append(
            _("Latest draft: v{version}, {status}", version=found.draft_version,
              status=drafts.draft_status(found.draft_status or ""))
        )  # fmt: skip
    m = found.metrics
    lines.append(
        _(
            "Time to detect {detect} · to claim {claim} · to first approved reply {reply} · "
            "to resolve {resolve}",
            detect=stats.human(m.time_to_detect), claim=stats.human(m.time_to_claim),
            reply=stats.human(m.time_to_first_approved_reply),
            resolve=stats.human(m.time_to_resolve),
        )
    )  # fmt: skip
    if any(follow_ups):
        lines.append(messages.follow_up_count(cmd.number, *follow_ups))
    return Reply("\n".join(lines))


def _claim(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    return claim(bot, cmd.number or 0, user)


def claim(bot: Crisisbot, number: int, user: str, holder: str | None = ANYONE) -> Reply:
    def work() -> Reply:
        with bot.transaction() as session:
            incident = incidents.claim(session, number, user=user, now=bot.clock(), holder=holder)
            return Reply(_("You now hold #{number}.", number=incident.id))

    return guarded(work)


def _escalate(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    return escalate(bot, cmd.number or 0, user, cmd.text)


def escalate(
    bot: Crisisbot, number: int, user: str, reason: str, from_level: int | None = None
) -> Reply:
    def work() -> Reply:
        with bot.transaction() as session:
            incident, level = incidents.escalate(
                session, number, user=user, reason=reason, levels_for=bot.config.levels_for,
                now=bot.clock(), from_level=from_level,
            )  # fmt: skip
            return Reply(_("#{number} escalated to {level}.", number=incident.id, level=level.name))

    return guarded(work)


def _room(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    return open_room(bot, cmd.number or 0, user)


ROOM_WAIT = 8.0  # seconds the answer waits for Slack to make the room (the thread says it later)


def open_room(bot: Crisisbot, number: int, user: str) -> Reply:
    """Ask for the incident's room, then say how it went: open (who was invited, who could not
    be), refused by Slack (why), or still on its way (the thread will say)."""

    def work() -> Reply:
        with bot.transaction() as session:
            incident = incidents.get(session, number)
            room = rooms.room_of(session, number)
            if room is not None:
                return Reply(_("#{number} has its room: {room}.", number=number,
                               room=f"<#{room.channel}|{room.name}>"))  # fmt: skip
            incidents.require_open(incident)
            asked = rooms.ask(session, incident, user=user, now=bot.clock())
        if asked is None:
            return Reply(_("The room of #{number} is being opened; its thread will say when "
                           "it is.", number=number))  # fmt: skip
        return _room_outcome(bot, number)

    reply = guarded(work)
    bot.kick()
    return reply


def _room_outcome(bot: Crisisbot, number: int) -> Reply:
    bot.kick()
    deadline = time.monotonic() + ROOM_WAIT
    while time.monotonic() < deadline:
        with bot.sessions() as session:
            row = rooms.request_row(session, number)
            if row is not None and row.status == "sent":
                data = session.scalar(
                    select(TimelineEvent.data).where(
                        TimelineEvent.incident_id == number,
                        TimelineEvent.type == "incident.room_opened",
                    )
                )
                if data:
                    return Reply(messages.room_opened(data), number=number)
            if row is not None and row.status == "failed":
                error, needed = _room_error(session, number)
                return Reply(messages.room_refused(number, error, needed), ok=False)
        time.sleep(0.1)
    return Reply(_("Slack is slow to open the room of #{number}; its thread will say when it "
                   "is.", number=number))  # fmt: skip


def _room_error(session: Any, number: int) -> tuple[str, str | None]:
    data = (
        session.scalar(
            select(TimelineEvent.data)
            .where(
                TimelineEvent.incident_id == number, TimelineEvent.type == "incident.room_failed"
            )
            .order_by(TimelineEvent.id.desc())
            .limit(1)
        )
        or {}
    )
    return str(data.get("error") or "unknown"), data.get("needed")


def _draft(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    return create_draft(bot, cmd.number or 0, user, cmd.text)


def create_draft(bot: Crisisbot, number: int, user: str, text: str) -> Reply:
    def work() -> Reply:
        with bot.transaction() as session:
            draft = drafts.create(session, number, user=user, text=text, now=bot.clock())
            incident = session.get(Incident, number)  # loaded and locked by `create`
            brand = incident.brand if incident else None
            # The incident's channel finds a brand renamed since, as the draft card does.
            if bot.config.approvers_for(brand, incident.channel if incident else None):
                # The brand's name, as the draft card says it: no Slack call before the form's
                # ack, and no mention of its approvers.
                return Reply(
                    _("Draft v{version} for #{number} is posted in the incident's thread; one of "
                      "{brand}'s own approvers, other than you, must approve it.",
                      version=draft.version, number=number, brand=escape_mrkdwn(brand or "")),
                    number=number,
                )  # fmt: skip
            return Reply(
                _(
                    "Draft v{version} for #{number} is posted in the incident's thread; "
                    "an approver other than you must approve it.",
                    version=draft.version, number=number,
                ),
                number=number,
            )  # fmt: skip

    return guarded(work)


def decide(
    bot: Crisisbot, draft_id: int, version: int, user: str, *, approve: bool, reason: str = ""
) -> Reply:
    def work() -> Reply:
        approvers, named = _approvers_of(bot, draft_id)
        with bot.transaction() as session:
            decision = drafts.decide(
                session, draft_id, version, user=user, approve=approve, approvers=approvers,
                named=named, reason=reason, now=bot.clock(),
            )  # fmt: skip
            return Reply(decision.message, number=decision.draft.incident_id)

    reply = guarded(work)
    bot.kick()
    return reply


def _approvers_of(bot: Crisisbot, draft_id: int) -> tuple[frozenset[str], tuple[str, ...]]:
    """Who may decide the draft (its brand's own approvers, else CRISIS_APPROVERS), and the
    brand's own as the playbook names them. Slack resolves the groups: before the transaction,
    never inside it."""
    with bot.sessions() as session:
        brand, channel = drafts.brand_of(session, draft_id)
    return bot.approvers(brand, channel), bot.config.approvers_for(brand, channel)


@guard
def _note(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    with bot.transaction() as session:
        incident = incidents.add_note(
            session, cmd.number or 0, user=user, text=cmd.text, now=bot.clock()
        )
        return Reply(_("Note added to #{number}'s timeline.", number=incident.id))


def _update(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    return post_update(bot, cmd.number or 0, user, cmd.text)


def post_update(
    bot: Crisisbot, number: int, user: str, text: str, form: str | None = None
) -> Reply:
    """`/crisis update N <text>`, and the Post update form (`form`: its view id): in the
    thread, and in the playbook's stakeholders' channel (`[plan] updates_channel`) when it
    names one."""

    def work() -> Reply:
        with bot.transaction() as session:
            posted = updates.post(
                session, number, user=user, text=text,
                channel_for=bot.config.updates_channel_for, now=bot.clock(), form=form,
            )  # fmt: skip
            return Reply(messages.update_posted(posted), number=number)

    reply = guarded(work)
    bot.kick()
    return reply


def _resolve(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    return resolve(bot, cmd.number or 0, user, cmd.text)


def resolve(
    bot: Crisisbot, number: int, user: str, summary: str, opening: int | None = None
) -> Reply:
    """`/crisis resolve`, and the Resolve form (`opening`: the reopen count its card showed)."""

    def work() -> Reply:
        with bot.transaction() as session:
            incident = incidents.resolve(
                session, number, user=user, summary=summary, now=bot.clock(), opening=opening
            )
            return Reply(
                _("#{number} resolved. `/crisis export {number}` for the record.",
                  number=incident.id),
                number=incident.id,
            )  # fmt: skip

    return guarded(work)


def _reopen(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    return reopen(bot, cmd.number or 0, user, cmd.text)


def reopen(
    bot: Crisisbot,
    number: int,
    user: str,
    reason: str,
    shown: str | None = None,
    opening: int | None = None,
) -> Reply:
    """`/crisis reopen N [reason]`, and the Reopen form (`shown`: the state its card showed,
    `opening` its reopen count)."""

    def work() -> Reply:
        with bot.transaction() as session:
            incident = incidents.reopen(
                session, number, user=user, reason=reason, now=bot.clock(), shown=shown,
                opening=opening, names_of=bot.config.names_of,
            )  # fmt: skip
            return Reply(
                _("#{number} is open again ({status}).", number=incident.id,
                  status=incidents.status_name(incident.status)),
                number=incident.id,
            )  # fmt: skip

    reply = guarded(work)
    bot.kick()
    return reply


def open_reopen_modal(
    bot: Crisisbot,
    number: int,
    shown: str | None,
    trigger_id: str,
    view: dict[str, Any],
    opening: int | None = None,
) -> Reply | None:
    """The Reopen form, from a closed card; a reopen it would refuse (open already, changed
    since the card was seen, another incident of the brand open) is said instead."""

    def work() -> Reply:
        with bot.transaction() as session:
            incident = incidents.get(session, number)
            incidents.check_reopen(
                session, incident, shown=shown, opening=opening, names_of=bot.config.names_of
            )
        return Reply("")

    return _open_checked(bot, trigger_id, view, work)


def dismiss(
    bot: Crisisbot, number: int, user: str, reason: str, opening: int | None = None
) -> Reply:
    def work() -> Reply:
        with bot.transaction() as session:
            incident = incidents.dismiss(
                session, number, user=user, reason=reason, now=bot.clock(), opening=opening
            )
            return Reply(
                _("#{number} dismissed as a false positive.", number=incident.id),
                number=incident.id,
            )

    return guarded(work)


@guard
def _export(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    with bot.transaction() as session:
        incident = incidents.get(session, cmd.number or 0)
        outbox.enqueue_upload(session, incident, fmt=cmd.text, user=user, now=bot.clock())
        return Reply(
            _("The {format} export of #{number} is on its way to the thread.", format=cmd.text,
              number=incident.id)
        )  # fmt: skip


@guard
def _drill(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    with bot.transaction() as session:
        incident = drills.start_drill(
            session, scenario=cmd.text, config=bot.config, channel=cmd.channel,
            default_channel=bot.settings.crisis_channel, user=user, now=bot.clock(),
        )  # fmt: skip
        if incident.channel and incident.channel != cmd.channel:  # say where it went
            return Reply(
                _("DRILL #{number} started in {channel}: {title}. It pages nobody.",
                  number=incident.id, channel=f"<#{incident.channel}>", title=incident.title)
            )  # fmt: skip
        return Reply(
            _("DRILL #{number} started: {title}. It pages nobody.", number=incident.id,
              title=incident.title)
        )  # fmt: skip


def declare_refusal(bot: Crisisbot, user: str, brand: str | None) -> str | None:
    """Why `user` may not declare for `brand` from the form (plain text for the form's error;
    None: not a playbook's brand), or None when they may. At an agency a client's person
    declares for their clients only: the form offered only those, but what comes back is not
    trusted, and a brand that is not theirs is refused as one that does not exist."""
    audience = bot.audience(user, quick=True)
    if brand is not None and audience.may_declare(brand):
        return None
    if audience.everything:
        return _("Pick one of the playbook's brands.")
    return messages.declare_brand_refused(audience)


DECLARED_SEVERITY = "high"  # a person declares what they judge serious; the card can change it


def declare(
    bot: Crisisbot, text: str, user: str, trigger_id: str, channel: str | None = None
) -> Reply | None:
    """`/crisis declare [what happened]`: declared at once when the text says what happened and
    which brand it is about (typed in that brand's own channel, or the text names one, or the
    playbook has one brand, or none); otherwise the Declare form opens (the trigger lives 3 s),
    holding the text typed so far."""
    text = text if visible(text) else ""  # an RTL override alone says nothing: the form asks
    brands = [b.name for b in bot.config.brands]
    # A client's channel is that client's, as a drill typed there is: never another's it names
    # (two brands sharing the channel: the one the text names).
    named, here = bot.config.brand_for(text), bot.config.brand_of_channel(channel)
    if here is not None and (named is None or bot.config.channel_for(named) != channel):
        named = here
    brand = named or (brands[0] if len(brands) == 1 else None)
    if brand is not None and here is None and not bot.audience(user, quick=True).may_declare(brand):
        brand = None  # an agency's client's person names another client: the form offers theirs
    if text and (brand is not None or not brands):
        reply = declared(bot, user, text, brand, DECLARED_SEVERITY, typed_in=channel)
        bot.kick()
        return reply
    return open_declare_form(bot, text, trigger_id, user)


def open_declare_form_for(bot: Crisisbot, user: str, trigger_id: str) -> None:
    """The Declare form from the Home tab or the global shortcut: neither has a response_url,
    so when Slack opens no form the person is told in the crisis channel (as a Home tab's
    refusal is), not left clicking a button that does nothing."""
    reply = open_declare_form(bot, "", trigger_id, user)
    if reply is not None and bot.settings.crisis_channel:
        # A client's person is not in the crisis channel: their client's, then.
        theirs = sorted(bot.audience(user, quick=True).channels)
        fallback = theirs[0] if theirs else None
        tell(bot, bot.settings.crisis_channel, user, reply.text, fallback=fallback)


def open_declare_form(
    bot: Crisisbot, text: str, trigger_id: str, user: str | None = None
) -> Reply | None:
    """The Declare form, holding `text` (and the brand it names) as a start. At an agency,
    `user` picks among the clients they may see (`Crisisbot.audience`; asked quickly: the
    trigger lives 3 s); with none to pick, a notice says why instead of an empty list."""
    brand = bot.config.brand_for(text) if text else None
    audience = bot.audience(user, quick=True) if user and len(bot.config.brands) > 1 else None
    if audience is not None and not audience.everything and not audience.brands:
        view = messages.notice_modal(
            0, messages.declare_unavailable(audience), title=_("Declare an incident")
        )
    else:
        view = messages.declare_modal(bot.config, text, brand, audience)
    try:
        bot.gateway.open_view(trigger_id, view)
    except SlackError as exc:
        logger.warning("views.open failed: %s", exc)
        return Reply(_(SLACK_SLOW), ok=False)
    return None


def declared(
    bot: Crisisbot,
    user: str,
    text: str,
    brand: str | None,
    severity: str,
    typed_in: str | None = None,
) -> Reply:
    """Open the declared incident (the command, or the Declare form's submit, whose answer is
    told in the incident's channel). `typed_in`: where the command was typed; when the card
    goes elsewhere (a client's own channel), the answer names it."""

    def work() -> Reply:
        with bot.transaction() as session:
            incident = incidents.declare(
                session, brand=brand, text=text, severity=severity, user=user,
                channel=bot.config.channel_for(brand) or bot.settings.crisis_channel,
                now=bot.clock(), formerly=bot.config.formerly_of(brand),
            )  # fmt: skip
            if typed_in and incident.channel and incident.channel != typed_in:
                return Reply(
                    _("#{number} declared: {title}. You hold it; the card is in {channel}.",
                      number=incident.id, title=quote(incident.title, 200),
                      channel=f"<#{incident.channel}>"),
                    number=incident.id,
                )  # fmt: skip
            return Reply(
                _("#{number} declared: {title}. You hold it; the card is in the channel.",
                  number=incident.id, title=quote(incident.title, 200)),
                number=incident.id,
            )  # fmt: skip

    return guarded(work)


@guard
def _stats(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    # Typed in a client's channel (often shared with the client): that client's figures only.
    here = _client_channel(bot, cmd.channel)
    with bot.transaction() as session:
        s = stats.team_stats(session, channel=here)
    head = (
        i18n.ngettext(
            "*Across {n} real incident in this channel* (drills left out)",
            "*Across {n} real incidents in this channel* (drills left out)",
            s.count,
        )
        if here is not None
        else i18n.ngettext(
            "*Across {n} real incident* (drills left out)",
            "*Across {n} real incidents* (drills left out)",
            s.count,
        )
    )
    return Reply("\n".join([head, *messages.team_stats_lines(s)]))


@guard
def _sources(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    with bot.transaction() as session:
        rows = session.scalars(select(SourceState).order_by(SourceState.name)).all()
        configured = [s.name for s in bot.config.sources]
        by_name = {r.name: r for r in rows}
        brand = bot.config.brand_of_channel(cmd.channel)
        if brand is not None:  # a client's channel: the sources bound to that client only
            configured = [s.name for s in bot.config.sources if s.brand == brand]
            if not configured:
                return Reply(
                    _("No source in crisisbot.toml is bound to {brand} (a source's `brand`).",
                      brand=messages.quote(brand, 100))
                )  # fmt: skip
        if not configured and not rows:
            return Reply(_("No sources are configured in crisisbot.toml."))
        lines = [_("*Mention sources*")]
        now = bot.clock()
        for name in configured or list(by_name):
            state = by_name.get(name)
            lines.append(_source_line(name, state, now))
            if state is not None and state.failures:
                # stopped for good: why and what to do, under its line
                said = stopped.state_note(bot.config, state)
                lines += [f"    {said}"] if said else []
        return Reply("\n".join(lines))


def _source_line(name: str, state: SourceState | None, now: datetime) -> str:
    shown = messages.quote(name, 200)
    if state is None:
        return "• " + _("*{name}*: not polled yet", name=shown)
    error = (
        " · " + _("last error {at}: {error}", at=messages.fmt_time(state.last_error_at),
                  error=messages.quote(state.last_error or "", 200))
        if state.last_error
        else ""
    )  # fmt: skip
    backoff = (
        " · " + _("backing off until {at}", at=messages.fmt_time(state.backoff_until))
        if state.backoff_until and state.backoff_until > now  # a past one is over
        else ""
    )
    # The count is of the UTC day in `day`; before the first poll of a new day it is 0.
    today = state.mentions_today if state.day == now.astimezone(UTC).date().isoformat() else 0
    head = _("*{name}*: last success {at}", name=shown, at=messages.fmt_time(state.last_success_at))
    count = i18n.ngettext("{n} mention today", "{n} mentions today", today)
    walked = backfill.progress(state.backfill)
    history = f" · {messages.quote(walked, 250)}" if walked else ""  # may hold a platform's error
    return f"• {head} · {count}{history}{error}{backoff}"


def _followup(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    owner, text = cmd.owner, cmd.text
    if owner is None:  # "@maria …" as typed: find the person (a Slack call, before the work)
        try:
            owner, text = _named_owner(bot, cmd.text)
        except ServiceError as exc:
            return Reply(exc.message, ok=False)
        except SlackError as exc:
            logger.warning("Slack error while looking a name up: %s", exc)
            return Reply(_(SLACK_DOWN_NAMES), ok=False)
    due_at = cmd.due_at
    if cmd.due_in_days is not None:  # "by tomorrow": the end of that day on the team's clock
        today = i18n.local(bot.clock()).date()
        due_at = followups.end_of_day(today + timedelta(days=cmd.due_in_days))
    return add_follow_up(
        bot, cmd.number or 0, user, owner=owner, text=text, due_at=due_at,
        due_whole_day=cmd.due_whole_day,
    )  # fmt: skip


SLACK_DOWN_NAMES = N_("Slack did not answer while I looked the name up. Try again in a minute.")
NAME_WORDS = 3  # "@Maria Ivanova" is two words in a display name; the longest match wins


def _named_owner(bot: Crisisbot, text: str) -> tuple[str, str]:
    """(user ID, the action) from "@name the action": the name is a username, display name or
    full name of one active person; several words are tried, the longest match first."""
    words = text.split()
    for k in range(min(NAME_WORDS, len(words) - 1), 0, -1):
        name = " ".join(words[:k])[1:]
        found = bot.gateway.find_users(name)
        if len(found) > 1:
            who = ", ".join(f"<@{u}>" for u in found[:5])
            raise Conflict(
                _("`@{name}` could be {who}: write the member ID of the one you mean (U…), or "
                  "use *Add follow-up* on the incident's card.", name=messages.quote(name, 80),
                  who=who)
            )  # fmt: skip
        if found:
            return found[0], text.split(None, k)[k].strip()
    raise NotFound(
        _("No one in this workspace goes by `@{name}`: pick the person from Slack's list as you "
          "type @, or write their member ID (U…).", name=messages.quote(words[0][1:], 80))
    )  # fmt: skip


def add_follow_up(
    bot: Crisisbot,
    number: int,
    user: str,
    *,
    owner: str,
    text: str,
    due_at: datetime | None,
    due_whole_day: bool = False,
) -> Reply:
    """A follow-up for incident #number (the command, and the form on a closed card)."""

    def work() -> Reply:
        with bot.transaction() as session:
            follow_up, incident = followups.add(
                session, number, owner=owner, text=text, due_at=due_at,
                due_whole_day=due_whole_day, user=user, now=bot.clock(),
            )  # fmt: skip
            return Reply(messages.follow_up_added(follow_up, incident), number=incident.id)

    return guarded(work)


def _done(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    return mark_follow_up_done(bot, cmd.number or 0, user)


def mark_follow_up_done(bot: Crisisbot, follow_up_id: int, user: str) -> Reply:
    def work() -> Reply:
        with bot.transaction() as session:
            follow_up = followups.mark_done(session, follow_up_id, user=user, now=bot.clock())
            return Reply(
                _("{ref} is done: {text}", ref=follow_up.ref,
                  text=messages.quote(follow_up.text, 300))
            )  # fmt: skip

    return guarded(work)


@guard
def _followups(bot: Crisisbot, cmd: Command, user: str) -> Reply:
    now = bot.clock()
    with bot.transaction() as session:
        if cmd.number is not None:
            lines = followups.of_incident(session, cmd.number)
            return Reply(messages.incident_follow_ups(cmd.number, lines, now))
        rows = followups.open_ones(session)
    here = _client_channel(bot, cmd.channel)
    if here is not None:  # a client's channel: its incidents' follow-ups only
        rows = [r for r in rows if r.incident_channel == here]
    return Reply(messages.follow_up_list(rows, int(cmd.text or 1), now))


_COMMANDS: dict[str, Callable[[Crisisbot, Command, str], Reply]] = {
    "help": _help,
    "list": _list,
    "status": _status,
    "claim": _claim,
    "room": _room,
    "escalate": _escalate,
    "draft": _draft,
    "note": _note,
    "update": _update,
    "resolve": _resolve,
    "reopen": _reopen,
    "export": _export,
    "drill": _drill,
    "stats": _stats,
    "sources": _sources,
    "followup": _followup,
    "followups": _followups,
    "done": _done,
}


def open_incident_modal(
    bot: Crisisbot, number: int, trigger_id: str, view: dict[str, Any], opening: int | None = None
) -> Reply | None:
    """A form about an incident (resolve, dismiss) from its card; if the incident is closed
    meanwhile (a button left on an old card), or was reopened since the card was shown, the form
    says so instead of asking for a summary or reason it would refuse."""

    def work() -> Reply:
        with bot.transaction() as session:
            incident = incidents.get(session, number)
            incidents.require_open(incident)
            incidents.require_opening(session, incident, opening)
        return Reply("")

    return _open_checked(bot, trigger_id, view, work)


def open_reject_modal(
    bot: Crisisbot, draft_id: int, version: int, user: str, trigger_id: str, view: dict[str, Any]
) -> Reply | None:
    """The reason form for a rejection; if this person may not reject this draft now (not an
    approver, already decided, incident closed), the form says so instead of asking for a
    reason it would refuse after it was typed (the refusal is on the timeline)."""

    def work() -> Reply:
        approvers, named = _approvers_of(bot, draft_id)
        with bot.transaction() as session:
            _number, refused = drafts.check(
                session, draft_id, version, user=user, approve=False, approvers=approvers,
                named=named, now=bot.clock(),
            )  # fmt: skip
            return Reply(refused.message if refused else "")

    return _open_checked(bot, trigger_id, view, work)


def _open_checked(
    bot: Crisisbot, trigger_id: str, view: dict[str, Any], check: Callable[[], Reply]
) -> Reply | None:
    """Open the form at once (the trigger lives 3 s), then run `check`: a refusal replaces the
    form's fields with the reason (under the form's title) and is answered too."""
    try:
        view_id = bot.gateway.open_view(trigger_id, view)
    except SlackError as exc:
        logger.warning("views.open failed: %s", exc)
        return Reply(_(SLACK_SLOW))
    reply = guarded(check)
    if not reply.text:
        return None
    title = str((view.get("title") or {}).get("text") or "")
    try:  # the notice only closes: its number is never read back
        bot.gateway.update_view(view_id, messages.notice_modal(0, reply.text, title=title))
    except SlackError as exc:
        logger.warning("views.update failed: %s", exc)
    return reply


def open_draft_modal(bot: Crisisbot, number: int, trigger_id: str) -> Reply | None:
    """The trigger lives 3 s: open a placeholder at once, then fill it from the database."""
    try:
        view_id = bot.gateway.open_view(trigger_id, messages.loading_modal(number))
    except SlackError as exc:
        logger.warning("views.open failed: %s", exc)
        return Reply(_(SLACK_SLOW))

    def work() -> Reply:
        with bot.transaction() as session:
            incident = incidents.get(session, number)
            incidents.require_open(incident)
            view = messages.draft_modal(incident, bot.config, drafts.latest(session, number))
        bot.gateway.update_view(view_id, view)
        return Reply("")

    reply = guarded(work)
    if reply.text:  # say what went wrong in the form itself, not only in an ephemeral
        try:
            bot.gateway.update_view(view_id, messages.notice_modal(number, reply.text))
        except SlackError as exc:
            logger.warning("views.update failed: %s", exc)
    return reply if reply.text else None


def open_follow_up_modal(bot: Crisisbot, number: int, trigger_id: str) -> Reply | None:
    """The Add follow-up form, from a closed incident's card."""
    return _open_form(bot, number, trigger_id, messages.follow_up_modal)


def open_update_modal(bot: Crisisbot, number: int, trigger_id: str) -> Reply | None:
    """The Post update form, from an open incident's card; a closed one (a button left on a
    card shown before the close) is said at once instead of a form to type into."""

    def form(incident: Incident) -> dict[str, Any]:
        updates.require_open(incident)
        to = bot.config.updates_channel_for(incident.brand, incident.channel)
        return messages.update_modal(incident, to)

    return _open_form(bot, number, trigger_id, form)


def _open_form(
    bot: Crisisbot, number: int, trigger_id: str, form: Callable[[Incident], dict[str, Any]]
) -> Reply | None:
    """A form about incident #number, built from the database; the trigger lives 3 s, so it
    is one short read, then the form; a refusal (an unknown incident, `form`'s own) is said
    instead."""
    try:
        with bot.sessions() as session:
            view = form(incidents.get(session, number))
    except ServiceError as exc:
        return Reply(exc.message, ok=False)
    except DBAPIError:
        logger.exception("database error while opening a form")
        return Reply(_(DB_DOWN), ok=False)
    try:
        bot.gateway.open_view(trigger_id, view)
    except SlackError as exc:
        logger.warning("views.open failed: %s", exc)
        return Reply(_(SLACK_SLOW))
    return None


def follow_up_done(bot: Crisisbot, follow_up_id: int, user: str) -> Reply:
    reply = mark_follow_up_done(bot, follow_up_id, user)
    bot.kick()
    return reply


def follow_up_done_from_home(bot: Crisisbot, follow_up_id: int, user: str) -> None:
    """Mark done from the Home tab, then publish the tab again (it has no thread to answer
    in; a refusal, such as "already done", is told in its incident's channel, where its owner
    was mentioned (a client's own, at an agency), else in the crisis channel)."""
    reply = follow_up_done(bot, follow_up_id, user)
    home.publish(bot, user)
    crisis = bot.settings.crisis_channel
    if not reply.ok:
        with bot.sessions() as session:
            channel = session.scalar(
                select(Incident.channel).join(FollowUp, FollowUp.incident_id == Incident.id)
                .where(FollowUp.id == follow_up_id)
            )  # fmt: skip
        where = channel or crisis
        if where:
            tell(bot, where, user, reply.text, fallback=crisis)


def incident_channel(bot: Crisisbot, number: int | None) -> str | None:
    """The channel incident #number's card is in (a client's own, at an agency); None when
    there is no such incident or its card is not posted yet."""
    if number is None:
        return None
    with bot.sessions() as session:
        return session.scalar(select(Incident.channel).where(Incident.id == number))


def tell(
    bot: Crisisbot, channel: str, user: str, text: str, *, fallback: str | None = None
) -> None:
    """An ephemeral note to one person; best effort (it only echoes what the card shows).
    `fallback`: where to say it when `channel` refuses (a client's channel the person is not
    in, or the app is not)."""
    try:
        bot.gateway.post_ephemeral(channel, user, text)
    except SlackError as exc:
        if fallback and fallback != channel:
            tell(bot, fallback, user, text)
            return
        logger.warning("could not tell %s: %s", user, exc)


def first_time_event(bot: Crisisbot, event_id: str) -> bool:
    """Record an Events API delivery; False when this event_id was processed before."""
    try:
        with bot.transaction() as session:
            session.add(SlackEventSeen(event_id=event_id[:64], seen_at=bot.clock()))
    except IntegrityError:
        return False
    return True


def set_severity(bot: Crisisbot, number: int, user: str, severity: str) -> Reply:
    def work() -> Reply:
        with bot.transaction() as session:
            incident = incidents.set_severity(
                session, number, user=user, severity=severity, now=bot.clock()
            )
            return Reply(
                _("#{number} is now {severity}.", number=incident.id,
                  severity=incidents.severity_name(severity))
            )  # fmt: skip

    reply = guarded(work)
    bot.kick()
    return reply
