"""The `/crisis` grammar (a contract): parse the text into a `Command` or say how to write it.

    help · declare [what happened] · list [page] · status N · claim N · escalate N [reason] ·
    draft N <text> · note N <text> · update N <text> · resolve N [summary] · reopen N [reason] ·
    room N ·
    export N [md|csv|json|html] · drill [scenario] · stats · sources ·
    followup N @owner <text> [by DATE] · followups [N | page P] · done F

N is written `42` or `#42`; a follow-up F is written `F3` (see `bot.response.followups`).

Parsing is pure and cheap, so bad input is answered in the ack itself.
The English subcommands are the contract; each also has a Bulgarian alias (`ALIASES`), accepted
whatever the team's locale. Answers are in the team's language (`bot.core.i18n`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from bot.core import i18n
from bot.core.i18n import N_, _
from bot.response import followups, updates

MAX_TEXT = 3000  # a drafted reply or note must fit one Block Kit section
DECLARE_TEXT = 2000  # what happened, as a declared incident's card quotes it
EXPORT_FORMATS = ("md", "csv", "json", "html")

USAGE = {
    "help": N_("`/crisis help` — this list"),
    "declare": N_(
        "`/crisis declare [what happened]` — open an incident by hand (a journalist's call, a "
        "post no source watches); you hold it. Without text: a form"
    ),
    "list": N_("`/crisis list [page]` — open incidents, a page at a time"),
    "status": N_("`/crisis status N` — where incident #N stands"),
    "claim": N_("`/crisis claim N` — take incident #N (hands it over if someone holds it)"),
    "escalate": N_("`/crisis escalate N [reason]` — page the next escalation level"),
    "draft": N_("`/crisis draft N <text>` — draft a public reply; an approver must approve it"),
    "note": N_("`/crisis note N <text>` — add a note to the timeline"),
    "update": N_(
        "`/crisis update N <text>` — a status update for stakeholders: in the thread, and in "
        "the stakeholders' channel if the playbook names one"
    ),
    "resolve": N_("`/crisis resolve N [summary]` — close incident #N"),
    "reopen": N_("`/crisis reopen N [reason]` — open a resolved or dismissed incident again"),
    "room": N_("`/crisis room N` — open the incident's own channel and invite its people"),
    "export": N_("`/crisis export N [md|csv|json|html]` — the timeline as a file in the thread"),
    "drill": N_("`/crisis drill [scenario]` — a practice run, marked DRILL, never counted"),
    "stats": N_("`/crisis stats` — response times across real incidents"),
    "sources": N_("`/crisis sources` — the state of each mention source"),
    "followup": N_(
        "`/crisis followup N @owner <text> [by DATE]` — a follow-up action for after the "
        "crisis, with its owner (DATE: 2026-12-11 or 2026-12-11T17:00)"
    ),
    "followups": N_(
        "`/crisis followups [N]` — incident #N's follow-ups, or every open one (`page 2`…)"
    ),
    "done": N_("`/crisis done F3` — mark follow-up F3 done"),
}
# Bulgarian aliases (lower case, as typed); the English names stay the contract.
ALIASES = {
    "помощ": "help",
    "обяви": "declare",
    "списък": "list",
    "статус": "status",
    "поеми": "claim",
    "ескалирай": "escalate",
    "чернова": "draft",
    "бележка": "note",
    "информирай": "update",
    "приключи": "resolve",
    "поднови": "reopen",
    "стая": "room",
    "експорт": "export",
    "учение": "drill",
    "статистика": "stats",
    "източници": "sources",
    "задача": "followup",
    "задачи": "followups",
    "готово": "done",
}
_ALIAS_OF = {name: alias for alias, name in ALIASES.items()}

_NUMBER = re.compile(r"^#?(\d{1,9})$")
_PAGE = re.compile(r"^[0-9]{1,6}$")


class UsageError(ValueError):
    def __init__(self, problem: str, subcommand: str | None = None) -> None:
        hint = _usage(subcommand) if subcommand in USAGE else ""
        usage = _("Usage: {hint}", hint=hint) if hint else help_text()
        text = f"{problem}\n{usage}"
        super().__init__(text)
        self.text = text


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    number: int | None = None
    text: str = ""
    owner: str | None = None  # followup: the Slack user ID; None: `text` starts with "@name"
    due_at: datetime | None = None  # followup: when it is due, aware
    due_whole_day: bool = False  # followup: due by the end of a day ("by 2026-12-11")
    due_in_days: int | None = None  # followup: "by tomorrow" (1), by the end of that team's day
    channel: str | None = None  # where it was typed (set by desk.run_command, not parsed)


def _usage(name: str | None) -> str:
    """One usage line; outside English it names the alias too."""
    line = _(USAGE[name or ""])
    alias = _ALIAS_OF.get(name or "")
    if alias and i18n.current() != i18n.SOURCE_LOCALE:
        line += " " + _("(also `/crisis {alias}`)", alias=alias)
    return line


def help_text() -> str:
    return _("*`/crisis` commands*") + "\n" + "\n".join(f"• {_usage(name)}" for name in USAGE)


# Invisible characters a paste from a document or a chat can carry (zero-width spaces and
# joiners, a byte order mark): never part of what the person meant to type.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def parse(raw: str) -> Command:
    text = (raw or "").translate(_INVISIBLE).strip()
    if not text:
        return Command("help")
    name, rest = _split(text)
    name = name.lower()
    name = ALIASES.get(name, name)
    if name not in USAGE:
        raise UsageError(_("`{name}` is not a /crisis command.", name=_shown(name)))
    if name == "list" and rest:
        if not _PAGE.match(rest) or int(rest) == 0:
            raise UsageError(_("`{name}` takes only a page number.", name=name), name)
        return Command(name, int(rest))
    if name in ("help", "list", "stats", "sources"):
        if rest:
            raise UsageError(_("`{name}` takes no arguments.", name=name), name)
        return Command(name)
    if name == "drill":
        return Command(name, text=_limited(rest, name, 100))
    if name == "declare":  # no text: the desk opens the form
        return Command(name, text=_limited(rest, name, DECLARE_TEXT))
    if name == "done":
        return _done(rest)
    if name == "followups":
        return _followups(rest)
    number, rest = _number(rest, name)
    if name in ("status", "claim", "room"):
        if rest:
            raise UsageError(_("`{name}` takes only the incident number.", name=name), name)
        return Command(name, number)
    if name in ("draft", "note", "update") and not rest:
        raise UsageError(_("`{name}` needs the text after the number.", name=name), name)
    if name == "followup":
        return _followup(number, rest)
    if name == "export":
        fmt = (rest or "md").lower()
        if fmt not in EXPORT_FORMATS:
            raise UsageError(_("`{format}` is not an export format.", format=_shown(rest)), name)
        return Command(name, number, fmt)
    limit = updates.MAX_TEXT if name == "update" else MAX_TEXT
    return Command(name, number, _limited(rest, name, limit))


# A user as Slack writes one in text (`<@U123>`, `<@U123|maria>` when the command escapes
# mentions), or a member ID as copied from a profile (U…, W… for Enterprise Grid).
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>$")
_USER_ID = re.compile(r"^([UW][A-Z0-9]{2,20})$")
_BY = ("by", "до")  # "… by 2026-12-11", "… до 2026-12-11"
# A day as the bot writes one in Bulgarian (`11.12.2026`), so the team may type it back.
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")  # "… by 2026-12-11 17:00"
_RELATIVE = {"today": 0, "tomorrow": 1, "днес": 0, "утре": 1}  # on the team's clock


def _followup(number: int, rest: str) -> Command:
    name = "followup"
    head, text = _split(rest)
    # A typed "@maria" arrives as plain text (the command does not ask Slack to escape
    # mentions: drafts keep their links as typed): the desk looks the name up in the workspace,
    # so it stays at the head of the text, and may be two or three words ("@Maria Ivanova").
    named = head.startswith("@") and len(head) > 1
    owner = None if named else _owner(head)
    if named:
        text = rest
    words = [unicodedata.normalize("NFKC", w) for w in text.split()]  # full-width digits too
    due_at, whole_day, in_days, by = None, False, None, None
    # "by DATE [HH:MM]" at the end: only a word that starts with a digit is read as a date
    # (or "tomorrow"), so "… by phone" stays part of the text.
    if len(words) >= 3 and words[-3].lower() in _BY and _CLOCK.match(words[-1]):
        due_at, whole_day = _due(words[-2], words[-1]), False
        by = -3
    elif len(words) >= 2 and words[-2].lower() in _BY and words[-1].lower() in _RELATIVE:
        in_days, whole_day, by = _RELATIVE[words[-1].lower()], True, -2
    elif len(words) >= 2 and words[-2].lower() in _BY and words[-1][:1].isdigit():
        due_at, whole_day = _due_day(words[-1])
        by = -2
    if by is not None:
        text = text[: text.rstrip().rfind(text.split()[by])].rstrip()
    if not text or (named and len(text.split()) < 2):
        raise UsageError(_("`{name}` needs the action after the owner.", name=name), name)
    limit = followups.MAX_TEXT + (100 if named else 0)  # the name is not part of the action
    text = _limited(text, name, limit)
    return Command(
        name, number, text, owner=owner, due_at=due_at, due_whole_day=whole_day,
        due_in_days=in_days,
    )  # fmt: skip


def _owner(head: str) -> str:
    name = "followup"
    match = _MENTION.match(head) or _USER_ID.match(head)
    if match:
        return match.group(1)
    problem = _("`{text}` is not a person", text=_shown(head)) if head else _("needs an owner")
    raise UsageError(
        _("`{name}`: {problem} (write @name as Slack completes it, or a member ID like U0123ABC).",
          name=name, problem=problem),
        name,
    )  # fmt: skip


def _due_day(text: str) -> tuple[datetime, bool]:
    """A day (due at its end on the team's clock) or a moment (on the team's clock unless it
    carries an offset), as `crisisbot report` reads its dates; a day also as `11.12.2026`."""
    day = _day(text)
    if day is not None:
        return followups.end_of_day(day), True
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _not_a_date(text) from None
    return (value if value.tzinfo else value.replace(tzinfo=i18n.zone())), False


def _due(day_text: str, clock: str) -> datetime:
    """A day and a time of day ("2026-12-11 17:00"), on the team's clock."""
    day = _day(day_text)
    hours, minutes = (int(part) for part in clock.split(":"))
    if day is None or hours > 23 or minutes > 59:
        raise _not_a_date(f"{day_text} {clock}")
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=i18n.zone())


