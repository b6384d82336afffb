"""Language of a short social-media mention: ISO 639-1 code ("bg", "en", "ru", …) or "und".

Library: py3langid (BSD-3-Clause; Lui & Baldwin's langid.py model, 97 languages, numpy), with
two layers of our own on top for what it gets wrong on Bulgarian mentions:

- Cyrillic letters that a language never uses overrule the model: Bulgarian has no ы/э/ё, Russian
  and Bulgarian have no і/ї/є/ґ/ў/ј/љ/њ/ћ/ђ/џ/ѓ/ќ/ѕ. When the model says Russian, Macedonian or
  Serbian for a text without any such letter, the Bulgarian word list decides: a text whose words
  are nearly all Bulgarian forms is Bulgarian ("Много хубав филм" is not Russian).
- Latin-script Bulgarian ("shlyokavica": "uzhasno obsluzhvane") is transliterated to Cyrillic,
  trying the usual ambiguous spellings (u/a for ъ, y for ъ/й/и, q for я, 4/6 for ч/ш), and called
  Bulgarian when most words are then Bulgarian forms and fewer are English.
- A short Cyrillic text that the model gives to a language with letters of its own (Belarusian,
  Kazakh, Kyrgyz, Mongolian, Tajik, Tatar, Uzbek, Bashkir: "Супер зле" comes out Belarusian,
  "Бозааа" Mongolian) but has none of them is re-ranked among the plain-Cyrillic languages, and
  the word list also knows stretched words ("мноооого") and the opinion words of
  `sentiment_bg_lexicon` that the dictionary lacks ("зле", "кофти"). Ukrainian keeps its answer
  (short Ukrainian often has no і/ї/є/ґ). Cinexio comments of 1-4 Cyrillic words (3,322; a
  development figure): 0.953 -> 0.976 Bulgarian; the table below is unchanged.
The Bulgarian word list is simplemma's Bulgarian dictionary (simplemma: MIT; its Bulgarian data
come from Michal Měchura's lemmatization lists, ODbL-1.0), which `sentiment_bg` loads anyway.

Why py3langid (compared on `benchmarks/langid_cases.py`: texts of 5+ words, 30
Bulgarian, 30 Russian, 20 each Ukrainian/Macedonian/Serbian/English, 25 Latin-script Bulgarian
written for the project, the 4,834 public Cinexio Bulgarian comments of 5+ words (seen while
writing the layers: a development figure) and the 270 Cyrillic Bulgarian brand mentions of
benchmarks/data/bg ("ments"); accuracy; texts/s on one core, warm):

    candidate           bg   ru   uk   mk   sr   en  bgLat Cinexio ments texts/s install, RSS
    lingua, all langs  1.00 1.00 0.95 1.00 1.00 1.00 0.00  0.993  0.970   1,400 96 MB, 1.1 GB
    lingua, 22 langs   1.00 1.00 0.95 1.00 1.00 1.00 0.00  0.99     -     3,300 96 MB, 170 MB
    py3langid          1.00 0.97 1.00 1.00 1.00 1.00 0.00  0.963  0.974  13,000 4.5 MB+numpy, 130 MB
    pycld2             1.00 0.93 1.00 0.90 1.00 1.00 0.00  0.826  0.919 107,000 14 MB
    py3langid + layers 1.00 0.97 1.00 0.95 1.00 1.00 1.00  0.997  0.989  10,000 +simplemma bg 30 MB
    fasttext-langdetect: not usable offline (downloads its model at first use)
(re-run: `python benchmarks/language_compare.py`, `python benchmarks/language_bench.py`)

lingua is the most accurate out of the box on Bulgarian comments but costs 20x the disk, up to
1.1 GB of memory once Latin-script languages are seen, and is 4-10x slower; py3langid with the
letter and word-list layers matches it on Bulgarian vs Russian at a fraction of the cost. No
candidate recognises Latin-script Bulgarian: that layer is ours whichever library is used.

Pure: no I/O except loading the bundled model and word list the first time.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache

UNDETERMINED = "und"
# Every code `detect_language` may answer (py3langid"s model; its "zxx", no linguistic content,
# comes out as UNDETERMINED): the languages mentions are stored in, so the languages the
# playbook"s per-language keywords may be listed under. tests/detectors/test_language.py keeps
# it equal to the model"s; a constant, so loading the playbook does not load the model.
LANGUAGES = frozenset({
    "ace", "af", "am", "an", "ar", "ary", "arz", "as", "az", "ba", "bcl", "be", "bg", "bn",
    "br", "bs", "ca", "crh", "cs", "cy", "da", "de", "dz", "el", "en", "eo", "es", "et", "eu",
    "ext", "fa", "fi", "fo", "fr", "fuv", "fy", "ga", "gcf", "gcr", "gd", "gl", "gom", "grc",
    "gu", "gug", "guw", "ha", "hbo", "he", "hi", "hr", "ht", "hu", "hy", "id", "ig", "is", "it",
    "ja", "jv", "ka", "kab", "kik", "kk", "km", "kn", "ko", "ku", "ky", "la", "lb", "lg", "lij",
    "ln", "lo", "lt", "ltg", "lv", "mg", "mk", "ml", "mn", "mr", "ms", "mt", "my", "ne", "nl",
    "nn", "no", "nso", "oc", "om", "or", "pa", "pcm", "pl", "ps", "pt", "qu", "ro", "ru", "rw",
    "sa", "sdh", "se", "si", "sk", "sl", "sn", "so", "sq", "sr", "st", "sv", "sw", "ta", "te",
    "tg", "th", "tk", "tl", "tr", "tt", "ug", "uk", "ur", "uz", "uzs", "vec", "vi", "vo", "wa",
    "wuu", "xh", "yo", "yue", "zh", "zu",
})  # fmt: skip
MAX_CHARS = 300  # the language of a mention shows in its first sentences

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)[@#]\w+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ELONGATED = re.compile(r"(\w)\1{2,}")
_LATIN_WORD = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")  # "4" and "6" stand for ч and ш

# Letters that rule a language in or out (lower case).
_NOT_RU = frozenset("іїєґўјљњћђџѓќѕ")
_NOT_BG = _NOT_RU | frozenset("ыэё")
_CYRILLIC_NEIGHBOURS = frozenset(("ru", "mk", "sr", "uk", "be", "kk", "tg", "mn", "ky"))
# The model's answer for short Cyrillic texts is often a language whose own letters the text does
# not have ("Много зле!" comes out Ukrainian, "Супер зле" Belarusian, "Бозааа" Mongolian). For
# these, a text without any of its letters is re-ranked among the languages that need none.
_OWN_LETTERS = {
    "be": frozenset("іўё"),
    "kk": frozenset("әғқңөұүһі"),
    "ky": frozenset("ңөү"),
    "mn": frozenset("өү"),
    "tg": frozenset("ғӣқӯҳҷ"),
    "tt": frozenset("әөүҗңһ"),
    "uz": frozenset("ўқғҳ"),
    "ba": frozenset("ғҙҡңөҫүһә"),
}
BG_SHARE = 0.8  # share of words that are Bulgarian forms for a Cyrillic text to be Bulgarian
LATIN_BG_SHARE = 0.6  # the same after transliterating a Latin-script text
LATIN_BG_HINT = 0.25  # share of usual readings that must be Bulgarian before trying others
LATIN_EN_SHARE = 0.6  # share of English forms for a Latin-script text to be English

# Latin -> Cyrillic as Bulgarians type it; the first option is the usual reading, the others are
# tried when the word is not Bulgarian ("sum" -> "съм", "burzo" -> "бързо").
_DIGRAPHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sht", ("щ",)),
    ("6t", ("щ", "шт")),  # "6te", "ne6to": "6" is ш, and ш+т is written щ
    ("sh", ("ш",)),
    ("ch", ("ч",)),
    ("zh", ("ж",)),
    ("ts", ("ц",)),
    ("tz", ("ц",)),
    ("yu", ("ю",)),
    ("ju", ("ю",)),
    ("iu", ("ю", "иу")),
    ("ya", ("я",)),
    ("ja", ("я", "жа")),
    ("ia", ("я", "ия")),
    ("yo", ("йо", "ьо")),
)
_LETTERS: dict[str, tuple[str, ...]] = {
    "a": ("а", "ъ"),
    "b": ("б",),
    "c": ("ц", "ч"),
    "d": ("д",),
    "e": ("е",),
    "f": ("ф",),
    "g": ("г",),
    "h": ("х",),
    "i": ("и", "й"),
    "j": ("ж", "й"),
    "k": ("к",),
    "l": ("л",),
    "m": ("м",),
    "n": ("н",),
    "o": ("о",),
    "p": ("п",),
    "q": ("я",),
    "r": ("р",),
    "s": ("с",),
    "t": ("т",),
    "u": ("у", "ъ"),
    "v": ("в",),
    "w": ("в",),
    "x": ("х", "кс"),
    "y": ("ъ", "й", "и"),
    "z": ("з",),
    "4": ("ч",),
    "6": ("ш",),
}
# Frequent words whose usual Latin spelling reads as another (rare) dictionary form.
_COMMON: dict[str, str] = {
    "sum": "съм",
    "sus": "със",
    "sas": "със",
    "tuk": "тук",
    "kude": "къде",
    "nai": "най",  # "nai-dobriqt": the superlative prefix, not "наи"
    "naj": "най",
}
_MAX_SPELLINGS = 64  # variants tried per word; more would only find accidental words


@cache
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # local: heavy, load once

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


@cache
def _bg_dictionary():  # type: ignore[no-untyped-def]
    """simplemma's Bulgarian form -> lemma table (also what `sentiment_bg` lemmatises with)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    return DefaultDictionaryFactory().get_dictionary("bg")


