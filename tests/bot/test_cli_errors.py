"""Bad input on the command line gets one line naming what is wrong and a non-zero exit, never
a Python traceback: output paths, an unreachable or unmigrated database, bad switches."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.emulator import SignedSlackClient
from bot.testing import Stack, storm_jsonl
from tests.bot.conftest import cli_env, mentions_locked


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("CRISIS_CONFIG", raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    (tmp_path / "series.csv").write_text("timestamp,value\n2025-03-01 00:00:00,1\n")
    return tmp_path


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "1", "--out", "{missing}/timeline.md"],
        ["report", "--since", "2025-03-01", "--out", "{missing}/report.md"],
        ["backtest", "--series", "series.csv", "--out", "{missing}/scores.csv"],
        ["report", "--since", "2025-03-01", "--out", "{here}"],
    ],
    ids=["export", "report", "backtest", "a folder"],
)
def test_an_output_path_that_cannot_be_written_is_named_before_any_work(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    argv = [a.format(missing=env / "no-such-folder", here=env) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"crisisbot: {argv[-1]}: ") and err.count("\n") == 1, err
    assert {p.name for p in env.iterdir()} <= {"series.csv", "crisisbot.db"}  # nothing begun


def test_a_report_is_written_whole_or_not_at_all(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--since", "2025-03-01", "--out", "report.md"]) == 0
    assert (env / "report.md").read_text().startswith("#")
    assert not [p for p in env.iterdir() if p.name.startswith(".report.md.")]


# Every command with --out, and how its file begins.
OUT_COMMANDS = {
    "report": (["report", "--since", "2025-03-01", "--out"], "#"),
    "backtest": (["backtest", "--series", "series.csv", "--out"], "timestamp,value,score"),
}


@pytest.mark.parametrize("command", OUT_COMMANDS)
def test_out_onto_a_named_pipe_writes_into_the_pipe(env: Path, command: str) -> None:
    """`--out /dev/stdout` or a FIFO a script reads: the file written beside it was renamed
    over it, so the reader got nothing and the pipe (as root: the device) was gone."""
    argv, head = OUT_COMMANDS[command]
    fifo = env / "out.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader waiting, as a script's would
    try:
        assert main([*argv, str(fifo)]) == 0
        got = b""
        while chunk := os.read(reader, 65536):
            got += chunk
    finally:
        os.close(reader)
    assert got.decode().startswith(head)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert not [p for p in env.iterdir() if p.name.startswith(".out.fifo.")]


@pytest.mark.parametrize("command", OUT_COMMANDS)
def test_out_through_a_symbolic_link_writes_its_target_and_keeps_the_link(
    env: Path, command: str
) -> None:
    argv, head = OUT_COMMANDS[command]
    (env / "shared").mkdir()
    (env / "shared" / "latest.txt").write_text("last week's\n")
    (env / "latest.txt").symlink_to(env / "shared" / "latest.txt")
    assert main([*argv, "latest.txt"]) == 0
    assert (env / "latest.txt").is_symlink()
    assert (env / "shared" / "latest.txt").read_text().startswith(head)


@pytest.mark.parametrize("command", OUT_COMMANDS)
def test_out_files_get_the_mode_of_any_new_file_or_keep_their_own(env: Path, command: str) -> None:
    """They were 0600, a temporary file's: a report for the team nobody else could open."""
    argv, _ = OUT_COMMANDS[command]
    umask = os.umask(0o022)
    try:
        assert main([*argv, "new.txt"]) == 0
        (env / "old.txt").write_text("")
        os.chmod(env / "old.txt", 0o640)
        assert main([*argv, "old.txt"]) == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(env / "new.txt").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(env / "old.txt").st_mode) == 0o640


