"""`/crisis list` and `status` answer from one read-only query: what they show, end to end."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import ManualClock
from bot.response import drafts, incidents, lookups
from bot.testing import Stack
from tests.bot.flow import answer


def _open(stack: Stack, clock: ManualClock, brand: str, reasons: list[str]) -> int:
    with stack.bot.transaction() as session:
        incident = incidents.open_incident(
            session, brand=brand, title=f"{brand}: mention storm", severity="high",
            evidence={"reasons": reasons, "series": [1, 2, 3]},
            first_mention_at=clock() - timedelta(minutes=10), channel=None, now=clock(),
        )  # fmt: skip
        return incident.id


def test_status_shows_reasons_the_latest_draft_and_the_metrics(
    stack: Stack, clock: ManualClock
) -> None:
    n = _open(stack, clock, "Acme", ["<!channel> 40 mentions where 3 were expected", "Refunds"])
    with stack.bot.transaction() as session:
        first = drafts.create(session, n, user="U0ALICE", text="Sorry.", now=clock())
    clock.advance(minutes=7)
    with stack.bot.transaction() as session:
        drafts.decide(
            session, first.id, first.version, user="U0CAROL", approve=True, reason="",
            approvers=("U0CAROL",), now=clock(),
        )  # fmt: skip
        drafts.create(session, n, user="U0ALICE", text="We are sorry.", now=clock())

    stack.slack.command(f"status {n}", user_id="U0ALICE")
    text = answer(stack, f"*#{n}* Acme: mention storm")["text"]
    assert "&lt;!channel&gt; 40 mentions" in text  # a reason cannot ping the channel
    assert "• Refunds" in text
    assert "Latest draft: v2, pending" in text
    assert "Time to detect 10 min" in text
    assert "to first approved reply 7 min" in text
    assert "to claim —" in text and "to resolve —" in text


def test_status_of_an_incident_without_drafts_or_reasons(stack: Stack, clock: ManualClock) -> None:
    with stack.bot.transaction() as session:
        n = incidents.open_incident(
            session, brand="Acme", title="Acme: quiet", severity="low", evidence={},
            first_mention_at=None, channel=None, now=clock(),
        ).id  # fmt: skip
    with lookups.reading(stack.bot.engine) as conn:
        found = lookups.status(conn, n)
    assert found.reasons == [] and found.draft_version is None
    assert found.metrics.time_to_detect is None


def test_status_of_a_missing_incident_says_so(stack: Stack) -> None:
    stack.slack.command("status 999", user_id="U0ALICE")
    assert "There is no incident #999" in answer(stack, "#999")["text"]


def test_list_shows_only_open_incidents_in_order(stack: Stack, clock: ManualClock) -> None:
    a = _open(stack, clock, "Acme", [])
    b = _open(stack, clock, "Globex", [])
    c = _open(stack, clock, "Initech", [])
    with stack.bot.transaction() as session:
        incidents.resolve(session, b, user="U0ALICE", summary="done", now=clock())
        incidents.claim(session, c, user="U0BOB", now=clock())

    stack.slack.command("list", user_id="U0ALICE")
    text = answer(stack, "*Open incidents*")["text"]
    lines = text.splitlines()[1:]
    assert [line.split()[0] for line in lines] == [f"*#{a}*", f"*#{c}*"]
    assert "held by <@U0BOB>" in lines[1] and "unclaimed" in lines[0]
    assert "opened " in lines[0] and "UTC" in lines[0]


def test_team_stats_is_one_query_however_many_incidents(stack: Stack, clock: ManualClock) -> None:
    from sqlalchemy import event

    from bot.response import stats

    for i in range(30):
        n = _open(stack, clock, f"Brand{i}", [])
        with stack.bot.transaction() as session:
            if i % 3 == 0:
                d = drafts.create(session, n, user="U0ALICE", text="Sorry.", now=clock())
                drafts.decide(
                    session, d.id, d.version, user="U0CAROL", approve=True,
                    approvers=("U0CAROL",), now=clock() + timedelta(minutes=4),
                )  # fmt: skip
            incidents.resolve(
                session, n, user="U0ALICE", summary="", now=clock() + timedelta(minutes=20)
            )
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(stack.bot.engine, "before_cursor_execute", count)
    try:
        with stack.bot.transaction() as session:
            s = stats.team_stats(session)
    finally:
        event.remove(stack.bot.engine, "before_cursor_execute", count)
    assert s.count == 30
    assert s.median_to_first_approved_reply == timedelta(minutes=4)
    assert s.median_to_resolve == timedelta(minutes=20)
    assert len([q for q in statements if q.lstrip().upper().startswith("SELECT")]) == 1


def test_a_long_list_comes_a_page_at_a_time(stack: Stack, clock: ManualClock) -> None:
    """300 open incidents of a long brand: each page is one readable message (Slack recommends
    at most 4,000 characters of text), and the pages together show every incident once."""
    brand = "Българска телекомуникационна компания ЕАД <!here> \u202e"
    numbers = [_open(stack, clock, f"{brand} {i}", []) for i in range(300)]
    seen: list[str] = []
    page = 1
    while True:
        stack.slack.command(f"list {page}" if page > 1 else "list", user_id="U0ALICE")
        text = answer(stack, f"page {page} of")["text"]
        assert len(text) <= 4000 and "<!here>" not in text and "\u202e" not in text
        seen += [line.split()[0] for line in text.splitlines()[1:] if line.startswith("*#")]
        if f"`/crisis list {page + 1}`" not in text:
            break
        page += 1
    assert seen == [f"*#{n}*" for n in numbers]


def test_status_of_an_incident_with_many_long_reasons_stays_one_readable_message(
    stack: Stack, clock: ManualClock
) -> None:
    """Twelve 5,000-character reasons quoting mentions: six are shown, cut, escaped and folded,
    and the answer says where the rest is; it stays under Slack's recommended 4,000."""
    hostile = ("<!channel> \u202eизмама & <@U0CEO> 🔥 " * 200)[:5000]
    n = _open(stack, clock, "Acme", [f"{i} {hostile}" for i in range(12)])
    stack.slack.command(f"status {n}", user_id="U0ALICE")
    text = answer(stack, f"*#{n}* Acme")["text"]
    assert len(text) <= 4000
    assert "<!channel>" not in text and "<@U0CEO>" not in text and "\u202e" not in text
    assert [line[:4] for line in text.splitlines() if line.startswith("• ")] == [
        f"• {i} " for i in range(6)
    ]
    assert f"6 more: `/crisis export {n}`" in text
