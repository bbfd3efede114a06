"""Planning the generated pages: which exist, at which source path, with what Markdown.

Pages are planned as Markdown files with relative `.md` links; MkDocs then
resolves the links for either URL mode and any `site_url` sub-path, checks them,
and feeds the pages to the table of contents and to search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .archive import Archive
from .render import Renderer, fmt_metric, link
from .report import Report

TAG_INDEX = "tags/index.md"
REPORTS_JSON = "reports.json"
STYLESHEET = "assets/report-archive/report-archive.css"
STATUS_LABELS = {"draft": "Draft", "in-review": "In Review", "final": "Final"}

_HEADER_LINE_RE = re.compile(
    r"^\s*\*\*(Machine Learning Experiment Report|Researchers|Authors|Date|Status)\*\*"
    r"\s*(:.*)?$", re.I)


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    content: str


def tag_page(slug: str) -> str:
    return f"tags/{slug}/index.md"


def plan_pages(archive: Archive, renderer: Renderer) -> list[GeneratedPage]:
    """Every page the plugin adds to the site, as Markdown."""
    pages = [GeneratedPage(TAG_INDEX, _tag_index(archive, renderer))]
    for tag, reports in archive.by_tag().items():
        src = tag_page(archive.tag_slugs[tag])
        pages.append(GeneratedPage(src, renderer.render(
            "report-archive/tag.md", tag={"name": tag},
            index_link=link(src, TAG_INDEX),
            reports=[_row(r, src) for r in reports])))
    return pages


def _tag_index(archive: Archive, renderer: Renderer) -> str:
    tags = [{"name": tag, "count": len(reports),
             "link": link(TAG_INDEX, tag_page(archive.tag_slugs[tag]))}
            for tag, reports in archive.by_tag().items()]
    return renderer.render("report-archive/tag-index.md", tags=tags,
                           report_count=len(archive.reports))


def _row(report: Report, from_src: str) -> dict[str, Any]:
    return {"title": display_title(report), "link": link(from_src, report.path),
            "date": report.date or "", "status": STATUS_LABELS.get(report.status or "", ""),
            "authors": report.authors, "datasets": report.datasets}


def display_title(report: Report) -> str:
    return report.title or report.path.rsplit("/", 1)[-1].removesuffix(".md")


def card_context(report: Report, archive: Archive) -> dict[str, Any]:
    """What the header card shows; links are source paths for the adapter to resolve."""
    own = report.own_row
    names: dict[str, str] = report.data.get("results", {}).get("metrics", {})
    headline = []
    if own:
        for key, metric in own["metrics"].items():
            headline.append({"name": names.get(key, key), "value": fmt_metric(metric),
                             "primary": key == report.primary_metric})
    return {
        "report": report,
        "status_label": STATUS_LABELS.get(report.status or "", "Draft"),
        "tags": [{"name": t, "src": tag_page(archive.tag_slugs[t])} for t in report.tags
                 if t in archive.tag_slugs],
        "datasets": [{"name": d, "src": None} for d in report.datasets],
        "own_model": own["model"] if own else "",
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
