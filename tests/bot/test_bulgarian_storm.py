"""A Bulgarian team's crisis, start to finish: a Bulgarian storm pushed to POST /ingest, the alert
in Bulgarian with the storm's language share, the reply drafted with a Bulgarian alias, approved
by a second person, and a Bulgarian export uploaded into the thread. Through the signed HTTP
endpoint and the Slack emulator, like test_response.py.

The records carry no `lang`: the bot identifies each mention's language (detectors.language) and
scores it in that language (detectors.sentiment_bg for Bulgarian).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import jobs
from bot.core.clock import ManualClock
from bot.core.config import Config, Level, Template
from bot.slack.ids import Action
from bot.testing import Stack, sample_storm, start_stack
from models import Incident, Mention
from tests.bot.flow import answer, blocks_text, card, click_on, thread, top_level

PLAYBOOK = Config(
    locale="bg",
    levels=(
        Level("Екип социални мрежи", ("S0COMMS",)),
        Level("Ръководител комуникации", ("U0BOB",)),
    ),
    templates=(
        Template(
            "Временно изявление",
            "Знаем за проблема и работим по него. Следваща информация до един час.",
        ),
    ),
    key_messages=("Клиентите са на първо място",),
)
REPLY = (
    "Знаем, че част от вас бяха таксувани двукратно. Всички двойни плащания ще бъдат "
    "възстановени автоматично до 24 часа."
)
# English text the bot writes elsewhere; none of it may show in a Bulgarian team's channel.
ENGLISH = (
    "Why this fired",
    "mentions in",
    "were expected",
    "Status",
    "Owner",
    "Severity",
    "Claim",
    "Escalate",
    "Draft reply",
    "Resolve",
    "Dismiss",
    "Change severity",
    "followers",
    "Languages",
    "Bulgarian",
    "mention storm",
    "Waiting for approval",
    "Approve",
    "Reject",
    "Ready to copy",
)


@pytest.fixture
def team(database_url: str, clock: ManualClock) -> Iterator[Stack]:
    s = start_stack(database_url, clock=clock, config=PLAYBOOK)
    yield s
    s.stop()


def _push(stack: Stack, records: list[dict[str, Any]]) -> None:
    response = stack.push(records)
    assert response.status_code == 200, response.text


def _english_left(text: str) -> list[str]:
    return [word for word in ENGLISH if word in text]


def test_a_bulgarian_storm_from_ingest_to_a_bulgarian_export(
    team: Stack, clock: ManualClock
) -> None:
    _push(team, list(sample_storm(clock(), language="bg")))
    with team.bot.sessions() as session:
        languages = {lang for (lang,) in session.query(Mention.language).distinct()}
    assert languages == {"bg", "en"}

    numbers = jobs.detect_storms(team.bot)
    assert numbers
    n = int(numbers[0])
    alert = team.emulator.wait_for(lambda: card(team, n))
    shown = blocks_text(alert)
    assert "Acme: буря от споменавания" in alert["text"]
    assert "*Защо е подаден сигналът*" in shown and "Поемам" in shown and "Ескалирам" in shown
    assert "споменавания за последните 60 минути са негативни" in shown
    with team.bot.sessions() as session:
        incident = session.get(Incident, n)
        assert incident is not None
        share = incident.evidence["languages"]
    assert list(share) == ["bg", "en"] and 0.8 < share["bg"] < 0.95
    # The evidence names the languages as a Bulgarian reads them: "87 % на български" (a
    # no-break space before the sign).
    bulgarian = f"{round(share['bg'] * 100)}\xa0% на български"
    assert f"Езици: {bulgarian}, " in shown and "\xa0% на английски." in shown
    assert _english_left(shown) == [], shown

    # The English subcommand stays the contract; the Bulgarian alias does the same.
    clock.advance(minutes=2)
    team.slack.command(f"поеми #{n}", user_id="U0ALICE")
    answer(team, f"Поехте #{n}.")
    team.slack.command(f"claim #{n}", user_id="U0ALICE")
    answer(team, f"Вече отговаряте за #{n}.")

    clock.advance(minutes=3)
    team.slack.command(f"чернова #{n} {REPLY}", user_id="U0ALICE")
    answer(team, f"Чернова v1 за #{n} е публикувана в нишката на инцидента")
    draft = team.emulator.wait_for(
        lambda: next((m for m in thread(team, n) if "Чернова на отговор v1" in m["text"]), None)
    )
    assert "Чака одобрение от одобряващ, различен от автора." in blocks_text(draft)
    assert _english_left(blocks_text(draft)) == []

    # The approver's Home tab: what waits for them, in Bulgarian.
    team.slack.app_home_opened("U0CAROL")
    home = json.dumps(
        team.emulator.wait_for(lambda: team.emulator.home("U0CAROL")), ensure_ascii=False
    )
    assert "Чакат вашето одобрение" in home and "*Чернова v1* за #1" in home
    assert "Към черновата" in home and "Последните 30 дни" in home and "отговаря <@U0ALICE>" in home
    assert _english_left(home) == [] and "Waiting" not in home

    click_on(team, draft, Action.APPROVE, "U0ALICE")  # four eyes: not the author
    answer(team, "авторът не може да одобри собствената си чернова")
    clock.advance(minutes=4)
    click_on(team, draft, Action.APPROVE, "U0CAROL")
    answer(team, f"Чернова v1 на #{n} е одобрена.")
    team.emulator.wait_for(
        lambda: any("Готова за копиране" in blocks_text(m) for m in thread(team, n))
    )

    team.slack.command(f"експорт #{n} md", user_id="U0ALICE")
    answer(team, f"Експортът на #{n} във формат md ще се появи в нишката след малко.")
    upload = team.emulator.wait_for(lambda: list(team.emulator.files.values()))[0]
    assert upload["title"] == f"Хронология на #{n} (md)"
    assert upload["thread_ts"] == alert["ts"]
    md = upload["content"].decode("utf-8-sig")
    assert md.startswith(f"# Инцидент #{n}: Acme: буря от споменавания")
    for heading in ("## Защо е подаден сигналът", "## Показатели на реакцията", "## Хронология"):
        assert heading in md
    assert "- **Състояние:** поет · **Сериозност:**" in md
    assert "| Време до поемане | 2 мин |" in md
    assert "Публичен отговор беше одобрен 9 мин след сигнала." in md
    assert "\xa0% на български" in md and REPLY in md
    # Dates for a Bulgarian reader: day.month.year.
    assert clock().strftime("%d.%m.%Y") in md

    # JSON stays data: the contract's keys and the stored values, whatever the locale.
    team.slack.command(f"export #{n} json", user_id="U0ALICE")
    files = team.emulator.wait_for(
        lambda: [f for f in team.emulator.files.values() if f["name"].endswith(".json")]
    )
    data = json.loads(files[0]["content"].decode("utf-8"))
    assert data["incident"]["status"] == "claimed"
    assert "draft.approved" in [e["type"] for e in data["events"]]


def test_the_demo_plays_a_bulgarian_storm_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    assert main(["demo", "--locale", "bg", "--out", str(tmp_path / "out"), "--speed", "0"]) == 0
    shown = capsys.readouterr().out
    assert "ACME: БУРЯ ОТ СПОМЕНАВАНИЯ" in shown and "Чернова v1 на #1 е одобрена." in shown
    assert "% на български" in shown and "/crisis поеми #1" in shown
    assert "/crisis стая #1" in shown and "Стаята на инцидента #crisis-1-acme" in shown
    assert "Бележките в стаята" in shown and "+ Стая: #crisis-1-acme" in shown
    # The narration too: a Bulgarian team's first demo is not half English.
    assert "Разделът Home на Carol" in shown and "(вижда само Alice (социални мрежи))" in shown
    assert "(какво се промени)" in shown and "Хронологията е експортирана:" in shown
    assert " EET" in shown or " EEST" in shown  # Sofia's clock, not UTC
    assert "only" not in shown and "what changed" not in shown and "Exported" not in shown
    out = tmp_path / "out"
    data = json.loads((out / "incident-1-timeline.json").read_text(encoding="utf-8"))
    types = [e["type"] for e in data["events"]]
    assert "draft.approved" in types and "incident.resolved" in types
    assert (out / "incident-1-timeline.md").read_text(encoding="utf-8").startswith("# Инцидент #1")
    report = (out / "incident-1-report.html").read_text(encoding="utf-8")
    assert '<html lang="bg">' in report and "Преглед след инцидента" in report


def test_a_bulgarian_drill_is_in_bulgarian_and_pages_nobody(team: Stack) -> None:
    team.slack.command("учение breach", user_id="U0ALICE")
    answer(team, "Учение #1 започна: Слух за изтичане на данни (Acme). Никого не известява.")
    drill = team.emulator.wait_for(lambda: next(iter(top_level(team)), None))
    shown = blocks_text(drill)
    assert drill["text"].startswith("УЧЕНИЕ · #1 Слух за изтичане на данни (Acme)")
    assert "Това е учение: Слух за изтичане на данни." in shown
    assert "Езици: 100\xa0% на български." in shown and "изтичане" in shown
    assert "*УЧЕНИЕ* · не е истинска криза" in shown
    team.slack.command("ескалирай 1 тренировка", user_id="U0ALICE")
    # Thread replies only: once it has replies, the card itself carries thread_ts == its ts.
    replies = lambda: [  # noqa: E731
        m
        for m in team.channel_messages()
        if m.get("thread_ts") == drill["ts"] and m["ts"] != drill["ts"]
    ]
    page = team.emulator.wait_for(
        lambda: next((m for m in replies() if "ескалиран" in m["text"]), None)
    )
    assert page["text"].startswith("УЧЕНИЕ · #1 е ескалиран до *Ръководител комуникации*")
    assert (
        "(При учение никой не се известява; при истинска криза щеше да бъде изпратено известие "
        "до Bob Tanaka.)" in page["text"]
    )
    assert "<@U0BOB>" not in page["text"]
    team.slack.command("учение вулкан", user_id="U0ALICE")
    answer(team, "Няма сценарий за учение `вулкан`. Сценарии: outage, breach, recall.")
