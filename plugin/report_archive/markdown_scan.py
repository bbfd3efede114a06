"""A one-pass scanner that sees a report's blocks as Python-Markdown renders them.

Checking thousands of reports cannot afford a full Markdown render each, yet a
heading inside a fenced code block or an HTML comment must not count. The
scanner follows the parts of Python-Markdown (with pymdownx.superfences and the
tables extension) that decide what is a heading, a table or a task item:

- ATX headings start at column 0 with 1-6 `#` (no space needed, as in
  Python-Markdown); setext headings are the first line of a block followed by
  a line of `=` or `-`.
- Fenced code opens with ``` or ~~~ (indented or not) and closes with the same
  character at least as long; a fence that never closes is not code.
- `<!--` ... `-->` hides what it encloses when the comment is closed.
- A table starts a block (after a blank line or a heading) with a header row
  and a separator row of as many cells; it runs to the next blank line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

_ATX_RE = re.compile(r"^(#{1,6})(.*)$")
_SETEXT_RE = re.compile(r"^(=+|-+)[ ]*$")
_FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_CLOSER_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*$")
_ATTR_LIST_RE = re.compile(r"\s*\{[^{}]*\}\s*$")
_LIST_RE = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s")
_TASK_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[(?P<mark>[ xX])\]\s")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int
    column: int = 1


@dataclass
class Row:
    line: int
    cells: list[str]
    text: str = ""

    def column_of(self, index: int) -> int:
        """1-based column where cell `index` starts in the source line (best effort)."""
        position = 0
        for _ in range(index + (1 if self.text.lstrip().startswith("|") else 0)):
            found = self.text.find("|", position)
            if found < 0:
                return 1
            position = found + 1
        cell = self.cells[index] if index < len(self.cells) else ""
        found = self.text.find(cell, position) if cell else -1
        return (found if found >= 0 else position) + 1


@dataclass
class Table:
    line: int
    header: Row
    rows: list[Row] = field(default_factory=list)


@dataclass
class Scan:
    headings: list[Heading] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    tasks: list[tuple[int, bool]] = field(default_factory=list)
    # (file line, text) of every line that renders as Markdown (not code, not comment)
    text_lines: list[tuple[int, str]] = field(default_factory=list)
    unclosed_fences: list[int] = field(default_factory=list)


def split_row(row: str) -> list[str]:
    """Cells of a table row, honouring `\\|` escapes and pipes inside code spans."""
    text = row.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not _escaped(text, len(text) - 1):
        text = text[:-1]
    cells: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index:index + 2])
            index += 2
            continue
        if char == "`":
            run = len(text[index:]) - len(text[index:].lstrip("`"))
            close = text.find("`" * run, index + run)
            if close >= 0:
                current.append(text[index:close + run])
                index = close + run
                continue
            current.append("`" * run)
            index += run
            continue
        if char == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    cells.append("".join(current).strip())
    return cells


def _escaped(text: str, index: int) -> bool:
    slashes = 0
    while index - 1 - slashes >= 0 and text[index - 1 - slashes] == "\\":
        slashes += 1
    return slashes % 2 == 1


def _is_separator(cells: list[str]) -> bool:
    return all(cell and set(cell) <= set(":- ") and "-" in cell for cell in cells)


def heading_text(raw: str) -> str:
    text = raw.strip().rstrip("#").strip()
    return _ATTR_LIST_RE.sub("", text).strip()


def _closer_reach(lines: list[str]) -> list[dict[str, int]]:
    """For each line, the longest closing fence of each kind at or after it."""
    reach: list[dict[str, int]] = [{}] * (len(lines) + 1)
    best: dict[str, int] = {}
    for index in range(len(lines) - 1, -1, -1):
        match = _CLOSER_RE.match(lines[index])
        if match:
            fence = match.group(1)
            if len(fence) > best.get(fence[0], 0):
                best = {**best, fence[0]: len(fence)}
        reach[index] = best
    return reach


def scan(body: str, first_line: int = 1, max_table_rows: int | None = None) -> Scan:
    """Scan a Markdown body whose first line is file line `first_line`."""
    lines = body.split("\n")
    result = Scan()
    reach = _closer_reach(lines)
    comment_ends = [i for i, line in enumerate(lines) if "-->" in line]
    fence: tuple[str, int] | None = None
    in_comment = False
    block_start = True
    in_list = False
    index = 0
    while index < len(lines):
        line = lines[index]
        number = first_line + index
        if fence is not None:
            closer = _CLOSER_RE.match(line)
            if closer and closer.group(1)[0] == fence[0] and len(closer.group(1)) >= fence[1]:
                fence = None
                block_start = True
            index += 1
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
            index += 1
            continue
        opener = _FENCE_RE.match(line)
        if opener and not (opener.group("fence")[0] == "`" and "`" in opener.group("info")):
            kind = opener.group("fence")
            if reach[index + 1].get(kind[0], 0) >= len(kind):
                fence = (kind[0], len(kind))
                index += 1
                continue
            result.unclosed_fences.append(number)
        stripped = line.lstrip()
        if stripped.startswith("<!--"):
            tail = stripped[4:]
            if "-->" in tail:
                index += 1
                continue
            if bisect_right(comment_ends, index) < len(comment_ends):
                in_comment = True
                index += 1
                continue
        if not line.strip():
            block_start = True
            index += 1
            continue
        indented = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip()) >= 4
        if indented and in_list:
            # A list item's indented continuation is Markdown, headings included.
            inner = line.expandtabs(4).lstrip(" ")
            atx = _ATX_RE.match(inner) if block_start else None
        else:
            atx = _ATX_RE.match(line)
            if block_start and not indented:
                in_list = bool(_LIST_RE.match(line))
        if atx:
            result.headings.append(Heading(len(atx.group(1)), heading_text(atx.group(2)), number))
            result.text_lines.append((number, line))
            block_start = True
            index += 1
            continue
        following = lines[index + 1] if index + 1 < len(lines) else None
        if block_start and not indented and following is not None:
            if "|" in line:
                header = split_row(line)
                separator = split_row(following)
                if len(header) > 1 and len(separator) == len(header) and _is_separator(separator):
                    index = _read_table(lines, index, first_line, header, result, max_table_rows)
                    block_start = True
                    continue
            if _SETEXT_RE.match(following):
                level = 1 if following.lstrip().startswith("=") else 2
                result.headings.append(Heading(level, heading_text(line), number))
                result.text_lines.append((number, line))
                block_start = True
                index += 2
                continue
        task = _TASK_RE.match(line)
        if task:
            result.tasks.append((number, task.group("mark") != " "))
        result.text_lines.append((number, line))
        block_start = False
        index += 1
    return result


def _read_table(lines: list[str], start: int, first_line: int, header: list[str],
                result: Scan, max_rows: int | None) -> int:
    table = Table(line=first_line + start, header=Row(first_line + start, header, lines[start]))
    result.text_lines.append((first_line + start, lines[start]))
    index = start + 2
    while index < len(lines) and lines[index].strip():
        if max_rows is None or len(table.rows) <= max_rows:
            table.rows.append(Row(first_line + index, split_row(lines[index]), lines[index]))
            result.text_lines.append((first_line + index, lines[index]))
        index += 1
    result.tables.append(table)
    return index
