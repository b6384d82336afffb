"""Polling end to end: `crisisbot poll` against local servers speaking the platforms' formats
ingests a week of calm and a storm, `crisisbot detect` alerts on it; faults in one source never
stop the others, are recorded with a backoff, and a restart continues from the stored cursor."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Crisisbot
from bot.cli import main
from bot.core.clock import ManualClock
from bot.intake.polling import Poller, PollResult, http_client
from bot.testing import Stack
from models import Outbox, SourceState
from tests.bot.conftest import (
    BRANDS,
    Cli,
    alerts,
    make_bot,
    poll_once,
    source_states,
    sources_reply,
    stored,
)
from tests.bot.test_home import _open_home
from tests.bot.test_polling_platforms import (
    BLUESKY,
    HN,
    MASTODON,
    Fault,
    Platforms,
    Post,
    serve,
    toml_sources,
)
from tests.local_server import serving


@pytest.fixture
def platforms(now: datetime) -> Iterator[Platforms]:
    yield from serve(Platforms.storm(now))


@pytest.fixture
def playbook(tmp_path: Path, platforms: Platforms) -> Path:
    path = tmp_path / "crisisbot.toml"
    path.write_text(BRANDS + toml_sources(platforms.base_url), encoding="utf-8")
    return path


def test_polled_storm_is_stored_once_and_alerted(
    polling_stack: Stack,
    platforms: Platforms,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    cli: Cli,
) -> None:
    start = now - timedelta(days=7)
    # Each `crisisbot poll` is a new process: it continues from the cursor the last one stored.
    for horizon in (timedelta(hours=6), timedelta(days=1), timedelta(days=7, hours=-1)):
        platforms.horizon = start + horizon
        assert main(["poll"]) == 0
    assert stored(polling_stack.bot) == sum(len(platforms.visible(p)) for p in platforms.posts)
    assert "no new storm" in cli.ok("detect")

    platforms.horizon = now  # the storm breaks
    capsys.readouterr()
    assert main(["poll"]) == 0
    out = capsys.readouterr().out
    assert "bluesky: 3" in out and "hackernews: 3" in out and "mastodon: 3" in out  # 30-odd each
    assert stored(polling_stack.bot) == platforms.total()  # every post, none twice

    assert "opened incident #1" in cli.ok("detect")
    posted = alerts(polling_stack)
    assert len(posted) == 1 and "Acme" in posted[0]["text"]

    # The cursor went out with every poll after the first, in each platform's own dialect.
    assert platforms.sent(BLUESKY)[-1]["since"]
    assert platforms.sent(HN)[-1]["numericFilters"].startswith("created_at_i>=")
    assert platforms.sent(MASTODON)[-1]["min_id"].isdigit()
    # Mastodon's 40-a-page limit made the 6-day gap take two pages, following the Link header.
    # The first poll also started the backfill: one page back, fewer than 40 posts, done.
    assert len(platforms.sent(MASTODON)) == 6  # 4 polls + 1 more page + 1 backfill page

    assert main(["poll"]) == 0  # a restart with nothing new repeats nothing
    assert "crisisbot: 0 new mentions" in capsys.readouterr().out
    assert stored(polling_stack.bot) == platforms.total()
    states = source_states(polling_stack.bot)
    assert {s.failures for s in states.values()} == {0}
    assert sum(s.mentions_today for s in states.values()) <= platforms.total()


# -- faults ------------------------------------------------------------------------------------


# The pollers' timeout in these tests. The "timeout" fault measures it (that platform answers
# after 3 × it); the other platforms, local servers that answer in milliseconds, must answer
# within it in the same pass, and the 0.3 s they had was within reach of a loaded CI machine.
POLL_TIMEOUT = 2.0


def _poll(bot: Crisisbot) -> dict[str, PollResult]:
    return poll_once(bot, timeout=POLL_TIMEOUT)


FAULTS = {
    "timeout": Fault(delay=3 * POLL_TIMEOUT, body=b"{}"),
    "5xx": Fault(503, b"<html>upstream unavailable</html>", {"Content-Type": "text/html"}),
    "429": Fault(429, b'{"error":"RateLimitExceeded"}', {"Retry-After": "600"}),
    "malformed": Fault(200, b'{"posts": [{"uri": "at://x/app.bsky.feed.post/1", '),
    "changed shape": Fault(200, b'{"feed": []}'),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_failing_source_backs_off_alone_and_catches_up_later(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path, fault: str
) -> None:
    start = platforms.horizon - timedelta(days=7)
    platforms.horizon = start + timedelta(hours=6)
    with make_bot(database_url, clock, playbook) as bot:
        assert all(r.ok for r in _poll(bot).values())
    platforms.horizon = start + timedelta(days=1)
    platforms.fail("bluesky", FAULTS[fault])

    with make_bot(database_url, clock, playbook) as bot:
        results = _poll(bot)
        assert results["bluesky"].error
        assert results["hackernews"].new > 0 and results["mastodon"].new > 0
        state = source_states(bot)["bluesky"]
        assert state.failures == (0 if fault == "429" else 1)
        assert state.last_error and state.last_error_at == clock()
        assert state.backoff_until is not None
        wait = (state.backoff_until - clock()).total_seconds()
        assert 590 <= wait <= 610 if fault == "429" else 0.8 * 60 <= wait <= 1.2 * 60

    requests = len(platforms.sent(BLUESKY))
    with make_bot(database_url, clock, playbook) as bot:  # still backing off: not even asked
        results = _poll(bot)
        assert results["bluesky"].skipped
        assert len(platforms.sent(BLUESKY)) == requests

    clock.advance(minutes=11)
    with make_bot(database_url, clock, playbook) as bot:  # a restart after the backoff catches up
        assert all(r.ok for r in _poll(bot).values())
        state = source_states(bot)["bluesky"]
        assert state.failures == 0 and state.last_error is None and state.backoff_until is None
        assert stored(bot) == sum(len(platforms.visible(p)) for p in platforms.posts)


def test_a_long_running_poller_resumes_after_a_rate_limit_on_the_bots_clock(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    """The worker keeps its connectors between polls: their own "paused until" must run on the
    same clock as the stored backoff, or a connector would refuse long after the backoff ended."""
    start = platforms.horizon - timedelta(days=7)
    platforms.horizon = start + timedelta(hours=6)
    with make_bot(database_url, clock, playbook) as bot, http_client() as client:
        poller = Poller(bot, client, timeout=POLL_TIMEOUT)
        assert all(r.ok for r in poller.poll_all())
        platforms.horizon = start + timedelta(days=1)
        platforms.fail("bluesky", FAULTS["429"])
        assert {r.name: r for r in poller.poll_all()}["bluesky"].error
        asked = len(platforms.sent(BLUESKY))

        clock.advance(minutes=11)  # past Retry-After (600 s) on the bot's clock, not the wall's
        results = {r.name: r for r in poller.poll_all()}
        assert results["bluesky"].ok and results["bluesky"].new > 0
        assert len(platforms.sent(BLUESKY)) > asked
        assert stored(bot) == sum(len(platforms.visible(p)) for p in platforms.posts)


def test_a_busy_bluesky_hour_is_polled_whole_without_the_cursor_the_public_appview_refuses(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    """Over 100 new posts take more than one page; logged out, a `cursor` is a 403 (the fake
    answers as the public AppView does), which lost the whole poll for 6 hours, every time."""
    start = platforms.horizon - timedelta(days=7)
    platforms.horizon = start + timedelta(hours=6)
    with make_bot(database_url, clock, playbook) as bot:
        assert all(r.ok for r in _poll(bot).values())
    burst = start + timedelta(hours=6, minutes=1)
    platforms.posts["bluesky"] += [
        Post(10_000 + i, f"Acme is down again ({i})", burst + timedelta(seconds=i // 3), "u", 5)
        for i in range(250)  # three posts a second: pages end inside a second, too
    ]
    platforms.horizon = start + timedelta(hours=7)

    with make_bot(database_url, clock, playbook) as bot:
        results = _poll(bot)

        assert results["bluesky"].ok, results["bluesky"].error
        assert results["bluesky"].new >= 250
        assert stored(bot) == sum(len(platforms.visible(p)) for p in platforms.posts)
    assert not [q for q in platforms.sent(BLUESKY) if "cursor" in q]


def test_a_platform_down_for_maintenance_is_not_asked_again_before_it_said(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    headers = {"Retry-After": "1800", "Content-Type": "text/html"}
    platforms.fail("hackernews", Fault(503, b"<html>Down for maintenance</html>", headers))

    with make_bot(database_url, clock, playbook) as bot:
        results = _poll(bot)
        assert results["hackernews"].error and results["bluesky"].ok
        state = source_states(bot)["hackernews"]
        assert state.failures == 1 and state.backoff_until is not None
        # was the usual first backoff, about the 60 s interval
        assert (state.backoff_until - clock()).total_seconds() == 1800


def test_transient_failures_back_off_exponentially_up_to_an_hour(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    platforms.fail("hackernews", *[Fault(500, b"oops")] * 8)
    waits = []
    with make_bot(database_url, clock, playbook) as bot:
        for _ in range(8):
            _poll(bot)
            state = source_states(bot)["hackernews"]
            waits.append((state.backoff_until - clock()).total_seconds())  # type: ignore[operator]
            clock.set(state.backoff_until)  # type: ignore[arg-type]
    assert state.failures == 8
    for n, wait in enumerate(waits[:6]):
        assert 0.8 * 60 * 2**n <= wait <= 1.2 * 60 * 2**n
    assert 0.8 * 3600 <= waits[-1] <= 3600


def test_permanent_error_waits_long_and_says_what_to_fix(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    platforms.fail("mastodon", Fault(401, b'{"error":"The access token is invalid"}'))
    with make_bot(database_url, clock, playbook) as bot:
        results = _poll(bot)
        assert "check the credentials" in results["mastodon"].error  # type: ignore[operator]
        assert results["bluesky"].ok and results["hackernews"].ok
        state = source_states(bot)["mastodon"]
        assert state.backoff_until == clock() + timedelta(hours=6)


def _notices(bot: Crisisbot) -> list[str]:
    """What the crisis channel was told about sources, oldest first."""
    with bot.transaction() as session:
        rows = session.scalars(
            select(Outbox).where(Outbox.kind == "channel_post").order_by(Outbox.id)
        )
        return [r.payload["text"] for r in rows]


def test_the_channel_is_told_once_when_a_source_stops_and_once_when_it_works_again(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    """Before, only someone who ran `/crisis sources` learned that a source had gone blind."""
    refused = Fault(401, b'{"error":"The access token is invalid"}')
    platforms.fail("mastodon", refused, refused)
    with make_bot(database_url, clock, playbook) as bot:
        _poll(bot)
        told = _notices(bot)
        assert told == [
            ":warning: Mention source *mastodon* has stopped working (1 failure in a row):"
            " mastodon: /masto/api/v1/timelines/tag/acme answered 401; check the credentials"
            " and address\nTo fix: check its entry in crisisbot.toml (`query`, `base_url`) and"
            " the environment variables its `credentials` name, then restart the worker;"
            " `crisisbot poll --force` tries it at once, or it is tried again at"
            f" {(clock() + timedelta(hours=6)):%Y-%m-%d %H:%M} UTC."
        ]
        clock.advance(hours=7)
        _poll(bot)  # refused again: the same run of failures, nothing more to say
        assert _notices(bot) == told
        assert source_states(bot)["mastodon"].failures == 2

        clock.advance(hours=7)
        assert _poll(bot)["mastodon"].ok
        clock.advance(minutes=2)
        _poll(bot)
        assert _notices(bot) == [*told, ":white_check_mark: Mention source *mastodon* works again."]


def test_the_notice_reaches_the_crisis_channel(polling_stack: Stack, platforms: Platforms) -> None:
    platforms.fail("mastodon", Fault(403, b"{}"))
    with http_client() as client:
        Poller(polling_stack.bot, client, timeout=POLL_TIMEOUT).poll_all()
    polling_stack.bot.kick()

    posted = polling_stack.emulator.wait_for(lambda: alerts(polling_stack))

    assert [m["text"].split("\n")[0] for m in posted] == [
        ":warning: Mention source *mastodon* has stopped working (1 failure in a row): mastodon:"
        " /masto/api/v1/timelines/tag/acme answered 403; check the credentials and address"
    ]


def test_transient_failures_are_told_after_three_in_a_row_and_a_429_never(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    platforms.fail("hackernews", *[Fault(503, b"<html>busy</html>")] * 3)
    platforms.fail("bluesky", *[Fault(429, b"{}", {"Retry-After": "30"})] * 4)
    with make_bot(database_url, clock, playbook) as bot:
        for told in ([], [], ["hackernews"]):
            _poll(bot)
            assert [t.split("*")[1] for t in _notices(bot)] == told
            clock.advance(minutes=10)
        assert _notices(bot)[0].startswith(
            ":warning: Mention source *hackernews* has stopped working (3 failures in a row):"
        )
        assert _notices(bot)[0].endswith(
            "\nIt keeps retrying. `/crisis sources` shows every source's state."
        )
        _poll(bot)
        assert len(_notices(bot)) == 2  # hackernews works again; bluesky was only rate limited


def test_the_notice_speaks_the_playbooks_language(
    database_url: str, clock: ManualClock, platforms: Platforms, tmp_path: Path
) -> None:
    playbook = tmp_path / "crisisbot.toml"
    playbook.write_text('locale = "bg"\n' + BRANDS + toml_sources(platforms.base_url))
    platforms.fail("mastodon", Fault(401, b"{}"))
    with make_bot(database_url, clock, playbook) as bot:
        _poll(bot)
        (text,) = _notices(bot)
    assert text.startswith(
        ":warning: Източникът на споменавания *mastodon* спря да работи (1 неуспех подред):"
    )
    assert text.endswith(
        "\nКак да се поправи: проверете записа му в crisisbot.toml (`query`, `base_url`) и"
        " променливите на средата, посочени в `credentials`, после рестартирайте работния"
        " процес (worker); `crisisbot poll --force` го проверява веднага, иначе следващата"
        f" проверка е в {(clock() + timedelta(hours=6)):%d.%m.%Y %H:%M} UTC."
    )


def test_missing_credential_variable_is_named_and_others_still_poll(
    database_url: str, clock: ManualClock, platforms: Platforms, tmp_path: Path
) -> None:
    playbook = tmp_path / "crisisbot.toml"
    sources = toml_sources(platforms.base_url).replace(
        'name = "bluesky"',
        'name = "bluesky"\n'
        'credentials = { handle = "BSKY_HANDLE", app_password = "BSKY_PASSWORD" }',
    )
    playbook.write_text(BRANDS + sources, encoding="utf-8")
    with make_bot(database_url, clock, playbook, BSKY_HANDLE="acme.bsky.social") as bot:
        results = _poll(bot)
    assert "BSKY_PASSWORD" in results["bluesky"].error  # type: ignore[operator]
    assert results["hackernews"].ok and results["mastodon"].ok


def test_an_unexpected_connector_exception_is_a_transient_error(
    database_url: str,
    clock: ManualClock,
    platforms: Platforms,
    playbook: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from sources.hackernews import HackerNewsSource

    def broken(self: HackerNewsSource, cursor: str | None) -> None:
        raise KeyError("hits")  # as if a platform renamed a field the connector reads unchecked

    monkeypatch.setattr(HackerNewsSource, "fetch", broken)
    with make_bot(database_url, clock, playbook) as bot:
        results = _poll(bot)
        assert "KeyError" in results["hackernews"].error  # type: ignore[operator]
        assert results["bluesky"].new > 0 and results["mastodon"].new > 0
        assert source_states(bot)["hackernews"].failures == 1
    assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records)


def test_cli_poll_reports_failures_and_exits_1(
    polling_stack: Stack,
    platforms: Platforms,
    capsys: pytest.CaptureFixture[str],
    cli: Cli,
) -> None:
    platforms.fail("hackernews", Fault(502, b"bad gateway"))
    assert main(["poll"]) == 1
    out = capsys.readouterr().out
    assert "hackernews: FAILED:" in out and "502" in out
    assert "bluesky: " in out and "new" in out
    assert "1 of 3 sources failed: hackernews" in out

    assert main(["poll"]) == 0  # hackernews is backing off: skipped, not failed
    assert "hackernews: backing off until" in capsys.readouterr().out
    assert main(["poll", "--force"]) == 0
    assert "hackernews: " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (Fault(401, b"bad token"), "answered 401; check the credentials and address"),
        (Fault(404, b"no such account"), "answered 404; check the credentials and address"),
        (None, "unreadable cursor 'not a cursor'"),
    ],
    ids=["refused credential", "unknown account", "unreadable cursor"],
)
def test_cli_poll_keeps_failing_while_a_source_waits_on_a_permanent_error(
    polling_stack: Stack,
    platforms: Platforms,
    capsys: pytest.CaptureFixture[str],
    cli: Cli,
    fault: Fault | None,
    said: str,
) -> None:
    """Its configuration must change, and it is not tried again for hours: the next `crisisbot
    poll` said "hackernews: backing off until … (--force)", "0 new mentions" and exited 0, as if
    the watch were whole. (A transient error's backoff stays a skip: the test above.)"""
    if fault is None:
        with polling_stack.bot.transaction() as session:
            session.add(
                SourceState(
                    name="hackernews", type="hackernews", failures=0, mentions_today=0,
                    cursor="not a cursor",
                )
            )  # fmt: skip
    else:
        platforms.fail("hackernews", fault)
    assert main(["poll"]) == 1
    out = capsys.readouterr().out
    assert "hackernews: FAILED: " in out and said in out
    assert "1 of 3 sources failed: hackernews" in out
    first = out.splitlines()
    advice = first[first.index(next(x for x in first if x.startswith("hackernews: "))) + 1]

    assert main(["poll"]) == 1
    lines = capsys.readouterr().out.splitlines()
    hn = next(line for line in lines if line.startswith("hackernews: "))
    assert hn.startswith("hackernews: FAILED: ") and said in hn, hn
    assert hn.endswith(" UTC (--force polls it now)") and "not polled: backing off until" in hn
    assert "crisisbot: 1 of 3 sources failed: hackernews" in lines
    assert advice.startswith("  "), first  # why and what to do, and on the skipped pass too
    assert lines[lines.index(hn) + 1] == advice


class _Refusing(BaseHTTPRequestHandler):
    """A feed that answers 401 at /401 and 500 anywhere else."""

    def do_GET(self) -> None:
        code = 401 if self.path.endswith("/401") else 500
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"nope")

    def log_message(self, format: str, *args: object) -> None:
        pass


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_cli_poll_says_each_failure_once(tmp_path: Path, database_url: str) -> None:
    """Each failure was printed twice: as the poller's WARNING log line on stderr and as the
    command's own FAILED line on stdout. The command's line is the one said; the log line is
    --verbose's."""
    playbook = tmp_path / "crisisbot.toml"
    feeds = {"closed": f"http://127.0.0.1:{_closed_port()}/feed"}
    with serving(_Refusing) as base:
        feeds |= {"unauth": f"{base}/401", "broken": f"{base}/500"}
        playbook.write_text(
            '[[brands]]\nname = "Acme"\nterms = ["acme"]\n'
            + "".join(
                f'[[sources]]\ntype = "rss"\nname = "{name}"\nfeed = "{feed}"\n'
                for name, feed in feeds.items()
            ),
            encoding="utf-8",
        )
        environ = {**os.environ, "DATABASE_URL": database_url, "CRISIS_CONFIG": str(playbook)}
        environ.pop("LOG_LEVEL", None)

        def poll(*flags: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "bot.cli", "poll", "--force", *flags],
                capture_output=True, text=True, env=environ, cwd=tmp_path, timeout=60,
            )  # fmt: skip

        done = poll()
        verbose = poll("--verbose")
    assert done.returncode == 1  # every source failed (README: exit 1 if a source failed)
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert len(lines) == 5, done.stdout
    # The refused feed stopped for good: what to do is said under its line.
    todo = "  To fix: check its entry in crisisbot.toml (`feed`, `base_url`), then restart"
    assert lines[2].startswith(todo) and "`crisisbot poll --force` tries it at once" in lines[2]
    lines.pop(2)
    for line, name in zip(lines, feeds, strict=False):
        assert line.startswith(f"{name}: FAILED: rss: ") and "backing off until" in line
    assert "Connection refused" in lines[0] or "ConnectError" in lines[0]
    assert "answered 401" in lines[1] and "answered 500" in lines[2]
    assert lines[3] == "crisisbot: 3 of 3 sources failed: closed, unauth, broken"
    for said in ("ConnectError", "answered 401", "answered 500"):
        assert (done.stdout + done.stderr).count(said) == 1, said
    # --verbose still shows the poller's log line (how many in a row, the next try).
    assert verbose.returncode == 1
    assert verbose.stderr.count("INFO bot.intake.polling: poll unauth failed (2 in a row)") == 1


