from __future__ import annotations

import pytest

from detectors.language import (
    LANGUAGES,
    UNDETERMINED,
    detect_language,
    detect_languages,
    language_shares,
    transliterate,
)

SAMPLES = [
    ("bg", "Интернетът пак не работи от сутринта, кога ще го оправите?"),
    ("bg", "Много хубав филм, препоръчвам на всички"),
    ("bg", "Банката ми взе такса два пъти за един и същи превод"),
    ("ru", "Интернет опять не работает с утра, когда почините?"),
    ("ru", "Очень хороший фильм, всем рекомендую"),
    ("uk", "Інтернет знову не працює з ранку, коли полагодите?"),
    ("mk", "Интернетот пак не работи од утрово, кога ќе го поправите?"),
    ("sr", "Интернет опет не ради од јутрос, када ћете га поправити?"),
    ("en", "Internet down again since this morning, when will you fix it?"),
    ("de", "Der Service ist wirklich schrecklich und niemand antwortet"),
]


@pytest.mark.parametrize(("lang", "text"), SAMPLES)
def test_languages_of_short_mentions(lang: str, text: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "uzhasno obsluzhvane, nikoga poveche nyama da kupya ot tyah",
        "iztekoha dannite na vsichki klienti, skandal",
        "mnogo sum dovolna, blagodarya za burzata dostavka",
        "pak nqma internet, trety put tazi sedmica",
    ],
)
def test_latin_script_bulgarian_is_bulgarian(text: str) -> None:
    assert detect_language(text) == "bg"


def test_letters_bulgarian_never_uses_keep_russian_russian() -> None:
    # Every word but "ы"/"э" spellings could be Bulgarian; those letters decide.
    assert detect_language("Вы это серьёзно?") == "ru"


def test_short_or_elongated_english_stays_english() -> None:
    for text in ("Terrible service", "this is sooooo baaaad", "@FlyCo thanks!"):
        assert detect_language(text) == "en", text


def test_no_words_is_undetermined() -> None:
    for text in ("", "   ", "😡😡", "@brand https://x.y/z", "123 456"):
        assert detect_language(text) == UNDETERMINED


def test_handles_and_links_do_not_decide() -> None:
    text = "@TelcoNet_official https://example.com/news Пак няма ток в целия квартал"
    assert detect_language(text) == "bg"


def test_transliteration_prefers_bulgarian_words() -> None:
    assert transliterate("uzhasno obsluzhvane") == "ужасно обслужване"
    # "u"/"a"/"y" for ъ are tried when the plain reading is no Bulgarian word.
    assert transliterate("sum burz") == "съм бърз"
    assert transliterate("4akam") == "чакам"
    # "6t" is щ as "sht" is ("6te" = "ще"), and "nai-" the superlative prefix.
    assert transliterate("ne6to 6te") == "нещо ще"
    assert transliterate("nai-dobriqt") == "най-добрият"


def test_language_shares_for_storm_evidence() -> None:
    assert language_shares(["bg"] * 7 + ["en", None]) == [
        ("bg", pytest.approx(7 / 9, abs=1e-4)),
        ("en", pytest.approx(1 / 9, abs=1e-4)),
        ("und", pytest.approx(1 / 9, abs=1e-4)),
    ]
    assert language_shares([]) == []


def test_detect_languages_matches_detect_language() -> None:
    texts = [t for _, t in SAMPLES]
    assert detect_languages(texts) == [detect_language(t) for t in texts]


@pytest.mark.parametrize(
    "text",
    [
        "Много зле!",
        "Супер зле",
        "Кофти ден",
        "Ужааас, каква жега",
        "Бозааааа",
        "Евала!",
        "Мн як филм",
    ],
)
def test_short_bulgarian_is_not_a_far_cyrillic_language(text: str) -> None:
    # The model says Ukrainian, Belarusian, Tajik, Kyrgyz or Mongolian for these; a text without
    # any of those languages' own letters, made of Bulgarian words, is Bulgarian.
    assert detect_language(text) == "bg"


@pytest.mark.parametrize(
    ("lang", "text"),
    [("ru", "Очень плохо"), ("ru", "Ужасный сервис"), ("uk", "Дуже дякую"), ("kk", "Рахмет сізге")],
)
def test_short_texts_of_other_cyrillic_languages_keep_their_language(lang: str, text: str) -> None:
    assert detect_language(text) == lang


def test_languages_are_the_identifiers_own() -> None:
    """`LANGUAGES` (what the playbook's per-language keywords may be keyed by) is every code the
    identifier may answer; "zxx" (no linguistic content) comes out as "und", none at all."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    assert set(model.nb_classes) - {"zxx"} == LANGUAGES
