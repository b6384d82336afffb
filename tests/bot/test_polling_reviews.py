"""Polling the review and comment sources end to end: the playbook's `appstore`, `trustpilot` and
`youtube` entries, polled by the worker against local servers speaking Apple's customer-reviews
feed, Trustpilot's business-unit reviews API and YouTube's commentThreads.list (their paging,
their key headers, their errors): the first poll takes the latest page, later ones page to what
is new, a malformed page stores nothing, a spent YouTube quota waits for midnight Pacific time
without counting as a failure, and a refused key stops the source until it is fixed. A pushed
or imported record's `rating` is judged as their stars are."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import Crisisbot
from bot.cli import main
from bot.core.clock import ManualClock
from bot.testing import Stack, start_stack
from models import Mention, Outbox, SourceState
from tests.bot.conftest import BRANDS, make_bot, poll_once, source_states, sources_reply, stored
from tests.bot.test_home import _open_home
from tests.local_server import serving

APP = "1000000001"
UNIT = "46d6a890000064000500e0c3"
CHANNEL = "UCacmeAirlinesOfficial00"
TP_KEY = "tp-key-for-tests"
YT_KEY = "AIzaSy-key-for-tests"
ENV = {"TRUSTPILOT_API_KEY": TP_KEY, "YOUTUBE_API_KEY": YT_KEY}
APPLE = f"/apple/gb/rss/customerreviews/page={{}}/id={APP}/sortby=mostrecent/json"
TRUSTPILOT = f"/tp/v1/business-units/{UNIT}/reviews"
YOUTUBE = "/yt/youtube/v3/commentThreads"
START = datetime(2025, 3, 14, 20, 0, tzinfo=UTC)  # pinned: the quota test counts to midnight PT
PACIFIC = ZoneInfo("America/Los_Angeles")  # Apple dates reviews in its own zone


@dataclass
class Review:
    n: int  # also what makes ids unique
    at: datetime
    text: str
    stars: int | None = None  # None: a YouTube comment
    title: str = "Acme"
    author: str = "someone"


@dataclass
class Fault:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Platforms:
    """Each platform's items, newest first as they list them; `horizon` hides the future."""

    items: dict[str, list[Review]]
    horizon: datetime
    base_url: str = ""
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    requests: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def visible(self, name: str) -> list[Review]:
        seen = [r for r in self.items[name] if r.at <= self.horizon]
        return sorted(seen, key=lambda r: (r.at, r.n), reverse=True)

    def asked(self, prefix: str) -> list[dict[str, str]]:
        with self.lock:
            return [q for path, q, _ in self.requests if path.startswith(prefix)]

    def answer(self, path: str, q: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        if path.startswith("/apple/"):
            return 200, self._apple(int(path.split("/page=")[1].split("/")[0]))
        if path == TRUSTPILOT:
            if headers.get("apikey") != TP_KEY:
                return 401, {"fault": {"faultstring": "Invalid ApiKey"}}
            return 200, self._trustpilot(q)
        if path == YOUTUBE:
            if headers.get("X-Goog-Api-Key") != YT_KEY:
                reason = {"domain": "usageLimits", "reason": "keyInvalid", "message": "Bad Request"}
                return 400, {"error": {"code": 400, "message": "Bad Request", "errors": [reason]}}
            return 200, self._youtube(q)
        return 404, {"error": "not found"}

    def _apple(self, page: int) -> dict[str, Any]:
        """50 a page, 10 pages at most; page 1 opens with the app itself."""
        reviews = self.visible("appstore")
        last = min(max(math.ceil(len(reviews) / 50), 1), 10)
        entries: list[dict[str, Any]] = [_apple_app()] if page == 1 else []
        entries += [_apple_review(r) for r in reviews[(page - 1) * 50 : page * 50]]
        feed: dict[str, Any] = {
            "title": {"label": "iTunes Store: Customer Reviews"},
            "link": [{"attributes": {"rel": "last", "href": APPLE.format(last)}}],
        }
        if entries:
            feed["entry"] = entries
        return {"feed": feed}

    def _trustpilot(self, q: dict[str, str]) -> dict[str, Any]:
        reviews = self.visible("trustpilot")
        per, page = int(q.get("perPage") or 20), int(q.get("page") or 1)
        chunk = reviews[(page - 1) * per : page * per]
        links = []
        if page * per < len(reviews):
            href = f"https://api.trustpilot.com/v1/business-units/{UNIT}/reviews?page={page + 1}"
            links.append({"href": href, "method": "GET", "rel": "next-page"})
        return {"links": links, "reviews": [_trustpilot_review(r) for r in chunk]}

    def _youtube(self, q: dict[str, str]) -> dict[str, Any]:
        comments = self.visible("youtube")
        per = int(q.get("maxResults") or 20)
        offset = int(q["pageToken"].removeprefix("tok")) if q.get("pageToken") else 0
        body: dict[str, Any] = {"kind": "youtube#commentThreadListResponse"}
        if offset + per < len(comments):
            body["nextPageToken"] = f"tok{offset + per}"
        body["items"] = [_youtube_thread(c) for c in comments[offset : offset + per]]
        return body


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _apple_app() -> dict[str, Any]:
    return {
        "im:name": {"label": "Acme Airlines"},
        "im:image": [{"label": "https://is1-ssl.mzstatic.com/acme.png"}],
        "title": {"label": "Acme Airlines - Acme Airlines Ltd"},
        "id": {"label": f"https://apps.apple.com/gb/app/acme/id{APP}", "attributes": {}},
    }


def _apple_review(r: Review) -> dict[str, Any]:
    pacific = r.at.astimezone(PACIFIC)
    return {
        "author": {"name": {"label": r.author}, "uri": {"label": "https://itunes.apple.com/gb"}},
        "updated": {"label": pacific.isoformat()},
        "im:rating": {"label": str(r.stars)},
        "im:version": {"label": "8.5.0"},
        "id": {"label": str(11_000_000_000 + r.n)},
        "title": {"label": r.title},
        "content": {"label": r.text, "attributes": {"type": "text"}},
        "im:voteSum": {"label": "0"},
        "im:voteCount": {"label": "0"},
    }


def _trustpilot_review(r: Review) -> dict[str, Any]:
    return {
        "id": f"65f3{r.n:020x}",
        "consumer": {"id": f"5a00{r.n:020x}", "displayName": r.author, "numberOfReviews": 1},
        "businessUnit": {"id": UNIT, "identifyingName": "acme.example", "displayName": "Acme"},
        "stars": r.stars,
        "title": r.title,
        "text": r.text,
        "language": "de" if "Paket" in r.text else "en",
        "createdAt": _iso(r.at),
        "updatedAt": None,
        "companyReply": None,
        "isVerified": False,
        "numberOfLikes": 0,
        "status": "active",
    }


def _youtube_thread(c: Review) -> dict[str, Any]:
    thread_id = f"UgxThread{c.n:08d}AaABAg"
    snippet = {
        "channelId": CHANNEL,
        "videoId": "dQw4w9WgXcQ",
        "textDisplay": c.text,
        "textOriginal": c.text,
        "authorDisplayName": f"@{c.author}",
        "likeCount": 3,
        "publishedAt": _iso(c.at),
        "updatedAt": _iso(c.at),
    }
    return {
        "kind": "youtube#commentThread",
        "id": thread_id,
        "snippet": {
            "channelId": CHANNEL,
            "videoId": "dQw4w9WgXcQ",
            "topLevelComment": {"kind": "youtube#comment", "id": thread_id, "snippet": snippet},
            "totalReplyCount": 0,
        },
    }


def _handler(platforms: Platforms) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            name = url.path.split("/")[1]
            with platforms.lock:
                platforms.requests.append((url.path, q, dict(self.headers)))
                queued = platforms.faults.get(name)
                fault = queued.popleft() if queued else None
            if fault is not None:
                status, body, headers = fault.status, fault.body, fault.headers
            else:
                (status, body), headers = platforms.answer(url.path, q, dict(self.headers)), {}
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for k, v in {"Content-Type": "application/json", **headers}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


HISTORY = 120  # more than a page on each platform (50, 100, 100 a page)


def _history(start: datetime) -> dict[str, list[Review]]:
    """Five calm days before `start`: a review or comment an hour on each platform."""
    items: dict[str, list[Review]] = {"appstore": [], "trustpilot": [], "youtube": []}
    for i in range(HISTORY):
        at = start - timedelta(hours=HISTORY - i, minutes=i % 60)
        items["appstore"].append(Review(i, at, f"Works fine, trip {i}", stars=4))
        items["trustpilot"].append(Review(i, at, f"Parcel {i} arrived", stars=5))
        items["youtube"].append(Review(i, at, f"Nice video number {i}"))
    return items


@pytest.fixture
def platforms() -> Iterator[Platforms]:
    fake = Platforms(_history(START), horizon=START)
    with serving(_handler(fake)) as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def playbook(tmp_path: Path, platforms: Platforms) -> Path:
    base = platforms.base_url
    path = tmp_path / "crisisbot.toml"
    path.write_text(
        BRANDS
        + f"""[[sources]]
name = "app"
type = "appstore"
app_id = "{APP}"
country = "gb"
brand = "Acme"
base_url = "{base}/apple"

[[sources]]
name = "trustpilot"
type = "trustpilot"
business_unit_id = "{UNIT}"
brand = "Acme"
base_url = "{base}/tp/v1"
credentials = {{ api_key = "TRUSTPILOT_API_KEY" }}

[[sources]]
name = "youtube"
type = "youtube"
channel_id = "{CHANNEL}"
search_terms = "acme"
brand = "Acme"
base_url = "{base}/yt/youtube/v3"
credentials = {{ api_key = "YOUTUBE_API_KEY" }}
""",
        encoding="utf-8",
    )
    return path


def _bot(database_url: str, clock: ManualClock, playbook: Path, **env: str) -> Crisisbot:
    return make_bot(database_url, clock, playbook, **{**ENV, **env})


def _per_source(bot: Crisisbot) -> dict[str, int]:
    return {name: stored(bot, name) for name in ("appstore", "trustpilot", "youtube")}


def _burst(platforms: Platforms, since: datetime, count: int) -> None:
    """`count` new items on each platform in the hour after `since`."""
    for name, stars in (("appstore", 1), ("trustpilot", 1), ("youtube", None)):
        for i in range(count):
            at = since + timedelta(seconds=30 * (i + 1))
            review = Review(1000 + i, at, f"Acme app down again ({i})", stars=stars)
            platforms.items[name].append(review)


def test_reviews_and_comments_are_polled_page_by_page_to_what_is_new(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    prefixes = ("/apple/", "/tp/", "/yt/")

    def sent() -> dict[str, int]:
        return {p: len(platforms.asked(p)) for p in prefixes}

    with _bot(database_url, clock, playbook) as bot:
        first = poll_once(bot)
        assert all(r.ok for r in first.values()), {n: r.error for n, r in first.items()}
        # The first poll takes the latest page, then the backfill walks back through the rest.
        assert _per_source(bot) == {"appstore": HISTORY, "trustpilot": HISTORY, "youtube": HISTORY}
        assert {s.backfill["done"] for s in source_states(bot).values()} == {True}
    assert sent() == {"/apple/": 1 + 3, "/tp/": 1 + 2, "/yt/": 1 + 2}
    assert [q.get("page") for q in platforms.asked("/tp/")] == [None, None, "2"]

    _burst(platforms, START, 130)  # more than a page on each again
    platforms.horizon = START + timedelta(hours=2)
    clock.advance(hours=2)
    before = sent()
    with _bot(database_url, clock, playbook) as bot:  # a new process: from the stored cursors
        second = poll_once(bot)
        assert all(r.ok and r.new == 130 for r in second.values()), second
        total = HISTORY + 130
        assert _per_source(bot) == {"appstore": total, "trustpilot": total, "youtube": total}
    # Pages to the cursor: Apple's third page of 50 reaches it, the others' second of 100.
    assert {p: n - before[p] for p, n in sent().items()} == {"/apple/": 3, "/tp/": 2, "/yt/": 2}
    assert [q.get("page") for q in platforms.asked("/tp/")[-2:]] == [None, "2"]
    assert [q.get("pageToken") for q in platforms.asked("/yt/")[-2:]] == [None, "tok100"]
    q = platforms.asked("/yt/")[-1]
    assert q["allThreadsRelatedToChannelId"] == CHANNEL and q["searchTerms"] == "acme"

    before = sent()
    clock.advance(minutes=10)
    with _bot(database_url, clock, playbook) as bot:  # nothing new: one page each, nothing stored
        third = poll_once(bot)
        assert all(r.ok and r.new == 0 for r in third.values())
        assert _per_source(bot) == {"appstore": total, "trustpilot": total, "youtube": total}
    assert {p: n - before[p] for p, n in sent().items()} == {"/apple/": 1, "/tp/": 1, "/yt/": 1}
    with _bot(database_url, clock, playbook) as bot, bot.transaction() as session:
        urls = set(session.scalars(select(Mention.url).where(Mention.source == "youtube")))
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgxThread00001000AaABAg" in urls


@pytest.mark.parametrize(
    ("platform", "body"),
    [
        ("apple", b'{"feed": {"entry": "none"}}'),
        ("tp", b'{"reviews": {"id": "65f3"}}'),
        ("yt", b'{"items": [{"id": "Ugx", "snippet": '),
    ],
)
def test_a_malformed_page_stores_nothing_and_says_why(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path,
    platform: str, body: bytes,
) -> None:  # fmt: skip
    with _bot(database_url, clock, playbook) as bot:
        poll_once(bot)
        before = _per_source(bot)
        cursors = {name: s.cursor for name, s in source_states(bot).items()}
    _burst(platforms, START, 5)
    platforms.horizon = START + timedelta(hours=1)
    platforms.faults[platform].append(Fault(200, body))
    clock.advance(hours=1)
    name = {"apple": "app", "tp": "trustpilot", "yt": "youtube"}[platform]

    with _bot(database_url, clock, playbook) as bot:
        results = poll_once(bot)
        source = {"app": "appstore"}.get(name, name)

        error = results[name].error or ""
        assert "malformed JSON" in error or "unexpected response shape" in error
        assert stored(bot, source) == before[source]  # nothing of it stored
        state = source_states(bot)[name]
        assert state.cursor == cursors[name] and state.failures == 1
        others = [r for n, r in results.items() if n != name]
        assert all(r.ok and r.new == 5 for r in others)


def test_a_spent_youtube_quota_waits_for_midnight_pacific_and_is_no_failure(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    quota = {"error": {"code": 403, "message": "quota", "errors": [
        {"domain": "youtube.quota", "reason": "quotaExceeded", "message": "quota"}]}}  # fmt: skip
    clock.set(datetime(2025, 3, 15, 5, 0, tzinfo=UTC))  # 22:00 the day before, in California
    platforms.faults["yt"].append(Fault(403, quota))

    with _bot(database_url, clock, playbook) as bot:
        results = poll_once(bot)
        assert "daily quota is spent" in (results["youtube"].error or "")
        state = source_states(bot)["youtube"]
        assert state.failures == 0  # a limit, not a fault: no "stopped working" notice
        assert state.backoff_until == datetime(2025, 3, 15, 7, 0, tzinfo=UTC)  # midnight PDT
        assert results["app"].ok and results["trustpilot"].ok

        clock.set(datetime(2025, 3, 15, 7, 1, tzinfo=UTC))
        assert poll_once(bot)["youtube"].ok  # the quota is back: it reads again
        assert stored(bot, "youtube") == HISTORY


def test_a_refused_key_stops_the_source_for_six_hours_and_says_why(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    with _bot(
        database_url, clock, playbook, YOUTUBE_API_KEY="wrong", TRUSTPILOT_API_KEY="x"
    ) as bot:
        results = poll_once(bot)
        assert "the API key was refused (keyInvalid: Bad Request)" in (
            results["youtube"].error or ""
        )
        assert "answered 401: the API key was refused (Invalid ApiKey)" in (
            results["trustpilot"].error or ""
        )
        states = source_states(bot)
        for name in ("youtube", "trustpilot"):
            assert states[name].failures == 1
            assert states[name].backoff_until == clock() + timedelta(hours=6)
        assert "wrong" not in (results["youtube"].error or "")  # the key is never repeated
        assert stored(bot, "youtube") == stored(bot, "trustpilot") == 0
        assert results["app"].ok and stored(bot, "appstore") == HISTORY


def _labels(bot: Crisisbot, source: str) -> dict[str, str | None]:
    """Each stored mention's label, by its text."""
    with bot.transaction() as session:
        rows = session.execute(select(Mention.text, Mention.label).where(Mention.source == source))
        return {text.split("\n")[-1]: label for text, label in rows.tuples()}


def test_the_stars_decide_whether_a_review_is_negative(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    """The author's own verdict: a one-star "fine I guess" is a complaint, a five-star "I never
    thought I would stop being angry" is not, a German one-star review (a language the analyzer
    does not read) is negative; a comment, with no stars, is what its words say."""
    at = START - timedelta(minutes=5)
    platforms.items["appstore"] += [
        Review(500, at, "The app is fine I guess.", stars=1),
        Review(501, at, "I never thought I would stop being angry at an airline app.", stars=5),
        Review(502, at, "It used to be terrible and slow, a total disaster.", stars=3),
    ]
    platforms.items["trustpilot"] += [
        Review(500, at, "Paket nie angekommen, keine Antwort vom Support.", stars=1),
        Review(501, at, "Was about to cancel after the outage, glad I didn't.", stars=4),
    ]
    platforms.items["youtube"] += [
        Review(500, at, "I never thought I would stop being angry at an airline app."),
    ]

    with _bot(database_url, clock, playbook) as bot:
        assert all(r.ok for r in poll_once(bot).values())
        app, trustpilot, youtube = (_labels(bot, s) for s in ("appstore", "trustpilot", "youtube"))

    assert app["The app is fine I guess."] == "negative"  # was positive: the words alone
    assert app["I never thought I would stop being angry at an airline app."] == "neutral"
    assert app["It used to be terrible and slow, a total disaster."] == "negative"  # 3: the text
    assert trustpilot["Paket nie angekommen, keine Antwort vom Support."] == "negative"
    assert trustpilot["Was about to cancel after the outage, glad I didn't."] == "neutral"
    assert youtube["I never thought I would stop being angry at an airline app."] == "negative"


def test_apple_reviews_through_a_plain_rss_source_are_judged_by_their_stars(
    database_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    """Apple's customer-reviews feed in XML, polled as `type = "rss"`: the stars were lost, so
    a one-star "fine I guess" was stored as its words say (positive); now as `appstore` does."""
    body = (Path(__file__).parents[1] / "sources/fixtures/appstore_reviews.xml").read_bytes()

    class Feed(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serving(Feed) as base:
        playbook = tmp_path / "crisisbot.toml"
        feed = f"{base}/gb/rss/customerreviews/id={APP}/sortby=mostrecent/xml"
        playbook.write_text(
            BRANDS + f'[[sources]]\ntype = "rss"\nfeed = "{feed}"\nbrand = "Acme"\n',
            encoding="utf-8",
        )
        with _bot(database_url, clock, playbook) as bot:
            assert all(r.ok for r in poll_once(bot).values())
            labels = _labels(bot, "rss")

    assert labels["The app is fine I guess."] == "negative"  # 1 star
    assert labels["I never thought I would stop being angry at an airline app."] == "neutral"
    assert labels["It used to be terrible and slow, a total disaster."] == "negative"  # the words


def test_a_flood_on_a_source_that_had_nothing_yet_is_taken_whole(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    """A new video, a storefront or business unit nobody reviewed yet: the first poll finds
    nothing. When a storm then brings more than a page before the next poll, that poll pages on
    to all of it: before, with no cursor stored it took the latest page as a first poll does,
    and the rest (60 App Store reviews, 10 reviews and comments) were never stored."""
    platforms.items = {"appstore": [], "trustpilot": [], "youtube": []}
    with _bot(database_url, clock, playbook) as bot:
        first = poll_once(bot)
        assert all(r.ok and r.new == 0 for r in first.values()), first

    _burst(platforms, START, 110)  # more than a page on each, within the next hour
    platforms.horizon = START + timedelta(hours=1)
    clock.advance(hours=1)
    with _bot(database_url, clock, playbook) as bot:  # a new process: from what is stored
        second = poll_once(bot)
        assert all(r.ok for r in second.values()), second
        assert _per_source(bot) == {"appstore": 110, "trustpilot": 110, "youtube": 110}

    clock.advance(minutes=10)
    with _bot(database_url, clock, playbook) as bot:  # and nothing twice
        assert all(r.ok and r.new == 0 for r in poll_once(bot).values())


# -- a pushed or imported record's `rating` ---------------------------------------------------

# The reviews of test_the_stars_decide_whether_a_review_is_negative, with their stars.
REVIEWS = [
    ("The app is fine I guess.", 1),  # positive by its words: a complaint by its stars
    ("I never thought I would stop being angry at an airline app.", 5),  # negative words
    ("It used to be terrible and slow, a total disaster.", 3),  # 3: the words decide
    ("Paket nie angekommen, keine Antwort vom Support.", 1),  # a language not read: the stars
    ("Was about to cancel after the outage, glad I didn't.", 4),
]


def _pushed(n: int, text: str, source: str, **fields: Any) -> dict[str, Any]:
    at = START - timedelta(minutes=5)
    return {"id": f"r{n}", "source": source, "text": text, "created_at": at.isoformat(), **fields}


def _verdicts(database_url: str, clock: ManualClock, playbook: Path) -> dict[str, dict[str, Any]]:
    """Each source's stored (label, polarity, language), by text."""
    with _bot(database_url, clock, playbook) as bot, bot.transaction() as session:
        rows = session.execute(
            select(Mention.source, Mention.text, Mention.label, Mention.polarity, Mention.language)
        ).all()
    found: dict[str, dict[str, Any]] = {}
    for source, text, label, polarity, language in rows:
        found.setdefault(source, {})[text] = (label, polarity, language)
    return found


def test_a_pushed_or_imported_rating_decides_as_a_reviews_stars_do(
    database_url: str,
    clock: ManualClock,
    platforms: Platforms,
    playbook: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same reviews polled from the App Store and Trustpilot, pushed, and imported as JSONL
    and CSV are stored with the same label and polarity; without their stars, the words alone
    would have judged two of them the other way."""
    at = START - timedelta(minutes=5)
    for n, (text, stars) in enumerate(REVIEWS, start=500):
        platforms.items["appstore"].append(Review(n, at, text, stars=stars))
        platforms.items["trustpilot"].append(Review(n, at, text, stars=stars))
    with _bot(database_url, clock, playbook) as bot:
        results = poll_once(bot)
    assert results["app"].ok and results["trustpilot"].ok
    # A connector's mention is the review's title and text: the records carry the same text.
    texts = [(f"Acme\n{text}", stars) for text, stars in REVIEWS]

    stack = start_stack(database_url, clock=clock)
    try:
        pushed = [_pushed(n, t, "webhook", rating=s) for n, (t, s) in enumerate(texts)]
        pushed += [_pushed(n + 10, t, "webhook-no-stars") for n, (t, _) in enumerate(texts)]
        response = stack.push(pushed)
        assert response.json() == {"ok": True, "received": 10, "new": 10}
    finally:
        stack.stop()

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CRISIS_CONFIG", str(playbook))
    jsonl = tmp_path / "reviews.jsonl"
    # JSON's 4.0 is a whole number too (what a spreadsheet's export may write)
    records = [_pushed(n, t, "import-jsonl", rating=float(s)) for n, (t, s) in enumerate(texts)]
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main(["ingest", str(jsonl)]) == 0
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["id", "source", "text", "created_at", "rating"])
    writer.writeheader()
    writer.writerows(_pushed(n, t, "import-csv", rating=s) for n, (t, s) in enumerate(texts))
    (tmp_path / "reviews.csv").write_text(out.getvalue(), encoding="utf-8")
    assert main(["ingest", str(tmp_path / "reviews.csv")]) == 0

    stored = _verdicts(database_url, clock, playbook)
    polled = {t: stored["appstore"][t] for t, _ in texts}
    assert {t: stored["trustpilot"][t] for t, _ in texts} == polled
    for path in ("webhook", "import-jsonl", "import-csv"):
        assert stored[path] == polled, path
    labels = [polled[t][0] for t, _ in texts]
    assert labels == ["negative", "neutral", "negative", "negative", "neutral"]
    unrated = [stored["webhook-no-stars"][t][0] for t, _ in texts]
    assert unrated[:2] == ["positive", "negative"]  # the words alone: the stars changed both


# -- a source stopped for good: why, and what to do --------------------------------------------


def _google(code: int, reason: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "errors": [{"reason": reason}]}}


def _channel_posts(bot: Crisisbot) -> dict[str, str]:
    """The crisis channel's notices about sources, by source name."""
    with bot.transaction() as session:
        rows = session.scalars(select(Outbox).where(Outbox.kind == "channel_post"))
        return {r.payload["text"].split("*")[1]: r.payload["text"] for r in rows}


# What the team reads when each review source stops for good, in each language: the source, the
# reason in plain words, the playbook key or environment variable to fix, and how to retry.
STOPS: dict[str, dict[str, list[str]]] = {
    "en": {
        "app": [
            ":warning: Mention source *app* has stopped working (1 failure in a row): App Store"
            " knows nothing by `app_id` 1000000001 and `country` gb: is it mistyped, or was it"
            " removed?\nTo fix: correct `app_id` and `country` in this source's `[[sources]]`"
            " entry in crisisbot.toml, then restart the worker: a changed entry is polled at"
            " once.\nDetails: appstore: Apple's feed has no reviews page for app 1000000001",
        ],
        "trustpilot": [
            ": Trustpilot refused the API key.\nTo fix: set a valid key in the environment"
            " variable `TRUSTPILOT_API_KEY` where the worker runs, then restart the worker;"
            " `crisisbot poll --force` (in that environment) tries the source at once, or it is"
            " tried again at 2025-03-15 02:00 UTC.\nDetails: trustpilot: /tp/v1/business-units/",
        ],
        "youtube": [
            ": Comments are turned off on the video, so YouTube lists none.\nTo fix: turn the"
            " comments back on in YouTube Studio and run `crisisbot poll --force` (or it is"
            " tried again at 2025-03-15 02:00 UTC); or watch another video or channel: change"
            " `channel_id` in crisisbot.toml and restart the worker.\nDetails: youtube:",
        ],
    },
    "bg": {
        "app": [
            ":warning: Източникът на споменавания *app* спря да работи (1 неуспех подред): App"
            " Store не познава `app_id` 1000000001 и `country` gb: грешно изписано ли е, или е"
            " премахнато?\nКак да се поправи: коригирайте `app_id` и `country` в записа"
            " `[[sources]]` на този източник в crisisbot.toml, после рестартирайте работния"
            " процес (worker): променен запис се проверява веднага.\nПодробности: appstore:",
        ],
        "trustpilot": [
            ": Trustpilot отхвърли API ключа.\nКак да се поправи: задайте валиден ключ в"
            " променливата на средата `TRUSTPILOT_API_KEY` там, където работи работният процес"
            " (worker), и го рестартирайте; `crisisbot poll --force` (в същата среда)"
            " проверява източника веднага, иначе следващата проверка е в 15.03.2025 04:00 EET.",
        ],
        "youtube": [
            ": Коментарите под видеото са изключени, затова YouTube не връща нито един.\nКак да"
            " се поправи: включете отново коментарите в YouTube Studio и пуснете `crisisbot poll"
            " --force` (иначе следващата проверка е в 15.03.2025 04:00 EET); или"
            " следете друго видео или канал: променете `channel_id` в crisisbot.toml",
        ],
    },
}


@pytest.mark.parametrize("locale", ["en", "bg"])
def test_a_stopped_review_source_says_why_and_what_to_fix_in_the_teams_language(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path, locale: str
) -> None:
    """Before, every permanent stop ended with the same line, "until its configuration
    (credentials, query or address) is fixed": no App Store source has credentials or a query,
    the key's variable went unnamed, and nothing said how to have it tried again."""
    if locale == "bg":
        zone = 'locale = "bg"\ntimezone = "Europe/Sofia"\n'
        playbook.write_text(zone + playbook.read_text(encoding="utf-8"), encoding="utf-8")
    platforms.faults["apple"].append(Fault(404, b"<html>Not Found</html>"))
    disabled = _google(403, "commentsDisabled", "The video has disabled comments.")
    platforms.faults["yt"].append(Fault(403, disabled))

    with _bot(database_url, clock, playbook, TRUSTPILOT_API_KEY="revoked") as bot:
        results = poll_once(bot)
        posts = _channel_posts(bot)

    assert set(posts) == {"app", "trustpilot", "youtube"}
    for name, parts in STOPS[locale].items():
        for part in parts:
            assert part in posts[name], (name, posts[name])
    # `crisisbot poll` says it too, in English (terminal messages stay English).
    assert results["trustpilot"].advice == (
        "Trustpilot refused the API key. To fix: set a valid key in the environment variable"
        " `TRUSTPILOT_API_KEY` where the worker runs, then restart the worker; `crisisbot poll"
        " --force` (in that environment) tries the source at once, or it is tried again at"
        " 2025-03-15 02:00 UTC."
    )


def test_an_unknown_business_unit_or_channel_names_the_key_to_correct(
    database_url: str, clock: ManualClock, platforms: Platforms, playbook: Path
) -> None:
    platforms.faults["tp"].append(Fault(404, {"message": "Not Found"}))
    gone = _google(404, "channelNotFound", "The channel could not be found.")
    platforms.faults["yt"].append(Fault(404, gone))

    with _bot(database_url, clock, playbook) as bot:
        poll_once(bot)
        posts = _channel_posts(bot)

    assert set(posts) == {"trustpilot", "youtube"}
    assert (
        ": Trustpilot knows nothing by `business_unit_id` 46d6a890000064000500e0c3: is it"
        " mistyped, or was it removed?\nTo fix: correct `business_unit_id` in this source's"
        " `[[sources]]` entry in crisisbot.toml, then restart the worker"
    ) in posts["trustpilot"]
    assert (
        ": YouTube knows nothing by `channel_id` UCacmeAirlinesOfficial00: is it mistyped, or"
        " was it removed?\nTo fix: correct `channel_id` in this source's"
    ) in posts["youtube"]


def test_the_home_tab_and_crisis_sources_say_which_variable_to_set(
    polling_stack: Stack, platforms: Platforms, clock: ManualClock
) -> None:
    """The stack's environment has no API keys: Trustpilot and YouTube stop, each naming the
    variable its playbook entry names; once it works again, neither says so any more."""
    stack = polling_stack
    poll_once(stack.bot)
    home = [b["text"]["text"] for b in _open_home(stack, "U0CAROL")["blocks"] if "text" in b]
    tp = next(t for t in home if "*trustpilot*" in t)
    assert tp.startswith(":warning: Mention source *trustpilot* has never worked yet")
    assert tp.endswith(
        "\nThe environment variable `TRUSTPILOT_API_KEY` is not set, so the source has no API"
        " key. To fix: set a valid key in the environment variable `TRUSTPILOT_API_KEY` where"
        " the worker runs, then restart the worker; `crisisbot poll --force` (in that"
        " environment) tries the source at once, or it is tried again at 2025-03-15 02:00 UTC."
    )
    assert "`YOUTUBE_API_KEY` is not set" in next(t for t in home if "*youtube*" in t)

    lines = sources_reply(stack)["text"].splitlines()
    at = lines.index(next(line for line in lines if line.startswith("• *trustpilot*")))
    assert lines[at + 1].startswith("    The environment variable `TRUSTPILOT_API_KEY` is not")
    assert not any("To fix" in line for line in lines if "*app*" in line)

    stack.bot.settings = dataclasses.replace(stack.bot.settings, extra=ENV)
    clock.advance(hours=7)
    assert all(r.ok for r in poll_once(stack.bot).values())
    with stack.bot.transaction() as session:
        assert all("stop" not in (s.info or {}) for s in session.scalars(select(SourceState)))
