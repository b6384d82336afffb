"""`crisisbot` command line. Bad input gets one clear line and a non-zero exit:
2 for a missing or malformed setting, config or argument; 1 when some input was refused;
141 when the reader of its output left (`| head`).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core import i18n
from bot.core.errors import ServiceError
from bot.core.files import replacing
from bot.core.settings import (
    Settings,
    SettingsError,
    log_level_setting,
    sentiment_model_setting,
)

if TYPE_CHECKING:  # imported by the commands that need them, so `crisisbot --help` stays quick
    from bot.app import Crisisbot
    from bot.core.config import SourceConfig
    from bot.intake.polling import Poller, PollResult

logger = logging.getLogger("crisisbot")

Command = Callable[[argparse.Namespace], int]


# 128 + SIGPIPE: what a shell reports for a program stopped by a reader that left (`| head`).
BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    closed = _stand_in_for_closed_streams()
    try:
        return _main(argv, closed)
    except BrokenPipeError:  # `crisisbot export 1 | head`: the reader left; stop quietly
        _drop_unwritten_output()
        return BROKEN_PIPE


def _main(argv: Sequence[str] | None, closed: frozenset[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)  # --help and usage errors end here: before the heavy imports
    from sqlalchemy.exc import DBAPIError

    from bot.core.config import ConfigError

    try:
        missing = [name for name in _streams_used(args) if name in closed]
        if missing:  # refused before any work: nothing done that could not be said
            print(f"crisisbot: {_closed_stream(args, missing[0])}", file=sys.stderr)
            return 2
        _configure_logging(verbose=args.verbose, own_info=args.command in LONG_RUNNING)
        if not sentiment_model_setting(os.environ):  # on by default: nothing to import then
            from detectors.sentiment import use_model

            use_model(False)
        code = int(args.run(args))
        sys.stdout.flush()  # an output that cannot be written says so below, not at exit
        return code
    except (SettingsError, ConfigError) as exc:
        print(f"crisisbot: {exc}", file=sys.stderr)
        return 2
    except ServiceError as exc:
        print(f"crisisbot: {exc.message}", file=sys.stderr)
        return 1
    except DBAPIError as exc:
        print(f"crisisbot: DATABASE_URL: {_database_problem(exc)}", file=sys.stderr)
        return 1
    except SchemaMismatch as exc:
        print(f"crisisbot: DATABASE_URL: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # main's: whichever stream it was, that reader has left
        raise
    except OSError as exc:  # a full disk, a failing device: the reason in one line, exit 1
        where = f"{exc.filename}: " if exc.filename else "writing its output: "
        print(f"crisisbot: {where}{exc.strerror or exc}", file=sys.stderr)
        logger.debug("the command stopped on", exc_info=True)  # LOG_LEVEL=DEBUG: where
        _drop_unwritten_output()
        return 1
    finally:
        while _opened:
            _opened.pop().close()


_opened: list[Crisisbot] = []


def _drop_unwritten_output() -> None:
    """When stdout or stderr cannot be written (a full disk, a reader that left), what it
    still buffers is dropped, not tried again at exit (an "Exception ignored" traceback after
    the line that said why)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            with contextlib.suppress(OSError, ValueError):  # no file under it: nothing to drop
                _onto(stream.fileno(), os.devnull, os.O_WRONLY)
        except (ValueError, AttributeError):  # closed, or none at all
            pass


def _onto(fd: int, path: str, flags: int) -> None:
    """Open `path` as file descriptor `fd` (whatever was there is closed)."""
    opened = os.open(path, flags)
    if opened != fd:
        os.dup2(opened, fd)
        os.close(opened)


STREAMS = ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY), (2, "stderr", os.O_WRONLY))


def _stand_in_for_closed_streams() -> frozenset[str]:
    """Standard streams the command was started without (`>&-`, `<&-`, a daemon manager's
    closed descriptors): /dev/null is opened in their place, so no file the command opens
    later (the SQLite database, an export) takes the number and receives what was meant for
    the terminal, and an error line meant for a closed stderr does not land in stdout (print
    writes to stdout when sys.stderr is None). Returns their names: the commands that use
    them refuse to start (`_streams_used`)."""
    closed = set()
    for fd, name, flags in STREAMS:
        try:
            os.fstat(fd)
        except OSError:
            _onto(fd, os.devnull, flags)
            closed.add(name)
            mode = "r" if fd == 0 else "w"
            setattr(sys, name, open(fd, mode, buffering=1 if fd else -1, closefd=False))  # noqa: SIM115
    return frozenset(closed)


# What a command writes to stdout is its product (an export, the labels) or its report (what
# was imported, polled, pruned): these three and the `--out` forms write to stderr only.
QUIET_ON_STDOUT = frozenset({"serve", "worker", "run"})


def _streams_used(args: argparse.Namespace) -> list[str]:
    used = ["stdin"] if args.command == "sentiment" else []
    to_file = getattr(args, "out", None) and args.command in ("export", "report", "backtest")
    series = args.command == "backtest" and args.series
    if args.command not in QUIET_ON_STDOUT and not to_file and not series:
        used.append("stdout")
    return used


def _closed_stream(args: argparse.Namespace, name: str) -> str:
    if name == "stdin":
        return (
            "stdin is closed: sentiment labels the lines given on stdin "
            "(crisisbot sentiment < FILE)"
        )
    to = " or --out FILE" if args.command in ("export", "report") else ""
    return (
        f"stdout is closed: what {args.command} prints would be lost; redirect it "
        f"(> FILE{to}, or > /dev/null to drop it)"
    )


