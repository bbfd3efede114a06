"""The MkDocs adapter: the only module that imports MkDocs.

Every event starts by checking `enabled`; the work itself is done by the core
(reading, validation, indexes, page planning) on plain data.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from .archive import Archive, read_many, unreadable_report
from .charts import render_all
from .compare import comparison_json, declared
from .csp import add_policy
from .diagnostics import Diagnostic
from .pages import (
    ASSETS,
    BROWSE,
    COMPARE_INDEX,
    HOME,
    LISTING_MARKER,
    REPORTS_JSON,
    SCRIPT,
    STYLESHEET,
    TAG_INDEX,
    PlanError,
    card_context,
    home_section,
    plan_pages,
    related,
    strip_header_block,
)
from .parallel import MIN_ITEMS, Background, can_fork, fork_map
from .render import TEMPLATE_DIR, Renderer
from .report import Report
from .sanitize import safe_meta, sanitize_html
from .search_index import merge_into
from .settings import Settings, SettingsError

log = get_plugin_logger(__name__)

# Reports are written with pipe tables; nothing else is switched on for them, since
# extensions such as attr_list change how ordinary text renders ("{5e-5, 1e-4}").
_NEEDED_EXTENSIONS = ("tables",)


class ReportArchiveConfig(base.Config):  # type: ignore[no-untyped-call]
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from mkdocs.yml."""
    sections = c.Type(dict, default={})
    """`required` and `optional` lists of section names; the template's others are
    recommended (a warning when missing)."""
    metric_aliases = c.Type(dict, default={})
    """More names for metrics: `{"Acc@1": "Top-1 Accuracy"}`."""
    dataset_aliases = c.Type(dict, default={})
    """More names for datasets: `{"SST2-GLUE": "SST-2"}`."""
    lower_is_better = c.Type(list, default=[])
    """Metrics ranked ascending besides the built-in ones (loss, error, WER, ...)."""
    higher_is_better = c.Type(list, default=[])
    """Metrics ranked descending even if their name suggests otherwise."""
    primary_metrics = c.Type(dict, default={})
    """Per dataset, the metric leaderboards sort by: `{"SST-2": "Accuracy"}`."""
    limits = c.Type(dict, default={})
    """Input limits: max_file_bytes, max_table_rows, max_tag_length, max_yaml_nodes."""
    comparisons = c.Type(list, default=[])
    """Declared comparison pages."""
    nav = c.Type(dict, default={})
    """How reports appear in the navigation: `max_reports` (default 30)."""
    sanitize = c.Type(bool, default=True)
    """Remove script, event handlers and `javascript:` links from report pages."""


