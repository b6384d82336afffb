"""Per-mention sentiment tuned for brand mentions, offline and fast.

Base: TextBlob's bundled adjective lexicon (`textblob/en/en-sentiment.xml`), loaded once, lazily,
and scored by our own tokenizer instead of `TextBlob(text).sentiment`: the lexicon is the same, but
skipping TextBlob's generic tokenizer and per-word dict juggling makes scoring several times
faster. On top of it (see `sentiment_lexicon`): complaint and crisis vocabulary, unmet
expectations ("never arrived", "no refund"), negation, intensifiers, elongation, ALL CAPS,
emoji and emoticons, "but" clauses and ironic praise ("great, another delay", a closing 🙃 or
"/s"), domain vocabulary (devices, telecom, retail, stock talk) and plain questions ("can I get
a refund?", "does the warranty cover water damage?"), whose problem words name a topic rather
than a mood; owners' words for failing devices ("stopped clicking", "gets so hot", "ZapMail
down, again") and bearish market news (issue 12, fifth pass; data README); wear and regret in
product reviews ("peeling", "coming apart", "should have read the reviews", "the old model was
better") and owners' plain praise ("nothing sticks", "keeps my tea hot") (sixth pass); service
failures customers state as facts ("due out at 14:10, it's now 19:45", "3rd email", "it's been a
week", "charged without asking", "marked it resolved") (eighth pass); praise built on a
negation ("can't recommend them enough", "couldn't be happier", "never disappoints", "can't
believe how good") and plain statements of an amount ("My rent is 950 pounds.") the model may
not turn negative (ninth pass).

Then a small trained model (`sentiment_model`: logistic regression on hashed n-grams plus the
lexicon's own verdict and signals) decides whether the mention is negative; the lexicon's
polarity, signals and its positive/neutral split stand otherwise. The model is on by default:
held out by domain (`benchmarks/sentiment_bench.py`) it beats the lexicon alone on average and on
the worst domain. `use_model(False)` (the bot's CRISIS_SENTIMENT_MODEL=off) leaves the
lexicon alone to decide; the shipped file's band can switch it off too (see `sentiment_model`).
The same switch turns off the Bulgarian n-gram model (`sentiment_bg`), leaving its rules alone.

Pure: no I/O except reading the bundled lexicon and model the first time a text is analysed.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree

from detectors import sentiment_lexicon as lx
from detectors import sentiment_model as sm
from detectors.sentiment_model import LinearModel

Label = Literal["negative", "neutral", "positive"]

# Polarity is sum / sqrt(sum² + ALPHA): bounded in (-1, 1), and one clear opinion word (|v|≈0.6)
# already gives |polarity|≈0.5 while several agreeing words saturate towards 1 (as in VADER).
ALPHA = 1.0
NEGATIVE_BELOW = -0.12  # polarity at or below this is "negative"
POSITIVE_ABOVE = 0.12  # polarity at or above this is "positive"
# A mention is short; only the first MAX_CHARS characters are read, so a pasted 100 KB blob
# costs no more than a long post and worst-case latency stays predictable.
MAX_CHARS = 5_000
MAX_SIGNALS = 12
NEGATION_SCOPE = 3  # words after "not" that it can reach ("not a very good")
STRONG_NEGATIVE = -0.4  # an item at least this negative can turn nearby praise ironic
INFO_QUESTION_DAMPING = 0.1  # weight of problem words in a plain question ("can I …?")
RESOLVED_DAMPING = 0.2  # weight of a problem word right after "fixed"/"sorted"/"resolved"
RESOLVED_REACH = 4  # "fixed all the sync problems": the problem named up to 4 words later


@dataclass(frozen=True, slots=True)
class Sentiment:
    polarity: float  # -1 .. 1
    label: Label
    signals: tuple[str, ...] = field(default=())  # what fired, e.g. "complaint:refund", "negation"
    lang: str = "en"  # ISO 639-1 code of the text's language (`detectors.language`), or "und"


@dataclass(slots=True)
class _Item:
    """One scored unit of a mention (word, phrase, emoji) and where it sits."""

    value: float
    signal: str
    pos: int  # token index, for "but" weighting and sarcasm look-ahead
    ironic_frame: bool = False  # praise in a frame that reads as irony if a complaint follows


# --- lexicon --------------------------------------------------------------------------------


@cache
def _textblob_lexicon() -> dict[str, float]:
    """word -> polarity from TextBlob's bundled XML, averaged over senses then POS like pattern."""
    import textblob  # local: only to locate the data file shipped with the package

    path = Path(textblob.__file__).parent / "en" / "en-sentiment.xml"
    by_pos: dict[str, dict[str | None, list[float]]] = {}
    for node in ElementTree.parse(path).getroot().iter("word"):
        form = node.get("form")
        if form:
            pos_scores = by_pos.setdefault(form.lower(), {})
            pos_scores.setdefault(node.get("pos"), []).append(float(node.get("polarity", 0.0)))
    lexicon: dict[str, float] = {}
    for word, pos_scores in by_pos.items():
        per_pos = [sum(v) / len(v) for v in pos_scores.values()]
        polarity = sum(per_pos) / len(per_pos)
        if polarity and word not in lx.NEUTRALISED:
            lexicon[word] = polarity
    return lexicon


@cache
def _word_table() -> dict[str, tuple[float, str]]:
    """Single-word valence and the signal to report; complaints override opinion words."""
    table = {w: (-0.5, f"lexicon:{w}") for w in lx.GENERAL_NEGATIVE}
    table.update({w: (-0.3, f"lexicon:{w}") for w in lx.TOPIC_NEGATIVE})
    table.update({w: (0.5, f"lexicon:{w}") for w in lx.GENERAL_POSITIVE})
    table.update({w: (v, f"lexicon:{w}") for w, v in _textblob_lexicon().items()})
    table.update({w: (v, f"lexicon:{w}") for w, v in lx.WORDS.items()})
    for words in lx.COMPLAINTS.values():
        table.update({w: (v, f"complaint:{w}") for w, v in words.items()})
    return table


_PhraseCandidate = tuple[tuple[str, ...], list[str], float, str]  # words, words[2:], value, signal


