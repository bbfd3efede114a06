"""Comparisons: per-dataset leaderboards, declared side-by-side pages, and `compare`.

Metrics are matched across reports by their canonical key (aliases folded);
values are the normalised numbers (percentages as fractions). A missing value
stays missing: it is never ranked as 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TypedDict

from .archive import Archive
from .model import Metric, Report, ResultRow
from .sanity import Doubts, column_doubts, scale_doubts
from .settings import ComparisonSpec, Settings
from .tags import tag_name
from .values import dataset_key, format_metric, lower_is_better, metric_key


@dataclass
class Column:
    key: str
    name: str
    lower_is_better: bool
    shared: bool
    percent: bool  # shown as a percentage (most reports wrote it so)


@dataclass
class Entry:
    """One row: a report's model (its own, or a baseline it reports)."""

    report: Report
    model: str
    own: bool
    metrics: dict[str, Metric]
    rank: int | None = None
    best: set[str] = field(default_factory=set)
    # Cells whose scale is in doubt (metric key -> why): never ranked or marked best.
    doubtful: dict[str, str] = field(default_factory=dict)
    # Why the entry has no rank, when it has none.
    reason: str | None = None

    def value(self, key: str) -> float | None:
        cell = self.metrics.get(key)
        return cell.value if cell else None

    def rankable(self, key: str) -> float | None:
        """The value to rank by: None when missing or when its scale is in doubt."""
        return None if key in self.doubtful else self.value(key)

    def text(self, column: Column) -> str:
        """The entry's value in a column, on the column's scale."""
        return format_metric(self.metrics.get(column.key), column.percent)


@dataclass
class Leaderboard:
    dataset: str
    slug: str
    primary: str | None
    columns: list[Column]
    rows: list[Entry]
    baselines: list[Entry]
    # Reports of the dataset with no row to rank (no own model, a draft left out), and why.
    unranked: list[tuple[Report, str]] = field(default_factory=list)

    @property
    def ranked(self) -> list[Entry]:
        """The rows with a rank: what the charts draw."""
        return [e for e in self.rows if e.rank is not None]

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def progress(self) -> list[tuple[str, float, Entry]]:
        """Best primary value so far, by report date (the step line of the chart)."""
        if self.primary is None:
            return []
        column = self.column(self.primary)
        lower = bool(column and column.lower_is_better)
        steps: list[tuple[str, float, Entry]] = []
        for entry in sorted(self.ranked, key=lambda e: (e.report.date or "", e.report.path)):
            value = entry.value(self.primary)
            if value is None or not entry.report.date:
                continue
            if not steps or (value < steps[-1][1] if lower else value > steps[-1][1]):
                steps.append((entry.report.date or "", value, entry))
        return steps


def _columns(entries: list[Entry], report_count: int, settings: Settings,
             only: tuple[str, ...] = ()) -> list[Column]:
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    percent: Counter[str] = Counter()
    order: dict[str, int] = {}
    for entry in entries:
        for key, cell in entry.metrics.items():
            names.setdefault(key, entry.report.metric_name(key))
            order.setdefault(key, len(order))
            if entry.own:
                counts[key] += 1
            if cell.percent:
                percent[key] += 1
            elif cell.value is not None:
                percent[key] -= 1
    keys = list(order)
    if only:
        wanted = [metric_key(m, settings.metric_aliases) for m in only]
        keys = [k for k in wanted if k in order]
    keys.sort(key=lambda k: (counts[k] < report_count, -counts[k], order[k]))
    return [Column(k, names[k], lower_is_better(k, settings.lower_is_better,
                                                settings.higher_is_better),
                   counts[k] >= report_count, percent[k] > 0) for k in keys]


def _primary(dataset: str, reports: list[Report], columns: list[Column],
             settings: Settings) -> str | None:
    key = dataset_key(dataset, settings.dataset_aliases)
    for name, metric in settings.primary_metrics.items():
        if dataset_key(name, settings.dataset_aliases) == key:
            return metric_key(metric, settings.metric_aliases)
    declared = Counter(r.primary_metric for r in reports if r.primary_metric)
    present = {c.key for c in columns}
    for metric, _ in declared.most_common():
        if metric in present:
            return metric
    return columns[0].key if columns else None


