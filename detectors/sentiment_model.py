"""A small linear model that decides whether a mention is negative, on top of the lexicon.

Logistic regression over hashed word unigrams and bigrams (negation-marked, as in Das & Chen
2001 and Pang et al. 2002), the lexicon pass's own reading of the mention as hashed features
(its polarity in steps of 0.2, and each signal that fired: "complaint:refund", "sarcasm",
"negation"…), and a few dense features from that pass (polarity, complaint, sarcasm, negation
and question signals). The lexicon carries what generalises (opinion words, complaint shapes,
negation and irony handled in context); the n-grams learn the vocabulary of many domains that the
word lists do not hold ("downgraded", "doesn't hold charge"), and the signal features let the
model learn how far to trust each rule.

The weights ship as `sentiment_model.json`, trained by `benchmarks/train_sentiment.py` on the
development data in `benchmarks/data/sentiment/` (licences in its README). Pure Python: no numpy
at run time; scoring one mention is a few dozen CRC32 hashes and array reads.
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("sentiment_model.json")
BITS = 20  # 1M buckets: rare collisions for the ~300k n-grams of the training texts
DENSE_NAMES: tuple[str, ...] = (
    "polarity",  # lexicon polarity, -1 .. 1
    "lexicon_negative",  # lexicon label is negative
    "lexicon_positive",
    "complaints",  # complaint signals, capped at 3, over 3
    "sarcasm",
    "negation",
    "question",
    "exclamation",
    "why_question",  # the lexicon's "why …?" grievance
)
# /2: buckets also hold the lexicon's polarity step and signals (`lexicon_buckets`).
FORMAT = "crisisbot-sentiment-linear/2"
# Tokens that end the reach of a negation mark ("not good, but fine" only negates "good").
_CLAUSE_END = frozenset(".,;:!?\u2026")


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Hashed weights (int16 times `scale`), dense weights and bias: one logistic unit.

    `confirm`, `override` and `override_positive` are the decision band, set by the training
    procedure: a mention the lexicon calls negative stays negative at probability >= confirm;
    one it calls neutral becomes negative at >= override, one it calls positive at >=
    override_positive (a clear opinion the other way is overturned only when the model is nearly
    certain). Confirm 0 and both overrides above 1 leave the lexicon's labels as they are.
    """

    bits: int
    scale: float
    weights: Sequence[int]
    dense: tuple[float, ...]
    bias: float
    confirm: float = 0.5
    override: float = 0.5
    override_positive: float = 0.5

    @property
    def enabled(self) -> bool:
        """False for the lexicon-only band, where no probability could change a label."""
        return self.confirm > 0 or min(self.override, self.override_positive) <= 1

    def overrides_at(self, lexicon_positive: bool) -> float:
        """The probability at which the model calls negative what the lexicon does not."""
        return self.override_positive if lexicon_positive else self.override

    def logit(self, buckets: Iterable[int], dense: Sequence[float]) -> float:
        w = self.weights
        total = sum(map(w.__getitem__, buckets)) * self.scale + self.bias
        return total + sum(d * x for d, x in zip(self.dense, dense, strict=True))

    def to_json(self) -> str:
        raw = zlib.compress(array("h", self.weights).tobytes(), 9)
        return json.dumps(
            {
                "format": FORMAT,
                "bits": self.bits,
                "scale": self.scale,
                "dense_names": list(DENSE_NAMES),
                "dense": list(self.dense),
                "bias": self.bias,
                "confirm": self.confirm,
                "override": self.override,
                "override_positive": self.override_positive,
                "weights_int16_zlib_b64": base64.b64encode(raw).decode("ascii"),
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> LinearModel:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown sentiment model format: {data.get('format')!r}")
        if tuple(data["dense_names"]) != DENSE_NAMES:
            raise ValueError("sentiment model was trained with other dense features")
        weights = array("h")
        weights.frombytes(zlib.decompress(base64.b64decode(data["weights_int16_zlib_b64"])))
        if len(weights) != 1 << data["bits"]:
            raise ValueError("sentiment model weight table has the wrong size")
        return cls(
            data["bits"],
            data["scale"],
            weights,
            tuple(data["dense"]),
            data["bias"],
            data["confirm"],
            data["override"],
            data["override_positive"],
        )

    @classmethod
    def from_floats(
        cls, bits: int, weights: Sequence[float], dense: Sequence[float], bias: float
    ) -> LinearModel:
        """Quantise trained float weights to int16; the largest maps to 32,000."""
        peak = max((abs(v) for v in weights), default=0.0) or 1.0
        scale = peak / 32_000
        quantised = array("h", (round(v / scale) for v in weights))
        return cls(bits, scale, quantised, tuple(dense), bias)


@cache
def shipped_model() -> LinearModel:
    """The model shipped beside this module, loaded once."""
    return LinearModel.from_json(MODEL_PATH.read_text(encoding="utf-8"))


def buckets(tokens: Sequence[str], negators: frozenset[str], bits: int = BITS) -> set[int]:
    """Hashed unigram and bigram buckets; words after a negator are marked until the clause ends.

    A set: presence, not counts, so "yay yay yay yay" does not weigh four times "yay yay".

    CRC32 rather than `hash()`: Python salts string hashes per process, and the buckets must be
    the same in the training run and in the bot.
    """
    if not tokens:
        return set()
    mask = (1 << bits) - 1
    plain, marked, raw, followed = zip(*map(_token_crcs, tokens), strict=True)
    # Bigram "prev tok": its CRC continues from the CRC of "prev " (crc32(b, crc32(a)) ==
    # crc32(a + b)), so no bigram string is built.
    out = {crc & mask for crc in map(zlib.crc32, raw, (_START_CRC, *followed))}
    if negators.isdisjoint(tokens):
        out.update(crc & mask for crc in plain)
        return out
    negated = False
    for tok, plain_crc, marked_crc in zip(tokens, plain, marked, strict=True):
        if tok[0] in _CLAUSE_END:
            negated = False
        out.add((marked_crc if negated else plain_crc) & mask)
        if tok in negators:
            negated = True
    return out


_START_CRC = zlib.crc32(b"<s> ")


@lru_cache(maxsize=1 << 16)  # tokens repeat across mentions; bounded so memory stays flat
def _token_crcs(tok: str) -> tuple[int, int, bytes, int]:
    """CRC32 of the token, of "!" + token (negated), its UTF-8 bytes, and CRC of token + " "."""
    raw = tok.encode()
    return zlib.crc32(raw), zlib.crc32(b"!" + raw), raw, zlib.crc32(raw + b" ")


def lexicon_buckets(polarity: float, signals: Iterable[str], bits: int = BITS) -> set[int]:
    """Hashed features of the lexicon's verdict: its polarity in steps of 0.2 and its signals.

    The polarity step lets the model trust a clear lexicon verdict more than a faint one
    without assuming the trust is linear; each signal lets it learn how reliable that rule is
    across domains (a "complaint:" word in stock talk, "sarcasm" in product reviews).
    """
    mask = (1 << bits) - 1
    out = {_feature_crc(f"\x00polarity {round(polarity * 5)}") & mask}
    out.update(_feature_crc("\x00signal " + s) & mask for s in signals)
    return out


@lru_cache(maxsize=1 << 12)  # a few hundred signals and eleven polarity steps recur
def _feature_crc(feature: str) -> int:
    return zlib.crc32(feature.encode())


def probability(logit: float) -> float:
    if logit < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-logit))
