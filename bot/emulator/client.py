"""Sends the bot the signed requests Slack would: slash commands, clicks, modal submits, events.

Payload shapes follow Slack's (see tests/emulator/fixtures.py): form-encoded commands,
``payload=<json>`` interactions, JSON events. Each interaction carries a fresh ``trigger_id``
registered with the emulator and a ``response_url`` the emulator serves, so the bot's
``views.open`` and ``respond()`` land somewhere a test can look.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from .server import SlackEmulator

VERIFICATION_TOKEN = "emuVerificationToken0001"  # legacy field Slack still sends


def sign(signing_secret: str, timestamp: str, body: bytes | str) -> str:
    """``v0=`` + hex HMAC-SHA256(secret, ``v0:{ts}:{body}``), via slack_sdk's own helper."""
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None  # only None when timestamp is None
    return signature


class SignedSlackClient:
    """Plays Slack's side of the HTTP-mode app contract against the bot's request URL.

    ``timestamp``/``signature`` arguments on every method override what would be sent, to
    test old or forged requests.
    """

    def __init__(
        self,
        bot_url: str,
        signing_secret: str,
        emulator: SlackEmulator | None = None,
        *,
        timeout: float = 10.0,
        http_client: httpx.Client | None = None,
    ) -> None:
        self.bot_url = bot_url
        self.signing_secret = signing_secret
        self.emulator = emulator
        # An injected client (e.g. httpx.MockTransport) lets tests see the exact bytes sent.
        self._http = http_client or httpx.Client(timeout=timeout)
        ws = emulator.workspace if emulator else None
        self.team_id = ws.team_id if ws else "T0EMU0001"
        self.team_domain = ws.team_domain if ws else "crisisbot-emu"
        self.app_id = ws.app_id if ws else "A0CRISISBOT"
        self.bot_user_id = ws.bot_user_id if ws else "U0CRISISBOT"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SignedSlackClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- low level -------------------------------------------------------------------------
    def send(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: str | int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST raw ``body`` signed as Slack does (unless ``signature`` is given)."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or sign(self.signing_secret, ts, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        return self._http.post(self.bot_url, content=body, headers=sent)

    def _trigger(self) -> str:
        if self.emulator is not None:
            return self.emulator.new_trigger_id()
        return f"{int(time.time())}.1.{uuid.uuid4().hex}"

    def _response_url(self, kind: str, **target: Any) -> str:
        if self.emulator is not None:
            return self.emulator.new_response_url(kind, **target)
        return f"https://hooks.slack.com/{kind}/{self.team_id}/1/{uuid.uuid4().hex[:24]}"

    def _user(self, user_id: str) -> dict[str, str]:
        real = self.emulator.workspace.users.get(user_id, user_id) if self.emulator else user_id
        handle = real.lower().replace(" ", ".")
        return {"id": user_id, "username": handle, "name": handle, "team_id": self.team_id}

    def _channel_name(self, channel_id: str) -> str:
        if self.emulator is not None:
            return self.emulator.workspace.channels.get(channel_id, channel_id)
        return channel_id

    def _interaction(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
        return self.send(body, "application/x-www-form-urlencoded", **kw)

    # ---- what Slack sends ------------------------------------------------------------------
    def command(
        self,
        text: str,
        *,
        user_id: str = "U0ALICE",
        channel_id: str = "C0CRISIS",
        command: str = "/crisis",
        timestamp: str | int | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        """A slash command (form-encoded, as Slack posts it)."""
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user(user_id)["username"],
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url("commands", channel=channel_id, user=user_id),
            "trigger_id": self._trigger(),
        }
        body = urlencode(fields).encode()
        return self.send(
            body, "application/x-www-form-urlencoded", timestamp=timestamp, signature=signature
        )

    def click(
        self,
        action_id: str,
        value: str | None = None,
        *,
        user_id: str = "U0ALICE",
        message: dict[str, Any] | None = None,
        block_id: str | None = None,
        selected_option: dict[str, Any] | None = None,
        timestamp: str | int | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        """A button click (``block_actions``) on ``message`` ({channel, ts[, blocks]}); with
        ``selected_option`` it is a choice in a select menu instead.

        When the emulator holds that message its current text and blocks are sent, and the
        clicked button's text/style/block_id are read from them, like Slack does.
        """
        message = dict(message or {})
        channel_id = message.pop("channel", None) or "C0CRISIS"
        ts = message.get("ts") or f"{int(time.time())}.000100"
        stored = self.emulator.message(channel_id, ts) if self.emulator else None
        full = (
            {**(stored or {}), **message}
            if stored
            else {
                "type": "message",
                "subtype": "bot_message",
                "text": "",
                "user": self.bot_user_id,
                "team": self.team_id,
                "blocks": [],
                **message,
                "ts": ts,
            }
        )
        full.pop("metadata", None)  # metadata is not part of interaction payloads
        action: dict[str, Any] = {"type": "button", "action_id": action_id}
        for block in full.get("blocks") or []:
            for element in block.get("elements") or [block.get("accessory") or {}]:
                if element.get("action_id") == action_id:
                    action.update(element)
                    block_id = block_id or block.get("block_id")
        action["block_id"] = block_id or "actions"
        if value is not None:
            action["value"] = value
        if selected_option is not None:  # a select menu sends its choice, not a value
            action = {**action, "type": "static_select", "selected_option": selected_option}
            action.pop("options", None)
            action.pop("initial_option", None)
        action["action_ts"] = f"{time.time():.6f}"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": self.app_id,
            "token": VERIFICATION_TOKEN,
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            "trigger_id": self._trigger(),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel_id, "name": self._channel_name(channel_id)},
            "message": full,
            "state": {"values": {}},
            "response_url": self._response_url(
                "actions", channel=channel_id, user=user_id, message_ts=ts
            ),
            "actions": [action],
        }
        return self._interaction(payload, timestamp=timestamp, signature=signature)

    def shortcut(
        self,
        callback_id: str,
        *,
        user_id: str = "U0ALICE",
        message: dict[str, Any] | None = None,
        channel_id: str = "C0GENERAL",
        timestamp: str | int | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        """A global shortcut (``shortcut``), or with ``message`` ({ts, text[, user]}) a message
        shortcut (``message_action``) on that message in ``channel_id``, as Slack sends them."""
        payload: dict[str, Any] = {
            "type": "shortcut",
            "token": VERIFICATION_TOKEN,
            "action_ts": f"{time.time():.6f}",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self._trigger(),
        }
        if message is not None:
            ts = message.get("ts") or f"{int(time.time())}.000200"
            payload.update(
                type="message_action",
                message_ts=ts,
                message={"type": "message", "user": "U0CAROL", "team": self.team_id, **message,
                         "ts": ts},
                channel={"id": channel_id, "name": self._channel_name(channel_id)},
                response_url=self._response_url("actions", channel=channel_id, user=user_id),
            )  # fmt: skip
        return self._interaction(payload, timestamp=timestamp, signature=signature)

    def suggest(
        self,
        action_id: str,
        value: str = "",
        *,
        block_id: str,
        view_id: str,
        user_id: str = "U0ALICE",
        timestamp: str | int | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        """Typing into an external select of an open modal (``block_suggestion``): Slack asks
        the app for the options (its answer is ``{"options": [...]}`` within 3 seconds)."""
        stored = (self.emulator.views.get(view_id) if self.emulator else None) or {}
        payload: dict[str, Any] = {
            "type": "block_suggestion",
            "user": self._user(user_id),
            "container": {"type": "view", "view_id": view_id},
            "api_app_id": self.app_id,
            "token": VERIFICATION_TOKEN,
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "view": {
                "id": view_id,
                "team_id": self.team_id,
                "type": "modal",
                "blocks": stored.get("blocks", []),
                "private_metadata": stored.get("private_metadata", ""),
                "callback_id": stored.get("callback_id", ""),
                "state": {"values": {}},
                "hash": stored.get("hash", f"{int(time.time())}.emu"),
                "app_id": self.app_id,
            },
        }
        return self._interaction(payload, timestamp=timestamp, signature=signature)

    def submit_view(
        self,
        callback_id: str,
        values: dict[str, dict[str, Any]],
        *,
        user_id: str = "U0ALICE",
        private_metadata: str = "",
        view_id: str | None = None,
        timestamp: str | int | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        """A modal submit (``view_submission``).

        ``values`` is ``{block_id: {action_id: state}}``; a plain string state is sent as a
        ``plain_text_input`` value. With ``view_id`` the stored view's blocks are included.
        """
        state: dict[str, dict[str, Any]] = {}
        for block_id, actions in values.items():
            state[block_id] = {
                action_id: ({"type": "plain_text_input", "value": v} if isinstance(v, str) else v)
                for action_id, v in actions.items()
            }
        stored = (self.emulator.views.get(view_id) if self.emulator and view_id else None) or {}
        vid = stored.get("id") or view_id or f"V0SUB{uuid.uuid4().hex[:6].upper()}"
        view = {
            "id": vid,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": stored.get("blocks", []),
            "private_metadata": private_metadata or stored.get("private_metadata", ""),
            "callback_id": callback_id,
            "state": {"values": state},
            "hash": stored.get("hash", f"{int(time.time())}.emu"),
            "title": stored.get("title", {"type": "plain_text", "text": "Modal"}),
            "clear_on_close": False,
            "notify_on_close": False,
            "previous_view_id": stored.get("previous_view_id"),
            "root_view_id": stored.get("root_view_id", vid),
            "app_id": self.app_id,
            "external_id": stored.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.emulator.workspace.bot_id if self.emulator else "B0CRISISBOT",
        }
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": self._user(user_id),
            "api_app_id": self.app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": self._trigger(),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._interaction(payload, timestamp=timestamp, signature=signature)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        timestamp: str | int | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        """An Events API ``event_callback``; ``retry_num`` adds Slack's retry headers."""
        now = int(time.time())
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": now,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        body = json.dumps(envelope, separators=(",", ":")).encode()
        return self.send(
            body, "application/json", timestamp=timestamp, signature=signature, headers=headers
        )

    def app_home_opened(self, user_id: str = "U0ALICE", *, tab: str = "home") -> httpx.Response:
        """The person opened the app's Home tab (or its Messages tab, with ``tab``)."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": f"D0{user_id[2:]}",
            "tab": tab,
            "event_ts": f"{time.time():.6f}",
        }
        home = self.emulator.home(user_id) if self.emulator else None
        if home is not None:  # Slack includes the current Home tab once one was published
            event["view"] = home
        return self.event(event)

    def url_verification(
        self,
        challenge: str | None = None,
        *,
        timestamp: str | int | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        payload = {
            "token": VERIFICATION_TOKEN,
            "challenge": challenge or uuid.uuid4().hex,
            "type": "url_verification",
        }
        body = json.dumps(payload).encode()
        return self.send(body, "application/json", timestamp=timestamp, signature=signature)
