"""Events API: a mention of the bot, the App Home tab opened. Retried deliveries
(X-Slack-Retry-Num) are dropped by event_id."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltResponse

from bot.app import Crisisbot
from bot.core.i18n import _
from bot.slack import desk, home
from bot.slack.commands import help_text


def register(app: App) -> None:
    app.middleware(drop_repeated_events)
    app.event("app_mention")(on_app_mention)
    app.event("app_home_opened")(on_app_home_opened)


def drop_repeated_events(body: dict[str, Any], context: Any, next: Any) -> BoltResponse | None:
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id and not desk.first_time_event(context["crisisbot"], str(event_id)):
        return BoltResponse(status=200, body="")  # seen before: acknowledge, do nothing again
    return next()  # type: ignore[no-any-return]


def on_app_mention(event: dict[str, Any], context: Any) -> None:
    bot: Crisisbot = context["crisisbot"]
    channel, user = event.get("channel"), event.get("user")
    if channel and user:
        desk.tell(bot, channel, user, _("I answer to `/crisis`.") + "\n" + help_text())


def on_app_home_opened(event: dict[str, Any], context: Any) -> None:
    # The event comes for the Messages and About tabs too; only the Home tab shows a view.
    user = event.get("user")
    if event.get("tab") == "home" and user:
        # Slack sends the tab as it stands once one was published: its hash orders our publish.
        view = event.get("view")
        seen = view.get("hash") if isinstance(view, dict) else None
        home.opened(context["crisisbot"], str(user), hash=str(seen) if seen else None)
