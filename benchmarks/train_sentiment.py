"""Train the negative-mention model shipped as `detectors/sentiment_model.json`.

Usage: python benchmarks/train_sentiment.py [--out PATH] [--lexicon-only]

Trains on the domains shipped in `benchmarks/data/sentiment/` (`sentiment_data.SHIPPED`), never
on Sentiment140, so the Sentiment140 figure of the shipped model stays a held-out one. The
benchmark (`sentiment_bench.py`) calls `fit` once per held-out domain with the same settings.

Logistic regression on hashed n-grams, the lexicon's verdict and signals (hashed) and its dense
features, fitted full-batch by Adam for a fixed number of steps with a small L2 penalty (numpy,
~10 s). Every training domain weighs the same in total, and within a domain negatives weigh as
much as the rest: a domain with 10,000 movie sentences must not teach the model that the world is
movies, and the decision threshold of 0.5 then does not depend on any domain's share of
complaints. Deterministic: full-batch steps from zero weights, no sampling.

The model decides (`DECISION`). Settings fixed after comparing a handful of variants (char
n-grams, L2 1e-3, 2^18 buckets, the lexicon's verdict as hashed features or not, a few decision
bands) by their mean leave-one-domain-out F1 over all reported domains: one global choice, not
tuned per domain, and the differences between the bands near (0.5, 0.5) were within noise.

Tried and lost in a second pass (issue 12; leave-one-domain-out, none beat the shipped settings
on mean and worst F1 together): suffix-stripped word stems as extra hashed features; the model
without n-grams (lexicon verdict and dense features only: -0.04 on the mean); TextBlob's
subjectivity as two dense features (no change); negatives half a domain's weight and neutral and
positive a quarter each (reviews +0.004, brands_fresh -0.03, mean 0.770); domain weights
growing with the square root of a domain's size instead of equal (finance -0.02, mean 0.772);
the average of the models trained leaving out one training domain each (no gain on reviews);
lower override bars (0.4 and 0.45: recall on brands_fresh, precision lost on s140, social and
finance). Bullish market-news idioms in the lexicon ("beats estimates", "raises guidance") did
not change `finance` and were left out.

Third pass (issue 12): `brands_train`, 501 customer-to-brand mentions written for the product's
genre, trains every fold as one more equal-weight domain (mean LODO F1 0.775 -> 0.779; figures in
the data README). Tried and not adopted: that genre at twice a domain's weight (mean 0.781, brands
+0.008 and finance +0.011 over the adopted model, phones and restaurants a text down): within
noise, and a per-genre weight picked on these same figures.

Fourth pass (issue 12): the customer-tweet dev set (`brand_tweets_dev.csv`, 205, rules already
fixed from its errors) as more `brands_train` text: mean LODO 0.779 -> 0.782 (finance +0.03,
social -0.006) but the check set it was written with 0.854 -> 0.841 (both through `with_model`):
within noise on the mean and worse on the one independent set of the product's genre, so not
adopted; it stays a check set.

Fifth pass (issue 12): retrained, same data and settings, because the lexicon rules added for
consumer-tech tweets change the lexicon's verdicts the model reads (byte-identical on a second
run; mean LODO 0.779 -> 0.784, figures in the data README). `tech_tweets_dev.csv` and
`tech_tweets_check.csv` are check sets, never training data.

Sixth pass (issue 12): retrained again, same data and settings, after the lexicon rules for
product review sentences (byte-identical on a second run; figures in the data README).
`review_sentences_dev.csv` and `review_sentences_check.csv` are check sets, never training data.

Seventh pass (issue 12): `review_sentences_train.csv`, 692 product-review sentences written as
training text (44 % plain facts labelled neutral, which the binary UCI sentences lack), tried as
one more equal-weight genre and not adopted: `reviews` +0.010, `finance` +0.017, `brands` +0.014
and `review_dev` precision 0.88 -> 0.96, but the mean LODO F1 0.7841 -> 0.7837 and
`restaurants` (-0.012), `phones` (-0.007) and `brands_fresh` (-0.025) fell by more than the
0.005 allowed (figures in the data README). Also lost: that set at half a domain's weight, or
sharing one weight with `brands_train`; a dense "measure" feature (a number with a unit) passed
alone (mean 0.786, one text each in `finance` and `brands`) but not with the set, and was left out.
The set stays in `sentiment_data.CANDIDATES` (`sentiment_bench.py --train-extra review_train`);
the shipped model is unchanged: retrained here from the same data it has the same int16
weights and gives the same label, polarity and signals on all 29,110 English texts, but its nine
dense weights and bias differ in the last bit (presumably float summation: byte-identical
between two runs here, not with the file trained elsewhere), so the committed file was kept.

Ninth pass (issue 12): retrained, same data and settings, after the rules for praise built on a
negation ("can't recommend … enough", "couldn't be happier", "can't believe how good") changed
the lexicon's verdicts on ~50 training texts (byte-identical on a second run; LODO mean 0.78419
-> 0.78466, figures in the data README). `negation_tweets_dev.csv` and
`negation_tweets_check.csv` are check sets, never training data.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from benchmarks import sentiment_data as data  # noqa: E402
from detectors import sentiment_model as sm  # noqa: E402
from detectors.sentiment import features, model_buckets  # noqa: E402

STEPS = 300
LEARNING_RATE = 0.05
L2 = 1e-4
# The model decides (confirm, override, override_positive): a mention is negative when its
# probability is at least one half; at least 0.4 when the lexicon already calls it negative (its
# negatives are precise: 0.88-0.93 on the tweet domains), so the model overturns a lexicon
# complaint only when fairly sure; at least 0.9 when the lexicon calls it positive.
DECISION = (0.4, 0.5, 0.9)
# Always confirm, never override: the lexicon's labels unchanged (the model switched off).
LEXICON_ONLY = (0.0, 1.01, 1.01)


def with_band(model: sm.LinearModel, band: tuple[float, float, float]) -> sm.LinearModel:
    return dataclasses.replace(model, confirm=band[0], override=band[1], override_positive=band[2])


@dataclass(frozen=True, slots=True)
class Row:
    buckets: tuple[int, ...]
    dense: tuple[float, ...]
    negative: bool
    domain: str


def featurise(examples: Iterable[data.Example], bits: int = sm.BITS) -> list[Row]:
    rows = []
    for ex in examples:
        tokens, dense, lexicon = features(ex.text)
        buckets = tuple(sorted(model_buckets(tokens, lexicon, bits)))
        rows.append(Row(buckets, dense, ex.label == "negative", ex.domain))
    return rows


def without_domain(rows: Iterable[Row], held: str) -> list[Row]:
    """The training rows of a leave-one-domain-out fold: every row not of the held-out domain.

    By the rows' own domain, not by the set they were loaded from: a domain's `MORE` set must
    stay out of its fold as much as its scored set.
    """
    return [r for r in rows if r.domain != held]


def _weights(rows: list[Row]) -> list[float]:
    """Equal total weight per domain, and per class within a domain; mean weight 1."""
    counts = Counter((r.domain, r.negative) for r in rows)
    domains = {r.domain for r in rows}
    raw = []
    for r in rows:
        classes = 2 if counts[(r.domain, not r.negative)] else 1
        raw.append(1.0 / (len(domains) * classes * counts[(r.domain, r.negative)]))
    scale = len(rows) / sum(raw)
    return [w * scale for w in raw]


class _Adam:
    """Adam's update for one parameter array (Kingma & Ba 2015), bias-corrected."""

    def __init__(self, shape: int) -> None:
        self.m = np.zeros(shape)
        self.v = np.zeros(shape)

    def step(self, param: np.ndarray, grad: np.ndarray, t: int) -> None:
        self.m = 0.9 * self.m + 0.1 * grad
        self.v = 0.999 * self.v + 0.001 * grad * grad
        m_hat = self.m / (1 - 0.9**t)
        v_hat = self.v / (1 - 0.999**t)
        param -= LEARNING_RATE * m_hat / (np.sqrt(v_hat) + 1e-8)


