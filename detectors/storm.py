"""Storm assessment: is a brand in a mention storm right now, and why.

Pure: takes plain mention records (anything with the attributes of `MentionLike`) and settings,
returns an `Assessment`. The live bot, `crisisbot detect` and `crisisbot backtest --mentions` all
call `assess()`, so a backtest shows exactly what the bot would have done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol


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


@dataclass(slots=True)
class Assessment:
    fired: bool
    started_at: datetime | None = None  # first mention of the storm (time to detect starts here)
    severity: str = "low"  # low | medium | high | critical
    reasons: list[str] = field(default_factory=list)  # plain sentences for a comms lead
    evidence: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable
    sample_indexes: list[int] = field(default_factory=list)  # mentions to quote, most telling first


def assess(
    mentions: Sequence[MentionLike], now: datetime, settings: StormSettings | None = None
) -> Assessment:
    """First version: the last window's volume and negative share against the trailing week."""
    s = settings or StormSettings()
    window = timedelta(minutes=s.window_minutes)
    recent = [i for i, m in enumerate(mentions) if now - window < m.created_at <= now]
    base = [m for m in mentions if now - timedelta(days=7) < m.created_at <= now - window]
    windows_in_base = max(1.0, (timedelta(days=7) - window) / window)
    expected = len(base) / windows_in_base
    observed = len(recent)
    neg = sum(1 for i in recent if mentions[i].label == "negative")
    share = neg / observed if observed else 0.0
    base_share = sum(1 for m in base if m.label == "negative") / len(base) if base else 0.0
    fired = observed >= max(10, 4 * expected + 5)
    evidence = {
        "observed": observed,
        "expected": round(expected, 2),
        "negative_share": round(share, 3),
        "baseline_negative_share": round(base_share, 3),
        "window_minutes": s.window_minutes,
    }
    if not fired:
        return Assessment(fired=False, evidence=evidence)
    reasons = [
        f"{observed} mentions in the last {s.window_minutes} minutes against about "
        f"{expected:.1f} expected.",
        f"{share:.0%} of them are negative (usually {base_share:.0%}).",
    ]
    samples = sorted(recent, key=lambda i: (mentions[i].polarity or 0.0))[:5]
    return Assessment(
        fired=True,
        started_at=min(mentions[i].created_at for i in recent),
        severity="high" if share >= 0.5 else "medium",
        reasons=reasons,
        evidence=evidence,
        sample_indexes=samples,
    )
