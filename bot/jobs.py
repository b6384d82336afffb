"""Scheduler jobs. Each opens its own session, calls one service and returns; each is safe to run
twice, and on PostgreSQL an advisory lock makes it run once across several workers.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.base import BaseExecutor, run_job
from apscheduler.job import Job
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.aftermath import digest
from bot.app import Crisisbot
from bot.core import i18n
from bot.core.config import WEEKDAYS, SourceConfig
from bot.core.locks import lock_key, try_xact_lock
from bot.detection import detect as detection
from bot.intake.polling import Poller, PollResult, http_client
from bot.response import followups, timers

logger = logging.getLogger(__name__)


@contextmanager
def only_one(bot: Crisisbot, name: str) -> Iterator[bool]:
    """True when this process may run job `name` now (always, on SQLite: one worker there)."""
    if bot.engine.dialect.name != "postgresql":
        yield True
        return
    with bot.engine.connect() as conn:
        key = lock_key(conn, name)
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        try:
            yield bool(got)
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def job(fn: Callable[[Crisisbot], Any]) -> Callable[[Crisisbot], Any]:
    @functools.wraps(fn)
    def run(bot: Crisisbot) -> Any:
        with only_one(bot, fn.__name__) as mine, i18n.using(bot.config.locale, bot.config.timezone):
            if not mine:
                return None
            return fn(bot)

    return run


def detect_storms(bot: Crisisbot) -> list[int]:
    """One detection pass. Each brand is claimed with its own advisory lock for the pass's
    transaction, so several workers share the brands and none is assessed twice at once."""
    with i18n.using(bot.config.locale, bot.config.timezone), bot.transaction() as session:
        opened = detection.run_detection(
            session,
            config=bot.config,
            channel=bot.settings.crisis_channel,
            now=bot.clock(),
            claim=lambda s, brand: try_xact_lock(s, f"detect:{brand or ''}"),
        )
        numbers = [i.id for i in opened]
    bot.kick()
    return numbers


@job
def run_timers(bot: Crisisbot) -> None:
    with bot.transaction() as session:
        timers.escalate_unclaimed(session, config=bot.config, now=bot.clock())
        timers.remind_stale(session, config=bot.config, now=bot.clock())
        timers.remind_updates(session, config=bot.config, now=bot.clock())
        timers.end_quiet_drills(session, config=bot.config, now=bot.clock())
        followups.remind_overdue(session, now=bot.clock())
    bot.kick()


@job
def post_digest(bot: Crisisbot) -> bool:
    """Queue the weekly digest for the incident channel (once per ISO week, see bot.digest)."""
    with bot.transaction() as session:
        queued = digest.enqueue_digest(
            session, channel=bot.settings.crisis_channel, now=bot.clock()
        )
    bot.kick()
    return queued


def deliver_outbox(bot: Crisisbot) -> int:
    # No job lock: delivery claims each row (a lease, and on PostgreSQL an advisory lock held
    # while it is sent), so workers share the work and a dead one's rows are taken at once.
    return bot.deliver_now()


def poll_source(poller: Poller, source: SourceConfig) -> PollResult | None:
    """One source's poll; the advisory lock is per source, so workers share the sources."""
    with only_one(poller.bot, f"poll:{source.name}") as mine:
        if not mine:
            return None
        return poller.poll(source)


