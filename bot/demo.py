"""`crisisbot demo`: the real bot (HTTP endpoint, scheduler, detectors, SQLite, outbox) against
the bundled Slack emulator. A calm week, then a storm; the demo plays the team and shows the
incident channel in the terminal as it evolves, then writes the exported timeline.

`--locale bg` plays a Bulgarian team: a storm in Bulgarian (some English in it), the bot speaking
Bulgarian, the team typing the Bulgarian /crisis aliases. The narration stays English.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bot.aftermath import export
from bot.core import i18n
from bot.core.config import Config, Level, Template
from bot.core.db import upgrade
from bot.emulator import SlackEmulator
from bot.testing import CHANNEL, Stack, sample_storm, start_stack

USERS = {"U0ALICE": "Alice (social)", "U0BOB": "Bob (comms lead)", "U0CAROL": "Carol (approver)"}
PLAYBOOK = Config(
    detect_interval=2,
    levels=(
        Level("Social team", ("S0COMMS",)),
        Level("Comms lead", ("U0BOB",)),
        Level("Legal and executives", ("U0DAN",)),
    ),
    templates=(
        Template(
            "Holding statement",
            "We know some of you were charged twice and can't reach us. We're fixing it now "
            "and every double charge will be refunded automatically. Next update here by 3 pm.",
        ),
    ),
)


# What the team types and writes, per locale: the subcommands (English or their Bulgarian alias)
# and the words of its notes, reasons and reply.
SCRIPT = {
    "en": {
        "claim": "claim", "escalate": "escalate", "draft": "draft", "note": "note",
        "resolve": "resolve",
        "why": "charges doubled, legal may need to look",
        "note_text": "Statement posted on X and Bluesky",
        "summary": "Double charges refunded; payments fixed",
    },
    "bg": {
        "claim": "поеми", "escalate": "ескалирай", "draft": "чернова", "note": "бележка",
        "resolve": "приключи",
        "why": "двойни такси, може да трябва да погледне и юридическият отдел",
        "note_text": "Изявлението е публикувано в X и Facebook",
        "summary": "Двойните такси са възстановени; плащанията работят",
    },
}  # fmt: skip
PLAYBOOK_BG = dataclasses.replace(
    PLAYBOOK,
    locale="bg",
    levels=(
        Level("Екип социални мрежи", ("S0COMMS",)),
        Level("Ръководител комуникации", ("U0BOB",)),
        Level("Юридически отдел и ръководство", ("U0DAN",)),
    ),
    templates=(
        Template(
            "Временно изявление",
            "Знаем, че част от вас бяха таксувани двукратно и не могат да се свържат с нас. "
            "Отстраняваме проблема и всяко двойно плащане ще бъде възстановено автоматично. "
            "Следваща информация тук до 15:00 ч.",
        ),
    ),
)


def run_demo(*, out_dir: Path, speed: float = 1.0, locale: str = "en") -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "demo.db"
    for stale in out_dir.glob("demo.db*"):
        stale.unlink()
    url = f"sqlite:///{db}"
    from models import create_db_engine

    engine = create_db_engine(url)
    upgrade(engine)
    engine.dispose()
    emulator = SlackEmulator().start()
    playbook = PLAYBOOK_BG if locale == "bg" else PLAYBOOK
    stack = start_stack(url, clock=_now, config=playbook, emulator=emulator, min_post_interval=1.0)
    from bot.jobs import create_scheduler

    scheduler = create_scheduler(stack.bot)
    screen = _Screen(stack)
    try:
        scheduler.start()
        screen.start()
        _play(stack, screen, out_dir, speed)
    finally:
        scheduler.shutdown(wait=False)
        screen.stop()
        stack.stop()
    return 0


def _now() -> datetime:
    return datetime.now(UTC)


def _play(stack: Stack, screen: _Screen, out_dir: Path, speed: float) -> None:
    pause = lambda s: time.sleep(s * speed)  # noqa: E731
    playbook = stack.bot.config
    words = SCRIPT[playbook.locale]
    records = list(sample_storm(_now(), brand="Acme", language=playbook.locale))
    calm, storm = records[:-90], records[-90:]
    say = screen.narrate
    say(f"Pushing a calm week of mentions ({len(calm)}) to POST /ingest …")
    _push(stack, calm)
    pause(3)
    say("Calm: the detector runs every 2 seconds and stays quiet. Now the storm arrives …")
    for chunk in (storm[:30], storm[30:60], storm[60:]):
        # The storm happens now, so "time to detect" in the export is the real one.
        _push(stack, [{**r, "created_at": _now().isoformat()} for r in chunk])
        pause(1)
    number = _wait(lambda: _incident(stack), 30, "the alert")
    pause(2)
    _team(stack, screen, "U0ALICE", f"{words['claim']} #{number}")
    pause(2)
    _team(stack, screen, "U0ALICE", f"{words['escalate']} #{number} {words['why']}")
    pause(2)
    _team(stack, screen, "U0ALICE", f"{words['draft']} #{number} {playbook.templates[0].text}")
    draft = _wait(lambda: _pending_draft(stack), 15, "the draft")
    pause(2)
    say(f"{USERS['U0ALICE']} tries to approve her own draft …")
    _click(stack, draft, "draft.approve", "U0ALICE")
    pause(2)
    say(f"{USERS['U0CAROL']} approves it.")
    _click(stack, draft, "draft.approve", "U0CAROL")
    pause(2)
    _team(stack, screen, "U0ALICE", f"{words['note']} #{number} {words['note_text']}")
    pause(1)
    _team(stack, screen, "U0ALICE", f"{words['resolve']} #{number} {words['summary']}")
    pause(3)
    _wait(lambda: stack.bot.deliverer().pending() == 0, 15, "delivery")
    paths = _export(stack, number, out_dir)
    say("Exported the timeline: " + ", ".join(str(p) for p in paths))


def _push(stack: Stack, records: list[dict[str, Any]]) -> None:
    response = httpx.post(
        f"{stack.server.url}/ingest",
        json=records,
        headers={"Authorization": f"Bearer {stack.bot.settings.ingest_token}"},
        timeout=30,
    )
    response.raise_for_status()


def _team(stack: Stack, screen: _Screen, user: str, text: str) -> None:
    screen.narrate(f"{USERS[user]}: /crisis {text}")
    stack.slack.command(text, user_id=user)


def _click(stack: Stack, message: dict[str, Any], action: str, user: str) -> None:
    value = next(
        e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == action
    )  # fmt: skip
    stack.slack.click(
        action, value, user_id=user, message={"channel": CHANNEL, "ts": message["ts"]}
    )


def _incident(stack: Stack) -> int | None:
    from models import Incident

    with stack.bot.sessions() as session:
        incident = session.query(Incident).filter(Incident.message_ts.is_not(None)).first()
        return incident.id if incident else None


def _pending_draft(stack: Stack) -> dict[str, Any] | None:
    for m in stack.emulator.messages(CHANNEL):
        # The draft card is the one with an Approve button (its text is in the team's language).
        if "draft.approve" in json.dumps(m.get("blocks") or []):
            return m
    return None


def _wait(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"the demo waited {timeout:.0f} s for {what}")


def _export(stack: Stack, number: int, out_dir: Path) -> list[Path]:
    paths = []
    for fmt in ("md", "json", "csv", "html"):
        kind = "report" if fmt == "html" else "timeline"
        path = out_dir / f"incident-{number}-{kind}.{fmt}"
        with (
            stack.bot.transaction() as session,
            path.open("w", encoding="utf-8", newline="") as f,
            i18n.using(stack.bot.config.locale),
        ):
            export.write(
                session, number, fmt, f, name_of=stack.bot.gateway.user_name,
                config=stack.bot.config, now=_now(),
            )  # fmt: skip
        paths.append(path)
    return paths


class _Screen:
    """Prints the incident channel as it changes: new messages, and cards updated in place."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.seen: dict[str, str] = {}
        self.answered = 0
        self.width = min(shutil.get_terminal_size((100, 20)).columns, 100)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)
        self._refresh()

    def narrate(self, text: str) -> None:
        with self._lock:
            print(f"\n\033[2m▶ {text}\033[0m", flush=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.3):
            self._refresh()

    def _refresh(self) -> None:
        # Ephemeral answers (respond() and chat.postEphemeral alike) that only one person sees.
        ephemerals = self.stack.emulator.ephemerals
        new = [(e["user"], e["text"]) for e in ephemerals[self.answered :]]
        self.answered = len(ephemerals)
        for user, text in new:
            with self._lock:
                print(f"  (only {USERS.get(user or '', user)} sees) {_plain(text)}", flush=True)
        for m in self.stack.emulator.messages(CHANNEL):
            shown = _render(m)
            if self.seen.get(m["ts"]) == shown:
                continue
            verb = "updated" if m["ts"] in self.seen else "posted"
            self.seen[m["ts"]] = shown
            where = "in the thread" if m.get("thread_ts") not in (None, m["ts"]) else "#crisis-room"
            with self._lock:
                print(f"\n┌─ crisisbot {verb} {where} " + "─" * max(0, self.width - 30))
                for line in shown.splitlines():
                    print("│ " + line)
                print("└" + "─" * (self.width - 1), flush=True)


