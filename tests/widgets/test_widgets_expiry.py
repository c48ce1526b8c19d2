"""ExpiryCountdown: text from the clock, refresh, start/stop without leaking threads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from primer_nb.models import ClientSessionRequest
from primer_nb.widgets import ExpiryCountdown
from primer_nb.widgets.expiry import format_remaining


def test_follows_the_emulator_clock(client: Any, emulator: Any) -> None:
    session = client.create_session(ClientSessionRequest(order_id="o-1"))
    countdown = ExpiryCountdown(session, clock=emulator.clock)
    assert countdown.value == "expires in 24:00:00"
    assert repr(countdown) == "ExpiryCountdown('expires in 24:00:00')"
    emulator.clock.advance(hours=1, seconds=1)
    assert countdown.value == "expires in 24:00:00"  # only on the next refresh
    countdown.refresh()
    assert countdown.value == "expires in 22:59:59"
    emulator.clock.advance(hours=25)
    countdown.refresh()
    assert countdown.value == "expired" and countdown.expired


def test_accepts_a_datetime_or_primer_text() -> None:
    class Fixed:
        def now(self) -> datetime:
            return datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

    assert ExpiryCountdown("2026-01-15T10:30:00.000000", clock=Fixed()).value == (
        "expires in 01:30:00"
    )
    aware = datetime(2026, 1, 15, 9, 0, 5, tzinfo=UTC)
    assert ExpiryCountdown(aware, clock=Fixed()).value == "expires in 00:00:05"


def test_format_remaining() -> None:
    assert format_remaining(timedelta(hours=23, minutes=59, seconds=59)) == "expires in 23:59:59"
    assert format_remaining(timedelta(0)) == "expired"
    assert format_remaining(timedelta(seconds=-5)) == "expired"


def test_thread_runs_while_displayed_and_stops() -> None:
    countdown = ExpiryCountdown(datetime.now(UTC) + timedelta(hours=1))
    assert not countdown.running
    bundle = countdown._repr_mimebundle_()
    assert bundle["text/plain"].startswith("ExpiryCountdown('expires in 00:59:")
    assert countdown.running
    countdown.stop()
    assert not countdown.running
    countdown.start()
    countdown.close()  # closing stops it too
    assert not countdown.running
    assert not [t for t in threading.enumerate() if t.name == "ExpiryCountdown"]


def test_expired_token_starts_no_thread() -> None:
    countdown = ExpiryCountdown(datetime.now(UTC) - timedelta(seconds=1))
    countdown.start()
    assert countdown.value == "expired" and not countdown.running


def test_the_countdown_takes_an_emulator_or_its_client_as_its_clock() -> None:
    """`sessions_frame(clock=emulator)` takes an Emulator: the countdown does too (it was an
    AttributeError), and a client on the in-process emulator; anything else names `clock`."""
    from primer_nb import PrimerClient
    from primer_nb.emulator import Emulator

    emulator = Emulator(seed=3, start="2026-01-15T09:00:00", frozen=True)
    client = PrimerClient(emulator=emulator)
    session = client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 1})
    for clock in (emulator, client, emulator.clock):
        countdown = ExpiryCountdown(session, clock=clock)
        assert countdown.remaining == timedelta(hours=24)
    emulator.clock.advance(timedelta(hours=25))
    assert ExpiryCountdown(session, clock=client).expired
    with pytest.raises(TypeError, match=r"^clock must be an emulator clock"):
        ExpiryCountdown(session, clock="now")


def test_a_token_given_for_the_session_is_named_and_shown_shortened() -> None:
    from primer_nb import PrimerClient

    session = PrimerClient().create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 1})
    with pytest.raises(ValueError, match="pass its session") as caught:
        ExpiryCountdown(session.client_token)
    assert session.client_token not in str(caught.value)
    assert session.client_token[:8] in str(caught.value)


def test_without_a_clock_it_counts_on_the_clock_that_answered(client: Any, emulator: Any) -> None:
    """`ExpiryCountdown(session)` counted on the machine's clock: for a session of an
    emulator started in January it said "expired", beside a session card (which reads
    the answering backend's clock) saying 24 hours were left."""
    session = client.create_session({"orderId": "o-1"})
    assert emulator.clock.now() < datetime.now(UTC) - timedelta(days=30)  # a past start
    countdown = ExpiryCountdown(session)
    countdown.refresh()
    assert countdown.value == "expires in 24:00:00"
    emulator.clock.advance(hours=25)
    countdown.refresh()
    assert countdown.value == "expired"
    # an expiry given alone has no backend: the machine's clock, as before
    alone = ExpiryCountdown(datetime.now(UTC) + timedelta(hours=2))
    alone.refresh()
    assert alone.value.startswith("expires in 01:59:5")
