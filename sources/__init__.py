"""Mention sources: one module per platform, looked up by type name and imported on first use.

========== ================ ===================================== ==================================
type       required options credentials (keys of `credentials`)   notes
========== ================ ===================================== ==================================
appstore   app_id           none                                  Apple's customer-reviews feed
                                                                  (JSON), `country` storefront
                                                                  (default us); stars in `extra`
bluesky    query            handle, app_password (optional, as a  public AppView first; logs in
                            pair)                                 when it refuses anonymous search
hackernews query            none                                  Algolia HN, stories + comments
mastodon   query            access_token (optional)               `#tag` reads the tag timeline;
                                                                  other queries search (most
                                                                  servers want a token for that)
reddit     query            none                                  public `/search.json`, sort=new
rss        feed             none                                  RSS 2.0, RSS 1.0 or Atom (Google
                                                                  Alerts); `feed` is the http(s)
                                                                  address
trustpilot business_unit_id api_key (required)                    a business unit's reviews, newest
                                                                  first; stars in `extra`;
                                                                  `language` (optional) keeps
                                                                  those in one language
x          query            bearer_token (required)               X API v2 recent search
youtube    channel_id or    api_key (required)                    commentThreads.list: top-level
           video_id                                               comments and their replies
                                                                  (comments.list); `search_terms`
                                                                  (optional) narrows them
========== ================ ===================================== ==================================

Every type also takes `base_url` (self-hosted instances, tests) and `brand` (stamped on each
mention). `credentials` holds resolved secret *values* keyed by role, never environment names.
`OPTIONS` lists the options each type takes, `REQUIRED` those it cannot work without, `ONE_OF`
the sets of which it needs exactly one; `option_problem` checks their form (an id that goes into
an address path must not carry a `/`), for `create_source` and the playbook alike.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from sources.base import FetchResult, Mention, RateLimited, Source, SourceError

__all__ = [
    "CREDENTIAL_KEYS",
    "ONE_OF",
    "OPTIONS",
    "REQUIRED",
    "REQUIRED_CREDENTIALS",
    "SOURCE_TYPES",
    "FetchResult",
    "Mention",
    "RateLimited",
    "Source",
    "SourceError",
    "create_source",
    "option_problem",
]

SOURCE_TYPES: dict[str, str] = {
    "appstore": "sources.appstore:AppStoreSource",
    "bluesky": "sources.bluesky:BlueskySource",
    "hackernews": "sources.hackernews:HackerNewsSource",
    "mastodon": "sources.mastodon:MastodonSource",
    "reddit": "sources.reddit:RedditSource",
    "rss": "sources.rss:FeedSource",
    "trustpilot": "sources.trustpilot:TrustpilotSource",
    "x": "sources.x:XSource",
    "youtube": "sources.youtube:YouTubeSource",
}

# The options each type takes (besides `base_url` and `brand`), in the order a default source
# name lists them.
OPTIONS: dict[str, tuple[str, ...]] = {
    "appstore": ("app_id", "country"),
    "bluesky": ("query",),
    "hackernews": ("query",),
    "mastodon": ("query",),
    "reddit": ("query",),
    "rss": ("feed",),
    "trustpilot": ("business_unit_id", "language"),
    "x": ("query",),
    "youtube": ("channel_id", "video_id", "search_terms"),
}

# Options a type cannot work without.
REQUIRED: dict[str, tuple[str, ...]] = {
    "appstore": ("app_id",),
    "bluesky": ("query",),
    "hackernews": ("query",),
    "mastodon": ("query",),
    "reddit": ("query",),
    "rss": ("feed",),
    "trustpilot": ("business_unit_id",),
    "x": ("query",),
    "youtube": (),
}

# Options of which a type needs exactly one (YouTube's API takes one filter per request).
ONE_OF: dict[str, tuple[str, ...]] = {"youtube": ("channel_id", "video_id")}

# Credential roles a type accepts, and the ones it cannot work without.
CREDENTIAL_KEYS: dict[str, tuple[str, ...]] = {
    "appstore": (),
    "bluesky": ("handle", "app_password"),
    "hackernews": (),
    "mastodon": ("access_token",),
    "reddit": (),
    "rss": (),
    "trustpilot": ("api_key",),
    "x": ("bearer_token",),
    "youtube": ("api_key",),
}
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "appstore": (),
    "bluesky": (),
    "hackernews": (),
    "mastodon": (),
    "reddit": (),
    "rss": (),
    "trustpilot": ("api_key",),
    "x": ("bearer_token",),
    "youtube": ("api_key",),
}

# The form of the options that name something (they go into an address, as a path segment or a
# parameter): what a value must match, and what to say when it does not.
_FORMS: dict[str, tuple[re.Pattern[str], str]] = {
    "app_id": (
        re.compile(r"[0-9]+"),
        "must be the app's number, as in its App Store address (…/id284882215 → 284882215)",
    ),
    "country": (
        re.compile(r"[A-Za-z]{2}"),
        "must be a two-letter storefront country code such as us, gb or bg",
    ),
    "business_unit_id": (
        re.compile(r"[A-Za-z0-9]+"),
        "must be the business unit's ID (letters and digits; Trustpilot's"
        " /v1/business-units/find gives it for a domain)",
    ),
    "language": (  # Trustpilot's filter: "Filter reviews by language (ISO 639-1 code)"
        re.compile(r"[A-Za-z]{2}"),
        "must be a two-letter ISO 639-1 language code such as en or bg (Trustpilot's filter"
        " lists the reviews written in that language)",
    ),
    "channel_id": (
        re.compile(r"UC[A-Za-z0-9_-]{22}"),
        "must be the channel's ID (UC followed by 22 characters), not its @handle or address",
    ),
    "video_id": (
        re.compile(r"[A-Za-z0-9_-]{11}"),
        "must be the video's 11-character ID (the v= of its watch address), not its address",
    ),
}


def option_problem(type: str, options: Mapping[str, str | None]) -> tuple[str, str] | None:
    """What is wrong with the options `type` takes, as (option, problem), or None. Checks their
    count (`ONE_OF`) and form; required ones and unknown types are the caller's to check."""
    given = {name: options.get(name) for name in OPTIONS.get(type, ())}
    one_of = ONE_OF.get(type, ())
    chosen = [name for name in one_of if given.get(name)]
    if one_of and not chosen:
        return one_of[0], f"or {' or '.join(one_of[1:])} is required"
    if len(chosen) > 1:
        return chosen[1], f"cannot be given with {chosen[0]} (one of {' or '.join(one_of)})"
    for name, value in given.items():
        form = _FORMS.get(name)
        if value and form is not None and not form[0].fullmatch(value.strip()):
            return name, f"{form[1]}, not {value!r}"
    return None


