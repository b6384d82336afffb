"""Accuracy per language and throughput of `detectors.language.detect_language` on short texts.

Usage: python benchmarks/language_bench.py [--errors N]

Texts: `benchmarks/langid_cases.py` (written for the project, 5+ words except the "short" group),
the Bulgarian brand mentions of `benchmarks/data/bg/mentions.jsonl`, and, when present beside the
repository, the public Cinexio comments of ../shared/data/sentiment/bg/cinexio_train.jsonl with 5+
words and, separately, with 1-4 (development data, not part of the repo). The Cinexio figures
were looked at while writing the word-list and letter layers, so they are development figures;
the hand-written sets were written before them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from benchmarks.langid_cases import SAMPLES  # noqa: E402
from detectors.language import detect_language  # noqa: E402

CINEXIO = REPO_ROOT.parent / "shared" / "data" / "sentiment" / "bg" / "cinexio_train.jsonl"
MENTIONS = REPO_ROOT / "benchmarks" / "data" / "bg" / "mentions.jsonl"


def _has_cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


def groups() -> dict[str, tuple[str, list[str]]]:
    """name -> (expected language, texts)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for name, texts in SAMPLES.items():
        if name != "short":
            out[name] = ("bg" if name.startswith("bg") else name, list(texts))
    short: dict[str, list[str]] = {}
    for pair in SAMPLES["short"]:
        lang, text = pair.split("|", 1)
        short.setdefault(lang, []).append(text)
    for lang, texts in short.items():
        out[f"short {lang}"] = ("bg" if lang.startswith("bg") else lang, texts)
    if MENTIONS.exists():
        rows = [json.loads(line) for line in MENTIONS.read_text(encoding="utf-8").splitlines()]
        out["bg mentions (Cyrillic)"] = ("bg", [r["text"] for r in rows if r["kind"] != "latin"])
        out["bg mentions (Latin)"] = ("bg", [r["text"] for r in rows if r["kind"] == "latin"])
    if CINEXIO.exists():
        lines = CINEXIO.read_text(encoding="utf-8").splitlines()
        comments = [json.loads(line)["Comment"] for line in lines]
        out["cinexio 5+ words"] = ("bg", [c for c in comments if len(c.split()) >= 5])
        # Short ones (1-4 words with a Cyrillic letter): the shape of many tweets.
        out["cinexio 1-4 words"] = (
            "bg",
            [c for c in comments if 1 <= len(c.split()) <= 4 and _has_cyrillic(c)],
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", type=int, default=0, help="print up to N misidentified texts")
    args = ap.parse_args(argv)
    for warm in ("warm up the model", "Пак няма ток", "Опять нет света", "pak nyama tok"):
        detect_language(warm)  # lazy loads are a one-off
    print(f"{'group':<24} {'n':>5} {'accuracy':>9} {'texts/s':>9}  wrong answers")
    shown = 0
    for name, (want, texts) in groups().items():
        start = time.perf_counter()
        got = [detect_language(t) for t in texts]
        rate = len(texts) / (time.perf_counter() - start)
        wrong = [(g, t) for g, t in zip(got, texts, strict=True) if g != want]
        answers: dict[str, int] = {}
        for g, _ in wrong:
            answers[g] = answers.get(g, 0) + 1
        acc = 1 - len(wrong) / len(texts)
        print(f"{name:<24} {len(texts):5d} {acc:9.3f} {rate:9,.0f}  {answers or ''}")
        for g, t in wrong:
            if shown < args.errors:
                print(f"    {want}->{g}: {t[:100]!r}")
                shown += 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
