"""Fixtures for the widget tests: an in-process emulator with a frozen clock, a client
carrying the marker key, and a walk over every widget a builder holds."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import ipywidgets as w
import pytest

from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator

START = "2026-01-15T09:00:00"


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(seed=1, start=START, frozen=True)


@pytest.fixture
def client(emulator: Emulator, marker_key: str) -> Iterator[PrimerClient]:
    with PrimerClient(api_key=marker_key, environment="emulator", emulator=emulator) as c:
        yield c


@pytest.fixture(autouse=True)
def _no_countdown_threads() -> Iterator[None]:
    """No test leaves an ExpiryCountdown thread behind."""
    yield
    left = [t for t in threading.enumerate() if t.name == "ExpiryCountdown" and t.is_alive()]
    assert not left, f"countdown threads leaked: {left}"


def walk(widget: Any) -> Iterator[Any]:
    """Every widget under `widget` (children of boxes, tabs and accordions)."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        if isinstance(child, w.Widget):
            yield from walk(child)


def all_state(widget: Any) -> str:
    """The serialised state (values, descriptions, HTML, Output contents) of the tree."""
    parts = [repr(widget)]
    for item in walk(widget):
        parts.append(json.dumps(item.get_state(), default=str, ensure_ascii=False))
    return "\n".join(parts)


def control_values(widget: Any) -> list[Any]:
    """Every input control's value, in tree order (to show nothing typed was lost)."""
    kinds = (w.Text, w.Textarea, w.Dropdown, w.TagsInput)
    return [item.value for item in walk(widget) if isinstance(item, kinds)]
