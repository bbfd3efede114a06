"""One site build, from the archive's files to its pages, without MkDocs.

The MkDocs adapter (`plugin.py`) hands this object plain data at each step of
MkDocs' build (the files' bytes, the URL of every source file, a page's
Markdown or HTML) and gives back what it returns. Everything in between lives
here: the content cache kept across `serve` rebuilds, reading and validating
the reports, planning the generated pages, rendering listings and header cards
on the other cores, drawing the charts in a separate process, decorating
report pages, and the summary line. It is unit-tested without building a site.
"""

from __future__ import annotations

import hashlib
import html
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import resources
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from .accessibility import accessible, accessible_edits
from .archive import Archive
from .braces import keep_braces
from .cache import DrawnCharts
from .charts import ChartHelper, ChartJob, chart_failure, chart_key, preload
from .csp import add_policy
from .diagnostics import Diagnostic
from .discovery import read_many, unreadable_report
from .expand import MARKERS, RenderText, expand_reports
from .export import REPORTS_SCHEMA, dumps, reports_json, schema_text
from .finds import apply
from .fulltext import (
    Collector,
    IndexStats,
    PageText,
    feed,
    page_text,
    use_worker,
    worker_edits,
    write_index,
    write_search_config,
)
from .markdown_scan import safe_markdown
from .mathml import render_math
from .memory import IdleCollector, Trimmer, compact, expanded_in, give_back
from .model import Report
from .parallel import MIN_ITEMS, Batch, Pool, can_fork, frozen_objects
from .plan import GeneratedPage, PlanError, home_section, plan_pages
from .render import RULES_PAGE, RULES_URL, Renderer, md
from .sanitize import sanitize_html
from .settings import Settings
from .template import strip_header_block
from .urls import (
    ASSETS,
    HOME,
    LISTING_MARKER,
    REPORTS_JSON,
    TAG_INDEX,
    Links,
)
from .verify import verify_reports
from .views import card_context, related

ASSET_NAMES = ("report-archive.css", "browse.js", "search-worker.js", "search-facets.js")
SEARCH_WORKER = f"{ASSETS}/search-worker.js"
SEARCH_SCRIPT = f"{ASSETS}/search-facets.js"
# Below this many report bodies to render (and a small archive), workers cost more
# than they save.
MIN_BODIES = 24


# Seconds the process writing the index under `serve` has to read its part.
START_TIMEOUT = 30.0


class BuildFailed(Exception):
    """Reports have errors and the site is not being served: the build must stop."""


@dataclass(frozen=True)
class Source:
    """A documentation file as MkDocs found it: its bytes, or why they cannot be read."""

    src_uri: str
    raw: bytes | None = None
    error: OSError | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.src_uri, hash(self.raw if self.error is None else str(self.error)))


@dataclass(frozen=True)
class NewFile:
    """A file the build adds to the site: a page, a feed, a chart, data or an asset."""

    src_uri: str
    content: str


@dataclass(frozen=True)
class PageChange:
    """What becomes of a report page's Markdown and metadata before MkDocs renders it."""

    markdown: str
    title: str
    status: str | None


