"""One detection pass: assess each brand's recent mentions and open incidents for new storms."""

from __future__ import annotations

import gc
import hashlib
import inspect
import logging
import pickle
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

import detectors.coldstart
import detectors.storm
import detectors.volume
from bot.core import i18n
from bot.core.config import Config
from bot.core.i18n import _
from bot.core.text import cut
from bot.response import incidents
from detectors.storm import Assessment, StaleState, StormSettings, StormTracker, pulse_trend
from detectors.volume import VolumeSettings
from models import DetectorState, Incident, Mention, brand_is

logger = logging.getLogger(__name__)

QUOTE_CHARS = 500  # per quoted mention; the card cuts again to Block Kit's limits
# Brands without a mention this recent cannot fire (a volume alert needs mentions in its last
# window; the longest volume scale is 3 h, plus its confirmation): a pass skips them, and their
# state catches up from where it stopped when they are next mentioned.
RECENT = timedelta(hours=6)
# A stored state is rewritten once it is this far behind, at most SAVES_PER_PASS of them per pass
# (the furthest behind first; a state is ~0.5 MB): a fresh process then reads about this much
# plus an hour of mentions per brand, and no pass writes every brand's state at once.
CHECKPOINT = timedelta(minutes=30)
SAVES_PER_PASS = 5
# New mentions a pass scans for late arrivals; a state further behind is rebuilt instead.
MAX_NEW_SCAN = 50_000
# Brands resuming within this of the newest share one read of recent mentions.
BULK_SPAN = timedelta(hours=3)

# Per-process trackers, one per (database, brand, settings): each pass resumes from the newest of
# this and the stored state, so a restart or another worker only reads what is new to it.
_TRACKERS: dict[tuple[str, str | None, StormSettings], _Cached] = {}
_TRACKERS_LOCK = threading.Lock()

Claim = Callable[[Session, str | None], bool]


@dataclass(slots=True)
class _Cached:
    tracker: StormTracker
    last_id: int  # every mention up to this id was in the database at the last pass


@dataclass(slots=True)
class PassPlan:
    """What one pass reads once for all brands: the stored states' positions and which brands
    received mentions since their state (late ones there force a rebuild)."""

    now: datetime
    since: datetime  # start of the look-back
    max_id: int
    scan_from: int  # new mentions after this id were scanned
    stored: dict[tuple[str, str], tuple[datetime, int]]  # (brand key, hash) -> until, last id
    new_rows: list[tuple[str | None, int, datetime]] = field(default_factory=list)
    # States to store at the end of the pass: (how far behind the stored one, brand, key, state)
    due: list[tuple[timedelta, str | None, str, StormTracker]] = field(default_factory=list)
    prepared: dict[str | None, _Prepared] = field(default_factory=dict)  # brand -> its read
    trackers: dict[str | None, StormTracker] = field(default_factory=dict)  # brand -> assessed
    verdicts: dict[str | None, Assessment] = field(default_factory=dict)  # brand -> its verdict
    # A brand renamed in the playbook (`formerly`): its rows under a former name are its own.
    current: dict[str, str] = field(default_factory=dict)  # former name -> current name
    formerly: dict[str, tuple[str, ...]] = field(default_factory=dict)  # current -> former names

    def earliest_new(self, brand: str | None, after_id: int) -> datetime | None:
        return min((t for b, i, t in self.new_rows if b == brand and i > after_id), default=None)

    def canonical(self, brand: str | None) -> str | None:
        """The name a brand's rows are assessed under: its current one."""
        return self.current.get(brand, brand) if brand else None

    def former(self, brand: str | None) -> tuple[str, ...]:
        """The brand's former names (`formerly`); none for most."""
        return self.formerly.get(brand, ()) if brand else ()

    def names(self, brand: str | None) -> tuple[str | None, ...]:
        """The names the brand's mentions may be stored under (current first)."""
        return (brand, *self.formerly.get(brand, ())) if brand else (None,)


def forget(engine: Engine) -> None:
    """Drop this process's trackers for the database of `engine` (a backtest's scratch one)."""
    url = str(engine.url)
    with _TRACKERS_LOCK:
        for key in [k for k in _TRACKERS if k[0] == url]:
            del _TRACKERS[key]


def detection_zone(config: Config) -> str | None:
    """The clock the volume detector's time-of-day and time-of-week baselines follow: the
    playbook's `timezone`, so after a daylight-saving change 08:00 in Sofia is still compared
    with 08:00 in Sofia. UTC is no zone: the UTC bins, as before there was a setting."""
    return None if config.timezone == i18n.DEFAULT_TIMEZONE else config.timezone


def volume_settings(config: Config) -> VolumeSettings | None:
    """The volume detector's settings from the playbook (None: the defaults, no zone)."""
    zone = detection_zone(config)
    return None if zone is None else VolumeSettings(config.bin_minutes * 60, zone=zone)


