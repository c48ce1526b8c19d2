"""Exercises: progress goes to a temp dir, and a client on a fresh, frozen emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from primer_nb.exercises import DATA_DIR_ENV


@pytest.fixture(autouse=True)
def progress_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Progress is never written to the real user data directory by tests."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def client() -> Iterator[Any]:
    """A client on the tutorials' backend: in-process emulator, seed 7, clock frozen."""
    from primer_nb.client import PrimerClient
    from primer_nb.emulator import Emulator

    emulator = Emulator(seed=7, start="2026-01-15T09:00:00", frozen=True)
    with PrimerClient(emulator=emulator) as c:
        yield c