class SiteBuild:
    """The state of one site across builds: caches persist, the rest is per build."""

    def __init__(self) -> None:
        # Parsed reports by (path, content hash), kept across `serve` rebuilds.
        self._reports: dict[tuple[str, int], Report] = {}
        self._reports_settings: Settings | None = None
        # Drawn charts by (path, data), kept across `serve` rebuilds like the reports.
        self._charts: dict[tuple[str, str], str] = {}
        # Rendered report bodies by path, with the signature of what else they depend on.
        self._bodies: dict[str, tuple[str, Rendered]] = {}
        # Whole report pages by path, with their key, kept between `serve` rebuilds.
        self._pages: dict[str, tuple[str, KeptPage]] = {}
        # Report bodies made safe on another core (body, result, formulas that failed),
        # and under `serve` header cards and related reports by what they show.
        self._clean: dict[str, tuple[str, str, list[str]]] = {}
        self._cards: dict[str, tuple[str, Report, list[Report], tuple[str, str]]] = {}
        self.relations = ""
        # Under `serve`, listing pages by what they show (see `listing`).
        self._listings_kept: dict[str, tuple[tuple[Any, ...], str]] = {}
        self.warm = False
        # Under `serve`, the process that draws changed charts, kept between builds.
        self.chart_helper: ChartHelper | None = None
        # Freed memory handed back every few pages (each worker counts its own).
        self.trim = Trimmer()
        # Under `serve`, what outlives a build collected while the server waits.
        self.idle = IdleCollector()
        # Pages whose HTML MkDocs holds compact (see `memory.compact`).
        self.compacted: set[str] = set()
        # Pages' text for full-text search, kept across `serve` rebuilds like the reports.
        self.search = Collector()
        self.search_stats: IndexStats | None = None
        # Under `serve`, the process writing the last build's search index.
        self.index_process: BaseProcess | None = None
        self.index_starter: threading.Thread | None = None
        self.index_stalled = False
        # Under `serve`: each page's last output from `finish_page`, by what it was made of.
        self._finished: dict[str, tuple[tuple[str, int, int] | None, str, str]] = {}
        self.index_pipe: Connection | None = None
        self.start(Settings())

    def start(self, settings: Settings, *, serving: bool = False,
              renderer: Renderer | None = None, search: bool = False) -> None:
        """Begin a build: forget the previous build's pages, keep the caches.

        `search`: the site has a search plugin, so the full-text index is written.
        """
        if serving:
            self.idle.build_started()
        self.close()
        # A search index still being written for the previous `serve` build is out of
        # date: stop it before MkDocs clears the site's folder.
        self.wait_for_index(stop=True)
        stalled, self.index_stalled = self.index_stalled, False
        if settings != self._reports_settings:
            self._reports.clear()
            self._bodies.clear()
            self._pages.clear()
            self._clean.clear()
            self._cards.clear()
            self._listings_kept.clear()
            self._reports_settings = settings
        self.settings = settings
        self.serving = serving
        self.search_wanted = search
        self.search.sink, self.search.sink_lost, self.fed = None, False, False
        self.renderer = renderer or Renderer()
        self.archive: Archive | None = None
        self.by_src: dict[str, Report] = {}
        self.listings: dict[str, str] = {}
        self.fragments: dict[str, tuple[str, str]] = {}
        self.pending: dict[str, int] = {}
        # Under `serve`, listings that show what they showed last time: not rendered.
        self.ready: dict[str, str] = {}
        self.listing_keys: dict[str, tuple[Any, ...]] = {}
        self.pages_seen: set[str] = set()
        self.pages_finished: set[str] = set()
        self.pool: Pool | None = None
        self.page_job: Batch | None = None
        self.report_work: Batch | None = None
        self.report_index: dict[str, int] = {}
        self.bodies: BodyJob | None = None
        self.chart_job: ChartJob | None = None
        self.chart_keys: dict[str, str] = {}
        self.links: Links | None = None
        self.reports_json = ""
        self.left_out: list[Diagnostic] = []
        self.chart_failures: list[str] = []
        self.expand_failures: list[str] = []
        self.page_warnings: list[str] = []
        if stalled:
            self.page_warnings.append(
                f"the process that writes the full-text search index did not start within "
                f"{START_TIMEOUT:.0f} s, so the last build's search index is missing; if "
                f"MkDocs runs from a script of your own, put its start under "
                f'`if __name__ == "__main__":` (Python starts that process from it)')
        self.own_time = 0.0
        self.search.seconds = 0.0

    @contextmanager
    def _timed(self) -> Iterator[None]:
        begin = time.perf_counter()
        try:
            yield
        finally:
            self.own_time += time.perf_counter() - begin

    # Reading -----------------------------------------------------------------

    def read(self, sources: Sequence[Source], left_out: Sequence[Diagnostic] = (),
             site_files: Iterable[str] | None = None, render: RenderText | None = None,
             markers: Sequence[str] = MARKERS) -> Archive:
        """Read and validate every file once (unchanged ones come from the cache).

        `left_out`: files not read at all (links out of the archive, pipes, devices),
        each named in a diagnostic that counts like a report's. `site_files`: every
        file of the site by path (pages, images): links from reports to other files
        are checked against them, as `check` does. `render`: the site's template
        engine (mkdocs-macros), for report values that hold template markup; the
        archive gets rendered copies, the cache the originals.
        """
        self.left_out = list(left_out)
        with self._timed():
            missing = [s for s in dict.fromkeys(sources) if s.key not in self._reports]
            for source in missing:
                if source.error is not None:
                    self._reports[source.key] = unreadable_report(source.src_uri, source.error)
            fresh = [(s.raw or b"", s.src_uri) for s in missing if s.error is None]
            for report, (raw, src_uri) in zip(read_many(fresh, self.settings), fresh,
                                              strict=True):
                self._reports[(src_uri, hash(raw))] = report
            self._reports = {s.key: self._reports[s.key] for s in sources}
            reports = [self._reports[s.key] for s in sources]
            self.expand_failures = []
            if render is not None:
                reports, self.expand_failures = expand_reports(reports, render, markers)
            known = frozenset(site_files) if site_files is not None else None
            archive = Archive(reports, self.settings,
                              known_files=known.__contains__ if known is not None else None)
            if self.settings.tracking.verify_runs:
                # Opt-in: the tracker is asked in every build; one that cannot be reached
                # is a warning, so the site still builds without it.
                for key, found in verify_reports(archive.reports, self.settings).found.items():
                    archive.cross.setdefault(key, []).extend(found)
            self.archive = archive
            self.by_src = {r.path: r for r in archive.reports}
            if self.serving:
                self.relations = relations(archive)
            return archive

    @property
    def diagnostics(self) -> list[Diagnostic]:
        found = self.archive.diagnostics if self.archive is not None else []
        return self.left_out + found

    def unreadable(self) -> list[NewFile]:
        """A page for each file that cannot be read, naming the problem, in its place."""
        assert self.archive is not None
        title = self.renderer.i18n.t("unreadable.title")
        return [NewFile(r.path, unreadable_page(r, title)) for r in self.archive.files
                if not r.readable]

    def check_errors(self) -> None:
        """Stop a build (not a preview) when any report has an error."""
        assert self.archive is not None
        counts = self.archive.summary()
        if self.serving:
            return
        if counts["with_errors"]:
            raise BuildFailed(
                f"{counts['with_errors']} of {counts['reports']} reports have errors (listed "
                "above); fix them, or run `report-archive check` to see them all again.")
        if any(d.severity == "error" for d in self.left_out):
            raise BuildFailed(f"{len(self.left_out)} files of the archive cannot be published "
                              "(listed above)")
        # Pages that are not reports fail the build on their errors too (broken front
        # matter, unsafe values), as `report-archive check` fails on them.
        pages = [r.path for r in self.archive.files if not r.is_report and any(
            d.severity == "error" for d in self.archive.problems(r))]
        if pages:
            raise BuildFailed(f"{len(pages)} pages have errors (listed above): "
                              + ", ".join(pages[:5]))

    # Planning ----------------------------------------------------------------

    def plan(self, *, site_name: str, has_home: bool, tag_index: bool = True) -> list[NewFile]:
        """Every file the plugin adds; pages get their content later, as MkDocs reads them.

        `tag_index` False: the site has its own tag index at /tags/ (Material's tags
        plugin), which our tag pages link to instead of ours.
        """
        assert self.archive is not None
        with self._timed():
            self.planned = [p for p in plan_pages(self.archive, self.renderer)
                            if tag_index or p.src_uri != TAG_INDEX]
            files = [NewFile(page.src_uri, "") for page in self.planned]
            if not has_home:
                title, home = html.escape(site_name), md(self.renderer.i18n.t("home.title"))
                files.append(NewFile(HOME, f'---\ntitle: "{home}"\n---\n\n# {title}\n'))
            files.append(NewFile(REPORTS_JSON, ""))
            files.append(NewFile(REPORTS_SCHEMA, schema_text()))
            for name in ASSET_NAMES:
                text = (resources.files("report_archive") / "assets" / name).read_text("utf-8")
                files.append(NewFile(f"{ASSETS}/{name}", text))
            return files

    def begin_rendering(self, links: Links) -> str:
        """Note the files' URLs; return `reports.json`'s content.

        The workers start later, in `start_workers`, once MkDocs has every file and
        the navigation (or lazily, when a page is asked for).
        """
        assert self.archive is not None
        with self._timed():
            self.links = links
            self.reports_json = dumps(reports_json(self.archive, lambda r: links.url(r.path)))
            return self.reports_json

    def start_workers(self, bodies: BodyJob | None = None) -> None:
        """Start the report bodies, header cards, listings and charts on other cores.

        One set of forked workers does it all, in the order MkDocs asks for it:
        report bodies (with `bodies`, rendered by the adapter's function), then
        listing pages. Charts are drawn in a separate process.
        """
        assert self.archive is not None and self.links is not None
        if self.pool is not None:
            return
        with self._timed():
            archive, links = self.archive, self.links
            large = len(archive.reports) >= MIN_ITEMS
            self.bodies = bodies
            reports = (bodies.src_uris if bodies is not None
                       else [r.path for r in archive.reports])
            pages = [p for p in self.planned if p.render is not None]
            # Under `serve`, the listings that show what they showed are as they were;
            # the others are rendered (and kept here as they are handed over).
            self.listing_keys = {p.src_uri: key for p in pages
                                 if (key := self._listing_key(p)) is not None}
            self.ready = {src: kept[1] for src, key in self.listing_keys.items()
                          if (kept := self._listings_kept.get(src)) is not None
                          and kept[0] == key}
            pages = [p for p in pages if p.src_uri not in self.ready]
            # Workers are worth starting for a large archive, or for many bodies to render.
            worth = large or len(reports) >= MIN_BODIES
            if worth and self.search_wanted and not self.serving:
                self._start_feed()
            self.pool = Pool(_Context(self, bodies, links, pages), enabled=worth)
            # Report bodies (and their header cards) first: MkDocs reads them first.
            # Without workers, header cards are rendered page by page as MkDocs renders
            # them (so a `serve --dirty` rebuild renders only the pages that changed).
            # The workers start from the last report; MkDocs reads from the first, and
            # renders itself those no worker has started when it gets to them.
            self.report_work = (
                self.pool.map(_report_work, reports, from_the_end=True, packed=True)
                if self.pool.executor is not None else None)
            self.report_index = {src: i for i, src in enumerate(reports)}
            # Listing pages are read only after every report's Markdown: render them on
            # the other cores meanwhile, and hand them over as MkDocs reads them.
            self.pending = {p.src_uri: i for i, p in enumerate(pages)}
            self.page_job = self.pool.map(_render_page, list(range(len(pages))), size=1)
            # Charts are kept by their data between `serve` rebuilds: only new ones are
            # drawn, in a process of their own.
            charts = [(p.src_uri, p.chart) for p in self.planned if p.chart is not None]
            self.chart_keys = {src: chart_key(spec) for src, spec in charts}
            fresh = [(src, spec) for src, spec in charts
                     if (src, self.chart_keys[src]) not in self._charts]
            if fresh:
                drawn = DrawnCharts()
                for src, _spec in fresh:
                    svg = drawn.get(self.chart_keys[src])
                    if svg is not None:
                        self._charts[(src, self.chart_keys[src])] = svg
                fresh = [(src, spec) for src, spec in fresh
                         if (src, self.chart_keys[src]) not in self._charts]
            self.chart_job = ChartJob(fresh, in_process=self.serving and self.warm,
                                      helper=self.chart_helper if self.serving else None)

    def body(self, src_uri: str, markdown: str) -> Rendered | None:
        """A report body rendered from exactly this Markdown: by a worker, or kept from an
        earlier build with the same files and settings (None: MkDocs must render it)."""
        digest = markdown_digest(markdown)
        signature = self.bodies.signature if self.bodies is not None else None
        with self._timed():
            document = clean = None
            rendered: Rendered | None = None
            if self.report_work is not None and src_uri in self.report_index:
                index = self.report_index.pop(src_uri)
                work = self.report_work.take(index, steal=True)
                self._stop_idle_workers()
                fragments, rendered, clean, document = work if work is not None else (None,) * 4
                if fragments is not None:
                    self.fragments[src_uri] = fragments
            if rendered is not None and signature is not None:
                # Kept for the next build only under `serve`: a build uses each body once.
                if self.serving and self.bodies is not None and self.bodies.kept:
                    self._bodies[src_uri] = (signature, rendered)
            elif self.bodies is not None and self.bodies.kept:
                kept = self._bodies.get(src_uri)
                rendered = kept[1] if kept is not None and kept[0] == signature else None
            if rendered is None or rendered.digest != digest:
                return None
            if clean is not None:
                self._clean[src_uri] = (rendered.html, *clean)
                if document is not None:
                    self.search.prime(src_uri, clean[0], document)
            return rendered

    def _listing_key(self, page: GeneratedPage) -> tuple[Any, ...] | None:
        """What a generated page shows, under `serve` (None: not kept)."""
        if not self.serving or self.bodies is None or page.key is None:
            return None
        return (self.bodies.signature, page.key())

    def _keep_listing(self, src_uri: str, content: str) -> None:
        """Keep a listing rendered on another core, for the next `serve` build."""
        key = self.listing_keys.get(src_uri)
        if key is not None:
            self._listings_kept[src_uri] = (key, content)

    def listing(self, page: GeneratedPage, links: Links) -> str:
        """A generated page's content; under `serve`, the last build's while what the page
        shows (`GeneratedPage.key`) and the settings are unchanged."""
        assert page.render is not None
        key = self._listing_key(page)
        if key is None:
            return page.render(links)
        kept = self._listings_kept.get(page.src_uri)
        if kept is not None and kept[0] == key:
            return kept[1]
        content = page.render(links)
        self._listings_kept[page.src_uri] = (key, content)
        return content

    def _stop_idle_workers(self) -> None:
        """Workers with nothing left to do exit at once: at the end of a large build
        their memory would otherwise add to what MkDocs holds then."""
        if self.pool is not None and self.pool.idle():
            self.pool.close()

    def keep_body(self, src_uri: str, rendered: Rendered) -> None:
        """Keep a body MkDocs rendered itself, for the next `serve` build with the same files."""
        if self.serving and self.bodies is not None and self.bodies.kept \
                and src_uri in self.by_src:
            self._bodies[src_uri] = (self.bodies.signature, rendered)

    def kept_page(self, src_uri: str, key: str) -> KeptPage | None:
        """A page's whole output from an earlier build with the same key."""
        self.pages_seen.add(src_uri)
        kept = self._pages.get(src_uri)
        return kept[1] if kept is not None and kept[0] == key else None

    def kept_any(self, src_uri: str) -> KeptPage | None:
        """A page's output from the last build, whatever its key."""
        kept = self._pages.get(src_uri)
        return kept[1] if kept is not None else None

    def kept_frame(self, src_uri: str, frame: str) -> KeptPage | None:
        """A page's whole output from an earlier build that showed all the page shows
        now but, perhaps, its content."""
        kept = self._pages.get(src_uri)
        return kept[1] if kept is not None and frame and kept[1].frame == frame else None

    def keep_page(self, src_uri: str, key: str, page: KeptPage) -> None:
        """Keep a page's output for the next `serve` rebuild."""
        if self.serving:
            self._pages[src_uri] = (key, page)

    # Pages -------------------------------------------------------------------

    def listing_source(self, src_uri: str) -> str | None:
        """A generated page's Markdown, its listing kept aside (None: not ours)."""
        if self.pool is None and self.links is not None:
            self.start_workers()
        if src_uri in self.ready:
            return self._shell(src_uri, self.ready.pop(src_uri))
        if src_uri not in self.pending or self.page_job is None:
            return None
        with self._timed():
            # Taken: the page holds its content from now on.
            content: str = self.page_job.take(self.pending[src_uri])
            self._keep_listing(src_uri, content)
            self._stop_idle_workers()
            return self._shell(src_uri, content)

    def home_markdown(self, markdown: str) -> str:
        """The team's own home page text, then the generated home section."""
        assert self.archive is not None and self.links is not None
        with self._timed():
            section = home_section(self.archive, self.renderer, self.links)
            return markdown.rstrip("\n") + "\n\n" + self._shell(HOME, section)

    def report_page(self, src_uri: str, markdown: str, *,
                    attr_list: bool = False) -> PageChange | None:
        """A report's Markdown without the header lines its card replaces (None: not a report).

        With `attr_list` enabled, braces that are not attribute lists are escaped, so
        the extension cannot turn a report's text into attributes.
        """
        report = self.by_src.get(src_uri)
        if report is None:
            return None
        markdown = safe_markdown(report, strip_header_block(markdown))
        return PageChange(keep_braces(markdown) if attr_list else markdown,
                          html.escape(report.title or src_uri), report.status)

    def page_html(self, src_uri: str, html_text: str, *, url: str = "", title: str = "",
                  excluded: bool = False) -> str:
        """Any page's HTML made safe and whole, indexed for search, and decorated.

        Formulas become MathML (one that cannot be converted stays TeX, named in
        `page_warnings`); every page passes the sanitizer; the full-text index takes
        the page's text before our card is added; a listing page gets its listing,
        a report its header card and related reports.
        """
        with self._timed():
            # Made on another core, or (under `serve`) by an earlier build from the same body.
            kept = self._clean.pop(src_uri, None)
            if kept is not None and kept[0] == html_text:
                clean, failures = kept[1], kept[2]
            else:
                clean, failures = self.clean_html(html_text)
            if self.serving:
                self._clean[src_uri] = (html_text, clean, failures)
            html_text = clean
            if not self.serving:  # (under `serve`: once a build, in `finish`)
                self.trim()
        self.page_warnings += [f"{src_uri}: {failure}" for failure in failures]
        self.index_page(src_uri, url, title, html_text, excluded=excluded)
        html_text = self._decorate(src_uri, html_text)
        # Kept compact while MkDocs holds every page; written as it was (`finish_page`).
        # Not under `serve`, where the pages kept for the next build are most of it.
        small = None if self.serving else compact(html_text)
        if small is None:
            self.compacted.discard(src_uri)
            return html_text
        self.compacted.add(src_uri)
        return small

    def clean_html(self, html_text: str) -> tuple[str, list[str]]:
        """A page's HTML with its formulas as MathML, sanitized; the formulas that failed."""
        html_text, failures = render_math(html_text)
        if self.settings.sanitize:
            html_text = sanitize_html(html_text, keep=LISTING_MARKER)
        return html_text, failures

    def take_warnings(self) -> list[str]:
        """The warnings of the pages rendered since the last call."""
        warnings, self.page_warnings = self.page_warnings, []
        return warnings

    def _decorate(self, src_uri: str, html_text: str) -> str:
        listing = self.listings.pop(src_uri, None)
        if listing is not None:
            return html_text.replace(LISTING_MARKER, listing, 1)
        report = self.by_src.get(src_uri)
        if report is None or self.archive is None:
            return html_text
        with self._timed():
            kept = self.fragments.pop(report.path, None)
            card, related_html = kept if kept is not None else _fragments(self, report)
            problems = self.archive.problems(report)
            if self.serving and problems:
                card = self.renderer.problems(problems, self._rules_page(report)) + card
            html_text += related_html
            if "</h1>" not in html_text:
                return card + html_text
            # (one copy of the page: slices of it would each be scanned and copied)
            return html_text.replace("</h1>", "</h1>" + card, 1)

    def index_page(self, src_uri: str, url: str, title: str, html_text: str, *,
                   excluded: bool) -> None:
        """Take a page's rendered text for full-text search (before its card is added);
        not in a site without search."""
        if not self.search_wanted:
            return
        begin = time.perf_counter()
        report = self.by_src.get(src_uri)
        if report is not None:
            self.search.add_report(src_uri, url, html_text, report)
        elif not excluded:
            self.search.add_page(src_uri, url, title, html_text)
        self.search.seconds += time.perf_counter() - begin

    def finish_page(self, src_uri: str, output: str, content: str, worker_url: str) -> str:
        """A page's output pointed at our search worker, with names for the theme's
        controls and its Content-Security-Policy (under `serve`: the same output as last
        time, the same result)."""
        # The output is compared whole (it is most often the very string kept for the
        # page); the content, which MkDocs gives anew, by its hash.
        key = (worker_url, len(content), hash(content)) if self.serving else None
        self.pages_finished.add(src_uri)
        kept = self._finished.get(src_uri)
        if kept is not None and kept[0] == key:
            if kept[1] == output:
                return kept[2]
            done = self._renavigated(src_uri, output, kept[1], kept[2])
            if done is not None:
                self._finished[src_uri] = (key, self._pages[src_uri][1].output, done)
                return done
        if not self.serving:
            self.trim()
        with self._timed():
            if src_uri in self.compacted:
                # (the policy is made without the content: it must be found as written)
                output, content = expanded_in(output, content)
            # Our worker and the accessible names in one copy of the page (apart, where
            # they would overlap: never in the theme's pages), then the policy.
            named = (apply(output, worker_edits(output, worker_url) + accessible_edits(output))
                     or accessible(use_worker(output, worker_url)))
            done = add_policy(named, content, inline_scripts=self.serving)
        if self.serving:
            # (held once: the page kept for the next build most often has this output)
            page = self._pages.get(src_uri)
            if page is not None and page[1].output == output:
                output = page[1].output
            self._finished[src_uri] = (key, output, done)
        return done

    def _renavigated(self, src_uri: str, output: str, before: str, done: str) -> str | None:
        """The finished page of an output that differs from the one finished last time only
        by its navigation, which the page keeper put in place of the old (None: not
        such a page). What finishing adds is all outside the navigation (in `<head>`,
        the search dialog, task boxes, Material's configuration); a navigation with
        anything of the kind is finished whole."""
        kept = self._pages.get(src_uri)
        page = kept[1] if kept is not None else None
        if page is None or page.renavigated is None or page.span is None or \
                page.renavigated[0] != id(before) or page.output != output:
            return None
        (start, end), (new_start, new_end) = page.renavigated[1], page.span
        old, new = before[start:end], output[new_start:new_end]
        if not old or _finished_inside(old) or _finished_inside(new):
            return None
        at = done.find(old[:64], start)
        while at >= 0 and not done.startswith(old, at):
            at = done.find(old[:64], at + 1)
        if at < 0:
            return None
        return done[:at] + new + done[at + len(old):]

    def _rules_page(self, report: Report) -> str:
        """The rules page relative to a report's page (the project's own if the site has none)."""
        links = self.links
        if links is None or not links.url(RULES_PAGE):
            return RULES_URL
        return links.rel(report.path, RULES_PAGE)

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

    # Static files ------------------------------------------------------------

    def static_contents(self) -> dict[str, str]:
        """Feeds and charts, by source path, once every page's Markdown is rendered."""
        contents: dict[str, str] = {}
        with self._timed():
            if self.pool is None and self.links is not None:
                self.start_workers()
            if self.page_job is not None:
                done = self.page_job.all()
                for src, i in self.pending.items():
                    if not src.endswith(".md"):
                        contents[src] = done[i]
                        self._keep_listing(src, done[i])
            contents.update((src, text) for src, text in self.ready.items()
                            if not src.endswith(".md"))
            if self.pool is not None:
                # Every page is read: the workers are done (and no thread is left behind).
                self.pool.close()
            if self.chart_job is not None:
                store: DrawnCharts | None = None
                for src_uri, drawn in self.chart_job.result().items():
                    if (failure := chart_failure(drawn)) is not None:
                        self.chart_failures.append(
                            f"chart {src_uri} could not be drawn; the page shows a note "
                            f"instead: {failure} [chart-failed]")
                    else:
                        store = store or DrawnCharts()
                        store.put(self.chart_keys[src_uri], drawn)
                    self._charts[(src_uri, self.chart_keys[src_uri])] = drawn
                self.chart_job = None
                wanted = set(self.chart_keys.items())
                self._charts = {k: v for k, v in self._charts.items() if k in wanted}
                contents.update((src, self._charts[(src, key)])
                                for src, key in self.chart_keys.items()
                                if (src, key) in self._charts)
        return contents

    def finish(self, search_index: Path | None) -> str:
        """Close the build: workers stopped, the full-text index written; the summary."""
        with self._timed():
            self.close()
            if search_index is not None and search_index.is_file() and self.archive is not None:
                keep = [r.path for r in self.archive.files]
                if self.serving:
                    # Under `serve`, the edited page is shown as soon as this build ends;
                    # the index follows a moment later, written by a process of its own.
                    write_search_config(search_index)
                    self._spawn_index(search_index.parent / "fulltext", keep)
                else:
                    self._write_index(search_index, keep)
            elif self.index_process is not None:
                self.wait_for_index(stop=True)  # no search in this site after all
        if self.serving:
            # Later rebuilds draw their few changed charts in a process kept for them, on
            # the other core while MkDocs renders the pages; if it cannot start, here:
            # then the chart library is imported now, while the server waits for an edit.
            # (A site without charts needs neither, until it has some.)
            if self.chart_keys and self.chart_helper is None:
                try:
                    self.chart_helper = ChartHelper()
                except OSError:
                    if not self.warm:
                        threading.Thread(target=preload, daemon=True).start()
            self.warm = True
            self.idle.build_done()
        return self.summary_line()

    def _start_feed(self) -> None:
        """A process of its own to collect the pages' text as they are rendered and write
        the index at the end, forked before the workers (while this process is small),
        so the build itself never holds the whole archive's text."""
        if not can_fork():
            return
        context = multiprocessing.get_context("fork")
        documents, self.search.sink = context.Pipe(duplex=False)
        self.fed = True
        self.index_pipe, result = context.Pipe(duplex=False)
        self.index_process = context.Process(target=feed, args=(documents, result),
                                             daemon=True)
        with frozen_objects():
            self.index_process.start()
        documents.close()
        result.close()

    def start_index(self, folder: Path) -> None:
        """Write the full-text index into `folder` on another core while MkDocs writes the
        pages (every page's text is in by now); `finish` waits for it."""
        if self.serving or self.archive is None:
            return
        give_back()  # what rendering the pages freed, before MkDocs writes them
        keep = [r.path for r in self.archive.files]
        if self.search.sink is not None:
            with suppress(OSError):  # gone: `finish` says so
                self.search.sink.send(("", (folder, keep)))
            self.search.sink.close()
            self.search.sink = None
            return
        if not can_fork():
            return
        receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
        self.index_process = multiprocessing.get_context("fork").Process(
            target=_write_fulltext, args=(self.search, folder, keep, send), daemon=True)
        with frozen_objects():
            self.index_process.start()
        send.close()
        self.index_pipe = receive

    def _write_index(self, search_index: Path, keep: list[str]) -> None:
        begin = time.perf_counter()
        write_search_config(search_index)
        stats = None
        if self.index_process is not None and self.index_pipe is not None:
            # Written meanwhile on another core; here if that failed.
            try:
                stats = self.index_pipe.recv()
            except (EOFError, OSError):
                stats = None
            self.wait_for_index()
        if self.search.sink_lost or (stats is None and self.fed):
            # The pages sent to it are lost with it: say so, and index what is left here.
            self.page_warnings.append(
                "the process writing the full-text search index stopped before it was "
                "written (out of memory?); search finds only the pages rendered after "
                "that")
        self.search_stats = stats or self.search.write(search_index.parent / "fulltext", keep)
        self.search.seconds += time.perf_counter() - begin

    def _spawn_index(self, folder: Path, keep: list[str]) -> None:
        process = multiprocessing.get_context("spawn").Process(
            target=write_index, args=(folder, self.search.prepare(keep)), daemon=True)
        # Starting it waits until the new interpreter has read the pages' text: that
        # happens on a thread of its own, while the edited page is already served.
        self.index_starter = threading.Thread(target=process.start, daemon=True)
        self.index_starter.start()
        self.index_process = process

    def wait_for_index(self, stop: bool = False) -> None:
        """Wait for the process writing the search index (`stop`: stop it first)."""
        if self.index_starter is not None:
            self.index_starter.join(START_TIMEOUT)
            if self.index_starter.is_alive():
                # The new interpreter never took its part: it may be running the script
                # that runs MkDocs (without `if __name__ == "__main__":`) instead.
                self.index_stalled = True
                self.index_process = None
            self.index_starter = None
        process = self.index_process
        if process is not None and process.pid is not None:  # (None: it never started)
            if stop and process.is_alive():
                process.terminate()
            process.join()
        self.index_process = None
        if self.index_pipe is not None:
            self.index_pipe.close()
            self.index_pipe = None

    def abort(self) -> None:
        """A build failed: stop its workers and the search index of an earlier one."""
        self.close()
        self.wait_for_index(stop=True)

    def shut_down(self) -> None:
        """No build follows: stop every process this object started, the one kept for
        drawing charts under `serve` included."""
        self.close()
        self.wait_for_index(stop=True)
        if self.chart_helper is not None:
            self.chart_helper.close()
            self.chart_helper = None
        self.idle.stop()
        self.warm = False

    def close(self) -> None:
        """Stop the workers, whether or not the build finished."""
        pool, chart_job = getattr(self, "pool", None), getattr(self, "chart_job", None)
        if pool is not None:
            pool.close()
            self.pool = None
        if chart_job is not None:
            chart_job.close()
            self.chart_job = None
        # Bodies of files gone from the archive are not kept.
        by_src = getattr(self, "by_src", {})
        self._bodies = {src: kept for src, kept in self._bodies.items() if src in by_src}
        seen: set[str] = getattr(self, "pages_seen", set())
        self._pages = {src: kept for src, kept in self._pages.items() if src in seen}
        self._clean = {src: kept for src, kept in self._clean.items() if src in by_src}
        self._cards = {src: kept for src, kept in self._cards.items() if src in by_src}
        planned = {page.src_uri for page in getattr(self, "planned", [])}
        self._listings_kept = {src: kept for src, kept in self._listings_kept.items()
                               if src in planned}
        done: set[str] = getattr(self, "pages_finished", set())
        self._finished = {src: kept for src, kept in self._finished.items() if src in done}

    def summary_line(self) -> str:
        if self.archive is None:
            return "Report Archive: no files read"
        counts = self.archive.summary()
        published = counts["reports"] if self.serving or not counts["with_errors"] else 0
        drafts = counts["draft_warnings"]
        lenient = (f" ({drafts} warning{'' if drafts == 1 else 's'} in drafts, not counted "
                   "by --strict)" if drafts else "")
        return (f"Report Archive: {counts['reports']} reports, {published} published, "
                f"{counts['with_warnings']} with warnings{lenient}, "
                f"{counts['with_errors']} with errors; "
                f"{counts['pages']} other pages; plugin's own work {self.own_time:.2f} s"
                f"{self._search_line()}")

    def _search_line(self) -> str:
        stats = self.search_stats
        if self.index_process is not None:
            return "; search index written after the pages"
        if stats is None:
            return ""
        return (f"; search index {self.search.seconds:.2f} s ({stats.documents} pages, "
                f"{stats.shards} shards, {stats.bytes / 2**20:.1f} MiB)")


