"""Shared helpers: whole-site builds with real MkDocs and Material in a temporary folder."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DOCS = ROOT / "reports"
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass
class Build:
    site: Path
    docs: Path
    logs: list[logging.LogRecord] = field(default_factory=list)
    error: Exception | None = None

    def messages(self, level: int = logging.WARNING) -> list[str]:
        return [r.getMessage() for r in self.logs if r.levelno >= level]

    def page(self, url_path: str) -> str:
        """The HTML of a site path such as 'tags/nlp/' (either URL mode)."""
        target = self.site / url_path
        if url_path.endswith("/") or not url_path:
            target = target / "index.html"
        return target.read_text(encoding="utf-8")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def write_config(tmp: Path, docs: Path, **overrides: Any) -> Path:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(docs)
    config["site_dir"] = str(tmp / "site")
    config["theme"]["custom_dir"] = str(ROOT / "overrides")
    plugin_options = overrides.pop("plugin_options", None)
    if plugin_options is not None:
        config["plugins"] = ["search", {"report-archive": plugin_options}]
    config.update(overrides)
    path = tmp / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def build_site(tmp: Path, docs: Path | None = None, *, command: str = "build",
               **overrides: Any) -> Build:
    """Build a site with the real MkDocs build, as `mkdocs build` (or `serve`) would."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    tmp.mkdir(parents=True, exist_ok=True)
    docs = docs or copy_archive(tmp)
    config_file = write_config(tmp, docs, **overrides)
    handler = _Capture()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    result = Build(site=tmp / "site", docs=docs)
    try:
        config = load_config(str(config_file))
        config.plugins.on_startup(command=command, dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except Exception as exc:  # the test inspects what failed
        result.error = exc
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
    result.logs = handler.records
    return result


def copy_archive(tmp: Path, source: Path = EXAMPLE_DOCS) -> Path:
    docs = tmp / "docs"
    shutil.copytree(source, docs)
    return docs


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The example archive built once, with directory URLs."""
    tmp = tmp_path_factory.mktemp("example")
    result = build_site(tmp, site_url="https://example.github.io/archive/")
    assert result.error is None, result.error
    return result


@pytest.fixture(scope="session")
def example_site_flat(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The example archive built once with `use_directory_urls: false`."""
    tmp = tmp_path_factory.mktemp("example-flat")
    result = build_site(tmp, use_directory_urls=False)
    assert result.error is None, result.error
    return result


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one per test module."""
    from browser import launch_browser

    manager, chromium = launch_browser()
    yield chromium
    chromium.close()
    manager.stop()


@pytest.fixture
def chdir() -> Iterator[Any]:
    start = Path.cwd()

    def go(path: Path) -> None:
        os.chdir(path)

    yield go
    os.chdir(start)


def python() -> str:
    return sys.executable


_SITE_FIXTURES = {"example_site", "example_site_flat"}
# Whole-site builds, and 2 MB adversarial inputs: not for the inner loop.
_SITE_MODULES = {"test_build", "test_site_pages", "test_security", "test_robust", "test_linear",
                 "test_speedups"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Whole-site builds are `slow`: `make test-fast` runs the rest, the core's tests."""
    for item in items:
        module = item.module.__name__ if isinstance(item, pytest.Function) else ""
        if _SITE_FIXTURES & set(getattr(item, "fixturenames", ())) or module in _SITE_MODULES:
            item.add_marker(pytest.mark.slow)