@cache
def _phrases_by_pair() -> dict[tuple[str, str], list[_PhraseCandidate]]:
    """Phrases of two or more words indexed by their first two tokens, longest first: matching
    is one dict lookup, and only the rest of a candidate is compared with the tokens."""
    index: dict[tuple[str, str], list[_PhraseCandidate]] = {}
    for words, (value, signal) in lx.PHRASES.items():
        if len(words) > 1:
            pair = (words[0], words[1])
            index.setdefault(pair, []).append((words, list(words[2:]), value, signal))
    for candidates in index.values():
        candidates.sort(key=lambda c: -len(c[0]))
    return index


@cache
def _one_word_phrases() -> dict[str, tuple[float, str]]:
    """Phrases of one word, tried after the longer ones that start with it."""
    return {words[0]: entry for words, entry in lx.PHRASES.items() if len(words) == 1}


# Words `_Scorer._word` (or `_note_context`) looks at before the lexicon lookup.
_CONTEXT_WORDS = frozenset(
    (
        *lx.TOO_WORDS,
        *lx.RESOLVED,
        *lx.KEEP_WORDS,
        *lx.SPEED_WORDS,
        *lx.ATTEMPT_NOUNS,
        *lx.EXPECTATIONS,
        *lx.WAIT_WORDS,
        *lx.DURATIONS,
        *lx.PERSISTENCE,
        *("why", "back", "down", "another", "higher", "instead", "again", "like"),
    )
)


@cache
def _phrase_seconds() -> dict[str, frozenset[str]]:
    """first word -> the words that follow it in a phrase of two or more words."""
    seconds: dict[str, set[str]] = {}
    for first, second in _phrases_by_pair():
        seconds.setdefault(first, set()).add(second)
    return {first: frozenset(words) for first, words in seconds.items()}


@cache
def _step_words() -> frozenset[str]:
    """Tokens that need `_Scorer._step`'s full dispatch: every word that starts an idiom, is a
    symbol, negator, barrier or intensifier, is a phrase of its own, or that `_Scorer._word`
    treats specially before its lexicon lookup. Any other token starts a longer phrase or is a
    clause break or a plain word (see `_Scorer.run`)."""
    return frozenset(
        (
            *_one_word_phrases(),
            *lx.CANT_WORDS,
            "can",
            "could",
            "never",
            *lx.EMOTICONS,
            *lx.EMOJI,
            *lx.NEGATORS,
            *lx.NEGATION_BARRIERS,
            "but",
            *lx.INTENSIFIERS,
            *_CONTEXT_WORDS,
        )
    )


# --- text clean-up and tokens ---------------------------------------------------------------

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w+")  # the brand's or a user's handle says nothing of mood
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_ELONGATED = re.compile(r"(\w)\1{2,}")
_EMOJI_NOISE = dict.fromkeys([0xFE0F, 0xFE0E, 0x200D, *range(0x1F3FB, 0x1F400)])  # tones, ZWJ
_EMOTICON_ALT = "|".join(re.escape(e) for e in sorted(lx.EMOTICONS, key=len, reverse=True))
_EMOTICON_FIRSTS = "".join(sorted({re.escape(e[0]) for e in lx.EMOTICONS}))
_TOKEN = re.compile(
    # Emoticons stand alone: ":(" but not "x:(y". The look-ahead at their first characters
    # only saves trying every emoticon at every word.
    rf"(?<!\S)(?=[{_EMOTICON_FIRSTS}])(?:{_EMOTICON_ALT})(?![a-z0-9])"
    r"|[a-z0-9]+(?:'[a-z]+)*"  # words, keeping contractions whole ("don't")
    r"|[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B55]"  # emoji, one symbol each
    r"|[.,;:!?]+|\u2026"  # punctuation that ends a clause (and so a negation's reach)
)
_CLAUSE_BREAKS = frozenset(".,;:?\u2026")
_BREAK_CHARS = _CLAUSE_BREAKS | {"!"}  # first characters of tokens `_clause_break` reads
# Clock times ("14:10", "3pm", "7.30am"), for delays stated by the clock: a time, then a second
# one introduced as when something finally happened ("due out at 14:10, it's now 19:45", "the
# 8:05 arrived at 8:52", "not ready until 7:30"). Not a timetable ("departs 09:15, arrives
# 11:40"), a window ("between 1am and 5am") or a deadline met ("ordered at 11pm, here by 9am").
_CLOCK = re.compile(r"(?<![\d.:£$€])(?:\d{1,2}:\d{2}|\d{1,2}(?:[:.]\d{2})?\s?[ap]m)(?![\d:])")
_CLOCK_HINT = re.compile(r"\d(?::\d|\s?[ap]m)")
_LATE_CUE = re.compile(
    r"\b(?:now|arrived|came|until|till|finally|eventually|boarded|departed|left|showed)\b"
)
CLOCK_GAP_WORDS = 6  # "landed at 23:40, bags came out at 01:15"; farther apart, two events
_SARCASM_TAGS = frozenset(("sarcasm", "sarcastic", "not", "irony"))
_SAID_NO_ONE = re.compile(r"\bsaid no(?: ?one|body) ever\b", re.IGNORECASE)
# "Best service ever... not", "love it lol not", "great job NOT!": the old "not" punchline. A bare
# closing "not" ("… or not") is a question, so it needs a pause, a laugh or capitals before it.
_PAUSE_NOT = re.compile(
    r"(?:[.!]+|\u2026|\b(?:lol|lmao|jk)|[-\u2013\u2014,])\s*not\W*$", re.IGNORECASE
)
_CAPS_NOT = re.compile(r"\bNOT\W*$")
_YEAH_RIGHT = re.compile(r"^\W*(?:yeah|yea),? right\b", re.IGNORECASE)
# "worked fine until the last update", "no problems until today": praise that held only until a
# recent day or change is the complaint. Only time and change words: "gripping until the end" and
# "can't wait until Friday" stay what they are.
_UNTIL_LATELY = re.compile(
    r"\b(?:until|till|til) (?:today|now|recently|yesterday|this (?:week|morning|month|year|weekend)"
    r"|last (?:week|night|month|year|weekend)|(?:the|their|your|its|this) (?:last |latest |recent "
    r"|most recent |new )?(?:update|upgrade|version|release|patch|redesign|change)s?)\b"
)


