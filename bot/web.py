"""The HTTP face: `POST /slack/events` (Bolt), `GET /healthz`, `POST /ingest` (pushed mentions).

A plain WSGI app served by waitress, a production WSGI server in pure Python.
"""

from __future__ import annotations

import hmac
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.app import Crisisbot
from bot.core.settings import SettingsError
from bot.intake.importer import RecordError, loads, parse_record
from bot.intake.ingest import store_mentions

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

MAX_INGEST_BYTES = 10 * 1024 * 1024
MAX_INGEST_ITEMS = 10_000


class WebApp:
    def __init__(self, bot: Crisisbot, bolt_app: App | None) -> None:
        self.bot = bot
        self.slack = _SlackHandler(bolt_app) if bolt_app is not None else None

    def __call__(self, environ: WSGIEnvironment, start: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events" and self.slack is not None:
            return self.slack(environ, start)
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _json(start, 200, self.health())
        if path == "/ingest":
            if method != "POST":
                return _json(start, 405, {"ok": False, "error": "use POST"})
            status, body = self.ingest(environ)
            return _json(start, status, body)
        return _json(start, 404, {"ok": False, "error": "not found"})

    def health(self) -> dict[str, Any]:
        try:
            with self.bot.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            database = "ok"
        except DBAPIError:
            database = "unavailable"
        return {"ok": True, "database": database}

    def ingest(self, environ: WSGIEnvironment) -> tuple[int, dict[str, Any]]:
        token = self.bot.settings.ingest_token
        scheme, _, given = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if (
            not token
            or scheme.lower() != "bearer"  # the scheme is case-insensitive (RFC 9110)
            or not hmac.compare_digest(given.strip().encode(), token.encode())
        ):
            return 401, {"ok": False, "error": "missing or wrong bearer token"}
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 400, {"ok": False, "error": "bad Content-Length"}
        if length > MAX_INGEST_BYTES:
            return 413, {"ok": False, "error": f"body over {MAX_INGEST_BYTES} bytes"}
        try:
            payload = loads(environ["wsgi.input"].read(length) or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return 400, {"ok": False, "error": f"body is not JSON: {exc}"}
        items = payload if isinstance(payload, list) else [payload]
        if len(items) > MAX_INGEST_ITEMS:
            return 413, {"ok": False, "error": f"more than {MAX_INGEST_ITEMS} mentions"}
        mentions = []
        for i, item in enumerate(items):
            try:
                mentions.append(parse_record(item))
            except RecordError as exc:  # all or nothing: one bad item refuses the batch
                where = f"item {i}: " if isinstance(payload, list) else ""
                return 400, {"ok": False, "error": f"{where}{exc}"}
        try:
            with self.bot.transaction() as session:
                new = store_mentions(
                    session, mentions, config=self.bot.config, now=self.bot.clock()
                )
        except DBAPIError as exc:
            if not self.bot.database.failed(exc, "storing pushed mentions"):
                logger.exception("ingest: database error")
            return 503, {"ok": False, "error": "database unavailable, try again"}
        return 200, {"ok": True, "received": len(mentions), "new": new}


class _SlackHandler(SlackRequestHandler):
    """Bolt's WSGI adapter with one fix. Bolt (1.30) takes any form body that merely contains
    the word "payload" for an interactive payload (`parse_body` tests `"payload" in body`), finds
    no `payload` field, and reads the request as empty: `/crisis note the payload …`, or any
    command from a channel named "payload-…", went unanswered (404). Such a body is read as the
    form it is; Bolt still checks the signature on the raw body."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        raw = request.get_body()
        bolt_request = BoltRequest(
            body=raw, query=request.query_string, headers=request.get_headers()
        )
        if not bolt_request.body and "payload" in raw and not raw.lstrip().startswith("{"):
            form = dict(parse_qsl(raw, keep_blank_values=True))
            if "payload" not in form:
                bolt_request.body = form
                bolt_request.context = build_context(BoltContext({}), form)
        return self.app.dispatch(bolt_request)


def _json(start: Callable[..., Any], status: int, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    reason = {
        200: "OK",
        400: "Bad Request",
        401: "Unauthorized",
        404: "Not Found",
        405: "Method Not Allowed",
        413: "Payload Too Large",
        503: "Service Unavailable",
    }
    start(
        f"{status} {reason.get(status, 'Error')}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )  # fmt: skip
    return [data]


def serve(app: WebApp, port: int, *, host: str = "0.0.0.0", threads: int = 16) -> None:
    from waitress import serve as waitress_serve

    waitress_serve(app, host=host, port=port, threads=threads, ident="crisisbot")


def check_port(port: int, *, host: str = "0.0.0.0") -> None:
    """SettingsError naming PORT when it cannot be listened on (taken, or privileged): checked
    before anything starts, since waitress's own failure is a traceback (and leaks its socket)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            raise SettingsError("PORT", f"cannot listen on port {port} ({reason})") from None


class RunningServer:
    """waitress in a background thread on a chosen or free port (tests, the demo, `run`)."""

    def __init__(self, app: WebApp, *, host: str = "127.0.0.1", port: int = 0, threads: int = 16):
        from waitress.server import create_server

        self._server = create_server(app, host=host, port=port, threads=threads, ident="crisisbot")
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._run, name="web", daemon=True)
        self._stopping = False

    def start(self) -> RunningServer:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._server.run()
        except OSError:
            # close() from another thread can pull a client socket out from under select()
            # (EBADF); that is the loop ending as asked, not a failure.
            if not self._stopping:
                raise

    def stop(self) -> None:
        from waitress import wasyncore

        self._stopping = True
        # Close the sockets from inside the server's own loop thread: closing them from here
        # races its select() (EBADF). With its map empty, the loop returns and run() ends.
        server = self._server
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))  # type: ignore[union-attr]
        except OSError:
            # The wake-up pipe is already closed: the loop has ended and closed its map (seen
            # once at a test's teardown). Nothing is left to stop.
            logger.debug("web server loop already closed")
        self._thread.join(timeout=5)
        # The loop's end leaves waitress's worker threads running (only its own close() stops
        # them): let the requests in hand finish, and end the threads.
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
