"""Transports, PATCH merging, the store and the clock, tested directly."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from primer_nb.emulator import Emulator
from primer_nb.emulator.clock import Clock
from primer_nb.emulator.faults import Fault, FaultQueue
from primer_nb.emulator.patching import apply_patch
from primer_nb.emulator.responses import strip_empty
from tests.emulator.emulator_helpers import HEADERS, START, run


def test_sync_transport_works_inside_a_running_event_loop(emulator: Emulator) -> None:
    async def notebook_cell() -> tuple[int, str]:
        assert asyncio.get_running_loop().is_running()
        with httpx.Client(
            transport=emulator.transport(), base_url="http://e", headers=HEADERS
        ) as http:
            made = http.post("/client-session", json={"orderId": "in-loop"})
            got = http.get("/client-session", params={"clientToken": made.json()["clientToken"]})
            return got.status_code, got.json()["orderId"]

    assert run(notebook_cell()) == (200, "in-loop")
    assert emulator.background_loop().alive


def test_sync_transport_is_safe_from_many_threads(emulator: Emulator) -> None:
    orders: list[str] = []

    def worker(n: int) -> None:
        with httpx.Client(
            transport=emulator.transport(), base_url="http://e", headers=HEADERS
        ) as http:
            for i in range(10):
                token = http.post("/client-session", json={"orderId": f"{n}-{i}"}).json()[
                    "clientToken"
                ]
                orders.append(
                    http.get("/client-session", params={"clientToken": token}).json()["orderId"]
                )

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(orders) == sorted(f"{n}-{i}" for n in range(8) for i in range(10))
    assert emulator.session_count == 80


def test_close_stops_the_loop_and_a_new_one_starts_on_demand(emulator: Emulator) -> None:
    first = emulator.background_loop()
    emulator.close()
    assert not first.alive
    with httpx.Client(transport=emulator.transport(), base_url="http://e", headers=HEADERS) as http:
        assert http.post("/client-session", json={}).status_code == 200


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
sessions = st.dictionaries(
    st.sampled_from(["orderId", "customer", "order", "paymentMethod", "metadata", "amount"]),
    json_values,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(sessions, sessions)
def test_patch_merge_rules(data: dict[str, Any], changes: dict[str, Any]) -> None:
    before = repr((data, changes))
    merged = apply_patch(data, changes)
    assert repr((data, changes)) == before  # inputs untouched
    for key, value in changes.items():
        if value is None:
            assert key not in merged
        elif key in {"customer", "order", "paymentMethod"} and isinstance(value, dict):
            old = data.get(key) if isinstance(data.get(key), dict) else {}
            for sub, sub_value in value.items():
                assert merged[key].get(sub) == sub_value or (
                    sub_value is None and sub not in merged[key]
                )
            for sub in set(old) - set(value):
                assert merged[key][sub] == old[sub]
        else:
            assert merged[key] == value
    for key in set(data) - set(changes):
        assert merged[key] == data[key]


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_strip_empty_leaves_no_empty_object_values(value: Any) -> None:
    def check(item: Any) -> None:
        if isinstance(item, dict):
            for sub in item.values():
                assert sub not in (None, "", [], {})
                check(sub)
        elif isinstance(item, list):
            for sub in item:
                check(sub)

    check(strip_empty(value))


def test_clock_reset_and_frozen() -> None:
    clock = Clock(START, frozen=True)
    clock.advance(hours=2)
    clock.reset()
    assert clock.now().isoformat() == "2026-01-15T09:00:00+00:00"
    assert "frozen" in repr(clock)


def test_fault_queue_uses_faults_in_order() -> None:
    queue = FaultQueue()
    queue.push(Fault(429, times=2))
    queue.push(Fault(drop=True))
    taken = [queue.take() for _ in range(4)]
    assert [f.status if f else None for f in taken] == [429, 429, 0, None]
    assert taken[2] is not None and taken[2].drop


class _Watched:
    """A lock that sets `waiting` when someone asks for it while `armed` is set."""

    def __init__(self, lock: Any, armed: threading.Event, waiting: threading.Event) -> None:
        self.lock, self.armed, self.waiting = lock, armed, waiting

    def __enter__(self) -> None:
        if self.armed.is_set():
            self.waiting.set()
        self.lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def test_a_create_racing_a_reset_keeps_no_session_its_token_cannot_find() -> None:
    """A create on one thread while `reset()` runs on another (POST /_emulator/reset from a
    client on another loop) once signed its token with the old secret and stored the session
    after the clear: the session was listed, and its own token answered 400. The create is
    forced in between the clear and the new secret; it is now either wholly before the reset
    or wholly after it, and a listed session is found by the token its create answered."""
    emulator = Emulator()
    cleared, go, moved = threading.Event(), threading.Event(), threading.Event()
    clear = emulator._store.clear

    def clear_then_wait() -> None:  # the reset stops between the clear and the new secret
        clear()
        cleared.set()
        go.wait(timeout=10)

    emulator._store.clear = clear_then_wait  # type: ignore[method-assign]
    # The fixed emulator makes the create wait for the reset's lock: that counts as moving on.
    emulator._sessions_lock = _Watched(threading.Lock(), cleared, moved)  # type: ignore[assignment]
    made: list[Any] = []

    def create() -> None:
        made.append(emulator.create_session({"orderId": "racing"}, "2.4"))
        moved.set()  # (the old emulator's create finished at once)

    resetting = threading.Thread(target=emulator.reset)
    resetting.start()
    assert cleared.wait(timeout=10)
    creating = threading.Thread(target=create)
    creating.start()
    assert moved.wait(timeout=10)
    go.set()
    resetting.join(timeout=10)
    creating.join(timeout=10)

    (session,) = made
    assert emulator.session_count == 1  # made after the reset: kept
    assert emulator.find_session(session.client_token).data["orderId"] == "racing"
    assert [s["clientToken"] for s in emulator.sessions()] == [session.client_token]


def test_clock_advance_takes_a_timedelta_and_names_a_bad_step() -> None:
    """`advance(timedelta(hours=1))`, NaN, 1e300, days=10**9 failed inside `datetime`
    (TypeError, ValueError, OverflowError naming no argument); the clock's own rule
    (1970..9000) is what a step too far now meets."""
    from datetime import timedelta

    emulator = Emulator(start="2026-01-15T09:00:00", frozen=True)
    assert emulator.clock.advance(timedelta(hours=1)).hour == 10
    assert emulator.clock.advance(timedelta(minutes=-30), minutes=10).minute == 40
    with pytest.raises(ValueError, match=r"^seconds must be a finite number"):
        emulator.clock.advance(float("nan"))
    with pytest.raises(TypeError, match=r"^days must be a number"):
        emulator.clock.advance(days="1")  # type: ignore[arg-type]
    for step in ({"seconds": 1e300}, {"days": 10**9}):
        with pytest.raises(ValueError, match="stays between 1970 and 9000"):
            emulator.clock.advance(**step)
    assert emulator.clock.now().isoformat() == "2026-01-15T09:40:00+00:00"


def test_a_naive_datetime_is_refused_where_the_emulator_takes_an_instant() -> None:
    """`datetime.now()` is Python's local time: read as UTC, a learner outside UTC got a
    clock hours off without a word. ISO text without an offset still means UTC."""
    from datetime import UTC, datetime

    naive = datetime(2026, 1, 15, 9)
    with pytest.raises(ValueError, match=r"^start is a naive datetime \(2026-01-15T09:00:00\)"):
        Emulator(start=naive)
    emulator = Emulator(start="2026-01-15T09:00:00", frozen=True)
    assert emulator.clock.now() == naive.replace(tzinfo=UTC)
    with pytest.raises(ValueError, match=r"^instant is a naive datetime .* local time: give"):
        emulator.clock.set(datetime(2026, 2, 1))
    assert emulator.clock.set(datetime(2026, 2, 1, tzinfo=UTC)).month == 2


def test_clock_advance_takes_a_duration_from_a_dataframe() -> None:
    """A duration read from a pandas column comes as a numpy `timedelta64`, which numpy
    counts as an int: it was refused with float()'s message. It is a duration now."""
    import numpy as np
    import pandas as pd

    emulator = Emulator(start="2026-01-15T09:00:00", frozen=True)
    column = pd.Series(pd.to_timedelta(["25h", "90min"]))
    assert emulator.clock.advance(column.to_numpy()[0]).isoformat() == "2026-01-16T10:00:00+00:00"
    assert emulator.clock.advance(column[1]).isoformat() == "2026-01-16T11:30:00+00:00"
    assert emulator.clock.advance(np.timedelta64(1500, "ms")).second == 1
    with pytest.raises(ValueError, match=r"^seconds must be a duration, not NaT$"):
        emulator.clock.advance(np.timedelta64("NaT"))
    with pytest.raises(TypeError, match=r"^minutes must be a number \(or seconds a timedelta\)"):
        emulator.clock.advance(minutes=np.timedelta64(5, "m"))
    assert emulator.clock.now().isoformat() == "2026-01-16T11:30:01.500000+00:00"


