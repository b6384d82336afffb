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

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

DOMAIN = "crisisbot"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LOCALE = "en"  # the msgids are the English text
LOCALES = ("en", "bg")  # those with a complete catalogue; the playbook accepts only these

_current: ContextVar[str | None] = ContextVar("crisisbot_locale", default=None)


def N_(msgid: str) -> str:
    """Mark a text for the catalogue where it is defined; translate it where it is shown."""
    return msgid


# Date patterns are messages too (CLDR syntax), so each language writes dates its own way.
WHEN_PATTERN = N_("yyyy-MM-dd HH:mm 'UTC'")
DAY_PATTERN = N_("yyyy-MM-dd")
SHORT_PATTERN = N_("d MMM HH:mm")


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


@contextmanager
def using(locale: str | None) -> Iterator[None]:
    """Speak `locale` inside the block (this thread or task; see the module docstring)."""
    token = _current.set(locale or SOURCE_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def activate(locale: str | None) -> None:
    """Speak `locale` in this context from now on, with no block to end it: for Bolt, whose
    middleware returns before the listener runs. Every request sets it again first, so a value
    left over from one request is never what the next one speaks."""
    _current.set(locale or SOURCE_LOCALE)


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
    return format_percent(share, locale=current())


def when(at: datetime | None) -> str:
    """A moment for a person: the locale's pattern, in UTC (the team shares one clock)."""
    if at is None:
        return "—"
    return format_datetime(_aware(at), _(WHEN_PATTERN), tzinfo=UTC, locale=current())


def day(at: datetime) -> str:
    return format_datetime(_aware(at), _(DAY_PATTERN), tzinfo=UTC, locale=current())


def short(at: datetime) -> str:
    return format_datetime(_aware(at), _(SHORT_PATTERN), tzinfo=UTC, locale=current())


def language_name(code: str) -> str:
    """ "bg" → "Bulgarian" in English, "български" in Bulgarian; an unknown code as is."""
    name = Locale.parse(current()).languages.get(code)
    return name or code


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
