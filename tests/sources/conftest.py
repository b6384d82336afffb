"""A real HTTP server on 127.0.0.1 that answers like a platform, and an httpx client for it.

Tests queue replies per path (`platform.reply("/search.json", ...)`); each request takes the next
queued reply for its path, and the last one repeats. A path can instead be answered by a function
of the request (`platform.answer(path, fn)`), for a platform whose state changes between polls.
Every request is recorded for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.local_server import LOCAL_TIMEOUT, serving

FIXTURES = Path(__file__).parent / "fixtures"
# The connectors' timeout in the tests of what they map, page and refuse: it measures nothing.
CLIENT_TIMEOUT = LOCAL_TIMEOUT
# The timeout the timeout tests measure: their server answers after 3 × it, or trickles its body
# in steps of a fifth of it, so a loaded machine makes it time out no less surely.
TIMEOUT_UNDER_TEST = 0.5


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> Any:
    return json.loads(fixture_text(name))


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | Any = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before answering (timeouts)
    trickle: float = 0.0  # seconds between the body's bytes (a server that drips)
    length: bool = True  # send Content-Length; False: the body ends when the connection closes


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


class FakePlatform:
    def __init__(self) -> None:
        self.replies: dict[str, deque[Reply]] = defaultdict(deque)
        self.answers: dict[str, Callable[[Recorded], Reply]] = {}
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self.base_url = ""

    def reply(self, path: str, *replies: Reply | Any, status: int = 200, **kw: Any) -> None:
        for reply in replies:
            if not isinstance(reply, Reply):
                reply = Reply(status=status, body=reply, **kw)
            self.replies[path].append(reply)

    def answer(self, path: str, answer: Callable[[Recorded], Reply]) -> None:
        self.answers[path] = answer

    def take(self, path: str, request: Recorded | None = None) -> Reply:
        if request is not None and path in self.answers:
            return self.answers[path](request)
        with self.lock:
            queue = self.replies.get(path)
            if not queue:
                return Reply(404, {"error": f"no reply queued for {path}"})
            return queue.popleft() if len(queue) > 1 else queue[0]

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


def _handler(platform: FakePlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            recorded = Recorded(
                self.command, url.path, parse_qs(url.query), dict(self.headers), body
            )
            with platform.lock:
                platform.requests.append(recorded)
            reply = platform.take(url.path, recorded)
            if reply.delay:
                time.sleep(reply.delay)
            payload = reply.body
            if not isinstance(payload, bytes | str):
                payload = json.dumps(payload)
            data = payload.encode() if isinstance(payload, str) else payload
            try:
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                if reply.length:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not reply.trickle:
                    self.wfile.write(data)
                for index in range(len(data) if reply.trickle else 0):
                    self.wfile.write(data[index : index + 1])
                    self.wfile.flush()
                    time.sleep(reply.trickle)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    fake = FakePlatform()
    with serving(_handler(fake)) as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture(scope="session")
def client() -> Iterator[httpx.Client]:
    # One client for the run: building its TLS context costs more than most tests.
    with httpx.Client(timeout=CLIENT_TIMEOUT) as http:
        yield http
