"""The App Home tab: what is open, what waits for the viewer's approval, the viewer's own open
follow-ups (overdue first), the last 30 days.

Published when a person opens the tab (`app_home_opened`), and published again by the courier
after it delivered a change to an incident or a draft, but only for the people who opened their
tab in the last `RECENT` (at most `MAX_REFRESH` of them): a change never fans out to the whole
workspace, and a tab nobody looks at is brought up to date the next time it is opened.

Who looked when is kept in `slack_events_seen`, the table of Events API deliveries already
processed, under the key `home:<user>`: one row per person, updated in place, no new table.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from bot.intake import polling
from bot.intake.stopped import state_note
from bot.response import followups, lookups, stats
from bot.slack import messages
from bot.slack.gateway import SlackError
from models import SlackEventSeen, affected

if TYPE_CHECKING:  # the container is handed in by the shell, never imported below it
    from bot.app import Crisisbot

logger = logging.getLogger(__name__)

RECENT = timedelta(hours=1)
MAX_REFRESH = 25
STATS_DAYS = 30
_KEY = "home:"
_HASH_KEY = "homeview:"  # sorts after "home;": never read as a viewer
HASH_TRIES = 3


def opened(bot: Crisisbot, user: str, *, hash: str | None = None) -> None:
    """The person opened their Home tab: note it (for later refreshes) and publish it. `hash`:
    the tab's hash as Slack sent it in the event (`view.hash`; none before a first publish)."""
    now = bot.clock()
    try:
        with bot.transaction() as session:
            _note_viewer(session, user, now)
    except IntegrityError:
        pass  # another process noted the same person at the same moment: as good
    publish(bot, user, seen=hash)


def _note_viewer(session: Session, user: str, now: datetime) -> None:
    key = (_KEY + user)[:64]
    moved = session.execute(
        update(SlackEventSeen).where(SlackEventSeen.event_id == key).values(seen_at=now)
    )
    if affected(moved) == 0:
        session.add(SlackEventSeen(event_id=key, seen_at=now))


def recent_viewers(session: Session, now: datetime) -> list[str]:
    """Who opened their tab lately, most recent first. A key range, not LIKE: it uses the
    primary key's index on every database."""
    rows = session.scalars(
        select(SlackEventSeen.event_id)
        .where(
            SlackEventSeen.event_id >= _KEY,
            SlackEventSeen.event_id < _KEY[:-1] + ";",  # ";" sorts right after ":"
            SlackEventSeen.seen_at >= now - RECENT,
        )
        .order_by(SlackEventSeen.seen_at.desc())
        .limit(MAX_REFRESH)
    )
    return [r[len(_KEY) :] for r in rows]


def publish(bot: Crisisbot, user: str, *, seen: str | None = None) -> None:
    """Render the person's tab from the database and publish it; best effort (logged).

    Two publishers race (the tab opened in the web process while the courier of a worker
    refreshes it after a change; a 429 waited out): the one that read the database first may
    reach Slack last, and its tab, built before the change, would stand. So each publish says
    which published tab it read after (Slack's `hash`, kept per person; else `seen`, the hash
    Slack sent with `app_home_opened`): Slack refuses it (`hash_conflict`) when another was
    published since, and it is read and published again, now after that one.

    With no hash at all (a person's very first tab: Slack sends none until one is published;
    a kept hash lost) a publish cannot be refused, and a stale one could land last. So it is
    confirmed: read and published once more, on the hash it got. Landed last, it is replaced
    by a tab read after it landed, so after whatever it overwrote; landed first, the newer one
    refuses the confirmation, which then reads again. The last try goes without a hash: it was
    read after every refusal, so it is no older than what it replaces."""
    given: str | None = None  # our own unconfirmed publish's hash: the next try builds on it
    for attempt in range(HASH_TRIES):
        last = attempt == HASH_TRIES - 1
        try:
            with bot.sessions() as session:  # before the tab is read: see above
                kept = published_hash(session, user)
            known = None if last else given or kept or seen
            view = _render(bot, user)
            done = bot.gateway.publish_home(user, view, hash=known)
        except SlackError as exc:
            if exc.error == "hash_conflict":
                logger.debug("Home tab of %s was published meanwhile: reading it again", user)
                given = seen = None  # both older than what stands: the kept one, or none
                continue
            logger.warning("could not publish the Home tab of %s: %s", user, exc)
            return
        except DBAPIError:
            logger.exception("could not read the Home tab of %s", user)
            return
        _keep_hash(bot, user, done)
        if known is not None or last or not done:
            return
        given = done  # published without a hash: confirm it (see above)


