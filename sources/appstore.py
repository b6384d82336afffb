"""Apple App Store customer reviews through Apple's public feed, in its JSON form:
`/{country}/rss/customerreviews/page={n}/id={app_id}/sortby=mostrecent/json` (no credential).

The feed lists an app's most recent reviews in one storefront (`country`, default us): 50 a page,
pages 1 to 10 at most (500 reviews), newest first by `updated`. Apple documents none of it; what
the feed is known to do, and what this connector does about it:

- the first page's first entry is sometimes the app itself (`im:name`, `im:image`, no
  `im:rating`), sometimes already a review: dropping the first entry blindly loses the newest
  review of the apps whose feed has no app entry (plahteenlahti/app-store-scraper#17). Only the
  entries with `im:rating` are reviews;
- a storefront with no reviews has no `entry` at all; a feed converted from XML may give a single
  entry as an object rather than a list of one;
- a page can be empty while later ones are not: an empty page does not end the walk, the last
  page does (the first page's `last` link names it; 10 when it names none);
- the JSON carries `updated` (it did not before 2021: facundoolano/app-store-scraper#164); a
  review without it cannot be placed against the cursor and is skipped, logged.

Cursor: a `Watermark` on `updated` (reviews edited since come again; stored once all the same).
Backfill walks the pages on from 1 (`{"page": n, "last": n}`), down to `since` or the last page;
reviews arriving meanwhile push older ones a page on: some come twice (stored once), none missed.
Text: the title and the review. Reviews have no address of their own: `url` is the app's reviews
page in that storefront. The stars go to `extra["rating"]` (1-5), the author's own verdict, which
ingest applies to the mention's sentiment (`detectors.rating`).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any

import httpx

from sources.base import NOT_FOUND, BackfillPage, FetchResult, Mention, SourceError
from sources.cursor import Watermark, polled_cursor
from sources.http import HttpSource, parse_time, require

logger = logging.getLogger(__name__)

MAX_PAGES = 10  # the feed serves no page past the tenth
_PAGE = re.compile(r"/page=(\d+)/")


class AppStoreSource(HttpSource):
    name = "appstore"
    default_base_url = "https://itunes.apple.com"
    page_cap = MAX_PAGES

    def __init__(self, *, app_id: str, country: str = "us", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_id = app_id.strip()
        self.country = country.strip().lower()
        if not re.fullmatch(r"[0-9]+", self.app_id) or not re.fullmatch(r"[a-z]{2}", self.country):
            raise ValueError(f"app_id {app_id!r} / country {country!r}: a number and two letters")

    def _path(self, page: int) -> str:
        feed = f"customerreviews/page={page}/id={self.app_id}/sortby=mostrecent/json"
        return f"/{self.country}/rss/{feed}"

    def fetch(self, cursor: str | None) -> FetchResult:
        mark = Watermark.load(cursor)
        found: dict[str, Mention] = {}
        last: int | None = None
        for index in self.pages(first_poll=mark is None):
            page = index + 1
            feed = self.expect(self.get_json(self._path(page)), "feed", dict)
            reviews = self.parse_items(_entries(self, feed), self._mention)
            fresh = [m for m in reviews if mark is None or mark.is_new(m.external_id, m.created_at)]
            for mention in fresh:
                found.setdefault(mention.external_id, mention)
            if last is None:  # as the first page says: an empty one further on may say 1
                last = min(_last_page(feed) or MAX_PAGES, MAX_PAGES)
            if page >= last or len(fresh) < len(reviews):  # the last page, or what we have
                break
        mentions = list(found.values())
        return FetchResult(mentions, polled_cursor(mark, mentions, self.clock()))

    def backfill(self, cursor: str | None, since: datetime) -> BackfillPage:
        page, last = self._backfill_cursor(cursor)
        feed = self.expect(self.get_json(self._path(page)), "feed", dict)
        reviews = self.parse_items(_entries(self, feed), self._mention)
        kept = [m for m in reviews if m.created_at >= since]
        if last is None:
            last = min(_last_page(feed) or MAX_PAGES, MAX_PAGES)
        done = page >= last or len(kept) < len(reviews)
        return BackfillPage(kept, json.dumps({"page": page + 1, "last": last}), done=done)

    def _backfill_cursor(self, cursor: str | None) -> tuple[int, int | None]:
        if cursor is None:
            return 1, None
        try:
            state = json.loads(cursor)
            page, last = int(state["page"]), int(state["last"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceError(f"{self.name}: unreadable cursor {cursor!r}", permanent=True) from exc
        return page, last

    def raise_for_response(self, response: httpx.Response) -> None:
        if response.status_code in (400, 404):  # the feed takes no credential: the app or store
            raise SourceError(
                f"{self.name}: Apple's feed has no reviews page for app {self.app_id} in the"
                f" {self.country} storefront ({response.status_code}); check app_id and country",
                permanent=True,
                cause=NOT_FOUND,
                keys=("app_id", "country"),
            )
        super().raise_for_response(response)

    def _mention(self, entry: Any) -> Mention | None:
        if isinstance(entry, dict) and "im:rating" not in entry:
            logger.debug("%s: skipped an entry that is not a review (the app)", self.name)
            return None
        review_id = _label(entry, "id")
        title, content = _soft(entry, "title"), _soft(entry, "content")
        text = "\n".join(filter(None, [title.strip(), content.strip()]))
        if not text:
            raise ValueError(f"review {review_id} has neither title nor text")
        author = _soft(entry.get("author"), "name")
        return Mention(
            source=self.name,
            external_id=review_id,
            text=text,
            created_at=parse_time(_label(entry, "updated")),
            author=author or None,
            url=f"https://apps.apple.com/{self.country}/app/id{self.app_id}?see-all=reviews",
            extra={
                "rating": _stars(_soft(entry, "im:rating")),
                "version": _soft(entry, "im:version") or None,
                "votes": _count(_soft(entry, "im:voteCount")),
                "vote_sum": _count(_soft(entry, "im:voteSum")),
                "country": self.country,
                "app_id": self.app_id,
            },
        )


def _entries(source: AppStoreSource, feed: dict[str, Any]) -> list[Any]:
    """The page's entries: none, one given as an object, or a list."""
    entries = feed.get("entry", [])
    if isinstance(entries, dict):
        return [entries]
    if not isinstance(entries, list):
        raise SourceError(
            f"{source.name}: unexpected response shape: field 'entry' is "
            f"{type(entries).__name__}, not list"
        )
    return entries


