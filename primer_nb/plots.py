"""Charts of client sessions: counts and totals by currency, warnings by code.

```python
from primer_nb.plots import amount_by_currency, warnings_by_code

amount_by_currency(ledger)          # a matplotlib Figure; Jupyter shows it
warnings_by_code(result.sessions)   # any source that `primer_nb.tables` accepts
```

Each helper builds its own `matplotlib.figure.Figure` (no pyplot state: nothing leaks
between cells, and it works headless) from the tables of `primer_nb.tables`, and returns
it: display it, `fig.savefig(...)` it, or adjust its axes.

Totals are summed **exactly** in `Decimal` per currency, then drawn (a bar height is a
float on screen only). Amounts of different currencies are never added together: each
currency has its own bar and the axis says "major units of each currency".
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from matplotlib.figure import Figure

from primer_nb.tables import sessions_frame, warnings_frame

__all__ = ["amount_by_currency", "currency_totals", "warnings_by_code"]


def currency_totals(source: Any) -> list[tuple[str, int, Decimal]]:
    """`(currency_code, sessions, total in major units)` per currency, by currency code.

    Sessions without a currency are left out; sessions without an amount count as sessions
    but add nothing to the total.
    """
    frame = sessions_frame(source)
    totals: dict[str, tuple[int, Decimal]] = {}
    codes = frame["currency_code"].tolist()
    majors = frame["amount_major"].tolist()
    for code, major in zip(codes, majors, strict=True):
        if not isinstance(code, str):
            continue
        count, total = totals.get(code, (0, Decimal(0)))
        totals[code] = (count + 1, total + major if isinstance(major, Decimal) else total)
    return [(code, *totals[code]) for code in sorted(totals)]


def _label_bars(ax: Any, bars: Any, labels: Iterable[str]) -> None:
    ax.bar_label(bars, labels=list(labels), padding=2, fontsize=8)


def amount_by_currency(source: Any, *, figsize: tuple[float, float] = (10, 4)) -> Figure:
    """Two bar charts side by side: sessions per currency, and their total amount.

    The second chart's bars are each currency's exact total in its own major units,
    labelled with the value (e.g. `1,234.56`).
    """
    rows = currency_totals(source)
    codes = [code for code, _, _ in rows]
    fig = Figure(figsize=figsize, layout="constrained")
    count_ax, total_ax = fig.subplots(1, 2)
    bars = count_ax.bar(codes, [count for _, count, _ in rows], color="#4c72b0")
    _label_bars(count_ax, bars, [str(count) for _, count, _ in rows])
    count_ax.set_title("Client sessions by currency")
    count_ax.set_xlabel("Currency")
    count_ax.set_ylabel("Sessions")
    bars = total_ax.bar(codes, [float(total) for _, _, total in rows], color="#55a868")
    _label_bars(total_ax, bars, [f"{total:,}" for _, _, total in rows])
    total_ax.set_title("Total amount by currency")
    total_ax.set_xlabel("Currency")
    total_ax.set_ylabel("Amount (major units of each currency)")
    if not rows:
        for ax in (count_ax, total_ax):
            ax.text(0.5, 0.5, "no sessions", ha="center", va="center", transform=ax.transAxes)
    fig.suptitle("Client sessions and amounts by currency")
    return fig


def warnings_by_code(source: Any, *, figsize: tuple[float, float] = (6, 4)) -> Figure:
    """A horizontal bar chart: how many warnings of each `type/code` the sessions carry."""
    frame = warnings_frame(source)
    counts: dict[str, int] = {}
    for kind, code in zip(frame["type"].tolist(), frame["code"].tolist(), strict=True):
        key = f"{kind if isinstance(kind, str) else '?'}/{code if isinstance(code, str) else '?'}"
        counts[key] = counts.get(key, 0) + 1
    labels = sorted(counts, key=lambda k: (-counts[k], k))
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.subplots()
    bars = ax.barh(labels, [counts[k] for k in labels], color="#c44e52")
    _label_bars(ax, bars, [str(counts[k]) for k in labels])
    ax.invert_yaxis()  # the most frequent on top
    ax.set_title("Warnings by code")
    ax.set_xlabel("Warnings")
    ax.set_ylabel("Type / code")
    if not labels:
        ax.text(0.5, 0.5, "no warnings", ha="center", va="center", transform=ax.transAxes)
    return fig
