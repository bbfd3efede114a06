"""Compact search entries for reports, merged into Material's search index.

Material's search plugin indexes every section of every page, re-parsing each
page's HTML: for thousands of reports that is a third of the build and an index
of tens of megabytes that every reader downloads before the first result.
Reports are therefore left out of it (`search: exclude`), and each gets one
entry instead, with what a reader searches a report by: its title, authors,
tags (Material boosts the `tags` field), datasets, own model, summary, and the
headings of its sections.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from html import escape
from pathlib import Path
from typing import TypedDict

from .model import Report

MAX_TEXT = 1500


class SearchEntry(TypedDict):
    """An entry of Material's search index."""

    location: str
    title: str
    text: str
    tags: list[str]


def entry(report: Report, url: str) -> SearchEntry:
    """One search entry for a report; values are escaped, as Material shows them as HTML."""
    own = report.own_row
    parts = [
        "Authors: " + ", ".join(report.authors),
        "Dataset: " + ", ".join(report.datasets) if report.datasets else "",
        f"Model: {own.model}" if own else "",
        f"Status: {report.status}" if report.status else "",
        report.summary,
        " · ".join(report.headings),
    ]
    text = " ".join(p for p in parts if p)[:MAX_TEXT]
    return {
        "location": url,
        "title": escape(report.title or report.path),
        "text": escape(text),
        "tags": [escape(t) for t in report.tags],
    }


def merge_into(index_file: Path, reports: Iterable[Report],
               url_of: Callable[[Report], str]) -> int:
    """Add the reports' entries to Material's index file; returns how many were added.

    Entries already there for the same pages (a previous dirty rebuild) are replaced.
    """
    data = json.loads(index_file.read_text(encoding="utf-8"))
    entries = [entry(r, url_of(r)) for r in reports]
    ours = {e["location"] for e in entries}
    docs = [d for d in data.get("docs", []) if d.get("location", "").split("#")[0] not in ours]
    data["docs"] = docs + entries
    index_file.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")
    return len(entries)
