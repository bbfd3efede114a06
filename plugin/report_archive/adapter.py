"""MkDocs-side helpers of the plugin: files in and out, the navigation, URLs, logging.

Like `plugin.py`, this module touches MkDocs' structures; everything it decides
with is computed by the core.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from .build import BuildFailed, NewFile, PageChange, PlanError, SiteBuild, Source
from .diagnostics import Collector, Diagnostic
from .expand import MARKERS, RenderText
from .filesystem import read_bounded, vet
from .i18n import Translator
from .model import Report
from .render import Renderer
from .urls import BROWSE, COMPARE_INDEX, HOME, REPORTS_JSON, TAG_INDEX

# Reports are written with pipe tables; nothing else is switched on for them, since
# extensions such as attr_list change how ordinary text renders ("{5e-5, 1e-4}").
_NEEDED_EXTENSIONS = ("tables",)


def install(config: MkDocsConfig, templates: str, css: Sequence[str],
            javascript: Sequence[str]) -> None:
    """Our templates after the theme's (so `custom_dir` overrides them), the extensions
    reports need, and our assets first (so a team's own rules of equal specificity win)."""
    if templates not in config.theme.dirs:
        config.theme.dirs.append(templates)
    for extension in _NEEDED_EXTENSIONS:
        if extension not in config.markdown_extensions:
            config.markdown_extensions.append(extension)
    for extra, assets in ((config.extra_css, css), (config.extra_javascript, javascript)):
        for asset in reversed(assets):
            if asset not in extra:
                extra.insert(0, asset)


def hide_theme_tags(meta: MutableMapping[str, Any]) -> None:
    """Hide Material's tag bar on a page (its tags plugin still indexes the page)."""
    hide = meta.get("hide")
    meta["hide"] = [*(hide if isinstance(hide, list) else []), "tags"]


def leave_out(files: Files, config: MkDocsConfig) -> list[Diagnostic]:
    """Remove the files that must not be used (links out of the archive, pipes, devices)."""
    rejected, named = vet(((f.src_uri, f.abs_src_path) for f in files if f.abs_src_path),
                          config.docs_dir)
    for file in [f for f in files if f.src_uri in rejected]:
        files.remove(file)
    return named


def source(file: File, limit: int) -> Source:
    """A page's bytes: a file of the archive is read with a bound, a generated one as it is."""
    try:
        if file.abs_src_path and not file.generated_by:
            return Source(file.src_uri, raw=read_bounded(file.abs_src_path, limit))
        return Source(file.src_uri, raw=file.content_bytes)
    except OSError as exc:
        return Source(file.src_uri, error=exc)


def replace_files(files: Files, config: MkDocsConfig, new: Iterable[NewFile]) -> None:
    """Put generated files in the place of files of the same path."""
    for item in new:
        old = files.get_file_from_path(item.src_uri)
        if old is not None:
            files.remove(old)
        files.append(File.generated(config, item.src_uri, content=item.content))


def clashes(files: Files, config: MkDocsConfig, generated: Iterable[str]) -> list[Diagnostic]:
    """A `page-clash` error for each file of the archive at the URL of a generated file."""
    taken = {f.dest_uri: f.src_uri for f in files}
    found: list[Diagnostic] = []
    for src_uri in generated:
        dest = File(src_uri, config.docs_dir, config.site_dir,
                    bool(config.use_directory_urls)).dest_uri
        if dest in taken:
            out = Collector(taken[dest])
            out.add("page-clash", f"would be replaced by the page the plugin generates at "
                    f"{src_uri} (both are {dest}); rename it", None)
            found.extend(out.items)
    return found


def add_generated(files: Files, config: MkDocsConfig, planned: Sequence[NewFile],
                  log: logging.LoggerAdapter[Any] | logging.Logger) -> list[File]:
    """Add the plugin's files; a file of the archive at the same URL is an error."""
    found = clashes(files, config, [f.src_uri for f in planned])
    if found:
        log_diagnostics(log, found, config, lambda d: False)
        raise PluginError("report-archive: files of the archive clash with pages the plugin "
                          "generates (listed above); rename them: "
                          + ", ".join(d.path for d in found))
    generated = [File.generated(config, f.src_uri, content=f.content) for f in planned]
    for file in generated:
        files.append(file)
    return generated


def sources(files: Files, generated: list[File]) -> set[str]:
    """The documentation pages that are not the plugin's own."""
    ours = {id(f) for f in generated}
    return {f.src_uri for f in files.documentation_pages() if id(f) not in ours}


def keep_out_of_nav(files: Files, src_uris: set[str]) -> None:
    """Mark pages not-in-nav (MkDocs 1.6): no `omitted_files` warning, no automatic entry."""
    for file in files.documentation_pages():
        if file.src_uri in src_uris and file.inclusion.is_in_nav():  # type: ignore[no-untyped-call]
            file.inclusion = InclusionLevel.NOT_IN_NAV


def material_tags(config: MkDocsConfig) -> bool:
    return any(name in config.plugins for name in ("material/tags", "tags"))


def own_tag_index(files: Files) -> File | None:
    """The site's own tag index (`tags.md`), where Material's tags plugin lists pages."""
    return files.get_file_from_path("tags.md") or files.get_file_from_path(TAG_INDEX)


def extend_nav(nav: Navigation, files: Files, label: str, reports: Sequence[str],
               listings: Sequence[str]) -> Navigation:
    """The home page first, then the navigation as it is, a Reports section, the listings."""
    def page(src_uri: str) -> Page | None:
        file = files.get_file_from_path(src_uri)
        return file.page if file is not None else None

    items = list(nav.items)
    home = page("index.md")
    if home is not None and home not in _flatten(items):
        items.insert(0, home)
    report_pages: list[Any] = [p for p in map(page, reports) if p is not None]
    if report_pages:
        items.append(Section(label, report_pages))
    items += [p for p in map(page, listings) if p is not None]
    _link(items, None)
    pages = _flatten(items)
    for previous, current, following in zip([None, *pages[:-1]], pages, [*pages[1:], None],
                                            strict=True):
        current.previous_page, current.next_page = previous, following
    return Navigation(items, pages)


def site_nav(nav: Navigation, files: Files, site: SiteBuild, awesome: bool) -> Navigation:
    """`extend_nav` with the newest reports (Material renders the navigation into every
    page, so not all of them; none with awesome-pages, which places them), then Browse,
    Comparisons and Tags."""
    assert site.archive is not None
    newest = site.archive.newest_first()[:site.settings.nav_max_reports]
    reports = [] if awesome else [r.path for r in newest]
    return extend_nav(nav, files, site.renderer.i18n.t("nav.reports"), reports,
                      (BROWSE, COMPARE_INDEX, TAG_INDEX))


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


def log_diagnostics(log: logging.LoggerAdapter[Any] | logging.Logger,
                    diagnostics: Iterable[Diagnostic], config: MkDocsConfig,
                    lenient: Callable[[Diagnostic], bool]) -> None:
    """Each diagnostic through MkDocs' logger, so `--strict` counts the warnings.

    A draft's warnings are logged at info level (`drafts.strict: false`, the
    default): a team publishes with `--strict` while drafts still carry template text.
    """
    prefix = os.path.relpath(config.docs_dir)
    for d in diagnostics:
        message = f"{os.path.join(prefix, d.location())}: {d.message} [{d.rule}]"
        if d.severity == "error":
            log.error(message)
        elif lenient(d):
            log.info(f"{message} (draft)")
        else:
            log.warning(message)


class Links:
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


def macros_renderer(config: MkDocsConfig,
                    files: Files) -> tuple[RenderText | None, tuple[str, ...]]:
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


def _front_matter(files: Files, src_uri: str) -> Mapping[str, object]:
    file = files.get_file_from_path(src_uri)
    if file is None:
        return {}
    try:
        _, data = get_data(file.content_string)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def add_pages(site: SiteBuild, files: Files, config: MkDocsConfig,
              log: logging.LoggerAdapter[Any] | logging.Logger) -> tuple[set[str], list[File]]:
    """Read and validate every page; add the generated pages to `files`.

    Returns the pages read and the files added; a build with errors stops here.
    """
    left_out = leave_out(files, config)
    pages = list(files.documentation_pages())
    limit = site.settings.limits.max_file_bytes
    render, markers = macros_renderer(config, files)
    archive = site.read([source(f, limit) for f in pages], left_out,
                        site_files=[f.src_uri for f in files], render=render, markers=markers)
    log_diagnostics(log, site.diagnostics, config, archive.lenient)
    for failure in site.expand_failures:
        log.warning(failure)
    # MkDocs would crash reading these files; a page naming the problem replaces each.
    replace_files(files, config, site.unreadable())
    # With Material's tags plugin, the team's own tag index (`tags.md`) is the one
    # at /tags/; ours steps aside and our tag pages link to theirs.
    theirs = material_tags(config) and own_tag_index(files) is not None
    try:
        site.check_errors()
        planned = site.plan(site_name=config.site_name, tag_index=not theirs,
                            has_home=files.get_file_from_path(HOME) is not None)
    except (BuildFailed, PlanError) as exc:
        log.info(site.summary_line())
        raise PluginError(f"report-archive: {exc}") from exc
    return {f.src_uri for f in pages}, add_generated(files, config, planned, log)


def settle_files(site: SiteBuild, files: Files, config: MkDocsConfig,
                 generated: Sequence[File]) -> None:
    """Every file is known: keep ours out of MkDocs' nav; note the URLs; fill reports.json.

    Reports and listings (and a generated home, which `on_nav` puts first) stay out
    of MkDocs' own nav and `omitted_files` warnings; awesome-pages places reports.
    """
    ours = {f.src_uri for f in generated}
    if "awesome-pages" not in config.plugins:
        ours |= set(site.by_src) - {HOME}
    keep_out_of_nav(files, ours)
    reports_json = files.get_file_from_path(REPORTS_JSON)
    assert reports_json is not None
    reports_json.content_string = site.begin_rendering(Links(files, config))


def report_meta(meta: MutableMapping[str, Any], change: PageChange,
                config: MkDocsConfig) -> None:
    """A report page's metadata for the theme: its safe title and its status; out of
    Material's search (it is in ours) and without Material's tag bar (the card has it)."""
    meta["title"] = change.title
    meta["search"] = {"exclude": True}
    # Material shows `status` as a page status icon; ours is the report's status.
    meta.pop("status", None)
    meta["report_status"] = change.status
    if material_tags(config):
        hide_theme_tags(meta)


def has_search(config: MkDocsConfig) -> bool:
    """Whether the site has a search plugin (MkDocs' or Material's), so a search index."""
    return any(name in config.plugins for name in ("search", "material/search"))


def fill(files: Files, contents: Mapping[str, str]) -> None:
    """Give generated files their content (feeds and charts, made on other cores)."""
    for src_uri, content in contents.items():
        file = files.get_file_from_path(src_uri)
        if file is not None:
            file.content_string = content


class Renderers:
    """Our templates' environment, kept between `serve` rebuilds (it reloads a template
    whose file changed) while the theme's folders, language and nav labels are the same."""

    def __init__(self) -> None:
        self._kept: tuple[list[str], Renderer] | None = None

    def get(self, config: MkDocsConfig, labels: Mapping[str, str]) -> Renderer:
        # Our interface strings follow Material's language (`theme.language`).
        translator = Translator(config.theme.get("language"), labels=labels)
        key = [*map(str, config.theme.dirs), translator.language, repr(labels)]
        if self._kept is None or self._kept[0] != key:
            self._kept = (key, Renderer(config.theme.dirs, translator))
        return self._kept[1]