def storm_settings(config: Config, brand: str | None) -> StormSettings:
    # The zone is part of the settings, so a stored state (keyed by `settings_hash`) is never
    # resumed across a change of the playbook's timezone: its slots were on the other clock.
    return StormSettings(
        bin_minutes=config.bin_minutes,
        window_minutes=config.window_minutes,
        keywords=config.keywords_for(brand),
        keywords_by_language=config.keywords_by_language_for(brand),
        reach_threshold=config.reach_threshold,
        volume=volume_settings(config),
    )


@cache
def _code_hash() -> str:
    # A state pickled by other detector code is not resumed: the code is part of the key (cold
    # start's too: its verdicts on the last hours' windows are kept in the state).
    code = "".join(
        inspect.getsource(module)
        for module in (detectors.storm, detectors.volume, detectors.coldstart)
    )
    return hashlib.sha256(code.encode()).hexdigest()


def settings_hash(settings: StormSettings) -> str:
    return hashlib.sha256(f"{settings!r}|{_code_hash()}".encode()).hexdigest()


def plan_pass(session: Session, *, config: Config, now: datetime) -> PassPlan:
    max_id = session.scalar(select(func.max(Mention.id))) or 0
    stored = {
        (r.brand_key, r.settings_hash): (r.settled_until, r.last_mention_id)
        for r in session.execute(
            select(
                DetectorState.brand_key,
                DetectorState.settings_hash,
                DetectorState.settled_until,
                DetectorState.last_mention_id,
            )
        )
    }
    with _TRACKERS_LOCK:
        known = [c.last_id for c in _TRACKERS.values()]
    known += [last for _, last in stored.values()]
    scan_from = min((i for i in known if i >= max_id - MAX_NEW_SCAN), default=max_id)
    plan = PassPlan(now, now - timedelta(days=config.lookback_days), max_id, scan_from, stored)
    plan.formerly = {b.name: b.formerly for b in config.brands if b.formerly}
    plan.current = config.renamed
    if scan_from < max_id:
        plan.new_rows = [
            (plan.canonical(r.brand), r.id, r.created_at)
            for r in session.execute(
                select(Mention.brand, Mention.id, Mention.created_at).where(
                    Mention.id > scan_from, Mention.id <= max_id
                )
            )
        ]
    return plan


def brands_due(
    session: Session, *, now: datetime, plan: PassPlan | None = None
) -> list[str | None]:
    """Brands mentioned lately, and those with a state from the look-back: a state is kept
    moving (a few bins a pass) rather than rebuilt from the look-back when the brand wakes."""
    brands = set(
        session.scalars(
            select(Mention.brand)
            .where(Mention.created_at > now - RECENT, Mention.created_at <= now)
            .distinct()
        )
    )
    if plan is not None:
        brands |= {b or None for (b, _), (until, _) in plan.stored.items() if until > plan.since}
        # A former name's mentions and state are its brand's now (`formerly`): one series.
        brands = {plan.canonical(b) for b in brands}
    return sorted(brands, key=lambda b: b or "")


def run_detection(
    session: Session,
    *,
    config: Config,
    channel: str | None,
    now: datetime,
    claim: Claim | None = None,
    verdicts: dict[str | None, Assessment] | None = None,
) -> list[Incident]:
    """Open an incident for each brand in a new storm; a storm with an open incident gets none.
    `claim(session, brand)` False skips a brand (another worker has it). `verdicts` receives
    each assessed brand's verdict (the backtest closes an incident when its storm is over)."""
    with _collector_paused():
        plan = plan_pass(session, config=config, now=now)
        mine = [
            brand
            for brand in brands_due(session, now=now, plan=plan)
            if claim is None or claim(session, brand)
        ]
        _read_recent(session, mine, config=config, plan=plan)
        opened = []
        for brand in mine:
            # A brand with an open incident is still assessed: a new alert on its storm (several
            # detectors, a later pass, another worker) goes onto that incident, never a second.
            current = incidents.open_for_brand(session, brand, formerly=plan.former(brand))
            if current is not None:
                _grow(session, current, brand, config=config, plan=plan)
                continue
            incident = _detect_brand(session, brand, config=config, channel=channel, plan=plan)
            if incident is not None:
                opened.append(incident)
        save_states(session, plan)
    if verdicts is not None:
        verdicts.update(plan.verdicts)
    return opened


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the brands' states are read and assessed: unpickling
    50 stored states makes millions of objects (tuples and floats, no cycles), and each full
    collection that this and the assessing triggered walked all of them again (0.3 s of a
    1.2 s fresh-process pass over 50 brands on PostgreSQL, scale_bench). The pass is bounded;
    what cycles it leaves are collected after. On again unless someone else had it off."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _grow(
    session: Session, incident: Incident, brand: str | None, *, config: Config, plan: PassPlan
) -> None:
    """Put a new volume alert (a new `alert_at`) on the brand's open incident, and how its storm
    goes now (the card's pulse line) when one is due."""
    result, mentions = assess_brand(session, brand, config=config, plan=plan)
    _pulse(session, incident, result, plan.now)
    alert_at = result.evidence.get("alert_at")
    if (
        not result.fired
        or alert_at is None
        or alert_at == (incident.evidence or {}).get("alert_at")
    ):
        return
    if _explained(session, brand, result, config, plan):
        return  # a step a new source made is no news on the incident
    evidence = evidence_for(result, mentions, settings=storm_settings(config, brand), now=plan.now)
    if incidents.storm_grew(
        session,
        incident.id,
        evidence=evidence,
        first_mention_at=result.started_at,
        now=plan.now,
    ):
        logger.info("incident #%s: new alert on its storm (%s)", incident.id, alert_at)


