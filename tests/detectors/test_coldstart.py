"""Cold start: with less than two days of history a brand is judged on what its mentions say.

Each fixed threshold is tested on both sides; `assess` hands the decision to the cold-start path
while the history is short and says so in the first reason."""

from __future__ import annotations

import pickle
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from detectors.coldstart import (
    ColdStartSettings,
    crisis_pattern,
    distinct_texts,
    history_sentence,
    judge,
)
from detectors.storm import Assessment, StormSettings, StormTracker, assess

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
BIN = timedelta(minutes=5)
BREACH = "Acme leaked every password in plain text. Terrible, awful, disgusting security."


@dataclass(frozen=True)
class M:
    created_at: datetime
    text: str
    label: str | None
    polarity: float | None = None
    author: str | None = None
    author_followers: int | None = None
    url: str | None = None


def ordinary(n: int, *, minutes: float = 60, negatives: int = 0) -> list[M]:
    """`n` mentions spread over the last `minutes`; the first `negatives` are crisis complaints
    (an outage), the rest neutral or positive."""
    texts = ["Does Acme ship to Canada?", "Picked up my Acme order today, smooth as always"]
    out = []
    for i in range(n):
        at = NOW - timedelta(minutes=minutes) + timedelta(minutes=minutes * (i + 0.5) / n)
        if i < negatives:
            out.append(M(at, "Is Acme down? #outage again", "negative", -0.8, f"u{i}", 300))
        else:
            out.append(M(at, texts[i % 2], "neutral" if i % 2 == 0 else "positive", 0.1, f"u{i}"))
    return out


def complaints(n: int, *, authors: int | None = None, start: float = 40) -> list[M]:
    """`n` copies of the breach complaint over the last `start` minutes by `authors` people."""
    authors = authors or n
    return [
        M(
            NOW - timedelta(minutes=start) + timedelta(minutes=start * (i + 0.5) / n),
            BREACH,
            "negative",
            -0.97,
            f"user{i % authors}",
            150,
        )
        for i in range(n)
    ]


def test_the_breach_story_alerts_from_its_first_forty_minutes() -> None:
    verdict = judge(complaints(150), NOW)
    assert verdict is not None and verdict.fired
    assert verdict.sentence == (
        "Only 40 min of history for this brand: judged on content, not on volume."
    )
    assert verdict.started_at == NOW - timedelta(minutes=40) + timedelta(seconds=8)
    assert verdict.severity == "high"  # 150 is over three times the threshold
    terms = {t["term"] for t in verdict.evidence["crisis_terms"]}
    assert terms == {"leaked", "password"}
    assert "150 negative mentions naming crisis terms" in verdict.reasons[0]
    assert "150 different authors" in verdict.reasons[0]
    assert len(verdict.sample_indexes) == 1  # one text, quoted once


def test_an_ordinary_first_hour_does_not_alert() -> None:
    verdict = judge(ordinary(30, negatives=4), NOW)
    assert verdict is not None and not verdict.fired
    assert verdict.evidence["crisis_negatives"] == 4
    assert verdict.sentence.startswith("Only 59 min of history")


@pytest.mark.parametrize(
    ("mentions", "fires"),
    [
        (complaints(15, authors=10), True),  # exactly at both thresholds
        (complaints(14, authors=10), False),  # one complaint short
        (complaints(15, authors=9), False),  # one author short: a few people repeating
        # 15 complaints among 16 other mentions: under half the window is negative
        (complaints(15) + ordinary(16), False),
        (complaints(15) + ordinary(15), True),
    ],
    ids=["at-threshold", "14-complaints", "9-authors", "share-48pc", "share-50pc"],
)
def test_burst_thresholds_on_both_sides(mentions: list[M], fires: bool) -> None:
    mentions.sort(key=lambda m: m.created_at)
    verdict = judge(mentions, NOW)
    assert verdict is not None and verdict.fired is fires


def test_anonymous_copies_count_as_one_author() -> None:
    pasted = [M(m.created_at, m.text, m.label, m.polarity, None) for m in complaints(30)]
    verdict = judge(pasted, NOW)
    assert verdict is not None and not verdict.fired
    assert verdict.evidence["crisis_authors"] == 1