def train(rows: list[Row], bits: int = sm.BITS, steps: int = STEPS) -> sm.LinearModel:
    """Weighted logistic regression, full batch: the same rows give the same model."""
    n = len(rows)
    lengths = np.array([len(r.buckets) for r in rows])
    flat = np.fromiter((i for r in rows for i in r.buckets), dtype=np.int64, count=lengths.sum())
    owner = np.repeat(np.arange(n), lengths)  # the row each bucket occurrence belongs to
    dense = np.array([r.dense for r in rows], dtype=float).reshape(n, len(sm.DENSE_NAMES))
    y = np.array([r.negative for r in rows], dtype=float)
    sample = np.array(_weights(rows)) / n
    size = 1 << bits
    w, dw, bias = np.zeros(size), np.zeros(dense.shape[1]), np.zeros(1)
    opt_w, opt_dw, opt_b = _Adam(size), _Adam(dense.shape[1]), _Adam(1)
    for t in range(1, steps + 1):
        z = np.bincount(owner, weights=w[flat], minlength=n) + dense @ dw + bias[0]
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
        g = (p - y) * sample
        opt_w.step(w, np.bincount(flat, weights=g[owner], minlength=size) + L2 * w, t)
        opt_dw.step(dw, dense.T @ g + L2 * dw, t)
        opt_b.step(bias, np.array([g.sum()]), t)
    return sm.LinearModel.from_floats(bits, w.tolist(), dw.tolist(), float(bias[0]))


def fit(rows: list[Row], bits: int = sm.BITS) -> sm.LinearModel:
    """Train on all rows with the shipped decision rule."""
    return with_band(train(rows, bits), DECISION)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=sm.MODEL_PATH)
    ap.add_argument(
        "--lexicon-only",
        action="store_true",
        help="ship the weights switched off (the lexicon alone decides)",
    )
    args = ap.parse_args(argv)
    examples = [ex for rows in data.load(data.SHIPPED).values() for ex in rows]
    model = fit(featurise(examples))
    if args.lexicon_only:
        model = with_band(model, LEXICON_ONLY)
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(
        f"trained on {len(examples)} texts from {', '.join(data.SHIPPED)}; "
        f"band {model.confirm}, {model.override}, {model.override_positive} -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