def _normalise(text: str) -> tuple[str, frozenset[str], bool]:
    """Lower-cased text without URLs/handles, the words written in CAPS, and a sarcasm tag flag."""
    text = text[:MAX_CHARS]
    if not text.isascii():
        # NFKC folds "𝐠𝐫𝐞𝐚𝐭" and full-width letters to ASCII; curly quotes become straight.
        text = unicodedata.normalize("NFKC", text).translate(_EMOJI_NOISE).replace("\u2019", "'")
    # Each regex runs only when the text holds a character it needs (most mentions have no
    # link; "www." needs "w.", in any case).
    if "//" in text or "w." in text or "W." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _MENTION.sub(" ", text)
    sarcasm_tag = False
    if "#" in text:
        tags = {t.lower() for t in _HASHTAG.findall(text)}
        sarcasm_tag = not tags.isdisjoint(_SARCASM_TAGS)
        # "#NeverAgain" -> "Never Again": hashtags carry opinion words of their own.
        text = _HASHTAG.sub(lambda m: _tag_words(m.group(1)), text)
    lower = text.lower()
    # An upside-down face, a closing "/s" or "… said no one ever" marks the whole post as
    # ironic, like "#sarcasm".
    sarcasm_tag = (
        sarcasm_tag
        or "\U0001f643" in text
        or text.rstrip().endswith("/s")
        or ("ever" in lower and _SAID_NO_ONE.search(text) is not None)
        or _YEAH_RIGHT.search(text) is not None
        or _punchline_not(text)
    )
    # A word in CAPS is emphasis only when the rest is not shouted too.
    if text.isupper() or text.islower():  # islower: no capital letter at all
        caps: frozenset[str] = frozenset()
    else:
        caps = frozenset(w.lower() for w in _CAPS_WORD.findall(text))
    return lower, caps, sarcasm_tag


def _punchline_not(text: str) -> bool:
    """ "Best service ever... not", "love it lol not", "great job NOT": the old punchline."""
    tail = text.rstrip(" !.?")
    if tail[-3:].lower() != "not":
        return False  # most posts: one cheap test before the regexes
    # A bare closing "not" ("… or not") is a question: it needs a pause or a laugh before it,
    # or capitals in a post that is not shouted throughout.
    return bool(_PAUSE_NOT.search(tail)) or (
        _CAPS_NOT.search(tail) is not None and not text.isupper()
    )


def _tag_words(tag: str) -> str:
    if tag.lower() in _SARCASM_TAGS:
        return ""
    if tag.islower():
        # "#neveragain" -> "never again", "#travelfail" -> "travel fail".
        for prefix in lx.HASHTAG_PREFIXES:
            if tag.startswith(prefix) and len(tag) > len(prefix) + 2:
                tag = prefix + " " + tag[len(prefix) :]
        for suffix in lx.HASHTAG_SUFFIXES:
            if tag.endswith(suffix) and len(tag) > len(suffix) + 2:
                tag = tag[: -len(suffix)] + " " + suffix
    return " " + _CAMEL.sub(" ", tag) + " "


def _tokens(text: str) -> list[str]:
    # "don't"/"dont" and "can't"/"cant" must meet the same negator; other contractions keep
    # their apostrophe, or "I'll" would read as "ill" and "he'll" as "hell".
    tokens = _TOKEN.findall(text)
    if "n't" not in text:
        return tokens  # most mentions: no token to rewrite
    return [t.replace("'", "") if t.endswith("n't") else t for t in tokens]


# --- scoring --------------------------------------------------------------------------------


