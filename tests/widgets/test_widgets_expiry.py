"""ExpiryCountdown: text from the clock, refresh, start/stop without leaking threads."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

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
