"""What the report template prescribes: sections, data tables and residue.

The template file ships in the package (`report-template.md`); residue is
derived from it, so a change to the template changes what counts as residue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class SectionSpec:
    number: str | None
    name: str


TEMPLATE_SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(None, "Executive Summary"),
    SectionSpec("1", "Objective"),
    SectionSpec("2", "Dataset"),
    SectionSpec("3", "Model"),
    SectionSpec("4", "Training"),
    SectionSpec("5", "Results"),
    SectionSpec("6", "Analysis"),
    SectionSpec("7", "Robustness"),
    SectionSpec("8", "Deployment Considerations"),
    SectionSpec("9", "Conclusions"),
    SectionSpec("10", "Next Steps"),
    SectionSpec(None, "References"),
    SectionSpec(None, "Appendix"),
)

DEFAULT_REQUIRED: tuple[str, ...] = (
    "Executive Summary", "Objective", "Dataset", "Model", "Training", "Results", "Conclusions",
)
DEFAULT_OPTIONAL: tuple[str, ...] = ("Appendix",)


@dataclass(frozen=True)
class TableSpec:
    """A data table of the template: found by subsection number or by subsection name."""

    key: str
    section: str
    number: str
    name: str


TABLES: tuple[TableSpec, ...] = (
    TableSpec("dataset_card", "Dataset", "2.1", "Data Description"),
    TableSpec("splits", "Dataset", "2.2", "Data Splits"),
    TableSpec("model_card", "Model", "3.2", "Model Specifications"),
    TableSpec("hyperparameters", "Training", "4.1", "Hyperparameters"),
    TableSpec("compute", "Training", "4.3", "Computational Resources"),
    TableSpec("results", "Results", "5.1", "Quantitative Results"),
    TableSpec("ablation", "Analysis", "6.1", "Ablation Study"),
    TableSpec("inference", "Deployment Considerations", "8.2", "Inference Speed"),
    TableSpec("objectives", "Conclusions", "9.2", "Did We Meet Objectives?"),
)

STATUS_NOT_CHOSEN = "draft / final / in review"
PLACEHOLDER_RE = re.compile(r"\{\{\s*[A-Z][A-Z0-9_]*\s*\}\}")
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(?P<text>.*)$")
# A list item of the template is residue when it is a numbered placeholder
# ("Finding 1", "Task 2"), a bold key with the template's description as its
# value, or a [link] placeholder; plain bullets such as "Time constraints" are
# plausible real content and are not flagged.
_PLACEHOLDER_ITEM_RE = re.compile(
    r"(\b[A-Z][a-z]+(?: [A-Z][a-z]+)? \d\b)|(^\*\*[^*]+\*\*:)|\[link\]")


def normalize_line(line: str) -> str:
    """Whitespace-folded, case-folded form of a line, table cells trimmed."""
    text = line.strip()
    if text.startswith("|") or text.endswith("|"):
        cells = [c.strip() for c in text.strip("|").split("|")]
        text = "|".join(cells)
    return " ".join(text.split()).casefold()


def template_text() -> str:
    return (resources.files("report_archive") / "report-template.md").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def residue_lines() -> frozenset[str]:
    """Lines of the template that are sample content, in normalized form."""
    lines = template_text().splitlines()
    residue: set[str] = set()
    in_code = False
    previous_was_table = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        is_table = stripped.startswith("|")
        if is_table:
            following = lines[index + 1].strip() if index + 1 < len(lines) else ""
            is_header = not previous_was_table and set(following) <= set("|-: ") and following
            is_separator = set(stripped) <= set("|-: ")
            if not is_header and not is_separator:
                residue.add(normalize_line(stripped))
        else:
            item = _LIST_ITEM_RE.match(line)
            if item and _PLACEHOLDER_ITEM_RE.search(item.group("text")):
                residue.add(normalize_line(stripped))
        previous_was_table = is_table
    return frozenset(residue)


# A sample row that cannot be a real one: a numbered or lettered name ("Baseline 1",
# "- Feature Set A", "Class 2"), a placeholder quantity ("X examples", "Y%"), or a bold
# name whose value is the template's description ("| **Name** | Dataset name |").
_SAMPLE_NAME_RE = re.compile(r"^(?:- )?[a-z]+(?: [a-z]+)* (?:\d|[a-c])$")
_PLACEHOLDER_TOKEN_RE = re.compile(r"(?:^|\|)[^|]*\b[xy]\b[^|]*(?:\||$)")


@lru_cache(maxsize=1)
def placeholder_rows() -> frozenset[str]:
    """Template table rows that are residue wherever they appear, in normalized form.

    The other sample rows (`| Optimizer | AdamW | Standard for transformers |`)
    are plausible real rows: they are residue only in a table made entirely of
    the template's rows.
    """
    rows: set[str] = set()
    in_results = False
    for line in template_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            in_results = stripped.lstrip("#").strip().startswith("5.1")
        if not stripped.startswith("|") or normalize_line(stripped) not in residue_lines():
            continue
        text = normalize_line(stripped)
        cells = text.split("|")
        first = cells[0].strip("*_ ")
        description = stripped.split("|")[1].strip().startswith("**") and not any(
            char.isdigit() for cell in cells[1:] for char in cell)
        if (in_results or _SAMPLE_NAME_RE.match(first) or description
                or _PLACEHOLDER_TOKEN_RE.search(text)):
            rows.add(text)
    return frozenset(rows)


def residue_rows(rows: list[tuple[int, str]]) -> set[int]:
    """Lines of one table's data rows (line, source text) that are template residue.

    A row is residue when it is a placeholder row, or when the whole table is
    the template's: residue is the template's text as a whole, not a value
    (AdamW, 1e-4, batch 32) that also appears in it.
    """
    normalized = [(line, normalize_line(text)) for line, text in rows]
    if normalized and all(text in residue_lines() for _, text in normalized):
        return {line for line, _ in normalized}
    return {line for line, text in normalized if text in placeholder_rows()}


STATUS_LABELS = {"draft": "Draft", "in-review": "In Review", "final": "Final"}


_HEADER_LINE_RE = re.compile(
    r"^\s*\*\*(Machine Learning Experiment Report|Researchers|Authors|Date|Status)\*\*"
    r"\s*(:.*)?$", re.I)


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


REPORT_TYPE = "ml-experiment-report"
STATUSES = ("draft", "in-review", "final")
# One way to split the whitespace (`:` then spaces) and a greedy value (stripped
# afterwards): a failing line costs linear time.
STATUS_LINE_RE = re.compile(r"\s*\*\*Status\s*(?::\s*)?\*\*\s*:?\s*(?P<value>.*)", re.I)
# Template text left in a report is a placeholder, or one of these: table rows, list items.
RESIDUE_STARTS = ("|", "-", "*", "+", *"0123456789")


def normalize_status(value: str) -> str | None:
    folded = re.sub(r"[\s_]+", "-", value.strip().casefold())
    if folded in ("inreview", "in-review"):
        return "in-review"
    return folded if folded in STATUSES else None
