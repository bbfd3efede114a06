"""Leaderboard charts as static SVG, drawn with matplotlib at build time.

matplotlib is imported only when a chart is drawn. Figures are made with the
object-oriented API (no pyplot, no global state), text stays text in the SVG
(`svg.fonttype: none`, so it is small, selectable and uses the page's fonts
without loading any), and the output is deterministic: no date in the
metadata and a fixed salt for the SVG ids.

Titles and metric names come from reports: no text is ever parsed as mathtext
or TeX (`$\\foo{$` is drawn as written), dates are placed as day numbers so
that any valid date (0001-01-01 to 9999-12-31) can be drawn, and a chart that
still fails becomes a small SVG that says so (see `chart_failure`), never an
exception that stops the build.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
from collections.abc import Sequence
from typing import Any

PRIMARY = "#3f51b5"
BEST = "#1b6e20"
MUTED = "#9e9e9e"
MAX_BARS = 40


def _figure(width: float, height: float) -> tuple[Any, Any]:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "report-archive",
                                "font.size": 9, "axes.spines.top": False,
                                "axes.spines.right": False, "text.usetex": False,
                                "text.parse_math": False,
                                "axes.formatter.use_mathtext": False})
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasSVG(figure)
    return figure, figure.add_subplot()


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg",
                   metadata={"Date": None, "Creator": None, "Type": None, "Format": None})
    return buffer.getvalue()


def _scaled(value: float, percent: bool) -> float:
    return value * 100 if percent else value


def _axis_label(metric: str, percent: bool, lower: bool) -> str:
    unit = " (%)" if percent else ""
    return f"{metric}{unit}, {'lower' if lower else 'higher'} is better"


def bar_chart(labels: Sequence[str], values: Sequence[float], *, metric: str, percent: bool,
              lower_is_better: bool) -> str:
    """Horizontal bars, best first, the best one highlighted."""
    pairs = [(label, value) for label, value in zip(labels, values, strict=True)
             if math.isfinite(value)][:MAX_BARS]
    labels, values = [label for label, _ in pairs], [value for _, value in pairs]
    if not values:
        raise ValueError("no finite value to draw")
    figure, axes = _figure(7.0, 0.9 + 0.32 * max(len(values), 1))
    shown = [_scaled(v, percent) for v in values]
    best = min(shown) if lower_is_better else max(shown)
    colours = [BEST if v == best else PRIMARY for v in shown]
    positions = list(range(len(shown)))[::-1]
    axes.barh(positions, shown, color=colours, height=0.6)
    axes.set_yticks(positions, [_short(label) for label in labels], parse_math=False)
    axes.set_xlabel(_axis_label(metric, percent, lower_is_better), parse_math=False)
    low, high = min(shown), max(shown)
    margin = (high - low) * 0.15 or abs(high) * 0.05 or 1.0
    if not math.isfinite(margin) or not math.isfinite(high + margin) or not math.isfinite(
            low - margin):
        raise ValueError("the values are too large to draw")
    axes.set_xlim(max(0.0, low - margin) if low >= 0 else low - margin, high + margin)
    for position, value in zip(positions, shown, strict=True):
        axes.annotate(f"{value:.4g}", (value, position), xytext=(3, 0),
                      textcoords="offset points", va="center", fontsize=8,
                      parse_math=False)
    return _svg(figure)


def step_chart(dates: Sequence[str], values: Sequence[float], best_dates: Sequence[str],
               best_values: Sequence[float], *, metric: str, percent: bool,
               lower_is_better: bool) -> str:
    """Every report's value by date (dots) and the best so far (a step line)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure, axes = _figure(7.0, 3.0)
    # Day numbers, not matplotlib dates: its date axis fails near year 1 and year 9999.
    points = [(dt.date.fromisoformat(d).toordinal(), v) for d, v in zip(dates, values,
                                                                       strict=True)
              if math.isfinite(v)]
    best = [(dt.date.fromisoformat(d).toordinal(), v) for d, v in zip(best_dates, best_values,
                                                                      strict=True)
            if math.isfinite(v)]
    if not points:
        raise ValueError("no finite value to draw")
    axes.scatter([d for d, _ in points], [_scaled(v, percent) for _, v in points],
                 color=MUTED, s=18, label="report", zorder=2)
    line = [_scaled(v, percent) for _, v in best]
    first, end = min(d for d, _ in points), max(d for d, _ in points)
    if best:
        axes.step([*[d for d, _ in best], end], [*line, line[-1]], where="post", color=BEST,
                  linewidth=2, label="best so far", zorder=3)
    margin = max((end - first) * 0.05, 15)
    axes.set_xlim(max(1, first - margin), min(_LAST_DAY, end + margin))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(_day_label))
    axes.set_ylabel(_axis_label(metric, percent, lower_is_better), parse_math=False)
    axes.legend(loc="best", frameon=False)
    figure.autofmt_xdate()
    return _svg(figure)


_LAST_DAY = dt.date.max.toordinal()


def _day_label(value: float, _position: object = None) -> str:
    day = min(max(round(value), 1), _LAST_DAY)
    return dt.date.fromordinal(day).isoformat()


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def render(spec: dict[str, Any]) -> str:
    """Draw one chart from plain data (so it can be drawn in another process).

    A chart that cannot be drawn gives a small SVG saying so, which
    `chart_failure` recognises: the build warns and publishes the page.
    """
    kind = spec["kind"]
    options = {k: v for k, v in spec.items() if k != "kind"}
    try:
        return bar_chart(**options) if kind == "bars" else step_chart(**options)
    except Exception as exc:  # any failure of the library is this chart's alone
        return failed_chart(f"{type(exc).__name__}: {exc}")


_FAILED_RE = re.compile(r'data-chart-failed="([^"]*)"')


def failed_chart(reason: str) -> str:
    """An SVG in place of a chart that could not be drawn, carrying the reason."""
    reason = " ".join(reason.split())
    reason = reason if len(reason) <= 200 else reason[:199] + "…"
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="420" height="40" '
            f'data-chart-failed="{html.escape(reason)}"><text x="8" y="24" font-size="13" '
            'fill="#757575">This chart could not be drawn.</text></svg>')


def chart_failure(svg: str) -> str | None:
    """Why a chart could not be drawn, or None for a chart that was."""
    match = _FAILED_RE.search(svg[:2000]) if svg.startswith("<svg ") else None
    return html.unescape(match.group(1)) if match else None


def render_all(specs: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """Every chart of a build, by the path of its file."""
    return {path: render(spec) for path, spec in specs}


def main() -> None:
    """`python -m report_archive.charts`: JSON specs on stdin, JSON {path: svg} on stdout."""
    import json
    import sys

    specs = [(path, spec) for path, spec in json.load(sys.stdin)]
    json.dump(render_all(specs), sys.stdout)


if __name__ == "__main__":
    main()
