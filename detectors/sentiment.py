"""Per-mention sentiment: TextBlob polarity as the base (offline, no corpus downloads)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textblob import TextBlob

Label = Literal["negative", "neutral", "positive"]


@dataclass(frozen=True, slots=True)
class Sentiment:
    polarity: float  # -1 .. 1
    label: Label


def analyze(text: str) -> Sentiment:
    polarity = float(TextBlob(text).sentiment.polarity)
    label: Label = "negative" if polarity < 0 else "positive" if polarity > 0.1 else "neutral"
    return Sentiment(polarity=polarity, label=label)
