"""A helper for the polling tests (no tests of its own).

Local HTTP servers that answer like Bluesky, Hacker News (Algolia), Mastodon, Reddit, an RSS 2.0
blog feed, a Google Alerts Atom feed and X API v2 recent search, in their documented formats and
with their documented filters and paging (`since`/`until`, `numericFilters`, `min_id`/`max_id`,
`after`, `since_id`/`until_id` + `next_token`, conditional GET), over a timeline of posts that
tests reveal bit by bit (`horizon`), plus faults queued per platform.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from xml.sax.saxutils import escape

from bot.testing import sample_storm
from sources.http import parse_time
from tests.local_server import serving

BLUESKY = "/bsky/xrpc/app.bsky.feed.searchPosts"
HN = "/hn/api/v1/search_by_date"
MASTODON = "/masto/api/v1/timelines/tag/acme"
REDDIT = "/reddit/search.json"
BLOG = "/blog/tag/acme/feed/"
ALERTS = "/alerts/feeds/01234567890123456789/9876543210987654321"
X = "/x/2/tweets/search/recent"
PLATFORMS = ("bluesky", "hackernews", "mastodon")
MORE_PLATFORMS = ("reddit", "blog", "alerts", "x")  # blog: RSS 2.0, alerts: Google Alerts Atom
X_TOKEN = "AAAAAAAAAAAAAAAAAAAAAtest-bearer"
FEED_WINDOW = 10  # a feed lists only its latest entries (WordPress's default is 10)
_HALF_SECOND = timedelta(milliseconds=500)
_TWITTER_EPOCH_MS = 1288834974657
_XML = {"Content-Type": "application/rss+xml; charset=UTF-8"}


@dataclass
class Post:
    n: int  # position in the storm, also what makes ids time-ordered
    text: str
    at: datetime
    author: str
    followers: int


@dataclass
class Fault:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    """One request a platform received, and the status it answered."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int = 0