def unreadable_page(report: Report, title: str = "Unreadable report") -> str:
    """The page shown in place of a file that cannot be read.

    File names and messages become character references, so none of their
    punctuation can be read as Markdown or HTML.
    """
    items = "".join(f"<li><code>{md(d.location())}</code>: {md(d.message)}</li>"
                    for d in report.diagnostics)
    return f"# {md(title)}\n\n<ul>{items}</ul>\n"


@dataclass(frozen=True)
class KeptPage:
    """A page's output as the theme made it, kept under `serve`: `nav` names the
    navigation it shows, which is `output[span[0]:span[1]]` (None: not found).

    `frame` names all the page shows but its content, which is
    `output[content[0]:content[1]]` (None: not found once); `h1`: the content has
    its own title (the theme adds one otherwise).
    """

    nav: str
    output: str
    span: tuple[int, int] | None
    frame: str = ""
    content: tuple[int, int] | None = None
    h1: bool = False
    # Made from the output kept before (by `id`) with only the navigation at this span
    # of it replaced: its finished page can be made the same way (`finish_page`).
    renavigated: tuple[int, tuple[int, int]] | None = None


@dataclass(frozen=True)
class BodyJob:
    """How the adapter renders report bodies, as MkDocs would, in forked workers.

    `render(context, src_uri)` is a module-level function that returns the body
    of one report (None: leave it to MkDocs); `signature` names everything else
    the HTML depends on (the files and their URLs, the Markdown settings), so that
    bodies kept from an earlier build are used only while it is unchanged.
    """

    render: Callable[[Any, str], Rendered | None]
    context: Any
    src_uris: list[str]
    signature: str
    # False: bodies are rendered again in each `serve` build (an extension may read more
    # than the Markdown: included files, images).
    kept: bool = True


