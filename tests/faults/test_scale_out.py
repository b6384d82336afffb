"""Several workers against one database: a storm opens one incident, a job runs once at a time,
and two couriers share the outbox without posting anything twice.

Each `Crisisbot` here has its own engine and connection pool, as separate processes would; on
PostgreSQL that is the deployment described in README "Running several processes".
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import jobs
from bot.app import Crisisbot
from bot.core.clock import system_clock
from bot.core.config import Config
from bot.core.locks import try_xact_lock
from bot.core.settings import Settings
from bot.emulator import SlackEmulator
from bot.response import outbox
from bot.slack.gateway import SlackGateway
from models import Incident, Outbox
from tests.faults.helpers import CHANNEL, assert_slack_matches_db, ingest_storm, keys_posted

PG = bool(os.environ.get("CRISISBOT_TEST_DATABASE_URL"))
WORKERS = 4


@pytest.fixture
def workers(database_url: str) -> Iterator[tuple[SlackEmulator, list[Crisisbot]]]:
    emu = SlackEmulator().start()
    bots = [
        Crisisbot(
            Settings(
                slack_bot_token=emu.bot_token,
                slack_api_url=emu.api_url,
                database_url=database_url,
                crisis_channel=CHANNEL,
            ),
            config=Config(),
            clock=system_clock,
            gateway=SlackGateway(emu.bot_token, emu.api_url, min_post_interval=0.0),
        )
        for _ in range(WORKERS)
    ]
    yield emu, bots
    for bot in bots:
        bot.close()
    emu.stop()


def _together(bots: list[Crisisbot], fn) -> list:  # type: ignore[no-untyped-def,type-arg]
    """Run fn(bot) in one thread per bot, released at the same instant."""
    barrier = threading.Barrier(len(bots))
    results: list = [None] * len(bots)  # type: ignore[type-arg]
    errors: list[BaseException] = []

    def go(i: int, bot: Crisisbot) -> None:
        barrier.wait()
        try:
            results[i] = fn(bot)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(i, b)) for i, b in enumerate(bots)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_concurrent_detection_opens_one_incident_per_storm(
    workers: tuple[SlackEmulator, list[Crisisbot]],
) -> None:
    emu, bots = workers
    ingest_storm(bots[0], "Acme", bots[0].clock())
    ingest_storm(bots[0], "Globex", bots[0].clock(), seed=3)
    for _ in range(3):  # several rounds: every worker's detection job fires at once
        _together(bots, jobs.detect_storms)
    _together(bots, lambda bot: bot.deliver_now())
    with bots[0].sessions() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 2
        cards = session.scalar(select(func.count()).where(Outbox.kind == "card"))
        assert cards == 2
    assert assert_slack_matches_db(bots[0], emu.messages(CHANNEL)) == 2


def test_couriers_share_the_outbox_and_post_each_message_once(
    workers: tuple[SlackEmulator, list[Crisisbot]],
) -> None:
    emu, bots = workers
    ingest_storm(bots[0], "Acme", bots[0].clock())
    assert jobs.detect_storms(bots[0]) == [1]
    assert bots[0].deliver_now() == 1  # the alert first: replies wait for their thread
    with bots[0].transaction() as session:
        from bot.response import incidents

        incident = incidents.get(session, 1)
        for k in range(40):
            outbox.enqueue_post(session, incident, text=f"update {k}", now=bots[0].clock())
    sent = _together(bots, lambda bot: bot.deliver_now())
    assert sum(sent) == 40
    posted = keys_posted(emu.messages(CHANNEL))
    assert len(posted) == 41 and set(posted.values()) == {1}
    if PG:
        assert sum(1 for n in sent if n) > 1, "the couriers should have shared the work"


@pytest.mark.skipif(not PG, reason="the advisory lock is PostgreSQL's; SQLite runs one worker")
def test_a_scheduled_job_runs_in_one_worker_at_a_time(
    workers: tuple[SlackEmulator, list[Crisisbot]],
) -> None:
    _, bots = workers
    ingest_storm(bots[0], "Acme", bots[0].clock())
    with jobs.only_one(bots[0], "post_digest") as mine:
        assert mine
        # Another worker's run of the same job is skipped while the first holds the lock...
        assert jobs.post_digest(bots[1]) is None
        # ...but a different job is not held up by it.
        with jobs.only_one(bots[1], "run_timers") as other:
            assert other
    # Detection is claimed per brand: a brand another worker is assessing is skipped...
    with bots[0].transaction() as session:
        assert try_xact_lock(session, "detect:Acme")
        assert jobs.detect_storms(bots[1]) == []
        with bots[2].transaction() as other_session:
            assert not try_xact_lock(other_session, "detect:Acme")
            assert try_xact_lock(other_session, "detect:Globex")
    assert jobs.detect_storms(bots[1]) == [1]  # released with the transaction: next pass goes


@pytest.mark.skipif(not PG, reason="advisory locks are PostgreSQL's")
def test_the_job_lock_is_per_schema_not_per_database(
    workers: tuple[SlackEmulator, list[Crisisbot]], database_url: str
) -> None:
    """Another deployment (or test run) in another schema of the same database must not
    make our jobs skip: advisory locks are database-wide, so the key carries the schema."""
    from sqlalchemy import text

    from models import create_db_engine

    _, bots = workers
    base = os.environ["CRISISBOT_TEST_DATABASE_URL"]
    other = create_db_engine(
        base + ("&" if "?" in base else "?") + "options=-csearch_path%3Dpublic"
    )
    try:
        # The other deployment (schema "public") is assessing brand Acme right now.
        with Session(other) as theirs, theirs.begin():
            assert try_xact_lock(theirs, "detect:Acme")
            # The key as it was before (schema-blind) is held too, by an older release.
            old = zlib.crc32(b"crisisbot:detect:Acme")
            theirs.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": old})
            ingest_storm(bots[0], "Acme", bots[0].clock())
            assert jobs.detect_storms(bots[0]) == [1]
    finally:
        other.dispose()


@pytest.mark.skipif(not PG, reason="the courier's advisory lock is PostgreSQL's")
def test_a_dead_couriers_row_is_taken_over_at_once_a_live_ones_never(
    workers: tuple[SlackEmulator, list[Crisisbot]],
) -> None:
    emu, bots = workers
    ingest_storm(bots[0], "Acme", bots[0].clock())
    assert jobs.detect_storms(bots[0]) == [1]
    with bots[0].engine.connect() as conn:
        key = jobs.lock_key(conn, "outbox:1")
    # Another courier claimed the alert a moment ago: its lease has most of a minute to run.
    courier = bots[2].engine.raw_connection()
    cursor = courier.cursor()
    cursor.execute("SELECT pg_try_advisory_lock(%s)", (key,))
    courier.commit()
    with bots[0].transaction() as session:
        session.execute(
            update(Outbox).values(locked_until=bots[0].clock() + timedelta(seconds=55), attempts=1)
        )
    assert bots[1].deliver_now() == 0  # alive: its row is left alone
    assert emu.messages(CHANNEL) == []
    courier.invalidate()  # the courier's process dies: its connection, and lock, go with it
    assert bots[1].deliver_now() == 1  # taken over now, not when the lease runs out
    assert assert_slack_matches_db(bots[0], emu.messages(CHANNEL)) == 1