def test_enabled_currencies_as_a_single_str_says_to_pass_a_list() -> None:
    with pytest.raises(TypeError, match=r"must be a list of currency codes, such as \['HUF'\]"):
        Emulator(enabled_currencies="HUF")
    assert Emulator(enabled_currencies=["HUF"]).check_currency_code("HUF") == "HUF"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"tax_connection": "no"}, "tax_connection must be True or False, not str 'no'"),
        ({"frozen": "no"}, "frozen must be True or False, not str 'no'"),
        ({"frozen": 1}, "frozen must be True or False, not int 1"),
        ({"seed": "abc"}, "seed must be a whole number or None, not str 'abc'"),
        ({"seed": 1.5}, "seed must be a whole number or None, not float 1.5"),
        ({"seed": True}, "seed must be a whole number or None, not bool True"),
    ],
)
def test_a_setting_of_the_wrong_type_is_refused_not_read_the_other_way(
    arguments: dict[str, Any], message: str
) -> None:
    # "no" is truthy: `tax_connection="no"` kept the TaxJar warning on, `frozen="no"` froze
    with pytest.raises(TypeError) as refused:
        Emulator(**arguments)
    assert str(refused.value) == message


def test_a_numpy_bool_is_a_bool_setting() -> None:
    """A DataFrame's flag column hands out numpy bools: "must be True or False, not bool
    np.False_" contradicted itself."""
    np = pytest.importorskip("numpy")
    emulator = Emulator(tax_connection=np.bool_(False), frozen=np.True_)
    assert emulator.tax_connection is False and emulator.clock.frozen is True


