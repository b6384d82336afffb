"""RSS 2.0 (rssboard.org/rss-specification) and Atom (RFC 4287) feeds, Google Alerts among them.

A feed is one page of its latest entries: the cursor keeps the entry ids seen (newest `MAX_SEEN`)
and the `ETag` / `Last-Modified` validators, so an unchanged feed answers 304 without a body.
Google Alerts links go through `https://www.google.com/url?...&url=REAL` and titles mark matches
with `<b>`: we keep the real address and plain text. The stdlib parser expands internal entities,
so a document with a DOCTYPE (where entity bombs live) is refused before it is parsed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sources.base import FetchResult, Mention, SourceError
from sources.http import HttpSource, parse_time
from sources.text import html_to_text

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
MAX_SEEN = 500


class FeedSource(HttpSource):
    name = "rss"
    default_base_url = ""  # the feed address is absolute

    def __init__(self, *, feed: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not feed.startswith(("http://", "https://")):
            raise ValueError(f"feed must be an http(s) address, not {feed!r}")
        self.feed = feed

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
        root = self._parse(response.content)
        if root.tag == "rss":
            mentions = self.parse_items(root.findall("channel/item"), self._rss_item)
        elif root.tag == f"{ATOM}feed":
            mentions = self.parse_items(root.findall(f"{ATOM}entry"), self._atom_entry)
        else:
            raise SourceError(f"{self.name}: {self.feed} is neither RSS 2.0 nor Atom ({root.tag})")
        seen: list[str] = state.get("seen", [])
        # The feed's ids first, then older ones, so trimming drops ids long gone from the feed.
        keep = list(dict.fromkeys([m.external_id for m in mentions] + seen))[:MAX_SEEN]
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        cursor = json.dumps({"seen": keep, "etag": etag, "modified": modified})
        return FetchResult([m for m in mentions if m.external_id not in seen], cursor)

    def _parse(self, content: bytes) -> ET.Element:
        if b"<!DOCTYPE" in content.upper():  # entity declarations can only live in a DOCTYPE
            raise SourceError(f"{self.name}: {self.feed} has a DOCTYPE; refused", permanent=True)
        try:
            return ET.fromstring(content)
        except ET.ParseError as exc:
            raise SourceError(f"{self.name}: {self.feed} is malformed XML: {exc}") from exc

    def _rss_item(self, item: ET.Element) -> Mention:
        link = _text(item, "link")
        external_id = _text(item, "guid") or link
        title = html_to_text(_text(item, "title"))
        if not external_id or not title:
            raise ValueError("item has neither guid nor link, or no title")
        published = _text(item, "pubDate")  # RFC 822; some feeds only give an ISO dc:date
        return self._mention(
            external_id=external_id,
            title=title,
            summary=_text(item, "description"),
            created_at=parsedate_to_datetime(published)
            if published
            else _time(_text(item, f"{DC}date")),
            author=_text(item, f"{DC}creator") or _text(item, "author"),
            url=link,
        )

    def _atom_entry(self, entry: ET.Element) -> Mention:
        links = entry.findall(f"{ATOM}link")
        alternate = [lk for lk in links if lk.get("rel", "alternate") == "alternate"] or links
        url = alternate[0].get("href") if alternate else None
        external_id = _text(entry, f"{ATOM}id") or url
        title = html_to_text(_text(entry, f"{ATOM}title"))
        if not external_id or not title:
            raise ValueError("entry has neither id nor link, or no title")
        when = _text(entry, f"{ATOM}published") or _text(entry, f"{ATOM}updated")
        return self._mention(
            external_id=external_id,
            title=title,
            summary=_text(entry, f"{ATOM}content") or _text(entry, f"{ATOM}summary"),
            created_at=_time(when),
            author=_text(entry, f"{ATOM}author/{ATOM}name"),
            url=unwrap_google_redirect(url) if url else None,
        )

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


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    return found.text.strip() if found is not None and found.text else None


def _time(value: str | None) -> datetime | None:
    return parse_time(value) if value else None


def _load(cursor: str | None) -> dict[str, Any]:
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        state = None
    if not isinstance(state, dict) or not isinstance(state.get("seen", []), list):
        raise SourceError(f"unreadable cursor {cursor!r}", permanent=True)
    return state
