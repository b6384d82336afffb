"""Hacker News stories and comments through the Algolia search API (no credentials).

Docs: https://hn.algolia.com/api — `search_by_date` returns hits newest first; `numericFilters`
on `created_at_i` restricts them to what came after our watermark; `page` is 0-based. A first
poll that finds nothing stores a watermark all the same (`nothing_yet`: a day before it), so the
next poll filters from there and pages through a whole storm, not only its latest page.

Backfill walks back with `numericFilters=created_at_i>=<since>,created_at_i<=<oldest seen>` (a
`Backmark`), always page 0: Algolia serves only the first 1,000 hits of a query through `page`,
so moving the time bound, not the page number, is what reaches a week back.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sources.base import BackfillPage, FetchResult, Mention
from sources.cursor import Backmark, Watermark, polled_cursor
from sources.http import HttpSource, require
from sources.text import html_to_text

ITEM_URL = "https://news.ycombinator.com/item?id={}"

logger = logging.getLogger(__name__)


class HackerNewsSource(HttpSource):
    name = "hackernews"
    default_base_url = "https://hn.algolia.com/api/v1"
    hits_per_page = 100  # small pages: a poll rarely needs more than one

    def __init__(self, *, query: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.query = query

    def fetch(self, cursor: str | None) -> FetchResult:
        mark = Watermark.load(cursor)
        params: dict[str, Any] = {
            "query": self.query,
            "tags": "(story,comment)",
            "hitsPerPage": self.hits_per_page,
        }
        if mark is not None:
            # Inclusive (>=): a hit in the same second as the watermark is kept unless already seen.
            params["numericFilters"] = f"created_at_i>={int(mark.since.timestamp())}"
        found: dict[str, Mention] = {}
        for page in self.pages(first_poll=mark is None):
            body = self.get_json("/search_by_date", params={**params, "page": page})
            for mention in self.parse_items(self.expect(body, "hits", list), self._mention):
                if mark is None or mark.is_new(mention.external_id, mention.created_at):
                    found.setdefault(mention.external_id, mention)
            pages = body.get("nbPages")
            if not isinstance(pages, int) or page + 1 >= pages:
                break
        mentions = list(found.values())
        return FetchResult(mentions, polled_cursor(mark, mentions, self.clock()))

    def backfill(self, cursor: str | None, since: datetime) -> BackfillPage:
        mark = Backmark.load(cursor)
        filters = [f"created_at_i>={int(since.timestamp())}"]
        if mark is not None:  # inclusive: hits in the mark's second are kept unless already seen
            filters.append(f"created_at_i<={int(mark.oldest.timestamp())}")
        params = {
            "query": self.query,
            "tags": "(story,comment)",
            "hitsPerPage": self.hits_per_page,
            "numericFilters": ",".join(filters),
        }
        body = self.get_json("/search_by_date", params=params)
        hits = self.expect(body, "hits", list)
        page = self.parse_items(hits, self._mention)
        fresh = [m for m in page if mark is None or mark.is_new(m.external_id, m.created_at)]
        full = len(hits) >= self.hits_per_page
        if not fresh:
            if full and mark is not None:
                # A whole page inside one second, all seen already: step past that second.
                logger.warning("%s: over %s hits at %s", self.name, len(hits), mark.oldest)
                step = Backmark(mark.oldest - timedelta(seconds=1), frozenset())
                return BackfillPage([], step.dump(), done=False)
            return BackfillPage([], cursor, done=True)
        moved = Backmark.after(mark, [(m.external_id, m.created_at) for m in fresh])
        return BackfillPage(fresh, moved.dump(), done=not full)

    def _mention(self, hit: Any) -> Mention:
        object_id = require(hit, "objectID", str)
        created = datetime.fromtimestamp(require(hit, "created_at_i", int), UTC)
        is_comment = "comment" in (hit.get("_tags") or [])
        if is_comment:
            text = html_to_text(require(hit, "comment_text", str))
        else:
            title = require(hit, "title", str)
            text = "\n".join(filter(None, [title, html_to_text(hit.get("story_text"))]))
        return Mention(
            source=self.name,
            external_id=object_id,
            text=text,
            created_at=created,
            author=hit.get("author"),
            url=ITEM_URL.format(object_id),
            extra={
                "kind": "comment" if is_comment else "story",
                "points": hit.get("points"),
                "comments": hit.get("num_comments"),
                "story_id": hit.get("story_id"),
                "story_title": hit.get("story_title"),
                "link": hit.get("url") or hit.get("story_url"),
            },
        )
