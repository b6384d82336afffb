"""The HTTP side of the emulator: routing, auth, recording, fault injection, response_urls."""

from __future__ import annotations

import copy
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from .blocks import validate_blocks
from .state import Answer, Workspace, WorkspaceState, decode_json_params

T = TypeVar("T")

# Methods that pass through the per-channel "1 message a second" limit.
_POSTING_METHODS = ("chat.postMessage",)
_RETRY_ERRORS = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}


# How long `wait_for` waits by default. It returns as soon as the condition holds, so the bound
# measures nothing and only stops a hung test; 5 s was within reach of a loaded 2-core CI machine
# (the bot's listener pool, courier and emulator all in one busy process).
WAIT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Call:
    """One request the emulator answered (Web API, upload or response_url)."""

    method: str
    params: dict[str, Any]
    time: float
    status: int
    ok: bool | None
    error: str | None
    fault: str | None = None  # "before", "after" or "channel_rate_limit" when injected


@dataclass(frozen=True)
class Fault:
    status: int = 429
    retry_after: int | None = 1
    after_effect: bool = False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops SYNs when a bot fans out requests, and the client's
    # 1 s SYN retransmit then looks like a slow Slack.
    request_queue_size = 128
    emulator: SlackEmulator


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging; every call is recorded in ``emu.calls()``."""

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch(self.rfile.read(length) if length else b"")

    def _dispatch(self, body: bytes) -> None:
        status, headers, payload = self.server.emulator._handle(
            self.path, dict(self.headers.items()), body
        )
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


Reply = tuple[int, dict[str, str], bytes]
_JSON = {"Content-Type": "application/json; charset=utf-8"}


def _json_reply(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    return status, {**_JSON, **(headers or {})}, json.dumps(body).encode()


class SlackEmulator:
    """A local Slack: a threaded HTTP server answering the Web API the bot uses.

    Use as a context manager or call :meth:`start`/:meth:`stop`. Point slack_sdk at it with
    ``WebClient(token=emu.bot_token, base_url=emu.api_url)``. All accessors return copies and
    are safe to call from any thread while the bot is talking to the server.
    """

    def __init__(
        self,
        *,
        bot_token: str | None = "xoxb-emulator-token",
        host: str = "127.0.0.1",
        port: int = 0,
        workspace: Workspace | None = None,
        users: dict[str, str] | None = None,
        groups: dict[str, list[str]] | None = None,
        channels: dict[str, str] | None = None,
        trigger_ttl: float = 3.0,
        channel_rate_limit: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # A copy: set_members and set_scopes change this emulator's, never a module's shared one.
        ws = copy.copy(workspace) if workspace is not None else Workspace()
        ws.members = dict(ws.members)
        if users is not None:
            ws.users = dict(users)
        if groups is not None:
            ws.groups = {k: list(v) for k, v in groups.items()}
        if channels is not None:
            ws.channels = dict(channels)
        ws.trigger_ttl = trigger_ttl
        self.workspace = ws
        self.bot_token = bot_token
        self._host, self._port = host, port
        self._clock = clock
        self._lock = threading.RLock()
        self._state = WorkspaceState(ws, clock)
        self._calls: list[Call] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._fault_rate = 0.0
        self._fault_rng = random.Random()
        self._fault_statuses: tuple[int, ...] = (429, 500, 503)
        self._fault_retry_after = 1
        self._fault_after_share = 0.0
        self._fault_methods: frozenset[str] | None = None
        self._channel_rate = channel_rate_limit
        self._last_post: dict[str, float] = {}
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._responses: list[dict[str, Any]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> SlackEmulator:
        if self._server is not None:
            return self
        server = _Server((self._host, self._port), _Handler)
        server.emulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="slack-emulator",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("SlackEmulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def api_url(self) -> str:
        """Web API base, for ``WebClient(base_url=...)`` and the bot's ``SLACK_API_URL``."""
        return f"{self.base_url}api/"

    # ---- inspection ----------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Current messages of a channel (thread replies included), oldest first."""
        with self._lock:
            cid = self._state._existing_channel(channel)
            return copy.deepcopy(self._state.messages.get(cid, [])) if cid else []

    def direct_messages(self, user: str) -> list[dict[str, Any]]:
        """What the bot wrote to ``user`` in their direct message (conversations.open), oldest
        first; empty when none was opened."""
        with self._lock:
            cid = self._state.im_channel(user)
            return copy.deepcopy(self._state.messages.get(cid, [])) if cid else []

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._lock:
            cid = self._state._existing_channel(channel)
            found = self._state._find(cid, ts) if cid else None
            return copy.deepcopy(found)

    def channel_named(self, name: str) -> dict[str, Any] | None:
        """A channel by its name, as conversations.info would give it (topic, purpose,
        members, archived, private), or None."""
        with self._lock:
            cid = self._state._existing_channel(name)
            if cid is None:
                return None
            info = self._state._channel_info(cid)
            info["members"] = sorted(self.workspace.members.get(cid, frozenset()))
            return copy.deepcopy(info)

    @property
    def deleted(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._state.deleted)

    @property
    def ephemerals(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._state.ephemerals)

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._state.views)

    def home(self, user: str) -> dict[str, Any] | None:
        """The Home tab last published for ``user`` (views.publish), or None."""
        with self._lock:
            return copy.deepcopy(self._state.homes.get(user))

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._state.files)

    @property
    def responses(self) -> list[dict[str, Any]]:
        """What was POSTed to response_urls: url, kind, channel, user, message_ts, payload."""
        with self._lock:
            return copy.deepcopy(self._responses)

    def wait_for(
        self, predicate: Callable[[], T], timeout: float = WAIT_TIMEOUT, interval: float = 0.01
    ) -> T:
        """Poll ``predicate`` until it returns something truthy; return it or raise."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout}s")
            time.sleep(interval)

    def reset(self) -> None:
        """Forget messages, calls, views, files, faults, triggers; keep users/groups/channels."""
        with self._lock:
            self._state.reset()
            self._calls.clear()
            self._faults.clear()
            self._fault_rate = 0.0
            self._last_post.clear()
            self._response_urls.clear()
            self._responses.clear()

    # ---- set-up helpers ------------------------------------------------------------------
    def new_trigger_id(self) -> str:
        """A trigger_id as Slack attaches to interactions: valid once, for ``trigger_ttl`` s."""
        with self._lock:
            return self._state.new_trigger_id()

    def new_response_url(
        self,
        kind: str = "commands",
        *,
        channel: str | None = None,
        user: str | None = None,
        message_ts: str | None = None,
    ) -> str:
        """A response_url served by the emulator (``kind`` is "commands" or "actions")."""
        if kind not in ("commands", "actions"):
            raise ValueError("kind must be 'commands' or 'actions'")
        with self._lock:
            url_id = self._state.new_id("R")
            self._response_urls[url_id] = {
                "kind": kind,
                "channel": channel,
                "user": user,
                "message_ts": message_ts,
            }
        return f"{self.base_url}{kind}/{url_id}"

    def add_user(self, user_id: str, real_name: str) -> None:
        with self._lock:
            self.workspace.users[user_id] = real_name

    def add_channel(self, channel_id: str, name: str) -> None:
        with self._lock:
            self._state.channels[channel_id] = name
            self._state.messages.setdefault(channel_id, [])

    def set_members(self, channel: str, users: Iterable[str] | None) -> None:
        """Who is in `channel` from now on (None: everyone again), as people join and leave."""
        with self._lock:
            if users is None:
                self.workspace.members.pop(channel, None)
            else:
                self.workspace.members[channel] = frozenset(users)

    def set_scopes(self, scopes: Iterable[str] | None) -> None:
        """The bot token's scopes from now on (None: all it asks for): a method that needs one
        it lacks answers missing_scope (`Workspace.scopes`)."""
        with self._lock:
            self.workspace.scopes = frozenset(scopes) if scopes is not None else None

    def add_user_message(
        self, channel: str, text: str, *, user: str = "U0ALICE", thread_ts: str | None = None
    ) -> dict[str, Any]:
        """Put a human's message in a channel (as if typed in Slack); returns it."""
        with self._lock:
            cid = self._state._resolve_channel(channel)
            if cid is None:
                raise KeyError(channel)
            msg: dict[str, Any] = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": self._state.new_ts(),
                "team": self.workspace.team_id,
            }
            if thread_ts:
                msg["thread_ts"] = thread_ts
            self._state.messages[cid].append(msg)
            return copy.deepcopy(msg)

    # ---- faults --------------------------------------------------------------------------
    def fail_next(
        self,
        method: str = "*",
        status: int = 429,
        retry_after: int | None = 1,
        count: int = 1,
        *,
        after_effect: bool = False,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` ("*" = any) with ``status``.

        By default the failure happens BEFORE the call takes effect, so a retry is safe.
        ``after_effect=True`` stores the effect first and then answers ``status`` (500 by
        intent): the post happened but the caller never learns it, the case exactly-once
        delivery must survive. ``method`` may also be "upload" or "response_url".
        """
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(Fault(status, retry_after, after_effect) for _ in range(count))

    def set_fault_rate(
        self,
        rate: float,
        *,
        seed: int | None = None,
        statuses: Iterable[int] = (429, 500, 503),
        retry_after: int = 1,
        after_effect_share: float = 0.0,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Fail a random share ``rate`` of Web API calls (0 turns it off).

        Failures are drawn from ``statuses``; a share ``after_effect_share`` of them fail
        after the effect (500) instead of before. ``methods`` limits which methods can fail.
        """
        with self._lock:
            self._fault_rate = rate
            self._fault_rng = random.Random(seed)
            self._fault_statuses = tuple(statuses)
            self._fault_retry_after = retry_after
            self._fault_after_share = after_effect_share
            self._fault_methods = frozenset(methods) if methods is not None else None

    def set_channel_rate_limit(self, per_second: float | None = 1.0) -> None:
        """Enforce Slack's ~1 message/second/channel on chat.postMessage (None = off)."""
        with self._lock:
            self._channel_rate = per_second
            self._last_post.clear()

    def _take_fault(self, method: str, *, after: bool) -> Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue and queue[0].after_effect == after:
                return queue.popleft()
        if after or not self._fault_rate or method in ("upload", "response_url"):
            return None
        if self._fault_methods is not None and method not in self._fault_methods:
            return None
        rng = self._fault_rng
        if rng.random() >= self._fault_rate:
            return None
        if rng.random() < self._fault_after_share:
            # Decided now, applied once the effect is stored.
            self._faults.setdefault(method, deque()).appendleft(Fault(500, None, True))
            return None
        return Fault(rng.choice(self._fault_statuses), self._fault_retry_after, False)

    @staticmethod
    def _fault_reply(fault: Fault) -> Reply:
        headers: dict[str, str] = {}
        if fault.status == 429 and fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        error = _RETRY_ERRORS.get(fault.status, f"http_{fault.status}")
        return _json_reply(fault.status, {"ok": False, "error": error}, headers)

    # ---- request handling ----------------------------------------------------------------
    def _record(
        self, method: str, params: dict[str, Any], reply: Reply, fault: str | None = None
    ) -> Reply:
        ok: bool | None = None
        error: str | None = None
        if reply[1].get("Content-Type", "").startswith("application/json"):
            body = json.loads(reply[2])
            ok, error = body.get("ok"), body.get("error")
        params = {k: v for k, v in params.items() if k != "token"}
        self._calls.append(
            Call(method, copy.deepcopy(params), self._clock(), reply[0], ok, error, fault)
        )
        return reply

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urlsplit(path)
        route = parts.path.strip("/").split("/")
        with self._lock:
            if route[0] == "api" and len(route) == 2:
                return self._handle_api(route[1], parts.query, headers, body)
            if route[:2] == ["upload", "v1"] and len(route) == 3:
                return self._handle_upload(route[2], body)
            if route[0] in ("commands", "actions") and len(route) == 2:
                return self._handle_response_url(route[0], route[1], headers, body)
        return 404, {"Content-Type": "text/plain"}, b"not found"

    @staticmethod
    def _parse(query: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
        ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if body and "json" in ctype:
            data = json.loads(body)
            if isinstance(data, dict):
                params.update(data)
        elif body:
            form = parse_qs(body.decode(), keep_blank_values=True)
            params.update({k: v[-1] for k, v in form.items()})
        return decode_json_params(params)

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Answer]]:
        s = self._state
        return {
            "auth.test": s.auth_test,
            "chat.postMessage": s.chat_postMessage,
            "chat.update": s.chat_update,
            "chat.delete": s.chat_delete,
            "chat.postEphemeral": s.chat_postEphemeral,
            "chat.getPermalink": s.chat_getPermalink,
            "conversations.history": s.conversations_history,
            "conversations.replies": s.conversations_replies,
            "conversations.open": s.conversations_open,
            "conversations.create": s.conversations_create,
            "conversations.invite": s.conversations_invite,
            "conversations.setTopic": s.conversations_setTopic,
            "conversations.setPurpose": s.conversations_setPurpose,
            "conversations.archive": s.conversations_archive,
            "views.open": s.views_open,
            "views.update": s.views_update,
            "views.push": s.views_push,
            "views.publish": s.views_publish,
            "users.info": s.users_info,
            "users.list": s.users_list,
            "users.conversations": s.users_conversations,
            "usergroups.list": s.usergroups_list,
            "usergroups.users.list": s.usergroups_users_list,
            "files.getUploadURLExternal": lambda p: s.files_getUploadURLExternal(
                p, base_url=self.base_url
            ),
            "files.completeUploadExternal": s.files_completeUploadExternal,
            "reactions.add": s.reactions_add,
        }

    def _auth_error(self, headers: dict[str, str], params: dict[str, Any]) -> str | None:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else params.get("token")
        if not token:
            return "not_authed"
        if self.bot_token is not None and token != self.bot_token:
            return "invalid_auth"
        return None

    def _handle_api(self, method: str, query: str, headers: dict[str, str], body: bytes) -> Reply:
        try:
            params = self._parse(query, headers, body)
        except (ValueError, UnicodeDecodeError):
            return self._record(
                method, {}, _json_reply(200, {"ok": False, "error": "invalid_json"})
            )
        fault = self._take_fault(method, after=False)
        if fault is not None:
            return self._record(method, params, self._fault_reply(fault), "before")
        auth_error = self._auth_error(headers, params)
        if auth_error:
            return self._record(
                method, params, _json_reply(200, {"ok": False, "error": auth_error})
            )
        impl = self._methods().get(method)
        if impl is None:
            reply = _json_reply(200, {"ok": False, "error": "unknown_method"})
            return self._record(method, params, reply)
        if method in _POSTING_METHODS and self._channel_rate:
            key = str(params.get("channel"))
            now = self._clock()
            last = self._last_post.get(key)
            if last is not None and now - last < 1.0 / self._channel_rate:
                limited = self._fault_reply(Fault(429, 1, False))
                return self._record(method, params, limited, "channel_rate_limit")
        status, answer = impl(params)
        if method in _POSTING_METHODS and answer.get("ok"):
            self._last_post[str(params.get("channel"))] = self._clock()
        after = self._take_fault(method, after=True)
        if after is not None:
            return self._record(method, params, self._fault_reply(after), "after")
        return self._record(method, params, _json_reply(status, answer))

    def _handle_upload(self, file_id: str, body: bytes) -> Reply:
        params = {"file_id": file_id, "size": len(body)}
        fault = self._take_fault("upload", after=False)
        if fault is not None:
            return self._record("upload", params, self._fault_reply(fault), "before")
        if not self._state.receive_upload(file_id, body):
            return self._record("upload", params, (404, {"Content-Type": "text/plain"}, b""))
        reply: Reply = (200, {"Content-Type": "text/plain"}, f"OK - {len(body)}".encode())
        return self._record("upload", params, reply)

    def _handle_response_url(
        self, kind: str, url_id: str, headers: dict[str, str], body: bytes
    ) -> Reply:
        text_plain = {"Content-Type": "text/plain"}
        try:
            params = self._parse("", headers, body)
        except (ValueError, UnicodeDecodeError):
            return self._record("response_url", {}, (400, text_plain, b"invalid_payload"))
        params = {**params, "url_id": url_id}
        fault = self._take_fault("response_url", after=False)
        if fault is not None:
            return self._record("response_url", params, self._fault_reply(fault), "before")
        target = self._response_urls.get(url_id)
        if target is None or target["kind"] != kind:
            return self._record("response_url", params, (404, text_plain, b"no_service"))
        payload = {k: v for k, v in params.items() if k != "url_id"}
        if payload.get("blocks") and validate_blocks(payload["blocks"]):
            # Webhooks answer a bad layout with HTTP 400 and a plain-text error.
            return self._record("response_url", params, (400, text_plain, b"invalid_blocks"))
        self._apply_response(target, payload)
        self._responses.append(
            {"url": f"{self.base_url}{kind}/{url_id}", "kind": kind, **target, "payload": payload}
        )
        return self._record("response_url", params, (200, text_plain, b"ok"))

    def _apply_response(self, target: dict[str, Any], payload: dict[str, Any]) -> None:
        """Do to the channel what Slack does with a response_url post."""
        s = self._state
        channel, ts = target.get("channel"), target.get("message_ts")
        original = s._find(channel, ts) if channel and ts else None
        if _flag(payload.get("delete_original")):
            if original is not None:
                s.remove(channel, original)  # type: ignore[arg-type]
            return
        if _flag(payload.get("replace_original")) and original is not None:
            s.apply_update(original, payload)
            return
        if payload.get("response_type") == "in_channel" and channel:
            cid = s._resolve_channel(channel)
            if cid is not None:
                s.post(cid, payload)
            return
        s.ephemerals.append(
            {
                "channel": channel,
                "user": target.get("user"),
                "text": payload.get("text") or "",
                "blocks": payload.get("blocks") or [],
                "thread_ts": payload.get("thread_ts"),
                "message_ts": s.new_ts(),
                "via": "response_url",
            }
        )


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
