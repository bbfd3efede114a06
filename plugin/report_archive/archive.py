"""The archive as a whole: discovery, slugs, tag and dataset indexes."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .archive_limits import check_archive_tags
from .diagnostics import Collector, Diagnostic, sort_key
from .model import Report
from .parallel import fork_map
from .report import read_report
from .sanity import check_scales
from .settings import Settings
from .values import dataset_key

_SYMBOL_WORDS = {"+": " plus ", "#": " sharp ", "&": " and ", "@": " at "}
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                     *(f"lpt{i}" for i in range(10))}
MAX_SLUG = 64


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by `-`; never empty, never a path, at most 64 chars."""
    spelled = "".join(_SYMBOL_WORDS.get(char, char) for char in text)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    if not slug:
        return f"tag-{digest}"
    if len(slug) > MAX_SLUG:
        slug = f"{slug[:MAX_SLUG - 9].rstrip('-')}-{digest}"
    if slug in _WINDOWS_RESERVED:
        slug = f"{slug}-tag"
    return slug


def assign_slugs(names: Iterable[str]) -> dict[str, str]:
    """Give each distinct name its own slug, even when two names slug alike.

    The name spelled exactly as its slug (or else the first in sorted order)
    keeps the plain slug; the others get a suffix from a hash of their exact
    text, so their URLs do not depend on the order reports are read.
    """
    groups: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        groups.setdefault(slugify(name), []).append(name)
    slugs: dict[str, str] = {}
    taken = set(groups)
    for slug, members in groups.items():
        members.sort(key=lambda n: (n != slug, n))
        slugs[members[0]] = slug
        for name in members[1:]:
            candidate = f"{slug[:MAX_SLUG - 9]}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"
            while candidate in taken:
                candidate += "x"
            taken.add(candidate)
            slugs[name] = candidate
    return slugs


def discover(root: Path) -> list[Path]:
    """Markdown files under `root` as MkDocs sees them (no dot-files, no root templates/)."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not (here == root and d == "templates"))
        found.extend(here / f for f in sorted(files) if f.endswith(".md") and not f.startswith("."))
    return found


def unreadable_report(path: str, error: OSError) -> Report:
    """A file the system cannot read: named in an error, never dropped."""
    report = Report(path=path, readable=False, is_report=True)
    out = Collector(path)
    out.add("file-encoding", f"file cannot be read: {error.strerror or error}", None,
            hint="Check the file's permissions.")
    report.diagnostics = out.items
    return report


def _read_one(job: tuple[str, str, Settings]) -> Report:
    path, shown, settings = job
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return unreadable_report(shown, exc)
    return read_report(raw, shown, settings)


def read_files(files: list[tuple[Path, str]], settings: Settings, jobs: int = 1) -> list[Report]:
    """Read many files, in parallel processes when `jobs` > 1 and there are enough files."""
    work = [(str(path), shown, settings) for path, shown in files]
    if jobs > 1 and len(work) >= 200:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(_read_one, work, chunksize=64))
    return [_read_one(job) for job in work]


def _read_item(settings: Settings, item: tuple[bytes, str]) -> Report:
    return read_report(item[0], item[1], settings)


def read_many(items: list[tuple[bytes, str]], settings: Settings) -> list[Report]:
    """Read files already in memory, on every core when there are many."""
    return fork_map(_read_item, items, settings)


@dataclass
class Tag:
    """A tag and its page; `vision/detection` is a child of `vision`."""

    name: str  # the full tag, segments joined by "/"
    label: str  # its last segment
    slug: str  # path below tags/: "vision/detection"
    parent: str | None
    children: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)  # tagged with exactly this tag
    all_reports: list[Report] = field(default_factory=list)  # this tag and its descendants


def tag_name(tag: str) -> str:
    """The canonical form of a tag: `/`-separated segments, blank segments dropped."""
    segments = [" ".join(s.split()) for s in tag.split("/")]
    segments = [s for s in segments if s]
    return "/".join(segments) if segments else " ".join(tag.split())


def build_tags(reports: list[Report]) -> dict[str, Tag]:
    """Every tag with its ancestors, slugs unique among siblings, reports newest first."""
    tags: dict[str, Tag] = {}
    for report in reports:
        for name in dict.fromkeys(tag_name(raw) for raw in report.tags):
            parts = name.split("/") if "/" in name else [name]
            for depth in range(1, len(parts) + 1):
                full = "/".join(parts[:depth])
                if full not in tags:
                    parent = "/".join(parts[:depth - 1]) or None
                    tags[full] = Tag(full, parts[depth - 1], "", parent)
                    if parent is not None:
                        tags[parent].children.append(full)
            tags[name].reports.append(report)
    siblings: dict[str | None, list[str]] = {}
    for tag in tags.values():
        siblings.setdefault(tag.parent, []).append(tag.name)
    for names in siblings.values():
        slugs = assign_slugs(tags[n].label for n in names)
        for name in names:
            tags[name].slug = slugs[tags[name].label]
    for name in sorted(tags, key=lambda n: n.count("/")):
        tag = tags[name]
        if tag.parent is not None:
            tag.slug = f"{tags[tag.parent].slug}/{tag.slug}"
    for tag in tags.values():
        tag.children.sort(key=str.casefold)
        found: dict[int, Report] = {}
        stack = [tag.name]
        while stack:
            current = tags[stack.pop()]
            found.update((id(r), r) for r in current.reports)
            stack.extend(current.children)
        tag.all_reports = newest_first(found.values())
        tag.reports = newest_first(tag.reports)
    return dict(sorted(tags.items(), key=lambda item: item[0].casefold()))


def newest_first(reports: Iterable[Report]) -> list[Report]:
    return sorted(reports, key=lambda r: (r.date or "", r.title, r.path), reverse=True)


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

    def __post_init__(self) -> None:
        self._reports = [r for r in self.files if r.is_report and r.readable]
        self._newest = newest_first(self._reports)
        self.tags = build_tags(self._reports)
        self.cross = check_scales(self.reports, self.settings)
        for key, found in check_archive_tags(self._reports, tag_name).items():
            self.cross.setdefault(key, []).extend(found)
        self.unmatched = missing_comparison_paths(self._reports, self.settings)
        names = self.dataset_names()
        # Two datasets whose names slug alike still get two leaderboards.
        slugs = assign_slugs(names.values())
        self.dataset_slugs = {key: slugs[name] for key, name in names.items()}

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
        }
