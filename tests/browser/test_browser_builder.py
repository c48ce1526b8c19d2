"""The session builder in a real JupyterLab: run the notebook, fill the form, click Send."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from .conftest import LabPage

pytestmark = pytest.mark.browser

#: Found by its stable name, whatever its number.
NOTEBOOK = next(
    (Path(__file__).resolve().parents[2] / "notebooks").glob("*-session-builder.ipynb")
).name


def _text_input(builder: object, label: str) -> object:
    """The first text input whose widget label is exactly `label`."""
    exact = re.compile(rf"^{re.escape(label)}$")
    box = builder.locator(".widget-text").filter(  # type: ignore[attr-defined]
        has=builder.page.locator("label", has_text=exact)  # type: ignore[attr-defined]
    )
    return box.first.locator("input")


def test_builder_fills_sends_and_shows_token_countdown_warning(lab_page: LabPage) -> None:
    started = time.monotonic()
    lab_page.open_notebook(NOTEBOOK)
    lab_page.run_all()
    assert lab_page.error_outputs() == []

    builder = lab_page.panel.locator(".primer-session-builder").first
    builder.wait_for()
    old_token = builder.locator(".primer-token").inner_text()

    _text_input(builder, "orderId").fill("order-browser-1")
    _text_input(builder, "amount").fill("99.99")
    total = builder.locator(".primer-total")
    total.filter(has_text="EUR 99.99").wait_for()
    assert "order-browser-1" in builder.locator(".primer-json").inner_text()

    send = builder.locator("button.primer-send")
    assert send.is_enabled()
    send.click()

    status = builder.locator(".primer-status")
    status.filter(has_text="Created: amount EUR 99.99").wait_for()
    token = builder.locator(".primer-token")
    assert re.fullmatch(r"eyJ[\w-]{5}…[\w-]{4}", token.inner_text())
    assert token.inner_text() != old_token
    countdown = builder.locator(".primer-countdown")
    assert countdown.is_visible()
    assert re.fullmatch(r"expires in \d\d:\d\d:\d\d", countdown.inner_text().strip())
    warnings = builder.locator("table.primer-warnings")
    assert warnings.is_visible()
    assert "TAXJAR" in warnings.inner_text() and "MISSING_DATA" in warnings.inner_text()

    path = lab_page.screenshot("session-builder.png", builder)
    assert path.stat().st_size > 10_000
    assert lab_page.page_errors == []
    elapsed = time.monotonic() - started
    print(f"browser run: {elapsed:.1f} s; console errors: {lab_page.console_errors}")
