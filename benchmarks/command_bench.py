"""Slash-command latency under 20 concurrent senders: the real crisisbot WebApp on waitress vs a
bare Bolt app answering the same request on the same server.

Usage: python benchmarks/command_bench.py [--requests N] [--text "status 1"] [--pg URL]

Both servers are waitress (16 threads, each in its own process: `crisisbot serve` itself) with
`slack_bolt.adapter.wsgi`,
talking to the local Slack emulator; the senders sign requests like Slack. The bare app acks and
answers a fixed text on the response_url; crisisbot runs the command against its database (a
few incidents present) and answers on the response_url. Latency is Slack's view: from sending
the command to its HTTP answer (the ack), which Slack needs within 3 s. Targets: crisisbot p99
at most 200 ms and at most 1.5x the bare app's p99, measured in the same run (alternating
rounds, so machine load hits both alike).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run as a plain script from anywhere

from slack_bolt import App  # noqa: E402
from slack_bolt.adapter.wsgi import SlackRequestHandler  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from benchmarks.ingest_bench import drop_schema, pg_schema, sqlite_url  # noqa: E402
from bot.app import Crisisbot  # noqa: E402
from bot.core.clock import system_clock  # noqa: E402
from bot.core.config import Config  # noqa: E402
from bot.core.settings import Settings  # noqa: E402
from bot.detection.detect import run_detection  # noqa: E402
from bot.emulator import SignedSlackClient, SlackEmulator  # noqa: E402
from bot.testing import CHANNEL, SIGNING_SECRET  # noqa: E402
from tests.faults.helpers import ingest_storm  # noqa: E402

SENDERS = 20


def bare_bolt_server(port: int, api_url: str, token: str) -> None:
    """The baseline, run in its own process: Bolt + waitress, acks and answers a fixed text."""
    from waitress import serve

    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token=token, base_url=api_url),
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )

    @app.command("/crisis")
    def crisis(ack: Any, respond: Any) -> None:
        ack()
        respond(text="No open incidents.", response_type="ephemeral")

    serve(SlackRequestHandler(app), host="127.0.0.1", port=port, threads=16, _quiet=True)


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _spawn(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, *args],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tempfile.gettempdir(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"server {args} did not start")


def load(url: str, emu: SlackEmulator, text: str, total: int) -> list[float]:
    """SENDERS threads, each sending its share in a row; every ack's latency in seconds."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def sender(n: int) -> None:
        client = SignedSlackClient(f"{url}/slack/events", SIGNING_SECRET, emu, timeout=30)
        mine = []
        try:
            for _ in range(n):
                started = time.perf_counter()
                response = client.command(text)
                mine.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors.append(str(response.status_code))
        finally:
            client.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=sender, args=(total // SENDERS,)) for _ in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{len(errors)} requests failed: {errors[:5]}")
    return latencies


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run(database_url: str, text: str, total: int, rounds: int) -> None:
    """Servers in their own processes (as deployed), so the senders and the emulator in this
    process do not share a GIL with them."""
    emu = SlackEmulator().start()
    bot = Crisisbot(
        Settings(database_url=database_url, crisis_channel=CHANNEL), config=Config(),
        clock=system_clock,
    )  # fmt: skip
    ours_port, bare_port = _free_port(), _free_port()
    procs = []
    try:
        for seed, brand in enumerate(("Acme", "Globex", "Initech")):
            ingest_storm(bot, brand, bot.clock(), seed=seed)
        with bot.transaction() as session:
            run_detection(session, config=bot.config, channel=CHANNEL, now=bot.clock())
        env = {
            "SLACK_BOT_TOKEN": emu.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": emu.api_url,
            "DATABASE_URL": database_url,
            "CRISIS_CHANNEL": CHANNEL,
            "PORT": str(ours_port),
            "LOG_LEVEL": "WARNING",
        }
        procs.append(_spawn(["-m", "bot.cli", "serve"], env, ours_port))
        bare_args = [__file__, "--bare-server", str(bare_port), emu.api_url, emu.bot_token]
        procs.append(_spawn(bare_args, {}, bare_port))
        ours_url, bare_url = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{bare_port}"
        for server in (bare_url, ours_url):  # warm both (imports, pools, auth.test)
            load(server, emu, text, 200)
        ours: list[float] = []
        theirs: list[float] = []
        cpu = {"ours": 0.0, "theirs": 0.0}
        for _ in range(rounds):
            before = _cpu(procs[1].pid)
            theirs += load(bare_url, emu, text, total)
            cpu["theirs"] += _cpu(procs[1].pid) - before
            before = _cpu(procs[0].pid)
            ours += load(ours_url, emu, text, total)
            cpu["ours"] += _cpu(procs[0].pid) - before
        name = bot.engine.dialect.name
        print(f"[{name}] /crisis {text!r}, {SENDERS} concurrent senders, {len(ours)} requests each")
        for label, values in (("crisisbot", ours), ("bare Bolt", theirs)):
            print(
                f"  {label:<10} p50 {p(values, 50) * 1000:6.1f} ms   "
                f"p99 {p(values, 99) * 1000:6.1f} ms   max {max(values) * 1000:6.1f} ms"
            )
        ratio = p(ours, 99) / p(theirs, 99)
        print(
            f"  crisisbot p99 {p(ours, 99) * 1000:.1f} ms (target <= 200 ms); "
            f"ratio to bare Bolt p99 {ratio:.2f} (target <= 1.5)"
        )
        print(
            f"  server CPU per command: crisisbot {cpu['ours'] / len(ours) * 1000:.2f} ms, "
            f"bare Bolt {cpu['theirs'] / len(theirs) * 1000:.2f} ms"
        )
        answered = len(emu.responses)
        print(f"  answers on response_urls: {answered}")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        bot.close()
        emu.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="per side per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--text", default="status 1")
    parser.add_argument("--pg", default=os.environ.get("CRISISBOT_TEST_DATABASE_URL"))
    parser.add_argument("--bare-server", nargs=3, metavar=("PORT", "API_URL", "TOKEN"))
    args = parser.parse_args()
    if args.bare_server:
        port, api_url, token = args.bare_server
        bare_bolt_server(int(port), api_url, token)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        run(sqlite_url(Path(tmp)), args.text, args.requests, args.rounds)
    if args.pg:
        url, schema = pg_schema(args.pg)
        try:
            run(url, args.text, args.requests, args.rounds)
        finally:
            drop_schema(args.pg, schema)
    return 0


if __name__ == "__main__":
    sys.exit(main())
