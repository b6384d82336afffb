"""Storm assessment: is a brand in a mention storm right now, and why.

Pure: takes plain mention records (anything with the attributes of `MentionLike`) and settings,
returns an `Assessment`. The live bot, `crisisbot detect` and `crisisbot backtest --mentions` all
go through a `StormTracker` (the same verdict as `assess()`, keeping the volume detector's state
between passes), so a backtest shows exactly what the bot would have done.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from detectors import coldstart
from detectors.keywords import matcher_for
from detectors.language import language_shares
from detectors.volume import BinResult, VolumeDetector, VolumeSettings


class MentionLike(Protocol):
    @property
    def created_at(self) -> datetime: ...
    @property
    def text(self) -> str: ...
    @property
    def label(self) -> str | None: ...
    @property
    def polarity(self) -> float | None: ...
    @property
    def author(self) -> str | None: ...
    @property
    def author_followers(self) -> int | None: ...
    @property
    def url(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class StormSettings:
    bin_minutes: int = 5
    window_minutes: int = 60  # the "now" window compared with the baseline
    keywords: tuple[str, ...] = ()
    reach_threshold: int = 100_000
    baseline_days: int = 7  # negative share and keyword rates are compared with this past
    chart_hours: int = 24  # bins returned in evidence["series"]
    min_negative_rise: float = 0.2  # share points above usual before negativity counts
    volume: VolumeSettings | None = None  # None: defaults with bin_minutes
    cold_start: coldstart.ColdStartSettings | None = None  # None: the documented defaults


@dataclass(slots=True)
class Assessment:
    fired: bool
    started_at: datetime | None = None  # first mention of the storm (time to detect starts here)
    severity: str = "low"  # low | medium | high | critical
    reasons: list[str] = field(default_factory=list)  # plain sentences for a comms lead
    evidence: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable
    sample_indexes: list[int] = field(default_factory=list)  # mentions to quote, most telling first


@dataclass(slots=True)
class _Bins:
    starts: list[datetime]
    counts: list[int]
    negatives: list[int]
    first_index: list[int | None]  # first mention (by position) in each bin


def _bin_mentions(mentions: Sequence[MentionLike], now: datetime, width: timedelta) -> _Bins:
    """Counts per bin from the first mention's bin to the bin holding `now` (empty bins = 0)."""
    epoch = datetime(1970, 1, 1, tzinfo=now.tzinfo)
    last = (now - epoch) // width
    # Integer bin numbers: exact, and far cheaper per mention than float division and floor.
    keys = [(m.created_at - epoch) // width for m in mentions]
    first = min((k for k in keys if k <= last), default=last)
    n = last - first + 1
    counts, negatives = [0] * n, [0] * n
    first_index: list[int | None] = [None] * n
    for i, k in enumerate(keys):
        if k >= last and (k > last or mentions[i].created_at > now):
            continue
        k -= first
        counts[k] += 1
        if mentions[i].label == "negative":
            negatives[k] += 1
        if first_index[k] is None:
            first_index[k] = i
    return _Bins([epoch + (first + k) * width for k in range(n)], counts, negatives, first_index)


@dataclass(slots=True)
class _Content:
    """What the recent window says beyond volume: negativity, crisis terms, reach."""

    observed: int
    negative_share: float
    baseline_negative_share: float
    negative_z: float
    rising_terms: list[dict[str, Any]]
    top_reach: list[dict[str, Any]]
    window_indexes: list[int]
    languages: list[dict[str, Any]]  # share of each language among the window's mentions


def _content(mentions: Sequence[MentionLike], now: datetime, s: StormSettings) -> _Content:
    """One pass over the baseline period and the window."""
    window = timedelta(minutes=s.window_minutes)
    base_start = now - timedelta(days=s.baseline_days)
    # Keywords match in any inflected form and script ("изтичане" ~ "изтекоха", "breached").
    matcher = matcher_for(tuple(s.keywords))
    recent: list[int] = []
    base_n = base_neg = 0
    base_terms: Counter[str] = Counter()
    now_terms: Counter[str] = Counter()
    for i, m in enumerate(mentions):
        t = m.created_at
        if t <= base_start or t > now:
            continue
        terms = matcher.find(m.text) if matcher and m.text else None
        if t > now - window:
            recent.append(i)
            if terms:
                now_terms.update(terms)
        else:
            base_n += 1
            base_neg += m.label == "negative"
            if terms:
                base_terms.update(terms)
    windows_in_base = max(1.0, (timedelta(days=s.baseline_days) - window) / window)
    neg = sum(1 for i in recent if mentions[i].label == "negative")
    share = neg / len(recent) if recent else 0.0
    p0 = (base_neg + 1) / (base_n + 2)  # smoothed: an empty past is not 0% negative
    z = (share - p0) / math.sqrt(p0 * (1 - p0) / len(recent)) if recent else 0.0
    rising = []
    for term, count in now_terms.most_common():
        exp = base_terms[term] / windows_in_base
        if count >= 3 and count >= 3 * exp + 2:  # clearly above its usual rate
            rising.append({"term": term, "count": count, "expected": round(exp, 2)})
    reach = sorted(
        (i for i in recent if (mentions[i].author_followers or 0) >= s.reach_threshold),
        key=lambda i: -(mentions[i].author_followers or 0),
    )
    top = [
        {
            "index": i,
            "author": mentions[i].author,
            "followers": mentions[i].author_followers,
            "label": mentions[i].label,
            "url": mentions[i].url,
        }
        for i in reach[:5]
    ]
    # Mentions carry `lang` once stored with it (optional: older records and tests lack it).
    langs = [lang for i in recent if (lang := getattr(mentions[i], "lang", None))]
    languages = [{"lang": lang, "share": sh} for lang, sh in language_shares(langs)]
    return _Content(
        len(recent), share, base_neg / base_n if base_n else 0.0, z, rising, top, recent, languages
    )


def _storm_start(bins: _Bins, results: list[BinResult], alert: int) -> int | None:
    """Index of the first mention of the run of clearly-elevated bins ending at the alert bin."""
    k = alert
    floor = max(0, alert - results[alert].window_bins - 12)  # look back an hour past the scale
    while k - 1 >= floor and _elevated(results[k - 1]):
        k -= 1
    while k < alert and bins.first_index[k] is None:
        k += 1
    return bins.first_index[k]


def _elevated(r: BinResult) -> bool:
    return r.observed > r.expected + 2.0 * math.sqrt(r.expected + 1.0)


def _severity(points: int, fired: bool) -> str:
    if not fired:
        return "low"
    return "critical" if points >= 4 else "high" if points == 3 else "medium"


def assess(
    mentions: Sequence[MentionLike], now: datetime, settings: StormSettings | None = None
) -> Assessment:
    """Is the brand in a mention storm as of `now`, and why. O(number of mentions + bins).

    `fired` is True when a storm alert is due: the volume detector raised one within the last
    `window_minutes` (its `evidence["alert_at"]` stays the same across passes: one storm, one
    alert), or, conservatively, negativity and crisis terms rise together, or a very high-reach
    author posts negatively. With less history than `detectors.coldstart` needs (two days), its
    judgement on absolute content decides instead, and the first reason says the baseline is short.

    Replays the whole history through a fresh detector; pass after pass, a `StormTracker` gives
    the same answer while replaying only the last hour.
    """
    return StormTracker(settings or StormSettings()).assess(mentions, now)


@dataclass(slots=True)
class StormTracker:
    """`assess` for one brand, pass after pass, feeding the volume detector only what is new.

    The detector state is kept up to a safe point `settle_minutes` before the current bin; on each
    pass the settled bins since the last pass are fed once, then a copy replays the unsettled tail
    (late mentions may still land there). Before trusting the state it checks that every settled
    bin still holds the count it was fed; any difference (an import of older mentions, another
    database, time going backwards) rebuilds from the mentions given, which is what a fresh
    `assess` does. So the state is always derived from the mentions, and a restart only replays.
    """

    settings: StormSettings = field(default_factory=StormSettings)
    settle_minutes: int = 60
    rebuilds: int = 0  # how often the state was rebuilt from scratch (for tests and timings)
    _det: VolumeDetector | None = None
    _origin: datetime | None = None  # start of the first settled bin still cached
    _counts: list[int] = field(default_factory=list)  # settled bins fed into _det
    _results: list[BinResult] = field(default_factory=list)

    def assess(self, mentions: Sequence[MentionLike], now: datetime) -> Assessment:
        s = self.settings
        width = timedelta(minutes=s.bin_minutes)
        bins = _bin_mentions(mentions, now, width)
        verdict = _verdict(mentions, now, s, bins, self._volume(bins, width))
        cold = coldstart.judge(
            mentions,
            now,
            s.cold_start,
            keywords=s.keywords,
            window_minutes=s.window_minutes,
            reach_threshold=s.reach_threshold,
        )
        return verdict if cold is None else _cold_verdict(verdict, cold)

    def _volume(self, bins: _Bins, width: timedelta) -> list[BinResult]:
        """Detector results for every bin of `bins`: cached for settled bins, replayed after."""
        n = len(bins.starts)
        safe = max(0, n - max(1, self.settle_minutes // self.settings.bin_minutes))
        k0 = 0 if self._origin is None else round((self._origin - bins.starts[0]) / width)
        m = len(self._counts)
        # The first bin of a trimmed (look-back) history may be partial: it is not compared.
        lo = max(1, k0)
        stale = (
            self._det is None
            or k0 > 0  # older mentions than the cached history: replay them
            or k0 + m < 1  # no settled bin in common to check the state against
            or k0 + m > safe  # time went backwards
            or self._counts[lo - k0 :] != bins.counts[lo : k0 + m]
        )
        if stale:
            vs = self.settings.volume or VolumeSettings(bin_seconds=self.settings.bin_minutes * 60)
            self._det, self._origin, self._counts, self._results = (
                VolumeDetector(vs),
                bins.starts[0],
                [],
                [],
            )
            self.rebuilds += 1
            k0 = m = 0
        assert self._det is not None
        for k in range(k0 + m, safe):
            self._counts.append(bins.counts[k])
            self._results.append(self._det.update(bins.starts[k], float(bins.counts[k])))
        if k0 < 0:  # forget what fell out of the look-back; keep the detector state
            del self._counts[:-k0], self._results[:-k0]
            self._origin = bins.starts[0]
        tail = self._det.clone()
        return self._results + [
            tail.update(bins.starts[k], float(bins.counts[k])) for k in range(safe, n)
        ]


def _verdict(
    mentions: Sequence[MentionLike],
    now: datetime,
    s: StormSettings,
    bins: _Bins,
    results: list[BinResult],
) -> Assessment:
    """Combine the volume results with what the content says."""
    width = timedelta(minutes=s.bin_minutes)
    content = _content(mentions, now, s)
    window = timedelta(minutes=s.window_minutes)
    alert = next((k for k in range(len(results) - 1, -1, -1) if results[k].alert), None)
    volume_fired = alert is not None and bins.starts[alert] > now - window - width
    neg_rise = (
        content.negative_z >= 3.0
        and content.observed >= 10
        and content.negative_share >= content.baseline_negative_share + s.min_negative_rise
    )
    loud = [
        r
        for r in content.top_reach
        if r["label"] == "negative" and (r["followers"] or 0) >= 10 * s.reach_threshold
    ]
    content_fired = (neg_rise and bool(content.rising_terms)) or bool(loud)
    fired = volume_fired or content_fired
    evidence = _evidence(bins, results, content, s, alert if volume_fired else None)
    if not fired:
        return Assessment(fired=False, evidence=evidence)
    first = _storm_start(bins, results, alert) if volume_fired and alert is not None else None
    started = (
        mentions[first].created_at
        if first is not None
        else min((mentions[i].created_at for i in content.window_indexes), default=now)
    )
    r = results[alert] if volume_fired and alert is not None else results[-1]
    points = (
        volume_fired
        + (r.window_observed >= 5 * max(r.window_expected, 1.0))
        + neg_rise
        + bool(content.rising_terms)
        + bool(loud)
    )
    return Assessment(
        fired=True,
        started_at=started,
        severity=_severity(points, fired),
        reasons=_reasons(results, alert if volume_fired else None, content, s, neg_rise),
        evidence=evidence,
        sample_indexes=_samples(mentions, content),
    )


def _cold_verdict(base: Assessment, cold: coldstart.ColdVerdict) -> Assessment:
    """Too short a history for volume and baseline comparisons to mean anything: the cold-start
    judgement on absolute content decides (see `detectors.coldstart`), and the alert says so."""
    evidence = {
        **base.evidence,
        "alert_at": None,  # a content alert: the same storm is known by its start
        "short_baseline": cold.sentence,
        "cold_start": cold.evidence,
    }
    if not cold.fired:
        return Assessment(fired=False, evidence=evidence)
    return Assessment(
        fired=True,
        started_at=cold.started_at,
        severity=cold.severity,
        reasons=[cold.sentence, *cold.reasons],
        evidence=evidence,
        sample_indexes=cold.sample_indexes,
    )


def _evidence(
    bins: _Bins, results: list[BinResult], content: _Content, s: StormSettings, alert: int | None
) -> dict[str, Any]:
    """The numbers behind the verdict, JSON-serialisable (charts use `series`)."""
    r = results[alert] if alert is not None else results[-1]
    chart = max(1, s.chart_hours * 60 // s.bin_minutes)
    return {
        "observed": round(r.window_observed),
        "expected": round(r.window_expected, 1),
        "window_minutes": r.window_bins * s.bin_minutes,
        "z": round(r.z, 2),
        "score": round(r.score, 3),
        "alert_at": bins.starts[alert].isoformat() if alert is not None else None,
        "recent_mentions": content.observed,
        "negative_share": round(content.negative_share, 3),
        "baseline_negative_share": round(content.baseline_negative_share, 3),
        "rising_terms": content.rising_terms,
        "languages": content.languages,  # [{"lang": "bg", "share": 0.87}, …], largest first
        "top_reach": [{k: v for k, v in t.items() if k != "index"} for t in content.top_reach],
        "series": [
            [t.isoformat(), c, n]
            for t, c, n in zip(
                bins.starts[-chart:], bins.counts[-chart:], bins.negatives[-chart:], strict=True
            )
        ],
    }


def _reasons(
    results: list[BinResult], alert: int | None, content: _Content, s: StormSettings, neg_rise: bool
) -> list[str]:
    """Plain sentences for a comms lead, most important first."""
    out = []
    if alert is not None:
        r = results[alert]
        minutes = r.window_bins * s.bin_minutes
        out.append(volume_sentence(r.window_observed, r.window_expected, minutes))
        out.append(f"That is {_unusual(r.z)} for this brand (volume score {r.score:.2f}).")
    else:
        r = results[-1]
        observed = _mentions(round(r.window_observed))
        out.append(
            f"Volume itself is not unusual yet: {observed} in the last "
            f"{r.window_bins * s.bin_minutes} minutes, {_expected_short(r.window_expected)}."
        )
    if content.observed:
        trend = "up from" if neg_rise else "usually"
        out.append(
            f"{content.negative_share:.0%} of the last {s.window_minutes} minutes' "
            f"{content.observed} mentions are negative ({trend} "
            f"{content.baseline_negative_share:.0%})."
        )
    if content.rising_terms:
        terms = ", ".join(
            f"“{t['term']}” ({t['count']}, usually {_usual_count(t['expected'])})"
            for t in content.rising_terms[:5]
        )
        out.append(f"Crisis terms rising: {terms}.")
    for t in content.top_reach[:3]:
        out.append(
            f"High-reach post by {t['author'] or 'an unknown author'} "
            f"({t['followers']:,} followers, {t['label'] or 'unscored'})."
        )
    return out


# Below half a mention the rounded expectation is 0, and "about 0 expected" reads as a bug.
NONE_EXPECTED_BELOW = 0.5


def volume_sentence(observed: float, expected: float, minutes: int) -> str:
    """The alert's first reason: what was seen against what the time of day predicts."""
    seen = f"{_mentions(round(observed))} in {minutes} minutes"
    if expected < NONE_EXPECTED_BELOW:
        return f"{seen}, where none were expected at this time of day."
    about = round(expected)
    verb = "was" if about == 1 else "were"
    return (
        f"{seen} where about {about} {verb} expected at this time of day "
        f"({_times(observed / expected)} the usual)."
    )


def _expected_short(expected: float) -> str:
    if expected < NONE_EXPECTED_BELOW:
        return "none expected at this time of day"
    return f"about {round(expected)} expected"


def _usual_count(expected: float) -> str:
    return "none" if expected < NONE_EXPECTED_BELOW else str(round(expected))


def _mentions(n: int) -> str:
    return f"{n} mention" if n == 1 else f"{n} mentions"


def _times(ratio: float) -> str:
    """3.4 times, 12 times: one decimal only where it says something."""
    if ratio >= 10:
        return f"{ratio:.0f} times"
    return f"{ratio:.1f}".removesuffix(".0") + " times"


def _unusual(z: float) -> str:
    if z >= 12:
        return "extremely unusual, far beyond its normal bursts"
    if z >= 8:
        return "very unusual, well beyond its normal bursts"
    return "unusual, beyond its normal bursts"


def _samples(mentions: Sequence[MentionLike], content: _Content) -> list[int]:
    """High-reach posts first, then the most negative of the window, no text twice."""
    picked = [t["index"] for t in content.top_reach[:3]]
    rest = sorted(
        (i for i in content.window_indexes if i not in picked),
        key=lambda i: (
            mentions[i].polarity if mentions[i].polarity is not None else 0.0,
            -(mentions[i].author_followers or 0),
        ),
    )
    # Distinct texts: five copies of one retweeted complaint tell a comms lead less than five
    # different ones.
    out: list[int] = []
    seen: set[str] = set()
    for i in picked + rest:
        key = " ".join(mentions[i].text.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(i)
        if len(out) == 5:
            break
    return out
