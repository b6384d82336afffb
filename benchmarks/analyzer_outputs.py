"""Every output of the analyzers on every benchmark text, to show a speed change changes nothing.

Usage: python benchmarks/analyzer_outputs.py OUT.jsonl [--compare BEFORE.jsonl]

One JSON line per text: `detect_language`, `analyze` (language detected), `analyze(…, "en")`,
the lexicon alone (`analyze_with(…, None)`) and the model's inputs (`features`). Texts: every
file of benchmarks/data/sentiment and benchmarks/data/bg (check sets included: their outputs are
compared, never scored), the language benchmark's cases, the shared Sentiment140 test split and
Cinexio comments when present, and the ingest benchmark's templates. Run it at the base commit
and after each change (`--compare` the two files); run it from another worktree to dump that
tree's code, since the script puts its own repository first on the path.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from benchmarks import ingest_bench  # noqa: E402
from benchmarks.language_bench import groups  # noqa: E402
from detectors.language import detect_language  # noqa: E402
from detectors.sentiment import analyze, analyze_with, features  # noqa: E402

SENTIMENT = REPO_ROOT / "benchmarks" / "data" / "sentiment"
BG = REPO_ROOT / "benchmarks" / "data" / "bg"
S140 = REPO_ROOT.parent / "shared" / "data" / "sentiment" / "sentiment140_test.csv"
EDGE_CASES = [
    *("", " ", "😀", ":(", "#sarcasm", "a" * 6000, "NOT GOOD!!!", "sooo baaad", "I'M SO ANGRY"),
]


def texts() -> list[str]:
    out: list[str] = []
    for path in sorted(SENTIMENT.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            out += [row["text"] for row in csv.DictReader(fh)]
    for path in sorted(SENTIMENT.glob("*.tsv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        out += [line.rsplit("\t", 1)[0] for line in lines if line.strip()]
    for path in sorted(SENTIMENT.glob("*.tsv.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            parts = (line.rstrip("\n").split("\t") for line in fh)
            out += [p[2] for p in parts if len(p) == 3]
    for path in sorted(BG.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        out += [json.loads(line)["text"] for line in lines if line.strip()]
    for _, group in groups().values():
        out += group
    if S140.exists():
        with S140.open(newline="", encoding="utf-8", errors="replace") as fh:
            out += [row["text"] for row in csv.DictReader(fh)]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    out += [m.text for m in ingest_bench.make_mentions(300, now)]
    return out + EDGE_CASES


def outputs(text: str) -> list[object]:
    detected, english, lexicon = analyze(text), analyze(text, "en"), analyze_with(text, None)
    tokens, dense, _ = features(text)
    return [
        detect_language(text),
        [detected.polarity, detected.label, detected.signals, detected.lang],
        [english.polarity, english.label, english.signals],
        [lexicon.polarity, lexicon.label, lexicon.signals],
        tokens,
        dense,
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--compare", type=Path, help="an earlier dump: report the texts that differ")
    args = ap.parse_args(argv)
    all_texts = texts()
    with args.out.open("w", encoding="utf-8") as fh:
        for text in all_texts:
            fh.write(json.dumps(outputs(text), ensure_ascii=False) + "\n")
    print(f"{len(all_texts):,} texts -> {args.out}")
    if args.compare is None:
        return 0
    before = args.compare.read_text(encoding="utf-8").splitlines()
    after = args.out.read_text(encoding="utf-8").splitlines()
    if len(before) != len(after):
        print(f"different text counts: {len(before)} before, {len(after)} now")
        return 1
    differ = sum(b != a for b, a in zip(before, after, strict=True))
    print("identical" if not differ else f"{differ} texts differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
