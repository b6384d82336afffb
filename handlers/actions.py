"""Buttons on the incident card and on drafts. Modals open first: a trigger lives 3 seconds."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.app import Crisisbot
from bot.core.i18n import _
from bot.slack import desk, messages
from bot.slack.ids import Action, View


def register(app: App) -> None:
    app.action(Action.CLAIM)(on_claim)
    app.action(Action.ESCALATE)(on_escalate)
    app.action(Action.DRAFT)(on_draft)
    app.action(Action.RESOLVE)(on_resolve)
    app.action(Action.DISMISS)(on_dismiss)
    app.action(Action.APPROVE)(on_approve)
    app.action(Action.REJECT)(on_reject)
    app.action(Action.SEVERITY)(on_severity)
    app.action(Action.OPEN_THREAD)(on_open_thread)
    app.action(Action.ADD_FOLLOW_UP)(on_add_follow_up)
    app.action(Action.FOLLOW_UP_DONE)(on_follow_up_done)
    app.action(Action.REOPEN)(on_reopen)
    app.action(Action.POST_UPDATE)(on_post_update)
    app.action(Action.DECLARE)(on_declare)
    app.action(Action.OPEN_ROOM)(on_open_room)


def _value(body: dict[str, Any]) -> str:
    return str(body["actions"][0].get("value", ""))


def _number(body: dict[str, Any]) -> int | None:
    value = _value(body).partition(":")[0]  # "7", or "7:<state the card showed>"
    return int(value) if value.isdigit() else None


def _shown(body: dict[str, Any]) -> str | None:
    """The state the clicked card showed (see messages._incident_buttons); None on a card
    posted before buttons carried it."""
    _head, sep, state = _value(body).partition(":")
    return state if sep else None


def opening_of(text: str | None) -> int | None:
    """The reopen count a card's Resolve, Dismiss or Reopen carried ("7:2", "7:resolved:2"),
    or a form's metadata after its number; None from a card posted before they carried it."""
    return int(text) if text and text.isdigit() else None


def _say(respond: Respond, reply: desk.Reply) -> None:
    respond(text=reply.text, response_type="ephemeral", replace_original=False)


def _bot(context: Any) -> Crisisbot:
    bot: Crisisbot = context["crisisbot"]
    return bot


def on_claim(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    ack()
    number = _number(body)
    if number is not None:
        shown = _shown(body)
        holder = desk.ANYONE if shown is None else (shown or None)
        _say(respond, desk.claim(_bot(context), number, body["user"]["id"], holder))


def on_open_room(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    ack()
    number = _number(body)
    if number is not None:
        _say(respond, desk.open_room(_bot(context), number, body["user"]["id"]))


def on_escalate(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    ack()
    number = _number(body)
    if number is not None:
        reason = _("escalated from the alert")
        shown = _shown(body)
        level = int(shown) if shown and shown.isdigit() else None
        _say(respond, desk.escalate(_bot(context), number, body["user"]["id"], reason, level))


def on_draft(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    ack()
    number = _number(body)
    if number is not None:
        _say_if(respond, desk.open_draft_modal(_bot(context), number, body["trigger_id"]))


def _close_form(number: int, opening: int | None) -> str:
    """The Resolve and Dismiss forms' metadata: the number, and the reopen count the card showed."""
    return str(number) if opening is None else f"{number}:{opening}"


def on_resolve(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    ack()
    number = _number(body)
    if number is not None:
        opening = opening_of(_shown(body))
        view = messages.reason_modal(
            View.RESOLVE_SUMMARY, _close_form(number, opening),
            _("Resolve #{number}", number=number), _("Summary (optional)"), optional=True,
        )  # fmt: skip
        opened = desk.open_incident_modal(_bot(context), number, body["trigger_id"], view, opening)
        _say_if(respond, opened)


def on_dismiss(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    ack()
    number = _number(body)
    if number is not None:
        opening = opening_of(_shown(body))
        view = messages.reason_modal(
            View.DISMISS_REASON,
            _close_form(number, opening),
            _("Dismiss #{number}", number=number),
            _("Why is this a false alarm?"),
        )
        opened = desk.open_incident_modal(_bot(context), number, body["trigger_id"], view, opening)
        _say_if(respond, opened)


def on_approve(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    ack()
    draft_id, _sep, version = _value(body).partition(":")
    if draft_id.isdigit() and version.isdigit():
        reply = desk.decide(
            _bot(context), int(draft_id), int(version), body["user"]["id"], approve=True
        )
        _say(respond, reply)


def on_reject(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    ack()
    draft_id, _sep, version = _value(body).partition(":")
    if draft_id.isdigit() and version.isdigit():
        view = messages.reason_modal(
            View.REJECT_REASON,
            f"{draft_id}:{version}",
            _("Reject draft"),
            _("Why is it rejected?"),
        )
        opened = desk.open_reject_modal(
            _bot(context), int(draft_id), int(version), body["user"]["id"], body["trigger_id"], view
        )
        _say_if(respond, opened)


def _say_if(respond: Respond, reply: desk.Reply | None) -> None:
    if reply is not None:
        _say(respond, reply)


def on_severity(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    ack()
    chosen = (body["actions"][0].get("selected_option") or {}).get("value", "")
    number, _sep, severity = str(chosen).partition(":")
    if number.isdigit():
        _say(respond, desk.set_severity(_bot(context), int(number), body["user"]["id"], severity))


def on_open_thread(ack: Ack) -> None:
    """A link button on the Home tab: Slack opens the link itself, but still sends the click,
    and a click left unanswered shows the person a warning."""
    ack()


def on_add_follow_up(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    ack()
    number = _number(body)
    if number is not None:
        _say_if(respond, desk.open_follow_up_modal(_bot(context), number, body["trigger_id"]))


def on_post_update(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    """Post update on an open card: the form for the stakeholders' update."""
    ack()
    number = _number(body)
    if number is not None:
        _say_if(respond, desk.open_update_modal(_bot(context), number, body["trigger_id"]))


def on_follow_up_done(ack: Ack, body: dict[str, Any], context: Any) -> None:
    """The "Mark done" button beside one of the viewer's follow-ups on their Home tab: the tab
    has no thread to answer in, so it is published again at once and shows the result."""
    ack()
    value = _value(body)
    if value.isdigit():
        desk.follow_up_done_from_home(_bot(context), int(value), body["user"]["id"])


def on_reopen(ack: Ack, body: dict[str, Any], respond: Respond, context: Any) -> None:
    """Reopen on a closed card: a form for the (optional) reason; it carries the state the
    card showed and its reopen count ("7:resolved:0"), so the reopen is refused if the incident
    changed meanwhile, even back to the same state."""
    ack()
    number = _number(body)
    if number is not None:
        state, _sep, count = (_shown(body) or "").partition(":")
        shown, opening = state or None, opening_of(count)
        view = messages.reason_modal(
            View.REOPEN_REASON, f"{number}:{shown or ''}:{'' if opening is None else opening}",
            _("Reopen #{number}", number=number), _("Why reopen it? (optional)"), optional=True,
        )  # fmt: skip
        opened = desk.open_reopen_modal(
            _bot(context), number, shown, body["trigger_id"], view, opening
        )
        _say_if(respond, opened)


def on_declare(ack: Ack, body: dict[str, Any], context: Any) -> None:
    """Declare a crisis, on the Home tab: the same form as the shortcut's."""
    ack()
    user, trigger = str(body["user"]["id"]), str(body.get("trigger_id") or "")
    desk.open_declare_form_for(_bot(context), user, trigger)
