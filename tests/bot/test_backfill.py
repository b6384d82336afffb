"""A newly connected source (issue 13): the first poll backfills the baseline, a storm alerts from
its first hour even without history, a calm start stays quiet, and the backfill honours rate
limits and resumes after kill -9 without duplicates or gaps.

Local servers answer like Hacker News (Algolia) and an RSS blog feed; `crisisbot poll`,
`crisisbot detect` and `crisisbot backfill` run as the command line does (one as a real
subprocess, killed with SIGKILL mid-backfill)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import Crisisbot
from bot.cli import main
from bot.core.clock import ManualClock
from bot.intake import backfill
from bot.intake.polling import Poller, http_client
from bot.testing import Stack
from models import Incident, Mention, SourceState
from tests.bot.conftest import (
    BRANDS,
    Cli,
    alerts,
    make_bot,
    sources_reply,
    stored,
)
from tests.bot.test_polling_platforms import HN, Fault, Platforms, Post, serve, toml_sources
from tests.local_server import LOCAL_TIMEOUT

BREACH = "Acme leaked every password in plain text. Terrible, awful, disgusting security."
CALM = [
    "Picked up my Acme order today, smooth as always",
    "Does Acme ship to Canada?",
    "Acme support sorted my question quickly",
    "New Acme store opening downtown next month",
    "Comparing Acme and the others for my next purchase",
]
ROOT = Path(__file__).resolve().parents[2]
SHORT = "of history for this brand: judged on content, not on volume."


def timeline(
    now: datetime,
    *,
    calm_days: float,
    every_minutes: float = 45,
    storm: int = 150,
    storm_minutes: float = 40,
    storm_ends: datetime | None = None,
    seed: int = 13,
) -> list[Post]:
    """Calm mentions for `calm_days` (one every `every_minutes` on average), then `storm`
    copies of the breach complaint by as many people over `storm_minutes` ending at
    `storm_ends` (default: now)."""
    rng = random.Random(seed)
    end = storm_ends or now
    posts: list[Post] = []
    t = now - timedelta(days=calm_days)
    while calm_days and t < now:
        t += timedelta(minutes=rng.expovariate(1 / every_minutes))
        if end - timedelta(minutes=storm_minutes) <= t <= end or t > now:
            continue
        posts.append(Post(len(posts) + 1, rng.choice(CALM), t, f"user{rng.randint(1, 5000)}", 150))
    for k in range(storm):
        at = end - timedelta(minutes=storm_minutes) * (1 - k / storm)
        posts.append(Post(len(posts) + 1, BREACH, at, f"angry{k}", 300))
    return sorted(posts, key=lambda p: p.at)


def blog(now: datetime, *, calm_days: int, storm: bool = True) -> list[Post]:
    """An RSS blog: a post a day, then two articles about the breach."""
    posts = [
        Post(d + 1, f"Acme weekly roundup #{d}", now - timedelta(days=calm_days - d), "editor", 0)
        for d in range(calm_days)
    ]
    if storm:
        for k, title in enumerate(
            ["Acme breach: passwords leaked in plain text", "Acme leak exposed every password"]
        ):
            posts.append(Post(1000 + k, title, now - timedelta(minutes=30 - 10 * k), "news", 0))
    return posts


def _playbook(tmp_path: Path, platforms: Platforms, names: tuple[str, ...]) -> Path:
    path = tmp_path / "crisisbot.toml"
    path.write_text(BRANDS + toml_sources(platforms.base_url, names=names), encoding="utf-8")
    return path


@dataclass
class SlowPlatforms(Platforms):
    """Each answer can take `pause` seconds, so a backfill can be killed between pages."""

    pause: float = 0.0

    def answer(
        self, path: str, q: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        time.sleep(self.pause)
        return super().answer(path, q, headers)


@pytest.fixture
def platforms(request: pytest.FixtureRequest, now: datetime) -> Iterator[SlowPlatforms]:
    """Parametrised (indirect) with {platform: make_posts(now)}."""
    posts = {name: make(now) for name, make in request.param.items()}
    yield from serve(SlowPlatforms(posts, horizon=now))  # type: ignore[misc]


@pytest.fixture
def playbook(tmp_path: Path, platforms: Platforms) -> Path:
    return _playbook(tmp_path, platforms, tuple(platforms.posts))


def _incidents(bot: Crisisbot) -> list[Incident]:
    with bot.transaction() as session:
        found = session.scalars(select(Incident).order_by(Incident.id)).all()
        session.expunge_all()
        return list(found)


def _backfill_state(bot: Crisisbot, name: str) -> dict[str, Any]:
    with bot.transaction() as session:
        state = session.get(SourceState, name)
        assert state is not None and state.backfill is not None
        return dict(state.backfill)


def _days_back(posts: list[Post], until: datetime, stored: int) -> int:
    """Whole days from `until` back to the `stored`-th newest post."""
    newest_first = sorted(posts, key=lambda p: p.at, reverse=True)
    return (until - newest_first[stored - 1].at).days


def _alert_text(stack: Stack) -> str:
    posted = alerts(stack)
    assert len(posted) == 1
    return json.dumps(posted[0].get("blocks"), ensure_ascii=False)


HN_AND_BLOG_12_DAYS = {
    "hackernews": lambda now: timeline(now, calm_days=12),
    "blog": lambda now: blog(now, calm_days=12),
}


@pytest.mark.parametrize("platforms", [HN_AND_BLOG_12_DAYS], indirect=True)
def test_first_poll_backfills_a_week_and_the_storm_opens_one_incident(
    polling_stack: Stack,
    platforms: Platforms,
    now: datetime,
    cli: Cli,
) -> None:
    code, out = cli("poll")
    assert code == 0, out
    assert "hackernews: " in out and "backfill done: 7 of 7 days" in out
    assert "blog: " in out and "no backfill: the feed lists what it keeps" in out
    bot = polling_stack.bot
    week = [p for p in platforms.posts["hackernews"] if p.at >= now - timedelta(days=7)]
    hn_stored = stored(bot, "hackernews")
    # Everything of the last 7 days (a post in the poll's first second may fall either side).
    assert len(week) - 1 <= hn_stored <= len(week)
    assert stored(bot, "rss") == 10  # the feed's ten latest entries, nothing older to page
    requests = platforms.sent(HN)
    assert len(requests) == 1 + len(week) // 100 + 1  # the live page, then full pages and one short
    assert all("created_at_i>=" in q["numericFilters"] for q in requests[1:])

    code, out = cli("detect")
    assert "opened incident #1" in out
    [incident] = _incidents(bot)
    assert "short_baseline" not in incident.evidence  # a week of history: judged on volume
    assert incident.evidence["alert_at"] is not None  # the volume detector's alert
    assert incident.first_mention_at is not None
    assert incident.first_mention_at >= now - timedelta(minutes=45)
    _alert_text(polling_stack)

    code, out = cli("poll")  # a second poll stores nothing twice
    assert code == 0 and "crisisbot: 0 new mentions" in out
    assert stored(bot, "hackernews") == hn_stored
    assert "no new storm" in cli("detect")[1]
    assert len(_incidents(bot)) == 1


ONLY_THE_STORM = {
    "hackernews": lambda now: timeline(now, calm_days=0),
    "blog": lambda now: blog(now, calm_days=0),
}


@pytest.mark.parametrize("platforms", [ONLY_THE_STORM], indirect=True)
def test_with_only_the_storm_available_it_alerts_on_content_and_says_so(
    polling_stack: Stack,
    platforms: Platforms,
    now: datetime,
    cli: Cli,
) -> None:
    code, out = cli("poll")
    assert code == 0 and "crisisbot: 152 new mentions" in out  # 150 comments, 2 articles
    assert "opened incident #1" in cli("detect")[1]
    [incident] = _incidents(polling_stack.bot)
    sentence = incident.evidence["short_baseline"]
    assert sentence == f"Only 40 min {SHORT}"
    assert incident.evidence["reasons"][0] == sentence
    assert incident.evidence["cold_start"]["crisis_authors"] >= 150
    assert sentence in _alert_text(polling_stack)  # on the card, under "Why this fired"
    assert "no new storm" in cli("detect")[1]
    assert len(_incidents(polling_stack.bot)) == 1


def _calm_hour(now: datetime) -> list[Post]:
    rng = random.Random(5)
    return [
        Post(i + 1, rng.choice(CALM), now - timedelta(minutes=60 - 2 * i), f"user{i}", 150)
        for i in range(30)
    ]


@pytest.mark.parametrize("platforms", [{"hackernews": _calm_hour}], indirect=True)
def test_a_calm_cold_start_opens_nothing(
    polling_stack: Stack,
    platforms: Platforms,
    now: datetime,
    cli: Cli,
) -> None:
    assert cli("poll")[0] == 0
    assert stored(polling_stack.bot) == 30
    assert "no new storm" in cli("detect")[1]
    assert _incidents(polling_stack.bot) == []


def _old_storm(now: datetime) -> list[Post]:
    return timeline(now, calm_days=8, storm_ends=now - timedelta(days=3))


@pytest.mark.parametrize("platforms", [{"hackernews": _old_storm}], indirect=True)
def test_a_storm_the_backfill_finds_already_over_opens_nothing(
    polling_stack: Stack,
    platforms: Platforms,
    now: datetime,
    cli: Cli,
) -> None:
    assert cli("poll")[0] == 0
    assert stored(polling_stack.bot) > 300  # the storm three days ago is in the baseline
    assert "no new storm" in cli("detect")[1]


# -- budget, rate limits, restarts ---------------------------------------------------------------


def _busy_week(now: datetime) -> list[Post]:
    # ~2,000 posts, 20 pages; all inside the 7 days whichever clock starts first.
    return timeline(now, calm_days=6.9, every_minutes=5, storm=0)


BUSY = {"hackernews": _busy_week}


@pytest.mark.parametrize("platforms", [BUSY], indirect=True)
def test_the_budget_splits_a_backfill_over_polls_and_a_429_pauses_it(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path, now: datetime
) -> None:
    total = len(platforms.posts["hackernews"])
    with make_bot(database_url, clock, playbook) as bot, http_client() as client:
        poller = Poller(bot, client, timeout=LOCAL_TIMEOUT, backfill_pages=8)
        posts = platforms.posts["hackernews"]
        [first] = poller.poll_all()
        days = _days_back(posts, clock(), 800)
        assert first.ok and first.backfill == f"backfilling: {days} of 7 days"
        assert len(platforms.sent(HN)) == 1 + 8
        state = _backfill_state(bot, "hackernews")
        assert state["pages"] == 8 and not state["done"]

        platforms.fail("hackernews", Fault(200, b'{"hits": [], "nbPages": 0}'))  # live: nothing
        platforms.fail("hackernews", Fault(429, b"slow down", {"Retry-After": "120"}))
        [limited] = poller.poll_all()
        assert limited.error and "429" in limited.error and "while backfilling" in limited.error
        assert limited.backfill == first.backfill
        row = _row(bot, "hackernews")
        assert row.backoff_until == clock() + timedelta(seconds=120) and row.failures == 0
        assert _backfill_state(bot, "hackernews") == state  # the cursor did not move
        asked = len(platforms.sent(HN))
        assert poller.poll_all()[0].skipped and len(platforms.sent(HN)) == asked

        clock.advance(seconds=121)
        [resumed] = poller.poll_all()
        days = _days_back(posts, clock() - timedelta(seconds=121), 1600)
        assert resumed.ok and resumed.backfill == f"backfilling: {days} of 7 days"
        back = [q["numericFilters"] for q in platforms.sent(HN)[asked + 1 :]]
        assert back[0] == f"created_at_i>={_since(state)},created_at_i<={_oldest(state)}"
        [last] = poller.poll_all()
        assert last.backfill == "backfill done: 7 of 7 days"
        assert stored(bot) == total and _distinct(bot) == total


def _row(bot: Crisisbot, name: str) -> SourceState:
    with bot.transaction() as session:
        row = session.get(SourceState, name)
        assert row is not None
        session.expunge(row)
        return row


def _since(state: dict[str, Any]) -> int:
    return int(datetime.fromisoformat(state["since"]).timestamp())


def _oldest(state: dict[str, Any]) -> int:
    return int(datetime.fromisoformat(json.loads(state["cursor"])["oldest"]).timestamp())


def _distinct(bot: Crisisbot) -> int:
    with bot.transaction() as session:
        ids = session.scalars(select(Mention.external_id)).all()
    return len(set(ids))


@pytest.mark.parametrize("platforms", [BUSY], indirect=True)
def test_a_gap_longer_than_the_baseline_starts_a_new_backfill(
    database_url: str, platforms: Platforms, playbook: Path, now: datetime
) -> None:
    clock = ManualClock(now - timedelta(days=3))
    platforms.horizon = clock()
    with make_bot(database_url, clock, playbook) as bot, http_client() as client:
        poller = Poller(bot, client, timeout=LOCAL_TIMEOUT, backfill_pages=None)
        assert poller.poll_all()[0].backfill == "backfill done: 7 of 7 days"
        first = _backfill_state(bot, "hackernews")
        clock.set(now + timedelta(days=5))  # the worker was off for 8 days
        platforms.horizon = now
        [result] = poller.poll_all()
        assert result.ok and result.backfill == "backfill done: 7 of 7 days"
        again = _backfill_state(bot, "hackernews")
        assert again["until"] == clock().isoformat() != first["until"]
        recent = [p for p in platforms.posts["hackernews"] if p.at >= clock() - timedelta(days=7)]
        with bot.transaction() as session:
            latest = session.scalar(
                select(func.count())
                .select_from(Mention)
                .where(Mention.created_at >= clock() - timedelta(days=7))
            )
        assert latest == len(recent)  # the gap is filled: nothing of the last week is missing


@pytest.mark.parametrize("platforms", [BUSY], indirect=True)
def test_a_busy_outage_shorter_than_the_baseline_is_backfilled_back_to_the_last_poll(
    database_url: str, platforms: Platforms, playbook: Path, now: datetime
) -> None:
    clock = ManualClock(now - timedelta(days=2))
    platforms.horizon = clock()
    with make_bot(database_url, clock, playbook) as bot, http_client() as client:
        poller = Poller(bot, client, timeout=LOCAL_TIMEOUT, backfill_pages=None)
        assert poller.poll_all()[0].backfill == "backfill done: 7 of 7 days"
        last_success = clock()
        clock.set(now)  # down for two days: ~580 new posts, more than the live poll's 5 pages
        platforms.horizon = now
        [result] = poller.poll_all()
        assert result.ok and result.backfill == "backfill done: 3 of 3 days"
        state = _backfill_state(bot, "hackernews")
        assert state["since"] == (last_success - timedelta(hours=1)).isoformat()
        visible = len(platforms.visible("hackernews"))
        assert stored(bot) == _distinct(bot) == visible  # the live poll alone left a hole


@pytest.mark.parametrize("platforms", [BUSY], indirect=True)
def test_crisis_sources_shows_backfill_progress(
    polling_stack: Stack, platforms: Platforms, now: datetime
) -> None:
    with http_client() as client:
        Poller(polling_stack.bot, client, timeout=LOCAL_TIMEOUT, backfill_pages=12).poll_all()
    payload = sources_reply(polling_stack)
    days = _days_back(platforms.posts["hackernews"], polling_stack.bot.clock(), 1200)
    line = next(x for x in payload["text"].splitlines() if "*hackernews*" in x)
    assert f"mentions today · backfilling: {days} of 7 days" in line


# -- crisisbot backfill ----------------------------------------------------------------------------


@pytest.mark.parametrize("platforms", [BUSY], indirect=True)
def test_backfill_command_resumes_after_kill_9_without_duplicates_or_gaps(
    polling_stack: Stack,
    platforms: SlowPlatforms,
    cli: Cli,
) -> None:
    slow_week = platforms
    slow_week.pause = 0.15
    command = [sys.executable, "-m", "bot.cli", "backfill", "--source", "hackernews"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(slow_week.sent(HN)) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)  # mid-page: the sixth request is in flight
    finally:
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    bot = polling_stack.bot
    state = _backfill_state(bot, "hackernews")
    partial = stored(bot)
    assert 4 <= state["pages"] <= 6 and not state["done"]
    assert partial == state["mentions"] and 400 <= partial <= 600
    killed_at = len(slow_week.sent(HN))

    code, out = cli("backfill", "--source", "hackernews")
    assert code == 0, out
    assert "backfill done: 7 of 7 days" in out
    resumed = slow_week.sent(HN)[killed_at:]
    # It went on from the stored cursor: the first request names the oldest mention stored.
    assert resumed[0]["numericFilters"].endswith(f"created_at_i<={_oldest(state)}")
    since = datetime.fromisoformat(state["since"])
    expected = {str(40_000_000 + p.n) for p in slow_week.posts["hackernews"] if p.at >= since}
    with bot.transaction() as session:
        ids = session.scalars(select(Mention.external_id)).all()
    assert len(ids) == len(set(ids)) == len(expected) and set(ids) == expected  # no gap, no twin
    # Only the page in flight was fetched twice (and one empty page if the last was full).
    assert len(slow_week.sent(HN)) <= -(-len(expected) // 100) + 2


@pytest.mark.parametrize("platforms", [{"hackernews": _busy_week}], indirect=True)
def test_a_backfill_stopped_with_ctrl_c_says_that_a_rerun_resumes_it(
    polling_stack: Stack, platforms: SlowPlatforms, cli: Cli
) -> None:
    """It stopped without a word (exit 130), its progress line cut off where it was."""
    platforms.pause = 0.15
    command = [sys.executable, "-m", "bot.cli", "backfill", "--source", "hackernews"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(platforms.sent(HN)) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    state = _backfill_state(polling_stack.bot, "hackernews")
    assert not state["done"] and stored(polling_stack.bot) == state["mentions"] > 0
    assert err.splitlines()[-1] == (
        f"crisisbot: stopped: hackernews: {state['mentions']} new stored; run the same backfill "
        "again to resume it"
    ), err
    assert "Traceback" not in err


@pytest.mark.parametrize("platforms", [BUSY], indirect=True)
def test_backfill_command_waits_out_a_short_rate_limit(
    polling_stack: Stack,
    platforms: Platforms,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    cli: Cli,
) -> None:
    platforms.fail("hackernews", Fault(429, b"slow down", {"Retry-After": "1"}))
    started = time.monotonic()
    code = main(["backfill", "--days", "2"])
    out, err = capsys.readouterr()
    assert code == 0 and "hackernews: " in out and "backfill done: 2 of 2 days" in out
    assert time.monotonic() - started >= 1.0
    assert "hackernews: rate limited; waiting 1 s as the platform asked" in err
    statuses = [r.status for r in platforms.received(HN)]
    assert statuses[0] == 429 and set(statuses[1:]) == {200}
    two_days = [p for p in platforms.posts["hackernews"] if p.at >= now - timedelta(days=2)]
    assert abs(stored(polling_stack.bot) - len(two_days)) <= 1


@pytest.mark.parametrize("platforms", [BUSY], indirect=True)
def test_backfill_command_fails_at_once_on_an_error_that_is_not_a_rate_limit(
    polling_stack: Stack, platforms: Platforms, capsys: pytest.CaptureFixture[str], cli: Cli
) -> None:
    # A 5xx (or the network) backs the source off, but the platform asked for no wait: the
    # command says it failed, rather than wait minutes saying "rate limited".
    platforms.fail("hackernews", Fault(503, b"down", {}))
    started = time.monotonic()
    code = main(["backfill", "--days", "2"])
    out, err = capsys.readouterr()
    assert code == 1 and "hackernews: FAILED: " in out, (out, err)
    assert "rate limited" not in err
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("platforms", [BUSY], indirect=True)
@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (Fault(401, b"bad token", {}), "answered 401; check the credentials and address"),
        (Fault(404, b"no such account", {}), "answered 404; check the credentials and address"),
        (None, "unreadable backfill cursor 'not a cursor'"),
    ],
    ids=["refused credential", "unknown account", "unreadable cursor"],
)
def test_backfill_command_fails_when_a_permanent_error_stops_the_backfill(
    polling_stack: Stack,
    platforms: Platforms,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    cli: Cli,
    fault: Fault | None,
    said: str,
) -> None:
    """The walk stops for good there (the worker's live poll carries on), but the backfill the
    operator asked for did not happen: it said "backfill stopped at 0 of 2 days" and exited 0,
    so a script (or a deploy step) took the baseline as fetched."""
    if fault is None:  # an unfinished backfill of 2 days, its cursor damaged: the run resumes it
        with polling_stack.bot.transaction() as session:
            walk = {**backfill.new_state(now, 2, supported=True), "cursor": "not a cursor"}
            session.add(
                SourceState(
                    name="hackernews", type="hackernews", failures=0, mentions_today=0,
                    backfill=walk,
                )
            )  # fmt: skip
    else:
        platforms.fail("hackernews", fault)
    code = main(["backfill", "--days", "2"])
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    assert "hackernews: 0 new · backfill stopped at 0 of 2 days: " in out and said in out
    assert "hackernews: FAILED: the backfill stopped there; fix that and run it again" in out
    assert _backfill_state(polling_stack.bot, "hackernews")["error"]
    # Fixed (the fault was once), the same command starts the backfill afresh and succeeds.
    code, out = cli("backfill", "--days", "2")
    assert code == 0 and "hackernews: " in out and "backfill done: 2 of 2 days" in out, out
    assert stored(polling_stack.bot) > 0


@pytest.mark.parametrize("platforms", [{"x": _calm_hour, "hackernews": _busy_week}], indirect=True)
def test_backfill_command_fails_a_source_whose_credential_is_unset_and_walks_the_others(
    polling_stack: Stack,
    platforms: Platforms,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cli: Cli,
) -> None:
    """As a poll does ("an unset one fails that source with its name"): the whole command
    stopped at the first such source with exit 2, and the sources after it were never walked."""
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    code = main(["backfill", "--days", "2"])
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    assert "x: FAILED: source 'x': environment variable X_BEARER_TOKEN" in out
    assert "hackernews: " in out and "backfill done: 2 of 2 days" in out
    assert platforms.received(HN) and stored(polling_stack.bot) > 0


@pytest.mark.parametrize("platforms", [{"hackernews": _calm_hour}], indirect=True)
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--source", "nope"], "no source named 'nope'; configured: hackernews"),
        (["--days", "0"], "--days must be 1 to 90, not 0"),
        (["--days", "91"], "--days must be 1 to 90, not 91"),
    ],
)
def test_backfill_command_refuses_bad_input(
    polling_stack: Stack,
    platforms: Platforms,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
    cli: Cli,
) -> None:
    assert main(["backfill", *argv]) == 2
    assert message in capsys.readouterr().err
    assert platforms.requests == []


def test_backfill_command_refuses_a_days_value_that_is_not_a_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["backfill", "--days", "seven"])
    assert exit_info.value.code == 2
    assert "'seven' is not a whole number of days" in capsys.readouterr().err


@pytest.mark.parametrize("platforms", [{"hackernews": _calm_hour}], indirect=True)
def test_backfill_command_waits_for_the_workers_lock_on_the_source(
    polling_stack: Stack,
    platforms: Platforms,
    monkeypatch: pytest.MonkeyPatch,
    cli: Cli,
) -> None:
    from bot import cli as cli_module
    from bot.jobs import only_one

    if polling_stack.bot.engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite runs one worker")
    monkeypatch.setattr(cli_module, "BACKFILL_LOCK_WAIT", 0.6)
    with only_one(polling_stack.bot, "poll:hackernews") as mine:  # a worker is polling it
        assert mine
        code, out = cli("backfill")
    assert code == 1 and "hackernews: FAILED: a worker kept polling it; try again" in out
    assert platforms.requests == []
    code, out = cli("backfill")
    assert code == 0 and "hackernews: 30 new · backfill done: 7 of 7 days" in out
