"""Finding and reading the archive's files, on every core when there are many."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .diagnostics import Collector
from .filesystem import read_bounded
from .model import Report
from .parallel import fork_map
from .report import read_report
from .settings import Settings


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
        raw = read_bounded(path, settings.limits.max_file_bytes)
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
