from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sources.base import RateLimited, SourceError
from sources.trustpilot import TrustpilotSource
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, fixture_json

UNIT = "46d6a890000064000500e0c3"
PATH = f"/v1/business-units/{UNIT}/reviews"
KEY = "tp-test-key"


def make(platform: FakePlatform, client: httpx.Client, **options: str) -> TrustpilotSource:
    return TrustpilotSource(
        client=client,
        brand="Acme",
        business_unit_id=UNIT,
        api_key=KEY,
        base_url=platform.base_url + "/v1",
        timeout=CLIENT_TIMEOUT,
        **options,
    )


def test_it_maps_reviews_and_sends_the_key_in_its_header(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, fixture_json("trustpilot_page1.json"))

    result = make(platform, client).fetch(None)

    review = result.mentions[0]
    assert review.source == "trustpilot" and review.brand == "Acme"
    assert review.external_id == "65f3000000000000000000aa"
    assert review.text == (
        "Order never arrived\n"
        "Paid three weeks ago, tracking hasn't moved and nobody answers emails."
    )
    assert review.created_at == datetime(2025, 3, 14, 17, 55, 2, tzinfo=UTC)
    assert review.author == "Chris P."
    assert review.author_followers is None  # a consumer's reach is unknown
    assert review.url == "https://www.trustpilot.com/reviews/65f3000000000000000000aa"
    assert review.extra == {
        "rating": 1,
        "language": "en",
        "verified": False,
        "likes": 0,
        "replied": False,
        "business_unit_id": UNIT,
    }
    assert [m.extra["rating"] for m in result.mentions] == [1, 5, 2]
    assert result.mentions[1].extra["replied"] is True
    (request,) = platform.requests  # the first poll takes the latest page only
    assert request.headers["apikey"] == KEY
    assert request.param("orderBy") == "createdat.desc" and request.param("perPage") == "100"
    assert request.param("page") is None and "apikey" not in request.query
    assert request.param("language") is None  # no filter asked: every language
    assert json.loads(result.cursor or "")["ids"] == ["65f3000000000000000000aa"]


def test_it_follows_the_next_page_link_until_the_cursor(
    platform: FakePlatform, client: httpx.Client
) -> None:
    source = make(platform, client)
    platform.reply(PATH, fixture_json("trustpilot_page2.json"))
    cursor = source.fetch(None).cursor  # the two older reviews are known
    platform.requests.clear()
    platform.replies.clear()
    platform.reply(
        PATH, fixture_json("trustpilot_page1.json"), fixture_json("trustpilot_page2.json")
    )

    result = source.fetch(cursor)

    assert [m.external_id for m in result.mentions] == [
        "65f3000000000000000000aa",
        "65f3000000000000000000a9",
        "65f3000000000000000000a8",
    ]
    assert [r.param("page") for r in platform.requests] == [None, "2"]
    assert all(r.path == PATH for r in platform.requests)  # our address, not the link's host
    again = source.fetch(result.cursor)
    assert again.mentions == [] and again.cursor is None


