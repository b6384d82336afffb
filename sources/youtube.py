"""Comments under a brand's YouTube videos: YouTube Data API v3 `commentThreads.list`.

Docs: https://developers.google.com/youtube/v3/docs/commentThreads/list — exactly one filter
(`allThreadsRelatedToChannelId` for everything on a channel, or `videoId` for one video), an
optional `searchTerms`, `order=time` (newest first), `maxResults` up to 100, `nextPageToken` to
page on. `part=snippet` gives each thread's top-level comment (replies need `part=replies`, at
a higher quota cost). The key goes in the `X-Goog-Api-Key` header (Google's documented
alternative to `key=`), so it is in no address a log line shows.

Quota: 10,000 units a day by default, reset at midnight Pacific time; a call costs at least 1
unit. A spent quota is a 403 with reason `quotaExceeded` (also `dailyLimitExceeded`):
`RateLimited` until the reset (asking again after `MAX_WAIT` at most, in case the quota was
raised meanwhile); `rateLimitExceeded` / `userRateLimitExceeded` is a short-term limit (a
minute). A refused key is a 400 with reason `keyInvalid` (or `API_KEY_INVALID` in the newer error
details): permanent, named. `commentsDisabled` (403) and `videoNotFound` / `channelNotFound`
(404) are permanent too, with the reason in the message. Errors: /youtube/v3/docs/errors.

Text: `textOriginal`, which the API returns only to the comment's author; otherwise
`textDisplay`, asked for as plain text (`textFormat=plainText`). `likeCount` is the comment's
likes, not its author's reach: followers stay unknown (None).

Cursor: a `Watermark` on the top-level comment's `publishedAt`; a poll pages on with
`pageToken` until it reaches comments it already has. Backfill walks back with `pageToken` from
the newest page (its cursor: the next page's token) down to `since`; a token the API no longer
takes (`invalidPageToken`) ends the walk with what it has.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta
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
            "part": "snippet",
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
        comments = self.parse_items(self.expect(body, "items", list), self._mention)
        kept = [m for m in comments if m.created_at >= since]
        token = body.get("nextPageToken")
        token = token if isinstance(token, str) and token and token != cursor else None
        return BackfillPage(kept, token or cursor, done=token is None or len(kept) < len(comments))

    def fetch(self, cursor: str | None) -> FetchResult:
        mark = Watermark.load(cursor)
        params = self._params()
        found: dict[str, Mention] = {}
        asked: set[str] = set()
        for _ in self.pages(first_poll=mark is None):
            body = self.get_json("/commentThreads", params=params, headers=self._headers)
            page = self.parse_items(self.expect(body, "items", list), self._mention)
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
        return FetchResult(mentions, polled_cursor(mark, mentions, self.clock()))

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
        text = comment.get("textOriginal")
        if not isinstance(text, str):  # only the comment's author is sure to get it
            text = require(comment, "textDisplay", str)
        video = comment.get("videoId") or snippet.get("videoId")
        author = comment.get("authorDisplayName")
        likes = comment.get("likeCount")
        replies = snippet.get("totalReplyCount")
        channel = comment.get("authorChannelId")
        return Mention(
            source=self.name,
            external_id=require(thread, "id", str),
            text=text,
            created_at=parse_time(require(comment, "publishedAt", str)),
            author=author if isinstance(author, str) and author else None,
            url=WATCH_URL.format(video=video, comment=comment_id) if video else None,
            extra={
                "likes": likes if type(likes) is int else None,
                "replies": replies if type(replies) is int else None,
                "video_id": video,
                "channel_id": snippet.get("channelId"),
                "author_channel_id": channel.get("value") if isinstance(channel, dict) else None,
            },
        )


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
