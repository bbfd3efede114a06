"""Reading the template's data tables of a report into the typed model (`model.py`)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from .diagnostics import Collector
from .markdown_scan import Row, Scan, Table
from .model import (
    AblationRow,
    Compute,
    Hyperparameter,
    InferenceRow,
    KeyValues,
    Metric,
    Objective,
    Objectives,
    ResultRow,
    Results,
    Split,
    Tables,
)
from .sections import SectionMap
from .settings import Settings
from .template import TABLES, TableSpec, residue_rows
from .values import (
    NotANumber,
    NotFinite,
    comma_decimal,
    finite,
    metric_key,
    metric_name,
    parse_metric,
    parse_number,
    parse_percentage,
    plain_text,
)

_BOLD_RE = re.compile(r"^(\*\*|__)(?=\S).*\S\1$")
# A number starts only where no digit or point precedes it, so a long run of digits
# is tried once, not once per position; cells are read only up to a bounded length.
_DURATION_RE = re.compile(
    r"(?<![\d.])(?P<n>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>weeks?|w\b|days?|d\b|hours?|hrs?|h\b|minutes?|mins?|m\b)", re.I)
_HOURS = {"w": 168.0, "d": 24.0, "h": 1.0, "m": 1 / 60}
_MONEY_RE = re.compile(r"(?:\$|USD)\s*(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<k>[kK])?")
_FIRST_NUMBER_RE = re.compile(r"\d[\d,]*(?:\.\d+)?")
# Cells longer than this hold prose, not a duration, a price or a speed.
_MAX_VALUE_TEXT = 200


_SPECS = {spec.key: spec for spec in TABLES}
T = TypeVar("T")
Reader = Callable[[Table, list[Row], Collector, Settings], T]


def read_tables(body: Scan, sections: SectionMap, out: Collector,
                settings: Settings) -> Tables:
    """Find each data table of the template in the report and read it."""
    def read(key: str, reader: Reader[T]) -> T | None:
        spec = _SPECS[key]
        table = _find(body, sections, spec)
        if table is None:
            if key == "results":
                _results_missing(sections, spec, out)
            return None
        return reader(table, _checked_rows(table, out, settings), out, settings)

    # Keyword arguments are evaluated in order: the template's, so diagnostics
    # come out in the order of the file.
    return Tables(
        dataset_card=read("dataset_card", _key_value),
        splits=read("splits", _splits),
        model_card=read("model_card", _key_value),
        hyperparameters=read("hyperparameters", _hyperparameters),
        compute=read("compute", _compute),
        results=read("results", _results),
        ablation=read("ablation", _ablation),
        inference=read("inference", _inference),
        objectives=read("objectives", _objectives),
    )


def _results_missing(sections: SectionMap, spec: TableSpec, out: Collector) -> None:
    if "Results" not in sections.spans:
        return
    where = sections.find_subsection("Results", spec.number, spec.name)
    line = where[0] if where else sections.spans["Results"][0]
    what = "has no table" if where else "is missing"
    out.add("results-table-missing", f"'5.1 Quantitative Results' {what}: the "
            "report has no results table", line, 1)


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
               ) -> KeyValues:
    return KeyValues({key: value for key, value, *_ in (_cells(r, 2) for r in rows) if key})


def _splits(table: Table, rows: list[Row], out: Collector, settings: Settings
            ) -> tuple[Split, ...]:
    result = []
    for row in rows:
        split, size, percentage = _cells(row, 3)
        result.append(Split(split, size, _int(size), percentage, parse_percentage(percentage)))
    return tuple(result)


def _hyperparameters(table: Table, rows: list[Row], out: Collector, settings: Settings
                     ) -> tuple[Hyperparameter, ...]:
    # A name written twice keeps its first place and its last value.
    result: dict[str, Hyperparameter] = {}
    for row in rows:
        name, value, rationale = _cells(row, 3)
        if name:
            result[name] = Hyperparameter(name, value, parse_number(value), rationale)
    return tuple(result.values())


def _compute(table: Table, rows: list[Row], out: Collector, settings: Settings) -> Compute:
    items = _key_value(table, rows, out, settings)
    time_text = items.get("training time")
    cost_text = items.get("cost")
    return Compute(items, items.get("hardware"), time_text, training_hours(time_text),
                   cost_text, _money(cost_text))


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


def _results(table: Table, rows: list[Row], out: Collector, settings: Settings) -> Results:
    aliases = settings.metric_aliases
    columns = table.header.cells[1:]
    keys = [metric_key(name, aliases) for name in columns]
    names = {key: metric_name(name, aliases) for key, name in zip(keys, columns, strict=True)}
    parsed: list[tuple[ResultRow, bool]] = []
    # The template's sample results are residue (reported as such): never data.
    sample = residue_rows([(row.line, row.text) for row in rows])
    for row in (r for r in rows if r.line not in sample):
        model_cell = row.cells[0] if row.cells else ""
        metrics: dict[str, Metric] = {}
        for offset, key in enumerate(keys, start=1):
            cell = row.cells[offset] if offset < len(row.cells) else ""
            try:
                metrics[key] = parse_metric(cell)
            except NotFinite:
                out.add("metric-not-finite", f"cell '{columns[offset - 1]}' of row "
                        f"'{plain_text(model_cell)}' is '{_shown(cell)}', a number too large "
                        "to store", row.line, row.column_of(offset))
                metrics[key] = Metric(None, None, cell)
            except NotANumber:
                metrics[key] = _not_a_number(cell, columns[offset - 1], model_cell, row, offset,
                                             out)
        bold = bool(_BOLD_RE.match(model_cell.strip()))
        places = {key: row.column_of(offset) for offset, key in enumerate(keys, start=1)
                   if offset < len(row.cells)} if bold or "ours" in model_cell.casefold() else {}
        parsed.append((ResultRow(plain_text(model_cell), False, row.line, metrics, places),
                       bold))
    marked = [r for r, bold in parsed if bold] or [
        r for r, _ in parsed if "ours" in r.model.casefold()]
    if not marked and parsed:
        out.add("results-no-own-row", "no row of the results table is the report's own model "
                "(no bold first cell, no 'ours')", table.line, 1)
    elif not parsed and not sample:
        out.add("results-no-own-row", "the results table has no rows", table.line, 1)
    if len(marked) > 1:
        out.add("results-own-row-ambiguous", f"{len(marked)} rows are marked as the report's "
                f"own; the first ('{marked[0].model}') is used", marked[1].line, 1)
    own = marked[0] if marked else None
    return Results(table.line, names, tuple(replace(r, own=True) if r is own else r
                                            for r, _ in parsed))


def _not_a_number(cell: str, column: str, model_cell: str, row: Row, offset: int,
                  out: Collector) -> Metric:
    """A cell that is not a number as the spec writes them: read a decimal comma, and say so."""
    where = f"cell '{column}' of row '{plain_text(model_cell)}'"
    fixed = comma_decimal(cell)
    if fixed is not None:
        try:
            metric = parse_metric(fixed)
        except NotANumber:
            pass
        else:
            out.add("metric-comma-decimal", f"{where} is '{_shown(cell)}', read as "
                    f"'{fixed.strip()}' (a decimal comma)", row.line, row.column_of(offset))
            return replace(metric, raw=cell.strip())
    out.add("metric-not-numeric", f"{where} is '{_shown(cell)}', not a number",
            row.line, row.column_of(offset))
    return Metric(None, None, cell)


def _ablation(table: Table, rows: list[Row], out: Collector, settings: Settings
              ) -> tuple[AblationRow, ...]:
    result = []
    for row in rows:
        configuration, score, change = _cells(row, 3)
        result.append(AblationRow(configuration, _metric_or_none(score), _metric_or_none(change),
                                  score, change))
    return tuple(result)


def _metric_or_none(text: str) -> float | None:
    try:
        return parse_metric(text).value
    except NotANumber:
        return None


def _inference(table: Table, rows: list[Row], out: Collector, settings: Settings
               ) -> tuple[InferenceRow, ...]:
    result = []
    for row in rows:
        batch, latency, throughput = _cells(row, 3)
        result.append(InferenceRow(batch, latency, throughput, _latency_ms(latency),
                                   _first(throughput)))
    return tuple(result)


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
                ) -> Objectives:
    items = []
    for row in rows:
        objective, status, notes = _cells(row, 3)
        items.append(Objective(objective, objective_status(status), status, notes))
    return Objectives(tuple(items))
