"""`HttpSource`: the HTTP behaviour every connector shares, written once.

A connector subclass sets `name` and `default_base_url`, implements `fetch()`, and calls
`self.get()` / `self.get_json()`. The base owns:

- the timeout of every request (the injected `httpx.Client` is never replaced), and a bound on
  the whole body (`BODY_TIMEOUTS` timeouts): httpx's own timeouts are per read, so a server
  trickling a byte at a time (or never ending) would otherwise hold the poll, and every source
  after it, for ever; and a cap on the body's size (`MAX_BODY_BYTES`);
- mapping answers to errors: 429 → `RateLimited`, 5xx / timeout / transport error → transient
  `SourceError` (a 5xx's Retry-After in its `retry_after`), 401 / 403 / 404 → permanent
  `SourceError` (override `raise_for_response` where a platform documents something else), an
  undecodable body → `SourceError` naming the problem;
- pacing: when a response says no requests remain (`x-ratelimit-*` / `x-rate-limit-*`), the next
  call raises `RateLimited` until the reset, without spending a request;
- `parse_items`: one malformed item is logged and skipped instead of failing the whole page.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx

from sources.base import FetchResult, Mention, RateLimited, SourceError

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# Reset headers come as "seconds from now" (Reddit), "epoch seconds" (X) or an ISO date (Mastodon).
# A number this large cannot be a sensible delay, so it must be an epoch timestamp.
_EPOCH_THRESHOLD = 1_000_000_000
_REMAINING_HEADERS = ("x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining")
_RESET_HEADERS = ("x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset")
_DEFAULT_WAIT = 60.0  # a 429 that says nothing about when to come back
# A longer wait is a misread header or a platform's slip ("99999999", "inf"): ask again by then
# rather than fall silent for years.
MAX_WAIT = 6 * 3600.0
# Per request, whatever the shared client's default: a hung platform must not stall the poller.
DEFAULT_TIMEOUT = 15.0
# The whole body, however it trickles in, within this many timeouts: room for a big feed from a
# slow server (a minute by default), not for one that never ends.
BODY_TIMEOUTS = 4
# A page of 100 posts is well under 1 MB and a feed with full articles a few MB: a body past this is
# not a page of mentions (and reading it whole would take the memory the bot needs).
MAX_BODY_BYTES = 20 * 1024 * 1024


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_reset(value: str, now: datetime) -> float | None:
    """Seconds from `now` until the time a Retry-After or *-reset header names (at most
    `MAX_WAIT`), or None."""
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if not math.isfinite(number):
            return None
        if number >= _EPOCH_THRESHOLD:
            number -= now.timestamp()
        return min(max(0.0, number), MAX_WAIT)
    for parse in (datetime.fromisoformat, parsedate_to_datetime):
        try:
            when = parse(value)
        except (ValueError, TypeError, IndexError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return min(max(0.0, (when - now).total_seconds()), MAX_WAIT)
    return None


def parse_time(value: Any) -> datetime:
    """An ISO 8601 timestamp with `Z` or an offset, as an aware UTC datetime (else ValueError)."""
    if not isinstance(value, str):
        raise ValueError(f"expected a timestamp string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed.astimezone(UTC)


class HttpSource:
    """Base class for connectors that poll an HTTP API. See the module docstring."""

    name: ClassVar[str]
    default_base_url: ClassVar[str]
    page_cap: int = 5  # pages followed per poll, so one poll cannot run away
    truncated: bool = False  # the last poll stopped at `page_cap` with more new items waiting
    # Credentials a connector sends (an API key): never repeated in an error, even one whose body
    # echoes them back.
    secrets: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        client: httpx.Client,
        brand: str | None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Clock = utcnow,
    ) -> None:
        self.client = client
        self.timeout = timeout
        self.brand = brand
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.clock = clock
        self._paused_until: datetime | None = None

    def fetch(self, cursor: str | None) -> FetchResult:
        raise NotImplementedError

    def pages(self, *, first_poll: bool, extra: int = 0) -> Iterator[int]:
        """Page numbers for one poll: only the latest page on a first poll, else up to `page_cap`
        (and `extra` more: pages a poll spends reading again what it already saw).

        Used as `for page in self.pages(...)`; a loop that never breaks ran out of budget with more
        new items waiting, which is logged once here and said in `truncated` (the poller then
        backfills the rest).
        """
        self.truncated = False
        yield from range(1 if first_poll else self.page_cap + extra)
        if not first_poll:
            self.truncated = True
            logger.warning(
                "%s: more than %s pages of new items; the rest were not fetched",
                self.name,
                self.page_cap,
            )

    # --- requests -------------------------------------------------------------------------------

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        return self.request("GET", path, params=params, headers=headers)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one request, raising `SourceError` / `RateLimited` for anything but success."""
        self._check_pacing()
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        try:
            response = self._send(method, url, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise SourceError(f"{self.name}: timed out calling {path}") from exc
        except httpx.HTTPError as exc:  # connection refused, reset, DNS, protocol errors
            raise SourceError(f"{self.name}: {type(exc).__name__} calling {path}: {exc}") from exc
        self._note_rate_limit(response)
        self.raise_for_response(response)
        return response

    def _send(self, method: str, url: str, path: str, **kwargs: Any) -> httpx.Response:
        """The response with its body read within `BODY_TIMEOUTS` × `timeout` in all (httpx's
        `timeout` is per read) and `MAX_BODY_BYTES`."""
        deadline = time.monotonic() + self.timeout * BODY_TIMEOUTS
        with self.client.stream(method, url, timeout=self.timeout, **kwargs) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                raise SourceError(f"{self.name}: {path} answered with {declared} bytes; too big")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise SourceError(f"{self.name}: {path} answered with over {size} bytes")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the body took too long", request=response.request)
                chunks.append(chunk)
            # What `Response.read()` does, bounded: the body is then there as for any response.
            response._content = b"".join(chunks)
        return response

    def get_json(self, path: str, **kwargs: Any) -> Any:
        return self.decode_json(self.get(path, **kwargs))

    def decode_json(self, response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except ValueError as exc:
            where = f"{self.name}: {response.request.url.path} answered"
            if not response.content.strip():  # a flaky feed's 200 with nothing: say just that
                raise SourceError(f"{where} {response.status_code} with an empty body") from exc
            kind = response.headers.get("Content-Type", "").split(";")[0].strip()
            if kind and "json" not in kind:  # a maintenance page, a proxy's or portal's page
                raise SourceError(f"{where} with {kind}, not JSON: {self.said(response)}") from exc
            raise SourceError(f"{where} with malformed JSON: {exc}") from exc

    def raise_for_response(self, response: httpx.Response) -> None:
        """Map an HTTP status to our errors. Platforms override this for documented quirks."""
        status = response.status_code
        if status < 300 or status == 304:
            return
        where = f"{self.name}: {response.request.url.path} answered {status}"
        if status < 400:  # APIs don't move; a redirect here is most likely a captive portal
            raise SourceError(f"{where}, a redirect to {response.headers.get('Location')}")
        if status == 429:
            wait = self._retry_after(response)
            self._paused_until = self.clock() + timedelta(seconds=wait)  # don't knock again early
            raise RateLimited(f"{where} (rate limited)", retry_after=wait)
        if status in (401, 403, 404):
            raise SourceError(f"{where}; check the credentials and address", permanent=True)
        # Other 4xx mean our request is wrong (bad query); retrying the same request cannot help.
        if status < 500:
            raise SourceError(f"{where}: {self.said(response)}", permanent=True)
        # A 5xx may say how long the platform will be down (RFC 9110 §10.2.3): not before then.
        value = response.headers.get("retry-after")
        down_for = parse_reset(value, self.clock()) if value else None
        if down_for:
            self._paused_until = self.clock() + timedelta(seconds=down_for)
        raise SourceError(f"{where}: {self.said(response)}", retry_after=down_for or None)

    def said(self, response: httpx.Response, limit: int = 200) -> str:
        """The start of a response's body, for an error message, without our credentials."""
        return self.redact(_snippet(response, limit))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "…")
        return text

    # --- rate limits ----------------------------------------------------------------------------

    @property
    def retry_after(self) -> float | None:
        """Seconds until the platform will take requests again, if a response said so."""
        if self._paused_until is None:
            return None
        wait = (self._paused_until - self.clock()).total_seconds()
        return wait if wait > 0 else None

    def _check_pacing(self) -> None:
        wait = self.retry_after
        if wait is not None:
            raise RateLimited(
                f"{self.name}: no requests left until the limit resets", retry_after=wait
            )
        self._paused_until = None

    def _note_rate_limit(self, response: httpx.Response) -> None:
        remaining = _first_header(response, _REMAINING_HEADERS)
        reset = _first_header(response, _RESET_HEADERS)
        if remaining is None or reset is None:
            return
        try:
            exhausted = float(remaining) < 1  # Reddit sends "97.0"
        except ValueError:
            return
        wait = parse_reset(reset, self.clock())
        if exhausted and wait:
            self._paused_until = self.clock() + timedelta(seconds=wait)

    def _retry_after(self, response: httpx.Response) -> float:
        now = self.clock()
        for header in ("retry-after", *_RESET_HEADERS):
            value = response.headers.get(header)
            wait = parse_reset(value, now) if value else None
            if wait is not None:
                return wait
        return _DEFAULT_WAIT

    # --- items ----------------------------------------------------------------------------------

    def expect(self, body: Any, key: str, kind: type | tuple[type, ...]) -> Any:
        """A page-level field; a missing or changed one fails the poll with a message naming it."""
        try:
            return require(body, key, kind)
        except (KeyError, TypeError) as exc:
            raise SourceError(f"{self.name}: unexpected response shape: {exc}") from exc

    def parse_items(
        self, items: Iterable[Any], parse: Callable[[Any], Mention | None]
    ) -> list[Mention]:
        """Parse each item; one that lacks or changed a field is logged and skipped."""
        mentions = []
        for index, item in enumerate(items):
            try:
                mention = parse(item)
            # OverflowError, OSError: a timestamp past what datetime can hold.
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError) as exc:
                logger.warning("%s: skipped malformed item %s: %r", self.name, index, exc)
                continue
            if mention is not None:
                mentions.append(mention.with_brand(self.brand))
        return mentions


def require(data: Any, key: str, kind: type | tuple[type, ...]) -> Any:
    """`data[key]`, checked to be a `kind`; KeyError / TypeError naming the field otherwise."""
    if not isinstance(data, dict):
        raise TypeError(f"expected an object holding {key!r}, got {type(data).__name__}")
    value = data[key]
    if not isinstance(value, kind):
        raise TypeError(f"field {key!r} is {type(value).__name__}, not {_names(kind)}")
    return value


def _names(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def _first_header(response: httpx.Response, names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in response.headers:
            return response.headers[name]
    return None


def _snippet(response: httpx.Response, limit: int = 200) -> str:
    return response.text[:limit].replace("\n", " ")
