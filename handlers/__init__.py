"""Bolt listeners, one module per kind; `create_bolt_app` wires them to a `Crisisbot`."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot.app import Crisisbot
from bot.core import i18n
from bot.core.i18n import _
from handlers import actions, commands, events, options, shortcuts, views

logger = logging.getLogger(__name__)


def create_bolt_app(bot: Crisisbot, *, verify_token: bool = True) -> App:
    """`verify_token` False: Slack answered the start's auth.test with a 5xx or a rate limit
    (`crisisbot serve`/`run` go on); Bolt then asks at the first request instead of raising."""
    bot.settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    _quiet_token_notice()
    listeners = ContextExecutor(max_workers=5, thread_name_prefix="listener")  # Bolt's default size
    # Work after the ack runs here; the bot waits for it before it closes its database.
    bot.on_close(lambda: listeners.shutdown(wait=True))
    app = App(
        signing_secret=bot.settings.slack_signing_secret,
        client=bot.gateway.client,
        # auth.test now, once: otherwise Bolt calls it on the first request, and a Slack outage
        # at that moment would fail a person's command.
        token_verification_enabled=verify_token,
        raise_error_for_unhandled_request=False,
        listener_executor=listeners,
    )

    @app.middleware
    def inject(context: Any, next: Any) -> Any:
        context["crisisbot"] = bot
        # Bolt's next() only marks the chain as continued: the listener runs after this returns,
        # on the listener pool (ContextExecutor copies this context), so set, do not scope.
        i18n.activate(bot.config.locale, bot.config.timezone)
        return next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Any) -> BoltResponse | None:
        logger.exception("listener failed on a %s request", body.get("type") or "command")
        if respond is not None:
            try:
                with i18n.using(bot.config.locale, bot.config.timezone):
                    text = _("Something went wrong on our side; nothing was lost. Try again.")
                respond(text=text)
            except Exception:
                logger.warning("could not tell the user about the error")
        return None

    for module in (events, commands, actions, views, shortcuts, options):
        module.register(app)
    return app


class _TokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment even when given a client, then warns at
    every start that the token goes unused: it is the client's own token, so that says nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def _quiet_token_notice() -> None:
    bolt_logger = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _TokenNotice) for f in bolt_logger.filters):
        bolt_logger.addFilter(_TokenNotice())


class ContextExecutor(ThreadPoolExecutor):
    """Bolt runs listeners on this pool after the middleware returns control; each task runs in
    a copy of the submitting thread's context, so the locale the middleware set (and anything
    else kept in context variables) reaches the listener."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)
