"""The one place that owns translation: every text the bot writes for people (Slack messages,
modals, ephemeral errors, `/crisis help`, the Markdown and HTML exports, the reports) goes
through `_()` / `ngettext()` here, and dates and numbers through `when()`, `number()`,
`percent()`, formatted by Babel (CLDR) for the locale.

The catalogues are gettext `.po` files in `bot/locale/<locale>/LC_MESSAGES/crisisbot.po`, read at
run time with Babel and compiled in memory into a standard `gettext.GNUTranslations` (once per
process and locale). Why not ship compiled `.mo` files: a fresh clone with `pip install -e .`
must just work, and a build-time compile step does not run for an editable install (nor would a
checked-in `.mo` stay in step with its `.po`); reading ~400 entries costs a few milliseconds once.
Fuzzy entries are left out, as gettext does, so an unreviewed translation never reaches Slack.

Which locale: the playbook's `locale = "bg"` (default "en"). The shell sets it for the work it
does (`using(config.locale)`: a Slack request, a delivery pass, a scheduler job, a CLI command), so
services below need no locale parameter; with none set, English. Messages use named `{fields}`
(`_("#{number} resolved.", number=7)`), so a translation may reorder them.

Which clock: the playbook's `timezone = "Europe/Sofia"` (an IANA name, default "UTC"), set by the
shell with the locale (`using(config.locale, config.timezone)`). Every time written for people
(`when()`, `day()`, `short()`, `stamp()`) is in that zone, and `when()` writes the zone's
abbreviation after it ("05:07 EET", "06:07 EEST" in summer), so a reader never has to add the offset
in the middle of a crisis. Machine formats (JSON, CSV) keep UTC ISO 8601 timestamps.

After changing a message (maintainers):
`pybabel extract -F babel.cfg -k N_ --no-location --sort-output -o /tmp/crisisbot.pot .`, then
`pybabel update -i /tmp/crisisbot.pot -d bot/locale -D crisisbot -w 100` and translate the
new entries (tests/bot/test_i18n.py fails while one lacks a translation). Mark texts with `_()`,
`ngettext()`, `pgettext()` or `N_()` outside f-strings: the extractor does not look inside them.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

DOMAIN = "crisisbot"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LOCALE = "en"  # the msgids are the English text
LOCALES = ("en", "bg")  # those with a complete catalogue; the playbook accepts only these

DEFAULT_TIMEZONE = "UTC"
_current: ContextVar[str | None] = ContextVar("crisisbot_locale", default=None)
_zone: ContextVar[ZoneInfo | None] = ContextVar("crisisbot_timezone", default=None)


def N_(msgid: str) -> str:
    """Mark a text for the catalogue where it is defined; translate it where it is shown."""
    return msgid


# Date patterns are messages too (CLDR syntax), so each language writes dates its own way.
# {zone} is the zone's abbreviation (UTC, EET, EEST): CLDR's own `z` writes "+0200" for Sofia.
WHEN_PATTERN = N_("yyyy-MM-dd HH:mm {zone}")
DAY_PATTERN = N_("yyyy-MM-dd")
SHORT_PATTERN = N_("d MMM HH:mm")
# So is the per cent sign's place: Bulgarian writes "87 %" (a no-break space: never wrapped
# away from its number), where CLDR has "87%".
PERCENT_PATTERN = N_("#,##0%")


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue of `locale` (English: the msgids themselves)."""
    if locale == SOURCE_LOCALE:
        return gettext.NullTranslations()
    path = catalogue_path(locale)
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def current() -> str:
    return _current.get() or SOURCE_LOCALE


def zone() -> ZoneInfo:
    """The team's time zone in this context (UTC when none is set)."""
    return _zone.get() or ZoneInfo(DEFAULT_TIMEZONE)


@contextmanager
def using(locale: str | None, timezone: str | None = None) -> Iterator[None]:
    """Speak `locale` and tell times in `timezone` inside the block (this thread or task; see the
    module docstring)."""
    token = _current.set(locale or SOURCE_LOCALE)
    zone_token = _zone.set(ZoneInfo(timezone or DEFAULT_TIMEZONE))
    try:
        yield
    finally:
        _zone.reset(zone_token)
        _current.reset(token)


def activate(locale: str | None, timezone: str | None = None) -> None:
    """Speak `locale` (and tell times in `timezone`) in this context from now on, with no block
    to end it: for Bolt, whose middleware returns before the listener runs. Every request sets
    both again first, so a value left over from one request is never what the next one uses."""
    _current.set(locale or SOURCE_LOCALE)
    _zone.set(ZoneInfo(timezone or DEFAULT_TIMEZONE))


def _(msgid: str, /, **fields: object) -> str:
    """`msgid` in the current locale, with `{fields}` filled in."""
    text = translations(current()).gettext(msgid)
    return text.format(**fields) if fields else text


def pgettext(context: str, msgid: str, /, **fields: object) -> str:
    """`msgid` where the same English word needs another translation (`context` tells which)."""
    text = translations(current()).pgettext(context, msgid)
    return text.format(**fields) if fields else text


def ngettext(singular: str, plural: str, n: int, /, **fields: object) -> str:
    """The singular or plural form for `n` (and `{n}`, formatted for the locale)."""
    text = translations(current()).ngettext(singular, plural, n)
    return text.format(n=number(n), **fields)


def number(value: float | int) -> str:
    return format_decimal(value, locale=current())


def decimal(value: float, digits: int = 1) -> str:
    return format_decimal(round(value, digits), format=f"#,##0.{'0' * digits}", locale=current())


def percent(share: float) -> str:
    return format_percent(share, format=_(PERCENT_PATTERN), locale=current())


def when(at: datetime | None) -> str:
    """A moment for a person: the locale's pattern, in the team's zone, with the zone written
    ("2026-12-04 05:07 EET"); one clock for the whole team, whatever each laptop says."""
    if at is None:
        return "—"
    shown = local(at)
    # The abbreviation as a quoted CLDR literal: its letters are not pattern letters.
    pattern = _(WHEN_PATTERN, zone=f"'{shown.tzname() or zone().key}'")
    return format_datetime(shown, pattern, locale=current())


def day(at: datetime) -> str:
    return format_datetime(local(at), _(DAY_PATTERN), locale=current())


def short(at: datetime) -> str:
    return format_datetime(local(at), _(SHORT_PATTERN), locale=current())


def local(at: datetime) -> datetime:
    """`at` on the team's clock (a naive `at` is UTC, as the database stores it)."""
    return _aware(at).astimezone(zone())


def stamp(at: datetime) -> str:
    """ISO 8601 with its offset for a person reading a timeline: on the team's clock
    ("2026-12-04T05:07:12+02:00"); with the UTC default, exactly as stored."""
    if zone().key == DEFAULT_TIMEZONE:
        return at.isoformat()
    return local(at).isoformat()


def zone_name() -> str:
    """The zone for a heading ("Time (Europe/Sofia)"): its IANA name, which stays right across
    a DST change, where an abbreviation would not."""
    return zone().key


def language_name(code: str) -> str:
    """ "bg" → "Bulgarian" in English, "български" in Bulgarian; an unknown code as is."""
    name = Locale.parse(current()).languages.get(code)
    return name or code


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
