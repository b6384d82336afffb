"""The command line with its standard streams closed or cut, run as a shell would run it, in
its own process: a reader that leaves (`| head`) ends a command quietly with exit status 141;
a closed stdout or stdin is said in one line before any work (exit 2); nothing half-done."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import Crisisbot
from bot.cli import BROKEN_PIPE
from bot.core.settings import Settings
from bot.response import incidents
from models import Mention, create_db_engine
from tests.bot.conftest import mentions_locked

LINE = '{{"id": "{n}", "source": "t", "text": "Acme is down again", "created_at": "{at}"}}\n'


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    environ = {**os.environ, "DATABASE_URL": database_url}
    for name in ("LOG_LEVEL", "CRISIS_CONFIG", "SLACK_BOT_TOKEN"):
        environ.pop(name, None)
    return environ


def _mentions(path: Path, count: int, *, bad_after: int = 0, bad: int = 0) -> Path:
    """`count` good records; `bad` refused ones after the first `bad_after` of them."""
    at = datetime(2025, 3, 14, 18, tzinfo=UTC)
    lines = [LINE.format(n=n, at=(at + timedelta(seconds=n)).isoformat()) for n in range(count)]
    lines[bad_after:bad_after] = ['{"id": "x", "source": "t"}\n'] * bad
    path.write_text("".join(lines))
    return path


def _stored(database_url: str) -> int:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Mention)) or 0)
    finally:
        engine.dispose()


def _an_incident(env: dict[str, str]) -> None:
    bot = Crisisbot(Settings.from_env(env))
    try:
        with bot.transaction() as session:
            incident = incidents.declare(
                session, brand=None, text="Checkout down for everyone\n" + "more\n" * 2000,
                severity="high", user="U0ALICE", channel=None, now=datetime.now(UTC),
            )  # fmt: skip
            session.flush()
            for n in range(200):  # a timeline longer than a pipe holds
                incidents.add_note(session, incident.id, user="U0ALICE", text=f"note {n}",
                               now=datetime.now(UTC))  # fmt: skip
    finally:
        bot.close()


def _reader_gone(argv: list[str], env: dict[str, str], cwd: Path, stdin: Path | None = None):
    """`crisisbot argv | true`: its stdout's reader has left before it writes a byte."""
    with open(stdin or os.devnull, "rb") as given:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *argv], stdin=given, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env, cwd=cwd,
        )  # fmt: skip
        assert proc.stdout is not None
        proc.stdout.close()
        _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def _shell(
    redirect: str, argv: list[str], env: dict[str, str], cwd: Path, stdin: int | None = None
):
    """`crisisbot argv REDIRECT` through sh (`>&-`, `<&-`: Python cannot start a process with
    a standard stream closed)."""
    done = subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", sys.executable, "-m", "bot.cli", *argv],
        stdin=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=120,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html"])
def test_an_export_whose_reader_left_ends_quietly_with_141(
    env: dict[str, str], tmp_path: Path, fmt: str
) -> None:
    _an_incident(env)
    code, err = _reader_gone(["export", "1", "--format", fmt], env, tmp_path)
    assert (code, err) == (BROKEN_PIPE, "")


@pytest.mark.parametrize(
    "argv",
    [["report", "--since", "2000-01-01"], ["backtest", "--mentions", "m.jsonl"], ["sentiment"]],
    ids=["report", "backtest", "sentiment"],
)
def test_every_command_whose_reader_left_ends_quietly_with_141(
    env: dict[str, str], tmp_path: Path, argv: list[str]
) -> None:
    _an_incident(env)
    mentions = _mentions(tmp_path / "m.jsonl", 300)
    code, err = _reader_gone(argv, env, tmp_path, stdin=mentions)
    assert (code, err) == (BROKEN_PIPE, "")


def test_an_import_whose_reader_left_says_on_stderr_what_it_stored(
    env: dict[str, str], tmp_path: Path, database_url: str
) -> None:
    """`crisisbot ingest F | head`: every record was stored; its line was lost with the pipe."""
    path = _mentions(tmp_path / "m.jsonl", 2500)
    code, err = _reader_gone(["ingest", str(path)], env, tmp_path)
    assert code == BROKEN_PIPE
    assert err == "crisisbot: 2500 mentions read, 2500 new, 0 already known, 0 bad\n"
    assert _stored(database_url) == 2500


