"""Fixtures and helpers the polling tests share; each module brings its own `playbook`."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, make_url, select, text

from bot.app import Crisisbot
from bot.cli import main
from bot.core.clock import ManualClock
from bot.core.config import load_config
from bot.core.settings import Settings
from bot.intake.polling import Poller, PollResult, http_client
from bot.testing import CHANNEL, Stack, start_stack
from models import Mention, SourceState, create_db_engine
from tests.bot.flow import PINNED_START
from tests.local_server import LOCAL_TIMEOUT

BRANDS = '[[brands]]\nname = "Acme"\nterms = ["acme"]\nkeywords = ["breach", "boycott"]\n\n'


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def polling_stack(database_url: str, clock: ManualClock, playbook: Path) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock, config=load_config(playbook))
    yield s
    s.stop()


def stack_env(monkeypatch: pytest.MonkeyPatch, stack: Stack, cwd: Path, **extra: str) -> None:
    """What `crisisbot` on the command line needs to reach this stack, working in `cwd`."""
    monkeypatch.chdir(cwd)
    for name, value in {
        "SLACK_BOT_TOKEN": stack.emulator.bot_token,
        "SLACK_API_URL": stack.emulator.api_url,
        "DATABASE_URL": stack.bot.settings.database_url or "",
        "CRISIS_CHANNEL": CHANNEL,
        **extra,
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def command_line(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`stack_env` for `stack`, working in `tmp_path`: for tests that run `main([...])`."""
    stack_env(monkeypatch, stack, tmp_path)


def cli_env(monkeypatch: pytest.MonkeyPatch, stack: Stack, playbook: Path, **extra: str) -> None:
    """`stack_env` with this playbook, working in its folder."""
    stack_env(monkeypatch, stack, playbook.parent, CRISIS_CONFIG=str(playbook), **extra)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """`crisisbot *argv` in this process: its exit code and what it printed."""
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().out


def cli_ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What `crisisbot *argv` printed; it must exit 0."""
    code, out = run_cli(capsys, *argv)
    assert code == 0, out
    return out


def make_bot(database_url: str, clock: ManualClock, playbook: Path, **env: str) -> Crisisbot:
    """A fresh bot process on this database and playbook, `env` as the rest of its environment."""
    settings = Settings(database_url=database_url, extra=env)
    return Crisisbot(settings, config=load_config(playbook), clock=clock)


def poll_once(bot: Crisisbot, timeout: float = LOCAL_TIMEOUT) -> dict[str, PollResult]:
    """One pass by a fresh process (new poller and connectors); `timeout` per request, where a
    test measures one."""
    with http_client() as client:
        return {r.name: r for r in Poller(bot, client, timeout=timeout).poll_all()}


def stored(bot: Crisisbot, source: str | None = None) -> int:
    """Mentions stored, of `source` or of all."""
    query = select(func.count()).select_from(Mention)
    if source is not None:
        query = query.where(Mention.source == source)
    with bot.transaction() as session:
        return session.scalar(query) or 0


def source_states(bot: Crisisbot) -> dict[str, SourceState]:
    with bot.transaction() as session:
        return {s.name: s for s in session.scalars(select(SourceState))}


def alerts(stack: Stack) -> list[dict[str, Any]]:
    """The messages posted to the crisis channel itself, not in a thread."""
    return [m for m in stack.emulator.messages(CHANNEL) if not m.get("thread_ts")]


def sources_reply(stack: Stack) -> dict[str, Any]:
    """Run `/crisis sources` and wait for its reply."""
    stack.slack.command("sources")
    payload = stack.emulator.wait_for(
        lambda: next(
            (
                r["payload"]
                for r in stack.emulator.responses
                if "Mention sources" in r["payload"].get("text", "")
            ),
            None,
        )
    )
    assert payload is not None
    return payload


@dataclass
class Cli:
    """`crisisbot` on the command line, run in this process against the polling stack."""

    capsys: pytest.CaptureFixture[str]

    def __call__(self, *argv: str) -> tuple[int, str]:
        return run_cli(self.capsys, *argv)

    def ok(self, *argv: str) -> str:
        return cli_ok(self.capsys, *argv)


@pytest.fixture
def cli_extra_env() -> dict[str, str]:
    """More environment for `cli`; a module whose sources need credentials overrides it."""
    return {}


@pytest.fixture
def cli(
    polling_stack: Stack,
    playbook: Path,
    cli_extra_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    """The command line's environment set for `polling_stack` and `playbook`."""
    cli_env(monkeypatch, polling_stack, playbook, **cli_extra_env)
    return Cli(capsys)


@pytest.fixture
def pinned() -> ManualClock:
    return ManualClock(PINNED_START)


@pytest.fixture
def team(database_url: str, pinned: ManualClock) -> Iterator[Stack]:
    """The response team's stack on the pinned clock (a module may define its own `team`)."""
    from tests.bot.test_response import PLAYBOOK

    s = start_stack(database_url, clock=pinned, config=PLAYBOOK)
    yield s
    s.stop()


@contextmanager
def mentions_locked(database_url: str) -> Iterator[Callable[[str], None]]:
    """The mentions table locked against writes, as another process's long transaction would
    (SQLite: its one write lock; PostgreSQL: an EXCLUSIVE table lock), until the block ends.
    Yields `blocked(verb)`: waits until a process waits on the lock with that statement
    ("INSERT", "DELETE"); on SQLite, which cannot be asked, for 3 s."""
    engine = create_db_engine(database_url)
    holder: Any
    if engine.dialect.name == "sqlite":
        holder = sqlite3.connect(str(make_url(database_url).database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        holder = engine.connect()
        holder.execute(text("LOCK TABLE mentions IN EXCLUSIVE MODE"))

    def blocked(verb: str) -> None:
        if engine.dialect.name == "sqlite":
            time.sleep(3)
            return
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE :verb"
        )
        deadline = time.monotonic() + 30
        with engine.connect() as probe:
            while not probe.scalar(waiting, {"verb": f"{verb} %mentions%"}):
                assert time.monotonic() < deadline, f"no {verb} waited for the lock"
                time.sleep(0.05)
                probe.rollback()

    try:
        yield blocked
    finally:
        holder.close()  # its transaction rolled back, the lock with it
        engine.dispose()