def _day(text: str) -> date | None:
    """The day `text` names (ISO, with or without dashes, or `11.12.2026`); None if it names
    none (a moment, or nothing); a day that does not exist (31.02) is refused."""
    dotted = _DOTTED.match(text)
    try:
        if dotted:
            day, month, year = (int(part) for part in dotted.groups())
            return date(year, month, day)
        if "T" in text or ":" in text or " " in text:
            return None
        return date.fromisoformat(text)
    except ValueError:
        if dotted:
            raise _not_a_date(text) from None
        return None


def _not_a_date(text: str) -> UsageError:
    return UsageError(
        _("`{text}` is not a date (write 2026-12-11 or 2026-12-11T17:00).", text=_shown(text)),
        "followup",
    )


_PAGE_WORDS = ("page", "страница", "стр")


def _followups(rest: str) -> Command:
    name = "followups"
    if not rest:
        return Command(name)
    head, tail = _split(rest)
    if head.lower().rstrip(".") in _PAGE_WORDS:
        if not _PAGE.match(tail) or int(tail) == 0:
            raise UsageError(_("`{name}` takes only a page number.", name="followups page"), name)
        return Command(name, text=tail)
    number, tail = _number(rest, name)
    if tail:
        raise UsageError(_("`{name}` takes only the incident number.", name=name), name)
    return Command(name, number)