@cache
def _en_dictionary():  # type: ignore[no-untyped-def]
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    return DefaultDictionaryFactory().get_dictionary("en")


def is_bulgarian_form(word: str) -> bool:
    """Is this (lower-case Cyrillic) word a form in the Bulgarian dictionary?"""
    return word in _bg_dictionary()


def _segments(word: str) -> list[tuple[str, ...]]:
    segments: list[tuple[str, ...]] = []
    i = 0
    while i < len(word):
        for latin, cyrillic in _DIGRAPHS:
            if word.startswith(latin, i):
                segments.append(cyrillic)
                i += len(latin)
                break
        else:
            segments.append(_LETTERS.get(word[i], (word[i],)))
            i += 1
    return segments


@lru_cache(maxsize=1 << 15)
def _usual_reading(word: str) -> str:
    """The Cyrillic reading with the usual value of every letter (no alternatives tried)."""
    return _COMMON.get(word) or "".join(s[0] for s in _segments(word))


@lru_cache(maxsize=1 << 15)
def transliterate_word(word: str) -> str:
    """Latin-script Bulgarian word -> Cyrillic, preferring a spelling that is a Bulgarian form."""
    first = _usual_reading(word)
    if word in _COMMON or is_bulgarian_form(first):
        return first
    for spelling in itertools.islice(itertools.product(*_segments(word)), _MAX_SPELLINGS):
        candidate = "".join(spelling)
        if is_bulgarian_form(candidate):
            return candidate
    return first


