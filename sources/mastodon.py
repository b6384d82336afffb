"""Mastodon statuses: full-text search (`/api/v2/search`) or a hashtag timeline.

Docs: https://docs.joinmastodon.org/methods/search/ and /methods/timelines/#tag. A query starting
with `#` reads the public hashtag timeline (`/api/v1/timelines/tag/:hashtag`, no token needed);
anything else searches statuses, which most servers answer only for a logged-in app
(`access_token`). Both take `min_id`: only statuses newer than the stored id come back.
Mastodon gives an anonymous search no statuses at all (200, `"statuses": []`; its
SearchService searches statuses only for an account), so a search without a token that lists
nothing stops the source, saying so, rather than reading as a quiet query for ever; a server
that does answer anonymously (another fediverse server) keeps working.

Backfill walks back with `max_id` (both endpoints take it: only statuses older than that id),
storing the oldest id reached.

A first poll that finds nothing has no id to store: it stores the id a status posted a day before
it would have (`_id_at`; EMPTY_MARGIN, as `nothing_yet` does for sources by time), so the next
poll pages forward (`min_id`) through everything since rather than taking only the latest page.
Mastodon's ids are snowflakes, the milliseconds since the epoch shifted left 16 bits (the
time-ordered ids of the docs' "Handling and sorting IDs"; Mastodon.py turns a date into a
`min_id` the same way).

Paging within a poll: the timeline's `Link` header has `rel="prev"` pointing at the next newer page
(its `min_id`); search has no Link header and pages with `offset`. Budget headers:
`x-ratelimit-remaining` / `x-ratelimit-reset` (an ISO time).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from sources.base import BackfillPage, FetchResult, Mention, SourceError
from sources.cursor import EMPTY_MARGIN
from sources.http import HttpSource, parse_time, require
from sources.text import html_to_text

_NOT_IN_TAG = re.compile(r"\W+")  # what a hashtag cannot hold: "Acme Bank" is #AcmeBank


class MastodonSource(HttpSource):
    name = "mastodon"
    default_base_url = "https://mastodon.social"
    limit = 40  # the documented maximum for both endpoints

    def __init__(self, *, query: str, access_token: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.query = query
        self.tag = query[1:] if query.startswith("#") else None
        self._headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
        self._anonymous_search = self.tag is None and not access_token

    def _endpoint(self) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"limit": self.limit}
        if self.tag is not None:
            return f"/api/v1/timelines/tag/{quote(self.tag, safe='')}", params
        return "/api/v2/search", {**params, "q": self.query, "type": "statuses"}

    def _statuses(self, body: Any) -> list[Any]:
        statuses = body if self.tag is not None else self.expect(body, "statuses", list)
        if not isinstance(statuses, list):
            kind = type(statuses).__name__
            raise SourceError(f"{self.name}: unexpected response shape: a {kind}, not a list")
        return statuses

    def backfill(self, cursor: str | None, since: datetime) -> BackfillPage:
        path, params = self._endpoint()
        if cursor is not None:
            _check_cursor(cursor)
            params["max_id"] = cursor
        statuses = self._statuses(self.get_json(path, params=params, headers=self._headers))
        ids = [s["id"] for s in statuses if isinstance(s, dict) and _is_id(s.get("id"))]
        page = self.parse_items(statuses, self._mention)
        mentions = [m for m in page if m.created_at >= since]
        oldest = min(ids, key=int, default=None)
        done = oldest is None or len(statuses) < self.limit or len(mentions) < len(page)
        return BackfillPage(mentions, oldest or cursor, done=done)

    def fetch(self, cursor: str | None) -> FetchResult:
        path, params = self._endpoint()
        if cursor is not None:
            _check_cursor(cursor)
            params["min_id"] = cursor
        mentions: list[Mention] = []
        ids: list[str] = []
        listed = 0
        for _ in self.pages(first_poll=cursor is None):
            response = self.get(path, params=params, headers=self._headers)
            statuses = self._statuses(self.decode_json(response))
            listed += len(statuses)
            mentions += self.parse_items(statuses, self._mention)
            ids += [s["id"] for s in statuses if isinstance(s, dict) and _is_id(s.get("id"))]
            if len(statuses) < self.limit:
                break
            if self.tag is not None:
                newer = _link_min_id(response)
                if newer is None or int(newer) <= int(params.get("min_id") or 0):
                    break  # no newer page, or a link that goes back: nothing newer to follow
                params["min_id"] = newer
            else:
                params["offset"] = params.get("offset", 0) + len(statuses)
        if not listed and self._anonymous_search:
            # Mastodon answers a search without a user's token with no statuses, whatever was
            # posted (search_service.rb: `status_searchable?` needs an account): not "quiet".
            raise SourceError(
                f"{self.name}: the server answered a search without an access_token with no"
                " statuses, as Mastodon always does: give the source credentials.access_token"
                " (a user's token with read:search), or watch a hashtag"
                f' (query = "#{_NOT_IN_TAG.sub("", self.query) or "tag"}"),'
                " which needs none",
                permanent=True,
            )
        newest = max(ids, key=int, default=None)  # ids are time-ordered numbers (snowflakes)
        if cursor is not None and newest is not None and int(newest) <= int(cursor):
            newest = None
        if cursor is None and not listed:  # nothing yet: the next poll takes all that comes
            newest = _id_at(self.clock() - EMPTY_MARGIN)
        return FetchResult(mentions, newest)

    def _mention(self, status: Any) -> Mention | None:
        if status.get("reblog"):
            return None  # a boost repeats a post we count once, under its own id
        account = require(status, "account", dict)
        followers = account.get("followers_count")
        warning = status.get("spoiler_text")
        text = html_to_text(require(status, "content", str))
        return Mention(
            source=self.name,
            # Local ids differ from server to server; `uri` names the post across the fediverse.
            external_id=require(status, "uri", str),
            text=f"[CW: {warning}]\n{text}" if warning else text,
            created_at=parse_time(require(status, "created_at", str)),
            author=account.get("acct"),
            author_followers=followers if isinstance(followers, int) else None,
            url=status.get("url") or status["uri"],
            extra={
                "likes": status.get("favourites_count"),
                "reposts": status.get("reblogs_count"),
                "replies": status.get("replies_count"),
                "language": status.get("language"),
            },
        )


def _id_at(when: datetime) -> str:
    """The lowest status id Mastodon gives a status posted at `when` (its snowflake with a zero
    sequence): as `min_id`, every status from then on is newer."""
    return str(int(when.timestamp() * 1000) << 16)


def _check_cursor(cursor: str) -> None:
    if not _is_id(cursor):
        raise SourceError(f"mastodon: unreadable cursor {cursor!r}", permanent=True)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and value.isdigit()


def _link_min_id(response: httpx.Response) -> str | None:
    """The `min_id` of the Link header's rel="prev" page, the next newer one."""
    prev = response.links.get("prev", {}).get("url")
    if not prev:
        return None
    values = parse_qs(urlsplit(prev).query).get("min_id")
    return values[0] if values and _is_id(values[0]) else None
