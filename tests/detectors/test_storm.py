from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from detectors.storm import Assessment, StormSettings, StormTracker, assess
from tests.detectors.synth import BIN, T0, M, daily_rate, poisson

KEYWORDS = ("breach", "recall", "boycott", "lawsuit", "outage")
SETTINGS = StormSettings(keywords=KEYWORDS, reach_threshold=100_000)


def calm_mentions(days: int, base: float = 1.0, seed: int = 1) -> list[M]:
    """A quiet brand: a few mentions per bin, 20 % negative, no crisis words."""
    rng = random.Random(seed)
    out = []
    for i in range(days * 288):
        for _ in range(poisson(rng, daily_rate(i, base))):
            neg = rng.random() < 0.2
            out.append(
                M(
                    created_at=T0 + i * BIN + timedelta(seconds=rng.randrange(300)),
                    label="negative" if neg else "neutral",
                    polarity=-0.4 if neg else 0.1,
                )
            )
    return sorted(out, key=lambda m: m.created_at)


def storm(start: datetime, n: int, minutes: int = 30, text: str = "acme data breach!!") -> list[M]:
    step = timedelta(minutes=minutes) / n
    return [
        M(created_at=start + k * step, text=text, label="negative", polarity=-0.8) for k in range(n)
    ]


def test_calm_brand_does_not_fire() -> None:
    mentions = calm_mentions(8)
    for hour in (10, 15, 22):
        a = assess(mentions, T0 + timedelta(days=7, hours=hour), SETTINGS)
        assert not a.fired
        json.dumps(a.evidence)


def test_volume_storm_fires_explains_and_times_the_start() -> None:
    start = T0 + timedelta(days=7, hours=14, minutes=2)
    mentions = sorted(calm_mentions(8) + storm(start, 120), key=lambda m: m.created_at)
    a = assess(mentions, start + timedelta(minutes=30), SETTINGS)
    assert a.fired
    assert a.started_at is not None
    assert abs(a.started_at - start) <= timedelta(minutes=10)
    text = " ".join(a.reasons)
    assert "expected" in text and "times the usual" in text
    assert "negative" in text and "breach" in text
    assert a.severity in ("high", "critical")
    ev = a.evidence
    assert ev["observed"] > ev["expected"]
    assert ev["negative_share"] > ev["baseline_negative_share"]
    assert ev["rising_terms"][0]["term"] == "breach"
    assert len(ev["series"]) == 24 * 12 and ev["series"][-1][1] > 0
    json.dumps(ev)
    assert all(mentions[i].created_at >= start - timedelta(hours=1) for i in a.sample_indexes)


def test_fired_only_once_per_storm_window() -> None:
    start = T0 + timedelta(days=7, hours=14)
    mentions = sorted(calm_mentions(8) + storm(start, 120), key=lambda m: m.created_at)
    first = assess(mentions, start + timedelta(minutes=30), SETTINGS)
    assert first.fired and "late" not in first.evidence
    # Three hours on, the same alert is still reported, marked late: a pass that was not running
    # then must still alert it; the live bot knows it by its alert_at and opens nothing twice.
    later = assess(mentions, start + timedelta(hours=3), SETTINGS)
    assert later.fired and later.evidence["late"] is True
    assert later.evidence["alert_at"] == first.evidence["alert_at"]
    assert later.started_at == first.started_at
    # Beyond `late_hours` it is no longer alerted at all (the tracker keeps no older results).
    assert not assess(mentions, start + timedelta(hours=SETTINGS.late_hours + 1), SETTINGS).fired


def test_very_high_reach_negative_post_fires() -> None:
    now = T0 + timedelta(days=7, hours=12)
    loud = M(
        created_at=now - timedelta(minutes=5),
        text="acme lost my data",
        label="negative",
        polarity=-0.6,
        author="bigname",
        author_followers=5_000_000,
        url="https://x/1",
    )
    mentions = sorted([*calm_mentions(8), loud], key=lambda m: m.created_at)
    a = assess(mentions, now, SETTINGS)
    assert a.fired
    assert mentions[a.sample_indexes[0]].author == "bigname"
    assert any("bigname" in r and "5,000,000" in r for r in a.reasons)
    assert a.evidence["top_reach"][0]["followers"] == 5_000_000