def transliterate(text: str) -> str:
    """Latin letters of a (lower-cased) text to Cyrillic, word by word; the rest unchanged."""
    return _LATIN_WORD.sub(lambda m: transliterate_word(m.group(0)), text.lower())


@cache
def _bg_extra_words() -> frozenset[str]:
    """Bulgarian words the dictionary lacks (uninflected "зле", slang "кофти", "евала"): the
    opinion words of `sentiment_bg_lexicon` and a few everyday abbreviations."""
    from detectors import sentiment_bg_lexicon as lx

    words = {*lx.WORDS, *lx.INTENSIFIERS, *lx.NEGATORS, *lx.EXPECTATIONS, *lx.URGENCY}
    words.update(w for topic in (*lx.COMPLAINTS.values(), *lx.CRISIS.values()) for w in topic)
    return frozenset(w for w in words if w.isalpha()) | frozenset(("мн", "мнр", "тва", "тоа"))


def _bg_share(words: list[str]) -> float:
    table, extra = _bg_dictionary(), _bg_extra_words()
    return sum(w in table or w in extra for w in words) / len(words)


def _latin_language(text: str) -> str | None:
    """Latin-script Bulgarian -> "bg", a text of English words -> "en", else None (ask the model).

    The model is unreliable on a few Latin words ("Terrible service" comes out French); English
    is by far the commonest Latin-script language of mentions, so its word list decides first.
    """
    words = [w for w in _LATIN_WORD.findall(text.lower()) if len(w) > 1 or w in ("i", "a")]
    if not words:
        return None
    # "sooo baaad": elongated words are English words too.
    en = sum(map(_is_english, words)) / len(words)
    if en >= LATIN_EN_SHARE:
        return "en"
    # Trying alternative spellings is the costly part: only for a text whose usual readings
    # already look Bulgarian ("nyama", "tok", "pak"), not for every English tweet.
    if len(words) >= 2 and _bg_share([_usual_reading(w) for w in words]) >= LATIN_BG_HINT:
        bg = _bg_share([transliterate_word(w) for w in words])
        if bg >= LATIN_BG_SHARE and bg > en:
            return "bg"
    # Two words are too few for the model ("baaad" comes out Somali); English is the likely case.
    return "en" if len(words) <= 2 else None


@lru_cache(maxsize=1 << 15)
def _is_english(word: str) -> bool:
    """Is the word (or its de-elongated form) English? Cached: the dictionary decodes bytes on
    every lookup, and the same words recur in every English mention."""
    return _squeezed(word) in _en_dictionary()