@pytest.mark.parametrize("argv", [["report", "--since", "2025-03-01"], ["sentiment"]])
def test_an_output_that_cannot_be_written_is_one_line(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    """`> /dev/full`, a full disk under a redirect: an OSError traceback (ENOSPC)."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Acme is awful\n")))
    captured = sys.stdout
    with open("/dev/full", "w") as full, contextlib.suppress(OSError):  # its close fails too
        monkeypatch.setattr(sys, "stdout", full)
        try:
            assert main(argv) == 1
        finally:
            monkeypatch.setattr(sys, "stdout", captured)
    assert capsys.readouterr().err.splitlines() == [
        "crisisbot: writing its output: No space left on device"
    ]


def test_a_database_that_cannot_be_opened_is_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{env}/no-such-folder/crisisbot.db")
    assert main(["report", "--since", "2025-03-01"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "crisisbot: DATABASE_URL: cannot use the database (unable to open database file)"
    ]


NO_TABLES = "crisisbot: DATABASE_URL: the database has no crisisbot tables; run `crisisbot migrate`"
CANNOT_OPEN = "crisisbot: DATABASE_URL: cannot use the database (unable to open database file)"


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "1"],
        ["report", "--since", "2025-03-01"],
        ["prune", "--before", "2025-03-01"],
        ["ingest", "mentions.jsonl"],
    ],
    ids=["export", "report", "prune", "ingest"],
)
@pytest.mark.parametrize(
    ("where", "said"),
    [("typo.db", NO_TABLES), ("nope/x.db", CANNOT_OPEN), ("{env}/typo.db", NO_TABLES)],
    ids=["a missing file", "a missing folder", "an absolute path"],
)
def test_a_command_at_a_sqlite_path_that_does_not_exist_creates_nothing(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    where: str,
    said: str,
) -> None:
    """A mistyped DATABASE_URL was refused in one line, but an empty database file (and its
    WAL files) stayed behind at the typo: only `migrate` creates the database."""
    (env / "mentions.jsonl").write_text(
        '{"id": "1", "source": "t", "text": "Acme", "created_at": "2025-03-01T10:00:00Z"}\n'
    )
    before = sorted(p.relative_to(env) for p in env.rglob("*"))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + where.format(env=env))
    assert main(argv) == 1
    assert capsys.readouterr().err.splitlines() == [said]
    assert sorted(p.relative_to(env) for p in env.rglob("*")) == before


def test_migrate_still_creates_the_sqlite_file_the_others_then_use(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///new.db")
    assert main(["migrate"]) == 0
    assert (env / "new.db").is_file()
    assert main(["report", "--since", "2025-03-01"]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("command", [["migrate"], ["report", "--since", "2025-03-01"]])
def test_a_file_that_is_not_a_database_is_one_line(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    """DATABASE_URL pointing at the wrong file (the playbook, an export): a traceback before."""
    (env / "notes.txt").write_text("not a database, but long enough to have a header page\n" * 5)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{env}/notes.txt")
    assert main(command) == 1
    assert capsys.readouterr().err.splitlines() == [
        "crisisbot: DATABASE_URL: cannot use the database (file is not a database)"
    ]
    assert (env / "notes.txt").read_text().startswith("not a database")


def test_a_database_never_migrated_says_to_migrate(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{env}/fresh.db")
    path = env / "mentions.jsonl"
    path.write_text(
        '{"id": "1", "source": "t", "text": "Acme", "created_at": "2025-03-01T10:00:00Z"}\n'
    )
    assert main(["ingest", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "crisisbot: DATABASE_URL: the database has no crisisbot tables; run `crisisbot migrate`"
    ]


# Every setting they need, and a Slack nobody answers at: only the database is wrong.
SLACK = {
    "SLACK_BOT_TOKEN": "xoxb-test",
    "SLACK_SIGNING_SECRET": "secret",
    "CRISIS_CHANNEL": "C0123ABCD",
    "SLACK_API_URL": "http://127.0.0.1:9/api/",
}


def _refusal(env: Path, database_url: str, command: str) -> tuple[int, list[str]]:
    """`crisisbot command` in its own process (a worker that starts never returns): its exit
    code and stderr lines."""
    environ = {**os.environ, **SLACK, "DATABASE_URL": database_url}
    environ.pop("LOG_LEVEL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", command],
        capture_output=True, text=True, env=environ, cwd=env, timeout=60,
    )  # fmt: skip
    return done.returncode, done.stderr.splitlines()


@pytest.mark.parametrize("command", ["serve", "worker", "run", "poll", "detect"])
def test_a_database_never_migrated_stops_every_command_before_it_starts(
    env: Path, command: str
) -> None:
    """`serve` started and answered POST /ingest with 503 for ever (senders retry a 503); the
    worker logged a traceback per job; `poll` printed one per source."""
    (env / "crisisbot.toml").write_text(
        '[[brands]]\nname = "Acme"\n[[sources]]\ntype = "hackernews"\nquery = "acme"\n'
    )
    assert _refusal(env, f"sqlite:///{env}/fresh.db", command) == (
        1,
        ["crisisbot: DATABASE_URL: the database has no crisisbot tables; run `crisisbot migrate`"],
    )
    assert not list(env.glob("fresh.db*"))  # refused without making an empty database there


def test_a_schema_behind_this_release_says_to_migrate(env: Path) -> None:
    from alembic.script import ScriptDirectory

    from bot.core.db import alembic_config, upgrade
    from models import create_db_engine

    url = f"sqlite:///{env}/old.db"
    engine = create_db_engine(url)
    script = ScriptDirectory.from_config(alembic_config(engine))
    head = script.get_revision(script.get_current_head())
    previous = head.down_revision
    assert isinstance(previous, str)
    upgrade(engine, previous)  # as the release before this one left it
    engine.dispose()

    assert _refusal(env, url, "worker") == (
        1,
        [
            f"crisisbot: DATABASE_URL: the schema is at revision {previous}, older than this "
            f"crisisbot's {head.revision}; run `crisisbot migrate`"
        ],
    )


def test_a_bad_log_level_is_a_setting_error(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("crisisbot: LOG_LEVEL: ") and err.count("\n") == 1, err


@pytest.mark.parametrize("speed", ["-1", "nan", "fast"])
def test_the_demo_refuses_a_speed_it_cannot_play(
    capsys: pytest.CaptureFixture[str], speed: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo", "--speed", speed, "--out", "unused"])
    assert info.value.code == 2
    assert "argument --speed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("out", "said"),
    [
        ("notes.txt", "notes.txt: is a file; give a folder for the demo's files"),
        ("notes.txt/demo", "notes.txt/demo: cannot make the folder (Not a directory)"),
    ],
)
def test_the_demo_names_an_out_folder_it_cannot_make(
    env: Path, capsys: pytest.CaptureFixture[str], out: str, said: str
) -> None:
    """A file where the folder should be was a traceback (FileExistsError from mkdir)."""
    (env / "notes.txt").write_text("keep me\n")
    assert main(["demo", "--speed", "0", "--out", out]) == 2
    assert capsys.readouterr().err.splitlines() == [f"crisisbot: {said}"]
    assert (env / "notes.txt").read_text() == "keep me\n"


@pytest.mark.parametrize("command", ["serve", "run"])
def test_a_port_in_use_is_named(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    playbook = tmp_path / "crisisbot.toml"
    playbook.write_text('[[brands]]\nname = "Acme"\n')
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cli_env(monkeypatch, stack, playbook, PORT=str(port), SLACK_SIGNING_SECRET="secret")
        assert main([command]) == 2
    err = capsys.readouterr().err
    reason = "address already in use"
    assert err.splitlines() == [f"crisisbot: PORT: cannot listen on port {port} ({reason})"]


@pytest.mark.parametrize("command", ["serve", "run"])
def test_a_slack_api_url_that_cannot_be_reached_is_named_not_the_token(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    command: str,
) -> None:
    # Nothing listens there: the token was never sent, so Slack cannot have refused it.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/api/"
    playbook = tmp_path / "crisisbot.toml"
    playbook.write_text('[[brands]]\nname = "Acme"\n')
    cli_env(monkeypatch, stack, playbook, SLACK_SIGNING_SECRET="secret", SLACK_API_URL=url)
    assert main([command]) == 2
    line = capsys.readouterr().err.splitlines()[-1]
    assert line.startswith(f"crisisbot: SLACK_API_URL: cannot reach Slack at {url} ("), line
    assert "SLACK_BOT_TOKEN" not in line
    # ... and that one line is all: not the SDK's ERROR line for each of its retries before it.
    assert not [r for r in caplog.records if r.name.startswith("slack_sdk")]


@pytest.mark.usefixtures("command_line")
def test_detect_refuses_a_token_slack_refuses_before_opening_anything(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """It said "opened incident #1" and exited 0 while the alert card failed for good
    (invalid_auth is permanent): once the token was fixed, the storm was never posted."""
    (tmp_path / "storm.jsonl").write_text(storm_jsonl(stack.bot.clock()))
    assert main(["ingest", "storm.jsonl"]) == 0
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-a-typo")
    capsys.readouterr()
    assert main(["detect"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        "crisisbot: SLACK_BOT_TOKEN: Slack refused it (invalid_auth)"
    ]
    monkeypatch.setenv("SLACK_BOT_TOKEN", stack.emulator.bot_token)
    assert main(["detect"]) == 0
    assert "opened incident #1" in capsys.readouterr().out
    assert len(stack.channel_messages()) == 1  # the alert, posted


def test_a_worker_refuses_a_token_slack_refuses(stack: Stack, tmp_path: Path) -> None:
    """It started and ran, every message it sent failing for good."""
    environ = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-a-typo",
        "SLACK_API_URL": stack.emulator.api_url,
        "DATABASE_URL": stack.bot.settings.database_url or "",
        "CRISIS_CHANNEL": "C0123ABCD",
    }
    environ.pop("LOG_LEVEL", None)
    environ.pop("CRISIS_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"],
        stderr=subprocess.PIPE, text=True, env=environ, cwd=tmp_path,
    )  # fmt: skip
    try:
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert (proc.returncode, err.splitlines()) == (
        2,
        ["crisisbot: SLACK_BOT_TOKEN: Slack refused it (invalid_auth)"],
    )


@pytest.mark.usefixtures("command_line")
def test_detect_goes_on_when_slack_does_not_answer(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Unlike a refused token, an outage is waited out: the alert waits in the outbox."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/api/"
    (tmp_path / "storm.jsonl").write_text(storm_jsonl(stack.bot.clock()))
    assert main(["ingest", "storm.jsonl"]) == 0
    monkeypatch.setenv("SLACK_API_URL", url)
    capsys.readouterr()
    assert main(["detect"]) == 0
    out, err = capsys.readouterr()
    assert "opened incident #1" in out and "1 Slack messages wait for retry" in out
    assert f"crisisbot: cannot reach Slack at {url} (" in err


def test_run_names_an_app_token_slack_refuses(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Socket Mode's apps.connections.open refused it: a SlackApiError traceback, exit 1."""
    playbook = tmp_path / "crisisbot.toml"
    playbook.write_text('[[brands]]\nname = "Acme"\n')
    cli_env(
        monkeypatch, stack, playbook, SLACK_SIGNING_SECRET="secret", SLACK_APP_TOKEN="xapp-1-typo"
    )
    on_sigterm = signal.getsignal(signal.SIGTERM)
    try:
        assert main(["run"]) == 2
    finally:
        signal.signal(signal.SIGTERM, on_sigterm)  # `run` set its own, as a process does
    assert capsys.readouterr().err.splitlines()[-1] == (
        "crisisbot: SLACK_APP_TOKEN: Slack refused it (invalid_auth)"
    )


def test_terminal_lines_stay_english_for_a_bulgarian_team(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (env / "crisisbot.toml").write_text('locale = "bg"\n[[brands]]\nname = "Акме"\n')
    assert main(["export", "99", "--out", "timeline.md"]) == 1
    assert capsys.readouterr().err == (
        "crisisbot: there is no incident #99 (`crisisbot report` lists a period's incidents; "
        "`/crisis list` in Slack the open ones)\n"
    )
    assert not (env / "timeline.md").exists()


@pytest.mark.parametrize("number", ["99999999999999999999", "²"])
def test_an_incident_number_no_incident_can_have_is_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str], number: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["export", number])
    assert info.value.code == 2
    assert f"argument N: {number!r} is not an incident number" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["ingest", "."], ["backtest", "--mentions", "."]])