class ReportArchivePlugin(BasePlugin[ReportArchiveConfig]):  # type: ignore[no-untyped-call]
    """Validates the archive's reports and publishes their header cards, tag pages and data."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        # Parsed reports by (path, content hash), kept across `serve` rebuilds.
        self._cache: dict[tuple[str, int], Report] = {}
        self._cache_settings = Settings()
        # Drawn charts by (path, data), kept across `serve` rebuilds like the reports.
        self.chart_cache: dict[tuple[str, str], str] = {}
        self.warm = False
        self._reset()

    def _reset(self) -> None:
        self.settings = Settings()
        self.archive: Archive | None = None
        self.by_src: dict[str, Report] = {}
        self.generated: set[str] = set()
        self.listings: dict[str, str] = {}
        self.fragments: dict[str, tuple[str, str]] = {}
        self.pending: dict[str, int] = {}
        self.page_job: Background | None = None
        self.charts: _ChartJob | None = None
        self.chart_keys: dict[str, str] = {}
        self.links = _Links(Files([]), "")
        self.renderer = Renderer()
        self.started = 0.0
        self.own_time = 0.0

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether we are serving: then errors are shown on pages, not fatal."""
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Read our options and make our templates and Markdown extensions available."""
        if not self.config.enabled:
            return None
        self._reset()
        self.started = time.perf_counter()
        options = {k: v for k, v in self.config.items() if k != "enabled"}
        try:
            self.settings = Settings.from_mapping(options)
        except SettingsError as exc:
            raise PluginError(f"report-archive: {exc}") from exc
        self.settings = replace(self.settings, theme_dirs=tuple(map(str, config.theme.dirs)))
        if self.settings != self._cache_settings:
            self._cache.clear()
            self._cache_settings = self.settings
        if TEMPLATE_DIR not in config.theme.dirs:
            config.theme.dirs.append(TEMPLATE_DIR)
        for extension in _NEEDED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        if SCRIPT not in config.extra_javascript:
            config.extra_javascript.append(SCRIPT)
        self.renderer = Renderer(config.theme.dirs)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Read and validate every Markdown file once; add the generated pages.

        Priority: default (0). Runs before MkDocs reads any page, so a broken
        report fails the build before anything is rendered.
        """
        if not self.config.enabled:
            return None
        begin = time.perf_counter()
        pages = list(files.documentation_pages())
        keys: list[tuple[str, int]] = []
        missing: list[tuple[bytes, str]] = []
        for file in pages:
            try:
                raw = file.content_bytes
            except OSError as exc:
                key = (file.src_uri, hash(str(exc)))
                self._cache[key] = unreadable_report(file.src_uri, exc)
            else:
                key = (file.src_uri, hash(raw))
                if key not in self._cache:
                    missing.append((raw, file.src_uri))
            keys.append(key)
        for report, (raw, src_uri) in zip(read_many(missing, self.settings), missing,
                                          strict=True):
            self._cache[(src_uri, hash(raw))] = report
        reports = [self._cache[key] for key in keys]
        for file, report in zip(pages, reports, strict=True):
            if not report.readable:
                self._replace_unreadable(files, file, report, config)
        seen = set(keys)
        self._cache = {key: self._cache[key] for key in seen}
        archive = Archive(reports, self.settings)
        self.archive = archive
        self.by_src = {r.path: r for r in archive.reports}
        self._log(archive.diagnostics, config)
        counts = archive.summary()
        if counts["with_errors"] and not self.serving:
            log.info(self._summary_line())
            raise PluginError(
                f"{counts['with_errors']} of {counts['reports']} reports have errors (listed "
                "above); fix them, or run `report-archive check` to see them all again.")
        self._add_generated(files, archive, config)
        self.own_time += time.perf_counter() - begin
        return files

    def _replace_unreadable(self, files: Files, file: File, report: Report,
                            config: MkDocsConfig) -> None:
        # MkDocs would crash reading this file; serve a page that names the problem instead.
        # As HTML, not Markdown: a file name is never read as Markdown (links, code spans).
        content = "# Unreadable report\n\n<ul>\n" + "\n".join(
            f"<li><code>{html.escape(d.location())}</code>: {html.escape(d.message)}</li>"
            for d in report.diagnostics) + "\n</ul>\n"
        files.remove(file)
        files.append(File.generated(config, file.src_uri, content=content))

    def _add_generated(self, files: Files, archive: Archive, config: MkDocsConfig) -> None:
        try:
            planned = plan_pages(archive, self.renderer)
        except PlanError as exc:
            raise PluginError(f"report-archive: {exc}") from exc
        generated = [File.generated(config, page.src_uri, content="") for page in planned]
        if files.get_file_from_path(HOME) is None:
            generated.append(File.generated(config, HOME, content="---\ntitle: Home\n---\n\n"
                                            f"# {html.escape(config.site_name)}\n"))
        generated.append(File.generated(config, REPORTS_JSON, content=""))
        for name in ("report-archive.css", "browse.js"):
            with open(os.path.join(os.path.dirname(__file__), "assets", name),
                      encoding="utf-8") as handle:
                generated.append(File.generated(config, f"{ASSETS}/{name}",
                                                content=handle.read()))
        taken = {f.dest_uri: f.src_uri for f in files}
        clashes = [(f.src_uri, taken[f.dest_uri]) for f in generated if f.dest_uri in taken]
        if clashes:
            raise PluginError("report-archive: these files in the archive clash with pages the "
                              "plugin generates; rename them: " + ", ".join(
                                  f"{theirs} (would be replaced by generated {ours})"
                                  for ours, theirs in clashes))
        for file in generated:
            files.append(file)
        self.generated = {f.src_uri for f in generated}
        links = _Links(files, config.site_url or "")
        self.links = links
        # Header cards grow with the archive: render them now on every core when it is
        # large; otherwise page by page as MkDocs renders them (so a `serve --dirty`
        # rebuild renders only the pages that changed).
        self.fragments = {}
        if len(archive.reports) >= MIN_ITEMS and can_fork():
            self.fragments = dict(fork_map(_fragments, list(range(len(archive.reports))), self))
        # Listing pages are only read after every report's Markdown: render them on
        # the other cores meanwhile, and hand them to MkDocs as it reads them.
        pages = [p for p in planned if p.render is not None]
        self.pending = {p.src_uri: i for i, p in enumerate(pages)}
        self.page_job = Background(_render_page, list(range(len(pages))), (self, pages),
                                   min_items=8 if len(archive.reports) >= MIN_ITEMS
                                   else len(pages) + 1)
        charts = [(page.src_uri, page.chart) for page in planned if page.chart is not None]
        payload = archive.to_json(lambda r: links.url(r.path))
        payload.update(comparison_json(archive))
        for comparison in declared(archive):
            for path in comparison.missing_paths:
                log.warning(f"comparison '{comparison.spec.name}' names '{path}', which is not "
                            "a report of the archive")
        files.get_file_from_path(REPORTS_JSON).content_string = json.dumps(  # type: ignore[union-attr]
            payload, ensure_ascii=False, separators=(",", ":"))
        # Charts are kept by their data between `serve` rebuilds: only new ones are
        # drawn, started last so that they share the second core with nothing else.
        fresh = [(src, spec) for src, spec in charts
                 if self.chart_cache.get((src, _chart_key(spec))) is None]
        self.chart_keys = {src: _chart_key(spec) for src, spec in charts}
        self.charts = _ChartJob(fresh, in_process=self.serving and self.warm)

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """Hand MkDocs a generated listing page, rendered meanwhile on another core."""
        if not self.config.enabled or page.file.src_uri not in self.pending:
            return None
        begin = time.perf_counter()
        assert self.page_job is not None
        content = self.page_job.result()[self.pending[page.file.src_uri]]
        shell = self._shell(page.file.src_uri, content)
        self.own_time += time.perf_counter() - begin
        return shell

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Put the charts, drawn meanwhile in another process, into their files.

        MkDocs copies static files after this event, once every page's Markdown
        is rendered: the charts were drawn on the other core during that time.
        """
        if not self.config.enabled:
            return None
        begin = time.perf_counter()
        if self.page_job is not None:
            # Feeds are static files: MkDocs copies them after this event.
            done = self.page_job.result()
            for src_uri, index in self.pending.items():
                if not src_uri.endswith(".md"):
                    file = files.get_file_from_path(src_uri)
                    if file is not None:
                        file.content_string = done[index]
        if self.charts is None:
            self.own_time += time.perf_counter() - begin
            return None
        for src_uri, drawn in self.charts.result().items():
            self.chart_cache[(src_uri, self.chart_keys[src_uri])] = drawn
        for src_uri, key in self.chart_keys.items():
            file = files.get_file_from_path(src_uri)
            cached = self.chart_cache.get((src_uri, key))
            if file is not None and cached is not None:
                file.content_string = cached
        wanted = set(self.chart_keys.items())
        self.chart_cache = {k: v for k, v in self.chart_cache.items() if k in wanted}
        self.charts = None
        self.own_time += time.perf_counter() - begin
        return None

    def _shell(self, src_uri: str, content: str) -> str:
        """Keep a generated page's listing out of Markdown: it is put back as HTML.

        Listings are already HTML; passing thousands of cards through Python-Markdown's
        raw-HTML handling would cost more than the reports themselves.
        """
        head, marker, body = content.partition(LISTING_MARKER)
        if not marker:
            return content
        self.listings[src_uri] = body
        return head + marker + "\n"

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Keep the navigation small at any archive size: newest reports, then Tags.

        Material renders the whole navigation into every page, so listing every
        report makes the build and the site grow with the square of their number.
        An explicit `nav` in mkdocs.yml is left as written.
        """
        if not self.config.enabled or self.archive is None or config.nav is not None:
            return None
        hidden = (set(self.by_src) | self.generated) - {HOME}
        items = _prune(nav.items, hidden)
        home = files.get_file_from_path(HOME)
        if home is not None and home.page is not None and home.page not in _flatten(items):
            items.insert(0, home.page)
        limit = self.settings.nav_max_reports
        newest = [files.get_file_from_path(r.path) for r in self.archive.newest_first()[:limit]]
        report_pages: list[Any] = [f.page for f in newest if f is not None and f.page]
        if report_pages:
            items.append(Section("Reports", report_pages))
        for src in (BROWSE, COMPARE_INDEX, TAG_INDEX):
            listing = files.get_file_from_path(src)
            if listing is not None and listing.page is not None:
                items.append(listing.page)
        _link_parents(items, None)
        pages = _flatten(items)
        for previous, page, following in zip([None, *pages[:-1]], pages, [*pages[1:], None],
                                             strict=True):
            page.previous_page, page.next_page = previous, following
        return Navigation(items, pages)

    def _log(self, diagnostics: list[Diagnostic], config: MkDocsConfig) -> None:
        prefix = os.path.relpath(config.docs_dir)
        for d in diagnostics:
            where = os.path.join(prefix, d.location())
            message = f"{where}: {d.message} [{d.rule}]"
            if d.severity == "error":
                log.error(message)
            else:
                log.warning(message)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str | None:
        """Give report pages a safe title and drop the header lines the card replaces."""
        if not self.config.enabled or self.archive is None:
            return None
        # Every page's front matter reaches the theme, which prints most of it unescaped.
        page.meta = safe_meta(page.meta, config.theme.dirs)
        if page.file.src_uri == HOME:
            return markdown.rstrip("\n") + "\n\n" + self._shell(HOME, home_section(
                self.archive, self.renderer, self.links))
        report = self.by_src.get(page.file.src_uri)
        if report is None:
            return markdown
        page.meta["title"] = html.escape(report.title or page.file.name)
        # Reports get one compact search entry each (see search_index.py), not Material's.
        page.meta["search"] = {"exclude": True}
        # Material shows `status` as a page status icon; ours is the report's status.
        page.meta.pop("status", None)
        page.meta["report_status"] = report.status
        return strip_header_block(markdown)

    def on_page_content(self, html_text: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str | None:
        """Put the header card after the title, and under `serve` the report's problems."""
        if not self.config.enabled or self.archive is None:
            return None
        if self.settings.sanitize:
            # Every page, whatever it is: the listings and cards added below are ours,
            # rendered with autoescaping.
            html_text = sanitize_html(html_text, keep=LISTING_MARKER)
        listing = self.listings.get(page.file.src_uri)
        if listing is not None:
            return html_text.replace(LISTING_MARKER, listing, 1)
        report = self.by_src.get(page.file.src_uri)
        if report is None:
            return html_text
        begin = time.perf_counter()
        card, related_html = self.fragments.get(report.path) or _fragments(self, report)[1]
        problems = self.archive.problems(report)
        if self.serving and problems:
            card = self.renderer.problems(problems) + card
        html_text += related_html
        end_of_title = html_text.find("</h1>")
        if end_of_title >= 0:
            end_of_title += len("</h1>")
            result = html_text[:end_of_title] + card + html_text[end_of_title:]
        else:
            result = card + html_text
        self.own_time += time.perf_counter() - begin
        return result

    @event_priority(-100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Put the Content-Security-Policy into every page.

        Priority -100: last, so the inline scripts it allows by hash are final.
        Under `serve` inline scripts are allowed as such: MkDocs adds its
        live-reload script to each page as it serves it.
        """
        if not self.config.enabled:
            return None
        return add_policy(output, page.content or "", inline_scripts=self.serving)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Close the build with the one-line summary of what was published."""
        if not self.config.enabled or self.archive is None:
            return
        begin = time.perf_counter()
        self._finish_jobs()
        index_file = Path(config.site_dir) / "search" / "search_index.json"
        if index_file.is_file():
            merge_into(index_file, self.archive.reports, lambda r: self.links.url(r.path))
        self.own_time += time.perf_counter() - begin
        if self.serving and not self.warm:
            # Later rebuilds draw their few changed charts here: import matplotlib now,
            # while the server waits for the first edit.
            threading.Thread(target=_import_matplotlib, daemon=True).start()
            self.warm = True
        log.info(self._summary_line())

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the workers of a build that failed."""
        self._finish_jobs()

    def _finish_jobs(self) -> None:
        if self.page_job is not None:
            self.page_job.close()
            self.page_job = None
        if self.charts is not None:
            self.charts.close()
            self.charts = None

    def _summary_line(self) -> str:
        assert self.archive is not None
        counts = self.archive.summary()
        published = counts["reports"] if self.serving or not counts["with_errors"] else 0
        return (f"Report Archive: {counts['reports']} reports, {published} published, "
                f"{counts['with_warnings']} with warnings, {counts['with_errors']} with errors; "
                f"{counts['pages']} other pages; plugin's own work {self.own_time:.2f} s")


def _prune(items: list[Any], hidden: set[str]) -> list[Any]:
    kept: list[Any] = []
    for item in items:
        if item.is_section:
            item.children = _prune(item.children, hidden)
            if item.children:
                kept.append(item)
        elif not (item.is_page and item.file.src_uri in hidden):
            kept.append(item)
    return kept


def _link_parents(items: list[Any], parent: Any) -> None:
    for item in items:
        item.parent = parent
        if item.is_section:
            _link_parents(item.children, item)


def _flatten(items: list[Any]) -> list[Page]:
    pages: list[Page] = []
    for item in items:
        if item.is_section:
            pages.extend(_flatten(item.children))
        elif item.is_page:
            pages.append(item)
    return pages


class _Links:
    """Relative URLs between source files, from the URLs MkDocs gives each file."""

    def __init__(self, files: Files, site_url: str) -> None:
        self.site_url = site_url
        self._urls = {f.src_uri: f.url for f in files}

    def url(self, src: str) -> str:
        return self._urls.get(src, "")

    def rel(self, from_src: str, to_src: str) -> str:
        return get_relative_url(self._urls.get(to_src, ""), self._urls.get(from_src, ""))


def _import_matplotlib() -> None:
    import matplotlib.figure  # noqa: F401


def _chart_key(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True)


def _render_page(context: tuple[ReportArchivePlugin, list[Any]], index: int) -> str:
    """A generated page's content (runs in forked workers too)."""
    plugin, pages = context
    content: str = pages[index].render(plugin.links)
    return content


def _fragments(plugin: ReportArchivePlugin, item: int | Report) -> tuple[str, tuple[str, str]]:
    """A report's header card and related reports, as HTML (runs in forked workers too)."""
    assert plugin.archive is not None
    report = plugin.archive.reports[item] if isinstance(item, int) else item
    links = plugin.links

    def href(src_uri: str) -> str:
        return links.rel(report.path, src_uri)

    card = plugin.renderer.card(card_context(report, plugin.archive), href)
    related_html = plugin.renderer.render(
        "report-archive/related.html", related=related(report, plugin.archive, links))
    return report.path, (card, related_html)


class _ChartJob:
    """Charts drawn in a separate process while MkDocs renders the pages.

    matplotlib's import and drawing take about a second; MkDocs uses one core,
    so a second process makes that free. If the process fails, the charts are
    drawn here when they are needed.
    """

    def __init__(self, specs: list[tuple[str, dict[str, Any]]], in_process: bool = False) -> None:
        self.specs = specs
        self.process: subprocess.Popen[bytes] | None = None
        if not specs or in_process:
            return
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "report_archive.charts"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(specs).encode("utf-8"))
            self.process.stdin.close()
        except (OSError, ValueError) as exc:
            log.debug(f"charts drawn in this process: {exc}")
            self.process = None

    def result(self) -> dict[str, str]:
        process, self.process = self.process, None
        if process is not None:
            assert process.stdout is not None and process.stderr is not None
            try:
                # Its input is already sent: read its answer (errors are short).
                out = process.stdout.read()
                err = process.stderr.read()
                if process.wait(timeout=600) == 0:
                    drawn: dict[str, str] = json.loads(out)
                    return drawn
                log.debug(f"chart process failed: {err.decode(errors='replace')[-500:]}")
            except (subprocess.TimeoutExpired, ValueError, OSError) as exc:
                process.kill()
                log.debug(f"chart process failed: {exc}")
            finally:
                process.stdout.close()
                process.stderr.close()
        return render_all(self.specs)

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()
            self.process = None
