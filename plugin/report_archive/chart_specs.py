"""What each leaderboard chart shows, as plain data for the chart process, and in words."""

from __future__ import annotations

from .charts import BarSpec, ChartWords, ProgressSpec
from .compare import (
    Column,
    Leaderboard,
)
from .i18n import Translator
from .views import display_title


def has_bars(board: Leaderboard) -> bool:
    """A bar chart is drawn of the ranked rows, when there is one: never of values in doubt."""
    return board.primary is not None and bool(board.ranked)


def has_progress(board: Leaderboard) -> bool:
    """A progress chart needs two dated reports: one dot is no trend, and no time axis."""
    return has_bars(board) and len({e.report.date for e in board.ranked if e.report.date}) >= 2


def chart_alt(board: Leaderboard, i18n: Translator) -> tuple[str, str]:
    column = board.column(board.primary or "")
    assert column is not None
    ranked = [(e, e.text(column)) for e in board.ranked]
    bars = i18n.t("chart.bars_alt", metric=column.name, dataset=board.dataset,
                  items="; ".join(f"{display_title(e.report)}: {text}"
                                  for e, text in ranked[:10]),
                  end=i18n.t("chart.more") if len(ranked) > 10 else i18n.t("chart.end"))
    steps = board.progress()
    progress = i18n.t("chart.progress_alt", metric=column.name, dataset=board.dataset,
                      items="; ".join(f"{day}: {e.text(column)} ({display_title(e.report)})"
                                      for day, _, e in steps))
    return bars, progress


def chart_words(column: Column, i18n: Translator) -> ChartWords:
    """The chart's text in the site's language: axis label, legend, failure note."""
    direction = i18n.t("direction.lower" if column.lower_is_better else "direction.higher")
    axis = i18n.t("chart.axis_percent" if column.percent else "chart.axis",
                  metric=column.name, direction=direction)
    return {"axis": axis, "report": i18n.t("chart.report"),
            "best_so_far": i18n.t("chart.best_so_far"), "failed": i18n.t("chart.failed")}


def bar_spec(board: Leaderboard, i18n: Translator) -> BarSpec:
    column = board.column(board.primary or "")
    assert column is not None
    ranked = board.ranked
    return {"kind": "bars", "labels": [display_title(e.report) for e in ranked],
            "values": [e.value(column.key) or 0.0 for e in ranked], "metric": column.name,
            "percent": column.percent, "lower_is_better": column.lower_is_better,
            "words": chart_words(column, i18n)}


def progress_spec(board: Leaderboard, i18n: Translator) -> ProgressSpec:
    column = board.column(board.primary or "")
    assert column is not None
    dated = [e for e in board.ranked if e.report.date]
    steps = board.progress()
    return {"kind": "progress", "dates": [e.report.date or "" for e in dated],
            "values": [e.value(column.key) or 0.0 for e in dated],
            "best_dates": [day for day, _, _ in steps],
            "best_values": [value for _, value, _ in steps], "metric": column.name,
            "percent": column.percent, "lower_is_better": column.lower_is_better,
            "words": chart_words(column, i18n)}
