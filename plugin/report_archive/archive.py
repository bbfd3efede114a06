"""The archive as a whole: its reports, their tag and dataset indexes, and cross-report checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from .archive_limits import check_archive_tags
from .cross_checks import check_links, check_tag_spellings
from .diagnostics import Collector, Diagnostic, sort_key
from .model import Report, newest_first
from .policy import apply_rules
from .sanity import check_metric_names, check_scales
from .settings import Settings
from .slugs import assign_slugs
from .tags import Tag, build_tags, tag_name
from .urls import generated_path
from .values import dataset_key


def missing_comparison_paths(reports: list[Report], settings: Settings) -> list[Diagnostic]:
    """A warning for each path a declared comparison names that is no report of the archive.

    The diagnostic is placed at the path as named (relative to docs_dir).
    """
    known = {r.path for r in reports}
    found: list[Diagnostic] = []
    for spec in settings.comparisons:
        for path in dict.fromkeys(spec.paths):
            if path not in known:
                out = Collector(path)
                out.add("comparison-path-missing", f"comparison '{spec.name}' names '{path}', "
                        "which is not a report of the archive")
                found.extend(out.items)
    return found


@dataclass
class Archive:
    """Every file read, with the indexes the generated pages are made from."""

    files: list[Report]
    settings: Settings
    tags: dict[str, Tag] = field(default_factory=dict)
    dataset_slugs: dict[str, str] = field(default_factory=dict)
    # Problems found across reports (by id of the report), kept apart from each
    # report's own so that a report cached between `serve` rebuilds stays as read.
    cross: dict[int, list[Diagnostic]] = field(default_factory=dict)
    # Whether a path (relative to docs_dir, or as named on the command line) is a file
    # of the site: links from reports are checked against it. None: links are not checked.
    known_files: Callable[[str], bool] | None = None

    def __post_init__(self) -> None:
        self._reports = [r for r in self.files if r.is_report and r.readable]
        self._newest = newest_first(self._reports)
        self.tags = build_tags(self._reports)
        self.cross = check_scales(self.reports, self.settings)
        checks = [check_archive_tags(self._reports, tag_name), check_tag_spellings(self._reports),
                  check_metric_names(self._reports, self.settings)]
        if self.known_files is not None:
            known = self.known_files
            checks.append(check_links(self._reports, lambda p: known(p) or generated_path(p)))
        for check in checks:
            for key, found in check.items():
                self.cross.setdefault(key, []).extend(found)
        self.unmatched = apply_rules(missing_comparison_paths(self._reports, self.settings),
                                     self.settings.rules)
        by_id = {id(r): r for r in self._reports}
        self.cross = {key: apply_rules(found, self.settings.rules, by_id[key].disabled)
                      for key, found in self.cross.items() if key in by_id}
        names = self.dataset_names()
        # Two datasets whose names slug alike still get two leaderboards.
        slugs = assign_slugs(names.values())
        self.dataset_slugs = {key: slugs[name] for key, name in names.items()}
        self._keep_comparison_urls(names)

    def _keep_comparison_urls(self, names: dict[str, str]) -> None:
        """A dataset slugged like a declared comparison moves aside, with a warning on its
        reports: one author's dataset name never takes a page the site declares."""
        declared = {spec.name for spec in self.settings.comparisons}
        taken = declared | set(self.dataset_slugs.values())
        for key, slug in list(self.dataset_slugs.items()):
            if slug not in declared:
                continue
            moved = f"{slug}-dataset"
            while moved in taken:
                moved += "-1"
            taken.add(moved)
            self.dataset_slugs[key] = moved
            for report in self.by_dataset.get(key, []):
                out = Collector(report.path)
                out.add("dataset-slug-taken", f"dataset '{names[key]}' would have the "
                        f"leaderboard compare/{slug}/, which the declared comparison '{slug}' "
                        f"uses; its leaderboard is at compare/{moved}/", None)
                found = apply_rules(out.items, self.settings.rules, report.disabled)
                self.cross.setdefault(id(report), []).extend(found)

    @property
    def reports(self) -> list[Report]:
        """Files that are reports and can be published (readable, typed as a report)."""
        return self._reports

    def tag_of(self, raw: str) -> Tag:
        """The tag object of a tag as a report writes it."""
        return self.tags[tag_name(raw)]

    def problems(self, report: Report) -> list[Diagnostic]:
        """A report's own diagnostics and those found by comparing it with others."""
        return report.diagnostics + self.cross.get(id(report), [])

    @property
    def diagnostics(self) -> list[Diagnostic]:
        found = [d for r in self.files for d in self.problems(r)]
        return sorted(found + self.unmatched, key=sort_key)

    def newest_first(self, reports: Iterable[Report] | None = None) -> list[Report]:
        return list(self._newest) if reports is None else newest_first(reports)

    @cached_property
    def position(self) -> dict[int, int]:
        """Each report's place in the newest-first order, by id."""
        return {id(r): i for i, r in enumerate(self._newest)}

    @cached_property
    def by_dataset(self) -> dict[str, list[Report]]:
        """Reports of each dataset (by its matching key), newest first."""
        index: dict[str, list[Report]] = {}
        for report in self._newest:
            for key in dict.fromkeys(dataset_key(d, self.settings.dataset_aliases)
                                     for d in report.datasets):
                index.setdefault(key, []).append(report)
        return index

    def dataset_keys(self, report: Report) -> list[str]:
        return list(dict.fromkeys(dataset_key(d, self.settings.dataset_aliases)
                                  for d in report.datasets))

    def dataset_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for report in sorted(self.reports, key=lambda r: r.path):
            for name in report.datasets:
                names.setdefault(dataset_key(name, self.settings.dataset_aliases), name)
        return names

    @cached_property
    def _draft_paths(self) -> frozenset[str]:
        return frozenset(r.path for r in self._reports if r.draft)

    def lenient(self, diagnostic: Diagnostic) -> bool:
        """A draft report's warning, which `--strict` does not count (option `drafts.strict`)."""
        return (diagnostic.severity == "warning" and not self.settings.drafts_strict
                and diagnostic.path in self._draft_paths)

    def summary(self) -> dict[str, int]:
        """Counts for the build's closing line: every file is in exactly one bucket."""
        reports = [r for r in self.files if r.is_report]
        severities = [{d.severity for d in self.problems(r)} for r in reports]
        with_errors = [s for s in severities if "error" in s]
        with_warnings = [s for s in severities if s == {"warning"}]
        return {
            "files": len(self.files),
            "reports": len(reports),
            "valid": len(reports) - len(with_errors),
            "with_warnings": len(with_warnings),
            "with_errors": len(with_errors),
            "pages": len(self.files) - len(reports),
            "draft_warnings": sum(1 for d in self.diagnostics if self.lenient(d)),
        }
