"""Implicit complaints told by cue words, not by negative words (issue 14, bg17).

Sentences written for these tests, in no data set: each complaint shape with a close neutral or
positive text using the same cue word.
"""

from __future__ import annotations

import pytest

from detectors.sentiment_bg import score

COMPLAINTS = [
    # "и това ако е …": the thing is not what it claims to be
    "И това ако е асфалт, да ме извинят.",
    # rhetorical questions
    "Кога ли ще се сетят да сложат светофар на това кръстовище.",
    "Колко пъти трябва да питаме общината за тази пейка?",
    "Как ли ще изкараме зимата с тези цени на парното.",
    "Как така цяла зима не могат да почистят една спирка?",
    "Снегорините били излезли по график. Вие видяхте ли ги? Щото аз не.",
    "Кога най-сетне ще пуснат парното в училището?",
    # "Толкова за „…“"
    "Толкова за „денонощната“ поддръжка.",
    # requests counted
    "Три имейла и две обаждания до банката за една справка.",
    # in a row; a span counted from the sentence's start
    "Трета вечер подред съседите вдигат купон до 3.",
    "Втора седмица кашля цялото семейство.",
    "Пета смяна поред без почивен ден.",
    # "пак" after a sigh, after praise as an interjection
    "Айде, пак тия съседи с бормашината.",
    "Браво на кмета, пак изкопаха новия тротоар.",
    # praise opening a colon list of bad things
    "Прекрасна сутрин: спукана гума и изпуснат трамвай.",
    # short resigned sentences
    "Цялата Коледа на смяна. Отново.",
    "Кметът отново обеща метро до квартала. Както винаги.",
    "Писах им преди десет дни. Тишина.",
    # a span expected, then a far longer one; a day or month passed
    "Отидох за хляб за 5 минути, върнах се след час и половина.",
    "Бойлерът угасна във вторник, сега е събота.",
    "Обещаха ни нов асансьор от март. Юли е.",
    # contempt in the diminutive; despair; nothing changes; no notice
    "Министърчето пак ни обясни колко сме богати.",
    "С тези пушачи на стълбите вече не знаем на кого да се оплачем.",
    "Десет години плащаме такса, а паркът е все същият... все същата кал.",
    "Съобщиха ни за ремонта от днес за утре.",
    "Цената на абонамента ми се е вдигнала с 40 процента.",
    # a trip slower than a bike told in minutes or days; a time agreed, then hours later
    "Всяка сутрин 50 минути за 6 километра до офиса.",
    "Писмото е изминало 300 км за 9 дни.",
    "Трябваше да излетим в 7, излетяхме в 13:20.",
    "Водопроводчикът обеща да дойде в 10, сега удря 16.",
    # praise for a noise at dawn on a weekend
    "Колко мило от фирмата да ни звънят в 7 в събота.",
    # the good thing is what is missing; laid off; disbelief; attempts; the same again
    "Кога най-после ще има нормални тротоари в Кършияка?",
    "Чудесно, седмица преди Коледа да ни съкратят.",
    "Кажете ми, че сънувам.",
    "Шести опит да си сменя адреса в сайта на НАП.",
    "Пак ли асфалтират същата отсечка?",
]

NOT_COMPLAINTS = [
    "И това ако не е любов: дядо и баба танцуват на сватбата.",
    "Най-сетне ваканция, децата скачат от радост!",
    "Пак ли играят нашите в неделя?",
    "Колко пъти седмично тренирате?",
    "Колко пъти да се пие сиропът?",
    "Кой ли ще спечели тази вечер?",
    "Трета победа подред за нашите!",
    "Вече пети ден от събора на народното творчество.",
    "Вече втора седмица съм в Лондон на курс.",
    "Браво на отбора, пак победихме!",
    "Хубава изненада: в магазина има пресни ягоди.",
    "Класика! Любимият ми филм отново по телевизията.",
    "Супер филм, ще го гледам пак!",
    "Отидох до магазина за 5 минути и се върнах.",
    "Срещата с учителката е в сряда, днес е понеделник.",
    "Ще дойдат в понеделник, днес е петък.",
    "Колко пъти трябва да се полива кактус?",
    "Пак си пуснах любимата песен и пак ме разсмя 😄",
    "Минаха 7 години, откакто се преместих в Бургас.",
    "Бягах 30 минути, 5 км, и съм доволна.",
    "Трябваше да излетим в 7, излетяхме в 7:10.",
    "Трябваше да е тук в 10, ще дойде в 12.",
    "Браво на пекарната, отваря в 6 и в неделя!",
    "Спечелих! Кажете ми, че не сънувам!",
    "Пак ли сте на същото място за отпуска?",
    "Отново пазарувах от същия щанд, много ми хареса.",
]


@pytest.mark.parametrize("text", COMPLAINTS)
def test_an_implicit_complaint_is_negative(text: str) -> None:
    scored = score(text)
    assert scored.label == "negative", scored


@pytest.mark.parametrize("text", COMPLAINTS)
def test_the_rules_alone_read_the_implicit_complaint(text: str) -> None:
    # The rules, not the n-gram model, carry these cues (the model is off with them).
    assert score(text, use_model=False).label == "negative"


@pytest.mark.parametrize("text", NOT_COMPLAINTS)
def test_the_same_cue_words_without_a_complaint_are_not_negative(text: str) -> None:
    scored = score(text)
    assert scored.label != "negative", scored


@pytest.mark.parametrize(
    "text",
    [
        "И това ако не е любов: дядо и баба танцуват на сватбата.",
        "Най-сетне ваканция, децата скачат от радост!",
        "Трета победа подред за нашите!",
        "Браво на отбора, пак победихме!",
    ],
)
def test_praise_with_the_cue_words_stays_praise(text: str) -> None:
    assert score(text).label == "positive"


def test_ironic_praise_before_again_is_turned() -> None:
    scored = score("Браво на кмета, пак изкопаха новия тротоар.")
    assert "sarcasm" in scored.signals


def test_a_bare_fact_reader_names_its_kind() -> None:
    assert (
        "complaint:bare:overran" in score("Отидох за хляб за 5 минути, върнах се след час.").signals
    )
    assert "complaint:bare:date_passed" in score("Обещаха ни нов асансьор от март. Юли е.").signals
