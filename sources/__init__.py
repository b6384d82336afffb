"""Mention sources: one module per platform, looked up by type name and imported on first use.

========== ================ ===================================== ==================================
type       required options credentials (keys of `credentials`)   notes
========== ================ ===================================== ==================================
bluesky    query            handle, app_password (optional, as a  public AppView first; logs in
                            pair)                                 when it refuses anonymous search
hackernews query            none                                  Algolia HN, stories + comments
mastodon   query            access_token (optional)               `#tag` reads the tag timeline;
                                                                  other queries search (most
                                                                  servers want a token for that)
reddit     query            none                                  public `/search.json`, sort=new
rss        feed             none                                  RSS 2.0 or Atom (Google Alerts);
                                                                  `feed` is the http(s) address
x          query            bearer_token (required)               X API v2 recent search
========== ================ ===================================== ==================================

Every type also takes `base_url` (self-hosted instances, tests) and `brand` (stamped on each
mention). `credentials` holds resolved secret *values* keyed by role, never environment names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from sources.base import FetchResult, Mention, RateLimited, Source, SourceError

__all__ = [
    "CREDENTIAL_KEYS",
    "REQUIRED",
    "REQUIRED_CREDENTIALS",
    "SOURCE_TYPES",
    "FetchResult",
    "Mention",
    "RateLimited",
    "Source",
    "SourceError",
    "create_source",
]

SOURCE_TYPES: dict[str, str] = {
    "bluesky": "sources.bluesky:BlueskySource",
    "hackernews": "sources.hackernews:HackerNewsSource",
    "mastodon": "sources.mastodon:MastodonSource",
    "reddit": "sources.reddit:RedditSource",
    "rss": "sources.rss:FeedSource",
    "x": "sources.x:XSource",
}

# Options (`query`, `feed`) a type cannot work without.
REQUIRED: dict[str, tuple[str, ...]] = {
    "bluesky": ("query",),
    "hackernews": ("query",),
    "mastodon": ("query",),
    "reddit": ("query",),
    "rss": ("feed",),
    "x": ("query",),
}

# Credential roles a type accepts, and the ones it cannot work without.
CREDENTIAL_KEYS: dict[str, tuple[str, ...]] = {
    "bluesky": ("handle", "app_password"),
    "hackernews": (),
    "mastodon": ("access_token",),
    "reddit": (),
    "rss": (),
    "x": ("bearer_token",),
}
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "bluesky": (),
    "hackernews": (),
    "mastodon": (),
    "reddit": (),
    "rss": (),
    "x": ("bearer_token",),
}

_OPTIONS = ("query", "feed")


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
) -> Source:
    """Build the connector for `type`; ValueError naming what is wrong with the configuration.
    `clock`: the bot's, so a connector's rate-limit pause and the stored backoff agree on time."""
    if type not in SOURCE_TYPES:
        raise ValueError(f"unknown source type {type!r}; known: {', '.join(SOURCE_TYPES)}")
    credentials = dict(credentials or {})
    given = {"query": query, "feed": feed}
    missing = [name for name in REQUIRED[type] if not given[name]]
    if missing:
        raise ValueError(f"source type {type!r} needs {' and '.join(missing)}")
    unknown = sorted(set(credentials) - set(CREDENTIAL_KEYS[type]))
    if unknown:
        raise ValueError(f"source type {type!r} takes no credential {', '.join(unknown)}")
    absent = [key for key in REQUIRED_CREDENTIALS[type] if not credentials.get(key)]
    if type == "bluesky" and len(credentials) == 1:  # a handle without its password, or vice versa
        absent = [key for key in CREDENTIAL_KEYS[type] if key not in credentials]
    if absent:
        raise ValueError(f"source type {type!r} needs credential {', '.join(absent)}")
    kwargs: dict[str, Any] = {"client": client, "brand": brand, "base_url": base_url}
    kwargs.update({name: given[name] for name in _OPTIONS if name in REQUIRED[type]})
    kwargs.update(credentials)
    if timeout is not None:
        kwargs["timeout"] = timeout
    if clock is not None:
        kwargs["clock"] = clock
    module_name, _, class_name = SOURCE_TYPES[type].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    source: Source = cls(**kwargs)
    return source
