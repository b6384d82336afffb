"""Crisis keywords and brand terms matched in any inflected form and in Cyrillic or Latin letters.

A brand lists "изтичане", "теч на данни", "breach" or "Виваком" once; mentions say "изтекоха",
"течът на данните", "breached", "Vivacom" or "vivakom". A keyword matches a mention when each of its
words matches consecutive words of the mention, a word matching when any of these agree:
- the word itself, or its English inflections ("breach" ~ "breaches", "breached", "breaching");
- its Bulgarian lemma (simplemma's dictionary: "данните" ~ "данни"), or a lemma of the same family
  of crisis words, which the dictionary treats as unrelated ("изтичане" ~ "изтекоха" ~ "изтекли");
- a stem: for a Bulgarian word of 6+ letters, the word without its inflectional ending is a
  prefix of the mention's word ("прекъсване" ~ "прекъсвания");
- a spelling skeleton that ignores the script ("Виваком" ~ "Vivacom" ~ "vivakom"), so brand terms
  and Latin-script Bulgarian ("skandal") match.
The term reported is the keyword as configured, so all forms count towards one rising term.

Keywords may be listed per language (`keywords = { en = [...], bg = [...] }` in crisisbot.toml):
`LanguageKeywords` matches a mention against its own language's list plus the any-language one
("*", a plain list), so "breach" does not fire on a Bulgarian mention nor "скандал" on an English
one. A mention of unknown language (stored before languages were, or undetermined) is matched
against every list, as before per-language lists existed.

Pure: no I/O beyond the word list `detectors.language` loads.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from detectors.language import transliterate_word
from detectors.sentiment_bg import lemma

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)

# Lemma families: forms the dictionary keeps apart but a crisis team means together.
_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("изтичане", "изтичам", "изтека", "изтекъл", "изтичане-на-данни"),
    ("хакване", "хакна", "хаквам", "хакам", "хакер", "хакерски"),
    ("кражба", "крада", "открадна", "откраднат", "откраднал"),
    ("срив", "срина", "сривам", "сривове"),
    ("прекъсване", "прекъсна", "прекъсвам", "прекъснат"),
    ("измама", "измамя", "измамвам", "мамя", "измамник"),
    ("отравяне", "отровя", "отравям", "натравяне", "натровя", "натравям", "отровен"),
    ("бойкот", "бойкотирам"),
    ("пробив", "пробия", "пробивам"),
    ("авария", "аварирал", "аварийно"),
    ("изтегляне", "изтегля", "изтеглям", "изтеглен"),
    ("протест", "протестирам"),
    ("скандал", "скандален", "скандално"),
    ("уволнение", "уволня", "уволнявам", "уволнен"),
)
_FAMILY_OF = {w: family[0] for family in _FAMILIES for w in family}

# Bulgarian inflectional endings, longest first (nouns, adjectives, verbs; with articles).
_ENDINGS_TEXT = (
    "ането енето ания ения ане ене ия ията ият ът ят та то те ите ове овете ища ищата "
    "а я о е и у ю ен на но ни ем еш ат ам аш ах ахме аха ох оха"
)
_BG_ENDINGS = sorted(set(_ENDINGS_TEXT.split()), key=len, reverse=True)
_EN_SUFFIXES = ("", "s", "es", "ed", "d", "ing", "'s", "’s")

# Cyrillic -> Latin for skeletons, then letters that spellings confuse folded together.
_CYR_TO_LAT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sht",
        "ъ": "a",
        "ь": "",
        "ю": "yu",
        "я": "ya",
        "ѝ": "i",
        "ё": "yo",
        "ы": "i",
        "э": "e",
    }
)


def to_latin(text: str) -> str:
    """Cyrillic letters in Latin ones, as Bulgaria's official system writes them ("Щастие" ->
    "shtastie"), lower case; other characters as they are."""
    return text.lower().translate(_CYR_TO_LAT)


_FOLD = (("ck", "k"), ("c", "k"), ("q", "k"), ("w", "v"), ("y", "i"), ("x", "ks"), ("j", "i"))
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=1 << 16)
def skeleton(word: str) -> str:
    """Script-free spelling key: "Виваком", "Vivacom" and "vivakom" all give "vivakom"."""
    latin = word.lower().translate(_CYR_TO_LAT)
    latin = latin.replace("ch", "\x01").replace("sh", "\x02").replace("ts", "\x03")
    for a, b in _FOLD:
        latin = latin.replace(a, b)
    latin = latin.replace("\x01", "ch").replace("\x02", "sh").replace("\x03", "ts")
    return _DOUBLE.sub(r"\1", latin)


def _is_cyrillic(word: str) -> bool:
    return "\u0400" <= word[0] <= "\u04ff"


def _bg_stem(word: str) -> str | None:
    """`word` without its inflectional ending, for words long enough that a prefix is safe."""
    if len(word) < 6 or not _is_cyrillic(word):
        return None
    for ending in _BG_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 5:
            return word[: -len(ending)]
    return word if len(word) >= 6 else None


# Verb endings (past, participle) of forms the dictionary lacks ("хакнаха", "хакнали"): without
# one, the stem plus "а"/"я" may name a family word ("хакна").
_VERB_ENDINGS = (
    "ахме", "яхме", "ихме", "аха", "яха", "иха", "али", "яли", "ала", "яла", "ало", "яло",
    "или", "ила", "ал", "ял", "ил", "ат", "ят", "ен", "ена", "ени", "ено",
)  # fmt: skip


def _family_by_ending(word: str) -> str | None:
    for ending in _VERB_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: -len(ending)]
            for tail in ("а", "я", ""):
                family = _FAMILY_OF.get(stem + tail)
                if family:
                    return family
    return None


@lru_cache(maxsize=1 << 16)
def word_keys(word: str) -> frozenset[str]:
    """Keys a (lower-case) word matches under: itself, lemma, family, skeleton, English base."""
    keys = {word, "~" + skeleton(word)}
    cyr = word if _is_cyrillic(word) else transliterate_word(word) if word.isascii() else word
    if _is_cyrillic(cyr):
        base = lemma(cyr)
        keys.update((cyr, base))
        family = _FAMILY_OF.get(base) or _FAMILY_OF.get(cyr)
        if family is None and base == cyr:
            family = _family_by_ending(cyr)
        if family:
            keys.add("=" + family)
    if word.isascii():
        for suffix in _EN_SUFFIXES[1:]:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                keys.add(word[: -len(suffix)])
                if suffix == "ing":
                    keys.add(word[:-3] + "e")  # "raising" -> "raise" ("leaking" -> "leak" above)
    return frozenset(keys)


_START = 3  # letters of a skeleton that inflection leaves alone ("izt" in изтичане, iztekoha)


# Latin letters people swap at the start of a brand name or a transliterated word.
_SWAPS = {
    **dict.fromkeys("kcq", "kcq"),
    **dict.fromkeys("vw", "vw"),
    **dict.fromkeys("iyj", "iyj"),
}
_CYRILLIC_READINGS = "а/ъ б ц/к/ч д е ф г х и/й ж/й к л м н о п к/я р с т у/ъ в в х/кс й/ъ/и з"
_LATIN_TO_CYRILLIC = dict(zip(string.ascii_lowercase, _CYRILLIC_READINGS.split(), strict=True))


def _starts(form: str) -> set[str]:
    """Raw spellings (both scripts, usual swaps) that a word of this form starts with."""
    head = form[:_START]
    latin = head.translate(_CYR_TO_LAT)[:_START] if _is_cyrillic(head) else head
    out = {head}
    for letters in itertools.product(*(_SWAPS.get(c, c) for c in latin)):
        out.add("".join(letters))
    if latin.isascii():
        out.add(transliterate_word(latin)[: len(head)])  # digraphs: "sha" -> "ша"
        options = [_LATIN_TO_CYRILLIC.get(c, c).split("/") for c in latin]
        out.update("".join(letters) for letters in itertools.product(*options))
    return {p for p in out if p}


def _forms(word: str) -> set[str]:
    """The word, its Cyrillic reading and the words of its family (for the start prefilter)."""
    forms = {word}
    cyr = transliterate_word(word) if word.isascii() else word
    forms.add(cyr)
    family = _FAMILY_OF.get(lemma(cyr)) or _FAMILY_OF.get(cyr)
    if family:
        forms.update(w for fam in _FAMILIES if fam[0] == family for w in fam)
    return forms


@dataclass(frozen=True, slots=True)
class _Term:
    name: str  # as configured
    words: tuple[frozenset[str], ...]  # keys of each word
    stems: tuple[str | None, ...]


class KeywordMatcher:
    """Find configured keywords (single words or phrases) in mention texts, in any form."""

    def __init__(self, keywords: Iterable[str]) -> None:
        terms = []
        seen = set()
        for raw in keywords:
            name = raw.strip().lower()
            words = _WORD.findall(name)
            if not words or name in seen:
                continue
            seen.add(name)
            terms.append(
                _Term(name, tuple(word_keys(w) for w in words), tuple(_bg_stem(w) for w in words))
            )
        self.terms: tuple[_Term, ...] = tuple(terms)
        self._first: dict[str, list[_Term]] = {}
        for term in self.terms:
            for key in term.words[0]:
                self._first.setdefault(key, []).append(term)
        self._stemmed = [t for t in self.terms if t.stems[0]]
        # Every form a term's first word matches starts like the word or a word of its family,
        # in one script or the other: one regex search rules out most mentions at C speed.
        starts = {
            p for t in self.terms for f in _forms(_WORD.findall(t.name)[0]) for p in _starts(f)
        }
        alternatives = "|".join(re.escape(p) for p in sorted(starts))
        self._prefilter = re.compile(rf"(?<![^\W_])(?:{alternatives})", re.IGNORECASE)

    def __bool__(self) -> bool:
        return bool(self.terms)

    def find(self, text: str, *, once: bool = False) -> set[str]:
        """The configured keywords that occur in `text` (empty when none). `once`: a text read
        once (a mention being stored), kept out of the cache of texts storm passes repeat."""
        if not self.terms or not text:
            return set()
        return set(self._scan(text) if once else self._find(text))

    @lru_cache(maxsize=1 << 14)  # noqa: B019 - one matcher per keyword set; passes repeat texts
    def _find(self, text: str) -> tuple[str, ...]:
        return self._scan(text)

    def _scan(self, text: str) -> tuple[str, ...]:
        if not self._prefilter.search(text):
            return ()
        words = [w.lower() for w in _WORD.findall(text)]
        found: dict[str, None] = {}
        starts = self._prefilter.match
        for i, word in enumerate(words):
            # The prefilter holds word by word too: a word starting like none of its spellings
            # cannot begin a term, and needs no keys (a word never seen before, such as an
            # order number or a link's slug, costs ~150 µs of transliteration attempts).
            if not starts(word):
                continue
            keys = word_keys(word)
            candidates = [t for k in keys for t in self._first.get(k, ())]
            candidates += [t for t in self._stemmed if word.startswith(t.stems[0] or "\x00")]
            for term in candidates:
                if term.name not in found and self._matches_at(term, words, i):
                    found[term.name] = None
        return tuple(found)

    @staticmethod
    def _matches_at(term: _Term, words: list[str], i: int) -> bool:
        if i + len(term.words) > len(words):
            return False
        for j, (keys, stem) in enumerate(zip(term.words, term.stems, strict=True)):
            word = words[i + j]
            if keys.isdisjoint(word_keys(word)) and not (stem and word.startswith(stem)):
                return False
        return True


@lru_cache(maxsize=64)
def matcher_for(keywords: Sequence[str]) -> KeywordMatcher:
    """A shared matcher per keyword set (its cache of texts survives between storm passes)."""
    return KeywordMatcher(keywords)


ANY_LANGUAGE = "*"  # the key of a plain keyword list: every language's
UNKNOWN_LANGUAGES = frozenset(("", "und"))


class LanguageKeywords:
    """Keywords per language: a mention matches its own language's and the any-language ones."""

    def __init__(self, by_language: Sequence[tuple[str, Sequence[str]]]) -> None:
        lists = {lang: tuple(words) for lang, words in by_language}
        shared = lists.pop(ANY_LANGUAGE, ())
        everything = tuple(dict.fromkeys(k for words in (shared, *lists.values()) for k in words))
        self.keywords = everything
        self._any = matcher_for(everything)
        self._shared = matcher_for(shared)
        self._own = {
            lang: matcher_for(tuple(dict.fromkeys((*shared, *words))))
            for lang, words in lists.items()
        }

    def __bool__(self) -> bool:
        return bool(self._any)

    def find(self, text: str, language: str | None) -> set[str]:
        """The configured keywords in `text`, a mention in `language` (None: unknown)."""
        if not language or language in UNKNOWN_LANGUAGES:
            return self._any.find(text)
        return self._own.get(language, self._shared).find(text)


@lru_cache(maxsize=64)
def keywords_for_languages(
    by_language: tuple[tuple[str, tuple[str, ...]], ...], keywords: tuple[str, ...] = ()
) -> LanguageKeywords:
    """A shared per-language matcher; without per-language lists, `keywords` for every language."""
    return LanguageKeywords(by_language or ((ANY_LANGUAGE, keywords),))
