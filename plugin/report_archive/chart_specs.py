"""What each leaderboard chart shows, as plain data for the chart process, and in words."""

from __future__ import annotations

from .charts import BarSpec, ProgressSpec
from .compare import (
    Leaderboard,
)
from .views import display_title


def has_bars(board: Leaderboard) -> bool:
    """A bar chart is drawn of the ranked rows, when there is one: never of values in doubt."""
    return board.primary is not None and bool(board.ranked)


def has_progress(board: Leaderboard) -> bool:
    """A progress chart needs two dated reports: one dot is no trend, and no time axis."""
    return has_bars(board) and len({e.report.date for e in board.ranked if e.report.date}) >= 2


def chart_alt(board: Leaderboard) -> tuple[str, str]:
    column = board.column(board.primary or "")
    assert column is not None
    ranked = [(e, e.text(column)) for e in board.ranked]
    bars = (f"Bar chart of {column.name} per report on {board.dataset}, best first: " +
            "; ".join(f"{display_title(e.report)}: {text}" for e, text in ranked[:10]) +
            ("; and more in the table below." if len(ranked) > 10 else "."))
    steps = board.progress()
    progress = (f"Best {column.name} on {board.dataset} over time: " + "; ".join(
        f"{day}: {e.text(column)} ({display_title(e.report)})"
        for day, _, e in steps) + ".")
    return bars, progress


def bar_spec(board: Leaderboard) -> BarSpec:
    column = board.column(board.primary or "")
    assert column is not None
    ranked = board.ranked
    return {"kind": "bars", "labels": [display_title(e.report) for e in ranked],
            "values": [e.value(column.key) or 0.0 for e in ranked], "metric": column.name,
            "percent": column.percent, "lower_is_better": column.lower_is_better}


def progress_spec(board: Leaderboard) -> ProgressSpec:
    column = board.column(board.primary or "")
    assert column is not None
    dated = [e for e in board.ranked if e.report.date]
    steps = board.progress()
    return {"kind": "progress", "dates": [e.report.date or "" for e in dated],
            "values": [e.value(column.key) or 0.0 for e in dated],
            "best_dates": [day for day, _, _ in steps],
            "best_values": [value for _, value, _ in steps], "metric": column.name,
            "percent": column.percent, "lower_is_better": column.lower_is_better}
