"""The team's clock: `timezone = "Europe/Sofia"` in the playbook puts every time written for people
(cards, answers, the Home tab, exports, the report) on Sofia's clock with the zone written, keeps
UTC ISO timestamps in the machine formats, and fires the digest at the team's hour across a DST
change. Winter is EET (UTC+2), summer EEST (UTC+3); the clocks change on 29 March and
25 October 2026.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot import jobs
from bot.aftermath import digest, export, report
from bot.cli import main
from bot.core import i18n
from bot.core.clock import ManualClock
from bot.core.config import Config, ConfigError, parse_config
from bot.response import incidents
from bot.slack.ids import Action
from bot.testing import CHANNEL, Stack, start_stack
from models import create_db_engine, session_factory
from tests.bot.conftest import cli_env
from tests.bot.flow import answer, click_on, open_storm, thread

SOFIA = "Europe/Sofia"
WINTER = datetime(2026, 12, 4, 3, 7, tzinfo=UTC)  # 05:07 EET
SUMMER = datetime(2026, 7, 4, 3, 7, tzinfo=UTC)  # 06:07 EEST
# What a person reads, per locale: the locale's own date pattern, the zone's abbreviation.
SHOWN = {
    "en": {WINTER: "2026-12-04 05:07 EET", SUMMER: "2026-07-04 06:07 EEST"},
    "bg": {WINTER: "04.12.2026 05:07 EET", SUMMER: "04.07.2026 06:07 EEST"},
}


# -- the playbook ------------------------------------------------------------------------------
def test_the_playbook_names_the_team_zone_and_defaults_to_utc() -> None:
    assert parse_config({"timezone": SOFIA}, "crisisbot.toml").timezone == SOFIA
    assert parse_config({}, "crisisbot.toml").timezone == "UTC" == Config().timezone


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Europe/Sofiya", "timezone 'Europe/Sofiya' is not an IANA time zone name like "
                          "'Europe/Sofia' (did you mean 'Europe/Sofia'?)"),
        ("europe/sofia", "(did you mean 'Europe/Sofia'?)"),
        ("Sofia", "(did you mean 'Europe/Sofia'?)"),
        ("localtime", "'localtime' is not an IANA time zone name like 'Europe/Sofia'"),
        ("Nowhere/Atlantis", "'Nowhere/Atlantis' is not an IANA time zone name"),
    ],
)  # fmt: skip
def test_an_unknown_zone_is_refused_in_one_line_with_a_suggestion(name: str, error: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"timezone": name}, "crisisbot.toml")
    message = str(caught.value)
    assert message.startswith("crisisbot.toml: timezone ") and "\n" not in message
    assert error in message


def test_a_zone_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(ConfigError, match="timezone must be a string"):
        parse_config({"timezone": 2}, "crisisbot.toml")


# -- the formatting, centrally -----------------------------------------------------------------
@pytest.mark.parametrize("locale", ["en", "bg"])
@pytest.mark.parametrize("at", [WINTER, SUMMER], ids=["winter", "summer"])
def test_times_for_people_are_on_the_team_clock_with_the_zone(locale: str, at: datetime) -> None:
    with i18n.using(locale, SOFIA):
        assert i18n.when(at) == SHOWN[locale][at]
        assert i18n.when(at.replace(tzinfo=None)) == SHOWN[locale][at]  # naive: UTC, as stored
        assert i18n.stamp(at) == i18n.local(at).isoformat()
        assert i18n.stamp(WINTER) == "2026-12-04T05:07:00+02:00"
    with i18n.using(locale):  # no zone: UTC, written as before
        assert i18n.when(WINTER).endswith("03:07 UTC")
        assert i18n.stamp(WINTER) == WINTER.isoformat()


def test_a_day_is_the_team_day() -> None:
    late = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)  # already Friday in Sofia
    with i18n.using("bg", SOFIA):
        assert i18n.day(late) == "04.12.2026"
    with i18n.using("bg"):
        assert i18n.day(late) == "03.12.2026"


# -- Slack: a card, an answer, the Home tab ----------------------------------------------------
@pytest.fixture
def winter() -> ManualClock:
    return ManualClock(WINTER)


@pytest.fixture(params=["en", "bg"])
def sofia(
    request: pytest.FixtureRequest, database_url: str, winter: ManualClock
) -> Iterator[tuple[Stack, str]]:
    """A team in Sofia speaking `locale`, on a clock that starts on 4 December, 03:07 UTC."""
    locale = request.param
    s = start_stack(database_url, clock=winter, config=Config(locale=locale, timezone=SOFIA))
    yield s, locale
    s.stop()


def test_slack_shows_the_team_clock(sofia: tuple[Stack, str], winter: ManualClock) -> None:
    stack, locale = sofia
    clock = winter
    n = open_storm(stack, clock)
    opened = SHOWN[locale][WINTER]  # the incident opened at 03:07 UTC

    # A /crisis answer, written in the request's handler.
    stack.slack.command("list", user_id="U0ALICE")
    assert opened in answer(stack, f"*#{n}*")["text"]

    # A card, written by the delivery of the outbox: the approved draft says when.
    stack.slack.command(f"draft {n} We are on it.", user_id="U0ALICE")
    draft = stack.emulator.wait_for(
        lambda: next((m for m in thread(stack, n) if Action.APPROVE in json.dumps(m)), None)
    )
    clock.advance(minutes=10)
    click_on(stack, draft, Action.APPROVE, "U0CAROL")
    approved = {"en": "2026-12-04 05:17 EET", "bg": "04.12.2026 05:17 EET"}[locale]

    def approved_card() -> str | None:
        for m in thread(stack, n):
            text = json.dumps(m.get("blocks", []), ensure_ascii=False)
            if approved in text:
                return text
        return None

    assert stack.emulator.wait_for(approved_card)

    # The Home tab ("Updated …").
    stack.slack.app_home_opened("U0CAROL")
    home = stack.emulator.wait_for(lambda: stack.emulator.home("U0CAROL"))
    shown = json.dumps(home, ensure_ascii=False)
    assert approved in shown and "UTC" not in shown


# -- exports -----------------------------------------------------------------------------------
def _incident(database_url: str) -> tuple[object, int]:
    engine = create_db_engine(database_url)
    with session_factory(engine).begin() as session:
        incident = incidents.open_incident(
            session, brand="Acme", title="Acme: mention storm", severity="high",
            evidence={"reasons": ["a storm"]}, first_mention_at=WINTER - timedelta(minutes=5),
            channel=CHANNEL, now=WINTER,
        )  # fmt: skip
        assert incident is not None
        incidents.resolve(session, incident.id, user="U0BOB", summary="done",
                          now=WINTER + timedelta(hours=1))  # fmt: skip
        number = incident.id
    return engine, number


def _export(database_url: str, fmt: str, locale: str, timezone: str | None) -> str:
    engine, number = _incident(database_url)
    buffer = io.StringIO()
    try:
        with session_factory(engine).begin() as session, i18n.using(locale, timezone):
            export.write(session, number, fmt, buffer, name_of={"U0BOB": "Bob Ng"}.get)
    finally:
        engine.dispose()
    return buffer.getvalue()


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_the_markdown_export_is_on_the_team_clock(database_url: str, locale: str) -> None:
    md = _export(database_url, "md", locale, SOFIA)
    assert SHOWN[locale][WINTER] in md  # opened, and the first line of What happened
    assert " 06:07 EET" in md  # resolved an hour later
    assert "UTC" not in md
    heading = {"en": "| Time (Europe/Sofia) |", "bg": "| Час (Europe/Sofia) |"}[locale]
    assert heading in md
    # The timeline keeps ISO 8601, now with the team's offset.
    assert re.search(r"^\| 2026-12-04T05:07:00\+02:00 \| `incident\.opened` \|", md, flags=re.M)


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_the_html_report_is_on_the_team_clock(database_url: str, locale: str) -> None:
    page = _export(database_url, "html", locale, SOFIA)
    assert SHOWN[locale][WINTER] in page
    assert "<td>2026-12-04T05:07:00+02:00</td>" in page
    assert {"en": "times in Europe/Sofia", "bg": "часова зона: Europe/Sofia"}[locale] in page
    assert "UTC" not in page


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_machine_formats_keep_utc(database_url: str, locale: str) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(database_url, "csv", locale, SOFIA))))
    assert rows[0]["at"] == WINTER.isoformat()  # the column tools read: UTC, as before
    data = json.loads(_export(database_url, "json", locale, SOFIA))
    assert data["events"][0]["at"] == WINTER.isoformat()


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_the_utc_default_writes_exports_as_before(database_url: str, locale: str) -> None:
    md = _export(database_url, "md", locale, None)
    heading = {"en": "| Time (UTC) |", "bg": "| Час (UTC) |"}[locale]
    assert heading in md and f"| {WINTER.isoformat()} | `incident.opened` |" in md
    assert {"en": "2026-12-04 03:07 UTC", "bg": "04.12.2026 03:07 UTC"}[locale] in md


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_the_report_lists_incidents_on_the_team_clock(database_url: str, locale: str) -> None:
    engine, _number = _incident(database_url)
    try:
        with session_factory(engine).begin() as session, i18n.using(locale, SOFIA):
            built = report.build(session, since=WINTER - timedelta(days=7), until=WINTER
                                 + timedelta(days=1))  # fmt: skip
            out = io.StringIO()
            report.write_markdown(built, out)
    finally:
        engine.dispose()
    text = out.getvalue()
    assert {"en": "Opened (Europe/Sofia)", "bg": "Отворен (Europe/Sofia)"}[locale] in text
    # The day as the locale writes it ("04.12.2026" in Bulgarian), the time on Sofia's clock.
    opened = {"en": "| 2026-12-04 05:07 |", "bg": "| 04.12.2026 05:07 |"}[locale]
    assert opened in text and "UTC" not in text


# -- the digest --------------------------------------------------------------------------------
def _digest_trigger(locale: str, timezone: str, stack: Stack) -> CronTrigger:
    from dataclasses import replace

    stack.bot.config = replace(stack.bot.config, locale=locale, timezone=timezone,
                               digest_day="monday", digest_hour=9)  # fmt: skip
    trigger = jobs.create_scheduler(stack.bot).get_job("post_digest").trigger
    assert isinstance(trigger, CronTrigger)
    return trigger


def _next(trigger: CronTrigger, after: datetime) -> datetime:
    fire = trigger.get_next_fire_time(None, after)
    assert fire is not None
    return fire.astimezone(UTC)


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_the_digest_fires_at_the_team_hour_across_the_dst_change(stack: Stack, locale: str) -> None:
    trigger = _digest_trigger(locale, SOFIA, stack)
    # Monday 19 October, summer time: 09:00 EEST is 06:00 UTC.
    assert _next(trigger, datetime(2026, 10, 18, tzinfo=UTC)) == datetime(
        2026, 10, 19, 6, tzinfo=UTC
    )
    # The clocks go back on Sunday 25 October: the next Monday's 09:00 EET is 07:00 UTC.
    assert _next(trigger, datetime(2026, 10, 20, tzinfo=UTC)) == datetime(
        2026, 10, 26, 7, tzinfo=UTC
    )
    # And forward on 29 March: 09:00 EEST on Monday 30 March is 06:00 UTC.
    assert _next(trigger, datetime(2026, 3, 24, tzinfo=UTC)) == datetime(2026, 3, 30, 6, tzinfo=UTC)


def test_the_digest_hour_stays_utc_by_default(stack: Stack) -> None:
    trigger = _digest_trigger("en", "UTC", stack)
    assert _next(trigger, datetime(2026, 10, 20, tzinfo=UTC)) == datetime(
        2026, 10, 26, 9, tzinfo=UTC
    )


def test_the_digest_week_is_the_team_week() -> None:
    """Monday 02:00 in Sofia is Monday 00:00 UTC in winter and Sunday 23:00 UTC in summer: the
    runs on either side of the spring change are two weeks' digests, not one."""
    before = datetime(2026, 3, 23, 0, tzinfo=UTC)  # Monday 23 March, 02:00 EET
    after = datetime(2026, 3, 29, 23, tzinfo=UTC)  # Monday 30 March, 02:00 EEST
    with i18n.using("bg", SOFIA):
        assert digest.digest_key(before) == "digest:2026-W13"
        assert digest.digest_key(after) == "digest:2026-W14"


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_the_command_line_exports_on_the_playbook_clock(
    stack: Stack, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locale: str
) -> None:
    engine, number = _incident(database_url)
    engine.dispose()
    playbook = tmp_path / "crisisbot.toml"
    playbook.write_text(f'locale = "{locale}"\ntimezone = "{SOFIA}"\n', encoding="utf-8")
    cli_env(monkeypatch, stack, playbook)
    out = tmp_path / "incident.md"
    assert main(["export", str(number), "--format", "md", "--out", str(out)]) == 0
    md = out.read_text(encoding="utf-8")
    assert SHOWN[locale][WINTER] in md and "UTC" not in md
