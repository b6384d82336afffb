"""What the team is told about a source that stopped for good: why, in plain words in the team's
language, and what to do (which playbook key or environment variable, and how to try it again).

A permanent failure stores its `Stop` on the source's state row (`source_state.info["stop"]`),
so the channel's notice, the Home tab, `/crisis sources` and `crisisbot poll` say the same.

How a fix reaches the bot: the worker reads the playbook and its environment when it starts. A
changed `[[sources]]` entry is polled at once after a restart (its backoff was about the old
entry); a fixed environment variable, or a platform setting (YouTube comments turned back on),
leaves the entry as it was, so its 6-hour backoff holds unless `crisisbot poll --force` (run in
the same environment) tries it at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core import i18n
from bot.core.config import Config, SourceConfig
from bot.core.i18n import _
from bot.core.text import quote
from sources import CREDENTIAL_KEYS, OPTIONS
from sources.base import CAUSES, COMMENTS_DISABLED, KEY_REFUSED, NOT_FOUND, SourceError

if TYPE_CHECKING:
    from models import SourceState

KEY_UNSET = "key_unset"  # a credential's environment variable is not set (no request made)
PLATFORMS = {  # proper names: the same in every language
    "appstore": "App Store",
    "bluesky": "Bluesky",
    "hackernews": "Hacker News",
    "mastodon": "Mastodon",
    "reddit": "Reddit",
    "rss": "RSS",
    "trustpilot": "Trustpilot",
    "x": "X",
    "youtube": "YouTube",
}


@dataclass(frozen=True, slots=True)
class Stop:
    """Why a source stopped: `cause` (sources.base.CAUSES or KEY_UNSET; None: the platform's
    message is all we know) and the options or credential roles it is about."""

    cause: str | None = None
    keys: tuple[str, ...] = ()

    @classmethod
    def of(cls, exc: SourceError) -> Stop:
        return cls(exc.cause, exc.keys) if exc.cause in CAUSES else cls()

    @classmethod
    def load(cls, info: dict[str, Any] | None) -> Stop | None:
        stop = (info or {}).get("stop")
        if not isinstance(stop, dict):
            return None
        keys = stop.get("keys")
        cause = stop.get("cause")
        return cls(
            cause if isinstance(cause, str) else None,
            tuple(k for k in keys if isinstance(k, str)) if isinstance(keys, list) else (),
        )

    def dump(self) -> dict[str, Any]:
        return {"cause": self.cause, "keys": list(self.keys)}


def reason(source: SourceConfig, stop: Stop) -> str | None:
    """Why it stopped, in plain words; None when only the platform's message says it."""
    platform = PLATFORMS.get(source.type, source.type)
    if stop.cause == KEY_REFUSED:
        return _("{platform} refused the API key.", platform=platform)
    if stop.cause == KEY_UNSET:
        return _(
            "The environment variable {env} is not set, so the source has no API key.",
            env=_envs(source, stop.keys),
        )
    if stop.cause == NOT_FOUND:
        return _(
            "{platform} knows nothing by {what}: is it mistyped, or was it removed?",
            platform=platform,
            what=_given(source, stop.keys),
        )
    if stop.cause == COMMENTS_DISABLED:
        return _("Comments are turned off on the video, so YouTube lists none.")
    return None


def todo(source: SourceConfig, stop: Stop, *, until: datetime | None, playbook: str) -> str:
    """What to do, naming the key or variable to fix and how to have it tried again."""
    at = i18n.when(until)
    if stop.cause in (KEY_REFUSED, KEY_UNSET):
        return _(
            "To fix: set a valid key in the environment variable {env} where the worker runs,"
            " then restart the worker; `crisisbot poll --force` (in that environment) tries"
            " the source at once, or it is tried again at {at}.",
            env=_envs(source, stop.keys),
            at=at,
        )
    if stop.cause == NOT_FOUND:
        return _(
            "To fix: correct {keys} in this source's `[[sources]]` entry in {playbook}, then"
            " restart the worker: a changed entry is polled at once.",
            keys=_keys(stop.keys),
            playbook=quote(playbook, 200),
        )
    if stop.cause == COMMENTS_DISABLED:
        return _(
            "To fix: turn the comments back on in YouTube Studio and run `crisisbot poll"
            " --force` (or it is tried again at {at}); or watch another video or channel:"
            " change {keys} in {playbook} and restart the worker.",
            keys=_keys(stop.keys),
            playbook=quote(playbook, 200),
            at=at,
        )
    options = ", ".join(f"`{o}`" for o in (*OPTIONS.get(source.type, ()), "base_url"))
    if not CREDENTIAL_KEYS.get(source.type):  # the App Store's feed, RSS: no key to check
        return _(
            "To fix: check its entry in {playbook} ({keys}), then restart the worker;"
            " `crisisbot poll --force` tries it at once, or it is tried again at {at}.",
            playbook=quote(playbook, 200),
            keys=options,
            at=at,
        )
    return _(
        "To fix: check its entry in {playbook} ({keys}) and the environment variables its"
        " `credentials` name, then restart the worker; `crisisbot poll --force` tries it at"
        " once, or it is tried again at {at}.",
        playbook=quote(playbook, 200),
        keys=options,
        at=at,
    )


def advice(source: SourceConfig, stop: Stop, *, until: datetime | None, playbook: str) -> str:
    """Why (when known) and what to do, in one paragraph."""
    told = reason(source, stop)
    what = todo(source, stop, until=until, playbook=playbook)
    return f"{told} {what}" if told else what


def note(source: SourceConfig, state_info: dict[str, Any] | None, *, until: datetime | None,
         playbook: str) -> str | None:  # fmt: skip
    """Why and what to do, for a source whose state row holds a stop; None for none."""
    stop = Stop.load(state_info)
    return advice(source, stop, until=until, playbook=playbook) if stop is not None else None


def state_note(config: Config, state: SourceState) -> str | None:
    """`note` for a source's state row (the Home tab, `/crisis sources`); None when the row
    holds no stop or its source is no longer in the playbook."""
    source = next((s for s in config.sources if s.name == state.name), None)
    if source is None:
        return None
    return note(source, state.info, until=state.backoff_until, playbook=playbook_name(config))


def playbook_name(config: Config) -> str:
    """The playbook's file name, as a notice names it (its folder is the deployment's)."""
    return Path(config.path).name if config.path != "(defaults)" else "crisisbot.toml"


def _keys(keys: tuple[str, ...]) -> str:
    return _(" and ").join(f"`{k}`" for k in keys) or "`[[sources]]`"


def _envs(source: SourceConfig, roles: tuple[str, ...]) -> str:
    """The variables the roles name (`TRUSTPILOT_API_KEY`), as the playbook spells them."""
    named = [source.credentials[r] for r in roles if r in source.credentials]
    return _(" and ").join(f"`{quote(n, 100)}`" for n in named) or "`credentials`"


def _given(source: SourceConfig, keys: tuple[str, ...]) -> str:
    """`app_id` 284882215 and `country` gb: the options as the source gives them."""
    given = {**DEFAULTS.get(source.type, {}), **source.options}
    return _(" and ").join(
        f"`{k}` {quote(given[k], 100)}" if given.get(k) else f"`{k}`" for k in keys
    )


DEFAULTS = {"appstore": {"country": "us"}}  # what a connector takes for an option not given
