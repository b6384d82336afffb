"""A helper for the polling tests (no tests of its own).

Local HTTP servers that answer like Bluesky, Hacker News (Algolia) and Mastodon, in their
documented formats and with their documented filters (`since`, `numericFilters`, `min_id`), over a
timeline of posts that tests reveal bit by bit (`horizon`), plus faults queued per platform.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.testing import sample_storm
from sources.http import parse_time

BLUESKY = "/bsky/xrpc/app.bsky.feed.searchPosts"
HN = "/hn/api/v1/search_by_date"
MASTODON = "/masto/api/v1/timelines/tag/acme"
PLATFORMS = ("bluesky", "hackernews", "mastodon")
_HALF_SECOND = timedelta(milliseconds=500)


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
class Platforms:
    """Posts are dealt round-robin to the three platforms; `horizon` hides the future."""

    posts: dict[str, list[Post]]
    horizon: datetime
    base_url: str = ""
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def storm(cls, now: datetime) -> Platforms:
        posts: dict[str, list[Post]] = {p: [] for p in PLATFORMS}
        for i, r in enumerate(sample_storm(now)):
            post = Post(i + 1, r["text"], parse_time(r["created_at"]), r["author"], 0)
            post.followers = r["author_followers"]
            posts[PLATFORMS[i % 3]].append(post)
        return cls(posts, horizon=now)

    def total(self) -> int:
        return sum(len(v) for v in self.posts.values())

    def visible(self, platform: str) -> list[Post]:
        """Oldest first, only what exists by the horizon."""
        return [p for p in self.posts[platform] if p.at <= self.horizon]

    def fail(self, platform: str, *faults: Fault) -> None:
        with self.lock:
            self.faults[platform].extend(faults)

    def sent(self, path: str) -> list[dict[str, str]]:
        return [q for p, q in self.requests if p == path]

    # -- answers in each platform's format ----------------------------------------------------
    def answer(self, path: str, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if path == BLUESKY:
            return self._bluesky(q)
        if path == HN:
            return self._hn(q)
        if path == MASTODON:
            return self._mastodon(q)
        return 404, {"error": "NotFound"}, {}

    def _bluesky(self, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        posts = self.visible("bluesky")
        if "since" in q:  # inclusive, on the sort time (createdAt here: indexed 0.5 s later)
            since = parse_time(q["since"])
            posts = [p for p in posts if p.at >= since]
        newest_first = posts[::-1]
        offset, limit = int(q.get("cursor") or 0), min(int(q.get("limit") or 25), 100)
        page = newest_first[offset : offset + limit]
        body: dict[str, Any] = {"posts": [_bsky_post(p) for p in page]}
        if offset + limit < len(newest_first):
            body["cursor"] = str(offset + limit)
        return 200, body, {}

    def _hn(self, q: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        hits = self.visible("hackernews")
        since = q.get("numericFilters", "").removeprefix("created_at_i>=")
        if since:
            hits = [p for p in hits if int(p.at.timestamp()) >= int(since)]
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


_PREFIX = {"/bsky/": "bluesky", "/hn/": "hackernews", "/masto/": "mastodon"}


def _handler(platforms: Platforms) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            name = next((v for k, v in _PREFIX.items() if url.path.startswith(k)), "")
            with platforms.lock:
                platforms.requests.append((url.path, q))
                queued = platforms.faults.get(name)
                fault = queued.popleft() if queued else None
            if fault is not None:
                time.sleep(fault.delay)
                self._send(fault.status, fault.body, fault.headers)
                return
            status, body, headers = platforms.answer(url.path, q)
            self._send(status, json.dumps(body).encode(), headers)

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
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(platforms))
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    platforms.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield platforms
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def toml_sources(base_url: str, *, interval: int = 60) -> str:
    """The `[[sources]]` part of a playbook pointing the three connectors at these servers."""
    entries = [
        ("bluesky", "bluesky", f"{base_url}/bsky/xrpc", "acme"),
        ("hackernews", "hackernews", f"{base_url}/hn/api/v1", "acme"),
        ("mastodon", "mastodon", f"{base_url}/masto", "#acme"),
    ]
    return "".join(
        f'[[sources]]\ntype = "{kind}"\nname = "{name}"\nquery = "{query}"\n'
        f'base_url = "{url}"\nbrand = "Acme"\ninterval = {interval}\n\n'
        for kind, name, url, query in entries
    )
