from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from sources import create_source
from sources.appstore import AppStoreSource
from sources.base import RateLimited, SourceError
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, fixture_json

APP = "1000000001"


def page(n: int, country: str = "gb") -> str:
    return f"/{country}/rss/customerreviews/page={n}/id={APP}/sortby=mostrecent/json"


def make(platform: FakePlatform, client: httpx.Client) -> AppStoreSource:
    return AppStoreSource(
        client=client,
        brand="Acme",
        app_id=APP,
        country="GB",
        base_url=platform.base_url,
        timeout=CLIENT_TIMEOUT,
    )


def _ids(body: dict) -> list[str]:  # type: ignore[type-arg]
    return [e["id"]["label"] for e in body["feed"]["entry"] if "im:rating" in e]


def test_it_maps_reviews_and_leaves_out_the_app_entry(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(page(1), fixture_json("appstore_page1.json"))

    result = make(platform, client).fetch(None)

    assert [m.external_id for m in result.mentions] == ["11000000003", "11000000002", "11000000001"]
    review = result.mentions[0]
    assert review.source == "appstore" and review.brand == "Acme"
    assert review.text == (
        "Crashes at check-in\nSince the last update the app crashes every time I try to check in."
        " Had to queue at the desk."
    )
    assert review.created_at == datetime(2025, 3, 14, 18, 2, 11, tzinfo=UTC)  # -07:00 in the feed
    assert review.author == "FrustratedFlyer22"
    assert review.author_followers is None
    assert review.url == f"https://apps.apple.com/gb/app/id{APP}?see-all=reviews"
    assert review.extra == {
        "rating": 1,
        "version": "8.4.1",
        "votes": 0,
        "vote_sum": 0,
        "country": "gb",
        "app_id": APP,
    }
    assert [m.extra["rating"] for m in result.mentions] == [1, 5, 2]
    assert platform.paths() == [page(1)]  # the first poll takes the latest page only
    cursor = json.loads(result.cursor or "")
    assert (cursor["newest"], cursor["ids"]) == ("2025-03-14T18:02:11+00:00", ["11000000003"])


def test_a_feed_without_the_app_entry_keeps_its_newest_review(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Dropping the first entry blindly loses a review whenever Apple leaves the app out."""
    body = fixture_json("appstore_page1.json")
    body["feed"]["entry"] = body["feed"]["entry"][1:]
    platform.reply(page(1), body)

    result = make(platform, client).fetch(None)

    assert [m.external_id for m in result.mentions] == _ids(body)


def test_a_single_entry_may_come_as_an_object(platform: FakePlatform, client: httpx.Client) -> None:
    body = fixture_json("appstore_page1.json")
    body["feed"]["entry"] = body["feed"]["entry"][1]
    platform.reply(page(1), body)

    result = make(platform, client).fetch(None)

    assert [m.external_id for m in result.mentions] == ["11000000003"]


def test_a_storefront_without_reviews_is_an_empty_page(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(page(1), fixture_json("appstore_empty.json"))
    source = make(platform, client)

    result = source.fetch(None)

    # A mark all the same: the next poll pages to every review that comes (a day's margin)
    assert result.mentions == [] and json.loads(result.cursor or "")["ids"] == []
    again = source.fetch(result.cursor)
    assert again.mentions == [] and again.cursor is None  # kept


def test_it_pages_back_until_the_cursor(platform: FakePlatform, client: httpx.Client) -> None:
    source = make(platform, client)
    platform.reply(page(1), fixture_json("appstore_page2.json"))
    cursor = source.fetch(None).cursor  # the two older reviews are known
    platform.requests.clear()
    platform.replies.clear()
    platform.reply(page(1), fixture_json("appstore_page1.json"))
    platform.reply(page(2), fixture_json("appstore_page2.json"))

    result = source.fetch(cursor)

    assert [m.external_id for m in result.mentions] == ["11000000003", "11000000002", "11000000001"]
    assert platform.paths() == [page(1), page(2)]
    again = source.fetch(result.cursor)  # nothing new: page 1 is all known
    assert again.mentions == [] and again.cursor is None
    assert platform.paths()[2:] == [page(1)]


def test_an_empty_page_does_not_end_the_walk_the_last_page_does(
    platform: FakePlatform, client: httpx.Client
) -> None:
    source = make(platform, client)
    first, older = fixture_json("appstore_page1.json"), fixture_json("appstore_page2.json")
    for body in (first, older):  # three pages: 1, an empty 2, then 3
        for link in body["feed"]["link"]:
            if link["attributes"]["rel"] == "last":
                link["attributes"]["href"] = link["attributes"]["href"].replace("page=2", "page=3")
    hole = fixture_json("appstore_empty.json")
    platform.reply(page(1), first)
    platform.reply(page(2), hole)
    platform.reply(page(3), older)

    result = source.fetch('{"newest": "2025-03-01T00:00:00+00:00", "ids": []}')

    assert platform.paths() == [page(1), page(2), page(3)]
    assert len(result.mentions) == 5
    assert not source.truncated


def test_it_stops_at_the_tenth_page(platform: FakePlatform, client: httpx.Client) -> None:
    body = fixture_json("appstore_page1.json")
    for link in body["feed"]["link"]:  # a feed claiming more pages than Apple serves
        link["attributes"]["href"] = link["attributes"]["href"].replace("page=2", "page=12")
    for n in range(1, 13):
        platform.reply(page(n), body)
    source = make(platform, client)

    source.fetch('{"newest": "2025-03-01T00:00:00+00:00", "ids": []}')

    assert platform.paths() == [page(n) for n in range(1, 11)]


def test_a_review_without_a_date_is_skipped_alone(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = fixture_json("appstore_page1.json")
    del body["feed"]["entry"][1]["updated"]
    platform.reply(page(1), body)

    result = make(platform, client).fetch(None)

    assert [m.external_id for m in result.mentions] == ["11000000002", "11000000001"]


def test_an_odd_rating_keeps_the_review_without_it(
    platform: FakePlatform, client: httpx.Client
) -> None:
    body = fixture_json("appstore_page1.json")
    body["feed"]["entry"][1]["im:rating"] = {"label": "6"}
    platform.reply(page(1), body)

    result = make(platform, client).fetch(None)

    assert result.mentions[0].external_id == "11000000003"
    assert result.mentions[0].extra["rating"] is None


@pytest.mark.parametrize(("field", "label"), [("im:rating", "²"), ("im:voteCount", "¹")])
def test_a_rating_or_count_in_other_digits_keeps_the_review(
    platform: FakePlatform, client: httpx.Client, field: str, label: str
) -> None:
    """'²'.isdigit() holds but int('²') fails: the review was skipped as malformed, not kept."""
    body = fixture_json("appstore_page1.json")
    body["feed"]["entry"][1][field] = {"label": label}
    platform.reply(page(1), body)

    result = make(platform, client).fetch(None)

    assert [m.external_id for m in result.mentions] == ["11000000003", "11000000002", "11000000001"]
    odd = result.mentions[0].extra
    assert odd["rating" if field == "im:rating" else "votes"] is None


@pytest.mark.parametrize("kind", ["text/javascript; charset=utf-8", "application/json"])
def test_an_empty_body_is_said_so_and_tried_again(
    platform: FakePlatform, client: httpx.Client, kind: str
) -> None:
    """Apple's feed now and then answers 200 with nothing: that is what the error says (it said
    "answered with text/javascript, not JSON: " or "malformed JSON: Expecting value")."""
    platform.reply(page(1), b"", headers={"Content-Type": kind})

    with pytest.raises(SourceError) as caught:
        make(platform, client).fetch(None)

    assert caught.value.message.endswith(f"{page(1)} answered 200 with an empty body")
    assert not caught.value.permanent


@pytest.mark.parametrize("status", [400, 404])
def test_an_unknown_app_or_storefront_names_the_options_to_check(
    platform: FakePlatform, client: httpx.Client, status: int
) -> None:
    """The feed needs no credential: "check the credentials and address" sent the team to look
    for one; what can be wrong is app_id or country."""
    platform.reply(
        page(1), b"<html>Not Found</html>", status=status, headers={"Content-Type": "text/html"}
    )

    with pytest.raises(SourceError) as caught:
        make(platform, client).fetch(None)

    assert caught.value.permanent
    assert (caught.value.cause, caught.value.keys) == ("not_found", ("app_id", "country"))
    assert caught.value.message == (
        f"appstore: Apple's feed has no reviews page for app {APP} in the gb storefront"
        f" ({status}); check app_id and country"
    )


def test_a_429_pauses_for_as_long_as_it_says(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(page(1), "", status=429, headers={"Retry-After": "120"})
    source = make(platform, client)

    with pytest.raises(RateLimited) as caught:
        source.fetch(None)

    assert 118 < caught.value.retry_after <= 120
    with pytest.raises(RateLimited):  # not asked again before then
        source.fetch(None)
    assert len(platform.requests) == 1


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"feed": {"entry": [', "malformed JSON"),
        (b'{"results": []}', "unexpected response shape"),
        (b'{"feed": {"entry": "none"}}', "field 'entry' is str"),
        (b"<html>Service Unavailable</html>", "text/html, not JSON"),
    ],
)
def test_a_malformed_page_fails_the_poll_naming_the_problem(
    platform: FakePlatform, client: httpx.Client, body: bytes, says: str
) -> None:
    headers = {"Content-Type": "text/html"} if body.startswith(b"<") else {}
    platform.reply(page(1), body, headers=headers)

    with pytest.raises(SourceError, match=says) as caught:
        make(platform, client).fetch(None)

    assert not isinstance(caught.value, RateLimited)


def test_the_registry_builds_it_with_the_us_storefront_by_default(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(page(1, "us"), fixture_json("appstore_page2.json"))
    source = create_source(
        "appstore", client=client, brand=None, app_id=APP, base_url=platform.base_url
    )

    assert len(source.fetch(None).mentions) == 2
    assert platform.paths() == [page(1, "us")]


def test_the_backfill_walks_the_pages_down_to_since(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(page(1), fixture_json("appstore_page1.json"))  # its last link: page 2
    platform.reply(page(2), fixture_json("appstore_page2.json"))
    source = make(platform, client)

    since = datetime(2025, 3, 12, 12, tzinfo=UTC)

    first = source.backfill(None, since)
    assert len(first.mentions) == 3 and not first.done
    second = source.backfill(first.cursor, since)

    assert [m.external_id for m in second.mentions] == ["10999999999"]  # the older one is past
    assert second.done
    assert platform.paths() == [page(1), page(2)]
    with pytest.raises(SourceError, match="unreadable cursor"):
        source.backfill("page two", since)