def test_cli_backfill_says_each_failure_once(tmp_path: Path, database_url: str) -> None:
    """`crisisbot backfill` printed the poller's WARNING line as well as its own FAILED one."""
    playbook = tmp_path / "crisisbot.toml"
    with serving(_Refusing) as base:
        playbook.write_text(
            '[[brands]]\nname = "Acme"\nterms = ["acme"]\n[[sources]]\ntype = "hackernews"\n'
            f'name = "hn"\nquery = "acme"\nbase_url = "{base}/"\n',
            encoding="utf-8",
        )
        environ = {**os.environ, "DATABASE_URL": database_url, "CRISIS_CONFIG": str(playbook)}
        environ.pop("LOG_LEVEL", None)
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "backfill", "--days", "1"],
            capture_output=True, text=True, env=environ, cwd=tmp_path, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1
    assert "WARNING" not in done.stderr
    assert (done.stdout + done.stderr).count("answered 500") == 1, done.stdout + done.stderr
    assert "hn: FAILED: hackernews: /search_by_date answered 500" in done.stdout


# -- state: the day's count, the desk ------------------------------------------------------------


def test_mentions_today_starts_again_on_a_new_utc_day(
    database_url: str, platforms: Platforms, playbook: Path
) -> None:
    start = platforms.horizon - timedelta(days=7)
    platforms.horizon = start + timedelta(hours=6)
    clock = ManualClock(datetime(2025, 3, 14, 23, 50, tzinfo=UTC))
    with make_bot(database_url, clock, playbook) as bot:
        first = _poll(bot)["mastodon"].new
        assert source_states(bot)["mastodon"].mentions_today == first > 0
        platforms.horizon = start + timedelta(days=1)
        second = _poll(bot)["mastodon"].new
        assert source_states(bot)["mastodon"].mentions_today == first + second
        clock.advance(minutes=15)  # past midnight UTC
        platforms.horizon = start + timedelta(days=2)
        third = _poll(bot)["mastodon"].new
        state = source_states(bot)["mastodon"]
        assert (state.day, state.mentions_today) == ("2025-03-15", third)


