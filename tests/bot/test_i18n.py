"""The message catalogue: every text the code marks has a Bulgarian translation that keeps its
fields, the Bulgarian renders of the bot's messages leave no English behind, and dates and
numbers follow the locale."""

from __future__ import annotations

import io
import json
import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.aftermath import report
from bot.core import i18n
from bot.core.config import Config, ConfigError, Level, Template, parse_config
from bot.core.i18n import _
from bot.detection.detect import storm_settings
from bot.response.lookups import IncidentLine, PendingDraft
from bot.response.stats import TeamStats, human
from bot.slack import commands, messages
from bot.slack.commands import ALIASES, USAGE, UsageError, help_text, parse
from models import Draft, Incident

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def _marked() -> set[tuple[str | None, str | tuple[str, ...]]]:
    """Every message marked in the code, as Babel's extractor finds it (`babel.cfg`)."""
    found = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, comment_tags=()
        ):
            found.add((context, message))
    return found


def _catalogue(locale: str) -> dict[tuple[str | None, str | tuple[str, ...]], object]:
    with i18n.catalogue_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale)
    return {
        (m.context, tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id): m
        for m in catalog
        if m.id
    }


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_marked_message_has_a_bulgarian_translation_with_the_same_fields() -> None:
    marked = _marked()
    assert len(marked) > 250  # the extractor found the bot's messages
    bg = _catalogue("bg")
    missing = [key for key in marked if key not in bg]
    assert missing == []
    stale = [key for key in bg if key not in marked]
    assert stale == [], "remove messages the code no longer uses"
    for key, message in bg.items():
        ids = key[1] if isinstance(key[1], tuple) else (key[1],)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)  # type: ignore[attr-defined]
        assert all(s.strip() for s in strings), f"untranslated: {key}"
        assert "fuzzy" not in message.flags, f"fuzzy (not shown until reviewed): {key}"  # type: ignore[attr-defined]
        want = set().union(*(_fields(i) for i in ids))
        for s in strings:
            # A plural form may leave {n} out ("one draft"), nothing else.
            assert _fields(s) <= want and want - _fields(s) <= {"n"}, (key, s)