def _render(message: dict[str, Any]) -> str:
    lines: list[str] = []
    for block in message.get("blocks") or []:
        kind = block["type"]
        if kind == "header":
            lines.append(block["text"]["text"].upper())
        elif kind == "section":
            if block.get("text"):
                lines.append(_plain(block["text"]["text"]))
            if block.get("fields"):
                lines.append(
                    "   ".join(_plain(f["text"]).replace("\n", ": ") for f in block["fields"])
                )
        elif kind == "context":
            lines.append(" ".join(_plain(e.get("text", "")) for e in block["elements"]))
        elif kind == "actions":
            lines.append(" ".join(f"[ {e['text']['text']} ]" for e in block["elements"]))
        elif kind == "divider":
            lines.append("·" * 20)
    return "\n".join(lines) or _plain(message.get("text", ""))


def _plain(text: str) -> str:
    names = {"U0ALICE": "@Alice", "U0BOB": "@Bob", "U0CAROL": "@Carol", "U0DAN": "@Dan"}
    text = re.sub(r"<@(\w+)>", lambda m: names.get(m.group(1), "@" + m.group(1)), text)
    text = re.sub(r"<!subteam\^(\w+)>", r"@\1", text)
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)
    text = re.sub(r":[a-z_]+:\s?", "", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("*", "")
