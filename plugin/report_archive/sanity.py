"""Sanity checks on the numbers of reports: warnings that point at a likely mistake."""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from .diagnostics import Collector, Diagnostic
from .model import Objectives, Report, Results, Tables
from .settings import Settings
from .values import dataset_key, lower_is_better

BOUNDED = frozenset({"accuracy", "precision", "recall", "f1", "auc", "top-1 accuracy",
                     "top-5 accuracy", "em", "exact match", "balanced accuracy",
                     "specificity", "sensitivity", "map", "iou", "miou"})
# Metrics where a number may be written as a percentage or a fraction.
_SCALED = BOUNDED | {"error", "wer", "cer", "error rate", "top-1 error", "top-5 error"}
F1_TOLERANCE = 0.02


def _scaled_metric(key: str) -> bool:
    return key in _SCALED or any(word in key.split() for word in ("wer", "cer", "error"))


def check_numbers(tables: Tables, primary: str | None, out: Collector,
                  settings: Settings) -> None:
    """Checks within one report: ranges, F1 against P and R, own model beaten."""
    results = tables.results
    if results is None:
        return
    for row in results.rows:
        for key, cell in row.metrics.items():
            value = cell.value
            if key in BOUNDED and value is not None and not 0.0 <= value <= 1.0:
                out.add("metric-out-of-range", f"{results.name(key)} of '{row.model}' is "
                        f"{cell.raw}, outside [0, 1]: write {cell.raw}% or a fraction",
                        row.line, 1)
        p, r, f1 = row.value("precision"), row.value("recall"), row.value("f1")
        if p is not None and r is not None and f1 is not None and p + r > 0:
            expected = 2 * p * r / (p + r)
            scale = 100.0 if max(p, r, f1) > 1 else 1.0
            if abs(f1 - expected) > F1_TOLERANCE * scale:
                out.add("metric-f1-inconsistent", f"F1 of '{row.model}' is {f1:g}, but "
                        f"precision {p:g} and recall {r:g} give {expected:.4g}", row.line, 1)
    _own_beaten(results, tables.objectives, primary, out, settings)


def _own_beaten(results: Results, objectives: Objectives | None, primary: str | None,
                out: Collector, settings: Settings) -> None:
    if not primary or not objectives or not objectives.items or any(
            o.status != "met" for o in objectives.items):
        return
    own = results.own
    mine = own.value(primary) if own else None
    if own is None or mine is None:
        return
    lower = lower_is_better(primary, settings.lower_is_better, settings.higher_is_better)
    for row in results.rows:
        theirs = row.value(primary)
        if row.own or theirs is None:
            continue
        if (theirs < mine) if lower else (theirs > mine):
            out.add("results-own-beaten", f"baseline '{row.model}' scores {theirs:g} on "
                    f"{results.name(primary)}, better than the report's own {mine:g}, yet "
                    "every objective in 9.2 is marked met", row.line, 1)
            return


def check_scales(reports: list[Report], settings: Settings) -> dict[int, list[Diagnostic]]:
    """Across the reports of each dataset: one metric written on two scales."""
    cells: dict[tuple[str, str], list[tuple[Report, float, str, int]]] = defaultdict(list)
    for report in reports:
        own = report.own_row
        if own is None:
            continue
        for dataset in {dataset_key(d, settings.dataset_aliases) for d in report.datasets}:
            for key, cell in own.metrics.items():
                if cell.value is not None and _scaled_metric(key):
                    cells[(dataset, key)].append(
                        (report, cell.value, report.metric_name(key), own.line))
    found: dict[int, list[Diagnostic]] = defaultdict(list)
    for (_, _), entries in cells.items():
        points = [e for e in entries if e[1] > 1.0]
        fractions = [e for e in entries if 0.0 < e[1] <= 1.0]
        if not points or not fractions:
            continue
        if median(e[1] for e in points) < 10 * median(e[1] for e in fractions):
            continue
        odd, usual = (points, fractions) if len(points) <= len(fractions) else (fractions, points)
        example = usual[0]
        for report, value, name, line in odd:
            out = Collector(report.path)
            out.add("metric-scale-mixed", f"{name} is {value:g} here but {example[1]:g} in "
                    f"'{example[0].title}' of the same dataset: one of them is on the wrong "
                    "scale (percent or fraction)", line, 1)
            found[id(report)].extend(out.items)
    return found
