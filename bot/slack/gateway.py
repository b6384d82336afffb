"""The Slack gateway: the only place that calls the Slack Web API and knows its method names.

It owns the `WebClient` with slack_sdk's retry handlers (429 with Retry-After, 5xx, connection
errors), paces posts to one a second per channel, caches user names, and maps `SlackApiError` to
`SlackError` with a flag saying whether a retry can help.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

logger = logging.getLogger(__name__)

METADATA_EVENT = "crisisbot_outbox"
QUICK_TIMEOUT = 1  # seconds for a call made before an ack, which Slack wants within 3
TRIGGER_TIMEOUT = 2  # seconds for views.open, whose trigger_id lives 3
# Errors after which the same call can never succeed: don't retry them.
PERMANENT = frozenset(
    {
        "invalid_auth", "not_authed", "account_inactive", "token_revoked", "missing_scope",
        "channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "msg_too_long",
        "message_not_found", "cant_update_message", "no_text", "invalid_arguments",
        "expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id", "user_not_found",
        "cannot_dm_bot", "user_disabled", "user_not_visible", "users_list_not_supplied",
        # a room (conversations.create, .invite, .setTopic, .archive)
        "restricted_action", "name_taken", "invalid_name", "invalid_name_specials",
        "invalid_name_punctuation", "invalid_name_required", "invalid_name_maxlength",
        "cant_invite", "cant_invite_self", "user_is_restricted", "user_is_ultra_restricted",
        "too_long", "already_archived", "cant_archive_general",
        "method_not_supported_for_channel_type",
    }
)  # fmt: skip


class SlackError(Exception):
    def __init__(
        self,
        method: str,
        error: str,
        *,
        retry_after: float | None = None,
        needed: str | None = None,
    ) -> None:
        super().__init__(f"{method}: {error}")
        self.method = method
        self.error = error
        self.retry_after = retry_after
        self.needed = needed  # missing_scope: the scope(s) Slack says the call needs

    @property
    def permanent(self) -> bool:
        return self.error in PERMANENT


class SlackGateway:
    def __init__(
        self,
        token: str,
        api_url: str,
        *,
        timeout: int = 10,
        min_post_interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = WebClient(
            token=token,
            base_url=api_url,
            timeout=timeout,
            retry_handlers=[
                ConnectionErrorRetryHandler(max_retry_count=2),
                RateLimitErrorRetryHandler(max_retry_count=3),
                ServerErrorRetryHandler(max_retry_count=2),
            ],
        )
        # Posting is not idempotent: a 5xx or a dropped connection may come *after* Slack stored
        # the message, and the SDK's retry would post it again. Posts retry only on 429 (always
        # refused before the effect); anything else goes back to the outbox, whose next attempt
        # first looks the message up by its metadata key.
        self._post_client = WebClient(
            token=token,
            base_url=api_url,
            timeout=timeout,
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
        )
        # For a name needed before an ack (a form's error): one try, a short wait. The retry
        # handlers above sleep out a 429's Retry-After, past Slack's 3 seconds for the ack.
        self._quick_client = WebClient(
            token=token, base_url=api_url, timeout=QUICK_TIMEOUT, retry_handlers=[]
        )
        # For views.open: a trigger_id lives 3 seconds, so waiting out a 429's Retry-After only
        # ends in an expired trigger; a dropped connection or a 5xx is tried once more at once.
        self._trigger_client = WebClient(
            token=token, base_url=api_url, timeout=TRIGGER_TIMEOUT,
            retry_handlers=[
                ConnectionErrorRetryHandler(max_retry_count=1),
                ServerErrorRetryHandler(max_retry_count=1),
            ],
        )  # fmt: skip
        self._min_interval = min_post_interval
        self._sleep = sleep
        self._last_post: dict[str, float] = {}
        self._pace_lock = threading.Lock()
        self._names: dict[str, str] = {}
        self._permalinks: dict[tuple[str, str], str] = {}
        self._directory: dict[str, set[str]] = {}  # lower-case handle or name → user IDs
        self._directory_at = -1e9
        self._directory_lock = threading.Lock()
        self._groups: dict[str, str] = {}  # user group ID → "@handle"
        self._groups_at = -1e9
        self._bot_user = ""  # the app's own user ID (auth.test), once asked

    def _call(
        self, method: str, *, client: WebClient | None = None, **params: Any
    ) -> dict[str, Any]:
        # The SDK's typed method picks the right encoding (JSON for writes, form/GET for reads).
        fn = getattr(client or self.client, method.replace(".", "_"))
        try:
            response = fn(**_drop_none(params))
        except SlackApiError as exc:
            headers = exc.response.headers or {}
            retry = headers.get("Retry-After") or headers.get("retry-after")
            error = exc.response.get("error") or f"http_{exc.response.status_code}"
            needed = exc.response.get("needed")
            raise SlackError(
                method, error, retry_after=float(retry) if retry else None,
                needed=str(needed) if needed else None,
            ) from None  # fmt: skip
        except (SlackRequestError, OSError) as exc:
            raise SlackError(method, f"connection: {exc}") from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    def _pace(self, channel: str) -> None:
        """Slack allows about one message a second per channel; wait our turn instead of a 429."""
        with self._pace_lock:
            now = time.monotonic()
            wait = self._last_post.get(channel, 0.0) + self._min_interval - now
            self._last_post[channel] = now + max(wait, 0.0)
        if wait > 0:
            self._sleep(wait)

    def auth_test(self) -> dict[str, Any]:
        return self._call("auth.test")

    def post_message(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        *,
        thread_ts: str | None = None,
        key: str | None = None,
    ) -> str:
        """Post and return the message ts. `key` is stored as message metadata so the outbox can
        recognise a message it already posted when a crash lost Slack's answer."""
        self._pace(channel)
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"key": key}} if key else None
        data = self._call(
            "chat.postMessage",
            client=self._post_client,
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            metadata=metadata,
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(data["ts"])

    def update_message(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        self._call("chat.update", channel=channel, ts=ts, text=text, blocks=blocks)

    def find_posted(self, channel: str, key: str, *, oldest: str | None = None) -> str | None:
        """The ts of a message we posted with this outbox key, if Slack has it."""
        cursor = None
        for _ in range(10):  # a bounded look back: recent messages only
            data = self._call(
                "conversations.history",
                channel=channel,
                oldest=oldest,
                limit=200,
                include_all_metadata=True,
                cursor=cursor,
            )
            for message in data.get("messages", []):
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                if payload.get("key") == key:
                    return str(message["ts"])
            cursor = (data.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    def find_reply(self, channel: str, thread_ts: str, key: str) -> str | None:
        data = self._call(
            "conversations.replies", channel=channel, ts=thread_ts, include_all_metadata=True
        )
        for message in data.get("messages", []):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == key:
                return str(message["ts"])
        return None

    def open_dm(self, user: str) -> str:
        """The ID of the bot's direct message with `user` (conversations.open, `im:write`): opened
        the first time, the same one after. Safe to retry: opening twice opens one."""
        channel = (self._call("conversations.open", users=user).get("channel") or {}).get("id")
        if not channel:
            raise SlackError("conversations.open", "no_channel")
        return str(channel)

    # ---- an incident's room (bot.response.rooms): channels:manage, groups:write ----------
    def create_channel(self, name: str, *, private: bool) -> str:
        """conversations.create; the new channel's ID. Not idempotent: a lost answer is found
        again with `own_channel`, so it is retried on 429 alone (like a post)."""
        data = self._call(
            "conversations.create", client=self._post_client, name=name, is_private=private
        )
        return str((data.get("channel") or {}).get("id") or "")

    def own_channel(self, name: str) -> str | None:
        """The ID of a channel named `name` that this app created and is in (users.conversations
        of the app itself): one a lost answer of conversations.create left behind."""
        me = self.bot_user_id()
        cursor: str | None = None
        while True:
            data = self._call(
                "users.conversations", types="public_channel,private_channel",
                exclude_archived=True, limit=self.MEMBERSHIP_PAGE, cursor=cursor,
            )  # fmt: skip
            for c in data.get("channels") or []:
                if c.get("name") == name and c.get("creator") == me:
                    return str(c["id"])
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None

    def bot_user_id(self) -> str:
        if not self._bot_user:
            self._bot_user = str(self.auth_test().get("user_id") or "")
        return self._bot_user

    def invite(self, channel: str, user: str) -> None:
        """Invite one person (one call each, so a refusal names its person); someone in it
        already counts as invited."""
        try:
            self._call("conversations.invite", channel=channel, users=user)
        except SlackError as exc:
            if exc.error != "already_in_channel":
                raise

    def set_topic(self, channel: str, topic: str) -> None:
        self._call("conversations.setTopic", channel=channel, topic=topic)

    def set_purpose(self, channel: str, purpose: str) -> None:
        self._call("conversations.setPurpose", channel=channel, purpose=purpose)

    def archive(self, channel: str) -> None:
        """Archive; one archived already (an earlier attempt's answer lost) counts as done."""
        try:
            self._call("conversations.archive", channel=channel)
        except SlackError as exc:
            if exc.error != "already_archived":
                raise

    def post_ephemeral(self, channel: str, user: str, text: str, blocks: Any = None) -> None:
        self._call("chat.postEphemeral", channel=channel, user=user, text=text, blocks=blocks)

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> str:
        """Open a modal; return its view id (for `update_view`)."""
        opened = self._call(
            "views.open", client=self._trigger_client, trigger_id=trigger_id, view=view
        )
        return str((opened.get("view") or {}).get("id", ""))

    def update_view(self, view_id: str, view: dict[str, Any]) -> None:
        self._call("views.update", view_id=view_id, view=view)

    def publish_home(self, user: str, view: dict[str, Any], *, hash: str | None = None) -> str:
        """Replace the person's App Home tab; return the published view's `hash`. With `hash`
        (the one the tab had when this view was read), Slack refuses it with `hash_conflict`
        when the tab was published since: a newer one stands."""
        published = self._call("views.publish", user_id=user, view=view, hash=hash)
        return str((published.get("view") or {}).get("hash") or "")

    def permalink(self, channel: str, ts: str) -> str | None:
        """A link that opens the message (cached: it never changes); None when Slack cannot
        say, so a Home tab still renders without the button."""
        key = (channel, ts)
        if key not in self._permalinks:
            try:
                data = self._call("chat.getPermalink", channel=channel, message_ts=ts)
            except SlackError as exc:
                logger.warning("chat.getPermalink %s %s failed: %s", channel, ts, exc.error)
                return None
            self._permalinks[key] = str(data.get("permalink") or "")
        return self._permalinks[key] or None

    def user_name(self, user: str, *, quick: bool = False) -> str:
        """The person's display name (cached); for a user group (`S…`) its @handle; the ID
        itself when Slack cannot say. `quick`: one try of at most QUICK_TIMEOUT, no waiting out
        a rate limit (a name wanted before an ack)."""
        if user.startswith("S"):
            return self.group_name(user)
        if user not in self._names:
            client = self._quick_client if quick else None
            try:
                profile = self._call("users.info", client=client, user=user).get("user") or {}
            except SlackError as exc:
                logger.warning("users.info %s failed: %s", user, exc.error)
                return user
            self._names[user] = (
                profile.get("real_name") or (profile.get("profile") or {}).get("real_name") or user
            )
        return self._names[user]

    DIRECTORY_TTL = 300.0  # seconds a read of the member list is trusted
    DIRECTORY_RETRY = 30.0  # a name not found is looked up again after this long

    def find_users(self, name: str) -> list[str]:
        """The IDs of the active people whose username, display name or full name is `name`
        (any case): what a typed "@maria" means when Slack sends it as plain text."""
        key = name.strip().lower()
        with self._directory_lock:
            age = time.monotonic() - self._directory_at
            if age > self.DIRECTORY_TTL or (
                key not in self._directory and age > self.DIRECTORY_RETRY
            ):
                self._directory = self._read_directory()
                self._directory_at = time.monotonic()
            return sorted(self._directory.get(key, ()))

    def _read_directory(self) -> dict[str, set[str]]:
        directory: dict[str, set[str]] = {}
        cursor: str | None = None
        while True:
            data = self._call("users.list", limit=200, cursor=cursor)
            for member in data.get("members") or []:
                if member.get("deleted") or member.get("is_bot") or not member.get("id"):
                    continue
                profile = member.get("profile") or {}
                names = (
                    member.get("name"),
                    member.get("real_name"),
                    profile.get("real_name"),
                    profile.get("display_name"),
                    profile.get("display_name_normalized"),
                )
                for each in names:
                    if each:
                        directory.setdefault(str(each).lower(), set()).add(str(member["id"]))
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return directory

    def group_name(self, group: str) -> str:
        """A user group's @handle, as Slack shows it (usergroups.list, `usergroups:read`; the
        list is read again when a group is missing, at most every DIRECTORY_RETRY seconds);
        the ID itself when Slack cannot say."""
        with self._directory_lock:
            age = time.monotonic() - self._groups_at
            if group not in self._groups and age > self.DIRECTORY_RETRY:
                self._groups_at = time.monotonic()
                try:
                    data = self._call("usergroups.list")
                except SlackError as exc:
                    logger.warning("usergroups.list failed: %s", exc.error)
                    return group
                for each in data.get("usergroups") or []:
                    handle = each.get("handle") or each.get("name")
                    if each.get("id") and handle:
                        self._groups[str(each["id"])] = f"@{handle}"
            return self._groups.get(group, group)

    # users.conversations' largest page (Slack suggests 200 for speed, but each page is a call
    # against its Tier 3 limit, shared by every viewer: someone in 1,000 channels costs 2, not 5).
    MEMBERSHIP_PAGE = 999

    def member_channels(
        self, user: str, among: frozenset[str], *, enough: str | None = None, quick: bool = False
    ) -> frozenset[str]:
        """Which of the channels `among` the person is a member of: users.conversations with
        `user=`, public and private channels (`channels:read`, `groups:read`), archived ones
        left out, page by page. A private channel is listed only when the app is in it too,
        as it must be to post there. The walk stops once all of `among` are found, or
        `enough` (the crisis channel: the agency's staff see everything anyway). `quick`: one
        try of at most QUICK_TIMEOUT a page (before an ack, or a trigger that lives 3 s)."""
        found: set[str] = set()
        cursor: str | None = None
        while True:
            data = self._call(
                "users.conversations", client=self._quick_client if quick else None,
                user=user, types="public_channel,private_channel", exclude_archived=True,
                limit=self.MEMBERSHIP_PAGE, cursor=cursor,
            )  # fmt: skip
            found.update(str(c.get("id")) for c in data.get("channels") or [] if c.get("id"))
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor or among <= found or (enough is not None and enough in found):
                return frozenset(found & among)

    def usergroup_members(self, group: str) -> list[str]:
        return list(self._call("usergroups.users.list", usergroup=group).get("users") or [])

    def upload_file(
        self,
        channel: str,
        filename: str,
        content: bytes,
        *,
        title: str,
        thread_ts: str | None,
        started: Callable[[str], None] | None = None,
    ) -> str:
        """Upload and share a file (files_upload_v2's three steps, done here); return its id.

        Sharing (files.completeUploadExternal) is not idempotent: a 5xx may come after Slack
        shared the file, and the SDK's retry, or the outbox's next attempt, would share a second
        copy. So it is sent without a retry on 5xx, and `started(file_id)` is told the id first:
        the outbox keeps it and its next attempt looks for that file (`shared_in_thread`)."""
        try:
            url = self.client.files_getUploadURLExternal(filename=filename, length=len(content))
        except SlackApiError as exc:
            raise SlackError("files.getUploadURLExternal", _error_of(exc)) from None
        except (SlackRequestError, OSError) as exc:
            raise SlackError("files.getUploadURLExternal", f"connection: {exc}") from None
        file_id, upload_url = str(url["file_id"]), str(url["upload_url"])
        try:
            sent = httpx.post(upload_url, content=content, timeout=self.client.timeout)
        except httpx.HTTPError as exc:
            raise SlackError("upload", f"connection: {exc}") from None
        if sent.status_code != 200:
            raise SlackError("upload", f"http_{sent.status_code}")
        if started is not None:
            started(file_id)
        self._call(
            "files.completeUploadExternal", client=self._post_client,
            files=[{"id": file_id, "title": title}], channel_id=channel, thread_ts=thread_ts,
        )  # fmt: skip
        return file_id

    def shared_in_thread(self, channel: str, thread_ts: str, file_id: str) -> bool:
        """Whether the file was shared into the thread (an earlier attempt's answer was lost)."""
        data = self._call("conversations.replies", channel=channel, ts=thread_ts, limit=1000)
        return any(
            f.get("id") == file_id
            for message in data.get("messages", [])
            for f in message.get("files") or []
        )


def _error_of(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or f"http_{exc.response.status_code}")


def _drop_none(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}