class _Scorer:
    """Walks the tokens of one mention once, collecting scored items and signals."""

    def __init__(self, tokens: list[str], caps: frozenset[str]) -> None:
        self.tokens = tokens
        self.caps = caps
        self.phrases = _phrases_by_pair()
        self.one_word_phrases = _one_word_phrases()
        self.items: list[_Item] = []
        self.signals: list[str] = []
        self.negated_at = -99  # token index of the last negator in reach
        self.clause_start = 0
        self.boost = 1.0  # pending intensifier for the next opinion word
        self.but_at: int | None = None
        self.exclamations = 0
        self.waiting = self.duration = self.persistent = False
        self.never_at = -99  # "never … again" spans a few words ("never flying them again")
        self.why = self.question = False
        self.why_opens = False  # "why do you need 10 days …" opens the mention, "?" or not
        self.span_for = False  # "10 days for a transfer?": a span of time for one task
        self.info_question = False
        self.i = 0  # the token being read
        self.resolved_at = -99  # "fixed", "sorted": the problem named next was solved
        self.low_expectation_at = -99  # "wasn't expecting much": a "but" clause may beat it

    def run(self) -> list[_Item]:
        i, tokens = 0, self.tokens
        n = len(tokens)
        self.info_question = _opens_info_question(tokens)
        step_words, phrase_seconds, lookup = _step_words(), _phrase_seconds(), _lookup
        while i < n:
            tok = tokens[i]
            if tok in step_words:
                i = self._step(i, tok)
                continue
            # For any other token `_step` comes down to the three cases below, without the
            # dispatch; and a word outside the lexicon needs no `_lexicon_word` at all.
            seconds = phrase_seconds.get(tok)
            if seconds and i + 1 < n and tokens[i + 1] in seconds and (end := self._phrase(i, tok)):
                i = end
                continue
            if tok[0] in _BREAK_CHARS:
                self._clause_break(i, tok)
            elif lookup(tok)[0] is not None or (i > 0 and tokens[i - 1] in lx.STOPPED):
                self._lexicon_word(i, tok)
            i += 1
        self._add_context_complaints()
        return self.items

    def _step(self, i: int, tok: str) -> int:
        """Handle the token at i; return the index of the next token to read."""
        idiom_end = self._negated_idiom(i, tok)
        if idiom_end:
            return idiom_end
        phrase_end = self._phrase(i, tok)
        if phrase_end:
            return phrase_end
        if tok in lx.EMOTICONS or tok in lx.EMOJI:  # before punctuation: ":(" starts with ":"
            self._symbol(i, tok)
        elif tok[0] in _CLAUSE_BREAKS or tok[0] == "!":
            self._clause_break(i, tok)
        elif tok in lx.NEGATORS:
            self.negated_at = i
            if tok == "never":
                self.never_at = i
        elif tok in lx.NEGATION_BARRIERS:
            self.negated_at = -99
        elif tok == "but":
            self.but_at, self.negated_at = i, -99
        elif tok in lx.INTENSIFIERS:
            self.boost = lx.INTENSIFIERS[tok]
        else:
            self._word(i, tok)
        return i + 1

    def _phrase(self, i: int, tok: str) -> int:
        tokens = self.tokens
        if i + 1 < len(tokens):
            for words, rest, value, signal in self.phrases.get((tok, tokens[i + 1]), ()):
                end = i + len(words)
                if tokens[i + 2 : end] == rest:
                    return self._matched_phrase(i, words, end, value, signal)
        entry = self.one_word_phrases.get(tok)
        if entry is not None:
            return self._matched_phrase(i, (tok,), i + 1, *entry)
        return 0

    def _matched_phrase(
        self, i: int, words: tuple[str, ...], end: int, value: float, signal: str
    ) -> int:
        """Apply the phrase `words` found at i..end; return the index of the next token."""
        if signal == "negation":
            self.negated_at = end - 1
        elif signal == "expectation:low":
            self.low_expectation_at = i
        elif words[-1] == "than":
            # A comparison is denied like an opinion word: "no slower than the old one".
            negated = i - self.negated_at <= NEGATION_SCOPE
            self._add(_Item(value, signal, i), negation=negated)
        elif signal:
            ironic = signal in lx.IRONIC_PHRASES
            value = self._resolved(i, value)
            self.items.append(_Item(value, signal, i, ironic_frame=ironic))
        return end

    def _clause_break(self, i: int, tok: str) -> None:
        self.exclamations += tok.count("!")
        self.question = self.question or "?" in tok
        self.clause_start = i + 1
        if tok[0] != "!":  # "not good!" keeps its negation; a new clause does not
            self.negated_at = -99
        if tok[0] != ",":  # "never disappoint. curry sorted again": a new sentence
            self.never_at = -99
        self.boost = 1.0

    def _symbol(self, i: int, tok: str) -> None:
        value = lx.EMOTICONS.get(tok)
        kind = "emoticon"
        if value is None:
            value, kind = lx.EMOJI[tok], "emoji"
        self.items.append(_Item(value, f"{kind}:{tok}", i))

    def _word(self, i: int, tok: str) -> None:
        if tok not in _CONTEXT_WORDS or not self._context_word(i, tok):
            self._lexicon_word(i, tok)

    def _context_word(self, i: int, tok: str) -> bool:
        """The readings of `_CONTEXT_WORDS` before the lexicon's; True if one took the word."""
        self._note_context(i, tok)
        negated = i - self.negated_at <= NEGATION_SCOPE
        if tok in lx.TOO_WORDS and i > 0 and self.tokens[i - 1] == "too":
            # "too small", "too slow": a plain description turned into a complaint.
            self._add(_Item(-0.4, f"complaint:too {tok}", i), negation=negated)
            return True
        if tok in lx.RESOLVED and not negated:
            self.resolved_at = i
        if tok in lx.KEEP_WORDS and self._repeated_failure(i):
            self.persistent = True
            self._add(_Item(-0.4, f"complaint:{tok} {self._next(i)}", i), negation=negated)
            return True
        self.i = i
        if tok in lx.SPEED_WORDS and self._complaint_in_clause():
            return True  # "drains my battery so fast": the speed is the failure's, not praise
        if tok == "back" and self._wants_back(i):
            self._add(_Item(-0.5, "complaint:want it back", i), negation=False)
            return True
        if tok == "down" and self._service_down(i):
            self._add(_Item(-0.6, "complaint:down", i), negation=False)
            return True
        if tok == "another" and self._ironic_another(i):
            # "oh good, another update": praise greeting one more of something is irony.
            self.items.append(_Item(-0.4, "sarcasm", i))
            return True
        if tok in lx.ATTEMPT_NOUNS and i > 0 and self.tokens[i - 1] in lx.ORDINALS:
            # "2nd DM this week", "3rd email": the customer counts the attempts (in a plain
            # question it names the topic: "what is the second email about?").
            self._add(_Item(-0.4, f"complaint:{self.tokens[i - 1]} {tok}", i), negation=False)
            return True
        if tok == "higher" and self._bill_went_up(i):
            self._add(_Item(-0.4, "complaint:bill higher", i), negation=False)
            return True
        if tok == "instead" and self._fewer_than_promised(i):
            self._add(_Item(-0.4, "complaint:instead of", i), negation=False)
            return True
        if tok == "again" and i - self.never_at <= 6:
            self._add(_Item(-0.7, "complaint:never again", i), negation=False)
            return True
        if tok in lx.EXPECTATIONS and negated:
            # "never arrived", "no refund", "doesn't work": the commonest complaint shape.
            self._add(_Item(-0.6, f"complaint:no {tok}", i), negation=False)
            return True
        return False

    def _lexicon_word(self, i: int, tok: str) -> None:
        """A word's own valence from the lexicon, in its context (negation, intensifier, caps)."""
        negated = i - self.negated_at <= NEGATION_SCOPE
        entry, stretched = _lookup(tok)
        if i > 0 and self.tokens[i - 1] in lx.STOPPED and self._stopped_doing(tok, entry):
            # "trackpad stopped clicking": a device that stopped doing its job has failed.
            self._add(_Item(-0.5, f"complaint:stopped {tok}", i), negation=False)
            return
        if tok == "like" and i > 0 and self.tokens[i - 1] in lx.LIKE_VERB_AFTER:
            entry = (0.4, "lexicon:like")
        if entry is None:
            return
        value, signal = entry
        value = self._resolved(i, value)
        if value > 0 and tok.startswith("lov") and self._next(i) in lx.NOBODY_LOVES:
            value, signal = -0.5, "sarcasm"  # "love waiting on hold": nobody loves waiting
        value *= self.boost * (1.3 if stretched else 1.0) * (1.2 if tok in self.caps else 1.0)
        if stretched:
            self.signals.append("elongation")
        item = _Item(value, signal, i, ironic_frame=self._ironic_frame(i, tok))
        self._add(item, negation=negated)

    def _negated_idiom(self, i: int, tok: str) -> int:
        """Praise built on a negation, read whole (issue 12, ninth pass); 0 if none here.

        "can't recommend X enough", "couldn't be happier", "couldn't have asked for a better
        …", "never been so impressed" are praise; "couldn't be worse", "couldn't be less
        helpful" complaints; "can't believe how good/bad …" intensifies what follows instead of
        denying it. Returns the index of the next token to read.
        """
        if tok in lx.CANT_WORDS:
            after = i + 1
        elif tok in ("can", "could") and self._next(i) == "not":
            after = i + 2
        elif tok == "never" and self._next(i) in ("been", "had"):
            return self._never_been(i)
        else:
            return 0
        verb = self.tokens[after] if after < len(self.tokens) else ""
        if verb in lx.PRAISE_ENOUGH_VERBS or verb in lx.EMPHASIS_ENOUGH_VERBS:
            for k in range(after + 1, min(after + 1 + lx.ENOUGH_REACH, len(self.tokens))):
                if self.tokens[k] != "enough":
                    continue
                if verb in lx.PRAISE_ENOUGH_VERBS:
                    self._add(_Item(0.7, "phrase:can't recommend enough", i), negation=False)
                self.negated_at = -99
                return k + 1
                if self.tokens[k][0] in _CLAUSE_BREAKS:
                    break
            return 0
        if verb == "believe" and self._next(after) in lx.BELIEVE_OPENERS:
            self.negated_at = -99
            if self._next(after + 1) in lx.BELIEVE_COMPLAINTS:
                self._add(_Item(-0.5, "complaint:can't believe how long", i), negation=False)
                return after + 3
            self.boost = 1.3  # "can't believe how good": amazement
            return after + 1
        if verb in lx.COMPARATIVE_OPENERS:
            return self._comparative(i, after, lx.COMPARATIVE_REACH)
        return 0

    def _never_been(self, i: int) -> int:
        """ "never been so impressed", "never been happier", "never had a smoother check-in"."""
        k = i + 2
        if self._next(k - 1) in ("a", "an"):
            k += 1
        if k < len(self.tokens) and self.tokens[k] in lx.NEVER_INTENSIFY:
            if self.tokens[k] == "more":
                return self._comparative(i, k, 1)
            self.negated_at = -99
            self.boost = 1.3
            return k + 1
        return self._comparative(i, k, 1)

    def _comparative(self, i: int, start: int, reach: int) -> int:
        """A comparative after linking words ("couldn't be happier", "… any easier"), read as
        the verdict either way; 0 if there is none in reach."""
        tokens = self.tokens
        k, stop = start, min(start + reach, len(tokens))
        while k < stop and tokens[k] in lx.COMPARATIVE_FILLERS:
            k += 1
        if k < len(tokens) and tokens[k] in ("make", "made"):
            # "couldn't make switching any easier": the thing made, then "any".
            ahead = tokens[k + 1 : k + 4]
            if "any" not in ahead:
                return 0
            k += ahead.index("any") + 2
        if k >= len(tokens) or (k == start and reach > 1):
            return 0
        word, end = tokens[k], k + 1
        value = lx.COMPARATIVES.get(word)
        if word in ("more", "less") and end < len(tokens):
            entry, _ = _lookup(tokens[end])
            if entry is None:
                return 0
            value = entry[0] * (1.3 if word == "more" else -1.0)
            end += 1
        elif value is None:
            value = _comparative_value(word)
        if not value or abs(value) < 0.1:
            return 0
        value = max(-0.9, min(0.9, value))
        signal = "phrase:couldn't be better" if value > 0 else "complaint:couldn't be worse"
        self.negated_at = -99
        self._add(_Item(value, signal, i), negation=False)
        return end

    def _bill_went_up(self, i: int) -> bool:
        """ "my bill is £19 higher": an amount more on what the customer pays."""
        if i == 0 or not self.tokens[i - 1].isdigit():
            return False
        return any(tok in lx.BILLS for tok in self.tokens[self.clause_start : i])

    def _fewer_than_promised(self, i: int) -> bool:
        """ "4 coaches instead of 8": a number got where another was due."""
        if self._next(i) != "of" or not self._next(i + 1).isdigit():
            return False
        return any(tok.isdigit() for tok in self.tokens[self.clause_start : i])

    @staticmethod
    def _stopped_doing(tok: str, entry: tuple[float, str] | None) -> bool:
        """ "stopped clicking", "stopped charging"; not "stopped crashing" (a fix)."""
        return tok.endswith("ing") and len(tok) > 4 and (entry is None or entry[0] >= 0)

    def _service_down(self, i: int) -> bool:
        """ "StratusCloud down, …": a clause that is only a name and "down" reports an outage.

        Not "shares down 5%" or "down to 3 bars": the clause must end right after "down".
        """
        nxt = self._next(i)
        prev = self.tokens[i - 1] if i > 0 else ""
        if i != self.clause_start + 1 or prev in lx.DOWN_VERBS or prev.isdigit():
            return False  # "calm down.", "thumbs down!", "940 down." (a download speed)
        return not nxt or nxt[0] in _CLAUSE_BREAKS or nxt[0] == "!"

    def _ironic_another(self, i: int) -> bool:
        """ "great, another …", "oh good, another …": an interjected praise word just before."""
        if i < 2 or self.tokens[i - 1] != ",":
            return False
        praise = self.tokens[i - 2]
        return praise in lx.SARCASM_PRONE and (i - 2 == 0 or self.tokens[i - 3] in lx.SARCASM_LEADS)

    def _repeated_failure(self, i: int) -> bool:
        """ "keeps crashing", "why does it keep asking": keep + a verb in -ing, not praise."""
        verb = self._next(i)
        if not verb.endswith("ing") or verb in lx.KEEP_NEUTRAL:
            return False
        entry, _ = _lookup(verb)
        return entry is None or entry[0] <= 0

    def _resolved(self, i: int, value: float) -> float:
        """A problem word right after "fixed"/"replaced" in its clause: the problem is over."""
        if (
            value < 0
            and i - self.resolved_at <= RESOLVED_REACH
            and self.resolved_at >= self.clause_start
        ):
            return value * RESOLVED_DAMPING
        return value

    def _wants_back(self, i: int) -> bool:
        """ "want my old phone back": a want shortly before, not "want to go back"."""
        if i == 0 or self.tokens[i - 1] in lx.RETURN_VERBS:
            return False
        start = max(self.clause_start, i - 5)
        span = self.tokens[start:i]
        wanted = [k for k, tok in enumerate(span) if tok in lx.WANT_WORDS]
        # "want my old phone back", "want the old design back"; not "we want you back".
        return bool(wanted) and any(tok in lx.OWNED for tok in span[wanted[0] + 1 :])

    def _complaint_in_clause(self) -> bool:
        """A complaint earlier in this clause, and no fix of it ("fixed the outage quickly")."""
        if any(tok in lx.RESOLUTIONS for tok in self.tokens[self.clause_start : self.i]):
            return False
        return any(
            item.pos >= self.clause_start and item.signal.startswith("complaint:")
            for item in self.items
        )

    def _next(self, i: int) -> str:
        return self.tokens[i + 1] if i + 1 < len(self.tokens) else ""

    def _note_context(self, i: int, tok: str) -> None:
        if tok == "why":
            # "anyone know why …?", "wondering why": asking for a reason, not demanding one.
            self.why = self.why or i == 0 or self.tokens[i - 1] not in lx.WHY_ASKERS
            self.why_opens = self.why_opens or (i == 0 and self._next(i) in lx.WHY_AUX)
        elif tok in lx.WAIT_WORDS:
            self.waiting = True
        elif tok in lx.DURATIONS:
            self.duration = True
            # "10 days for a transfer?", "3 weeks for a refund?": a count opens the clause.
            counted = i > 0 and i - 1 == self.clause_start and self.tokens[i - 1].isdigit()
            # "6 weeks to install fibre, now you say another 6": a span for a task, too.
            task = self._next(i) == "for" or (self._next(i) == "to" and self._next(i + 1) != "go")
            self.span_for = self.span_for or (counted and task)
            if self._been_since(i):
                self.waiting = True  # "it's been a week": waiting, and for that long
        elif tok in lx.PERSISTENCE:
            self.persistent = True

    def _been_since(self, i: int) -> bool:
        """ "it's been a week", "its been 3 days": a counted duration right after "it's been"."""
        if i < 3 or self.tokens[i - 2] != "been" or self.tokens[i - 3] not in lx.BEEN_OPENERS:
            return False
        count = self.tokens[i - 1]
        return count in lx.COUNTS or count.isdigit()

    def _add(self, item: _Item, *, negation: bool) -> None:
        if negation:
            # "not happy" is clearly negative; "not bad" only mildly positive (asymmetry as in
            # VADER and TextBlob). Negation is spent on the first opinion word it reaches.
            item.value *= -0.75 if item.value > 0 else -0.4
            item.ironic_frame = False
            self.signals.append("negation")
        self.negated_at = -99
        self.boost = 1.0
        self.items.append(item)

    def _ironic_frame(self, i: int, tok: str) -> bool:
        """Praise used as an interjection or as "thanks for …"/"love waiting …" framing."""
        if tok not in lx.SARCASM_PRONE:
            return False
        nxt = self._next(i)
        prev = self.tokens[i - 1] if i > 0 else ""
        interjection = nxt[:1] in _CLAUSE_BREAKS or nxt[:1] == "!"
        if tok.startswith("than") or tok == "thx":
            if nxt == "for" and self._next(i + 1) in lx.RESOLUTIONS:
                return False  # "thanks for fixing the outage": sincere
            return interjection or nxt == "for" or prev in lx.SARCASM_LEADS
        if tok.startswith("lov"):  # "lovely build quality": a verdict on the brand's work
            ironic_object = tok == "lovely" and nxt in lx.IRONIC_OBJECTS
            return nxt.endswith("ing") or nxt in ("how", "when", "that") or ironic_object
        # An interjection opens its clause ("Great, another delay", "oh great."); praise later
        # in a sentence ("so much fun, except …") is sincere.
        # "great job losing my bag": praise of the brand's act, ironic if a complaint follows;
        # "… the screen shattered. great design": a two-word verdict after a complaint.
        return (
            (interjection and i - self.clause_start <= 1)
            or prev in lx.SARCASM_LEADS
            or nxt in lx.IRONIC_OBJECTS
            or (i == self.clause_start > 0 and self._clause_length(i) <= 2)
        )

    def _clause_length(self, i: int) -> int:
        """Words from i to the end of its clause."""
        n = 0
        for tok in self.tokens[i:]:
            if tok[0] in _CLAUSE_BREAKS or tok[0] == "!":
                break
            n += 1
        return n

    def _add_context_complaints(self) -> None:
        end = len(self.tokens)
        # "on hold for 2 hours", "still waiting": waiting is only a complaint when it drags on.
        if self.waiting and (self.duration or self.persistent):
            self.items.append(_Item(-0.5, "complaint:long wait", end))
        # "10 days for a transfer?", "6 weeks to install, now another 6": how long a task takes.
        if self.span_for and (self.question or self.persistent):
            self.items.append(_Item(-0.5, "complaint:how long?", end))
        # A "why …?" put to a brand is nearly always a grievance ("why was I billed twice?").
        if self.why and (self.question or self.why_opens):
            self.items.append(_Item(-0.3, "complaint:why?", end))
        # "wasn't expecting much but they delivered": low expectations met, nothing bad after.
        but_at = self.but_at
        if (
            but_at is not None
            and but_at > self.low_expectation_at >= 0
            and not any(it.value < 0 and it.pos > but_at for it in self.items)
        ):
            self.items.append(_Item(0.5, "phrase:beat expectations", end))


