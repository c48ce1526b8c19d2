"""Charts of client sessions: counts and totals by currency, warnings by code.

```python
from primer_nb.plots import amount_by_currency, warnings_by_code

amount_by_currency(ledger)          # a Chart: Jupyter shows it as a PNG image
warnings_by_code(result.sessions)   # any source that `primer_nb.tables` accepts
```

Each helper builds its own `Chart`, a `matplotlib.figure.Figure` (no pyplot state:
nothing leaks between cells, and it works headless) from the tables of
`primer_nb.tables`, and returns it: display it, `fig.savefig(...)` it, or adjust its axes.

## Shown as an image, in any theme

A bare `Figure` returned from a cell shows only its text (`<Figure size 1000x400 with 2
Axes>`) unless the notebook first runs `%matplotlib inline`. A `Chart` displays itself:
its `_repr_png_` renders it with `savefig`, so JupyterLab shows a PNG and a saved
notebook stores it as `image/png` (and the documentation site shows it). Every chart has
an opaque white background and near-black text, whatever the matplotlib style in force,
so it reads the same in JupyterLab's light and dark themes.

## Money

Totals are summed **exactly** in `Decimal` per currency, then drawn (a bar height is a
float on screen only). Amounts of different currencies are never added together nor put
on one axis: 100 JPY and 100 USD are not 200 of anything, and a shared axis would invite
that comparison. `amount_by_currency` gives each currency its own small panel, its axis
in that currency's major units.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from primer_nb.currency import UnknownCurrencyError
from primer_nb.tables import Source, sessions_frame, warnings_frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.typing import RcKeyType

__all__ = ["Chart", "amount_by_currency", "currency_totals", "warnings_by_code"]

#: Background of every chart: opaque white, in light and dark notebook themes alike.
BACKGROUND = "#ffffff"
#: Colour of every text, tick and spine: near-black on the white background.
INK = "#1a1a1a"

#: The style every chart is built and rendered with, whatever `matplotlib.rcParams` say
#: (a notebook may have switched to `dark_background`, which would draw white text).
STYLE: dict[RcKeyType, str | float | bool] = {
    "figure.facecolor": BACKGROUND,
    "axes.facecolor": BACKGROUND,
    "savefig.facecolor": BACKGROUND,
    "savefig.edgecolor": BACKGROUND,
    "savefig.transparent": False,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.titlecolor": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "font.size": 9,
}

COUNT_COLOUR = "#4c72b0"
TOTAL_COLOUR = "#3b7d4f"
WARNING_COLOUR = "#c44e52"


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(STYLE):
        yield


class Chart(Figure):
    """A matplotlib `Figure` that Jupyter displays as a PNG image.

    It is a plain `Figure` in every other way (`axes`, `savefig`, `set_size_inches`).
    Jupyter asks `_repr_png_` for the image; the notebook stores it as `image/png`.
    """

    def _repr_png_(self) -> bytes:
        """The chart as PNG bytes, rendered with `savefig` on its white background."""
        buffer = io.BytesIO()
        with _style():
            self.savefig(buffer, format="png", facecolor=BACKGROUND, transparent=False)
        return buffer.getvalue()


def _new_chart(figsize: tuple[float, float]) -> Chart:
    chart = Chart(figsize=figsize, layout="constrained", facecolor=BACKGROUND)
    return chart


def _finish_axes(ax: Axes) -> None:
    """Colours that do not depend on the style in force when the chart is drawn."""
    ax.set_facecolor(BACKGROUND)
    ax.tick_params(colors=INK, labelcolor=INK)
    for spine in ax.spines.values():
        spine.set_color(INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.title.set_color(INK)
    ax.xaxis.label.set_color(INK)
    ax.yaxis.label.set_color(INK)


def currency_totals(source: Source) -> list[tuple[str, int, Decimal]]:
    """`(currency_code, sessions, total in major units)` per currency, by currency code.

    Sessions without a currency are left out; sessions without an amount count as sessions
    but add nothing to the total. An amount that is not an int (`12.5`) is a `TypeError`
    from `sessions_frame`, and one in a currency code primer-nb does not know (`"XYZ"`,
    `"usd"`) an `UnknownCurrencyError` naming its row: its major units are unknown, so
    no total would be true, where one of 0 was drawn.
    """
    frame = sessions_frame(source)
    totals: dict[str, tuple[int, Decimal]] = {}
    codes = frame["currency_code"].tolist()
    majors = frame["amount_major"].tolist()
    amounts = frame["amount"].tolist()
    for row, (code, major) in enumerate(zip(codes, majors, strict=True)):
        if not isinstance(code, str):
            continue
        if major is None and isinstance(amounts[row], int):  # a code no table knows
            upper = " (codes are upper case)" if code != code.upper() else ""
            raise UnknownCurrencyError(
                code,
                f"not in Primer's Currency enum or SDK currency table{upper}, so session "
                f"{row}'s amount ({amounts[row]} minor units) has no known major units",
            )
        count, total = totals.get(code, (0, Decimal(0)))
        totals[code] = (count + 1, total + major if isinstance(major, Decimal) else total)
    return [(code, *totals[code]) for code in sorted(totals)]


def _label_bars(ax: Axes, bars: BarContainer, labels: Iterable[str]) -> None:
    ax.bar_label(bars, labels=list(labels), padding=2, fontsize=8, color=INK)


def _grouped(value: float, _position: float) -> str:
    return f"{value:,.10g}"


def amount_by_currency(
    source: Source, *, figsize: tuple[float, float] | None = None, columns: int = 5
) -> Chart:
    """Sessions per currency, and each currency's total in a panel of its own.

    The left chart counts sessions per currency (counts share one axis: a session is a
    session). On the right, each currency has its own small panel whose axis is in that
    currency's major units, with one bar labelled with the exact total (e.g. `1,234.56`):
    totals of different currencies are never added up nor drawn on a common scale.
    `columns` sets how many currency panels go side by side; the chart grows a row per
    further `columns` currencies.
    """
    rows = currency_totals(source)
    codes = [code for code, _, _ in rows]
    columns = max(1, min(columns, len(rows) or 1))
    panel_rows = max(1, math.ceil(len(rows) / columns))
    if figsize is None:
        figsize = (10.0, max(4.0, 1.2 + 2.1 * panel_rows))
    with _style():
        chart = _new_chart(figsize)
        grid = chart.add_gridspec(
            panel_rows, columns + 1, width_ratios=[columns * 0.7, *[1] * columns]
        )
        count_ax = chart.add_subplot(grid[:, 0])
        bars = count_ax.bar(codes, [count for _, count, _ in rows], color=COUNT_COLOUR)
        _label_bars(count_ax, bars, [str(count) for _, count, _ in rows])
        count_ax.set_title("Client sessions by currency")
        count_ax.set_xlabel("Currency")
        count_ax.set_ylabel("Sessions")
        count_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        count_ax.tick_params(axis="x", labelrotation=90 if len(rows) > 6 else 0)
        _finish_axes(count_ax)
        if not rows:
            _nothing(count_ax, "no sessions")
        for index, (code, _, total) in enumerate(rows):
            ax = chart.add_subplot(grid[index // columns, 1 + index % columns])
            bars = ax.bar([code], [float(total)], color=TOTAL_COLOUR, width=0.6)
            _label_bars(ax, bars, [f"{total:,}"])
            ax.set_title(f"Total in {code}", fontsize=9)
            ax.set_xticks([])
            ax.set_xlim(-0.6, 0.6)
            ax.set_ylim(0, float(total) * 1.3 if total > 0 else 1.0)
            ax.yaxis.set_major_formatter(FuncFormatter(_grouped))
            ax.tick_params(axis="y", labelsize=7)
            _finish_axes(ax)
        chart.suptitle(
            "Sessions and totals by currency: each total in its own currency's major units,"
            " never added across currencies",
            color=INK,
        )
    return chart


def warnings_by_code(source: Source, *, figsize: tuple[float, float] = (6, 4)) -> Chart:
    """A horizontal bar chart: how many warnings of each `type/code` the sessions carry."""
    frame = warnings_frame(source)
    counts: dict[str, int] = {}
    for kind, code in zip(frame["type"].tolist(), frame["code"].tolist(), strict=True):
        key = f"{kind if isinstance(kind, str) else '?'}/{code if isinstance(code, str) else '?'}"
        counts[key] = counts.get(key, 0) + 1
    labels = sorted(counts, key=lambda k: (-counts[k], k))
    with _style():
        chart = _new_chart(figsize)
        ax = chart.subplots()
        bars = ax.barh(labels, [counts[k] for k in labels], color=WARNING_COLOUR)
        _label_bars(ax, bars, [str(counts[k]) for k in labels])
        ax.invert_yaxis()  # the most frequent on top
        ax.set_title("Warnings by code")
        ax.set_xlabel("Warnings")
        ax.set_ylabel("Type / code")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _finish_axes(ax)
        if not labels:
            _nothing(ax, "no warnings")
    return chart


def _nothing(ax: Axes, text: str) -> None:
    """An empty chart says so, with no ticks: matplotlib drew -0.04..0.04 "sessions" on
    axes with no data."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
