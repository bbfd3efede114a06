"""MkDocs-side speed-ups: report bodies rendered elsewhere, pages kept under `serve`.

`BodyRelay` hands MkDocs the body of a report rendered on another core (or kept
from an earlier `serve` build from the same Markdown and files) in place of
rendering it again, with what `Page.render` would have left on the page and
logged. `PageKeeper`, under `serve` only, gives back a page's whole output from
the previous build while nothing it shows has changed. Both only skip work:
a page is the same, byte for byte, as MkDocs would make it (tests/test_speedups.py).
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from .build import BodyJob, KeptPage, Rendered, SiteBuild, markdown_digest


class BodyRelay:
    """Report bodies between the workers (or the `serve` cache) and MkDocs' pages."""

    def __init__(self, site: SiteBuild) -> None:
        self.site = site
        # Report pages whose body MkDocs does not render: their Markdown and body.
        self.restoring: dict[str, tuple[str, Rendered]] = {}
        # A report page MkDocs is rendering itself, and what it logs meanwhile.
        self.capturing: tuple[str, LogCapture] | None = None

    def reset(self) -> None:
        self.restoring = {}
        self.stop_capture()

    def markdown(self, page: Page, markdown: str) -> str:
        """The Markdown MkDocs is to render: empty when the body is already rendered
        (it is put back in `content`); otherwise what it logs is recorded, so the body
        can be kept with its warnings."""
        src_uri = page.file.src_uri
        rendered = self.site.body(src_uri, markdown)
        if rendered is not None:
            self.restoring[src_uri] = (markdown, rendered)
            return ""
        capture = LogCapture()
        capture.__enter__()
        self.capturing = (src_uri, capture)
        return markdown

    def content(self, page: Page, html: str, files: Files) -> str | None:
        """A page's body as MkDocs would have rendered it (None: MkDocs' own, kept)."""
        src_uri = page.file.src_uri
        captured = self.stop_capture()
        if captured is not None and captured[0] == src_uri and page.markdown is not None:
            self.site.keep_body(src_uri, Rendered(markdown_digest(page.markdown), html,
                                                  body_state(page), captured[1].records()))
        restoring = self.restoring.pop(src_uri, None)
        if restoring is None:
            return None
        page.markdown, rendered = restoring
        restore_body(page, files, rendered)
        return rendered.html

    def stop_capture(self) -> tuple[str, LogCapture] | None:
        captured, self.capturing = self.capturing, None
        if captured is not None:
            captured[1].__exit__()
        return captured