def create_source(
    type: str,
    *,
    client: httpx.Client,
    brand: str | None,
    query: str | None = None,
    feed: str | None = None,
    base_url: str | None = None,
    credentials: Mapping[str, str] | None = None,
    timeout: float | None = None,
    clock: Callable[[], datetime] | None = None,
    **options: str | None,
) -> Source:
    """Build the connector for `type`; ValueError naming what is wrong with the configuration.
    `clock`: the bot's, so a connector's rate-limit pause and the stored backoff agree on time.
    `options`: the other options a type takes (`OPTIONS`); those it does not take are ignored."""
    if type not in SOURCE_TYPES:
        raise ValueError(f"unknown source type {type!r}; known: {', '.join(SOURCE_TYPES)}")
    credentials = dict(credentials or {})
    given = {"query": query, "feed": feed, **options}
    missing = [name for name in REQUIRED[type] if not given.get(name)]
    if missing:
        raise ValueError(f"source type {type!r} needs {' and '.join(missing)}")
    problem = option_problem(type, given)
    if problem is not None:
        raise ValueError(f"source type {type!r}: {problem[0]} {problem[1]}")
    unknown = sorted(set(credentials) - set(CREDENTIAL_KEYS[type]))
    if unknown:
        raise ValueError(f"source type {type!r} takes no credential {', '.join(unknown)}")
    absent = [key for key in REQUIRED_CREDENTIALS[type] if not credentials.get(key)]
    if type == "bluesky" and len(credentials) == 1:  # a handle without its password, or vice versa
        absent = [key for key in CREDENTIAL_KEYS[type] if key not in credentials]
    if absent:
        raise ValueError(f"source type {type!r} needs credential {', '.join(absent)}")
    kwargs: dict[str, Any] = {"client": client, "brand": brand, "base_url": base_url}
    kwargs.update({name: given[name] for name in OPTIONS[type] if given.get(name)})
    kwargs.update(credentials)
    if timeout is not None:
        kwargs["timeout"] = timeout
    if clock is not None:
        kwargs["clock"] = clock
    module_name, _, class_name = SOURCE_TYPES[type].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    source: Source = cls(**kwargs)
    return source