def test_negative_share_with_keywords_fires_without_volume_storm() -> None:
    now = T0 + timedelta(days=7, hours=15)
    extra = storm(now - timedelta(minutes=50), 20, minutes=45, text="acme recall? boycott")
    mentions = sorted(calm_mentions(8, base=1.0) + extra, key=lambda m: m.created_at)
    a = assess(mentions, now, SETTINGS)
    assert a.fired
    terms = {t["term"] for t in a.evidence["rising_terms"]}
    assert {"recall", "boycott"} <= terms
    text = " ".join(a.reasons)
    assert "not unusual" in text and "recall" in text and "up from" in text
    assert a.started_at is not None and a.started_at >= now - timedelta(minutes=60)


def _boycott(now: datetime) -> list[M]:
    """A calm week, then 20 posts about a recall and a boycott over 45 minutes: no rise in
    volume, a storm of content alone, ending 5 minutes before `now`."""
    extra = storm(now - timedelta(minutes=50), 20, minutes=45, text="acme recall? boycott")
    return sorted(calm_mentions(8, base=1.0) + extra, key=lambda m: m.created_at)


def _first_window_alert(mentions: list[M], until: datetime) -> tuple[datetime, Assessment]:
    """The end of the first 5-minute-aligned window a pass would have alerted on (on content)
    before `until`, and what that pass said."""
    t = until - timedelta(hours=3)
    while t <= until:
        seen = [m for m in mentions if m.created_at < t]
        a = assess(seen, t - timedelta(microseconds=1), SETTINGS)
        if a.fired:
            return t, a
        t += BIN
    raise AssertionError("no window fired")


def test_a_content_storm_no_pass_saw_is_alerted_late_for_six_hours() -> None:
    """The worker was down while the storm happened: its first pass after is up to `late_hours`
    later and still alerts it, marked late, with what a pass at the storm would have said."""
    storm_end = T0 + timedelta(days=7, hours=13)
    mentions = _boycott(storm_end)
    end, live = _first_window_alert(mentions, storm_end)
    assert live.content_fired and live.evidence["alert_at"] is None
    for hours in (1, 2, 3.5, 5):
        now = storm_end + timedelta(hours=hours)
        a = assess(mentions, now, SETTINGS)
        assert a.fired and a.content_fired and a.evidence["late"] is True
        assert a.evidence["alert_at"] is None  # a content alert: known by its start
        assert a.started_at == live.started_at
        for key in ("recent_mentions", "negative_share", "baseline_negative_share"):
            assert a.evidence[key] == live.evidence[key], key
        assert a.evidence["rising_terms"] == live.evidence["rising_terms"]
        assert a.reasons[1:] == live.reasons[1:]  # the volume line is the window's last bin's
        assert a.details_from is None and a.sample_indexes == live.sample_indexes
    # As for volume, older than `late_hours` it is not alerted at all.
    assert not assess(mentions, end + timedelta(hours=SETTINGS.late_hours), SETTINGS).fired


def test_a_loud_post_no_pass_saw_is_alerted_late() -> None:
    now = T0 + timedelta(days=7, hours=12)
    loud = M(created_at=now - timedelta(minutes=5), text="acme lost my data", label="negative",
             polarity=-0.6, author="bigname", author_followers=5_000_000)  # fmt: skip
    mentions = sorted([*calm_mentions(8), loud], key=lambda m: m.created_at)
    a = assess(mentions, now + timedelta(hours=3), SETTINGS)
    assert a.fired and a.evidence["late"] is True
    assert mentions[a.sample_indexes[0]].author == "bigname"
    assert any("bigname" in r and "5,000,000" in r for r in a.reasons)
    assert a.severity == assess(mentions, now, SETTINGS).severity