def test_a_folder_given_for_a_file_is_called_a_folder(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err == "crisisbot: .: is a folder; give a file\n"


READ_FAILS = Path("/proc/self/mem")  # a regular file whose first read fails (EIO), even for root


@pytest.mark.skipif(not READ_FAILS.is_file(), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    "command", [["ingest"], ["backtest", "--mentions"], ["backtest", "--series"]]
)
def test_a_file_that_cannot_be_read_is_one_line_not_a_traceback(
    env: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    out = ["--out", "scores.csv"] if "--series" in command else []
    assert main([*command, str(READ_FAILS), *out]) == 2
    assert capsys.readouterr().err == (
        f"crisisbot: {READ_FAILS}: cannot read it (Input/output error)\n"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_a_file_without_read_permission_is_named(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = env / "mentions.jsonl"
    path.write_text("{}\n")
    path.chmod(0)
    assert main(["ingest", str(path)]) == 2
    assert capsys.readouterr().err == f"crisisbot: {path}: cannot read it (Permission denied)\n"


@pytest.mark.parametrize("command", [["ingest"], ["backtest", "--mentions"]])
def test_a_pipe_is_not_called_a_missing_file(
    env: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """`crisisbot ingest <(zcat export.jsonl.gz)`: the file is read twice (checked whole for its
    encoding, then imported), which a pipe cannot be; it was called "no such file"."""
    os.mkfifo(env / "pipe.jsonl")
    assert main([*command, "pipe.jsonl"]) == 2
    assert capsys.readouterr().err == (
        "crisisbot: pipe.jsonl: is not a regular file (a pipe or a device); save it to a file "
        "first\n"
    )


def test_an_interrupted_import_says_what_it_stored_and_that_a_rerun_is_safe(
    env: Path, database_url: str
) -> None:
    from sqlalchemy import func, select

    from models import Mention, create_db_engine

    path = env / "big.jsonl"
    line = '{{"id": "{n}", "source": "t", "text": "Acme is down again", "created_at": "{at}"}}\n'
    at = "2025-03-14T18:02:11+00:00"
    path.write_text("".join(line.format(n=n, at=at) for n in range(60_000)))
    environ = {**os.environ, "DATABASE_URL": database_url}
    environ.pop("LOG_LEVEL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ingest", str(path)],
        stderr=subprocess.PIPE, text=True, env=environ, cwd=env,
    )  # fmt: skip
    engine = create_db_engine(database_url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            with engine.connect() as conn:
                if conn.scalar(select(func.count()).select_from(Mention)):
                    break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(Mention))
    finally:
        engine.dispose()
    assert proc.returncode == 130, err
    said = re.search(
        r"crisisbot: stopped: (\d+) new mentions were stored; run the same import again "
        r"for the rest \(those stored are skipped\)",
        err,
    )
    assert said, err
    # What it says is what was committed, whole batches (the Ctrl-C is taken between them).
    assert int(said[1]) == stored and 0 < stored < 60_000 and stored % 2000 == 0
    assert "Traceback" not in err and "Exception ignored" not in err


def test_a_ctrl_c_while_a_batch_is_stored_lets_it_finish_and_counts_it(
    env: Path, database_url: str
) -> None:
    """Raised wherever it fell, the KeyboardInterrupt could be lost in a library's __del__ (the
    import ran on to the end and exited 0) or fall between a commit and its count (one batch
    fewer reported): both seen now and then. Made certain here: the database is locked, so the
    first batch waits to be stored when Ctrl-C comes; it used to be thrown away, unsaid."""
    from sqlalchemy import func, select

    from models import Mention, create_db_engine

    path = env / "big.jsonl"
    line = '{{"id": "{n}", "source": "t", "text": "Acme is down again", "created_at": "{at}"}}\n'
    at = "2025-03-14T18:02:11+00:00"
    path.write_text("".join(line.format(n=n, at=at) for n in range(60_000)))
    environ = {**os.environ, "DATABASE_URL": database_url}
    environ.pop("LOG_LEVEL", None)
    with mentions_locked(database_url) as blocked:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "ingest", str(path)],
            stderr=subprocess.PIPE, text=True, env=environ, cwd=env,
        )  # fmt: skip
        blocked("INSERT")  # read, checked, its first batch waiting for the lock
        proc.send_signal(signal.SIGINT)
        time.sleep(0.5)
    _, err = proc.communicate(timeout=60)
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(Mention))
    finally:
        engine.dispose()
    assert proc.returncode == 130, err
    assert stored == 2000, err
    assert "crisisbot: stopping (Ctrl-C again to stop at once)" in err
    assert "crisisbot: stopped: 2000 new mentions were stored; run the same import again" in err


def test_migrate_on_a_schema_a_newer_release_made_says_so(
    env: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sqlalchemy import text

    from models import create_db_engine

    engine = create_db_engine(database_url)
    with engine.begin() as conn:  # as a later release's migration would leave it
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    try:
        said = [
            "crisisbot: DATABASE_URL: the schema is at revision ffff9999, which this crisisbot "
            "does not know (migrated by a newer release?)"
        ]
        assert main(["migrate"]) == 1
        assert capsys.readouterr().err.splitlines() == said
        assert _refusal(env, database_url, "worker") == (1, said)  # nor does it start on it
    finally:
        # On PostgreSQL the tests share one migrated schema (only its tables are emptied
        # between tests): put the revision back for the tests after this one.
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        engine.dispose()


def test_help_gives_the_exit_codes_whole_and_every_endpoint_serve_has(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "a non-zero exit: 2 for a missing or malformed setting" in out
    assert "1 when some input was refused" in out
    assert "POST /slack/events, GET /healthz, POST /ingest" in out


def test_help_and_usage_errors_answer_before_the_bot_is_imported() -> None:
    """`crisisbot --help` (and a mistyped command) is read before anything heavy is imported: it
    took a second (the app, Slack's SDKs, the detectors) for what argparse answers alone."""
    import subprocess

    probe = (
        "import sys, contextlib, io\n"
        "from bot.cli import main\n"
        "for argv in (['--help'], ['export', '--help'], ['no-such-command']):\n"
        "    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()), "
        "contextlib.redirect_stderr(io.StringIO()):\n"
        "        main(argv)\n"
        "heavy = ('bot.app', 'handlers', 'slack_bolt', 'slack_sdk', 'httpx', 'bot.core.config',\n"
        "         'detectors.volume', 'detectors.sentiment', 'apscheduler', 'textblob', 'numpy')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--since", "0001-01-01"],  # midnight in Tokyo: the year 0 in UTC
        ["report", "--since", "0001-01-01T00:00+14:00"],
        ["report", "--since", "2025-03-01", "--until", "9999-12-31T23:59-05:00"],
        ["prune", "--before", "0001-01-01T00:00+05:00"],
    ],
    ids=["a bare day on the team's clock", "an offset", "--until", "prune"],
)
def test_a_moment_utc_cannot_hold_is_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """An OverflowError traceback, from the database driver, once the work had begun."""
    (env / "crisisbot.toml").write_text('timezone = "Asia/Tokyo"\n')
    assert main(argv) == 2
    flag, text = argv[-2:]
    assert capsys.readouterr().err.splitlines() == [
        f"crisisbot: {flag}: {text!r} is out of range (write 2025-03-01)"
    ]


@pytest.mark.parametrize("command", ["serve", "run"])
def test_serve_and_run_start_while_slack_answers_5xx_without_blaming_the_token(
    stack: Stack, tmp_path: Path, command: str
) -> None:
    """Found by outside-in QA: started while Slack answered 503 (or 429), `serve` and `run`
    exited with "SLACK_BOT_TOKEN: Slack refused it (service_unavailable)": a good token blamed,
    and the bot kept down by its restart policy for as long as Slack's trouble lasted. Slack
    judged no token; they start, as `worker` does, and their messages wait."""
    stack.emulator.fail_next("auth.test", status=503, retry_after=None, count=20)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environ = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "SLACK_BOT_TOKEN": stack.emulator.bot_token or "",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": stack.emulator.api_url,
        "DATABASE_URL": stack.bot.settings.database_url or "",
        "CRISIS_CHANNEL": "C0CRISIS",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    environ.pop("CRISIS_CONFIG", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", command],
        stderr=subprocess.PIPE, text=True, env=environ, cwd=tmp_path,
    )  # fmt: skip
    slack = SignedSlackClient(f"http://127.0.0.1:{port}/slack/events", "secret", stack.emulator)
    try:
        assert proc.stderr is not None
        first, second = proc.stderr.readline(), proc.stderr.readline()
        time.sleep(0.5)  # past the print, into waitress's loop (as test_shutdown's)
        stack.emulator.reset()  # Slack is back: the token is checked at the first request
        answer = slack.command("help")
        assert answer.status_code == 200
        if not answer.content:  # answered through its response_url
            stack.emulator.wait_for(lambda: stack.emulator.responses, timeout=20)
        assert [c.ok for c in stack.emulator.calls("auth.test")] == [True]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, first + second + proc.stderr.read()
    finally:
        slack.close()
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert first == "crisisbot: Slack answered service_unavailable; its messages wait\n"
    assert second.startswith("crisisbot: ") and f"port {port}" in second, second