@lru_cache(maxsize=1 << 16)  # words repeat across mentions; bounded so memory stays flat
def _lookup(word: str) -> tuple[tuple[float, str] | None, bool]:
    """Lexicon entry for a word, trying de-elongated forms ("sooo baaad" -> "bad")."""
    table = _word_table()
    entry = table.get(word)
    if entry is not None or len(word) < 4:
        return entry, False
    squeezed = _ELONGATED.sub(r"\1\1", word)
    if squeezed == word:
        return None, False
    # "baaad" -> "baad" -> "bad"; "goooood" -> "good" (doubles are kept first: real spellings).
    entry = table.get(squeezed) or table.get(_ELONGATED.sub(r"\1", word))
    return entry, entry is not None


def _comparative_value(word: str) -> float | None:
    """Valence of a comparative through its base: "happier" -> "happy", "nicer" -> "nice"."""
    if len(word) < 5 or not word.endswith("er"):
        return None
    stem = word[:-2]
    bases = [stem[:-1] + "y"] if stem.endswith("i") else [stem, stem + "e"]
    if len(stem) > 2 and stem[-1] == stem[-2]:
        bases.append(stem[:-1])  # "bigger" -> "big"
    for base in bases:
        entry, _ = _lookup(base)
        if entry is not None:
            return entry[0] * 1.3
    return None


