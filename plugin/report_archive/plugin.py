"""The MkDocs adapter: the only module that imports MkDocs' build machinery.

Each hook hands plain data to the core's `SiteBuild` (see `build.py`) and puts
what it returns into MkDocs' structures. Every hook starts by checking
`enabled`; hooks whose order matters against other plugins say so with
`event_priority`, and why, in their docstring.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from .accessibility import accessible
from .build import BuildFailed, PlanError, SiteBuild, Source
from .config import ReportArchiveConfig, to_settings
from .diagnostics import Diagnostic
from .expand import MARKERS, RenderText
from .i18n import Translator
from .model import Report
from .render import TEMPLATE_DIR, Renderer
from .urls import BROWSE, COMPARE_INDEX, HOME, REPORTS_JSON, SCRIPT, STYLESHEET, TAG_INDEX

log = get_plugin_logger(__name__)

# Reports are written with pipe tables; nothing else is switched on for them, since
# extensions such as attr_list change how ordinary text renders ("{5e-5, 1e-4}").
_NEEDED_EXTENSIONS = ("tables",)


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
        """Read our options; make our templates, extensions and assets available.

        Our stylesheet and script go first in `extra_css`/`extra_javascript`, so a
        team's own rules of equal specificity win over ours.
        """
        if not self.config.enabled:
            return None
        settings = to_settings(self.config)
        if TEMPLATE_DIR not in config.theme.dirs:
            config.theme.dirs.append(TEMPLATE_DIR)
        for extension in _NEEDED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        for extra, asset in ((config.extra_css, STYLESHEET), (config.extra_javascript, SCRIPT)):
            if asset not in extra:
                extra.insert(0, asset)
        # Our interface strings follow Material's language (`theme.language`).
        language = config.theme.get("language")
        translator = Translator(language, labels=settings.nav_labels)
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
        if _sources(files, self.generated) != self.read_from:
            for file in self.generated:
                files.remove(file)
            self._add_pages(files, config)
        # Reports and listings are reached from the home page, tags and browse: MkDocs
        # keeps them out of its own navigation (and of `omitted_files` warnings). With
        # awesome-pages, reports stay where `.pages` files put them.
        arranged = "awesome-pages" in config.plugins
        ours = {f.src_uri for f in self.generated}
        if not arranged:
            ours |= set(self.site.by_src)
        for file in files.documentation_pages():
            if file.src_uri in ours and file.src_uri != HOME and _in_nav(file):
                file.inclusion = InclusionLevel.NOT_IN_NAV
        reports_json = files.get_file_from_path(REPORTS_JSON)
        assert reports_json is not None
        reports_json.content_string = self.site.begin_rendering(_Links(files, config))
        return files

    on_files = CombinedEvent(_on_files_early, _on_files_late)

    def _add_pages(self, files: Files, config: MkDocsConfig) -> None:
        pages = list(files.documentation_pages())
        self.read_from = {f.src_uri for f in pages}
        render, markers = _macros(config, files)
        archive = self.site.read([_source(f) for f in pages], render, markers)
        self._log(archive.diagnostics, config)
        for failure in self.site.expand_failures:
            log.warning(failure)
        for new in self.site.unreadable():
            # MkDocs would crash reading this file; a page naming the problem replaces it.
            old = files.get_file_from_path(new.src_uri)
            if old is not None:
                files.remove(old)
            files.append(File.generated(config, new.src_uri, content=new.content))
        # With Material's tags plugin, the team's own tag index (`tags.md`) is the one
        # at /tags/; ours steps aside and our tag pages link to theirs.
        theirs = _material_tags(config) and _tag_index(files) is not None
        try:
            self.site.check_errors()
            planned = self.site.plan(site_name=config.site_name, has_home=files.get_file_from_path(
                HOME) is not None, tag_index=not theirs)
        except (BuildFailed, PlanError) as exc:
            log.info(self.site.summary_line())
            raise PluginError(f"report-archive: {exc}") from exc
        generated = [File.generated(config, f.src_uri, content=f.content) for f in planned]
        taken = {f.dest_uri: f.src_uri for f in files}
        clashes = [f"{taken[f.dest_uri]} (would be replaced by generated {f.src_uri})"
                   for f in generated if f.dest_uri in taken]
        if clashes:
            raise PluginError("report-archive: these files in the archive clash with pages the "
                              "plugin generates; rename them: " + ", ".join(clashes))
        for file in generated:
            files.append(file)
        self.generated = generated

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """Hand MkDocs a generated listing page, rendered meanwhile on another core."""
        if not self.config.enabled:
            return None
        return self.site.listing_source(page.file.src_uri)

    @event_priority(-100)
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Add the newest reports, then Browse, Comparisons and Tags, to the navigation.

        Priority -100: after plugins that shape the navigation (awesome-pages,
        literate-nav), so our entries are added to their result. Material renders
        the whole navigation into every page, so only the newest reports are listed.
        An explicit `nav` in mkdocs.yml is left as written.
        """
        if not self.config.enabled or self.site.archive is None or config.nav is not None:
            return None
        items = list(nav.items)
        newest = self.site.archive.newest_first()[:self.site.settings.nav_max_reports]
        report_pages: list[Any] = [p for p in (_page(files, r.path) for r in newest)
                                   if p is not None]
        if report_pages and "awesome-pages" not in config.plugins:
            items.append(Section(self.site.renderer.i18n.t("nav.reports"), report_pages))
        items += [p for p in (_page(files, src) for src in (BROWSE, COMPARE_INDEX, TAG_INDEX))
                  if p is not None]
        _link(items, None)
        pages = _flatten(items)
        for previous, page, following in zip([None, *pages[:-1]], pages, [*pages[1:], None],
                                             strict=True):
            page.previous_page, page.next_page = previous, following
        return Navigation(items, pages)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str | None:
        """Give report pages a safe title and drop the header lines the card replaces."""
        if not self.config.enabled or self.site.archive is None:
            return None
        if page.file.src_uri == HOME:
            return self.site.home_markdown(markdown)
        change = self.site.report_page(page.file.src_uri, markdown,
                                       attr_list="attr_list" in config.markdown_extensions)
        if change is None:
            return None
        page.meta["title"] = change.title
        # Reports get one compact search entry each (see search_index.py), not Material's.
        page.meta["search"] = {"exclude": True}
        # Material shows `status` as a page status icon; ours is the report's status.
        page.meta.pop("status", None)
        page.meta["report_status"] = change.status
        if _material_tags(config):
            # The header card shows the tags: Material's own tag bar would repeat them.
            hide = page.meta.get("hide")
            page.meta["hide"] = [*(hide if isinstance(hide, list) else []), "tags"]
        return change.markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str | None:
        """Formulas as MathML on every page; our listing into generated pages, and the
        header card into report pages."""
        if not self.config.enabled:
            return None
        changed = self.site.page_html(page.file.src_uri, html, page.markdown or "")
        for warning in self.site.take_warnings():
            log.warning(warning)
        return changed

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Give the theme's search dialog and task checkboxes accessible names, on every page."""
        if not self.config.enabled:
            return None
        return accessible(output)

    def on_post_template(self, output_content: str, *, template_name: str,
                         config: MkDocsConfig) -> str | None:
        """The same fixes on pages rendered from theme templates alone (404.html)."""
        if not self.config.enabled or not template_name.endswith(".html"):
            return None
        return accessible(output_content)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Put the feeds and charts, made meanwhile on other cores, into their files.

        MkDocs copies static files after this event, once every page's Markdown is
        rendered: they were made on the other cores during that time.
        """
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
        """Add the reports' search entries; close with the one-line summary.

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

    def _log(self, diagnostics: list[Diagnostic], config: MkDocsConfig) -> None:
        prefix = os.path.relpath(config.docs_dir)
        for d in diagnostics:
            message = f"{os.path.join(prefix, d.location())}: {d.message} [{d.rule}]"
            if d.severity == "error":
                log.error(message)
            else:
                log.warning(message)