def test_crisis_sources_shows_each_sources_state(
    polling_stack: Stack, clock: ManualClock, platforms: Platforms
) -> None:
    platforms.horizon -= timedelta(days=6)
    platforms.fail("hackernews", Fault(503, b"down for maintenance"))
    with http_client() as client:
        Poller(polling_stack.bot, client, timeout=POLL_TIMEOUT).poll_all()

    payload = sources_reply(polling_stack)
    lines = {line.split("*")[1]: line for line in payload["text"].splitlines()[1:]}
    assert set(lines) == {"bluesky", "hackernews", "mastodon"}
    stamp = clock().strftime("%Y-%m-%d %H:%M UTC")
    assert f"last success {stamp}" in lines["bluesky"] and "last error" not in lines["bluesky"]
    assert "mentions today" in lines["bluesky"] and " 0 mentions today" not in lines["bluesky"]
    hn = lines["hackernews"]
    assert "last success —" in hn and "0 mentions today" in hn
    assert f"last error {stamp}" in hn and "503" in hn and "backing off until" in hn


def test_the_home_tab_says_first_that_a_source_has_stopped(
    polling_stack: Stack, platforms: Platforms, clock: ManualClock
) -> None:
    """ "No open incidents" on the Home tab read as all clear while the only source that would
    have seen a storm was down; the tab now says so on top, until the source works again."""

    def home_text(user: str = "U0CAROL") -> str:
        return json.dumps(_open_home(polling_stack, user), ensure_ascii=False)

    assert _poll(polling_stack.bot)["mastodon"].ok
    assert "stopped working" not in home_text()
    clock.advance(hours=1)
    platforms.fail("mastodon", Fault(403, b"{}"))
    _poll(polling_stack.bot)
    view = json.loads(home_text())
    # First after the Declare a crisis button: before the open incidents.
    assert view["blocks"][0]["elements"][0]["action_id"] == "home.declare"
    first = view["blocks"][1]["text"]["text"]
    assert first.startswith(":warning: Mention source *mastodon* has stopped working (last success")
    assert "storms seen only there are not detected" in first
    assert sum("stopped working" in json.dumps(b) for b in view["blocks"]) == 1  # not the others

    clock.advance(hours=7)
    assert _poll(polling_stack.bot)["mastodon"].ok
    assert "stopped working" not in home_text()


