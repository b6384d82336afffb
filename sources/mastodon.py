"""Mastodon statuses: full-text search (`/api/v2/search`) or a hashtag timeline.

Docs: https://docs.joinmastodon.org/methods/search/ and /methods/timelines/#tag. A query starting
with `#` reads the public hashtag timeline (`/api/v1/timelines/tag/:hashtag`, no token needed);
anything else searches statuses, which most servers answer only for a logged-in app
(`access_token`). Both take `min_id`: only statuses with a higher id come back.
Mastodon gives an anonymous search no statuses at all (200, `"statuses": []`; its
SearchService searches statuses only for an account), so a search without a token that lists
nothing stops the source, saying so, rather than reading as a quiet query for ever; a server
that does answer anonymously (another fediverse server) keeps working.

Mastodon's ids are snowflakes, the milliseconds since the epoch shifted left 16 bits (the
time-ordered ids of the docs' "Handling and sorting IDs"; Mastodon.py turns a date into a
`min_id` the same way), but not always of when the server stored the status
(lib/mastodon/snowflake.rb, `around_create` on Status): a status written there, or pushed to its
inbox (ActivityPub::ProcessingWorker, `override_timestamps`), gets the id of its arrival; a remote
status the server fetched (the post a boost it receives points to, a reply's parent, a search, a
thread's replies) with a publishing time in the past gets `id_at(published)`, that second with a
random millisecond and sequence. So a post another server published at 15:02 and this one fetched
at 15:07 lists below a local status of 15:05: asked from the newest id seen, it was never read.

The cursor is therefore a `Watermark` (sources/cursor.py) over the times in the ids: each poll
asks from the id of `since` (`min_id`, one below that millisecond's first id), up to `LOOK_BACK`
before the newest status seen, pages forward through what it saw again and on to everything newer,
and takes only ids it has not remembered. `LOOK_BACK` is 6 hours, Mastodon's REAL_TIME_WINDOW:
a status fetched that soon after it was published is still news to Mastodon itself (it puts it in
its users' home feeds; an older one it files as history), and a boost wave or a reply thread
reaching this server goes on for hours, unlike an index's lag of seconds. Reading that again costs
a request per 40 statuses, so the ids remembered are at most a poll's page budget (5 pages): a
busy tag looks back less far (its newest 200 statuses), and a poll gets those pages on top of its
budget for newer ones. A cursor stored before this (a plain id) is asked from as it was, with no
look-back behind it; the next poll's starts there.

Backfill walks back with `max_id` (both endpoints take it: only statuses older than that id),
storing the oldest id reached (a plain id: its own cursor, unchanged).

A first poll that finds nothing has no id to store: it stores the id a status posted a day before
it would have (`_id_at`, a plain id; EMPTY_MARGIN, as `nothing_yet` does for sources by time), so
the next poll pages forward (`min_id`) through everything since rather than taking only the latest
page.

Paging within a poll: the timeline's `Link` header has `rel="prev"` pointing at the next newer page
(its `min_id`); search has no Link header and pages with `offset`. Budget headers:
`x-ratelimit-remaining` / `x-ratelimit-reset` (an ISO time).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from sources.base import BackfillPage, FetchResult, Mention, SourceError
from sources.cursor import EMPTY_MARGIN, Watermark
from sources.http import HttpSource, parse_time, require
from sources.text import html_to_text

_NOT_IN_TAG = re.compile(r"\W+")  # what a hashtag cannot hold: "Acme Bank" is #AcmeBank
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# How far before the newest status seen a poll reads again for statuses listed late (module
# docstring): Mastodon's own REAL_TIME_WINDOW, within which it still shows a status it fetched late
# to its users as news. At most a poll's page budget of statuses (a busy tag looks back less far).
LOOK_BACK = timedelta(hours=6)


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
        mark, min_id = _load(cursor)
        path, params = self._endpoint()
        if min_id is not None:
            params["min_id"] = min_id
        mentions: list[Mention] = []
        seen: list[tuple[str, datetime]] = []  # (status id, the time in it)
        listed_ids: set[str] = set()
        listed = 0
        # Reading the look-back again costs pages of its own: the budget for newer ones stays.
        again = math.ceil(len(mark.recent) / self.limit) if mark is not None else 0
        for _ in self.pages(first_poll=mark is None, extra=again):
            response = self.get(path, params=params, headers=self._headers)
            statuses = self._statuses(self.decode_json(response))
            listed += len(statuses)
            fresh = []
            for status in statuses:
                status_id = status.get("id") if isinstance(status, dict) else None
                if _is_id(status_id):
                    if status_id in listed_ids:
                        continue  # listed again: search's `offset` shifts as statuses arrive
                    listed_ids.add(status_id)
                    at = _time_of(status_id)
                    seen.append((status_id, at))
                    if mark is not None and not mark.is_new(status_id, at):
                        continue  # taken by an earlier poll
                fresh.append(status)
            mentions += self.parse_items(fresh, self._mention)
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
        if cursor is None and not listed:  # nothing yet: the next poll takes all that comes
            return FetchResult(mentions, _id_at(self.clock() - EMPTY_MARGIN))
        if not seen:
            return FetchResult(mentions, None)
        start = mark or Watermark(min(at for _, at in seen), frozenset())
        after = start.advance(seen, overlap=LOOK_BACK, max_recent=self.page_cap * self.limit)
        dumped = after.dump()
        return FetchResult(mentions, None if dumped == cursor else dumped)

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


def _time_of(status_id: str) -> datetime:
    """The time in a status id: its milliseconds since the epoch (above its 16 sequence bits)."""
    return _EPOCH + timedelta(milliseconds=int(status_id) >> 16)


def _load(cursor: str | None) -> tuple[Watermark | None, str | None]:
    """The stored cursor's mark and the `min_id` to ask from (None: a first poll).

    A plain id (stored before the look-back, or by a first poll that found nothing) is asked from
    as it was, with no look-back: what lay before it was read then. Its mark remembers only it, so
    the next poll's look-back starts there, never before."""
    if cursor is None:
        return None, None
    if _is_id(cursor):
        return Watermark(_time_of(cursor), frozenset({cursor})), cursor
    mark = Watermark.load(cursor)
    assert mark is not None  # a cursor was given
    # `min_id` is exclusive: one below the lowest id of `since`'s millisecond takes all of it.
    since_ms = (mark.since - _EPOCH) // timedelta(milliseconds=1)
    return mark, str(max((since_ms << 16) - 1, 0))


def _check_cursor(cursor: str) -> None:
    if not _is_id(cursor):
        raise SourceError(f"mastodon: unreadable cursor {cursor!r}", permanent=True)


def _is_id(value: Any) -> TypeGuard[str]:
    # ASCII digits (str.isdigit also takes "²", which int() refuses), at most 19: Mastodon's ids
    # are signed 64-bit, and the time in a longer one could pass what a datetime holds.
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19


def _link_min_id(response: httpx.Response) -> str | None:
    """The `min_id` of the Link header's rel="prev" page, the next newer one."""
    prev = response.links.get("prev", {}).get("url")
    if not prev:
        return None
    values = parse_qs(urlsplit(prev).query).get("min_id")
    return values[0] if values and _is_id(values[0]) else None
