"""Charts (the dashboard's, the weekly digest's) drawn by matplotlib (Agg, no display): SVG for the pages, PNG for chat messages.

Okabe and Ito's palette tells its colours apart with every common colour-vision deficiency; lines also
differ by marker, so a chart printed in grey still reads. Charts are cached by their numbers: a page
reloaded with the same figures does not draw again (matplotlib takes tens of milliseconds a chart).
matplotlib itself (~0.3 s and 40 MB to import) is imported by the first chart drawn, not when the coach
starts: most processes (the CLI, a Slack or Teams worker between Mondays) never draw one.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # None: withheld or unknown (a gap in the line)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str  # what is shown, e.g. "Active users per week"
    unit: str  # the y axis, e.g. "people" or "hours"
    labels: tuple[str, ...]  # one per point: week labels like "2 Nov"
    series: tuple[Series, ...]
    kind: str = "line"  # line or bar
    target: float | None = None  # a dashed line, e.g. the business case's weekly target


PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LOCK = threading.Lock()  # matplotlib's font cache and text layout are not thread-safe


def svg(chart: Chart, *, width: float = 5.2, height: float = 2.6) -> str:
    """The chart as an SVG document (text kept as text: smaller, and readable by screen readers)."""
    return _svg(chart, width, height)


def png(chart: Chart, *, width: float = 6.0, height: float = 3.0, dpi: int = 100) -> bytes:
    """The chart as a PNG (for chat: Slack and Teams show images, not SVG)."""
    return _png(chart, width, height, dpi)


@lru_cache(maxsize=256)
def _svg(chart: Chart, width: float, height: float) -> str:
    buffer = io.StringIO()
    with _LOCK:
        import matplotlib  # here, not at start-up (see above)

        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "coach"}):
            _draw(chart, width, height).savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # without the XML prolog and doctype: it goes inside a page


@lru_cache(maxsize=64)
def _png(chart: Chart, width: float, height: float, dpi: int) -> bytes:
    buffer = io.BytesIO()
    with _LOCK:
        _draw(chart, width, height).savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _draw(chart: Chart, width: float, height: float) -> Figure:
    """Called under _LOCK. The Figure class draws with Agg, no pyplot: no display, no GUI toolkit."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(chart.labels)))
    count = max(1, len(chart.series))
    for i, series in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        values = [float("nan") if v is None else v for v in series.values]
        if chart.kind == "bar":
            step = 0.8 / count
            offsets = [p - 0.4 + step * (i + 0.5) for p in positions]
            axes.bar(offsets, values, width=step, color=colour, label=series.name)
        else:
            axes.plot(
                positions,
                values,
                color=colour,
                marker=MARKERS[i % len(MARKERS)],
                markersize=3.5,
                linewidth=1.8,
                label=series.name,
            )
    if chart.target is not None:
        axes.axhline(chart.target, color="#444444", linestyle="--", linewidth=1, label="target")
    figure.suptitle(chart.title, fontsize=10, x=0.02, horizontalalignment="left")
    axes.set_ylabel(chart.unit, fontsize=8)
    axes.set_ylim(bottom=0)
    every = max(1, len(positions) // 8)  # at most ~8 week labels, so they never overlap
    axes.set_xticks(positions[::every], [chart.labels[p] for p in positions[::every]], fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e3e6eb", linewidth=0.6)
    axes.set_axisbelow(True)
    if len(chart.series) > 1 or chart.target is not None:
        # Outside the plot, under it: never over the bars or lines, nor the title.
        figure.legend(
            fontsize=7, frameon=False, loc="outside lower left", ncols=min(6, count + 1), handlelength=1.5
        )
    return figure
