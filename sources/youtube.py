"""Comments under a brand's YouTube videos, and the replies under them: YouTube Data API v3
`commentThreads.list` and `comments.list`.

What the docs say (and what they leave out):

- `commentThreads.list` (https://developers.google.com/youtube/v3/docs/commentThreads/list):
  exactly one filter (`allThreadsRelatedToChannelId` for everything on a channel, `videoId` for
  one video, or `id`: a comma-separated list of thread IDs), an optional `searchTerms`,
  `order=time` ("ordered by time": the docs do not say whether by the thread's creation or by its
  latest reply), `maxResults` up to 100 (not with `id`), `nextPageToken` to page on.
  `part=snippet` gives the top-level comment and `snippet.totalReplyCount`; `part=replies` adds
  `replies.comments[]`, "a limited number of replies": unless there are as many as
  `totalReplyCount`, only a subset (developers see at most 5:
  https://github.com/srcecde/python-youtube-api/issues/7), and the rest needs `comments.list`
  (https://developers.google.com/youtube/v3/docs/commentThreads#replies.comments[]).
- `comments.list` (https://developers.google.com/youtube/v3/docs/comments/list): `parentId` = the
  thread's top-level comment ID gives its replies (replies to replies do not exist), `maxResults`
  1-100 (default 20), `pageToken`; the order of the replies is not documented, so a thread is
  read whole or not at all.
- Quota (https://developers.google.com/youtube/v3/determine_quota_cost): 10,000 units a day by
  default, reset at midnight Pacific time; `commentThreads.list` and `comments.list` cost 1 unit
  a call, whatever the `part` (the per-part costs, "replies: 2, snippet: 2", were the old quota
  model's; the docs no longer charge for parts). Every request costs at least 1 unit, invalid
  ones too.

Errors (/youtube/v3/docs/errors): a spent quota is a 403 with reason `quotaExceeded` (also
`dailyLimitExceeded`): `RateLimited` until the reset (asking again after `MAX_WAIT` at most, in
case the quota was raised meanwhile); `rateLimitExceeded` / `userRateLimitExceeded` is a
short-term limit (a minute). A refused key is a 400 with reason `keyInvalid` (or
`API_KEY_INVALID` in the newer error details): permanent, named. `commentsDisabled` (403) and
`videoNotFound` / `channelNotFound` (404) are permanent too, with the reason in the message. A 404
from `comments.list` is one thread gone (deleted since): it is dropped, nothing else. The key
goes in the `X-Goog-Api-Key` header (Google's documented alternative to `key=`), so it is in no
address a log line shows.

Text: `textOriginal`, which the API returns only to the comment's author; otherwise
`textDisplay`, asked for as plain text (`textFormat=plainText`). `likeCount` is the comment's
likes, not its author's reach: followers stay unknown (None).

Replies are mentions of their own: the reply's ID (`<thread>.<reply>`), text, author, time and
link (`&lc=<reply id>`), with the thread in `extra["parent_id"]`.

Cursor: a `Watermark` on the top-level comment's `publishedAt`; a poll pages on with `pageToken`
until it reaches comments it already has. Beside it, `threads`: the threads active in the last
`ACTIVE` (created or replied to), at most `TRACKED`, each with the reply count last read
(`n`), the count last seen (`c`), its last activity and a `Watermark` of its replies. A poll asks
`part=snippet,replies`; a thread on its pages, or among the tracked ones (checked `IDS_PER_CALL`
at a time with `commentThreads.list?id=`: old threads under which new replies appear are found
whether `order=time` brings them up or not) is read again only when its `totalReplyCount` went
up, or a reply it came with is new: from its inline replies when they are all of them, else with
`comments.list`, the threads needing the fewest calls first, `REPLY_CALLS` calls a poll at most.
A thread left over (the budget, a spent quota mid-poll) keeps its old count and is read on the
next poll: the cursor only moves for what the poll returns. A count that went down (a reply
deleted) is noted without a call. Blind spot: a thread idle for `ACTIVE` that gets a reply is
found only if `order=time` lists it first again, or when a later poll sees it among the newest.

Cost at a 5-minute interval (288 polls a day): 1 unit a poll for the newest page, plus 1 per
further page of new threads (`page_cap`), plus 1 per 50 tracked threads not on the pages read
(2 at most), plus the `comments.list` calls (`REPLY_CALLS` at most): a quiet channel 288-864
units a day; even a poll that spends everything, every 5 minutes all day, is 5 + 2 + 20 = 27
units, 7,776 a day: under the 10,000 default.

Backfill walks back with `pageToken` from the newest page (its cursor: the next page's token)
down to `since`, taking each thread's inline replies (no extra calls); a token the API no longer
takes (`invalidPageToken`) ends the walk with what it has.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from sources.base import (
    COMMENTS_DISABLED,
    KEY_REFUSED,
    NOT_FOUND,
    BackfillPage,
    FetchResult,
    Mention,
    RateLimited,
    SourceError,
)
from sources.cursor import Watermark, polled_cursor
from sources.http import MAX_WAIT, HttpSource, parse_time, require

WATCH_URL = "https://www.youtube.com/watch?v={video}&lc={comment}"
PACIFIC = ZoneInfo("America/Los_Angeles")  # where the daily quota resets, at midnight
_QUOTA = frozenset({"quotaExceeded", "dailyLimitExceeded"})
_SHORT_LIMIT = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_KEY_REFUSED = frozenset({"keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED"})
_NOT_FOUND = frozenset({"videoNotFound", "channelNotFound"})
SHORT_WAIT = 60.0
_TAG = re.compile(r"<[^>]*>")
# Replies (see the module docstring for what they cost):
ACTIVE = timedelta(hours=48)  # a thread created or replied to since is re-checked each poll
TRACKED = 100  # threads tracked at most (2 `id=` calls a poll)
IDS_PER_CALL = 50  # thread IDs per `commentThreads.list?id=` call
REPLY_CALLS = 20  # `comments.list` calls a poll at most
PER_PAGE = 100  # replies a `comments.list` page holds at most

logger = logging.getLogger(__name__)


class YouTubeSource(HttpSource):
    name = "youtube"
    default_base_url = "https://www.googleapis.com/youtube/v3"
    max_results = 100  # the documented maximum

    def __init__(
        self,
        *,
        api_key: str,
        channel_id: str | None = None,
        video_id: str | None = None,
        search_terms: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if bool(channel_id) == bool(video_id):
            raise ValueError("youtube takes exactly one of channel_id or video_id")
        self.channel_id = channel_id.strip() if channel_id else None
        self.video_id = video_id.strip() if video_id else None
        self.search_terms = search_terms.strip() if search_terms else None
        self._headers = {"X-Goog-Api-Key": api_key}
        self.secrets = (api_key,)

    def _params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "part": "snippet,replies",  # the inline replies cost nothing more (1 unit a call)
            "order": "time",
            "maxResults": self.max_results,
            "textFormat": "plainText",
        }
        if self.channel_id:
            params["allThreadsRelatedToChannelId"] = self.channel_id
        else:
            params["videoId"] = self.video_id
        if self.search_terms:
            params["searchTerms"] = self.search_terms
        return params

    def backfill(self, cursor: str | None, since: datetime) -> BackfillPage:
        params = self._params()
        if cursor is not None:
            params["pageToken"] = cursor
        body = self.get_json("/commentThreads", params=params, headers=self._headers)
        threads = self._threads(self.expect(body, "items", list))
        comments = [t.top for t in threads]
        kept = [m for m in comments if m.created_at >= since]
        replies = [r for t in threads for r in t.inline if r.created_at >= since]
        token = body.get("nextPageToken")
        token = token if isinstance(token, str) and token and token != cursor else None
        done = token is None or len(kept) < len(comments)
        return BackfillPage(kept + replies, token or cursor, done=done)

    def fetch(self, cursor: str | None) -> FetchResult:
        mark = Watermark.load(cursor)
        tracked = _load_threads(cursor)
        params = self._params()
        found: dict[str, Mention] = {}
        seen: dict[str, _Thread] = {}
        asked: set[str] = set()
        for _ in self.pages(first_poll=mark is None):
            body = self.get_json("/commentThreads", params=params, headers=self._headers)
            threads = self._threads(self.expect(body, "items", list))
            page = [t.top for t in threads]
            for thread in threads:
                seen.setdefault(thread.id, thread)
            fresh = [m for m in page if mark is None or mark.is_new(m.external_id, m.created_at)]
            for mention in fresh:
                found.setdefault(mention.external_id, mention)
            token = body.get("nextPageToken")
            if not isinstance(token, str) or not token or len(fresh) < len(page):
                break
            if token in asked:  # a token seen already leads round in a circle
                break
            params["pageToken"] = token
            asked.add(token)
        mentions = list(found.values())
        replies, threads_after = self._replies(tracked, seen)
        top = polled_cursor(mark, mentions, self.clock())
        if threads_after == tracked:
            return FetchResult(mentions + replies, top)
        data = json.loads(top if top is not None else cursor or "{}")
        data["threads"] = {tid: t.dump() for tid, t in threads_after.items()}
        return FetchResult(mentions + replies, json.dumps(data))

    # -- replies ---------------------------------------------------------------------------------

    def _replies(
        self, tracked: dict[str, _Tracked], seen: dict[str, _Thread]
    ) -> tuple[list[Mention], dict[str, _Tracked]]:
        """The new replies under the threads `seen` on this poll's pages and the `tracked` ones,
        and the threads to track next. A spent quota ends it early with what it has: the
        threads not read keep their old state, so the next poll reads them."""
        after = dict(tracked)
        seen = dict(seen)
        taken: list[Mention] = []
        budget = REPLY_CALLS
        try:
            self._check_tracked(after, seen)
        except RateLimited:  # the threads on the pages are still noted, to be read next poll
            logger.warning("%s: the quota ran out checking threads; next poll goes on", self.name)
            budget = 0
        queue: list[_Thread] = []
        for thread in seen.values():
            known = after.get(thread.id) or _Tracked(0, 0, thread.activity, None)
            new_inline = [r for r in thread.inline if known.is_new(r)]
            if len(thread.inline) >= thread.count:  # every reply came with the thread
                taken += new_inline
                after[thread.id] = known.read(thread, thread.inline)
            elif thread.count > known.n or new_inline:
                queue.append(thread)
                after[thread.id] = known.saw(thread)  # left for later unless read below
            else:  # no new reply; a count that went down: replies deleted
                after[thread.id] = known.read(thread, [])
        queue.sort(key=lambda t: (_calls(t.count), -t.activity.timestamp()))
        for thread in queue:
            if _calls(thread.count) > budget:
                break  # the rest needs more calls than are left: the next poll, first
            try:
                replies, spent = self._read_replies(thread, budget)
            except RateLimited:
                logger.warning("%s: quota spent reading replies; the next poll goes on", self.name)
                break
            except _ThreadGone:
                after.pop(thread.id, None)
                budget -= 1
                continue
            budget -= spent
            if replies is None:  # grew past the budget while read: the next poll
                continue
            known = after[thread.id]
            taken += [r for r in replies if known.is_new(r)]
            after[thread.id] = known.read(thread, replies)
        return taken, _pruned(after, self.clock())

    def _check_tracked(self, after: dict[str, _Tracked], seen: dict[str, _Thread]) -> None:
        """Ask for the tracked threads this poll's pages did not show, `IDS_PER_CALL` a call,
        into `seen`; a thread the answer leaves out is gone (deleted): dropped."""
        unseen = [tid for tid in after if tid not in seen]
        for start in range(0, len(unseen), IDS_PER_CALL):
            chunk = unseen[start : start + IDS_PER_CALL]
            params = {"part": "snippet,replies", "id": ",".join(chunk), "textFormat": "plainText"}
            body = self.get_json("/commentThreads", params=params, headers=self._headers)
            answered = self._threads(self.expect(body, "items", list))
            for thread in answered:
                seen[thread.id] = thread
            for gone in set(chunk) - {t.id for t in answered}:
                after.pop(gone, None)

    def _read_replies(self, thread: _Thread, budget: int) -> tuple[list[Mention] | None, int]:
        """Every reply under `thread` (`comments.list`, 100 a page) and the calls it took; None
        when it took more than `budget` calls (the thread grew meanwhile)."""
        params: dict[str, Any] = {
            "part": "snippet",
            "parentId": thread.id,
            "maxResults": 100,
            "textFormat": "plainText",
        }
        replies: dict[str, Mention] = {}
        calls = 0
        while calls < budget:
            calls += 1
            body = self.get_json("/comments", params=params, headers=self._headers)
            items = self.expect(body, "items", list)
            parse = partial(self._reply, thread=thread.id, video=thread.video)
            for reply in self.parse_items(items, parse):
                replies.setdefault(reply.external_id, reply)
            token = body.get("nextPageToken")
            if not isinstance(token, str) or not token or token == params.get("pageToken"):
                return list(replies.values()), calls
            params["pageToken"] = token
        return None, calls

    def _threads(self, items: list[Any]) -> list[_Thread]:
        threads = []
        for thread in items:
            top = self.parse_items([thread], self._mention)
            if not top:
                continue  # logged by parse_items
            snippet = thread["snippet"]
            count = snippet.get("totalReplyCount")
            video = top[0].extra.get("video_id")
            raw = thread.get("replies")
            raw = raw.get("comments") if isinstance(raw, dict) else None
            parse = partial(self._reply, thread=thread["id"], video=video)
            inline = self.parse_items(raw if isinstance(raw, list) else [], parse)
            threads.append(_Thread(top[0], count if type(count) is int else 0, inline))
        return threads

    def _reply(self, reply: Any, *, thread: str, video: str | None) -> Mention:
        reply_id = require(reply, "id", str)
        comment = require(reply, "snippet", dict)
        parent = comment.get("parentId")
        return self._comment(
            comment, external_id=reply_id, comment_id=reply_id, video=video,
            channel_id=comment.get("channelId"),
            parent_id=parent if isinstance(parent, str) and parent else thread,
        )  # fmt: skip

    def _comment(
        self, comment: dict[str, Any], *, external_id: str, comment_id: str, video: str | None,
        **extra: Any,
    ) -> Mention:  # fmt: skip
        """A comment's snippet as a mention: a thread's top-level comment or a reply (`extra`:
        what only one of them has). `video`: the thread's, when the comment does not say."""
        text = comment.get("textOriginal")
        if not isinstance(text, str):  # only the comment's author is sure to get it
            text = require(comment, "textDisplay", str)
        video = comment.get("videoId") or video
        author = comment.get("authorDisplayName")
        likes = comment.get("likeCount")
        channel = comment.get("authorChannelId")
        return Mention(
            source=self.name,
            external_id=external_id,
            text=text,
            created_at=parse_time(require(comment, "publishedAt", str)),
            author=author if isinstance(author, str) and author else None,
            url=WATCH_URL.format(video=video, comment=comment_id) if video else None,
            extra={
                "likes": likes if type(likes) is int else None,
                "video_id": video,
                "author_channel_id": channel.get("value") if isinstance(channel, dict) else None,
                **extra,
            },
        )

    def raise_for_response(self, response: httpx.Response) -> None:
        if response.status_code not in (400, 403, 404):
            super().raise_for_response(response)
            return
        reasons, message = _error(response)
        where = f"{self.name}: {response.request.url.path} answered {response.status_code}"
        said = f" ({', '.join(sorted(reasons))}: {self.redact(message)})" if reasons else ""
        if reasons & _QUOTA:
            wait = self._until_quota_resets()
            self._paused_until = self.clock() + timedelta(seconds=wait)
            raise RateLimited(f"{where}: the daily quota is spent{said}", retry_after=wait)
        if reasons & _SHORT_LIMIT:
            self._paused_until = self.clock() + timedelta(seconds=SHORT_WAIT)
            raise RateLimited(f"{where} (rate limited){said}", retry_after=SHORT_WAIT)
        if response.status_code == 404 and response.request.url.path.endswith("/comments"):
            raise _ThreadGone(f"{where}: the thread is gone{said}")
        if reasons & _KEY_REFUSED:
            raise SourceError(
                f"{where}: the API key was refused{said}",
                permanent=True,
                cause=KEY_REFUSED,
                keys=("api_key",),
            )
        if "invalidPageToken" in reasons:  # a stored backfill token gone stale: the walk ends
            raise SourceError(f"{where}: the page token was refused{said}", permanent=True)
        watched = ("video_id",) if self.video_id else ("channel_id",)
        if "commentsDisabled" in reasons:
            raise SourceError(
                f"{where}{said}; check the source's options",
                permanent=True,
                cause=COMMENTS_DISABLED,
                keys=watched,
            )
        if reasons & _NOT_FOUND:
            raise SourceError(
                f"{where}{said}; check the source's options",
                permanent=True,
                cause=NOT_FOUND,
                keys=watched,
            )
        if reasons:
            raise SourceError(f"{where}{said}; check the source's options", permanent=True)
        super().raise_for_response(response)

    def _until_quota_resets(self) -> float:
        """Seconds to the next midnight, Pacific time; at most `MAX_WAIT`."""
        now = self.clock().astimezone(PACIFIC)
        midnight = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=PACIFIC)
        return min(max((midnight - now).total_seconds(), 1.0), MAX_WAIT)

    def _mention(self, thread: Any) -> Mention:
        snippet = require(thread, "snippet", dict)
        top = require(snippet, "topLevelComment", dict)
        comment_id = require(top, "id", str)
        comment = require(top, "snippet", dict)
        replies = snippet.get("totalReplyCount")
        return self._comment(
            comment, external_id=require(thread, "id", str), comment_id=comment_id,
            video=snippet.get("videoId"), replies=replies if type(replies) is int else None,
            channel_id=snippet.get("channelId"),
        )  # fmt: skip