def _clock_delay(clean: str) -> bool:
    """Two clock times, the second one reported as when it finally happened (see `_CLOCK`)."""
    if _CLOCK_HINT.search(clean) is None:  # most mentions hold no time: one cheap scan
        return False
    times = list(_CLOCK.finditer(clean))
    for first, second in itertools.pairwise(times):
        gap = clean[first.end() : second.start()]
        # One word between them is a window ("9am until 5pm"), not a report.
        if 2 <= len(gap.split()) <= CLOCK_GAP_WORDS and _LATE_CUE.search(gap):
            return True
    return False


_MONEY_SIGN = re.compile(r"[£$€]\s?\d")
_DIGIT = re.compile(r"\d")
_FIGURE_JOINS = frozenset(",.:")


def _plain_fact(clean: str, tokens: list[str], items: list[_Item]) -> bool:
    """One plain statement of one amount or date, no cue and no stance (issue 12, ninth pass):
    a sum stated as what something is or costs or what the writer paid ("My rent is 950
    pounds.", "Paid 12 dollars for the delivery fee.") or when something is ("The vet is at
    4:30 tomorrow."), in one clause, not asked. Not a sum done to the writer ("charged me 35
    pounds", "took 240 pounds for no reason"), two figures ("went from 18 to 31") or a stance
    ("is now 110", "still 80"): those keep the model's say. As bg16's rule for Bulgarian."""
    if _DIGIT.search(clean) is None:
        return False  # most texts: no figure at all
    if len(tokens) > lx.PLAIN_MAX_TOKENS or any(abs(it.value) > 0.1 for it in items):
        return False  # a cue other than the priced thing's name ("fee", "bill")
    last = len(tokens) - 1
    figures: list[int] = []
    for k, tok in enumerate(tokens):
        joined = 0 < k < last and tok in _FIGURE_JOINS and tokens[k - 1].isdigit()
        if joined and tokens[k + 1][0].isdigit():
            continue  # "1,200", "4.99", "4:30": one figure
        if tok[0] in _CLAUSE_BREAKS or tok[0] == "!":
            if k != last:
                return False
        elif tok in lx.NEGATORS or tok in lx.PLAIN_STANCE or tok in lx.ORDINALS:
            return False
        elif tok[0].isdigit() and not (k > 1 and tokens[k - 1] in _FIGURE_JOINS):
            figures.append(k)
    if len(figures) != 1 or lx.PLAIN_STATED.isdisjoint(tokens[: figures[0]]):
        return False
    k = figures[0]
    while k + 2 <= last and tokens[k + 1] in _FIGURE_JOINS and tokens[k + 2][0].isdigit():
        k += 2
    unit = tokens[k + 1] if k < last else ""
    money = unit in lx.MONEY_UNITS or _MONEY_SIGN.search(clean) is not None
    dated = unit in lx.PLAIN_TIMES or k > figures[0] or tokens[figures[0]][-2:] in _ORDINAL_ENDS
    return money or dated or (figures[0] > 0 and tokens[figures[0] - 1] == "at")


