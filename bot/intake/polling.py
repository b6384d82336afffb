"""Poll the configured mention sources: fetch what is new, store it, remember where we stopped.

One poll of one source:

1. read its `source_state` row (cursor, backoff) and skip it while `backoff_until` is ahead;
2. `fetch(cursor)` from the platform, outside any database transaction;
3. in ONE transaction: `store_mentions`, the new cursor, `last_success_at` and `mentions_today`.
   The cursor only moves together with the mentions it covers, so a crash between fetch and commit
   polls the same items again (and de-duplication on (source, external_id) absorbs any overlap):
   nothing is missed and nothing is stored twice.

After a successful live poll, a source with a backfill under way walks back one page at a time
within a budget (see `bot.intake.backfill`), each page stored with its backfill cursor in one
transaction, as the live cursor is.

Failures are recorded on the row and never leave this module: a 429 waits as long as the platform
asked, a transient error backs off exponentially with jitter, a permanent one (credentials, query,
address) waits long and says what to fix, and an unexpected exception from a connector (a field a
platform changed) counts as transient and is logged with its traceback.

The crisis channel is told once per run of failures, in the transaction that records it, when a
source stops (a permanent error at once, others after `DOWN_AFTER` in a row; never a 429), and
once more when it works again: a source that went blind is a hole in the watch, and nobody looks at
`/crisis sources` until they already miss something.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.core import i18n
from bot.core.config import ConfigError, SourceConfig
from bot.core.i18n import _
from bot.core.text import quote
from bot.intake import backfill, stopped
from bot.intake.ingest import store_mentions
from bot.intake.stopped import Stop
from bot.response import outbox
from models import Outbox, SourceState
from sources import FetchResult, RateLimited, Source, SourceError, create_source
from sources.base import Backfilling, BackfillPage
from sources.http import HttpSource

if TYPE_CHECKING:  # the container is handed in by the shell, never imported below it
    from bot.app import Crisisbot

logger = logging.getLogger(__name__)

USER_AGENT = "crisisbot/0.1 (brand mention monitor for a comms team; +https://github.com/crisisbot)"
MAX_BACKOFF = timedelta(hours=1)  # transient errors: never wait longer than this
PERMANENT_BACKOFF = timedelta(hours=6)  # the configuration must change; retry now and then anyway
JITTER = (0.8, 1.2)  # spreads retries so sources (and workers) don't knock in lockstep
ERROR_CHARS = 500
DOWN_AFTER = 3  # failures in a row (transient ones) before the channel is told a source is down


@dataclass(frozen=True, slots=True)
class PollResult:
    name: str
    new: int = 0
    error: str | None = None
    skipped: bool = False  # backing off: not polled this time
    backoff_until: datetime | None = None
    backfill: str | None = None  # progress, e.g. "backfilling: 3 of 7 days"
    rate_limited: bool = False  # the platform asked us to wait (a 429): `backoff_until` is its ask
    advice: str | None = None  # a stopped source: why and what to do, in English (the terminal)
    # This run's backfill stopped for good on a permanent error (its message): the live poll
    # carries on, so it is no failure of the poll; `crisisbot backfill` counts it as one.
    backfill_stopped: str | None = None
    # Skipped while backing off from a permanent error (the configuration must change): its
    # message. A transient error's or a rate limit's backoff is no failure of the skipping pass.
    failing: str | None = None
    # Our database failed, not the source: nothing about the source was recorded.
    database_error: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class StoredState:
    """What a poll reads of its source's `source_state` row before it fetches (all None for a
    source never polled)."""

    cursor: str | None = None
    backoff_until: datetime | None = None
    fingerprint: str | None = None  # the playbook entry the backoff was about
    failing: str | None = None  # the last error, when it was a permanent one
    advice: str | None = None  # then: why it stopped and what to do (English: the terminal's)


def http_client(timeout: float = 15.0) -> httpx.Client:
    """The one client a process shares across sources (connection pools, one User-Agent).

    Connectors pass their own per-request timeout; this one covers anything else.
    """
    return httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=False)


class Poller:
    """Polls sources for one bot. Keeps each connector between polls, so a Bluesky session and
    a platform's "no requests left until …" pacing survive from one poll to the next."""

    def __init__(
        self,
        bot: Crisisbot,
        client: httpx.Client,
        *,
        timeout: float | None = None,
        rng: Callable[[float, float], float] = random.uniform,
        backfill_days: int = backfill.DEFAULT_DAYS,
        backfill_pages: int | None = backfill.PAGES_PER_POLL,
        backfill_seconds: float | None = backfill.SECONDS_PER_POLL,
        failure_level: int = logging.WARNING,
    ) -> None:
        self.bot = bot
        self.client = client
        self.timeout = timeout
        self.rng = rng
        self.backfill_days = backfill_days
        self.backfill_pages = backfill_pages
        self.backfill_seconds = backfill_seconds
        # A worker's failures are its operator's log; a command that prints each one itself
        # (`crisisbot poll`, `backfill`) logs them at INFO, for --verbose, not a second time.
        self.failure_level = failure_level
        self._connectors: dict[str, tuple[str, Source]] = {}

    # -- the pass -----------------------------------------------------------------------------
    def poll_all(self, *, force: bool = False) -> list[PollResult]:
        """Every configured source once, in playbook order; one failure never stops the rest."""
        return [self.poll(source, force=force) for source in self.bot.config.sources]

    def poll(self, source: SourceConfig, *, force: bool = False) -> PollResult:
        try:
            return self._poll(source, force=force)
        except DBAPIError as exc:  # our database, not the platform: no backoff to record
            if not self.bot.database.failed(exc, f"polling {source.name}"):
                logger.exception("poll %s: database error", source.name)
            return PollResult(
                source.name, error=f"database error: {type(exc).__name__}", database_error=True
            )

    def _poll(self, source: SourceConfig, *, force: bool) -> PollResult:
        now = self.bot.clock()
        stored = self._read_state(source)
        fingerprint = _fingerprint(source)
        backoff_until = stored.backoff_until
        # A changed playbook entry gets a fresh try at once: the old backoff was about the old one.
        if (
            not force
            and backoff_until is not None
            and backoff_until > now
            and stored.fingerprint == fingerprint
        ):
            # DEBUG: the failure's own line said until when; at each interval of a 6-hour
            # backoff this was the worker's log (360 lines at a 60 s interval).
            logger.debug("poll %s: backing off until %s", source.name, backoff_until.isoformat())
            return PollResult(
                source.name, skipped=True, backoff_until=backoff_until, failing=stored.failing,
                advice=stored.advice,
            )  # fmt: skip
        try:
            connector = self._connector(source, fingerprint)
            result = connector.fetch(stored.cursor)
        except RateLimited as exc:
            wait = timedelta(seconds=max(exc.retry_after, 1.0))
            return self._failed(source, exc.message, wait, counts=False)
        except SourceError as exc:
            if exc.permanent:
                self._connectors.pop(source.name, None)  # rebuilt (new session) on the next try
                return self._failed(
                    source, exc.message, PERMANENT_BACKOFF, counts=True, stop=Stop.of(exc)
                )
            return self._failed(source, exc.message, None, counts=True, at_least=exc.retry_after)
        except ConfigError as exc:  # a credential variable is missing: fix the environment
            unset = tuple(
                role
                for role, env_name in source.credentials.items()
                if not (self.bot.settings.extra.get(env_name) or "").strip()
            )
            stop = Stop(stopped.KEY_UNSET, unset) if unset else Stop()
            return self._failed(source, str(exc), PERMANENT_BACKOFF, counts=True, stop=stop)
        except Exception as exc:
            # A platform changed a field and the connector tripped over it: likely to pass or to
            # need a code fix, either way other sources and the bot carry on.
            logger.log(
                self.failure_level,
                "poll %s: the connector failed unexpectedly",
                source.name,
                exc_info=True,
            )
            message = f"unexpected {type(exc).__name__}: {exc}"
            return self._failed(source, message, None, counts=True)
        polled, walking = self._succeeded(
            source,
            result,
            stored.cursor,
            can_backfill=_can_backfill(connector),
            truncated=isinstance(connector, HttpSource) and connector.truncated,
        )
        if not walking:
            return polled
        walked = self.run_backfill(source, pages=self.backfill_pages, seconds=self.backfill_seconds)
        return dataclasses.replace(walked, new=polled.new + walked.new)

    # -- backfill -----------------------------------------------------------------------------
    def start_backfill(self, source: SourceConfig, days: int) -> None:
        """Start a backfill of `days` (or keep the unfinished one already covering them)."""
        fingerprint = _fingerprint(source)
        connector = self._connector(source, fingerprint)
        now = self.bot.clock()
        with self.bot.transaction() as session:
            state = _state(session, source)
            current = state.backfill
            if current and not current.get("done") and current.get("days") == days:
                return  # resume it: its cursor is where the last run stopped
            state.backfill = backfill.new_state(now, days, supported=_can_backfill(connector))

    def run_backfill(
        self,
        source: SourceConfig,
        *,
        pages: int | None,
        seconds: float | None,
        on_page: Callable[[dict[str, Any]], None] | None = None,
    ) -> PollResult:
        """Walk this source's backfill back, page by page, within `pages` and `seconds` (None:
        no limit), until it is done or fails. Each page and its cursor commit together."""
        started = time.monotonic()
        new = steps = 0
        stopped: str | None = None
        with self.bot.transaction() as session:
            row = session.get(SourceState, source.name)
            state = row.backfill if row is not None else None
        while state is not None and not state.get("done"):
            if pages is not None and steps >= pages:
                break
            if seconds is not None and time.monotonic() - started >= seconds:
                break
            try:
                connector = self._connector(source, _fingerprint(source))
                if not isinstance(connector, Backfilling):  # the playbook entry changed type
                    state = {**state, "done": True, "supported": False}
                    self._save_backfill(source, state)
                    break
                page = connector.backfill(state["cursor"], datetime.fromisoformat(state["since"]))
            except RateLimited as exc:  # the next poll (or run) resumes after the wait
                wait = timedelta(seconds=max(exc.retry_after, 1.0))
                return self._backfill_failed(source, exc.message, wait, new, state, counts=False)
            except (SourceError, ConfigError) as exc:
                message = exc.message if isinstance(exc, SourceError) else str(exc)
                if isinstance(exc, SourceError) and not exc.permanent:
                    return self._backfill_failed(source, message, None, new, state, counts=True)
                # The platform will not page back for this query (or refuses our cursor): keep
                # what we have; the live poll carries on regardless.
                state = {**state, "done": True, "error": message[:ERROR_CHARS]}
                self._save_backfill(source, state)
                stopped = state["error"]
                break
            except Exception as exc:
                logger.log(
                    self.failure_level,
                    "backfill %s: the connector failed unexpectedly",
                    source.name,
                    exc_info=True,
                )
                message = f"unexpected {type(exc).__name__}: {exc}"
                return self._backfill_failed(source, message, None, new, state, counts=True)
            stored, state = self._store_page(source, state, page)
            new += stored
            steps += 1
            if on_page is not None:
                on_page(state)
        if steps:
            logger.info(
                "backfill %s: %d pages, %d new, %s",
                source.name,
                steps,
                new,
                backfill.progress(state),
            )
        return PollResult(
            source.name, new=new, backfill=backfill.progress(state), backfill_stopped=stopped
        )

    def _backfill_failed(
        self,
        source: SourceConfig,
        message: str,
        wait: timedelta | None,
        new: int,
        state: dict[str, Any],
        *,
        counts: bool,
    ) -> PollResult:
        failed = self._failed(source, f"{message} (while backfilling)", wait, counts=counts)
        return dataclasses.replace(failed, new=new, backfill=backfill.progress(state))

    def _store_page(
        self, source: SourceConfig, state: dict[str, Any], page: BackfillPage
    ) -> tuple[int, dict[str, Any]]:
        now = self.bot.clock()
        with self.bot.transaction() as session:
            new = store_mentions(session, page.mentions, config=self.bot.config, now=now)
            row = _state(session, source)
            oldest = min((m.created_at for m in page.mentions), default=None)
            state = backfill.advanced(
                state, cursor=page.cursor, oldest=oldest, new=new, done=page.done
            )
            row.backfill = state
        return new, state

    def _save_backfill(self, source: SourceConfig, state: dict[str, Any]) -> None:
        with self.bot.transaction() as session:
            _state(session, source).backfill = state

    # -- state --------------------------------------------------------------------------------
    def _read_state(self, source: SourceConfig) -> StoredState:
        with self.bot.transaction() as session:
            state = session.get(SourceState, source.name)
            if state is None:
                return StoredState()
            info = state.info or {}
            failing = state.last_error if info.get("permanent") else None
            advice = (
                stopped.note(source, info, until=state.backoff_until, playbook=self._playbook())
                if failing else None
            )  # fmt: skip
            return StoredState(
                cursor=state.cursor,
                backoff_until=state.backoff_until,
                fingerprint=info.get("fingerprint"),
                failing=failing,
                advice=advice,
            )

    def _succeeded(
        self,
        source: SourceConfig,
        result: FetchResult,
        cursor: str | None,
        *,
        can_backfill: bool,
        truncated: bool,
    ) -> tuple[PollResult, bool]:
        """Store the live poll; also say whether a backfill is under way (walk on after it)."""
        now = self.bot.clock()
        with self.bot.transaction() as session:
            new = store_mentions(session, result.mentions, config=self.bot.config, now=now)
            state = _state(session, source)
            since = backfill.start_since(
                state.backfill,
                live_cursor=state.cursor,
                last_success_at=state.last_success_at,
                truncated=truncated,
                now=now,
                days=self.backfill_days,
            )
            if since is not None:
                days = math.ceil((now - since) / timedelta(days=1))
                state.backfill = backfill.new_state(now, days, supported=can_backfill, since=since)
            if result.cursor is not None:
                state.cursor = result.cursor
            if state.failures:
                self._tell_back(session, source, state, now=now)
            state.last_success_at = now
            state.last_error = None  # the desk shows the last error as current while it is set
            state.info = {
                k: v for k, v in (state.info or {}).items() if k not in ("stop", "permanent")
            }
            state.failures = 0
            state.backoff_until = None
            _count_today(state, new, now)
            today = state.mentions_today
            walk, walking = backfill.progress(state.backfill), backfill.active(state.backfill)
        logger.info(
            "poll %s: %d fetched, %d new, %d today, cursor %s",
            source.name,
            len(result.mentions),
            new,
            today,
            "moved" if result.cursor not in (None, cursor) else "kept",
        )
        return PollResult(source.name, new=new, backfill=walk), walking

    def _failed(
        self,
        source: SourceConfig,
        message: str,
        wait: timedelta | None,
        *,
        counts: bool,
        at_least: float | None = None,
        stop: Stop | None = None,
    ) -> PollResult:
        """Record the error and the time to try again; `wait` None means exponential backoff,
        but no sooner than `at_least` seconds (the platform said when it will be back). `stop`:
        the error is permanent (the configuration must change), and why."""
        permanent = stop is not None
        now = self.bot.clock()
        message = message[:ERROR_CHARS]
        with self.bot.transaction() as session:
            state = _state(session, source)
            if counts:
                state.failures = (state.failures or 0) + 1
            if wait is None:
                wait = self.backoff(source.interval, state.failures)
            if at_least:
                wait = max(wait, timedelta(seconds=at_least))
            state.last_error = message
            state.last_error_at = now
            state.backoff_until = now + wait
            # `permanent`: `crisisbot poll` asks; `stop`: why, for the notices (none: transient)
            info = {k: v for k, v in (state.info or {}).items() if k != "stop"}
            state.info = {
                **info,
                "permanent": permanent,
                **({"stop": stop.dump()} if stop is not None else {}),
            }
            _count_today(state, 0, now)
            failures, until = state.failures, state.backoff_until
            if counts and (permanent or failures >= DOWN_AFTER):
                self._tell_down(session, source, state, message, stop=stop, now=now)
        if counts:
            logger.log(
                self.failure_level,
                "poll %s failed (%d in a row): %s; next try after %s",
                source.name,
                failures,
                message,
                until.isoformat(),
            )
        else:  # the platform's own pace, not a failure ("failed (0 in a row)" before)
            logger.log(
                self.failure_level,
                "poll %s rate limited: %s; next try after %s",
                source.name,
                message,
                until.isoformat(),
            )
        advice = (  # English: terminal messages stay English
            stopped.advice(source, stop, until=until, playbook=self._playbook())
            if stop is not None
            else None
        )
        # Only a rate limit's wait is the platform's own (`counts` False): other errors back off.
        return PollResult(
            source.name, error=message, backoff_until=until, rate_limited=not counts, advice=advice
        )

    def _playbook(self) -> str:
        return stopped.playbook_name(self.bot.config)

    # -- telling the channel -------------------------------------------------------------------
    def _tell_down(
        self,
        session: Session,
        source: SourceConfig,
        state: SourceState,
        error: str,
        *,
        stop: Stop | None,
        now: datetime,
    ) -> None:
        """Once per run of failures: the source has stopped, why, and what to do."""
        name, n = quote(source.name, 100), state.failures or 1
        with i18n.using(self.bot.config.locale, self.bot.config.timezone):
            head = i18n.ngettext(
                ":warning: Mention source *{name}* has stopped working ({n} failure in a row):",
                ":warning: Mention source *{name}* has stopped working ({n} failures in a row):",
                n,
                name=name,
            )
            if stop is None:
                text = f"{head} {quote(error, 300)}\n" + _(
                    "It keeps retrying. `/crisis sources` shows every source's state."
                )
            else:
                told = stopped.reason(source, stop)
                what = stopped.todo(
                    source, stop, until=state.backoff_until, playbook=self._playbook()
                )
                if told:  # the platform's own account after it, for whoever fixes it
                    said = _("Details: {error}", error=quote(error, 300))
                    text = f"{head} {told}\n{what}\n{said}"
                else:
                    text = f"{head} {quote(error, 300)}\n{what}"
        self._post(session, _notice_key("down", source, state), text, now)  # once: by its key

    def _tell_back(
        self, session: Session, source: SourceConfig, state: SourceState, *, now: datetime
    ) -> None:
        """The source works again, said only where its stop was said."""
        down = _notice_key("down", source, state)
        if session.scalar(select(Outbox.id).where(Outbox.key == down)) is None:
            return
        with i18n.using(self.bot.config.locale, self.bot.config.timezone):
            text = _(
                ":white_check_mark: Mention source *{name}* works again.",
                name=quote(source.name, 100),
            )
        self._post(session, _notice_key("back", source, state), text, now)

    def _post(self, session: Session, key: str, text: str, now: datetime) -> None:
        channel = self.bot.settings.crisis_channel
        outbox.enqueue_channel_post(session, key=key, channel=channel, text=text, now=now)

    def backoff(self, interval: int, failures: int) -> timedelta:
        """interval × 2^(failures-1), capped at MAX_BACKOFF, ±20 % jitter (first failure ≈ the
        regular interval)."""
        base = interval * 2 ** max(failures - 1, 0)
        seconds = min(base, MAX_BACKOFF.total_seconds()) * self.rng(*JITTER)
        return timedelta(seconds=min(seconds, MAX_BACKOFF.total_seconds()))

    # -- connectors ---------------------------------------------------------------------------
    def _connector(self, source: SourceConfig, fingerprint: str) -> Source:
        cached = self._connectors.get(source.name)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        credentials = source.resolve_credentials(self.bot.settings.extra)
        try:
            connector = create_source(
                source.type,
                client=self.client,
                brand=source.brand,
                query=source.query,
                feed=source.feed,
                base_url=source.base_url,
                credentials=credentials,
                timeout=self.timeout,
                clock=self.bot.clock,
                **source.options,
            )
        except ValueError as exc:  # the playbook validates this; kept as a clear message anyway
            raise SourceError(f"{source.name}: {exc}", permanent=True) from None
        self._connectors[source.name] = (fingerprint, connector)
        return connector


