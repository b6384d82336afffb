"""Cold start: judge a brand on what its mentions say while its history is too short for volume.

The volume detector needs about two days of a brand's mentions before it trusts its spreads (a day
to learn the daily profile, a day of residuals on it), and the negative-share and crisis-term
comparisons in `detectors.storm` need a baseline to compare with. A source connected in the middle
of a storm, a new brand or a platform that keeps no history has neither. Until the brand has
`min_history_hours` of mentions, `judge` decides on absolute evidence in the last
`window_minutes`, with fixed thresholds (the defaults of `ColdStartSettings`):

* a burst: at least `min_crisis_negatives` (15) negative mentions naming a crisis term (the
  brand's keywords in any form `detectors.keywords` matches in the mention's language, or
  `CRISIS_TERMS`, or for Bulgarian mentions `CRISIS_TERMS_BY_LANGUAGE`), from at least
  `min_authors` (10) distinct authors, while at least `min_negative_share` (50 %) of the window's
  mentions are negative; or
* a loud post: a negative mention naming a crisis term by an author with at least
  `reach_threshold` followers, or any negative mention by one with ten times that.

An ordinary first hour (a few mixed mentions, the odd complaint) fires neither. Every verdict
carries the sentence "Only 2 h of history for this brand: judged on content, not on volume." so
the alert says why it is not comparing with the past.

`judge_window` is the same verdict on any window: `detectors.storm` judges each settled window of
a brand's short history with it once, so a storm no pass saw (the worker was down) is still
alerted late, as volume and content storms are.

Pure: plain mention records in (the attributes of `detectors.storm.MentionLike`), a verdict out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from detectors.keywords import keywords_for_languages

# English words that make a complaint a crisis whatever the brand; stems match their inflections
# ("leak*" matches "leaked", "leaks"). A brand's own `keywords` are matched besides these.
CRISIS_TERMS: tuple[str, ...] = (
    "breach*",
    "leak*",
    "hack*",
    "password*",
    "stolen",
    "exposed",
    "scam*",
    "fraud*",
    "lawsuit*",
    "recall*",
    "boycott*",
    "outage*",
    "unsafe",
    "injur*",
    "poison*",
    "contaminat*",
    "scandal*",
    "racis*",
    "discriminat*",
    "harass*",
)
# The same for Bulgarian mentions (and mentions of unknown language), as dictionary forms that
# `detectors.keywords` matches in any inflected form and in Latin letters ("изтекоха",
# "изтичането", "iztekoha"; "хакнаха"; "измамиха").
CRISIS_TERMS_BY_LANGUAGE: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "bg",
        (
            "изтичане",
            "теч на данни",
            "лични данни",
            "пароли",
            "хакване",
            "кражба",
            "измама",
            "мошеничество",
            "бойкот",
            "скандал",
            "отравяне",
            "опасен",
            "изтегляне от пазара",
            "срив",
            "авария",
            "пострадал",
            "расизъм",
            "дискриминация",
            "тормоз",
        ),
    ),
)


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


@dataclass(frozen=True, slots=True)
class ColdStartSettings:
    min_history_hours: float = 48.0  # less mention history than this: judged here, on content
    min_crisis_negatives: int = 15  # negative mentions naming a crisis term, in the window...
    min_authors: int = 10  # ...from at least this many distinct authors...
    min_negative_share: float = 0.5  # ...while this share of the window is negative
    loud_multiple: int = 10  # any negative post by reach_threshold x this many followers


@dataclass(slots=True)
class ColdVerdict:
    fired: bool
    history: timedelta  # from the brand's first mention to now
    sentence: str  # "Only 2 h of history for this brand: judged on content, not on volume."
    started_at: datetime | None = None
    severity: str = "low"
    reasons: list[str] = field(default_factory=list)  # after `sentence`
    evidence: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable
    sample_indexes: list[int] = field(default_factory=list)


@lru_cache(maxsize=64)
def crisis_pattern(keywords: tuple[str, ...] = ()) -> re.Pattern[str]:
    """`CRISIS_TERMS` (and `keywords`, literally) as one case-insensitive whole-word pattern."""
    words = [k.strip().lower() for k in (*CRISIS_TERMS, *keywords) if k.strip()]
    parts = sorted({re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in words})
    return re.compile(r"\b(" + "|".join(parts) + r")\b", re.IGNORECASE)


def history_sentence(history: timedelta) -> str:
    minutes = round(history.total_seconds() / 60)
    span = f"{max(minutes, 1)} min" if minutes < 60 else f"{minutes // 60} h"
    return f"Only {span} of history for this brand: judged on content, not on volume."


def judge(
    mentions: Sequence[MentionLike],
    now: datetime,
    settings: ColdStartSettings | None = None,
    *,
    keywords: Sequence[str] = (),
    keywords_by_language: tuple[tuple[str, tuple[str, ...]], ...] = (),
    window_minutes: int = 60,
    reach_threshold: int = 100_000,
) -> ColdVerdict | None:
    """The cold-start verdict as of `now`, or None when the brand has history enough.

    History is measured from the first of `mentions` (the detector's look-back); those after
    `now` are ignored.
    """
    s = settings or ColdStartSettings()
    enough = timedelta(hours=s.min_history_hours)
    if mentions and now - enough >= mentions[0].created_at:  # the usual case, without a scan
        return None
    first = min((m.created_at for m in mentions if m.created_at <= now), default=None)
    if first is None:
        return None
    history = now - first
    if history >= enough:
        return None
    start = now - timedelta(minutes=window_minutes)
    window = [i for i, m in enumerate(mentions) if start < m.created_at <= now]
    return judge_window(
        mentions,
        window,
        history,
        s,
        keywords=keywords,
        keywords_by_language=keywords_by_language,
        window_minutes=window_minutes,
        reach_threshold=reach_threshold,
    )


def judge_window(
    mentions: Sequence[MentionLike],
    window: Sequence[int],
    history: timedelta,
    settings: ColdStartSettings | None = None,
    *,
    keywords: Sequence[str] = (),
    keywords_by_language: tuple[tuple[str, tuple[str, ...]], ...] = (),
    window_minutes: int = 60,
    reach_threshold: int = 100_000,
    found: dict[int, set[str]] | None = None,
) -> ColdVerdict:
    """The cold-start verdict on the mentions at `window` (indexes into `mentions`, a window of
    `window_minutes`) for a brand with `history` of mentions by the window's end: `judge` on the
    current window, and `detectors.storm` on each settled window it catches up on after an
    outage. `found` caches each negative mention's crisis terms between overlapping windows."""
    s = settings or ColdStartSettings()
    pattern = crisis_pattern()
    built_in = keywords_for_languages(CRISIS_TERMS_BY_LANGUAGE)
    # The brand's keywords in any inflected form, from the list of each mention's language.
    brand_terms = keywords_for_languages(keywords_by_language, tuple(keywords))
    negative = [i for i in window if mentions[i].label == "negative"]
    terms: dict[int, set[str]] = {}
    for i in negative:
        hit = found.get(i) if found is not None else None
        if hit is None:
            text = mentions[i].text or ""
            language = language_of(mentions[i])
            hit = {f.lower() for f in pattern.findall(text)} | brand_terms.find(text, language)
            if language == "bg" or (language in (None, "", "und") and not text.isascii()):
                hit |= built_in.find(text, language)
            if found is not None:
                found[i] = hit
        if hit:
            terms[i] = hit
    crisis = sorted(terms)
    authors = {_author_key(mentions[i]) for i in crisis}
    share = len(negative) / len(window) if window else 0.0
    burst = (
        len(crisis) >= s.min_crisis_negatives
        and len(authors) >= s.min_authors
        and share >= s.min_negative_share
    )
    loud = sorted(
        (
            i
            for i in negative
            if (mentions[i].author_followers or 0)
            >= (reach_threshold if i in terms else s.loud_multiple * reach_threshold)
        ),
        key=lambda i: -(mentions[i].author_followers or 0),
    )
    counted: dict[str, int] = {}
    for i in crisis:
        for term in terms[i]:
            counted[term] = counted.get(term, 0) + 1
    top_terms = sorted(counted, key=lambda t: (-counted[t], t))[:5]
    sentence = history_sentence(history)
    evidence: dict[str, Any] = {
        "history_minutes": int(history.total_seconds() // 60),
        "window_minutes": window_minutes,
        "window_mentions": len(window),
        "negative_share": round(share, 3),
        "crisis_negatives": len(crisis),
        "crisis_authors": len(authors),
        "crisis_terms": [{"term": t, "count": counted[t]} for t in top_terms],
        "loud": [
            {"author": mentions[i].author, "followers": mentions[i].author_followers}
            for i in loud[:3]
        ],
        "thresholds": {
            "min_history_hours": s.min_history_hours,
            "min_crisis_negatives": s.min_crisis_negatives,
            "min_authors": s.min_authors,
            "min_negative_share": s.min_negative_share,
            "reach_threshold": reach_threshold,
        },
        "fired_on": [name for name, hit in (("burst", burst), ("loud", bool(loud))) if hit],
    }
    if not burst and not loud:
        return ColdVerdict(False, history, sentence, evidence=evidence)
    reasons = []
    if burst:
        named = ", ".join(f"“{t}” ({counted[t]})" for t in top_terms)
        reasons.append(
            f"{len(crisis)} negative mentions naming crisis terms in the last {window_minutes} "
            f"minutes, from {len(authors)} different authors: {named}."
        )
        reasons.append(f"{share:.0%} of the window's {len(window)} mentions are negative.")
    for i in loud[:3]:
        reasons.append(
            f"High-reach negative post by {mentions[i].author or 'an unknown author'} "
            f"({mentions[i].author_followers or 0:,} followers)."
        )
    fired_on = (crisis if burst else []) + loud
    big = burst and len(crisis) >= 3 * s.min_crisis_negatives
    return ColdVerdict(
        True,
        history,
        sentence,
        started_at=min(mentions[i].created_at for i in fired_on),
        severity="high" if (burst and loud) or big else "medium",
        reasons=reasons,
        evidence=evidence,
        sample_indexes=_samples(mentions, loud, crisis),
    )


def language_of(mention: object) -> str | None:
    """A mention's stored language (`language` on rows, `lang` on some records), if any."""
    return getattr(mention, "language", None) or getattr(mention, "lang", None)


def _author_key(m: MentionLike) -> str:
    """Distinct authors; an anonymous mention counts by its text, so pasted copies count once."""
    if m.author:
        return "@" + m.author.lower()
    return " ".join((m.text or "").lower().split())


def _samples(mentions: Sequence[MentionLike], loud: list[int], crisis: list[int]) -> list[int]:
    """Loud posts first, then the most negative crisis mentions, no text twice."""
    rest = sorted(
        (i for i in crisis if i not in loud),
        key=lambda i: mentions[i].polarity or 0.0,
    )
    return distinct_texts(mentions, loud + rest)


_REPOST = re.compile(r"^rt @\w+: ")


def distinct_texts(mentions: Sequence[MentionLike], order: list[int], limit: int = 5) -> list[int]:
    """The first `limit` of `order` with no text twice (case and spacing ignored): five copies of
    one retweeted complaint tell a comms lead less than five different ones. A repost's "RT
    @author: " is not its text, and X cuts a repost's text with "…": a cut text is the same as
    any text it begins (a cut of under 30 characters says too little to tell). Near-copies are
    the same text too: of two texts of 5+ words, 80 % of their words shared ("same here, my card
    was declined too" and "same here my card got declined too!" under one YouTube comment).

    A repost comes first when its reposter is loud (2 million followers), and its copy is cut:
    the post it repeats, when it is among the rest, takes the copy's place, so the card quotes
    the post whole (the reposter stays in the reasons' high-reach line)."""
    out: list[int] = []
    # (text, its words, cut, a repost's copy); at most `limit`, so a scan is cheap
    seen: list[tuple[str, frozenset[str], bool, bool]] = []
    for i in order:
        raw = " ".join((mentions[i].text or "").lower().split())
        key = _REPOST.sub("", raw)
        cut = key.endswith("…") and len(key) > 30
        if cut:
            key = key[:-1].rstrip()
        copy = cut or key != raw
        words = frozenset(_WORD.findall(key))
        same = next(
            (
                j
                for j, (k, w, was_cut, _) in enumerate(seen)
                if k == key
                or (cut and k.startswith(key))
                or (was_cut and key.startswith(k))
                or (not cut and not was_cut and _near(words, w))
            ),
            None,
        )
        if same is not None:
            if seen[same][3] and not copy:  # the post a quoted copy repeats: quote it instead
                seen[same], out[same] = (key, words, False, False), i
            continue
        if len(out) == limit:
            if not any(c for *_, c in seen):
                break
            continue  # full, but still looking for the post a quoted copy repeats
        seen.append((key, words, cut, copy))
        out.append(i)
    return out


_WORD = re.compile(r"\w+")


def _near(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two texts of 5+ words sharing 80 % of their words (Jaccard): one text, retyped."""
    if len(a) < 5 or len(b) < 5:
        return False
    return len(a & b) >= 0.8 * len(a | b)