_ORDINAL_ENDS = frozenset(("st", "nd", "rd", "th"))


def _opens_info_question(tokens: list[str]) -> bool:
    """Does the mention open like a request for information ("can I …", "how do I …")?"""
    return any(tuple(tokens[:n]) in lx.INFO_QUESTION_OPENERS for n in (3, 2, 1))


def _damp_info_question(scorer: _Scorer, items: list[_Item], signals: list[str]) -> None:
    """ "How do I dispute a charge?" asks; "why was I charged twice?" complains.

    In a question that opens as a request for information and shows no sign of a repeated
    failure, problem words name the topic of the question more than the customer's mood.
    """
    if not (scorer.info_question and scorer.question) or scorer.persistent or scorer.why:
        return
    if scorer.waiting and scorer.duration:
        return  # "is there a reason my transfer has been pending for a week?"
    tokens = scorer.tokens
    last_mark = max(i for i, tok in enumerate(tokens) if "?" in tok)
    if any(tok[0].isalnum() for tok in tokens[last_mark + 1 :]):
        return  # more is said after the question ("… like GM? Stop the tsunami.")
    damped = False
    for item in items:
        # Complaint vocabulary names the topic of a question; opinion words still carry mood.
        if item.value < 0 and item.signal.startswith("complaint:"):
            item.value *= INFO_QUESTION_DAMPING
            damped = True
    if damped:
        signals.append("question")


def _until_lately(clean: str, tokens: list[str], items: list[_Item]) -> None:
    """ "Worked fine until the last update", "no problems until today": the praise before it
    is over, and that is the complaint."""
    if "til" not in clean or (match := _UNTIL_LATELY.search(clean)) is None:
        return
    at = next((i for i, t in enumerate(tokens) if t == match.group(0).split()[0]), len(tokens))
    earlier = [item for item in items if item.pos < at and item.value > 0]
    if not earlier:
        return
    for item in earlier:
        item.value = -0.5 * item.value
    items.append(_Item(-0.5, "complaint:until lately", at))


def _apply_sarcasm(items: list[_Item], tagged: bool, signals: list[str]) -> None:
    """Praise next to a real complaint is irony: "great, another delay", "thanks for nothing"."""
    complaint = any(item.value <= STRONG_NEGATIVE for item in items)
    for item in items:
        if item.value <= 0:
            continue
        if tagged or (item.ironic_frame and complaint):
            item.value = -0.5 * item.value
            signals.append("sarcasm")


def _total(scorer: _Scorer, items: list[_Item]) -> float:
    """Sum of item values with "but" and persistence weighting and "!" emphasis."""
    total = 0.0
    for item in items:
        value = item.value
        if scorer.but_at is not None:
            # "nice phone but the battery died": what follows "but" is the point.
            value *= 1.5 if item.pos > scorer.but_at else 0.5
        if scorer.persistent and value < 0 and item.signal.startswith("complaint"):
            value *= 1.3  # "still no refund", "another delay", "down again"
        total += value
    if scorer.exclamations:
        total *= 1.0 + 0.1 * min(scorer.exclamations, 3)
    return total


