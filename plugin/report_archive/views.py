"""View models: what cards, listings, header cards and leaderboard rows show, for templates."""

from __future__ import annotations

import heapq
import math
from collections import Counter
from typing import TypedDict
from urllib.parse import quote

from .archive import Archive
from .citation import ProvenanceView, bibtex, provenance
from .compare import (
    Column,
    Entry,
    SideRow,
)
from .model import Report
from .urls import Links, compare_page, tag_page
from .values import dataset_key, format_metric

NEWEST_ON_HOME = 6


RELATED_COUNT = 5


RELATED_POOL = 60


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
    tags: list[TagSource]
    datasets: list[DatasetSource]
    own_model: str
    headline: list[HeadlineMetric]
    provenance: ProvenanceView
    citation: str


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
    cells: list[Cell]
    hardware: str
    training_time: str
    reason: str  # why the row has no rank ("" when ranked)


class SideBySide(TypedDict):
    key: str
    rows: list[SideRow]


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


def _keys_of(report: Report, archive: Archive) -> list[str]:
    """The matching key of each of the report's datasets, in order (duplicates kept)."""
    return [dataset_key(d, archive.settings.dataset_aliases) for d in report.datasets]


def _query(value: str) -> str:
    return quote(value, safe="")


def related(report: Report, archive: Archive, links: Links) -> tuple[Related, list[Report]]:
    """Reports on the same dataset, and those sharing the most tags (newest first on ties);
    the reports shown."""
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
    }, same + tags


def _mini(report: Report, links: Links, src: str) -> MiniCard:
    return {"title": display_title(report), "url": links.rel(src, report.path),
            "date": report.date or "", "datasets": report.datasets}


def display_title(report: Report) -> str:
    return report.title or report.path.rsplit("/", 1)[-1].removesuffix(".md")


def card_context(report: Report, archive: Archive, links: Links | None = None) -> CardContext:
    """What the header card of a report page shows; links are source paths.

    With `links`, the citation carries the report's address under `site_url`.
    """
    own = report.own_row
    headline: list[HeadlineMetric] = [
        {"name": report.metric_name(key), "value": format_metric(metric),
         "primary": key == report.primary_metric} for key, metric in own.metrics.items()
    ] if own else []
    return {
        "report": report,
        "tags": [{"name": t, "src": tag_page(archive.tag_of(t))} for t in report.tags],
        "datasets": [{"name": d, "src": compare_page(archive.dataset_slugs[key])
                      if key in archive.dataset_slugs else None}
                     for d, key in zip(report.datasets, _keys_of(report, archive), strict=True)],
        "own_model": own.model if own else "",
        "headline": headline,
        "provenance": provenance(report, archive.settings.tracking.ui_bases()),
        "citation": bibtex(report, _address(report, links)),
    }


def _address(report: Report, links: Links | None) -> str | None:
    """The report's full address, when the site says where it is published."""
    if links is None or not links.site_url:
        return None
    return links.site_url.rstrip("/") + "/" + links.url(report.path).lstrip("/")


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
                     "cells": _cells(entry, columns),
                     "hardware": compute.hardware if compute else "",
                     "training_time": compute.training_time if compute else "",
                     "reason": entry.reason or ""})
    return rows