def test_crisis_terms_in_the_baseline_count_alike_resumed_or_replayed() -> None:
    """A brand whose calm names a crisis term now and then: pass after pass, resuming from the
    last hour, the tracker says what a replay of the whole history says, its baseline's term
    counts included (the current window's and a late window's, 7 days back from each)."""
    rng = random.Random(3)
    calm = [
        M(m.created_at, "acme breach rumour" if rng.random() < 0.05 else m.text, m.label,
          m.polarity)
        for m in calm_mentions(9)
    ]  # fmt: skip
    start = T0 + timedelta(days=8)
    extra = storm(start + timedelta(hours=2), 25, minutes=35, text="acme breach!! boycott")
    everything = sorted(calm + extra, key=lambda m: m.created_at)
    tracker = StormTracker(SETTINGS)
    late = False
    for minutes in range(0, 12 * 60, 35):
        now = start + timedelta(minutes=minutes)
        since = tracker.resume_from(now)
        given = [m for m in everything if (since is None or since <= m.created_at) and
                 m.created_at <= now]  # fmt: skip
        a = tracker.assess(given, now, complete_from=since)
        if a.details_from is not None:
            a = tracker.assess([m for m in everything if a.details_from <= m.created_at <= now],
                               now, complete_from=a.details_from)  # fmt: skip
        b = assess([m for m in everything if m.created_at <= now], now, SETTINGS)
        assert (a.fired, a.started_at, a.reasons, a.evidence) == (
            b.fired, b.started_at, b.reasons, b.evidence,
        ), now  # fmt: skip
        late |= bool(a.evidence.get("late"))
    assert late and tracker.rebuilds == 1


def test_a_calm_brand_raises_no_late_content_alert() -> None:
    mentions = calm_mentions(9)
    tracker = StormTracker(SETTINGS)
    for minutes in range(0, 36 * 60, 25):
        now = T0 + timedelta(days=7, minutes=minutes)
        assert not tracker.assess([m for m in mentions if m.created_at <= now], now).fired


def test_a_tracker_back_from_an_outage_alerts_the_content_storm_as_a_fresh_replay_does() -> None:
    """The worker's last pass was before the storm; the next, hours after, resumes from its
    state (reading the mentions since): the same late alert as a replay of the whole history.
    A pass that resumes from the last hour only cannot quote the storm: it says from when it
    needs the mentions, and given them gives the same alert."""
    import pickle

    storm_end = T0 + timedelta(days=7, hours=13)
    mentions = _boycott(storm_end)
    tracker = StormTracker(SETTINGS)
    before = storm_end - timedelta(hours=2)
    assert not tracker.assess([m for m in mentions if m.created_at <= before], before).fired
    now = storm_end + timedelta(hours=2, minutes=10)
    since = tracker.resume_from(now)
    assert since is not None and since < storm_end - timedelta(hours=2)
    recent = [m for m in mentions if since <= m.created_at <= now]
    a = tracker.assess(recent, now, complete_from=since)
    full = [m for m in mentions if m.created_at <= now]
    b = assess(full, now, SETTINGS)
    assert b.fired and b.evidence["late"] and b.details_from is None
    assert (a.fired, a.started_at, a.severity, a.reasons, a.evidence, a.details_from) == (
        b.fired, b.started_at, b.severity, b.reasons, b.evidence, None,
    )  # fmt: skip
    assert [recent[i] for i in a.sample_indexes] == [full[i] for i in b.sample_indexes]

    later = now + timedelta(minutes=3)
    tracker = pickle.loads(pickle.dumps(tracker))
    since = tracker.resume_from(later)
    assert since is not None and since > storm_end - timedelta(minutes=60)
    c = tracker.assess([m for m in mentions if since <= m.created_at <= later], later,
                       complete_from=since)  # fmt: skip
    d = assess([m for m in mentions if m.created_at <= later], later, SETTINGS)
    assert c.fired and c.started_at == d.started_at and c.sample_indexes == []
    assert c.details_from is not None and c.details_from < storm_end - timedelta(minutes=45)
    given = [m for m in mentions if c.details_from <= m.created_at <= later]
    e = tracker.assess(given, later, complete_from=c.details_from)
    assert (e.started_at, e.severity, e.reasons, e.evidence, e.details_from) == (
        d.started_at, d.severity, d.reasons, d.evidence, None,
    )  # fmt: skip
    assert tracker.rebuilds == 1


