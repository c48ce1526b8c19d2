"""Fixtures for tables, ledger, batch and plots: a real `primer-nb emulator` process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from primer_nb.emulator.process import EmulatorProcess

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
_SERVING = re.compile(r"serving (http://\S+)/client-session")


@contextmanager
def emulator_process(*args: str, timeout: float = 30.0) -> Iterator[str]:
    """Start `primer-nb emulator --port 0 ARGS...`; yield its base URL; stop it by PID."""
    with EmulatorProcess(extra_args=args, startup_timeout=timeout) as server:
        yield server.url


@pytest.fixture
def orders_csv() -> Path:
    return DATA / "orders.csv"
