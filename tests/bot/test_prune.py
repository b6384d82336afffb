"""`crisisbot prune --before DATE`: old mentions go, in batches, unless an incident refers to them
(its charted window, or a quote in its evidence); incidents, timelines and evidence stay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from bot.aftermath import retention
from bot.cli import main
from bot.core.config import Config
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.response import incidents
from bot.testing import CHANNEL, Stack
from models import Incident, Mention, TimelineEvent, create_db_engine, session_factory
from tests.bot.conftest import mentions_locked
from tests.conftest import PG_URL
from tests.faults.helpers import wait_drained
from tests.models.test_transactions import _write_locked


def _record(n: int, brand: str, at: datetime) -> dict[str, object]:
    return {
        "id": f"{brand}-{n}",
        "source": "bluesky",
        "text": f"{brand} order {n}",
        "created_at": at.isoformat(),
        "url": f"https://bsky.app/p/{brand}-{n}",
        "brand": brand,
    }


def _ids(stack: Stack) -> set[str]:
    with stack.bot.sessions() as session:
        return set(session.scalars(select(Mention.external_id)))


@pytest.mark.usefixtures("command_line")
def test_prune_keeps_what_incidents_refer_to(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = stack.bot.clock()
    storm = now - timedelta(days=30)
    # Every 2 hours from 40 days back to now, for two brands.
    records = [
        _record(k, brand, now - timedelta(days=40) + timedelta(hours=2 * k))
        for brand in ("Acme", "Globex")
        for k in range(40 * 12)
    ]
    quoted = _record(9999, "Acme", now - timedelta(days=35))
    with stack.bot.transaction() as session:
        store_mentions(
            session, [parse_record(r) for r in [*records, quoted]], config=stack.bot.config, now=now
        )
        incident = incidents.open_incident(
            session, brand="Acme", title="Acme: mention storm", severity="high",
            evidence={"samples": [{"source": "bluesky", "url": quoted["url"], "text": "q"}]},
            first_mention_at=storm, channel=CHANNEL, now=storm + timedelta(minutes=10),
        )  # fmt: skip
        assert incident is not None
        incidents.resolve(
            session, incident.id, user="U0ALICE", summary="ok", now=storm + timedelta(hours=5)
        )
    wait_drained(stack.bot)  # the alert's delivery adds to the timeline: let it land first
    with stack.bot.sessions() as session:
        events = session.scalar(select(func.count()).select_from(TimelineEvent))
        evidence = session.scalars(select(Incident.evidence)).one()
    before = now - timedelta(days=20)

    assert main(["prune", "--before", before.isoformat(), "--batch", "7"]) == 0
    out = capsys.readouterr().out

    window = (storm - timedelta(hours=6), storm + timedelta(hours=5, minutes=60))
    expected = {
        str(r["id"])
        for r in records
        if datetime.fromisoformat(str(r["created_at"])) >= before
        or (
            r["brand"] == "Acme"
            and window[0] <= datetime.fromisoformat(str(r["created_at"])) <= window[1]
        )
    } | {str(quoted["id"])}
    assert _ids(stack) == expected
    removed = len(records) + 1 - len(expected)
    assert f"removed {removed} mentions" in out and "kept 8 " in out
    with stack.bot.sessions() as session:
        assert session.scalar(select(func.count()).select_from(TimelineEvent)) == events
        assert session.scalars(select(Incident.evidence)).one() == evidence
    # Nothing more to do: a rerun removes nothing.
    assert main(["prune", "--before", before.isoformat()]) == 0
    assert "removed 0 mentions" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("before", "message"),
    [("last tuesday", "is not a date"), ("2999-01-01", "within the detection look-back")],
)
@pytest.mark.usefixtures("command_line")
def test_prune_refuses_a_bad_date(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    before: str,
    message: str,
) -> None:
    with stack.bot.transaction() as session:
        store_mentions(
            session,
            [parse_record(_record(1, "Acme", stack.bot.clock() - timedelta(days=90)))],
            config=stack.bot.config,
            now=stack.bot.clock(),
        )
    assert main(["prune", "--before", before]) == 2
    assert message in capsys.readouterr().err
    assert len(_ids(stack)) == 1


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ("0", "crisisbot: --batch must be at least 1"),
        ("99999999999999999999", "crisisbot: --batch must be at most 1000000 (a transaction)"),
    ],
)
@pytest.mark.usefixtures("command_line")
def test_prune_refuses_a_batch_size_it_cannot_use(
    stack: Stack, capsys: pytest.CaptureFixture[str], batch: str, message: str
) -> None:
    """A number too large for the database was a traceback (OverflowError from SQLite)."""
    with stack.bot.transaction() as session:
        store_mentions(
            session,
            [parse_record(_record(1, "Acme", stack.bot.clock() - timedelta(days=90)))],
            config=stack.bot.config,
            now=stack.bot.clock(),
        )
    assert main(["prune", "--before", "2020-01-01", "--batch", batch]) == 2
    assert capsys.readouterr().err.splitlines() == [message]
    assert len(_ids(stack)) == 1


@pytest.mark.usefixtures("command_line")
def test_a_prune_stopped_with_ctrl_c_finishes_its_batch_and_says_what_it_removed(
    stack: Stack, database_url: str
) -> None:
    """It stopped without a word (exit 130), the batch in hand rolled back: how much was gone,
    and that a rerun takes the rest, the operator had to guess."""
    old = datetime(2020, 3, 1, tzinfo=UTC)
    with stack.bot.transaction() as session:
        store_mentions(
            session,
            [parse_record(_record(n, "Acme", old + timedelta(hours=n))) for n in range(30)],
            config=stack.bot.config,
            now=stack.bot.clock(),
        )
    command = [sys.executable, "-m", "bot.cli", "prune", "--before", "2021-01-01", "--batch", "10"]
    with mentions_locked(database_url) as blocked:
        proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
        blocked("DELETE")  # its first batch read, its deletion waiting for the lock
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert len(_ids(stack)) == 20  # the first batch, whole
    assert err.splitlines()[-1] == (
        "crisisbot: stopped: 10 mentions removed; run the same prune again for the rest"
    ), err


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's one write lock")
def test_prune_leaves_the_write_lock_free_while_it_reads_a_batch(database_url: str) -> None:
    """A prune from cron runs beside the bot, which needs SQLite's one write lock for every
    change: it must find it free between the prune's deletions, not held batch after batch."""
    engine = create_db_engine(database_url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    old = [_record(k, "Acme", now - timedelta(days=40, hours=k)) for k in range(30)]
    with sessions.begin() as session:
        store_mentions(session, [parse_record(r) for r in old], config=Config(), now=now)
    reads: list[bool] = []  # for each batch read: whether the write lock was held

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().startswith("SELECT") and "ORDER BY mentions.source" in statement:
            reads.append(_write_locked(engine))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        pruned = retention.prune(sessions, before=now - timedelta(days=20), now=now, batch=7)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
        engine.dispose()
    assert pruned.deleted == 30
    assert reads == [False] * 6  # five batches of 7 or fewer, then the empty read
