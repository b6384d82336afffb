"""Settings from the environment. The variable names are a contract; secrets live only here.

A missing or malformed setting raises `SettingsError`, which the CLI turns into one line naming it
and exit status 2.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///crisisbot.db"

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_APPROVER_ID = re.compile(r"^[UWS][A-Z0-9]{2,}$")  # users (U…, W… on Enterprise Grid), groups (S…)


class SettingsError(Exception):
    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name


@dataclass(frozen=True, slots=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    crisis_channel: str | None = None
    crisis_approvers: tuple[str, ...] = ()
    port: int = 3000
    config_path: Path = Path("crisisbot.toml")
    config_explicit: bool = False  # CRISIS_CONFIG was set: a missing file is then an error
    ingest_token: str | None = None
    sentiment_model: bool = True  # CRISIS_SENTIMENT_MODEL: "off" leaves the lexicon to decide
    log_level: str | None = None  # LOG_LEVEL: every logger's level; None: the CLI's default
    extra: Mapping[str, str] = field(default_factory=dict)  # the rest of the environment

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        get = lambda name: (env.get(name) or "").strip() or None  # noqa: E731
        return cls(
            slack_bot_token=_token(get("SLACK_BOT_TOKEN"), "SLACK_BOT_TOKEN", ("xoxb-", "xoxp-")),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=_token(get("SLACK_APP_TOKEN"), "SLACK_APP_TOKEN", ("xapp-",)),
            slack_api_url=_api_url(get("SLACK_API_URL") or DEFAULT_SLACK_API_URL),
            database_url=_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            crisis_channel=_channel(get("CRISIS_CHANNEL")),
            crisis_approvers=_approvers(get("CRISIS_APPROVERS")),
            port=_port(get("PORT")),
            config_path=Path(get("CRISIS_CONFIG") or "crisisbot.toml"),
            config_explicit=get("CRISIS_CONFIG") is not None,
            ingest_token=get("CRISIS_INGEST_TOKEN"),
            sentiment_model=sentiment_model_setting(env),
            log_level=log_level_setting(env),
            extra=dict(env),
        )

    def require(self, *names: str) -> None:
        """Raise SettingsError for the first of `names` (env var names) that is unset."""
        values = {
            "SLACK_BOT_TOKEN": self.slack_bot_token,
            "SLACK_SIGNING_SECRET": self.slack_signing_secret,
            "SLACK_APP_TOKEN": self.slack_app_token,
            "CRISIS_CHANNEL": self.crisis_channel,
            "CRISIS_INGEST_TOKEN": self.ingest_token,
        }
        for name in names:
            if not values[name]:
                raise SettingsError(name, "is not set")


_SWITCH = {"on": True, "1": True, "true": True, "off": False, "0": False, "false": False}


def sentiment_model_setting(env: Mapping[str, str]) -> bool:
    """CRISIS_SENTIMENT_MODEL: on (default) or off, the trained English and Bulgarian models."""
    value = (env.get("CRISIS_SENTIMENT_MODEL") or "").strip().lower() or "on"
    if value not in _SWITCH:
        raise SettingsError("CRISIS_SENTIMENT_MODEL", f"must be on or off, not {value!r}")
    return _SWITCH[value]


def log_level_setting(env: Mapping[str, str]) -> str | None:
    """LOG_LEVEL: the level for everything (DEBUG, INFO, WARNING, ERROR); None when unset. Read
    before the settings are (the CLI configures logging first), so a function of its own."""
    given = env.get("LOG_LEVEL")
    if not given:
        return None
    level = given.strip().upper()
    if not isinstance(logging.getLevelName(level), int):
        raise SettingsError("LOG_LEVEL", f"must be DEBUG, INFO, WARNING or ERROR, not {given!r}")
    return level


def _token(value: str | None, name: str, prefixes: tuple[str, ...]) -> str | None:
    if value is not None and not value.startswith(prefixes):
        raise SettingsError(name, f"should start with {' or '.join(prefixes)}")
    return value


def _api_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError("SLACK_API_URL", f"is not an http(s) URL: {value!r}")
    return value if value.endswith("/") else value + "/"


def _database_url(value: str) -> str:
    try:
        url = make_url(value)
    except ArgumentError:
        raise SettingsError("DATABASE_URL", "is not a database URL") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError("DATABASE_URL", "must be a sqlite:// or postgresql:// URL")
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        value = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    elif url.drivername == "postgres":
        raise SettingsError("DATABASE_URL", "use postgresql:// (postgres:// is not accepted)")
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        # An in-memory database ends with the command: an import would be lost without a word.
        raise SettingsError("DATABASE_URL", "names no database file (write sqlite:///crisisbot.db)")
    return value


def _channel(value: str | None) -> str | None:
    if value is not None and not _CHANNEL_ID.match(value):
        raise SettingsError(
            "CRISIS_CHANNEL", f"is not a Slack channel ID (like C0123ABCD): {value!r}"
        )
    return value


def _approvers(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    ids = tuple(part.strip() for part in value.split(",") if part.strip())
    for item in ids:
        if not _APPROVER_ID.match(item):
            raise SettingsError(
                "CRISIS_APPROVERS", f"{item!r} is not a Slack user (U…) or user-group (S…) ID"
            )
    return ids


def _port(value: str | None) -> int:
    if value is None:
        return 3000
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError("PORT", f"is not a TCP port number: {value!r}")
    return int(value)
