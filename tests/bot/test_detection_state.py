"""Detector state persists: a fresh process resumes from the stored state and reads only the
mentions since, with the verdict a full replay of the history gives."""

from __future__ import annotations

import dataclasses
import gc
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.detection import detect
from bot.intake.importer import parse_record
from bot.intake.ingest import store_mentions
from bot.testing import Stack, sample_storm
from detectors.storm import Assessment, assess
from models import DetectorState, Mention


@pytest.fixture(autouse=True)
def _fresh_trackers() -> None:
    # Every test starts as a new process would: the trackers of earlier tests (which on
    # PostgreSQL share the database URL) are not this test's.
    detect._TRACKERS.clear()


def _store(stack: Stack, records: list[dict[str, object]], now: datetime) -> None:
    with stack.bot.transaction() as session:
        store_mentions(
            session, [parse_record(r) for r in records], config=stack.bot.config, now=now
        )


def _pass(stack: Stack, now: datetime) -> tuple[Assessment, int, int]:
    """One pass for Acme: (verdict, mentions read, tracker rebuilds so far)."""
    with stack.bot.transaction() as session:
        plan = detect.plan_pass(session, config=stack.bot.config, now=now)
        result, read = detect.assess_brand(session, "Acme", config=stack.bot.config, plan=plan)
        detect.save_states(session, plan)
    url = str(stack.bot.engine.url)
    (cached,) = (c for (u, brand, _), c in detect._TRACKERS.items() if (u, brand) == (url, "Acme"))
    return result, len(read), cached.tracker.rebuilds


def _fresh(stack: Stack, now: datetime) -> tuple[Assessment, int]:
    """What a from-scratch replay of the whole look-back says (the old, O(history) way)."""
    config = stack.bot.config
    with stack.bot.sessions() as session:
        lookback = now - timedelta(days=config.lookback_days)
        rows = detect._mentions(session, "Acme", lookback, now, inclusive=False)
        return assess(rows, now, detect.storm_settings(config, "Acme")), len(rows)


def _same(a: Assessment, b: Assessment) -> None:
    assert (a.fired, a.started_at, a.severity, a.reasons) == (
        b.fired,
        b.started_at,
        b.severity,
        b.reasons,
    )
    assert a.evidence == b.evidence


def _new_process() -> None:
    # What a restart loses: this process's trackers. The stored states stay.
    detect._TRACKERS.clear()


def test_a_fresh_process_resumes_from_the_stored_state(stack: Stack) -> None:
    end = stack.bot.clock()
    _store(stack, list(sample_storm(end, calm_days=5)), end)
    _new_process()
    calm = end - timedelta(hours=3)
    first, read, rebuilds = _pass(stack, calm)
    _same(first, _fresh(stack, calm)[0])
    assert rebuilds == 1 and not first.fired
    with stack.bot.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DetectorState)) == 1
    for now in (calm + timedelta(minutes=47), end - timedelta(minutes=5), end):
        _new_process()
        with stack.bot.sessions() as session:
            until = session.scalar(select(DetectorState.settled_until))
            assert until is not None
            since_state = session.scalar(
                select(func.count()).where(
                    Mention.created_at >= until - timedelta(minutes=65), Mention.created_at <= now
                )
            )
        result, read, rebuilds = _pass(stack, now)
        expected, history = _fresh(stack, now)
        _same(result, expected)
        assert rebuilds == 1, "resumed, not rebuilt"
        assert read <= since_state < history / 2, f"read {read} of {history} mentions"
    assert result.fired


def test_late_mentions_in_settled_bins_rebuild_the_state(stack: Stack) -> None:
    end = stack.bot.clock()
    records = list(sample_storm(end, calm_days=5))
    _store(stack, records, end)
    calm = end - timedelta(hours=3)
    _pass(stack, calm)
    # A backfill lands four hours back, in bins every state has already settled.
    late = [
        {**records[0], "id": f"late-{k}", "created_at": (calm - timedelta(hours=4)).isoformat()}
        for k in range(30)
    ]
    _store(stack, late, calm)
    for fresh_process in (False, True):
        if fresh_process:
            _new_process()
        result, _, rebuilds = _pass(stack, calm + timedelta(minutes=10))
        _same(result, _fresh(stack, calm + timedelta(minutes=10))[0])
        assert rebuilds == 2  # rebuilt once after the backfill, then resumed from the store
        with stack.bot.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Mention)) == len(records) + 30


def test_changed_settings_start_a_fresh_state(stack: Stack) -> None:
    end = stack.bot.clock()
    _store(stack, list(sample_storm(end, calm_days=3)), end)
    _pass(stack, end)
    stack.bot.config = dataclasses.replace(stack.bot.config, reach_threshold=5)
    _new_process()
    _, _, rebuilds = _pass(stack, end + timedelta(minutes=1))
    assert rebuilds == 1
    with stack.bot.sessions() as session:
        hashes = session.scalars(select(DetectorState.settings_hash)).all()
    assert hashes == [detect.settings_hash(detect.storm_settings(stack.bot.config, "Acme"))]


