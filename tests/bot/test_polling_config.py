"""The playbook's `[[sources]]` are checked against the connector registry when it loads;
credentials are environment variable names, read when the source is polled; the worker gets one
interval job per source, and on PostgreSQL one worker at a time polls a given source."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.app import Crisisbot
from bot.core.clock import ManualClock
from bot.core.config import Config, ConfigError, SourceConfig, parse_config
from bot.core.settings import Settings
from bot.intake.polling import Poller, http_client
from bot.jobs import create_scheduler, lock_key, poll_source


def _sources(*entries: dict[str, object]) -> tuple[SourceConfig, ...]:
    return parse_config({"sources": list(entries)}, "crisisbot.toml").sources


def test_a_valid_source_list_loads() -> None:
    sources = _sources(
        {"type": "rss", "feed": "https://example.com/feed.xml"},
        {"type": "x", "query": "acme", "credentials": {"bearer_token": "X_BEARER"}},
        {"type": "bluesky", "query": "acme", "interval": 60},
    )
    assert [s.name for s in sources] == [
        "rss:https://example.com/feed.xml",
        "x:acme",
        "bluesky:acme",
    ]
    assert sources[1].credentials == {"bearer_token": "X_BEARER"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"type": "reddit"}, "sources[0].query is required for type 'reddit'"),
        ({"type": "rss", "query": "acme"}, "sources[0].feed is required for type 'rss'"),
        ({"type": "myspace", "query": "acme"}, "sources[0].type must be one of"),
        ({"type": "x", "query": "acme"}, "sources[0].credentials.bearer_token is required"),
        (
            {"type": "reddit", "query": "acme", "credentials": {"token": "T"}},
            "type 'reddit' takes no such credential (known: none)",
        ),
        (
            {"type": "bluesky", "query": "acme", "credentials": {"handle": "BSKY_HANDLE"}},
            "sources[0].credentials.app_password is required",
        ),
        (
            {"type": "x", "query": "acme", "credentials": {"bearer_token": "xoxb-secret value"}},
            "must name an environment variable",
        ),
        ({"type": "hackernews", "query": "acme", "interval": 0}, "interval must be a positive"),
        ({"type": "appstore"}, "sources[0].app_id is required for type 'appstore'"),
        ({"type": "appstore", "app_id": " "}, "sources[0].app_id must not be empty"),
        (
            {"type": "appstore", "app_id": "id284882215"},
            "sources[0].app_id must be the app's number, as in its App Store address",
        ),
        (
            {"type": "appstore", "app_id": 284882215, "country": "usa"},
            "sources[0].country must be a two-letter storefront country code",
        ),
        ({"type": "trustpilot", "business_unit_id": "46d6"}, "credentials.api_key is required"),
        (
            {"type": "youtube", "credentials": {"api_key": "YT_KEY"}},
            "sources[0].channel_id or video_id is required",
        ),
        (
            {
                "type": "youtube",
                "channel_id": "UCacmeAirlinesOfficial00",
                "video_id": "dQw4w9WgXcQ",
                "credentials": {"api_key": "YT_KEY"},
            },
            "sources[0].video_id cannot be given with channel_id",
        ),
        (
            {"type": "youtube", "channel_id": "@acmeairlines", "credentials": {"api_key": "YT"}},
            "sources[0].channel_id must be the channel's ID (UC followed by 22 characters), not"
            " its @handle or address, not '@acmeairlines'",
        ),
        (
            {"type": "reddit", "query": "acme", "app_id": "284882215"},
            "sources[0].app_id: type 'reddit' takes no such option (its options: query)",
        ),
        ({"type": "appstore", "app_id": ["1"]}, "sources[0].app_id must be a"),
        (
            {"type": "trustpilot", "business_unit_id": "46d6", "language": "Bulgarian"},
            "sources[0].language must be a two-letter ISO 639-1 language code such as en or bg"
            " (Trustpilot's filter lists the reviews written in that language), not 'Bulgarian'",
        ),
        (
            {"type": "appstore", "app_id": "284882215", "language": "bg"},
            "sources[0].language: type 'appstore' takes no such option (its options: app_id,"
            " country)",
        ),
        (
            {"type": "youtube", "query": "acme refund", "credentials": {"api_key": "YT"}},
            "sources[0].query: type 'youtube' takes no such option (its options: channel_id,"
            " video_id, search_terms)",
        ),
    ],
)
def test_a_bad_source_is_refused_naming_the_key(entry: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=r"crisisbot\.toml") as caught:
        _sources(entry)
    assert message in str(caught.value)


def test_review_and_comment_sources_load_with_their_options() -> None:
    """Additive playbook keys: `app_id`, `country`, `business_unit_id`, `language`,
    `channel_id`, `video_id`, `search_terms`, each on the types that take it."""
    sources = _sources(
        {"type": "appstore", "app_id": 284882215, "country": "gb"},  # a number is an app's
        {"type": "appstore", "app_id": "284882215"},
        {
            "type": "trustpilot",
            "business_unit_id": "46d6a890000064000500e0c3",
            "credentials": {"api_key": "TRUSTPILOT_API_KEY"},
        },
        {
            "type": "trustpilot",
            "business_unit_id": "46d6a890000064000500e0c3",
            "language": "bg",  # Trustpilot's documented filter, passed through
            "credentials": {"api_key": "TRUSTPILOT_API_KEY"},
        },
        {
            "type": "youtube",
            "channel_id": "UCacmeAirlinesOfficial00",
            "search_terms": "refund",
            "credentials": {"api_key": "YOUTUBE_API_KEY"},
        },
        {"type": "youtube", "video_id": "dQw4w9WgXcQ", "credentials": {"api_key": "YT"}},
    )

    assert [s.name for s in sources] == [
        "appstore:284882215:gb",
        "appstore:284882215",
        "trustpilot:46d6a890000064000500e0c3",
        "trustpilot:46d6a890000064000500e0c3:bg",  # beside the unit's every-language source
        "youtube:UCacmeAirlinesOfficial00:refund",
        "youtube:dQw4w9WgXcQ",
    ]
    assert sources[0].options == {"app_id": "284882215", "country": "gb"}
    assert sources[3].options == {"business_unit_id": "46d6a890000064000500e0c3", "language": "bg"}
    assert sources[4].options == {
        "channel_id": "UCacmeAirlinesOfficial00",
        "search_terms": "refund",
    }
    assert sources[2].credentials == {"api_key": "TRUSTPILOT_API_KEY"}
    assert all(s.query is None and s.feed is None for s in sources)


def test_credentials_resolve_from_the_environment_at_poll_time() -> None:
    (source,) = _sources({"type": "x", "query": "acme", "credentials": {"bearer_token": "XB"}})
    assert source.resolve_credentials({"XB": " secret "}) == {"bearer_token": "secret"}
    with pytest.raises(ConfigError, match=r"variable XB \(bearer_token\) is not set"):
        source.resolve_credentials({"XB": ""})


def _bot(database_url: str, *sources: SourceConfig) -> Crisisbot:
    return Crisisbot(
        Settings(database_url=database_url),
        config=Config(sources=sources),
        clock=ManualClock(datetime(2025, 3, 14, tzinfo=UTC)),
    )


def test_the_worker_has_one_polling_job_per_source(database_url: str) -> None:
    sources = _sources(
        {"type": "hackernews", "query": "acme", "interval": 60},
        {"type": "rss", "name": "alerts", "feed": "https://example.com/f", "interval": 900},
    )
    with _bot(database_url, *sources) as bot:
        scheduler = create_scheduler(bot)
        jobs = {j.id: j for j in scheduler.get_jobs()}
    assert {"poll:hackernews:acme", "poll:alerts"} <= set(jobs)
    job = jobs["poll:alerts"]
    assert job.trigger.interval.total_seconds() == 900
    assert job.coalesce is True and job.max_instances == 1
    assert job.args[1] is sources[1]


def test_only_one_worker_polls_a_source_at_a_time(database_url: str) -> None:
    (source,) = _sources({"type": "hackernews", "query": "acme", "base_url": "http://127.0.0.1:9"})
    with _bot(database_url, source) as bot, http_client() as client:
        if bot.engine.dialect.name != "postgresql":
            pytest.skip("advisory locks are PostgreSQL's")

        with bot.engine.connect() as other:  # another worker holds this source
            key = lock_key(other, f"poll:{source.name}")
            assert other.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            assert poll_source(Poller(bot, client), source) is None
            other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            other.commit()
        result = poll_source(Poller(bot, client, timeout=0.3), source)
        assert result is not None and result.error  # ran (and found nothing listening)