@lru_cache(maxsize=1 << 14)
def _squeezed(word: str) -> str:
    if len(word) < 4 or word in _en_dictionary():
        return word
    for squeezed in (_ELONGATED.sub(r"\1\1", word), _ELONGATED.sub(r"\1", word)):
        if squeezed in _en_dictionary():
            return squeezed
    return word


def _squeezed_cyrillic(word: str) -> str:
    """A stretched word as written normally: "мноооого" -> "много", "бозааа" -> "боза"."""
    if len(word) < 4 or not _ELONGATED.search(word) or word in _bg_dictionary():
        return word
    for squeezed in (_ELONGATED.sub(r"\1", word), _ELONGATED.sub(r"\1\1", word)):
        if squeezed in _bg_dictionary():
            return squeezed
    return word


def _clean(text: str) -> str:
    text = text[:MAX_CHARS]
    # Each regex runs only when the text holds a character it needs ("www." needs "w.").
    if "//" in text or "w." in text or "W." in text:
        text = _URL.sub(" ", text)
    if "@" in text or "#" in text:
        text = _HANDLE.sub(" ", text)
    return text


def _allowed(lang: str, letters: set[str], plain_cyrillic: bool) -> bool:
    if (lang == "bg" and letters & _NOT_BG) or (lang == "ru" and letters & _NOT_RU):
        return False
    own = _OWN_LETTERS.get(lang)
    return not (plain_cyrillic and own is not None and not letters & own)


def _model_language(text: str, letters: set[str], plain_cyrillic: bool = False) -> str:
    """The model's best language that the text's letters allow (`plain_cyrillic`: the text is
    mostly Cyrillic words, so a language with letters of its own needs some of them)."""
    identifier = _identifier()
    best = str(identifier.classify(text)[0])
    if _allowed(best, letters, plain_cyrillic):
        return best  # the common case: one score pass, no ranking
    for lang, _score in identifier.rank(text):
        if _allowed(str(lang), letters, plain_cyrillic):
            return str(lang)
    return UNDETERMINED


def detect_language(text: str) -> str:
    """ISO 639-1 code of the mention's language, or "und" when it has no letters to go by."""
    clean = _clean(text or "")
    if clean.isascii():
        return _ascii_language(clean)
    words = _WORD.findall(clean)
    if not words:
        return UNDETERMINED
    cyrillic = sum(1 for w in words if "\u0400" <= w[0] <= "\u04ff")
    if cyrillic * 2 < len(words):
        latin = _latin_language(clean)
        if latin:
            return latin
    letters = set(clean.lower())
    plain_cyrillic = cyrillic * 2 >= len(words)
    # The model often mistakes short Bulgarian for Russian or Macedonian; letters that Bulgarian
    # never uses keep the model's answer, a text of Bulgarian forms overrules it. For a mostly
    # Cyrillic text that overrules whatever the model says, so the model is not asked: that
    # halves the cost of a Bulgarian mention.
    bulgarian = (
        cyrillic > 0
        and not letters & _NOT_BG
        and _bg_share([_squeezed_cyrillic(w.lower()) for w in words]) >= BG_SHARE
    )
    if bulgarian and plain_cyrillic:
        return "bg"
    best = _model_language(clean, letters, plain_cyrillic=plain_cyrillic)
    if best == "zxx":  # the model's "no linguistic content"
        return UNDETERMINED
    if bulgarian and best != "bg" and best in _CYRILLIC_NEIGHBOURS:
        return "bg"
    return best


def _ascii_language(clean: str) -> str:
    """`detect_language` for plain ASCII (most English mentions): no Cyrillic word to count,
    so no Bulgarian word list to ask; what is left is the Latin-script layer and the model."""
    if _WORD.search(clean) is None:
        return UNDETERMINED
    latin = _latin_language(clean)
    if latin:
        return latin
    best = _model_language(clean, set(clean.lower()))
    return UNDETERMINED if best == "zxx" else best


def detect_languages(texts: Iterable[str]) -> list[str]:
    """`detect_language` for each text."""
    return [detect_language(t) for t in texts]


def language_shares(langs: Iterable[str | None]) -> list[tuple[str, float]]:
    """Share of each language among mentions (unknown as "und"), largest first.

    For a storm's evidence: `[("bg", 0.87), ("en", 0.13)]` reads "87 % Bulgarian".
    """
    counts = Counter(lang or UNDETERMINED for lang in langs)
    total = sum(counts.values())
    return [(lang, round(n / total, 4)) for lang, n in counts.most_common()] if total else []