def _done(rest: str) -> Command:
    name = "done"
    head, tail = _split(rest)
    number = followups.parse_ref(head) if head else None
    if number is None or tail:
        problem = (
            _("`{text}` is not a follow-up number", text=_shown(rest))
            if rest
            else _("needs a follow-up number")
        )
        raise UsageError(
            _("`{name}`: {problem} (write F3; `/crisis followups` lists them).", name=name,
              problem=problem),
            name,
        )  # fmt: skip
    return Command(name, number)


def _split(text: str) -> tuple[str, str]:
    """The first word and the rest, split at any whitespace: a tab, a no-break space (some
    keyboards type one), or a new line (`/crisis draft 7`, Shift+Enter, then the reply) separate
    words as a space does. The rest keeps its own lines."""
    parts = text.split(None, 1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else ("".join(parts), "")


def _number(rest: str, name: str) -> tuple[int, str]:
    head, tail = _split(rest)
    # NFKC: a full-width "＃４２" (Japanese and Chinese keyboards) is "#42".
    match = _NUMBER.match(unicodedata.normalize("NFKC", head))
    if not match:
        problem = (
            _("`{text}` is not an incident number", text=_shown(head))
            if head
            else _("needs an incident number")
        )
        raise UsageError(
            _("`{name}`: {problem} (write 42 or #42).", name=name, problem=problem), name
        )
    return int(match.group(1)), tail


def _limited(text: str, name: str, limit: int) -> str:
    if len(text) > limit:
        raise UsageError(
            _("That text is {length} characters; the limit is {limit}.",
              length=i18n.number(len(text)), limit=i18n.number(limit)),
            name,
        )  # fmt: skip
    return text


def _shown(text: str) -> str:
    """User text echoed back inside backticks: short, and unable to break out of the code span."""
    text = text.replace("`", "'").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text[:40] + ("…" if len(text) > 40 else "")
