"""What `report-archive check` read last time, kept on disk, as linters keep theirs.

A file is read again unless its bytes, its path, the options and the package
(its version and every one of its source files) are the ones it was read with:
the cache is keyed by all of them, so it can make `check` faster but never
change what it reports. It lives in the user's cache folder
(`$XDG_CACHE_HOME/report-archive`, else `~/.cache/report-archive`), one file
per project and set of options, and never in the repository, so a file that
arrives with a change under review cannot pose as one.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

from .discovery import unreadable_report
from .filesystem import read_bounded
from .model import Report
from .report import read_report
from .settings import Settings

FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "report-archive"


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def package_signature() -> str:
    """The package as it is installed now: its version and each source file's size and time."""
    parts = [str(FORMAT), sys.version]
    with suppress(Exception):
        from importlib.metadata import version
        parts.append(version("mkdocs-report-archive"))
    for folder, dirs, names in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".json", ".md", ".html", ".yml", ".yaml")):
                stat = os.stat(os.path.join(folder, name))
                parts.append(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return _digest("\n".join(parts).encode("utf-8"))


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Loading a cache makes hundreds of thousands of objects and no garbage. The cycle
    collector waits meanwhile, and the objects loaded are then left out of its scans
    for good (`gc.freeze`): scanning them again and again took as long as the load."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


class CheckCache:
    """Reports by (path shown, content digest), for one project and one set of options."""

    def __init__(self, settings: Settings, project: str, folder: Path | None = None) -> None:
        key = _digest(f"{package_signature()}\n{settings!r}\n{project}".encode())
        self.path = (folder or cache_folder()) / f"check-{key}.pickle"
        self.entries: dict[tuple[str, str], Report] = {}
        with suppress(Exception), _no_cycle_collection():  # missing, or stale: start empty
            with open(self.path, "rb") as handle:
                loaded = pickle.load(handle)
            if isinstance(loaded, dict):
                self.entries = loaded

    def save(self, entries: dict[tuple[str, str], Report]) -> None:
        """Keep exactly these entries (the files of this run), written atomically."""
        with suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    pickle.dump(entries, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.path)
            except OSError:
                with suppress(OSError):
                    os.unlink(temporary)


class DrawnCharts:
    """Charts drawn by earlier builds, as SVG files in the user's cache folder, by their
    data, the package and the chart library's version: an archive whose leaderboards
    did not change starts no chart library at all."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = (folder or cache_folder()) / "charts"
        library = "none"
        with suppress(Exception):
            from importlib.metadata import version
            library = version("matplotlib")
        self.salt = f"{package_signature()}\n{library}\n"

    def _path(self, key: str) -> Path:
        return self.folder / f"{_digest((self.salt + key).encode('utf-8'))}.svg"

    def get(self, key: str) -> str | None:
        try:
            return self._path(key).read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None

    def put(self, key: str, svg: str) -> None:
        with suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(svg)
            os.replace(temporary, self._path(key))


def _read_raw(job: tuple[bytes, str, Settings]) -> Report:
    raw, shown, settings = job
    return read_report(raw, shown, settings)


def _chunks(items: list[tuple[bytes, str, Settings]], jobs: int) -> Iterator[Report]:
    if jobs > 1 and len(items) >= 200:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            yield from pool.map(_read_raw, items, chunksize=32)
    else:
        yield from map(_read_raw, items)


def read_files_cached(files: list[tuple[Path, str]], settings: Settings, jobs: int,
                      cache: CheckCache) -> list[Report]:
    """`discovery.read_files`, with every unchanged file taken from `cache`."""
    limit = settings.limits.max_file_bytes
    reports: list[Report | None] = []
    keys: list[tuple[str, str] | None] = []
    missing: list[tuple[int, bytes, str]] = []
    for path, shown in files:
        try:
            raw = read_bounded(str(path), limit)
        except OSError as exc:
            reports.append(unreadable_report(shown, exc))
            keys.append(None)
            continue
        key = (shown, _digest(raw))
        keys.append(key)
        found = cache.entries.get(key)
        reports.append(found)
        if found is None:
            missing.append((len(reports) - 1, raw, shown))
    fresh = _chunks([(raw, shown, settings) for _, raw, shown in missing], jobs)
    for (index, _, _), report in zip(missing, fresh, strict=True):
        reports[index] = report
    done = [r for r in reports if r is not None]
    assert len(done) == len(reports)
    kept = {key: report for key, report in zip(keys, done, strict=True) if key is not None}
    if missing or kept.keys() != cache.entries.keys():  # unchanged: nothing to write
        cache.save(kept)
    return done


__all__ = ["CheckCache", "DrawnCharts", "cache_folder", "package_signature", "read_files_cached"]
