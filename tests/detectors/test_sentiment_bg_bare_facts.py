"""Complaints told as bare facts (issue 14, bg15): a promise and what came of it, "чак" with a
date, "уж … а", "още не"/"все още без", repeats, a thing missing or closed for a time, a price
then and now; and the close neutral or positive texts on the same topics (a date stated, a
promise kept, plans). Sentences written for these tests, not taken from any set."""

from __future__ import annotations

import pytest

from detectors.sentiment_bg import score


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Обещаха ремонт на парапета. Нищо не се случи.", "promise"),
        ("Казаха до петък за визата. Минаха още пет работни.", "promise"),
        ("Обещаха да пуснат асансьора.", "promise"),
        ("Днес е сряда, а шкафа го обещаха за събота.", "promise"),
        ("Подадох молбата на 4-ти, днес е 25-и.", "date_passed"),
        ("Обещаха ни визата за петък. Днес е вторник.", "promise"),
        ("Обезщетението ще го изплатят чак през април.", "chak"),
        ("Ще ми оправят бойлера чак след празниците.", "chak"),
        ("Уж офисът работи до 18, а в 17 беше заключен.", "uzh"),
        ("Уж щяха да сложат светофар на кръстовището.", "uzh"),
        ("Още не са ни върнали таксата за концерта.", "still_not"),
        ("Читалището все още е без отопление.", "still_not"),
        ("Вече седми път пращам същите документи.", "repeated"),
        ("За кой ли път сменяме графика на детската градина.", "repeated"),
        ("В селото няма хляб от четири дни.", "missing"),
        ("Спортната зала е затворена от миналата есен.", "missing"),
        ("Таксата за паркинг беше 2 лева, сега е 4.", "price_rise"),
        ("Абонаментът стана 30 лева, беше 18.", "price_rise"),  # bg16: now first
        ("Кафето в университета от 1,60 стана 2,50.", "price_rise"),
        ("Obeshtaha da smenqt brojacha. Nishto.", "promise"),
        ("Влакът по разписание тръгва в 6:40. Тръгна в 7:25.", "late"),
        ("Документите ми са в общината от месец и не мърдат.", "stuck"),
        ("Zaplatata shte q prevedat chak sled 25-ti.", "chak"),
    ],
)
def test_bare_fact_complaints_are_negative(text: str, kind: str) -> None:
    s = score(text)
    assert s.label == "negative", (text, s)
    assert f"complaint:bare:{kind}" in s.signals, (text, s.signals)


@pytest.mark.parametrize(
    "text",
    [
        "Обещаха ремонт на парапета и го направиха за два дни.",
        "Казаха за визата до петък и я получихме в четвъртък.",
        "Шкафът ще бъде доставен в събота между 9 и 13 часа.",
        "Подадох молбата на 4-ти и ще получа отговор до 14 дни.",
        "Обезщетението ще бъде изплатено през април.",
        "Офисът работи до 18 часа от понеделник до петък.",
        "Таксата за отменения полет ще бъде възстановена до седмица.",
        "Залата е затворена в неделя, отваря от понеделник.",
        "Спортната зала ще бъде затворена от 1 до 10 август.",
        "Паркингът пред блока е за живущите.",
        "Тази вечер театър. Още не сме избрали какво.",
        "Ако все още не сте опитали новата пекарна, горещо я препоръчвам!",
        "Кога идва фактурата? Още не е пристигнала по пощата.",
        "Днес е петък и отиваме на пазар.",
        "Обещаха да вали сняг през уикенда.",
        "Влакът трябваше да тръгне в 8:00. Тръгна в 8:05.",
        "Концертът е в 19:00. Дойдохме в 19:30 и хванахме началото.",
        "От 1 гол разлика стана 3 за нашите.",  # bg16: a count, not a price
        "Таксата стана 12 лева, беше 12.",
        "Чакам потвърждение от банката до края на седмицата.",  # bg16: a deadline, no wait
    ],
)
def test_close_neutral_and_positive_texts_are_not_negative(text: str) -> None:
    s = score(text)
    assert s.label != "negative", (text, s)
    assert not any(sig.startswith("complaint:bare") for sig in s.signals), (text, s.signals)


@pytest.mark.parametrize(
    "text",
    [
        "Ремонтът приключи точно както обещаха.",
        "Водата я пуснаха в 16 часа, колкото казаха.",
        "Пратката дойде още на другия ден.",
    ],
)
def test_promise_kept_is_positive(text: str) -> None:
    s = score(text)
    assert s.label == "positive", (text, s)
