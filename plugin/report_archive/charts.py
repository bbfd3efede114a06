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
import json
import logging
import math
import re
import select
import subprocess
import sys
import time
import weakref
from collections.abc import Sequence
from contextlib import suppress
from typing import Any, Literal, TypedDict

PRIMARY = "#3f51b5"
BEST = "#1b6e20"
MUTED = "#9e9e9e"
MAX_BARS = 40
log = logging.getLogger("mkdocs.plugins.report_archive.charts")


class ChartWords(TypedDict):
    """A chart's text in the site's language (English when a spec has none)."""

    axis: str
    report: str
    best_so_far: str
    failed: str


class _Worded(TypedDict, total=False):
    words: ChartWords


class BarSpec(_Worded):
    """A bar chart as plain data, so that another process can draw it."""

    kind: Literal["bars"]
    labels: list[str]
    values: list[float]
    metric: str
    percent: bool
    lower_is_better: bool


class ProgressSpec(_Worded):
    """A best-so-far chart as plain data."""

    kind: Literal["progress"]
    dates: list[str]
    values: list[float]
    best_dates: list[str]
    best_values: list[float]
    metric: str
    percent: bool
    lower_is_better: bool


ChartSpec = BarSpec | ProgressSpec


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


def _english(metric: str, percent: bool, lower: bool) -> ChartWords:
    return {"axis": _axis_label(metric, percent, lower), "report": "report",
            "best_so_far": "best so far", "failed": "This chart could not be drawn."}


def bar_chart(labels: Sequence[str], values: Sequence[float], *, metric: str, percent: bool,
              lower_is_better: bool, words: ChartWords | None = None) -> str:
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
    words = words or _english(metric, percent, lower_is_better)
    axes.set_xlabel(words["axis"], parse_math=False)
    axes.set_xlim(*bar_limits(shown))
    for position, value in zip(positions, shown, strict=True):
        axes.annotate(f"{value:.4g}", (value, position), xytext=(3, 0),
                      textcoords="offset points", va="center", fontsize=8,
                      parse_math=False)
    return _svg(figure)


def bar_limits(values: Sequence[float]) -> tuple[float, float]:
    """The value axis of a bar chart: from zero, since a bar's length is its value.

    Room is left after the longest bar for its label; negative values extend the
    axis below zero.
    """
    low, high = min(0.0, *values), max(0.0, *values)
    margin = (high - low) * 0.12 or 1.0
    if not all(math.isfinite(v) for v in (margin, high + margin, low - margin)):
        raise ValueError("the values are too large to draw")
    return (low - margin if low < 0 else 0.0, high + margin if high > 0 else 0.0)


def step_chart(dates: Sequence[str], values: Sequence[float], best_dates: Sequence[str],
               best_values: Sequence[float], *, metric: str, percent: bool,
               lower_is_better: bool, words: ChartWords | None = None) -> str:
    """Every report's value by date (dots) and the best so far (a step line)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    words = words or _english(metric, percent, lower_is_better)
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
                 color=MUTED, s=18, label=words["report"], zorder=2)
    line = [_scaled(v, percent) for _, v in best]
    first, end = min(d for d, _ in points), max(d for d, _ in points)
    if best:
        axes.step([*[d for d, _ in best], end], [*line, line[-1]], where="post", color=BEST,
                  linewidth=2, label=words["best_so_far"], zorder=3)
    margin = max((end - first) * 0.05, 15)
    axes.set_xlim(max(1, first - margin), min(_LAST_DAY, end + margin))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(_day_label))
    axes.set_ylabel(words["axis"], parse_math=False)
    axes.legend(loc="best", frameon=False)
    figure.autofmt_xdate()
    return _svg(figure)


_LAST_DAY = dt.date.max.toordinal()


def _day_label(value: float, _position: object = None) -> str:
    day = min(max(round(value), 1), _LAST_DAY)
    return dt.date.fromordinal(day).isoformat()


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def render(spec: ChartSpec) -> str:
    """Draw one chart from plain data (so it can be drawn in another process).

    A chart that cannot be drawn gives a small SVG saying so, which
    `chart_failure` recognises: the build warns and publishes the page.
    """
    words = spec.get("words") or _english(spec["metric"], spec["percent"],
                                          spec["lower_is_better"])
    try:
        if spec["kind"] == "bars":
            return bar_chart(spec["labels"], spec["values"], metric=spec["metric"],
                             percent=spec["percent"], lower_is_better=spec["lower_is_better"],
                             words=words)
        return step_chart(spec["dates"], spec["values"], spec["best_dates"],
                          spec["best_values"], metric=spec["metric"], percent=spec["percent"],
                          lower_is_better=spec["lower_is_better"], words=words)
    except Exception as exc:  # any failure of the library is this chart's alone
        return failed_chart(f"{type(exc).__name__}: {exc}", words["failed"])


_FAILED_RE = re.compile(r'data-chart-failed="([^"]*)"')


def failed_chart(reason: str, note: str = "This chart could not be drawn.") -> str:
    """An SVG in place of a chart that could not be drawn, carrying the reason."""
    reason = " ".join(reason.split())
    reason = reason if len(reason) <= 200 else reason[:199] + "…"
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="420" height="40" '
            f'data-chart-failed="{html.escape(reason)}"><text x="8" y="24" font-size="13" '
            f'fill="#757575">{html.escape(note)}</text></svg>')


def chart_failure(svg: str) -> str | None:
    """Why a chart could not be drawn, or None for a chart that was."""
    match = _FAILED_RE.search(svg[:2000]) if svg.startswith("<svg ") else None
    return html.unescape(match.group(1)) if match else None


def render_all(specs: list[tuple[str, ChartSpec]]) -> dict[str, str]:
    """Every chart of a build, by the path of its file."""
    return {path: render(spec) for path, spec in specs}


def chart_key(spec: ChartSpec) -> str:
    """The identity of a chart's data, for keeping drawn charts between rebuilds."""
    return json.dumps(spec, sort_keys=True)


