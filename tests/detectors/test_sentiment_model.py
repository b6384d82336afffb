"""The trained negative-mention model, its file, and how it combines with the lexicon."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from benchmarks import sentiment_data as data
from benchmarks import train_sentiment as training
from detectors import sentiment_lexicon as lx
from detectors import sentiment_model as sm
from detectors.sentiment import (
    analyze,
    analyze_with,
    features,
    model_buckets,
    model_in_use,
    use_model,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SMALL_BITS = 12  # a small table keeps the training tests fast


def _constant_model(logit: float, confirm: float = 0.5, override: float = 0.5) -> sm.LinearModel:
    """A model whose probability is the same for every mention."""
    zeros = [0] * (1 << SMALL_BITS)
    dense = (0.0,) * len(sm.DENSE_NAMES)
    return sm.LinearModel(SMALL_BITS, 1.0, zeros, dense, logit, confirm, override)


def test_shipped_model_loads_with_a_sane_band() -> None:
    model = sm.shipped_model()
    assert model.bits == sm.BITS
    assert len(model.weights) == 1 << sm.BITS
    band = (model.confirm, model.override, model.override_positive)
    assert band == training.LEXICON_ONLY or 0 < band[0] <= 0.5 <= band[1] <= band[2] < 1
    assert any(model.weights)


def test_model_file_round_trips() -> None:
    # Switched on (the shipped file may carry the lexicon-only band), so the weights matter.
    model = training.with_band(sm.shipped_model(), (0.3, 0.6, 0.95))
    again = sm.LinearModel.from_json(model.to_json())
    assert again.weights == model.weights
    assert again == model
    texts = ["the update bricked my phone", "love it", "is the store open?", "meh, fine", ""]
    assert [analyze_with(t, again) for t in texts] == [analyze_with(t, model) for t in texts]


def test_analyze_uses_the_shipped_model() -> None:
    texts = ["the update bricked my phone", "love it", "is the store open?", "meh, fine"]
    assert [analyze(t, "en") for t in texts] == [analyze_with(t, sm.shipped_model()) for t in texts]


def test_model_file_of_another_format_is_refused() -> None:
    text = sm.shipped_model().to_json().replace(sm.FORMAT, "crisisbot-sentiment-linear/1")
    with pytest.raises(ValueError, match="format"):
        sm.LinearModel.from_json(text)


def test_buckets_do_not_depend_on_the_process_hash_seed() -> None:
    # The model is trained in one process and used in another: str hashes are salted per
    # process, so the buckets must come from a stable hash.
    code = (
        "from detectors import sentiment_model as sm, sentiment_lexicon as lx;"
        "print(sorted(sm.buckets(['not', 'good', '!'], lx.NEGATORS)))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO_ROOT)}
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1
    assert outputs == {f"{sorted(sm.buckets(['not', 'good', '!'], lx.NEGATORS))}\n"}


def test_negation_marks_words_until_the_clause_ends() -> None:
    mask = (1 << sm.BITS) - 1
    good, not_good = zlib.crc32(b"good") & mask, zlib.crc32(b"!good") & mask
    assert good in sm.buckets(["so", "good"], lx.NEGATORS)
    negated = sm.buckets(["not", "good"], lx.NEGATORS)
    assert not_good in negated
    assert good not in negated
    assert good in sm.buckets(["not", ",", "good"], lx.NEGATORS)


def test_a_sure_model_overrides_a_neutral_lexicon() -> None:
    text = "GadgetCo sold 3 million units"  # the lexicon finds nothing here
    assert analyze_with(text, None).label == "neutral"
    result = analyze_with(text, _constant_model(20.0, override=0.8))
    assert result.label == "negative"
    assert result.polarity <= -0.99
    assert result.signals[0] == "model:negative"


def test_the_lexicon_only_band_changes_no_label() -> None:
    sure_yes, sure_no = _constant_model(40.0), _constant_model(-40.0)
    for text in ("GadgetCo sold 3 million units", "the battery died after a day", "love it"):
        for model in (sure_yes, sure_no):
            off = training.with_band(model, training.LEXICON_ONLY)
            assert analyze_with(text, off) == analyze_with(text, None)


def test_a_positive_lexicon_verdict_is_overturned_only_when_the_model_is_nearly_sure() -> None:
    text = "love it"
    assert analyze_with(text, None).label == "positive"
    band = dict(confirm=0.4, override=0.5, override_positive=0.9)
    unsure = dataclasses.replace(_constant_model(1.0), **band)  # probability 0.73
    assert analyze_with(text, unsure) == analyze_with(text, None)
    sure = dataclasses.replace(_constant_model(20.0), **band)
    assert analyze_with(text, sure).label == "negative"


def test_an_unsure_model_leaves_the_lexicon_alone() -> None:
    text = "GadgetCo sold 3 million units"
    # probability 0.73: above one half but below the override bar
    assert analyze_with(text, _constant_model(1.0, override=0.8)) == analyze_with(text, None)


def test_the_model_can_veto_a_lexicon_complaint_only_below_confirm() -> None:
    text = "the battery died after a day"
    assert analyze_with(text, None).label == "negative"
    vetoed = analyze_with(text, _constant_model(-20.0, confirm=0.1))
    assert vetoed.label == "neutral"
    assert vetoed.signals[0] == "model:not negative"
    # probability 0.27: unconvinced, but above the confirm bar, so the complaint stands
    kept = analyze_with(text, _constant_model(-1.0, confirm=0.1))
    assert kept == analyze_with(text, None)


def test_training_learns_a_word_from_examples() -> None:
    examples = [
        *(data.Example(f"my order {n} came zorbly", "negative", "a") for n in range(20)),
        *(data.Example(f"my order {n} came quintly", "positive", "a") for n in range(20)),
        *(data.Example(f"the box {n} was zorbly", "negative", "b") for n in range(5)),
        *(data.Example(f"the box {n} was quintly", "neutral", "b") for n in range(5)),
    ]
    model = training.train(training.featurise(examples, SMALL_BITS), SMALL_BITS)

    def p(text: str) -> float:
        tokens, dense, _ = features(text)
        return sm.probability(model.logit(sm.buckets(tokens, lx.NEGATORS, SMALL_BITS), dense))

    assert p("the parcel arrived zorbly") > 0.7
    assert p("the parcel arrived quintly") < 0.3


def test_every_domain_weighs_the_same_in_training() -> None:
    rows = training.featurise(
        [
            *(data.Example("bad", "negative", "big") for _ in range(90)),
            *(data.Example("ok", "neutral", "big") for _ in range(10)),
            data.Example("bad", "negative", "small"),
            data.Example("ok", "positive", "small"),
        ],
        SMALL_BITS,
    )
    weights = training._weights(rows)
    by: dict[tuple[str, bool], float] = {}
    for row, w in zip(rows, weights, strict=True):
        key = (row.domain, row.negative)
        by[key] = by.get(key, 0.0) + w
    assert by[("big", True)] == pytest.approx(by[("small", True)])
    assert by[("big", False)] == pytest.approx(by[("big", True)])
    assert sum(weights) == pytest.approx(len(rows))


def test_more_texts_of_a_domain_stay_out_of_its_own_fold() -> None:
    sets = data.load(tuple(data.MORE))
    assert {ex.domain for ex in sets["phones_more"]} == {"phones"}
    assert {ex.domain for ex in sets["restaurants_more"]} == {"restaurants"}
    rows = training.featurise(
        [
            data.Example("dead on arrival", "negative", "phones"),
            data.Example("cold soup", "negative", "restaurants"),
        ],
        SMALL_BITS,
    )
    assert [r.domain for r in training.without_domain(rows, "phones")] == ["restaurants"]


def test_brands_train_is_never_scored_and_trains_every_fold() -> None:
    sets = data.load(("brands_train", "brands", "brands_fresh"))
    examples = sets["brands_train"]
    assert {ex.domain for ex in examples} == {"brands_train"}
    assert "brands_train" in data.TRAINING_ONLY and "brands_train" in data.SHIPPED
    assert "brands_train" not in data.DOMAINS
    # Written apart from the scored brand sets: none of its texts is one of theirs.
    scored = {ex.text for name in ("brands", "brands_fresh") for ex in sets[name]}
    assert not {ex.text for ex in examples} & scored
    rows = training.featurise(examples[:5], SMALL_BITS)
    for held in data.DOMAINS:
        assert training.without_domain(rows, held) == rows, held


def test_review_train_is_a_candidate_loaded_only_by_name() -> None:
    # Issue 12, seventh pass: tried as a training genre and not adopted (see the data README).
    assert "review_train" in data.CANDIDATES
    for table in (data.DOMAINS, data.TRAINING_ONLY, data.MORE, data.CHECK_SETS):
        assert "review_train" not in table
    assert "review_train" not in data.SHIPPED and "review_train" not in data.load()
    examples = data.load(("review_train",))["review_train"]
    assert {ex.domain for ex in examples} == {"review_train"}
    labels = [ex.label for ex in examples]
    assert labels.count("neutral") >= 0.4 * len(labels)  # the plain facts the brief asked for
    assert labels.count("negative") > 0 and labels.count("positive") > 0
    # Written apart from every other set: no text is one of theirs (compared, not shown).
    texts = {ex.text.lower() for ex in examples}
    assert len(texts) == len(examples)
    others = data.load(tuple(n for n in (*data.DOMAINS, *data.TRAINING_ONLY, *data.MORE)))
    checks = [fn() for fn in data.CHECK_SETS.values()]
    known = {ex.text.lower() for rows in [*others.values(), *checks] for ex in rows}
    assert not texts & known
    # As a genre of its own it would train every fold (`reviews`' included) if it were adopted.
    rows = training.featurise(examples[:5], SMALL_BITS)
    for held in data.DOMAINS:
        assert training.without_domain(rows, held) == rows, held


def test_brand_tweet_check_sets_are_never_trained_on_or_held_out() -> None:
    # Issue 12, fourth pass: the dev and check tweets are scored for the shipped analyser only.
    for name in data.CHECK_SETS:
        assert name not in data.SHIPPED and name not in data.DOMAINS
        assert name not in data.TRAINING_ONLY and name not in data.MORE
    others = data.load(("brands", "brands_fresh", "brands_train"))
    known = {ex.text.lower() for examples in others.values() for ex in examples}
    # Issue 12, fifth pass: the consumer-tech tweets were written apart from all of the above.
    # Sixth pass: product review sentences, written apart from all of the above too.
    # Eighth pass: customer service tweets, likewise.
    # Ninth pass: tweets built on a negation and plain amounts, likewise.
    pairs = (
        ("tweets_dev", "tweets_check"),
        ("tech_dev", "tech_check"),
        ("review_dev", "review_check"),
        ("service_dev", "service_check"),
        ("negation_dev", "negation_check"),
    )
    for dev_name, check_name in pairs:
        dev, check = data.CHECK_SETS[dev_name](), data.CHECK_SETS[check_name]()
        assert {ex.label for ex in dev + check} == {"negative", "neutral", "positive"}
        # Written apart from every other brand set: no text is one of theirs (compared, not shown).
        assert not {ex.text.lower() for ex in dev + check} & known
        assert not {ex.text for ex in dev} & {ex.text for ex in check}
        known |= {ex.text.lower() for ex in dev + check}


def test_training_is_deterministic_and_fit_ships_the_decision_rule() -> None:
    rows = training.featurise(
        [
            *(data.Example(f"order {n} lost", "negative", d) for n in range(6) for d in "ab"),
            *(data.Example(f"order {n} fine", "positive", d) for n in range(6) for d in "ab"),
        ],
        SMALL_BITS,
    )
    first, again = training.fit(rows, SMALL_BITS), training.fit(rows, SMALL_BITS)
    assert first == again
    assert (first.confirm, first.override, first.override_positive) == training.DECISION


def test_the_model_reads_the_lexicons_verdict_as_features() -> None:
    tokens, _, lexicon = features("still no refund, thanks for nothing")
    found = model_buckets(tokens, lexicon, sm.BITS)
    assert sm.buckets(tokens, lx.NEGATORS) < found
    assert sm.lexicon_buckets(lexicon.polarity, lexicon.signals) <= found
    assert len(sm.lexicon_buckets(-0.5, ["sarcasm"])) == 2
    assert sm.lexicon_buckets(-0.5, []) != sm.lexicon_buckets(0.5, [])


def test_the_model_can_be_switched_off() -> None:
    texts = ["the update bricked my phone", "love it", "GadgetCo sold 3 million units", ""]
    assert model_in_use()
    try:
        use_model(False)
        assert not model_in_use()
        assert [analyze(t, "en") for t in texts] == [analyze_with(t, None) for t in texts]
    finally:
        use_model(True)
    assert [analyze(t, "en") for t in texts] == [analyze_with(t, sm.shipped_model()) for t in texts]


def test_the_shipped_model_decides_and_keeps_clear_cases() -> None:
    model = sm.shipped_model()
    assert (model.confirm, model.override, model.override_positive) == training.DECISION
    negative = ["the update bricked my phone", "had to return it", "been on hold for an hour"]
    other = ["great phone, works perfectly", "not bad at all", "is the store open?"]
    assert [analyze(t).label == "negative" for t in negative + other] == [True] * 3 + [False] * 3


def test_the_shipped_model_catches_complaints_the_lexicon_misses() -> None:
    texts = [
        "the screen went black after a week",
        "my headphones only work in one ear",  # "they charged me twice": a lexicon phrase now
        "battery barely lasts till lunch",
        "the app logs me out every day",
    ]
    assert all(analyze_with(t, None).label != "negative" for t in texts)
    assert sum(analyze(t, "en").label == "negative" for t in texts) >= 3


def test_shipped_data_loads_and_is_documented() -> None:
    sets = data.load(data.SHIPPED)
    readme = (data.DATA / "README.md").read_text(encoding="utf-8")
    assert set(sets) == set(data.SHIPPED)
    for name, examples in sets.items():
        assert len(examples) >= 40, name
        assert {ex.label for ex in examples} <= {"negative", "neutral", "positive"}
        assert any(ex.label == "negative" for ex in examples)
        assert f"`{name}`" in readme
    for path in data.DATA.iterdir():
        if path.name != "README.md":
            assert f"`{path.name}`" in readme, f"{path.name} has no source/licence line"