@dataclass(frozen=True, slots=True)
class Sourced(M):
    source: str = "own"


def _sourced(mentions: list[M], source: str) -> list[Sourced]:
    return [Sourced(m.created_at, m.text, m.label, m.polarity, source=source) for m in mentions]


def test_volume_is_judged_without_held_out_sources_while_their_step_lasts() -> None:
    """A source added to the brand at three times its volume: its step alerts once, and the live
    bot's new-source rule explains it (`hold_out`). The detector stays in the storm the step
    opened for days; meanwhile volume is judged on the brand's own source, as a tracker of its
    mentions alone judges it, so a real storm there alerts at once. When the step's storm is
    over, every source counts again, the new level learnt."""
    import bisect

    own = _sourced(calm_mentions(15), "own")
    added = T0 + timedelta(days=8)
    rng = random.Random(5)
    new = [
        Sourced(added + i * BIN + timedelta(seconds=rng.randrange(300)), source="new")
        for i in range(7 * 288)
        for _ in range(poisson(rng, 3 * daily_rate(i, 1.0)))
    ]
    storm_at = added + timedelta(hours=10)
    real = _sourced(storm(storm_at, 120), "own")
    everything = sorted(own + new + real, key=lambda m: m.created_at)
    tracker = StormTracker(SETTINGS)
    now, fired, held_until = added - timedelta(hours=1), [], None
    while now < added + timedelta(days=6):
        since = tracker.resume_from(now)
        lo = bisect.bisect_left(everything, since or now - timedelta(days=14),
                                key=lambda m: m.created_at)  # fmt: skip
        hi = bisect.bisect_right(everything, now, key=lambda m: m.created_at)
        a = tracker.assess(everything[lo:hi], now, complete_from=since)
        if a.fired:
            fired.append((now, a))
            if not tracker.held_out:  # what the live bot's rule does with the step's alert
                assert now < storm_at and a.evidence["alert_at"] is not None
                tracker.hold_out(frozenset({"new"}), datetime.fromisoformat(a.evidence["alert_at"]))
        if tracker.held_out:
            held_until = now
        now += timedelta(minutes=30)
    (step_at, step), *rest = fired
    assert step_at < added + timedelta(hours=4) and "without_sources" not in step.evidence
    assert all(at >= storm_at for at, _ in rest)  # the step alerts once
    at, first = next((at, a) for at, a in rest if a.evidence["alert_at"] is not None)
    assert at <= storm_at + timedelta(minutes=30) and "late" not in first.evidence
    assert first.evidence["without_sources"] == ["new"]
    assert "Counted without new: added to this brand lately" in first.reasons[2]
    alone = assess([m for m in own + real if m.created_at <= at], at, SETTINGS)
    for key in ("alert_at", "observed", "expected", "z"):
        assert first.evidence[key] == alone.evidence[key], key
    assert held_until is not None and added + timedelta(days=2) < held_until < now - timedelta(
        days=1
    )  # the step's storm ends after days; then every source counts, and nothing fires
    assert all(at < storm_at + timedelta(hours=SETTINGS.late_hours + 1) for at, _ in rest)
    assert tracker.rebuilds == 1


def test_empty_and_tiny_inputs() -> None:
    now = datetime(2024, 1, 1, 12)
    assert assess([], now) == Assessment(fired=False, evidence=assess([], now).evidence)
    assert not assess([M(created_at=now - timedelta(minutes=1))], now).fired