def _pulse(session: Session, incident: Incident, result: Assessment, now: datetime) -> None:
    hour = result.evidence.get("last_hour")
    if incident.is_drill or not isinstance(hour, dict):
        return
    trend = pulse_trend(hour["observed"], hour["expected"], hour.get("previous"))
    if not incidents.pulse_due(incident, trend, now):
        return
    pulse = {
        "at": now.isoformat(),
        "trend": trend,
        **hour,
        "negative_share": result.evidence.get("negative_share"),
        "baseline_negative_share": result.evidence.get("baseline_negative_share"),
    }
    incidents.set_pulse(session, incident.id, pulse, now=now)


def _read_recent(
    session: Session, brands: list[str | None], *, config: Config, plan: PassPlan
) -> None:
    """Resume every brand's state and read what they lack in one query, not one per brand: on
    PostgreSQL each brand's own read scanned all brands' recent mentions (the created_at index
    and a filter, which the planner prefers to the brand index's scattered rows)."""
    for brand in brands:
        plan.prepared[brand] = _prepare(session, brand, config=config, plan=plan)
    named = [b for b in brands if b is not None and plan.prepared[b].since is not None]
    if len(named) < 2:
        return
    since = {b: plan.prepared[b].since for b in named}
    newest = max(t for t in since.values() if t is not None)
    # One range for the brands resuming near the others (a brand far behind reads alone).
    close = [b for b in named if (t := since[b]) is not None and newest - t <= BULK_SPAN]
    lo = min(t for b in close if (t := since[b]) is not None)
    rows: dict[str | None, list[Any]] = {b: [] for b in close}
    named = [n for b in close for n in plan.names(b) if n is not None]
    for row in session.execute(
        select(Mention.brand, *_COLUMNS)
        .where(Mention.brand.in_(named), Mention.created_at >= lo, Mention.created_at <= plan.now)
        .order_by(Mention.created_at, Mention.id)
    ):
        rows[plan.canonical(row.brand)].append(row)
    for b in close:
        t = since[b]
        assert t is not None
        plan.prepared[b].rows = [r for r in rows[b] if r.created_at >= t]


_COLUMNS = (
    Mention.created_at,
    Mention.text,
    Mention.label,
    Mention.polarity,
    Mention.author,
    Mention.author_followers,
    Mention.url,
    Mention.source,
    Mention.language,
)


def _mentions(
    session: Session,
    brand: str | None,
    since: datetime,
    now: datetime,
    *,
    inclusive: bool,
    names: Sequence[str | None] = (),
) -> Sequence[Any]:
    """`names`: every name the brand's mentions are stored under (`PassPlan.names`); default
    the brand's alone."""
    # Plain rows of the columns the detectors and the card read: building ORM objects per pass
    # cost far more than the detection itself.
    return session.execute(
        select(*_COLUMNS)
        .where(brand_is(Mention.brand, names or (brand,)))
        .where(Mention.created_at >= since if inclusive else Mention.created_at > since)
        .where(Mention.created_at <= now)
        .order_by(Mention.created_at, Mention.id)
    ).all()


def _resume(
    session: Session, brand: str | None, settings: StormSettings, key: str, plan: PassPlan
) -> tuple[StormTracker, int]:
    """The newest state known for the brand: this process's, or the stored one if newer."""
    cache_key = (str(session.get_bind().engine.url), brand, settings)
    with _TRACKERS_LOCK:  # taken out while in use: a thread beside us starts from the store
        cached = _TRACKERS.pop(cache_key, None)
    stored = plan.stored.get((brand or "", key))
    if cached is not None and (
        stored is None  # our checkpoint is gone: another database, or it was emptied
        or cached.last_id > plan.max_id  # ids went backwards: the same
        or cached.last_id < stored[1]  # another worker has been further since
    ):
        cached = None
    if cached is None and stored is not None and stored[1] <= plan.max_id:
        blob = session.scalar(
            select(DetectorState.state).where(
                DetectorState.brand_key == (brand or ""), DetectorState.settings_hash == key
            )
        )
        try:
            tracker = pickle.loads(blob) if blob is not None else None  # our own table
        except Exception:  # an unreadable state is rebuilt, never fatal
            logger.warning("stored detector state for %r unreadable: rebuilding", brand)
            tracker = None
        if isinstance(tracker, StormTracker):
            return tracker, stored[1]
    if cached is not None:
        return cached.tracker, cached.last_id
    return StormTracker(settings), 0


