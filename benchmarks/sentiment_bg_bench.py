"""Bulgarian section of the sentiment benchmark: negative-class P/R/F1 and texts/s.

Usage: python benchmarks/sentiment_bg_bench.py [--kfold] [--errors N] [--dev-errors N]
[--dev2-errors N] [--dev3-errors N] [--dev4-errors N] [--dev5-errors N]
[--dev6-errors N] [--dev7-errors N] [--dev8-errors N] [--dev9-errors N]
[--neutral-errors N] [--plain-errors N] [--dev10-errors N] [--check]
(also run by `benchmarks/sentiment_bench.py`).

Sets:
- Cinexio review comments (public; ../shared/data/sentiment/bg/cinexio_train.jsonl, development
  data outside the repo; negative = 0-1.5 stars), rules alone, split by ID parity: the lexicon's
  authors read half A (even IDs) and its errors; half B (odd IDs) is held out, only its aggregate
  score is computed, so B is the figure to quote. With the shipped model (trained on our own
  texts, never on Cinexio) the halves are printed again for rules + model, totals only.
  `--kfold` runs `train_bg_sentiment` for the model's leave-one-group-out figure on our own
  texts (about 15 s).
- `benchmarks/data/bg/general.jsonl`: 162 general Bulgarian tweets (politics, prices, roads,
  health, schools, weather, sport, holidays, everyday life) written as a check set before the
  general-vocabulary rules; only its aggregate score is printed (`--errors` never shows it).
- `benchmarks/data/bg/tweets_dev.jsonl` (198) and `tweets_check.jsonl` (150): general-Twitter
  Bulgarian tweets (issue 14), written together before any rule change of that round. The dev
  set is for reading errors (`--dev-errors N`); the check set is scored only with `--check`
  (totals only), once before and once after a round of changes, so iterating never sees it.
- `benchmarks/data/bg/tweets_dev2.jsonl` (210) and `tweets_check2.jsonl` (152): a second round
  of the same (threads, replies, irony without a blame word, quoted news with a one-word comment,
  promos, emoji-only reactions, Latin script with digits), same protocol (`--dev2-errors N`;
  the second check set also only with `--check`, totals only).
- `benchmarks/data/bg/tweets_dev3.jsonl` (182) and `tweets_check3.jsonl` (140): a third round
  (bad facts with no opinion word, rhetorical comparisons, idioms, colloquial swearing, political
  contempt, positive plans without praise words, quotes and statistics), same protocol
  (`--dev3-errors N`; the third check set also only with `--check`, totals only).
- `benchmarks/data/bg/tweets_dev4.jsonl` (152) and `tweets_check4.jsonl` (117): a fourth round
  (bad facts with no opinion word, irony by understatement, outage notices with a cause,
  statistics of bad things, everyday life and feelings, weather, work and school, short tweets),
  same protocol (`--dev4-errors N`; the fourth check set also only with `--check`, totals only).
- `benchmarks/data/bg/tweets_dev5.jsonl` (174) and `tweets_check5.jsonl` (128): a fifth round
  ("😂" as mockery or joy, waiting told by clock times, numbers-only complaints, irony undone by
  "шегувам се", replies to brands and politicians, quoted support chats, vulgar-but-positive
  slang, neutral tweets with negative words, headlines with a comment), same protocol
  (`--dev5-errors N`; the fifth check set also only with `--check`, totals only).
- `benchmarks/data/bg/tweets_dev6.jsonl` (158) and `tweets_check6.jsonl` (122): a sixth round
  (2010s Twitter: news retweets with a comment, political nicknames and insults, protests,
  media, football rivalries, name days and holidays, weather, TV, one-word replies, links with a
  word, Russian and English mixed in, rants, travel times, bare prices), same protocol
  (`--dev6-errors N`; the sixth check set also only with `--check`, totals only).
- `benchmarks/data/bg/tweets_dev7.jsonl` (165) and `tweets_check7.jsonl` (133): a seventh round
  (short reviews of films, series, books, restaurants, products and apps labelled by the verdict,
  mixed ones neutral; nickname insults, bought referees, travel times, holiday envy, links with a
  word, sentiment that flips at the end), same protocol (`--dev7-errors N`; the seventh check set
  also only with `--check`, totals only).
- `benchmarks/data/bg/tweets_dev8.jsonl` (120) and `tweets_check8.jsonl` (104): an eighth round
  (bg14: half real complaints told in a plain or scheduled register — "Утре ще ни спрат водата,
  а …", a duration reached on a weekday, bare bad events that hit the writer, threats and
  warnings to a brand, a quoted notice with a complaint — and half true notices, headlines,
  enquiries and plans on the same topics), same protocol (`--dev8-errors N`; the eighth check
  set also only with `--check`, totals only).
- `benchmarks/data/bg/tweets_dev9.jsonl` (120) and `tweets_check9.jsonl` (100): a ninth round
  (bg15: half complaints told as bare facts — a promised date passed, "чак" with a date, "уж …
  а", counting days, "още не"/"все още", "вече N-ти път", prices before and after, things
  missing or closed, "никакъв отговор" — and half close neutral or positive texts on the same
  topics: a date stated, a promise kept, plans, information), same protocol
  (`--dev9-errors N`; the ninth check set also only with `--check`, totals only).
- `benchmarks/data/bg/tweets_dev10.jsonl` (125) and `tweets_check10.jsonl` (81): a tenth round
  (bg17: complaints with no negative word, told by "пак", "вече N-ти ден", "още чакам", "кога
  най-сетне", "за кой ли път", counting, "браво"/"супер" on a bad fact, rhetorical questions;
  with neutral and positive texts using the same cue words), same protocol (`--dev10-errors N`;
  the tenth check set also only with `--check`, totals only).
- `benchmarks/data/bg/tweets_neutral_train.jsonl` (358) and `tweets_neutral_check.jsonl` (159):
  plain first-person statements on complaint topics (pay, bills, prices, buses, queues, doctors,
  exams, couriers, banks, telecoms, outage notices), neutral news, questions, plans, quotes and
  results, with topic-matched complaints and praise; about 60 % neutral (bg12). The train set is
  a development set (`--neutral-errors N`; a training group only of bg12's candidate model,
  `train_bg_sentiment.py --neutral`, not shipped); the check set is scored only with `--check`,
  totals only.
- `benchmarks/data/bg/mentions.jsonl`: 305 brand mentions written for the project (see the
  README beside it); per kind as well. Written by the lexicon's authors: a regression and sanity
  check, not evidence of generalisation.
Throughput is `analyze(text, lang="bg")` on one core (first pass, cold word caches) and the same
with language detection (`analyze(text)`), as the bot calls it for a new mention.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from benchmarks.scoring import prf  # noqa: E402
from detectors import sentiment_bg  # noqa: E402
from detectors.sentiment import analyze  # noqa: E402

CINEXIO = REPO_ROOT.parent / "shared" / "data" / "sentiment" / "bg" / "cinexio_train.jsonl"
MENTIONS = REPO_ROOT / "benchmarks" / "data" / "bg" / "mentions.jsonl"
GENERAL = REPO_ROOT / "benchmarks" / "data" / "bg" / "general.jsonl"
TWEETS_DEV = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_dev.jsonl"
TWEETS_CHECK = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_check.jsonl"
TWEETS_DEV2 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_dev2.jsonl"
TWEETS_CHECK2 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_check2.jsonl"
TWEETS_DEV3 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_dev3.jsonl"
TWEETS_CHECK3 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_check3.jsonl"
TWEETS_DEV4 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_dev4.jsonl"
TWEETS_CHECK4 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_check4.jsonl"
TWEETS_DEV5 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_dev5.jsonl"
TWEETS_CHECK5 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_check5.jsonl"
TWEETS_DEV6 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_dev6.jsonl"
TWEETS_CHECK6 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_check6.jsonl"
TWEETS_DEV7 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_dev7.jsonl"
TWEETS_CHECK7 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_check7.jsonl"
TWEETS_DEV8 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_dev8.jsonl"
TWEETS_CHECK8 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_check8.jsonl"
TWEETS_DEV9 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_dev9.jsonl"
TWEETS_CHECK9 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_check9.jsonl"
TWEETS_DEV10 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_dev10.jsonl"
TWEETS_CHECK10 = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_check10.jsonl"
NEUTRAL_TRAIN = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_neutral_train.jsonl"
NEUTRAL_CHECK = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_neutral_check.jsonl"
PLAIN_DEV = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_plain_dev.jsonl"
PLAIN_CHECK = REPO_ROOT / "benchmarks" / "data" / "bg" / "tweets_plain_check.jsonl"


def rate(fn: Callable[[str], object], texts: Sequence[str]) -> float:
    """Texts per second on one pass over texts not seen before in this process."""
    start = time.perf_counter()
    for t in texts:
        fn(t)
    return len(texts) / (time.perf_counter() - start)


def load_mentions(path: Path = MENTIONS) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def report_set(path: Path, title: str, note: str, errors: int = 0) -> None:
    """Aggregate scores on a tweet set; errors are shown only when asked (never for check sets)."""
    rows = load_mentions(path)
    results = [analyze(r["text"], "bg") for r in rows]
    gold = [r["label"] == "negative" for r in rows]
    p, r, f = prf([s.label == "negative" for s in results], gold)
    exact = sum(s.label == row["label"] for s, row in zip(results, rows, strict=True)) / len(rows)
    counts = {
        lab: sum(row["label"] == lab for row in rows) for lab in ("negative", "neutral", "positive")
    }
    print(f"{title} ({len(rows)}: {counts}; {path.name}):")
    print(f"  ({note})")
    print(f"  negative P {p:.3f} R {r:.3f} F1 {f:.3f}  3-class acc {exact:.3f}")
    shown = 0
    for s, row in zip(results, rows, strict=True):
        if s.label != row["label"] and shown < errors:
            print(f"  {row['label'][:3]}->{s.label[:3]} {s.polarity:+.2f} {row['text'][:100]!r}")
            shown += 1


def report_general(check: bool = False) -> None:
    """Aggregate scores on the check sets; their errors are deliberately not shown."""
    report_set(
        GENERAL,
        "Bulgarian general tweets, check set",
        "written before the general-vocabulary rules; errors deliberately not shown",
    )
    if not check:
        checks = (
            TWEETS_CHECK,
            TWEETS_CHECK2,
            TWEETS_CHECK3,
            TWEETS_CHECK4,
            TWEETS_CHECK5,
            TWEETS_CHECK6,
            TWEETS_CHECK7,
            TWEETS_CHECK8,
            TWEETS_CHECK9,
            TWEETS_CHECK10,
            NEUTRAL_CHECK,
            PLAIN_CHECK,
        )
        names = ", ".join(p.name for p in checks)
        print(f"({names}: scored only with --check, before and after a round)")
        return
    report_set(
        TWEETS_CHECK,
        "Bulgarian general-Twitter tweets, check set (issue 14)",
        "scored once before and once after the issue-14 tweet round; errors never shown",
    )
    report_set(
        TWEETS_CHECK2,
        "Bulgarian general-Twitter tweets, second check set (issue 14, round 2)",
        "scored once before and once after the second tweet round; errors never shown",
    )
    report_set(
        TWEETS_CHECK3,
        "Bulgarian general-Twitter tweets, third check set (issue 14, round 3)",
        "scored once before and once after the third tweet round; errors never shown",
    )
    report_set(
        TWEETS_CHECK4,
        "Bulgarian general-Twitter tweets, fourth check set (issue 14, round 4)",
        "scored once before and once after the fourth tweet round; errors never shown",
    )
    report_set(
        TWEETS_CHECK5,
        "Bulgarian general-Twitter tweets, fifth check set (issue 14, round 5)",
        "scored once before and once after the fifth tweet round; errors never shown",
    )
    report_set(
        TWEETS_CHECK6,
        "Bulgarian general-Twitter tweets, sixth check set (issue 14, round 6)",
        "scored once before and once after the sixth tweet round; errors never shown",
    )
    report_set(
        TWEETS_CHECK7,
        "Bulgarian general-Twitter tweets, seventh check set (issue 14, round 7)",
        "scored once before and once after the seventh tweet round; errors never shown",
    )
    report_set(
        TWEETS_CHECK8,
        "Bulgarian complaints and notices in a plain register, eighth check set (issue 14, bg14)",
        "scored once before and once after the eighth tweet round; errors never shown",
    )
    report_set(
        TWEETS_CHECK9,
        "Bulgarian complaints told as bare facts, ninth check set (issue 14, bg15)",
        "scored once before and once after the ninth tweet round; errors never shown",
    )
    report_set(
        TWEETS_CHECK10,
        "Bulgarian implicit complaints and same-cue twins, tenth check set (issue 14, bg17)",
        "scored once before and once after the bg17 round; errors never shown",
    )
    report_set(
        NEUTRAL_CHECK,
        "Bulgarian plain statements and neutral news, check set (issue 14, bg12)",
        "scored once before and once after the neutral-data round; errors never shown",
    )
    report_set(
        PLAIN_CHECK,
        "Bulgarian plain first-person facts and unmarked complaints, check set (issue 14, bg16)",
        "scored once before and once after the bg16 round; errors never shown",
    )


def report(
    kfold: bool = False,
    errors: int = 0,
    dev_errors: int = 0,
    check: bool = False,
    dev2_errors: int = 0,
    dev3_errors: int = 0,
    dev4_errors: int = 0,
    dev5_errors: int = 0,
    dev6_errors: int = 0,
    dev7_errors: int = 0,
    neutral_errors: int = 0,
    dev8_errors: int = 0,
    dev9_errors: int = 0,
    plain_errors: int = 0,
    dev10_errors: int = 0,
) -> None:
    analyze("Ужасно обслужване")  # lazy loads (model, word lists) are a one-off
    analyze("uzhasno obsluzhvane")
    analyze("Опять нет света")  # Bulgarian no longer asks py3langid: load it here, not timed
    rows = load_mentions()
    texts = [r["text"] for r in rows]
    gold = [r["label"] == "negative" for r in rows]
    speed_bg = rate(lambda t: analyze(t, "bg"), texts)
    results = [analyze(t, "bg") for t in texts]
    pred = [s.label == "negative" for s in results]
    p, r, f = prf(pred, gold)
    exact = sum(s.label == row["label"] for s, row in zip(results, rows, strict=True)) / len(rows)
    print(f"Bulgarian brand mentions ({len(rows)}, {sum(gold)} negative; {MENTIONS.name}):")
    print(f"{'set':<26} {'P':>6} {'R':>6} {'F1':>6}  3-class acc")
    print(f"{'all':<26} {p:6.3f} {r:6.3f} {f:6.3f}  {exact:.3f}")
    for kind in dict.fromkeys(row["kind"] for row in rows):
        idx = [i for i, row in enumerate(rows) if row["kind"] == kind]
        kp, kr, kf = prf([pred[i] for i in idx], [gold[i] for i in idx])
        acc = sum(results[i].label == rows[i]["label"] for i in idx) / len(idx)
        print(f"  {kind:<24} {kp:6.3f} {kr:6.3f} {kf:6.3f}  {acc:.3f}  (n={len(idx)})")
    crisis = [i for i, row in enumerate(rows) if row["kind"] == "breach"]
    flagged = sum(any(s.startswith("crisis:") for s in results[i].signals) for i in crisis)
    print(f"  crisis signal on breach/safety/legal mentions: {flagged}/{len(crisis)}")
    print(f"texts/s, lang given: {speed_bg:,.0f}")
    report_general(check)
    report_set(
        TWEETS_DEV,
        "Bulgarian general-Twitter tweets, development set (issue 14)",
        "rules were fixed after reading its errors: a development figure",
        dev_errors,
    )
    report_set(
        TWEETS_DEV2,
        "Bulgarian general-Twitter tweets, second development set (issue 14, round 2)",
        "rules were fixed after reading its errors: a development figure",
        dev2_errors,
    )
    report_set(
        TWEETS_DEV3,
        "Bulgarian general-Twitter tweets, third development set (issue 14, round 3)",
        "rules were fixed after reading its errors: a development figure",
        dev3_errors,
    )
    report_set(
        TWEETS_DEV4,
        "Bulgarian general-Twitter tweets, fourth development set (issue 14, round 4)",
        "rules were fixed after reading its errors: a development figure",
        dev4_errors,
    )
    report_set(
        TWEETS_DEV5,
        "Bulgarian general-Twitter tweets, fifth development set (issue 14, round 5)",
        "rules were fixed after reading its errors: a development figure",
        dev5_errors,
    )
    report_set(
        TWEETS_DEV6,
        "Bulgarian general-Twitter tweets, sixth development set (issue 14, round 6)",
        "rules were fixed after reading its errors: a development figure",
        dev6_errors,
    )
    report_set(
        TWEETS_DEV7,
        "Bulgarian general-Twitter tweets, seventh development set (issue 14, round 7)",
        "rules were fixed after reading its errors: a development figure",
        dev7_errors,
    )
    report_set(
        TWEETS_DEV8,
        "Bulgarian complaints and notices in a plain register, eighth development set (bg14)",
        "rules were fixed after reading its errors: a development figure",
        dev8_errors,
    )
    report_set(
        TWEETS_DEV9,
        "Bulgarian complaints told as bare facts, ninth development set (bg15)",
        "rules were fixed after reading its errors: a development figure",
        dev9_errors,
    )
    report_set(
        TWEETS_DEV10,
        "Bulgarian implicit complaints and same-cue twins, tenth development set (bg17)",
        "rules were fixed after reading its errors: a development figure",
        dev10_errors,
    )
    report_set(
        NEUTRAL_TRAIN,
        "Bulgarian plain statements and neutral news, development set (bg12)",
        "development: its errors may be read (--neutral-errors N); not a training group of the "
        "shipped model",
        neutral_errors,
    )
    report_set(
        PLAIN_DEV,
        "Bulgarian plain first-person facts and unmarked complaints, development set (bg16)",
        "development: its errors may be read (--plain-errors N); not a training group",
        plain_errors,
    )
    if errors:
        shown = 0
        for s, row in zip(results, rows, strict=True):
            if s.label != row["label"] and shown < errors:
                print(f"  {row['label'][:3]}->{s.label[:3]} {s.polarity:+.2f} {row['text'][:90]!r}")
                shown += 1
    if not CINEXIO.exists():
        print(f"(no {CINEXIO}: Cinexio figures skipped)")
        return
    lines = CINEXIO.read_text(encoding="utf-8").splitlines()
    data = [json.loads(line) for line in lines]
    comments = [d["Comment"] for d in data]
    cgold = [int(d["Category"]) == 0 for d in data]
    speed = rate(lambda t: analyze(t, "bg"), comments)
    speed_detect = rate(analyze, comments[::-1])  # reversed: not the same cache order
    rules = [sentiment_bg.score(t, use_model=False).label == "negative" for t in comments]
    print(f"Cinexio comments ({len(comments)}, {sum(cgold)} negative), rules only:")
    halves = (
        ("half A (even ID; lexicon tuned on it)", lambda i: i % 2 == 0),
        ("half B (odd ID; held out, headline)", lambda i: i % 2 == 1),
        ("all", lambda i: True),
    )
    for name, member in halves:
        idx = [k for k, d in enumerate(data) if member(int(d["ID"]))]
        p, r, f = prf([rules[k] for k in idx], [cgold[k] for k in idx])
        print(f"  {name:<38} P {p:.3f} R {r:.3f} F1 {f:.3f}  (n={len(idx)})")
    if sentiment_bg.model() is not None:
        full = [sentiment_bg.score(t).label == "negative" for t in comments]
        print("  rules + shipped model (trained on our own tweets and mentions, never on Cinexio):")
        for name, member in halves:
            idx = [k for k, d in enumerate(data) if member(int(d["ID"]))]
            p, r, f = prf([full[k] for k in idx], [cgold[k] for k in idx])
            print(f"  {name:<38} P {p:.3f} R {r:.3f} F1 {f:.3f}  (n={len(idx)})")
    print(f"  texts/s: {speed:,.0f} with lang given, {speed_detect:,.0f} with language detection")
    if kfold:
        from benchmarks import train_bg_sentiment

        train_bg_sentiment.main([])
    else:
        print("  model held-out (LOGO on our texts): --kfold (benchmarks/train_bg_sentiment.py)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kfold", action="store_true", help="the model's leave-one-group-out F1")
    ap.add_argument("--errors", type=int, default=0, help="print up to N wrong mentions")
    ap.add_argument("--dev-errors", type=int, default=0, help="print up to N wrong dev tweets")
    ap.add_argument("--dev2-errors", type=int, default=0, help="print up to N wrong dev2 tweets")
    ap.add_argument("--dev3-errors", type=int, default=0, help="print up to N wrong dev3 tweets")
    ap.add_argument("--dev4-errors", type=int, default=0, help="print up to N wrong dev4 tweets")
    ap.add_argument("--dev5-errors", type=int, default=0, help="print up to N wrong dev5 tweets")
    ap.add_argument("--dev6-errors", type=int, default=0, help="print up to N wrong dev6 tweets")
    ap.add_argument("--dev7-errors", type=int, default=0, help="print up to N wrong dev7 tweets")
    ap.add_argument("--dev8-errors", type=int, default=0, help="print up to N wrong dev8 tweets")
    ap.add_argument("--dev9-errors", type=int, default=0, help="print up to N wrong dev9 tweets")
    ap.add_argument("--dev10-errors", type=int, default=0, help="print up to N wrong dev10 texts")
    ap.add_argument(
        "--neutral-errors", type=int, default=0, help="print up to N wrong neutral-set texts"
    )
    ap.add_argument(
        "--plain-errors", type=int, default=0, help="print up to N wrong plain_dev texts"
    )
    ap.add_argument("--check", action="store_true", help="score tweets_check*.jsonl (totals only)")
    args = ap.parse_args(argv)
    report(
        args.kfold,
        args.errors,
        args.dev_errors,
        args.check,
        args.dev2_errors,
        args.dev3_errors,
        args.dev4_errors,
        args.dev5_errors,
        args.dev6_errors,
        args.dev7_errors,
        args.neutral_errors,
        args.dev8_errors,
        args.dev9_errors,
        args.plain_errors,
        args.dev10_errors,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