def _same(a: Assessment, b: Assessment) -> None:
    assert (a.fired, a.started_at, a.severity, a.reasons, a.sample_indexes) == (
        b.fired,
        b.started_at,
        b.severity,
        b.reasons,
        b.sample_indexes,
    )
    assert a.evidence == b.evidence


def test_tracker_pass_after_pass_equals_a_fresh_assess() -> None:
    start = T0 + timedelta(days=7, hours=14, minutes=2)
    everything = sorted(calm_mentions(8) + storm(start, 120), key=lambda m: m.created_at)
    tracker = StormTracker(SETTINGS)
    fired = []
    for minutes in range(-90, 120, 7):  # passes before, during and after the storm
        now = start + timedelta(minutes=minutes)
        seen = [m for m in everything if m.created_at <= now]
        a = tracker.assess(seen, now)
        _same(a, assess(seen, now, SETTINGS))
        fired.append(a.evidence["alert_at"] if a.fired else None)
    assert tracker.rebuilds == 1
    assert len({f for f in fired if f}) == 1  # one storm, one alert_at across passes


def test_tracker_replays_late_mentions_and_rebuilds_on_other_history() -> None:
    start = T0 + timedelta(days=7, hours=14, minutes=2)
    calm = calm_mentions(8)
    now = start + timedelta(minutes=30)
    tracker = StormTracker(SETTINGS)
    before = [m for m in calm if m.created_at <= now - timedelta(minutes=20)]
    assert not tracker.assess(before, now - timedelta(minutes=20)).fired
    # The storm's mentions arrive late, all in bins that were already assessed (as empty-ish).
    late = sorted(before + storm(start, 120), key=lambda m: m.created_at)
    a = tracker.assess(late, now)
    _same(a, assess(late, now, SETTINGS))
    assert a.fired and tracker.rebuilds == 1
    # Older history than the tracker knows (an import): rebuilt, same answer as fresh.
    older = sorted(calm_mentions(9, seed=2), key=lambda m: m.created_at)
    shifted = [M(created_at=m.created_at - timedelta(days=1)) for m in older] + late
    shifted.sort(key=lambda m: m.created_at)
    _same(tracker.assess(shifted, now), assess(shifted, now, SETTINGS))
    assert tracker.rebuilds == 2


def test_tracker_keeps_its_state_while_the_look_back_slides() -> None:
    mentions = calm_mentions(9)
    tracker = StormTracker(SETTINGS)
    for hours in range(0, 30, 3):
        now = T0 + timedelta(days=8, hours=hours)
        window = [m for m in mentions if now - timedelta(days=7) < m.created_at <= now]
        assert not tracker.assess(window, now).fired
    assert tracker.rebuilds == 1


def test_tracker_resumes_from_recent_mentions_only() -> None:
    """Given only the mentions since `resume_from` (the live path), the same verdict as a full
    replay, pass after pass, through a pickle (another process); less than that is refused."""
    import pickle

    import pytest

    from detectors.storm import StaleState

    start = T0 + timedelta(days=7, hours=14, minutes=2)
    everything = sorted(calm_mentions(8) + storm(start, 120), key=lambda m: m.created_at)
    tracker = StormTracker(SETTINGS)
    first = start - timedelta(minutes=90)
    tracker.assess([m for m in everything if m.created_at <= first], first)
    fired = False
    for minutes in range(-83, 120, 7):
        now = start + timedelta(minutes=minutes)
        since = tracker.resume_from(now)
        assert since is not None and since >= now - timedelta(minutes=90)
        recent = [m for m in everything if since <= m.created_at <= now]
        tracker = pickle.loads(pickle.dumps(tracker))
        a = tracker.assess(recent, now, complete_from=since)
        full = [m for m in everything if m.created_at <= now]
        b = assess(full, now, SETTINGS)
        assert (a.fired, a.started_at, a.severity, a.reasons, a.evidence) == (
            b.fired, b.started_at, b.severity, b.reasons, b.evidence,
        )  # fmt: skip
        # Samples index the mentions given: the same mentions, at other positions.
        assert [recent[i] for i in a.sample_indexes] == [full[i] for i in b.sample_indexes]
        fired |= a.fired
    assert fired and tracker.rebuilds == 1
    later = now + timedelta(hours=3)  # mentions from the last hour only: hours are missing
    with pytest.raises(StaleState):
        tracker.assess([], later, complete_from=later - timedelta(hours=1))


