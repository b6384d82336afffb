"""Deliver the outbox to Slack: each row once, in order, with backoff, surviving crashes.

A row is claimed with a conditional UPDATE (a lease), sent outside any transaction, and its result
recorded in a new one. If the process dies between Slack's answer and that commit, the lease runs
out and the next attempt first looks for the message by the key stored in its metadata, so the
alert is never posted twice. On PostgreSQL the courier also holds an advisory lock on the row
while it delivers: the lock dies with its connection, so another worker takes over a dead
courier's row on its next round instead of waiting for the lease.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackObjectFormationError
from sqlalchemy import Connection, or_, select, text, true, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.aftermath import export
from bot.core import i18n
from bot.core.config import Config
from bot.core.i18n import _
from bot.core.locks import lock_key
from bot.core.text import channel_name, quote, with_suffix
from bot.response import drafts, followups, incidents, outbox, rooms, timeline, updates
from bot.slack import messages
from bot.slack.gateway import SlackError, SlackGateway
from models import Draft, Incident, Outbox, affected

if TYPE_CHECKING:
    from bot.core.clock import Clock

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 25
WAIT_FOR_PARENT = timedelta(seconds=2)
# Slack's answers to a post in a channel the app may not post in: a brand's own channel that
# refuses the alert sends it to the crisis channel instead.
CHANNEL_REFUSED = frozenset({"channel_not_found", "not_in_channel", "is_archived",
                             "restricted_action", "team_access_not_granted"})  # fmt: skip


class NotReady(Exception):
    """The row depends on a message not posted yet (a thread reply before its alert)."""


@dataclass
class Deliverer:
    sessions: sessionmaker[Session]
    gateway: SlackGateway
    config: Config
    clock: Clock
    default_channel: str | None = None
    default_approvers: tuple[str, ...] = ()  # CRISIS_APPROVERS: a room invites them
    # Called once after a pass that updated an incident's or a draft's card (the App Home).
    after_cards: Callable[[], object] | None = None
    # True once the process is stopping: the pass ends after the row in hand (see deliver_due).
    stopping: Callable[[], bool] = lambda: False

    def deliver_due(self, *, limit: int = 200) -> int:
        """Deliver what is due now; return how many rows were sent. Cards, exports and the
        Home tabs are rendered now, in the team's language."""
        sent = cards = 0
        engine = self.sessions.kw["bind"]
        with i18n.using(self.config.locale, self.config.timezone), engine.connect() as guard:
            # On PostgreSQL `guard` holds the advisory lock of the row being delivered.
            pg = engine.dialect.name == "postgresql"
            for _n in range(limit):
                # A stopping process leaves the rest pending for the next one: a backlog paced
                # at a message a second held SIGTERM for 30 s, past docker stop's 10.
                if self.stopping():
                    break
                row_id = self._claim_next(guard if pg else None)
                if row_id is None:
                    break
                try:
                    done, card = self._deliver(row_id)
                finally:
                    if pg:
                        key = lock_key(guard, _name(row_id))
                        guard.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                        guard.commit()
                sent += done
                cards += 1 if done and card else 0
            if cards and self.after_cards is not None and not self.stopping():
                try:
                    self.after_cards()
                except Exception:  # the Home tab is a view; delivery must go on without it
                    logger.exception("refreshing after a card update failed")
        return sent

    def pending(self) -> int:
        with self.sessions() as session:
            return len(session.scalars(select(Outbox.id).where(Outbox.status == "pending")).all())

    def _claim_next(self, guard: Connection | None) -> int | None:
        now = self.clock()
        with self.sessions.begin() as session:
            free = or_(Outbox.locked_until.is_(None), Outbox.locked_until < now)
            # One row per card at a time, oldest first: a newer row for the same card waits
            # until the older one is sent, so it updates the posted message instead of posting
            # it again, and two couriers never race stale and fresh renders of one card.
            older = aliased(Outbox)
            queued_behind = (
                select(older.id)
                .where(
                    older.target == Outbox.target,
                    older.status == "pending",
                    older.id < Outbox.id,
                )
                .exists()
            )
            due = (
                select(Outbox.id, Outbox.locked_until)
                .where(Outbox.status == "pending", Outbox.next_attempt_at <= now, ~queued_behind)
                .order_by(Outbox.id)
            )
            if guard is None:
                row_id = session.scalar(due.where(free).with_only_columns(Outbox.id).limit(1))
                if row_id is None:
                    return None
            else:
                # Leased rows too: a lease whose courier no longer holds the row's advisory lock
                # belongs to a dead worker. Our lock is taken before the lease is written, so a
                # live courier's row is never taken over.
                rows = session.execute(due.limit(20).with_for_update(skip_locked=True)).all()
                row_id = next((r.id for r in rows if self._lock(guard, r.id)), None)
                if row_id is None:
                    return None
            claimed = session.execute(
                update(Outbox)
                .where(Outbox.id == row_id, Outbox.status == "pending")
                .where(free if guard is None else true())
                .values(locked_until=now + LEASE, attempts=Outbox.attempts + 1)
            )
            if affected(claimed) == 1:
                return row_id
        if guard is not None:
            guard.execute(
                text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key(guard, _name(row_id))}
            )
            guard.commit()
        return None

    @staticmethod
    def _lock(guard: Connection, row_id: int) -> bool:
        key = lock_key(guard, _name(row_id))
        got = bool(guard.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        guard.commit()
        return got

    def _deliver(self, row_id: int) -> tuple[int, bool]:
        """(1 if sent else 0, whether the row was a card)."""
        with self.sessions() as session:
            row = session.get(Outbox, row_id)
            assert row is not None
            card = row.kind == "card"
            try:
                outcome = self._send(session, row)
            except NotReady:
                self._retry_later(row_id, WAIT_FOR_PARENT, None, count_attempt=False)
                return 0, card
            except SlackError as exc:
                refused = (
                    self._dm_refused(row, exc) if row.kind == "dm"
                    else self._update_refused(row, exc) if row.kind == "update"
                    else self._room_refused(row, exc) if row.kind == "room"
                    else None
                )  # fmt: skip
                self._failed(row_id, row.attempts, exc, gave_up=refused)
                return 0, card
            except SlackObjectFormationError as exc:
                # slack_sdk refused to build a block past one of Slack's limits: as permanent
                # as Slack's own invalid_blocks, so fail the row instead of every pass after it.
                logger.error("outbox row %s cannot be rendered: %s", row_id, exc)
                self._failed(row_id, row.attempts, SlackError("render", "invalid_blocks"))
                return 0, card
        self._done(row_id, outcome)
        return 1, card

    def _send(self, session: Session, row: Outbox) -> _Outcome:
        if row.kind == "channel_post":
            return self._send_channel_post(row)
        if row.kind == "dm":
            return self._send_dm(row)
        incident = session.get(Incident, row.incident_id) if row.incident_id else None
        if incident is None:
            raise SlackError("outbox", "incident_gone")
        if row.kind == "update":  # its own channel: the stakeholders'
            return self._send_update(session, row, incident)
        if row.kind == "room":
            return self._send_room(session, row, incident)
        if row.kind == "room_invite":
            return self._send_room_invite(session, row, incident)
        if row.kind in ("room_note", "room_close"):
            return self._send_room_note(session, row, incident)
        channel = incident.channel or self.default_channel
        if not channel:
            raise SlackError("outbox", "channel_not_found")
        if row.kind == "upload":
            return self._send_upload(session, row, incident, channel)
        if row.kind == "card" and row.target and row.target.startswith("draft:"):
            return self._send_draft(session, row, incident, channel)
        if row.kind == "card":
            text, blocks = messages.incident_card(
                incident, self.config, drafts.latest(session, incident.id),
                followups.counts(session, incident.id),
                opening=incidents.reopens(session, incident.id),
                last_update=updates.last(session, incident.id),
                room=rooms.room_of(session, incident.id),
            )  # fmt: skip
            if incident.message_ts:
                self.gateway.update_message(channel, incident.message_ts, text, blocks)
                return _Outcome(row.target, None, channel)
            key = f"incident:{incident.id}"
            try:
                ts = self._post_card(row, channel, key, None, text, blocks)
            except SlackError as exc:
                # A brand's own channel the app cannot post in (not invited to a private or
                # shared channel, archived, a mistyped ID): the alert goes to the crisis
                # channel instead of nowhere, and says so there.
                fallback = self.default_channel
                if exc.error not in CHANNEL_REFUSED or not fallback or fallback == channel:
                    raise
                logger.warning("alert #%s refused in %s (%s): posted in %s",
                               incident.id, channel, exc.error, fallback)  # fmt: skip
                ts = self._post_card(row, fallback, key, None, text, blocks)
                return _Outcome(row.target, ts, fallback, True, refused=(channel, exc.error))
            return _Outcome(row.target, ts, channel, first_post=True)
        if incident.message_ts is None:
            raise NotReady
        thread = incident.message_ts if row.payload.get("in_thread", True) else None
        ts = self._already_posted(row, channel, row.key, thread) or self.gateway.post_message(
            channel, self._post_text(row), row.payload.get("blocks"), thread_ts=thread,
            key=row.key,
        )  # fmt: skip
        return _Outcome(None, ts, channel)

    def _post_text(self, row: Outbox) -> str:
        """The post's text; a drill's page written now with the names of those it would have
        paged (never a mention: that would notify them), their ID where Slack cannot say."""
        render = row.payload.get("render") or {}
        if "drill_page" not in render:
            return str(row.payload["text"])
        would = []
        for target in render.get("would_page") or []:
            name = self.gateway.user_name(str(target))
            would.append(f"`{target}`" if name == target else quote(name, 100))
        return incidents.drill_page_text(render["drill_page"], would)

    def _send_channel_post(self, row: Outbox) -> _Outcome:
        """A message for the channel, about no incident (the weekly digest)."""
        channel = row.channel or self.default_channel
        if not channel:
            raise SlackError("outbox", "channel_not_found")
        ts = self._already_posted(row, channel, row.key, None) or self.gateway.post_message(
            channel, row.payload["text"], row.payload.get("blocks"), key=row.key
        )
        return _Outcome(None, ts, channel)

    def _send_dm(self, row: Outbox) -> _Outcome:
        """A direct message: the conversation opened (or resumed) with the person, then the
        message, found by its key first if an earlier attempt may have posted it."""
        channel = self.gateway.open_dm(row.payload["user"])
        ts = self._already_posted(row, channel, row.key, None) or self.gateway.post_message(
            channel, row.payload["text"], key=row.key
        )
        return _Outcome(None, ts, channel)

    def _dm_refused(self, row: Outbox, exc: SlackError) -> Callable[[Session], None]:
        """What to do, with the row failed, when Slack will never take a direct message (a bot,
        someone deactivated, no `im:write`): log it, and say in the timeline that the person
        was not told there. The rest (the thread's reminder) goes on."""
        user, about = row.payload.get("user"), row.payload.get("about")
        incident_id = row.incident_id

        def gave_up(session: Session) -> None:
            logger.warning("could not message %s directly (%s): %s", user, row.key, exc.error)
            incident = session.get(Incident, incident_id) if incident_id else None
            if incident is not None:
                timeline.record(
                    session, incident, "followup.dm_failed", actor=None, at=self.clock(),
                    owner=user, error=exc.error, **(about or {}),
                )  # fmt: skip

        return gave_up

    def _send_update(self, session: Session, row: Outbox, incident: Incident) -> _Outcome:
        """A stakeholders' update in its channel, written now (the team's language, people by
        name) with a link to the incident's thread: best effort, a message without the link
        rather than none. It waits for the card only while the card is still on its way."""
        channel = row.channel
        if not channel:
            raise SlackError("outbox", "channel_not_found")
        if incident.message_ts is None and self._card_pending(session, incident):
            raise NotReady
        fields = row.payload["fields"]
        link = (
            self.gateway.permalink(incident.channel, incident.message_ts)
            if incident.channel and incident.message_ts
            else None
        )
        owner = str(fields["owner"]) if fields.get("owner") else None
        text, blocks = messages.stakeholder_update(
            fields, author=self.gateway.user_name(str(fields["author"])),
            owner=self.gateway.user_name(owner) if owner else None, link=link,
        )  # fmt: skip
        try:
            found = self._already_posted(row, channel, row.key, None)
        except SlackError as exc:
            if exc.error != "not_in_channel":
                raise
            # A public channel the app has not joined: chat:write.public posts there, but it
            # cannot be read back. Post: a copy after a lost answer is rarer, and better than
            # stakeholders left without the update.
            found = None
        ts = found or self.gateway.post_message(channel, text, blocks, key=row.key)
        return _Outcome(None, ts, channel)

    @staticmethod
    def _card_pending(session: Session, incident: Incident) -> bool:
        return (
            session.scalar(
                select(Outbox.id)
                .where(Outbox.target == f"incident:{incident.id}", Outbox.status == "pending")
                .limit(1)
            )
            is not None
        )

    def _update_refused(self, row: Outbox, exc: SlackError) -> Callable[[Session], None]:
        """When Slack will never take a stakeholders' update (the app is not in that private
        channel, the channel is gone): the team is told in the thread, the timeline keeps it."""
        fields, channel, incident_id = row.payload.get("fields") or {}, row.channel, row.incident_id

        def gave_up(session: Session) -> None:
            logger.warning("could not post the update %s in %s: %s", row.key, channel, exc.error)
            incident = session.get(Incident, incident_id) if incident_id else None
            if incident is not None and channel:
                updates.delivery_failed(
                    session, incident, fields, channel, exc.error, self.clock(),
                    permanent=exc.permanent,
                )  # fmt: skip

        return gave_up

    # ---- an incident's room (bot.response.rooms) --------------------------------------------
    def _room_by_itself(self, session: Session, incident_id: int | None) -> None:
        """`[plan] room_on`: a card just shown escalated (or at high severity) opens the room.
        Every change shows on the card, so this one place sees every way an incident gets there."""
        incident = session.get(Incident, incident_id) if incident_id else None
        if incident is not None and rooms.due_by_itself(incident, self.config.room_on):
            rooms.ask(session, incident, user=None, now=self.clock())

    def _send_room(self, session: Session, row: Outbox, incident: Incident) -> _Outcome:
        """Create the channel, invite the people, set its topic and purpose, post its first
        message. Each step is safe to do again after a crash or a retry: the channel's ID is
        kept on the row as soon as Slack gives it (a lost answer is found by name), an invite
        of someone in it already counts, and the first message is found by its key."""
        if incident.message_ts is None and self._card_pending(session, incident):
            raise NotReady  # the topic links to the card
        payload = dict(row.payload)
        by = payload.get("by")
        if not payload.get("channel"):
            payload.update(self._create_room(row, incident, by))
            self._keep_payload(row.id, payload)
        channel = str(payload["channel"])
        invited, refused = self._invite_all(channel, self._room_people(incident, by))
        link = (
            self.gateway.permalink(incident.channel, incident.message_ts)
            if incident.channel and incident.message_ts else None
        )  # fmt: skip
        for step in (self.gateway.set_topic, self.gateway.set_purpose):
            try:
                step(channel, messages.room_topic(incident, link))
            except SlackError as exc:  # a room without its topic is still a room
                if not exc.permanent:
                    raise
                logger.warning("room of #%s: %s", incident.id, exc)
        first = f"{row.key}:first"
        waiting = drafts.waiting(session, incident.id)
        text = messages.room_intro(incident, self.config, link, self.default_channel, waiting)
        ts = self._already_posted(row, channel, first, None) or self.gateway.post_message(
            channel, text, key=first
        )
        payload.update(invited=invited, not_invited=refused)
        data = rooms.opened_data(payload)

        def opened(s: Session) -> None:
            found = s.get(Incident, incident.id)
            assert found is not None
            s.execute(update(Outbox).where(Outbox.id == row.id).values(payload=payload))
            timeline.record(s, found, "incident.room_opened", actor=by, at=self.clock(), **data)
            outbox.enqueue_post(
                s, found, text=messages.room_opened(data), now=self.clock(),
                key=f"{row.key}:opened",
            )  # fmt: skip
            outbox.enqueue_incident_card(s, found, now=self.clock())

        return _Outcome(None, ts, channel, after=opened)

    def _create_room(self, row: Outbox, incident: Incident, by: str | None) -> dict[str, Any]:
        name = channel_name(
            self.config.room_name, number=incident.id, brand=incident.brand,
            drill=incident.is_drill,
        )  # fmt: skip
        private = self.config.room_private
        for n in range(1, 11):
            tried = name if n == 1 else with_suffix(name, n)
            if row.attempts > 1:  # an earlier attempt may have made it, its answer lost
                found = self.gateway.own_channel(tried)
                if found:
                    return {"channel": found, "name": tried, "private": private}
            try:
                made = self.gateway.create_channel(tried, private=private)
            except SlackError as exc:
                if exc.error == "name_taken":
                    continue
                raise
            return {"channel": made, "name": tried, "private": private}
        raise SlackError("conversations.create", "name_taken")

    def _room_people(self, incident: Incident, by: str | None) -> list[str]:
        """Who is invited: a drill's room, the person who asked alone; a real one, the owner,
        the person who asked, the brand's approvers and the current level's people (user
        groups as their members, as approvers are resolved)."""
        if incident.is_drill:
            return [by] if by else []
        level = self.config.level_at(incident.level, incident.brand, incident.channel)
        approvers = self._approvers(incident)
        return self._expand([incident.owner, by, *approvers, *level.notify])

    def _approvers(self, incident: Incident) -> tuple[str, ...]:
        return self.config.approvers_for(incident.brand, incident.channel) or (
            self.default_approvers
        )

    def _expand(self, wanted: list[str | None]) -> list[str]:
        """People in order, once each, user groups as their members (asked of Slack now)."""
        people: list[str] = []
        for each in wanted:
            if not each:
                continue
            members = self._group_members(each) if each.startswith("S") else [each]
            people += [m for m in members if m not in people]
        return people

    def _invite_all(self, channel: str, people: list[str]) -> tuple[list[str], dict[str, str]]:
        """Invite each (one call each, so a refusal names its person): who joined (or was in
        it already), and who Slack refused, with its error."""
        invited: list[str] = []
        refused: dict[str, str] = {}
        for user in people:
            try:
                self.gateway.invite(channel, user)
                invited.append(user)
            except SlackError as exc:
                if exc.error in ROOM_GONE:  # the room's, not the person's: nobody can join
                    raise
                if not exc.permanent and exc.error not in ("user_not_found", "user_disabled"):
                    raise
                refused[user] = exc.error
        return invited, refused

    def _send_room_invite(self, session: Session, row: Outbox, incident: Incident) -> _Outcome:
        """People the incident now involves join its room (a new owner, the level it reached,
        the brand's approvers as they are now). Someone in it already counts as done; each
        refusal is said in the card's thread once per person (the opening's were said then)."""
        room = rooms.room_of(session, incident.id)
        if room is None or not incident.is_open:  # never opened (the thread said why), or closed
            return _Outcome(None, None, "")
        opened = rooms.opening(session, incident.id)
        known = set(opened.get("invited") or []) | set(opened.get("not_invited") or {})
        wanted = [*(row.payload.get("people") or []), *self._approvers(incident)]
        people = [p for p in self._expand(wanted) if p not in known]
        invited, refused = self._invite_all(room.channel, people)
        if invited:
            logger.info("room of #%s: invited %s", incident.id, ", ".join(invited))

        def said(s: Session) -> None:
            found = s.get(Incident, incident.id)
            if found is None:
                return
            for user, error in refused.items():
                key = rooms.refused_key(incident.id, user)
                if s.scalar(select(Outbox.id).where(Outbox.key == key)) is not None:
                    continue  # said once already
                text = messages.room_not_invited(room, user, error)
                outbox.enqueue_post(s, found, text=text, now=self.clock(), key=key)

        return _Outcome(None, None, room.channel, after=said)

    def _group_members(self, group: str) -> list[str]:
        try:
            return self.gateway.usergroup_members(group)
        except SlackError as exc:
            if not exc.permanent:
                raise
            logger.warning("user group %s: %s", group, exc.error)
            return []

    def _keep_payload(self, row_id: int, payload: dict[str, Any]) -> None:
        with self.sessions.begin() as s:
            s.execute(update(Outbox).where(Outbox.id == row_id).values(payload=payload))

    def _send_room_note(self, session: Session, row: Outbox, incident: Incident) -> _Outcome:
        """A step's note in the room (and, for a close, the archive when the playbook says)."""
        room = rooms.room_of(session, incident.id)
        if room is None:  # its opening failed: the thread said so
            return _Outcome(None, None, "")
        ts = self._already_posted(row, room.channel, row.key, None) or self.gateway.post_message(
            room.channel, str(row.payload["text"]), key=row.key
        )
        if row.kind != "room_close" or not self.config.room_archive:
            return _Outcome(None, ts, room.channel)
        self.gateway.archive(room.channel)

        def archived(s: Session) -> None:
            found = s.get(Incident, incident.id)
            if found is not None:
                timeline.record(
                    s, found, "incident.room_archived", actor=None, at=self.clock(),
                    channel=room.channel, name=room.name,
                )  # fmt: skip

        return _Outcome(None, ts, room.channel, after=archived)

    def _room_refused(self, row: Outbox, exc: SlackError) -> Callable[[Session], None]:
        """Slack will not open the room (a scope missing, a workspace setting): said in the
        thread, kept on the timeline; the incident goes on without it."""
        incident_id, by = row.incident_id, row.payload.get("by")

        def gave_up(session: Session) -> None:
            logger.warning("could not open the room of #%s: %s", incident_id, exc)
            incident = session.get(Incident, incident_id) if incident_id else None
            if incident is None:
                return
            timeline.record(
                session, incident, "incident.room_failed", actor=by, at=self.clock(),
                error=exc.error, **({"needed": exc.needed} if exc.needed else {}),
            )  # fmt: skip
            outbox.enqueue_post(
                session, incident, text=messages.room_refused(incident.id, exc.error, exc.needed),
                now=self.clock(), key=f"{row.key}:refused",
            )  # fmt: skip

        return gave_up

    def _send_draft(
        self, session: Session, row: Outbox, incident: Incident, channel: str
    ) -> _Outcome:
        draft = session.get(Draft, int(row.target.split(":", 1)[1]))  # type: ignore[union-attr]
        if draft is None:
            raise SlackError("outbox", "draft_gone")
        if incident.message_ts is None:
            raise NotReady
        own = bool(self.config.approvers_for(incident.brand, incident.channel))
        text, blocks = messages.draft_card(draft, incident, own_approvers=own)
        if draft.message_ts:
            self.gateway.update_message(channel, draft.message_ts, text, blocks)
            return _Outcome(row.target, None, channel)
        key = f"draft:{draft.id}"
        ts = self._post_card(row, channel, key, incident.message_ts, text, blocks)
        return _Outcome(row.target, ts, channel, first_post=True)

    def _send_upload(
        self, session: Session, row: Outbox, incident: Incident, channel: str
    ) -> _Outcome:
        if incident.message_ts is None:
            raise NotReady
        fmt = row.payload["format"]
        buffer = io.StringIO()
        export.write(
            session, incident.id, fmt, buffer, name_of=self.gateway.user_name,
            config=self.config, bom=True, now=self.clock(),
        )  # fmt: skip
        title = (_("DRILL · ") if incident.is_drill else "") + (
            _("#{number} report ({format})", number=incident.id, format=fmt)
            if fmt == "html"
            else _("#{number} timeline ({format})", number=incident.id, format=fmt)
        )
        earlier = row.payload.get("file_id")
        if earlier and self.gateway.shared_in_thread(channel, incident.message_ts, earlier):
            return _Outcome(None, None, channel)  # shared by an attempt whose answer was lost

        def started(file_id: str) -> None:  # kept before sharing: see gateway.upload_file
            with self.sessions.begin() as s:
                s.execute(
                    update(Outbox).where(Outbox.id == row.id)
                    .values(payload={**row.payload, "file_id": file_id})
                )  # fmt: skip

        self.gateway.upload_file(
            channel,
            f"incident-{incident.id}-{'report' if fmt == 'html' else 'timeline'}.{fmt}",
            buffer.getvalue().encode("utf-8"),
            title=title,
            thread_ts=incident.message_ts,
            started=started,
        )
        return _Outcome(None, None, channel)

    def _post_card(
        self,
        row: Outbox,
        channel: str,
        key: str,
        thread: str | None,
        text: str,
        blocks: list[dict[str, Any]],
    ) -> str:
        """First post of a card. If an earlier attempt did post it (its answer lost), that
        message shows the state of that attempt: bring it up to date instead of posting again,
        since changes made meanwhile relied on this row to show them."""
        ts = self._already_posted(row, channel, key, thread)
        if ts is None:
            return self.gateway.post_message(channel, text, blocks, thread_ts=thread, key=key)
        self.gateway.update_message(channel, ts, text, blocks)
        return ts

    def _already_posted(
        self, row: Outbox, channel: str, key: str, thread: str | None
    ) -> str | None:
        if row.attempts <= 1 and not _tried_before(row):
            return None  # first try of the first row: nothing can have been posted
        if thread:
            return self.gateway.find_reply(channel, thread, key)
        return self.gateway.find_posted(channel, key)

    def _done(self, row_id: int, outcome: _Outcome) -> None:
        now = self.clock()
        with self.sessions.begin() as session:
            row = session.get(Outbox, row_id)
            assert row is not None
            row.status, row.sent_at, row.result_ts, row.locked_until = "sent", now, outcome.ts, None
            if outcome.after is not None:
                outcome.after(session)
            if row.kind == "card" and (row.target or "").startswith("incident:"):
                self._room_by_itself(session, row.incident_id)
            if not outcome.first_post or outcome.target is None:
                return
            kind, _, ident = outcome.target.partition(":")
            if kind == "draft":
                draft = session.get(Draft, int(ident))
                if draft is not None and draft.message_ts is None:
                    draft.message_ts = outcome.ts
                return
            incident = session.get(Incident, int(ident))
            if incident is not None and incident.message_ts is None:
                incident.message_ts, incident.channel = outcome.ts, outcome.channel
                refused = (
                    {"meant_for": outcome.refused[0], "refused": outcome.refused[1]}
                    if outcome.refused else {}
                )  # fmt: skip
                timeline.record(
                    session, incident, "alert.posted", actor=None, at=now,
                    channel=outcome.channel, ts=outcome.ts, **refused,
                )  # fmt: skip
                if outcome.refused:
                    outbox.enqueue_post(
                        session, incident, text=messages.alert_rerouted(*outcome.refused), now=now
                    )

    def _failed(
        self,
        row_id: int,
        attempts: int,
        exc: SlackError,
        *,
        gave_up: Callable[[Session], None] | None = None,
    ) -> None:
        """Schedule a retry, or fail the row for good when no retry can help (then `gave_up`
        runs in the same transaction)."""
        if exc.permanent or attempts >= MAX_ATTEMPTS:
            logger.error("outbox row %s failed for good: %s", row_id, exc)
            with self.sessions.begin() as session:
                session.execute(
                    update(Outbox)
                    .where(Outbox.id == row_id)
                    .values(status="failed", last_error=str(exc), locked_until=None)
                )
                if gave_up is not None:
                    gave_up(session)
            return
        delay = timedelta(seconds=exc.retry_after or min(2**attempts, 300))
        logger.warning("outbox row %s: %s; next try in %s", row_id, exc, delay)
        self._retry_later(row_id, delay, str(exc))

    def _retry_later(
        self, row_id: int, delay: timedelta, error: str | None, *, count_attempt: bool = True
    ) -> None:
        values: dict[str, object] = {"next_attempt_at": self.clock() + delay, "locked_until": None}
        if error:
            values["last_error"] = error
        if not count_attempt:
            values["attempts"] = Outbox.attempts - 1
        with self.sessions.begin() as session:
            session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))


@dataclass(frozen=True)
class _Outcome:
    target: str | None
    ts: str | None
    channel: str
    first_post: bool = False
    refused: tuple[str, str] | None = None  # a card's own channel and Slack's error there
    after: Callable[[Session], None] | None = None  # recorded with the row's "sent"


# Answers about the room itself (archived after the resolve, then the incident reopened): an
# invite there is given up, not blamed on each person.
ROOM_GONE = frozenset({"is_archived", "channel_not_found", "not_in_channel"})


def _name(row_id: int) -> str:
    return f"outbox:{row_id}"


def _tried_before(row: Outbox) -> bool:
    """An older row for the same card was attempted (then failed for good): it may have posted
    the message while its answer was lost, so the first post of this row must look first."""
    if row.kind != "card" or row.target is None:
        return False
    session = Session.object_session(row)
    assert session is not None
    earlier = session.scalar(
        select(Outbox.id)
        .where(Outbox.target == row.target, Outbox.id < row.id, Outbox.attempts > 0)
        .limit(1)
    )
    return earlier is not None