@dataclass(slots=True)
class _Prepared:
    tracker: StormTracker
    key: str
    settings: StormSettings
    rebuilds: int  # before this pass
    since: datetime | None  # read mentions from here; None: the whole look-back
    rows: Sequence[Any] | None = None  # read in bulk for several brands


def _prepare(session: Session, brand: str | None, *, config: Config, plan: PassPlan) -> _Prepared:
    now = plan.now
    settings = storm_settings(config, brand)
    key = settings_hash(settings)
    tracker, last_id = _resume(session, brand, settings, key, plan)
    before = tracker.rebuilds
    if tracker.ready:
        late = plan.earliest_new(brand, last_id)
        until = tracker.settled_until
        if last_id < plan.scan_from or (
            late is not None and until is not None and late < until.replace(tzinfo=UTC)
        ):
            tracker.reset()  # mentions arrived for bins already settled: replay them
    lookback = now - timedelta(days=config.lookback_days)
    since = tracker.resume_from(now)
    if since is None or since <= lookback or tracker.young(now):
        since = None  # the whole look-back (a young one is all judged by cold start)
    return _Prepared(tracker, key, settings, before, since)


def assess_brand(
    session: Session, brand: str | None, *, config: Config, plan: PassPlan
) -> tuple[Assessment, Sequence[Any]]:
    """The brand's verdict as of the plan's time, reading only the mentions its state lacks.
    Its state is stored by `save_states(session, plan)` at the end of the pass, if due."""
    now = plan.now
    prepared = plan.prepared.pop(brand, None) or _prepare(session, brand, config=config, plan=plan)
    tracker, key, settings, before = (
        prepared.tracker,
        prepared.key,
        prepared.settings,
        prepared.rebuilds,
    )
    lookback = now - timedelta(days=config.lookback_days)
    since = prepared.since
    result = None
    if since is not None:
        mentions = (
            prepared.rows
            if prepared.rows is not None
            else _mentions(session, brand, since, now, inclusive=True, names=plan.names(brand))
        )
        try:
            result = tracker.assess(mentions, now, complete_from=since)
        except StaleState:
            tracker.reset()
    if result is None:
        mentions = _mentions(
            session, brand, lookback, now, inclusive=False, names=plan.names(brand)
        )
        result = tracker.assess(mentions, now)
    with _TRACKERS_LOCK:
        _TRACKERS[(str(session.get_bind().engine.url), brand, settings)] = _Cached(
            tracker, plan.max_id
        )
    _checkpoint(brand, key, tracker, plan, rebuilt=tracker.rebuilds != before)
    plan.trackers[brand], plan.verdicts[brand] = tracker, result
    return result, mentions


def _details(
    session: Session, brand: str | None, result: Assessment, mentions: Sequence[Any], plan: PassPlan
) -> tuple[Assessment, Sequence[Any]]:
    """A late content alert (cold start's too) assessed from the last hour's mentions lacks its
    storm's quotes and high-reach posts: assess again with the mentions from its window on (only
    for an alert about to be posted: the storm of a late alert is usually one a pass already saw
    and handled)."""
    since, tracker = result.details_from, plan.trackers.get(brand)
    if since is None or tracker is None:
        return result, mentions
    rows = _mentions(session, brand, since, plan.now, inclusive=True, names=plan.names(brand))
    try:
        return tracker.assess(rows, plan.now, complete_from=since), rows
    except StaleState:  # the state moved on meanwhile: alert with what is known
        return result, mentions


def _checkpoint(
    brand: str | None, key: str, tracker: StormTracker, plan: PassPlan, *, rebuilt: bool
) -> None:
    until = tracker.settled_until
    if until is None:
        return
    stored = plan.stored.get((brand or "", key))
    behind = until.replace(tzinfo=UTC) - stored[0] if stored is not None else None
    if rebuilt or behind is None:
        plan.due.append((timedelta.max, brand, key, tracker))  # a rebuild is not redone lightly
    elif behind >= CHECKPOINT:
        plan.due.append((behind, brand, key, tracker))


