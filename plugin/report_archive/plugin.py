"""The MkDocs adapter: MkDocs' build events, each a few lines over the core.

Each hook hands plain data to the core's `SiteBuild` (see `build.py`) and puts
what it returns into MkDocs' structures. Every hook starts by checking
`enabled`; hooks whose order matters against other plugins say so with
`event_priority`, and why, in their docstring.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from .accessibility import accessible
from .adapter import (
    Renderers,
    add_pages,
    fill,
    has_search,
    install,
    report_meta,
    settle_files,
    site_nav,
    sources,
)
from .build import SEARCH_SCRIPT, SEARCH_WORKER, SiteBuild
from .config import ReportArchiveConfig, to_settings
from .relay import BodyRelay, PageKeeper, body_job
from .render import TEMPLATE_DIR
from .sanitize import safe_meta
from .urls import HOME, SCRIPT, STYLESHEET

log = get_plugin_logger(__name__)
# (a page without `search` front matter)
_UNSET = object()


class ReportArchivePlugin(BasePlugin[ReportArchiveConfig]):  # type: ignore[no-untyped-call]
    """Validates the archive's reports and publishes their header cards, tag pages and data."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        # One object for the life of the process, so `serve` rebuilds reuse its caches.
        self.site = SiteBuild()
        self.generated: list[File] = []
        self.read_from: set[str] = set()
        # Report bodies rendered on other cores, and (under `serve`) pages kept as they were.
        self.bodies = BodyRelay(self.site)
        self.keeper = PageKeeper(self.site)
        self.renderers = Renderers()
        # Pages' own `search` front matter while the search plugin is told to skip them.
        self.search_meta: dict[str, Any] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether we are serving: then errors are shown on pages, not fatal."""
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Read our options; make our templates, extensions and assets available."""
        if not self.config.enabled:
            return None
        # Templates and icons named in front matter are looked up where the theme finds them.
        settings = replace(to_settings(self.config),
                           theme_dirs=tuple(map(str, config.theme.dirs)))
        install(config, TEMPLATE_DIR, css=(STYLESHEET,), javascript=(SCRIPT, SEARCH_SCRIPT))
        self.site.start(settings, serving=self.serving, search=has_search(config),
                        renderer=self.renderers.get(config, settings.nav_labels))
        self.bodies.reset()
        self.keeper.reset()
        return config

    @event_priority(50)
    def _on_files_early(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Read and validate every Markdown file once; add the generated pages.

        Priority 50: before plugins that look pages up by path (redirects), so
        our generated pages are among them, and before MkDocs reads any page, so
        a broken report fails the build before anything is rendered.
        """
        if not self.config.enabled:
            return None
        self.read_from, self.generated = add_pages(self.site, files, config, log)
        return files

    @event_priority(-50)
    def _on_files_late(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Read again if other plugins added or removed pages; keep ours out of MkDocs' nav.

        Priority -50: after plugins that add documentation files (gen-files).
        """
        if not self.config.enabled:
            return None
        if sources(files, self.generated) != self.read_from:
            for file in self.generated:
                files.remove(file)
            self.read_from, self.generated = add_pages(self.site, files, config, log)
        settle_files(self.site, files, config, self.generated)
        return files

    on_files = CombinedEvent(_on_files_early, _on_files_late)

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """Hand MkDocs a generated listing page, rendered meanwhile on another core."""
        if not self.config.enabled:
            return None
        return self.site.listing_source(page.file.src_uri)

    @event_priority(-100)
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Start the report bodies, cards and listings on other cores; add the newest
        reports, then Browse, Comparisons and Tags, to the navigation.

        Priority -100: after plugins that shape the navigation (awesome-pages,
        literate-nav). Only the newest reports: Material renders the navigation into
        every page. An explicit `nav` is left as written.
        """
        if not self.config.enabled or self.site.archive is None:
            return None
        self.site.start_workers(self.keeper.begin(
            config, body_job(config, files, self.site, self), self.serving))
        if config.nav is not None:
            return None
        return site_nav(nav, files, self.site, awesome="awesome-pages" in config.plugins)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str | None:
        """Give report pages a safe title and drop the header lines the card replaces.

        A report whose body is already rendered (on another core, or in an earlier
        `serve` build from the same Markdown and files) gets an empty Markdown here,
        so MkDocs renders nothing, and its body back in `on_page_content`.
        """
        if not self.config.enabled or self.site.archive is None:
            return None
        # Every page's front matter reaches the theme, which prints most of it unescaped.
        page.meta = safe_meta(page.meta, config.theme.dirs)
        src_uri = page.file.src_uri
        if src_uri == HOME:
            return self.site.home_markdown(markdown)
        change = self.site.report_page(src_uri, markdown,
                                       attr_list="attr_list" in config.markdown_extensions)
        if change is None:
            return None
        report_meta(page.meta, change, config)
        return self.bodies.markdown(page, change.markdown)

    @event_priority(100)
    def _on_page_body(self, html: str, *, page: Page, config: MkDocsConfig,
                      files: Files) -> str | None:
        """Give a report page its body rendered elsewhere; keep one MkDocs rendered.

        Priority 100: before every other plugin's `on_page_content`, so all of
        them see the page as MkDocs would have rendered it.
        """
        if not self.config.enabled:
            return None
        return self.bodies.content(page, html, files)

    def _on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str | None:
        """Put our listing into generated pages, and the header card into report pages."""
        if not self.config.enabled:
            return None
        self.keeper.choose_template(page)
        search = page.meta.get("search")
        changed = self.site.page_html(page.file.src_uri, html, url=page.url,
                                      title=page.title or "", excluded=isinstance(
                                          search, dict) and bool(search.get("exclude")))
        for warning in self.site.take_warnings():
            log.warning(warning)
        return changed

    on_page_content = CombinedEvent(_on_page_body, _on_page_content)

    @event_priority(100)
    def _on_page_context_early(self, context: Any, *, page: Page, config: MkDocsConfig,
                               nav: Navigation) -> Any:
        """Our full-text index takes every page's text, and replaces the search plugin's
        documents: the plugin is told to skip the page (`search: exclude`, Material's
        own setting), rather than take it apart for nothing. Put back after it."""
        if self.config.enabled and self.site.search_wanted:
            self.search_meta[page.file.src_uri] = page.meta.get("search", _UNSET)
            page.meta["search"] = {"exclude": True}
        return None

    @event_priority(-100)
    def _on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig,
                         nav: Navigation) -> Any:
        """The page's own search setting back; find its output kept from the last
        `serve` build, if nothing it shows changed. Priority -100: after every other
        plugin has seen the page."""
        if self.config.enabled:
            if page.file.src_uri in self.search_meta:
                search = self.search_meta.pop(page.file.src_uri)
                if search is _UNSET:
                    page.meta.pop("search", None)
                else:
                    page.meta["search"] = search
            self.keeper.look_up(page, nav)
        return None

    on_page_context = CombinedEvent(_on_page_context_early, _on_page_context)

    @event_priority(100)
    def _on_post_page_keep(self, output: str, *, page: Page, config: MkDocsConfig) -> None:
        """Keep a page's output as its template made it, for the next `serve` build.
        Priority 100: before any plugin changes the output (they change it again)."""
        if self.config.enabled:
            self.keeper.keep(page, output)

    @event_priority(-100)
    def _on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Our search worker, names for the theme's controls, and the Content-Security-Policy.

        Priority -100: last, so the inline scripts the policy allows by hash are
        final. Under `serve` inline scripts are allowed as such: MkDocs adds its
        live-reload script to each page as it serves it.
        """
        if not self.config.enabled:
            return None
        return self.site.finish_page(page.file.src_uri, output, page.content or "",
                                     get_relative_url(SEARCH_WORKER, page.url))

    on_post_page = CombinedEvent(_on_post_page_keep, _on_post_page)

    def on_post_template(self, output_content: str, *, template_name: str,
                         config: MkDocsConfig) -> str | None:
        """The same fixes on pages rendered from theme templates alone (404.html)."""
        if not self.config.enabled or not template_name.endswith(".html"):
            return None
        return accessible(output_content)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Put the feeds and charts, made meanwhile on other cores, into their files
        (MkDocs copies static files after this event)."""
        if not self.config.enabled:
            return None
        self.keeper.install(env, self.serving)
        fill(files, self.site.static_contents())
        for failure in self.site.chart_failures:
            log.warning(failure)
        # Every page's text is in: the full-text index is written on another core while
        # MkDocs writes the pages (Material's search plugin makes `search/` too).
        if has_search(config):  # (in the process fed as pages render, if there is one)
            self.site.start_index(Path(config.site_dir) / "search" / "fulltext")
        return None

    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write the full-text search index; close with the one-line summary. Priority
        -100: after Material's search plugin wrote `search/search_index.json`."""
        if not self.config.enabled or self.site.archive is None:
            return
        index = Path(config.site_dir) / "search" / "search_index.json"
        summary = self.site.finish(index)
        for warning in self.site.take_warnings():
            log.warning(warning)
        log.info(summary)

    def on_shutdown(self) -> None:
        """MkDocs is done (the server stops): so are the processes kept for rebuilds."""
        self.site.shut_down()

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the workers of a build that failed."""
        self.bodies.stop_capture()
        self.site.abort()
