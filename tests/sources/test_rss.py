from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from sources.base import SourceError
from sources.rss import FeedSource, unwrap_google_redirect
from tests.sources.conftest import (
    CLIENT_TIMEOUT,
    TIMEOUT_UNDER_TEST,
    FakePlatform,
    Reply,
    fixture_text,
)

PATH = "/feeds/acme.xml"
XML = {"Content-Type": "application/rss+xml"}


def make(
    platform: FakePlatform, client: httpx.Client, timeout: float = CLIENT_TIMEOUT
) -> FeedSource:
    return FeedSource(client=client, brand="Acme", feed=platform.base_url + PATH, timeout=timeout)


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


def test_apple_reviews_read_as_a_feed_keep_their_stars(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """Apple's customer-reviews feed in XML through a plain `rss` source: each entry's
    `<im:rating>` is the mention's rating, as the `appstore` source gives it; the review is read
    once (its text, not the HTML table repeating it); a rating out of 1-5 is left out."""
    platform.reply(PATH, Reply(200, fixture_text("appstore_reviews.xml"), XML))

    mentions = make(platform, client).fetch(None).mentions

    # page 1 opens with the app itself (im:name, im:artist, no im:rating): not a review
    assert [m.extra.get("rating") for m in mentions] == [1, 5, None]
    assert not [
        m for m in mentions if "Acme Airlines Ltd" in m.text or "apps.apple" in (m.url or "")
    ]
    first = mentions[0]
    # a guid that is no URI carries its feed's address (guids are unique per feed only)
    assert first.external_id.endswith("#12345678901")
    assert first.text == "Crashes at check-in\nThe app is fine I guess."
    assert first.author == "FrustratedFlyer22"
    assert first.created_at == datetime(2025, 3, 14, 18, 2, 11, tzinfo=UTC)
    assert "rating" not in mentions[2].extra


APPLE_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns:im="http://itunes.apple.com/rss" xmlns="http://www.w3.org/2005/Atom">
  <id>{feed_id}</id><title>iTunes Store</title><updated>2025-03-14T11:30:00-07:00</updated>
  <entry>
    <updated>2025-03-14T11:30:00-07:00</updated>
    <id im:id="1">https://apps.apple.com/us/app/acme-airlines/id1?uo=2</id>
    <title>Acme Airlines - Acme Airlines Ltd</title>
    <im:name>Acme Airlines</im:name>
    <link rel="alternate" type="text/html" href="https://apps.apple.com/us/app/acme-airlines/id1"/>
    <im:artist href="https://apps.apple.com/us/developer/acme/id2">Acme Airlines Ltd</im:artist>
  </entry>
</feed>"""


@pytest.mark.parametrize(
    ("feed_id", "kept"),
    [
        # a reviews feed's first page with no review yet: the app's entry alone, no mention
        ("https://itunes.apple.com/us/rss/customerreviews/page=1/id=1/sortby=mostrecent/xml", 0),
        # Apple's chart of top apps, same namespace: its entries are apps, and what it is about
        ("https://rss.applemarketingtools.com/api/v2/us/apps/top-free/10/apps.atom", 1),
    ],
    ids=["reviews feed", "top apps chart"],
)
def test_apples_app_entry_is_skipped_only_in_its_reviews_feed(
    platform: FakePlatform, client: httpx.Client, feed_id: str, kept: int
) -> None:
    platform.reply(PATH, Reply(200, APPLE_FEED.format(feed_id=feed_id), XML))
    assert len(make(platform, client).fetch(None).mentions) == kept


def test_other_feeds_carry_no_rating(platform: FakePlatform, client: httpx.Client) -> None:
    for name in ("feed_rss2.xml", "google_alerts.xml"):
        platform.reply(PATH, Reply(200, fixture_text(name), XML))
        assert all(m.extra == {} for m in make(platform, client).fetch(None).mentions)


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


def test_an_empty_first_read_leaves_a_cursor_and_the_next_takes_the_whole_feed(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """A feed has one page, and a first read takes all of it; an empty one still stores its
    cursor (seen ids, none yet): the next read takes every entry the feed then lists."""
    source = make(platform, client)
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    platform.reply(PATH, Reply(200, empty, {**XML, "ETag": '"v1"'}))

    first = source.fetch(None)

    assert first.mentions == [] and first.cursor is not None
    platform.replies.clear()
    platform.reply(PATH, Reply(200, fixture_text("feed_rss2.xml"), {**XML, "ETag": '"v2"'}))

    second = source.fetch(first.cursor)

    assert len(second.mentions) == 2  # every entry it lists (its third has no title)
    assert platform.requests[-1].headers["If-None-Match"] == '"v1"'


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
    platform.reply(PATH, Reply(200, fixture_text("feed_rss2.xml"), delay=TIMEOUT_UNDER_TEST * 3))

    with pytest.raises(SourceError, match="timed out"):
        make(platform, client, TIMEOUT_UNDER_TEST).fetch(None)


def test_a_feed_must_be_an_http_address(client: httpx.Client) -> None:
    with pytest.raises(ValueError, match="http"):
        FeedSource(client=client, brand=None, feed="file:///etc/passwd")


def test_it_follows_a_moved_feed(platform: FakePlatform, client: httpx.Client) -> None:
    platform.reply(PATH, Reply(301, "", {"Location": "/feeds/new.xml"}))
    platform.reply("/feeds/new.xml", Reply(200, fixture_text("feed_rss2.xml"), XML))

    result = make(platform, client).fetch(None)

    assert len(result.mentions) == 2


def _rss(items: str, declaration: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return f'{declaration}<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def _item(title: str, date: str = "Fri, 14 Mar 2025 18:35:00 +0200", n: int = 1) -> str:
    published = f"<pubDate>{date}</pubDate>" if date else ""
    return f"<item><title>{title}</title><link>https://b.example/{n}</link>{published}</item>"


BULGARIAN = "Акме спря услугата в цяла България"


@pytest.mark.parametrize(
    ("declaration", "content_type"),
    [
        ('<?xml version="1.0" encoding="windows-1251"?>', "application/rss+xml"),
        ("", "application/rss+xml; charset=windows-1251"),  # only the header says it
        ('<?xml version="1.0" encoding="UTF-8"?>', "text/xml; charset=windows-1251"),  # lies
    ],
)
def test_it_reads_a_windows_1251_feed(
    platform: FakePlatform, client: httpx.Client, declaration: str, content_type: str
) -> None:
    body = _rss(_item(BULGARIAN), declaration).encode("cp1251")
    platform.reply(PATH, Reply(200, body, {"Content-Type": content_type}))

    result = make(platform, client).fetch(None)

    assert [m.text for m in result.mentions] == [BULGARIAN]


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Acme&nbsp;down &eacute;t&eacute; &mdash; again", "Acme\xa0down été — again"),
        ("AT&T and Acme & co", "AT&T and Acme & co"),
        ("Acme &amp; &#1040;&#x411; &unknownentity; ok", "Acme & АБ &unknownentity; ok"),
        ("<![CDATA[Acme &nbsp;<b>down</b> & out]]>", "Acme \xa0down & out"),
    ],
)
def test_it_reads_html_entities_and_bare_ampersands_as_feed_readers_do(
    platform: FakePlatform, client: httpx.Client, title: str, text: str
) -> None:
    feed = _rss(
        _item(title) + "<item><title>Second</title><link>https://b.example/?a=1&b=2</link></item>"
    )
    platform.reply(PATH, Reply(200, feed, XML))

    result = make(platform, client).fetch(None)

    assert [m.text for m in result.mentions] == [text, "Second"]
    assert result.mentions[1].url == "https://b.example/?a=1&b=2"


def test_it_reads_a_feed_with_blank_lines_before_the_declaration(
    platform: FakePlatform, client: httpx.Client
) -> None:
    platform.reply(PATH, Reply(200, "\n\n  " + _rss(_item("Acme")), XML))

    assert [m.text for m in make(platform, client).fetch(None).mentions] == ["Acme"]


def test_it_reads_a_doctype_without_entity_declarations(
    platform: FakePlatform, client: httpx.Client
) -> None:
    netscape = (
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        ' "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
    )
    platform.reply(PATH, Reply(200, _rss(_item("Acme &nbsp;news"), netscape), XML))

    assert [m.text for m in make(platform, client).fetch(None).mentions] == ["Acme \xa0news"]


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2025-03-14T18:35:00+02:00", datetime(2025, 3, 14, 16, 35, tzinfo=UTC)),  # ISO in RSS
        ("2025-03-14 18:35:00", datetime(2025, 3, 14, 18, 35, tzinfo=UTC)),  # no zone: UTC
        ("14.03.2025 18:35", None),  # unreadable: when we first saw it
        ("Пт, 14 мар 2025 18:35:00 +0200", None),
    ],
)
def test_an_odd_date_keeps_the_item(
    platform: FakePlatform, client: httpx.Client, date: str, expected: datetime | None
) -> None:
    now = datetime(2025, 3, 15, 9, 0, tzinfo=UTC)
    platform.reply(PATH, Reply(200, _rss(_item("Acme", date)), XML))
    source = FeedSource(client=client, brand=None, feed=platform.base_url + PATH, clock=lambda: now)

    result = source.fetch(None)

    assert [m.created_at for m in result.mentions] == [expected or now]


def test_it_reads_xhtml_titles_and_content_and_a_zoneless_atom_date(
    platform: FakePlatform, client: httpx.Client
) -> None:
    xhtml = 'type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>e1</id>'
        f"<title {xhtml}Acme <b>down</b> &amp; out</div></title>"
        f"<content {xhtml}<p>First</p><p>Second</p></div></content>"
        "<updated>2025-03-14T18:35:00</updated></entry></feed>"
    )
    platform.reply(PATH, Reply(200, atom, {"Content-Type": "application/atom+xml"}))

    result = make(platform, client).fetch(None)

    assert [m.text for m in result.mentions] == ["Acme down & out\nFirst\nSecond"]
    assert result.mentions[0].created_at == datetime(2025, 3, 14, 18, 35, tzinfo=UTC)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        # A Bulgarian feed in summer and winter time: read as UTC they were 3 and 2 hours late.
        ("Wed, 02 Sep 2026 10:00:00 EEST", datetime(2026, 9, 2, 7, 0, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 eet", datetime(2026, 12, 2, 8, 0, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 CET", datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
        ("Wed, 02 Sep 2026 10:00:00 CEST", datetime(2026, 9, 2, 8, 0, tzinfo=UTC)),
        ("Wed, 02 Sep 2026 10:00:00 BST", datetime(2026, 9, 2, 9, 0, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 MSK", datetime(2026, 12, 2, 7, 0, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 NST", datetime(2026, 12, 2, 13, 30, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 EST", datetime(2026, 12, 2, 15, 0, tzinfo=UTC)),  # RFC 822
        # Offsets written in ways RFC 822 does not: they were dropped, the time read as UTC.
        ("Wed, 02 Dec 2026 10:00:00 +03:00", datetime(2026, 12, 2, 7, 0, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 GMT+3", datetime(2026, 12, 2, 7, 0, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 GMT+0200", datetime(2026, 12, 2, 8, 0, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 UTC-03:30", datetime(2026, 12, 2, 13, 30, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 +0300 (EEST)", datetime(2026, 12, 2, 7, 0, tzinfo=UTC)),
    ],
)
def test_it_reads_named_time_zones_and_offsets_as_written(
    platform: FakePlatform, client: httpx.Client, date: str, expected: datetime
) -> None:
    platform.reply(PATH, Reply(200, _rss(_item("Acme", date)), XML))

    assert [m.created_at for m in make(platform, client).fetch(None).mentions] == [expected]


def test_an_ambiguous_zone_is_read_as_utc_and_logged_once(
    platform: FakePlatform, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """IST is India's (+5:30), Ireland's (+1) or Israel's (+2): each puts the entry ahead of UTC,
    and the poller stores an entry dated after its poll as of the poll."""
    items = "".join(_item("Acme", f"Wed, 02 Dec 2026 10:0{n}:00 IST", n) for n in (1, 2))
    platform.reply(PATH, Reply(200, _rss(items), XML))
    source = make(platform, client)

    with caplog.at_level("WARNING", logger="sources.rss"):
        first = source.fetch(None)
        source.fetch(None)

    assert [m.created_at for m in first.mentions] == [
        datetime(2026, 12, 2, 10, 1, tzinfo=UTC),
        datetime(2026, 12, 2, 10, 2, tzinfo=UTC),
    ]
    said = [r.getMessage() for r in caplog.records if "IST" in r.getMessage()]
    assert len(said) == 1 and platform.base_url + PATH in said[0], said


FRENCH = "Acme: l'été à Paris, la Größe du problème"


@pytest.mark.parametrize(
    ("declaration", "content_type", "text", "encoding"),
    [
        # Declares UTF-8 (or says nothing, so UTF-8) and is windows-1251: read with U+FFFD marks.
        ('<?xml version="1.0" encoding="UTF-8"?>', "application/rss+xml", BULGARIAN, "cp1251"),
        ("", "application/rss+xml", BULGARIAN, "cp1251"),
        ("", "text/xml; charset=utf-8", BULGARIAN, "cp1251"),  # the header lies
        ('<?xml version="1.0" encoding="UTF-8"?>', "application/rss+xml", FRENCH, "cp1252"),
    ],
    ids=["declared-utf-8", "nothing-said", "header-utf-8", "western"],
)
def test_a_feed_whose_bytes_are_not_what_it_says_is_read_in_the_encoding_they_look_like(
    platform: FakePlatform,
    client: httpx.Client,
    caplog: pytest.LogCaptureFixture,
    declaration: str,
    content_type: str,
    text: str,
    encoding: str,
) -> None:
    body = _rss(_item(text), declaration).encode(encoding)
    platform.reply(PATH, Reply(200, body, {"Content-Type": content_type}))
    source = make(platform, client)

    with caplog.at_level("WARNING", logger="sources.rss"):
        first = source.fetch(None)
        source.fetch(None)

    assert [m.text for m in first.mentions] == [text]
    said = [r.getMessage() for r in caplog.records if r.name == "sources.rss"]
    assert said == [
        f"rss: {platform.base_url + PATH} is not valid utf-8; "
        f"read its other bytes as {encoding.replace('cp', 'windows-')}"
    ]


def test_a_utf8_feed_with_one_windows_1251_entry_keeps_both_readable(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """A CMS pasting an old article in: the UTF-8 entries stay UTF-8, the stray bytes are read."""
    body = _rss("{first}{second}").encode()
    body = body.replace(b"{first}", _item("Акме: всичко работи", n=1).encode())
    body = body.replace(b"{second}", _item(BULGARIAN, n=2).encode("cp1251"))
    platform.reply(PATH, Reply(200, body, XML))

    result = make(platform, client).fetch(None)

    assert [m.text for m in result.mentions] == ["Акме: всичко работи", BULGARIAN]


@pytest.mark.parametrize(
    ("declaration", "content_type"),
    [
        ('<?xml version="1.0" encoding="windows-1251"?>', "application/rss+xml"),
        ("", "application/rss+xml; charset=windows-1251"),
        ('<?xml version="1.0" encoding="ISO-8859-1"?>', "text/xml"),
    ],
    ids=["declared", "header", "latin-1"],
)
def test_a_utf8_feed_that_says_it_is_single_byte_is_read_as_utf8(
    platform: FakePlatform,
    client: httpx.Client,
    caplog: pytest.LogCaptureFixture,
    declaration: str,
    content_type: str,
) -> None:
    """A site moved to UTF-8 whose template still says windows-1251: read as it says, every
    Cyrillic letter became two ("РђРєРјРµ"), silently."""
    body = _rss(_item(BULGARIAN), declaration).encode()
    platform.reply(PATH, Reply(200, body, {"Content-Type": content_type}))

    with caplog.at_level("WARNING", logger="sources.rss"):
        result = make(platform, client).fetch(None)

    assert [m.text for m in result.mentions] == [BULGARIAN]
    assert [r.getMessage().rpartition(" ")[2] for r in caplog.records] == ["utf-8"]


def test_an_item_with_a_description_and_no_title_is_kept(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """RSS 2.0: "All elements of an item are optional, however at least one of title or
    description must be present." Feeds of short posts (a Mastodon account's `.rss`, microblogs)
    give none a title; every one of their items was skipped as malformed."""
    feed = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>@acmewatch</title><link>https://social.example/@acmewatch</link>
<description>Public posts</description>
<item>
  <guid isPermaLink="true">https://social.example/@acmewatch/113</guid>
  <link>https://social.example/@acmewatch/113</link>
  <pubDate>Fri, 14 Mar 2025 18:35:00 +0000</pubDate>
  <description>&lt;p&gt;Акме пак не работи &amp;amp; никой не отговаря 😡&lt;/p&gt;</description>
</item>
<item><guid>https://social.example/@acmewatch/112</guid>
  <pubDate>Fri, 14 Mar 2025 18:00:00 +0000</pubDate></item>
</channel></rss>"""
    platform.reply(PATH, Reply(200, feed, XML))

    result = make(platform, client).fetch(None)

    assert [(m.external_id, m.text) for m in result.mentions] == [
        ("https://social.example/@acmewatch/113", "Акме пак не работи & никой не отговаря 😡")
    ]


def test_it_reads_an_rss_1_0_feed(platform: FakePlatform, client: httpx.Client) -> None:
    """RSS 1.0 (RDF Site Summary, web.resource.org/rss/1.0/spec): items beside the channel under
    `rdf:RDF` in the RSS 1.0 namespace, each named by `rdf:about`, dated by Dublin Core's
    `dc:date` (ISO 8601). Still served by older CMSs and portals; it was refused whole as
    "neither RSS 2.0 nor Atom", every poll."""
    feed = """<?xml version="1.0" encoding="windows-1251"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example.bg/">
    <title>Новини</title><link>https://news.example.bg/</link><description>Новини</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://news.example.bg/a/1"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://news.example.bg/a/1">
    <title>Акме спря услугата</title>
    <link>https://news.example.bg/a/1?utm=rss</link>
    <description>Клиентите на Акме са без връзка от сутринта.</description>
    <dc:date>2025-03-14T20:35:00+02:00</dc:date>
    <dc:creator>Редакцията</dc:creator>
  </item>
  <item rdf:about="https://news.example.bg/a/0">
    <link>https://news.example.bg/a/0</link>
    <title>Без дата</title>
  </item>
</rdf:RDF>""".encode("cp1251")
    platform.reply(PATH, Reply(200, feed, {"Content-Type": "application/rdf+xml"}))
    now = datetime(2025, 3, 14, 19, 0, tzinfo=UTC)
    source = FeedSource(
        client=client, brand="Acme", feed=platform.base_url + PATH, clock=lambda: now
    )

    result = source.fetch(None)

    first, undated = result.mentions
    assert first.external_id == "https://news.example.bg/a/1"
    assert first.text == "Акме спря услугата\nКлиентите на Акме са без връзка от сутринта."
    assert first.created_at == datetime(2025, 3, 14, 18, 35, tzinfo=UTC)
    assert first.author == "Редакцията"
    assert first.url == "https://news.example.bg/a/1?utm=rss"
    assert (undated.external_id, undated.created_at) == ("https://news.example.bg/a/0", now)
    again = source.fetch(result.cursor)
    assert again.mentions == []


def test_a_guid_that_is_no_address_is_told_apart_from_another_feeds(
    platform: FakePlatform, client: httpx.Client
) -> None:
    """RSS 2.0's guid is "a string that uniquely identifies the item" with "no rules for the
    syntax": many CMSs write the article's number (`<guid isPermaLink="false">4711</guid>`).
    Every feed's mentions are stored under the source "rss", so article 4711 of a second feed
    was taken for the first feed's and dropped as already stored. Such a guid is now named
    with its feed's address; a guid that is an address (a URI) stays as it is, and an item a
    feed's stored cursor already lists by its bare guid is not taken again."""

    def feed(title: str, guid: str) -> str:
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
            f'<title>{title}</title><guid isPermaLink="false">{guid}</guid>'
            "<pubDate>Fri, 14 Mar 2025 18:35:00 +0000</pubDate></item></channel></rss>"
        )

    platform.reply("/a.xml", Reply(200, feed("Acme down", "4711"), XML))
    platform.reply("/b.xml", Reply(200, feed("Акме пак", "4711"), XML))
    platform.reply("/c.xml", Reply(200, feed("Acme", "tag:news.example,2025:4711"), XML))
    a, b, c = (
        FeedSource(client=client, brand="Acme", feed=platform.base_url + path)
        for path in ("/a.xml", "/b.xml", "/c.xml")
    )

    (first,), (second,), (third,) = (s.fetch(None).mentions for s in (a, b, c))

    assert first.external_id == platform.base_url + "/a.xml#4711"
    assert second.external_id == platform.base_url + "/b.xml#4711"
    assert third.external_id == "tag:news.example,2025:4711"
    before = json.dumps({"seen": ["4711"], "etag": None, "modified": None})
    assert a.fetch(before).mentions == []
