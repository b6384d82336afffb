"""Trustpilot reviews of one business unit: `GET /v1/business-units/{id}/reviews` with an API key.

Docs: https://developers.trustpilot.com/business-units-api-overview (the key goes in the `apikey`
header; `/v1/business-units/find?name=<domain>` gives a domain's business unit ID) and
https://developers.trustpilot.com/rate-limiting (stay under 833 calls per 5 minutes and 10,000 an
hour; the API module's yearly allowance counts every call, so a long `interval` is kind to it).
`orderBy=createdat.desc` lists the newest first; `perPage` is at most 100; the body's `links`
name the next page (`rel` "next-page") while there is one. `language` (optional, an ISO 639-1
code) is the endpoint's documented filter: only the reviews written in that language (a brand
watching its Bulgarian customers beside an international audience); without it, every language.

Cursor: a `Watermark` on `createdAt`; a poll pages on, following the next-page link's `page`
(against our own address: the key never goes where a body points), until it reaches reviews it
already has. Backfill walks the pages on from the first (its cursor: the next page's number)
down to `since`. A review has its page at https://www.trustpilot.com/reviews/{id}. The stars go to
`extra["rating"]` (1-5), the author's own verdict, which ingest applies to the mention's
sentiment (`detectors.rating`); a consumer's reach is unknown (followers stay None).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from sources.base import (
    KEY_REFUSED,
    NOT_FOUND,
    BackfillPage,
    FetchResult,
    Mention,
    SourceError,
)
from sources.cursor import Watermark, polled_cursor
from sources.http import HttpSource, parse_time, require

REVIEW_URL = "https://www.trustpilot.com/reviews/{}"


class TrustpilotSource(HttpSource):
    name = "trustpilot"
    default_base_url = "https://api.trustpilot.com/v1"
    per_page = 100  # the documented maximum

    def __init__(
        self, *, business_unit_id: str, api_key: str, language: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.business_unit_id = business_unit_id.strip()
        if not (self.business_unit_id.isascii() and self.business_unit_id.isalnum()):  # a path
            raise ValueError(f"business_unit_id must be letters and digits: {business_unit_id!r}")
        self.language = (language or "").strip().lower() or None
        if self.language is not None and not (
            len(self.language) == 2 and self.language.isascii() and self.language.isalpha()
        ):
            raise ValueError(f"language must be a two-letter ISO 639-1 code: {language!r}")
        self._headers = {"apikey": api_key}
        self.secrets = (api_key,)

    def _params(self) -> dict[str, Any]:
        """The query every page shares: newest first, the most a page holds, the language."""
        params: dict[str, Any] = {"orderBy": "createdat.desc", "perPage": self.per_page}
        if self.language is not None:
            params["language"] = self.language
        return params

    @property
    def _path(self) -> str:
        return f"/business-units/{self.business_unit_id}/reviews"

    def backfill(self, cursor: str | None, since: datetime) -> BackfillPage:
        params = self._params()
        if cursor is not None:
            if not cursor.isdigit():
                raise SourceError(f"{self.name}: unreadable cursor {cursor!r}", permanent=True)
            params["page"] = cursor
        body = self.get_json(self._path, params=params, headers=self._headers)
        reviews = self.parse_items(self.expect(body, "reviews", list), self._mention)
        kept = [m for m in reviews if m.created_at >= since]
        following = _next_page(body.get("links"))
        done = following is None or following == cursor or len(kept) < len(reviews)
        return BackfillPage(kept, following or cursor, done=done)

    def fetch(self, cursor: str | None) -> FetchResult:
        mark = Watermark.load(cursor)
        path = self._path
        params = self._params()
        found: dict[str, Mention] = {}
        asked: set[str] = set()
        for _ in self.pages(first_poll=mark is None):
            body = self.get_json(path, params=params, headers=self._headers)
            page = self.parse_items(self.expect(body, "reviews", list), self._mention)
            fresh = [m for m in page if mark is None or mark.is_new(m.external_id, m.created_at)]
            for mention in fresh:
                found.setdefault(mention.external_id, mention)
            following = _next_page(body.get("links"))
            if following is None or len(fresh) < len(page):  # the end, or what we have
                break
            if following in asked:  # a link that sends us round in a circle: nothing more
                break
            params["page"] = following
            asked.add(following)
        mentions = list(found.values())
        return FetchResult(mentions, polled_cursor(mark, mentions, self.clock()))

    def raise_for_response(self, response: httpx.Response) -> None:
        status = response.status_code
        if status == 404:  # the key is checked first: a refused one answers 401 / 403
            raise SourceError(
                f"{self.name}: no business unit {self.business_unit_id} ({status}"
                f"{_reason(self, response, ' ')}); check business_unit_id"
                " (/v1/business-units/find?name=<domain> gives it)",
                permanent=True,
                cause=NOT_FOUND,
                keys=("business_unit_id",),
            )
        if status in (401, 403):
            where = f"{self.name}: {response.request.url.path} answered {status}"
            said = _reason(self, response, "")
            raise SourceError(
                f"{where}: the API key was refused" + (f" ({said})" if said else ""),
                permanent=True,
                cause=KEY_REFUSED,
                keys=("api_key",),
            )
        super().raise_for_response(response)

    def _mention(self, review: Any) -> Mention:
        review_id = require(review, "id", str)
        title = review.get("title") if isinstance(review.get("title"), str) else ""
        body = review.get("text") if isinstance(review.get("text"), str) else ""
        text = "\n".join(filter(None, [title.strip(), body.strip()]))
        if not text:
            raise ValueError(f"review {review_id} has neither title nor text")
        consumer = review.get("consumer") if isinstance(review.get("consumer"), dict) else {}
        author = consumer.get("displayName")
        stars = review.get("stars")
        likes = review.get("numberOfLikes")
        return Mention(
            source=self.name,
            external_id=review_id,
            text=text,
            created_at=parse_time(require(review, "createdAt", str)),
            author=author if isinstance(author, str) and author else None,
            url=REVIEW_URL.format(review_id),
            extra={
                "rating": stars if type(stars) is int and 1 <= stars <= 5 else None,
                "language": review.get("language"),
                "verified": review.get("isVerified"),
                "likes": likes if type(likes) is int else None,
                "replied": review.get("companyReply") is not None,
                "business_unit_id": self.business_unit_id,
            },
        )


def _next_page(links: Any) -> str | None:
    """The `page` of the link with rel "next-page", if the body has one."""
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "next-page":
            page = parse_qs(urlsplit(str(link.get("href", ""))).query).get("page")
            return page[-1] if page and page[-1].isdigit() else None
    return None


def _reason(source: TrustpilotSource, response: httpx.Response, lead: str) -> str:
    """What an error body says (`fault.faultstring` or `message`), after `lead`; "" if nothing."""
    try:
        body = response.json()
    except ValueError:
        return ""
    fault = body.get("fault") if isinstance(body, dict) else None
    said = fault.get("faultstring") if isinstance(fault, dict) else None
    if said is None and isinstance(body, dict):
        said = body.get("message")
    return lead + source.redact(said[:200]) if isinstance(said, str) and said.strip() else ""