def _database_problem(exc: Exception) -> str:
    """One line for a database the command cannot use; anything else is a bug: re-raised."""
    from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError

    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    # SQLite: "no such table: mentions"; PostgreSQL: relation "mentions" does not exist.
    if detail.startswith("no such table") or (
        isinstance(exc, ProgrammingError) and "does not exist" in detail
    ):
        from bot.core.db import NO_SCHEMA

        return NO_SCHEMA
    # SQLite's plain DatabaseError: DATABASE_URL names a file that is not a database, or a
    # damaged one ("file is not a database", "database disk image is malformed").
    if isinstance(exc, OperationalError | InterfaceError) or _sqlite_refused(exc):
        return f"cannot use the database ({detail})"
    raise exc


def _sqlite_refused(exc: Exception) -> bool:
    import sqlite3

    return type(getattr(exc, "orig", None)) is sqlite3.DatabaseError


# Commands that run until stopped: their own INFO lines (an incident opened, a source backing
# off) are the operator's log. One-shot commands and the demo say what happened themselves.
LONG_RUNNING = frozenset({"serve", "worker", "run"})
OWN_LOGGERS = ("bot", "handlers", "sources", "detectors", "models")


def _configure_logging(*, verbose: bool, own_info: bool) -> None:
    """Warnings and errors only, by default: the libraries' INFO lines (Alembic's plugins and
    migrations, the scheduler's jobs, waitress, Bolt) say nothing a user acts on. `--verbose`
    shows every INFO line; LOG_LEVEL, when set, decides for everything instead."""
    explicit = log_level_setting(os.environ)
    level = explicit or ("INFO" if verbose else "WARNING")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)  # basicConfig leaves an already configured root alone
    if own_info and not explicit and not verbose:
        for name in OWN_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)


class SchemaMismatch(Exception):
    """The database's schema is not this release's (`bot.core.db.schema_problem` says how)."""


def _bot(*needs: str, migrated: bool = True) -> Crisisbot:
    """The bot for one command, once the settings it `needs` are there; `migrated`: refuse, in
    one line, a database whose schema is not the one this release migrates to, before the command
    does anything (the long-running ones would otherwise start and fail every request and job).
    Only `migrate` (`migrated=False`) creates a SQLite file that is not there: any other command
    pointed at a mistyped path left an empty database file behind as it refused."""
    from bot.app import Crisisbot
    from bot.core.db import NO_SCHEMA, schema_problem
    from models import create_db_engine, sqlite_file

    settings = Settings.from_env()
    settings.require(*needs)
    engine = create_db_engine(settings.database_url, create=not migrated)  # connects lazily
    bot = Crisisbot(settings, engine=engine)  # the playbook's errors first, as before
    _opened.append(bot)  # closed when the command ends, so no connection outlives it
    path = sqlite_file(settings.database_url)
    if migrated and path is not None and not path.exists() and path.parent.is_dir():
        raise SchemaMismatch(NO_SCHEMA)  # as an empty file says; a missing folder fails below
    problem = schema_problem(bot.engine) if migrated else None
    if problem:
        raise SchemaMismatch(problem)
    return bot


def cmd_migrate(args: argparse.Namespace) -> int:
    from alembic.util import CommandError

    from bot.core.db import newer_schema, unknown_revision, upgrade

    bot = _bot(migrated=False)
    try:
        upgrade(bot.engine)
    except CommandError:
        newer = unknown_revision(bot.engine)
        if newer is None:
            raise
        raise SchemaMismatch(newer_schema(newer)) from None
    print(f"crisisbot: schema is up to date on {bot.engine.url.get_backend_name()}")
    return 0


PROGRESS_MIN_BYTES = 5_000_000  # smaller files import in a few seconds: no bar


