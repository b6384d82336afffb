"""Shortcuts: Declare a crisis (global), and Declare a crisis from a message (its text as a start:
a post a colleague shared in another channel, a customer's escalation)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.app import Crisisbot
from bot.slack import desk
from bot.slack.commands import DECLARE_TEXT
from bot.slack.ids import Shortcut


def register(app: App) -> None:
    app.shortcut(Shortcut.DECLARE)(on_declare)
    app.shortcut(Shortcut.DECLARE_FROM_MESSAGE)(on_declare_from_message)


def on_declare(ack: Ack, shortcut: dict[str, Any], context: Any) -> None:
    ack()
    user, trigger = str(shortcut["user"]["id"]), str(shortcut.get("trigger_id") or "")
    desk.open_declare_form_for(context["crisisbot"], user, trigger)


def on_declare_from_message(
    ack: Ack, shortcut: dict[str, Any], respond: Respond, context: Any
) -> None:
    ack()
    bot: Crisisbot = context["crisisbot"]
    text = plain(str((shortcut.get("message") or {}).get("text") or ""))[:DECLARE_TEXT]
    user, trigger = str(shortcut["user"]["id"]), str(shortcut.get("trigger_id") or "")
    reply = desk.open_declare_form(bot, text, trigger, user)
    if reply is not None:  # message shortcuts have a response_url: say it to the person
        respond(text=reply.text, response_type="ephemeral")


# Slack's markup in a message's text, as a person would type it into a form's plain text box.
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def plain(text: str) -> str:
    """ "<https://x.com/p|a post>" -> "a post (https://x.com/p)", "<@U1>" -> "@U1", "<#C1|pr>"
    -> "#pr", "<!here>" -> "@here", then the three entities Slack escapes."""
    text = _LINK.sub(lambda m: f"{m[2]} ({m[1]})" if m[2] and m[2] != m[1] else m[1], text)
    text = _USER.sub(r"@\1", text)
    text = _CHANNEL.sub(r"#\1", text)
    text = _SPECIAL.sub(r"@\1", text)
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text.strip()
