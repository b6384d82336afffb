"""Workspace state and the Web API methods the emulator answers.

Everything here runs under the emulator's lock (the HTTP layer takes it), so the methods are plain
code over dicts. Each method returns ``(http_status, body)``; logical errors are HTTP 200 with
``ok: false``, as Slack does.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .blocks import (
    MAX_MESSAGE_TEXT,
    invalid_blocks_answer,
    validate_blocks,
    validate_view,
)

Answer = tuple[int, dict[str, Any]]

DEFAULT_USERS: dict[str, str] = {
    "U0ALICE": "Alice Moreau",
    "U0BOB": "Bob Tanaka",
    "U0CAROL": "Carol Diaz",
    "U0DAN": "Dan Okafor",
}
DEFAULT_GROUPS: dict[str, list[str]] = {"S0COMMS": ["U0BOB", "U0CAROL"]}
DEFAULT_GROUP_NAMES: dict[str, str] = {"S0COMMS": "Comms team"}
DEFAULT_CHANNELS: dict[str, str] = {"C0CRISIS": "crisis-room"}

# Parameters slack_sdk (or a form post) may send as JSON-encoded strings.
_JSON_PARAMS = ("blocks", "attachments", "metadata", "view", "files")


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes")


def decode_json_params(params: dict[str, Any]) -> dict[str, Any]:
    """Decode the fields a form body carries as JSON text, so all bodies look alike."""
    out = dict(params)
    for key in _JSON_PARAMS:
        value = out.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            # Undecodable text is left as is: the method then reports it as malformed.
            with contextlib.suppress(ValueError):
                out[key] = json.loads(value)
    return out


@dataclass
class Workspace:
    """Static configuration: who and what exists in the emulated workspace."""

    team_id: str = "T0EMU0001"
    team_domain: str = "crisisbot-emu"
    team_name: str = "Crisisbot Emulator"
    bot_user_id: str = "U0CRISISBOT"
    bot_id: str = "B0CRISISBOT"
    bot_name: str = "crisisbot"
    app_id: str = "A0CRISISBOT"
    users: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_USERS))
    groups: dict[str, list[str]] = field(default_factory=lambda: copy.deepcopy(DEFAULT_GROUPS))
    # A group's name; its @handle is the name in lower case, words joined by "-".
    group_names: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_GROUP_NAMES))
    channels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CHANNELS))
    # False: any channel id is accepted (and created) on first post, which keeps tests short.
    strict_channels: bool = False
    # Public channels the app has not joined: it may post there (chat:write.public) but not
    # read them, so conversations.history and .replies answer not_in_channel, as Slack does.
    outside_channels: frozenset[str] = frozenset()
    # Who is in a channel, for the channels listed (the others: everyone): an ephemeral for
    # someone who is not answers user_not_in_channel, as Slack does (a client's person is
    # in the client's channel, not in the agency's).
    members: dict[str, frozenset[str]] = field(default_factory=dict)
    # Private channels (the others are public): users.conversations lists one only with
    # `private_channel` in `types`, and only where the app is a member too, as Slack does.
    private_channels: frozenset[str] = frozenset()
    # Archived channels: users.conversations leaves them out with `exclude_archived`.
    archived_channels: frozenset[str] = frozenset()
    # The bot token's scopes; None: every one it asks for. Set, the methods that check one
    # (users.conversations: channels:read, groups:read by `types`) answer missing_scope with
    # `needed` and `provided`, as Slack does.
    scopes: frozenset[str] | None = None
    # People conversations.invite refuses: guests (user_is_restricted), deactivated accounts
    # and other apps' bots (cant_invite).
    restricted_users: frozenset[str] = frozenset()
    uninvitable_users: frozenset[str] = frozenset()
    # True: the workspace lets no app create channels (conversations.create: restricted_action).
    restrict_channel_creation: bool = False
    # True: views.open/push refuse trigger ids the emulator did not issue.
    strict_triggers: bool = True
    trigger_ttl: float = 3.0


class WorkspaceState:
    """Mutable state plus the Web API method implementations."""

    def __init__(self, ws: Workspace, clock: Callable[[], float] = time.time) -> None:
        self.ws = ws
        self.clock = clock
        self._ids = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        self.channels: dict[str, str] = dict(self.ws.channels)
        self.messages: dict[str, list[dict[str, Any]]] = {c: [] for c in self.channels}
        self.deleted: list[dict[str, Any]] = []
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.homes: dict[str, dict[str, Any]] = {}  # user -> the published Home tab
        self.triggers: dict[str, tuple[float, bool]] = {}  # id -> (issued_at, used)
        self.uploads: dict[str, dict[str, Any]] = {}  # file_id -> pending upload
        self.files: dict[str, dict[str, Any]] = {}
        # conversations.open: the bot's direct message with each person (and each group of
        # people), opened once and then resumed, as Slack keeps one per set of members.
        self.ims: dict[frozenset[str], str] = {}
        # conversations.create: each channel made, with its creator, topic and purpose.
        self.created: dict[str, dict[str, Any]] = {}
        self._last_ts_us = 0

    # ---- helpers -------------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}0EMU{next(self._ids):06d}"

    def new_ts(self) -> str:
        # Slack ts are "seconds.micro"; strictly increasing so two posts in the same
        # microsecond still get distinct, ordered ts (the bot keys messages by ts).
        now_us = int(self.clock() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def new_trigger_id(self) -> str:
        n = next(self._ids)
        trigger = f"{int(self.clock())}{n:04d}.{n}.{n:032x}"
        self.triggers[trigger] = (self.clock(), False)
        return trigger

    def _resolve_channel(self, channel: Any) -> str | None:
        if not isinstance(channel, str) or not channel:
            return None
        name = channel.lstrip("#")
        for cid, cname in self.channels.items():
            if channel == cid or name == cname:
                return cid
        if self.ws.strict_channels or channel.startswith("#"):
            return None
        self.channels[channel] = channel
        self.messages[channel] = []
        return channel

    def _find(self, channel: str, ts: Any) -> dict[str, Any] | None:
        for msg in self.messages.get(channel, []):
            if msg["ts"] == ts:
                return msg
        return None

    def _existing_channel(self, channel: Any) -> str | None:
        if isinstance(channel, str) and channel in self.channels:
            return channel
        name = channel.lstrip("#") if isinstance(channel, str) else None
        return next((c for c, n in self.channels.items() if n == name), None)

    def _message(
        self, params: dict[str, Any], ts_key: str = "ts"
    ) -> tuple[str, dict[str, Any]] | str:
        """The channel and the message `params` name (its ts under `ts_key`), or Slack's error."""
        channel = self._existing_channel(params.get("channel"))
        if channel is None:
            return "channel_not_found"
        msg = self._find(channel, params.get(ts_key))
        if msg is None:
            return "message_not_found"
        return channel, msg

    @staticmethod
    def _error(error: str, **extra: Any) -> Answer:
        return 200, {"ok": False, "error": error, **extra}

    def _check_content(self, params: dict[str, Any], *, require: bool) -> Answer | None:
        text, blocks = params.get("text"), params.get("blocks")
        if require and not text and not blocks and not params.get("attachments"):
            return self._error("no_text")
        if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
            return self._error("msg_too_long")
        if blocks is not None and blocks != "":
            if isinstance(blocks, str):
                return self._error("invalid_blocks_format")
            errors = validate_blocks(blocks)
            if errors:
                return 200, invalid_blocks_answer(errors)
        return None

    def public_message(self, msg: dict[str, Any], *, with_metadata: bool) -> dict[str, Any]:
        out = copy.deepcopy(msg)
        if not with_metadata:
            out.pop("metadata", None)
        return out

    # ---- auth / users --------------------------------------------------------------------
    def auth_test(self, params: dict[str, Any]) -> Answer:
        ws = self.ws
        return 200, {
            "ok": True,
            "url": f"https://{ws.team_domain}.slack.com/",
            "team": ws.team_name,
            "user": ws.bot_name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def user_object(self, user_id: str) -> dict[str, Any]:
        real = self.ws.users.get(user_id, user_id)
        handle = real.lower().replace(" ", ".")
        return {
            "id": user_id,
            "team_id": self.ws.team_id,
            "name": handle,
            "deleted": False,
            "real_name": real,
            "tz": "Europe/Paris",
            "is_bot": False,
            "is_admin": False,
            "profile": {
                "real_name": real,
                "real_name_normalized": real,
                "display_name": real.split(" ")[0],
                "display_name_normalized": real.split(" ")[0],
                "team": self.ws.team_id,
            },
        }

    def users_info(self, params: dict[str, Any]) -> Answer:
        user = params.get("user")
        if user == self.ws.bot_user_id:
            obj = self.user_object(user)
            obj.update(name=self.ws.bot_name, real_name=self.ws.bot_name, is_bot=True)
            return 200, {"ok": True, "user": obj}
        if user not in self.ws.users:
            return self._error("user_not_found")
        return 200, {"ok": True, "user": self.user_object(user)}

    def users_list(self, params: dict[str, Any]) -> Answer:
        """The workspace's members, a page at a time (cursor = offset, as the other lists)."""
        try:
            limit = int(params.get("limit") or 100)
            start = int(params.get("cursor") or 0)
        except ValueError:
            return self._error("invalid_arguments")
        ids = sorted(self.ws.users)
        more = start + limit < len(ids)
        return 200, {
            "ok": True,
            "members": [self.user_object(u) for u in ids[start : start + limit]],
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def usergroups_list(self, params: dict[str, Any]) -> Answer:
        """The workspace's user groups (without their members unless `include_users`)."""
        groups = []
        for gid in sorted(self.ws.groups):
            name = self.ws.group_names.get(gid, gid)
            group: dict[str, Any] = {
                "id": gid, "team_id": self.ws.team_id, "is_usergroup": True, "name": name,
                "description": "", "handle": name.lower().replace(" ", "-"),
                "is_external": False, "date_delete": 0, "user_count": len(self.ws.groups[gid]),
            }  # fmt: skip
            if _truthy(params.get("include_users", False)):
                group["users"] = list(self.ws.groups[gid])
            groups.append(group)
        return 200, {"ok": True, "usergroups": groups}

    def usergroups_users_list(self, params: dict[str, Any]) -> Answer:
        group = params.get("usergroup")
        if group not in self.ws.groups:
            return self._error("no_such_subteam")
        return 200, {"ok": True, "users": list(self.ws.groups[group])}

    def is_member(self, channel: str, user: str) -> bool:
        """Whether `user` (the app: its bot user) is in `channel`: the channels `members`
        lists hold those people; every other channel holds everyone. The app is in every
        channel but the `outside_channels`."""
        if user == self.ws.bot_user_id:
            return channel not in self.ws.outside_channels
        return user in self.ws.members.get(channel, frozenset(self.ws.users))

    _TYPE_SCOPES = (
        ("public_channel", "channels:read"), ("private_channel", "groups:read"),
        ("mpim", "mpim:read"), ("im", "im:read"),
    )  # fmt: skip

    def users_conversations(self, params: dict[str, Any]) -> Answer:
        """The channels a person is in (`user`; else the app's own), a page at a time: public
        ones always, private ones only where the app is too; no direct messages here."""
        types = {t.strip() for t in str(params.get("types") or "public_channel").split(",")}
        if not types or not types <= {t for t, _ in self._TYPE_SCOPES}:
            return self._error("invalid_types")
        if self.ws.scopes is not None:
            needed = [sc for t, sc in self._TYPE_SCOPES if t in types and sc not in self.ws.scopes]
            if needed:
                provided = ",".join(sorted(self.ws.scopes))
                return self._error("missing_scope", needed=",".join(needed), provided=provided)
        user = str(params.get("user") or self.ws.bot_user_id)
        if user != self.ws.bot_user_id and user not in self.ws.users:
            return self._error("user_not_found")
        try:
            limit = int(params.get("limit") or 100)
            start = int(params.get("cursor") or 0)
        except ValueError:
            return self._error("invalid_cursor")
        if not 1 <= limit <= 999:
            return self._error("invalid_limit")
        skip_archived = _truthy(params.get("exclude_archived", False))
        ims = set(self.ims.values())
        found = []
        for cid in sorted(self.channels):
            private = cid in self.ws.private_channels
            if cid in ims or ("private_channel" if private else "public_channel") not in types:
                continue
            if skip_archived and cid in self.ws.archived_channels:
                continue
            if not self.is_member(cid, user):
                continue
            if private and not self.is_member(cid, self.ws.bot_user_id):
                continue  # Slack lists a private channel only to an app that shares it
            found.append(cid)
        more = start + limit < len(found)
        return 200, {
            "ok": True,
            "channels": [self._conversation(c) for c in found[start : start + limit]],
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _conversation(self, cid: str) -> dict[str, Any]:
        """A channel as users.conversations gives it (no is_member, no num_members)."""
        private = cid in self.ws.private_channels
        name = self.channels.get(cid, cid)
        return {
            "id": cid, "name": name, "name_normalized": name, "is_channel": not private,
            "is_group": private, "is_im": False, "is_mpim": False, "is_private": private,
            "is_archived": cid in self.ws.archived_channels, "is_general": False,
            "is_shared": False, "is_ext_shared": False, "is_org_shared": False,
            "context_team_id": self.ws.team_id, "created": 0,
            "creator": (self.created.get(cid) or {}).get("creator", ""),
        }  # fmt: skip

    # ---- channels the app makes (an incident's room) ------------------------------------------
    _NAME = re.compile(r"^[a-z0-9_-]+$")

    def conversations_create(self, params: dict[str, Any]) -> Answer:
        """A new channel, the app its creator and first member; Slack's errors for a bad or
        taken name, a missing scope (`channels:manage` public, `groups:write` private) and a
        workspace that lets no app create channels."""
        private = _truthy(params.get("is_private", False))
        if self.ws.scopes is not None:
            needed = "groups:write" if private else "channels:manage"
            if needed not in self.ws.scopes:
                provided = ",".join(sorted(self.ws.scopes))
                return self._error("missing_scope", needed=needed, provided=provided)
        if self.ws.restrict_channel_creation:
            return self._error("restricted_action")
        name = str(params.get("name") or "")
        if not name:
            return self._error("invalid_name_required")
        if len(name) > 80:
            return self._error("invalid_name_maxlength")
        if not self._NAME.match(name):
            return self._error("invalid_name_specials")
        if name in self.channels.values():
            return self._error("name_taken")
        cid = self.new_id("G" if private else "C")
        self.channels[cid] = name
        self.messages[cid] = []
        if private:
            self.ws.private_channels = self.ws.private_channels | {cid}
        self.ws.members[cid] = frozenset({self.ws.bot_user_id})
        self.created[cid] = {"creator": self.ws.bot_user_id, "created": int(self.clock()),
                             "topic": "", "purpose": ""}  # fmt: skip
        return 200, {"ok": True, "channel": self._channel_info(cid)}

    def _channel_info(self, cid: str) -> dict[str, Any]:
        made = self.created.get(cid) or {}
        info = self._conversation(cid)
        info.update(
            created=made.get("created", 0), is_member=self.is_member(cid, self.ws.bot_user_id),
            topic={"value": made.get("topic", ""), "creator": "", "last_set": 0},
            purpose={"value": made.get("purpose", ""), "creator": "", "last_set": 0},
        )  # fmt: skip
        return info

    def _own(self, params: dict[str, Any]) -> str | Answer:
        """The channel `params` names, checked as Slack checks it before changing one."""
        cid = self._existing_channel(params.get("channel"))
        if cid is None:
            return self._error("channel_not_found")
        if cid in self.ws.archived_channels:
            return self._error("is_archived")
        if not self.is_member(cid, self.ws.bot_user_id):
            return self._error("not_in_channel")
        return cid

    def conversations_invite(self, params: dict[str, Any]) -> Answer:
        """Invite the comma-separated `users`: the first refused one answers for all (as Slack
        does without `force`); with `force`, the others are invited and `errors` lists it."""
        cid = self._own(params)
        if not isinstance(cid, str):
            return cid
        users = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
        if not users:
            return self._error("no_user")
        errors = []
        for user in users:
            error = self._invite_error(cid, user)
            if error is None:
                self.ws.members[cid] = self.ws.members.get(cid, frozenset()) | {user}
            elif not _truthy(params.get("force", False)):
                return self._error(error)
            else:
                errors.append({"user": user, "ok": False, "error": error})
        answer: dict[str, Any] = {"ok": True, "channel": self._channel_info(cid)}
        if errors:
            answer["errors"] = errors
        return 200, answer

    def _invite_error(self, cid: str, user: str) -> str | None:
        if user == self.ws.bot_user_id:
            return "cant_invite_self"
        if user in self.ws.uninvitable_users:
            return "cant_invite"
        if user not in self.ws.users:
            return "user_not_found"
        if user in self.ws.restricted_users:
            return "user_is_restricted"
        if user in self.ws.members.get(cid, frozenset()):
            return "already_in_channel"
        return None

    def _set_text(self, params: dict[str, Any], key: str) -> Answer:
        cid = self._own(params)
        if not isinstance(cid, str):
            return cid
        value = str(params.get(key) or "")
        if len(value) > 250:
            return self._error("too_long")
        self.created.setdefault(cid, {})[key] = value
        return 200, {"ok": True, "channel": self._channel_info(cid)}

    def conversations_setTopic(self, params: dict[str, Any]) -> Answer:
        return self._set_text(params, "topic")

    def conversations_setPurpose(self, params: dict[str, Any]) -> Answer:
        return self._set_text(params, "purpose")

    def conversations_archive(self, params: dict[str, Any]) -> Answer:
        cid = self._existing_channel(params.get("channel"))
        if cid is None:
            return self._error("channel_not_found")
        if cid in self.ws.archived_channels:
            return self._error("already_archived")
        if not self.is_member(cid, self.ws.bot_user_id):
            return self._error("not_in_channel")
        self.ws.archived_channels = self.ws.archived_channels | {cid}
        return 200, {"ok": True}

    # ---- chat ------------------------------------------------------------------------------
    def chat_postMessage(self, params: dict[str, Any]) -> Answer:
        channel = self._resolve_channel(params.get("channel"))
        if channel is None:
            return self._error("channel_not_found")
        if channel in self.ws.archived_channels:
            return self._error("is_archived")
        bad = self._check_content(params, require=True)
        if bad:
            return bad
        return 200, self.post(channel, params)

    def post(self, channel: str, params: dict[str, Any]) -> dict[str, Any]:
        """Store a bot message (also used for in_channel response_url posts)."""
        ws = self.ws
        ts = self.new_ts()
        msg: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "text": params.get("text") or "",
            "ts": ts,
            "bot_id": ws.bot_id,
            "app_id": ws.app_id,
            "user": ws.bot_user_id,
            "team": ws.team_id,
            "blocks": params.get("blocks") or [],
        }
        metadata = params.get("metadata")
        if isinstance(metadata, dict) and metadata.get("event_type"):
            msg["metadata"] = {
                "event_type": metadata["event_type"],
                "event_payload": metadata.get("event_payload") or {},
            }
        thread_ts = params.get("thread_ts")
        if thread_ts:
            msg["thread_ts"] = str(thread_ts)
            parent = self._find(channel, str(thread_ts))
            if parent is not None:
                parent["thread_ts"] = parent["ts"]
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = ts
                users = parent.setdefault("reply_users", [])
                if ws.bot_user_id not in users:
                    users.append(ws.bot_user_id)
                parent["reply_users_count"] = len(users)
        self.messages.setdefault(channel, []).append(msg)
        return {"ok": True, "channel": channel, "ts": ts, "message": copy.deepcopy(msg)}

    def chat_update(self, params: dict[str, Any]) -> Answer:
        found = self._message(params)
        if isinstance(found, str):
            return self._error(found)
        channel, msg = found
        bad = self._check_content(params, require=False)
        if bad:
            return bad
        self.apply_update(msg, params)
        return 200, {
            "ok": True,
            "channel": channel,
            "ts": msg["ts"],
            "text": msg["text"],
            "message": copy.deepcopy(msg),
        }

    def apply_update(self, msg: dict[str, Any], params: dict[str, Any]) -> None:
        if "text" in params and params["text"] is not None:
            msg["text"] = params["text"]
        if params.get("blocks") is not None:
            msg["blocks"] = params["blocks"] or []
        metadata = params.get("metadata")
        if isinstance(metadata, dict) and metadata.get("event_type"):
            msg["metadata"] = {
                "event_type": metadata["event_type"],
                "event_payload": metadata.get("event_payload") or {},
            }
        msg["edited"] = {"user": self.ws.bot_user_id, "ts": self.new_ts()}

    def chat_delete(self, params: dict[str, Any]) -> Answer:
        found = self._message(params)
        if isinstance(found, str):
            return self._error(found)
        channel, msg = found
        self.remove(channel, msg)
        return 200, {"ok": True, "channel": channel, "ts": msg["ts"]}

    def remove(self, channel: str, msg: dict[str, Any]) -> None:
        self.messages[channel].remove(msg)
        self.deleted.append({"channel": channel, **msg})

    def chat_postEphemeral(self, params: dict[str, Any]) -> Answer:
        channel = self._resolve_channel(params.get("channel"))
        if channel is None:
            return self._error("channel_not_found")
        user = params.get("user")
        if user not in self.ws.users or not self.is_member(channel, user):
            return self._error("user_not_in_channel")
        bad = self._check_content(params, require=True)
        if bad:
            return bad
        ts = self.new_ts()
        self.ephemerals.append(
            {
                "channel": channel,
                "user": user,
                "text": params.get("text") or "",
                "blocks": params.get("blocks") or [],
                "thread_ts": params.get("thread_ts"),
                "message_ts": ts,
            }
        )
        return 200, {"ok": True, "message_ts": ts}

    def chat_getPermalink(self, params: dict[str, Any]) -> Answer:
        found = self._message(params, "message_ts")
        if isinstance(found, str):
            return self._error(found)
        channel, msg = found
        digits = str(msg["ts"]).replace(".", "")
        link = f"https://{self.ws.team_domain}.slack.com/archives/{channel}/p{digits}"
        return 200, {"ok": True, "channel": channel, "permalink": link}

    def reactions_add(self, params: dict[str, Any]) -> Answer:
        channel = self._existing_channel(params.get("channel"))
        if channel is None:
            return self._error("channel_not_found")
        name = params.get("name")
        if not name:
            return self._error("invalid_name")
        msg = self._find(channel, params.get("timestamp"))
        if msg is None:
            return self._error("message_not_found")
        reactions = msg.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None:
            entry = {"name": name, "users": [], "count": 0}
            reactions.append(entry)
        if self.ws.bot_user_id in entry["users"]:
            return self._error("already_reacted")
        entry["users"].append(self.ws.bot_user_id)
        entry["count"] = len(entry["users"])
        return 200, {"ok": True}

    # ---- conversations -----------------------------------------------------------------
    def _page(self, msgs: list[dict[str, Any]], params: dict[str, Any]) -> Answer:
        try:
            limit = int(params.get("limit") or 100)
            start = int(params.get("cursor") or 0)
        except ValueError:
            return self._error("invalid_arguments")
        page = msgs[start : start + limit]
        more = start + limit < len(msgs)
        with_meta = _truthy(params.get("include_all_metadata", False))
        return 200, {
            "ok": True,
            "messages": [self.public_message(m, with_metadata=with_meta) for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    @staticmethod
    def _in_window(ts: str, params: dict[str, Any]) -> bool:
        inclusive = _truthy(params.get("inclusive", False))
        value = float(ts)
        oldest = float(params.get("oldest") or 0)
        latest = params.get("latest")
        if value < oldest or (value == oldest and not inclusive and oldest > 0):
            return False
        if latest:
            lat = float(latest)
            if value > lat or (value == lat and not inclusive):
                return False
        return True

    def conversations_history(self, params: dict[str, Any]) -> Answer:
        channel = self._existing_channel(params.get("channel"))
        if channel is None:
            return self._error("channel_not_found")
        if channel in self.ws.outside_channels:
            return self._error("not_in_channel")
        # Thread replies are not part of the channel history (broadcasts aside).
        top = [
            m
            for m in self.messages[channel]
            if m.get("thread_ts", m["ts"]) == m["ts"] and self._in_window(m["ts"], params)
        ]
        top.sort(key=lambda m: float(m["ts"]), reverse=True)
        status, body = self._page(top, params)
        if body.get("ok"):
            body["pin_count"] = 0
        return status, body

    def conversations_replies(self, params: dict[str, Any]) -> Answer:
        channel = self._existing_channel(params.get("channel"))
        if channel is None:
            return self._error("channel_not_found")
        if channel in self.ws.outside_channels:
            return self._error("not_in_channel")
        ts = params.get("ts")
        parent = self._find(channel, ts)
        if parent is None:
            return self._error("thread_not_found")
        thread = [parent] + [
            m for m in self.messages[channel] if m.get("thread_ts") == ts and m["ts"] != ts
        ]
        thread = [m for m in thread if m is parent or self._in_window(m["ts"], params)]
        thread.sort(key=lambda m: float(m["ts"]))
        return self._page(thread, params)

    def conversations_open(self, params: dict[str, Any]) -> Answer:
        """Open or resume the bot's direct message with 1 person (an IM, `D…`) or 2–8 (an
        MPIM, `G…`); `channel` resumes one by its ID. The answer carries only the ID unless
        `return_im` asks for the whole conversation; a resumed one says `already_open`."""
        channel = params.get("channel")
        if channel:
            found = next((m for m, c in self.ims.items() if c == channel), None)
            if found is None:
                return self._error("channel_not_found")
            return 200, self._opened(found, channel, params, already=True)
        raw = params.get("users")
        names = raw if isinstance(raw, list) else str(raw or "").split(",")
        users = [str(u).strip() for u in names if str(u).strip()]
        if not users:
            return self._error("users_list_not_supplied")
        if len(users) > 8:
            return self._error("too_many_users")
        for user in users:
            if user == self.ws.bot_user_id:
                return self._error("cannot_dm_bot")
            if user not in self.ws.users:
                return self._error("user_not_found")
        members = frozenset(users)
        already = members in self.ims
        if not already:
            cid = self.new_id("D" if len(members) == 1 else "G")
            self.ims[members] = cid
            self.channels[cid] = cid
            self.messages.setdefault(cid, [])
        return 200, self._opened(members, self.ims[members], params, already=already)

    def _opened(
        self, members: frozenset[str], cid: str, params: dict[str, Any], *, already: bool
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": True}
        if already:
            body.update(no_op=True, already_open=True)
        conversation: dict[str, Any] = {"id": cid}
        if _truthy(params.get("return_im", False)):
            conversation.update(
                created=int(self.clock()), is_archived=False, is_org_shared=False,
                is_open=True, last_read="0000000000.000000", latest=None, priority=0,
                unread_count=0, unread_count_display=0,
            )  # fmt: skip
            if len(members) == 1:
                conversation.update(is_im=True, user=next(iter(members)))
            else:
                conversation.update(is_mpim=True, is_private=True)
        body["channel"] = conversation
        return body

    def im_channel(self, user: str) -> str | None:
        """The ID of the bot's direct message with `user`, if one was opened."""
        return self.ims.get(frozenset((user,)))

    # ---- views ---------------------------------------------------------------------------
    def _use_trigger(self, trigger_id: Any) -> str | None:
        """Consume a trigger; return the Slack error code when it cannot be used."""
        if not trigger_id:
            return "invalid_arguments"
        entry = self.triggers.get(trigger_id)
        if entry is None:
            return "invalid_trigger_id" if self.ws.strict_triggers else None
        issued, used = entry
        if used:
            return "exchanged_trigger_id"
        if self.clock() - issued > self.ws.trigger_ttl:
            return "expired_trigger_id"
        self.triggers[trigger_id] = (issued, True)
        return None

    def _build_view(
        self, view: Any, *, view_id: str | None = None, root: str | None = None
    ) -> dict[str, Any] | Answer:
        if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
            return self._error("invalid_arguments")
        errors = validate_view(view)
        if errors:
            return 200, invalid_blocks_answer(errors)
        vid = view_id or self.new_id("V")
        stored = copy.deepcopy(view)
        stored.update(
            {
                "id": vid,
                "team_id": self.ws.team_id,
                "blocks": view.get("blocks") or [],
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id", ""),
                "state": {"values": {}},
                "hash": f"{int(self.clock())}.{next(self._ids):08x}",
                "root_view_id": root or vid,
                "app_id": self.ws.app_id,
                "bot_id": self.ws.bot_id,
                "app_installed_team_id": self.ws.team_id,
            }
        )
        stored.setdefault("previous_view_id", None)
        return stored

    def views_open(self, params: dict[str, Any], *, push: bool = False) -> Answer:
        problem = self._use_trigger(params.get("trigger_id"))
        if problem:
            return self._error(problem)
        built = self._build_view(params.get("view"))
        if isinstance(built, tuple):
            return built
        built["previous_view_id"] = None
        if push:
            # Pushed onto the stack of the most recent open modal, as Slack would.
            modals = [v for v in self.views.values() if v.get("type") == "modal"]
            if modals:
                built["previous_view_id"] = modals[-1]["id"]
                built["root_view_id"] = modals[-1]["root_view_id"]
        built["trigger_id"] = params.get("trigger_id")
        self.views[built["id"]] = built
        return 200, {"ok": True, "view": copy.deepcopy(built)}

    def views_push(self, params: dict[str, Any]) -> Answer:
        return self.views_open(params, push=True)

    def views_update(self, params: dict[str, Any]) -> Answer:
        view_id = params.get("view_id")
        external = params.get("external_id")
        current = self.views.get(view_id) if view_id else None
        if current is None and external:
            current = next((v for v in self.views.values() if v["external_id"] == external), None)
        if current is None:
            return self._error("not_found")
        if params.get("hash") and params["hash"] != current["hash"]:
            return self._error("hash_conflict")
        built = self._build_view(
            params.get("view"), view_id=current["id"], root=current["root_view_id"]
        )
        if isinstance(built, tuple):
            return built
        built["previous_view_id"] = current.get("previous_view_id")
        self.views[current["id"]] = built
        return 200, {"ok": True, "view": copy.deepcopy(built)}

    def views_publish(self, params: dict[str, Any]) -> Answer:
        """The user's Home tab: one per user, replaced whole on every publish."""
        user = params.get("user_id")
        if not user:
            return self._error("invalid_arguments")
        if user not in self.ws.users:
            return self._error("user_not_found")
        view = params.get("view")
        if not isinstance(view, dict) or view.get("type") != "home":
            return self._error("invalid_arguments")
        current = self.homes.get(user)
        if params.get("hash") and current is not None and params["hash"] != current["hash"]:
            return self._error("hash_conflict")
        built = self._build_view(view, view_id=current["id"] if current else None)
        if isinstance(built, tuple):
            return built
        self.homes[user] = built
        return 200, {"ok": True, "view": copy.deepcopy(built)}

    # ---- files ---------------------------------------------------------------------------
    def files_getUploadURLExternal(self, params: dict[str, Any], *, base_url: str) -> Answer:
        filename = params.get("filename")
        try:
            length = int(params.get("length") or 0)
        except ValueError:
            length = 0
        if not filename or length <= 0:
            return self._error("invalid_arguments")
        file_id = self.new_id("F")
        self.uploads[file_id] = {"name": filename, "length": length, "content": None}
        upload_url = f"{base_url}upload/v1/{file_id}"
        return 200, {"ok": True, "upload_url": upload_url, "file_id": file_id}

    def receive_upload(self, file_id: str, content: bytes) -> bool:
        pending = self.uploads.get(file_id)
        if pending is None:
            return False
        pending["content"] = content
        return True

    def files_completeUploadExternal(self, params: dict[str, Any]) -> Answer:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            return self._error("invalid_arguments")
        for item in files:
            pending = self.uploads.get(str(item.get("id"))) if isinstance(item, dict) else None
            if pending is None or pending["content"] is None:
                return self._error("file_not_found")
        channel = params.get("channel_id") or None
        channels = [c for c in str(params.get("channels") or "").split(",") if c]
        if channel:
            channels.insert(0, channel)
        resolved: list[str] = []
        for c in channels:
            cid = self._resolve_channel(c)
            if cid is None:
                return self._error("channel_not_found")
            resolved.append(cid)
        done = []
        for item in files:
            pending = self.uploads.pop(item["id"])
            record = {
                "id": item["id"],
                "name": pending["name"],
                "title": item.get("title") or pending["name"],
                "content": pending["content"],
                "size": len(pending["content"]),
                "channel": resolved[0] if resolved else None,
                "channels": resolved,
                "thread_ts": params.get("thread_ts") or None,
                "initial_comment": params.get("initial_comment") or None,
                "created": int(self.clock()),
            }
            self.files[item["id"]] = record
            if resolved:  # Slack shares it with a message (in the thread, if one is given)
                share = self.post(resolved[0], {"thread_ts": record["thread_ts"]})["message"]
                stored = self._find(resolved[0], share["ts"])
                if stored is not None:
                    stored["files"] = [{"id": item["id"], "name": record["name"],
                                        "title": record["title"]}]  # fmt: skip
            done.append(
                {
                    "id": record["id"],
                    "name": record["name"],
                    "title": record["title"],
                    "size": record["size"],
                    "created": record["created"],
                }
            )
        return 200, {"ok": True, "files": done}
