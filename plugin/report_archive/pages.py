"""Planning the generated pages: which exist, at which source path, with what content.

Each generated page is a Markdown file (so it has a title, a table of contents
and a place in MkDocs' structure) whose listing is one raw HTML block rendered
by Jinja with autoescape. Links between pages are relative URLs computed from
MkDocs' own URLs for each source file, so they work in both URL modes and under
a `site_url` sub-path. Listings are HTML rather than Markdown because a tag or
browse page of thousands of reports would otherwise cost more Markdown work
than the reports themselves.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol, TypedDict
from urllib.parse import quote

from .archive import Archive, Tag
from .charts import BarSpec, ChartSpec, ProgressSpec
from .compare import (
    Column,
    Comparison,
    Entry,
    Leaderboard,
    SideRow,
    declared,
    leaderboards,
    side_by_side,
)
from .feeds import atom_feed
from .model import Report
from .render import Renderer
from .values import dataset_key, format_metric, lower_is_better

TAG_INDEX = "tags/index.md"
COMPARE_INDEX = "compare/index.md"
BROWSE = "browse/index.md"
FEED = "feed.xml"
HOME = "index.md"
REPORTS_JSON = "reports.json"
ASSETS = "assets/report-archive"
STYLESHEET = f"{ASSETS}/report-archive.css"
SCRIPT = f"{ASSETS}/browse.js"
STATUS_LABELS = {"draft": "Draft", "in-review": "In Review", "final": "Final"}
NEWEST_ON_HOME = 6
# Generated pages put this line before their HTML listing, which bypasses Markdown.
LISTING_MARKER = "<!-- report-archive:listing -->"
RELATED_COUNT = 5
RELATED_POOL = 60

_HEADER_LINE_RE = re.compile(
    r"^\s*\*\*(Machine Learning Experiment Report|Researchers|Authors|Date|Status)\*\*"
    r"\s*(:.*)?$", re.I)


class Links(Protocol):
    """URLs of source files, as the site will serve them (given by the adapter)."""

    site_url: str

    def rel(self, from_src: str, to_src: str) -> str:
        """The relative URL from the page of `from_src` to the page of `to_src`."""

    def url(self, src: str) -> str:
        """The site-relative URL of a source file (no leading slash)."""


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    render: Callable[[Links], str] | None = None
    # A chart is drawn from this plain data (possibly in another process) instead.
    chart: ChartSpec | None = None


# What the templates are given (TypedDicts: plain dicts to Jinja and `tojson`).
class Link(TypedDict):
    name: str
    url: str


class CountedLink(TypedDict):
    name: str
    url: str
    count: int


class CloudTag(TypedDict):
    name: str
    url: str
    count: int
    weight: int


class ShownMetric(TypedDict):
    name: str
    value: str


class Card(TypedDict):
    """A report on a listing (home, tag pages, browse)."""

    title: str
    url: str
    date: str
    status: str
    status_label: str
    authors: list[str]
    datasets: list[str]
    metric: ShownMetric | None
    summary: str
    tags: list[Link]


class BrowseMetric(TypedDict):
    text: str
    value: float | None


class BrowseRow(Card):
    metrics: dict[str, BrowseMetric]
    year: str


class MiniCard(TypedDict):
    title: str
    url: str
    date: str
    datasets: list[str]


class SharedTagsCard(MiniCard):
    shared: int


class Related(TypedDict):
    dataset: list[MiniCard]
    tags: list[SharedTagsCard]


class TagSource(TypedDict):
    name: str
    src: str


class DatasetSource(TypedDict):
    name: str
    src: str | None


class HeadlineMetric(TypedDict):
    name: str
    value: str
    primary: bool


class CardContext(TypedDict):
    """What the header card of a report page shows; links are source paths."""

    report: Report
    status_label: str
    tags: list[TagSource]
    datasets: list[DatasetSource]
    own_model: str
    headline: list[HeadlineMetric]


class Cell(TypedDict):
    text: str
    best: bool
    missing: bool


class BoardRow(TypedDict):
    rank: int | None
    title: str
    url: str
    model: str
    date: str
    status: str
    status_label: str
    cells: list[Cell]
    hardware: str
    training_time: str


def tag_page(tag: Tag) -> str:
    return f"tags/{tag.slug}/index.md"


def tag_feed(tag: Tag) -> str:
    return f"tags/{tag.slug}/feed.xml"


def compare_page(slug: str) -> str:
    return f"compare/{slug}/index.md"


def chart_file(slug: str, kind: str) -> str:
    return f"compare/{slug}/{kind}.svg"


class PlanError(ValueError):
    """The archive and the options ask for two pages at one URL."""


def plan_pages(archive: Archive, renderer: Renderer) -> list[GeneratedPage]:
    """Every page, feed and chart the plugin adds to the site."""
    boards = leaderboards(archive)
    comparisons = declared(archive)
    clash = {b.slug for b in boards} & {c.spec.name for c in comparisons}
    if clash:
        raise PlanError(f"comparison name(s) {', '.join(sorted(clash))} are also dataset "
                        "leaderboards (/compare/<dataset>/); rename the comparison")
    pages = [
        GeneratedPage(COMPARE_INDEX, partial(_compare_index, archive, renderer, boards=boards,
                                             comparisons=comparisons)),
        GeneratedPage(TAG_INDEX, lambda links: _tag_index(archive, renderer, links)),
        GeneratedPage(BROWSE, lambda links: _browse(archive, renderer, links)),
        GeneratedPage(FEED, partial(_feed, archive, title="Newest reports",
                                    reports=archive.newest_first(), src=FEED)),
    ]
    for board in boards:
        pages.append(GeneratedPage(compare_page(board.slug),
                                   partial(_leaderboard, archive, renderer, board=board)))
        if board.primary is not None and any(e.value(board.primary) is not None
                                             for e in board.rows):
            pages.append(GeneratedPage(chart_file(board.slug, "bars"), chart=_bars(board)))
            pages.append(GeneratedPage(chart_file(board.slug, "progress"),
                                       chart=_progress(board)))
    for comparison in comparisons:
        pages.append(GeneratedPage(compare_page(comparison.spec.name), partial(
            _comparison, archive, renderer, comparison=comparison)))
    for tag in archive.tags.values():
        pages.append(GeneratedPage(tag_page(tag), partial(_tag, archive, renderer, tag=tag)))
        pages.append(GeneratedPage(tag_feed(tag), partial(
            _feed, archive, title=f"Reports tagged {tag.name}", reports=tag.all_reports,
            src=tag_feed(tag))))
    return pages


def _feed(archive: Archive, links: Links, *, title: str, reports: list[Report], src: str) -> str:
    def absolute(target: str) -> str:
        if links.site_url:
            return links.site_url.rstrip("/") + "/" + links.url(target)
        return links.rel(src, target)

    return atom_feed(title, reports, feed_url=links.url(src), site_url=links.site_url,
                     page_link=lambda r: absolute(r.path), home_link=absolute(HOME),
                     self_link=absolute(src), report_url=lambda r: links.url(r.path))


def card(report: Report, archive: Archive, links: Links, from_src: str) -> Card:
    """What a report's card shows on listings."""
    own = report.own_row
    metric: ShownMetric | None = None
    if own and report.primary_metric in own.metrics:
        metric = {"name": report.metric_name(report.primary_metric),
                  "value": format_metric(own.metrics[report.primary_metric])}
    return {
        "title": display_title(report),
        "url": links.rel(from_src, report.path),
        "date": report.date or "",
        "status": report.status or "draft",
        "status_label": STATUS_LABELS.get(report.status or "", "Draft"),
        "authors": report.authors,
        "datasets": report.datasets,
        "metric": metric,
        "summary": report.summary,
        "tags": [{"name": t, "url": links.rel(from_src, tag_page(archive.tag_of(t)))}
                 for t in report.tags],
    }