def watched(bot: Crisisbot, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` as a scheduled job: a database outage is one line in the log for the whole outage
    (`bot.database`), not a traceback from the scheduler (and another from a listener, since
    removed) at every run of every job; the next run tries again."""

    @functools.wraps(fn)
    def run(*args: Any) -> Any:
        mark = bot.database.mark()
        try:
            result = fn(*args)
        except DBAPIError as exc:
            if not bot.database.failed(exc, f"running {fn.__name__}"):
                raise
            return None
        if not (isinstance(result, PollResult) and result.database_error):
            bot.database.ok(mark)
        return result

    return run


# How long a stopping process waits for the jobs in hand (a detection pass, a poll) before it
# leaves them: docker stop and Kubernetes kill at 10 s, and the courier needs some of that.
STOP_GRACE_SECONDS = 5.0


class JobThreads(BaseExecutor):  # type: ignore[misc]
    """Each run of a job on a daemon thread of its own, so a stopping process waits for the jobs
    in hand `STOP_GRACE_SECONDS` at most. APScheduler's thread pool (concurrent.futures) is
    joined at exit whatever its shutdown is told: a poll of a source that does not answer, or
    drips its body, held SIGTERM for the read's 15 s timeout, and up to the 60 s a body may take
    (`crisisbot worker` took 42 s to stop while a source trickled). A job left running loses
    nothing: a poll's fetch commits nothing until its mentions and cursor commit together, and
    every job is one transaction, safe to run again. It also lifts the pool's cap of 10 threads,
    under which ten slow sources held up detection and delivery."""

    def __init__(self, grace: float = STOP_GRACE_SECONDS) -> None:
        super().__init__()
        self.grace = grace
        self._threads: set[threading.Thread] = set()
        self._guard = threading.Lock()

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        def work() -> None:
            try:
                events = run_job(job, job._jobstore_alias, run_times, self._logger.name)
            except BaseException as exc:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, events)
            finally:
                with self._guard:
                    self._threads.discard(thread)

        thread = threading.Thread(target=work, name=f"job {job.id}", daemon=True)
        with self._guard:
            self._threads.add(thread)
        thread.start()

    def shutdown(self, wait: bool = True) -> None:
        deadline = time.monotonic() + (self.grace if wait else 0.0)
        with self._guard:
            running = list(self._threads)
        for thread in running:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        left = sorted(t.name.removeprefix("job ") for t in running if t.is_alive())
        if left:
            logger.warning(
                "stopping without waiting for %s (nothing is lost: the next start runs it again)",
                ", ".join(left),
            )


def create_scheduler(bot: Crisisbot, *, poller: Poller | None = None) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", executors={"default": JobThreads()})
    common = {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": 30,
        "replace_existing": True,
    }
    scheduler.add_job(watched(bot, detect_storms), "interval", seconds=bot.config.detect_interval,
                      args=[bot], id="detect_storms", **common)  # fmt: skip
    scheduler.add_job(
        watched(bot, run_timers), "interval", seconds=30, args=[bot], id="run_timers", **common
    )
    scheduler.add_job(
        watched(bot, deliver_outbox), "interval", seconds=5, args=[bot], id="deliver_outbox",
        **common,
    )  # fmt: skip
    # A digest missed while the worker was down is still worth posting within the hour. The hour
    # is on the team's clock (`timezone`): 09:00 in Sofia stays 09:00 across a DST change. The
    # job store is in memory: a worker (re)started after the hour struck would first fire next
    # week, so within the hour it runs at once (the week's key keeps it to one post).
    missed = _digest_slot(
        bot.config.digest_day, bot.config.digest_hour, bot.clock(), ZoneInfo(bot.config.timezone)
    )
    catch_up = {"next_run_time": datetime.now(UTC)} if missed is not None else {}
    scheduler.add_job(
        watched(bot, post_digest), "cron", day_of_week=bot.config.digest_day[:3],
        hour=bot.config.digest_hour,
        minute=0, timezone=bot.config.timezone, args=[bot], id="post_digest",
        **{**common, "misfire_grace_time": int(DIGEST_GRACE.total_seconds())}, **catch_up,
    )  # fmt: skip
    poller = poller or Poller(bot, http_client())  # one HTTP client for all of this process
    start = datetime.now(UTC)
    for i, source in enumerate(bot.config.sources):
        # Each source on its own interval: a slow or failing one never delays the others. The
        # first poll comes right after start (staggered), not one interval later.
        scheduler.add_job(watched(bot, poll_source), "interval", seconds=source.interval,
                          args=[poller, source], id=f"poll:{source.name}",
                          next_run_time=start + timedelta(seconds=2 * i), **common)  # fmt: skip
    # A job's error is logged by APScheduler with its traceback ("Job … raised an exception"):
    # a listener logging it again doubled every traceback.
    return scheduler


DIGEST_GRACE = timedelta(hours=1)


def _digest_slot(day: str, hour: int, now: datetime, zone: ZoneInfo) -> datetime | None:
    """This week's digest time (the team's week and hour) if it struck less than DIGEST_GRACE
    ago, else None."""
    now = now.astimezone(zone)
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    slot = monday + timedelta(days=WEEKDAYS.index(day.lower()), hours=hour)
    return slot if slot <= now < slot + DIGEST_GRACE else None
