"""A report read into data: front matter, sections, tables, and every problem found."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from urllib.parse import urlsplit

from .diagnostics import Collector
from .front_matter import check_front_matter, check_page_values
from .markdown_scan import Scan, scan
from .model import KeyValues, NextSteps, Report, Results
from .policy import apply_rules, disabled_rules
from .sanity import check_numbers
from .sections import SectionMap, check_sections
from .settings import Settings
from .source import read_source
from .tables import read_tables
from .template import (
    PLACEHOLDER_RE,
    REPORT_TYPE,
    RESIDUE_STARTS,
    STATUS_LINE_RE,
    STATUS_NOT_CHOSEN,
    normalize_line,
    normalize_status,
    residue_lines,
    residue_rows,
)
from .values import dataset_name, metric_key

_MAX_RESIDUE_LINES = 10
# An inline link or image: `[text](target "title")`, `![alt](<target>)`.
_LINK_RE = re.compile(r"!?\[[^\[\]\n]*\]\(\s*<?(?P<target>[^\s)<>]+)>?(?:\s+[\"'(][^)\n]*)?\)")
_CODE_SPAN_RE = re.compile(r"`[^`]*`")
# Links are looked for on lines of ordinary length only: a longer line is data, not prose.
_MAX_LINK_LINE = 5000


def read_report(raw: bytes, path: str, settings: Settings) -> Report:
    """Read one file of the archive into a Report, collecting every problem in it.

    The project's `rules` option and the report's own disable comments decide
    which of the problems found are kept, and at what severity.
    """
    report = _read(raw, path, settings)
    report.diagnostics = apply_rules(report.diagnostics, settings.rules, report.disabled)
    return report


def _read(raw: bytes, path: str, settings: Settings) -> Report:
    out = Collector(path)
    report = Report(path=path)
    source = read_source(raw, out, settings.limits)
    if source.text is None:
        report.readable = False
        report.is_report = _looks_like_report_bytes(raw)
        report.diagnostics = out.items
        return report
    if not source.text.strip():
        out.add("file-empty", "file is empty", 1, 1)
        report.diagnostics = out.items
        return report

    front = source.front
    kind = front.data.get("type")
    if not front.valid:
        # Unreadable front matter: judge by the body whether this was meant as a report.
        report.is_report = "**Machine Learning Experiment Report**" in source.body or bool(
            re.search(r"^type:\s*ml-experiment-report\s*$", source.text, re.M))
        report.diagnostics = out.items
        return report
    check_page_values(front, out, settings.theme_dirs, is_report=kind == REPORT_TYPE)
    if kind is None or kind == "page":
        if kind is None and "authors" in front.data and "date" in front.data:
            out.add("report-type-missing",
                    "page has `authors` and `date` like a report but no `type`; it is "
                    "published as a plain page", *front.line_of("authors"))
        report.diagnostics = out.items
        return report

    report.is_report = True
    report.disabled = disabled_rules(source.text, out)
    fields = check_front_matter(front, out, settings)
    report.key_lines = {"/".join(map(str, key)): place[0]
                        for key, place in front.positions.items()}
    report.title = fields.title
    report.authors = fields.authors
    report.date = fields.date
    report.updated = fields.updated
    report.tags = fields.tags
    report.provenance = fields.provenance
    if kind != REPORT_TYPE:
        report.diagnostics = out.items
        return report

    body = scan(source.body, source.body_start, settings.limits.max_table_rows)
    report.headings = [h.text for h in body.headings if h.level in (2, 3)]
    for rule, line, message in body.limits:
        out.add(rule, message, line, 1)
    for line in body.unclosed_fences:
        out.add("code-fence-unclosed", "code block opened here is never closed, so what "
                "follows renders as text", line, 1)
    sections = check_sections(body.headings, out, settings, last_line=_last_line(source.text))
    report.status = _check_status(fields.status, fields.status_line, body, sections, out,
                                  front.start_line)
    tables = read_tables(body, sections, out, settings)
    report.datasets = fields.datasets or _dataset_from_card(tables.dataset_card, settings)
    if not report.datasets:
        out.add("dataset-missing", "the report names no dataset: table 2.1 has no **Name** "
                "row and the front matter no `dataset`", *front.line_of("title"))
    report.primary_metric = _primary_metric(fields.primary_metric, tables.results, out,
                                            front.line_of("primary_metric"))
    check_numbers(tables, report.primary_metric, out, settings)
    report.summary = fields.summary or _first_paragraph(source.body, source.body_start, sections)
    _check_residue(body, report.status, out)
    report.links = relative_links(body)
    report.tables = replace(tables, next_steps=_next_steps(body, sections))
    report.diagnostics = out.items
    return report


def _last_line(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _looks_like_report_bytes(raw: bytes) -> bool:
    return b"ml-experiment-report" in raw[:65536]


def _check_status(front_status: str | None, front_line: tuple[int, int], body: Scan,
                  sections: SectionMap, out: Collector, start_line: int) -> str | None:
    status = normalize_status(front_status) if front_status else None
    limit = sections.first_line or None
    has_line = False
    for line, text in body.text_lines:
        if limit is not None and line >= limit:
            break
        match = STATUS_LINE_RE.match(text)
        if not match:
            continue
        has_line = True
        value = match.group("value").strip().strip("*").strip()
        if " ".join(value.casefold().split()) == STATUS_NOT_CHOSEN:
            out.add("status-not-chosen", "status line still offers `Draft / Final / In Review`; "
                    "keep the one that applies", line, 1)
            break
        body_status = normalize_status(value)
        if body_status is None:
            out.add("fm-status", f"status line says '{value}', which is not draft, in-review "
                    "or final", line, 1)
        elif status is not None and body_status != status:
            out.add("status-mismatch", f"front matter says status '{status}' (line "
                    f"{front_line[0]}) but the status line says '{value}'", line, 1)
        elif status is None:
            status = body_status
        break
    if status is None and front_status is None and not has_line:
        out.add("status-missing", "the report has no status; it is treated as a draft",
                start_line, 1)
    return status or "draft"


def _dataset_from_card(card: KeyValues | None, settings: Settings) -> list[str]:
    for key, value in (card.items if card else {}).items():
        if key.casefold() == "name" and value.strip():
            return [dataset_name(value, settings.dataset_aliases)]
    return []


def _primary_metric(declared: str | None, results: Results | None, out: Collector,
                    where: tuple[int, int]) -> str | None:
    columns = results.metrics if results else {}
    if declared:
        key = metric_key(declared)
        if key in columns:
            return key
        if columns:
            out.add("fm-primary-metric", f"primary_metric '{declared}' is not a column of the "
                    f"results table (columns: {', '.join(columns.values())})", *where)
        return None
    return next(iter(columns), None)


def _first_paragraph(body: str, first_line: int, sections: SectionMap) -> str:
    start = sections.start_of("Executive Summary")
    if start is None:
        return ""
    lines = body.split("\n")
    paragraph: list[str] = []
    for text in lines[start - first_line + 1:]:
        stripped = text.strip()
        if not stripped:
            if paragraph:
                break
            continue
        if stripped.startswith(("#", "|", "- ", "* ", "+ ", "<", "```", "~~~", ">")):
            if paragraph:
                break
            if stripped.startswith("#"):
                break
            continue
        paragraph.append(stripped)
    # The summary keeps 500 characters: a longer paragraph is cut before it is searched.
    return _strip_inline(" ".join(paragraph)[:2000])[:500]


def _strip_inline(text: str) -> str:
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`]", "", text).strip()


def _check_residue(body: Scan, status: str | None, out: Collector) -> None:
    residue = residue_lines()
    severity = "error" if status == "final" else "warning"
    found: list[tuple[int, str]] = []
    table_rows = {row.line: row.text for table in body.tables for row in table.rows}
    sample_rows: set[int] = set()
    for table in body.tables:
        sample_rows |= residue_rows([(row.line, row.text) for row in table.rows])
    for line, text in body.text_lines:
        # Residue is a placeholder, or a template table row or list item.
        if "{{" not in text and not text.lstrip().startswith(RESIDUE_STARTS):
            continue
        placeholder = PLACEHOLDER_RE.search(text)
        if placeholder:
            found.append((line, f"template placeholder {placeholder.group(0)} is still here"))
        elif line in table_rows:
            if line in sample_rows:
                found.append((line, "template sample row is still here: "
                              f"'{text.strip()[:80]}'"))
        elif normalize_line(text) in residue:
            found.append((line, f"template sample text is still here: '{text.strip()[:80]}'"))
    for line, message in found[:_MAX_RESIDUE_LINES]:
        out.add("template-residue", message, line, 1, severity=severity)  # type: ignore[arg-type]
    if len(found) > _MAX_RESIDUE_LINES:
        rest = found[_MAX_RESIDUE_LINES:]
        out.add("template-residue", f"{len(rest)} more lines of template text, from line "
                f"{rest[0][0]} to line {rest[-1][0]}", rest[0][0], 1,
                severity=severity)  # type: ignore[arg-type]


def relative_links(body: Scan) -> list[tuple[int, int, str]]:
    """Links and images to other files of the site, as MkDocs validates them.

    A link MkDocs leaves alone is left out: another site (`https:`, `//host`),
    an absolute path, a link within the page (`#part`), or one whose last part
    has no file extension (a folder).
    """
    found: list[tuple[int, int, str]] = []
    for line, text in body.text_lines:
        if "](" not in text or len(text) > _MAX_LINK_LINE:
            continue
        text = _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), text)
        for match in _LINK_RE.finditer(text):
            target = match.group("target")
            parts = urlsplit(target)
            path = parts.path
            if parts.scheme or parts.netloc or target.startswith(("/", "\\")) or not path:
                continue
            if not posixpath.splitext(path)[1]:
                continue
            found.append((line, match.start() + 1, target))
    return found


def _next_steps(body: Scan, sections: SectionMap) -> NextSteps:
    span = sections.span_of("Next Steps")
    if span is None:
        return NextSteps(0, 0)
    tasks = [done for line, done in body.tasks if span[0] <= line < span[1]]
    return NextSteps(sum(tasks), len(tasks))