@pytest.mark.parametrize(
    ("text", "followers", "fires"),
    [
        ("Acme leaked our data", 100_000, True),  # crisis term: the reach threshold
        ("Acme leaked our data", 99_999, False),
        ("Acme is awful, never again", 1_000_000, True),  # no term: ten times the threshold
        ("Acme is awful, never again", 999_999, False),
    ],
)
def test_a_loud_negative_post_on_both_sides(text: str, followers: int, fires: bool) -> None:
    post = M(NOW - timedelta(minutes=5), text, "negative", -0.8, "famous", followers)
    verdict = judge([*ordinary(10), post], NOW)
    assert verdict is not None and verdict.fired is fires
    if fires:
        assert verdict.started_at == post.created_at and "famous" in verdict.reasons[-1]


def test_a_positive_post_by_a_big_account_is_not_loud() -> None:
    post = M(NOW - timedelta(minutes=5), "Acme security is great", "positive", 0.8, "big", 10**7)
    verdict = judge([*ordinary(10), post], NOW)
    assert verdict is not None and not verdict.fired


def test_history_threshold_on_both_sides() -> None:
    old = M(NOW - timedelta(hours=48), "Acme opened a store", "neutral", 0.0, "a")
    assert judge([old, *complaints(150)], NOW) is None  # two days: the normal detectors judge
    newer = M(NOW - timedelta(hours=47, minutes=59), "Acme opened a store", "neutral", 0.0, "a")
    verdict = judge([newer, *complaints(150)], NOW)
    assert verdict is not None and verdict.fired
    assert verdict.sentence.startswith("Only 47 h of history")
    assert judge([], NOW) is None


def test_settings_move_the_thresholds() -> None:
    strict = ColdStartSettings(min_crisis_negatives=20)
    verdict = judge(complaints(19), NOW, strict)
    assert verdict is not None and not verdict.fired


def test_the_built_in_crisis_terms_match_whole_words_by_stem() -> None:
    pattern = crisis_pattern()
    assert pattern.search("passwords LEAKED")
    assert not pattern.search("a bleak, shacky week")  # a stem must start a word
    assert not pattern.search("Still no refund from Acme")


def test_brand_keywords_count_as_crisis_terms_in_any_form() -> None:
    refunds = [
        M(NOW - timedelta(minutes=30 - i), "Acme still owes me refunds, awful", "negative", -0.7,
          f"u{i}")
        for i in range(15)
    ]  # fmt: skip
    assert not judge(refunds, NOW).fired  # type: ignore[union-attr]
    verdict = judge(refunds, NOW, keywords=("refund",))
    assert verdict is not None and verdict.fired
    assert verdict.evidence["crisis_terms"] == [{"term": "refund", "count": 15}]


def test_history_sentence_units() -> None:
    assert history_sentence(timedelta(seconds=20)).startswith("Only 1 min of")
    assert history_sentence(timedelta(hours=2, minutes=40)).startswith("Only 2 h of")


# -- through the storm assessment ----------------------------------------------------------------


def test_assess_says_the_baseline_is_short_in_its_first_reason() -> None:
    result = assess(complaints(150), NOW, StormSettings(keywords=("breach",)))
    assert result.fired and result.severity == "high"
    assert result.reasons[0] == (
        "Only 40 min of history for this brand: judged on content, not on volume."
    )
    assert result.evidence["short_baseline"] == result.reasons[0]
    assert result.evidence["alert_at"] is None
    assert result.evidence["cold_start"]["crisis_negatives"] == 150


def test_assess_on_a_calm_cold_start_stays_quiet() -> None:
    result = assess(ordinary(30, negatives=4), NOW)
    assert not result.fired
    assert "short_baseline" in result.evidence


def test_with_two_days_of_history_the_normal_path_decides() -> None:
    calm = [
        M(NOW - timedelta(days=3) + timedelta(minutes=45 * i), "Does Acme ship?", "neutral", 0.0)
        for i in range(int(3 * 24 * 60 / 45) - 2)
    ]
    result = assess([*calm, *complaints(150)], NOW)
    assert result.fired
    assert "short_baseline" not in result.evidence
    assert not any("judged on content" in r for r in result.reasons)


@pytest.mark.parametrize("hours", [47.0, 48.5])
def test_no_blind_spot_where_cold_start_hands_over_to_volume(hours: float) -> None:
    """The hand-off contract with `detectors.volume`: just under `min_history_hours` the
    cold-start path judges; just over it the volume detector must already be warm enough to
    alert on the breach storm. If the volume detector's warm-up grows, raise the threshold."""
    calm = []
    t = NOW - timedelta(hours=hours)
    while t < NOW - timedelta(minutes=40):
        calm.append(M(t, "Does Acme ship to Canada?", "neutral", 0.0, "a"))
        t += timedelta(minutes=45)
    result = assess([*calm, *complaints(150)], NOW)
    assert result.fired
    assert ("short_baseline" in result.evidence) is (hours < 48)