@dataclass
class Platforms:
    """Posts are dealt round-robin to the platforms; `horizon` hides the future."""

    posts: dict[str, list[Post]]
    horizon: datetime
    base_url: str = ""
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    requests: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def storm(cls, now: datetime, names: tuple[str, ...] = PLATFORMS) -> Platforms:
        posts: dict[str, list[Post]] = {p: [] for p in names}
        for i, r in enumerate(sample_storm(now)):
            post = Post(i + 1, r["text"], parse_time(r["created_at"]), r["author"], 0)
            post.followers = r["author_followers"]
            posts[names[i % len(names)]].append(post)
        return cls(posts, horizon=now)

    def total(self) -> int:
        return sum(len(v) for v in self.posts.values())

    def visible(self, platform: str) -> list[Post]:
        """Oldest first, only what exists by the horizon.

        By time, not by position: the storm's last calm post can land after its first complaints,
        and a platform lists by date."""
        posts = [p for p in self.posts[platform] if p.at <= self.horizon]
        return sorted(posts, key=lambda p: (p.at, p.n))

    def fail(self, platform: str, *faults: Fault) -> None:
        with self.lock:
            self.faults[platform].extend(faults)

    def sent(self, path: str) -> list[dict[str, str]]:
        return [r.query for r in self.received(path)]

    def received(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    # -- answers in each platform's format ----------------------------------------------------
    def answer(
        self, path: str, q: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        if path == BLUESKY:
            return self._bluesky(q, headers)
        if path == HN:
            return self._hn(q)
        if path == MASTODON:
            return self._mastodon(q)
        if path == REDDIT:
            return self._reddit(q)
        if path == X:
            return self._x(q, headers)
        if path == BLOG:
            return self._blog(headers)
        if path == ALERTS:
            return self._alerts()
        return 404, {"error": "NotFound"}, {}

    def _bluesky(
        self, q: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        if "cursor" in q and "Authorization" not in headers:
            # The public AppView's proxy serves no follow-up page to a logged-out client
            # (bluesky-social/atproto#2838, bsky-docs#296): an HTML 403, not XRPC JSON.
            return (
                403,
                b"<html><h1>403 Forbidden</h1>Request forbidden by administrative rules.</html>",
                {"Content-Type": "text/html"},
            )
        posts = self.visible("bluesky")
        if "since" in q:  # inclusive, on the sort time (createdAt here: indexed 0.5 s later)
            since = parse_time(q["since"])
            posts = [p for p in posts if p.at >= since]
        if "until" in q:  # exclusive
            until = parse_time(q["until"])
            posts = [p for p in posts if p.at < until]
        newest_first = posts[::-1]
        offset, limit = int(q.get("cursor") or 0), min(int(q.get("limit") or 25), 100)
        page = newest_first[offset : offset + limit]
        body: dict[str, Any] = {"posts": [_bsky_post(p) for p in page]}
        if offset + limit < len(newest_first):
            body["cursor"] = str(offset + limit)
        return 200, body, {}

    def _hn(self, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        hits = self.visible("hackernews")
        for condition in filter(None, q.get("numericFilters", "").split(",")):
            hits = [p for p in hits if _numeric(condition, int(p.at.timestamp()))]
        newest_first = hits[::-1]
        per, page = int(q.get("hitsPerPage") or 20), int(q.get("page") or 0)
        chunk = newest_first[page * per : (page + 1) * per]
        body = {
            "hits": [_hn_hit(p) for p in chunk],
            "nbHits": len(newest_first),
            "page": page,
            "nbPages": math.ceil(len(newest_first) / per),
            "hitsPerPage": per,
        }
        return 200, body, {}

    def _mastodon(self, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        statuses = self.visible("mastodon")
        limit = min(int(q.get("limit") or 20), 40)
        if "max_id" in q:  # older than max_id
            statuses = [p for p in statuses if _masto_id(p) < int(q["max_id"])]
        if "min_id" in q:  # the page right after min_id, newest first
            page = [p for p in statuses if _masto_id(p) > int(q["min_id"])][:limit]
        else:
            page = statuses[-limit:]
        page = page[::-1]
        headers = {}
        if page:
            url = f"{self.base_url}{MASTODON}"
            newer = urlencode({"min_id": _masto_id(page[0])})
            older = urlencode({"max_id": _masto_id(page[-1])})
            headers["Link"] = f'<{url}?{older}>; rel="next", <{url}?{newer}>; rel="prev"'
        return 200, [_masto_status(p) for p in page], headers

    def _reddit(self, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        # sort=new over everything matching; `after` continues below that fullname.
        newest_first = self.visible("reddit")[::-1]
        names = [reddit_fullname(p) for p in newest_first]
        limit = min(int(q.get("limit") or 25), 100)
        after = q.get("after")
        start = 0
        if after:  # a fullname no longer listed gives an empty page, as Reddit does
            start = names.index(after) + 1 if after in names else len(names)
        page = newest_first[start : start + limit]
        more = start + limit < len(newest_first)
        body = {
            "kind": "Listing",
            "data": {
                "after": reddit_fullname(page[-1]) if page and more else None,
                "dist": len(page),
                "modhash": "",
                "geo_filter": "",
                "facets": {},
                "children": [{"kind": "t3", "data": _reddit_post(p)} for p in page],
                "before": None,
            },
        }
        used = len(self.sent(REDDIT))
        headers = {
            "x-ratelimit-used": str(used),
            "x-ratelimit-remaining": f"{max(1000 - used, 1)}.0",
            "x-ratelimit-reset": "412",
        }
        return 200, body, headers

    def _x(self, q: dict[str, str], headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if headers.get("Authorization") != f"Bearer {X_TOKEN}":
            problem = {"title": "Unauthorized", "type": "about:blank", "status": 401}
            return 401, {**problem, "detail": "Unauthorized"}, {}
        newest_first = self.visible("x")[::-1]
        if q.get("since_id"):  # strictly newer than since_id
            newest_first = [p for p in newest_first if x_id(p) > int(q["since_id"])]
        if q.get("until_id"):  # strictly older than until_id
            newest_first = [p for p in newest_first if x_id(p) < int(q["until_id"])]
        if q.get("start_time"):  # at or after; recent search refuses anything over 7 days old
            start = parse_time(q["start_time"])
            if start < datetime.now(start.tzinfo) - timedelta(days=7):
                return 400, {"errors": [{"parameters": {"start_time": [q["start_time"]]}}]}, {}
            newest_first = [p for p in newest_first if p.at >= start]
        per = max(10, min(int(q.get("max_results") or 10), 100))
        offset = int(q["next_token"].removeprefix("b26v")) if q.get("next_token") else 0
        page = newest_first[offset : offset + per]
        meta: dict[str, Any] = {"result_count": len(page)}
        body: dict[str, Any] = {}
        if page:  # no `data` and no `includes` at all when nothing matched
            body["data"] = [_x_post(p) for p in page]
            users = {p.author: _x_user(p) for p in page}
            body["includes"] = {"users": list(users.values())}
            meta.update(newest_id=str(x_id(page[0])), oldest_id=str(x_id(page[-1])))
        if offset + per < len(newest_first):
            meta["next_token"] = f"b26v{offset + per}"
        body["meta"] = meta
        reset = int(time.time()) + 900  # 15-minute windows, reset as epoch seconds
        limits = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449"}
        return 200, body, {**limits, "x-rate-limit-reset": str(reset)}

    def _blog(self, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        """A WordPress-style RSS 2.0 tag feed: its latest entries, with ETag and Last-Modified."""
        items = self.visible("blog")[::-1][:FEED_WINDOW]
        etag = '"' + hashlib.sha1(" ".join(str(p.n) for p in items).encode()).hexdigest() + '"'
        modified = format_datetime(items[0].at, usegmt=True) if items else None
        validators = {"ETag": etag, **({"Last-Modified": modified} if modified else {})}
        if headers.get("If-None-Match") == etag:
            return 304, b"", validators
        return 200, _rss(items, modified).encode(), {**_XML, **validators}

    def _alerts(self) -> tuple[int, Any, dict[str, str]]:
        """A Google Alerts feed: its latest entries, no validators, so every poll reads it all."""
        entries = self.visible("alerts")[::-1][:FEED_WINDOW]
        atom = {"Content-Type": "application/atom+xml; charset=utf-8"}
        return 200, _atom(entries, self.horizon).encode(), atom


def _numeric(condition: str, value: int) -> bool:
    """One Algolia numeric filter ("created_at_i>=1700000000") applied to `value`."""
    for op in (">=", "<=", ">", "<", "="):
        if op in condition:
            bound = int(condition.split(op, 1)[1])
            return {
                ">=": value >= bound,
                "<=": value <= bound,
                ">": value > bound,
                "<": value < bound,
                "=": value == bound,
            }[op]
    raise ValueError(condition)


def reddit_fullname(p: Post) -> str:
    return "t3_" + _base36(1_000_000_000 + p.n)


def x_id(p: Post) -> int:
    """A snowflake: milliseconds since the Twitter epoch, then a sequence number."""
    return (int(p.at.timestamp() * 1000) - _TWITTER_EPOCH_MS) << 22 | p.n


def blog_guid(p: Post) -> str:
    return f"https://blog.example.com/?p={p.n}"


def alerts_id(p: Post) -> str:
    return f"tag:google.com,2013:googlealerts/feed:{10**19 + p.n}"


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def _reddit_post(p: Post) -> dict[str, Any]:
    short = reddit_fullname(p).removeprefix("t3_")
    permalink = f"/r/travel/comments/{short}/acme_{p.n}/"
    return {
        "id": short,
        "name": reddit_fullname(p),
        "title": p.text,
        "selftext": "",
        "author": p.author,
        "author_fullname": f"t2_{p.author}",
        "subreddit": "travel",
        "subreddit_name_prefixed": "r/travel",
        "subreddit_id": "t5_2qh41",
        "subreddit_subscribers": 9000000,
        "created_utc": float(int(p.at.timestamp())),  # whole seconds, as a float
        "permalink": permalink,
        "url": f"https://www.reddit.com{permalink}",
        "is_self": True,
        "score": 1,
        "ups": 1,
        "upvote_ratio": 1.0,
        "num_comments": 0,
        "over_18": False,
        "spoiler": False,
        "stickied": False,
        "locked": False,
        "link_flair_text": None,
        "domain": "self.travel",
        "thumbnail": "self",
    }


def _x_user_id(p: Post) -> str:
    return str(10_000_000 + int(p.author.removeprefix("user")))


def _x_post(p: Post) -> dict[str, Any]:
    metrics = {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0}
    return {
        "id": str(x_id(p)),
        "text": p.text,
        "edit_history_tweet_ids": [str(x_id(p))],
        "author_id": _x_user_id(p),
        "created_at": _iso(p.at),
        "lang": "en",
        "public_metrics": {**metrics, "bookmark_count": 0, "impression_count": 40},
    }


def _x_user(p: Post) -> dict[str, Any]:
    return {
        "id": _x_user_id(p),
        "name": p.author.title(),
        "username": p.author,
        "public_metrics": {"followers_count": p.followers, "following_count": 10},
    }


def _rss(items: list[Post], modified: str | None) -> str:
    entries = "".join(
        f"""
    <item>
      <title>{escape(p.text)}</title>
      <link>https://blog.example.com/2025/acme-{p.n}</link>
      <guid isPermaLink="false">{blog_guid(p)}</guid>
      <pubDate>{format_datetime(p.at, usegmt=True)}</pubDate>
      <dc:creator>{escape(p.author)}</dc:creator>
      <category>acme</category>
      <description><![CDATA[<p>Read more on the Example blog ...</p>]]></description>
    </item>"""
        for p in items
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Example Tech Blog - Acme tag</title>
    <link>https://blog.example.com/tag/acme</link>
    <description>Posts tagged acme</description>
    <lastBuildDate>{modified or ""}</lastBuildDate>
    <ttl>60</ttl>{entries}
  </channel>
</rss>"""


def _atom(entries: list[Post], updated: datetime) -> str:
    def html(text: str) -> str:  # Google bolds the matched words in titles and snippets
        return escape(escape(text).replace("Acme", "<b>Acme</b>"))

    body = "".join(
        f"""
  <entry>
    <id>{alerts_id(p)}</id>
    <title type="html">{html(p.text)} - Example News</title>
    <link href="{escape(_google_redirect(p))}"/>
    <published>{_iso_seconds(p.at)}</published>
    <updated>{_iso_seconds(p.at)}</updated>
    <content type="html">{html(p.text)}&amp;nbsp;...</content>
    <author><name/></author>
  </entry>"""
        for p in entries
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
  <id>tag:google.com,2005:reader/user/01234567890123456789/state/com.google/alerts/9876543210987654321</id>
  <title>Google Alert - "acme"</title>
  <link href="https://www.google.com{ALERTS}" rel="self"/>
  <updated>{_iso_seconds(updated)}</updated>{body}
</feed>"""


def alerts_article(p: Post) -> str:
    return f"https://news.example.com/2025/acme-{p.n}"


def _google_redirect(p: Post) -> str:
    return (
        "https://www.google.com/url?rct=j&sa=t&url="
        + quote(alerts_article(p), safe=":/")
        + "&ct=ga&cd=CAIyGjExampleCd&usg=AOvVawExampleUsg"
    )


def _iso_seconds(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _bsky_post(p: Post) -> dict[str, Any]:
    did = f"did:plc:{p.author}"
    return {
        "uri": f"at://{did}/app.bsky.feed.post/3l{p.n:08d}",
        "cid": f"bafyrei{p.n}",
        "author": {"did": did, "handle": f"{p.author}.bsky.social"},
        "record": {"$type": "app.bsky.feed.post", "text": p.text, "createdAt": _iso(p.at)},
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 1,
        "quoteCount": 0,
        "indexedAt": _iso(p.at + _HALF_SECOND),
        "labels": [],
    }


def _hn_hit(p: Post) -> dict[str, Any]:
    return {
        "objectID": str(40_000_000 + p.n),
        "created_at": _iso(p.at),
        "created_at_i": int(p.at.timestamp()),
        "author": p.author,
        "comment_text": f"<p>{p.text}</p>",
        "story_id": 39_999_999,
        "story_title": "Ask HN: Acme?",
        "_tags": ["comment", f"author_{p.author}", "story_39999999"],
    }


def _masto_id(p: Post) -> int:
    return int(p.at.timestamp() * 1000) * 65536 + p.n  # snowflake-like: time first


def _masto_status(p: Post) -> dict[str, Any]:
    sid = str(_masto_id(p))
    return {
        "id": sid,
        "created_at": _iso(p.at),
        "uri": f"https://social.example/users/{p.author}/statuses/{sid}",
        "url": f"https://social.example/@{p.author}/{sid}",
        "content": f"<p>{p.text}</p>",
        "spoiler_text": "",
        "reblog": None,
        "language": "en",
        "account": {"acct": p.author, "followers_count": p.followers},
        "favourites_count": 0,
        "reblogs_count": 0,
        "replies_count": 0,
    }


_PREFIX = {
    "/bsky/": "bluesky",
    "/hn/": "hackernews",
    "/masto/": "mastodon",
    "/reddit/": "reddit",
    "/blog/": "blog",
    "/alerts/": "alerts",
    "/x/": "x",
}


def _handler(platforms: Platforms) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            name = next((v for k, v in _PREFIX.items() if url.path.startswith(k)), "")
            seen = Seen(url.path, q, dict(self.headers))
            with platforms.lock:
                platforms.requests.append(seen)
                queued = platforms.faults.get(name)
                fault = queued.popleft() if queued else None
            if fault is not None:
                seen.status = fault.status
                time.sleep(fault.delay)
                self._send(fault.status, fault.body, fault.headers)
                return
            status, body, headers = platforms.answer(url.path, q, seen.headers)
            seen.status = status
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self._send(status, data, headers)

        def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
            try:
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeouts)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def serve(platforms: Platforms) -> Iterator[Platforms]:
    """Run the servers for the duration of a fixture."""
    with serving(_handler(platforms)) as base_url:
        platforms.base_url = base_url
        yield platforms


def toml_sources(base_url: str, *, interval: int = 60, names: tuple[str, ...] = PLATFORMS) -> str:
    """The `[[sources]]` part of a playbook pointing the connectors for `names` at these servers.

    X reads its bearer token from the X_BEARER_TOKEN variable (the value is `X_TOKEN`)."""
    entries = {
        "bluesky": f'type = "bluesky"\nquery = "acme"\nbase_url = "{base_url}/bsky/xrpc"',
        "hackernews": f'type = "hackernews"\nquery = "acme"\nbase_url = "{base_url}/hn/api/v1"',
        "mastodon": f'type = "mastodon"\nquery = "#acme"\nbase_url = "{base_url}/masto"',
        "reddit": f'type = "reddit"\nquery = "acme"\nbase_url = "{base_url}/reddit"',
        "blog": f'type = "rss"\nfeed = "{base_url}{BLOG}"',
        "alerts": f'type = "rss"\nfeed = "{base_url}{ALERTS}"',
        "x": f'type = "x"\nquery = "acme -is:retweet"\nbase_url = "{base_url}/x/2"\n'
        'credentials = { bearer_token = "X_BEARER_TOKEN" }',
    }
    return "".join(
        f'[[sources]]\nname = "{name}"\n{entries[name]}\nbrand = "Acme"\ninterval = {interval}\n\n'
        for name in names
    )