def save_states(session: Session, plan: PassPlan) -> None:
    """Store the states `assess_brand` marked due: new and rebuilt ones, then the furthest
    behind, SAVES_PER_PASS in all beyond the new ones."""
    due = sorted(plan.due, key=lambda d: d[0], reverse=True)
    fresh = sum(1 for d in due if d[0] == timedelta.max)
    rows = []
    for _behind, brand, key, tracker in due[: fresh + SAVES_PER_PASS]:
        until = tracker.settled_until
        assert until is not None
        rows.append(
            {
                "brand_key": brand or "",
                "settings_hash": key,
                "state": pickle.dumps(tracker, protocol=pickle.HIGHEST_PROTOCOL),
                "settled_until": until.replace(tzinfo=UTC),
                "last_mention_id": plan.max_id,
                "updated_at": plan.now,
            }
        )
        plan.stored[(brand or "", key)] = (until.replace(tzinfo=UTC), plan.max_id)
    plan.due.clear()
    if not rows:
        return
    # An upsert: two workers (or threads on SQLite, where no lock is taken) may write at once.
    # Values go as parameters: a statement holding half a megabyte is slow to compile and cache.
    dialect = session.get_bind().dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(DetectorState)
    upsert = stmt.on_conflict_do_update(
        index_elements=["brand_key", "settings_hash"],
        set_={
            k: stmt.excluded[k] for k in ("state", "settled_until", "last_mention_id", "updated_at")
        },
    )
    session.execute(upsert, rows)
    for row in rows:  # states for settings or code no longer in use
        session.execute(
            delete(DetectorState).where(
                DetectorState.brand_key == row["brand_key"],
                DetectorState.settings_hash != row["settings_hash"],
            )
        )
        former = plan.former(str(row["brand_key"]))
        if former:  # a renamed brand's state under its old name: this one carries on from it
            session.execute(delete(DetectorState).where(DetectorState.brand_key.in_(former)))


def _detect_brand(
    session: Session, brand: str | None, *, config: Config, channel: str | None, plan: PassPlan
) -> Incident | None:
    now = plan.now
    result, mentions = assess_brand(session, brand, config=config, plan=plan)
    if not result.fired or _already_handled(session, plan.names(brand), result):
        return None
    # Content alarming: an incident all the same (the step is held out of volume from now on).
    if _explained(session, brand, result, config, plan) and not result.content_fired:
        return None
    result, mentions = _details(session, brand, result, mentions, plan)
    evidence = evidence_for(result, mentions, settings=storm_settings(config, brand), now=now)
    _flares_again(session, plan.names(brand), evidence, now)
    incident = incidents.open_incident(
        session,
        brand=brand,
        formerly=plan.former(brand),
        title=_("{brand}: mention storm", brand=brand or _("Brand")),
        severity=result.severity,
        evidence=evidence,
        first_mention_at=result.started_at,
        channel=config.channel_for(brand) or channel,  # an agency's client: its own channel
        now=now,
    )
    if incident is not None:
        logger.info("opened incident #%s for brand %r", incident.id, brand)
    return incident


# A new storm on a brand whose last incident was resolved this recently is the same story
# flaring again (a journalist picked it up): the card says so, in a line, and names it.
FLARE_WINDOW = timedelta(hours=72)


