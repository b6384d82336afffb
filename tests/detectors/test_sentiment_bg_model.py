"""The shipped Bulgarian n-gram model (`detectors/sentiment_bg_model.bin`, trained on our own
tweets and mentions by `benchmarks/train_bg_sentiment.py --write`) and how it joins the rules."""

from __future__ import annotations

import itertools
import math
import zlib
from array import array

import numpy as np
import pytest

from benchmarks import train_bg_sentiment as training
from detectors import sentiment_bg
from detectors.sentiment import analyze, use_model
from detectors.sentiment_bg import HASH_BUCKETS, VETO_KEEP, Model, combine, score


def test_the_shipped_model_loads_with_the_settings_leave_one_group_out_chose() -> None:
    m = sentiment_bg.model()
    assert m is not None
    assert len(m.weights) == HASH_BUCKETS
    assert (m.threshold, m.weight, m.bar, m.keep) == (1.0, 0.125, 2.0, 1.0)
    assert m.min_ids == 5.0  # bg16: bg11's weights and settings, the n-gram minimum by LOGO
    assert any(m.weights) and all(math.isfinite(w) for w in m.weights)


# New sentences (in no data set) with no negative cue the rules know, which the model flags.
@pytest.mark.parametrize(
    "text",
    [
        "Детето пак е с температура, трети ден.",
        # bg17: "Трети месец ни обещават …" is now the rules' (a span counted): see
        # test_sentiment_bg_implicit.py; this sentence keeps the model's part.
        "Отново ни обещават ремонт на улицата.",
        "Шефът пак ме остави до 9 вечерта.",
        "Обадих се четири пъти, четири различни отговора.",
    ],
)
def test_the_model_adds_a_negative_the_rules_miss(text: str) -> None:
    assert score(text, use_model=False).label == "neutral"
    scored = score(text)
    assert scored.label == "negative", scored
    assert "model:negative" in scored.signals


@pytest.mark.parametrize(
    "text",
    [
        "Кога отваря новият клон на БанкаЕдно в Пловдив?",
        "Колко струва доставката до Варна?",
        "Работи ли магазинът в неделя?",
        "Какво е работното време на офиса в Русе?",
        "Има ли някой препоръка за зъболекар в Лозенец?",
        "Колко е заплатата на учителите?",
        "Общината обяви ремонт на бул. България от 1 март.",
        "ТелкоНет пуска нов тарифен план от понеделник.",
        "Утре ще е облачно, около 12 градуса.",
        "Парламентът гласува бюджета на първо четене.",
        "Общината обяви нови цени на паркирането от 1 януари.",
        "Средната заплата в София е 2500 лева.",
        "Влакът за Варна тръгва в 7:30.",
        "Пратката пристига утре.",
    ],
)
def test_plain_questions_and_news_stay_neutral_with_the_model(text: str) -> None:
    assert score(text).label == "neutral", score(text)


# bg12: plain first-person statements and everyday facts on complaint topics, written for this
# test (in no data set) and pinned neutral ...
@pytest.mark.parametrize(
    "text",
    [
        "Днес платих тока и водата.",
        "Парното ни за декември е 130 лева.",
        "Чакам 111 на спирката до НДК.",
        "Имам час при гинеколога в сряда.",
        "В понеделник имам изпит по история.",
        "Работя от 10 до 19 часа.",
        "Куриерът ще мине след 15 ч.",
        "Пратката ми е в автомата на Спиди.",
        "Пътувам до работа с колата, 25 минути.",
        "Сметката за интернет е 30 лева месечно.",
        "Днес съм на смяна до 22 ч.",
        "Наемът ни е 700 лева.",
        "Чакам резултата от кръвната картина.",
        "Днес ходих до банката за превод.",
        "Chakam avtobusa za Plovdiv.",
    ],
)
def test_plain_statements_on_complaint_topics_stay_neutral_with_the_model(text: str) -> None:
    assert score(text).label == "neutral", score(text)


# ... and these five, which the bg11 model alone reads as negative (it knows pay, bills and
# waiting from complaints; bg12's retrained candidate fixed them but lowered the check sets).
# bg16: one plain fact with one figure (a sum, a day) and no stance is the rules' verdict
# ("plain"), which the model may not overrule, and without a cue the model needs at least
# 5 n-grams (3 words) to add: "Чакам автобуса." is 3.
@pytest.mark.parametrize(
    "text",
    [
        "Заплатата ми е 2000 лева.",
        "Сметката за ток този месец е 80 лева.",
        "Чакам автобуса.",
        "Записах си час при личния лекар за петък.",
        "Заплатата ми е 1800 лева нето.",
    ],
)
def test_plain_statements_the_bg11_model_read_as_negative_are_neutral(text: str) -> None:
    assert score(text).label == "neutral", score(text)