def published_hash(session: Session, user: str) -> str | None:
    """The `hash` of the person's tab as last published by us (None: not known)."""
    found = session.scalar(
        select(SlackEventSeen.event_id)
        .where(_hash_rows(user))
        .order_by(SlackEventSeen.seen_at.desc())
        .limit(1)
    )
    return found[len(_hash_prefix(user)) :] if found else None


def _hash_prefix(user: str) -> str:
    return _HASH_KEY + user + ":"


def _hash_rows(user: str) -> ColumnElement[bool]:
    """The person's `homeview:<user>:<hash>` rows: the keys from the prefix up to its ';' (the
    character after ':'), read through the primary key's index."""
    prefix = _hash_prefix(user)
    return and_(SlackEventSeen.event_id >= prefix, SlackEventSeen.event_id < prefix[:-1] + ";")


def _keep_hash(bot: Crisisbot, user: str, hash_: str) -> None:
    """Keep the published tab's hash for the next publish, in `slack_events_seen` as
    `homeview:<user>:<hash>` (one row per person, like `home:<user>`; no table of its own)."""
    key = _hash_prefix(user) + hash_
    try:
        with bot.transaction() as session:
            session.execute(delete(SlackEventSeen).where(_hash_rows(user)))
            if hash_ and len(key) <= 64:  # longer than the key holds: publish without one
                session.add(SlackEventSeen(event_id=key, seen_at=bot.clock()))
    except (DBAPIError, IntegrityError):  # the next publish goes without: as before
        logger.warning("could not keep the Home tab's hash of %s", user, exc_info=True)


def refresh(bot: Crisisbot) -> int:
    """Publish again the tabs opened lately (after a change); return how many."""
    try:
        with bot.sessions() as session:
            users = recent_viewers(session, bot.clock())
        if not users:
            return 0
        bot.approvers()  # resolved once for all of them (and cached a minute anyway)
    except (DBAPIError, SlackError) as exc:
        logger.warning("could not refresh the Home tabs: %s", exc)
        return 0
    for user in users:
        publish(bot, user)
    return len(users)


def _render(bot: Crisisbot, user: str) -> dict[str, object]:
    now = bot.clock()
    # Which clients are theirs (an agency's): asked of Slack before the reads, not while they
    # hold a connection; no call at all for a one-team playbook.
    audience = bot.audience(user)
    sources = [s for s in bot.config.sources if audience.everything or s.brand in audience.brands]
    with bot.sessions() as session:
        conn = session.connection()
        incidents = [i for i in lookups.open_lines(conn) if audience.sees(i.channel)]
        waiting = lookups.pending_drafts(conn, viewer=user)
        # A client's person counts their clients' incidents only; none when Slack could not say.
        figures = (
            None
            if audience.failed
            else stats.team_stats(
                session,
                since=now - timedelta(days=STATS_DAYS),
                channels=None if audience.everything else audience.channels,
            )
        )
        # "No open incidents" means little while a source is down: say so on top.
        stopped = [
            (s.name, s.last_success_at, state_note(bot.config, s) or "")
            for s in polling.stopped_sources(session, sources)
        ]
        mine = followups.owned_open(session, user, now)
    # Slack resolves the approvers' groups: after the reads, not while they hold a connection.
    # A viewer sees only the drafts they may decide: a client's own approvers decide its
    # brand's, the agency's (CRISIS_APPROVERS) the others'. Theirs for sure, so shown whatever
    # the audience (and when Slack could not say which clients are theirs).
    drafts = (
        [d for d in waiting if user in bot.approvers(d.brand, d.channel)]
        if bot.approves_anything(user)
        else None
    )

    def link(channel: str | None, ts: str | None) -> str | None:
        return bot.gateway.permalink(channel, ts) if channel and ts else None

    return messages.home_view(
        incidents,
        drafts,
        figures,
        days=STATS_DAYS,
        now=now,
        link=link,
        stopped=stopped,
        follow_ups=mine,
        brand_approvers=any(b.approvers for b in bot.config.brands),
        audience=audience,
    )
