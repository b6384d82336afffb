"""Options of external selects (`block_suggestion`): the Declare form's brand typeahead, used
when the playbook has more brands than a static select may hold (an agency's 100+)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.app import Crisisbot
from bot.slack import messages
from bot.slack.ids import Block


def register(app: App) -> None:
    app.options({"action_id": "brand", "block_id": Block.DECLARE_BRAND})(on_brand)


def on_brand(ack: Ack, body: dict[str, Any], context: Any) -> None:
    # Answered in the ack itself: Slack shows only what the 3-second answer carries.
    # An agency's client's person is offered their clients only (asked quickly: the ack's 3 s).
    bot: Crisisbot = context["crisisbot"]
    audience = bot.audience(str((body.get("user") or {}).get("id") or ""), quick=True)
    ack(options=messages.brand_options(bot.config, str(body.get("value") or ""), audience))
