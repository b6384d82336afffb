"""Bluesky posts through `app.bsky.feed.searchPosts`.

Docs: https://docs.bsky.app/docs/api/app-bsky-feed-search-posts — `sort=latest`; `since` is
inclusive and compares the post's sort time (the earlier of `createdAt` and `indexedAt`), so our
`Watermark` cursor uses that time, with post URIs as ids. A first poll that finds nothing stores a
watermark all the same (`nothing_yet`: a day before it): the next poll asks for posts `since` it
and pages through a whole storm, not only its latest page.
Both a poll's further pages and backfill walk back with `until` (exclusive, the same sort time) set
just past the oldest post seen, never `cursor`: the public AppView refuses follow-up pages to
logged-out clients (a 403, bluesky-social/atproto#2838), and a moving `until` survives restarts.
The public AppView may refuse anonymous search (401/403): with a handle and app password we log in
(`com.atproto.server.createSession`) and search through the PDS. An expired access token gets
400 `ExpiredToken`: we `refreshSession`, or log in again if the refresh token expired too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from sources.base import BackfillPage, FetchResult, Mention, SourceError
from sources.cursor import Backmark, Watermark, polled_mark
from sources.http import HttpSource, parse_time, require

SEARCH = "/app.bsky.feed.searchPosts"


class _AuthNeeded(SourceError):
    """The server wants (other) credentials: permanent unless a new session helps."""


class BlueskySource(HttpSource):
    name = "bluesky"
    default_base_url = "https://public.api.bsky.app/xrpc"
    auth_base_url = "https://bsky.social/xrpc"
    limit = 100  # the documented maximum

    def __init__(
        self,
        *,
        query: str,
        handle: str | None = None,
        app_password: str | None = None,
        auth_base_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.query = query
        self._login_with = (handle, app_password) if handle and app_password else None
        self.auth_base_url = (auth_base_url or self.auth_base_url).rstrip("/")
        self._access: str | None = None
        self._refresh: str | None = None

    def fetch(self, cursor: str | None) -> FetchResult:
        mark = Watermark.load(cursor)
        params: dict[str, Any] = {"q": self.query, "sort": "latest", "limit": self.limit}
        if mark is not None:
            params["since"] = _stamp(mark.since)
        found: dict[str, tuple[Mention, datetime]] = {}
        for _ in self.pages(first_poll=mark is None):
            body = self._search(params)
            before, oldest = len(found), None
            for mention in self.parse_items(self.expect(body, "posts", list), self._mention):
                sort_at = min(mention.created_at, parse_time(mention.extra["indexed_at"]))
                oldest = sort_at if oldest is None else min(oldest, sort_at)
                if mark is None or mark.is_new(mention.external_id, sort_at):
                    found.setdefault(mention.external_id, (mention, sort_at))
            # No `cursor`: nothing older. Nothing new on the page: we reached what we had.
            if not body.get("cursor") or oldest is None or len(found) == before:
                break
            # `until` is exclusive: a millisecond past the oldest keeps its instant's other posts.
            params["until"] = _stamp(oldest + timedelta(milliseconds=1))
        items = [(m.external_id, at) for m, at in found.values()]
        cursor = polled_mark(mark, items, self.clock())
        return FetchResult([m for m, _ in found.values()], cursor)

    def backfill(self, cursor: str | None, since: datetime) -> BackfillPage:
        mark = Backmark.load(cursor)
        params: dict[str, Any] = {
            "q": self.query,
            "sort": "latest",
            "limit": self.limit,
            "since": _stamp(since),
        }
        if mark is not None:  # `until` is exclusive: a millisecond past keeps the mark's instant
            params["until"] = _stamp(mark.oldest + timedelta(milliseconds=1))
        body = self._search(params)
        posts = self.expect(body, "posts", list)
        fresh: list[tuple[Mention, datetime]] = []
        for mention in self.parse_items(posts, self._mention):
            sort_at = min(mention.created_at, parse_time(mention.extra["indexed_at"]))
            if sort_at >= since and (mark is None or mark.is_new(mention.external_id, sort_at)):
                fresh.append((mention, sort_at))
        if not fresh:
            return BackfillPage([], cursor, done=True)
        moved = Backmark.after(mark, [(m.external_id, at) for m, at in fresh])
        done = len(posts) < self.limit and not body.get("cursor")
        return BackfillPage([m for m, _ in fresh], moved.dump(), done=done)

    def raise_for_response(self, response: httpx.Response) -> None:
        expired = response.status_code == 400 and b'"ExpiredToken"' in response.content
        if response.status_code in (401, 403) or expired:
            message = f"{self.name}: {response.request.url.path} refused our credentials"
            raise _AuthNeeded(message, permanent=True)
        super().raise_for_response(response)

    def _search(self, params: dict[str, Any]) -> Any:
        if self._access is None:
            try:
                return self.get_json(SEARCH, params=params)
            except _AuthNeeded:
                if self._login_with is None:
                    message = "the public AppView refused search; configure handle and app_password"
                    raise SourceError(f"{self.name}: {message}", permanent=True) from None
                self._session("createSession")
        try:
            return self._authed_search(params)
        except _AuthNeeded:
            self._renew()
        return self._authed_search(params)  # refused right after a new session: permanent

    def _authed_search(self, params: dict[str, Any]) -> Any:
        headers = {"Authorization": f"Bearer {self._access}"}
        return self.get_json(self.auth_base_url + SEARCH, params=params, headers=headers)

    def _renew(self) -> None:
        try:
            self._session("refreshSession")
        except _AuthNeeded:
            self._session("createSession")  # the refresh token expired too

    def _session(self, method: str) -> None:
        if method == "createSession" and self._login_with is not None:
            handle, password = self._login_with
            kwargs: dict[str, Any] = {"json": {"identifier": handle, "password": password}}
        elif method == "refreshSession" and self._refresh is not None:
            kwargs = {"headers": {"Authorization": f"Bearer {self._refresh}"}}
        else:
            raise _AuthNeeded(f"{self.name}: nothing to {method} with", permanent=True)
        url = f"{self.auth_base_url}/com.atproto.server.{method}"
        body = self.decode_json(self.request("POST", url, **kwargs))
        self._access = self.expect(body, "accessJwt", str)
        self._refresh = body.get("refreshJwt")

    def _mention(self, post: Any) -> Mention:
        uri = require(post, "uri", str)
        record = require(post, "record", dict)
        author = require(post, "author", dict)
        handle = require(author, "handle", str)
        indexed_at = parse_time(require(post, "indexedAt", str))
        return Mention(
            source=self.name,
            external_id=uri,
            text=require(record, "text", str),
            created_at=parse_time(require(record, "createdAt", str)),
            author=handle,
            url=f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}",
            extra={
                "likes": post.get("likeCount"),
                "reposts": post.get("repostCount"),
                "replies": post.get("replyCount"),
                "quotes": post.get("quoteCount"),
                "indexed_at": indexed_at.isoformat(),
            },
        )


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
