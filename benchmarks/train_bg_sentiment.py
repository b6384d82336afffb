"""Train the Bulgarian n-gram model (`detectors/sentiment_bg_model.bin`), report k-fold F1.

Usage: python benchmarks/train_bg_sentiment.py [--folds 5] [--write]

Data: the public Cinexio review comments (../shared/data/sentiment/bg/cinexio_train.jsonl, bgGLUE
packaging; negative = Category 0, i.e. 0-1.5 stars). The texts stay outside the repo; only weights
are written. Logistic regression (full-batch Adam, L2) over hashed lemma unigrams and bigrams, the
same features `sentiment_bg` computes at run time; the rules' total is combined with the logit as
in `sentiment_bg.combine`, with the threshold, weight and L2 chosen on a validation fold carved out
of the training folds. So the headline figure is held-out: each comment is scored by a model, and
settings, that never saw it. The "tuned" figure (settings chosen on all folds) is printed beside.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.scoring import prf  # noqa: E402
from detectors import sentiment_bg as sb  # noqa: E402

CINEXIO = REPO_ROOT.parent / "shared" / "data" / "sentiment" / "bg" / "cinexio_train.jsonl"
OUT = REPO_ROOT / "detectors" / sb.MODEL_FILE
NEG_TOTAL = -sb.NEGATIVE_BELOW / math.sqrt(1 - sb.NEGATIVE_BELOW**2)  # total <= -this: negative
THRESHOLDS = (-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5)
WEIGHTS = (0.2, 0.35, 0.5, 0.8, 1.2, 2.0)
L2S = (1e-5, 1e-4)


@dataclass
class Doc:
    ids: list[int]
    total: float  # the rules' total
    firm: bool  # a complaint or crisis term fired (the model does not soften it)
    cue: bool  # the rules saw something negative (the model may add to it)
    negative: bool


def load(path: Path) -> list[Doc]:
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        total, toks, _, items = sb.rules(row["Comment"])
        firm, cue = sb.is_firm(items), sb.has_cue(items)
        docs.append(Doc(sb.feature_ids(toks), total, firm, cue, int(row["Category"]) == 0))
    return docs


def train(docs: list[Doc], l2: float, steps: int = 1000) -> tuple[np.ndarray, float]:
    """Logistic regression, features scaled by 1/sqrt(count) as in `Model.logit`."""
    rows = np.concatenate([np.full(len(d.ids), i) for i, d in enumerate(docs)])
    cols = np.concatenate([np.asarray(d.ids, dtype=np.int64) for d in docs])
    scale = np.concatenate([np.full(len(d.ids), 1 / math.sqrt(max(1, len(d.ids)))) for d in docs])
    y = np.array([d.negative for d in docs], dtype=float)
    w = np.zeros(sb.HASH_BUCKETS)
    b = math.log((y.mean() + 1e-6) / (1 - y.mean() + 1e-6))
    m, v = np.zeros_like(w), np.zeros_like(w)
    mb = vb = 0.0
    lr, n = 0.05, len(docs)
    for t in range(1, steps + 1):
        z = b + np.bincount(rows, weights=w[cols] * scale, minlength=n)
        g = 1 / (1 + np.exp(-z)) - y
        gw = np.bincount(cols, weights=g[rows] * scale, minlength=sb.HASH_BUCKETS) / n + l2 * w
        gb = float(g.mean())
        m = 0.9 * m + 0.1 * gw
        v = 0.999 * v + 0.001 * gw * gw
        w -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        mb = 0.9 * mb + 0.1 * gb
        vb = 0.999 * vb + 0.001 * gb * gb
        b -= lr * (mb / (1 - 0.9**t)) / (math.sqrt(vb / (1 - 0.999**t)) + 1e-8)
    return w, b


def logits(docs: list[Doc], w: np.ndarray, b: float) -> list[float]:
    return [b + float(w[d.ids].sum()) / math.sqrt(len(d.ids)) if d.ids else b for d in docs]


def predict(docs: list[Doc], z: list[float], threshold: float, weight: float) -> list[bool]:
    m = sb.Model(array("f"), 0.0, threshold, weight)
    return [
        sb.combine(d.total, logit, m, firm=d.firm, cue=d.cue) <= -NEG_TOTAL
        for d, logit in zip(docs, z, strict=True)
    ]


def best_setting(docs: list[Doc], z: list[float]) -> tuple[float, float, float]:
    gold = [d.negative for d in docs]
    best = (-1.0, 0.0, 0.0)
    for th in THRESHOLDS:
        for wt in WEIGHTS:
            f = prf(predict(docs, z, th, wt), gold)[2]
            if f > best[0]:
                best = (f, th, wt)
    return best


def fit(train_docs: list[Doc], rng: random.Random) -> tuple[np.ndarray, float, float, float]:
    """Model and combination settings chosen on a validation fifth of `train_docs` only."""
    idx = list(range(len(train_docs)))
    rng.shuffle(idx)
    cut = len(idx) // 5
    val = [train_docs[i] for i in idx[:cut]]
    sub = [train_docs[i] for i in idx[cut:]]
    best = (-1.0, 0.0, 0.0, L2S[0])
    for l2 in L2S:
        w, b = train(sub, l2)
        f, th, wt = best_setting(val, logits(val, w, b))
        if f > best[0]:
            best = (f, th, wt, l2)
    _, th, wt, l2 = best
    w, b = train(train_docs, l2)
    return w, b, th, wt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--write", action="store_true", help=f"write {OUT.name} (trained on all)")
    args = ap.parse_args(argv)
    docs = load(CINEXIO)
    rng = random.Random(14)
    order = list(range(len(docs)))
    rng.shuffle(order)
    folds = [order[k :: args.folds] for k in range(args.folds)]
    gold = [d.negative for d in docs]
    rules_only = [d.total <= -NEG_TOTAL for d in docs]
    print(f"{len(docs)} comments, {sum(gold)} negative; {args.folds}-fold, settings per fold")
    pred = [False] * len(docs)
    oof_z = [0.0] * len(docs)
    for k, test_idx in enumerate(folds):
        test_set = set(test_idx)
        train_docs = [docs[i] for i in order if i not in test_set]
        w, b, th, wt = fit(train_docs, rng)
        test_docs = [docs[i] for i in test_idx]
        z = logits(test_docs, w, b)
        for i, zi, p in zip(test_idx, z, predict(test_docs, z, th, wt), strict=True):
            pred[i], oof_z[i] = p, zi
        fold_f1 = prf(predict(test_docs, z, th, wt), [d.negative for d in test_docs])[2]
        print(f"  fold {k}: threshold {th:+.1f} weight {wt:.2f}  negative F1 {fold_f1:.3f}")
    print("negative class        P      R      F1")
    p, r, f = prf(rules_only, gold)
    print(f"rules only        {p:6.3f} {r:6.3f} {f:6.3f}")
    p, r, f = prf(pred, gold)
    print(f"rules+model (held-out) {p:6.3f} {r:6.3f} {f:6.3f}")
    f_t, _, _ = best_setting(docs, oof_z)
    print(f"rules+model, settings tuned on all folds' predictions: F1 {f_t:.3f} (not a result)")
    if args.write:
        w, b, th, wt = fit(docs, rng)
        model = sb.Model(array("f", w.astype(np.float32).tobytes()), b, th, wt)
        OUT.write_bytes(model.to_bytes())
        print(f"wrote {OUT} (threshold {th:+.1f}, weight {wt:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
