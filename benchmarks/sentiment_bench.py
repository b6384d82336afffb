"""Negative-class quality and single-core throughput of `detectors.sentiment` vs plain TextBlob.

Usage: python benchmarks/sentiment_bench.py [CSV] [--errors N] [--kfold]

CSV is a Sentiment140-style file (columns `polarity` 0/2/4 and `text`); the default is the shared
development set beside the repository. This is a script, not a test: the figures depend on the
machine, and the shared data is not part of the repo. The English figures are followed by the
Bulgarian section (`sentiment_bg_bench`: Bulgarian brand mentions and Cinexio comments).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from textblob import TextBlob  # noqa: E402

from benchmarks import sentiment_bg_bench  # noqa: E402
from benchmarks import sentiment_cases as cases  # noqa: E402
from detectors.sentiment import analyze, analyze_many  # noqa: E402

DEFAULT_CSV = REPO_ROOT / ".." / "shared" / "data" / "sentiment" / "sentiment140_test.csv"
MIN_SECONDS = 1.0  # time at least this long so the rate is not noise from a 498-row set


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    rate: float  # mentions per second, one core, repeated passes
    first_pass: float  # mentions per second on the first pass (word cache still cold)


def load(path: Path) -> tuple[list[str], list[bool]]:
    """Texts and whether each is labelled negative (Sentiment140 polarity 0)."""
    with path.open(newline="", encoding="utf-8", errors="replace") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["polarity"].strip() == "0" for r in rows]


def textblob_negative(texts: Sequence[str]) -> list[bool]:
    # The baseline the issue quotes: plain TextBlob, negative when polarity < 0.
    return [TextBlob(t).sentiment.polarity < 0 for t in texts]


def ours_negative(texts: Sequence[str]) -> list[bool]:
    return [s.label == "negative" for s in analyze_many(texts)]


def prf(pred: Sequence[bool], gold: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def throughput(
    fn: Callable[[Sequence[str]], list[bool]], texts: Sequence[str]
) -> tuple[float, float]:
    """Mentions per second on a first pass and over repeated passes for MIN_SECONDS.

    Repeated passes hit the analyzer's word cache more than new mentions would, so the first
    pass (mostly unseen words) is reported too: it is the conservative figure.
    """
    fn(texts[:5])  # warm-up: lazy lexicon loads are a one-off, not per-mention cost
    start = time.perf_counter()
    fn(texts)
    first = len(texts) / (time.perf_counter() - start)
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < MIN_SECONDS:
        fn(texts)
        done += len(texts)
    return first, done / elapsed


def score(fn: Callable[[Sequence[str]], list[bool]], texts: list[str], gold: list[bool]) -> Scores:
    first, rate = throughput(fn, texts)
    p, r, f = prf(fn(texts), gold)
    return Scores(p, r, f, rate, first)


def show_errors(texts: list[str], gold: list[bool], limit: int) -> None:
    """Print misses and false alarms, to look at while developing (not to tune words on)."""
    for text, is_neg in zip(texts, gold, strict=True):
        s = analyze(text)
        if (s.label == "negative") != is_neg and limit > 0:
            kind = "MISS " if is_neg else "FALSE"
            print(f"{kind} {s.polarity:+.2f} {list(s.signals)} {text[:110]!r}")
            limit -= 1


def show_cases() -> None:
    """Negative-class P/R/F1 on the hand-written brand mentions in `sentiment_cases`."""
    texts = [*cases.NEGATIVE, *cases.NEUTRAL, *cases.POSITIVE]
    gold = [i < len(cases.NEGATIVE) for i in range(len(texts))]
    print(f"hand-written brand mentions ({len(texts)}, {len(cases.NEGATIVE)} negative):")
    for name, fn in (("textblob", textblob_negative), ("ours", ours_negative)):
        p, r, f = prf(fn(texts), gold)
        print(f"{name:<10} {p:6.3f} {r:6.3f} {f:6.3f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--errors", type=int, default=0, help="print up to N misclassified rows")
    ap.add_argument("--kfold", action="store_true", help="Bulgarian: k-fold held-out F1 (slow)")
    args = ap.parse_args(argv)
    texts, gold = load(args.csv.resolve())
    print(f"{len(texts)} mentions, {sum(gold)} negative  ({args.csv})")
    base = score(textblob_negative, texts, gold)
    ours = score(ours_negative, texts, gold)
    print(f"{'analyzer':<10} {'P':>6} {'R':>6} {'F1':>6} {'mentions/s':>11} {'1st pass/s':>11}")
    for name, s in (("textblob", base), ("ours", ours)):
        print(
            f"{name:<10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} "
            f"{s.rate:11,.0f} {s.first_pass:11,.0f}"
        )
    print(
        f"throughput ratio ours/textblob: {ours.rate / base.rate:.2f}x (first pass: "
        f"{ours.first_pass / base.first_pass:.2f}x)"
    )
    show_cases()
    if args.errors:
        show_errors(texts, gold, args.errors)
    print("\n== Bulgarian (benchmarks/sentiment_bg_bench.py) ==")
    sentiment_bg_bench.report(kfold=args.kfold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
