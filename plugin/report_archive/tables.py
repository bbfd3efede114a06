"""The template's data tables read into plain data (what `reports.json` publishes)."""

from __future__ import annotations

import math
import re
from typing import Any

from .diagnostics import Collector
from .markdown_scan import Row, Scan, Table
from .sections import SectionMap
from .settings import Settings
from .template import TABLES, TableSpec
from .values import (
    NotANumber,
    NotFinite,
    finite,
    metric_key,
    metric_name,
    parse_metric,
    parse_number,
    parse_percentage,
    plain_text,
)

_BOLD_RE = re.compile(r"^(\*\*|__)(?=\S).*\S\1$")
# A number starts only where no digit or point precedes it, and every quantifier is
# possessive: a long run of digits or spaces is read once, not once per position.
_DURATION_RE = re.compile(
    r"(?<![\d.])(?P<n>\d++(?:\.\d++)?+)\s*+"
    r"(?P<unit>weeks?|w\b|days?|d\b|hours?|hrs?|h\b|minutes?|mins?|m\b)", re.I)
_HOURS = {"w": 168.0, "d": 24.0, "h": 1.0, "m": 1 / 60}
_MONEY_RE = re.compile(r"(?:\$|USD)\s*+(?P<n>\d[\d,]*+(?:\.\d++)?+)\s*+(?P<k>[kK])?")
_FIRST_NUMBER_RE = re.compile(r"\d[\d,]*+(?:\.\d++)?+")
# Cells longer than this hold prose, not a duration, a price or a speed.
_MAX_VALUE_TEXT = 200


def read_tables(body: Scan, sections: SectionMap, out: Collector,
                settings: Settings) -> dict[str, Any]:
    """Find each data table of the template in the report and read it."""
    data: dict[str, Any] = {}
    for spec in TABLES:
        table = _find(body, sections, spec)
        if table is None:
            if spec.key == "results" and "Results" in sections.spans:
                where = sections.find_subsection("Results", spec.number, spec.name)
                line = where[0] if where else sections.spans["Results"][0]
                what = "has no table" if where else "is missing"
                out.add("results-table-missing", f"'5.1 Quantitative Results' {what}: the "
                        "report has no results table", line, 1)
            continue
        rows = _checked_rows(table, out, settings)
        data[spec.key] = _READERS[spec.key](table, rows, out, settings)
    return data


def _find(body: Scan, sections: SectionMap, spec: TableSpec) -> Table | None:
    where = sections.find_subsection(spec.section, spec.number, spec.name)
    if where is None:
        return None
    start, end = where
    return next((t for t in body.tables if start < t.line < end), None)


def _checked_rows(table: Table, out: Collector, settings: Settings) -> list[Row]:
    limit = settings.limits.max_table_rows
    rows = table.rows
    if len(rows) > limit:
        out.add("limit-table-rows", f"table has more than {limit:,} rows "
                "(limits.max_table_rows); only the first are read", table.line, 1)
        rows = rows[:limit]
    width = len(table.header.cells)
    for row in rows:
        if len(row.cells) != width:
            out.add("table-row-cells", f"row has {len(row.cells)} cells but the header has "
                    f"{width}", row.line, 1)
    return rows


def _cells(row: Row, width: int) -> list[str]:
    cells = [plain_text(c) for c in row.cells[:width]]
    return cells + [""] * (width - len(cells))


def _key_value(table: Table, rows: list[Row], out: Collector, settings: Settings
               ) -> dict[str, str]:
    return {key: value for key, value, *_ in (_cells(r, 2) for r in rows) if key}


def _splits(table: Table, rows: list[Row], out: Collector, settings: Settings
            ) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        split, size, percentage = _cells(row, 3)
        result.append({"split": split, "size": size, "examples": _int(size),
                       "percentage": percentage, "fraction": parse_percentage(percentage)})
    return result


def _hyperparameters(table: Table, rows: list[Row], out: Collector, settings: Settings
                     ) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for row in rows:
        name, value, rationale = _cells(row, 3)
        if name:
            result[name] = {"value": value, "number": parse_number(value),
                            "rationale": rationale}
    return result


def _compute(table: Table, rows: list[Row], out: Collector, settings: Settings
             ) -> dict[str, Any]:
    items = _key_value(table, rows, out, settings)
    folded = {k.casefold(): v for k, v in items.items()}
    time_text = folded.get("training time", "")
    cost_text = folded.get("cost", "")
    return {"items": items, "hardware": folded.get("hardware", ""),
            "training_time": time_text, "training_hours": training_hours(time_text),
            "cost": cost_text, "cost_usd": _money(cost_text)}


def _shown(cell: str, width: int = 80) -> str:
    return cell if len(cell) <= width else cell[:width - 1] + "…"


def training_hours(text: str) -> float | None:
    """`4 days` -> 96.0, `2h 30m` -> 2.5; None when no duration is written."""
    if len(text) > _MAX_VALUE_TEXT:
        return None
    matches = list(_DURATION_RE.finditer(text.replace("~", "")))
    if not matches:
        return None
    total = sum(float(m.group("n")) * _HOURS[m.group("unit")[0].lower()] for m in matches)
    return round(total, 4) if math.isfinite(total) else None


