"""X (Twitter) API v2 recent search: `GET /2/tweets/search/recent` with an app bearer token.

Docs: https://docs.x.com/x-api/posts/search/integrate/paginate — results come newest first;
`since_id` is the documented way to poll for what is new, `next_token` pages within one poll
(it does not expire). Authors arrive once per page in `includes.users` (expansions=author_id).
Budget headers: `x-rate-limit-remaining` and `x-rate-limit-reset` (epoch seconds). A post's
`text` comes with `&`, `<` and `>` escaped as HTML (`&amp;`), which X does not document but has
always done (sferik/twitter-ruby#348, FxEmbed/FxEmbed#24): we unescape it. A post over 280
characters has `text` cut there and the whole in `note_tweet.text` (asked for in `tweet.fields`).
A repost is a post of its own in search ("RT @author: …", `referenced_tweets` type "retweeted"),
and it stays a mention: a complaint reposted by 500 people in an hour is how a storm spreads on X,
and the volume detector was calibrated on tweet counts that include reposts (NAB's). It is marked
(`extra["repost_of"]`), and the card quotes a post once however often it was reposted.

Recent search covers about 7 days: a `since_id` older than that is a 400 naming the parameter
(seen in rooteco/tweetscape#421). After such an outage we start over from the latest page.

A first poll that finds nothing has no post id to poll `since_id` from: it stores a time instead
(`nothing_yet`, a `Watermark` a day before it), and the next poll asks from it with `start_time`
(inclusive, whole seconds; no earlier than the 7 days recent search covers), the docs' "get
historical" use, paging with `next_token` through a whole storm rather than taking only the
latest page. From the first post found on, the cursor is its id again.

Backfill walks back with `until_id` (older than the oldest post reached) and `start_time` no
earlier than the 7 days recent search covers.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx

from sources.base import BackfillPage, FetchResult, Mention, SourceError
from sources.cursor import Watermark, nothing_yet
from sources.http import HttpSource, parse_time, require

logger = logging.getLogger(__name__)

# Recent search refuses a start_time older than 7 days; a minute's margin for clock skew.
SEARCH_WINDOW = timedelta(days=7) - timedelta(minutes=1)


class _StaleSinceId(SourceError):
    pass


class XSource(HttpSource):
    name = "x"
    default_base_url = "https://api.x.com/2"
    max_results = 100  # the documented maximum per page

    def __init__(self, *, query: str, bearer_token: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.query = query
        self._headers = {"Authorization": f"Bearer {bearer_token}"}

    def fetch(self, cursor: str | None) -> FetchResult:
        try:
            return self._poll(cursor)
        except _StaleSinceId:
            logger.warning(
                "%s: since_id %s is out of the search window; starting over", self.name, cursor
            )
            return self._poll(None)

    def raise_for_response(self, response: httpx.Response) -> None:
        if response.status_code == 400 and b'"since_id"' in response.content:
            raise _StaleSinceId(f"{self.name}: since_id refused", permanent=True)
        super().raise_for_response(response)

    def _params(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "max_results": self.max_results,
            # note_tweet: the whole of a post over 280 characters (`text` is cut there);
            # referenced_tweets: which posts are reposts
            "tweet.fields": "created_at,public_metrics,author_id,note_tweet,referenced_tweets",
            "expansions": "author_id",
            "user.fields": "username,public_metrics",
        }

    def backfill(self, cursor: str | None, since: datetime) -> BackfillPage:
        params = self._params()
        start = max(since, self.clock() - SEARCH_WINDOW)
        params["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        if cursor is not None:
            if not cursor.isdigit():
                raise SourceError(f"{self.name}: unreadable cursor {cursor!r}", permanent=True)
            params["until_id"] = cursor
        body = self.get_json("/tweets/search/recent", params=params, headers=self._headers)
        meta = self.expect(body, "meta", dict)
        tweets = self.expect(body, "data", list) if "data" in body else []
        mentions = self.parse_items(tweets, partial(self._mention, users=_users_by_id(body)))
        ids = [str(t.get("id")) for t in tweets if isinstance(t, dict)]
        oldest = min((i for i in ids if i.isdigit()), key=int, default=None)
        done = oldest is None or not meta.get("next_token")
        return BackfillPage(mentions, oldest or cursor, done=done)

    def _poll(self, cursor: str | None) -> FetchResult:
        params = self._params()
        # A Watermark when the first poll found nothing yet: from that time on.
        mark = Watermark.load(cursor) if cursor is not None and cursor.startswith("{") else None
        if mark is not None:
            start = max(mark.newest, self.clock() - SEARCH_WINDOW)
            params["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif cursor is not None:
            if not cursor.isdigit():
                raise SourceError(f"{self.name}: unreadable cursor {cursor!r}", permanent=True)
            params["since_id"] = cursor
        mentions: list[Mention] = []
        ids: list[str] = []
        asked: set[str] = set()
        for _ in self.pages(first_poll=cursor is None):
            body = self.get_json("/tweets/search/recent", params=params, headers=self._headers)
            meta = self.expect(body, "meta", dict)
            users = _users_by_id(body)
            # No `data` key at all when nothing matched (result_count 0).
            tweets = self.expect(body, "data", list) if "data" in body else []
            mentions += self.parse_items(tweets, partial(self._mention, users=users))
            ids += [str(meta.get("newest_id"))]
            token = meta.get("next_token")
            if not token or token in asked:  # a token seen already leads round in a circle
                break
            params["next_token"] = token
            asked.add(token)
        ids += [m.external_id for m in mentions]
        # Post ids are snowflakes: a larger number is a later post.
        newest = max((i for i in ids if i.isdigit()), key=int, default=None)
        if cursor is None and newest is None:  # nothing yet: the next poll takes all that comes
            return FetchResult(mentions, nothing_yet(self.clock()))
        return FetchResult(mentions, newest if newest != cursor else None)

    def _mention(self, tweet: Any, users: dict[str, dict[str, Any]]) -> Mention:
        tweet_id = require(tweet, "id", str)
        if not tweet_id.isdigit():  # the cursor compares ids as numbers
            raise ValueError(f"non-numeric post id {tweet_id!r}")
        user = users.get(str(tweet.get("author_id")), {})
        username = user.get("username")
        metrics = tweet.get("public_metrics") or {}
        followers = (user.get("public_metrics") or {}).get("followers_count")
        note = tweet.get("note_tweet")
        whole = note.get("text") if isinstance(note, dict) else None
        text = whole if isinstance(whole, str) and whole else require(tweet, "text", str)
        return Mention(
            source=self.name,
            external_id=tweet_id,
            # X escapes &, < and > in the text (undocumented, long seen: sferik/twitter-ruby#348)
            text=html.unescape(text),
            created_at=parse_time(require(tweet, "created_at", str)),
            author=username,
            author_followers=followers if isinstance(followers, int) else None,
            url=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
            extra={
                "likes": metrics.get("like_count"),
                "reposts": metrics.get("retweet_count"),
                "replies": metrics.get("reply_count"),
                "quotes": metrics.get("quote_count"),
                "impressions": metrics.get("impression_count"),
                "repost_of": _repost_of(tweet),
            },
        )


def _repost_of(tweet: dict[str, Any]) -> str | None:
    """The id of the post a repost ("RT @author: …") repeats: `referenced_tweets` type
    "retweeted". None for a post of its own, a quote or a reply (they have words of their own)."""
    refs = tweet.get("referenced_tweets")
    return next(
        (
            str(r.get("id"))
            for r in refs or ()
            if isinstance(r, dict) and r.get("type") == "retweeted" and r.get("id")
        ),
        None,
    )


def _users_by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    users = (body.get("includes") or {}).get("users") or []
    return {str(u["id"]): u for u in users if isinstance(u, dict) and "id" in u}
