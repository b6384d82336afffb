from __future__ import annotations

import pytest

from detectors.keywords import KeywordMatcher, matcher_for, skeleton

MATCHER = KeywordMatcher(
    ["Изтичане", "теч на данни", "breach", "recall", "Виваком", "скандал", "прекъсване"]
)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Изтекоха данните на всички клиенти, скандал", {"изтичане", "скандал"}),
        ("Изтичането на лични данни продължава", {"изтичане"}),
        ("Голям теч на данни в банката", {"теч на данни"}),
        ("Течът на данните от Vivacom е огромен", {"теч на данни", "виваком"}),
        ("vivakom pak ne raboti", {"виваком"}),
        ("ВИВАКОМ мълчи", {"виваком"}),
        ("skandal v bankata", {"скандал"}),
        ("Скандалът расте", {"скандал"}),
        ("Прекъсвания на тока в цяла София", {"прекъсване"}),
        ("Acme breached our trust, massive data breaches", {"breach"}),
        ("They are recalling the product", {"recall"}),
    ],
)
def test_inflected_and_cross_script_forms_match(text: str, terms: set[str]) -> None:
    assert MATCHER.find(text) == terms


@pytest.mark.parametrize(
    "text",
    [
        "Тичане в парка сутрин",  # "изтичане" is not any word ending in "тичане"
        "breakfast at the new shop",
        "Данни от проучването",  # one word of a phrase is not the phrase
        "на данни теч",  # nor its words out of order
        "",
    ],
)
def test_unrelated_text_does_not_match(text: str) -> None:
    assert MATCHER.find(text) == set()


def test_empty_keyword_list_matches_nothing() -> None:
    matcher = KeywordMatcher(["", "  "])
    assert not matcher
    assert matcher.find("изтекоха данните") == set()


def test_skeleton_ignores_script_and_common_spelling_variants() -> None:
    assert skeleton("Виваком") == skeleton("Vivacom") == skeleton("vivakom")
    assert skeleton("Кока-Кола") != skeleton("Пепси")


def test_matcher_for_is_shared_per_keyword_set() -> None:
    assert matcher_for(("breach",)) is matcher_for(("breach",))


@pytest.mark.parametrize("text", ["Coca-Cola recall", "кока-кола", "KOKA KOLA", "Кока-Кола пак"])
def test_brand_terms_match_across_scripts_and_spellings(text: str) -> None:
    assert KeywordMatcher(["Кока-Кола"]).find(text) == {"кока-кола"}
    assert KeywordMatcher(["Coca-Cola"]).find(text) == {"coca-cola"}