def test_quoted_samples_do_not_repeat_a_text() -> None:
    from datetime import UTC, datetime, timedelta

    from bot.intake.importer import parse_record
    from bot.intake.ingest import ScoredMention
    from bot.testing import sample_storm
    from detectors.storm import assess

    now = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
    mentions = [ScoredMention.of(parse_record(r)) for r in sample_storm(now)]
    result = assess(mentions, now + timedelta(minutes=1))
    texts = [mentions[i].text for i in result.sample_indexes]
    assert result.fired and len(texts) == len(set(texts)) >= 3


def test_a_storm_out_of_silence_says_none_were_expected() -> None:
    """A brand nobody mentions at this hour: no "about 0 expected", no "91.0 times"."""
    start = T0 + timedelta(days=7, hours=14)
    quiet = [m for m in calm_mentions(8, base=0.02) if m.created_at < start]
    a = assess(quiet + storm(start, 60, minutes=10), start + timedelta(minutes=10), SETTINGS)
    assert a.fired
    first = a.reasons[0]
    assert "none were expected at this time of day" in first, first
    assert first.split()[0].isdigit() and " mentions in " in first  # the observed count
    text = " ".join(a.reasons)
    assert "about 0" not in text and "usually 0" not in text and "times the usual" not in text


def test_volume_sentence_rounds_for_people() -> None:
    from detectors.storm import volume_sentence

    assert volume_sentence(91, 0.2, 5) == (
        "91 mentions in 5 minutes, where none were expected at this time of day."
    )
    assert volume_sentence(91, 4.4, 5) == (
        "91 mentions in 5 minutes where about 4 were expected at this time of day "
        "(21 times the usual)."
    )
    assert "about 1 was expected" in volume_sentence(6, 1.2, 5)
    assert "(5 times the usual)" in volume_sentence(30, 6.0, 10)
    assert "(3.5 times the usual)" in volume_sentence(35, 10.0, 10)
    assert volume_sentence(1, 0.0, 5).startswith("1 mention in 5 minutes")


def test_bulgarian_keywords_count_every_inflected_form_as_one_term() -> None:
    now = T0 + timedelta(days=7, hours=15)
    texts = ("Изтекоха данните на клиентите!", "изтичането на данни продължава", "iztekoha vsichko")
    extra = [
        m
        for k, text in enumerate(texts)
        for m in storm(now - timedelta(minutes=50 - k), 8, minutes=40, text=text)
    ]
    mentions = sorted(calm_mentions(8, base=1.0) + extra, key=lambda m: m.created_at)
    settings = StormSettings(keywords=("изтичане", "теч на данни"), reach_threshold=100_000)
    a = assess(mentions, now, settings)
    rising = {t["term"]: t["count"] for t in a.evidence["rising_terms"]}
    assert rising == {"изтичане": 24}
    assert a.fired
    assert "изтичане" in " ".join(a.reasons)


@dataclass(frozen=True)
class LangM(M):
    lang: str | None = None


