"""The command line prints what the user asked for: the libraries' INFO lines (Alembic's
plugins and migrations, the scheduler, the web server) only with --verbose."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _migrate(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *flags], capture_output=True, text=True, timeout=60,
        env=env, cwd=tmp_path,
    )  # fmt: skip


def test_migrate_prints_one_line_and_no_library_logs(tmp_path: Path) -> None:
    done = _migrate(tmp_path, "migrate")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines() == ["crisisbot: schema is up to date on sqlite"]


@pytest.mark.parametrize("flags", [("--verbose", "migrate"), ("migrate", "-v")])
def test_verbose_shows_the_libraries_info_lines(tmp_path: Path, flags: tuple[str, ...]) -> None:
    done = _migrate(tmp_path, *flags)
    assert done.returncode == 0, done.stderr
    assert "INFO alembic.runtime.migration: Running upgrade" in done.stderr
