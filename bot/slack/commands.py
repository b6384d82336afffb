"""The `/crisis` grammar (a contract): parse the text into a `Command` or say how to write it.

    help · list · status N · claim N · escalate N [reason] · draft N <text> · note N <text> ·
    resolve N [summary] · export N [md|csv|json|html] · drill [scenario] · stats · sources

N is written `42` or `#42`. Parsing is pure and cheap, so bad input is answered in the ack itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TEXT = 3000  # a drafted reply or note must fit one Block Kit section
EXPORT_FORMATS = ("md", "csv", "json", "html")

USAGE = {
    "help": "`/crisis help` — this list",
    "list": "`/crisis list` — open incidents",
    "status": "`/crisis status N` — where incident #N stands",
    "claim": "`/crisis claim N` — take incident #N (hands it over if someone holds it)",
    "escalate": "`/crisis escalate N [reason]` — page the next escalation level",
    "draft": "`/crisis draft N <text>` — draft a public reply; an approver must approve it",
    "note": "`/crisis note N <text>` — add a note to the timeline",
    "resolve": "`/crisis resolve N [summary]` — close incident #N",
    "export": "`/crisis export N [md|csv|json|html]` — the timeline as a file in the thread",
    "drill": "`/crisis drill [scenario]` — a practice run, marked DRILL, never counted",
    "stats": "`/crisis stats` — response times across real incidents",
    "sources": "`/crisis sources` — the state of each mention source",
}

_NUMBER = re.compile(r"^#?(\d{1,9})$")


class UsageError(ValueError):
    def __init__(self, problem: str, subcommand: str | None = None) -> None:
        hint = USAGE.get(subcommand or "", "")
        text = f"{problem}\nUsage: {hint}" if hint else f"{problem}\n{help_text()}"
        super().__init__(text)
        self.text = text


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    number: int | None = None
    text: str = ""


def help_text() -> str:
    return "*`/crisis` commands*\n" + "\n".join(f"• {line}" for line in USAGE.values())


def parse(raw: str) -> Command:
    text = (raw or "").strip()
    if not text:
        return Command("help")
    name, _, rest = text.partition(" ")
    name, rest = name.lower(), rest.strip()
    if name not in USAGE:
        raise UsageError(f"`{_shown(name)}` is not a /crisis command.")
    if name in ("help", "list", "stats", "sources"):
        if rest:
            raise UsageError(f"`{name}` takes no arguments.", name)
        return Command(name)
    if name == "drill":
        return Command(name, text=_limited(rest, name, 100))
    number, rest = _number(rest, name)
    if name in ("status", "claim"):
        if rest:
            raise UsageError(f"`{name}` takes only the incident number.", name)
        return Command(name, number)
    if name in ("draft", "note") and not rest:
        raise UsageError(f"`{name}` needs the text after the number.", name)
    if name == "export":
        fmt = (rest or "md").lower()
        if fmt not in EXPORT_FORMATS:
            raise UsageError(f"`{_shown(rest)}` is not an export format.", name)
        return Command(name, number, fmt)
    return Command(name, number, _limited(rest, name, MAX_TEXT))


def _number(rest: str, name: str) -> tuple[int, str]:
    head, _, tail = rest.partition(" ")
    match = _NUMBER.match(head)
    if not match:
        problem = (
            f"`{_shown(head)}` is not an incident number" if head else "needs an incident number"
        )
        raise UsageError(f"`{name}`: {problem} (write 42 or #42).", name)
    return int(match.group(1)), tail.strip()


def _limited(text: str, name: str, limit: int) -> str:
    if len(text) > limit:
        raise UsageError(f"That text is {len(text):,} characters; the limit is {limit:,}.", name)
    return text


def _shown(text: str) -> str:
    """User text echoed back inside backticks: short, and unable to break out of the code span."""
    text = text.replace("`", "'").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text[:40] + ("…" if len(text) > 40 else "")