def preload() -> None:
    """Import the chart library ahead of the first chart (it takes about a second)."""
    import matplotlib.figure  # noqa: F401


class ChartHelper:
    """Under `serve`: one process that draws charts for the life of the server, the chart
    library imported once, so a changed chart is drawn on the other core while MkDocs
    renders the pages (starting a process for it would take a second). Requests and
    answers are JSON lines, numbered: an answer to a build that stopped is skipped."""

    def __init__(self) -> None:
        self.number = 0
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "report_archive.charts", "--serve"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        # Stopped when closed, or when this object is let go (the plugin that held it).
        self._stop = weakref.finalize(self, _stop_process, self.process)

    def send(self, specs: list[tuple[str, ChartSpec]]) -> int | None:
        """Ask for charts; the request's number (None: the process is gone)."""
        process = self.process
        if process is None or process.stdin is None or process.poll() is not None:
            self.close()
            return None
        self.number += 1
        try:
            process.stdin.write(json.dumps([self.number, specs]).encode("utf-8") + b"\n")
            process.stdin.flush()
        except OSError:
            self.close()
            return None
        return self.number

    def receive(self, number: int, timeout: float = 600.0) -> dict[str, str] | None:
        """The charts of request `number` (None: not drawn; the process is then closed)."""
        process = self.process
        deadline = time.monotonic() + timeout
        while process is not None and process.stdout is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not _readable(process.stdout, left):
                break
            line = process.stdout.readline()
            if not line:
                break
            try:
                answer, drawn = json.loads(line)
            except ValueError:
                break
            if answer == number and isinstance(drawn, dict):
                return drawn
        self.close()
        return None

    def close(self) -> None:
        self.process = None
        self._stop()


def _readable(pipe: Any, timeout: float) -> bool:
    """Whether a line can be read from `pipe` within `timeout` seconds (where pipes cannot
    be waited on, Windows, it is read as it comes: the process ends the line or exits)."""
    try:
        return bool(select.select([pipe], [], [], timeout)[0])
    except (OSError, ValueError):
        return True


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with suppress(OSError):
                pipe.close()


class ChartJob:
    """Charts drawn in a separate process while MkDocs renders the pages.

    matplotlib's import and drawing take about a second; MkDocs uses one core,
    so a second process makes that free. Under `serve`, a `helper` kept between
    builds draws them. If the process fails, the charts are drawn here when they
    are needed.
    """

    def __init__(self, specs: list[tuple[str, ChartSpec]], in_process: bool = False,
                 helper: ChartHelper | None = None) -> None:
        self.specs = specs
        self.process: subprocess.Popen[bytes] | None = None
        self.helper, self.request = helper, None
        self.payload = json.dumps(specs).encode("utf-8")
        if specs and helper is not None:
            self.request = helper.send(specs)
        if not specs or in_process or self.request is not None:
            return
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "report_archive.charts"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            log.debug("charts drawn in this process: %s", exc)
            self.process = None

    def result(self) -> dict[str, str]:
        request, self.request = self.request, None
        if request is not None and self.helper is not None:
            answer = self.helper.receive(request)
            if answer is not None:
                return answer
            log.debug("chart helper failed: charts drawn in this process")
        process, self.process = self.process, None
        if process is not None:
            try:
                # Both pipes are read together, so a long error cannot block the process.
                out, err = process.communicate(self.payload, timeout=600)
                if process.returncode == 0:
                    drawn: dict[str, str] = json.loads(out)
                    return drawn
                log.debug("chart process failed: %s", err.decode(errors="replace")[-500:])
            except (subprocess.TimeoutExpired, ValueError, OSError) as exc:
                process.kill()
                process.communicate()
                log.debug("chart process failed: %s", exc)
        return render_all(self.specs)

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.communicate()
            self.process = None


def main() -> None:
    """`python -m report_archive.charts`: JSON specs on stdin, JSON {path: svg} on stdout.
    With `--serve`: a numbered request per line, its answer on a line, until stdin ends."""
    if "--serve" in sys.argv[1:]:
        preload()
        for line in sys.stdin:
            number, specs = json.loads(line)
            sys.stdout.write(json.dumps([number, render_all(
                [(path, spec) for path, spec in specs])]) + "\n")
            sys.stdout.flush()
        return
    specs = [(path, spec) for path, spec in json.load(sys.stdin)]
    json.dump(render_all(specs), sys.stdout)


if __name__ == "__main__":
    main()
