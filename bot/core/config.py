"""The team's playbook, `crisisbot.toml`: the team's language (`locale`) and clock (`timezone`),
brands, sources, escalation, plan, templates, digest.

Unknown keys and wrong types are errors naming the key and the file (`ConfigError`). Secrets never
live here: sources name the *environment variables* that hold their credentials.
"""

from __future__ import annotations

import difflib
import functools
import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

import sources
from bot.core import i18n
from bot.core.i18n import N_
from detectors.language import LANGUAGES, transliterate

DAY_SECONDS = 86_400
DAY_MINUTES = 1_440
MONTH_MINUTES = 30 * DAY_MINUTES
SLACK_PERSON_ID = re.compile(r"^[UWS][A-Z0-9]{2,}$")  # users (U…, W… on Enterprise Grid), groups
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
SLACK_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")  # public (C…) or older private (G…) channels
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SOURCE_TYPES = tuple(sorted(sources.SOURCE_TYPES))


ROOM_NAME = "crisis-{number}-{brand}"
ROOM_FIELDS = frozenset({"number", "brand"})
ROOM_TRIGGERS = ("escalated", "high")


class ConfigError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    terms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # every language's, for the detectors
    # Per language, as written in the playbook (`keywords = { en = [...], bg = [...] }`); a plain
    # list is filed under "*" (any language). Pairs, not a dict: the config stays hashable.
    keywords_by_language: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # An agency's client: where this brand's incidents go (else CRISIS_CHANNEL), and its
    # stakeholders' updates (else `[plan] updates_channel`).
    channel: str | None = None
    updates_channel: str | None = None
    # Who signs off replies about this brand (users U…, user groups S…); empty: CRISIS_APPROVERS.
    approvers: tuple[str, ...] = ()
    # Per escalation level name, whom to page for this brand instead of the level's `notify`
    # (levels not named page their own). Pairs, not a dict: the config stays hashable.
    notify: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Names this brand had before (`formerly = ["Acme"]`): the rows recorded under them (mentions,
    # incidents, detector history) are this brand's; they keep the name they were recorded under.
    formerly: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Its name, then its former names: what its rows in the database may be under."""
        return (self.name, *self.formerly)

    def keywords_in(self, language: str | None) -> tuple[str, ...]:
        """The keywords for mentions in `language`: its own and the any-language ones."""
        return tuple(k for lang, words in self.keywords_by_language
                     if lang in ("*", language) for k in words)  # fmt: skip

    def matches(self, text: str) -> bool:
        lowered = text.lower()
        return any(term.lower() in lowered for term in self.terms or (self.name,))


@dataclass(frozen=True, slots=True)
class SourceConfig:
    type: str
    name: str  # unique; keys the stored cursor and state
    query: str | None = None
    feed: str | None = None
    interval: int = 300
    base_url: str | None = None
    brand: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict)  # role -> env var NAME
    # The other options a type takes (sources.OPTIONS: `app_id`, `country`, `channel_id`, …).
    options: Mapping[str, str] = field(default_factory=dict)

    def resolve_credentials(self, env: Mapping[str, str]) -> dict[str, str]:
        """The secret values, read when the source is polled (so a fixed variable needs no reload).

        A variable that is unset or empty is a ConfigError naming it and the source.
        """
        values = {}
        for role, env_name in self.credentials.items():
            value = (env.get(env_name) or "").strip()
            if not value:
                raise ConfigError(
                    f"source {self.name!r}: environment variable {env_name} ({role}) is not set"
                )
            values[role] = value
        return values


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    notify: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Config:
    brands: tuple[Brand, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    # detection
    detect_interval: int = 60
    lookback_days: int = 14
    bin_minutes: int = 5
    window_minutes: int = 60
    reach_threshold: int = 100_000
    # escalation
    unclaimed_minutes: int = 15
    reminder_minutes: int = 60
    # No stakeholders' update for this long: remind the owner in the thread (None: off).
    update_minutes: int | None = None
    levels: tuple[Level, ...] = (Level("Social team"), Level("Comms lead"), Level("Executives"))
    # communication plan
    key_messages: tuple[str, ...] = ()
    spokespeople: tuple[str, ...] = ()
    plan_channels: tuple[str, ...] = ()
    updates_channel: str | None = None  # where stakeholders' updates go too (besides the thread)
    # An incident's own channel (a war room, `bot.response.rooms`): its name's pattern, private
    # or public, opened by itself at "escalated" or "high" (None: only when asked), archived
    # after the resolve.
    room_name: str = ROOM_NAME
    room_private: bool = True
    room_on: str | None = None
    room_archive: bool = False
    templates: tuple[Template, ...] = ()
    digest_day: str = "monday"
    digest_hour: int = 9
    locale: str = i18n.SOURCE_LOCALE  # the language the bot writes in (Slack, exports)
    timezone: str = i18n.DEFAULT_TIMEZONE  # the clock it tells times by, and the digest's hour
    path: str = "(defaults)"
    # What loaded but deserves a line in the log (a source bound to a brand's former name).
    warnings: tuple[str, ...] = ()

    def brand_for(self, text: str) -> str | None:
        return next((b.name for b in self.brands if b.matches(text)), None)

    def find_brands(self, typed: str, limit: int = 100) -> list[str]:
        """Brand names for what someone typed into a brand picker, best first: names starting
        with it, then names with a word starting with it, then names or terms containing it
        (a Latin spelling of a Cyrillic term too: "akme" finds the brand whose term is "Акме").
        Nothing typed: the names in order. At most `limit` (Slack shows 100)."""
        query = " ".join(typed.split()).casefold()
        ordered = sorted(self.brands, key=lambda b: b.name.casefold())
        if not query:
            return [b.name for b in ordered[:limit]]
        queries = {query}
        if query.isascii() and any(c.isalpha() for c in query):
            queries.add(transliterate(query))

        def rank(brand: Brand) -> int | None:
            name = brand.name.casefold()
            if any(name.startswith(q) for q in queries):
                return 0
            if any(word.startswith(q) for word in re.split(r"[\W_]+", name) for q in queries):
                return 1
            spellings = (name, *(t.casefold() for t in brand.terms))
            return 2 if any(q in s for s in spellings for q in queries) else None

        ranked = [(r, b.name) for b in ordered if (r := rank(b)) is not None]
        return [name for _, name in sorted(ranked, key=lambda x: x[0])][:limit]

    def brand(self, name: str | None) -> Brand | None:
        """The playbook's entry named `name`, or the one that lists it in `formerly`."""
        if not name:
            return None
        return next((b for b in self.brands if b.name == name), None) or next(
            (b for b in self.brands if name in b.formerly), None
        )

    @property
    def renamed(self) -> dict[str, str]:
        """Each former name (`formerly`) -> the name its brand goes by now (`renamed`)."""
        return renamed(self.brands)

    def current_name(self, name: str | None) -> str | None:
        """The name a brand goes by now: a former name (`formerly`) gives the brand's current
        one; any other name is itself (a brand removed from the playbook, no brand)."""
        found = self.brand(name)
        return found.name if found is not None else name

    def names_of(self, name: str | None) -> tuple[str | None, ...]:
        """Every name a brand's rows may be recorded under: its current name first, then its
        former ones. A name not in the playbook is itself alone; None (no brand) is (None,)."""
        found = self.brand(name)
        return found.names if found is not None else (name,)

    def formerly_of(self, name: str | None) -> tuple[str, ...]:
        """The former names of the brand `name` is (or was) called; none for most."""
        found = self.brand(name)
        return found.formerly if found is not None else ()

    def shown_name(self, name: str | None) -> str | None:
        """A brand as a report names it: "Acme Bank (formerly Acme)" for a row recorded under
        a former name; any other name as it is."""
        return shown_name(name, self.renamed)

    def entry(self, brand: str | None, channel: str | None = None) -> Brand | None:
        """The playbook's entry for an incident's brand: by name, or a former name it lists in
        `formerly`. A brand renamed in the playbook without `formerly` while its incident was
        open is no longer found by name; its incident's `channel` (the brand's own, kept on the
        incident) still finds it, so its approvers, people to page and stakeholders' channel go
        on applying. None: not in the playbook (removed)."""
        return self.brand(brand) or self.brand(self.brand_of_channel(channel))

    def channel_for(self, brand: str | None) -> str | None:
        """The brand's own incident channel; None: the crisis channel (CRISIS_CHANNEL)."""
        found = self.brand(brand)
        return found.channel if found else None

    def updates_channel_for(self, brand: str | None, channel: str | None = None) -> str | None:
        """Where the brand's stakeholders' updates go: its own channel, else the plan's.
        `channel`: the incident's (see `entry`)."""
        found = self.entry(brand, channel)
        return (found.updates_channel if found else None) or self.updates_channel

    def approvers_for(self, brand: str | None, channel: str | None = None) -> tuple[str, ...]:
        """The brand's own approvers (user and user-group IDs); empty: CRISIS_APPROVERS.
        `channel`: the incident's (see `entry`)."""
        found = self.entry(brand, channel)
        return found.approvers if found else ()

    def levels_for(self, brand: str | None, channel: str | None = None) -> tuple[Level, ...]:
        """The escalation levels for the brand's incidents: the same names, each paging the
        brand's own people where its `notify` names that level. `channel`: the incident's
        (see `entry`)."""
        found = self.entry(brand, channel)
        if found is None or not found.notify:
            return self.levels
        own = dict(found.notify)
        return tuple(Level(lvl.name, own.get(lvl.name, lvl.notify)) for lvl in self.levels)

    def level_at(self, index: int, brand: str | None = None, channel: str | None = None) -> Level:
        """The level an incident at `index` is at (`levels_for`; the last one past the end:
        levels removed from the playbook since the escalation)."""
        levels = self.levels_for(brand, channel)
        return levels[min(index, len(levels) - 1)]

    def brand_of_channel(self, channel: str | None) -> str | None:
        """The brand whose incident channel `channel` is (the first, if several share it)."""
        return next((b.name for b in self.brands if channel and b.channel == channel), None)

    def keywords_for(self, brand: str | None) -> tuple[str, ...]:
        found = self.brand(brand)
        if found is not None:
            return found.keywords
        return tuple(sorted({k for b in self.brands for k in b.keywords}))

    def keywords_by_language_for(
        self, brand: str | None
    ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The brand's keywords per language ("*": any); brand None: every brand's, merged."""
        found = self.brand(brand)
        brands = [found] if found is not None else list(self.brands)
        merged: dict[str, dict[str, None]] = {}
        for b in brands:
            for lang, words in b.keywords_by_language:
                merged.setdefault(lang, {}).update(dict.fromkeys(words))
        return tuple((lang, tuple(sorted(words))) for lang, words in sorted(merged.items()))


def renamed(brands: Iterable[Brand]) -> dict[str, str]:
    """Each former name (`formerly`) -> the name its brand goes by now: what reads rows recorded
    under an old name (ingest, detection, reports, prune) takes them as the brand's."""
    return {old: b.name for b in brands for old in b.formerly}


def shown_name(name: str | None, renamed: Mapping[str, str]) -> str | None:
    """`name` as a report shows it: with the name its brand goes by now when it is a former one
    (`renamed`: former -> current); any other name as it is."""
    now = renamed.get(name) if name else None
    return formerly_label(now, [name]) if now and name else name


def formerly_label(name: str, former: list[str]) -> str:
    """ "Acme Bank (formerly Acme)": a renamed brand where its history is shown."""
    if not former:
        return name
    return i18n._("{name} (formerly {former})", name=name, former=", ".join(former))


DEFAULT_LEVELS = (N_("Social team"), N_("Comms lead"), N_("Executives"))


def default_levels(locale: str) -> tuple[Level, ...]:
    """The escalation levels of a playbook that names none, in the team's language."""
    with i18n.using(locale):
        return tuple(Level(i18n._(name)) for name in DEFAULT_LEVELS)


def load_config(path: Path, *, required: bool = False) -> Config:
    """Read and validate the playbook; a missing file gives the defaults unless `required`."""
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: file not found (CRISIS_CONFIG)")
        return Config()
    if path.is_dir():  # was "[Errno 21] Is a directory: 'crisisbot.toml'"
        raise ConfigError(f"{path}: is a folder; the playbook is a file (crisisbot.toml)")
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8-sig"))  # Notepad's byte order mark is fine
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}:{line}: not UTF-8 text (saved as Windows-1251 or another encoding? "
            "save it as UTF-8)"
        ) from None
    except OSError as exc:  # no read permission, a failing disk: the reason, not its errno
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return parse_config(data, str(path))


def parse_config(data: Mapping[str, Any], where: str) -> Config:
    r = _Reader(where)
    r.keys(
        data,
        "",
        {
            "locale", "timezone", "brands", "sources", "detection", "escalation", "plan",
            "templates", "digest",
        },
    )  # fmt: skip
    locale = r.get(data, "locale", "locale", str, i18n.SOURCE_LOCALE).strip().lower()
    if locale not in i18n.LOCALES:
        choices = ", ".join(i18n.LOCALES)
        raise ConfigError(f"{where}: locale must be one of {choices}, not {locale!r}")
    timezone = _timezone(r, data)
    det = r.table(data, "detection")
    r.keys(
        det,
        "detection",
        {"interval", "lookback_days", "bin_minutes", "window_minutes", "reach_threshold"},
    )
    esc = r.table(data, "escalation")
    r.keys(esc, "escalation", {"unclaimed_minutes", "reminder_minutes", "update_minutes", "levels"})
    plan = r.table(data, "plan")
    r.keys(
        plan, "plan",
        {"key_messages", "spokespeople", "channels", "updates_channel", "room_name",
         "room_private", "room_on", "room_archive"},
    )  # fmt: skip
    digest = r.table(data, "digest")
    r.keys(digest, "digest", {"day", "hour"})
    levels = tuple(
        _level(r, t, i) for i, t in enumerate(r.tables(esc, "escalation.levels", "levels"))
    )
    day = r.get(digest, "digest.day", "day", str, "monday").lower()
    if day not in WEEKDAYS:
        raise ConfigError(f"{where}: digest.day must be a weekday name, not {day!r}")
    # Each name below is how the team (or the stored state) tells entries apart: a second entry of
    # one name is a copy-paste slip, and its settings would be shadowed or shown twice.
    levels_at = "escalation.levels"
    _once(r, levels_at, [lvl.name for lvl in levels], "a level", "give each level its own name")
    sources = tuple(_source(r, t, i) for i, t in enumerate(r.tables(data, "sources", "sources")))
    # Exact: the name keys the stored cursor and state (an explicit `name` or "type:query").
    advice = "give each [[sources]] entry a unique `name`"
    _once(r, "sources", [s.name for s in sources], "a source", advice, fold=False)
    lookback_days, bin_minutes, window_minutes = _windows(r, det)
    brands = tuple(_brand(r, t, i) for i, t in enumerate(r.tables(data, "brands", "brands")))
    advice = "list its terms and keywords in one [[brands]] entry"
    _once(r, "brands", [b.name for b in brands], "a brand", advice)
    _check_formerly(r, brands)
    templates = tuple(
        _template(r, t, i) for i, t in enumerate(r.tables(data, "templates", "templates"))
    )
    advice = "the draft form would list both; give each template its own name"
    _once(r, "templates", [t.name for t in templates], "a template", advice)
    levels = levels or default_levels(locale)
    for i, brand in enumerate(brands):
        _check_brand_levels(r, f"brands[{i}].notify", brand, levels)
    sources, warnings = _bind_sources(r, sources, brands)
    return Config(
        brands=brands,
        sources=sources,
        detect_interval=r.positive(det, "detection.interval", "interval", 60, at_most=DAY_SECONDS),
        lookback_days=lookback_days,
        bin_minutes=bin_minutes,
        window_minutes=window_minutes,
        reach_threshold=r.positive(
            det, "detection.reach_threshold", "reach_threshold", 100_000, at_most=10**12
        ),
        unclaimed_minutes=r.positive(
            esc, "escalation.unclaimed_minutes", "unclaimed_minutes", 15, at_most=MONTH_MINUTES
        ),
        reminder_minutes=r.positive(
            esc, "escalation.reminder_minutes", "reminder_minutes", 60, at_most=MONTH_MINUTES
        ),
        update_minutes=_update_minutes(r, esc),
        levels=levels,
        key_messages=r.strings(plan, "plan.key_messages", "key_messages"),
        spokespeople=_spokespeople(r, plan),
        plan_channels=r.strings(plan, "plan.channels", "channels"),
        updates_channel=_updates_channel(r, plan),
        room_name=_room_name(r, plan),
        room_private=r.get(plan, "plan.room_private", "room_private", bool, True),
        room_on=_room_on(r, plan),
        room_archive=r.get(plan, "plan.room_archive", "room_archive", bool, False),
        templates=templates,
        digest_day=day,
        digest_hour=_hour(r, digest),
        locale=locale,
        timezone=timezone,
        path=where,
        warnings=warnings,
    )


def _timezone(r: _Reader, data: Mapping[str, Any]) -> str:
    """An IANA zone name ("Europe/Sofia"), checked now: a typo would otherwise surface as a
    crash in the first Slack request or scheduler job that tells a time."""
    name: str = r.get(data, "timezone", "timezone", str, i18n.DEFAULT_TIMEZONE).strip()
    if name == i18n.DEFAULT_TIMEZONE:
        return name
    # The database's list, not whatever ZoneInfo opens: it would also take "localtime" and other
    # files of this machine's /usr/share/zoneinfo, a different clock on every host.
    known = _zone_names()
    if name in known:
        ZoneInfo(name)  # loads (and caches) it now, so a broken database fails here
        return name
    if not known:  # neither the system's database nor the tzdata package
        raise ConfigError(
            f"{r.where}: timezone {name!r}: this machine has no time zone database "
            "(pip install tzdata)"
        )
    # Case aside ("europe/sofia"), a city alone ("Sofia"), then the nearest spelling ("Sofiya").
    folded = name.casefold().replace(" ", "_")
    close = [k for k in known if folded in (k.casefold(), k.rsplit("/", 1)[-1].casefold())] or (
        difflib.get_close_matches(name, known, n=1)
    )
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(
        f"{r.where}: timezone {name!r} is not an IANA time zone name like 'Europe/Sofia'{hint}"
    )


@functools.cache
def _zone_names() -> list[str]:
    # Not "localtime": where it exists it is this host's clock, whatever that is.
    return sorted(available_timezones() - {"localtime"})  # reads ~600 files: once per process


def _once(
    r: _Reader, at: str, names: list[str], kind: str, advice: str, *, fold: bool = True
) -> None:
    """Refuse a name given twice, naming the entry and the name it repeats (`fold`: case and
    surrounding spaces aside, as the team reads them: "Acme" and " acme" are one brand)."""
    seen: dict[str, str] = {}
    for i, name in enumerate(names):
        key = name.strip().casefold() if fold else name
        if key in seen:
            raise ConfigError(
                f"{r.where}: {at}[{i}].name: {seen[key]!r} is already {kind}; {advice}"
            )
        seen[key] = name


def _windows(r: _Reader, det: Mapping[str, Any]) -> tuple[int, int, int]:
    """The detector's look-back (days), bin and window (minutes): each inside the next."""
    lookback = r.positive(det, "detection.lookback_days", "lookback_days", 14, at_most=365)
    # At least two bins a day: the detector's daily profile (detectors/volume.py) fails on one.
    bin_ = r.positive(det, "detection.bin_minutes", "bin_minutes", 5, at_most=DAY_MINUTES // 2)
    window = r.positive(
        det, "detection.window_minutes", "window_minutes", 60, at_most=7 * DAY_MINUTES
    )
    if window < bin_:
        raise ConfigError(
            f"{r.where}: detection.window_minutes ({window}) must be at least bin_minutes ({bin_})"
        )
    if window > lookback * DAY_MINUTES:
        raise ConfigError(
            f"{r.where}: detection.window_minutes ({window}) must fit in lookback_days ({lookback})"
        )
    return lookback, bin_, window


def _check_formerly(r: _Reader, brands: tuple[Brand, ...]) -> None:
    """A former name belongs to one brand, and is no current brand's name: its rows (mentions,
    incidents, detector history) would otherwise be two brands' at once."""
    current = {b.name.casefold(): (i, b.name) for i, b in enumerate(brands)}
    claimed: dict[str, tuple[int, str]] = {}
    for i, brand in enumerate(brands):
        for j, former in enumerate(brand.formerly):
            at = f"brands[{i}].formerly[{j}]"
            folded = former.casefold()
            if folded == brand.name.casefold():
                raise ConfigError(
                    f"{r.where}: {at}: {former!r} is this brand's own name; list only the names "
                    "it had before"
                )
            if folded in current:
                k, name = current[folded]
                raise ConfigError(
                    f"{r.where}: {at}: {former!r} (a former name of {brand.name!r}) is the name "
                    f"of brands[{k}] {name!r}; a name is one brand's: rename one of them, or "
                    "drop it from `formerly`"
                )
            if folded in claimed:
                k, other = claimed[folded]
                if k == i:
                    raise ConfigError(f"{r.where}: {at}: {former!r} is listed twice")
                raise ConfigError(
                    f"{r.where}: {at}: {former!r} is a former name of both {other!r} and "
                    f"{brand.name!r}; its history can be one brand's only: keep it in one "
                    "`formerly`"
                )
            claimed[folded] = (i, brand.name)


def _bind_sources(
    r: _Reader, sources: tuple[SourceConfig, ...], brands: tuple[Brand, ...]
) -> tuple[tuple[SourceConfig, ...], tuple[str, ...]]:
    """Each source's `brand` is a [[brands]] name. A brand's former name (`formerly`) is taken
    as that brand, with a warning: refusing it would stop a running install's every source at
    its next restart (the playbook would not load) for a name whose meaning is written down,
    and keeping the old name would store the source's mentions for no playbook brand (without
    its terms and keywords). Any other name is refused, the likely one suggested."""
    names = [b.name for b in brands]
    current = renamed(brands)
    bound, warnings = [], []
    for i, source in enumerate(sources):
        if not brands or source.brand is None or source.brand in names:
            bound.append(source)
            continue
        now = current.get(source.brand)
        if now is not None:
            warnings.append(
                f"{r.where}: sources[{i}].brand: {source.brand!r} is a former name of "
                f"{now!r}; its mentions are stored for {now!r}: write brand = {now!r}"
            )
            bound.append(replace(source, brand=now))
            continue
        # A typo would make a second brand, without the playbook brand's terms and keywords.
        close = difflib.get_close_matches(source.brand, names, n=1) or [
            n for n in names if n.casefold() == source.brand.strip().casefold()
        ]
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(
            f"{r.where}: sources[{i}].brand: {source.brand!r} is not a [[brands]] name "
            f"({', '.join(names)}){hint} (a brand renamed: list its old name in the brand's "
            "`formerly`)"
        )
    return tuple(bound), tuple(warnings)


def _brand(r: _Reader, t: Mapping[str, Any], i: int) -> Brand:
    at = f"brands[{i}]"
    r.keys(
        t,
        at,
        {
            "name", "formerly", "terms", "keywords", "channel", "updates_channel", "approvers",
            "notify",
        },
    )  # fmt: skip
    by_language = _keywords(r, t, at)
    flat = tuple(dict.fromkeys(k for words in by_language.values() for k in words))
    return Brand(
        name=_name(r, t, at),
        terms=r.words(t, f"{at}.terms", "terms"),  # an empty term is in every text
        keywords=flat,
        keywords_by_language=tuple(by_language.items()),
        channel=_channel_id(r, t, f"{at}.channel", "channel"),
        updates_channel=_channel_id(r, t, f"{at}.updates_channel", "updates_channel"),
        approvers=_brand_approvers(r, t, at),
        notify=_brand_notify(r, t, at),
        formerly=tuple(dict.fromkeys(r.words(t, f"{at}.formerly", "formerly"))),
    )


def _people(r: _Reader, t: Mapping[str, Any], at: str, key: str) -> tuple[str, ...]:
    """Slack user (U…) and user-group (S…) IDs: "@bob" would be written out and reach nobody."""
    people = r.strings(t, at, key)
    for j, target in enumerate(people):
        if not SLACK_PERSON_ID.match(target):
            raise ConfigError(
                f"{r.where}: {at}[{j}]: {target!r} is not a Slack user (U…) or user-group (S…) ID"
            )
    return people


def _brand_approvers(r: _Reader, t: Mapping[str, Any], at: str) -> tuple[str, ...]:
    if "approvers" not in t:
        return ()
    approvers = _people(r, t, f"{at}.approvers", "approvers")
    if not approvers:  # nobody could sign off the brand's replies: surely not what was meant
        raise ConfigError(
            f"{r.where}: {at}.approvers is empty; name the brand's approvers, or leave the key "
            "out for CRISIS_APPROVERS"
        )
    return approvers


def _brand_notify(
    r: _Reader, t: Mapping[str, Any], at: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`notify = { "Comms lead" = ["U…"], … }`: per level name, the brand's people to page (an
    empty list pages nobody at that level); the names are checked against the levels later."""
    table = r.table(t, "notify", at)
    return tuple((name, _people(r, table, f"{at}.notify.{name}", name)) for name in table)


def _check_brand_levels(r: _Reader, at: str, brand: Brand, levels: tuple[Level, ...]) -> None:
    """A brand's `notify` names escalation levels: a typo would page the agency's people for
    the client's crisis, found only when it escalates."""
    names = [lvl.name for lvl in levels]
    for name, _targets in brand.notify:
        if name in names:
            continue
        close = [n for n in names if n.casefold() == name.strip().casefold()] or (
            difflib.get_close_matches(name, names, n=1)
        )
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(
            f"{r.where}: {at}: {name!r} is not an escalation level name ({', '.join(names)}){hint}"
        )


def _name(r: _Reader, t: Mapping[str, Any], at: str) -> str:
    """A brand's, level's or template's name: shown to the team, so never blank."""
    name: str = r.get(t, f"{at}.name", "name", str)
    if not name.strip():
        raise ConfigError(f"{r.where}: {at}.name must not be empty")
    return name


def _keywords(r: _Reader, t: Mapping[str, Any], at: str) -> dict[str, tuple[str, ...]]:
    """`keywords = [...]` (any language) or `keywords = { en = [...], bg = [...] }`."""
    value = t.get("keywords", [])
    if isinstance(value, dict):
        out = {}
        for lang in value:
            where = f"{at}.keywords.{lang}"
            if lang not in LANGUAGES:
                # A mention is matched against its own language's list only: one under "bgg",
                # "бг" or "xx" would never be matched, as an unknown key elsewhere is refused.
                close = difflib.get_close_matches(lang.strip().lower(), sorted(LANGUAGES), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                brand = t.get("name")
                raise ConfigError(
                    f"{r.where}: {where}: keys are ISO 639 codes like en or bg; "
                    + (f"brand {brand!r}" if isinstance(brand, str) else at)
                    + f" lists keywords under {lang!r}, not a language mentions are stored in"
                    + f"{hint}; languages accepted: {', '.join(sorted(LANGUAGES))}"
                )
            out[lang] = tuple(k.lower() for k in r.words(value, where, lang))
        return out
    return {"*": tuple(k.lower() for k in r.words(t, f"{at}.keywords", "keywords"))}


# Options only some types take (sources.OPTIONS), beside `query` and `feed` (read on their own).
_TYPE_OPTIONS = tuple(
    sorted({o for taken in sources.OPTIONS.values() for o in taken} - {"query", "feed"})
)


def _source(r: _Reader, t: Mapping[str, Any], i: int) -> SourceConfig:
    at = f"sources[{i}]"
    known = {"type", "name", "query", "feed", "interval", "base_url", "brand", "credentials"}
    r.keys(t, at, known | set(_TYPE_OPTIONS))
    kind = r.get(t, f"{at}.type", "type", str)
    if kind not in SOURCE_TYPES:
        raise ConfigError(f"{r.where}: {at}.type must be one of {', '.join(SOURCE_TYPES)}")
    query = r.get(t, f"{at}.query", "query", str, None)
    feed = r.get(t, f"{at}.feed", "feed", str, None)
    if not {"query", "feed"} & set(sources.OPTIONS[kind]):  # the types with options of their own
        for option in ("query", "feed"):
            if option in t:  # a YouTube `query` would read as a search it does not do
                raise _no_such_option(r, at, kind, option)
    options = _options(r, t, at, kind)
    given = {"query": query, "feed": feed, **options}
    for option in sources.REQUIRED[kind]:
        if not (given.get(option) or "").strip():
            raise ConfigError(f"{r.where}: {at}.{option} is required for type {kind!r}")
    problem = sources.option_problem(kind, given)
    if problem is not None:
        raise ConfigError(f"{r.where}: {at}.{problem[0]} {problem[1]}")
    creds = r.table(t, "credentials", at)
    _check_credentials(r, at, kind, creds)
    base_url = r.get(t, f"{at}.base_url", "base_url", str, None)
    for option, value in (("feed", feed), ("base_url", base_url)):
        parts = urlsplit(value or "")
        if value is not None and (parts.scheme not in ("http", "https") or not parts.netloc):
            # Found at load time: a poll would only fail with it, every interval, in the log.
            raise ConfigError(f"{r.where}: {at}.{option} must be an http(s) address, not {value!r}")
    # "type:query", "rss:feed" as ever; "appstore:284882215:gb" for the types with other options
    if {"query", "feed"} & set(sources.OPTIONS[kind]):
        named = query or feed or str(i)
    else:
        named = ":".join(v for o in sources.OPTIONS[kind] if (v := options.get(o))) or str(i)
    return SourceConfig(
        type=kind,
        name=r.get(t, f"{at}.name", "name", str, f"{kind}:{named}"),
        query=query,
        feed=feed,
        interval=r.positive(t, f"{at}.interval", "interval", 300, at_most=DAY_SECONDS),
        base_url=base_url,
        brand=r.get(t, f"{at}.brand", "brand", str, None),
        credentials=dict(creds),
        options=options,
    )


def _no_such_option(r: _Reader, at: str, kind: str, option: str) -> ConfigError:
    takes = ", ".join(sources.OPTIONS[kind])
    return ConfigError(
        f"{r.where}: {at}.{option}: type {kind!r} takes no such option (its options: {takes})"
    )


def _options(r: _Reader, t: Mapping[str, Any], at: str, kind: str) -> dict[str, str]:
    """The type-specific options given (`app_id`, `channel_id`, …): strings (an app's number may
    be written as one), each one the type takes."""
    options = {}
    for option in _TYPE_OPTIONS:
        if option not in t:
            continue
        if option not in sources.OPTIONS[kind]:
            raise _no_such_option(r, at, kind, option)
        value = t[option]
        if option == "app_id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        value = r.get({option: value}, f"{at}.{option}", option, str)
        if not value.strip():
            raise ConfigError(f"{r.where}: {at}.{option} must not be empty")
        options[option] = value.strip()
    return options


def _check_credentials(r: _Reader, at: str, kind: str, creds: Mapping[str, Any]) -> None:
    """Roles the connector knows, each naming an environment variable; required ones present."""
    for role, env_name in creds.items():
        if role not in sources.CREDENTIAL_KEYS[kind]:
            known = ", ".join(sources.CREDENTIAL_KEYS[kind]) or "none"
            raise ConfigError(
                f"{r.where}: {at}.credentials.{role}: type {kind!r} takes no such credential "
                f"(known: {known})"
            )
        if not isinstance(env_name, str) or not env_name.isidentifier():
            raise ConfigError(
                f"{r.where}: {at}.credentials.{role} must name an environment variable"
            )
    missing = [k for k in sources.REQUIRED_CREDENTIALS[kind] if k not in creds]
    if kind == "bluesky" and len(creds) == 1:  # the login needs the handle and the app password
        missing = [k for k in sources.CREDENTIAL_KEYS[kind] if k not in creds]
    if missing:
        raise ConfigError(
            f"{r.where}: {at}.credentials.{missing[0]} is required for type {kind!r} "
            "(the name of the environment variable that holds it)"
        )


def _level(r: _Reader, t: Mapping[str, Any], i: int) -> Level:
    at = f"escalation.levels[{i}]"
    r.keys(t, at, {"name", "notify"})
    notify = _people(r, t, f"{at}.notify", "notify")
    return Level(name=_name(r, t, at), notify=notify)


def _spokespeople(r: _Reader, plan: Mapping[str, Any]) -> tuple[str, ...]:
    people = r.strings(plan, "plan.spokespeople", "spokespeople")
    for i, person in enumerate(people):
        if not SLACK_USER_ID.match(person):  # the draft form writes <@…>: a name shows as is
            raise ConfigError(
                f"{r.where}: plan.spokespeople[{i}]: {person!r} is not a Slack user ID (U…)"
            )
    return people


def _room_name(r: _Reader, plan: Mapping[str, Any]) -> str:
    """The room's name pattern: {number} (required: one room per incident) and {brand}."""
    pattern: str = r.get(plan, "plan.room_name", "room_name", str, ROOM_NAME)
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
    except ValueError:
        fields = {"?"}
    if "number" not in fields or not fields <= ROOM_FIELDS:
        raise ConfigError(
            f"{r.where}: plan.room_name: {pattern!r} must contain {{number}} and may contain "
            "{brand}, nothing else in braces"
        )
    return pattern


def _room_on(r: _Reader, plan: Mapping[str, Any]) -> str | None:
    value: str | None = r.get(plan, "plan.room_on", "room_on", str, None)
    if value is not None and value not in ROOM_TRIGGERS:
        raise ConfigError(
            f"{r.where}: plan.room_on must be one of {', '.join(ROOM_TRIGGERS)}, not {value!r}"
        )
    return value


def _update_minutes(r: _Reader, esc: Mapping[str, Any]) -> int | None:
    """The stakeholders' update reminder: off (None) unless the playbook sets it."""
    if "update_minutes" not in esc:
        return None
    return r.positive(esc, "escalation.update_minutes", "update_minutes", 60, at_most=MONTH_MINUTES)


def _updates_channel(r: _Reader, plan: Mapping[str, Any]) -> str | None:
    return _channel_id(r, plan, "plan.updates_channel", "updates_channel")


def _channel_id(r: _Reader, t: Mapping[str, Any], at: str, key: str) -> str | None:
    channel: str | None = r.get(t, at, key, str, None)
    if channel is not None and not SLACK_CHANNEL_ID.match(channel):
        # "#leaders" would fail every post with channel_not_found, found only in the log.
        raise ConfigError(
            f"{r.where}: {at}: {channel!r} is not a Slack channel ID (like C0123ABCD; a "
            "channel's details in Slack show it)"
        )
    return channel


def _template(r: _Reader, t: Mapping[str, Any], i: int) -> Template:
    at = f"templates[{i}]"
    r.keys(t, at, {"name", "text"})
    return Template(name=_name(r, t, at), text=r.get(t, f"{at}.text", "text", str))


def _hour(r: _Reader, digest: Mapping[str, Any]) -> int:
    hour = r.get(digest, "digest.hour", "hour", int, 9)
    if not 0 <= hour <= 23:
        raise ConfigError(f"{r.where}: digest.hour must be 0 to 23")
    return hour


_TYPE_NAMES = {int: "whole number", str: "string", list: "list", dict: "table"}


class _Reader:
    """Typed access to parsed TOML that names the file and the key in every error."""

    _missing = object()

    def __init__(self, where: str) -> None:
        self.where = where

    def keys(self, t: Mapping[str, Any], at: str, allowed: set[str]) -> None:
        for key in t:
            if key not in allowed:
                name = f"{at}.{key}" if at else key
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(f"{self.where}: unknown key {name!r}{hint}")

    def get(
        self, t: Mapping[str, Any], at: str, key: str, typ: type, default: Any = _missing
    ) -> Any:
        if key not in t:
            if default is self._missing:
                raise ConfigError(f"{self.where}: {at} is required")
            return default
        value = t[key]
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            raise ConfigError(f"{self.where}: {at} must be a {_TYPE_NAMES.get(typ, typ.__name__)}")
        return value

    def positive(
        self, t: Mapping[str, Any], at: str, key: str, default: int, *, at_most: int
    ) -> int:
        """A whole number from 1 to `at_most` (past it, time arithmetic overflows later)."""
        value: int = self.get(t, at, key, int, default)
        if value <= 0:
            raise ConfigError(f"{self.where}: {at} must be a positive number")
        if value > at_most:
            raise ConfigError(f"{self.where}: {at} must be at most {at_most}")
        return value

    def strings(self, t: Mapping[str, Any], at: str, key: str) -> tuple[str, ...]:
        value = self.get(t, at, key, list, [])
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self.where}: {at} must be a list of strings")
        return tuple(value)

    def words(self, t: Mapping[str, Any], at: str, key: str) -> tuple[str, ...]:
        """A list of strings none of which is blank (terms, keywords)."""
        value = self.strings(t, at, key)
        for i, word in enumerate(value):
            if not word.strip():
                raise ConfigError(f"{self.where}: {at}[{i}] is empty")
        return value

    def table(self, t: Mapping[str, Any], key: str, at: str = "") -> Mapping[str, Any]:
        value = t.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.where}: {f'{at}.' if at else ''}{key} must be a table")
        return value

    def tables(self, t: Mapping[str, Any], at: str, key: str) -> list[Mapping[str, Any]]:
        value = t.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ConfigError(f"{self.where}: {at} must be an array of tables ([[{at}]])")
        return value
