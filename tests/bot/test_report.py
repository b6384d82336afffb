"""Learning across incidents: `crisisbot report`, and the weekly digest posted by the scheduler."""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot import jobs
from bot.cli import main
from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.response import incidents
from bot.testing import CHANNEL, Stack, start_stack
from tests.bot.test_export import _crisis
from tests.bot.test_foundation import _answered


@pytest.fixture
def history(stack: Stack, clock: ManualClock, tmp_path: Path, command_line: None) -> Stack:
    """One handled crisis (#1), a drill (#2, never counted), a false positive (#3, dismissed)."""
    _crisis(stack, clock, tmp_path)
    stack.slack.command("drill", user_id="U0BOB")
    _answered(stack, "DRILL #2")
    with stack.bot.transaction() as session:
        fp = incidents.open_incident(
            session, brand="Globex", title="Globex: mention storm", severity="medium",
            evidence={"reasons": ["a meme"], "kind": "keyword"}, first_mention_at=clock(),
            channel=CHANNEL, now=clock(),
        )  # fmt: skip
        assert fp is not None
        incidents.dismiss(session, fp.id, user="U0BOB", reason="a meme", now=clock())
    return stack


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(["report", *args]) == 0
    return capsys.readouterr().out


def test_report_counts_real_incidents_false_positives_detectors_sources(
    history: Stack, clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    since = (clock() - timedelta(days=30)).date().isoformat()
    md = _report(capsys, "--since", since, "--until", (clock() + timedelta(days=1)).isoformat())
    assert "**Real incidents:** 2 (drills left out)" in md
    assert "**False positives (dismissed):** 50% (1 of 2)" in md
    assert "- storm: 1\n" in md and "- keyword: 1\n" in md
    assert "- bluesky: 312\n" in md  # every mention of the sample storm came from Bluesky
    assert "| Time to claim | 3 min |" in md
    assert "| 1 |" in md and "| 3 |" in md and "| 2 |" not in md  # the drill is left out


def test_report_trend_compares_the_two_halves(
    history: Stack, clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both incidents opened today: over the last 30 days they all fall in the second half.
    since = (clock() - timedelta(days=30)).isoformat()
    md = _report(capsys, "--since", since, "--until", (clock() + timedelta(hours=1)).isoformat())
    assert "| Time to claim | 3 min | — | 3 min | not enough data |" in md


def test_report_html_is_self_contained(
    history: Stack, clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    until = (clock() + timedelta(days=1)).isoformat()  # the test clock runs ahead of the CLI's
    page = _report(capsys, "--since", "2000-01-01", "--until", until, "--format", "html")
    assert page.startswith("<!DOCTYPE html>") and "default-src 'none'" in page
    assert "2 real incidents" in page and "Globex" in page and "src=" not in page


@pytest.mark.parametrize("bad", ["yesterday", "2025-13-01", ""])
@pytest.mark.usefixtures("command_line")
def test_a_bad_date_is_one_clear_line_and_exit_2(
    stack: Stack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    bad: str,
) -> None:
    assert main(["report", "--since", bad]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"crisisbot: --since: {bad!r} is not a date (write 2025-03-01)"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--since", "2999-01-01"], "--since must be in the past"),  # it blamed an --until
        (["--since", "2025-03-02", "--until", "2025-03-01"], "--until must be after --since"),
    ],
)
@pytest.mark.usefixtures("command_line")
def test_a_period_that_ends_before_it_starts_names_the_date_to_fix(
    stack: Stack, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    assert main(["report", *argv]) == 2
    assert capsys.readouterr().err.splitlines() == [f"crisisbot: {said}"]


def test_the_weekly_digest_is_posted_once_into_the_channel(
    history: Stack, clock: ManualClock
) -> None:
    def digests() -> list[dict]:
        return [m for m in history.channel_messages() if "Weekly crisis digest" in m["text"]]

    clock.advance(minutes=5)
    assert jobs.post_digest(history.bot) is True
    posted = history.emulator.wait_for(digests)
    assert not posted[0].get("thread_ts")  # in the channel, not in an incident's thread
    text = posted[0]["text"]
    assert "2 real incidents, 50% dismissed" in text and "Median time to claim: 3 min" in text
    assert re.search(r"Busiest sources: bluesky \(3\d\d\)", text)  # a week of the sample
    # the full report's command as it can be run: the week's start, not a placeholder
    since = re.search(r"crisisbot report --since (\S+) --format html", text)
    assert since is not None
    start = datetime.fromisoformat(since[1])
    assert (start if start.tzinfo else start.replace(tzinfo=UTC)) <= clock() - timedelta(days=6)
    assert jobs.post_digest(history.bot) is False  # same week: nothing more
    history.bot.deliver_now()
    assert len(digests()) == 1


def test_the_scheduler_runs_the_digest_on_the_configured_day_and_hour(stack: Stack) -> None:
    from dataclasses import replace

    stack.bot.config = replace(stack.bot.config, digest_day="friday", digest_hour=16)
    job = jobs.create_scheduler(stack.bot).get_job("post_digest")
    assert isinstance(job.trigger, CronTrigger)
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("fri", "16", "0")


@pytest.mark.parametrize(
    ("zone", "minutes_late", "posted"),
    [
        ("UTC", 10, True),
        ("UTC", 75, False),
        ("Europe/Sofia", 10, True),
        ("Europe/Sofia", 75, False),
    ],
)
def test_a_worker_started_just_after_the_digest_hour_still_posts_it(
    database_url: str, zone: str, minutes_late: int, posted: bool
) -> None:
    """The scheduler forgets everything at a restart: a deploy at Monday 09:10 made the digest
    wait a whole week. Within the hour it is posted at start, once; later it is not. The hour
    is the team's (`timezone`)."""
    # A Monday, 09:00 on the team's clock (the digest's default day and hour).
    monday_nine = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo(zone))
    clock = ManualClock((monday_nine + timedelta(minutes=minutes_late)).astimezone(UTC))
    stack = start_stack(database_url, clock=clock, config=Config(timezone=zone))
    scheduler = jobs.create_scheduler(stack.bot)
    scheduler.start()
    try:

        def digests() -> list[dict[str, Any]]:
            return [m for m in stack.channel_messages() if "Weekly crisis digest" in m["text"]]

        if posted:
            stack.emulator.wait_for(digests)
            scheduler.shutdown()
            scheduler = jobs.create_scheduler(stack.bot)  # restarted again: nothing more
            scheduler.start()
            time.sleep(1)
            stack.bot.deliver_now()
            assert len(digests()) == 1
        else:
            time.sleep(1)
            assert digests() == []
            next_run = scheduler.get_job("post_digest").next_run_time
            # next week's, as usual (the scheduler runs on the real time, not the test's)
            assert next_run > datetime.now(UTC) + timedelta(minutes=1)
            assert (next_run.weekday(), next_run.hour, next_run.minute) == (0, 9, 0)
    finally:
        scheduler.shutdown()
        stack.stop()


@pytest.mark.usefixtures("command_line")
def test_a_report_over_an_empty_period_says_so_in_bulgarian(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    playbook = tmp_path / "crisisbot.toml"
    playbook.write_text('locale = "bg"\n', encoding="utf-8")
    monkeypatch.setenv("CRISIS_CONFIG", str(playbook))
    md = _report(capsys, "--since", "2026-01-01", "--until", "2026-01-08")
    assert "# Инциденти от 01.01.2026 до 07.01.2026" in md  # --until is excluded
    assert "**Реални инциденти:** 0" in md
    assert ": 0\n" not in md  # not "(none): 0" under the detectors and the sources
    assert md.count("- (няма)\n") == 2 and "- (няма споменавания)\n" in md
    assert "| # |" not in md  # no table without rows
    page = _report(capsys, "--since", "2026-01-01", "--until", "2026-01-08", "--format", "html")
    # The columns are durations ("Поемане"), not the card's buttons ("Поемам").
    assert "<th>Поемане</th><th>Приключване</th>" in page
    assert '<td colspan="6">—</td>' in page


def test_the_report_has_a_line_per_brand_drills_left_out(
    history: Stack, clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """An agency's head of comms reads the period per brand: Acme's handled crisis beside
    Globex's false alarm, and the drill (Acme) nowhere."""
    since = (clock() - timedelta(days=30)).date().isoformat()
    until = (clock() + timedelta(days=1)).isoformat()
    md = _report(capsys, "--since", since, "--until", until)
    assert "## By brand" in md
    assert "| Acme | 1 | 0 | 3 min | 40 min |" in md
    assert "| Globex | 1 | 1 | — | — |" in md
    page = _report(capsys, "--since", since, "--until", until, "--format", "html")
    assert "<td>Acme</td><td>1</td><td>0</td><td>3 min</td><td>40 min</td>" in page


@pytest.mark.usefixtures("command_line")
def test_a_bare_date_is_the_teams_midnight_and_the_title_ends_on_the_last_day_included(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A Sofia team's November report: before, --since/--until meant UTC midnights (02:00 in
    Sofia), so an incident opened at 00:30 on 1 November was left out, one opened late on 30
    November was in, and the title ran "to 01.12.2026"."""
    playbook = tmp_path / "crisisbot.toml"
    playbook.write_text('timezone = "Europe/Sofia"\n', encoding="utf-8")
    monkeypatch.setenv("CRISIS_CONFIG", str(playbook))
    opened = {
        "Early": datetime(2026, 10, 31, 22, 30, tzinfo=UTC),  # 1 Nov 00:30 in Sofia: November
        "Late": datetime(2026, 11, 30, 22, 30, tzinfo=UTC),  # 1 Dec 00:30 in Sofia: December
    }
    with stack.bot.transaction() as session:
        for brand, at in opened.items():
            incidents.open_incident(
                session, brand=brand, title=f"{brand}: mention storm", severity="medium",
                evidence={"reasons": ["storm"], "kind": "storm"}, first_mention_at=at,
                channel=CHANNEL, now=at,
            )  # fmt: skip
    md = _report(capsys, "--since", "2026-11-01", "--until", "2026-12-01")
    assert "Incidents from 2026-11-01 to 2026-11-30" in md  # --until is excluded
    assert "| Early |" in md and "| Late |" not in md
    # A moment with an offset means what it says.
    md = _report(capsys, "--since", "2026-11-01T00:00+00:00", "--until", "2026-12-01T00:00+00:00")
    assert "| Early |" not in md and "| Late |" in md


def test_the_report_says_none_was_reopened(
    history: Stack, clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    since = (clock() - timedelta(days=30)).date().isoformat()
    until = (clock() + timedelta(days=1)).isoformat()
    md = _report(capsys, "--since", since, "--until", until)
    assert "- **Reopened after a close:** 0% (0 of 2)\n" in md
    assert "| Acme | 1 | 0 | 3 min | 40 min | 0 |" in md
    assert "reopened once" not in md
    page = _report(capsys, "--since", since, "--until", until, "--format", "html")
    assert "0% reopened after a close (0)" in page


def test_a_declared_incident_is_no_claim_to_wait_for_and_no_detector_firing(
    database_url: str,
) -> None:
    """A head of comms reads the month: one alert claimed after 8 minutes, and two incidents
    people declared (held from their first second). The report and the digest said the median
    time to claim was 0 s (`/crisis stats` said 8 min), and counted each declaration as the
    storm detector firing."""
    from bot.aftermath import report
    from bot.response import stats
    from models import create_db_engine, session_factory

    at = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    engine = create_db_engine(database_url)
    with session_factory(engine).begin() as session:
        alert = incidents.open_incident(
            session, brand="Acme", title="Acme: mention storm", severity="high",
            evidence={"reasons": ["storm"]}, first_mention_at=at - timedelta(minutes=5),
            channel=CHANNEL, now=at,
        )  # fmt: skip
        assert alert is not None
        incidents.claim(session, alert.id, user="U0ALICE", now=at + timedelta(minutes=8))
        for brand, hours in (("Globex", 2), ("Initech", 3)):
            incidents.declare(
                session, brand=brand, text=f"{brand} van crash on the ring road",
                severity="high", user="U0BOB", channel=CHANNEL, now=at + timedelta(hours=hours),
            )  # fmt: skip
        built = report.build(session, since=at - timedelta(days=1), until=at + timedelta(days=1))
        said = stats.team_stats(session)
        declared_only = report.build(
            session, since=at + timedelta(hours=1), until=at + timedelta(days=1)
        )
    engine.dispose()
    assert said.median_to_claim == timedelta(minutes=8)
    md = io.StringIO()
    report.write_markdown(built, md)
    text = md.getvalue()
    assert "| Time to claim | 8 min |" in text
    assert "| Globex | 1 | 0 | — |" in text  # no claim waited for: no median
    detectors = text.split("## Detectors that fired\n\n", 1)[1].split("\n\n", 1)[0]
    assert detectors == "- storm: 1"
    assert "| 2 | " in text and "| 0 s |" in text  # the incident's own row keeps its 0 s
    summary = report.slack_summary(built)
    assert "Median time to claim: 8 min" in summary and "Detectors: storm ×1" in summary
    page = io.StringIO()
    report.write_html(built, page)
    assert "<li>storm: 1</li>" in page.getvalue()
    # Only declarations: no detector fired, said as such in every format.
    md = io.StringIO()
    report.write_markdown(declared_only, md)
    detectors = md.getvalue().split("## Detectors that fired\n\n", 1)[1].split("\n\n", 1)[0]
    assert detectors == "- (none)"
    assert "| Time to claim | — |" in md.getvalue()
    assert "Detectors:" not in report.slack_summary(declared_only)
    page = io.StringIO()
    report.write_html(declared_only, page)
    assert "<h2>Detectors that fired</h2><ul><li>—</li></ul>" in page.getvalue()


@pytest.mark.usefixtures("command_line")
def test_a_period_still_running_lists_no_follow_up_as_overdue_before_its_due_date(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--until` at the month's end, run mid-month ("December so far"): an action due next
    week was listed as overdue, though nobody was late yet."""
    from bot.response import followups

    now = datetime.now(UTC)
    with stack.bot.transaction() as session:
        opened = incidents.open_incident(
            session, brand="Acme", title="Acme: mention storm", severity="high",
            evidence={"reasons": ["storm"]}, first_mention_at=now, channel=CHANNEL, now=now,
        )  # fmt: skip
        assert opened is not None
        followups.add(session, opened.id, owner="U0BOB", text="Update the refunds FAQ",
                      due_at=now + timedelta(days=7), user="U0ALICE", now=now)  # fmt: skip
    since = (now - timedelta(days=1)).isoformat()
    md = _report(capsys, "--since", since, "--until", (now + timedelta(days=20)).isoformat())
    assert "1 added, 0 done in the period; 0 overdue at its end." in md
    assert "Update the refunds FAQ" not in md
    page = _report(capsys, "--since", since, "--until", (now + timedelta(days=20)).isoformat(),
                   "--format", "html")  # fmt: skip
    assert "0 overdue at its end" in page and "Update the refunds FAQ" not in page


@pytest.mark.usefixtures("command_line")
def test_the_report_names_the_owners_of_overdue_follow_ups(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    """An agency's head of comms forwards the month's report to the client: its overdue
    actions named their owners by Slack ID alone ("U0BOB"), where the exports name people."""
    from bot.response import followups

    now = datetime.now(UTC)
    added = now - timedelta(days=3)
    with stack.bot.transaction() as session:
        opened = incidents.open_incident(
            session, brand="Acme", title="Acme: mention storm", severity="high",
            evidence={"reasons": ["storm"]}, first_mention_at=added, channel=CHANNEL, now=added,
        )  # fmt: skip
        assert opened is not None
        followups.add(session, opened.id, owner="U0BOB", text="Update the refunds FAQ",
                      due_at=now - timedelta(days=1), user="U0ALICE", now=added)  # fmt: skip
    since = (now - timedelta(days=7)).isoformat()
    md = _report(capsys, "--since", since)
    assert "| F1 | #1 | Bob Tanaka (U0BOB) |" in md
    page = _report(capsys, "--since", since, "--format", "html")
    assert "<td>F1</td><td>#1</td><td>Bob Tanaka (U0BOB)</td>" in page


def test_the_reports_incidents_say_what_each_was(database_url: str) -> None:
    """A month's report listed each incident by number, time, brand and state only: a reader
    could not tell the van crash from the leaked memo without exporting each one."""
    from bot.aftermath import report
    from models import create_db_engine, session_factory

    at = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    engine = create_db_engine(database_url)
    with session_factory(engine).begin() as session:
        incidents.declare(
            session, brand="Globex", text="Van crash | ring road <b>", severity="high",
            user="U0BOB", channel=CHANNEL, now=at,
        )  # fmt: skip
        built = report.build(session, since=at - timedelta(days=1), until=at + timedelta(days=1))
    engine.dispose()
    md = io.StringIO()
    report.write_markdown(built, md)
    assert "| # | Opened (UTC) | Brand | Status | Claim | Resolve | Title |\n" in md.getvalue()
    assert "| claimed | 0 s | — | Van crash \\| ring road &lt;b&gt; |\n" in md.getvalue()
    page = io.StringIO()
    report.write_html(built, page)
    assert "<td>—</td><td>Van crash | ring road &lt;b&gt;</td></tr>" in page.getvalue()
    assert "<th>Resolve</th><th>Title</th>" in page.getvalue()


def test_what_people_typed_stays_text_in_the_markdown_report(database_url: str) -> None:
    """A declared incident's title and a follow-up's action are typed in Slack; the Markdown
    report escaped only pipes and angle brackets, so `![x](…)` fetched an image from a tracker
    and `[…](…)` became a link when the file was viewed (the export escapes both)."""
    from bot.aftermath import report
    from bot.response import followups
    from models import create_db_engine, session_factory

    at = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    engine = create_db_engine(database_url)
    with session_factory(engine).begin() as session:
        declared = incidents.declare(
            session, brand="Globex", text="Crash [details](https://evil.example/x)",
            severity="high", user="U0BOB", channel=CHANNEL, now=at,
        )  # fmt: skip
        followups.add(session, declared.id, owner="U0BOB", text="FAQ ![x](https://t.example/p.png)",
                      due_at=at + timedelta(hours=1), user="U0BOB", now=at)  # fmt: skip
        built = report.build(session, since=at - timedelta(days=1), until=at + timedelta(days=1))
    engine.dispose()
    md = io.StringIO()
    report.write_markdown(built, md)
    text = md.getvalue()
    assert "Crash \\[details\\](https://evil.example/x)" in text
    assert "FAQ !\\[x\\](https://t.example/p.png)" in text
    assert not re.search(r"(?<!\\)\]\(", text)  # no bare "](": nothing a viewer links