def test_no_english_msgid_is_left_in_the_bulgarian_renders() -> None:
    """Render the bot's messages under bg and look for any English text of the catalogue."""
    now = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    incident = Incident(
        id=7, title="Acme: буря", status="claimed", severity="high", level=1, owner="U0ALICE",
        is_drill=True, opened_at=now, updated_at=now, summary="Обобщение",
        evidence={"reasons": ["Причина"], "samples": [
            {"text": "Ужасно!", "author": None, "author_followers": 250_000,
             "url": "https://bsky.app/p/1", "source": "bluesky"}]},
    )  # fmt: skip
    draft = Draft(
        id=3, incident_id=7, version=2, text="Отговор", author="U0ALICE", status="rejected",
        created_at=now, decided_by="U0CAROL", decided_at=now, reason="Твърде общо",
    )  # fmt: skip
    config = Config(
        levels=(Level("Екип"), Level("Ръководство")), templates=(Template("Изявление", "Т"),),
        key_messages=("Клиентите",), spokespeople=("U0BOB",), plan_channels=("X",),
    )  # fmt: skip
    with i18n.using("bg"):
        rendered = [
            json.dumps(messages.incident_card(incident, config, draft), ensure_ascii=False),
            json.dumps(messages.draft_card(draft, incident), ensure_ascii=False),
            json.dumps(messages.draft_modal(incident, config), ensure_ascii=False),
            json.dumps(messages.loading_modal(7), ensure_ascii=False),
            messages.incident_line(incident),
            help_text(),
            human(timedelta(seconds=30)) + human(timedelta(minutes=5)) + human(timedelta(hours=3)),
        ]
        line = IncidentLine(7, "Acme: буря", "escalated", "critical", None, now, True, "C1", "1.2")
        waiting = PendingDraft(3, 2, "U0ALICE", "Отговор", 7, "Acme: буря", "C1", "1.3")
        figures = TeamStats(1, 0, timedelta(minutes=4), None, timedelta(hours=2))
        # A long list comes in pages; a long approved draft says where its full text is.
        rendered += [messages.incident_list([line] * 200, 2), messages.incident_list([line], 3)]
        long_draft = Draft(
            id=4, incident_id=7, version=3, text="• Да & не\n" * 400, author="U0ALICE",
            status="approved", created_at=now, decided_by="U0CAROL", decided_at=now,
        )  # fmt: skip
        rendered.append(json.dumps(messages.draft_card(long_draft, incident), ensure_ascii=False))
        stopped = [("mastodon", now), ("x", None)] * 4  # more than the tab names
        for drafts in ([waiting] * 12, None, []):
            view = messages.home_view(
                [line] * 25, drafts, figures, days=30, now=now, link=lambda c, t: "https://x.y/1",
                stopped=stopped,
            )  # fmt: skip
            rendered.append(json.dumps(view, ensure_ascii=False))
        empty = report.Report(now - timedelta(days=7), now, [], [("bluesky", 1200)])
        rendered.append(report.slack_summary(empty))
        for writer in (report.write_markdown, report.write_html):
            out = io.StringIO()
            writer(empty, out)
            # Markup is not prose: keep the text between tags and Markdown's table rules.
            rendered.append(
                re.sub(r"<style>.*?</style>|<[^>]+>|&[a-z]+;", " ", out.getvalue(), flags=re.S)
            )
        for raw in ("", "frobnicate", "claim", "claim x", "export 1 pdf", "status 1 2"):
            try:
                parse(raw)
            except UsageError as exc:
                rendered.append(exc.text)
    text = "\n".join(rendered)
    # Anything the bot wrote in English, marked or not: two English words in a row, outside the
    # code spans that quote the `/crisis` contract and the Block Kit keys.
    shown = " ".join(_texts(json.loads(f"[{','.join(json.dumps(r) for r in rendered)}]")))
    prose = re.sub(r"`[^`]*`|<[^>]*>", " ", shown)
    assert re.findall(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\b", prose) == []
    english = set()
    for _context, message in _marked():
        for msgid in message if isinstance(message, tuple) else (message,):
            # The literal runs between fields, of two words or more ("Draft reply", not "#").
            for run in re.split(r"\{[^}]*\}", msgid):
                words = re.findall(r"[A-Za-z]{2,}", run)
                if len(words) >= 2:
                    english.add(" ".join(words))
    plain = " ".join(re.findall(r"[A-Za-z]{2,}", text))
    left = sorted(e for e in english if re.search(rf"\b{re.escape(e)}\b", plain))
    # Commands and formats are the contract: `/crisis claim`, md|csv|json|html.
    assert [e for e in left if not e.startswith(("crisis", "md csv"))] == []
    assert "УЧЕНИЕ" in text and "висока" in text and "250\xa0000 последователи" in text


def _texts(value: object) -> list[str]:
    """The strings a person sees in rendered Block Kit (or plain text), not its keys."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for k, v in value.items() if k not in ("type", "action_id", "block_id",
                "callback_id", "value", "private_metadata", "url") for t in _texts(v)]  # fmt: skip
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def test_dates_and_numbers_follow_the_locale() -> None:
    at = datetime(2026, 3, 14, 9, 5, tzinfo=UTC)
    assert i18n.when(at) == "2026-03-14 09:05 UTC"  # English keeps the ISO-like form
    assert i18n.number(1234567) == "1,234,567" and i18n.percent(0.87) == "87%"
    with i18n.using("bg"):
        assert i18n.when(at) == "14.03.2026 09:05 UTC"
        assert i18n.number(1234567) == "1\xa0234\xa0567" and i18n.decimal(2.5) == "2,5"
        assert i18n.language_name("bg") == "български"
        assert human(timedelta(hours=1, minutes=30)) == "1,5 ч"
        assert i18n.ngettext("{n} follower", "{n} followers", 1) == "1 последовател"
    assert i18n.language_name("bg") == "Bulgarian"
    assert human(timedelta(hours=1, minutes=30)) == "1.5 h"


def test_bulgarian_aliases_run_the_english_subcommands() -> None:
    assert set(ALIASES.values()) == set(USAGE)  # every subcommand has one
    assert parse("поеми #4") == parse("claim 4")
    assert parse("Чернова 4 Знаем за проблема") == parse("draft 4 Знаем за проблема")
    assert parse("експорт 4 html").text == "html"
    with i18n.using("bg"):
        assert "(или `/crisis поеми`)" in help_text()
        with pytest.raises(UsageError, match="не приема аргументи"):
            parse("статистика 4")
        with pytest.raises(UsageError, match="само номер на страница"):
            parse("списък всички")
    assert "поеми" not in help_text()  # English help stays as it was
    assert commands.parse("help") == commands.parse("помощ")


def test_the_playbook_chooses_the_locale_and_lists_keywords_per_language() -> None:
    config = parse_config(
        {
            "locale": "bg",
            "brands": [
                {
                    "name": "Acme",
                    "terms": ["acme", "акме"],
                    "keywords": {"en": ["Breach"], "bg": ["изтичане", "теч на данни"]},
                },
                {"name": "Globex", "keywords": ["recall"]},
            ],
        },
        "crisisbot.toml",
    )
    assert config.locale == "bg"
    acme, globex = config.brands
    assert acme.keywords == ("breach", "изтичане", "теч на данни")  # what the detectors get
    assert acme.keywords_in("bg") == ("изтичане", "теч на данни")
    assert globex.keywords_in("bg") == ("recall",)  # a plain list is any language's
    # The storm detector gets the lists per language (the brand's own; no brand: all merged).
    acme_storm = storm_settings(config, "Acme")
    assert acme_storm.keywords_by_language == (
        ("bg", ("изтичане", "теч на данни")),
        ("en", ("breach",)),
    )
    assert storm_settings(config, "Globex").keywords_by_language == (("*", ("recall",)),)
    assert storm_settings(config, None).keywords_by_language == (
        ("*", ("recall",)),
        ("bg", ("изтичане", "теч на данни")),
        ("en", ("breach",)),
    )
    assert config.brand_for("Скандал с АКМЕ днес") == "Acme"
    assert parse_config({}, "x").locale == "en"
    assert [level.name for level in config.levels] == [
        "Екип социални мрежи",
        "Ръководител комуникации",
        "Ръководство",
    ]  # none named in the playbook: the defaults, in the team's language
    assert parse_config({}, "x").levels == Config().levels
    with pytest.raises(ConfigError, match="locale must be one of en, bg"):
        parse_config({"locale": "fr"}, "crisisbot.toml")
    with pytest.raises(ConfigError, match="ISO 639"):
        parse_config({"brands": [{"name": "A", "keywords": {"Bulgarian": ["x"]}}]}, "x")


def test_an_unset_locale_is_english_and_using_restores_the_previous_one() -> None:
    assert i18n.current() == "en"
    with i18n.using("bg"):
        assert _("Claim") == "Поемам"
        with i18n.using("en"):
            assert _("Claim") == "Claim"
        assert _("Claim") == "Поемам"
    assert _("Claim") == "Claim"


def test_a_cold_start_alert_reads_in_bulgarian() -> None:
    from dataclasses import dataclass

    from bot.detection.detect import reasons_for
    from detectors.storm import StormSettings, assess

    @dataclass
    class M:
        created_at: datetime
        text: str
        author: str
        label: str = "negative"
        polarity: float = -0.8
        author_followers: int = 10
        url: str | None = None

    now = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    storm = [
        M(now - timedelta(minutes=40 - i), f"Acme breach: passwords leaked #{i}", f"u{i}")
        for i in range(30)
    ]
    settings = StormSettings()
    result = assess(storm, now, settings)
    assert result.fired and result.evidence["short_baseline"]
    with i18n.using("bg"):
        reasons = reasons_for(result, dict(result.evidence), settings)
    assert reasons[0].startswith("Само 40 мин история за тази марка")
    assert any("негативни споменавания с кризисни думи" in r for r in reasons)
    english = reasons_for(result, dict(result.evidence), settings)
    assert english[0] == "Only 40 min of history for this brand: judged on content, not on volume."


# The texts the code puts in Slack's short fields, by the field's limit (Block Kit reference:
# a modal's title, submit and close 24 characters; a button's and an option's text 75; a header
# and a placeholder 150). The code cuts a longer one with "…", mid-word: none may need it.
SHORT_FIELDS = {
    24: (
        "Follow-up · #{number}", "Update · #{number}", "Draft reply · #{number}",
        "Resolve #{number}", "Dismiss #{number}", "Reopen #{number}", "Declare an incident",
        "Reject draft", "Declare", "Add", "Post", "Post draft", "Submit", "Cancel", "Close",
    ),
    75: (
        "Claim", "Escalate", "Draft reply", "Post update", "Resolve", "Dismiss", "Approve",
        "Reject", "Add follow-up", "Reopen", "Declare a crisis", "Mark done", "Open draft",
        "Open the incident thread", "Open thread", "low", "medium", "high", "critical",
    ),
    150: (
        "Open incidents", "Waiting for your approval", "Your follow-ups", "Last {days} days",
        "A journalist asked about the recall; a story runs at 18:00", "Pick the brand",
        "Type the brand's name",
    ),
}  # fmt: skip


@pytest.mark.parametrize("limit", sorted(SHORT_FIELDS))
def test_the_bulgarian_short_fields_fit_slacks_limits_whole(limit: int) -> None:
    """Bulgarian runs longer than English: each title, button, option, header and placeholder
    fits with a nine-digit incident number, so the code never has to cut one."""
    bg = _catalogue("bg")
    for msgid in SHORT_FIELDS[limit]:
        assert (None, msgid) in bg, msgid  # still a message the code writes
        with i18n.using("bg"):
            text = _(msgid, number=123_456_789, days=365)
        assert len(text) <= limit, (msgid, text, len(text))
