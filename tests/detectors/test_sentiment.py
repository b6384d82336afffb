"""Behaviour of the per-mention sentiment analyzer on hand-written brand mentions."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detectors.sentiment import Sentiment, analyze, analyze_many, analyze_with

COMPLAINTS = [
    "@FlyCo on hold for an hour and nobody picks up",
    "still no refund after 3 weeks @ShopMart",
    "you lost my bag. again.",
    "@TelcoNet internet is down again in my area",
    "I was charged twice for the same order",
    "my package never arrived and support doesn't reply",
    "flight cancelled, no rebooking, stranded at the airport",
    "the app keeps crashing since the update",
    "BankOne account hacked and they won't answer the phone",
    "found a hair in my burger, food was cold and stale",
    "waited 45 minutes in the queue to talk to someone",
    "been transferred 4 times and still no answer",
    "Never again. Switching providers.",
    "the new firmware bricked my router",
    "data breach at MegaCorp, my card details leaked",
    "my order is still not delivered",
    "the charger no longer works after a week",
    "@StreamIt why do you keep logging me out?",
    "my bill went up with no explanation",
    "the internet has been out since 9am",
    "account disabled for no reason",
    "my keyboard stopped responding",
    "never flying with them again",
]

NEGATIONS = [
    "not happy with the new plan",
    "I don't like the redesign",
    "the app isn't good anymore",
    "support was not helpful at all",
]

SARCASM = [
    "great, another delay",
    "thanks for nothing @FlyCo",
    "oh great. flight cancelled again",
    "love waiting on hold for two hours",
    "thanks @FlyCo for losing my luggage",
    "awesome, the wifi is down again",
]

NEUTRAL_NEWS = [
    "FlyCo announces new routes to Lisbon starting in March",
    "ShopMart opens its first store in Denver on Friday",
    "TelcoNet CEO to speak at the industry conference next week",
    "BankOne reports quarterly results on Thursday",
    "The MegaCorp keynote starts at 10am PT, livestream link below",
]

POSITIVE = [
    "love the new app, so much faster!",
    "great service today, the crew was lovely",
    "thanks @ShopMart, refund arrived in two days :)",
    "best pizza in town 😍",
    "really impressed with how quickly support fixed it",
    "not bad at all, pretty happy with the upgrade",
]


@pytest.mark.parametrize("text", COMPLAINTS)
def test_complaints_without_emotion_words_are_negative(text: str) -> None:
    result = analyze(text)
    assert result.label == "negative", result
    assert any(s.startswith("complaint:") for s in result.signals), result


@pytest.mark.parametrize("text", NEGATIONS)
def test_negated_praise_is_negative(text: str) -> None:
    result = analyze(text)
    assert result.label == "negative", result
    assert "negation" in result.signals


def test_negated_complaint_is_not_negative() -> None:
    assert analyze("flight was on time, no delays, no problems").label != "negative"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("@FlyCo 😡😡", "negative"),
        ("@FlyCo 👎", "negative"),
        ("ShopMart again :(", "negative"),
        ("ShopMart 😍", "positive"),
        ("ShopMart :)", "positive"),
        ("@FlyCo 👍🏽", "positive"),  # skin-tone modifier is stripped
    ],
)
def test_emoji_and_emoticons(text: str, label: str) -> None:
    result = analyze(text)
    assert result.label == label, result
    assert any(s.startswith(("emoji:", "emoticon:")) for s in result.signals)


@pytest.mark.parametrize("text", SARCASM)
def test_sarcastic_praise_is_negative(text: str) -> None:
    result = analyze(text)
    assert result.label == "negative", result


def test_sarcasm_hashtag_flips_praise() -> None:
    result = analyze("What a wonderful experience with @FlyCo #sarcasm")
    assert result.label == "negative"
    assert "sarcasm" in result.signals


@pytest.mark.parametrize("text", NEUTRAL_NEWS)
def test_neutral_news_stays_neutral(text: str) -> None:
    assert analyze(text).label == "neutral", analyze(text)


@pytest.mark.parametrize("text", POSITIVE)
def test_positive_stays_positive(text: str) -> None:
    assert analyze(text).label == "positive", analyze(text)


def test_elongation_and_caps_strengthen() -> None:
    plain, stretched = analyze("this is bad"), analyze("this is sooooo baaaad")
    assert stretched.label == "negative"
    assert stretched.polarity < plain.polarity
    assert "elongation" in stretched.signals
    assert analyze("this is BAD").polarity < plain.polarity


def test_but_clause_outweighs_what_precedes_it() -> None:
    assert analyze("nice phone but the battery is terrible").label == "negative"


def test_urls_and_handles_are_ignored() -> None:
    # A handle or link that happens to contain an opinion word must not score.
    assert analyze("@BadBrand https://example.com/worst-deal").label == "neutral"


def test_empty_and_blank() -> None:
    for text in ("", "   ", "\n", "@FlyCo", "http://x.y"):
        result = analyze(text)
        # No words to tell the language by: "und" (undetermined), scored by the English path.
        assert result == Sentiment(0.0, "neutral", (), lang="und")


def test_result_is_frozen() -> None:
    with pytest.raises(AttributeError):
        analyze("ok").label = "positive"  # type: ignore[misc]


def test_analyze_many_matches_analyze() -> None:
    texts = COMPLAINTS + POSITIVE + NEUTRAL_NEWS
    assert analyze_many(texts) == [analyze(t) for t in texts]
    assert analyze_many(iter(texts[:3])) == [analyze(t) for t in texts[:3]]


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\ufffd\u202e reversed \u200b zero width",
        "𝐠𝐫𝐞𝐚𝐭 𝐬𝐞𝐫𝐯𝐢𝐜𝐞",  # mathematical bold letters
        "ｔｅｒｒｉｂｌｅ",  # full-width letters
        "👨‍👩‍👧‍👦🏳️‍🌈🇺🇸",
        "\ud800 lone surrogate",
        "日本語のツイート、最悪",
        "اللغة العربية",
        ":(:(:( :):) <3</3 ^_^ T_T",
        "!!!???...,,,;;;",
        "n't n't not not never",
        "#",
        "@",
        "'''",
    ],
)
def test_odd_unicode_does_not_crash(text: str) -> None:
    result = analyze(text)
    assert -1.0 <= result.polarity <= 1.0


def test_folded_unicode_is_read() -> None:
    assert analyze("𝐭𝐞𝐫𝐫𝐢𝐛𝐥𝐞 𝐬𝐞𝐫𝐯𝐢𝐜𝐞").label == "negative"


def test_huge_text_is_fast() -> None:
    text = ("still no refund, on hold for an hour 😡 " * 3000)[:100_000]
    # CPU time, not wall time: other processes on a loaded CI machine must not fail this.
    start = time.process_time()
    result = analyze(text)
    assert time.process_time() - start < 0.5
    assert result.label == "negative"
    assert len(result.signals) <= 12


def test_throughput_is_comfortably_above_target() -> None:
    # The product needs >= 3,000 mentions/s on one core; the bar here is lower so a loaded CI
    # machine does not flake, while still catching an accidental order-of-magnitude slowdown.
    texts = (COMPLAINTS + POSITIVE + NEUTRAL_NEWS + SARCASM) * 20
    analyze_many(texts[:5])
    start = time.process_time()
    analyze_many(texts)
    rate = len(texts) / (time.process_time() - start)
    assert rate > 1_000


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_polarity_in_range_for_any_text(text: str) -> None:
    result = analyze(text)
    assert -1.0 <= result.polarity <= 1.0
    assert result.label in ("negative", "neutral", "positive")
    assert (result.label == "negative") == (result.polarity <= -0.12)


DOMAIN_COMPLAINTS = [
    "the latest firmware put my tablet in a boot loop",
    "screen keeps flickering since the update",
    "my laptop battery is swollen and the trackpad lifted",
    "speeds get throttled every evening on an unlimited plan",
    "third dropped call on my commute today",
    "opened the parcel: empty box",
    "the jacket fell apart after two washes",
    "sent it back, the charger stopped charging after a week",
    "Analysts slash the MegaCorp price target cut after weak guidance",
    "TelcoNet shares plunge as subscribers leave",
    "BankOne downgraded to underperform",
    "GadgetCo cuts dividend and lays off 2,000",
    "$GDGT getting crushed today",
    "$GDGT falls after earnings",
]


@pytest.mark.parametrize("text", DOMAIN_COMPLAINTS)
def test_domain_vocabulary_is_negative(text: str) -> None:
    assert analyze(text).label == "negative", analyze(text)


@pytest.mark.parametrize(
    "text",
    [
        "MegaCorp upgraded to outperform, price target raised",
        "GadgetCo shares rally after record preorders",
    ],
)
def test_bullish_stock_talk_is_not_negative(text: str) -> None:
    assert analyze(text).label != "negative", analyze(text)


@pytest.mark.parametrize(
    ("question", "complaint"),
    [
        ("how do I dispute a charge?", "why did you charge me twice?"),
        ("can I get a refund on a cancelled order?", "still no refund on my cancelled order?"),
        ("does the warranty cover a cracked screen?", "is it normal for the screen to crack?"),
    ],
)
def test_questions_ask_while_complaints_complain(question: str, complaint: str) -> None:
    asked, complained = analyze(question), analyze(complaint)
    assert asked.label != "negative", asked
    assert complained.label == "negative", complained
    assert asked.polarity > complained.polarity


def test_a_plain_question_weakens_problem_words() -> None:
    plain = analyze("the screen is cracked")
    asked = analyze("can I get the cracked screen replaced?")
    assert asked.polarity > plain.polarity
    assert "question" in asked.signals


@pytest.mark.parametrize(
    "text",
    [
        "best customer service ever 🙃",
        "wonderful, my favourite update yet /s",
        "Acme never disappoints... said no one ever",
        "Best airline ever, said nobody ever",
        "Acme support is amazing, said no one ever",
        "Best customer service ever... not",
        "Acme is the best lol not",
        "The new Acme phone is great. Not.",
        "Acme, great job NOT!",
        "Yeah right, Acme really cares about privacy",
    ],
)
def test_irony_markers_flip_praise(text: str) -> None:
    # With the shipped model: an explicit marker is the writer's reading, not the model's to undo.
    result = analyze(text)
    assert result.label == "negative", result
    assert "sarcasm" in result.signals


@pytest.mark.parametrize(
    "text",
    [
        "Is Acme down or not",
        "IS ACME DOWN OR NOT",
        "I love it, whether you like it or not",
        "Oh right, the Acme store opens at 9",
    ],
)
def test_a_closing_not_without_a_pause_is_no_punchline(text: str) -> None:
    assert "sarcasm" not in analyze(text).signals


@pytest.mark.parametrize(
    "text",
    [
        "Never had a problem with Acme until today",
        "No problems until today",
        "Worked fine until the last update",
        "Loved this app until the latest update",
        "It was great until yesterday",
    ],
)
def test_praise_that_held_until_lately_is_a_complaint(text: str) -> None:
    result = analyze(text)
    assert result.label == "negative", result
    assert "complaint:until lately" in result.signals


@pytest.mark.parametrize(
    "text", ["Gripping until the very end", "Can't wait until Friday, Acme is great"]
)
def test_until_an_end_or_a_wait_is_not_a_change(text: str) -> None:
    assert analyze(text).label == "positive"


def test_said_no_one_is_literal_without_ever() -> None:
    assert "sarcasm" not in analyze("Police said no one was hurt in the Acme fire").signals


def test_too_makes_a_description_a_complaint() -> None:
    # The lexicon alone: the model may read "short" as a complaint in review language anyway.
    assert analyze_with("the strap is too short", None).label == "negative"
    assert analyze_with("the strap is short", None).label == "neutral"
    assert analyze("not too bad").label != "negative"


@pytest.mark.parametrize(
    ("complaint", "praise"),
    [
        ("why does autocorrect keep changing my words", "the camera keeps getting better"),
        ("my headphones keep disconnecting", "they keep making great phones"),
    ],
)
def test_keep_doing_is_a_repeated_failure_unless_it_is_praise(complaint: str, praise: str) -> None:
    result = analyze_with(complaint, None)
    assert result.label == "negative"
    assert any(s.startswith("complaint:keep") for s in result.signals)
    assert analyze_with(praise, None).label != "negative"


def test_speed_after_a_complaint_is_the_failures() -> None:
    assert analyze_with("the update drains my battery so fast", None).label == "negative"
    assert analyze_with("delivery was so fast", None).label == "positive"


def test_praise_of_the_brands_act_is_ironic_next_to_a_complaint() -> None:
    ironic = analyze_with("great job losing my luggage again", None)
    assert ironic.label == "negative"
    assert "sarcasm" in ironic.signals
    assert analyze_with("great job on the launch event", None).label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "not what I expected from a $1000 phone",
        "could be better honestly",
        "bring back the old design",
        "spent an hour at the store for nothing",
        "texts not delivering since the update",
        "the strap snapped after two weeks",
    ],
)
def test_unmet_expectations_without_opinion_words(text: str) -> None:
    assert analyze_with(text, None).label == "negative", analyze_with(text, None)


def test_a_fixed_problem_is_over() -> None:
    fixed = analyze_with("thanks for fixing the outage so quickly", None)
    assert fixed.label == "positive"
    assert "sarcasm" not in fixed.signals
    # Not fixed, fixed in another clause, or "the fix" that broke something: still complaints.
    for text in (
        "they still haven't fixed the outage",
        "you fixed nothing, outage again",
        "the fix broke my wifi",
        "fixed the crash, now it freezes",
    ):
        assert analyze_with(text, None).label == "negative", text


@pytest.mark.parametrize(
    "text",
    [
        "you really need to fix the notifications",
        "your website won't let me check in",
        "I'm switching to another brand",
        "my data runs out in a week now",
        "your fraud team blocked my card abroad, great timing",
        "airpods case won't close properly",
    ],
)
def test_requests_blocks_and_churn_are_complaints(text: str) -> None:
    assert analyze_with(text, None).label == "negative", analyze_with(text, None)


def test_cant_stop_using_is_delight() -> None:
    assert analyze_with("can't stop using this new tablet", None).label == "positive"


def test_wanting_the_old_one_back_is_a_complaint() -> None:
    for text in ("i want my old phone back", "I want the old design back"):
        assert analyze_with(text, None).label == "negative", text
    for text in ("I want to go back to Paris", "we want you back as our provider"):
        assert analyze_with(text, None).label != "negative", text


def test_a_question_about_a_long_wait_is_still_a_complaint() -> None:
    text = "is there a reason my transfer has been pending for a week?"
    assert analyze_with(text, None).label == "negative"
    assert analyze_with("how long does a refund take?", None).label == "neutral"


def test_seriously_asked_is_exasperation() -> None:
    assert analyze_with("@Fruit seriously?", None).label == "negative"


def test_a_replaced_part_is_thanks_not_irony() -> None:
    text = "they replaced my cracked screen for free, great service"
    assert analyze_with(text, None).label == "positive"
    assert analyze_with("2 hours on hold, great service", None).label == "negative"
    assert (
        analyze_with("replaced my phone, now the new one is broken too", None).label == "negative"
    )


def test_better_before_is_a_complaint() -> None:
    assert analyze_with("@Fruit ur phones used to be good smh", None).label == "negative"
    assert analyze_with("I used to love this app", None).label == "negative"
    assert analyze_with("it used to be bad, now it is great", None).label == "positive"


def test_a_short_verdict_after_a_complaint_is_ironic() -> None:
    ironic = analyze_with("dropped my phone once and the screen shattered. great design", None)
    assert ironic.label == "negative"
    assert "sarcasm" in ironic.signals
    assert analyze_with("Great phone. No complaints", None).label == "positive"
    assert analyze_with("fast delivery. great seller", None).label == "positive"


def test_a_shortfall_is_a_complaint_but_wanting_more_of_it_is_not() -> None:
    assert analyze_with("you need more agents at check in", None).label == "negative"
    assert analyze_with("I need more of these!", None).label != "negative"
    assert analyze_with("charging cable frayed after 3 months, again", None).label == "negative"
    assert analyze_with("the agent just shrugged", None).label == "negative"


@pytest.mark.parametrize(
    "text", ["the update deleted all my photos", "your chat bot just sends me in circles"]
)
def test_lost_data_and_runarounds_are_complaints(text: str) -> None:
    assert analyze(text).label == "negative", analyze(text)


def test_an_early_delivery_is_good_news() -> None:
    assert analyze("my order arrived early").label == "positive", analyze("my order arrived early")


# Customer-to-brand tweet rules (issue 12, fourth pass); sentences written for these tests.
@pytest.mark.parametrize(
    "text",
    [
        "the new patch fixed nothing, same crash",
        "my plan price went up without any warning",
        "the parcel turned up in pieces",
        "wifi down since lunchtime, still",
        "upload speed is like dial up again",
        "the vacuum sounds like a jet engine now",
        "the helpline loops me back to the start",
        "their delivery estimate is a work of fiction",
        "asked them to close my account for the fifth time today",
        "fridge was delivered with the door smashed",
        "thanks for the patch, my tablet is now slower than a potato",
    ],
)
def test_failures_named_without_a_complaint_word(text: str) -> None:
    assert analyze_with(text, None).label == "negative", analyze_with(text, None)


@pytest.mark.parametrize(
    "text",
    [
        "the app signs me out every hour, so that's fun",
        "booked for 2pm, seen at 5. cool cool cool",
        "support closed my ticket unanswered. thanks for caring",
        "no headphones in the box. of course it is",
        "thanks for the 25 minute hold on a simple question",
    ],
)
def test_closing_sarcasm_without_a_blame_word(text: str) -> None:
    assert analyze_with(text, None).label == "negative", analyze_with(text, None)


def test_glued_hashtag_verdicts_and_slang_praise() -> None:
    assert analyze_with("booked them for the last time #neveragain", None).label == "negative"
    assert analyze_with("lost luggage on day one #holidayfail", None).label == "negative"
    assert analyze_with("wait a minute, this update is actually great", None).label == "positive"
    assert analyze_with("the band smashed it last night, amazing", None).label == "positive"
    assert analyze_with("my train crawled along, snail pace 🐌", None).label == "negative"


@pytest.mark.parametrize(
    "text", ["the new app is no slower than the old one", "honestly it's not slower than before"]
)
def test_a_denied_comparison_is_no_complaint(text: str) -> None:
    assert analyze_with(text, None).label != "negative"
    assert analyze_with("the app is slower than before", None).label == "negative"


# Consumer-tech brand tweets with stock talk (issue 12, fifth pass); sentences written for
# these tests, not taken from any set.
@pytest.mark.parametrize(
    "text",
    [
        "video calls look blurry on the new webcam",
        "the tablet turned into a brick after the patch",
        "my laptop doubles as a space heater now",
        "the update forced a restart during my exam",
        "the sync bug ate my folder. all my photos gone",
        "our bill doubled overnight and nobody could explain it",
        "they removed features and kept the price",
        "tablet is a paperweight since the firmware update",
        "earbuds stopped pairing after a week",
        "the left speaker crackles when I turn it up",
        "screen shows ghost taps when charging",
        "BoltCo charged me twice for one month",
        "the app can't find my saved playlists anymore",
        "you had one job. deliver the charger.",
        "never buying from them again",
        "the new model is a step down from the old one",
        "my tablet gets so hot when I stream anything",
        "the console shuts off mid game",
        "mic cuts out every few minutes",
        "laptop keeps restarting overnight",
        "my laptop won't wake from sleep",
    ],
)
def test_device_failures_in_owners_words(text: str) -> None:
    assert analyze_with(text, None).label == "negative", analyze_with(text, None)


@pytest.mark.parametrize(
    "text",
    [
        "ZapMail down, again",
        "great, another patch that breaks the camera",
        "the hinge cracked in a month. lovely build quality",
        "prices went up and the app got worse. ok ZapMail",
        "5 days for a password reset?",
    ],
)
def test_outages_and_sarcasm_without_a_complaint_word(text: str) -> None:
    assert analyze_with(text, None).label == "negative", analyze_with(text, None)


@pytest.mark.parametrize(
    "text",
    [
        "GadgetCo to lay off 5% of its workforce",
        "regulators open antitrust probe into GadgetCo",
        "cloud growth slows at GadgetCo, shares sink",
        "GadgetCo charged with false advertising over battery claims",
        "broker cuts rating on GadgetCo after the recall",
        "$GDGT hits a 52-week low",
        "dumping my $GDGT before earnings",
    ],
)
def test_bearish_and_bad_company_news(text: str) -> None:
    assert analyze_with(text, None).label == "negative", analyze_with(text, None)


@pytest.mark.parametrize(
    "text",
    [
        "anyone know why $GDGT is moving today?",
        "does the warranty cover screen damage?",
        "GDGT closed at 41.20 yesterday",
        "$GDGT calls expire friday, max pain at 40",
        "the CFO will step down in June",
        "heavy volume in $GDGT this morning",
        "calm down, it is just a phone",
        "fiber installed today. 900 down, thanks ZapNet",
        "is it 3 days for delivery to Leeds?",
    ],
)
def test_plain_questions_figures_and_news_are_not_complaints(text: str) -> None:
    assert analyze_with(text, None).label != "negative", analyze_with(text, None)


@pytest.mark.parametrize(
    "text",
    [
        "the offline mode is a lifesaver",
        "switched hosts and our costs dropped by half",
        "these headphones are going to sell like hotcakes",
        "ten years with them and they keep delivering",
        "the store fixed my screen while I waited",
        "this app saved me hours",
        "I saved up for months and it was worth it",
        "can't find a better laptop at this price",
    ],
)
def test_praise_in_device_and_market_words(text: str) -> None:
    assert analyze_with(text, None).label != "negative", analyze_with(text, None)


def test_a_stopped_failure_is_a_fix() -> None:
    assert analyze_with("the app finally stopped crashing", None).label != "negative"
    assert analyze_with("my mouse stopped scrolling", None).label == "negative"


# Product review sentences (issue 12, sixth pass); sentences written for these tests, not taken
# from any set.
@pytest.mark.parametrize(
    "text",
    [
        "the speakers sound tinny at any volume",
        "the paint on the frame is peeling already",
        "the hinges rusted within a season",
        "the blade dulled after one afternoon",
        "these boots gave me blisters",
        "the second half of the novel is a slog",
        "the strap is coming apart at the buckle",
        "one of the knobs fell off",
        "the story drags on and on",
        "the rug has a chemical smell",
        "clever design, poor execution",
        "the table scratches easily",
        "they put dark mode behind a paywall",
        "should have read the reviews first",
        "I wish I had read the fine print",
        "I wish I never ordered this",
        "my previous model was way better",
        "the old app was far better",
    ],
)
def test_wear_regret_and_a_better_old_model_in_reviews(text: str) -> None:
    assert analyze_with(text, None).label == "negative", analyze_with(text, None)


@pytest.mark.parametrize(
    "text",
    [
        "this skillet heats evenly and nothing sticks",
        "the robot picks up everything on the rug",
        "this flask keeps my tea warm all morning",
        "the thermos keeps drinks cold on the beach",
        "the tablet has a sharp display",
        "my wife gets compliments on this scarf",
        "the bottle has no leaks even upside down",
        "the latest patch fixed all my bluetooth problems",
    ],
)
def test_owners_praise_in_plain_words(text: str) -> None:
    assert analyze_with(text, None).label != "negative", analyze_with(text, None)


def test_wishing_for_it_sooner_is_no_regret() -> None:
    # Only regret about buying it is a complaint; wishing one had bought it sooner is praise.
    assert analyze_with("I wish I had bought this sooner", None).label != "negative"


# Customer service tweets (issue 12, eighth pass); sentences written for these tests, not taken
# from any set.
@pytest.mark.parametrize(
    "text",
    [
        "wow @Airline, a price rise halfway through the season. very cool",
        "@Telco a price rise two months into my contract",
        "@Telco you moved me to a new tariff without asking",
        "@Energy my direct debit went up without any notice",
        "@Courier the card says you tried to deliver. nobody knocked",
        "@Telco coverage everywhere except my street",
        "@Hotel the front desk shrugged and handed back my key",
        "@Grocer the box arrived without the eggs",
        "@Takeaway sent us someone else's food",
        "@Insurer the agent marked it as resolved and hung up",
        "@Broadband you closed my ticket, the line is still dead",
        "@Energy still billing me after I moved out",
        "@Water bill estimated at twice my usual",
        "@Bank 3rd email about the same payment",
        "@Airline this is my second call today",
        "@Coach 2 buses instead of 4 on the Friday run",
        "@Bank why does a transfer take five days",
        "@Courier its been 3 days",
        "@Builder 3 weeks to fit one window, now another 2",
        "@Hotel the room wasn't ready",
        "@Rail the 7:15 finally left at 8:02",
        "@Airline boarding was at 6:40, we boarded at 9:10",
        "@Hotel checked in at 2pm, finally got a key at 5.30pm",
        "@Ferry sailing due at 11:00, it's now 13:20",
        "@Airline three hours later we are still on the tarmac",
        "@Energy my direct debit is £30 higher from June",
    ],
)
def test_service_failures_stated_as_facts(text: str) -> None:
    assert analyze_with(text, None).label == "negative", analyze_with(text, None)


@pytest.mark.parametrize(
    "text",
    [
        "@Bank why does a transfer take five days?",  # still a complaint with the "?"
        "@Bank when is my next statement due?",
        "@Airline can I bring a second bag?",
        "@Courier what is the second email I got about?",
        "@Bank is there a fee for a second card?",
        "@Rail how many trains instead of buses this weekend?",
        "Why I switched my broadband this spring",
        "3 days to go until the holidays!",
        "it's been a lovely week in Lisbon",
        "@Energy pay by direct debit and save",
        "@Rail can I claim delay repay online?",
        "presenting my slides at the rail conference",
        "my phone contract runs out in May",
        "@Airline the crew found my lost scarf and mailed it back",
        "@Hotel the concierge went above and beyond",
        "it arrived without a scratch",
        "@Rail the 7:15 departs at 7:15 and arrives 8:02",
        "@Library open 9am until 5pm on weekdays",
        "@Bank branch hours changed: 9:30 to 16:00",
        "@Courier ordered at 10pm, delivered by 8am. impressive",
        "@Works closed between 1am and 5am for maintenance",
        "the concert starts at 8pm and ends around 11pm",
        "shares closed 3% higher",
    ],
)
def test_questions_plans_and_thanks_in_service_tweets(text: str) -> None:
    label = analyze_with(text, None).label
    if text.startswith("@Bank why"):
        assert label == "negative", analyze_with(text, None)
    else:
        assert label != "negative", analyze_with(text, None)


def test_thanks_beyond_duty_and_found_items_are_praise() -> None:
    assert analyze_with("@Hotel the concierge went above and beyond", None).label == "positive"
    assert analyze_with("the crew found my lost scarf", None).label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "@Bank can I open a second account?",
        "@Rail is there a replacement bus instead of the 8:10?",
        "@Telco does the new plan include roaming?",
        "@Courier what time does the depot open?",
    ],
)
def test_plain_service_questions_stay_neutral(text: str) -> None:
    assert analyze_with(text, None).label == "neutral", analyze_with(text, None)


# Issue 12, ninth pass: the lead's probes. Praise built on a negation read as neutral or as a
# complaint before ("can't recommend … enough" as "would not recommend"), plain amounts turned
# negative by the model; each failed before the pass.
NEGATED_PRAISE = [
    "I can't recommend Acme enough",
    "Couldn't ask for better service",
    "Couldn't be happier with Acme",
    "Never been happier with a purchase",
    "Acme never disappoints",
    "Can't say enough good things about Acme support",
    "Wasn't expecting much but Acme delivered",
    "I can't believe how good Acme support was",
]


@pytest.mark.parametrize("text", NEGATED_PRAISE)
def test_praise_idioms_built_on_a_negation_are_praise(text: str) -> None:
    assert analyze(text).label == "positive", analyze(text)


@pytest.mark.parametrize(
    "text",
    [
        "I can't recommend Acme, avoid",
        "Couldn't be worse, Acme",
        "Acme couldn't be less helpful",
        "I can't believe how bad Acme support was",
        "can't believe how long this refund is taking",
        "Acme never fails to disappoint",
        "Never again, Acme",
        "Wasn't expecting much and Acme still let me down",
    ],
)
def test_their_negative_twins_stay_complaints(text: str) -> None:
    assert analyze(text).label == "negative", analyze(text)


@pytest.mark.parametrize(
    "text", ["My salary is 2000 dollars.", "The electricity bill this month is 80 pounds."]
)
def test_a_plain_statement_of_an_amount_is_neutral(text: str) -> None:
    assert analyze(text).label == "neutral", analyze(text)


@pytest.mark.parametrize(
    "text",
    [
        "Acme charged me 80 pounds for no reason",
        "My Acme bill went from 40 to 80 pounds.",
        "My Acme bill is now 80 pounds, it was 40",
        "Acme took 80 pounds from my account twice",
    ],
)
def test_an_amount_done_to_the_writer_or_changed_stays_a_complaint(text: str) -> None:
    assert analyze(text).label == "negative", analyze(text)