@dataclass(frozen=True)
class RowM(M):
    language: str | None = None  # as the stored rows carry it


@pytest.mark.parametrize(
    ("text", "language", "terms"),
    [
        ("Изтекоха личните данни на клиентите, ужас", "bg", {"изтичане", "лични данни"}),
        ("iztekoha dannite na klientite, uzhas", "bg", {"изтичане"}),
        ("Хакнаха ни, откраднаха паролите! Срамота", None, {"хакване", "кражба", "пароли"}),
        ("Изтекоха данните, ужас", "en", set()),  # an English mention: English terms only
    ],
)
def test_bulgarian_crisis_terms_count_in_any_form(
    text: str, language: str | None, terms: set[str]
) -> None:
    burst = [
        RowM(NOW - timedelta(minutes=30 - i), text, "negative", -0.8, f"u{i}", language=language)
        for i in range(15)
    ]
    verdict = judge(burst, NOW)
    assert verdict is not None
    assert verdict.fired == bool(terms)
    assert {t["term"] for t in verdict.evidence["crisis_terms"]} == terms


# -- catching up after an outage ---------------------------------------------------------------


def _steady(start: datetime, end: datetime, per_hour: float, seed: int = 1) -> list[M]:
    """Ordinary mentions (questions, praise, the odd complaint) at `per_hour` on average."""
    rng = random.Random(seed)
    texts = [("Does Acme ship to Canada?", "neutral"), ("Love my Acme order", "positive"),
             ("Acme support was slow today", "negative")]  # fmt: skip
    out, t = [], start
    while True:
        t += timedelta(minutes=rng.expovariate(per_hour / 60))
        if t >= end:
            return out
        text, label = texts[0 if rng.random() < 0.6 else 1 if rng.random() < 0.8 else 2]
        out.append(M(t, text, label, -0.5 if label == "negative" else 0.3, f"u{len(out)}", 200))


def _breach(began: datetime, n: int, minutes: int) -> list[M]:
    """`n` posts about a breach over `minutes`, from 30 people."""
    return [
        M(began + k * timedelta(minutes=minutes) / n, BREACH, "negative", -0.9, f"victim{k % 30}",
          150)
        for k in range(n)
    ]  # fmt: skip


def _passes(
    everything: list[M], times: list[datetime], settings: StormSettings
) -> list[Assessment]:
    """The tracker resumed pass after pass as the live bot runs it (reading from `resume_from`,
    and again from `details_from` for an alert it lacks the posts of), each verdict checked
    against a replay of the whole history (a state rebuilt from the mentions); pickled between
    passes, as it is stored."""
    tracker = StormTracker(settings)
    out = []
    for now in times:
        tracker = pickle.loads(pickle.dumps(tracker))
        since = tracker.resume_from(now)
        given = [m for m in everything if (since is None or since <= m.created_at <= now)
                 and m.created_at <= now]  # fmt: skip
        a = tracker.assess(given, now, complete_from=since)
        if a.details_from is not None:
            given = [m for m in everything if a.details_from <= m.created_at <= now]
            a = tracker.assess(given, now, complete_from=a.details_from)
        full = [m for m in everything if m.created_at <= now]
        b = assess(full, now, settings)
        assert (a.fired, a.started_at, a.severity, a.reasons, a.evidence, a.details_from) == (
            b.fired, b.started_at, b.severity, b.reasons, b.evidence, None,
        ), now  # fmt: skip
        assert [given[i] for i in a.sample_indexes] == [full[i] for i in b.sample_indexes], now
        out.append(a)
    assert tracker.rebuilds == 1
    return out


def test_a_cold_start_storm_no_pass_saw_is_alerted_late_resumed_or_rebuilt() -> None:
    """Connected an hour before the worker went down for three hours, during which a breach
    storm came and went: every pass back alerts it late (as cold start judged its windows) for
    as long as volume and content storms are, and a resumed state says what a rebuilt one does."""
    start = NOW - timedelta(hours=8)
    began = start + timedelta(minutes=90)
    everything = sorted(
        _steady(start, NOW + timedelta(hours=4), 12) + _breach(began, 40, 30),
        key=lambda m: m.created_at,
    )
    settings = StormSettings(keywords=("breach",))
    before = [start + timedelta(minutes=m) for m in (20, 40, 60)]
    back = start + timedelta(hours=4)
    after = [back + timedelta(minutes=7 * k) for k in range(50)]
    verdicts = _passes(everything, before + after, settings)
    assert not any(v.fired for v in verdicts[:3])
    first = verdicts[3]
    assert first.fired and first.evidence["late"] and first.evidence["alert_at"] is None
    assert first.reasons[0].startswith("Only 1 h of history for this brand")
    assert first.started_at is not None and began <= first.started_at < began + BIN
    assert first.evidence["cold_start"]["crisis_negatives"] >= 15
    # Late until the storm's first window (its end within the storm's first half hour) is
    # older than the late hours; not after, as for volume and content.
    limit = first.started_at + timedelta(hours=6)
    fired = [when for when, v in zip(after, verdicts[3:], strict=True) if v.fired]
    assert fired == [when for when in after if when <= fired[-1]]
    assert limit <= fired[-1] < limit + timedelta(minutes=30)
    assert all(v.started_at == first.started_at for v in verdicts[3:] if v.fired)