# New sentences: one figure and no stance is a plain fact; a second figure, a second clause, a
# stance, a question or a quote is not (the model keeps its say there).
@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Вноската ми за колата е 430 лева.", True),
        ("Платих 45 лева за годишната винетка.", True),
        ("Имам час при очния лекар във вторник.", True),
        ("Хлябът в пекарната е 2,40 лева.", True),
        ("Утре ще ходя до общината.", True),
        ("Таксито ми поиска 40 лева за 2 километра.", False),
        ("Парното беше 90 лева, сега е 260 лева.", False),
        ("Заплатата ми е 1300 лева, а наемът ми е 1000.", False),
        ("Пак платих 120 лева за ток.", False),
        ("Кафе на гарата - 6 лева.", False),
        ("Колко е билетът за Варна, 40 лева ли?", False),
        ("Казаха „до петък“.", False),
        ("Записах се на зъболекар чак за май.", False),
        ("Детето е болно от петък.", False),
    ],
)
def test_one_figure_without_stance_is_a_plain_fact(text: str, plain: bool) -> None:
    signals = sentiment_bg.rules(text)[2]
    assert ("plain" in signals) == plain, signals
    if plain:
        assert score(text).label == "neutral"


def test_without_a_cue_the_model_needs_enough_ngrams() -> None:
    m = Model(array("f", bytes(4 * HASH_BUCKETS)), 0.0, 1.0, 1.0, 2.0, 1.0, 5.0)
    assert combine(0.0, 2.5, m, n_ids=3) == 0.0  # two words: thin evidence, no cue
    assert combine(0.0, 2.5, m, n_ids=5) == -1.5
    assert combine(0.0, 2.5, m, cue=True, n_ids=3) == -1.5  # a cue needs no minimum


# ... while the same topics told as complaints stay negative (new sentences too).
@pytest.mark.parametrize(
    "text",
    [
        "Чакам 111 вече 50 минути, никакъв не идва.",
        "Заплатата пак я няма, а наемът е утре.",
        "Сметката за ток е 300 лева, това е обир!",
        "Куриерът пак не дойде, ужас.",
    ],
)
def test_the_same_topics_as_complaints_stay_negative(text: str) -> None:
    assert score(text).label == "negative", score(text)


def test_praise_and_complaints_keep_their_labels_with_the_model() -> None:
    assert score("Страхотно обслужване, благодаря!").label == "positive"
    assert score("Ужасно обслужване, никога повече!").label == "negative"
    assert score("Няма ток в цял Лозенец от 3 часа").label == "negative"


def test_a_stated_mark_or_a_mixed_verdict_stands_against_the_model() -> None:
    m = Model(array("f", bytes(4 * HASH_BUCKETS)), 0.0, 0.0, 1.0, 0.0, 1.0)
    assert combine(-0.1, 5.0, m, cue=True, capped=True) == -0.1
    assert combine(-0.1, 5.0, m, cue=True) == -5.1
    assert analyze("Оценка 3. Нито ме впечатли, нито ме отврати.", "bg").label == "neutral"
    assert analyze("Малко скучен.", "bg").label == "neutral"


def test_without_a_rules_cue_the_model_needs_its_bar() -> None:
    m = Model(array("f", bytes(4 * HASH_BUCKETS)), 0.0, 1.0, 1.0, 2.0, 1.0)
    assert combine(0.0, 1.5, m) == 0.0  # above the threshold, below the bar, no cue
    assert combine(0.0, 1.5, m, cue=True) == -0.5  # the rules saw something negative
    assert combine(0.0, 2.5, m) == -1.5  # beyond the bar
    assert combine(-0.8, -5.0, m) == -0.8  # keep 1.0: the model never softens
    assert combine(0.4, 9.0, m) == pytest.approx(0.4 - 8.0)  # irony the rules took for praise


