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
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from .accessibility import accessible
from .adapter import (
    Links,
    add_generated,
    extend_nav,
    hide_theme_tags,
    install,
    keep_out_of_nav,
    leave_out,
    log_diagnostics,
    macros_renderer,
    material_tags,
    own_tag_index,
    replace_files,
    source,
    sources,
)
from .build import SEARCH_SCRIPT, SEARCH_WORKER, BuildFailed, PlanError, SiteBuild
from .config import ReportArchiveConfig, to_settings
from .csp import add_policy
from .i18n import Translator
from .render import TEMPLATE_DIR, Renderer
from .sanitize import safe_meta
from .urls import BROWSE, COMPARE_INDEX, HOME, REPORTS_JSON, SCRIPT, STYLESHEET, TAG_INDEX

log = get_plugin_logger(__name__)


class ReportArchivePlugin(BasePlugin[ReportArchiveConfig]):  # type: ignore[no-untyped-call]
    """Validates the archive's reports and publishes their header cards, tag pages and data."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        # One object for the life of the process, so `serve` rebuilds reuse its caches.
        self.site = SiteBuild()
        self.generated: list[File] = []
        self.read_from: set[str] = set()

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
        # Our interface strings follow Material's language (`theme.language`).
        translator = Translator(config.theme.get("language"), labels=settings.nav_labels)
        self.site.start(settings, serving=self.serving,
                        renderer=Renderer(config.theme.dirs, translator))
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
        self._add_pages(files, config)
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
            self._add_pages(files, config)
        # Reports and listings (and a generated home, which `on_nav` puts first) stay out
        # of MkDocs' own nav and `omitted_files` warnings; awesome-pages places reports.
        ours = {f.src_uri for f in self.generated}
        if "awesome-pages" not in config.plugins:
            ours |= set(self.site.by_src) - {HOME}
        keep_out_of_nav(files, ours)
        reports_json = files.get_file_from_path(REPORTS_JSON)
        assert reports_json is not None
        reports_json.content_string = self.site.begin_rendering(Links(files, config))
        return files

    on_files = CombinedEvent(_on_files_early, _on_files_late)

    def _add_pages(self, files: Files, config: MkDocsConfig) -> None:
        left_out = leave_out(files, config)
        pages = list(files.documentation_pages())
        self.read_from = {f.src_uri for f in pages}
        limit = self.site.settings.limits.max_file_bytes
        render, markers = macros_renderer(config, files)
        archive = self.site.read([source(f, limit) for f in pages], left_out,
                                 site_files=[f.src_uri for f in files], render=render,
                                 markers=markers)
        log_diagnostics(log, self.site.diagnostics, config, archive.lenient)
        for failure in self.site.expand_failures:
            log.warning(failure)
        # MkDocs would crash reading these files; a page naming the problem replaces each.
        replace_files(files, config, self.site.unreadable())
        # With Material's tags plugin, the team's own tag index (`tags.md`) is the one
        # at /tags/; ours steps aside and our tag pages link to theirs.
        theirs = material_tags(config) and own_tag_index(files) is not None
        try:
            self.site.check_errors()
            planned = self.site.plan(site_name=config.site_name, tag_index=not theirs,
                                     has_home=files.get_file_from_path(HOME) is not None)
        except (BuildFailed, PlanError) as exc:
            log.info(self.site.summary_line())
            raise PluginError(f"report-archive: {exc}") from exc
        self.generated = add_generated(files, config, planned, log)

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """Hand MkDocs a generated listing page, rendered meanwhile on another core."""
        if not self.config.enabled:
            return None
        return self.site.listing_source(page.file.src_uri)

    @event_priority(-100)
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Add the newest reports, then Browse, Comparisons and Tags, to the navigation.

        Priority -100: after plugins that shape the navigation (awesome-pages,
        literate-nav). Only the newest reports: Material renders the navigation into
        every page. An explicit `nav` is left as written.
        """
        if not self.config.enabled or self.site.archive is None or config.nav is not None:
            return None
        newest = self.site.archive.newest_first()[:self.site.settings.nav_max_reports]
        reports = [] if "awesome-pages" in config.plugins else [r.path for r in newest]
        return extend_nav(nav, files, self.site.renderer.i18n.t("nav.reports"), reports,
                          (BROWSE, COMPARE_INDEX, TAG_INDEX))

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str | None:
        """Give report pages a safe title and drop the header lines the card replaces."""
        if not self.config.enabled or self.site.archive is None:
            return None
        # Every page's front matter reaches the theme, which prints most of it unescaped.
        page.meta = safe_meta(page.meta, config.theme.dirs)
        if page.file.src_uri == HOME:
            return self.site.home_markdown(markdown)
        change = self.site.report_page(page.file.src_uri, markdown,
                                       attr_list="attr_list" in config.markdown_extensions)
        if change is None:
            return None
        page.meta["title"] = change.title
        # Reports are in our full-text index (fulltext.py), not in Material's.
        page.meta["search"] = {"exclude": True}
        # Material shows `status` as a page status icon; ours is the report's status.
        page.meta.pop("status", None)
        page.meta["report_status"] = change.status
        if material_tags(config):
            hide_theme_tags(page.meta)  # the header card shows them
        return change.markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str | None:
        """Put our listing into generated pages, and the header card into report pages."""
        if not self.config.enabled:
            return None
        search = page.meta.get("search")
        changed = self.site.page_html(page.file.src_uri, html, url=page.url,
                                      title=page.title or "", excluded=isinstance(
                                          search, dict) and bool(search.get("exclude")))
        for warning in self.site.take_warnings():
            log.warning(warning)
        return changed

    @event_priority(-100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Our search worker, names for the theme's controls, and the Content-Security-Policy.

        Priority -100: last, so the inline scripts the policy allows by hash are
        final. Under `serve` inline scripts are allowed as such: MkDocs adds its
        live-reload script to each page as it serves it.
        """
        if not self.config.enabled:
            return None
        worker = get_relative_url(SEARCH_WORKER, page.url)
        output = accessible(self.site.search_worker(output, worker))
        return add_policy(output, page.content or "", inline_scripts=self.serving)

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
        for src_uri, content in self.site.static_contents().items():
            file = files.get_file_from_path(src_uri)
            if file is not None:
                file.content_string = content
        for failure in self.site.chart_failures:
            log.warning(failure)
        return None

    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write the full-text search index; close with the one-line summary.

        Priority -100: after Material's search plugin has written
        `search/search_index.json`, whichever order the plugins are listed in.
        """
        if not self.config.enabled or self.site.archive is None:
            return
        index = Path(config.site_dir) / "search" / "search_index.json"
        log.info(self.site.finish(index))

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the workers of a build that failed."""
        self.site.close()
