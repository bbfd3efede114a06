"""Sanity checks on the numbers of reports: warnings that point at a likely mistake."""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import TYPE_CHECKING, Any

from .diagnostics import Collector, Diagnostic
from .settings import Settings
from .values import dataset_key, lower_is_better

BOUNDED = frozenset({"accuracy", "precision", "recall", "f1", "auc", "top-1 accuracy",
                     "top-5 accuracy", "em", "exact match", "balanced accuracy",
                     "specificity", "sensitivity", "map", "iou", "miou"})
# Metrics where a number may be written as a percentage or a fraction.
_SCALED = BOUNDED | {"error", "wer", "cer", "error rate", "top-1 error", "top-5 error"}
F1_TOLERANCE = 0.02

if TYPE_CHECKING:
    from .report import Report


def _scaled_metric(key: str) -> bool:
    return key in _SCALED or any(word in key.split() for word in ("wer", "cer", "error"))


def check_numbers(data: dict[str, Any], primary: str | None, out: Collector,
                  settings: Settings) -> None:
    """Checks within one report: ranges, F1 against P and R, own model beaten."""
    results = data.get("results") or {}
    names: dict[str, str] = results.get("metrics", {})
    for row in results.get("rows", []):
        metrics = row["metrics"]
        for key, cell in metrics.items():
            value = cell.get("value")
            if key in BOUNDED and value is not None and not 0.0 <= value <= 1.0:
                out.add("metric-out-of-range", f"{names.get(key, key)} of '{row['model']}' is "
                        f"{cell['raw']}, outside [0, 1]: write {cell['raw']}% or a fraction",
                        row["line"], 1)
        values = {k: metrics.get(k, {}).get("value") for k in ("precision", "recall", "f1")}
        p, r, f1 = values["precision"], values["recall"], values["f1"]
        if p is not None and r is not None and f1 is not None and p + r > 0:
            expected = 2 * p * r / (p + r)
            scale = 100.0 if max(p, r, f1) > 1 else 1.0
            if abs(f1 - expected) > F1_TOLERANCE * scale:
                out.add("metric-f1-inconsistent", f"F1 of '{row['model']}' is {f1:g}, but "
                        f"precision {p:g} and recall {r:g} give {expected:.4g}", row["line"], 1)
    _own_beaten(data, primary, names, out, settings)


def _own_beaten(data: dict[str, Any], primary: str | None, names: dict[str, str],
                out: Collector, settings: Settings) -> None:
    objectives = (data.get("objectives") or {}).get("items", [])
    if not primary or not objectives or any(o["status"] != "met" for o in objectives):
        return
    rows = (data.get("results") or {}).get("rows", [])
    own = next((r for r in rows if r["own"]), None)
    mine = own["metrics"].get(primary, {}).get("value") if own else None
    if own is None or mine is None:
        return
    lower = lower_is_better(primary, settings.lower_is_better, settings.higher_is_better)
    for row in rows:
        theirs = row["metrics"].get(primary, {}).get("value")
        if row["own"] or theirs is None:
            continue
        if (theirs < mine) if lower else (theirs > mine):
            out.add("results-own-beaten", f"baseline '{row['model']}' scores {theirs:g} on "
                    f"{names.get(primary, primary)}, better than the report's own {mine:g}, yet "
                    "every objective in 9.2 is marked met", row["line"], 1)
            return


def check_scales(reports: list[Report], settings: Settings) -> dict[int, list[Diagnostic]]:
    """Across the reports of each dataset: one metric written on two scales."""
    cells: dict[tuple[str, str], list[tuple[Report, float, str, int]]] = defaultdict(list)
    for report in reports:
        own = report.own_row
        if own is None:
            continue
        names = report.data.get("results", {}).get("metrics", {})
        for dataset in {dataset_key(d, settings.dataset_aliases) for d in report.datasets}:
            for key, cell in own["metrics"].items():
                if cell.get("value") is not None and _scaled_metric(key):
                    cells[(dataset, key)].append(
                        (report, float(cell["value"]), names.get(key, key), own["line"]))
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