def _cloud(archive: Archive, links: Links, from_src: str) -> list[CloudTag]:
    counts = [len(tag.all_reports) for tag in archive.tags.values()]
    top = max(counts, default=1)
    result: list[CloudTag] = []
    for tag in archive.tags.values():
        count = len(tag.all_reports)
        weight = 1 + round(4 * math.log(count) / math.log(top)) if top > 1 else 3
        result.append({"name": tag.name, "count": count, "weight": weight,
                       "url": links.rel(from_src, tag_page(tag))})
    return result


def _tag_index(archive: Archive, renderer: Renderer, links: Links) -> str:
    cloud = _cloud(archive, links, TAG_INDEX)
    letters: dict[str, list[CloudTag]] = {}
    for tag in cloud:
        first = tag["name"][:1].upper()
        letters.setdefault(first if first.isalpha() else "#", []).append(tag)
    return renderer.render("report-archive/tag-index.md", cloud=cloud,
                           letters=sorted(letters.items()), report_count=len(archive.reports))


def _tag(archive: Archive, renderer: Renderer, links: Links, *, tag: Tag) -> str:
    src = tag_page(tag)
    parent = archive.tags[tag.parent] if tag.parent else None
    children: list[CountedLink] = [
        {"name": archive.tags[c].name, "count": len(archive.tags[c].all_reports),
         "url": links.rel(src, tag_page(archive.tags[c]))} for c in tag.children]
    up: Link | None = {"name": parent.name, "url": links.rel(src, tag_page(parent))} \
        if parent else None
    return renderer.render(
        "report-archive/tag.md", tag=tag, parent=up, children=children,
        index_url=links.rel(src, TAG_INDEX),
        feed_url=links.rel(src, tag_feed(tag)),
        cards=[card(r, archive, links, src) for r in tag.all_reports])


