"""RSS 2.0 (rssboard.org/rss-specification), RSS 1.0 (web.resource.org/rss/1.0/spec: RDF, items
named by `rdf:about` and dated by `dc:date`) and Atom (RFC 4287) feeds, Google Alerts among them.

An entry's id is its guid (Atom: id), else its link; a guid that is no URI (an article's number)
is named with the feed's address, since another feed may number its own alike. A feed is one page
of its latest entries: the cursor keeps the entry ids seen (newest `MAX_SEEN`)
and the `ETag` / `Last-Modified` validators, so an unchanged feed answers 304 without a body.
Google Alerts links go through `https://www.google.com/url?...&url=REAL` and titles mark matches
with `<b>`: we keep the real address and plain text. The stdlib parser expands internal entities,
so a document with a DOCTYPE declaring its own (where entity bombs live) is refused before it is
parsed; a plain DOCTYPE naming an external DTD (RSS 0.91's) is not read, only tolerated.

Feeds as found in the wild, read as feed readers read them: the charset of the `Content-Type`
header before the XML declaration's (RFC 7303; Bulgarian sites serve windows-1251); bytes that are
valid UTF-8 as UTF-8 whatever either says, and when none decodes them, the bytes UTF-8 cannot read
as windows-1251 or -1252, whichever they look like (both logged once per feed); blank lines before
the declaration, HTML entities (`&nbsp;`) and bare `&` outside CDATA, dates that are ISO 8601
rather than RFC 822 or have no zone (UTC), and XHTML titles and content in Atom.

RFC 822 dates name their zone as an offset (`+0300`) or, in RFC 822 itself, one of the US zones;
feeds also write `EEST`, `CET`, `BST`, `+03:00` or `GMT+3`. Abbreviations with one meaning
(`_ZONES`) are read as their offset; an ambiguous or unknown one (`IST`: India, Ireland or Israel)
is logged once per feed and read as UTC. A feed east of UTC then dates its entries ahead of time,
and the poller stores a mention dated after its poll as of the poll: seen when it was fetched.

Apple's customer-reviews feed in its XML form (`…/customerreviews/…/xml`) is Atom whose entries
carry the review's stars as `<im:rating>`: kept as `extra["rating"]` (1-5), as the `appstore`
source keeps them, so ingest judges the review by its author's verdict (`detectors.rating`). Its
entries hold the review twice, `<content type="text">` and a `type="html"` table after it: the
text one is read. Its first page opens with an entry for the app itself (`im:name`, `im:artist`,
no `im:rating`; the `appstore` source skips it too): not a review, so not a mention.
"""

from __future__ import annotations