def test_a_review_with_neither_title_nor_text_is_skipped_alone(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = fixture_json("trustpilot_page1.json")
    body["reviews"][0].update(title="", text=None)
    platform.reply(PATH, body)

    result = make(platform, client).fetch(None)

    assert [m.external_id for m in result.mentions] == [
        "65f3000000000000000000a9",
        "65f3000000000000000000a8",
    ]


def test_a_429_pauses_for_as_long_as_it_says(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(
        PATH, {"message": "Too many requests"}, status=429, headers={"Retry-After": "300"}
    )
    source = make(platform, client)

    with pytest.raises(RateLimited) as caught:
        source.fetch(None)

    assert 298 < caught.value.retry_after <= 300
    with pytest.raises(RateLimited):
        source.fetch(None)
    assert len(platform.requests) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_is_permanent(
    platform: FakePlatform, client: httpx.Client, status: int
) -> None:
    """Said as such, with the platform's reason, never the key (even one the body repeats)."""
    said = f"Invalid ApiKey {KEY}"
    fault = {"fault": {"faultstring": said, "detail": {"errorcode": "InvalidApiKey"}}}
    platform.reply(PATH, fault, status=status)

    with pytest.raises(SourceError) as caught:
        make(platform, client).fetch(None)

    assert caught.value.permanent
    assert (caught.value.cause, caught.value.keys) == ("key_refused", ("api_key",))
    assert caught.value.message == (
        f"trustpilot: {PATH} answered {status}: the API key was refused (Invalid ApiKey …)"
    )


def test_an_unknown_business_unit_names_the_option_to_check(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """It said "check the credentials and address" as for a refused key."""
    platform.reply(PATH, {"message": "Not Found", "errorCode": 0}, status=404)

    with pytest.raises(SourceError) as caught:
        make(platform, client).fetch(None)

    assert caught.value.permanent
    assert (caught.value.cause, caught.value.keys) == ("not_found", ("business_unit_id",))
    assert caught.value.message == (
        f"trustpilot: no business unit {UNIT} (404 Not Found); check business_unit_id"
        " (/v1/business-units/find?name=<domain> gives it)"
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"reviews": [{"id": ', "malformed JSON"),
        (b'{"links": []}', "unexpected response shape"),
        (b'{"reviews": {"id": "x"}}', "field 'reviews' is dict"),
    ],
)
def test_a_malformed_page_fails_the_poll_naming_the_problem(
    platform: FakePlatform, client: httpx.Client, body: bytes, says: str
) -> None:
    platform.reply(PATH, body)

    with pytest.raises(SourceError, match=says):
        make(platform, client).fetch(None)


def test_the_backfill_follows_the_pages_down_to_since(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(
        PATH, fixture_json("trustpilot_page1.json"), fixture_json("trustpilot_page2.json")
    )
    source = make(platform, client)
    since = datetime(2025, 3, 12, tzinfo=UTC)

    first = source.backfill(None, since)
    assert len(first.mentions) == 3 and first.cursor == "2" and not first.done
    second = source.backfill(first.cursor, since)

    assert [m.external_id for m in second.mentions] == ["65f2000000000000000000a7"]
    assert second.done
    assert [r.param("page") for r in platform.requests] == [None, "2"]


def test_the_language_option_is_sent_as_trustpilots_filter_on_every_page(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """`language = "bg"` in the playbook was refused as an unknown key; the endpoint documents
    `language` (ISO 639-1), so it is passed on each page of a poll and of a backfill. Each
    review keeps the language Trustpilot gives it."""
    pages = [_in_bulgarian(fixture_json(f"trustpilot_page{n}.json")) for n in (2, 1, 2, 1, 2)]
    platform.reply(PATH, pages[0])
    source = make(platform, client, language=" BG ")
    cursor = source.fetch(None).cursor
    platform.replies.clear()  # the last reply is kept for any later request
    platform.reply(PATH, *pages[1:])
    result = source.fetch(cursor)
    source.backfill(None, datetime(2025, 3, 1, tzinfo=UTC))
    source.backfill("2", datetime(2025, 3, 1, tzinfo=UTC))

    assert [r.param("page") for r in platform.requests] == [None, None, "2", None, "2"]
    assert all(r.param("language") == "bg" for r in platform.requests)
    assert all(r.param("orderBy") == "createdat.desc" for r in platform.requests)
    assert [m.extra["language"] for m in result.mentions] == ["bg", "bg", "bg"]


def _in_bulgarian(body: dict[str, Any]) -> dict[str, Any]:
    """A page as Trustpilot answers `language=bg`: only reviews it lists in Bulgarian."""
    for review in body["reviews"]:
        review["language"] = "bg"
    return body


@pytest.mark.parametrize("language", ["bul", "b1", "en-GB"])
def test_a_language_that_is_no_iso_639_1_code_is_refused(
    platform: FakePlatform, client: httpx.Client, language: str
) -> None:
    with pytest.raises(ValueError, match="language must be a two-letter ISO 639-1 code"):
        make(platform, client, language=language)