def _source(file: File) -> Source:
    try:
        return Source(file.src_uri, raw=file.content_bytes)
    except OSError as exc:
        return Source(file.src_uri, error=exc)


def _in_nav(file: File) -> bool:
    return bool(file.inclusion.is_in_nav())  # type: ignore[no-untyped-call]


def _sources(files: Files, generated: list[File]) -> set[str]:
    ours = {id(f) for f in generated}
    return {f.src_uri for f in files.documentation_pages() if id(f) not in ours}


def _page(files: Files, src_uri: str) -> Page | None:
    file = files.get_file_from_path(src_uri)
    return file.page if file is not None else None


def _macros(config: MkDocsConfig, files: Files) -> tuple[RenderText | None, tuple[str, ...]]:
    """mkdocs-macros' rendering of report values (title, summary, ...), in either order.

    Its environment and variables are made in its `on_config`, before any `on_files`;
    a value is rendered with them as macros renders a page, honouring its
    `render_by_default` option and a report's `render_macros` front matter.
    """
    macros = config.plugins.get("macros")
    env = getattr(macros, "env", None) if macros is not None else None
    if macros is None or env is None:
        return None, MARKERS
    by_default = bool(macros.config.get("render_by_default", True))

    def render(report: Report, text: str) -> str:
        wanted = _front_matter(files, report.path).get("render_macros", by_default)
        if wanted is False or (wanted is not True and not by_default):
            return text
        return str(env.from_string(text).render(**macros.variables))

    return render, (env.variable_start_string, env.block_start_string)


def _front_matter(files: Files, src_uri: str) -> dict[str, Any]:
    file = files.get_file_from_path(src_uri)
    if file is None:
        return {}
    try:
        _, data = get_data(file.content_string)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _material_tags(config: MkDocsConfig) -> bool:
    return any(name in config.plugins for name in ("material/tags", "tags"))


def _tag_index(files: Files) -> File | None:
    return files.get_file_from_path("tags.md") or files.get_file_from_path(TAG_INDEX)


def _link(items: list[Any], parent: Any) -> None:
    for item in items:
        item.parent = parent
        if item.is_section:
            _link(item.children, item)


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

    def __init__(self, files: Files, config: MkDocsConfig) -> None:
        self.site_url = config.site_url or ""
        self._urls = {f.src_uri: f.url for f in files}
        if TAG_INDEX not in self._urls and "tags.md" in self._urls:
            self._urls[TAG_INDEX] = self._urls["tags.md"]

    def url(self, src: str) -> str:
        return self._urls.get(src, "")

    def rel(self, from_src: str, to_src: str) -> str:
        return get_relative_url(self._urls.get(to_src, ""), self._urls.get(from_src, ""))