import codecs
import html
import html.entities
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sources.base import FetchResult, Mention, SourceError
from sources.http import HttpSource
from sources.text import html_to_text

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
# RSS 1.0's namespace, and RSS 0.90's (the same shape: items beside the channel under rdf:RDF)
RSS1 = ("{http://purl.org/rss/1.0/}", "{http://my.netscape.com/rdf/simple/0.9/}")
ITUNES = "{http://itunes.apple.com/rss}"  # Apple's customer-reviews feed: im:rating
MAX_SEEN = 500
XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_CDATA = re.compile(r"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
_AMPERSAND = re.compile(r"&(#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)?")
_INTERNAL_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # a URI's start: https:, tag:, urn:
# Zone abbreviations the tz database gives a single offset (minutes east of UTC). email.utils
# already reads RFC 822's own (UT, GMT, Z and the US zones EST…PDT, with AST/ADT as Atlantic).
# Left out as ambiguous: IST (India +5:30, Ireland +1, Israel +2), SST, and the like.
_ZONES = {
    "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "MET": 60, "MEST": 120,
    "EET": 120, "EEST": 180, "MSK": 180, "WAT": 60, "CAT": 120, "SAST": 120, "EAT": 180,
    "PKT": 300, "WIB": 420, "WITA": 480, "WIT": 540, "HKT": 480, "JST": 540, "KST": 540,
    "AWST": 480, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
    "NST": -210, "NDT": -150, "AKST": -540, "AKDT": -480, "HST": -600, "HDT": -540,
}  # fmt: skip
_RFC822_ZONES = frozenset(
    {"UT", "UTC", "GMT", "Z", "AST", "ADT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"}
)
# The last word of an RFC 822 date when it is a zone: a name, an offset, or both (`GMT+3`).
_ZONE_WORD = re.compile(
    r"(?P<name>[A-Za-z]{1,5})?(?:(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?"
)

logger = logging.getLogger(__name__)


class FeedSource(HttpSource):
    name = "rss"
    default_base_url = ""  # the feed address is absolute

    def __init__(self, *, feed: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not feed.startswith(("http://", "https://")):
            raise ValueError(f"feed must be an http(s) address, not {feed!r}")
        self.feed = feed
        self._said: set[str] = set()  # what is wrong with the feed, logged once each

    def fetch(self, cursor: str | None) -> FetchResult:
        state = _load(cursor)
        validators = {
            "If-None-Match": state.get("etag"),
            "If-Modified-Since": state.get("modified"),
        }
        headers = {k: v for k, v in validators.items() if v}
        # Feeds move (http → https, new paths) and say so with redirects; follow them.
        response = self.request("GET", self.feed, headers=headers, follow_redirects=True)
        if response.status_code == 304:  # unchanged since the validators were issued
            return FetchResult([], None)
        root = self._parse(response.content, response.headers.get("Content-Type", ""))
        if root.tag == "rss":
            mentions = self.parse_items(root.findall("channel/item"), self._rss_item)
        elif root.tag == f"{ATOM}feed":
            entries = root.findall(f"{ATOM}entry")
            if _apple_reviews(root, entries):  # its first page opens with the app itself
                entries = [e for e in entries if not _apple_app(e)]
            mentions = self.parse_items(entries, self._atom_entry)
        elif root.tag == f"{RDF}RDF":
            items = [i for ns in RSS1 for i in root.findall(f"{ns}item")]
            mentions = self.parse_items(items, self._rdf_item)
        else:
            raise SourceError(
                f"{self.name}: {self.feed} is neither RSS 2.0 nor Atom nor RSS 1.0 ({root.tag})"
            )
        seen: list[str] = state.get("seen", [])
        # The feed's ids first, then older ones, so trimming drops ids long gone from the feed.
        keep = list(dict.fromkeys([m.external_id for m in mentions] + seen))[:MAX_SEEN]
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        cursor = json.dumps({"seen": keep, "etag": etag, "modified": modified})
        # A cursor stored before guids were scoped (`_scoped`) lists them bare.
        known, scope = set(seen), f"{self.feed}#"
        fresh = [
            m for m in mentions if not {m.external_id, m.external_id.removeprefix(scope)} & known
        ]
        return FetchResult(fresh, cursor)

    def _parse(self, content: bytes, content_type: str) -> ET.Element:
        document, guessed = _decode(content, content_type)
        if guessed and guessed not in self._said:
            self._said.add(guessed)
            logger.warning("%s: %s is %s", self.name, self.feed, guessed)
        if _INTERNAL_SUBSET.search(document):  # entity declarations live in the internal subset
            raise SourceError(
                f"{self.name}: {self.feed} has a DOCTYPE declaring entities; refused",
                permanent=True,
            )
        try:
            return ET.fromstring(document)
        except ET.ParseError as exc:
            error = exc
        try:  # what feed readers forgive: HTML entities and bare ampersands
            root = ET.fromstring(_repair(document))
        except ET.ParseError:
            raise SourceError(f"{self.name}: {self.feed} is malformed XML: {error}") from error
        logger.info(
            "%s: %s is not well-formed XML (%s); read it leniently", self.name, self.feed, error
        )
        return root

    def _rss_item(self, item: ET.Element) -> Mention:
        link = _text(item, "link")
        external_id = self._scoped(_text(item, "guid")) or link
        title = html_to_text(_text(item, "title"))
        summary = _text(item, "description")
        # RSS 2.0 asks for a title or a description: short posts (a Mastodon account's feed) have
        # only the second.
        if not external_id or not (title or html_to_text(summary)):
            raise ValueError("item has neither guid nor link, or neither title nor description")
        published = _text(item, "pubDate")  # RFC 822; some feeds only give an ISO dc:date
        return self._mention(
            external_id=external_id,
            title=title,
            summary=summary,
            created_at=self._time(published) or self._time(_text(item, f"{DC}date")),
            author=_text(item, f"{DC}creator") or _text(item, "author"),
            url=link,
        )

    def _rdf_item(self, item: ET.Element) -> Mention:
        """An RSS 1.0 item: named by `rdf:about`, dated (when at all) by `dc:date`."""
        ns = item.tag[: item.tag.index("}") + 1]
        link = _text(item, f"{ns}link")
        external_id = (item.get(f"{RDF}about") or "").strip() or link
        title = html_to_text(_text(item, f"{ns}title"))
        summary = _text(item, f"{ns}description")
        if not external_id or not (title or html_to_text(summary)):
            raise ValueError(
                "item has neither rdf:about nor link, or neither title nor description"
            )
        return self._mention(
            external_id=external_id,
            title=title,
            summary=summary,
            created_at=self._time(_text(item, f"{DC}date")),
            author=_text(item, f"{DC}creator"),
            url=link or external_id,
        )

    def _atom_entry(self, entry: ET.Element) -> Mention:
        links = entry.findall(f"{ATOM}link")
        alternate = [lk for lk in links if lk.get("rel", "alternate") == "alternate"] or links
        url = alternate[0].get("href") if alternate else None
        external_id = self._scoped(_text(entry, f"{ATOM}id")) or url
        title = html_to_text(_markup(entry, f"{ATOM}title"))
        if not external_id or not title:
            raise ValueError("entry has neither id nor link, or no title")
        when = _text(entry, f"{ATOM}published") or _text(entry, f"{ATOM}updated")
        # Apple's review entries give the review as text, then again as an HTML table.
        content = f"{ATOM}content[@type='text']" if _reviewed(entry) else f"{ATOM}content"
        stars = _stars(_text(entry, f"{ITUNES}rating"))
        return self._mention(
            external_id=external_id,
            title=title,
            summary=_markup(entry, content) or _markup(entry, f"{ATOM}summary"),
            created_at=self._time(when),
            author=_text(entry, f"{ATOM}author/{ATOM}name"),
            url=unwrap_google_redirect(url) if url else None,
            **({"extra": {"rating": stars}} if stars is not None else {}),
        )

    def _scoped(self, guid: str | None) -> str | None:
        """A guid as an id unique across feeds: one that is no URI (an article's number, "4711")
        names an item only within its feed, so it is named with the feed's address."""
        if not guid or _SCHEME.match(guid):
            return guid
        return f"{self.feed}#{guid}"

    def _time(self, value: str | None) -> datetime | None:
        if not value:
            return None
        value, unknown = _numeric_zone(value)
        if unknown and unknown not in self._said:
            self._said.add(unknown)
            logger.warning(
                "%s: %s dates its entries in time zone %r, ambiguous or unknown; read as UTC",
                self.name,
                self.feed,
                unknown,
            )
        return _time(value)

    def _mention(
        self, *, title: str, summary: str | None, created_at: datetime | None, **fields: Any
    ) -> Mention:
        when = created_at or self.clock()  # undated entries count from when we first saw them
        when = when if when.tzinfo else when.replace(tzinfo=UTC)  # RFC 822 "-0000": UTC
        text = "\n".join(filter(None, [title, html_to_text(summary)]))
        return Mention(source=self.name, text=text, created_at=when.astimezone(UTC), **fields)


def unwrap_google_redirect(url: str) -> str:
    """The article behind a `https://www.google.com/url?...&url=REAL` link; others unchanged."""
    parts = urlsplit(url)
    if parts.hostname in ("www.google.com", "google.com") and parts.path == "/url":
        real = parse_qs(parts.query).get("url") or parse_qs(parts.query).get("q")
        if real and real[0].startswith(("http://", "https://")):
            return real[0]
    return url


def _reviewed(entry: ET.Element) -> bool:
    """An entry of Apple's customer-reviews feed that gives its review as `type="text"`."""
    return (
        entry.find(f"{ITUNES}rating") is not None
        and entry.find(f"{ATOM}content[@type='text']") is not None
    )


def _apple_reviews(root: ET.Element, entries: list[ET.Element]) -> bool:
    """Apple's customer-reviews feed, by Apple's own marks: its id is a `/customerreviews/`
    address, or its entries carry `im:rating`. (Apple's other feeds in the same namespace, its
    charts of apps or songs, list products: those entries are what the feed is about.)"""
    feed_id = _text(root, f"{ATOM}id") or ""
    return "/customerreviews/" in feed_id or any(
        e.find(f"{ITUNES}rating") is not None for e in entries
    )


def _apple_app(entry: ET.Element) -> bool:
    """The entry Apple puts first on a reviews feed's first page: the app itself (its name and
    developer, `im:name` and `im:artist`; no `im:rating`), not a review of it."""
    named = entry.find(f"{ITUNES}name") is not None or entry.find(f"{ITUNES}artist") is not None
    return named and entry.find(f"{ITUNES}rating") is None


def _stars(value: str | None) -> int | None:
    """A review's stars, 1 to 5, or None (the review is kept without them, as `appstore` does)."""
    if value is None or not (value.isascii() and value.isdigit()):
        return None
    return int(value) if 1 <= int(value) <= 5 else None


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    return found.text.strip() if found is not None and found.text else None


def _markup(element: ET.Element, path: str) -> str | None:
    """An Atom text construct as HTML: `type="xhtml"` holds elements (a `div`), not text."""
    found = element.find(path)
    if found is None or found.get("type") != "xhtml":
        return _text(element, path)
    parts = [html.escape(found.text or "", quote=False)]
    for child in found:
        for node in child.iter():  # XHTML's namespace off, so `p` and `br` still break lines
            node.tag = node.tag.rpartition("}")[2] if isinstance(node.tag, str) else node.tag
        parts.append(ET.tostring(child, encoding="unicode", method="html"))
    return "".join(parts).strip() or None


def _time(value: str | None) -> datetime | None:
    """RFC 822 (RSS), else ISO 8601 (Atom, dc:date, and the many RSS feeds that use it), a date
    without a zone taken as UTC; None (the time we first saw it) for what is neither."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        logger.info("rss: unreadable date %r; dated when first seen", value)
        return None


def _numeric_zone(value: str) -> tuple[str, str | None]:
    """An RFC 822 date with its zone as `+HHMM` when it was named (`EEST`) or written another way
    (`+03:00`, `GMT+3`); else unchanged, with the zone's name when it is one we cannot read."""
    head, _, word = value.rstrip().rpartition(" ")
    zone = _ZONE_WORD.fullmatch(word) if head else None
    if zone is None or not (zone["name"] or zone["sign"]):
        return value, None  # no zone (UTC), or the date is not RFC 822
    name = (zone["name"] or "").upper()
    if zone["sign"] is None:
        if name in _ZONES:
            offset = _ZONES[name]
            sign, hours, minutes = "+" if offset >= 0 else "-", abs(offset) // 60, abs(offset) % 60
            return f"{head} {sign}{hours:02d}{minutes:02d}", None
        return value, None if name in _RFC822_ZONES else name
    if name not in ("", "UT", "UTC", "GMT") or int(zone["hours"]) > 14:
        return value, name + zone["sign"] + zone["hours"] + (zone["minutes"] or "")
    return f"{head} {zone['sign']}{int(zone['hours']):02d}{zone['minutes'] or '00'}", None


def _decode(content: bytes, content_type: str) -> tuple[str, str | None]:
    """The document as text: a BOM, else the header's charset, else the declaration's, else UTF-8;
    the first that decodes it (either can lie), but UTF-8 for bytes that are UTF-8 beyond ASCII
    whatever either says (with a note). When none decodes it, UTF-8 with each byte it cannot read
    taken as windows-1251 or windows-1252, whichever the bytes look like (`_single_byte`), and a
    note saying so: replacement marks in a mention would hide the text from the team and the
    detectors alike."""
    bom = content.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if bom:
        encodings = ["utf-8-sig" if content.startswith(codecs.BOM_UTF8) else "utf-16"]
    else:
        header = _CHARSET.search(content_type)
        declared = _DECLARED.match(content)
        encodings = [header.group(1)] if header else []
        encodings += [declared.group(1).decode()] if declared else []
        encodings.append("utf-8")
    known = []
    for name in encodings:
        try:
            known.append(codecs.lookup(name).name)
        except LookupError:
            continue
    known = list(dict.fromkeys(known)) or ["utf-8"]
    if not bom and not known[0].startswith("utf") and _utf8_beyond_ascii(content):
        # The reverse lie (a site moved to UTF-8, its template still says windows-1251): text in
        # a single-byte encoding is next to never valid UTF-8, so these bytes are UTF-8.
        return content.decode("utf-8").lstrip("\ufeff \t\r\n"), f"says {known[0]} but is utf-8"
    for name in known:
        try:
            return content.decode(name).lstrip("\ufeff \t\r\n"), None
        except UnicodeDecodeError:
            continue
    if bom:  # the mark says what it is; no guess would do better
        text = content.decode(known[0], errors="replace")
        return text.lstrip("\ufeff \t\r\n"), f"not valid {known[0]}; unreadable bytes replaced"
    guess = _single_byte(content)
    text = content.decode("utf-8", errors=f"crisisbot-{guess}")
    said = " or ".join(dict.fromkeys(known))
    label = guess.replace("cp", "windows-")
    return text.lstrip("\ufeff \t\r\n"), f"not valid {said}; read its other bytes as {label}"


def _utf8_beyond_ascii(content: bytes) -> bool:
    if content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Valid UTF-8 sequences beyond ASCII, and letters of windows-1251 (А-я) or windows-1252 (À-ÿ).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_LETTER = re.compile(rb"[\xc0-\xff]")
_HIGH_WORD = re.compile(rb"[\xc0-\xff]{3,}")


def _single_byte(content: bytes) -> str:
    """windows-1251 when the bytes outside valid UTF-8 look like Cyrillic words (most of their
    letters in runs of 3 or more: whole words), else windows-1252, where accented letters stand
    one or two together among plain ones ("été", "Größe")."""
    rest = _UTF8_SEQUENCE.sub(b" ", content)
    letters = len(_HIGH_LETTER.findall(rest))
    in_words = sum(len(word) for word in _HIGH_WORD.findall(rest))
    return "cp1251" if letters and in_words * 2 >= letters else "cp1252"


def _fallback(codec: str) -> Callable[[UnicodeError], tuple[str, int]]:
    """A decoding error handler reading the bytes UTF-8 cannot as `codec` (a byte `codec` leaves
    undefined, such as windows-1252's 0x81, is dropped)."""

    def handle(error: UnicodeError) -> tuple[str, int]:
        if not isinstance(error, UnicodeDecodeError):
            raise error
        chunk = error.object[error.start : error.end]
        return bytes(chunk).decode(codec, errors="ignore"), error.end

    return handle


for _codec in ("cp1251", "cp1252"):
    codecs.register_error(f"crisisbot-{_codec}", _fallback(_codec))


def _repair(document: str) -> str:
    """HTML entities as character references and bare `&` escaped, outside CDATA sections."""
    parts = _CDATA.split(document)
    parts[::2] = [_AMPERSAND.sub(_reference, part) for part in parts[::2]]
    return "".join(parts)


def _reference(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref is None:
        return "&amp;"
    if ref.startswith("#") or ref[:-1] in XML_ENTITIES:
        return match.group(0)
    chars = html.entities.html5.get(ref)
    return "".join(f"&#{ord(c)};" for c in chars) if chars else "&amp;" + ref


def _load(cursor: str | None) -> dict[str, Any]:
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        state = None
    if not isinstance(state, dict) or not isinstance(state.get("seen", []), list):
        raise SourceError(f"unreadable cursor {cursor!r}", permanent=True)
    return state
