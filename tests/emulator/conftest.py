"""Fixtures for the emulator tests: a deterministic emulator and a client into it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from primer_nb.emulator import Emulator
from tests.emulator.emulator_helpers import HEADERS, START


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emu = Emulator(seed=7, start=START, frozen=True)
    yield emu
    emu.close()


@pytest.fixture
def http(emulator: Emulator) -> Iterator[httpx.Client]:
    """A sync client into `emulator` through the in-process transport."""
    with httpx.Client(
        transport=emulator.transport(), base_url="http://emulator", headers=HEADERS
    ) as client:
        yield client
