from __future__ import annotations

import pytest

from detectors.keywords import (
    KeywordMatcher,
    LanguageKeywords,
    keywords_for_languages,
    matcher_for,
    skeleton,
    word_keys,
)

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


def test_a_text_read_once_matches_alike_and_stays_out_of_the_cache() -> None:
    """A mention being stored is read once (`once=True`): the texts storm passes repeat keep
    the cache."""
    text = "Течът на данните от Vivacom е огромен, read once"
    cached = KeywordMatcher._find.cache_info().currsize
    assert MATCHER.find(text, once=True) == {"теч на данни", "виваком"}
    assert KeywordMatcher._find.cache_info().currsize == cached
    assert MATCHER.find(text) == {"теч на данни", "виваком"}


def test_words_that_cannot_begin_a_term_are_not_looked_up() -> None:
    """A mention is full of words seen once (order numbers, link slugs, handles): looking one
    up costs ~150 µs of transliteration attempts, which made brand matching as slow as the
    sentiment analysis in `crisisbot ingest`. Words that start like no term are skipped."""
    text = "Течът на данните от Vivacom, поръчка 90817263 xq7zk2 @user_5521"
    missed = word_keys.cache_info().misses
    assert MATCHER.find(text, once=True) == {"теч на данни", "виваком"}
    looked_up = word_keys.cache_info().misses - missed
    assert looked_up <= 3  # "течът", "данните", "vivacom" at most; never the number or slug
    assert MATCHER.find("поръчка 90817263 xq7zk2 vivakom") == {"виваком"}


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


BY_LANGUAGE = LanguageKeywords(
    (
        ("*", ("acme",)),
        ("en", ("breach", "outage")),
        ("bg", ("изтичане", "теч на данни", "срив")),
    )
)


@pytest.mark.parametrize(
    ("text", "language", "terms"),
    [
        # Each mention is matched against its own language's list, in any inflected form.
        ("Изтекоха данните на клиентите, теч на данни", "bg", {"изтичане", "теч на данни"}),
        ("Сривове в мрежата на Acme цял ден", "bg", {"срив", "acme"}),
        ("iztekoha dannite na klientite", "bg", {"изтичане"}),  # Latin-script Bulgarian
        ("Acme breached our trust, outages all day", "en", {"breach", "outage", "acme"}),
        # Another language's keywords do not fire: a Bulgarian mention quoting "breach"...
        ("Казват breach, а то е просто срив", "bg", {"срив"}),
        # ...nor an English one with a Bulgarian word; a third language gets the shared list.
        ("Acme skandal, srivove, breach", "en", {"acme", "breach"}),
        ("Утечка данных Acme", "ru", {"acme"}),
        # Unknown language (rows stored before languages were): every list, as before.
        ("Изтекоха данните, massive breach", None, {"изтичане", "breach"}),
        ("Изтекоха данните, massive breach", "und", {"изтичане", "breach"}),
    ],
)
def test_keywords_match_in_the_mention_language(
    text: str, language: str | None, terms: set[str]
) -> None:
    assert BY_LANGUAGE.find(text, language) == terms
    assert set(BY_LANGUAGE.keywords) == {
        "acme", "breach", "outage", "изтичане", "теч на данни", "срив"
    }  # fmt: skip


def test_a_plain_keyword_list_is_every_language() -> None:
    plain = keywords_for_languages((), ("breach", "изтичане"))
    assert plain.find("Изтекоха данните, breach", "bg") == {"breach", "изтичане"}
    assert plain.find("Изтекоха данните, breach", "en") == {"breach", "изтичане"}
    assert not keywords_for_languages((), ())


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Хакнаха ни снощи", "хакване"),  # forms the dictionary lacks reach their family
        ("хакнали са банката", "хакване"),
        ("Сринаха се системите", "срив"),
        ("Прекъснаха тока", "прекъсване"),
    ],
)
def test_past_forms_the_dictionary_lacks_reach_their_family(text: str, term: str) -> None:
    assert KeywordMatcher(["хакване", "срив", "прекъсване"]).find(text) == {term}
    assert not KeywordMatcher(["хакване"]).find("хаха, много смешно")
