"""The behaviour every connector shares, exercised through each JSON connector in turn."""

from __future__ import annotations

import ast
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from sources import http as http_module
from sources.base import RateLimited, SourceError
from sources.bluesky import BlueskySource
from sources.hackernews import HackerNewsSource
from sources.http import HttpSource, parse_reset
from sources.mastodon import MastodonSource
from sources.reddit import RedditSource
from sources.x import XSource
from tests.sources.conftest import CLIENT_TIMEOUT, TIMEOUT_UNDER_TEST, FakePlatform, Reply

NOW = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)

Factory = Callable[[FakePlatform, httpx.Client, float], HttpSource]


def _kw(
    platform: FakePlatform, client: httpx.Client, timeout: float = CLIENT_TIMEOUT
) -> dict[str, Any]:
    return {
        "client": client,
        "brand": "Acme",
        "base_url": platform.base_url,
        "timeout": timeout,
        "clock": lambda: NOW,
    }


# (factory, the path its first request goes to); a factory takes the connector's timeout.
CONNECTORS: dict[str, tuple[Factory, str]] = {
    "bluesky": (
        lambda p, c, t: BlueskySource(query="acme", **_kw(p, c, t)),
        "/app.bsky.feed.searchPosts",
    ),
    "hackernews": (
        lambda p, c, t: HackerNewsSource(query="acme", **_kw(p, c, t)),
        "/search_by_date",
    ),
    "reddit": (lambda p, c, t: RedditSource(query="acme", **_kw(p, c, t)), "/search.json"),
    "mastodon": (
        lambda p, c, t: MastodonSource(query="acme", **_kw(p, c, t)),
        "/api/v2/search",
    ),
    "mastodon-tag": (
        lambda p, c, t: MastodonSource(query="#acme", **_kw(p, c, t)),
        "/api/v1/timelines/tag/acme",
    ),
    "x": (
        lambda p, c, t: XSource(query="acme", bearer_token="t", **_kw(p, c, t)),
        "/tweets/search/recent",
    ),
}


@pytest.fixture(params=sorted(CONNECTORS))
def connector(
    request: pytest.FixtureRequest, platform: FakePlatform, client: httpx.Client
) -> tuple[HttpSource, str]:
    factory, path = CONNECTORS[request.param]
    return factory(platform, client, CLIENT_TIMEOUT), path


@pytest.fixture(params=sorted(CONNECTORS))
def timing_out(
    request: pytest.FixtureRequest, platform: FakePlatform, client: httpx.Client
) -> tuple[HttpSource, str]:
    """A connector on the short timeout the timeout tests measure (`TIMEOUT_UNDER_TEST`)."""
    factory, path = CONNECTORS[request.param]
    return factory(platform, client, TIMEOUT_UNDER_TEST), path


