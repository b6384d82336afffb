"""Fixtures the polling tests share; each module brings its own `playbook`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.config import load_config
from bot.testing import CHANNEL, Stack, start_stack


@pytest.fixture
def polling_stack(database_url: str, clock: ManualClock, playbook: Path) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock, config=load_config(playbook))
    yield s
    s.stop()


def cli_env(monkeypatch: pytest.MonkeyPatch, stack: Stack, playbook: Path, **extra: str) -> None:
    """What `crisisbot` on the command line needs to reach this stack and playbook."""
    monkeypatch.chdir(playbook.parent)
    for name, value in {
        "SLACK_BOT_TOKEN": stack.emulator.bot_token,
        "SLACK_API_URL": stack.emulator.api_url,
        "DATABASE_URL": stack.bot.settings.database_url or "",
        "CRISIS_CHANNEL": CHANNEL,
        "CRISIS_CONFIG": str(playbook),
        **extra,
    }.items():
        monkeypatch.setenv(name, value)