def test_a_changed_timezone_starts_a_fresh_state_on_the_team_clock(stack: Stack) -> None:
    # The volume detector's slots follow the playbook's clock: a state built on UTC slots is
    # not resumed on Sofia's (nor the other way round).
    end = stack.bot.clock()
    _store(stack, list(sample_storm(end, calm_days=3)), end)
    _pass(stack, end)
    utc_key = detect.settings_hash(detect.storm_settings(stack.bot.config, "Acme"))
    stack.bot.config = dataclasses.replace(stack.bot.config, timezone="Europe/Sofia")
    settings = detect.storm_settings(stack.bot.config, "Acme")
    assert settings.volume is not None and settings.volume.zone == "Europe/Sofia"
    _new_process()
    _, _, rebuilds = _pass(stack, end + timedelta(minutes=1))
    assert rebuilds == 1
    with stack.bot.sessions() as session:
        hashes = session.scalars(select(DetectorState.settings_hash)).all()
    assert hashes == [detect.settings_hash(settings)] != [utc_key]
    (cached,) = (c for (_, brand, _), c in detect._TRACKERS.items() if brand == "Acme")
    assert cached.tracker._det is not None
    assert cached.tracker._det.settings.zone == "Europe/Sofia"  # the live pass's detector


def test_a_utc_playbook_keeps_the_volume_detector_on_utc_bins(stack: Stack) -> None:
    assert stack.bot.config.timezone == "UTC"
    assert detect.storm_settings(stack.bot.config, "Acme").volume is None  # the defaults


def test_a_pass_stores_every_new_state_but_only_a_few_updates(stack: Stack) -> None:
    end = stack.bot.clock()
    brands = [f"B{k}" for k in range(detect.SAVES_PER_PASS + 3)]
    for k, brand in enumerate(brands):
        records = [
            {**r, "id": f"{brand}-{r['id']}"}
            for r in sample_storm(end, brand=brand, calm_days=2, seed=k)
        ]
        _store(stack, records, end)

    def stored() -> dict[str, datetime]:
        with stack.bot.sessions() as session:
            rows = session.execute(select(DetectorState.brand_key, DetectorState.settled_until))
            return {b: t for b, t in rows}

    start = end - timedelta(hours=5)
    with stack.bot.transaction() as session:
        detect.run_detection(session, config=stack.bot.config, channel=None, now=start)
    first = stored()
    assert sorted(first) == brands  # new states are always stored
    with stack.bot.transaction() as session:
        detect.run_detection(
            session, config=stack.bot.config, channel=None, now=start + timedelta(minutes=50)
        )
    moved = {b for b, t in stored().items() if t != first[b]}
    assert len(moved) == detect.SAVES_PER_PASS


def test_a_quiet_brand_with_a_state_is_kept_moving_not_rebuilt(stack: Stack) -> None:
    end = stack.bot.clock()
    _store(stack, list(sample_storm(end - timedelta(hours=1), calm_days=3)), end)
    _pass(stack, end)
    quiet = end + timedelta(hours=10)  # nothing for ten hours: not "recently mentioned"
    with stack.bot.transaction() as session:
        assert detect.brands_due(session, now=quiet) == []
        detect.run_detection(session, config=stack.bot.config, channel=None, now=quiet)
    with stack.bot.sessions() as session:
        until = session.scalar(select(DetectorState.settled_until))
    assert until is not None and until > quiet - timedelta(hours=1)
    _new_process()
    _, read, rebuilds = _pass(stack, quiet + timedelta(minutes=5))
    assert rebuilds == 1 and read == 0


@pytest.mark.parametrize("stored_by", ["other detector code", "an unreadable state"])
def test_a_state_the_current_detector_cannot_resume_is_rebuilt(
    stack: Stack, stored_by: str
) -> None:
    # A new detector version (issue 12 added the stand-out channel's fields to VolumeDetector)
    # never unpickles an older version's state: the detectors' code is in the key, so the old row
    # is simply not found, and a state that does not unpickle is rebuilt, never fatal.
    end = stack.bot.clock()
    _store(stack, list(sample_storm(end, calm_days=4)), end)
    calm = end - timedelta(hours=3)
    _pass(stack, calm)
    with stack.bot.transaction() as session:
        row = session.scalars(select(DetectorState)).one()
        if stored_by == "other detector code":
            row.settings_hash = "0" * 64  # the key another version of detectors/ computed
        else:
            row.state = b"not a pickle"
    _new_process()
    result, read, _ = _pass(stack, end)
    expected, history = _fresh(stack, end)
    _same(result, expected)
    assert read == history, "rebuilt from the whole look-back"
    assert result.fired
    with stack.bot.sessions() as session:
        hashes = session.scalars(select(DetectorState.settings_hash)).all()
    assert detect.settings_hash(detect.storm_settings(stack.bot.config, "Acme")) in hashes


def test_a_pass_runs_with_the_cycle_collector_paused_and_leaves_it_as_it_was(
    stack: Stack,
) -> None:
    """Unpickling the brands' states makes millions of objects, and the collections that
    triggered walked them all again: 0.3 s of a 1.2 s fresh-process pass over 50 brands."""
    end = stack.bot.clock()
    _store(stack, list(sample_storm(end, calm_days=5)), end)
    _pass(stack, end - timedelta(hours=3))  # a stored state to resume
    collections: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(phase)

    for caller_had_it_on in (True, False):
        _new_process()
        if not caller_had_it_on:
            gc.disable()
        try:
            with stack.bot.transaction() as session:
                gc.callbacks.append(seen)
                try:
                    detect.run_detection(session, config=stack.bot.config, channel="C0", now=end)
                finally:
                    gc.callbacks.remove(seen)
            assert gc.isenabled() is caller_had_it_on
        finally:
            gc.enable()
    # At most the one put off until the collector is on again (25 while the pass ran, before)
    assert len(collections) <= 1