def test_it_raises_rate_limited_with_retry_after_seconds(
    connector: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    source, path = connector
    platform.reply(path, Reply(429, {"error": "slow down"}, {"Retry-After": "37"}))

    with pytest.raises(RateLimited) as caught:
        source.fetch(None)

    assert caught.value.retry_after == 37
    assert not caught.value.permanent


def test_after_a_429_it_waits_without_asking_again(
    connector: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    source, path = connector
    platform.reply(path, Reply(429, "", {"Retry-After": "37"}))
    with pytest.raises(RateLimited):
        source.fetch(None)

    with pytest.raises(RateLimited) as caught:
        source.fetch(None)

    assert caught.value.retry_after == 37  # the test clock stands still
    assert len(platform.requests) == 1
    assert source.retry_after == 37


def test_it_reads_retry_after_as_an_http_date(
    connector: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    source, path = connector
    platform.reply(path, Reply(429, "", {"Retry-After": "Fri, 14 Mar 2025 18:02:00 GMT"}))

    with pytest.raises(RateLimited) as caught:
        source.fetch(None)

    assert caught.value.retry_after == 120


def test_it_falls_back_to_the_reset_header_on_429(
    connector: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    source, path = connector
    reset = str(int(NOW.timestamp()) + 300)  # X sends epoch seconds
    platform.reply(
        path, Reply(429, "", {"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset})
    )

    with pytest.raises(RateLimited) as caught:
        source.fetch(None)

    assert caught.value.retry_after == 300


def test_it_handles_500_as_transient(
    connector: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    source, path = connector
    platform.reply(path, Reply(503, "upstream down"))

    with pytest.raises(SourceError) as caught:
        source.fetch(None)

    assert not caught.value.permanent
    assert "503" in caught.value.message


def test_a_503_with_retry_after_says_when_to_come_back(
    connector: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    source, path = connector
    platform.reply(path, Reply(503, "<html>maintenance</html>", {"Retry-After": "900"}))

    with pytest.raises(SourceError) as caught:
        source.fetch(None)

    assert not caught.value.permanent and not isinstance(caught.value, RateLimited)
    assert caught.value.retry_after == 900
    with pytest.raises(SourceError):
        source.fetch(None)
    assert len(platform.requests) == 1  # not asked again before then


@pytest.mark.parametrize("status", [401, 403, 404])
def test_it_handles_auth_and_missing_as_permanent(
    connector: tuple[HttpSource, str], platform: FakePlatform, status: int
) -> None:
    source, path = connector
    platform.reply(path, Reply(status, {"error": "nope"}))

    with pytest.raises(SourceError) as caught:
        source.fetch(None)

    assert caught.value.permanent


def test_an_unexpected_redirect_is_an_error(
    connector: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    source, path = connector
    platform.reply(path, Reply(302, "", {"Location": "http://portal.example/login"}))

    with pytest.raises(SourceError, match=r"portal\.example"):
        source.fetch(None)


def test_it_times_out_as_transient(
    timing_out: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    source, path = timing_out
    platform.reply(path, Reply(200, {}, delay=TIMEOUT_UNDER_TEST * 3))

    with pytest.raises(SourceError) as caught:
        source.fetch(None)

    assert "timed out" in caught.value.message
    assert not caught.value.permanent


def test_a_server_that_trickles_its_body_times_out_as_a_whole(
    timing_out: tuple[HttpSource, str], platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each byte comes well within the per-read timeout, the body never within the request's.
    monkeypatch.setattr(http_module, "BODY_TIMEOUTS", 1)  # 4 by default: a quicker test
    source, path = timing_out
    platform.reply(path, Reply(200, b" " * 400, trickle=TIMEOUT_UNDER_TEST / 5))
    started = time.monotonic()

    with pytest.raises(SourceError) as caught:
        source.fetch(None)

    # About one timeout (0.5 s); the whole body takes 400 × 0.1 s = 40 s (what it took before
    # the bound). A quarter of that leaves a loaded machine room and still tells them apart.
    assert time.monotonic() - started < 400 * TIMEOUT_UNDER_TEST / 5 / 4
    assert "timed out" in caught.value.message
    assert not caught.value.permanent


@pytest.mark.parametrize("length", [True, False])
def test_a_body_past_the_cap_is_refused_unread(
    connector: tuple[HttpSource, str],
    platform: FakePlatform,
    monkeypatch: pytest.MonkeyPatch,
    length: bool,
) -> None:
    source, path = connector
    monkeypatch.setattr(http_module, "MAX_BODY_BYTES", 10_000)
    platform.reply(path, Reply(200, b'{"pad": "' + b"x" * 50_000 + b'"}', length=length))

    with pytest.raises(SourceError, match="bytes") as caught:
        source.fetch(None)

    assert not caught.value.permanent


def test_it_reports_malformed_json(
    connector: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    source, path = connector
    platform.reply(path, Reply(200, b'{"data": [ {"id": '))

    with pytest.raises(SourceError, match="malformed JSON"):
        source.fetch(None)


def test_an_html_page_with_200_is_named_with_what_it_says(
    connector: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    page = "<html><body><h1>Down for maintenance</h1></body></html>"
    platform.reply(path := connector[1], Reply(200, page, {"Content-Type": "text/html"}))

    with pytest.raises(SourceError) as caught:
        connector[0].fetch(None)

    # was "malformed JSON: Expecting value: line 1 column 1 (char 0)"
    assert caught.value.message.endswith(f"{path} answered with text/html, not JSON: {page}")
    assert not caught.value.permanent


def test_it_names_a_missing_page_field(
    connector: tuple[HttpSource, str], platform: FakePlatform
) -> None:
    source, path = connector
    platform.reply(path, Reply(200, {"unexpected": True}))

    with pytest.raises(SourceError, match="unexpected response shape: "):
        source.fetch(None)


@pytest.mark.parametrize(
    ("value", "wait"), [("inf", 60), ("1e300", 6 * 3600), ("99999999", 6 * 3600)]
)
def test_an_absurd_retry_after_waits_at_most_six_hours(
    connector: tuple[HttpSource, str], platform: FakePlatform, value: str, wait: float
) -> None:
    source, path = connector
    platform.reply(path, Reply(429, "", {"Retry-After": value}))

    with pytest.raises(RateLimited) as caught:
        source.fetch(None)

    assert caught.value.retry_after == wait  # unreadable ("inf"): the default minute


def test_a_refused_connection_is_transient(client: httpx.Client) -> None:
    source = HackerNewsSource(
        query="acme", client=client, brand=None, base_url="http://127.0.0.1:9"
    )

    with pytest.raises(SourceError) as caught:
        source.fetch(None)

    assert not caught.value.permanent


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30", 30.0),  # Retry-After / Reddit: seconds from now
        ("412.5", 412.5),
        (str(int(NOW.timestamp()) + 60), 60.0),  # X: epoch seconds
        ("2025-03-14T18:10:00.527461Z", 600.527461),  # Mastodon: ISO 8601
        ("Fri, 14 Mar 2025 18:00:30 GMT", 30.0),  # Retry-After: HTTP date
        ("2025-03-14T17:00:00Z", 0.0),  # already past
        ("soon", None),
        ("inf", None),  # a number datetime cannot add: was an OverflowError failing the poll
        ("nan", None),
        ("1e300", 6 * 3600.0),
        ("99999999", 6 * 3600.0),  # three years: capped, asked again in 6 hours
        ("Fri, 14 Mar 2125 18:00:30 GMT", 6 * 3600.0),
    ],
)
def test_parse_reset_reads_every_documented_form(value: str, seconds: float | None) -> None:
    result = parse_reset(value, NOW)

    if seconds is None:
        assert result is None
    else:
        assert result == pytest.approx(seconds)


def test_sources_import_nothing_from_the_layers_above() -> None:
    # STYLE §1: imports point handlers → bot → sources, never back.
    package = Path(__file__).resolve().parents[2] / "sources"
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in {"bot", "handlers", "models"}, (module, name)
