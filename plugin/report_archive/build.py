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

import html
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .archive import Archive
from .braces import keep_braces
from .charts import ChartJob, chart_failure, chart_key, preload
from .diagnostics import Diagnostic
from .discovery import read_many, unreadable_report
from .expand import MARKERS, RenderText, expand_reports
from .export import REPORTS_SCHEMA, dumps, reports_json, schema_text
from .fulltext import Collector, IndexStats, use_worker, write_search_config
from .markdown_scan import safe_markdown
from .mathml import render_math
from .model import Report
from .parallel import MIN_ITEMS, Background, can_fork, fork_map
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
        self.warm = False
        # Pages' text for full-text search, kept across `serve` rebuilds like the reports.
        self.search = Collector()
        self.search_stats: IndexStats | None = None
        self.start(Settings())

    def start(self, settings: Settings, *, serving: bool = False,
              renderer: Renderer | None = None) -> None:
        """Begin a build: forget the previous build's pages, keep the caches."""
        self.close()
        if settings != self._reports_settings:
            self._reports.clear()
            self._reports_settings = settings
        self.settings = settings
        self.serving = serving
        self.renderer = renderer or Renderer()
        self.archive: Archive | None = None
        self.by_src: dict[str, Report] = {}
        self.listings: dict[str, str] = {}
        self.fragments: dict[str, tuple[str, str]] = {}
        self.pending: dict[str, int] = {}
        self.page_job: Background | None = None
        self.chart_job: ChartJob | None = None
        self.chart_keys: dict[str, str] = {}
        self.links: Links | None = None
        self.reports_json = ""
        self.left_out: list[Diagnostic] = []
        self.chart_failures: list[str] = []
        self.expand_failures: list[str] = []
        self.page_warnings: list[str] = []
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
        """Start the listings and charts on other cores; return `reports.json`'s content."""
        assert self.archive is not None
        with self._timed():
            archive = self.archive
            self.links = links
            large = len(archive.reports) >= MIN_ITEMS
            # Header cards grow with the archive: render them now on every core when it is
            # large; otherwise page by page as MkDocs renders them (so a `serve --dirty`
            # rebuild renders only the pages that changed).
            self.fragments = {}
            if large and can_fork():
                self.fragments = dict(fork_map(_fragments, list(range(len(archive.reports))),
                                               self))
            # Listing pages are read only after every report's Markdown: render them on
            # the other cores meanwhile, and hand them over as MkDocs reads them.
            pages = [p for p in self.planned if p.render is not None]
            self.pending = {p.src_uri: i for i, p in enumerate(pages)}
            self.page_job = Background(_render_page, list(range(len(pages))), (links, pages),
                                       min_items=8 if large else len(pages) + 1)
            # Charts are kept by their data between `serve` rebuilds: only new ones are
            # drawn, started last so that they share the second core with nothing else.
            charts = [(p.src_uri, p.chart) for p in self.planned if p.chart is not None]
            self.chart_keys = {src: chart_key(spec) for src, spec in charts}
            fresh = [(src, spec) for src, spec in charts
                     if (src, self.chart_keys[src]) not in self._charts]
            self.chart_job = ChartJob(fresh, in_process=self.serving and self.warm)
            self.reports_json = dumps(reports_json(archive, lambda r: links.url(r.path)))
            return self.reports_json

    # Pages -------------------------------------------------------------------

    def listing_source(self, src_uri: str) -> str | None:
        """A generated page's Markdown, its listing kept aside (None: not ours)."""
        if src_uri not in self.pending or self.page_job is None:
            return None
        with self._timed():
            content: str = self.page_job.result()[self.pending[src_uri]]
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
            html_text, failures = render_math(html_text)
            if self.settings.sanitize:
                html_text = sanitize_html(html_text, keep=LISTING_MARKER)
        self.page_warnings += [f"{src_uri}: {failure}" for failure in failures]
        self.index_page(src_uri, url, title, html_text, excluded=excluded)
        return self._decorate(src_uri, html_text)

    def take_warnings(self) -> list[str]:
        """The warnings of the pages rendered since the last call."""
        warnings, self.page_warnings = self.page_warnings, []
        return warnings

    def _decorate(self, src_uri: str, html_text: str) -> str:
        listing = self.listings.get(src_uri)
        if listing is not None:
            return html_text.replace(LISTING_MARKER, listing, 1)
        report = self.by_src.get(src_uri)
        if report is None or self.archive is None:
            return html_text
        with self._timed():
            card, related_html = self.fragments.get(report.path) or _fragments(self, report)[1]
            problems = self.archive.problems(report)
            if self.serving and problems:
                card = self.renderer.problems(problems, self._rules_page(report)) + card
            html_text += related_html
            end_of_title = html_text.find("</h1>")
            if end_of_title < 0:
                return card + html_text
            end_of_title += len("</h1>")
            return html_text[:end_of_title] + card + html_text[end_of_title:]

    def index_page(self, src_uri: str, url: str, title: str, html_text: str, *,
                   excluded: bool) -> None:
        """Take a page's rendered text for full-text search (before its card is added)."""
        begin = time.perf_counter()
        report = self.by_src.get(src_uri)
        if report is not None:
            self.search.add_report(src_uri, url, html_text, report)
        elif not excluded:
            self.search.add_page(src_uri, url, title, html_text)
        self.search.seconds += time.perf_counter() - begin

    @staticmethod
    def search_worker(page_html: str, worker_url: str) -> str:
        """A page pointed at the site's full-text search worker instead of Material's."""
        return use_worker(page_html, worker_url)

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
            if self.page_job is not None:
                done = self.page_job.result()
                contents.update((src, done[i]) for src, i in self.pending.items()
                                if not src.endswith(".md"))
            if self.chart_job is not None:
                for src_uri, drawn in self.chart_job.result().items():
                    if (failure := chart_failure(drawn)) is not None:
                        self.chart_failures.append(
                            f"chart {src_uri} could not be drawn; the page shows a note "
                            f"instead: {failure} [chart-failed]")
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
                begin = time.perf_counter()
                write_search_config(search_index)
                self.search_stats = self.search.write(
                    search_index.parent / "fulltext", [r.path for r in self.archive.files])
                self.search.seconds += time.perf_counter() - begin
        if self.serving and not self.warm:
            # Later rebuilds draw their few changed charts here: import the chart library
            # now, while the server waits for the first edit.
            threading.Thread(target=preload, daemon=True).start()
            self.warm = True
        return self.summary_line()

    def close(self) -> None:
        """Stop the workers, whether or not the build finished."""
        page_job, chart_job = getattr(self, "page_job", None), getattr(self, "chart_job", None)
        if page_job is not None:
            page_job.close()
            self.page_job = None
        if chart_job is not None:
            chart_job.close()
            self.chart_job = None

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


def _render_page(context: tuple[Links, list[GeneratedPage]], index: int) -> str:
    """A generated page's content (runs in forked workers too)."""
    links, pages = context
    render = pages[index].render
    assert render is not None
    return render(links)


def _fragments(build: SiteBuild, item: int | Report) -> tuple[str, tuple[str, str]]:
    """A report's header card and related reports, as HTML (runs in forked workers too)."""
    assert build.archive is not None and build.links is not None
    report = build.archive.reports[item] if isinstance(item, int) else item
    links = build.links

    def href(src_uri: str) -> str:
        return links.rel(report.path, src_uri)

    card = build.renderer.card(card_context(report, build.archive, links), href)
    related_html = build.renderer.render(
        "report-archive/related.html", related=related(report, build.archive, links))
    return report.path, (card, related_html)


__all__ = ["BuildFailed", "NewFile", "PageChange", "PlanError", "SiteBuild", "Source"]