def _label(data: Any, key: str) -> str:
    """`data[key]["label"]`, the feed's way of holding a value (KeyError / TypeError if not)."""
    return str(require(require(data, key, dict), "label", str))


def _soft(data: Any, key: str) -> str:
    """`data[key]["label"]` for a field the review can do without: "" when absent or odd."""
    held = data.get(key) if isinstance(data, dict) else None
    value = held.get("label") if isinstance(held, dict) else None
    return value if isinstance(value, str) else ""


def _stars(label: str) -> int | None:
    """1 to 5, or None (a review is kept without its rating rather than lost)."""
    count = _count(label)
    return count if count is not None and 1 <= count <= 5 else None


def _count(label: str) -> int | None:
    # ASCII digits only: "²".isdigit() holds, but int("²") fails and would lose the review
    return int(label) if label.isascii() and label.isdigit() else None


def _last_page(feed: dict[str, Any]) -> int | None:
    """The page number of the feed's `last` link, if it names one."""
    links = feed.get("link")
    for link in links if isinstance(links, list) else [links]:
        attributes = link.get("attributes") if isinstance(link, dict) else None
        if isinstance(attributes, dict) and attributes.get("rel") == "last":
            found = _PAGE.search(str(attributes.get("href", "")))
            return int(found.group(1)) if found and int(found.group(1)) >= 1 else None
    return None
