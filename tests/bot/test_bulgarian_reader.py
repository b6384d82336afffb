"""What a Bulgarian communications team stumbles on, found from outside (playbook `locale = "bg"`,
`timezone = "Europe/Sofia"`): counts whose words do not agree with the number ("1 изпълнени",
"около 1 очаквани", "щяха да бъдат известени Bob Tanaka"), per cent signs written the English
way ("87%", Bulgarian writes "87 %"), dates in a Bulgarian page written as ISO, English words
left in the help and the HTML report, a modal title that cuts the incident's number, and a
quoted post cut mid-word without an ellipsis.

Counts are checked for 0, 1, 2, 5, 11 and 21 (Bulgarian has two forms: one, and the rest).
The crisis runs through the signed HTTP endpoint and the Slack emulator, like
test_bulgarian_storm.py."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import jobs
from bot.aftermath import report, review
from bot.core import i18n
from bot.core.clock import ManualClock
from bot.core.config import Config, Level, Template
from bot.core.i18n import _
from bot.detection.detect import _translated_reasons
from bot.intake import backfill
from bot.response import followups, incidents
from bot.slack import commands, messages
from bot.slack.ids import Action
from bot.testing import CHANNEL, Stack, sample_storm, start_stack
from detectors.storm import StormSettings
from models import FollowUp, Incident
from tests.bot.flow import answer, blocks_text, card, click_on, thread

NOW = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # 09:00 in Sofia (EET)
COUNTS = (0, 1, 2, 5, 11, 21)
# A word after a number: its form for one, and for any other number.
FORMS = {
    "изпълнено": "изпълнени",
    "отворено": "отворени",
    "добавено": "добавени",
    "просрочено": "просрочени",
    "очаквано": "очаквани",
    "минута": "минути",
    "ден": "дни",
    "споменаване": "споменавания",
    "последовател": "последователи",
    "реален": "реални",
    "път": "пъти",
}
PLURALS = {plural: singular for singular, plural in FORMS.items()}


def disagreements(text: str) -> list[str]:
    """Every "N word" whose word is not the form Bulgarian takes after N."""
    wrong = []
    for match in re.finditer(r"(?<![\d,.])(\d[\d\xa0]*) (\w+)", text):
        n, word = int(match.group(1).replace("\xa0", "")), match.group(2)
        if (word in FORMS and n != 1) or (word in PLURALS and n == 1):
            wrong.append(match.group(0))
    return wrong


def _follow_up(i: int, status: str) -> followups.Line:
    f = FollowUp(
        id=i, incident_id=7, owner="U0BOB", text="Да обновим ЧЗВ", status=status, due_at=None,
        due_whole_day=False, created_by="U0ALICE", created_at=NOW,
        done_by="U0DAN" if status == "done" else None, done_at=NOW if status == "done" else None,
    )  # fmt: skip
    return followups.Line(f, 7, "Acme: буря от споменавания", False)


@pytest.mark.parametrize("n", COUNTS)
def test_every_count_agrees_with_its_number(n: int) -> None:
    evidence = {"observed": 40, "expected": float(n), "window_minutes": 60, "z": 9.0,
                "score": 0.8, "recent_mentions": 40, "negative_share": 0.9,
                "baseline_negative_share": 0.1}  # fmt: skip
    with i18n.using("bg", "Europe/Sofia"):
        lines = [_follow_up(k, "open") for k in range(n)] + [
            _follow_up(100 + k, "done") for k in range(n)
        ]
        shown = [
            messages.follow_up_count(7, n, n),
            messages.incident_follow_ups(7, lines, NOW),
            messages.follow_up_list(lines[:n], 1, NOW),
            backfill.progress({"days": max(n, 1), "done": True}) or "",
            backfill.progress({"days": max(n, 1), "until": NOW.isoformat(), "reached": None})
            or "",
            # The storm's reasons: "about 1 expected" in the alert, with and without a volume
            # alert.
            *_translated_reasons({**evidence, "alert_at": NOW.isoformat()}, StormSettings()),
            *_translated_reasons(evidence, StormSettings()),
            # The unclaimed timer's page and the review's line on it.
            _("nobody claimed it within {minutes} minutes", minutes=n),
            _("Claimed in {time}, inside the {minutes}-minute unclaimed timer.",
              time="2 мин", minutes=n),
        ]  # fmt: skip
        figures = report.Report(
            NOW - timedelta(days=7), NOW, [], [], follow_ups_opened=n, follow_ups_done=n,
            overdue_count=n,
        )  # fmt: skip
        out = io.StringIO()
        report.write_markdown(figures, out)
        shown += [out.getvalue(), report.slack_summary(figures)]
    text = "\n".join(shown)
    assert disagreements(text) == [], text
    if n == 1:
        assert "*1 отворено последващо действие*, изпълнени: 1" in text
        assert "изпълнени: 1" in text and "добавени: 1" in text and "просрочени" in text


@pytest.mark.parametrize("people", [[], ["Bob Tanaka"], ["Bob Tanaka", "@comms"]])
def test_a_drills_page_says_whom_it_would_have_paged_for_one_or_many(people: list[str]) -> None:
    """ "щяха да бъдат известени Bob Tanaka" is plural for one person: the sentence reads right
    for nobody, one person or several."""
    fields = {"number": 7, "level": "Екип", "who": "<@U0ALICE>", "reason": ""}
    ids = ["U0BOB", "S0COMMS"][: len(people)]
    data = {"level_name": "Екип", "would_page": ids}
    step = review.Step(NOW, "incident.escalated", "U0ALICE", data)
    names = dict(zip(["U0BOB", "S0COMMS"], people, strict=False))
    with i18n.using("bg"):
        page = incidents.drill_page_text(fields, people)
        line = review.step_text(step, "Alice Moreau", lambda i: names.get(i, i))
    for text in (page, line):
        assert "щяха да бъдат известени" not in text, text
        if people:
            assert f"щеше да бъде изпратено известие до {', '.join(people)}" in text, text


@pytest.mark.parametrize("people", [[], ["Bob Tanaka"], ["Bob Tanaka", "@comms"]])
def test_the_review_says_whom_an_escalation_paged_for_nobody_one_or_many(
    people: list[str],
) -> None:
    """A real escalation's `paged`, named in the review's narrative, in both languages."""
    ids = ["U0BOB", "S0COMMS"][: len(people)]
    step = review.Step(NOW, "incident.escalated", "U0ALICE", {"level_name": "Екип", "paged": ids})
    names = dict(zip(["U0BOB", "S0COMMS"], people, strict=False))
    line = review.step_text(step, "Alice Moreau", lambda i: names.get(i, i))
    with i18n.using("bg"):
        bg = review.step_text(step, "Alice Moreau", lambda i: names.get(i, i))
    assert line.startswith("Escalated to Екип by Alice Moreau.")
    if people:
        assert line.endswith(f" It paged {', '.join(people)}.")
        assert bg.endswith(f" Известие беше изпратено до {', '.join(people)}."), bg
    else:
        assert line.endswith(" It paged nobody: no one is configured for that level.")
        assert bg.endswith(" Никой не беше известен: за това ниво в плана не е посочен никой."), bg
    assert "U0BOB" not in line + bg


def test_per_cent_is_written_the_bulgarian_way() -> None:
    """Bulgarian writes a space before the per cent sign ("87 %"), kept on one line."""
    with i18n.using("bg"):
        assert i18n.percent(0.87) == "87\xa0%" and i18n.percent(0) == "0\xa0%"
        assert i18n.percent(12.5) == "1\xa0250\xa0%"
    assert i18n.percent(0.87) == "87%"  # English as before


def test_the_help_and_its_examples_are_in_bulgarian_but_the_commands() -> None:
    """The placeholders of the help are words for a person, not the contract: the Bulgarian help
    wrote `@owner <text> [by DATE]` and `page 2` in English (both have Bulgarian forms the
    command accepts: `до`, `страница`)."""
    with i18n.using("bg"):
        shown = [
            commands.help_text(),
            messages.incident_follow_ups(7, [], NOW),
            _("(none yet: `/crisis followup N @owner <text>` adds one)"),
        ]
        with pytest.raises(commands.UsageError) as err:
            commands.parse("задача 7")
        shown.append(err.value.text)
    text = "\n".join(shown)
    # The contract: `/crisis` and its English subcommands, the export formats; a member ID, and
    # names ("Slack", "ID").
    prose = re.sub(r"/crisis(?: [a-z]+)?|`[a-z]+`|md\|csv\|json\|html|\b(U0123ABC|Slack|ID)\b",
                   " ", text)  # fmt: skip
    assert re.findall(r"[A-Za-z]{2,}", prose) == [], text
    assert "`/crisis followup N @отговорник <текст> [до ДАТА]`" in text
    assert "`страница 2`" in text
    # What the help shows is what the command takes.
    assert commands.parse("задача 7 <@U0BOB> Обнови ЧЗВ до 11.12.2026").due_whole_day
    assert commands.parse("задачи страница 2").text == "2"


PLAYBOOK = Config(
    locale="bg",
    timezone="Europe/Sofia",
    levels=(Level("Екип социални мрежи", ("S0COMMS",)), Level("Ръководство", ("U0BOB",))),
    templates=(Template("Временно изявление", "Знаем за проблема."),),
)
# A long post: the card quotes at most 500 characters of it.
LONG = " ".join(["Недопустимо обслужване от {b}, третия ден никой не отговаря"] * 12)


@pytest.fixture
def team(database_url: str) -> Iterator[Stack]:
    s = start_stack(database_url, clock=ManualClock(NOW), config=PLAYBOOK)
    yield s
    s.stop()


def _wait_file(stack: Stack, suffix: str) -> str:
    files = stack.emulator.wait_for(
        lambda: [f for f in stack.emulator.files.values() if f["name"].endswith(suffix)]
    )
    return str(files[0]["content"].decode("utf-8-sig"))


def test_a_bulgarian_teams_crisis_reads_as_bulgarian(team: Stack) -> None:
    clock = team.bot.clock
    assert isinstance(clock, ManualClock)
    records: list[dict[str, Any]] = list(sample_storm(clock(), language="bg"))
    for record in records[-90:]:  # the storm: long posts
        record["text"] = LONG.format(b="Acme")
    assert team.push(records).status_code == 200
    n = int(jobs.detect_storms(team.bot)[0])
    alert = team.emulator.wait_for(lambda: card(team, n))
    shown = blocks_text(alert)
    # A post longer than the card quotes ends with an ellipsis, not mid-word.
    quoted = [line for line in re.findall(r"> [^\n\"]*", shown) if "Недопустимо" in line]
    assert quoted and all(line.endswith("…") for line in quoted), quoted
    with team.bot.sessions() as session:
        incident = session.get(Incident, n)
        assert incident is not None
        samples = [s for s in incident.evidence["samples"] if "Недопустимо" in s["text"]]
    assert samples, incident.evidence["samples"]
    assert all(len(s["text"]) <= 500 and s["text"].endswith("…") for s in samples), samples
    assert re.search(r"Езици: \d+\xa0% на български", shown), shown

    clock.advance(minutes=2)
    team.slack.command(f"поеми {n}", user_id="U0ALICE")
    answer(team, f"Поехте #{n}.")
    team.slack.command(f"задача {n} <@U0BOB> Да обновим ЧЗВ до утре", user_id="U0ALICE")
    answer(team, "Последващото действие F1")
    team.slack.command(f"задача {n} <@U0BOB> Да обучим екипа", user_id="U0ALICE")
    answer(team, "Последващото действие F2")
    team.slack.command("готово F1", user_id="U0BOB")
    answer(team, "F1 е изпълнено")
    team.slack.command(f"статус {n}", user_id="U0ALICE")
    status = answer(team, "Време до засичане")["text"]
    team.slack.command(f"задачи {n}", user_id="U0ALICE")
    listed = answer(team, f"*Последващи действия по #{n}*")["text"]
    counted = team.emulator.wait_for(
        lambda: (lambda c: c if "изпълнени: 1" in blocks_text(c) else None)(card(team, n))
    )
    for text in (status, listed, blocks_text(counted)):
        assert disagreements(text) == [] and "1 изпълнени" not in text, text

    clock.advance(minutes=3)
    team.slack.command(f"чернова {n} Знаем за проблема и работим по него.", user_id="U0ALICE")
    draft = team.emulator.wait_for(
        lambda: next((m for m in thread(team, n) if "Чернова на отговор v1" in m["text"]), None)
    )
    click_on(team, draft, Action.APPROVE, "U0ALICE")  # the author: refused, on the timeline
    answer(team, "авторът не може да одобри")
    click_on(team, draft, Action.APPROVE, "U0CAROL")
    answer(team, f"Чернова v1 на #{n} е одобрена.")
    clock.advance(minutes=20)
    team.slack.command(f"приключи {n} Двойните плащания са върнати", user_id="U0ALICE")
    answer(team, f"#{n} е приключен.")

    team.slack.command(f"експорт {n} html", user_id="U0ALICE")
    page = _wait_file(team, ".html")
    # The chart's steps are told in words, as the review tells them, not as event codes.
    tips = [html.unescape(t) for t in re.findall(r"<title>(\d+\..*?)</title>", page)]
    assert tips and not [t for t in tips if re.search(r"\b(incident|draft)\.", t)], tips
    assert any("Alice Moreau го пое." in t for t in tips), tips
    # Drafts are dated as the rest of the page, on the team's clock: 04.12.2026 09:05 EET.
    drafts = page[page.index("<h2>Чернови на отговори</h2>") :]
    drafts = drafts[: drafts.index("</section>")]
    assert "04.12.2026 09:" in drafts and "2026-12-04T" not in drafts, drafts

    team.slack.command(f"експорт {n} md", user_id="U0ALICE")
    md = _wait_file(team, ".md")
    # The refused approval: why, in Bulgarian (labelled in Bulgarian too; JSON keeps `why`).
    assert "защо: авторът не може да одобри собствената си чернова" in md
    assert "cannot approve" not in md

    with team.bot.sessions() as session, i18n.using("bg", "Europe/Sofia"):
        period = report.build(session, since=NOW - timedelta(days=1), until=NOW + timedelta(1))
        out = io.StringIO()
        report.write_markdown(period, out)
        digest = report.slack_summary(period)
        out_html = io.StringIO()
        report.write_html(period, out_html)
    md = out.getvalue()
    assert f"| {n} | 04.12.2026 09:00 |" in md, md  # opened, on the team's clock
    assert "- буря: 1" in md and "storm" not in md and "storm" not in digest
    assert "<li>буря: 1</li>" in out_html.getvalue()
    assert disagreements(md + digest) == [], md + digest


def test_a_modal_title_keeps_the_incidents_number_whole(team: Stack) -> None:
    """Resolve, Dismiss and Reopen open a form titled with the incident's number; Slack allows a
    title 24 characters, and "Приключване на #123456789" is 25: the number was cut."""
    number = 123_456_789
    message = {"channel": CHANNEL, "ts": "1796371200.000100"}
    for action, value in (
        (Action.RESOLVE, f"{number}:0"),
        (Action.DISMISS, f"{number}:0"),
        (Action.REOPEN, f"{number}:resolved:0"),
    ):
        team.slack.click(action, value, user_id="U0ALICE", message=message)
    # Each form opens at once, then says the incident is unknown, under the same title.
    views = team.emulator.wait_for(
        lambda: (lambda v: v if len(v) == 3 and all("Няма инцидент" in json.dumps(x,
                 ensure_ascii=False) for x in v) else None)(list(team.emulator.views.values()))
    )  # fmt: skip
    titles = [v["title"]["text"] for v in views]
    assert len(titles) == 3 and all(t.endswith(f"#{number}") for t in titles), titles
    assert json.dumps(titles, ensure_ascii=False).count("…") == 0


def test_the_home_tab_writes_how_many_more_as_a_bulgarian_number() -> None:
    """ "… и още 1000" on a Home tab of 1,020 open incidents: Bulgarian groups thousands."""
    from bot.response.lookups import IncidentLine
    from bot.response.stats import TeamStats

    line = IncidentLine(7, "Acme: буря", "open", "high", None, NOW, False, "C1", "1.2")
    with i18n.using("bg"):
        view = messages.home_view(
            [line] * (messages.HOME_MAX_INCIDENTS + 1000), [], TeamStats(0, 0, None, None, None),
            days=30, now=NOW, link=lambda c, t: None,
        )  # fmt: skip
    assert "… и още 1\xa0000:" in json.dumps(view, ensure_ascii=False)


def test_the_next_page_of_follow_ups_is_named_in_the_teams_language() -> None:
    """ "… и още 20: `/crisis followups page 2`" wrote the English word in a Bulgarian list; the
    hint now names the page the Bulgarian way, and the command it quotes runs as it is."""
    f = FollowUp(
        id=1, incident_id=7, owner="U0BOB", text="Да обновим ЧЗВ " * 60, status="open",
        due_at=None, due_whole_day=False, created_by="U0ALICE", created_at=NOW,
    )  # fmt: skip
    lines = [followups.Line(f, 7, "Acme: буря", False)] * 40
    with i18n.using("bg"):
        text = messages.follow_up_list(lines, 1, NOW)
    hint = re.search(r"`/crisis (followups [^`]*)`\.$", text)
    assert hint and hint.group(1) == "followups страница 2", text[-200:]
    assert commands.parse(hint.group(1)) == commands.parse("followups page 2")
    assert messages.follow_up_list(lines, 1, NOW).endswith("`/crisis followups page 2`.")
