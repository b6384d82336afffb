"""The database's outages as the operator's log tells them: one line when it stops answering, one
when it answers again, however many jobs, polls, deliveries and pushes fail in between.

A process's scheduler runs a job every few seconds and its courier retries every second or two:
logged one by one, each with its driver's traceback (twice for a job: the scheduler's line and
ours), a one-minute PostgreSQL outage wrote about 10,000 log lines per worker. An error that is
not an outage (a bad value, a broken query) is none of this module's business: its callers log it
with its traceback as before.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

logger = logging.getLogger(__name__)


# SQLite raises OperationalError for a missing table or a syntax error too: those are bugs to
# see with their traceback, not an outage. These are the file being unusable for now.
SQLITE_OUTAGES = (
    "database is locked",
    "unable to open database",
    "disk i/o error",
    "database or disk is full",
    "readonly database",
)


def is_outage(exc: BaseException) -> bool:
    """The database did not answer (refused, dropped, timed out, locked), as against an error in
    what was asked of it."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if isinstance(exc.orig, sqlite3.Error):
        return any(text in str(exc.orig).lower() for text in SQLITE_OUTAGES)
    return True


def reason(exc: BaseException) -> str:
    """The driver's first line ("connection failed: … Connection refused"), not SQLAlchemy's
    wrapping with the statement and the link."""
    inner = getattr(exc, "orig", None) or exc
    first = (str(inner).strip().splitlines() or [type(inner).__name__])[0]
    return first[:300]


class DatabaseWatch:
    """Shared by a process's threads. `failed` logs the first failure of an outage; `ok` logs
    the end of one once `probe` (a `SELECT 1`) answers after work that began after the last
    failure succeeded: work begun before it may have done its part in the database just before
    the outage, and work that succeeded may not have needed the database at all (a detection
    pass with no brands opens no connection)."""

    def __init__(
        self, probe: Callable[[], object], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._probe = probe
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._failures = 0

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def mark(self) -> int:
        """Taken before a piece of work; handed to `ok` once it has succeeded."""
        return self._failures

    def failed(self, exc: BaseException, doing: str) -> bool:
        """True when `exc` is an outage (now logged, once per outage); False for any other
        error, which the caller logs as before."""
        if not is_outage(exc):
            return False
        with self._lock:
            self._failures += 1
            first = self._down_since is None
            if first:
                self._down_since = self._clock()
        if first:
            logger.warning(
                "database unavailable while %s (%s); what needs it waits and resumes by "
                "itself when it answers",
                doing,
                reason(exc),
            )
        else:
            logger.debug("database still unavailable while %s: %s", doing, reason(exc))
        return True

    def ok(self, mark: int) -> None:
        if self._down_since is None or self._failures != mark:
            return
        try:
            self._probe()
        except DBAPIError as exc:
            if not is_outage(exc):
                raise
            with self._lock:
                self._failures += 1
            return
        with self._lock:
            if self._down_since is None or self._failures != mark:
                return
            seconds, self._down_since = self._clock() - self._down_since, None
        logger.warning("database answers again (unavailable for %.0f s)", seconds)
