"""The factory: settings → engine, sessions, Slack gateway, delivery; the Bolt app, the web app
and the scheduler are built from it on demand. Nothing is built at import time, so each test
builds its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock, system_clock
from bot.core.config import Config, load_config
from bot.core.outage import DatabaseWatch
from bot.core.settings import Settings, SettingsError
from bot.slack import home
from bot.slack.audience import Audience, Audiences
from bot.slack.delivery import Deliverer
from bot.slack.gateway import SlackGateway
from models import create_db_engine, session_factory

logger = logging.getLogger(__name__)

APPROVER_CACHE_SECONDS = 60
COURIER_JOIN_SECONDS = 30


class Crisisbot:
    """What every entry point shares: one engine, one gateway, one clock, one playbook."""

    def __init__(
        self,
        settings: Settings,
        *,
        config: Config | None = None,
        clock: Clock = system_clock,
        engine: Engine | None = None,
        gateway: SlackGateway | None = None,
    ) -> None:
        self.settings = settings
        self.config = config or load_config(
            Path(settings.config_path), required=settings.config_explicit
        )
        for warning in self.config.warnings:  # loaded, but the playbook should be corrected
            logger.warning("%s", warning)
        self.clock = clock
        self.engine = engine or create_db_engine(settings.database_url)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)
        if gateway is None and settings.slack_bot_token:
            gateway = SlackGateway(settings.slack_bot_token, settings.slack_api_url)
        self._gateway = gateway
        # Per list of IDs (CRISIS_APPROVERS, a brand's `approvers`): when resolved, and to whom.
        self._approvers: dict[tuple[str, ...], tuple[float, frozenset[str]]] = {}
        # Which clients each person may see (an agency's Home tab and Declare form).
        self.audiences = Audiences(self.config, settings.crisis_channel, lambda: self.gateway)
        self._kick = threading.Event()
        self._stop = threading.Event()
        self._courier: threading.Thread | None = None
        self._closers: list[Callable[[], None]] = []
        self.database = DatabaseWatch(self._ping)  # one log line per outage, not per try

    def _ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    @property
    def gateway(self) -> SlackGateway:
        if self._gateway is None:
            raise SettingsError("SLACK_BOT_TOKEN", "is not set")
        return self._gateway

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions.begin() as session:
            yield session

    # -- delivery ---------------------------------------------------------------------------
    def deliverer(self) -> Deliverer:
        return Deliverer(
            self.sessions, self.gateway, self.config, self.clock, self.settings.crisis_channel,
            default_approvers=tuple(self.settings.crisis_approvers),
            after_cards=lambda: home.refresh(self), stopping=self._stop.is_set,
        )  # fmt: skip

    def deliver_now(self) -> int:
        """Deliver what is due in this thread (CLI commands, tests, the worker's job)."""
        return self.deliverer().deliver_due()

    def kick(self) -> None:
        """Ask the background courier to deliver soon; a no-op where none runs (CLI)."""
        self._kick.set()

    def start_courier(self) -> None:
        """A thread that delivers the outbox right after listeners commit, off the request path."""
        if self._courier is None:
            self._courier = threading.Thread(target=self._courier_loop, name="courier", daemon=True)
            self._courier.start()

    def _courier_loop(self) -> None:
        while not self._stop.is_set():
            self._kick.wait(timeout=2.0)
            self._kick.clear()
            if self._stop.is_set():
                return
            mark = self.database.mark()
            try:
                self.deliver_now()
            except Exception as exc:  # the courier must outlive a database or Slack outage
                if not self.database.failed(exc, "delivering the outbox"):
                    logger.exception("outbox delivery failed; will retry")
                time.sleep(1.0)
            else:
                self.database.ok(mark)

    # -- approvers --------------------------------------------------------------------------
    def approvers(self, brand: str | None = None, channel: str | None = None) -> frozenset[str]:
        """Who may decide drafts about `brand`: its own `approvers` in the playbook, else
        CRISIS_APPROVERS; user IDs plus the members of user groups (each list cached a minute).
        `channel`: the incident's, which finds a brand renamed since (`Config.entry`)."""
        ids = self.config.approvers_for(brand, channel) or self.settings.crisis_approvers
        now = time.monotonic()
        cached = self._approvers.get(ids)
        if cached and now - cached[0] < APPROVER_CACHE_SECONDS:
            return cached[1]
        users = {a for a in ids if not a.startswith("S")}
        for group in (a for a in ids if a.startswith("S")):
            users.update(self.gateway.usergroup_members(group))
        self._approvers[ids] = (now, frozenset(users))
        return self._approvers[ids][1]

    def approves_anything(self, user: str) -> bool:
        """Whether `user` may decide some drafts: the agency's, or some brand's."""
        brands = (b.name for b in self.config.brands if b.approvers)
        return user in self.approvers() or any(user in self.approvers(b) for b in brands)

    def audience(self, user: str, *, quick: bool = False) -> Audience:
        """The clients `user` may see: all for the agency's staff (the crisis channel's
        members) and for a one-team playbook; else those whose channels they are in."""
        return self.audiences.of(user, quick=quick)

    def __enter__(self) -> Crisisbot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def on_close(self, closer: Callable[[], None]) -> None:
        """Run `closer` first thing in `close()`: pools that work on this bot's sessions (the Bolt
        listeners') finish their work before the engine goes."""
        self._closers.append(closer)

    def close(self) -> None:
        """Let work in flight finish, then close the database connections.

        Disposing the engine closes only idle connections: one still checked out by a listener
        or by the courier would go back to the discarded pool and be dropped unclosed later
        (PostgreSQL sees an aborted session; psycopg warns). So wait for them first.
        """
        while self._closers:
            self._closers.pop()()
        self._stop.set()
        self._kick.set()
        if self._courier is not None:
            # A delivery in flight is bounded by the gateway's timeout and retries; waiting for
            # it lets it record what Slack answered instead of leaving the message leased.
            self._courier.join(timeout=COURIER_JOIN_SECONDS)
            if self._courier.is_alive():
                logger.warning("courier still busy after %ss; closing anyway", COURIER_JOIN_SECONDS)
        self.engine.dispose()
