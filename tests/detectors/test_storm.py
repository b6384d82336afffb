from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from detectors.storm import Assessment, StormSettings, assess
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
    later = assess(mentions, start + timedelta(hours=3), SETTINGS)
    assert not later.fired  # the alert was due three hours ago; the bot already posted it


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


def test_empty_and_tiny_inputs() -> None:
    now = datetime(2024, 1, 1, 12)
    assert assess([], now) == Assessment(fired=False, evidence=assess([], now).evidence)
    assert not assess([M(created_at=now - timedelta(minutes=1))], now).fired
