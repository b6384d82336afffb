"""`/crisis`: parse, answer bad input in the ack itself, then run the command after the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.slack.commands import UsageError, help_text, parse
from bot.slack.desk import declare, run_command


def register(app: App) -> None:
    app.command("/crisis")(on_crisis)


def on_crisis(ack: Ack, command: dict[str, Any], respond: Respond, context: Any) -> None:
    try:
        cmd = parse(command.get("text", ""))
    except UsageError as exc:
        ack(response_type="ephemeral", text=exc.text)  # nothing is recorded
        return
    if cmd.name == "help":
        ack(response_type="ephemeral", text=help_text())
        return
    ack()
    if cmd.name == "declare":  # may open the Declare form: the trigger lives 3 s
        declared = declare(
            context["crisisbot"], cmd.text, command["user_id"], command.get("trigger_id", ""),
            channel=command.get("channel_id"),
        )  # fmt: skip
        if declared is not None:
            respond(text=declared.text, response_type="ephemeral")
        return
    reply = run_command(
        context["crisisbot"], cmd, user=command["user_id"], channel=command["channel_id"]
    )
    respond(text=reply.text, response_type="in_channel" if reply.public else "ephemeral")
