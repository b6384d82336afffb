from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from sources.base import SourceError
from sources.rss import FeedSource, unwrap_google_redirect
from tests.sources.conftest import CLIENT_TIMEOUT, FakePlatform, Reply, fixture_text

PATH = "/feeds/acme.xml"
XML = {"Content-Type": "application/rss+xml"}


def make(platform: FakePlatform, client: httpx.Client) -> FeedSource:
    return FeedSource(
        client=client, brand="Acme", feed=platform.base_url + PATH, timeout=CLIENT_TIMEOUT
    )


def test_it_maps_rss_items(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, Reply(200, fixture_text("feed_rss2.xml"), XML))

    result = make(platform, client).fetch(None)

    item = result.mentions[0]
    assert item.source == "rss"
    assert item.external_id == "https://blog.example.com/?p=4711"
    assert item.text == (
        "Why we stopped recommending Acme routers\nFirmware updates bricked two of our test units …"
    )
    assert item.created_at == datetime(2025, 3, 14, 18, 35, tzinfo=UTC)
    assert item.author == "A. Writer"
    assert item.url == "https://blog.example.com/2025/03/why-we-stopped-recommending-acme"
    assert item.brand == "Acme"
    # No guid: the link is the id; the offset date is converted to UTC.
    assert result.mentions[1].external_id == "https://blog.example.com/2025/03/acme-follow-up"
    assert result.mentions[1].created_at == datetime(2025, 3, 13, 14, 0, tzinfo=UTC)


def test_it_skips_an_item_without_a_title(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, Reply(200, fixture_text("feed_rss2.xml"), XML))

    result = make(platform, client).fetch(None)

    assert len(result.mentions) == 2


def test_it_unwraps_google_alerts_links_and_strips_bold(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, Reply(200, fixture_text("google_alerts.xml"), XML))

    result = make(platform, client).fetch(None)

    alert = result.mentions[0]
    assert alert.external_id == "tag:google.com,2013:googlealerts/feed:12345678901234567890"
    assert alert.url == "https://news.example.com/2025/03/acme-outage?ref=alerts"
    assert alert.text == (
        "Acme passengers stranded after system outage - Example News\n"
        "Hundreds of Acme passengers were left waiting on Friday after a booking-system"
        " outage\xa0..."
    )
    assert alert.created_at == datetime(2025, 3, 14, 18, 21, 44, tzinfo=UTC)
    assert alert.author is None
    assert result.mentions[1].url == "https://markets.example.org/acme-shares"


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.com/a?url=https://elsewhere.example",
        "https://www.google.com/url?q=javascript:alert(1)",
        "https://www.google.com/search?url=https://x.example",
    ],
)
def test_it_leaves_other_links_alone(url: str) -> None:
    assert unwrap_google_redirect(url) == url


def test_the_returned_cursor_yields_only_new_entries(
    platform: FakePlatform, client: httpx.Client
) -> None:
    source = make(platform, client)
    platform.reply(PATH, Reply(200, fixture_text("google_alerts.xml"), {"ETag": '"v1"'}))
    first = source.fetch(None)
    platform.replies.clear()
    newer = fixture_text("google_alerts.xml").replace(
        "12345678901234567891", "99999999999999999999"
    )
    platform.reply(PATH, Reply(200, newer, {"ETag": '"v2"'}))

    second = source.fetch(first.cursor)

    assert [m.external_id[-20:] for m in second.mentions] == ["99999999999999999999"]
    assert platform.requests[-1].headers["If-None-Match"] == '"v1"'
    third = source.fetch(second.cursor)
    assert third.mentions == []


def test_an_unchanged_feed_answers_304(platform: FakePlatform, client: httpx.Client) -> None:
    source = make(platform, client)
    platform.reply(
        PATH,
        Reply(
            200, fixture_text("feed_rss2.xml"), {"Last-Modified": "Fri, 14 Mar 2025 18:40:00 GMT"}
        ),
        Reply(304, b""),
    )
    first = source.fetch(None)

    second = source.fetch(first.cursor)

    assert platform.requests[-1].headers["If-Modified-Since"] == "Fri, 14 Mar 2025 18:40:00 GMT"
    assert second.mentions == [] and second.cursor is None


def test_it_reports_malformed_xml(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, Reply(200, "<rss><channel><item><title>cut off", XML))

    with pytest.raises(SourceError, match="malformed XML") as caught:
        make(platform, client).fetch(None)

    assert not caught.value.permanent


def test_it_refuses_a_doctype(platform: FakePlatform, client: httpx.Client) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]><rss/>'
    platform.reply(PATH, Reply(200, bomb, XML))

    with pytest.raises(SourceError, match="DOCTYPE"):
        make(platform, client).fetch(None)


def test_it_refuses_a_document_that_is_not_a_feed(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, Reply(200, "<html><body>moved</body></html>", XML))

    with pytest.raises(SourceError, match=r"neither RSS 2\.0 nor Atom"):
        make(platform, client).fetch(None)


def test_it_handles_500_and_429(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, Reply(502, "bad gateway"), Reply(429, "", {"Retry-After": "90"}))
    source = make(platform, client)

    with pytest.raises(SourceError) as transient:
        source.fetch(None)
    with pytest.raises(SourceError) as limited:
        source.fetch(None)

    assert not transient.value.permanent
    assert getattr(limited.value, "retry_after", None) == 90


def test_it_times_out(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, Reply(200, fixture_text("feed_rss2.xml"), delay=CLIENT_TIMEOUT * 3))

    with pytest.raises(SourceError, match="timed out"):
        make(platform, client).fetch(None)


def test_a_feed_must_be_an_http_address(client: httpx.Client) -> None:
    with pytest.raises(ValueError, match="http"):
        FeedSource(client=client, brand=None, feed="file:///etc/passwd")


def test_it_follows_a_moved_feed(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, Reply(301, "", {"Location": "/feeds/new.xml"}))
    platform.reply("/feeds/new.xml", Reply(200, fixture_text("feed_rss2.xml"), XML))

    result = make(platform, client).fetch(None)

    assert len(result.mentions) == 2