def rank(rows: list[Entry], columns: list[Column], primary: str | None) -> list[Entry]:
    """Rows sorted best first on the primary metric (missing last); best per column marked."""
    column = next((c for c in columns if c.key == primary), None)
    lower = bool(column and column.lower_is_better)

    def value_of(entry: Entry) -> float | None:
        return entry.rankable(primary) if primary and entry.reason is None else None

    def order(entry: Entry) -> tuple[int, float, str, str]:
        value = value_of(entry)
        if value is None:
            return (1, 0.0, entry.report.date or "", entry.report.path)
        return (0, value if lower else -value, entry.report.date or "", entry.report.path)

    ranked = sorted(rows, key=order)
    for position, entry in enumerate(ranked, start=1):
        entry.rank = position if value_of(entry) is not None else None
        if entry.rank is None and entry.reason is None and primary is not None:
            entry.reason = entry.doubtful.get(primary) or _missing(entry, column, columns)
    for col in columns:
        values = [v for v in (e.rankable(col.key) for e in ranked if e.reason is None)
                  if v is not None]
        if not values:
            continue
        best = min(values) if col.lower_is_better else max(values)
        for entry in ranked:
            if entry.reason is None and entry.rankable(col.key) == best:
                entry.best.add(col.key)
    return ranked


def _missing(entry: Entry, column: Column | None, columns: list[Column]) -> str:
    name = column.name if column else "the primary metric"
    given = [c.name for c in columns if entry.value(c.key) is not None]
    written = f"; it gives {', '.join(given)}" if given else ""
    return f"no value for {name}{written}"


def _entries(report: Report, own: bool, cross: Doubts | None = None,
             dataset: str = "") -> list[Entry]:
    results = report.tables.results
    rows: tuple[ResultRow, ...] = results.rows if results else ()
    within = column_doubts(results) if results else {}
    entries = []
    for row in rows:
        if row.own != own:
            continue
        doubtful = {key: why for (line, key), why in within.items() if line == row.line}
        if own and cross:
            doubtful.update({key: why for (rid, ds, key), why in cross.items()
                             if rid == id(report) and ds == dataset})
        entries.append(Entry(report, row.model, row.own, row.metrics, doubtful=doubtful))
    return entries


def _no_row(report: Report, settings: Settings) -> str | None:
    """Why a report of the dataset has no row on its leaderboard (None: it has one)."""
    if report.draft and not settings.drafts_on_leaderboards:
        return "a draft (drafts are left out: option drafts.on_leaderboards)"
    if report.tables.results is None:
        return "no results table (5.1)"
    if report.own_row is None:
        return "no row of its own model in the results table"
    return None


def leaderboards(archive: Archive) -> list[Leaderboard]:
    """One leaderboard per dataset that has at least one report.

    No report of the dataset is left out without a word: a report without a
    row to rank, or whose value cannot be ranked, is listed with the reason.
    """
    settings = archive.settings
    groups: dict[str, list[Report]] = {}
    for report in archive.newest_first():
        for key in dict.fromkeys(dataset_key(d, settings.dataset_aliases)
                                 for d in report.datasets):
            groups.setdefault(key, []).append(report)
    names = archive.dataset_names()
    doubts = scale_doubts(archive.reports, settings)
    boards = []
    for key, reports in sorted(groups.items(), key=lambda i: names[i[0]].casefold()):
        unranked = [(r, why) for r in reports if (why := _no_row(r, settings)) is not None]
        shown = [r for r in reports if _no_row(r, settings) is None]
        own = [e for r in shown for e in _entries(r, True, doubts, key)]
        baselines = [e for r in shown for e in _entries(r, False)]
        columns = _columns(own + baselines, len(shown), settings)
        primary = _primary(names[key], shown, columns, settings)
        boards.append(Leaderboard(names[key], archive.dataset_slugs[key], primary, columns,
                                  rank(own, columns, primary), rank(baselines, columns, primary),
                                  unranked))
    return boards


@dataclass
class Comparison:
    spec: ComparisonSpec
    reports: list[Report]
    columns: list[Column]
    rows: list[Entry]
    missing_paths: list[str]


def select(archive: Archive, spec: ComparisonSpec) -> tuple[list[Report], list[str]]:
    """The reports a declared comparison chooses, and the paths it names that do not exist."""
    settings = archive.settings
    by_path = {r.path: r for r in archive.reports}
    chosen = [by_path[p] for p in dict.fromkeys(spec.paths) if p in by_path]
    taken = {id(r) for r in chosen}
    missing = [p for p in spec.paths if p not in by_path]
    wanted_tags = [tag_name(t).casefold() for t in spec.tags]
    wanted_sets = {dataset_key(d, settings.dataset_aliases) for d in spec.datasets}
    if wanted_tags or wanted_sets:
        for report in archive.newest_first():
            tags = [tag_name(t).casefold() for t in report.tags]
            tag_ok = not wanted_tags or any(
                t == w or t.startswith(w + "/") for t in tags for w in wanted_tags)
            sets = {dataset_key(d, settings.dataset_aliases) for d in report.datasets}
            set_ok = not wanted_sets or bool(sets & wanted_sets)
            if tag_ok and set_ok and id(report) not in taken:
                chosen.append(report)
                taken.add(id(report))
    return chosen, missing