@dataclass(frozen=True)
class Rendered:
    """A report body as MkDocs renders it: the HTML and what MkDocs learns on the way.

    `digest` names the Markdown it was rendered from; `state` is the adapter's
    (table of contents, title, anchors, links); `logs` the messages logged while
    rendering, (logger, level, message), to be logged again where MkDocs would.
    """

    digest: str
    html: str
    state: Any
    logs: tuple[tuple[str, int, str], ...] = ()


def relations(archive: Archive) -> str:
    """What places each report in the archive, and so relates it to others and names its
    tags and datasets: their order, dates, tags and datasets."""
    return markdown_digest(repr([(r.path, r.date, r.tags, r.datasets)
                                 for r in archive.newest_first()]))


_FINISHED = ("<script", "<link", "<head", "<meta", '<input type="checkbox"', "md-search",
             "__config")


def _finished_inside(html_text: str) -> bool:
    """Whether `finish_page` might change or read this part of a page."""
    lowered = html_text.lower()  # (a search for each word beats one case-blind pattern)
    return any(word in lowered for word in _FINISHED)


def markdown_digest(markdown: str) -> str:
    return hashlib.blake2b(markdown.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _write_fulltext(collector: Collector, folder: Path, keep: list[str],
                    send: Connection) -> None:
    """The full-text index, written in a forked process; its figures go back by `send`."""
    send.send(collector.write(folder, keep))
    send.close()


@dataclass(frozen=True)
class _Context:
    build: SiteBuild
    bodies: BodyJob | None
    links: Links
    pages: list[GeneratedPage]


def _render_page(context: _Context, index: int) -> str:
    """A generated page's content (runs in forked workers too)."""
    context.build.trim()
    return context.build.listing(context.pages[index], context.links)


def _report_work(context: _Context, src_uri: str) -> tuple[
        tuple[str, str] | None, Rendered | None, tuple[str, list[str]] | None,
        PageText | None]:
    """One report's header card and related reports, its body, the body made safe and
    its text for search, compressed (runs in forked workers).

    The text is counted by the process that writes the index, once every page is
    rendered: MkDocs then writes the pages on one core, and the other has time to
    spare. Under `serve` it is counted here: the index is written from the build's
    own collection.
    """
    build = context.build
    build.trim()  # (this worker's own count)
    report = build.by_src.get(src_uri)
    if report is None:
        return None, None, None, None
    fragments = _fragments(build, report)
    rendered = clean = document = None
    if context.bodies is not None:
        try:
            rendered = context.bodies.render(context.bodies.context, src_uri)
        except Exception:  # MkDocs renders this one itself, and reports the problem
            rendered = None
        if rendered is not None:
            clean = build.clean_html(rendered.html)
            if build.search_wanted:
                document = page_text(clean[0], count=build.serving)
    return fragments, rendered, clean, document


def _fragments(build: SiteBuild, report: Report) -> tuple[str, str]:
    """A report's header card and related reports, as HTML (runs in forked workers too)."""
    assert build.archive is not None and build.links is not None
    links = build.links

    def href(src_uri: str) -> str:
        return links.rel(report.path, src_uri)

    # Under `serve`, what a card shows rarely changes: it is made again only when the
    # settings, what relates reports (`relations`) or the report changed, and the
    # related reports also when a report they list changed. A report is the same
    # object while its file is unchanged (see `read`).
    key = ""
    card = related_html = None
    shown: list[Report] = []
    if build.serving and build.bodies is not None:
        key = build.relations + build.bodies.signature
        kept = build._cards.get(report.path)
        if kept is not None and kept[0] == key and kept[1] is report:
            card = kept[3][0]
            if all(build.by_src.get(other.path) is other for other in kept[2]):
                shown, related_html = kept[2], kept[3][1]
    if card is None:
        card = build.renderer.card(card_context(report, build.archive, links), href)
    if related_html is None:
        near, shown = related(report, build.archive, links)
        related_html = build.renderer.render("report-archive/related.html", related=near)
    if key:
        build._cards[report.path] = (key, report, shown, (card, related_html))
    return card, related_html


__all__ = ["BodyJob", "BuildFailed", "KeptPage", "NewFile", "PageChange", "PlanError", "Rendered",
           "SiteBuild", "Source", "markdown_digest"]