def home_section(archive: Archive, renderer: Renderer, links: Links) -> str:
    """The generated part of the home page, placed below the team's own text."""
    reports = archive.reports
    statuses = Counter(r.status or "draft" for r in reports)
    datasets: Counter[str] = Counter()
    names = archive.dataset_names()
    for report in reports:
        datasets.update(archive.dataset_keys(report))
    return renderer.render(
        "report-archive/home.md",
        report_count=len(reports),
        statuses=[{"status": s, "label": STATUS_LABELS[s], "count": statuses.get(s, 0)}
                  for s in ("final", "in-review", "draft")],
        newest=[card(r, archive, links, HOME) for r in archive.newest_first()[:NEWEST_ON_HOME]],
        cloud=_cloud(archive, links, HOME),
        datasets=[{"name": names[key], "count": count,
                   "url": links.rel(HOME, compare_page(archive.dataset_slugs[key])),
                   "browse": links.rel(HOME, BROWSE) + "?dataset=" + _query(names[key])}
                  for key, count in sorted(datasets.items(), key=lambda i: (-i[1], i[0]))],
        comparisons=[{"title": spec.title, "url": links.rel(HOME, compare_page(spec.name))}
                     for spec in archive.settings.comparisons],
        compare_url=links.rel(HOME, COMPARE_INDEX),
        browse_url=links.rel(HOME, BROWSE),
        tags_url=links.rel(HOME, TAG_INDEX),
        feed_url=links.rel(HOME, FEED),
    )


def _keys_of(report: Report, archive: Archive) -> list[str]:
    """The matching key of each of the report's datasets, in order (duplicates kept)."""
    return [dataset_key(d, archive.settings.dataset_aliases) for d in report.datasets]


def _query(value: str) -> str:
    return quote(value, safe="")


def _browse(archive: Archive, renderer: Renderer, links: Links) -> str:
    metric_names: dict[str, str] = {}
    usage: Counter[str] = Counter()
    rows: list[BrowseRow] = []
    for report in archive.newest_first():
        own = report.own_row
        metrics: dict[str, BrowseMetric] = {}
        if own:
            for key, metric in own.metrics.items():
                metric_names.setdefault(key, report.metric_name(key))
                usage[key] += 1
                metrics[key] = {"text": format_metric(metric), "value": metric.value}
        rows.append({**card(report, archive, links, BROWSE), "metrics": metrics,
                     "year": (report.date or "")[:4]})
    settings = archive.settings
    columns = [{"key": key, "name": metric_names[key],
                "lower": lower_is_better(key, settings.lower_is_better, settings.higher_is_better)}
               for key, _ in sorted(usage.items(), key=lambda i: (-i[1], i[0]))]
    facets = {
        "tag": sorted({t for r in rows for t in (x["name"] for x in r["tags"])}, key=str.casefold),
        "author": sorted({a for r in rows for a in r["authors"]}, key=str.casefold),
        "status": [s for s in ("final", "in-review", "draft") if any(r["status"] == s
                                                                       for r in rows)],
        "dataset": sorted({d for r in rows for d in r["datasets"]}, key=str.casefold),
        "year": sorted({r["year"] for r in rows if r["year"]}, reverse=True),
    }
    return renderer.render("report-archive/browse.md", rows=rows,
                           sort_columns=columns, facets=facets, labels=STATUS_LABELS)