def test_the_workers_log_says_a_rate_limit_once_and_not_each_poll_it_waits(
    database_url: str,
    clock: ManualClock,
    platforms: Platforms,
    playbook: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Found by outside-in QA on `crisisbot run`: a 429 was logged as "poll mastodon failed
    (0 in a row)", and every poll skipped while a source backed off logged "backing off until"
    at INFO, the worker's default: a credential refused for 6 hours, polled every 60 s, wrote
    360 such lines."""
    platforms.fail("bluesky", Fault(429, b"{}", {"Retry-After": "600"}))
    platforms.fail("mastodon", Fault(401, b"{}"))
    caplog.set_level(logging.INFO, logger="bot.intake.polling")
    with make_bot(database_url, clock, playbook) as bot, http_client() as client:
        poller = Poller(bot, client, timeout=POLL_TIMEOUT)  # as the worker's: WARNING lines
        for _ in range(3):
            poller.poll_all()
            clock.advance(minutes=1)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.intake.polling"]
    bluesky = [line for line in lines if line.startswith("poll bluesky")]
    mastodon = [line for line in lines if line.startswith("poll mastodon")]
    assert len(bluesky) == 1 and bluesky[0].startswith("poll bluesky rate limited: bluesky: ")
    assert "in a row" not in bluesky[0] and "next try after" in bluesky[0]
    assert len(mastodon) == 1 and mastodon[0].startswith("poll mastodon failed (1 in a row)")