def stopped_sources(
    session: Session, sources: list[SourceConfig] | tuple[SourceConfig, ...]
) -> list[SourceState]:
    """The configured sources the channel was told have stopped, and that have not worked since
    (the same rule as the notices: a down notice for the current run of failures)."""
    failing = session.scalars(
        select(SourceState).where(
            SourceState.name.in_([s.name for s in sources]), SourceState.failures > 0
        )
    )
    by_name = {state.name: state for state in failing}
    stopped = []
    for source in sources:
        state = by_name.get(source.name)
        key = _notice_key("down", source, state) if state is not None else None
        if key and session.scalar(select(Outbox.id).where(Outbox.key == key)) is not None:
            stopped.append(state)
    return [s for s in stopped if s is not None]


def _notice_key(kind: str, source: SourceConfig, state: SourceState) -> str:
    """One notice of each kind per run of failures: the run is named by the success before it."""
    since = state.last_success_at.isoformat() if state.last_success_at else "never"
    name = hashlib.sha256(source.name.encode()).hexdigest()[:16]  # any length, any characters
    return f"source-{kind}:{name}:{since}"


def _can_backfill(connector: Source) -> bool:
    return isinstance(connector, Backfilling)


def poll_all(
    bot: Crisisbot,
    *,
    client: httpx.Client | None = None,
    force: bool = False,
    failure_level: int = logging.WARNING,
) -> list[PollResult]:
    """One pass over every configured source (the `crisisbot poll` command)."""
    if client is not None:
        return Poller(bot, client, failure_level=failure_level).poll_all(force=force)
    with http_client() as own:
        return Poller(bot, own, failure_level=failure_level).poll_all(force=force)


def _state(session: Session, source: SourceConfig) -> SourceState:
    state = session.get(SourceState, source.name, with_for_update=True)
    if state is None:
        state = SourceState(name=source.name, type=source.type, failures=0, mentions_today=0)
        session.add(state)
    state.type = source.type
    state.info = {**(state.info or {}), "fingerprint": _fingerprint(source)}
    return state


def _count_today(state: SourceState, new: int, now: datetime) -> None:
    """`mentions_today` counts new mentions per UTC day; a new day starts it again at zero."""
    today = now.astimezone(UTC).date().isoformat()
    if state.day != today:
        state.day, state.mentions_today = today, 0
    state.mentions_today = (state.mentions_today or 0) + new


def _fingerprint(source: SourceConfig) -> str:
    """Identifies a playbook entry (env var names, never secret values)."""
    data: list[object] = [source.type, source.query, source.feed, source.base_url, source.brand]
    data.append(sorted(source.credentials.items()))
    if source.options:  # only then: the sources of before keep their fingerprint (and backoff)
        data.append(sorted(source.options.items()))
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]
