"""Who sees which clients: an agency's Home tab and Declare form show each person only theirs.

An agency runs many clients from one install, and a client's own people are often in the
workspace (a shared channel, guests). Slack's channel membership says who is who: the members of
the crisis channel (CRISIS_CHANNEL) are the agency's staff and see everything; anyone else sees
the clients (`[[brands]]`) whose `channel` or `updates_channel` they are a member of.

Membership is read with users.conversations (`user=`: the channels one person is in), not
conversations.members (the people in one channel): one paginated call per viewer, whatever the
number of clients (an agency's 100 would be 100 calls), stopping as soon as it finds the crisis
channel or every client channel. Each answer is kept MEMBERSHIP_SECONDS per person, so a courier
refresh of 25 tabs costs no call while they are fresh.

A playbook without brand channels (one team) asks Slack nothing: everyone sees everything.
When Slack cannot say (a missing scope, a rate limit through the retries, Slack down), a
person who is not known to be staff sees no client's incidents (fail closed) and is told why;
the failure is logged once, not at every refresh.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.config import Config
from bot.slack.gateway import SlackError, SlackGateway

logger = logging.getLogger(__name__)

# A minute, as a user group's members are kept for the approvers: someone removed from a
# client's channel stops seeing that client within a minute, and 25 tabs refreshed in a storm
# cost at most 25 calls a minute (users.conversations is Tier 3: 50+ a minute).
MEMBERSHIP_SECONDS = 60.0
# After a failure every viewer fails closed without asking again for this long (or the
# Retry-After Slack gave): 25 refreshes must not each wait out a rate limit.
FAILED_SECONDS = 30.0
# When Slack fails, a read younger than this still stands (it was true minutes ago): a rate
# limit or a Slack outage blanks no tab that was right a moment before. Older, or never read
# (a missing scope from the start): closed.
STALE_SECONDS = 600.0
# What users.conversations needs (public, private channels): named when Slack does not say.
SCOPES = "channels:read,groups:read"
_MAX_KEPT = 1000  # people remembered at once (the oldest forgotten past it)


@dataclass(frozen=True, slots=True)
class Audience:
    """What one person may see. `everything`: the agency's staff, or a one-team install."""

    everything: bool = True
    brands: tuple[str, ...] = ()  # the clients they may see and declare for (playbook order)
    channels: frozenset[str] = frozenset()  # those clients' incident channels
    error: str | None = None  # why Slack could not say (they then see no client at all)
    needed: str | None = None  # missing_scope: the scope the app lacks

    @property
    def failed(self) -> bool:
        return self.error is not None

    def sees(self, channel: str | None) -> bool:
        """Whether an incident whose card is in `channel` is theirs to see."""
        return self.everything or (channel is not None and channel in self.channels)

    def may_declare(self, brand: str) -> bool:
        return self.everything or brand in self.brands


EVERYONE = Audience()


class Audiences:
    """Each person's `Audience`, read from Slack and kept MEMBERSHIP_SECONDS."""

    def __init__(
        self,
        config: Config,
        crisis_channel: str | None,
        gateway: Callable[[], SlackGateway],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._crisis = crisis_channel
        self._gateway = gateway
        self._clock = clock
        # Only an agency's playbook (brands with their own channel) needs to ask at all.
        self.scoped = any(b.channel for b in config.brands)
        clients = {c for b in config.brands for c in (b.channel, b.updates_channel) if c}
        self._among = frozenset(clients | ({crisis_channel} if crisis_channel else set()))
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, Audience]] = {}
        self._down: tuple[float, Audience] | None = None  # until when, and what to show
        self._logged: str | None = None  # the failure last logged

    def of(self, user: str, *, quick: bool = False) -> Audience:
        """The person's audience. `quick`: one short try (a form's trigger, an ack's 3 s)."""
        if not self.scoped:
            return EVERYONE
        if not user:  # users.conversations without `user` would answer the app's own channels
            return Audience(everything=False)
        now = self._clock()
        with self._lock:
            kept = self._kept.get(user)
            if kept is not None and now - kept[0] < MEMBERSHIP_SECONDS:
                return kept[1]
            if self._down is not None and now < self._down[0]:
                return self._stale(kept, now) or self._down[1]
        try:
            channels = self._gateway().member_channels(
                user, self._among, enough=self._crisis, quick=quick
            )
        except SlackError as exc:
            return self._failed(user, exc, now, quick=quick)
        audience = self._audience_of(channels)
        with self._lock:
            self._keep(user, now, audience)
            if self._logged is not None:
                logger.info("users.conversations answers again: the Home tabs show clients")
                self._logged = None
        return audience

    def _audience_of(self, channels: frozenset[str]) -> Audience:
        if self._crisis is not None and self._crisis in channels:
            return EVERYONE
        mine = [b for b in self._config.brands if {b.channel, b.updates_channel} & channels]
        return Audience(
            everything=False,
            brands=tuple(b.name for b in mine),
            channels=frozenset(b.channel for b in mine if b.channel),
        )

    @staticmethod
    def _stale(kept: tuple[float, Audience] | None, now: float) -> Audience | None:
        """The person's last good read, while it is younger than STALE_SECONDS."""
        if kept is None or kept[1].failed or now - kept[0] >= STALE_SECONDS:
            return None
        return kept[1]

    def _failed(self, user: str, exc: SlackError, now: float, *, quick: bool) -> Audience:
        shown = Audience(everything=False, error=exc.error, needed=exc.needed)
        with self._lock:
            stale = self._stale(self._kept.get(user), now)
            if exc.error == "user_not_found":  # this person's alone: the others may be read
                self._keep(user, now, shown)
            elif not quick or exc.error in ("missing_scope", "ratelimited"):
                # A quick try's timeout says little about Slack; these say it for everyone.
                wait = MEMBERSHIP_SECONDS if exc.error == "missing_scope" else FAILED_SECONDS
                self._down = (now + max(wait, exc.retry_after or 0.0), shown)
            if exc.error != self._logged:
                self._logged = exc.error
                logger.warning(
                    "users.conversations failed (%s%s): people outside %s see no client's "
                    "incidents on their Home tab until it works",
                    exc.error, f", needs {exc.needed}" if exc.needed else "",
                    self._crisis or "the crisis channel",
                )  # fmt: skip
        return stale or shown

    def _keep(self, user: str, now: float, audience: Audience) -> None:
        if len(self._kept) >= _MAX_KEPT:
            for old in sorted(self._kept, key=lambda u: self._kept[u][0])[: _MAX_KEPT // 2]:
                del self._kept[old]
        self._kept[user] = (now, audience)