def _label(polarity: float) -> Label:
    if polarity <= NEGATIVE_BELOW:
        return "negative"
    return "positive" if polarity >= POSITIVE_ABOVE else "neutral"


_item_value = attrgetter("value")


@dataclass(frozen=True, slots=True)
class _Lexical:
    """What the lexicon pass read from one mention: its verdict and what the model needs."""

    sentiment: Sentiment
    tokens: list[str]
    dense: tuple[float, ...]  # in the order of `sentiment_model.DENSE_NAMES`
    plain: bool = False  # a plain statement of an amount or a date: the model may not overrule
    ironic: bool = False  # an explicit irony marker (#sarcasm, /s, "… said no one ever")


def _lexical(text: str) -> _Lexical:
    clean, caps, sarcasm_tag = _normalise(text or "")
    tokens = _tokens(clean)
    scorer = _Scorer(tokens, caps)
    items = scorer.run()
    signals = scorer.signals
    if _clock_delay(clean):
        items.append(_Item(-0.4, "complaint:clock times", len(tokens)))
    _damp_info_question(scorer, items, signals)
    _until_lately(clean, tokens, items)
    _apply_sarcasm(items, sarcasm_tag, signals)
    total = _total(scorer, items)
    polarity = round(max(-1.0, min(1.0, total / math.sqrt(total * total + ALPHA))), 4)
    signals.extend(item.signal for item in sorted(items, key=_item_value))
    fired = tuple(dict.fromkeys(filter(None, signals)))[:MAX_SIGNALS]
    complaints = sum(1 for it in items if it.signal.startswith("complaint:"))
    dense = (
        polarity,
        float(polarity <= NEGATIVE_BELOW),
        float(polarity >= POSITIVE_ABOVE),
        min(complaints, 3) / 3,
        float("sarcasm" in signals),
        float("negation" in signals),
        float(scorer.question),
        min(scorer.exclamations, 3) / 3,
        float(scorer.why and scorer.question),
    )
    plain = _plain_fact(clean, tokens, items)
    return _Lexical(Sentiment(polarity, _label(polarity), fired), tokens, dense, plain, sarcasm_tag)


def _combine(lexical: _Lexical, model: LinearModel | None) -> Sentiment:
    """The model confirms or overturns the lexicon's "negative"; the lexicon keeps the rest."""
    lex = lexical.sentiment
    if model is None or not lexical.tokens or not model.enabled or lexical.plain:
        return lex
    logit = model.logit(model_buckets(lexical.tokens, lex, model.bits), lexical.dense)
    p = sm.probability(logit)
    if lex.label == "negative":
        # An explicit irony marker is the writer's own reading: the model may not undo it.
        if p >= model.confirm or lexical.ironic:
            return lex
        # Read in context the complaint is not one ("no issues at all", "not bad").
        polarity = round(NEGATIVE_BELOW + 0.01, 4)
        signals = ("model:not negative", *lex.signals)
    elif p >= (bar := model.overrides_at(lex.label == "positive")):
        # Scale the model's confidence onto the negative band so polarity grows with it.
        strength = (p - bar) / (1 - bar) if bar < 1 else 1.0
        polarity = round(NEGATIVE_BELOW - (1 + NEGATIVE_BELOW) * strength, 4)
        signals = ("model:negative", *lex.signals)
    else:
        return lex
    return Sentiment(polarity, _label(polarity), signals[:MAX_SIGNALS])


def model_buckets(tokens: list[str], lexicon: Sentiment, bits: int) -> set[int]:
    """The hashed features the model reads: n-grams of the tokens and the lexicon's verdict."""
    found = sm.buckets(tokens, lx.NEGATORS, bits)
    found |= sm.lexicon_buckets(lexicon.polarity, lexicon.signals, bits)
    return found


def analyze_with(text: str, model: LinearModel | None) -> Sentiment:
    """`analyze` with another model, or with none (lexicon only): for training and benchmarks."""
    return _combine(_lexical(text), model)


def features(text: str) -> tuple[list[str], tuple[float, ...], Sentiment]:
    """Tokens, dense features and the lexicon-only verdict: what a model is trained on."""
    lexical = _lexical(text)
    return lexical.tokens, lexical.dense, lexical.sentiment


_model_switch = {"on": True}  # `use_model`; the bot sets it from CRISIS_SENTIMENT_MODEL


def use_model(enabled: bool) -> None:
    """Switch the shipped model on (the default) or off (the lexicon alone decides)."""
    _model_switch["on"] = enabled


def model_in_use() -> bool:
    return _model_switch["on"] and sm.shipped_model().enabled


def _analyze_en(text: str) -> Sentiment:
    """Score one English mention: polarity in [-1, 1], a label, and the signals that fired."""
    return _combine(_lexical(text), sm.shipped_model() if _model_switch["on"] else None)


# Languages with an analyzer of their own; "und" (no words, e.g. only emoji) goes to English,
# whose emoji and emoticon scoring is language-free.
SUPPORTED_LANGS = frozenset(("en", "bg"))


def analyze(text: str, lang: str | None = None) -> Sentiment:
    """Score one mention in its language (detected when `lang` is None).

    English and Bulgarian are scored; any other language is neutral with "lang:unsupported".
    """
    if lang is None:
        from detectors.language import detect_language  # local: loads its model on first use

        lang = detect_language(text or "")
    if lang == "bg":
        from detectors import sentiment_bg  # local: word lists and model load on first use

        s = sentiment_bg.score(text, use_model=_model_switch["on"])
        return Sentiment(polarity=s.polarity, label=s.label, signals=s.signals, lang="bg")
    if lang in ("en", "und"):
        result = _analyze_en(text)
        return result if lang == "en" else replace(result, lang=lang)
    return Sentiment(polarity=0.0, label="neutral", signals=("lang:unsupported",), lang=lang)


def analyze_many(
    texts: Iterable[str], langs: Iterable[str | None] | None = None
) -> list[Sentiment]:
    """Score many mentions (same result as calling `analyze` on each)."""
    if langs is None:
        return [analyze(t) for t in texts]
    return [analyze(t, lang) for t, lang in zip(texts, langs, strict=True)]
