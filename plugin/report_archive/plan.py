"""Planning the generated pages: which exist, at which source path, with what content.

Each generated page is a Markdown file (so it has a title, a table of contents
and a place in MkDocs' structure) whose listing is one raw HTML block rendered
by Jinja with autoescape from the view models of `views.py`, at the source
paths of `urls.py`. Listings are HTML rather than Markdown because a tag or
browse page of thousands of reports would otherwise cost more Markdown work
than the reports themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from .archive import Archive
from .chart_specs import bar_spec, chart_alt, has_bars, has_progress, progress_spec
from .charts import ChartSpec
from .compare import (
    Comparison,
    Leaderboard,
    declared,
    leaderboards,
    side_by_side,
)
from .feeds import atom_feed
from .model import Report
from .render import Renderer
from .tags import Tag
from .urls import (
    BROWSE,
    COMPARE_INDEX,
    FEED,
    HOME,
    TAG_INDEX,
    Links,
    chart_file,
    compare_page,
    tag_feed,
    tag_page,
)
from .values import format_metric, lower_is_better
from .views import (
    NEWEST_ON_HOME,
    BrowseMetric,
    BrowseRow,
    CloudTag,
    CountedLink,
    Link,
    SideBySide,
    _board_rows,
    _cloud,
    _query,
    card,
    display_title,
)


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    render: Callable[[Links], str] | None = None
    # A chart is drawn from this plain data (possibly in another process) instead.
    chart: ChartSpec | None = None
    # What the page shows, as a value equal from one build to the next while the page
    # would render alike (reports compare as objects: one is the same object while its
    # file is unchanged); under `serve` the page is rendered again only when it changes.
    key: Callable[[], tuple[Any, ...]] | None = None


class PlanError(ValueError):
    """The archive and the options ask for two pages at one URL."""


def plan_pages(archive: Archive, renderer: Renderer) -> list[GeneratedPage]:
    """Every page, feed and chart the plugin adds to the site."""
    boards = leaderboards(archive)
    comparisons = declared(archive)
    i18n = renderer.i18n
    pages = [
        GeneratedPage(COMPARE_INDEX, partial(_compare_index, archive, renderer, boards=boards,
                                             comparisons=comparisons)),
        GeneratedPage(TAG_INDEX, lambda links: _tag_index(archive, renderer, links)),
        GeneratedPage(BROWSE, lambda links: _browse(archive, renderer, links)),
        GeneratedPage(FEED, partial(_feed, archive, title=i18n.t("feed.newest"),
                                    reports=archive.newest_first(), src=FEED)),
    ]
    for board in boards:
        pages.append(GeneratedPage(compare_page(board.slug),
                                   partial(_leaderboard, archive, renderer, board=board)))
        if has_bars(board):
            pages.append(GeneratedPage(chart_file(board.slug, "bars"),
                                       chart=bar_spec(board, i18n)))
        if has_progress(board):
            pages.append(GeneratedPage(chart_file(board.slug, "progress"),
                                       chart=progress_spec(board, i18n)))
    for comparison in comparisons:
        pages.append(GeneratedPage(compare_page(comparison.spec.name), partial(
            _comparison, archive, renderer, comparison=comparison)))
    for tag in archive.tags.values():
        pages.append(GeneratedPage(tag_page(tag), partial(_tag, archive, renderer, tag=tag),
                                   key=partial(_tag_key, archive, tag)))
        title = i18n.t("feed.tag", name=tag.name)
        pages.append(GeneratedPage(tag_feed(tag), partial(
            _feed, archive, title=title, reports=tag.all_reports, src=tag_feed(tag)),
            key=partial(_feed_key, title, tag)))
    return pages


def _feed_key(title: str, tag: Tag) -> tuple[Any, ...]:
    """All a tag's feed shows: its title and its reports."""
    return title, tuple(tag.all_reports)


def _tag_key(archive: Archive, tag: Tag) -> tuple[Any, ...]:
    """All a tag's page shows: the tag, its parent and children, its reports and the
    pages of their tags (the cards link them)."""
    parent = archive.tags[tag.parent] if tag.parent else None
    children = [archive.tags[name] for name in tag.children]
    return (tag.name, tag_page(tag), parent and (parent.name, tag_page(parent)),
            tuple((c.name, len(c.all_reports), tag_page(c)) for c in children),
            tuple(tag.all_reports),
            tuple(tag_page(archive.tag_of(t)) for r in tag.all_reports for t in r.tags))


def _feed(archive: Archive, links: Links, *, title: str, reports: list[Report], src: str) -> str:
    def absolute(target: str) -> str:
        if links.site_url:
            return links.site_url.rstrip("/") + "/" + links.url(target)
        return links.rel(src, target)

    return atom_feed(title, reports, feed_url=links.url(src), site_url=links.site_url,
                     page_link=lambda r: absolute(r.path), home_link=absolute(HOME),
                     self_link=absolute(src), report_url=lambda r: links.url(r.path))


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
        statuses=[{"status": s, "count": statuses.get(s, 0)}
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
                           sort_columns=columns, facets=facets)


def _leaderboard(archive: Archive, renderer: Renderer, links: Links, *,
                 board: Leaderboard) -> str:
    src = compare_page(board.slug)
    primary = board.column(board.primary or "")
    charts = None
    if primary is not None and has_bars(board):
        bars_alt, progress_alt = chart_alt(board, renderer.i18n)
        charts = {"bars": links.rel(src, chart_file(board.slug, "bars")), "bars_alt": bars_alt,
                  "progress": links.rel(src, chart_file(board.slug, "progress"))
                  if has_progress(board) else "", "progress_alt": progress_alt}
    unranked = [{"title": display_title(r), "url": links.rel(src, r.path), "reason": why}
                for r, why in board.unranked]
    return renderer.render(
        "report-archive/leaderboard.md", board=board, primary=primary, charts=charts,
        unranked=unranked,
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


# The tables shown side by side, in order; their headings are `side.<key>` messages.
SIDE_BY_SIDE = ("hyperparameters", "model_card", "compute", "objectives")


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
    for key in SIDE_BY_SIDE:
        rows = side_by_side(comparison.reports, key)
        if rows:
            sections.append({"key": key, "rows": rows})
    reports = [{"title": display_title(r), "url": links.rel(src, r.path),
                "model": r.own_row.model if r.own_row else "", "date": r.date or "",
                "datasets": r.datasets} for r in comparison.reports]
    return renderer.render("report-archive/comparison.md", comparison=comparison.spec,
                           reports=reports, results=results, sections=sections,
                           index_url=links.rel(src, COMPARE_INDEX))
