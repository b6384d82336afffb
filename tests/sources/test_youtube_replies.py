"""YouTube replies: a stateful local server answering `commentThreads.list` (by channel, newest
thread first, or `id=`) and `comments.list?parentId=` in the documented format (the shapes of
/work/shared/reference's commentThreads body), counting the quota units each poll spends.

It lists threads by their creation (the pessimistic reading of `order=time`: a reply never
brings an old thread up) and inlines at most 5 replies, the oldest, as developers observe a
limited subset."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.core.clock import ManualClock
from sources.base import Mention, RateLimited
from sources.youtube import REPLY_CALLS, YouTubeSource
from tests.local_server import serving
from tests.sources.conftest import CLIENT_TIMEOUT

KEY = "AIzaSyTest-youtube-key"
CHANNEL = "UCacmeAirlinesOfficial00"
VIDEO = "dQw4w9WgXcQ"
NOW = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
INLINE = 5


@dataclass
class Reply:
    id: str
    at: datetime
    text: str


@dataclass
class Thread:
    id: str
    at: datetime
    text: str
    replies: list[Reply] = field(default_factory=list)


@dataclass
class YouTube:
    threads: list[Thread] = field(default_factory=list)
    quota: int | None = None  # units left; None: plenty
    gone: set[str] = field(default_factory=set)  # threads deleted, still in a stale listing
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def thread(self, n: int, at: datetime, replies: int = 0) -> Thread:
        thread = Thread(f"UgxThread{n:04d}AaABAg", at, f"Comment {n} about Acme")
        self.threads.append(thread)
        for _ in range(replies):
            self.reply(thread, at + timedelta(minutes=1 + len(thread.replies)))
        return thread

    def reply(self, thread: Thread, at: datetime) -> Reply:
        n = len(thread.replies)
        reply = Reply(f"{thread.id}.9xReply{n:04d}{at:%H%M%S}", at, f"Same here ({n})")
        thread.replies.append(reply)
        return reply

    def units(self) -> int:
        """Units spent since the last call (each list call costs 1)."""
        with self.lock:
            spent = len(self.calls)
            self.calls.clear()
        return spent

    def answer(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        with self.lock:
            self.calls.append((path, q))
            if self.quota is not None:
                if self.quota <= 0:
                    reason = {"domain": "youtube.quota", "reason": "quotaExceeded"}
                    return 403, {"error": {"code": 403, "message": "quota", "errors": [reason]}}
                self.quota -= 1
        if path.endswith("/commentThreads"):
            return 200, self._threads(q)
        if path.endswith("/comments"):
            thread = next((t for t in self.threads if t.id == q["parentId"]), None)
            if thread is None or thread.id in self.gone:
                reason = {"domain": "youtube.comment", "reason": "commentNotFound"}
                return 404, {"error": {"code": 404, "message": "gone", "errors": [reason]}}
            return 200, self._page(
                "youtube#commentListResponse", [_reply(thread, r) for r in thread.replies], q
            )
        return 404, {"error": "unknown path"}

    def _threads(self, q: dict[str, str]) -> dict[str, Any]:
        parts = q["part"].split(",")
        if "id" in q:
            wanted = q["id"].split(",")
            found = [t for t in self.threads if t.id in wanted]
            return {"items": [_thread(t, parts) for t in found]}
        newest = sorted(self.threads, key=lambda t: t.at, reverse=True)
        return self._page(
            "youtube#commentThreadListResponse", [_thread(t, parts) for t in newest], q
        )

    @staticmethod
    def _page(kind: str, items: list[dict[str, Any]], q: dict[str, str]) -> dict[str, Any]:
        per = int(q.get("maxResults") or 20)
        offset = int(q["pageToken"].removeprefix("tok")) if q.get("pageToken") else 0
        body: dict[str, Any] = {"kind": kind, "items": items[offset : offset + per]}
        if offset + per < len(items):
            body["nextPageToken"] = f"tok{offset + per}"
        return body


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _comment(comment_id: str, at: datetime, text: str, **more: Any) -> dict[str, Any]:
    return {
        "kind": "youtube#comment",
        "etag": "etag",
        "id": comment_id,
        "snippet": {
            "channelId": CHANNEL,
            "videoId": VIDEO,
            "textDisplay": text,
            "textOriginal": text,
            "authorDisplayName": f"@author{comment_id[-6:]}",
            "authorChannelId": {"value": "UCauthor" + comment_id[-6:]},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": 2,
            "publishedAt": _iso(at),
            "updatedAt": _iso(at),
            **more,
        },
    }


def _reply(thread: Thread, reply: Reply) -> dict[str, Any]:
    return _comment(reply.id, reply.at, reply.text, parentId=thread.id)


def _thread(t: Thread, parts: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": "youtube#commentThread",
        "etag": "etag",
        "id": t.id,
        "snippet": {
            "channelId": CHANNEL,
            "videoId": VIDEO,
            "topLevelComment": _comment(t.id, t.at, t.text),
            "canReply": True,
            "totalReplyCount": len(t.replies),
            "isPublic": True,
        },
    }
    if "replies" in parts and t.replies:
        item["replies"] = {"comments": [_reply(t, r) for r in t.replies[:INLINE]]}
    return item


def _handler(youtube: YouTube) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            status, body = youtube.answer(url.path, q)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def youtube() -> Iterator[YouTube]:
    fake = YouTube()
    with serving(_handler(fake)) as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def make(youtube: YouTube, client: httpx.Client, clock: ManualClock) -> YouTubeSource:
    """A new connector each time: what a restart builds (only the cursor carries over)."""
    return YouTubeSource(
        client=client,
        brand="Acme",
        api_key=KEY,
        channel_id=CHANNEL,
        base_url=youtube.base_url + "/youtube/v3",
        timeout=CLIENT_TIMEOUT,
        clock=clock,
    )


def ids(mentions: list[Mention]) -> set[str]:
    return {m.external_id for m in mentions}


def reply_ids(thread: Thread) -> set[str]:
    return {r.id for r in thread.replies}


def test_inline_replies_are_mentions_of_their_own_at_no_extra_cost(
    youtube: YouTube, client: httpx.Client, clock: ManualClock
) -> None:
    thread = youtube.thread(1, NOW - timedelta(hours=1), replies=2)

    result = make(youtube, client, clock).fetch(None)

    assert ids(result.mentions) == {thread.id} | reply_ids(thread)
    reply = next(m for m in result.mentions if m.external_id == thread.replies[0].id)
    assert reply.text == "Same here (0)" and reply.brand == "Acme"
    assert reply.created_at == thread.replies[0].at
    assert reply.author == "@author" + reply.external_id[-6:]
    assert reply.url == f"https://www.youtube.com/watch?v={VIDEO}&lc={reply.external_id}"
    assert reply.extra["parent_id"] == thread.id and reply.extra["video_id"] == VIDEO
    assert youtube.units() == 1  # the page: its inline replies are all of them


def test_replies_beyond_the_inline_ones_are_read_with_comments_list(
    youtube: YouTube, client: httpx.Client, clock: ManualClock
) -> None:
    busy = youtube.thread(1, NOW - timedelta(hours=2), replies=INLINE + 3)
    calm = youtube.thread(2, NOW - timedelta(hours=1), replies=1)

    result = make(youtube, client, clock).fetch(None)

    assert ids(result.mentions) == {busy.id, calm.id} | reply_ids(busy) | reply_ids(calm)
    assert len(result.mentions) == len(ids(result.mentions))  # each once
    comments = [q for path, q in youtube.calls if path.endswith("/comments")]
    assert [(q["parentId"], q["maxResults"]) for q in comments] == [(busy.id, "100")]
    assert youtube.units() == 2


def test_a_second_poll_and_a_restart_repeat_nothing_and_take_what_came_since(
    youtube: YouTube, client: httpx.Client, clock: ManualClock
) -> None:
    busy = youtube.thread(1, NOW - timedelta(hours=2), replies=INLINE + 3)
    youtube.thread(2, NOW - timedelta(hours=1), replies=2)
    first = make(youtube, client, clock).fetch(None)
    youtube.units()

    clock.advance(minutes=5)
    again = make(youtube, client, clock).fetch(first.cursor)  # a restart: a new connector
    assert again.mentions == [] and again.cursor is None  # nothing new: the cursor stays
    assert youtube.units() == 1  # the newest page shows every tracked thread's count

    clock.advance(minutes=5)
    late = youtube.reply(busy, clock())
    source = make(youtube, client, clock)
    third = source.fetch(first.cursor)
    assert ids(third.mentions) == {late.id}
    assert youtube.units() == 2  # the page, and the busy thread's replies (past the inline 5)
    clock.advance(minutes=5)
    assert source.fetch(third.cursor).mentions == []


def test_a_reply_under_an_old_thread_off_the_newest_page_is_found(
    youtube: YouTube, client: httpx.Client, clock: ManualClock
) -> None:
    old = youtube.thread(0, NOW - timedelta(hours=3), replies=1)
    cursor = make(youtube, client, clock).fetch(None).cursor
    for n in range(1, 121):  # a busy hour: the old thread falls to the second page, and more
        # new threads came than are tracked: those with replies are kept first
        youtube.thread(n, NOW + timedelta(seconds=20 * n))
    clock.advance(hours=1)
    cursor = make(youtube, client, clock).fetch(cursor).cursor
    youtube.units()

    clock.advance(minutes=5)
    reply = youtube.reply(old, clock())
    result = make(youtube, client, clock).fetch(cursor)

    assert ids(result.mentions) == {reply.id}
    # the newest page (no new thread on it: no further page), then the tracked threads it did
    # not show, by id (50 a call); the reply came inline: no comments.list
    paths = [(path.rsplit("/", 1)[1], "id" in q) for path, q in youtube.calls]
    assert paths == [("commentThreads", False), ("commentThreads", True)]
    assert youtube.units() == 2


def test_a_quota_spent_mid_poll_loses_nothing_and_the_next_poll_repeats_nothing(
    youtube: YouTube, client: httpx.Client, clock: ManualClock
) -> None:
    a = youtube.thread(1, NOW - timedelta(hours=2), replies=INLINE + 2)
    b = youtube.thread(2, NOW - timedelta(hours=1), replies=INLINE + 4)
    youtube.quota = 2  # the page and one thread's replies

    first = make(youtube, client, clock).fetch(None)

    assert ids(first.mentions) == {a.id, b.id} | reply_ids(b)  # b was read first: newer
    assert all(r.id not in ids(first.mentions) for r in a.replies)  # a's wait, even inline ones
    youtube.quota = None  # midnight Pacific time
    clock.advance(hours=1)
    youtube.units()
    second = make(youtube, client, clock).fetch(first.cursor)
    assert ids(second.mentions) == reply_ids(a)
    assert youtube.units() == 2
    assert make(youtube, client, clock).fetch(second.cursor).mentions == []


def test_a_quota_spent_on_the_first_page_raises_and_keeps_the_cursor(
    youtube: YouTube, client: httpx.Client, clock: ManualClock
) -> None:
    youtube.thread(1, NOW - timedelta(hours=1), replies=INLINE + 1)
    youtube.quota = 0

    with pytest.raises(RateLimited, match="daily quota is spent"):
        make(youtube, client, clock).fetch(None)


def test_deleted_replies_cost_no_call_and_hide_no_new_one(
    youtube: YouTube, client: httpx.Client, clock: ManualClock
) -> None:
    thread = youtube.thread(1, NOW - timedelta(hours=1), replies=INLINE + 2)
    cursor = make(youtube, client, clock).fetch(None).cursor
    youtube.units()

    clock.advance(minutes=5)
    del thread.replies[-1]  # deleted by its author
    result = make(youtube, client, clock).fetch(cursor)
    assert result.mentions == []
    assert youtube.units() == 1  # a count that went down needs no comments.list
    cursor = result.cursor or cursor

    clock.advance(minutes=5)
    new = youtube.reply(thread, clock())
    result = make(youtube, client, clock).fetch(cursor)
    assert ids(result.mentions) == {new.id}
    assert youtube.units() == 2
    cursor = result.cursor or cursor

    clock.advance(minutes=5)
    youtube.threads.remove(thread)  # the whole thread deleted
    result = make(youtube, client, clock).fetch(cursor)
    assert result.mentions == []
    assert "UgxThread0001AaABAg" not in json.loads(result.cursor or "{}").get("threads", {})


def test_a_thread_deleted_before_its_replies_are_read_is_dropped(
    youtube: YouTube, client: httpx.Client, clock: ManualClock
) -> None:
    thread = youtube.thread(1, NOW - timedelta(hours=1), replies=INLINE + 2)
    youtube.quota = 1  # the page only: its replies wait
    cursor = make(youtube, client, clock).fetch(None).cursor
    youtube.quota = None
    youtube.gone.add(thread.id)  # still listed (a stale index), but its replies answer 404
    youtube.units()
    clock.advance(minutes=5)

    result = make(youtube, client, clock).fetch(cursor)

    assert result.mentions == []  # no failure either: one thread gone is no broken source
    assert [q.get("parentId") for path, q in youtube.calls if path.endswith("/comments")] == [
        thread.id
    ]
    assert thread.id not in json.loads(result.cursor or "{}").get("threads", {})


def test_a_poll_reads_at_most_its_budget_of_threads_and_the_rest_next(
    youtube: YouTube, client: httpx.Client, clock: ManualClock
) -> None:
    threads = [
        youtube.thread(n, NOW - timedelta(minutes=30 + n), replies=INLINE + 1)
        for n in range(REPLY_CALLS + 5)
    ]
    first = make(youtube, client, clock).fetch(None)
    assert youtube.units() == 1 + REPLY_CALLS
    clock.advance(minutes=5)
    second = make(youtube, client, clock).fetch(first.cursor)
    assert youtube.units() == 1 + 5
    everything = set().union(*(reply_ids(t) for t in threads)) | {t.id for t in threads}
    assert ids(first.mentions) | ids(second.mentions) == everything
    assert not ids(first.mentions) & ids(second.mentions)


def test_a_quota_spent_checking_old_threads_still_notes_the_new_ones_to_read(
    youtube: YouTube, client: httpx.Client, clock: ManualClock
) -> None:
    youtube.thread(0, NOW - timedelta(hours=3), replies=1)
    cursor = make(youtube, client, clock).fetch(None).cursor
    for n in range(1, 121):  # the old thread falls off the newest page: it is checked by id
        youtube.thread(n, NOW + timedelta(seconds=20 * n))
    clock.advance(hours=1)
    cursor = make(youtube, client, clock).fetch(cursor).cursor
    clock.advance(minutes=5)
    fresh = youtube.thread(500, clock(), replies=INLINE + 1)  # new, with more than inline
    youtube.quota = 1  # the newest page; the check by id finds the quota spent

    result = make(youtube, client, clock).fetch(cursor)

    assert ids(result.mentions) == {fresh.id}
    noted = json.loads(result.cursor or "{}")["threads"][fresh.id]
    assert (noted["n"], noted["c"]) == (0, INLINE + 1)  # to be read on the next poll
    youtube.quota = None
    clock.advance(minutes=5)
    assert ids(make(youtube, client, clock).fetch(result.cursor).mentions) == reply_ids(fresh)