def related(report: Report, archive: Archive, links: Links) -> Related:
    """Reports on the same dataset, and those sharing the most tags (newest first on ties)."""
    src = report.path
    same: list[Report] = []
    seen = {id(report)}
    for key in archive.dataset_keys(report):
        for other in archive.by_dataset.get(key, []):
            if id(other) not in seen and len(same) < RELATED_COUNT:
                same.append(other)
                seen.add(id(other))
    shared: Counter[int] = Counter()
    by_id: dict[int, Report] = {}
    for raw in report.tags:
        # Among each tag's newest reports only: related reports favour recent work,
        # and the cost per report stays the same however large the archive grows.
        for other in archive.tag_of(raw).reports[:RELATED_POOL]:
            if id(other) not in seen:
                shared[id(other)] += 1
                by_id[id(other)] = other
    # Most shared tags first; among equals, the newest.
    position = archive.position
    ranked = heapq.nsmallest(RELATED_COUNT, shared.items(),
                             key=lambda item: (-item[1], position[item[0]]))
    tags = [by_id[key] for key, _ in ranked]
    return {
        "dataset": [_mini(r, links, src) for r in same],
        "tags": [{**_mini(r, links, src), "shared": shared[id(r)]} for r in tags],
    }


def _mini(report: Report, links: Links, src: str) -> MiniCard:
    return {"title": display_title(report), "url": links.rel(src, report.path),
            "date": report.date or "", "datasets": report.datasets}


def display_title(report: Report) -> str:
    return report.title or report.path.rsplit("/", 1)[-1].removesuffix(".md")


def card_context(report: Report, archive: Archive) -> CardContext:
    """What the header card of a report page shows; links are source paths."""
    own = report.own_row
    headline: list[HeadlineMetric] = [
        {"name": report.metric_name(key), "value": format_metric(metric),
         "primary": key == report.primary_metric} for key, metric in own.metrics.items()
    ] if own else []
    return {
        "report": report,
        "status_label": STATUS_LABELS.get(report.status or "", "Draft"),
        "tags": [{"name": t, "src": tag_page(archive.tag_of(t))} for t in report.tags],
        "datasets": [{"name": d, "src": compare_page(archive.dataset_slugs[key])
                      if key in archive.dataset_slugs else None}
                     for d, key in zip(report.datasets, _keys_of(report, archive), strict=True)],
        "own_model": own.model if own else "",
        "headline": headline,
    }


def strip_header_block(markdown: str) -> str:
    """Drop the template's header lines (Researchers, Date, Status): the card shows them.

    Only the lines between the title and the first `##` heading or `---` rule are
    looked at, and only lines of the template's form are dropped.
    """
    lines = markdown.split("\n")
    kept: list[str] = []
    in_header = True
    for line in lines:
        stripped = line.strip()
        if in_header and (stripped.startswith("## ") or stripped == "---"):
            in_header = False
        if in_header and _HEADER_LINE_RE.match(stripped):
            continue
        kept.append(line)
    return "\n".join(kept)


def _cells(entry: Entry, columns: list[Column]) -> list[Cell]:
    return [{"text": entry.text(c), "best": c.key in entry.best,
             "missing": entry.value(c.key) is None} for c in columns]


def _board_rows(entries: list[Entry], columns: list[Column], links: Links,
                src: str) -> list[BoardRow]:
    rows: list[BoardRow] = []
    for entry in entries:
        report = entry.report
        compute = report.tables.compute
        rows.append({"rank": entry.rank, "title": display_title(report),
                     "url": links.rel(src, report.path), "model": entry.model,
                     "date": report.date or "", "status": report.status or "draft",
                     "status_label": STATUS_LABELS.get(report.status or "", "Draft"),
                     "cells": _cells(entry, columns),
                     "hardware": compute.hardware if compute else "",
                     "training_time": compute.training_time if compute else ""})
    return rows


def _chart_alt(board: Leaderboard) -> tuple[str, str]:
    column = board.column(board.primary or "")
    assert column is not None
    ranked = [(e, e.text(column)) for e in board.rows if e.value(column.key) is not None]
    bars = (f"Bar chart of {column.name} per report on {board.dataset}, best first: " +
            "; ".join(f"{display_title(e.report)}: {text}" for e, text in ranked[:10]) +
            ("; and more in the table below." if len(ranked) > 10 else "."))
    steps = board.progress()
    progress = (f"Best {column.name} on {board.dataset} over time: " + "; ".join(
        f"{day}: {e.text(column)} ({display_title(e.report)})"
        for day, _, e in steps) + ".")
    return bars, progress


