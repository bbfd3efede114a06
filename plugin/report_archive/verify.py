"""`check --verify-runs`: the numbers of each report's own results row against its run.

The first run a report names (`runs:`) is the run of its own model. Every
number of the own row of table 5.1 is compared with the metric of the same
name (through `metric_aliases`) that the run logged last, rounded to the
digits the report writes: `0.89` agrees with 0.8912, `93.5%` with 0.9348. A
disagreement is an error at that cell; a tracker that cannot be reached is one
warning for the whole check, never a traceback or a hang.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .diagnostics import Collector, Diagnostic
from .model import Metric, Report
from .settings import Settings
from .tracking import (
    TRACKERS,
    Run,
    Tracker,
    TrackerError,
    TrackerUnreachable,
    connect,
    tracking_uri,
)
from .values import metric_key, written_number

MAX_PARALLEL = 8


@dataclass
class Verification:
    """What verifying an archive found: diagnostics by report (id), and the runs read."""

    found: dict[int, list[Diagnostic]]
    runs: int = 0

    def all(self) -> list[Diagnostic]:
        return [d for items in self.found.values() for d in items]


Connect = Callable[[str, str, float], Tracker]


def verify_reports(reports: Sequence[Report], settings: Settings, given_uri: str | None = None,
                   connector: Connect = connect) -> Verification:
    """Compare every report that names a run with that run; reports without runs are skipped."""
    result = Verification({})
    naming = [r for r in reports if r.is_report and r.provenance.runs]
    for kind in TRACKERS:
        mine = [r for r in naming if r.provenance.runs[0].tracker == kind]
        if mine:
            _verify_kind(kind, mine, settings, given_uri, connector, result)
    return result


def _verify_kind(kind: str, reports: list[Report], settings: Settings, given_uri: str | None,
                 connector: Connect, result: Verification) -> None:
    label = TRACKERS[kind].label
    uri = tracking_uri(kind, given_uri, settings.tracking.mlflow_tracking_uri)
    if uri is None:
        _unreachable(reports, result, f"no {label} tracking server is set (the environment's "
                     f"{TRACKERS[kind].uri_env}, --tracking-uri, or the plugin's "
                     "tracking.mlflow_tracking_uri option)")
        return
    tracker = connector(kind, uri, settings.tracking.timeout)
    # One request first: a server that is down costs one timeout, not one per report.
    first = _fetch(tracker, reports[0])
    if isinstance(first, TrackerUnreachable):
        _unreachable(reports, result, str(first))
        return
    fetched = [first]
    if len(reports) > 1:
        with ThreadPoolExecutor(min(MAX_PARALLEL, len(reports) - 1)) as pool:
            fetched += list(pool.map(lambda r: _fetch(tracker, r), reports[1:]))
    failed = [r for r, got in zip(reports, fetched, strict=True)
              if isinstance(got, TrackerUnreachable)]
    for report, got in zip(reports, fetched, strict=True):
        if isinstance(got, TrackerUnreachable):
            continue
        result.runs += isinstance(got, Run)
        out = Collector(report.path)
        if isinstance(got, TrackerError):
            out.add("run-not-found", str(got), report.provenance.run_lines[0], 1)
        else:
            compare_with_run(report, got, settings, out)
        if out.items:
            result.found.setdefault(id(report), []).extend(out.items)
    if failed:
        message = str(next(g for g in fetched if isinstance(g, TrackerUnreachable)))
        _unreachable(failed, result, message)


def _fetch(tracker: Tracker, report: Report) -> Run | TrackerError:
    try:
        return tracker.fetch(report.provenance.runs[0].run_id)
    except TrackerError as exc:
        return exc


def _unreachable(reports: list[Report], result: Verification, why: str) -> None:
    """One warning for every report that could not be verified, at the first one's run."""
    first = reports[0]
    count = len(reports)
    out = Collector(first.path)
    out.add("tracker-unreachable", f"{why}; the runs of {count} report"
            f"{'' if count == 1 else 's'} were not verified", first.provenance.run_lines[0], 1)
    result.found.setdefault(id(first), []).extend(out.items)


def compare_with_run(report: Report, run: Run, settings: Settings, out: Collector) -> None:
    """Diagnostics for each cell of the own row that the run contradicts or does not have."""
    line = report.provenance.run_lines[0]
    if not run.metrics:
        out.add("run-no-metrics", f"run {run.ref.text} has no metrics logged, so the results "
                "table cannot be checked against it", line, 1)
        return
    own = report.own_row
    if own is None:
        return  # results-no-own-row (or template residue) already says why
    aliases = settings.metric_aliases
    logged = {metric_key(name, aliases): (name, value) for name, value in run.metrics.items()}
    for key, metric in own.metrics.items():
        if metric.value is None:
            continue
        column = own.columns.get(key, 1)
        shown = report.metric_name(key)
        if key not in logged:
            names = ", ".join(sorted(run.metrics))
            out.add("run-metric-missing", f"column '{shown}' has no metric in run "
                    f"{run.ref.text} (it logged: {_shorten(names)})", own.line, column)
            continue
        name, value = logged[key]
        if not agrees(metric, value):
            out.add("run-metric-mismatch", f"'{shown}' of '{own.model}' is "
                    f"{_written(metric)}, but run {run.ref.text} logged {name} = "
                    f"{_logged(value, metric.percent)}", own.line, column)


def agrees(metric: Metric, logged: float) -> bool:
    """Whether a logged value, rounded to the digits written in the cell, is the cell's.

    A percentage is compared with a logged fraction (and with a logged percentage,
    when the run logged a number above 1); a plain number written above 1 for a
    logged fraction is read as a percentage too.
    """
    written = written_number(metric.raw)
    if written is None:
        return True
    number, percent = written
    try:
        half = Decimal(1).scaleb(number.as_tuple().exponent) / 2  # type: ignore[arg-type]
        target = Decimal(repr(logged))
    except (InvalidOperation, TypeError, ValueError):
        return False
    candidates = [target * 100] if percent else [target]
    if percent and abs(target) > 1:
        candidates.append(target)
    if not percent and abs(number) > 1 >= abs(target):
        candidates.append(target * 100)
    slack = half * Decimal("1.000000001") + Decimal("1e-12")
    return any(abs(candidate - number) <= slack for candidate in candidates)


def _written(metric: Metric) -> str:
    written = written_number(metric.raw)
    if written is None:
        return metric.raw
    return f"{written[0]}{'%' if written[1] else ''}"


def _logged(value: float, percent: bool) -> str:
    text = f"{value:.6g}"
    return f"{text} ({value * 100:.6g}%)" if percent and abs(value) <= 1 else text


def _shorten(text: str, width: int = 200) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
