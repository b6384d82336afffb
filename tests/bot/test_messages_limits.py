"""Every Slack surface the bot renders stays within Slack's documented Block Kit and Web API
limits, in English and in Bulgarian, with hostile and oversized real-world content: 5,000-char
mentions, long brand names, Cyrillic, emoji, RTL text, ping syntax, a thousand open incidents.

The limits are checked by the emulator's validator (what Slack answers `invalid_blocks` for);
the notification `text` is held to Slack's recommended 4,000 characters."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from sqlalchemy import select

from bot.core import i18n
from bot.core.clock import ManualClock
from bot.core.config import Config, Level, Template
from bot.core.errors import NotFound
from bot.detection import drills
from bot.emulator import validate_blocks, validate_view
from bot.response import incidents
from bot.response.lookups import IncidentLine, PendingDraft
from bot.response.stats import TeamStats
from bot.slack import commands, desk, messages
from bot.slack.commands import parse
from bot.testing import start_stack
from models import Draft, Incident, Outbox, SourceState

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
TEXT_LIMIT = 4000  # Slack truncates `text` past 40,000 and recommends at most 4,000
PINGS = ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U0CEO>", "<https://evil")
HOSTILE = (
    "<!channel> <!here> <!everyone> <!subteam^S0LEGAL> <@U0CEO> <https://evil.example|банка> "
    "Ужасно обслужване & измама!!! 🔥😡 שלום עולם مرحبا \u202egnp.exe\u200b "
)
MENTION = (HOSTILE * 60)[:5000]
BRAND = "Българска телекомуникационна компания ЕАД (Vivacom) — официален профил " * 4
LOCALES = ("en", "bg")
STATUSES = ("open", "claimed", "escalated", "resolved", "dismissed")
DRAFT_STATUSES = ("pending", "approved", "rejected", "superseded")
# A reply of many short lines (a list, blank lines): each gets a "> " when quoted.
LINES = "\n".join(["• <Да> & 🔥"] * 300)[:3000]


def _sample(text: str) -> dict[str, Any]:
    return {"source": "bluesky " * 20, "text": text, "author": MENTION[:300],
            "author_followers": 12_345_678, "url": "https://bsky.app/p/" + "x" * 2500}  # fmt: skip


def _incident(status: str, *, summary: str | None = None, drill: bool = True) -> Incident:
    return Incident(
        id=123_456, title=f"{BRAND}: буря от споменавания {HOSTILE}", status=status,
        severity="critical", level=0, owner=None if status == "open" else "U0ALICE",
        is_drill=drill, opened_at=NOW, updated_at=NOW, summary=summary,
        evidence={"reasons": [MENTION] * 12,
                  "samples": [_sample(MENTION), _sample("\n".join(["<"] * 2500))] * 5},
    )  # fmt: skip


def _draft(status: str, text: str = MENTION[:3000]) -> Draft:
    return Draft(
        id=9, incident_id=123_456, version=17, text=text, author="U0BOB", status=status,
        created_at=NOW, decided_by="U0CAROL", decided_at=NOW, reason=MENTION[:2000],
    )  # fmt: skip


def _config() -> Config:
    return Config(
        levels=(Level("Изпълнително ръководство и правен отдел " * 60),),
        templates=tuple(Template(f"{i} {MENTION}", MENTION) for i in range(150)),
        key_messages=(MENTION[:500],) * 8, spokespeople=("U0BOB", "U0CAROL") * 40,
        plan_channels=(HOSTILE,) * 10,
    )  # fmt: skip


def _mrkdwn(value: object) -> list[str]:
    """What Slack reads as mrkdwn: plain strings (a message's `text`) and mrkdwn text objects,
    not plain_text (which never pings)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return []
        if value.get("type") == "mrkdwn":
            return [str(value.get("text", ""))]
        return [t for k, v in value.items() if k != "type" for t in _mrkdwn(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _mrkdwn(v)]
    return []


def _no_pings(*shown: object) -> None:
    text = "\n".join(_mrkdwn(list(shown)))
    for ping in PINGS:
        assert ping not in text, ping
    assert "\u202e" not in text


def _message_ok(text: str, blocks: list[dict[str, Any]]) -> None:
    assert validate_blocks(blocks) == []
    assert 0 < len(text) <= TEXT_LIMIT


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("status", STATUSES)
def test_the_incident_card_fits_at_every_status_with_the_worst_evidence(
    locale: str, status: str
) -> None:
    with i18n.using(locale):
        for summary in (None, MENTION, "&" * 3000):
            for draft in [None, *(_draft(s) for s in DRAFT_STATUSES), _draft("approved", LINES)]:
                text, blocks = messages.incident_card(_incident(status, summary=summary),
                                                      _config(), draft)  # fmt: skip
                _message_ok(text, blocks)
                _no_pings(text, blocks)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_sample_keeps_a_whole_link_or_none_and_its_text(locale: str) -> None:
    """A tracking link of thousands of characters must not eat the sample's text, nor be cut
    into an unclosed `<https://…` that Slack shows as raw markup."""
    incident = _incident("open")
    incident.evidence = {"samples": [
        {**_sample("Ужасно обслужване!"), "url": "https://t.example/?u=" + "x" * n}
        for n in (10, 1500, 2900, 5000)
    ]}  # fmt: skip
    with i18n.using(locale):
        _text, blocks = messages.incident_card(incident, Config())
    sections = [b["text"]["text"] for b in blocks if "Ужасно обслужване!" in str(b)]
    assert len(sections) == 4
    for text in sections:
        # Every link opened is closed: `<https://…|open>`, never a cut `<https://…`.
        assert text.count("<") == len(re.findall(r"<https://[^<>|\s]+\|[^<>]+>", text)) <= 1
        assert len(text) <= 3000
    assert "<https://t.example/?u=xxxxxxxxxx|" in sections[0]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("status", DRAFT_STATUSES)
def test_a_draft_card_fits_whatever_the_reply_looks_like(locale: str, status: str) -> None:
    with i18n.using(locale):
        for body in (MENTION[:3000], LINES, "&" * 3000, "\n" * 3000, "🔥" * 3000):
            text, blocks = messages.draft_card(_draft(status, body), _incident("claimed"))
            _message_ok(text, blocks)
            _no_pings(text, blocks)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_shortened_draft_says_where_the_full_text_is(locale: str) -> None:
    """An approved reply is copied from the card: if it had to be cut, the card says so."""
    with i18n.using(locale):
        _text, blocks = messages.draft_card(_draft("approved", LINES), _incident("claimed"))
        shown = json.dumps(blocks, ensure_ascii=False)
        assert "/crisis export 123456" in shown
        short = _draft("approved", "Кратък отговор.")
        _text, blocks = messages.draft_card(short, _incident("open"))
        assert "/crisis export" not in json.dumps(blocks, ensure_ascii=False)


@pytest.mark.parametrize("locale", LOCALES)
def test_modals_fit_their_limits(locale: str) -> None:
    with i18n.using(locale):
        views = [
            messages.draft_modal(_incident("claimed"), _config()),
            messages.draft_modal(_incident("open", drill=False), Config()),
            messages.loading_modal(123_456),
            messages.notice_modal(123_456, messages.quote(MENTION, 5000)),
        ]
        for title, label in (
            (i18n._("Resolve #{number}", number=1_234_567), i18n._("Summary (optional)")),
            (i18n._("Dismiss #{number}", number=1_234_567), i18n._("Why is this a false alarm?")),
            (i18n._("Reject draft"), i18n._("Why is it rejected?")),
        ):
            views.append(messages.reason_modal("cb", "9:17", title, label))
        # A rejected or pending draft's text is put back in the box: plain text, never a ping.
        for latest in (_draft("rejected"), _draft("pending")):
            view = messages.draft_modal(_incident("claimed"), _config(), latest)
            assert validate_view(view) == []
            box = next(b for b in view["blocks"] if b.get("block_id") == "draft.text")
            assert box["element"].pop("initial_value") == latest.text
            views.append(view)
        for view in views:
            assert validate_view(view) == [], view["title"]
            _no_pings(view)
            # Nothing is cut in a modal title: the incident's number stays whole.
            assert not view["title"]["text"].endswith("…")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_home_tab_fits_with_a_thousand_incidents_and_drafts(locale: str) -> None:
    line = IncidentLine(123_456, BRAND + HOSTILE, "escalated", "critical", "U0ALICE", NOW, True,
                        "C1", "1.2")  # fmt: skip
    waiting = PendingDraft(9, 17, "U0BOB", MENTION, 123_456, BRAND + HOSTILE, "C1", "1.3")
    figures = TeamStats(1000, 999, timedelta(minutes=4), None, timedelta(hours=2))
    with i18n.using(locale):
        for drafts in ([waiting] * 1000, None, []):
            view = messages.home_view(
                [line] * 1000, drafts, figures, days=30, now=NOW,
                link=lambda c, t: "https://acme.slack.com/archives/C1/p" + "1" * 2900,
                stopped=[(BRAND + HOSTILE, NOW), (HOSTILE, None)] * 500,
            )  # fmt: skip
            assert validate_view(view) == []
            _no_pings(view)


def _lines(n: int) -> list[IncidentLine]:
    return [
        IncidentLine(i, f"{BRAND}{HOSTILE}", "open", "high", None if i % 2 else "U0ALICE",
                     NOW - timedelta(hours=i), i % 3 == 0, "C1", None)
        for i in range(1, n + 1)
    ]  # fmt: skip


@pytest.mark.parametrize("locale", LOCALES)
def test_crisis_list_pages_a_thousand_incidents(locale: str) -> None:
    rows = _lines(1000)
    with i18n.using(locale):
        first = messages.incident_list(rows, 1)
        assert len(first) <= TEXT_LIMIT
        _no_pings(first)
        assert "`/crisis list 2`" in first
        seen, page = [], 1
        while True:
            text = messages.incident_list(rows, page)
            assert len(text) <= TEXT_LIMIT
            # A drill's line starts "DRILL · " ("УЧЕНИЕ · "): every third row here is one.
            seen += [int(n) for n in re.findall(r"^(?:\w+ · )?\*#(\d+)\*", text, flags=re.M)]
            if f"`/crisis list {page + 1}`" not in text:
                break
            page += 1
        assert seen == list(range(1, 1001))  # every incident once, in order, across the pages
        beyond = messages.incident_list(rows, page + 1)
        assert str(page) in beyond and len(beyond) <= TEXT_LIMIT
        short = messages.incident_list(rows[:3], 1)
        assert "/crisis list 2" not in short and short.count("\n") == 3


def test_crisis_list_takes_an_optional_page_number() -> None:
    assert parse("list").number is None
    assert parse("list 3").number == 3
    assert parse("списък 2") == parse("list 2")
    for bad in ("list everything", "list 0"):
        with pytest.raises(commands.UsageError, match="page number"):
            parse(bad)


@pytest.mark.parametrize("locale", LOCALES)
def test_help_and_usage_errors_fit(locale: str) -> None:
    with i18n.using(locale):
        assert len(commands.help_text()) <= TEXT_LIMIT
        for raw in (HOSTILE, f"claim {MENTION}", f"export 1 {MENTION}", f"draft 1 {'x' * 5000}"):
            with pytest.raises(commands.UsageError) as err:
                parse(raw)
            assert len(err.value.text) <= TEXT_LIMIT
            _no_pings(err.value.text)


def test_a_card_that_cannot_be_rendered_fails_for_good_and_the_rest_is_delivered(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """slack_sdk refuses to build a block past a limit (SlackObjectFormationError): that row can
    never be sent, like Slack's invalid_blocks, so it fails for good with the error kept; it must
    not abort every delivery pass behind it, retried forever."""
    clock = ManualClock(NOW)
    stack = start_stack(database_url, clock=clock, courier=False)
    try:
        with stack.bot.transaction() as session:
            bad, good = (
                incidents.open_incident(
                    session, brand=b, title=f"{b}: mention storm", severity="high", evidence={},
                    first_mention_at=None, channel=None, now=clock(),
                ).id
                for b in ("Acme", "Globex")
            )  # fmt: skip
        render = messages.incident_card

        def card(incident: Incident, *args: Any, **kwargs: Any) -> tuple[str, list[dict[str, Any]]]:
            if incident.id == bad:
                raise SlackObjectFormationError("text attribute cannot exceed 3000 characters")
            return render(incident, *args, **kwargs)

        monkeypatch.setattr(messages, "incident_card", card)
        assert stack.bot.deliver_now() == 1
        with stack.bot.sessions() as session:
            rows = {r.target: r for r in session.scalars(select(Outbox))}
        assert rows[f"incident:{bad}"].status == "failed"
        assert "invalid_blocks" in (rows[f"incident:{bad}"].last_error or "")
        assert rows[f"incident:{good}"].status == "sent"
    finally:
        stack.stop()


@pytest.mark.parametrize("locale", LOCALES)
def test_a_source_line_quotes_what_the_platform_answered(locale: str) -> None:
    """`/crisis sources`: the last error and the backfill's error are a platform's words."""
    said = ("<!channel> \u202eRate limited & <@U0CEO> " * 40)[:500]
    state = SourceState(
        name="bluesky <!here>", type="bluesky", last_success_at=NOW, last_error_at=NOW,
        last_error=said, failures=3, day=None, mentions_today=0,
        backfill={"days": 7, "until": NOW.isoformat(), "reached": None, "error": said},
    )  # fmt: skip
    with i18n.using(locale):
        line = desk._source_line(state.name, state, NOW)
    _no_pings(line)
    assert len(line) <= 1000


@pytest.mark.parametrize("locale", LOCALES)
def test_an_unknown_drill_scenario_is_echoed_without_pinging(locale: str) -> None:
    """`/crisis drill <!channel>`: the answer quotes the scenario like every echoed text."""
    scenario = parse("drill <!channel> `<@U0CEO>` \u202e" + "x" * 60).text
    with i18n.using(locale), pytest.raises(NotFound) as err:
        drills.start_drill(
            None,  # type: ignore[arg-type]  # refused before any database work
            scenario=scenario, config=Config(), channel=None, default_channel=None,
            user="U0ALICE", now=NOW,
        )  # fmt: skip
    _no_pings(err.value.message)
    assert "&lt;!channel&gt;" in err.value.message and len(err.value.message) <= 300


def _follow_up(i: int, text: str = MENTION[:1000], *, status: str = "open") -> Any:
    from bot.response import followups
    from models import FollowUp

    f = FollowUp(
        id=i, incident_id=123_456, owner="U0BOB", text=text, status=status,
        due_at=NOW - timedelta(days=i % 3), due_whole_day=bool(i % 2), created_by="U0ALICE",
        created_at=NOW - timedelta(days=9), done_by="U0DAN" if status == "done" else None,
        done_at=NOW if status == "done" else None,
    )  # fmt: skip
    return followups.Line(f, 123_456, f"{BRAND}{HOSTILE}", i % 2 == 0)


@pytest.mark.parametrize("locale", LOCALES)
def test_follow_ups_fit_on_the_card_the_form_the_lists_and_the_home_tab(locale: str) -> None:
    with i18n.using(locale):
        for status in STATUSES:
            text, blocks = messages.incident_card(
                _incident(status, summary=MENTION), _config(), _draft("approved", LINES),
                (1_000_000, 2_000_000),
            )  # fmt: skip
            _message_ok(text, blocks)
            _no_pings(text, blocks)
        view = messages.follow_up_modal(_incident("resolved"))
        assert validate_view(view) == [] and not view["title"]["text"].endswith("…")
        _no_pings(view)

        lines = [_follow_up(i, status="done" if i % 5 == 0 else "open") for i in range(1, 301)]
        listed = messages.incident_follow_ups(123_456, lines, NOW)
        assert len(listed) <= TEXT_LIMIT and "/crisis export 123456" in listed
        _no_pings(listed)
        seen, page = [], 1
        while True:
            text = messages.follow_up_list(lines, page, NOW)
            assert len(text) <= TEXT_LIMIT
            _no_pings(text)
            seen += [int(n) for n in re.findall(r"^\*F(\d+)\*", text, flags=re.M)]
            if i18n._("`/crisis followups page {page}`", page=page + 1) not in text:
                break
            page += 1
        assert seen == list(range(1, 301))  # each once, in order, across the pages
        beyond = messages.follow_up_list(lines, page + 1, NOW)
        assert f"fill {page} pages" in beyond or str(page) in beyond

        home = messages.home_view(
            [], [], TeamStats(0, 0, None, None, None), days=30, now=NOW,
            link=lambda c, t: None, follow_ups=lines,
        )  # fmt: skip
        assert validate_view(home) == []
        _no_pings(home)
        assert "`/crisis followups`" in json.dumps(home, ensure_ascii=False)


@pytest.mark.parametrize("locale", LOCALES)
def test_follow_up_usage_errors_fit_and_never_ping(locale: str) -> None:
    with i18n.using(locale):
        for raw in (
            f"followup 1 {HOSTILE}",
            f"followup 1 @{MENTION}",
            f"followup 1 <@U0BOB> {'x' * 5000}",
            f"followup 1 <@U0BOB> x by 9{MENTION}",
            f"done {MENTION}",
            f"followups {MENTION}",
        ):
            with pytest.raises(commands.UsageError) as err:
                parse(raw)
            assert len(err.value.text) <= TEXT_LIMIT
            _no_pings(err.value.text)
