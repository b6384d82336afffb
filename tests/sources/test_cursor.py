from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sources.cursor import Watermark

T0 = datetime(2025, 3, 14, 15, 0, tzinfo=UTC)


def test_a_narrowed_look_back_forgets_no_id_at_its_new_floor() -> None:
    """A window busier than `max_recent` is narrowed to its newest ids. Before, the new floor was
    the time of the last id kept, and ids of that same instant past the limit were forgotten
    while still at or after the floor: asked for again, they were taken twice (found polling a
    Mastodon tag of 5 statuses a minute, whole-second times, for two hours: 4 of 600 twice)."""
    items = [(f"a{n}", T0) for n in range(3)] + [
        (f"b{n}", T0 + timedelta(seconds=1)) for n in range(3)
    ]
    start = Watermark(T0, frozenset())

    mark = start.advance(items, max_recent=4)

    assert mark.since == T0 + timedelta(seconds=1)
    assert set(mark.recent) == {"b0", "b1", "b2"}
    assert not any(mark.is_new(i, at) for i, at in items)  # nothing is new a second time


def test_an_instant_busier_than_the_limit_is_remembered_by_its_ids() -> None:
    items = [(f"a{n}", T0) for n in range(5)]

    mark = Watermark(T0 - timedelta(minutes=1), frozenset()).advance(items, max_recent=3)

    assert mark.since == T0 and mark.ids == {i for i, _ in items}
    assert not any(mark.is_new(i, at) for i, at in items)