def cmd_ingest(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from bot.intake.importer import ENCODING, Note, Problem, not_utf8, read_csv, read_jsonl
    from bot.intake.ingest import store_mentions

    path = Path(args.path)
    problem = _unreadable(path)
    if problem:
        print(f"crisisbot: {path}: {problem}", file=sys.stderr)
        return 2
    if _empty(path):  # an export that failed, the wrong file: not "0 read, 0 bad", exit 0
        print(f"crisisbot: {path}: is empty; no mentions to import", file=sys.stderr)
        return 1
    fmt = args.format or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    reader = read_csv if fmt == "csv" else read_jsonl
    bot = _bot()
    unreadable = not_utf8(path)
    if unreadable:
        print(f"{path}:{unreadable.line}: {unreadable.message}", file=sys.stderr)
        return 1
    total = read = new = bad = 0
    size = path.stat().st_size
    progress = _Progress(size) if size > PROGRESS_MIN_BYTES and sys.stderr.isatty() else None
    try:
        with (
            path.open(encoding=ENCODING, newline="" if fmt == "csv" else None) as stream,
            _stop_between_batches() as stop,
        ):
            batch = []
            for item in reader(stream):
                if stop.is_set():  # the batch read so far is left for the rerun
                    raise KeyboardInterrupt
                if isinstance(item, Note):
                    print(f"{path}:{item.line}: {item.message}", file=sys.stderr)
                    continue
                total += 1
                if isinstance(item, Problem):
                    bad += 1
                    print(f"{path}:{item.line}: {item.message}", file=sys.stderr)
                    continue
                read += 1
                batch.append(item)
                if len(batch) >= 2000:
                    new += _store(bot, batch, store_mentions)
                    batch = []
                    if stop.is_set():  # Ctrl-C while it was stored: stored whole, and counted
                        raise KeyboardInterrupt
                    if progress:
                        # Bytes read so far (a read-ahead chunk early at most): the text
                        # stream's own tell() refuses to work while it is being iterated.
                        progress.show(stream.buffer.tell())  # type: ignore[attr-defined]
            new += _store(bot, batch, store_mentions)
    except (KeyboardInterrupt, DBAPIError, BrokenPipeError):
        # The batches before were committed (a broken pipe: the reader of its bad lines left;
        # the batch being read is not stored either): say so, and that the same command picks up.
        if progress:
            print(file=sys.stderr)
        if new:
            _tell(
                f"crisisbot: stopped: {new} new mentions were stored; run the same import again "
                "for the rest (those stored are skipped)"
            )
        else:
            _tell("crisisbot: stopped: no new mentions were stored")
        raise
    if progress:
        progress.done()
    said = f"crisisbot: {read} mentions read, {new} new, {read - new} already known, {bad} bad"
    if _tell(said, on_stdout=True):
        raise BrokenPipeError
    return 1 if bad else 0


def _tell(line: str, *, on_stdout: bool = False) -> bool:
    """A line the person must read (what an import stored), on stderr (`on_stdout`: stdout),
    or on the other stream when that one's reader has left (`crisisbot ingest F | head`).
    Returns whether a reader had left: the command then ends as `main` ends a broken pipe."""
    broken = False
    streams = (sys.stdout, sys.stderr) if on_stdout else (sys.stderr, sys.stdout)
    for stream in streams:
        try:
            print(line, file=stream, flush=True)
            break
        except BrokenPipeError:
            broken = True
            _drop_unwritten_output()  # its reader is gone: what it holds goes nowhere
    return broken


@contextmanager
def _stop_between_batches() -> Iterator[threading.Event]:
    """Ctrl-C during an import, a prune or a replay: the first one is set on the event the
    command checks after each batch it commits (an import, between records too; a replay,
    between passes), the second stops at once.
    Raised wherever it fell, a KeyboardInterrupt was lost inside a library's __del__ (the import
    ran on to the end and exited 0) or came between a batch's commit and its count (one batch
    fewer was reported)."""
    asked = threading.Event()
    if threading.current_thread() is not threading.main_thread():  # signals go to the main one
        yield asked
        return

    def interrupt(signum: int, frame: object) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()
        # os.write: print() here could re-enter a print the import is in the middle of.
        os.write(2, b"\ncrisisbot: stopping (Ctrl-C again to stop at once)\n")

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield asked
    finally:
        signal.signal(signal.SIGINT, previous)


def _unreadable(path: Path) -> str | None:
    """Why `path` cannot be read as an input file, or None. The inputs are read twice (checked
    whole for their encoding, then used), so a pipe or a device, read once, will not do."""
    if path.is_dir():
        return "is a folder; give a file"
    if not path.exists():
        return "no such file"
    if not path.is_file():
        return "is not a regular file (a pipe or a device); save it to a file first"
    try:
        with path.open("rb") as stream:
            stream.read(1)
    except OSError as exc:  # no read permission, a failing disk
        return f"cannot read it ({exc.strerror or exc})"
    return None


def _empty(path: Path) -> bool:
    """Nothing in the file but white space (or a byte order mark): read up to the first text."""
    with path.open("rb") as stream:
        chunk = stream.read(65536).removeprefix(b"\xef\xbb\xbf")
        while chunk:
            if chunk.strip():
                return False
            chunk = stream.read(65536)
    return True


def _store(bot: Crisisbot, batch: list, store: Callable[..., int]) -> int:  # type: ignore[type-arg]
    if not batch:
        return 0
    with bot.transaction() as session:
        return store(session, batch, config=bot.config, now=bot.clock())


class _Progress:
    def __init__(self, total: int) -> None:
        self.total = total

    def show(self, done: int) -> None:
        pct = min(100, done * 100 // max(self.total, 1))
        bar = "#" * (pct // 4)
        print(f"\r[{bar:<25}] {pct:3d}%", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        self.show(self.total)
        print(file=sys.stderr)


def cmd_poll(args: argparse.Namespace) -> int:
    from bot.intake.polling import poll_all

    bot = _bot()
    if not bot.config.sources:
        print(f"crisisbot: no [[sources]] in {bot.config.path}; nothing to poll", file=sys.stderr)
        return 0
    # Each failure is said once, by the line below (the poller's own log line is --verbose's).
    results = poll_all(bot, force=args.force, failure_level=logging.INFO)
    for r in results:
        if r.skipped and r.failing:  # its configuration must change: still a failed source
            print(
                f"{r.name}: FAILED: {r.failing} · not polled: backing off until "
                f"{r.backoff_until:%Y-%m-%d %H:%M:%S} UTC (--force polls it now)"
            )
            if r.advice:  # why, and what to do
                print(f"  {r.advice}")
        elif r.skipped:  # a rate limit or a transient error: it will be tried again soon
            print(f"{r.name}: backing off until {r.backoff_until:%Y-%m-%d %H:%M:%S} UTC (--force)")
        elif r.error:
            until = f" · backing off until {r.backoff_until:%Y-%m-%d %H:%M:%S} UTC"
            walk = f" · {r.backfill}" if r.backfill else ""
            print(f"{r.name}: FAILED: {r.error}{walk}{until if r.backoff_until else ''}")
            if r.advice:  # stopped for good: why, and what to do
                print(f"  {r.advice}")
        else:
            print(f"{r.name}: {r.new} new" + (f" · {r.backfill}" if r.backfill else ""))
    failed = [r.name for r in results if r.error or r.failing]
    if failed:
        print(f"crisisbot: {len(failed)} of {len(results)} sources failed: {', '.join(failed)}")
        return 1
    print(f"crisisbot: {sum(r.new for r in results)} new mentions")
    return 0


BACKFILL_MAX_WAIT = 900.0  # a rate limit asking for longer ends the run; the worker resumes it


def cmd_backfill(args: argparse.Namespace) -> int:
    from bot.core.config import ConfigError
    from bot.intake.backfill import MAX_DAYS
    from bot.intake.polling import Poller, http_client

    if not 1 <= args.days <= MAX_DAYS:
        print(f"crisisbot: --days must be 1 to {MAX_DAYS}, not {args.days}", file=sys.stderr)
        return 2
    bot = _bot()
    configured = {s.name: s for s in bot.config.sources}
    if args.source is not None and args.source not in configured:
        known = ", ".join(configured) or f"none in {bot.config.path}"
        print(f"crisisbot: no source named {args.source!r}; configured: {known}", file=sys.stderr)
        return 2
    if not configured:
        print(f"crisisbot: no [[sources]] in {bot.config.path}", file=sys.stderr)
        return 0
    chosen = [configured[args.source]] if args.source else list(configured.values())
    failed = []
    with http_client() as client:
        poller = Poller(bot, client, failure_level=logging.INFO)  # each failure printed below
        for source in chosen:
            # The workers' lock on this source: they skip it while we walk, not poll it twice.
            with _source_lock(bot, source.name) as mine:
                if not mine:
                    print(f"{source.name}: FAILED: a worker kept polling it; try again")
                    failed.append(source.name)
                    continue
                try:
                    poller.start_backfill(source, args.days)
                except ConfigError as exc:  # its credential variable is unset: that source fails
                    print(f"{source.name}: FAILED: {exc}")
                    failed.append(source.name)
                    continue
                try:
                    result = _backfill_one(bot, poller, source, args.days)
                except KeyboardInterrupt:
                    _say_stopped(bot, source.name)
                    raise
            print(f"{source.name}: {result.new} new · {result.backfill or 'nothing to backfill'}")
            if result.error:
                print(f"{source.name}: FAILED: {result.error}")
                failed.append(source.name)
            elif result.backfill_stopped:  # a refused credential, an unknown account or cursor
                print(
                    f"{source.name}: FAILED: the backfill stopped there; fix that and run it again"
                )
                failed.append(source.name)
    return 1 if failed else 0


def _say_stopped(bot: Crisisbot, name: str) -> None:
    """Ctrl-C mid-walk: what is stored (read back: the page in flight may or may not be in),
    and that the same command resumes from there (each page is stored with its cursor)."""
    from models import SourceState

    with bot.sessions() as session:
        row = session.get(SourceState, name)
        walk = (row.backfill if row is not None else None) or {}
    if sys.stderr.isatty():
        print(file=sys.stderr)  # ends the progress line, cut off where it was
    print(
        f"crisisbot: stopped: {name}: {walk.get('mentions', 0)} new stored; run the same "
        "backfill again to resume it",
        file=sys.stderr,
    )


BACKFILL_LOCK_WAIT = 30.0  # seconds to wait for a worker's poll of the source to finish


@contextmanager
def _source_lock(bot: Crisisbot, name: str) -> Iterator[bool]:
    from bot.jobs import only_one

    deadline = time.monotonic() + BACKFILL_LOCK_WAIT
    while True:
        with only_one(bot, f"poll:{name}") as mine:
            if mine or time.monotonic() >= deadline:
                yield mine
                return
        time.sleep(0.5)


def _backfill_one(bot: Crisisbot, poller: Poller, source: SourceConfig, days: int) -> PollResult:
    bar = _BackfillBar(source.name, days)
    while True:
        result = poller.run_backfill(source, pages=None, seconds=None, on_page=bar.show)
        # Only a rate limit is waited out: a failure of any other kind (the network, a 5xx) is
        # reported at once, not waited on for minutes as if the platform had asked.
        rate_limited = result.error is not None and result.rate_limited
        wait = _wait_for(result.backoff_until, bot.clock()) if rate_limited else None
        if wait is None or wait > BACKFILL_MAX_WAIT:
            break
        bar.note(f"rate limited; waiting {wait:.0f} s as the platform asked")
        time.sleep(wait)
    bar.done()
    return result


def _wait_for(until: datetime | None, now: datetime) -> float | None:
    return max(0.0, (until - now).total_seconds()) if until is not None else None


class _BackfillBar:
    """One stderr line per source, rewritten in place on a terminal: days covered and pages."""

    def __init__(self, name: str, days: int) -> None:
        self.name, self.days, self.shown = name, days, False
        self.live = sys.stderr.isatty()
        self.last = -1

    def show(self, state: dict[str, Any]) -> None:
        from bot.intake.backfill import covered_days

        covered = covered_days(state)
        bar = "#" * (20 * covered // self.days)
        line = (
            f"{self.name}: [{bar:<20}] {covered} of {self.days} days · {state['pages']} pages"
            f" · {state['mentions']} new"
        )
        if self.live:
            print("\r" + line, end="", file=sys.stderr, flush=True)
            self.shown = True
        elif covered != self.last:  # a log file: one line per day covered, not per page
            print(line, file=sys.stderr, flush=True)
        self.last = covered

    def note(self, text: str) -> None:
        if self.shown:
            print(file=sys.stderr)
            self.shown = False
        print(f"{self.name}: {text}", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.shown:
            print(file=sys.stderr)


def cmd_detect(args: argparse.Namespace) -> int:
    from bot import jobs

    bot = _bot("SLACK_BOT_TOKEN", "CRISIS_CHANNEL")
    _check_slack(bot, must_reach=False)
    numbers = jobs.detect_storms(bot) or []
    sent = bot.deliver_now()
    for number in numbers:
        print(f"crisisbot: opened incident #{number}")
    if not numbers:
        print("crisisbot: no new storm")
    pending = bot.deliverer().pending()
    if pending:
        print(f"crisisbot: {pending} Slack messages wait for retry (the worker delivers them)")
    logger.debug("delivered %s messages", sent)
    return 0


def _out(value: str) -> str | None:
    """`--out -` is standard output, as for most tools (it wrote a file named "-")."""
    return None if value == "-" else value


def _unwritable(out: str | None) -> bool:
    """Say so (and return True) when `--out` cannot be written: before any work is done."""
    from bot.core.files import is_stream, target

    if out is None:
        return False
    path = Path(out)
    real = target(path)  # a symbolic link: its target is written, the link kept
    folder = real.parent if path.is_symlink() else path.parent  # as the user wrote it
    if path.is_dir():
        problem = "is a folder; give a file name"
    elif is_stream(real):  # a pipe or a device (/dev/stdout): written in place
        if os.access(real, os.W_OK):
            return False
        problem = "cannot write to it"
    elif not real.parent.is_dir():
        problem = f"no such folder {folder}"
    elif not os.access(real.parent, os.W_OK):
        problem = f"cannot write in {folder}"
    else:
        return False
    print(f"crisisbot: {out}: {problem}", file=sys.stderr)
    return True


def _namer(bot: Crisisbot) -> Callable[[str], str]:
    """People's names from Slack for an export, or their IDs, said in one line, when Slack
    cannot give them: asked once, not person after person (with a Slack that does not answer,
    each name cost seconds of retries and an ERROR line per try, then came out an ID anyway)."""
    from bot.slack.gateway import SlackError

    def as_is(user: str) -> str:
        return user

    if not bot.settings.slack_bot_token:
        return as_is
    sdk = logging.getLogger("slack_sdk")
    level = sdk.level
    sdk.setLevel(logging.CRITICAL)  # its ERROR line per try: the one line below says it
    try:
        bot.gateway.auth_test()
    except SlackError as exc:
        error = exc.error
        if error.startswith("connection:"):
            detail = error.removeprefix("connection:").strip()
            error = f"cannot reach Slack at {bot.settings.slack_api_url} ({detail})"
        print(f"crisisbot: people are named by their Slack IDs: {error}", file=sys.stderr)
        return as_is
    finally:
        sdk.setLevel(level)
    return bot.gateway.user_name


FORMATS = {"export": ("json", "csv", "md", "html"), "report": ("md", "html")}
FORMAT_HELP = "default: the one --out's name ends in (.html, .csv…), else md"


def _format(args: argparse.Namespace) -> str:
    """--format, or the format `--out`'s name ends in (`review.html`: a browser shows Markdown
    as one line of text), else md."""
    if args.format is not None:
        return str(args.format)
    ending = Path(args.out).suffix.lower().removeprefix(".") if args.out else ""
    ending = {"htm": "html", "markdown": "md"}.get(ending, ending)
    return ending if ending in FORMATS[args.command] else "md"


def cmd_export(args: argparse.Namespace) -> int:
    from bot.aftermath import export
    from models import Incident

    if _unwritable(args.out):
        return 2
    args.format = _format(args)
    bot = _bot()
    name_of = _namer(bot)
    # The file is for people: in the team's language (the terminal lines stay English, so
    # "no incident #N" is looked up before). A reading session: on SQLite a transaction would
    # hold the write lock, and the server's and worker's writes would wait, while Slack names
    # the people (seconds when it rate-limits).
    with bot.sessions() as session:
        if session.get(Incident, args.number) is None:  # a terminal's words, not Slack's hint
            print(
                f"crisisbot: there is no incident #{args.number} (`crisisbot report` lists a "
                "period's incidents; `/crisis list` in Slack the open ones)",
                file=sys.stderr,
            )
            return 1
        with i18n.using(bot.config.locale, bot.config.timezone):
            if args.out is None:
                export.write(
                    session,
                    args.number,
                    args.format,
                    sys.stdout,
                    name_of=name_of,
                    config=bot.config,
                )
                return 0
            out = Path(args.out)
            with replacing(out) as stream:
                export.write(
                    session, args.number, args.format, stream, name_of=name_of,
                    config=bot.config, bom=True,
                )  # fmt: skip
    print(f"crisisbot: wrote {out}", file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from bot.aftermath import report
    from bot.aftermath.records import cached, no_names

    since, until = _date(args.since, "--since"), _date(args.until, "--until")
    if since is None or (args.until and until is None) or _unwritable(args.out):
        return 2
    bot = _bot()
    # A bare day is the team's midnight: a Sofia team's "--since 2026-11-01" starts November
    # on its own clock, not at 02:00 (UTC, the default zone, is unchanged).
    zone = ZoneInfo(bot.config.timezone)
    since = _placed(_on_clock(args.since, since, zone), args.since, "--since")
    until = (
        _placed(_on_clock(args.until, until, zone), args.until, "--until") if until else bot.clock()
    )
    if since is None or until is None:
        return 2
    if until <= since:
        # Without --until the period ends now: a --since ahead of it is what is wrong.
        said = "--until must be after --since" if args.until else "--since must be in the past"
        print(f"crisisbot: {said}", file=sys.stderr)
        return 2
    with bot.sessions() as session:  # reads only: no write lock to hold (see cmd_export)
        built = report.build(session, since=since, until=until, config=bot.config, now=bot.clock())
    writer = report.write_html if _format(args) == "html" else report.write_markdown
    # The overdue follow-ups' owners by name: Slack is asked only when the report lists some.
    name_of = cached(_namer(bot)) if built.overdue else no_names
    if args.out is None:
        with i18n.using(bot.config.locale, bot.config.timezone):
            writer(built, sys.stdout, name_of)
        return 0
    with replacing(Path(args.out)) as stream, i18n.using(bot.config.locale, bot.config.timezone):
        writer(built, stream, name_of)
    print(f"crisisbot: wrote {args.out}", file=sys.stderr)
    return 0


MAX_BATCH = 1_000_000  # mentions per prune transaction


def cmd_prune(args: argparse.Namespace) -> int:
    from bot.aftermath import retention

    before = _date(args.before, "--before")
    before = _placed(before, args.before, "--before") if before else None
    if before is None:
        return 2
    if not 1 <= args.batch <= MAX_BATCH:  # a larger one overflowed the database's integer
        bound = "at least 1" if args.batch < 1 else f"at most {MAX_BATCH} (a transaction)"
        print(f"crisisbot: --batch must be {bound}", file=sys.stderr)
        return 2
    bot = _bot()
    now = bot.clock()
    # Detection reads the look-back (and its stored state was built from it): keep all of it.
    keep = now - timedelta(days=bot.config.lookback_days)
    if before > keep:
        print(
            f"crisisbot: --before {args.before} is within the detection look-back "
            f"({bot.config.lookback_days} days); choose {keep.date().isoformat()} or earlier",
            file=sys.stderr,
        )
        return 2
    removed = 0

    def batch_done(deleted: int) -> None:
        nonlocal removed
        removed = deleted
        if stop.is_set():  # Ctrl-C: after a whole batch, so the count said is the one done
            raise KeyboardInterrupt

    with _stop_between_batches() as stop:
        try:
            result = retention.prune(
                bot.sessions,
                before=before,
                now=now,
                batch=args.batch,
                progress=batch_done,
                config=bot.config,
            )
        except KeyboardInterrupt:
            print(
                f"crisisbot: stopped: {removed} mentions removed; run the same prune again "
                "for the rest",
                file=sys.stderr,
            )
            raise
    print(
        f"crisisbot: removed {result.deleted} mentions older than {before.isoformat()}; "
        f"kept {result.kept} that incidents refer to"
    )
    return 0


def _on_clock(text: str, value: datetime, zone: ZoneInfo) -> datetime:
    """`value` as read by `_date`, with a moment written without an offset on `zone`'s clock."""
    return value if datetime.fromisoformat(text).tzinfo else value.replace(tzinfo=zone)


def _placed(value: datetime, text: str, flag: str) -> datetime | None:
    """`value`, or None, said, for a moment UTC cannot hold, as stored times are compared in it
    (`0001-01-01` on a clock east of UTC is in the year 0: an OverflowError traceback)."""
    try:
        value.astimezone(UTC)
        return value
    except OverflowError:
        print(f"crisisbot: {flag}: {text!r} is out of range (write 2025-03-01)", file=sys.stderr)
        return None


def _date(text: str | None, flag: str) -> datetime | None:
    """A day (2025-03-01) or a moment (2025-03-01T09:00, UTC unless an offset is given)."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        print(f"crisisbot: {flag}: {text!r} is not a date (write 2025-03-01)", file=sys.stderr)
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.web import WebApp, check_port, serve
    from handlers import create_bolt_app

    bot = _bot(*SLACK_SETTINGS)
    verified = _check_slack(bot)
    check_port(bot.settings.port)
    bot.start_courier()
    app = WebApp(bot, create_bolt_app(bot, verify_token=verified))
    _interrupt_on_sigterm()
    print(f"crisisbot: listening on port {bot.settings.port}", file=sys.stderr)
    serve(app, bot.settings.port)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from bot.jobs import create_scheduler

    bot = _bot("SLACK_BOT_TOKEN", "CRISIS_CHANNEL")
    _check_slack(bot, must_reach=False)
    scheduler = create_scheduler(bot)
    scheduler.start()
    bot.start_courier()
    print("crisisbot: worker running (Ctrl-C to stop)", file=sys.stderr)
    _wait_for_signal()
    scheduler.shutdown()
    bot.close()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.jobs import create_scheduler
    from bot.web import WebApp, check_port, serve
    from handlers import create_bolt_app

    bot = _bot(*SLACK_SETTINGS)
    verified = _check_slack(bot)
    if not bot.settings.slack_app_token:
        check_port(bot.settings.port)
    scheduler = create_scheduler(bot)
    scheduler.start()
    bot.start_courier()
    bolt = create_bolt_app(bot, verify_token=verified)
    _interrupt_on_sigterm()
    try:
        if bot.settings.slack_app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler
            from slack_sdk.errors import SlackApiError

            print("crisisbot: web and worker in one process, over Socket Mode", file=sys.stderr)
            try:
                SocketModeHandler(bolt, bot.settings.slack_app_token).start()
            except SlackApiError as exc:  # apps.connections.open: a traceback before
                error = exc.response.get("error") or "no reason given"
                raise SettingsError("SLACK_APP_TOKEN", f"Slack refused it ({error})") from None
        else:
            print(f"crisisbot: web and worker on port {bot.settings.port}", file=sys.stderr)
            serve(WebApp(bot, bolt), bot.settings.port)
    finally:
        scheduler.shutdown()
    return 0


SLACK_SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "CRISIS_CHANNEL")  # serve, run


def _check_slack(bot: Crisisbot, *, must_reach: bool = True) -> bool:
    """Refuse a token Slack refuses, before any work: a message sent with it fails for good (a
    storm's alert never posted, even once the token is fixed). An address that does not answer
    stops `serve` and `run`; `worker` and `detect` (`must_reach` False) go on, their messages
    waiting in the outbox until Slack answers. A Slack that answers with a 5xx or a rate limit
    judged no token: every command goes on. True when Slack accepted the token."""
    from bot.slack.gateway import SlackError

    sdk = logging.getLogger("slack_sdk")
    level = sdk.level
    # The SDK logs an ERROR line per failed try; the one line below says it all (with detail).
    sdk.setLevel(logging.CRITICAL)
    try:
        bot.gateway.auth_test()
    except SlackError as exc:
        if exc.error.startswith("connection:"):  # the token never reached Slack: the address
            detail = exc.error.removeprefix("connection:").strip()
            if not must_reach:
                print(
                    f"crisisbot: cannot reach Slack at {bot.settings.slack_api_url} ({detail}); "
                    "its messages wait until it answers",
                    file=sys.stderr,
                )
                return False
            raise SettingsError(
                "SLACK_API_URL", f"cannot reach Slack at {bot.settings.slack_api_url} ({detail})"
            ) from None
        if not exc.permanent:  # a 5xx, a rate limit: Slack answered, not about the token
            # `serve` and `run` too: they refused to start ("SLACK_BOT_TOKEN: Slack refused
            # it (service_unavailable)"), blaming a good token, and a restart policy kept the
            # bot down for as long as Slack's outage and the restarts' backoff lasted.
            print(f"crisisbot: Slack answered {exc.error}; its messages wait", file=sys.stderr)
            return False
        raise SettingsError("SLACK_BOT_TOKEN", f"Slack refused it ({exc.error})") from None
    finally:
        sdk.setLevel(level)
    return True


def _interrupt_on_sigterm() -> None:
    """SIGTERM (docker stop, systemd, Kubernetes) stops the web server as Ctrl-C does: waitress
    finishes the requests in hand and returns, then the bot waits for its listeners and courier
    and closes its database. Python's default for SIGTERM is to die on the spot."""

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def cmd_backtest(args: argparse.Namespace) -> int:
    from bot.core.config import load_config
    from bot.detection import backtest
    from bot.intake.importer import ENCODING, not_utf8

    if bool(args.series) == bool(args.mentions):
        print(
            "crisisbot: give --series IN.csv --out OUT.csv, or --mentions FILE.jsonl",
            file=sys.stderr,
        )
        return 2
    if args.mentions and args.out:  # it was ignored: no file, exit 0, the file expected missing
        print(
            "crisisbot: --out goes with --series; --mentions prints the incidents it would open",
            file=sys.stderr,
        )
        return 2
    source = Path(args.series or args.mentions)
    problem = _unreadable(source)
    if problem:
        print(f"crisisbot: {source}: {problem}", file=sys.stderr)
        return 2
    try:
        if args.series:
            if not args.out:
                print("crisisbot: --series needs --out OUT.csv", file=sys.stderr)
                return 2
            if _unwritable(args.out):
                return 2
        settings = Settings.from_env()  # the playbook's clock, as the live pass uses it
        config = load_config(settings.config_path, required=settings.config_explicit)
        # Checked whole first: read as it comes, a bad byte far down stopped the run halfway.
        unreadable = not_utf8(source)
        if unreadable:
            raise backtest.BacktestError(f"{source}:{unreadable.line}: {unreadable.message}")
        if args.series:
            alerts = backtest.backtest_series_file(source, Path(args.out), config)
            print(f"crisisbot: wrote {args.out} ({alerts} alerts)", file=sys.stderr)
            return 0
        if _empty(source):
            raise backtest.BacktestError(f"{source}: is empty; no mentions to replay")
        with source.open(encoding=ENCODING) as stream:
            mentions, problems = backtest.read_history(stream, str(source))
    except backtest.BacktestError as exc:
        print(f"crisisbot: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    with _stop_between_batches() as stop:  # a scratch database: nothing to keep or to say
        opened = backtest.replay(mentions, config, stopped=stop.is_set)
    print(f"{len(mentions)} mentions replayed; {len(opened)} incidents would have opened.")
    for i, inc in enumerate(opened, start=1):
        first = inc.first_mention_at.strftime("%Y-%m-%d %H:%M") if inc.first_mention_at else "?"
        print(f"\n#{i} {inc.brand or '(no brand)'} · opened {inc.opened_at:%Y-%m-%d %H:%M} UTC"
              f" (storm began {first}) · severity {inc.severity}")  # fmt: skip
        for reason in inc.reasons:
            print(f"   - {reason}")
    return 1 if problems else 0


def cmd_sentiment(args: argparse.Namespace) -> int:
    from bot.detection.backtest import sentiment_lines
    from bot.intake.importer import NOT_UTF8, NotUTF8, utf8_lines

    raw = getattr(sys.stdin, "buffer", None)  # bytes: text mode would guess, or fail mid-way
    try:
        sentiment_lines(utf8_lines(raw) if raw is not None else sys.stdin, sys.stdout)
    except NotUTF8 as exc:  # the lines before it are answered; a label of mojibake would not be
        print(f"crisisbot: stdin:{exc.line}: {NOT_UTF8}; stopped", file=sys.stderr)
        return 1
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    out = Path(args.out)
    try:  # before the emulator and the bot start: a file in the way was a traceback
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        print(f"crisisbot: {out}: is a file; give a folder for the demo's files", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"crisisbot: {out}: cannot make the folder ({exc.strerror or exc})", file=sys.stderr)
        return 2
    if not os.access(out, os.W_OK):
        print(f"crisisbot: {out}: cannot write in it", file=sys.stderr)
        return 2
    return run_demo(out_dir=out, speed=args.speed, locale=args.locale)


MAX_NUMBER = 2**31 - 1  # the incidents' integer key; a longer number is a typo, not an incident


def _number(text: str) -> int:
    value = text.lstrip("#")
    if not (value.isascii() and value.isdigit()) or len(value) > 10 or int(value) > MAX_NUMBER:
        raise argparse.ArgumentTypeError(f"{text!r} is not an incident number (write 42 or #42)")
    return int(value)


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):  # NaN fails too
        raise argparse.ArgumentTypeError(f"{text!r} is not a pace (0 or more; 1 is real time)")
    return value


def _days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    # The docstring's first sentence spans two lines: the description is both, not a cut one.
    p = argparse.ArgumentParser(prog="crisisbot", description=" ".join(__doc__.split()))
    verbose_help = "also show the libraries' INFO log lines (Alembic, scheduler, web server)"
    p.add_argument("-v", "--verbose", action="store_true", help=verbose_help)
    # Accepted after the command too (`crisisbot demo --verbose`); SUPPRESS keeps a flag given
    # before the command from being reset by the subcommand's default.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=verbose_help
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, fn: Command, help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help, parents=[common])
        sp.set_defaults(run=fn)
        return sp

    add("migrate", cmd_migrate, "create or upgrade the database schema")
    sp = add("ingest", cmd_ingest, "import mentions from a JSONL or CSV file")
    sp.add_argument("path")
    sp.add_argument("--format", choices=("jsonl", "csv"), help="default: from the file name")
    sp = add("poll", cmd_poll, "one polling pass over every configured source")
    sp.add_argument("--force", action="store_true", help="poll sources that are backing off too")
    sp = add("backfill", cmd_backfill, "fetch sources' past mentions back N days, the baseline")
    sp.add_argument("--source", metavar="NAME", help="only this [[sources]] entry (default: all)")
    sp.add_argument("--days", type=_days, default=7, metavar="N", help="days back (default 7)")
    add("detect", cmd_detect, "one detection pass over stored mentions, as of now")
    add("serve", cmd_serve, "the HTTP endpoint (POST /slack/events, GET /healthz, POST /ingest)")
    add("worker", cmd_worker, "the scheduler: polling, detection, timers, delivery")
    add("run", cmd_run, "web and worker in one process (Socket Mode if SLACK_APP_TOKEN is set)")
    sp = add("export", cmd_export, "an incident's timeline, to stdout or --out")
    sp.add_argument("number", type=_number, metavar="N")
    sp.add_argument("--format", choices=FORMATS["export"], help=FORMAT_HELP)
    sp.add_argument("--out", type=_out, help="write here instead of stdout ('-': stdout)")
    sp = add("report", cmd_report, "incidents across a period: medians, trends, false positives")
    sp.add_argument("--since", required=True, metavar="DATE", help="e.g. 2025-03-01")
    sp.add_argument("--until", metavar="DATE", help="default: now")
    sp.add_argument("--format", choices=FORMATS["report"], help=FORMAT_HELP)
    sp.add_argument("--out", type=_out, help="write here instead of stdout ('-': stdout)")
    sp = add("prune", cmd_prune, "remove old mentions no incident refers to")
    sp.add_argument("--before", required=True, metavar="DATE", help="e.g. 2025-01-01")
    sp.add_argument("--batch", type=int, default=5000, help="mentions per transaction")
    sp = add("backtest", cmd_backtest, "replay history through the detectors")
    sp.add_argument("--series", help="CSV with header timestamp,value (counts per bin)")
    sp.add_argument("--out", help="with --series: CSV timestamp,value,score,alert")
    sp.add_argument("--mentions", help="JSONL mention history (the ingest format)")
    add("sentiment", cmd_sentiment, "label each line of stdin: one JSON object per line")
    sp = add("demo", cmd_demo, "a sample storm against the local Slack emulator; no tokens needed")
    sp.add_argument("--out", default="crisisbot-demo", help="folder for the demo's files")
    sp.add_argument("--speed", type=_speed, default=1.0, help="pace multiplier (0 = no pauses)")
    sp.add_argument(
        "--locale", choices=("en", "bg"), default="en",
        help="the team's language: bg plays a Bulgarian storm and a Bulgarian-speaking bot",
    )  # fmt: skip
    return p


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
