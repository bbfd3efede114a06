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

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from .accessibility import accessible
from .adapter import (
    KEPT_TEMPLATE,
    KeptBytecode,
    Links,
    LogCapture,
    add_generated,
    body_job,
    body_state,
    extend_nav,
    hide_theme_tags,
    install,
    keep_out_of_nav,
    leave_out,
    log_diagnostics,
    macros_renderer,
    material_tags,
    nav_signature,
    own_tag_index,
    page_key,
    pages_can_be_kept,
    replace_files,
    restore_body,
    settings_signature,
    source,
    sources,
)
from .build import (
    SEARCH_SCRIPT,
    SEARCH_WORKER,
    BuildFailed,
    PlanError,
    Rendered,
    SiteBuild,
    markdown_digest,
)
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
        # Report pages whose body MkDocs does not render: their Markdown and body.
        self.restoring: dict[str, tuple[str, Rendered]] = {}
        # A report page MkDocs is rendering itself, and what it logs meanwhile.
        self.capturing: tuple[str, LogCapture] | None = None
        # Under `serve`: what report pages' outputs depend on, and the pages kept as they were.
        self.signature: str | None = None
        self.nav_signature: tuple[int, str] | None = None
        self.keys: dict[str, str] = {}
        self.kept_now: dict[str, str | None] = {}
        self.bytecode = KeptBytecode()
        self.renderer: tuple[list[str], Renderer] | None = None

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
        # Our interface strings follow Material's language (`theme.language`); the
        # environment is kept between `serve` rebuilds while the theme's folders are the same.
        translator = Translator(config.theme.get("language"), labels=settings.nav_labels)
        dirs = [*map(str, config.theme.dirs), translator.language, repr(settings.nav_labels)]
        if self.renderer is None or self.renderer[0] != dirs:
            self.renderer = (dirs, Renderer(config.theme.dirs, translator))
        self.site.start(settings, serving=self.serving, renderer=self.renderer[1])
        self.restoring = {}
        self.signature = self.nav_signature = None
        self.keys, self.kept_now = {}, {}
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
        """Start the report bodies, cards and listings on other cores; add the newest
        reports, then Browse, Comparisons and Tags, to the navigation.

        Priority -100: after plugins that shape the navigation (awesome-pages,
        literate-nav). Only the newest reports: Material renders the navigation into
        every page. An explicit `nav` is left as written.
        """
        if not self.config.enabled or self.site.archive is None:
            return None
        job = body_job(config, files, self.site, self)
        if job is not None and self.serving:
            # Under `serve`, what is kept is also kept only while the settings and the
            # theme's files are unchanged.
            job = replace(job, signature=settings_signature(config, job.signature))
            if pages_can_be_kept(config):
                self.signature = job.signature
        self.site.start_workers(job)
        if config.nav is not None:
            return None
        newest = self.site.archive.newest_first()[:self.site.settings.nav_max_reports]
        reports = [] if "awesome-pages" in config.plugins else [r.path for r in newest]
        return extend_nav(nav, files, self.site.renderer.i18n.t("nav.reports"), reports,
                          (BROWSE, COMPARE_INDEX, TAG_INDEX))

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
        page.meta["title"] = change.title
        # Reports are in our full-text index (fulltext.py), not in Material's.
        page.meta["search"] = {"exclude": True}
        # Material shows `status` as a page status icon; ours is the report's status.
        page.meta.pop("status", None)
        page.meta["report_status"] = change.status
        if material_tags(config):
            hide_theme_tags(page.meta)  # the header card shows them
        rendered = self.site.body(src_uri, change.markdown)
        if rendered is not None:
            self.restoring[src_uri] = (change.markdown, rendered)
            return ""
        capture = LogCapture()
        capture.__enter__()
        self.capturing = (src_uri, capture)
        return change.markdown

    @event_priority(100)
    def _on_page_body(self, html: str, *, page: Page, config: MkDocsConfig,
                      files: Files) -> str | None:
        """Give a report page its body rendered elsewhere; keep one MkDocs rendered.

        Priority 100: before every other plugin's `on_page_content`, so all of
        them see the page as MkDocs would have rendered it.
        """
        if not self.config.enabled:
            return None
        src_uri = page.file.src_uri
        if self.capturing is not None:
            captured_src, capture = self.capturing
            self.capturing = None
            capture.__exit__()
            if captured_src == src_uri and page.markdown is not None:
                self.site.keep_body(src_uri, Rendered(markdown_digest(page.markdown), html,
                                                      body_state(page), capture.records()))
        restoring = self.restoring.pop(src_uri, None)
        if restoring is None:
            return None
        page.markdown, rendered = restoring
        restore_body(page, files, rendered)
        return rendered.html

    def _keep_pages(self, page: Page) -> None:
        """Under `serve`, render a page through the template that can give back its output
        from the previous build (`kept-page.html`), when nothing else chose one."""
        if self.signature is not None and "template" not in page.meta:
            page.meta["template"] = KEPT_TEMPLATE

    def _on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str | None:
        """Put our listing into generated pages, and the header card into report pages."""
        if not self.config.enabled:
            return None
        self._keep_pages(page)
        search = page.meta.get("search")
        changed = self.site.page_html(page.file.src_uri, html, url=page.url,
                                      title=page.title or "", excluded=isinstance(
                                          search, dict) and bool(search.get("exclude")))
        for warning in self.site.take_warnings():
            log.warning(warning)
        return changed

    on_page_content = CombinedEvent(_on_page_body, _on_page_content)

    @event_priority(-100)
    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> Any:
        """Find a page's output kept from the previous `serve` build, if nothing it shows
        has changed.

        Priority -100: after every other plugin has seen the page.
        """
        if (not self.config.enabled or self.signature is None
                or page.meta.get("template") != KEPT_TEMPLATE):
            return None
        if self.nav_signature is None or self.nav_signature[0] != id(nav):
            self.nav_signature = (id(nav), nav_signature(nav))
        key = page_key(page, self.signature + self.nav_signature[1])
        self.keys[page.file.src_uri] = key
        self.kept_now[page.file.src_uri] = self.site.kept_page(page.file.src_uri, key)
        return None

    def _kept(self, page: Page) -> Markup | None:
        kept = self.kept_now.get(page.file.src_uri)
        return Markup(kept) if kept is not None else None

    @event_priority(100)
    def _on_post_page_keep(self, output: str, *, page: Page, config: MkDocsConfig) -> None:
        """Keep a page's output as its template made it, for the next `serve` build.

        Priority 100: before any plugin changes the output (they change it again).
        """
        src_uri = page.file.src_uri
        if src_uri in self.keys and self.kept_now.get(src_uri) is None:
            self.site.keep_page(src_uri, self.keys[src_uri], output)

    @event_priority(-100)
    def _on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
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
        if self.serving:
            env.bytecode_cache = self.bytecode
        if self.signature is not None:
            env.globals["report_archive_kept"] = self._kept
        for src_uri, content in self.site.static_contents().items():
            file = files.get_file_from_path(src_uri)
            if file is not None:
                file.content_string = content
        for failure in self.site.chart_failures:
            log.warning(failure)
        # Every page's text is in: the full-text index is written on another core while
        # MkDocs writes the pages (Material's search plugin makes `search/` too).
        if any(name in config.plugins for name in ("search", "material/search")):
            self.site.start_index(Path(config.site_dir) / "search" / "fulltext")
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
        if self.capturing is not None:
            self.capturing[1].__exit__()
            self.capturing = None
        self.site.close()
        self.site.wait_for_index(stop=True)
