"""Plots: titles, labelled axes and bar heights, drawn headless (Agg)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from primer_nb.plots import amount_by_currency, currency_totals, warnings_by_code

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
    assert isinstance(fig, Figure)
    count_ax, total_ax = fig.axes
    assert count_ax.get_title() == "Client sessions by currency"
    assert total_ax.get_title() == "Total amount by currency"
    assert (count_ax.get_xlabel(), count_ax.get_ylabel()) == ("Currency", "Sessions")
    assert total_ax.get_ylabel() == "Amount (major units of each currency)"
    assert [t.get_text() for t in count_ax.get_xticklabels()] == ["EUR", "JPY", "KWD", "USD"]
    assert heights(count_ax) == [1, 2, 1, 2]
    assert heights(total_ax) == [0.1, 5000.0, 1.234, 13.0]
    labels = [t.get_text() for t in total_ax.texts]
    assert labels == ["0.10", "5,000", "1.234", "13.00"]
    fig.savefig(io.BytesIO(), format="png")  # renders headless (Agg)


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
    assert all(ax.texts[-1].get_text() == "no sessions" for ax in fig.axes)
    assert warnings_by_code([]).axes[0].texts[-1].get_text() == "no warnings"