class PageKeeper:
    """Under `serve`: whole page outputs kept from the previous build, used again while
    the page, the settings and the theme's files are unchanged.

    When only the navigation changed (a report's title in it, a new report), a kept
    page gets the new navigation in place of the old: rendered once by the theme for
    each set of pages that show it alike (`nav_class`), then spliced into the others.
    """

    def __init__(self, site: SiteBuild) -> None:
        self.site = site
        self.bytecode = KeptBytecode()
        # The last build's navigation (its key and items): a page kept with it shows it.
        self.last_nav: tuple[str, list[NavItem]] | None = None
        self.reset()

    def reset(self) -> None:
        self.signature: str | None = None
        self.nav: tuple[int, str, frozenset[str]] | None = None
        self.keys: dict[str, tuple[str, str, str, str]] = {}
        self.splice_content = False
        self.kept_now: dict[str, str | None] = {}
        # The primary navigation as the theme rendered it, by navigation and class.
        self.segments: dict[tuple[str, str], str] = {}
        # Titles changed since the last build's navigation (nothing else changed), and
        # whether putting the new in place of the old gave a page the navigation the
        # theme gave it (None: not tried yet).
        self.retitled: list[tuple[str, str]] = []
        self.last_nav_key = ""
        self.retitle_works: bool | None = None
        self.retitle_count = 0  # (how often the old titles are in the tried navigation)

    def begin(self, config: MkDocsConfig, job: BodyJob | None, serving: bool) -> BodyJob | None:
        """The body job, keyed also by the settings and theme under `serve`."""
        if job is None or not serving:
            return job
        job = replace(job, signature=settings_signature(config, job.signature))
        if pages_can_be_kept(config):
            self.signature = job.signature
            self.splice_content = not content_used_elsewhere(config)
        return job

    def choose_template(self, page: Page) -> None:
        """Render a page through the template that can give back its kept output
        (`kept-page.html`), when nothing else chose one."""
        if self.signature is not None and "template" not in page.meta:
            page.meta["template"] = KEPT_TEMPLATE

    def look_up(self, page: Page, nav: Navigation) -> None:
        """Find the page's kept output, if nothing it shows has changed but, perhaps,
        the navigation or its content, which are then spliced in."""
        if self.signature is None or page.meta.get("template") != KEPT_TEMPLATE:
            return
        if self.nav is None or self.nav[0] != id(nav):
            items = nav_items(nav)
            self.nav = (id(nav), nav_signature(nav), frozenset(p.url for p in nav.pages))
            self.segments = {k: v for k, v in self.segments.items() if k[0] == self.nav[1]}
            self.retitled = retitled(self.last_nav[1], items) if self.last_nav else []
            self.last_nav_key = self.last_nav[0] if self.last_nav else ""
            self.last_nav = (self.nav[1], items)
        src_uri = page.file.src_uri
        (key, frame), nav_key = page_keys(page, self.signature), self.nav[1]
        kind = nav_class(page, self.nav[2])
        frame = frame if self.splice_content else ""
        self.keys[src_uri] = (key, nav_key, kind, frame)
        kept = self.site.kept_page(src_uri, key)
        output = None
        if kept is not None and kept.nav == nav_key:
            output = kept.output
        else:
            content = None
            if kept is None:
                kept = self.site.kept_frame(src_uri, frame)
                content = page.content or ""
            if kept is not None:
                output = self._spliced(src_uri, key, kept, (nav_key, kind), content)
        self.kept_now[src_uri] = output

    def _spliced(self, src_uri: str, key: str, kept: KeptPage, nav: tuple[str, str],
                 content: str | None) -> str | None:
        """A kept output with the navigation of its class (as the theme rendered it for
        another page) and, if given, the page's new content put in; kept in turn."""
        edits: list[tuple[int, int, str]] = []
        if content is not None:
            # (the theme shows a title of its own above a content without one)
            if kept.content is None or not content or ("<h1" in content) != kept.h1:
                return None
            edits.append((*kept.content, content))
        if kept.nav != nav[0]:
            segment = self.segments.get(nav)
            if segment is None and kept.span is not None and self._may_retitle(kept):
                segment = retitle(kept.output[kept.span[0]:kept.span[1]], self.retitled)
            if kept.span is None or segment is None:
                return None
            edits.append((*kept.span, segment))
        output = kept.output
        for start, end, text in sorted(edits, reverse=True):
            output = output[:start] + text + output[end:]

        def moved(span: tuple[int, int] | None) -> tuple[int, int] | None:
            if span is None:
                return None
            shift = sum(len(text) - (end - start) for start, end, text in edits
                        if end <= span[0])
            new = next((text for start, end, text in edits if (start, end) == span), None)
            length = span[1] - span[0] if new is None else len(new)
            return span[0] + shift, span[0] + shift + length

        # (a new navigation alone: the finished page can be made the same way)
        renavigated = ((id(kept.output), kept.span)
                       if content is None and edits and kept.span is not None else None)
        self.site.keep_page(src_uri, key, KeptPage(
            nav[0], output, moved(kept.span), kept.frame, moved(kept.content),
            kept.h1 if content is None else "<h1" in content, renavigated))
        return output

    def _may_retitle(self, kept: KeptPage) -> bool:
        """Whether a kept page's navigation becomes the new one by its new titles alone:
        it shows the last build's navigation, only titles changed since, and doing so
        gave the navigation the theme made for a page rendered whole in this build."""
        if not self.retitled or self.retitle_works is not True or kept.span is None \
                or kept.nav != self.last_nav_key:
            return False
        # (a page's own headings are in its navigation: one that names an old title too
        # is rendered whole)
        return _count(kept.output[kept.span[0]:kept.span[1]], self.retitled) == \
            self.retitle_count

    def _check_retitle(self, src_uri: str, output: str, span: tuple[int, int]) -> None:
        """Try the new titles on the page's last output against what the theme made."""
        if self.retitle_works is not None or not self.retitled:
            return
        before = self.site.kept_any(src_uri)
        if before is None or before.span is None or before.nav != self.last_nav_key:
            return
        old = before.output[before.span[0]:before.span[1]]
        self.retitle_works = retitle(old, self.retitled) == output[span[0]:span[1]]
        self.retitle_count = _count(old, self.retitled)

    def kept(self, page: Page) -> Markup | None:
        """The kept output (for `kept-page.html`), or None: the theme renders the page."""
        kept = self.kept_now.get(page.file.src_uri)
        return Markup(kept) if kept is not None else None

    def keep(self, page: Page, output: str) -> None:
        """Keep a page's output as its template made it, for the next build, and its
        navigation for the pages of its class."""
        src_uri = page.file.src_uri
        if src_uri not in self.keys or self.kept_now.get(src_uri) is not None:
            return
        key, nav_key, kind, frame = self.keys[src_uri]
        span = nav_span(output)
        if span is not None:
            self._check_retitle(src_uri, output, span)
        content = page.content or ""
        at = output.find(content) if content else -1
        shown = (at, at + len(content)) if at >= 0 and output.find(content, at + 1) < 0 \
            and not _overlap((at, at + len(content)), span) else None
        self.site.keep_page(src_uri, key, KeptPage(nav_key, output, span, frame, shown,
                                                   "<h1" in content))
        if span is not None:
            self.segments.setdefault((nav_key, kind), output[span[0]:span[1]])

    def install(self, env: Any, serving: bool) -> None:
        """The theme's compiled templates kept, and the kept outputs reachable, in `env`."""
        if serving:
            env.bytecode_cache = self.bytecode
        if self.signature is not None:
            env.globals["report_archive_kept"] = self.kept