def _bars(board: Leaderboard) -> BarSpec:
    column = board.column(board.primary or "")
    assert column is not None
    ranked = [e for e in board.rows if e.value(column.key) is not None]
    return {"kind": "bars", "labels": [display_title(e.report) for e in ranked],
            "values": [e.value(column.key) or 0.0 for e in ranked], "metric": column.name,
            "percent": column.percent, "lower_is_better": column.lower_is_better}


def _progress(board: Leaderboard) -> ProgressSpec:
    column = board.column(board.primary or "")
    assert column is not None
    dated = [e for e in board.rows if e.value(column.key) is not None and e.report.date]
    steps = board.progress()
    return {"kind": "progress", "dates": [e.report.date or "" for e in dated],
            "values": [e.value(column.key) or 0.0 for e in dated],
            "best_dates": [day for day, _, _ in steps],
            "best_values": [value for _, value, _ in steps], "metric": column.name,
            "percent": column.percent, "lower_is_better": column.lower_is_better}


def _leaderboard(archive: Archive, renderer: Renderer, links: Links, *,
                 board: Leaderboard) -> str:
    src = compare_page(board.slug)
    primary = board.column(board.primary or "")
    charts = None
    if primary is not None and any(e.value(primary.key) is not None for e in board.rows):
        bars_alt, progress_alt = _chart_alt(board)
        charts = {"bars": links.rel(src, chart_file(board.slug, "bars")), "bars_alt": bars_alt,
                  "progress": links.rel(src, chart_file(board.slug, "progress")),
                  "progress_alt": progress_alt}
    return renderer.render(
        "report-archive/leaderboard.md", board=board, primary=primary, charts=charts,
        columns=board.columns, rows=_board_rows(board.rows, board.columns, links, src),
        baselines=_board_rows(board.baselines, board.columns, links, src),
        index_url=links.rel(src, COMPARE_INDEX))


def _compare_index(archive: Archive, renderer: Renderer, links: Links, *,
                   boards: list[Leaderboard], comparisons: list[Comparison]) -> str:
    listed = []
    for board in boards:
        column = board.column(board.primary or "")
        top = board.rows[0] if board.rows and board.rows[0].rank else None
        listed.append({
            "name": board.dataset, "url": links.rel(COMPARE_INDEX, compare_page(board.slug)),
            "count": len(board.rows), "metric": column.name if column else "",
            "lower": bool(column and column.lower_is_better),
            "best": display_title(top.report) if top else "",
            "best_value": top.text(column) if top and column else ""})
    declared_pages = [{"title": c.spec.title, "count": len(c.reports),
                       "url": links.rel(COMPARE_INDEX, compare_page(c.spec.name))}
                      for c in comparisons]
    return renderer.render("report-archive/compare-index.md", boards=listed,
                           comparisons=declared_pages)


SIDE_BY_SIDE = (("hyperparameters", "Hyperparameters"), ("model_card", "Model"),
                ("compute", "Compute"), ("objectives", "Objectives"))


class SideBySide(TypedDict):
    key: str
    title: str
    rows: list[SideRow]


def _comparison(archive: Archive, renderer: Renderer, links: Links, *,
                comparison: Comparison) -> str:
    src = compare_page(comparison.spec.name)
    by_report = {id(e.report): e for e in comparison.rows}
    results = []
    for column in comparison.columns:
        cells = []
        for report in comparison.reports:
            entry = by_report.get(id(report))
            cells.append({"text": entry.text(column) if entry else "—",
                          "best": bool(entry and column.key in entry.best)})
        texts = {c["text"] for c in cells}
        results.append({"name": column.name, "lower": column.lower_is_better, "cells": cells,
                        "same": len(texts) == 1})
    sections: list[SideBySide] = []
    for key, title in SIDE_BY_SIDE:
        rows = side_by_side(comparison.reports, key)
        if rows:
            sections.append({"key": key, "title": title, "rows": rows})
    reports = [{"title": display_title(r), "url": links.rel(src, r.path),
                "model": r.own_row.model if r.own_row else "", "date": r.date or "",
                "datasets": r.datasets} for r in comparison.reports]
    return renderer.render("report-archive/comparison.md", comparison=comparison.spec,
                           reports=reports, results=results, sections=sections,
                           index_url=links.rel(src, COMPARE_INDEX))
