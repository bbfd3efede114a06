"""Loading a project as MkDocs does, for the command line: its configuration and its files.

`report-archive check` judges exactly as the build because it reads the
configuration with MkDocs' own loader (`INHERIT`, `!ENV`, `mkdocs.yml` or
`mkdocs.yaml`, the plugin's options through the same schema) and finds the
Markdown files with MkDocs' own discovery (`exclude_docs`, `draft_docs`,
dot-files, a root `templates/`). Nothing here builds the site or runs a plugin
event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from mkdocs.structure.files import File, Files, get_files

from .adapter import clashes, material_tags, own_tag_index
from .archive import Archive
from .build import SiteBuild
from .config import ReportArchiveConfig, to_settings
from .diagnostics import Diagnostic
from .filesystem import vet
from .settings import Settings
from .urls import HOME

PLUGIN_NAME = "report-archive"
# The names MkDocs tries, in this order, when no file is given (mkdocs/config/base.py).
DEFAULT_CONFIG_FILES = ("mkdocs.yml", "mkdocs.yaml")


class ProjectError(Exception):
    """The configuration cannot be loaded; the message is one line for the user."""


@dataclass(frozen=True)
class Project:
    """A loaded configuration: where the archive is, our settings, what MkDocs warned."""

    config: MkDocsConfig
    config_file: Path
    docs_dir: Path
    settings: Settings
    warnings: tuple[str, ...]

    @property
    def strict(self) -> bool:
        """`strict: true` in the configuration: warnings fail the build."""
        return bool(self.config.strict)

    def documents(self) -> tuple[list[tuple[Path, str]], list[str], list[Diagnostic]]:
        """The Markdown pages MkDocs would build, as (file, path in docs_dir), its warnings,
        and the files left out as the build leaves them out (links out of the archive,
        pipes, devices).

        The same files the plugin reads in the build (`Files.documentation_pages`).
        """
        files, warned = self._found
        rejected, named = vet(((f.src_uri, f.abs_src_path) for f in files if f.abs_src_path),
                              self.config.docs_dir)
        pages = [(Path(f.abs_src_path), f.src_uri) for f in files.documentation_pages()
                 if f.abs_src_path is not None and f.src_uri not in rejected]
        return pages, warned, named

    @cached_property
    def _found(self) -> tuple[Files, list[str]]:
        """MkDocs' files of the project, found once, and what MkDocs warned on the way."""
        with _mkdocs_log() as records:
            files = get_files(self.config)
        return files, _messages(records, logging.WARNING)


    def site_files(self) -> frozenset[str]:
        """Every file MkDocs would put in the site (pages, images, ...), by path in docs_dir.

        Links from reports are checked against these, as MkDocs checks them in the build.
        """
        files, _ = self._found
        return frozenset(f.src_uri for f in files)

    def clashes(self, archive: Archive) -> list[Diagnostic]:
        """Files of the archive at the URL of a page the plugin would generate, as the build
        finds them (`page-clash`)."""
        files, _ = self._found
        site = SiteBuild()
        site.start(self.settings)
        site.archive = archive
        theirs = material_tags(self.config) and own_tag_index(files) is not None
        planned = site.plan(site_name=self.config.site_name, tag_index=not theirs,
                            has_home=files.get_file_from_path(HOME) is not None)
        return clashes(files, self.config, [f.src_uri for f in planned])

    def page_address(self, src_uri: str) -> str | None:
        """A page's full address under `site_url`, as MkDocs makes it; None without one."""
        site_url = self.config.site_url
        if not site_url:
            return None
        url = File(src_uri, str(self.docs_dir), str(self.config.site_dir),
                   bool(self.config.use_directory_urls)).url
        return str(site_url).rstrip("/") + "/" + url.lstrip("./")


def find_config_file(given: str | None) -> Path | None:
    """The configuration file to load: the one given, else MkDocs' default names here."""
    if given is not None:
        return Path(given)
    return next((Path(n) for n in DEFAULT_CONFIG_FILES if Path(n).is_file()), None)


def load_project(config_file: Path) -> Project:
    """Load the configuration with MkDocs' loader; raise ProjectError with one line."""
    with _mkdocs_log() as records:
        try:
            config = load_config(config_file=str(config_file))
        except MkDocsException as exc:
            errors = _messages(records, logging.ERROR) or [exc.format_message()]
            raise ProjectError(f"{config_file}: {_one_line('; '.join(errors))}") from exc
    plugin = config.plugins.get(PLUGIN_NAME)
    options = getattr(plugin, "config", None)
    settings = to_settings(options) if isinstance(options, ReportArchiveConfig) else Settings()
    # Templates and icons named in front matter are looked up where the theme finds them.
    settings = replace(settings, theme_dirs=tuple(config.theme.dirs))
    return Project(config, config_file, Path(config.docs_dir), settings,
                   tuple(_messages(records, logging.WARNING)))


@contextmanager
def _mkdocs_log() -> Iterator[list[logging.LogRecord]]:
    """Collect what MkDocs logs instead of letting it reach the terminal unformatted."""
    logger = logging.getLogger("mkdocs")
    records: list[logging.LogRecord] = []
    handler = _Collect(records)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _messages(records: list[logging.LogRecord], level: int) -> list[str]:
    """Messages of exactly this level (warnings apart from errors)."""
    return [_one_line(r.getMessage()) for r in records if r.levelno == level]


def _one_line(text: str) -> str:
    return "; ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