_NAV_START = '<nav class="md-nav md-nav--primary"'
_NAV_TAG = re.compile(r"<nav\b|</nav>")


def nav_span(output: str) -> tuple[int, int] | None:
    """Where a page shows the site's primary navigation (Material's `md-nav--primary`);
    None when it is not there once, or the navigation also shows elsewhere (tabs)."""
    start = output.find(_NAV_START)
    if start < 0 or output.find(_NAV_START, start + 1) >= 0 or 'class="md-tabs' in output:
        return None
    depth = 0
    for tag in _NAV_TAG.finditer(output, start):
        depth += 1 if tag.group() == "<nav" else -1
        if depth == 0:
            return start, tag.end()
    return None


def nav_class(page: Page, nav_urls: frozenset[str]) -> str:
    """Pages that show the navigation alike: those not in it, in the same folder (links
    are relative), with no link of the navigation inside their own URL; a page in the
    navigation is its own class (it is marked there as the current page)."""
    url = page.url
    if url in nav_urls or any(other.startswith(url) and other != url for other in nav_urls):
        return "page\0" + url
    return f"folder\0{posixpath.dirname(url.rstrip('/'))}\0{page.meta.get('hide')!r}"


# Rendering bodies on other cores -----------------------------------------------------

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
                   body_signature(config, files, attr_list),
                   kept=all(map(renders_from_markdown_alone, config.markdown_extensions)))


# Markdown extensions known to render from the Markdown and their settings alone. Others
# may read more (`pymdownx.snippets` includes files, `pymdownx.b64` embeds images): a body
# rendered with any other is not kept between `serve` builds, where what it read may
# have changed while its Markdown did not.
_PURE_EXTENSIONS = frozenset({
    "abbr", "admonition", "attr_list", "codehilite", "def_list", "extra", "fenced_code",
    "footnotes", "legacy_attrs", "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists",
    "smarty", "tables", "toc", "wikilinks"})
_PURE_PACKAGES = ("pymdownx.", "material.extensions.", "report_archive.")
_READING_EXTENSIONS = frozenset({"pymdownx.snippets", "pymdownx.b64"})