def _money(text: str) -> float | None:
    match = _MONEY_RE.search(text) if len(text) <= _MAX_VALUE_TEXT else None
    if not match:
        return None
    value = finite(match.group("n").replace(",", ""))
    if value is None:
        return None
    value = value * 1000 if match.group("k") else value
    return value if math.isfinite(value) else None


def _int(text: str) -> int | None:
    number = parse_number(text)
    return int(number) if number is not None and number.is_integer() else None


def _results(table: Table, rows: list[Row], out: Collector, settings: Settings
             ) -> dict[str, Any]:
    aliases = settings.metric_aliases
    columns = table.header.cells[1:]
    keys = [metric_key(name, aliases) for name in columns]
    names = {key: metric_name(name, aliases) for key, name in zip(keys, columns, strict=True)}
    parsed: list[dict[str, Any]] = []
    for row in rows:
        model_cell = row.cells[0] if row.cells else ""
        metrics: dict[str, Any] = {}
        for offset, key in enumerate(keys, start=1):
            cell = row.cells[offset] if offset < len(row.cells) else ""
            try:
                metrics[key] = parse_metric(cell).as_dict()
            except NotFinite:
                out.add("metric-not-finite", f"cell '{columns[offset - 1]}' of row "
                        f"'{plain_text(model_cell)}' is '{_shown(cell)}', a number too large "
                        "to store", row.line, row.column_of(offset))
                metrics[key] = {"value": None, "spread": None, "raw": cell, "percent": False}
            except NotANumber:
                out.add("metric-not-numeric", f"cell '{columns[offset - 1]}' of row "
                        f"'{plain_text(model_cell)}' is '{_shown(cell)}', not a number",
                        row.line, row.column_of(offset))
                metrics[key] = {"value": None, "spread": None, "raw": cell, "percent": False}
        parsed.append({"model": plain_text(model_cell), "own": False, "line": row.line,
                       "bold": bool(_BOLD_RE.match(model_cell.strip())), "metrics": metrics})
    marked = [r for r in parsed if r["bold"]] or [
        r for r in parsed if "ours" in r["model"].casefold()]
    if not marked and parsed:
        out.add("results-no-own-row", "no row of the results table is the report's own model "
                "(no bold first cell, no 'ours')", table.line, 1)
    elif not parsed:
        out.add("results-no-own-row", "the results table has no rows", table.line, 1)
    if len(marked) > 1:
        out.add("results-own-row-ambiguous", f"{len(marked)} rows are marked as the report's "
                f"own; the first ('{marked[0]['model']}') is used", marked[1]["line"], 1)
    if marked:
        marked[0]["own"] = True
    for entry in parsed:
        del entry["bold"]
    return {"line": table.line, "metrics": names, "rows": parsed}


def _ablation(table: Table, rows: list[Row], out: Collector, settings: Settings
              ) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        configuration, score, change = _cells(row, 3)
        result.append({"configuration": configuration, "score": _metric_or_none(score),
                       "change": _metric_or_none(change), "score_text": score,
                       "change_text": change})
    return result


def _metric_or_none(text: str) -> float | None:
    try:
        return parse_metric(text).value
    except NotANumber:
        return None


def _inference(table: Table, rows: list[Row], out: Collector, settings: Settings
               ) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        batch, latency, throughput = _cells(row, 3)
        result.append({"batch_size": batch, "latency": latency, "throughput": throughput,
                       "latency_ms": _latency_ms(latency), "throughput_per_s": _first(throughput)})
    return result


def _first(text: str) -> float | None:
    match = _FIRST_NUMBER_RE.search(text) if len(text) <= _MAX_VALUE_TEXT else None
    return finite(match.group(0).replace(",", "")) if match else None


def _latency_ms(text: str) -> float | None:
    value = _first(text)
    if value is None:
        return None
    unit = re.search(r"(ms|µs|us|s)\b", text)
    scale = {"ms": 1.0, "µs": 0.001, "us": 0.001, "s": 1000.0}.get(unit.group(1) if unit else "ms")
    scaled = value * (scale or 1.0)
    return scaled if math.isfinite(scaled) else None


def objective_status(text: str) -> str | None:
    folded = text.casefold()
    if "❌" in text or "not met" in folded or "unmet" in folded:
        return "not-met"
    if "⚠" in text or "partial" in folded:
        return "partial"
    if "✅" in text or "met" in folded or "✔" in text:
        return "met"
    return None


def _objectives(table: Table, rows: list[Row], out: Collector, settings: Settings
                ) -> dict[str, Any]:
    items = []
    for row in rows:
        objective, status, notes = _cells(row, 3)
        items.append({"objective": objective, "status": objective_status(status),
                      "status_text": status, "notes": notes})
    return {"items": items,
            "met": sum(1 for i in items if i["status"] == "met"),
            "partial": sum(1 for i in items if i["status"] == "partial"),
            "not_met": sum(1 for i in items if i["status"] == "not-met")}


_READERS: dict[str, Any] = {
    "dataset_card": _key_value,
    "splits": _splits,
    "model_card": _key_value,
    "hyperparameters": _hyperparameters,
    "compute": _compute,
    "results": _results,
    "ablation": _ablation,
    "inference": _inference,
    "objectives": _objectives,
}
