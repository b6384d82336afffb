"""Modal submissions: the draft reply, reasons for rejecting, dismissing and reopening, the resolve
summary, a follow-up, a stakeholders' update, a declared incident."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slack_bolt import Ack, App

from bot.app import Crisisbot
from bot.core.i18n import N_, _
from bot.core.text import visible
from bot.response import followups
from bot.slack import desk
from bot.slack.ids import Block, View
from handlers.actions import opening_of

_MENTION = re.compile(r"<@([A-Z0-9]+)>")


def register(app: App) -> None:
    app.view(View.DRAFT_REPLY)(on_draft_reply)
    app.view(View.REJECT_REASON)(on_reject_reason)
    app.view(View.DISMISS_REASON)(on_dismiss_reason)
    app.view(View.RESOLVE_SUMMARY)(on_resolve_summary)
    app.view(View.FOLLOW_UP)(on_follow_up)
    app.view(View.REOPEN_REASON)(on_reopen_reason)
    app.view(View.POST_UPDATE)(on_post_update)
    app.view(View.DECLARE)(on_declare)


def _input(view: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    return ((view.get("state") or {}).get("values") or {}).get(block, {}).get(action) or {}


def _text(view: dict[str, Any], block: str, action: str) -> str:
    return str(_input(view, block, action).get("value") or "").strip()


def _ids(ack: Ack, view: dict[str, Any], count: int, block: str) -> tuple[list[int], str] | None:
    """The numbers the form was opened for, from its private_metadata ("12:1": draft and
    version; "7:resolved:0": the incident, then what its card showed), and the rest after them.
    Anything else is no form of ours as opened (a forged request, a form since replaced): it
    is answered in the form, never with a crash that leaves the person without an answer."""
    parts = str(view.get("private_metadata") or "").split(":", count)
    numbers = parts[:count]
    if len(numbers) == count and all(p.isascii() and p.isdigit() for p in numbers):
        return [int(p) for p in numbers], (parts[count] if len(parts) > count else "")
    ack(response_action="errors", errors={block: _(STALE_FORM)})
    return None


STALE_FORM = N_("This form is out of date: close it and open it again from the incident.")


def _done(
    ack: Ack,
    context: Any,
    body: dict[str, Any],
    block: str,
    reply: desk.Reply,
) -> None:
    """Answer a submission whose work already ran: a refusal (the incident was closed meanwhile,
    the database is down) stays in the form, next to what the person typed, instead of closing
    it and losing the text; success closes it and says so in the channel."""
    if not reply.ok:
        bot: Crisisbot = context["crisisbot"]
        # A form's error is plain text: "<@U123>" would show as typed, so name the person; at
        # once or not at all (the ID), as the answer is due within Slack's 3 seconds.
        text = _MENTION.sub(
            lambda m: "@" + bot.gateway.user_name(m.group(1), quick=True), reply.text
        )
        # The refusal is mrkdwn, its outside words escaped ("M&amp;S"); plain text shows them
        # as written, and can ping nobody.
        for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")):
            text = text.replace(entity, char)
        ack(response_action="errors", errors={block: text})
        return
    ack()
    _notify(context, body, reply)


def _notify(context: Any, body: dict[str, Any], reply: desk.Reply) -> None:
    """Modals have no response_url: tell the person by ephemeral in the channel of the incident
    the answer is about (`reply.number`: a client's own, at an agency), else in the crisis
    channel."""
    bot: Crisisbot = context["crisisbot"]
    crisis = bot.settings.crisis_channel
    channel = desk.incident_channel(bot, reply.number) or crisis
    if channel and reply.text:
        desk.tell(bot, channel, body["user"]["id"], reply.text, fallback=crisis)


def on_draft_reply(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    bot: Crisisbot = context["crisisbot"]
    text = _text(view, Block.DRAFT_TEXT, "text")
    choice = (_input(view, Block.DRAFT_TEMPLATE, "template").get("selected_option") or {}).get(
        "value"
    )
    if (
        not text
        and choice is not None
        and choice.isdigit()
        and int(choice) < len(bot.config.templates)
    ):
        text = bot.config.templates[int(choice)].text
    if not text:
        ack(
            response_action="errors",
            errors={Block.DRAFT_TEXT: _("Write the reply, or pick a statement.")},
        )
        return
    # The work runs before the ack (one short transaction, no Slack call): see `_done`.
    if (ids := _ids(ack, view, 1, Block.DRAFT_TEXT)) is None:
        return
    reply = desk.create_draft(bot, ids[0][0], body["user"]["id"], text)
    _done(ack, context, body, Block.DRAFT_TEXT, reply)


def on_reject_reason(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    reason = _text(view, Block.REASON, "reason")
    if not reason:
        ack(
            response_action="errors",
            errors={Block.REASON: _("Say why, so the author can fix it.")},
        )
        return
    if (ids := _ids(ack, view, 2, Block.REASON)) is None:
        return
    [draft_id, version], _rest = ids
    reply = desk.decide(
        context["crisisbot"], draft_id, version, body["user"]["id"], approve=False,
        reason=reason,
    )  # fmt: skip
    _done(ack, context, body, Block.REASON, reply)


def on_dismiss_reason(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    reason = _text(view, Block.REASON, "reason")
    if not reason:
        ack(response_action="errors", errors={Block.REASON: _("Say why this was a false alarm.")})
        return
    if (ids := _ids(ack, view, 1, Block.REASON)) is None:
        return
    [number], opening = ids
    bot: Crisisbot = context["crisisbot"]
    reply = desk.dismiss(bot, number, body["user"]["id"], reason, opening_of(opening))
    _done(ack, context, body, Block.REASON, reply)


def on_resolve_summary(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    summary = _text(view, Block.REASON, "reason")
    # "7:0": the reopen count the card showed (a form opened before a reopen is refused);
    # "7" from a form opened before forms carried it.
    if (ids := _ids(ack, view, 1, Block.REASON)) is None:
        return
    [number], opening = ids
    bot: Crisisbot = context["crisisbot"]
    reply = desk.resolve(bot, number, body["user"]["id"], summary, opening_of(opening))
    _done(ack, context, body, Block.REASON, reply)


def on_follow_up(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    owner = str(_input(view, Block.FOLLOW_UP_OWNER, "owner").get("selected_user") or "")
    text = _text(view, Block.FOLLOW_UP_TEXT, "text")
    picked = str(_input(view, Block.FOLLOW_UP_DUE, "due").get("selected_date") or "")
    errors: dict[str, str] = {}
    if not owner:
        errors[Block.FOLLOW_UP_OWNER] = _("Choose who owns it.")
    if not text:
        errors[Block.FOLLOW_UP_TEXT] = _("Say what is to be done.")
    try:
        day = date.fromisoformat(picked) if picked else None
    except ValueError:
        day, errors[Block.FOLLOW_UP_DUE] = None, _("Pick the day from the calendar.")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    # A picked day is due at its end on the team's clock, as "by 2026-12-11" is.
    due_at = followups.end_of_day(day) if day is not None else None
    if (ids := _ids(ack, view, 1, Block.FOLLOW_UP_TEXT)) is None:
        return
    reply = desk.add_follow_up(
        context["crisisbot"], ids[0][0], body["user"]["id"], owner=owner,
        text=text, due_at=due_at, due_whole_day=day is not None,
    )  # fmt: skip
    # A refusal (a past day, the database down) belongs beside the date or the text.
    block = Block.FOLLOW_UP_DUE if day is not None and not reply.ok else Block.FOLLOW_UP_TEXT
    _done(ack, context, body, block, reply)


def on_reopen_reason(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    reason = _text(view, Block.REASON, "reason")
    # "7:resolved:0" (the state and reopen count its card showed); "7:resolved" from an older
    # form.
    if (ids := _ids(ack, view, 1, Block.REASON)) is None:
        return
    [number], rest = ids
    shown, _sep, opening = rest.partition(":")
    bot: Crisisbot = context["crisisbot"]
    reply = desk.reopen(bot, number, body["user"]["id"], reason, shown or None, opening_of(opening))
    _done(ack, context, body, Block.REASON, reply)


def on_post_update(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    text = _text(view, Block.UPDATE_TEXT, "text")
    if not visible(text):
        ack(response_action="errors", errors={Block.UPDATE_TEXT: _("Write the update.")})
        return
    if (ids := _ids(ack, view, 1, Block.UPDATE_TEXT)) is None:
        return
    reply = desk.post_update(
        context["crisisbot"], ids[0][0], body["user"]["id"], text,
        form=str(view.get("id") or "") or None,
    )  # fmt: skip
    _done(ack, context, body, Block.UPDATE_TEXT, reply)


def on_declare(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    bot: Crisisbot = context["crisisbot"]
    user = str(body["user"]["id"])
    text = _text(view, Block.DECLARE_TEXT, "text")
    picked = _input(view, Block.DECLARE_BRAND, "brand")
    # A static select up to 100 brands, an external one (handlers.options) beyond: both send
    # the choice as selected_option; a typed value is still read, in case.
    brand = str((picked.get("selected_option") or {}).get("value") or picked.get("value") or "")
    severity = str(
        (_input(view, Block.DECLARE_SEVERITY, "severity").get("selected_option") or {}).get("value")
        or desk.DECLARED_SEVERITY
    )
    # A form opened before a rename (`formerly`) sends the brand's old name: the same client
    # (a brand's name now wins over another's old name spelt alike).
    former = {old.casefold(): now for old, now in bot.config.renamed.items()}
    names = former | {b.name.casefold(): b.name for b in bot.config.brands}
    errors: dict[str, str] = {}
    if not visible(text):
        errors[Block.DECLARE_TEXT] = _("Say what happened.")
    picked_name = names.get(brand.strip().casefold())
    # Not trusted: a client's person picks one of their clients (the form offered no other).
    refused = desk.declare_refusal(bot, user, picked_name) if names else None
    if refused:
        errors[Block.DECLARE_BRAND] = refused
    if errors:
        ack(response_action="errors", errors=errors)
        return
    reply = desk.declared(bot, user, text, picked_name, severity)
    bot.kick()
    _done(ack, context, body, Block.DECLARE_TEXT, reply)