def test_evidence_gives_the_languages_of_the_window() -> None:
    now = T0 + timedelta(days=7, hours=15)
    calm = calm_mentions(8, base=1.0)
    window = [
        LangM(created_at=now - timedelta(minutes=m), text="Пак няма ток", lang=lang)
        for m, lang in zip(range(1, 41), ["bg"] * 35 + ["en"] * 4 + [None], strict=True)
    ]
    mentions = sorted(calm + window, key=lambda m: m.created_at)
    languages = assess(mentions, now, SETTINGS).evidence["languages"]
    assert languages == [
        {"lang": "bg", "share": pytest.approx(35 / 39, abs=1e-4)},
        {"lang": "en", "share": pytest.approx(4 / 39, abs=1e-4)},
    ]
    # Mentions stored before languages were (no `lang`): no language evidence, no error.
    assert assess(calm, now, SETTINGS).evidence["languages"] == []


@dataclass(frozen=True)
class RowM(M):
    language: str | None = None  # as the stored rows carry it


def test_evidence_counts_the_language_stored_rows_carry() -> None:
    # Stored rows carry `language` (not the ingest record's `lang`): it must reach the evidence.
    now = T0 + timedelta(days=7, hours=15)
    window = [
        RowM(created_at=now - timedelta(minutes=m), text="Пак няма ток", language=lang)
        for m, lang in zip(range(1, 41), ["bg"] * 30 + ["en"] * 10, strict=True)
    ]
    mentions = sorted(calm_mentions(8, base=1.0) + window, key=lambda m: m.created_at)
    assert assess(mentions, now, SETTINGS).evidence["languages"] == [
        {"lang": "bg", "share": 0.75},
        {"lang": "en", "share": 0.25},
    ]


def test_keywords_per_language_match_each_mention_in_its_own_language() -> None:
    now = T0 + timedelta(days=7, hours=15)
    texts = {"bg": "Изтекоха данните, пак breach", "en": "Acme data breach, изтичане"}
    extra = [
        RowM(created_at=m.created_at, text=texts[lang], label="negative", language=lang)
        for k, lang in enumerate(("bg", "en"))
        for m in storm(now - timedelta(minutes=50 - k), 8, minutes=40)
    ]
    mentions = sorted(calm_mentions(8, base=1.0) + extra, key=lambda m: m.created_at)
    by_language = (("bg", ("изтичане",)), ("en", ("breach",)))
    settings = StormSettings(
        keywords=("изтичане", "breach"), keywords_by_language=by_language, reach_threshold=100_000
    )
    rising = {
        t["term"]: t["count"] for t in assess(mentions, now, settings).evidence["rising_terms"]
    }
    assert rising == {
        "изтичане": 8,
        "breach": 8,
    }  # not 16 each: the other language's word is no keyword
    flat = StormSettings(keywords=("изтичане", "breach"), reach_threshold=100_000)
    rising = {t["term"]: t["count"] for t in assess(mentions, now, flat).evidence["rising_terms"]}
    assert rising == {"изтичане": 16, "breach": 16}  # a plain list: every language's


def test_quoted_samples_lead_with_the_crisis_not_neutral_high_reach_posts() -> None:
    """Newspapers with large followings mention the brand neutrally during a storm: the card's
    quotes lead with the complaints (a high-reach negative post first), not with them."""
    start = T0 + timedelta(days=7, hours=14, minutes=2)
    now = start + timedelta(minutes=30)
    papers = [
        M(created_at=start + timedelta(minutes=k), text=f"Acme opens store {k}", polarity=0.1,
          author=f"paper{k}", author_followers=900_000)
        for k in range(3)
    ]  # fmt: skip
    loud = M(created_at=start + timedelta(minutes=9), text="acme breach, my card was used",
             label="negative", polarity=-0.5, author="anchor",
             author_followers=300_000)  # fmt: skip
    mentions = sorted(
        calm_mentions(8) + storm(start, 120) + papers + [loud], key=lambda m: m.created_at
    )
    a = assess(mentions, now, SETTINGS)
    assert a.fired
    quoted = [mentions[i] for i in a.sample_indexes]
    assert quoted[0].author == "anchor"
    assert all(m.label == "negative" for m in quoted[:2])
    assert a.evidence["top_reach"][0]["author"].startswith("paper")  # still listed as reach
