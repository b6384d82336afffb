"""A review's stars as its author's own verdict, over what the text's wording suggests.

A one-star review that reads "Great, another update that logs me out" is a complaint whatever
the lexicon makes of "great"; a five-star one that says "the old version crashed all the time"
is praise. For mentions that carry a star rating (App Store and Trustpilot reviews: the
connectors put it in `extra["rating"]`; a pushed or imported record's `rating` goes there too),
the rating decides the one thing detection counts, whether the mention is negative:

- 1 or 2 stars: negative. When the text did not read negative, the polarity is lowered to the
  negative threshold (`NEGATIVE_BELOW`), so that label and polarity agree and the text's own
  strong complaints still rank first among the quotes;
- 4 or 5 stars: not negative. When the text read negative, it is neutral with polarity 0 (the
  text and the stars disagree: neither praise nor complaint);
- 3 stars, or no rating: the text decides, as for any other mention.

When the rating changes the verdict, the signal `rating:N` says so. Text in a language the
analyzer does not read (neutral, "lang:unsupported") is judged by its stars all the same.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from detectors.sentiment import NEGATIVE_BELOW, Sentiment

NEGATIVE_STARS = frozenset({1, 2})
FAVOURABLE_STARS = frozenset({4, 5})


def stars(value: Any) -> int | None:
    """A rating of 1 to 5 as a whole number, or None for anything else (absent, 0, "5", True)."""
    return value if type(value) is int and 1 <= value <= 5 else None


def apply_rating(sentiment: Sentiment, rating: int | None) -> Sentiment:
    """The sentiment with the author's stars applied (see the module docstring)."""
    if rating in NEGATIVE_STARS and sentiment.label != "negative":
        return replace(
            sentiment,
            label="negative",
            polarity=min(sentiment.polarity, NEGATIVE_BELOW),
            signals=(*sentiment.signals, f"rating:{rating}"),
        )
    if rating in FAVOURABLE_STARS and sentiment.label == "negative":
        return replace(
            sentiment,
            label="neutral",
            polarity=0.0,
            signals=(*sentiment.signals, f"rating:{rating}"),
        )
    return sentiment