def test_a_model_file_with_its_settings_round_trips_and_an_older_one_loads() -> None:
    weights = array("f", (((i * 40503) % 997) / 997 - 0.5 for i in range(HASH_BUCKETS)))
    m = Model(weights, -0.25, 0.5, 0.125, 2.0, 1.0, 5.0)
    again = Model.from_bytes(m.to_bytes())
    assert again == m
    bg11 = (weights + array("f", (-0.25, 0.5, 0.125, 2.0, 1.0))).tobytes()  # no min_ids
    assert Model.from_bytes(bg11).min_ids == 0.0
    old = (weights + array("f", (-0.25, 0.5, 0.75))).tobytes()  # bias, threshold, weight
    older = Model.from_bytes(old)
    assert (older.weight, older.bar, older.keep) == (0.75, 0.0, VETO_KEEP)
    with pytest.raises(ValueError):
        Model.from_bytes(old + b"\0" * 4)


def test_feature_ids_are_the_crc_of_lemmas_and_lemma_pairs() -> None:
    toks = sentiment_bg.rules("Пратките пак закъсняха, ужас! Защо?")[1]
    lemmas = [sentiment_bg.lemma(t) for t in toks if t[0].isalnum() or t[0] == "!"]
    feats = [*lemmas, *(f"{a} {b}" for a, b in itertools.pairwise(lemmas))]
    assert sentiment_bg.feature_ids(toks) == [
        zlib.crc32(f.encode()) & (HASH_BUCKETS - 1) for f in feats
    ]


def test_the_switch_turns_the_bulgarian_model_off_too() -> None:
    text = "Шефът пак ме остави до 9 вечерта."
    try:
        use_model(False)
        assert analyze(text, "bg").label == "neutral"
    finally:
        use_model(True)
    assert analyze(text, "bg").label == "negative"


TINY = [
    ("Пак няма ток от сутринта", True),
    ("Чакам пратката трета седмица", True),
    ("Трети ден без топла вода", True),
    ("Благодаря за бързата доставка", False),
    ("Кога отваряте в неделя?", False),
    ("Утре ще вали сняг", False),
]


def test_training_is_deterministic_on_a_tiny_sample() -> None:
    docs = [training.doc(text, negative) for text, negative in TINY]
    first = training.train_checkpoints(docs, 1e-4, (20, 50))
    second = training.train_checkpoints(docs, 1e-4, (20, 50))
    for steps in (20, 50):
        (w1, b1), (w2, b2) = first[steps], second[steps]
        assert w1.tobytes() == w2.tobytes() and b1 == b2
    w, b = first[50]
    z = training.logits(docs, w, b)
    assert all(zi > 0 for zi, (_, neg) in zip(z, TINY, strict=True) if neg)
    m = Model(array("f", w.tobytes()), b, 0.0, 1.0)
    ids_logits = [m.logit(sentiment_bg.rules(text)[1]) for text, _ in TINY]
    assert ids_logits == pytest.approx(z, abs=1e-9)


def test_the_vectorised_combine_matches_combine() -> None:
    docs = [training.doc(text, negative) for text, negative in TINY]
    docs += [training.doc("Хубав, но малко бавен", False), training.doc("Оценка 2", True)]
    arr = training.Arrays(docs)
    rng = np.random.default_rng(14)
    z = rng.normal(0.0, 3.0, len(docs))
    grid = itertools.product((-1.0, 1.0), (0.125, 1.0), (0.0, 2.0), (0.25, 1.0), (0.0, 7.0))
    for th, wt, bar, keep, mn in grid:
        slow = training.predict(docs, list(z), th, wt, bar, keep, mn)
        assert list(arr.predict(z, th, wt, bar, keep, mn)) == slow


# A sum done to the writer is not a plain statement of what something costs: the model keeps
# its say there (these read neutral under bg16's first 'plain' rule), and an unasked charge is a
# complaint of the rules' own.
@pytest.mark.parametrize(
    "text",
    [
        "Глобиха ме 50 лева.",
        "Прибраха ми 15 лева от сметката.",
        "Банката ми удържа 30 лева такса без причина.",
    ],
)
def test_a_sum_done_to_the_writer_is_not_a_plain_fact(text: str) -> None:
    scored = score(text)
    assert "plain" not in scored.signals
    assert scored.label == "negative", scored


def test_an_unasked_charge_is_a_complaint_of_the_rules() -> None:
    scored = score("Банката ми удържа 30 лева такса без причина.", use_model=False)
    assert scored.label == "negative" and "complaint:without asking" in scored.signals