def _flares_again(
    session: Session, names: Sequence[str | None], evidence: dict[str, Any], now: datetime
) -> None:
    """Name the brand's incident resolved within FLARE_WINDOW, if any, on the new one's evidence
    (`flares_again`) and in its reasons, after a late alert's first line. Not a merge: the team
    decides whether it is the same story (`/crisis reopen` for that one needs this one closed)."""
    last = session.execute(
        select(Incident.id, Incident.resolved_at)
        .where(brand_is(Incident.brand, names))
        .where(Incident.is_drill.is_(False), Incident.status == "resolved")
        .where(Incident.resolved_at >= now - FLARE_WINDOW)
        .order_by(Incident.resolved_at.desc(), Incident.id.desc())
        .limit(1)
    ).first()
    if last is None or last.resolved_at is None:
        return
    number, resolved_at = last.id, last.resolved_at
    evidence["flares_again"] = {"number": number, "resolved_at": resolved_at.isoformat()}
    minutes = max(int((now - resolved_at).total_seconds() // 60), 1)
    line = _("Flares again: #{number} was resolved {span} ago.", number=number,
             span=_span(minutes))  # fmt: skip
    reasons = evidence.setdefault("reasons", [])
    reasons.insert(1 if evidence.get("late") and reasons else 0, line)


# A source whose first mention of a brand is younger than this is new to it: its volume is a
# step our own configuration made (a source added to the playbook whose platform cannot page
# back; with a backfill its history fills the baseline and there is no step).
NEW_SOURCE = timedelta(hours=24)


def _explained(
    session: Session, brand: str | None, result: Assessment, config: Config, plan: PassPlan
) -> bool:
    """The new-source rule (`_new_source_step`). A step it explains has put the volume detector
    into a storm that lasts days (its windows compare with past days that lacked the source):
    the brand's volume is then judged without the new sources until that storm is over, or a
    real storm on the others meanwhile would raise no alert of its own (a pass would find the
    step's alert, late, and after 6 h nothing at all). The state is stored at the pass's end."""
    new = _new_source_step(session, brand, result, config, plan.now)
    tracker = plan.trackers.get(brand)
    if new and tracker is not None:
        tracker.hold_out(frozenset(new), _at(result.evidence["alert_at"]))
        # Stored at the pass's end whatever else is due (once: one upsert per row).
        plan.due[:] = [d for d in plan.due if d[3] is not tracker]
        settings = storm_settings(config, brand)
        plan.due.append((timedelta.max, brand, settings_hash(settings), tracker))
    return bool(new)


def _new_source_step(
    session: Session, brand: str | None, result: Assessment, config: Config, now: datetime
) -> list[str]:
    """The brand's new sources when they explain a volume alert (content not alarming): without
    their mentions its window would not be elevated. Not a crisis: no incident (logged). Empty
    when they do not. Sources the alert was already counted without are left out."""
    alert_at = result.evidence.get("alert_at")
    if alert_at is None:
        return []
    names = config.names_of(brand)  # a renamed brand's sources under its old name too
    held = set(result.evidence.get("without_sources") or ())
    end = _at(alert_at) + timedelta(minutes=config.bin_minutes)
    width = timedelta(minutes=int(result.evidence.get("window_minutes", 0)))
    at_alert = _by_source(session, names, end - width, end, held)
    new = [
        source
        for source in at_alert
        if session.scalar(
            select(Mention.id)
            .where(Mention.source == source, _own(names), Mention.created_at < now - NEW_SOURCE)
            .limit(1)
        )
        is None
    ]
    if not new or len(new) == len(at_alert):
        return []  # no new source; or only new ones: a brand's first source (cold start)
    expected = float(result.evidence.get("expected", 0.0))
    excess = sum(at_alert.values()) - expected
    if excess <= 0 or _replaced(session, names, [*new, *held], end - width, end, expected):
        return []
    # z grows with the excess over the same expectation: the alert's z per mention of excess
    # turns the excess left without the new sources into the z it would have had. Below the
    # detector's threshold, the old sources alone would not have alerted.
    z_per = float(result.evidence.get("z", 0.0)) / excess
    threshold = (
        storm_settings(config, brand).volume or detectors.volume.VolumeSettings()
    ).threshold
    # The alert's window, and the latest one: a volume storm stays "fired" under its first
    # alert_at for hours, and a real storm on the old sources can start inside it; it must
    # not be explained away by the step the new source made earlier.
    for counts in (at_alert, _by_source(session, names, now - width, now, held)):
        rest = sum(n for source, n in counts.items() if source not in new)
        if z_per * (rest - expected) >= threshold:
            return []
    logger.info(
        "brand %r: volume alert at %s explained by new source(s) %s: no incident",
        brand, alert_at, ", ".join(sorted(new)),
    )  # fmt: skip
    return sorted(new)


def _replaced(
    session: Session,
    names: Sequence[str | None],
    new: list[str],
    start: datetime,
    end: datetime,
    expected: float,
) -> bool:
    """The old sources went quiet when the new ones began (a history imported from a file, then
    live sources connected): the new sources replace them, they do not add a step to them, and
    a storm they bring is a storm. Under half the window's expected rate is quiet. (`new` also
    holds the sources the alert was counted without: they are no old source.)"""
    first_new = session.scalar(
        select(func.min(Mention.created_at)).where(
            _own(names), Mention.source.in_(new), Mention.created_at >= start,
            Mention.created_at < end,
        )
    )  # fmt: skip
    if first_new is None:
        return False
    first_new = first_new if first_new.tzinfo else first_new.replace(tzinfo=UTC)
    old_since = session.scalar(
        select(func.count()).where(
            _own(names), Mention.source.not_in(new), Mention.created_at >= first_new,
            Mention.created_at < end,
        )
    ) or 0  # fmt: skip
    share = (end - first_new) / (end - start)
    return old_since < 0.5 * expected * share


def _own(names: Sequence[str | None]) -> Any:
    return brand_is(Mention.brand, names)


def _by_source(
    session: Session,
    names: Sequence[str | None],
    start: datetime,
    end: datetime,
    leave_out: set[str],
) -> dict[str, int]:
    return {
        source: count
        for source, count in session.execute(
            select(Mention.source, func.count())
            .where(_own(names), Mention.created_at >= start, Mention.created_at < end)
            .group_by(Mention.source)
        )
        if source not in leave_out
    }


def _already_handled(session: Session, names: Sequence[str | None], result: Assessment) -> bool:
    """This storm already has an incident (open or resolved since).

    A volume alert keeps `fired` True for up to `window_minutes` under the same
    `evidence["alert_at"]`: one alert is one storm, so an incident carrying that alert_at was this
    storm, and a new alert (a new alert_at) after a resolved incident is a new storm. A content-only
    alert has no alert_at: it is the same storm when it began before the latest incident opened;
    a late one (no pass saw its window) also when an incident was open during it or opened after
    it began. A cold-start alert (`evidence["short_baseline"]`, late ones too) is content-only
    too: a volume alert on a storm that began before it opened is that storm.
    """
    alert_at = result.evidence.get("alert_at")
    late = bool(result.evidence.get("late"))
    recent = session.scalars(
        select(Incident)
        .where(brand_is(Incident.brand, names))  # a renamed brand's incidents under its old name
        .where(Incident.is_drill.is_(False))
        .order_by(Incident.opened_at.desc())
        .limit(10)
    ).all()
    if alert_at is not None:
        if any((i.evidence or {}).get("alert_at") == alert_at for i in recent):
            return True
        # A late alert (past its window) that an incident was open for, or opened after, is one
        # the team already had in hand: passes skip a brand while its incident is open.
        if late and any(
            i.resolved_at is None or i.resolved_at.replace(tzinfo=UTC) >= _at(alert_at)
            for i in recent
        ):
            return True
        # A cold-start alert (judged on content, short history) covers the storm it saw: when a
        # backfill then brings history, the volume alert on that same storm is no new storm.
        return result.started_at is not None and any(
            "short_baseline" in (i.evidence or {}) and result.started_at <= i.opened_at
            for i in recent
        )
    latest = recent[0] if recent else None
    if result.started_at is None:
        return False
    if latest is not None and result.started_at <= latest.opened_at:
        return True
    # A late content alert (a storm before this pass's window: detection was down, or its
    # mentions came late) that an incident was open for, or opened after, is one the team had.
    return late and any(
        i.resolved_at is None or i.resolved_at.replace(tzinfo=UTC) >= result.started_at
        for i in recent
    )


def _at(iso: str) -> datetime:
    at = datetime.fromisoformat(iso)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def evidence_for(
    result: Assessment, mentions: Any, *, settings: StormSettings, now: datetime
) -> dict[str, Any]:
    """The alert's evidence, its reasons written in the team's language (`i18n.current()`)."""
    samples = [
        {
            "source": m.source,
            "text": cut(m.text, QUOTE_CHARS),  # a longer post ends "…", not mid-word
            "url": m.url,
            "author": m.author,
            "author_followers": m.author_followers,
            "polarity": m.polarity,
            "created_at": m.created_at.isoformat(),
        }
        for m in (mentions[i] for i in result.sample_indexes[:5])
    ]
    evidence = {**result.evidence, "samples": samples}
    # The storm window's languages as the detector counted them, largest share first, stored as
    # {"bg": 0.87, "en": 0.13}: the alert says "87% Bulgarian".
    languages = result.evidence.get("languages") or []
    if languages:
        evidence["languages"] = {row["lang"]: row["share"] for row in languages}
    evidence["reasons"] = reasons_for(result, evidence, settings)
    if evidence.get("late") and result.started_at is not None:
        # First: the figures below describe a storm that began well before this alert.
        evidence["reasons"].insert(0, late_sentence(result.started_at, now))
    return evidence


def late_sentence(began: datetime, now: datetime) -> str:
    """The first line of a late alert (detectors.storm: `late_hours`): when the storm began, on
    the team's clock, and how long before this alert."""
    minutes = max(int((now - began).total_seconds() // 60), 1)
    return _(
        "Late alert: this storm began {when}, {span} before this alert. Detection was not "
        "running, or its mentions arrived late.",
        when=i18n.when(began),
        span=_span(minutes),
    )


def _span(minutes: int) -> str:
    """A past span for a person: "40 min", "5 h", "1.5 h"."""
    if minutes < 60:
        return _("{n} min", n=minutes)
    return _("{n} h", n=i18n.decimal(minutes / 60).removesuffix(".0").removesuffix(",0"))


def reasons_for(result: Assessment, evidence: dict[str, Any], settings: StormSettings) -> list[str]:
    """The detector's sentences (English, the catalogue's source) or, in another locale, the
    same facts rewritten from the evidence's numbers; and the storm's languages."""
    if i18n.current() == i18n.SOURCE_LOCALE:
        reasons = list(result.reasons)
    else:
        reasons = _translated_reasons(evidence, settings)
    languages = evidence.get("languages")
    if languages:
        shares = ", ".join(
            _("{share} {language}", share=i18n.percent(share), language=i18n.language_name(code))
            for code, share in list(languages.items())[:3]
        )
        # Before the high-reach posts (always the last lines): the card shows the first six.
        # A cold-start alert lists its loud posts, not `top_reach` (which counts neutral ones
        # too), and its caveat stays the first line whatever follows.
        cold = evidence.get("cold_start") if evidence.get("short_baseline") else None
        listed = (cold or {}).get("loud") if cold is not None else evidence.get("top_reach")
        at = max(len(reasons) - len((listed or [])[:3]), 1 if cold is not None else 0)
        reasons.insert(min(at, len(reasons)), _("Languages: {shares}.", shares=shares))
    return reasons


def _cold_reasons(ev: dict[str, Any]) -> list[str]:
    """A cold-start alert's sentences (detectors.coldstart) rewritten from its evidence."""
    cold = ev.get("cold_start") or {}
    minutes = int(cold.get("history_minutes", 0))
    span = _("{n} min", n=max(minutes, 1)) if minutes < 60 else _("{n} h", n=minutes // 60)
    out = [_("Only {span} of history for this brand: judged on content, not on volume.", span=span)]
    if "burst" in cold.get("fired_on", []):
        named = ", ".join(
            f"“{t['term']}” ({i18n.number(t['count'])})" for t in cold.get("crisis_terms", [])
        )
        out.append(
            _(
                "{count} negative mentions naming crisis terms in the last {minutes} minutes, "
                "from {authors} different authors: {named}.",
                count=i18n.number(cold.get("crisis_negatives", 0)),
                minutes=cold.get("window_minutes", 0),
                authors=i18n.number(cold.get("crisis_authors", 0)), named=named,
            )
        )  # fmt: skip
        out.append(
            _(
                "{share} of the window's {count} mentions are negative.",
                share=i18n.percent(float(cold.get("negative_share", 0.0))),
                count=i18n.number(cold.get("window_mentions", 0)),
            )
        )
    for loud in (cold.get("loud") or [])[:3]:
        out.append(
            _(
                "High-reach negative post by {author} ({followers} followers).",
                author=loud.get("author") or _("an unknown author"),
                followers=i18n.number(loud.get("followers") or 0),
            )
        )
    return out


def _translated_reasons(ev: dict[str, Any], s: StormSettings) -> list[str]:
    if ev.get("short_baseline"):
        return _cold_reasons(ev)
    out = []
    observed, expected = ev.get("observed", 0), ev.get("expected", 0.0)
    minutes = ev.get("window_minutes", s.window_minutes)
    if ev.get("alert_at") is not None:
        out.append(
            _(
                "{observed} mentions in {minutes} minutes where about {expected} were expected "
                "at this time of day ({ratio} times the usual).",
                observed=i18n.number(observed), minutes=minutes,
                expected=i18n.number(round(expected)),
                ratio=i18n.decimal(observed / max(expected, 1.0)),
            )
        )  # fmt: skip
        z = float(ev.get("z", 0.0))
        unusual = (
            _("extremely unusual, far beyond its normal bursts")
            if z >= 12
            else _("very unusual, well beyond its normal bursts")
            if z >= 8
            else _("unusual, beyond its normal bursts")
        )
        out.append(
            _(
                "That is {unusual} for this brand (volume score {score}).",
                unusual=unusual, score=i18n.decimal(float(ev.get("score", 0.0)), 2),
            )
        )  # fmt: skip
        held = ev.get("without_sources")
        if held:
            out.append(
                _(
                    "Counted without {sources}: added to this brand lately, their mentions are "
                    "a step in its volume, not a storm.",
                    sources=", ".join(held),
                )
            )
    else:
        out.append(
            _(
                "Volume itself is not unusual yet: {observed} mentions in the last {minutes} "
                "minutes, about {expected} expected.",
                observed=i18n.number(observed), minutes=minutes,
                expected=i18n.number(round(expected)),
            )
        )  # fmt: skip
    recent = ev.get("recent_mentions") or 0
    if recent:
        share, usual = ev.get("negative_share", 0.0), ev.get("baseline_negative_share", 0.0)
        template = (
            _("{share} of the last {minutes} minutes' {count} mentions are negative "
              "(up from {usual}).")
            if share >= usual + s.min_negative_rise
            else _("{share} of the last {minutes} minutes' {count} mentions are negative "
                   "(usually {usual}).")
        )  # fmt: skip
        out.append(
            template.format(
                share=i18n.percent(share),
                minutes=s.window_minutes,
                count=i18n.number(recent),
                usual=i18n.percent(usual),
            )
        )
    rising: Sequence[dict[str, Any]] = ev.get("rising_terms") or []
    if rising:
        terms = ", ".join(
            _("“{term}” ({count}, usually {expected})", term=t["term"],
              count=i18n.number(t["count"]), expected=i18n.number(round(t["expected"])))
            for t in rising[:5]
        )  # fmt: skip
        out.append(_("Crisis terms rising: {terms}.", terms=terms))
    for t in (ev.get("top_reach") or [])[:3]:
        out.append(
            _(
                "High-reach post by {author} ({followers} followers, {label}).",
                author=t.get("author") or _("an unknown author"),
                followers=i18n.number(t.get("followers") or 0),
                label=label_name(t.get("label")),
            )
        )  # fmt: skip
    return out


def label_name(label: str | None) -> str:
    return {
        "negative": _("negative"),
        "neutral": _("neutral"),
        "positive": _("positive"),
    }.get(label or "", _("unscored"))
