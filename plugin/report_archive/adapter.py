"""MkDocs-side helpers of the plugin: files in and out, the navigation, URLs, logging.

Like `plugin.py`, this module touches MkDocs' structures; everything it decides
with is computed by the core.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from .build import BodyJob, NewFile, Rendered, SiteBuild, Source, markdown_digest
from .diagnostics import Collector, Diagnostic
from .expand import MARKERS, RenderText
from .filesystem import read_bounded, vet
from .model import Report
from .urls import TAG_INDEX

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


# Report bodies on other cores --------------------------------------------------------

# Events through which another plugin could change a report's Markdown before MkDocs
# renders it: while any of them is taken, MkDocs renders every body itself.
_MARKDOWN_EVENTS = ("pre_page", "page_read_source", "page_markdown")


@dataclass(frozen=True)
class _BodyContext:
    files: Files
    config: MkDocsConfig
    site: SiteBuild
    attr_list: bool


def body_job(config: MkDocsConfig, files: Files, site: SiteBuild, own: object) -> BodyJob | None:
    """How to render the reports' bodies as MkDocs would, or None when that is not safe.

    `own`: our plugin; its own handlers of the Markdown events do not count.
    """
    for event in _MARKDOWN_EVENTS:
        if any(getattr(handler, "__self__", None) is not own
               for handler in config.plugins.events[event]):
            return None
    attr_list = "attr_list" in config.markdown_extensions
    reports = [f.src_uri for f in files.documentation_pages() if f.src_uri in site.by_src]
    return BodyJob(render_body, _BodyContext(files, config, site, attr_list), reports,
                   body_signature(config, files, attr_list))


def body_signature(config: MkDocsConfig, files: Files, attr_list: bool) -> str:
    """Everything but its Markdown that a body's HTML depends on: every file's URL and
    inclusion (links are resolved against them) and the Markdown settings."""
    parts = [repr((config.markdown_extensions, config.mdx_configs, config.use_directory_urls,
                   config.validation, attr_list))]
    parts += [f"{f.src_uri}\0{f.url}\0{f.inclusion.name}" for f in files]
    return markdown_digest("\n".join(parts))


def render_body(context: _BodyContext, src_uri: str) -> Rendered | None:
    """A report's body as `Page.render` makes it, with what it logs (runs in forked workers)."""
    file = context.files.get_file_from_path(src_uri)
    if file is None:
        return None
    markdown, _ = get_data(file.content_string)
    change = context.site.report_page(src_uri, markdown, attr_list=context.attr_list)
    if change is None:
        return None
    page = Page(None, file, context.config)
    page.markdown = change.markdown
    with LogCapture(forward=False) as capture:
        page.render(context.config, context.files)
    assert page.content is not None
    return Rendered(markdown_digest(change.markdown), page.content, body_state(page),
                    capture.records())


def body_state(page: Page) -> tuple[Any, ...]:
    """What `Page.render` leaves on a page besides its HTML, in a form that pickles."""
    links = None
    if page.links_to_anchors is not None:
        links = {f.src_uri: dict(anchors) for f, anchors in page.links_to_anchors.items()}
    return (page.toc, frozenset(page.present_anchor_ids or ()), links)


def restore_body(page: Page, files: Files, rendered: Rendered) -> None:
    """Put on a page what `Page.render` would have left on it; log what it logged."""
    toc, anchors, links = rendered.state
    page.toc = toc
    page.present_anchor_ids = set(anchors)
    if links is not None:
        page.links_to_anchors = {}
        for src_uri, anchors_of in links.items():
            target = files.get_file_from_path(src_uri)
            if target is not None:
                page.links_to_anchors[target] = dict(anchors_of)
    for name, level, message in rendered.logs:
        logging.getLogger(name).log(level, message)


class LogCapture(logging.Handler):
    """Records what is logged while a body renders (`forward` False: only records it)."""

    def __init__(self, forward: bool = True) -> None:
        super().__init__(logging.NOTSET)
        self.forward = forward
        self._records: list[logging.LogRecord] = []
        self._seen: set[int] = set()
        self._saved: list[tuple[logging.Logger, list[logging.Handler]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) not in self._seen:
            self._seen.add(id(record))
            self._records.append(record)

    def __enter__(self) -> LogCapture:
        for logger in (logging.getLogger(), logging.getLogger("mkdocs")):
            self._saved.append((logger, list(logger.handlers)))
            if not self.forward:
                logger.handlers = []
            logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for logger, handlers in self._saved:
            logger.handlers = handlers
        self._saved = []

    def records(self) -> tuple[tuple[str, int, str], ...]:
        return tuple((r.name, r.levelno, r.getMessage()) for r in self._records)


# Whole report pages kept across `serve` rebuilds -----------------------------------------

KEPT_TEMPLATE = "report-archive/kept-page.html"
# Plugins whose `on_page_context` only reads the page: a kept page is what it would get.
_READ_ONLY_CONTEXT = ("mkdocs.contrib.search", "material.plugins.search", "report_archive")


def pages_can_be_kept(config: MkDocsConfig) -> bool:
    """Whether a page's output depends only on the page, the navigation and the settings."""
    return all(getattr(handler, "__module__", "").startswith(_READ_ONLY_CONTEXT)
               for handler in config.plugins.events["page_context"])


def settings_signature(config: MkDocsConfig, body_signature: str) -> str:
    """The site's settings and theme as they are now: the configuration file, the URL
    it is served at, the theme's folders and every file of its overrides, and every
    file's URL."""
    parts = [body_signature, config.site_url or "", repr(config.theme.dirs)]
    if config.config_file_path and os.path.isfile(config.config_file_path):
        with open(config.config_file_path, "rb") as handle:
            parts.append(markdown_digest(handle.read().decode("utf-8", "replace")))
    # An installed theme does not change while a site is served; its overrides may.
    for folder in [d for d in config.theme.dirs if not _installed(d)]:
        for root, _dirs, names in os.walk(folder):
            for name in names:
                try:
                    stat = os.stat(os.path.join(root, name))
                except OSError:
                    continue
                parts.append(f"{root}/{name}\0{stat.st_mtime_ns}\0{stat.st_size}")
    return markdown_digest("\n".join(parts))


def _installed(folder: str) -> bool:
    parts = os.path.normpath(folder).split(os.sep)
    return "site-packages" in parts or "dist-packages" in parts


def nav_signature(nav: Navigation) -> str:
    """The navigation as every page shows it: titles, URLs and sections, in order."""
    parts: list[str] = []

    def walk(items: Sequence[Any], depth: int) -> None:
        for item in items:
            parts.append(f"{depth}\0{type(item).__name__}\0{item.title}\0"
                         f"{getattr(item, 'url', '')}")
            if getattr(item, "children", None):
                walk(item.children, depth + 1)

    walk(nav.items, 0)
    return markdown_digest("\n".join(parts))


def page_key(page: Page, signature: str) -> str:
    """Everything of a page its theme template shows, with the site's signature."""
    neighbours = [(getattr(p, "url", None), p.title) if p is not None else None
                  for p in (page.previous_page, page.next_page, page.parent)]
    parts = [signature, page.file.src_uri, page.url, page.canonical_url or "",
             page.edit_url or "", str(page.title), repr(page.meta), str(page.toc),
             repr(neighbours), page.file.inclusion.name, page.content or ""]
    return markdown_digest("\0".join(parts))


class KeptBytecode(BytecodeCache):
    """The theme's compiled templates, kept in memory between `serve` rebuilds (MkDocs
    makes a new Jinja environment for each). Jinja checks each template's source
    against its checksum, so an edited override is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, Any]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        kept = self._code.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)
