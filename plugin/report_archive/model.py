"""The typed report model: a report's fields and the template's tables as data.

`tables.py` reads the tables of a report into these types, `report.py` reads a
whole file into a `Report`; everything after (sanity checks, comparisons,
pages, feeds, search entries, `reports.json`) reads these attributes. Tables
are frozen: a report read once is shared by every page of a build and kept
between `serve` rebuilds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from .diagnostics import Diagnostic
from .tracking import RunRef


@dataclass(frozen=True)
class Metric:
    """A normalised metric cell: percentages become fractions, the spread is kept."""

    value: float | None
    spread: float | None
    raw: str  # the cell as written
    percent: bool = False  # written as a percentage


@dataclass(frozen=True)
class KeyValues:
    """A two-column table of names and values (dataset card, model card, compute)."""

    items: dict[str, str]

    def get(self, name: str) -> str:
        """The value of a row, its name matched ignoring case (the last such row)."""
        folded = name.casefold()
        return next((v for k, v in reversed(self.items.items()) if k.casefold() == folded), "")


@dataclass(frozen=True)
class Split:
    split: str
    size: str
    examples: int | None
    percentage: str
    fraction: float | None


@dataclass(frozen=True)
class Hyperparameter:
    name: str
    value: str
    number: float | None
    rationale: str


@dataclass(frozen=True)
class Compute:
    items: KeyValues
    hardware: str
    training_time: str
    training_hours: float | None
    cost: str
    cost_usd: float | None


@dataclass(frozen=True)
class ResultRow:
    """One model of the results table: the report's own, or a baseline it cites."""

    model: str
    own: bool
    line: int  # in the source file, for diagnostics
    metrics: dict[str, Metric]  # by metric key
    columns: dict[str, int] = field(default_factory=dict)  # each metric cell's column

    def value(self, key: str) -> float | None:
        metric = self.metrics.get(key)
        return metric.value if metric else None


@dataclass(frozen=True)
class Results:
    """Table 5.1: metric columns (key to display name) and one row per model."""

    line: int  # in the source file, for diagnostics
    metrics: dict[str, str]
    rows: tuple[ResultRow, ...]

    @cached_property
    def own(self) -> ResultRow | None:
        """The row of the report's own model (asked for by every card and listing)."""
        return next((row for row in self.rows if row.own), None)

    def name(self, key: str) -> str:
        return self.metrics.get(key, key)


@dataclass(frozen=True)
class AblationRow:
    configuration: str
    score: float | None
    change: float | None
    score_text: str
    change_text: str


@dataclass(frozen=True)
class InferenceRow:
    batch_size: str
    latency: str
    throughput: str
    latency_ms: float | None
    throughput_per_s: float | None


@dataclass(frozen=True)
class Objective:
    objective: str
    status: str | None  # met, partial, not-met; None when the cell says none of these
    status_text: str
    notes: str


@dataclass(frozen=True)
class Objectives:
    items: tuple[Objective, ...]

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)


@dataclass(frozen=True)
class NextSteps:
    done: int
    total: int


@dataclass(frozen=True)
class Tables:
    """The data tables of the template; None where the report has no such table."""

    dataset_card: KeyValues | None = None
    splits: tuple[Split, ...] | None = None
    model_card: KeyValues | None = None
    hyperparameters: tuple[Hyperparameter, ...] | None = None
    compute: Compute | None = None
    results: Results | None = None
    ablation: tuple[AblationRow, ...] | None = None
    inference: tuple[InferenceRow, ...] | None = None
    objectives: Objectives | None = None
    next_steps: NextSteps | None = None


@dataclass(frozen=True)
class Provenance:
    """Where a report's numbers come from: tracker runs (first: the own model's) and code."""

    runs: tuple[RunRef, ...] = ()
    run_lines: tuple[int, ...] = ()  # the front matter line of each run, for diagnostics
    repository: str | None = None
    commit: str | None = None

    @property
    def code(self) -> bool:
        return bool(self.repository or self.commit)


@dataclass(eq=False)
class Report:
    """One Markdown file of the archive; `is_report` is False for plain pages."""

    path: str
    is_report: bool = False
    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    updated: str | None = None
    status: str | None = None
    tags: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    summary: str = ""
    primary_metric: str | None = None
    tables: Tables = field(default_factory=Tables)
    provenance: Provenance = field(default_factory=Provenance)
    headings: list[str] = field(default_factory=list)  # section and subsection titles
    diagnostics: list[Diagnostic] = field(default_factory=list)
    readable: bool = True
    # Rules the report turns off for itself (`<!-- report-archive-disable ... -->`).
    disabled: frozenset[str] = frozenset()
    # Relative links to other files, as (line, column, target), for the archive's link check.
    links: list[tuple[int, int, str]] = field(default_factory=list)
    # Line of each front matter key, for diagnostics found across reports.
    key_lines: dict[str, int] = field(default_factory=dict)

    @property
    def draft(self) -> bool:
        return self.is_report and self.readable and self.status == "draft"

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def own_row(self) -> ResultRow | None:
        """The row of the report's own model in its results table."""
        return self.tables.results.own if self.tables.results else None

    def metric_name(self, key: str) -> str:
        """The display name of a metric as this report's results table writes it."""
        return self.tables.results.name(key) if self.tables.results else key


def newest_first(reports: Iterable[Report]) -> list[Report]:
    return sorted(reports, key=lambda r: (r.date or "", r.title, r.path), reverse=True)
