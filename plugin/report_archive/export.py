"""`/reports.json`: the archive as data, the one public serialiser of the report model.

Its form is described by `schema/reports.schema.json`, shipped in the package
and published beside it; a field is added there and here together. Source
line numbers are left out: they are the validator's pointers into a file
(`report-archive check --format json` gives them with every diagnostic) and
change with every edit above them, which would make the file differ between
builds of the same data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import TypeVar

from .archive import Archive
from .citation import provenance
from .compare import Column, Entry, declared, leaderboards
from .model import (
    AblationRow,
    Compute,
    Hyperparameter,
    InferenceRow,
    KeyValues,
    Metric,
    NextSteps,
    Objectives,
    Report,
    Results,
    Split,
)
from .values import json_safe

VERSION = 1
REPORTS_SCHEMA = "reports.schema.json"  # in the package's schema/ and beside reports.json

JsonValue = (str | int | float | bool | None | Sequence["JsonValue"]
             | Mapping[str, "JsonValue"])
JsonObject = Mapping[str, JsonValue]
T = TypeVar("T")


def reports_json(archive: Archive, url_of: Callable[[Report], str]) -> JsonObject:
    """The payload of `/reports.json`: every report newest first, leaderboards, comparisons."""
    return {
        "version": VERSION,
        "reports": [_report(r, url_of(r), archive) for r in archive.newest_first()],
        "leaderboards": [{"dataset": b.dataset, "slug": b.slug, "primary_metric": b.primary,
                          "columns": _columns(b.columns), "rows": [_entry(e) for e in b.rows],
                          "baselines": [_entry(e) for e in b.baselines]}
                         for b in leaderboards(archive)],
        "comparisons": [{"name": c.spec.name, "title": c.spec.title,
                         "reports": [r.path for r in c.reports], "columns": _columns(c.columns),
                         "rows": [_entry(e) for e in c.rows]} for c in declared(archive)],
    }


def dumps(payload: JsonObject) -> str:
    """The file's text: compact, UTF-8 characters as they are, always strict JSON."""
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a number JSON cannot write (see `json_safe`): written as null
        return json.dumps(json_safe(payload), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)


def schema_text() -> str:
    """The JSON Schema of `reports.json` (draft 2020-12), as shipped in the package."""
    return (resources.files("report_archive") / "schema" / REPORTS_SCHEMA).read_text(
        encoding="utf-8")


def _report(report: Report, url: str, archive: Archive) -> JsonObject:
    own = report.own_row
    entry: dict[str, JsonValue] = {
        "path": report.path,
        "url": url,
        "title": report.title,
        "authors": report.authors,
        "date": report.date,
        "updated": report.updated,
        "status": report.status,
        "tags": [{"name": t, "slug": archive.tag_of(t).slug} for t in report.tags],
        "datasets": report.datasets,
        "summary": report.summary,
        "primary_metric": report.primary_metric,
        "own_model": own.model if own else None,
        "headline": _metrics(own.metrics) if own else {},
        "problems": {"errors": len(report.errors), "warnings": len(report.warnings)},
        **_provenance(report, archive),
    }
    tables = report.tables
    # A table the report does not have is left out (an empty table is an empty list).
    optional: dict[str, JsonValue] = {
        "dataset_card": _key_values(tables.dataset_card),
        "splits": _list(tables.splits, _split),
        "model_card": _key_values(tables.model_card),
        "hyperparameters": _hyperparameters(tables.hyperparameters),
        "compute": _compute(tables.compute),
        "results": _results(tables.results),
        "ablation": _list(tables.ablation, _ablation),
        "inference": _list(tables.inference, _inference),
        "objectives": _objectives(tables.objectives),
        "next_steps": _next_steps(tables.next_steps),
    }
    entry.update((key, value) for key, value in optional.items() if value is not None)
    return entry


def _provenance(report: Report, archive: Archive) -> dict[str, JsonValue]:
    shown = provenance(report, archive.settings.tracking.ui_bases())
    runs: list[JsonValue] = [{"ref": ref.text, "tracker": ref.tracker, "run_id": ref.run_id,
                              "url": link["url"]}
                             for ref, link in zip(report.provenance.runs, shown["runs"],
                                                  strict=True)]
    code = shown["code"]
    return {"runs": runs, "code": {
        "repository": code["repository"] or None, "commit": code["commit"] or None,
        "repository_url": code["repository_url"], "commit_url": code["commit_url"]}
        if code else None}


def _metric(metric: Metric) -> JsonObject:
    return {"value": metric.value, "spread": metric.spread, "raw": metric.raw,
            "percent": metric.percent}


def _metrics(metrics: Mapping[str, Metric]) -> JsonObject:
    return {key: _metric(cell) for key, cell in metrics.items()}


def _key_values(table: KeyValues | None) -> JsonObject | None:
    return dict(table.items) if table is not None else None


def _list(rows: Sequence[T] | None, one: Callable[[T], JsonObject]) -> JsonValue:
    return [one(row) for row in rows] if rows is not None else None


def _split(split: Split) -> JsonObject:
    return {"split": split.split, "size": split.size, "examples": split.examples,
            "percentage": split.percentage, "fraction": split.fraction}


def _hyperparameters(rows: Sequence[Hyperparameter] | None) -> JsonObject | None:
    if rows is None:
        return None
    return {h.name: {"value": h.value, "number": h.number, "rationale": h.rationale}
            for h in rows}


def _compute(compute: Compute | None) -> JsonObject | None:
    if compute is None:
        return None
    return {"items": dict(compute.items.items), "hardware": compute.hardware,
            "training_time": compute.training_time, "training_hours": compute.training_hours,
            "cost": compute.cost, "cost_usd": compute.cost_usd}


def _results(results: Results | None) -> JsonObject | None:
    if results is None:
        return None
    return {"metrics": dict(results.metrics),
            "rows": [{"model": row.model, "own": row.own, "metrics": _metrics(row.metrics)}
                     for row in results.rows]}


def _ablation(row: AblationRow) -> JsonObject:
    return {"configuration": row.configuration, "score": row.score, "change": row.change,
            "score_text": row.score_text, "change_text": row.change_text}


def _inference(row: InferenceRow) -> JsonObject:
    return {"batch_size": row.batch_size, "latency": row.latency, "throughput": row.throughput,
            "latency_ms": row.latency_ms, "throughput_per_s": row.throughput_per_s}


def _objectives(objectives: Objectives | None) -> JsonObject | None:
    if objectives is None:
        return None
    return {"items": [{"objective": o.objective, "status": o.status,
                       "status_text": o.status_text, "notes": o.notes}
                      for o in objectives.items],
            "met": objectives.count("met"), "partial": objectives.count("partial"),
            "not_met": objectives.count("not-met")}


def _next_steps(steps: NextSteps | None) -> JsonObject | None:
    return {"done": steps.done, "total": steps.total} if steps is not None else None


def _entry(entry: Entry) -> JsonObject:
    return {"path": entry.report.path, "model": entry.model, "own": entry.own,
            "rank": entry.rank, "best": sorted(entry.best),
            "metrics": {key: cell.value for key, cell in entry.metrics.items()}}


def _columns(columns: list[Column]) -> list[JsonObject]:
    return [{"key": c.key, "name": c.name, "lower_is_better": c.lower_is_better,
             "shared": c.shared} for c in columns]
