"""Reddit posts through the public search listing (`/search.json?q=...&sort=new`).

Docs: https://github.com/reddit-archive/reddit/wiki/API and https://www.reddit.com/dev/api#GET_search.
Reddit throttles generic User-Agents hard and asks for `<platform>:<app id>:<version> (by /u/name)`;
it reports its budget in `x-ratelimit-remaining` / `x-ratelimit-reset` (seconds), which the base
class turns into pacing.

Cursor: a `Watermark` on `created_utc`. Reddit's own `before=<fullname>` stops working for good
once that post is deleted or removed, so we page back with `after` and stop at the watermark.
A first poll that finds nothing stores a watermark all the same (`nothing_yet`: a day before it),
so the next poll pages on to every post since, however many pages a storm brings.
Backfill pages back the same way from the newest post, storing the `after` fullname it reached
(a listing serves about 1,000 posts; older ones are out of reach).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sources.base import BackfillPage, FetchResult, Mention
from sources.cursor import Watermark, polled_cursor
from sources.http import HttpSource, require

_GONE = ("[deleted]", "[removed]")  # what a listing shows for a deleted or removed body/author
USER_AGENT = "server:crisisbot:0.1.0 (mention monitor; +https://github.com/crisisbot/crisisbot)"


class RedditSource(HttpSource):
    name = "reddit"
    default_base_url = "https://www.reddit.com"
    limit = 100  # the listing maximum

    def __init__(self, *, query: str, user_agent: str = USER_AGENT, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.query = query
        self.user_agent = user_agent

    def _params(self) -> dict[str, Any]:
        return {"q": self.query, "sort": "new", "t": "all", "limit": self.limit, "raw_json": 1}

    def backfill(self, cursor: str | None, since: datetime) -> BackfillPage:
        params = self._params()
        if cursor is not None:
            params["after"] = cursor
        body = self.get_json("/search.json", params=params, headers={"User-Agent": self.user_agent})
        data = self.expect(body, "data", dict)
        page = self.parse_items(self.expect(data, "children", list), self._mention)
        mentions = [m for m in page if m.created_at >= since]
        after = data.get("after")
        # A fullname deleted since answers an empty page: nothing more can be reached from it.
        done = not after or not page or len(mentions) < len(page)
        return BackfillPage(mentions, after if isinstance(after, str) else cursor, done=done)

    def fetch(self, cursor: str | None) -> FetchResult:
        mark = Watermark.load(cursor)
        params = self._params()
        found: dict[str, Mention] = {}
        asked: set[str] = set()
        for _ in self.pages(first_poll=mark is None):
            body = self.get_json(
                "/search.json", params=params, headers={"User-Agent": self.user_agent}
            )
            data = self.expect(body, "data", dict)
            page = self.parse_items(self.expect(data, "children", list), self._mention)
            fresh = [m for m in page if mark is None or mark.is_new(m.external_id, m.created_at)]
            for mention in fresh:
                found.setdefault(mention.external_id, mention)
            after = data.get("after")
            if not after or len(fresh) < len(page):  # reached what we already have
                break
            if after in asked:  # a listing that sends us round in a circle: nothing more
                break
            params["after"] = after
            asked.add(after)
        mentions = list(found.values())
        return FetchResult(mentions, polled_cursor(mark, mentions, self.clock()))

    def _mention(self, child: Any) -> Mention:
        post = require(child, "data", dict)
        fullname = require(post, "name", str)  # "t3_<id>": unique across posts and comments
        title = require(post, "title", str)
        created = datetime.fromtimestamp(require(post, "created_utc", (int, float)), UTC)
        permalink = require(post, "permalink", str)
        body = post.get("selftext")
        author = post.get("author")
        return Mention(
            source=self.name,
            external_id=fullname,
            # A removed or deleted post keeps its title; its body and author read as placeholders.
            text="\n".join(filter(None, [title, None if body in _GONE else body])),
            created_at=created,
            author=None if author in _GONE else author,
            url=f"https://www.reddit.com{permalink}",
            extra={
                "score": post.get("score"),
                "comments": post.get("num_comments"),
                "subreddit": post.get("subreddit_name_prefixed"),
                "subreddit_subscribers": post.get("subreddit_subscribers"),
                "link": None if post.get("is_self") else post.get("url"),
            },
        )
