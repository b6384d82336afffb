"""`crisisbot backtest --mentions` is the live bot on a history: one history replayed both ways,
by live passes over the stored history with a clock and by the backtest, opens the same
incidents, with the same reasons (issue 12: one code path). The history has what the live rules
read sources for: a second search delivering the same posts, and a source added a few hours
before a real storm."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import jobs
from bot.cli import main
from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.detection.backtest import WouldOpen, bin_ends, replay
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.response import incidents
from bot.testing import CALM, calm_stream, start_stack
from models import Incident

STORM_AT = datetime(2026, 12, 7, 10, 32, 5, tzinfo=UTC)  # pinned: the new source's step alerts
START, END = STORM_AT - timedelta(days=3), STORM_AT + timedelta(hours=1)


def _posts(source: str, start: datetime, end: datetime, per_hour: float, seed: int,
           text: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    rng = random.Random(seed)
    out, t = [], start
    while True:
        t += timedelta(minutes=rng.expovariate(per_hour / 60))
        if t >= end:
            return out
        key = f"{source}-{seed}-{len(out)}"
        out.append({"id": key, "source": source, "brand": "Acme", "created_at": t.isoformat(),
                    "text": text or rng.choice(CALM["en"]).format(b="Acme"),
                    "url": f"https://example.social/{key}", "author": f"u{rng.randint(1, 9000)}",
                    "author_followers": 150})  # fmt: skip


def history() -> list[dict[str, Any]]:
    """Three days of Acme on its own source; from 20 h before the storm a second search finds
    half of the same posts again (same link, same time); 6 h before it a new source brings three
    times the volume (no history: its platform cannot page back); then a real storm on the old
    source. In the order a listening tool's export would list them: by time."""
    own = _posts("bluesky-acme", START, END, 12, 1)
    rng = random.Random(2)
    again = [
        {**r, "id": "at-" + r["id"], "source": "bluesky-at-acme"}
        for r in own
        if r["created_at"] >= (STORM_AT - timedelta(hours=20)).isoformat() and rng.random() < 0.5
    ]
    added = _posts("mastodon-acme", STORM_AT - timedelta(hours=6), END, 36, 3)
    storm = _posts("bluesky-acme", STORM_AT, STORM_AT + timedelta(minutes=30), 900, 4,
                   "Acme order arrived broken again, support ignores me")  # fmt: skip
    return sorted([*own, *again, *added, *storm], key=lambda r: (r["created_at"], r["source"]))


def _live(database_url: str, records: list[dict[str, Any]]) -> list[WouldOpen]:
    """The worker's passes (`jobs.detect_storms`) over the stored history, its clock set to the
    end of each bin that received mentions, as the backtest runs them; the team resolves each
    incident once its storm is over (before the next one)."""
    parsed = [parse_record(r) for r in records]
    times = sorted(m.created_at for m in parsed)
    clock = ManualClock(times[0])
    stack = start_stack(database_url, clock=clock)
    try:
        with stack.bot.transaction() as session:
            store_mentions(session, parsed, config=stack.bot.config, now=times[-1])
        for end in bin_ends(times, timedelta(minutes=stack.bot.config.bin_minutes)):
            clock.set(end)
            for number in jobs.detect_storms(stack.bot):
                with stack.bot.transaction() as session:
                    incidents.resolve(session, number, user="U1", summary="", now=end)
        with stack.bot.sessions() as session:
            return [WouldOpen.of(i) for i in session.query(Incident).order_by(Incident.id)]
    finally:
        stack.stop()


def test_backtest_opens_what_live_passes_open_on_the_same_history(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    records = history()
    live = _live(database_url, records)
    assert len(live) == 1, live  # the real storm; not the duplicates, not the new source's step
    assert STORM_AT <= live[0].opened_at <= STORM_AT + timedelta(minutes=15)
    assert any(r.startswith("Counted without mastodon-acme") for r in live[0].reasons)

    assert replay([parse_record(r) for r in records], Config()) == live

    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no playbook here: the defaults, as the live stack's
    assert main(["backtest", "--mentions", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(records)} mentions replayed; 1 incidents would have opened.")
    head = re.search(r"#1 Acme · opened (\S+ \S+) UTC \(storm began (\S+ \S+)\) · severity (\w+)",
                     out)  # fmt: skip
    assert head is not None
    assert head.groups() == (
        f"{live[0].opened_at:%Y-%m-%d %H:%M}",
        f"{live[0].first_mention_at:%Y-%m-%d %H:%M}",
        live[0].severity,
    )
    assert re.findall(r"^   - (.*)$", out, re.M) == live[0].reasons


def test_backtest_alerts_a_cold_start_storm_once_as_live_passes_do(database_url: str) -> None:
    """A brand connected 90 minutes before a breach storm: cold start alerts it in its window;
    the backtest closes the incident when the storm is behind (a late verdict), and the storm's
    windows, judged by cold start as they settle for 6 h of late alerts, open nothing more."""
    began = STORM_AT + timedelta(minutes=90)
    records = sorted(
        [
            *calm_stream("bluesky-acme", STORM_AT, STORM_AT + timedelta(hours=8), 12, 5),
            *({"id": f"breach-{k}", "source": "bluesky-acme", "brand": "Acme",
               "text": "Acme leaked my data?? Reports of a breach everywhere. Lawsuit incoming",
               "created_at": (began + k * timedelta(seconds=45)).isoformat(),
               "author": f"victim{k % 30}", "author_followers": 150} for k in range(40)),
        ],
        key=lambda r: str(r["created_at"]),
    )  # fmt: skip
    live = _live(database_url, records)
    assert len(live) == 1, live
    assert began <= live[0].opened_at <= began + timedelta(minutes=20)
    assert live[0].reasons[0].startswith("Only 1 h of history for this brand")
    assert replay([parse_record(r) for r in records], Config()) == live