def declared(archive: Archive) -> list[Comparison]:
    result = []
    for spec in archive.settings.comparisons:
        reports, missing = select(archive, spec)
        own = [e for r in reports for e in _entries(r, True)]
        columns = _columns(own, len(reports), archive.settings, spec.metrics)
        primary = columns[0].key if columns else None
        result.append(Comparison(spec, reports, columns, rank(own, columns, primary), missing))
    return result


@dataclass(frozen=True)
class SideRow:
    """One row of a table across reports: the value of each (None where it has none)."""

    name: str
    values: list[str | None]
    same: bool


def side_by_side(reports: list[Report], section: str) -> list[SideRow]:
    """Rows of one table (hyperparameters, model card, compute, objectives) across reports.

    Names are matched ignoring case; a report without the row shows None.
    """
    names: dict[str, str] = {}
    per_report: list[dict[str, str]] = []
    for report in reports:
        values = _flat(report, section)
        per_report.append({k.casefold(): v for k, v in values.items()})
        for name in values:
            names.setdefault(name.casefold(), name)
    rows = []
    for folded, name in names.items():
        cells = [table.get(folded) for table in per_report]
        present = [v for v in cells if v is not None]
        same = len(present) == len(cells) and len({" ".join(v.split()).casefold()
                                                    for v in present}) == 1
        rows.append(SideRow(name, cells, same))
    return rows


def _flat(report: Report, section: str) -> dict[str, str]:
    tables = report.tables
    if section == "hyperparameters":
        return {h.name: h.value for h in tables.hyperparameters or ()}
    if section == "compute":
        return dict(tables.compute.items.items) if tables.compute else {}
    if section == "objectives":
        items = tables.objectives.items if tables.objectives else ()
        return {item.objective: item.status_text for item in items}
    if section == "model_card":
        return dict(tables.model_card.items) if tables.model_card else {}
    raise ValueError(f"no side-by-side view of {section}")


class MetricDiff(TypedDict):
    key: str
    name: str
    lower_is_better: bool
    percent: bool
    values: list[float | None]
    texts: list[str]
    deltas: list[float | None]


class ParameterDiff(TypedDict):
    name: str
    values: list[str | None]


class ComparedReport(TypedDict):
    path: str
    title: str
    model: str | None


class ReportDiff(TypedDict):
    """What `report-archive compare` prints (its `--format json` output)."""

    reports: list[ComparedReport]
    metrics: list[MetricDiff]
    hyperparameters: list[ParameterDiff]


def compare_reports(reports: list[Report], settings: Settings) -> ReportDiff:
    """Metrics with their difference to the first report, and hyperparameters that differ.

    What `report-archive compare` prints, as data (like `dvc metrics diff` and
    `dvc params diff` together).
    """
    own = [e for r in reports for e in _entries(r, True)]
    by_report = {id(e.report): e for e in own}
    columns = _columns(own, len(reports), settings)
    metrics: list[MetricDiff] = []
    for column in columns:
        entries = [by_report.get(id(r)) for r in reports]
        values = [e.value(column.key) if e else None for e in entries]
        base = values[0]
        deltas = [None if base is None or v is None else v - base for v in values]
        texts = [e.text(column) if e else "—" for e in entries]
        metrics.append({"key": column.key, "name": column.name,
                        "lower_is_better": column.lower_is_better, "percent": column.percent,
                        "values": values, "texts": texts, "deltas": deltas})
    hyperparameters: list[ParameterDiff] = [
        {"name": row.name, "values": row.values}
        for row in side_by_side(reports, "hyperparameters") if not row.same]
    return {
        "reports": [{"path": r.path, "title": r.title,
                     "model": r.own_row.model if r.own_row else None} for r in reports],
        "metrics": metrics,
        "hyperparameters": hyperparameters,
    }


def delta_text(delta: float | None, metric: MetricDiff) -> str:
    if delta is None:
        return ""
    if metric["percent"]:
        return f"{delta * 100:+.3g} pt"
    return f"{delta:+.4g}"