def test_an_import_whose_problems_reader_left_stores_whole_batches_and_says_so(
    env: dict[str, str], tmp_path: Path, database_url: str
) -> None:
    """`crisisbot ingest F 2> >(head -1)`: it stops at the next bad line it cannot report;
    the batch committed before stays, the one being read is not stored, and stdout says so."""
    path = _mentions(tmp_path / "m.jsonl", 4500, bad_after=2500, bad=100_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ingest", str(path)], stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first bad line: the first batch is stored by then
    proc.stderr.close()
    out, _ = proc.communicate(timeout=120)
    assert first.startswith(f"{path}:2501: ")
    assert proc.returncode == BROKEN_PIPE
    assert out == (
        "crisisbot: stopped: 2000 new mentions were stored; run the same import again for the "
        "rest (those stored are skipped)\n"
    )
    assert _stored(database_url) == 2000


@pytest.mark.parametrize(
    ("argv", "to"),
    [
        (["export", "1"], " or --out FILE"),
        (["report", "--since", "2000-01-01"], " or --out FILE"),
        (["migrate"], ""),
        (["ingest", "m.jsonl"], ""),
        (["prune", "--before", "2000-01-01"], ""),
        (["backtest", "--mentions", "m.jsonl"], ""),
        (["sentiment"], ""),
    ],
    ids=["export", "report", "migrate", "ingest", "prune", "backtest", "sentiment"],
)
def test_a_closed_stdout_is_one_line_before_any_work(
    env: dict[str, str], tmp_path: Path, argv: list[str], to: str
) -> None:
    """`crisisbot … >&-`: a traceback (None has no write) after the work was done: migrated,
    imported, and nothing said of it."""
    fresh = f"sqlite:///{tmp_path}/fresh.db"
    env = {**env, "DATABASE_URL": fresh} if argv[0] == "migrate" else env
    _mentions(tmp_path / "m.jsonl", 10)
    code, out, err = _shell(">&-", argv, env, tmp_path, stdin=subprocess.DEVNULL)
    assert (code, out) == (2, "")
    assert err == (
        f"crisisbot: stdout is closed: what {argv[0]} prints would be lost; redirect it "
        f"(> FILE{to}, or > /dev/null to drop it)\n"
    )
    assert not (tmp_path / "fresh.db").exists() or not (tmp_path / "fresh.db").stat().st_size
    if argv[0] == "ingest":
        assert _stored(env["DATABASE_URL"]) == 0


def test_an_output_file_needs_no_stdout(env: dict[str, str], tmp_path: Path) -> None:
    _an_incident(env)
    code, _, err = _shell(">&-", ["export", "1", "--out", "t.md"], env, tmp_path)
    assert (code, err) == (0, "crisisbot: wrote t.md\n")
    assert (tmp_path / "t.md").read_text(encoding="utf-8-sig").startswith("# Incident #1")


def test_sentiment_with_a_closed_stdin_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    code, out, err = _shell("<&-", ["sentiment"], env, tmp_path)
    assert (code, out) == (2, "")
    assert err == (
        "crisisbot: stdin is closed: sentiment labels the lines given on stdin "
        "(crisisbot sentiment < FILE)\n"
    )
    code, out, err = _shell("< /dev/null", ["sentiment"], env, tmp_path)
    assert (code, out, err) == (0, "", "")  # no lines: no labels


def test_an_error_for_a_closed_stderr_does_not_land_in_stdout(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`crisisbot export 99 > out.md 2>&-`: print(file=None) writes to stdout, so the error
    line became the exported file."""
    code, out, _ = _shell("2>&-", ["export", "99"], env, tmp_path)
    assert (code, out) == (1, "")


def test_ctrl_c_stops_a_mention_replay_between_passes(env: dict[str, str], tmp_path: Path) -> None:
    """Raised wherever it fell, the KeyboardInterrupt met SQLAlchemy mid-statement: an ERROR
    traceback ("Error closing cursor"), and now and then it was lost there and the replay ran
    on to the end and exited 0. Now the first Ctrl-C is taken between passes, as an import's
    is between batches."""
    import signal
    import time

    path = _mentions(tmp_path / "history.jsonl", 20_000)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "backtest", "--mentions", str(path)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**env, "TMPDIR": str(scratch)}, cwd=tmp_path,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(scratch.iterdir()) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # the replay's scratch database: read, checked, replaying
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert out == ""
    assert err == "\ncrisisbot: stopping (Ctrl-C again to stop at once)\n"
    assert not any(scratch.iterdir())  # the scratch database is removed


def test_a_second_ctrl_c_stops_an_import_waiting_for_a_locked_database(
    env: dict[str, str], tmp_path: Path, database_url: str
) -> None:
    """Another process holds the database: on SQLite the import waited inside SQLite for up to
    30 s, where Python cannot run a signal handler, so neither Ctrl-C was taken until the wait
    ended ("database is locked", exit 1). It waits in short slices now."""
    import signal
    import time

    path = _mentions(tmp_path / "m.jsonl", 10)
    with mentions_locked(database_url) as blocked:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "ingest", str(path)], stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
        )  # fmt: skip
        blocked("INSERT")  # read, checked, its batch waiting for the lock
        proc.send_signal(signal.SIGINT)
        time.sleep(1)
        proc.send_signal(signal.SIGINT)
        asked = time.monotonic()
        out, err = proc.communicate(timeout=60)
        took = time.monotonic() - asked
    assert proc.returncode == 130, err
    assert took < 10, err
    assert out == ""
    assert err == (
        "\ncrisisbot: stopping (Ctrl-C again to stop at once)\n"
        "crisisbot: stopped: no new mentions were stored\n"
    )
    assert _stored(database_url) == 0