def renders_from_markdown_alone(extension: object) -> bool:
    """Whether a Markdown extension (as named in `markdown_extensions`) is known to render
    from the Markdown alone, reading no file."""
    if not isinstance(extension, str):
        return False  # an extension object: what it reads is not known
    name = extension.removeprefix("markdown.extensions.")
    if name in _PURE_EXTENSIONS:
        return True
    return name.startswith(_PURE_PACKAGES) and name not in _READING_EXTENSIONS


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
    # A Page makes itself its file's page: the file keeps the build's own page, so this
    # worker does not keep every body it rendered.
    own = file.page
    try:
        page = Page(None, file, context.config)
        page.markdown = change.markdown
        with LogCapture(forward=False) as capture:
            page.render(context.config, context.files)
    finally:
        file.page = own
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


# An entry of the navigation: its depth, kind, title and URL.
NavItem = tuple[int, str, str, str]


def nav_items(nav: Navigation) -> list[NavItem]:
    """The navigation as every page shows it: titles, URLs and sections, in order."""
    found: list[NavItem] = []

    def walk(items: Sequence[Any], depth: int) -> None:
        for item in items:
            found.append((depth, type(item).__name__, str(item.title),
                          str(getattr(item, "url", ""))))
            if getattr(item, "children", None):
                walk(item.children, depth + 1)

    walk(nav.items, 0)
    return found


def nav_signature(nav: Navigation) -> str:
    return markdown_digest("\n".join("\0".join(map(str, item)) for item in nav_items(nav)))


def retitled(before: list[NavItem], now: list[NavItem]) -> list[tuple[str, str]]:
    """The titles changed from one navigation to the next, (old, new), when nothing else
    changed and no old title is in another entry (empty: not such a change)."""
    if len(before) != len(now) or any(a[:2] != b[:2] or a[3] != b[3]
                                      for a, b in zip(before, now, strict=True)):
        return []
    changes = [(a[2], b[2]) for a, b in zip(before, now, strict=True) if a[2] != b[2]]
    if any(not old or sum(old in item[2] for item in before) != 1 for old, _ in changes):
        return []  # (an old title in another entry's would be replaced there too)
    return changes


def _count(segment: str, changes: list[tuple[str, str]]) -> int:
    return sum(segment.count(old) for old, _ in changes)


def retitle(segment: str, changes: list[tuple[str, str]]) -> str:
    """A navigation as rendered, with each changed title (as written there) replaced."""
    for old, new in changes:
        written_old, written_new = str(escape(old)), str(escape(new))
        if written_old in segment:
            segment = segment.replace(written_old, written_new)
        else:
            segment = segment.replace(old, new)
    return segment


def page_keys(page: Page, signature: str) -> tuple[str, str]:
    """Everything of a page its theme template shows but the navigation, and the same
    but its content, with the site's signature: its neighbours and sections (footer,
    breadcrumbs) are in it."""
    neighbours = [(getattr(p, "url", None), p.title) if p is not None else None
                  for p in (page.previous_page, page.next_page, *page.ancestors)]
    frame = markdown_digest("\0".join([
        signature, page.file.src_uri, page.url, page.canonical_url or "",
        page.edit_url or "", str(page.title), repr(page.meta), str(page.toc),
        repr(neighbours), page.file.inclusion.name]))
    return markdown_digest(frame + "\0" + (page.content or "")), frame


def _overlap(a: tuple[int, int], b: tuple[int, int] | None) -> bool:
    return b is not None and a[0] < b[1] and b[0] < a[1]


_PAGE_CONTENT = re.compile(r"""page\s*(?:\.\s*content\b|\[\s*["']content["'])""")


def content_used_elsewhere(config: MkDocsConfig) -> bool:
    """Whether a template of the site's own (an override, a theme not installed) reads the
    page's content: then it may show more of it than the content itself, and a page
    whose content changed is rendered again whole. (The installed theme, Material,
    shows the content once, and a title of its own when the content has none.)"""
    for folder in [d for d in config.theme.dirs if not _installed(d)]:
        for root, _dirs, names in os.walk(folder):
            for name in names:
                try:
                    with open(os.path.join(root, name), "rb") as handle:
                        text = handle.read(1 << 20).decode("utf-8", "replace")
                except OSError:
                    return True
                if _PAGE_CONTENT.search(text):
                    return True
    return False


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
