"""Storm assessment: is a brand in a mention storm right now, and why.

Pure: takes plain mention records (anything with the attributes of `MentionLike`) and settings,
returns an `Assessment`. The live bot, `crisisbot detect` and `crisisbot backtest --mentions` all
go through a `StormTracker` (the same verdict as `assess()`, keeping the volume detector's state
between passes), so a backtest shows exactly what the bot would have done.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from detectors import coldstart
from detectors.keywords import keywords_for_languages
from detectors.language import language_shares
from detectors.volume import BinResult, VolumeDetector, VolumeSettings


class MentionLike(coldstart.MentionLike, Protocol):
    """What cold start reads, and the link an alert quotes."""

    @property
    def url(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class StormSettings:
    bin_minutes: int = 5
    window_minutes: int = 60  # the "now" window compared with the baseline
    keywords: tuple[str, ...] = ()  # every language's (the playbook's plain list, or all lists)
    # Per language as in the playbook (`keywords = { en = [...], bg = [...] }`): a mention is
    # matched against its own language's list and the any-language ("*") one. Empty: `keywords`
    # for every language.
    keywords_by_language: tuple[tuple[str, tuple[str, ...]], ...] = ()
    reach_threshold: int = 100_000
    baseline_days: int = 7  # negative share and keyword rates are compared with this past
    chart_hours: int = 24  # bins returned in evidence["series"]
    min_negative_rise: float = 0.2  # share points above usual before negativity counts
    # A volume alert older than the window (the worker was down, or a source delivered hours of
    # backlog) still fires for this long, marked late (evidence["late"]): the tracker keeps the
    # results of this much settled history plus the hour still settling, so 6 h is the limit of
    # what it can see; older storms are not alerted at all. Content signals (negativity with
    # crisis terms, a loud post) catch up over the same hours: every settled window of the last
    # `late_hours` is judged once, as a pass at its end would have judged it (by cold start,
    # while the brand's history was shorter than it needs).
    late_hours: int = 6
    volume: VolumeSettings | None = None  # None: defaults with bin_minutes
    cold_start: coldstart.ColdStartSettings | None = None  # None: the documented defaults


@dataclass(slots=True)
class Assessment:
    fired: bool
    started_at: datetime | None = None  # first mention of the storm (time to detect starts here)
    severity: str = "low"  # low | medium | high | critical
    reasons: list[str] = field(default_factory=list)  # plain sentences for a comms lead
    evidence: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable
    sample_indexes: list[int] = field(default_factory=list)  # mentions to quote, most telling first
    content_fired: bool = False  # negativity with crisis terms, or a loud post (not volume alone)
    # A late content alert whose window's mentions were not given (a pass resuming from the last
    # hour): its high-reach posts, languages and quotes are missing. Assess again with the
    # mentions from this time on (`complete_from`) to have them.
    details_from: datetime | None = None


@dataclass(slots=True)
class _View:
    """The bins a verdict looks at, oldest first: settled ones from the tracker's state, then the
    tail replayed this pass."""

    starts: list[datetime]
    first_at: list[datetime | None]  # the bin's first mention
    results: list[BinResult]
    series: list[list[Any]]  # [start (ISO), count, negatives] of the chart's bins


@lru_cache(maxsize=4096)
def _iso(epoch: datetime, width: timedelta, k: int) -> str:
    # Every brand's chart shows the same bins: format each once, not once per brand and pass.
    return (epoch + k * width).isoformat()


@dataclass(slots=True)
class _Content:
    """What the recent window says beyond volume: negativity, crisis terms, reach."""

    observed: int
    negative_share: float
    baseline_negative_share: float
    negative_z: float
    rising_terms: list[dict[str, Any]]
    top_reach: list[dict[str, Any]]
    window_indexes: list[int]
    languages: list[dict[str, Any]]  # share of each language among the window's mentions


def _elevated(r: BinResult) -> bool:
    return r.observed > r.expected + 2.0 * math.sqrt(r.expected + 1.0)


def _severity(points: int, fired: bool) -> str:
    if not fired:
        return "low"
    return "critical" if points >= 4 else "high" if points == 3 else "medium"


def assess(
    mentions: Sequence[MentionLike], now: datetime, settings: StormSettings | None = None
) -> Assessment:
    """Is the brand in a mention storm as of `now`, and why. O(number of mentions + bins).

    `fired` is True when a storm alert is due: the volume detector raised one within the last
    `window_minutes` (its `evidence["alert_at"]` stays the same across passes: one storm, one
    alert), or, conservatively, negativity and crisis terms rise together, or a very high-reach
    author posts negatively. With less history than `detectors.coldstart` needs (two days), its
    judgement on absolute content decides instead, and the first reason says the baseline is short.

    Replays the whole history through a fresh detector; pass after pass, a `StormTracker` gives
    the same answer while reading only the last hour or so.
    """
    return StormTracker(settings or StormSettings()).assess(mentions, now)


class StaleState(Exception):
    """The tracker cannot resume from the mentions given: give it the whole look-back."""


# A settled bin as the tracker keeps it: count, negatives, its first mention's time, crisis terms,
# and its five widest-reaching mentions at or over the reach threshold (followers, negative?).
_Reach = tuple[tuple[int, bool], ...]
_Kept = tuple[int, int, datetime | None, dict[str, int] | None, _Reach | None]
_EMPTY: _Kept = (0, 0, None, None, None)


def _keep(b: list[Any]) -> _Kept:
    reach = b[5]
    top = tuple(sorted(reach, key=lambda r: -r[0])[:5]) if reach else None
    return (b[0], b[1], b[2], b[4], top)


@dataclass(slots=True)
class _Pass:
    """What one pass read from the mentions given, for the verdicts."""

    epoch: datetime
    width: timedelta
    view: _View
    view_lo: int  # bin number of view.results[0]
    window: list[int]  # indexes of the current window's mentions
    now_terms: Counter[str]
    base_n: int
    base_neg: int
    base_terms: Counter[str]


@dataclass(slots=True)
class StormTracker:
    """`assess` for one brand, pass after pass, at the cost of the new mentions, not the history.

    Bins are "settled" `settle_minutes` before the current one (late mentions may still land in
    the newer ones). The tracker feeds each settled bin to the volume detector once and keeps a
    compact summary of the last `baseline_days` of settled bins (counts, negatives, crisis terms,
    first mention time, widest reach) and the detector's last results; each pass it replays the
    unsettled tail on a copy of the detector and reads raw mentions only from `resume_from(now)`
    on (about the last hour). It is plain data: copy or pickle it to resume in another process.

    Content signals catch up like volume alerts: as each bin settles, the window ending with it
    is judged on content from the kept bins (what a pass at that moment would have said), and
    the last `late_hours` of those judgements are kept, so a storm of content alone that no pass
    saw (the worker was down) is still alerted, marked late. While the brand's history was
    shorter than `detectors.coldstart` needs, a pass judged it by cold start: so is each window
    ending then, on its own mentions (a pass settling such windows needs them: `resume_from`
    asks for the whole look-back), and its verdict is kept with it. A run of windows that fired
    is one storm, across the moment the history became long enough too: alerted on its first.

    Given the whole look-back (`complete_from=None`, as `assess` and the backtest do) it checks
    every settled bin it keeps against the mentions and rebuilds from them on any difference (an
    import of older mentions, another database, time going backwards), so its state is always
    derived from the mentions. Given only recent mentions (`complete_from`), it checks the bins
    they cover and raises `StaleState` when it cannot resume from them; the caller then gives
    the whole look-back after `reset()`.

    `hold_out(sources, alert_at)` (the live bot's new-source rule: a source just added made a
    step, not a storm) judges volume without those sources for as long as the volume detector
    stays in the storm the step opened (days: its windows compare with past days that lacked the
    source), and while the step's alert would be reported late, so the step neither alerts again
    nor leaves the detector deaf to a real storm meanwhile.

    Needs from the volume detector only `update(start, count) -> BinResult`, `clone()` and that
    it pickles (plain data).
    """

    settings: StormSettings = field(default_factory=StormSettings)
    settle_minutes: int = 60
    rebuilds: int = 0  # how often the state was rebuilt from scratch (for tests and timings)
    _det: VolumeDetector | None = None
    _first: int = 0  # bin number (since the epoch) of the first bin fed since the last rebuild
    _end: int = 0  # bins before this one are settled and fed to _det
    _bins: deque[_Kept] = field(default_factory=deque)  # the last settled bins, up to _end
    _results: deque[BinResult] = field(default_factory=deque)  # _det's results for them
    # (end bin, fired, cold start's verdict when it judged the window and fired) of each
    # settled window of the last `late_hours`
    _windows: deque[tuple[int, bool, coldstart.ColdVerdict | None]] = field(default_factory=deque)
    _first_at: datetime | None = None  # the first mention settled since the last rebuild
    _held: frozenset[str] = frozenset()  # sources volume is judged without (hold_out)...
    _held_from: int = 0  # ...since the step's alert in this bin, while it or its storm lasts
    _rest: StormTracker | None = None  # the tracker of the other sources' mentions

    @property
    def ready(self) -> bool:
        return self._det is not None

    @property
    def held_out(self) -> frozenset[str]:
        return self._held

    @property
    def settled_until(self) -> datetime | None:
        """End of the last settled bin (naive UTC), or None before the first pass."""
        if self._det is None:
            return None
        return datetime(1970, 1, 1) + self._end * timedelta(minutes=self.settings.bin_minutes)

    def reset(self) -> None:
        self._det = None
        if self._rest is not None:
            self._rest.reset()

    def hold_out(self, sources: frozenset[str], alert_at: datetime) -> None:
        """Judge volume without `sources` while the detector stays in the storm their step
        opened with its alert at `alert_at`, and at least while that alert would be reported
        late (`late_hours`). The next pass needs the whole look-back (`resume_from` says so):
        the other sources' history is replayed once."""
        width = timedelta(minutes=self.settings.bin_minutes)
        step = (alert_at - datetime(1970, 1, 1, tzinfo=alert_at.tzinfo)) // width
        self._held_from = max(self._held_from, step) if self._held else step
        self._held = self._held | sources
        self._rest = None

    def resume_from(self, now: datetime) -> datetime | None:
        """Mentions from this time on are all the next pass needs; None: the whole look-back."""
        if self._det is None or (self._held and self._rest is None):
            return None
        width = timedelta(minutes=self.settings.bin_minutes)
        epoch = datetime(1970, 1, 1, tzinfo=now.tzinfo)
        if self._cold_pending(epoch, width):
            return None  # windows cold start judges are due: they read their own mentions
        window_bin = (now - timedelta(minutes=self.settings.window_minutes) - epoch) // width
        return epoch + min(self._end, window_bin) * width

    def assess(
        self,
        mentions: Sequence[MentionLike],
        now: datetime,
        *,
        complete_from: datetime | None = None,
    ) -> Assessment:
        """The verdict as of `now`. `mentions` in time order; with `complete_from` (a bin start,
        from `resume_from`) they hold every mention from then on and nothing older is promised,
        without it they are the whole look-back."""
        s = self.settings
        p = self._advance(mentions, now, complete_from)
        # The step's storm over, and its alert too old to be reported late: all sources again.
        late_bins = s.late_hours * 60 // s.bin_minutes
        if (
            self._held
            and self._end > self._held_from + late_bins
            and not self._results[-1].in_storm
        ):
            self._held, self._rest = frozenset(), None
        view, view_lo = p.view, p.view_lo
        if self._held:
            if self._rest is None:
                if complete_from is not None:
                    raise StaleState("held-out sources need the whole look-back")
                self._rest = StormTracker(self.settings, self.settle_minutes)
            held = self._held
            rest = [m for m in mentions if getattr(m, "source", None) not in held]
            r = self._rest._advance(rest, now, complete_from, judge=False)
            # Volume from the other sources; the chart still shows every mention.
            view = _View(r.view.starts, r.view.first_at, r.view.results, view.series)
            view_lo = r.view_lo
        content = _content(mentions, p.window, p.now_terms, p.base_n, p.base_neg, p.base_terms, s)
        verdict = _verdict(mentions, now, s, view, content, held=sorted(self._held))
        if self.young(now):
            if complete_from is not None:  # cold start judges the whole (short) history
                raise StaleState("a young history is judged whole: give the look-back")
            cold = coldstart.judge(
                mentions,
                now,
                s.cold_start,
                keywords=s.keywords,
                keywords_by_language=s.keywords_by_language,
                window_minutes=s.window_minutes,
                reach_threshold=s.reach_threshold,
            )
            if cold is not None:
                verdict = _cold_verdict(verdict, cold)
        if not verdict.fired:  # a storm no pass saw (on content, or judged by cold start)
            late = self._late_content(mentions, now, complete_from, p, view, view_lo)
            verdict = late or verdict
        return verdict

    def _advance(
        self,
        mentions: Sequence[MentionLike],
        now: datetime,
        complete_from: datetime | None,
        *,
        judge: bool = True,
    ) -> _Pass:
        """Settle the bins that are due, replay the tail: the pass's view and window sums.
        `judge`: judge each settled window for late alerts (not for `_rest`'s volume only)."""
        s = self.settings
        width = timedelta(minutes=s.bin_minutes)
        epoch = datetime(1970, 1, 1, tzinfo=now.tzinfo)
        window_start = now - timedelta(minutes=s.window_minutes)
        cur = (now - epoch) // width
        raw_lo = (window_start - epoch) // width  # raw mentions are read from this bin on
        base_lo = (now - timedelta(days=s.baseline_days) - epoch) // width + 1
        # The first window the late content check judges, and the first bin its baseline reads.
        late_lo = (now - timedelta(hours=s.late_hours) - epoch) // width
        terms_lo = late_lo - s.baseline_days * 24 * 60 // s.bin_minutes
        reach = s.reach_threshold
        # One pass over the mentions given: per-bin sums, the window, the window's edge bin.
        # Keywords match in any inflected form and script ("изтичане" ~ "изтекоха", "breached"),
        # from the list of the mention's own language.
        matcher = keywords_for_languages(s.keywords_by_language, tuple(s.keywords))
        # bin -> [count, negatives, first at, first index, terms, reach]
        raw: dict[int, list[Any]] = {}
        window: list[int] = []
        now_terms: Counter[str] = Counter()
        edge_n = edge_neg = 0
        edge_terms: Counter[str] = Counter()
        given_lo: int | None = None
        for i, m in enumerate(mentions):
            t = m.created_at
            if t > now:
                continue
            k = (t - epoch) // width
            if given_lo is None or k < given_lo:
                given_lo = k
            b = raw.get(k)
            if b is None:
                b = raw[k] = [0, 0, t, i, None, None]
            b[0] += 1
            negative = m.label == "negative"
            b[1] += negative
            followers = m.author_followers or 0
            if followers >= reach:
                if b[5] is None:
                    b[5] = []
                b[5].append((followers, negative))
            terms = (
                matcher.find(m.text, coldstart.language_of(m))
                if matcher and k >= terms_lo and m.text
                else None
            )
            if terms:
                counted = b[4] = b[4] or {}
                for term in terms:
                    counted[term] = counted.get(term, 0) + 1
            if t > window_start:
                window.append(i)
                if terms:
                    now_terms.update(terms)
            elif k >= raw_lo:
                edge_n += 1
                edge_neg += negative
                if terms:
                    edge_terms.update(terms)
        safe = cur - max(1, self.settle_minutes // s.bin_minutes) + 1  # bins before are settled
        if complete_from is None:
            lo = cur if given_lo is None else given_lo
            # The first bin of a trimmed (look-back) history may be partial: it is not compared.
            if (
                self._det is None
                or lo < self._first  # older mentions than the state knows: replay them
                or self._end > max(safe, self._first)  # time went backwards
                or not self._matches(raw, lo + 1)
            ):
                self._rebuild(lo)
        else:
            lo = (complete_from - epoch) // width
            if (
                self._det is None
                or lo > min(self._end, raw_lo)
                or self._end > max(safe, self._first)
                or not self._matches(raw, lo)
                or (judge and safe > self._end and self._cold_pending(epoch, width))
            ):
                raise StaleState(f"cannot resume from {complete_from}")
        det = self._det
        assert det is not None
        found: dict[int, set[str]] = {}  # crisis terms of the mentions cold start read
        for k in range(self._end, safe):
            b = raw.get(k)
            if b and self._first_at is None:
                self._first_at = b[2]
            self._bins.append(_keep(b) if b else _EMPTY)
            self._results.append(det.update(epoch + k * width, float(b[0] if b else 0)))
            if judge and k + 1 >= late_lo:  # the window ending with this bin, judged once
                self._windows.append((k + 1, *self._judge_window(k + 1, mentions, epoch, found)))
        self._end = max(self._end, safe)
        tail = det.clone()
        tail_results = [
            tail.update(epoch + k * width, float(raw[k][0] if k in raw else 0))
            for k in range(self._end, cur + 1)
        ]

        held = list(self._bins)  # indexing a deque's middle walks it: a list, once a pass
        held_lo = self._end - len(held)

        def kept(k: int) -> _Kept:
            if held_lo <= k < self._end:
                return held[k - held_lo]
            b = raw.get(k)
            return _keep(b) if b else _EMPTY

        view_lo = self._end - len(self._results)
        bins = [kept(k) for k in range(view_lo, cur + 1)]
        chart_lo = max(self._first, cur - max(1, s.chart_hours * 60 // s.bin_minutes) + 1)
        chart = [(k, kept(k)) for k in range(chart_lo, cur + 1)]
        view = _View(
            [epoch + k * width for k in range(view_lo, cur + 1)],
            [b[2] for b in bins],
            list(self._results) + tail_results,
            [[_iso(epoch, width, k), b[0], b[1]] for k, b in chart],
        )
        base_n, base_neg = edge_n, edge_neg
        base_counts: dict[str, int] = dict(edge_terms)
        lo = max(base_lo, self._first)
        for count, negatives, _, counted, _ in [
            *held[max(0, lo - held_lo) : max(0, raw_lo - held_lo)],
            *(kept(k) for k in range(max(lo, self._end), raw_lo)),
            *(kept(k) for k in range(lo, min(held_lo, raw_lo))),
        ]:
            base_n += count
            base_neg += negatives
            if counted:
                for term, n in counted.items():
                    base_counts[term] = base_counts.get(term, 0) + n
        return _Pass(
            epoch, width, view, view_lo, window, now_terms, base_n, base_neg, Counter(base_counts)
        )

    def _kept_bins(self, lo: int, hi: int, last: int) -> list[_Kept]:
        """The kept bins numbered lo..hi-1, oldest first, the newest kept one being bin `last`
        (a deque is walked from its nearer end)."""
        first = last - len(self._bins) + 1
        lo, hi = max(lo, first) - first, max(lo, hi) - first
        if hi <= lo:
            return []
        size = len(self._bins)
        if hi > size // 2:
            return list(itertools.islice(reversed(self._bins), size - hi, size - lo))[::-1]
        return list(itertools.islice(self._bins, lo, hi))

    def _window_sums(
        self, j: int, last: int
    ) -> tuple[int, int, Counter[str], int, int, Counter[str]]:
        """The window of bins ending before bin `j` from the kept bins (`last` the newest):
        (mentions, negatives, crisis terms) in it and in its baseline, exactly as a pass at the
        window's end sums them (the baseline is the `baseline_days` before the window)."""
        s = self.settings
        size = max(1, s.window_minutes // s.bin_minutes)
        n = neg = 0
        terms: Counter[str] = Counter()
        for count, negatives, _, counted, _ in self._kept_bins(j - size, j, last):
            n += count
            neg += negatives
            if counted:
                terms.update(counted)
        base_n = base_neg = 0
        base: dict[str, int] = {}
        lo = max(j - s.baseline_days * 24 * 60 // s.bin_minutes, self._first)
        for count, negatives, _, counted, _ in self._kept_bins(lo, j - size, last):
            base_n += count
            base_neg += negatives
            if counted and terms:
                for term, c in counted.items():
                    base[term] = base.get(term, 0) + c
        return n, neg, terms, base_n, base_neg, Counter(base)

    def _history_at(self, at: datetime) -> timedelta | None:
        """The brand's history by `at` while it is shorter than cold start needs, else None
        (a pass at `at` judged the brand by cold start exactly then)."""
        if self._first_at is None:
            return None
        cs = self.settings.cold_start or coldstart.ColdStartSettings()
        history = at - self._first_at
        return history if history < timedelta(hours=cs.min_history_hours) else None

    def _cold_pending(self, epoch: datetime, width: timedelta) -> bool:
        """The next window to settle may be one cold start judges: it reads the window's own
        mentions, which a pass resuming from the last settled bin does not have."""
        end = epoch + (self._end + 1) * width
        return self._first_at is None or self._history_at(end) is not None

    def _judge_window(
        self, j: int, mentions: Sequence[MentionLike], epoch: datetime, found: dict[int, set[str]]
    ) -> tuple[bool, coldstart.ColdVerdict | None]:
        """The settled window ending before bin `j`, as a pass at its end judged it: by cold
        start on its mentions while the brand's history was short, else on content from the
        kept bins (`_window_fires`)."""
        cold = self._cold_window(j, mentions, epoch, found)
        if cold is None:
            return self._window_fires(j, j - 1), None
        if not cold.fired:
            return False, None
        cold.sample_indexes = []  # indexes into this pass's mentions: kept, they mean nothing
        return True, cold

    def _cold_window(
        self,
        j: int,
        mentions: Sequence[MentionLike],
        epoch: datetime,
        found: dict[int, set[str]] | None = None,
    ) -> coldstart.ColdVerdict | None:
        """Cold start's verdict on the settled window ending before bin `j` (its mentions must
        be among `mentions`), or None when the brand's history was long enough by then."""
        s = self.settings
        width = timedelta(minutes=s.bin_minutes)
        end = epoch + j * width
        history = self._history_at(end)
        if history is None:
            return None
        start = end - max(1, s.window_minutes // s.bin_minutes) * width
        lo = bisect.bisect_left(mentions, start, key=lambda m: m.created_at)
        hi = bisect.bisect_left(mentions, end, key=lambda m: m.created_at)
        return coldstart.judge_window(
            mentions,
            range(lo, hi),
            history,
            s.cold_start,
            keywords=s.keywords,
            keywords_by_language=s.keywords_by_language,
            window_minutes=s.window_minutes,
            reach_threshold=s.reach_threshold,
            found=found,
        )

    def _window_fires(self, j: int, last: int) -> bool:
        """Would a pass at the start of bin `j` have alerted on content (negativity with rising
        crisis terms, or a loud negative post)? The same rules as `_verdict`, on kept bins."""
        s = self.settings
        size = max(1, s.window_minutes // s.bin_minutes)
        if j - size < self._first:
            return False  # the window reaches before the history
        window = self._kept_bins(j - size, j, last)
        if not any(b[1] for b in window):
            return False  # no negative mention: neither rule can fire (most windows)
        if _loud(window, s):
            return True
        # Both rules need ten mentions and a crisis term said three times in the window: most
        # windows have neither, and need not sum their week of baseline (2,016 bins each).
        said: Counter[str] = Counter()
        for b in window:
            if b[3]:
                said.update(b[3])
        if sum(b[0] for b in window) < 10 or not any(c >= 3 for c in said.values()):
            return False
        n, neg, terms, base_n, base_neg, base_terms = self._window_sums(j, last)
        share, base_share, z = _negativity(n, neg, base_n, base_neg)
        return _negative_rise(n, share, base_share, z, s) and bool(_rising(terms, base_terms, s))

    def _late_content(
        self,
        mentions: Sequence[MentionLike],
        now: datetime,
        complete_from: datetime | None,
        p: _Pass,
        view: _View,
        view_lo: int,
    ) -> Assessment | None:
        """The latest storm of content alone among the settled windows of the last `late_hours`
        (its first window that fired), as a late alert; None when there is none, or when it began
        before what is kept (older than `late_hours`: not alerted, as for volume). Its first
        window cold start judged: cold start's verdict, late."""
        s = self.settings
        late_lo = (now - timedelta(hours=s.late_hours) - p.epoch) // p.width
        known = {j: f for j, f, _ in self._windows if late_lo <= j <= self._end}
        j0 = max((j for j, f in known.items() if f), default=None)
        if j0 is None:
            return None
        while known.get(j0 - 1):
            j0 -= 1
        # Not known before it: the storm began before what is kept, unless the history did
        # (cold start judges a brand's first window too).
        if j0 - 1 not in known and not (j0 - 1 == self._first and j0 - 1 >= late_lo):
            return None
        size = max(1, s.window_minutes // s.bin_minutes)
        start, end = p.epoch + (j0 - size) * p.width, p.epoch + j0 * p.width
        n, neg, terms, base_n, base_neg, base_terms = self._window_sums(j0, self._end - 1)
        window = self._kept_bins(j0 - size, j0, self._end - 1)
        first = next((b[2] for b in window if b[2] is not None), None)
        loud = _loud(window, s)
        covered = complete_from is None or complete_from <= start
        if covered:
            lo = bisect.bisect_left(mentions, start, key=lambda m: m.created_at)
            hi = bisect.bisect_left(mentions, end, key=lambda m: m.created_at)
            matcher = keywords_for_languages(s.keywords_by_language, tuple(s.keywords))
            now_terms: Counter[str] = Counter()
            for m in mentions[lo:hi]:
                if matcher and m.text:
                    now_terms.update(matcher.find(m.text, coldstart.language_of(m)) or ())
            content = _content(
                mentions, list(range(lo, hi)), now_terms, base_n, base_neg, base_terms, s
            )
        else:
            share, base_share, z = _negativity(n, neg, base_n, base_neg)
            content = _Content(n, share, base_share, z, _rising(terms, base_terms, s), [], [], [])
        at = max(0, j0 - 1 - view_lo)  # the volume figures of the window's last bin
        neg_rise = _negative_rise(n, content.negative_share, content.baseline_negative_share,
                                  content.negative_z, s)  # fmt: skip
        r = view.results[at]
        points = (
            (r.window_observed >= 5 * max(r.window_expected, 1.0))
            + neg_rise
            + bool(content.rising_terms)
            + loud
        )
        evidence = _evidence(view, content, s, None, at=at)
        evidence["late"] = True
        late = Assessment(
            fired=True,
            started_at=first,
            severity=_severity(points, True),
            reasons=_reasons(view.results, None, content, s, neg_rise, at=at),
            evidence=evidence,
            sample_indexes=_samples(mentions, content) if covered else [],
            content_fired=True,
            details_from=None if covered else start,
        )
        # A window of the brand's short history: cold start judged it, and its verdict is the
        # alert (its own posts quoted, judged again from them when the pass has them).
        cold = next((c for j, _, c in self._windows if j == j0), None)
        if cold is None:
            return late
        fresh = self._cold_window(j0, mentions, p.epoch) if covered else None
        cold = fresh if fresh is not None and fresh.fired else cold
        out = _cold_verdict(late, cold)
        out.evidence["late"] = True
        out.details_from = late.details_from
        return out

    def young(self, now: datetime) -> bool:
        """The state holds less history than `detectors.coldstart` needs (then the verdict
        needs the whole look-back: pass `complete_from=None`)."""
        if self._det is None:
            return True
        cs = self.settings.cold_start or coldstart.ColdStartSettings()
        width = timedelta(minutes=self.settings.bin_minutes)
        first = datetime(1970, 1, 1, tzinfo=now.tzinfo) + self._first * width
        # The first bin's start is up to a bin before its first mention: a bin of margin.
        return now - first < timedelta(hours=cs.min_history_hours) + width

    def _matches(self, raw: dict[int, list[Any]], lo: int) -> bool:
        """Every kept settled bin from `lo` on still holds the count it was fed."""
        start = self._end - len(self._bins)
        first = max(lo, start)
        if first >= self._end:
            return True
        held = list(itertools.islice(self._bins, first - start, None))
        return all(
            c == (raw[k][0] if k in raw else 0)
            for k, (c, *_) in zip(range(first, self._end), held, strict=True)
        )

    def _rebuild(self, first: int) -> None:
        s = self.settings
        vs = s.volume or VolumeSettings(bin_seconds=s.bin_minutes * 60)
        day = 24 * 60 // s.bin_minutes
        chart = max(1, s.chart_hours * 60 // s.bin_minutes)
        self._det = VolumeDetector(vs)
        self._first = self._end = first
        self._first_at = None
        # The baseline's and the chart's bins (the baseline of a window up to `late_hours` old);
        # results for an alert in the window and the run of elevated bins before it (up to the
        # longest volume scale, 3 h, and an hour more).
        late = s.late_hours * 60 // s.bin_minutes
        self._bins = deque(maxlen=max(s.baseline_days * day + late, chart) + 2)
        held = max(s.window_minutes + 5 * 60, s.late_hours * 60) // s.bin_minutes + 2
        self._results = deque(maxlen=held)
        self._windows = deque(maxlen=late + 2)
        self.rebuilds += 1


def _loud(window: list[_Kept], s: StormSettings) -> bool:
    """A negative post among the window's five widest-reaching ones, with ten times the reach
    threshold: the `top_reach` rule of `_verdict`, on kept bins."""
    reach = [r for *_, top in window if top for r in top]
    top5 = sorted(reach, key=lambda r: -r[0])[:5]
    return any(negative and f >= 10 * s.reach_threshold for f, negative in top5)


def _negativity(n: int, neg: int, base_n: int, base_neg: int) -> tuple[float, float, float]:
    """A window's negative share, its baseline's, and how far above the baseline it is (z)."""
    share = neg / n if n else 0.0
    p0 = (base_neg + 1) / (base_n + 2)  # smoothed: an empty past is not 0% negative
    z = (share - p0) / math.sqrt(p0 * (1 - p0) / n) if n else 0.0
    return share, base_neg / base_n if base_n else 0.0, z


def _negative_rise(n: int, share: float, base_share: float, z: float, s: StormSettings) -> bool:
    return z >= 3.0 and n >= 10 and share >= base_share + s.min_negative_rise


def _rising(
    now_terms: Counter[str], base_terms: Counter[str], s: StormSettings
) -> list[dict[str, Any]]:
    span = timedelta(minutes=s.window_minutes)
    windows_in_base = max(1.0, (timedelta(days=s.baseline_days) - span) / span)
    rising = []
    for term, count in now_terms.most_common():
        exp = base_terms[term] / windows_in_base
        if count >= 3 and count >= 3 * exp + 2:  # clearly above its usual rate
            rising.append({"term": term, "count": count, "expected": round(exp, 2)})
    return rising


def _content(
    mentions: Sequence[MentionLike],
    window: list[int],
    now_terms: Counter[str],
    base_n: int,
    base_neg: int,
    base_terms: Counter[str],
    s: StormSettings,
) -> _Content:
    neg = sum(1 for i in window if mentions[i].label == "negative")
    share, base_share, z = _negativity(len(window), neg, base_n, base_neg)
    rising = _rising(now_terms, base_terms, s)
    reach = sorted(
        (i for i in window if (mentions[i].author_followers or 0) >= s.reach_threshold),
        key=lambda i: -(mentions[i].author_followers or 0),
    )
    top = [
        {
            "index": i,
            "author": mentions[i].author,
            "followers": mentions[i].author_followers,
            "label": mentions[i].label,
            "url": mentions[i].url,
        }
        for i in reach[:5]
    ]
    # Stored rows carry `language`, ingest records `lang` (older rows have neither: not counted).
    langs = [lang for i in window if (lang := coldstart.language_of(mentions[i]))]
    languages = [{"lang": lang, "share": sh} for lang, sh in language_shares(langs)]
    return _Content(len(window), share, base_share, z, rising, top, window, languages)


def _storm_start(view: _View, alert: int) -> datetime | None:
    """The first mention of the run of clearly-elevated bins ending at the alert bin."""
    results = view.results
    k = alert
    floor = max(0, alert - results[alert].window_bins - 12)  # look back an hour past the scale
    while k - 1 >= floor and _elevated(results[k - 1]):
        k -= 1
    while k < alert and view.first_at[k] is None:
        k += 1
    return view.first_at[k]


def _verdict(
    mentions: Sequence[MentionLike],
    now: datetime,
    s: StormSettings,
    view: _View,
    content: _Content,
    held: list[str] | None = None,
) -> Assessment:
    """Combine the volume results with what the content says. `held`: sources the volume
    results leave out (`StormTracker.hold_out`)."""
    width = timedelta(minutes=s.bin_minutes)
    results = view.results
    window = timedelta(minutes=s.window_minutes)
    alert = next((k for k in range(len(results) - 1, -1, -1) if results[k].alert), None)
    in_window = alert is not None and view.starts[alert] > now - window - width
    # An alert no pass saw in its window: detection was behind (down, or the mentions arrived
    # late). Still a storm to tell the team about, late; detect.py skips one an incident covered.
    late = (
        alert is not None
        and not in_window
        and view.starts[alert] > now - timedelta(hours=s.late_hours)
    )
    volume_fired = in_window or late
    neg_rise = _negative_rise(
        content.observed, content.negative_share, content.baseline_negative_share,
        content.negative_z, s,
    )  # fmt: skip
    loud = [
        r
        for r in content.top_reach
        if r["label"] == "negative" and (r["followers"] or 0) >= 10 * s.reach_threshold
    ]
    content_fired = (neg_rise and bool(content.rising_terms)) or bool(loud)
    fired = volume_fired or content_fired
    evidence = _evidence(view, content, s, alert if volume_fired else None)
    if late:
        evidence["late"] = True
    if held:
        evidence["without_sources"] = held
    if not fired:
        return Assessment(fired=False, evidence=evidence)
    first = _storm_start(view, alert) if volume_fired and alert is not None else None
    started = (
        first
        if first is not None
        else min((mentions[i].created_at for i in content.window_indexes), default=now)
    )
    r = results[alert] if volume_fired and alert is not None else results[-1]
    points = (
        volume_fired
        + (r.window_observed >= 5 * max(r.window_expected, 1.0))
        + neg_rise
        + bool(content.rising_terms)
        + bool(loud)
    )
    reasons = _reasons(results, alert if volume_fired else None, content, s, neg_rise)
    if held and volume_fired:
        reasons.insert(2, held_sentence(held))
    return Assessment(
        fired=True,
        started_at=started,
        severity=_severity(points, fired),
        reasons=reasons,
        evidence=evidence,
        sample_indexes=_samples(mentions, content),
        content_fired=content_fired,
    )


def held_sentence(sources: Sequence[str]) -> str:
    return (
        f"Counted without {', '.join(sources)}: added to this brand lately, their mentions are "
        "a step in its volume, not a storm."
    )


def _cold_verdict(base: Assessment, cold: coldstart.ColdVerdict) -> Assessment:
    """Too short a history for volume and baseline comparisons to mean anything: the cold-start
    judgement on absolute content decides (see `detectors.coldstart`), and the alert says so."""
    evidence = {
        **base.evidence,
        "alert_at": None,  # a content alert: the same storm is known by its start
        "short_baseline": cold.sentence,
        "cold_start": cold.evidence,
    }
    if not cold.fired:
        return Assessment(fired=False, evidence=evidence)
    return Assessment(
        fired=True,
        started_at=cold.started_at,
        severity=cold.severity,
        reasons=[cold.sentence, *cold.reasons],
        evidence=evidence,
        sample_indexes=cold.sample_indexes,
        content_fired=True,
    )


def _evidence(
    view: _View, content: _Content, s: StormSettings, alert: int | None, at: int = -1
) -> dict[str, Any]:
    """The numbers behind the verdict, JSON-serialisable (charts use `series`). The volume
    figures are the alert bin's, else the bin at `at` (the newest, or a late window's last)."""
    r = view.results[alert] if alert is not None else view.results[at]
    return {
        **_last_hours(view.results, view.series, s),
        "observed": round(r.window_observed),
        "expected": round(r.window_expected, 1),
        "window_minutes": r.window_bins * s.bin_minutes,
        "z": round(r.z, 2),
        "score": round(r.score, 3),
        "alert_at": view.starts[alert].isoformat() if alert is not None else None,
        "recent_mentions": content.observed,
        "negative_share": round(content.negative_share, 3),
        "baseline_negative_share": round(content.baseline_negative_share, 3),
        "rising_terms": content.rising_terms,
        "languages": content.languages,  # [{"lang": "bg", "share": 0.87}, …], largest first
        "top_reach": [{k: v for k, v in t.items() if k != "index"} for t in content.top_reach],
        "series": view.series,
    }


def _last_hours(
    results: list[BinResult], series: list[list[Any]], s: StormSettings
) -> dict[str, Any]:
    """The last hour of complete bins (the newest bin is still filling) and the hour before it,
    counted, with the last hour's negatives (the chart's bins: both lists end at the newest
    bin), beside what the detector expected of that hour: how the storm goes now, whatever bin
    an alert's own figures are from (a card's pulse line, `bot.detection`)."""
    complete = results[:-1] or results
    per_hour = max(1, 60 // s.bin_minutes)
    last, before = complete[-per_hour:], complete[-2 * per_hour : -per_hour]
    charted = series[:-1] or series
    return {
        "last_hour": {
            "observed": round(sum(b.observed for b in last)),
            "negatives": sum(int(b[2]) for b in charted[-per_hour:]),
            "expected": round(sum(b.expected for b in last), 1),
            "previous": round(sum(b.observed for b in before)) if before else None,
        }
    }


def pulse_trend(observed: float, expected: float, previous: float | None) -> str:
    """How an open incident's storm goes now, from the last hour (`_last_hours`): "usual" when
    no longer above what the detector expects (the team may consider resolving), else "rising"
    or "easing" against the hour before (a quarter more or a fifth less, and at least two
    mentions, so a quiet brand's 3 -> 5 is no trend), else "steady"."""
    if observed <= expected + 2.0 * math.sqrt(expected + 1.0):
        return "usual"
    if previous is not None and observed >= 1.25 * previous + 2:
        return "rising"
    if previous is not None and observed <= 0.8 * previous - 2:
        return "easing"
    return "steady"


def _reasons(
    results: list[BinResult],
    alert: int | None,
    content: _Content,
    s: StormSettings,
    neg_rise: bool,
    at: int = -1,
) -> list[str]:
    """Plain sentences for a comms lead, most important first."""
    out = []
    if alert is not None:
        r = results[alert]
        minutes = r.window_bins * s.bin_minutes
        out.append(volume_sentence(r.window_observed, r.window_expected, minutes))
        out.append(f"That is {_unusual(r.z)} for this brand (volume score {r.score:.2f}).")
    else:
        r = results[at]
        observed = _mentions(round(r.window_observed))
        out.append(
            f"Volume itself is not unusual yet: {observed} in the last "
            f"{r.window_bins * s.bin_minutes} minutes, {_expected_short(r.window_expected)}."
        )
    if content.observed:
        trend = "up from" if neg_rise else "usually"
        out.append(
            f"{content.negative_share:.0%} of the last {s.window_minutes} minutes' "
            f"{content.observed} mentions are negative ({trend} "
            f"{content.baseline_negative_share:.0%})."
        )
    if content.rising_terms:
        terms = ", ".join(
            f"“{t['term']}” ({t['count']}, usually {_usual_count(t['expected'])})"
            for t in content.rising_terms[:5]
        )
        out.append(f"Crisis terms rising: {terms}.")
    for t in content.top_reach[:3]:
        out.append(
            f"High-reach post by {t['author'] or 'an unknown author'} "
            f"({t['followers']:,} followers, {t['label'] or 'unscored'})."
        )
    return out


# Below half a mention the rounded expectation is 0, and "about 0 expected" reads as a bug.
NONE_EXPECTED_BELOW = 0.5


def volume_sentence(observed: float, expected: float, minutes: int) -> str:
    """The alert's first reason: what was seen against what the time of day predicts."""
    seen = f"{_mentions(round(observed))} in {minutes} minutes"
    if expected < NONE_EXPECTED_BELOW:
        return f"{seen}, where none were expected at this time of day."
    about = round(expected)
    verb = "was" if about == 1 else "were"
    return (
        f"{seen} where about {about} {verb} expected at this time of day "
        f"({_times(observed / expected)} the usual)."
    )


def _expected_short(expected: float) -> str:
    if expected < NONE_EXPECTED_BELOW:
        return "none expected at this time of day"
    return f"about {round(expected)} expected"


def _usual_count(expected: float) -> str:
    return "none" if expected < NONE_EXPECTED_BELOW else str(round(expected))


def _mentions(n: int) -> str:
    return f"{n} mention" if n == 1 else f"{n} mentions"


def _times(ratio: float) -> str:
    """3.4 times, 12 times: one decimal only where it says something."""
    if ratio >= 10:
        return f"{ratio:.0f} times"
    return f"{ratio:.1f}".removesuffix(".0") + " times"


def _unusual(z: float) -> str:
    if z >= 12:
        return "extremely unusual, far beyond its normal bursts"
    if z >= 8:
        return "very unusual, well beyond its normal bursts"
    return "unusual, beyond its normal bursts"


def _samples(mentions: Sequence[MentionLike], content: _Content) -> list[int]:
    """High-reach negative posts first, then the most negative of the window, no text twice: a
    newspaper's neutral post with a large following is no quote of the crisis (it stays in the
    reasons' high-reach lines, and among the quotes by its polarity)."""
    picked = [t["index"] for t in content.top_reach if t["label"] == "negative"][:3]
    rest = sorted(
        (i for i in content.window_indexes if i not in picked),
        key=lambda i: (
            mentions[i].polarity if mentions[i].polarity is not None else 0.0,
            -(mentions[i].author_followers or 0),
        ),
    )
    return coldstart.distinct_texts(mentions, picked + rest)
