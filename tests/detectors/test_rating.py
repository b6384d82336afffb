"""A review's stars over its wording: 1-2 negative, 4-5 not negative, 3 or none the text's."""

from __future__ import annotations

import pytest

from detectors.rating import apply_rating, stars
from detectors.sentiment import NEGATIVE_BELOW, Sentiment, analyze


@pytest.mark.parametrize("rating", [1, 2])
def test_one_or_two_stars_are_negative_whatever_the_wording(rating: int) -> None:
    praise = analyze("The app is fine I guess.", "en")
    assert praise.label == "positive"

    rated = apply_rating(praise, rating)

    assert rated.label == "negative"
    assert rated.polarity == NEGATIVE_BELOW  # label and polarity agree (at the threshold)
    assert rated.signals[-1] == f"rating:{rating}"


def test_a_complaint_with_one_star_keeps_its_own_strength() -> None:
    complaint = analyze("Crashes every time I check in. Useless.", "en")
    assert complaint.label == "negative"

    assert apply_rating(complaint, 1) == complaint  # nothing to change, nothing said


@pytest.mark.parametrize("rating", [4, 5])
def test_four_or_five_stars_are_not_negative(rating: int) -> None:
    relief = analyze("I never thought I would stop being angry at an airline app.", "en")
    assert relief.label == "negative"

    rated = apply_rating(relief, rating)

    assert (rated.label, rated.polarity) == ("neutral", 0.0)
    assert rated.signals[-1] == f"rating:{rating}"


def test_praise_with_five_stars_is_left_as_it_is() -> None:
    praise = analyze("Perfect app for checking in, love the new design!", "en")

    assert apply_rating(praise, 5) == praise


@pytest.mark.parametrize("rating", [3, None])
def test_three_stars_or_none_leave_the_text_to_decide(rating: int | None) -> None:
    for text in ("Useless, crashes all the time.", "Love it!", "Updated today."):
        sentiment = analyze(text, "en")
        assert apply_rating(sentiment, rating) == sentiment


def test_a_language_the_analyzer_does_not_read_is_judged_by_its_stars() -> None:
    unread = analyze("Paket nie angekommen, keine Antwort vom Support.", "de")
    assert unread == Sentiment(0.0, "neutral", ("lang:unsupported",), "de")

    rated = apply_rating(unread, 1)

    assert (rated.label, rated.lang) == ("negative", "de")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), (5, 5), (0, None), (6, None), ("5", None), (True, None), (4.5, None), (None, None)],
)
def test_only_a_whole_number_from_one_to_five_is_a_rating(
    value: object, expected: int | None
) -> None:
    assert stars(value) == expected