@pytest.mark.parametrize("per_hour", [24, 12], ids=["content-only", "volume-too"])
def test_a_storm_across_the_hand_over_is_judged_alike_resumed_or_rebuilt(per_hour: int) -> None:
    """The worker was down from 46 h of history to 49 h; a breach storm began half an hour before
    the brand's history reached two days. Cold start judged its first windows, the full detector
    the rest: pass after pass (resumed from the last hour once the history is long, reading the
    storm's posts only for the alert) the tracker says what a replay says, and the storm is
    alerted: late on its cold-start windows (dated at its start), or by the volume detector."""
    start = NOW - timedelta(hours=48)
    began = NOW - timedelta(minutes=30)
    everything = sorted(
        _steady(start, NOW + timedelta(hours=8), per_hour)
        + _breach(began, 30 if per_hour == 24 else 40, 45),
        key=lambda m: m.created_at,
    )
    settings = StormSettings(keywords=("breach",))
    back = NOW + timedelta(hours=1)
    times = [start + timedelta(hours=46)] + [back + timedelta(minutes=7 * k) for k in range(40)]
    verdicts = _passes(everything, times, settings)
    assert not verdicts[0].fired
    assert all(v.fired for v in verdicts[1:20])
    started = {v.started_at for v in verdicts[1:20]}
    assert len(started) == 1  # one storm
    if per_hour == 24:
        assert verdicts[1].evidence["short_baseline"] and verdicts[1].evidence["late"]
        assert verdicts[1].started_at is not None and began <= verdicts[1].started_at < began + BIN


def test_the_quotes_take_a_reposted_post_once() -> None:
    """An X repost is a mention of its own ("RT @jane: …", cut with "…"): the card quotes the
    post once, not once per repost; a different complaint is still quoted."""
    post = "Acme lost my bag again and nobody at the desk would even look for it, three hours now"
    texts = [
        post,
        f"RT @jane: {post}",
        f"RT @jane_t: {post[:60]}…",
        "Acme lost my bag too",
    ]
    mentions = [M(NOW, t, "negative", -0.8, f"u{i}") for i, t in enumerate(texts)]

    assert distinct_texts(mentions, [0, 1, 2, 3]) == [0, 3]
    # The cut repost came first (a loud reposter): the post it repeats takes its place, whole.
    assert distinct_texts(mentions, [2, 0, 1, 3]) == [0, 3]
    assert distinct_texts(mentions, [1, 3, 0]) == [0, 3]  # an uncut "RT @jane: " copy too
    # Found after the quotes are full: it still replaces its copy; a copy alone stays quoted.
    more = [M(NOW, f"Acme complaint number {k} about the lost bags", "negative", -0.8, f"v{k}")
            for k in range(6)]  # fmt: skip
    both = [*mentions, *more]
    assert distinct_texts(both, [2, 4, 5, 6, 7, 8, 9, 0]) == [0, 4, 5, 6, 7]
    assert distinct_texts(both, [2, 4, 5, 6, 7, 8, 9]) == [2, 4, 5, 6, 7]


def test_the_quotes_take_a_retyped_text_once() -> None:
    """Replies under one YouTube comment retype it ("same here …"): of two texts of 5+ words
    sharing 80 % of their words, the card quotes the first; short texts and different complaints
    sharing a few words are quoted each."""
    texts = [
        "Same here, my card was declined too at the Acme store",
        "same here my card got declined too at the acme store!",
        "Acme app is down",
        "Acme site is down",
        "My Acme card was charged twice and support hung up on me",
    ]
    mentions = [M(NOW, t, "negative", -0.8, f"u{i}") for i, t in enumerate(texts)]

    assert distinct_texts(mentions, [0, 1, 2, 3, 4]) == [0, 2, 3, 4]
