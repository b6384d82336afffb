"""What every mention source produces, and the one base class connectors share.

Exceptions::

    SourceError            a poll failed; `permanent` says whether retrying can help
    └── RateLimited        the platform asked us to wait (`retry_after` seconds)

`Source` is what the poller calls; `sources.http.HttpSource` is the base every connector builds on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Mention:
    """One post that mentions a watched brand, normalised across platforms.

    `external_id` is unique within `source`; (source, external_id) is the de-duplication key
    whatever path the mention came by (poll, push, import), for each brand it is stored for
    (`brand`, and every other brand its text names: bot.intake.ingest).
    """

    source: str
    external_id: str
    text: str
    created_at: datetime  # timezone-aware
    author: str | None = None
    author_followers: int | None = None
    url: str | None = None
    brand: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # platform-specific reach/engagement

    def with_brand(self, brand: str | None) -> Mention:
        return dataclasses.replace(self, brand=brand)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A page of mentions and the cursor to store for the next poll (None keeps the old one)."""

    mentions: list[Mention]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class BackfillPage:
    """One step back in time: mentions older than the previous step's, and where to go on from.

    Store `cursor` together with `mentions` (one transaction) and pass it to the next `backfill`
    call: a restart then neither repeats a page nor skips one. `done`: nothing older to fetch
    down to `since` (or the platform keeps no more).
    """

    mentions: list[Mention]
    cursor: str | None
    done: bool


# Why a source stopped for good, when the platform said which setting it refused (`cause`):
KEY_REFUSED = "key_refused"  # the credential in `keys` (roles: "api_key") was refused
NOT_FOUND = "not_found"  # nothing is known by the options in `keys` ("business_unit_id")
COMMENTS_DISABLED = "comments_disabled"  # YouTube: the video's comments are turned off
CAUSES = frozenset({KEY_REFUSED, NOT_FOUND, COMMENTS_DISABLED})


class SourceError(Exception):
    """`retry_after`: seconds the platform said it will be unavailable (a 503's Retry-After);
    not before then, whatever the usual backoff would say. `cause` (one of `CAUSES`) and `keys`
    (the options or credential roles it is about): what a permanent error asks the team to fix,
    so the bot can say it in their language; `message` stays the platform's own account."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        cause: str | None = None,
        keys: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.cause = cause
        self.keys = keys


class RateLimited(SourceError):
    retry_after: float

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, permanent=False, retry_after=retry_after)


@runtime_checkable
class Source(Protocol):
    """A configured mention source.

    `fetch(cursor)` returns the mentions that are new since `cursor` (the value an earlier
    `FetchResult.cursor` gave; None on the very first poll, which takes only the latest page) and
    the cursor to store next. Storing that cursor only after the mentions are saved means a restart
    neither misses nor repeats mentions. A first poll that finds nothing returns a cursor all the
    same (from about when it ran), so that the next one takes everything since, page by page.

    Raises `RateLimited` when the platform asks us to wait, `SourceError` otherwise; `permanent`
    says whether the configuration (credentials, query, address) has to change first.
    """

    name: str

    def fetch(self, cursor: str | None) -> FetchResult: ...


@runtime_checkable
class Backfilling(Protocol):
    """A source whose platform can page back in time (not feeds: they list what they list).

    `backfill(cursor, since)` fetches ONE page of mentions older than where `cursor` (None: from
    the newest) stopped and no older than `since`, newest first. Its cursor is separate from the
    live one: the live poll keeps taking what is new while the backfill walks back.
    """

    name: str

    def backfill(self, cursor: str | None, since: datetime) -> BackfillPage: ...