def _error(response: httpx.Response) -> tuple[set[str], str]:
    """The reasons a Google API error body gives (`errors[].reason`, `details[].reason`) and its
    message; nothing when the body is not one."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return set(), ""
    if not isinstance(error, dict):
        return set(), ""
    reasons = set()
    for part in ("errors", "details"):
        items = error.get(part)
        for item in items if isinstance(items, list) else []:
            reason = item.get("reason") if isinstance(item, dict) else None
            if isinstance(reason, str) and reason:
                reasons.add(reason)
    message = error.get("message")
    if not isinstance(message, str):
        return reasons, ""
    # Google writes it in HTML ("the <code><a href=…>videoId</a></code> parameter"): the text
    return reasons, html.unescape(_TAG.sub("", message))[:200]


class _ThreadGone(SourceError):
    """`comments.list` answered 404: the thread was deleted since it was seen."""


@dataclass(frozen=True, slots=True)
class _Thread:
    top: Mention  # the top-level comment
    count: int  # snippet.totalReplyCount
    inline: list[Mention] = field(default_factory=list)  # the replies it came with

    @property
    def id(self) -> str:
        return self.top.external_id

    @property
    def video(self) -> str | None:
        video = self.top.extra.get("video_id")
        return video if isinstance(video, str) else None

    @property
    def activity(self) -> datetime:
        return max([self.top.created_at, *(r.created_at for r in self.inline)])


@dataclass(frozen=True, slots=True)
class _Tracked:
    """A thread in the cursor: the reply count read (`n`) and last seen (`c`), its last
    activity, and the replies seen (a `Watermark`; None: none yet)."""

    n: int
    c: int
    at: datetime
    mark: Watermark | None

    @property
    def pending(self) -> bool:
        return self.c > self.n

    def is_new(self, reply: Mention) -> bool:
        return self.mark is None or self.mark.is_new(reply.external_id, reply.created_at)

    def saw(self, thread: _Thread) -> _Tracked:
        return _Tracked(self.n, thread.count, max(self.at, thread.activity), self.mark)

    def read(self, thread: _Thread, replies: list[Mention]) -> _Tracked:
        """Read whole: its count is `thread.count`, `replies` all seen."""
        items = [(r.external_id, r.created_at) for r in replies]
        mark = self.mark.advance(items) if self.mark is not None else Watermark.start(items)
        at = max([self.at, thread.activity, *(r.created_at for r in replies)])
        return _Tracked(thread.count, thread.count, at, mark)

    def dump(self) -> dict[str, Any]:
        mark = json.loads(self.mark.dump()) if self.mark is not None else None
        return {"n": self.n, "c": self.c, "at": self.at.isoformat(), "mark": mark}

    @classmethod
    def load(cls, data: Any) -> _Tracked:
        mark = data.get("mark")
        return cls(
            int(data["n"]),
            int(data.get("c", data["n"])),
            parse_time(data["at"]),
            Watermark.load(json.dumps(mark)) if mark is not None else None,
        )


def _load_threads(cursor: str | None) -> dict[str, _Tracked]:
    if cursor is None:
        return {}
    try:
        threads = json.loads(cursor).get("threads") or {}
        return {str(tid): _Tracked.load(data) for tid, data in threads.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SourceError(f"unreadable cursor {cursor!r}: {exc!r}", permanent=True) from exc


def _pruned(threads: dict[str, _Tracked], now: datetime) -> dict[str, _Tracked]:
    """The threads worth tracking: those left to read first, then those with replies, then the
    others, each the most recently active first within `ACTIVE`; `TRACKED` at most. (A busy
    hour of new comments must not push out the thread where the crisis is being replied to.)"""
    keep = [(tid, t) for tid, t in threads.items() if t.pending or t.at >= now - ACTIVE]
    keep.sort(key=lambda it: (not it[1].pending, it[1].c == 0, -it[1].at.timestamp(), it[0]))
    return dict(keep[:TRACKED])


def _calls(count: int) -> int:
    """`comments.list` calls to read `count` replies."""
    return max(1, math.ceil(count / PER_PAGE))
