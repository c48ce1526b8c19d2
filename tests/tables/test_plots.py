"""Plots: titles, labelled axes and bar heights, drawn headless (Agg)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import matplotlib
import matplotlib.image
import matplotlib.style
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from primer_nb.currency import UnknownCurrencyError
from primer_nb.plots import BACKGROUND, Chart, amount_by_currency, currency_totals, warnings_by_code

matplotlib.use("Agg")  # headless, whatever the environment says

TAXJAR = {"type": "TAXJAR", "code": "MISSING_DATA", "message": "Shipping details..."}


def sessions() -> list[dict[str, Any]]:
    return [
        {"orderId": "a", "currencyCode": "USD", "amount": 1299, "warnings": [TAXJAR]},
        {"orderId": "b", "currencyCode": "USD", "amount": 1},
        {"orderId": "c", "currencyCode": "KWD", "amount": 1234, "warnings": TAXJAR},
        {"orderId": "d", "currencyCode": "JPY", "amount": 5000},
        {"orderId": "e", "currencyCode": "JPY"},
        {
            "orderId": "f",
            "currencyCode": "EUR",
            "amount": 10,
            "warnings": [TAXJAR, {"type": "OTHER", "code": "X", "message": "m"}],
        },
    ]


def heights(ax: Any) -> list[float]:
    return [p.get_height() for p in ax.patches if isinstance(p, Rectangle)]


def test_currency_totals_are_exact() -> None:
    assert currency_totals(sessions()) == [
        ("EUR", 1, Decimal("0.10")),
        ("JPY", 2, Decimal("5000")),
        ("KWD", 1, Decimal("1.234")),
        ("USD", 2, Decimal("13.00")),
    ]


def test_amount_by_currency() -> None:
    fig = amount_by_currency(sessions())
    assert isinstance(fig, Chart)
    assert isinstance(fig, Figure)
    count_ax, *total_axes = fig.axes
    assert count_ax.get_title() == "Client sessions by currency"
    assert (count_ax.get_xlabel(), count_ax.get_ylabel()) == ("Currency", "Sessions")
    assert [t.get_text() for t in count_ax.get_xticklabels()] == ["EUR", "JPY", "KWD", "USD"]
    assert heights(count_ax) == [1, 2, 1, 2]
    # One panel per currency, each on its own scale: totals never share an axis.
    assert [ax.get_title() for ax in total_axes] == [
        "Total in EUR",
        "Total in JPY",
        "Total in KWD",
        "Total in USD",
    ]
    assert [heights(ax) for ax in total_axes] == [[0.1], [5000.0], [1.234], [13.0]]
    assert [[t.get_text() for t in ax.texts] for ax in total_axes] == [
        ["0.10"],
        ["5,000"],
        ["1.234"],
        ["13.00"],
    ]
    # Each panel's scale fits its own total: the KWD bar is not dwarfed by JPY's.
    for ax, total in zip(total_axes, [0.1, 5000.0, 1.234, 13.0], strict=True):
        low, high = ax.get_ylim()
        assert low == 0 and total < high <= total * 1.5
    fig.savefig(io.BytesIO(), format="png")  # renders headless (Agg)


def test_totals_wrap_into_rows_of_panels() -> None:
    many = [
        {"orderId": f"o{i}", "currencyCode": code, "amount": 100}
        for i, code in enumerate(["AED", "AUD", "CAD", "CHF", "EUR", "GBP", "JPY"])
    ]
    fig = amount_by_currency(many, columns=3)
    count_ax, *total_axes = fig.axes
    assert len(total_axes) == 7
    rows = {ax.get_subplotspec().rowspan.start for ax in total_axes}
    assert rows == {0, 1, 2}
    assert count_ax.get_subplotspec().rowspan == range(3)


def test_warnings_by_code() -> None:
    fig = warnings_by_code(sessions())
    (ax,) = fig.axes
    assert ax.get_title() == "Warnings by code"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Warnings", "Type / code")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["TAXJAR/MISSING_DATA", "OTHER/X"]
    assert [p.get_width() for p in ax.patches if isinstance(p, Rectangle)] == [3, 1]
    fig.savefig(io.BytesIO(), format="png")


def test_empty_sources_still_draw() -> None:
    fig = amount_by_currency([])
    assert [ax.texts[-1].get_text() for ax in fig.axes] == ["no sessions"]
    assert warnings_by_code([]).axes[0].texts[-1].get_text() == "no warnings"
    # no made-up scale: matplotlib drew -0.04..0.04 "sessions" on an empty chart
    for empty in (fig, warnings_by_code([])):
        ax = empty.axes[0]
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []


def _luminance(colour: Any) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = to_rgba(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: Any, b: Any) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]


@pytest.mark.parametrize("style", ["default", "dark_background"])
def test_charts_display_as_opaque_png_readable_in_light_and_dark_themes(style: str) -> None:
    """Jupyter shows a Chart as a PNG: white, opaque, with dark text, whatever the style."""
    with matplotlib.style.context(style):
        charts = [amount_by_currency(sessions()), warnings_by_code(sessions())]
        pngs = [chart._repr_png_() for chart in charts]
    for chart, png in zip(charts, pngs, strict=True):
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
        width, height = chart.get_size_inches() * chart.dpi
        assert pixels.shape[:2] == (round(height), round(width))
        # Opaque everywhere, so a dark notebook background never shows through.
        assert pixels[..., 3].min() == 1.0
        assert tuple(pixels[0, 0, :3]) == (1.0, 1.0, 1.0)
        assert to_rgba(chart.get_facecolor()) == to_rgba(BACKGROUND)
        for text in _texts(chart):
            assert _contrast(text.get_color(), BACKGROUND) >= 7, text.get_text()
        for ax in chart.axes:
            for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
                assert _contrast(label.get_color(), BACKGROUND) >= 7


def test_ipython_displays_a_chart_as_png() -> None:
    """The display machinery a notebook uses stores `image/png` for a returned Chart."""
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(warnings_by_code(sessions()))
    assert set(data) == {"text/plain", "image/png"}
    assert data["text/plain"] == "<Chart size 600x400 with 1 Axes>"


def test_currency_totals_refuse_a_float_amount_rather_than_leave_it_out() -> None:
    sessions = [{"currencyCode": "USD", "amount": 12.5}, {"currencyCode": "USD", "amount": 100}]
    with pytest.raises(TypeError, match=r"source\[0\]: \$\.amount: 12\.5 is not an amount"):
        currency_totals(sessions)


@pytest.mark.parametrize("code", ["XYZ", "usd"])
def test_currency_totals_refuse_an_amount_in_an_unknown_currency(code: str) -> None:
    """A total of 0 was drawn for it: its major units are unknown, so no total is true."""
    sessions = [{"currencyCode": "USD", "amount": 100}, {"currencyCode": code, "amount": 5000}]
    with pytest.raises(
        UnknownCurrencyError, match=r"session 1's amount \(5000 minor units\)"
    ) as caught:
        currency_totals(sessions)
    assert ("(codes are upper case)" in str(caught.value)) is (code == "usd")
    # without an amount it is a session counted, with nothing to add
    assert currency_totals([{"currencyCode": code}]) == [(code, 1, Decimal(0))]
