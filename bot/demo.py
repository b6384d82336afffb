"""`crisisbot demo`: the real bot (HTTP endpoint, scheduler, detectors, SQLite, outbox) against
the bundled Slack emulator. A calm week, then a storm; the demo plays the team and shows the
incident channel in the terminal as it evolves, then writes the exported timeline.

`--locale bg` plays a Bulgarian team: a storm in Bulgarian (some English in it), the bot speaking
Bulgarian, the team typing the Bulgarian /crisis aliases, and the narration in Bulgarian too (a
Bulgarian team watching its first demo should not read half of it in English).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import sys
import textwrap
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.aftermath import export
from bot.core import i18n
from bot.core.config import Config, Level, Template
from bot.core.db import upgrade
from bot.core.i18n import N_, _
from bot.emulator import SlackEmulator
from bot.testing import CHANNEL, Stack, sample_storm, start_stack

# Who plays whom: a name and a role (translated where it is shown).
USERS = {
    "U0ALICE": ("Alice", N_("social")),
    "U0BOB": ("Bob", N_("comms lead")),
    "U0CAROL": ("Carol", N_("approver")),
}
LEADERS = "C0LEADERS"  # where management reads the team's updates (`[plan] updates_channel`)
PLAYBOOK = Config(
    detect_interval=2,
    updates_channel=LEADERS,
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
        "resolve": "resolve", "followup": "followup", "by": "by", "room": "room",
        "lesson": "Add the double-charge case to the refunds FAQ",
        "why": "charges doubled, legal may need to look",
        "note_text": "Statement posted on X and Bluesky",
        "update": "update",
        "update_text": "Double charges confirmed on about 2% of card payments since 09:40; "
        "refunds are automatic; holding statement approved and posted. Next update by 15:00.",
        "summary": "Double charges refunded; payments fixed",
    },
    "bg": {
        "claim": "поеми", "escalate": "ескалирай", "draft": "чернова", "note": "бележка",
        "resolve": "приключи", "followup": "задача", "by": "до", "room": "стая",
        "lesson": "Да добавим случая с двойните такси в ЧЗВ за възстановяванията",
        "why": "двойни такси, може да трябва да погледне и юридическият отдел",
        "note_text": "Изявлението е публикувано в X и Facebook",
        "update": "информирай",
        "update_text": "Потвърдени двойни такси при около 2\xa0% от плащанията с карта от 09:40; "
        "възстановяват се автоматично; временното изявление е одобрено и публикувано. "
        "Следваща информация до 15:00.",
        "summary": "Двойните такси са възстановени; плащанията работят",
    },
}  # fmt: skip
PLAYBOOK_BG = dataclasses.replace(
    PLAYBOOK,
    locale="bg",
    timezone="Europe/Sofia",  # a Bulgarian team reads its own clock
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
        with i18n.using(playbook.locale, playbook.timezone):
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
    say(_("Pushing a calm week of mentions ({n}) to POST /ingest …", n=len(calm)))
    stack.push(calm).raise_for_status()
    pause(3)
    say(_("Calm: the detector runs every 2 seconds and stays quiet. Now the storm arrives …"))
    for chunk in (storm[:30], storm[30:60], storm[60:]):
        # The storm happens now, so "time to detect" in the export is the real one.
        stack.push([{**r, "created_at": _now().isoformat()} for r in chunk]).raise_for_status()
        pause(1)
    number = _wait(lambda: _incident(stack), 30, _("the alert"))
    pause(2)
    _team(stack, screen, "U0ALICE", f"{words['claim']} #{number}")
    _wait(lambda: _happened(stack, number, "incident.claimed"), 15, _("the claim"))
    pause(2)
    _team(stack, screen, "U0ALICE", f"{words['escalate']} #{number} {words['why']}")
    _wait(lambda: _happened(stack, number, "incident.escalated"), 15, _("the escalation"))
    pause(2)
    # The comms lead it reached gathers the people working on it in a channel of their own.
    _team(stack, screen, "U0BOB", f"{words['room']} #{number}")
    room = _wait(lambda: _room(stack, number), 15, _("the room"))
    screen.show(_("The incident's room #{name}", name=room["name"]), _room_lines(stack, room))
    pause(2)
    _team(stack, screen, "U0ALICE", f"{words['draft']} #{number} {playbook.templates[0].text}")
    draft = _wait(lambda: _pending_draft(stack), 15, _("the draft"))
    pause(2)
    say(_("{who} opens crisisbot's Home tab in Slack …", who=who("U0CAROL")))
    stack.slack.app_home_opened("U0CAROL")
    home = _wait(lambda: stack.emulator.home("U0CAROL"), 15, _("the Home tab"))
    screen.show(_("{name}'s Home tab", name=USERS["U0CAROL"][0]), _render(home).splitlines())
    pause(2)
    say(_("{who} tries to approve her own draft …", who=who("U0ALICE")))
    _click(stack, screen, draft, "draft.approve", "U0ALICE")
    _wait(lambda: _happened(stack, number, "draft.refused"), 15, _("the refusal"))
    pause(2)
    say(_("{who} approves it.", who=who("U0CAROL")))
    _click(stack, screen, draft, "draft.approve", "U0CAROL")
    _wait(lambda: _happened(stack, number, "draft.approved"), 15, _("the approval"))
    pause(2)
    # Management hears it from the team, not from X: an update in their own channel.
    _team(stack, screen, "U0ALICE", f"{words['update']} #{number} {words['update_text']}")
    posted = _wait(lambda: stack.emulator.messages(LEADERS), 15, _("the update"))
    screen.show(_("The management's channel"), _render(posted[-1]).splitlines())
    pause(2)
    _team(stack, screen, "U0ALICE", f"{words['note']} #{number} {words['note_text']}")
    _wait(lambda: _happened(stack, number, "note.added"), 15, _("the note"))
    pause(1)
    _team(stack, screen, "U0ALICE", f"{words['resolve']} #{number} {words['summary']}")
    pause(3)
    # The command's work runs after its ack: wait until the resolution is stored (with its card
    # update queued in the same transaction), then until that update is delivered.
    _wait(lambda: _status(stack, number) == "resolved", 15, _("the resolution"))
    pause(1)
    # The lesson, with its owner and a due day: tracked until done, on Bob's Home tab meanwhile.
    due = (i18n.local(_now()) + timedelta(days=7)).date().isoformat()
    lesson = f"{words['followup']} #{number} @bob {words['lesson']} {words['by']} {due}"
    _team(stack, screen, "U0ALICE", lesson)
    _wait(lambda: _follow_ups(stack) > 0, 15, _("the follow-up"))
    _wait(lambda: stack.bot.deliverer().pending() == 0, 15, _("delivery to Slack"))
    screen.flush()  # the resolved card before the closing line, at any speed
    notes = [_plain(m["text"]) for m in stack.emulator.messages(room["id"])[1:]]
    screen.show(_("The room's notes, one a step"), [line for n in notes for line in n.splitlines()])
    paths = _export(stack, number, out_dir)
    say(_("Exported the timeline: {files}", files=", ".join(str(p) for p in paths)))


def who(user: str) -> str:
    """ "Alice (social)": a demo person as the narration names them, in the current locale."""
    name, role = USERS.get(user, (user, ""))
    return f"{name} ({_(role)})" if role else name


def _team(stack: Stack, screen: _Screen, user: str, text: str) -> None:
    screen.narrate(f"{who(user)}: /crisis {text}")
    with _answered(stack, screen, user, f"/crisis {text.split()[0]}"):
        stack.slack.command(text, user_id=user)


def _click(stack: Stack, screen: _Screen, message: dict[str, Any], action: str, user: str) -> None:
    value = next(
        e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == action
    )  # fmt: skip
    with _answered(stack, screen, user, action):
        stack.slack.click(
            action, value, user_id=user, message={"channel": CHANNEL, "ts": message["ts"]}
        )


@contextmanager
def _answered(stack: Stack, screen: _Screen, user: str, what: str) -> Iterator[None]:
    """Each command and click of the script is answered to the person: the answer is shown
    before the story goes on (without the pauses, `--speed 0`, it came after the next step)."""

    def answers() -> int:
        return sum(1 for e in stack.emulator.ephemerals if e["user"] == user)

    before = answers()
    yield
    _wait(lambda: answers() > before, 15, what)
    screen.flush()


def _room(stack: Stack, number: int) -> dict[str, Any] | None:
    """The incident's room once its first message is in it (Slack's own view of the channel)."""
    room = stack.emulator.channel_named(f"crisis-{number}-acme")
    return room if room and stack.emulator.messages(room["id"]) else None


def _room_lines(stack: Stack, room: dict[str, Any]) -> list[str]:
    """Who is in the room, then its first message's opening lines: what it is for, where the
    decisions stay, where the incident stands (the evidence after them is the card's, shown
    once already)."""
    names = [_plain(f"<@{u}>") for u in room["members"] if u != "U0CRISISBOT"]
    first = _plain(stack.emulator.messages(room["id"])[0]["text"]).splitlines()
    members = _("Members: {names}", names=", ".join(sorted(names)))
    return [members, *[ln for ln in first if ln][:3]]


def _follow_ups(stack: Stack) -> int:
    from models import FollowUp

    with stack.bot.sessions() as session:
        return session.query(FollowUp).count()


def _happened(stack: Stack, number: int, step: str) -> bool:
    """Whether the incident's timeline has the step: a command is answered at once and done
    after, so the story waits for each step before telling the next (in order, on a busy
    machine too)."""
    from sqlalchemy import select

    from models import TimelineEvent

    with stack.bot.sessions() as session:
        return (
            session.scalar(
                select(TimelineEvent.id)
                .where(TimelineEvent.incident_id == number, TimelineEvent.type == step)
                .limit(1)
            )
            is not None
        )


def _incident(stack: Stack) -> int | None:
    from models import Incident

    with stack.bot.sessions() as session:
        incident = session.query(Incident).filter(Incident.message_ts.is_not(None)).first()
        return incident.id if incident else None


def _status(stack: Stack, number: int) -> str | None:
    from models import Incident

    with stack.bot.sessions() as session:
        incident = session.get(Incident, number)
        return incident.status if incident else None


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
    raise TimeoutError(
        _("the demo waited {seconds} s for {what}", seconds=round(timeout), what=what)
    )


def _export(stack: Stack, number: int, out_dir: Path) -> list[Path]:
    paths = []
    for fmt in ("md", "json", "csv", "html"):
        kind = "report" if fmt == "html" else "timeline"
        path = out_dir / f"incident-{number}-{kind}.{fmt}"
        with (
            stack.bot.sessions() as session,  # reads only, naming people through Slack
            path.open("w", encoding="utf-8", newline="") as f,
            i18n.using(stack.bot.config.locale, stack.bot.config.timezone),
        ):
            export.write(
                session, number, fmt, f, name_of=stack.bot.gateway.user_name,
                config=stack.bot.config, now=_now(),
            )  # fmt: skip
        paths.append(path)
    return paths


DIM, RESET = "\033[2m", "\033[0m"  # the narration, dimmed so the cards stand out


def use_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour only for a terminal: `crisisbot demo > demo.log` (or a pipe) gets plain text.
    NO_COLOR (https://no-color.org: set and not empty) and TERM=dumb turn it off there too."""
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Screen:
    """Prints the incident channel as it changes: a new message in full, then for each update
    only what changed on it (field by field), so the story is told once."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        # The printing thread does not inherit the caller's locale or zone (context variables).
        self.locale, self.timezone = stack.bot.config.locale, stack.bot.config.timezone
        self.seen: dict[str, dict[str, str]] = {}
        self.answered = 0
        self.width = min(shutil.get_terminal_size((100, 20)).columns, 100)
        self.colour = use_colour(sys.stdout, os.environ)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()  # the loop and flush() never print a change twice

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)
        self._refresh()

    def narrate(self, text: str) -> None:
        with self._lock:
            line = f"▶ {text}"
            print("\n" + (f"{DIM}{line}{RESET}" if self.colour else line), flush=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.3):
            self._refresh()

    def flush(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        with self._refreshing, i18n.using(self.locale, self.timezone):
            self._show_changes()

    def _show_changes(self) -> None:
        # Ephemeral answers (respond() and chat.postEphemeral alike) that only one person sees.
        ephemerals = self.stack.emulator.ephemerals
        new = [(e["user"], e["text"]) for e in ephemerals[self.answered :]]
        self.answered = len(ephemerals)
        for user, text in new:
            with self._lock:
                seen_by = _("(only {who} sees)", who=who(user or ""))
                print(f"  {seen_by} {_plain(text)}", flush=True)
        for m in self.stack.emulator.messages(CHANNEL):
            fields = card_fields(m)
            before = self.seen.get(m["ts"])
            if before == fields:
                continue
            self.seen[m["ts"]] = fields
            reply = m.get("thread_ts") not in (None, m["ts"])
            if before is None:
                head = (
                    _("crisisbot posted in the thread")
                    if reply
                    else _("crisisbot posted in #crisis-room")
                )
                lines = _render(m).splitlines()
            else:
                what = _name(fields)
                head = (
                    _("crisisbot updated {what} in the thread (what changed)", what=what)
                    if reply
                    else _("crisisbot updated {what} in #crisis-room (what changed)", what=what)
                )
                lines = card_changes(before, fields, self.width - 4)
            if lines:
                self.show(head, lines)

    def show(self, head: str, lines: list[str]) -> None:
        with self._lock:
            print(f"\n┌─ {head} " + "─" * max(0, self.width - len(head) - 5))
            for line in lines:
                print("│ " + line)
            print("└" + "─" * (self.width - 1), flush=True)


def _name(fields: dict[str, str]) -> str:
    title = fields.get("title")
    if title:
        return _("the alert {number}", number=title.split(" ")[0])
    first = next(iter(fields), _("message"))
    return _("the {what}", what=first[:1].lower() + first[1:])


def card_fields(message: dict[str, Any]) -> dict[str, str]:
    """A message as named fields, in order: the header, each field of a fields section, each
    section under its bold lead ("Why this fired", "Latest draft"), the buttons."""
    out: dict[str, str] = {}
    for i, block in enumerate(message.get("blocks") or []):
        kind = block["type"]
        if kind == "header":
            out["title"] = block["text"]["text"]
        elif kind == "section":
            for f in block.get("fields") or []:
                label, _sep, value = _plain(f["text"]).partition("\n")
                out[label] = value
            if block.get("text"):
                text = block["text"]["text"]
                lead = re.match(r"\*([^*\n]+)\*[ \n]?(.*)", text, re.S)
                text_key = _("Text")
                plain_key = text_key if text_key not in out else f"{text_key} {i}"
                key = _plain(lead.group(1)) if lead else plain_key
                out[key] = _plain(lead.group(2) if lead else text)
        elif kind == "context":
            note = " ".join(_plain(e.get("text", "")) for e in block["elements"])
            # The room's line by its name: the notes shown after it move down, it stays put.
            room = _("Room: {room}", room="")
            out[room.rstrip(": ") if note.startswith(room) else _("note {n}", n=i)] = (
                note[len(room) :] if note.startswith(room) else note
            )
        elif kind == "actions":
            out[_("buttons")] = " ".join(f"[ {e['text']['text']} ]" for e in block["elements"])
    return out or {_("text"): _plain(message.get("text", ""))}


def card_changes(before: dict[str, str], after: dict[str, str], width: int) -> list[str]:
    """What an update changed: `Status: Open → Claimed`, new sections, removed ones."""
    lines: list[str] = []
    for key, value in after.items():
        old = before.get(key)
        if old == value:
            continue
        if old is None:
            lines += _wrapped(f"+ {key}: ", value.splitlines(), width)
        elif "\n" not in old and "\n" not in value and len(old) + len(value) < width - 20:
            lines.append(_cut(f"{key}: {old} → {value}", width))
        else:
            kept = set(old.splitlines())
            changed = [line for line in value.splitlines() if line not in kept]
            lines += _wrapped(f"{key}: ", changed, width)
    gone = [key for key in before if key not in after]
    if gone:
        lines.append(_cut(_("− no longer shown: {what}", what=", ".join(gone)), width))
    return lines


def _wrapped(lead: str, body: list[str], width: int) -> list[str]:
    """`lead` and the first line, then the next lines indented; long lines wrap (a draft ready
    to copy is shown whole), at most a few lines each."""
    out: list[str] = []
    for i, line in enumerate(body[:3] or [""]):
        first = lead if i == 0 else "  "
        out += textwrap.wrap(
            line, width, initial_indent=first, subsequent_indent="  ", max_lines=4,
            placeholder=" …",
        ) or [first.rstrip()]  # fmt: skip
    return out


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _render(message: dict[str, Any]) -> str:
    lines: list[str] = []
    for block in message.get("blocks") or []:
        kind = block["type"]
        if kind == "header":
            lines.append(block["text"]["text"].upper())
        elif kind == "section":
            if block.get("text"):
                button = (block.get("accessory") or {}).get("text", {}).get("text")
                lines.append(_plain(block["text"]["text"]) + (f"  [ {button} ]" if button else ""))
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
    text = re.sub(r"<#(\w+)\|([^>]*)>", r"#\2", text)  # a channel: the room
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)
    text = re.sub(r":[a-z_]+:\s?", "", text).replace("```", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("*", "")