def test_a_seed_may_be_negative_or_a_numpy_int() -> None:
    np = pytest.importorskip("numpy")
    assert (
        Emulator(seed=np.int64(-3)).new_diagnostics_id() == Emulator(seed=-3).new_diagnostics_id()
    )


@pytest.mark.parametrize(
    ("control", "match"),
    [
        (lambda e: e.inject("500"), "^status must be an HTTP status code as an int"),
        (lambda e: e.inject(500, times=1.5), "^times must be a whole number"),
        (lambda e: e.inject(429, retry_after="5"), "^retry_after must be a number of seconds"),
        (lambda e: e.set_faults([{"status": 500}]), r"faults\[0\] is dict .*Fault\(status=500\)"),
        (lambda e: e.set_faults(Fault(500)), "set_faults takes a list of Fault"),
    ],
    ids=["status-str", "times-float", "retry-after-str", "dict", "one-fault"],
)
def test_a_fault_control_of_the_wrong_type_names_the_parameter(control: Any, match: str) -> None:
    emulator = Emulator()
    emulator.inject(503)
    with pytest.raises(TypeError, match=match):
        control(emulator)
    assert emulator.pending_faults() == [{"status": 503, "times": 1}]  # nothing replaced


def test_a_numpy_status_is_an_int_fault() -> None:
    np = pytest.importorskip("numpy")
    emulator = Emulator()
    emulator.inject(np.int64(503), times=np.int64(2), retry_after=np.float64(1.5))
    assert emulator.pending_faults() == [{"status": 503, "times": 2, "retryAfter": 1.5}]
    assert type(emulator.pending_faults()[0]["status"]) is int


def test_clock_and_faults_take_numpy_numbers_and_decimals() -> None:
    from decimal import Decimal

    import numpy as np

    emulator = Emulator(start="2026-01-15T09:00:00", frozen=True)
    emulator.clock.advance(hours=np.int64(2), seconds=Decimal("1.5"))
    assert emulator.clock.now().isoformat() == "2026-01-15T11:00:01.500000+00:00"
    emulator.inject(429, retry_after=Decimal("1"))
    emulator.inject(np.int64(503), times=np.int64(2), retry_after=np.float64(0.5))
    assert [f["retryAfter"] for f in emulator.pending_faults()] == [1.0, 0.5]
