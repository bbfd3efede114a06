"""A one-pass scanner that sees a report's blocks as Python-Markdown renders them.

Checking thousands of reports cannot afford a full Markdown render each, yet a
heading inside a fenced code block or an HTML comment must not count. The
scanner follows the parts of Python-Markdown (with pymdownx.superfences and the
tables extension) that decide what is a heading, a table or a task item:

- ATX headings start at column 0 with 1-6 `#` (no space needed, as in
  Python-Markdown); setext headings are the first line of a block followed by
  a line of `=` or `-`.
- Fenced code (pymdownx.superfences) opens at column 0 with ``` or ~~~ and
  closes with exactly the same fence alone on a line; a fence that never
  closes is not code.
- `<!--` ... `-->` hides what it encloses when the comment is closed.
- A table starts a block (after a blank line or a heading) with a header row
  and a separator row of as many cells; it runs to the next blank line.

A property test compares the headings found with Python-Markdown's output on
generated documents. Not modelled: headings inside blockquotes (they are not
sections), a setext underline directly under a closing fence, and fences that
superfences pairs across an indented code block with no blank line between.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from .model import Report

_ATX_RE = re.compile(r"^(#{1,6})(.*)$")
_SETEXT_RE = re.compile(r"^(=+|-+)[ ]*$")
_FENCE_RE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_CLOSER_RE = re.compile(r"^(`{3,}|~{3,})[ \t]*$")
_HR_RE = re.compile(r"^ {0,3}(?:(?:-[ ]?){3,}|(?:_[ ]?){3,}|(?:\*[ ]?){3,})[ ]*$")
_HR_CHARS = ("-", "_", "*")
_LIST_RE = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s")
_LIST_START = frozenset(" -*+0123456789")
_BACKTICKS_RE = re.compile(r"`+")
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
    _pipes: list[int] | None = field(default=None, repr=False, compare=False)

    def column_of(self, index: int) -> int:
        """1-based column where cell `index` starts in the source line (best effort)."""
        if self._pipes is None:
            # Found once per row: a row of many bad cells is not searched once per cell.
            self._pipes = [i for i, char in enumerate(self.text) if char == "|"]
        skipped = index + (1 if self.text.lstrip().startswith("|") else 0)
        if skipped > len(self._pipes):
            return 1
        position = self._pipes[skipped - 1] + 1 if skipped else 0
        cell = self.cells[index] if index < len(self.cells) else ""
        end = position + len(cell) + 256  # the cell starts after at most some spaces
        found = self.text.find(cell, position, end) if cell else -1
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
    # Bounds the text exceeds (rule, file line, message): see `nesting_limits`.
    limits: list[tuple[str, int, str]] = field(default_factory=list)


def split_row(row: str) -> list[str]:
    """Cells of a table row, honouring `\\|` escapes and pipes inside code spans."""
    text = row.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not _escaped(text, len(text) - 1):
        text = text[:-1]
    if "\\" not in text and "`" not in text:
        return [cell.strip() for cell in text.split("|")]
    cells: list[str] = []
    current: list[str] = []
    index = 0
    # Once no closing run of n backticks is left, none of n or more is: don't look again.
    unclosed = len(text) + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index:index + 2])
            index += 2
            continue
        if char == "`":
            run = _BACKTICKS_RE.match(text, index).end() - index  # type: ignore[union-attr]
            close = text.find("`" * run, index + run) if run < unclosed else -1
            if close < 0:
                unclosed = min(unclosed, run)
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
    # A trailing `{...}` attribute list, found without a regex that could backtrack.
    if text.endswith("}"):
        opening = text.rfind("{")
        if opening >= 0 and "}" not in text[opening:-1]:
            text = text[:opening]
    return text.strip()


def _pair_fences(lines: list[str]) -> tuple[dict[int, int], int | None]:
    """Fenced blocks as superfences pairs them, before anything else is parsed.

    Returns {opening line: closing line} and the line of a fence that never
    closes (superfences then reads to the end, so no later fence opens).
    """
    pairs: dict[int, int] = {}
    fence: str | None = None
    opened = 0
    for index, line in enumerate(lines):
        if fence is None:
            match = _FENCE_RE.match(line) if line[:3] in ("```", "~~~") else None
            if match and not (match.group("fence")[0] == "`" and "`" in match.group("info")):
                fence, opened = match.group("fence"), index
        else:
            closer = _CLOSER_RE.match(line)
            if closer and closer.group(1) == fence:
                pairs[opened] = index
                fence = None
    return pairs, (opened if fence is not None else None)


def scan(body: str, first_line: int = 1, max_table_rows: int | None = None) -> Scan:
    """Scan a Markdown body whose first line is file line `first_line`."""
    lines = body.split("\n")
    result = Scan()
    fences, unclosed = _pair_fences(lines)
    fenced: set[int] = set()
    for start, end in fences.items():
        fenced.update(range(start, end + 1))
    comment_ends = [i for i, line in enumerate(lines) if "-->" in line and i not in fenced]
    in_comment = False
    block_start = True
    fresh_block = True  # the block began after a blank line or a heading
    in_list = False
    indented_code = False  # inside an indented code block (superfences reverts fences there)
    code_open = False  # still on the indented lines of that code block
    index = 0
    while index < len(lines):
        line = lines[index]
        number = first_line + index
        if index in fences and not indented_code:
            # The code block stands in its block as one line of text would.
            index = fences[index] + 1
            block_start = False
            continue
        if in_comment:
            if "-->" in line:
                in_comment = False
                block_start = fresh_block = True
            index += 1
            continue
        if index == unclosed:
            result.unclosed_fences.append(number)
        stripped = line.lstrip()
        if stripped.startswith("<!--"):
            tail = stripped[4:]
            if "-->" in tail:
                block_start = fresh_block = True  # raw HTML stands as its own block
                index += 1
                continue
            if bisect_right(comment_ends, index) < len(comment_ends):
                in_comment = True
                index += 1
                continue
        if not stripped:
            block_start = fresh_block = True
            indented_code = code_open = False
            index += 1
            continue
        indented = line[0].isspace() and (
            len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip()) >= 4)
        if code_open and not indented:
            block_start = True  # the indented code ends here; the rest is a new block
            code_open = False
        if indented and in_list:
            # A list item's indented continuation is Markdown, headings included.
            inner = line.expandtabs(4).lstrip(" ")
            atx = _ATX_RE.match(inner) if block_start else None
        else:
            atx = _ATX_RE.match(line) if line.startswith("#") else None
            if block_start and not indented:
                in_list = line[0] in _LIST_START and bool(_LIST_RE.match(line))
            if block_start and indented and not in_list:
                # A block that starts indented is code, and superfences turns the
                # fences in the rest of that blank-line-separated chunk back into text.
                indented_code = code_open = True
        if atx:
            _add_heading(result, len(atx.group(1)), atx.group(2), number)
            result.text_lines.append((number, line))
            block_start = fresh_block = True
            index += 1
            continue
        following = lines[index + 1] if index + 1 < len(lines) else None
        if block_start and not indented and following is not None:
            if "|" in line:
                header = split_row(line)
                separator = split_row(following)
                if len(header) > 1 and len(separator) == len(header) and _is_separator(separator):
                    index = _read_table(lines, index, first_line, header, result, max_table_rows,
                                        comment_ends, absorbs_headings=fresh_block,
                                        fences=fences)
                    block_start = True
                    continue
            if _SETEXT_RE.match(following):
                level = 1 if following.lstrip().startswith("=") else 2
                _add_heading(result, level, line, number)
                result.text_lines.append((number, line))
                block_start, fresh_block = True, False
                index += 2
                continue
        if not indented and stripped[:1] in _HR_CHARS and _HR_RE.match(line):
            result.text_lines.append((number, line))
            block_start = True  # a rule splits the block: the next line starts another
            fresh_block = False
            index += 1
            continue
        task = _TASK_RE.match(line) if "[" in line else None
        if task:
            result.tasks.append((number, task.group("mark") != " "))
        result.text_lines.append((number, line))
        block_start = False
        index += 1
    result.limits.extend(nesting_limits(result.text_lines))
    return result


def _add_heading(result: Scan, level: int, raw: str, number: int) -> None:
    if len(result.headings) < MAX_HEADINGS:
        result.headings.append(Heading(level, heading_text(raw), number))
    elif not result.limits:  # during the scan, only this limit is recorded
        result.limits.append(("limit-headings", number, f"the report has more than "
                              f"{MAX_HEADINGS:,} headings; the ones from here on are not read"))


def _read_table(lines: list[str], start: int, first_line: int, header: list[str],
                result: Scan, max_rows: int | None, comment_ends: list[int],
                absorbs_headings: bool, fences: dict[int, int] | None = None) -> int:
    table = Table(line=first_line + start, header=Row(first_line + start, header, lines[start]))
    result.text_lines.append((first_line + start, lines[start]))
    index = start + 2
    # A table runs to a blank line, or to a closed comment (raw HTML Markdown sets apart).
    # A fenced block inside it is one line to the table (superfences takes it out first,
    # blank lines and all), so the table goes on after it.
    # A `#` line is a row only when the table opened its block: otherwise Markdown
    # split the heading off before it saw the table.
    fences = fences or {}
    while index < len(lines) and (index in fences or lines[index].strip()) and not (
            lines[index].startswith("<!--")
            and bisect_right(comment_ends, index - 1) < len(comment_ends)) and (
            absorbs_headings or not _ATX_RE.match(lines[index])):
        if index in fences:
            index = fences[index] + 1
            continue
        if max_rows is None or len(table.rows) <= max_rows:
            table.rows.append(Row(first_line + index, split_row(lines[index]), lines[index]))
            result.text_lines.append((first_line + index, lines[index]))
        index += 1
    result.tables.append(table)
    return index


# Python-Markdown parses nested blocks and inline markup recursively, and unclosed
# brackets and tags in quadratic time: deeper text is refused before it gets there.
MAX_NESTING = 100
MAX_HEADINGS = 5000
_BLOCK_PREFIX_RE = re.compile(r"(?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*")
_EMPHASIS_RUN_RE = re.compile(r"[*_]+")
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                        "meta", "param", "source", "track", "wbr"})
_OPENS_AFTER = frozenset(" \t([{\"'")
_CLOSES_BEFORE = frozenset(" \t.,;:!?)]}\"'")


def nesting_limits(text_lines: list[tuple[int, str]]) -> list[tuple[str, int, str]]:
    """The first place text nests deeper than MAX_NESTING, found in one linear pass.

    Counted per block (consecutive lines): list and blockquote levels (markers plus
    indentation in steps of four), emphasis markers left open, unclosed `[` and
    open inline HTML tags; code spans are skipped.
    """
    emphasis = brackets = tags = 0
    previous = -1
    for number, line in text_lines:
        if number != previous + 1:
            emphasis = brackets = tags = 0
        previous = number
        if line[:1] in _PREFIX_START:
            found = _block_depth(line)
            if found > MAX_NESTING:
                return [("limit-nesting", number, f"lists or quotes are nested {found} levels "
                         f"deep here; at most {MAX_NESTING} are allowed")]
        if not _INLINE_MARK_RE.search(line):
            continue
        text = _without_code(line)
        emphasis, brackets, tags = (_emphasis(text, emphasis), _brackets(text, brackets),
                                    _tags(text, tags))
        if max(emphasis, brackets, tags) > MAX_NESTING:
            what = ("emphasis markers (* or _)" if emphasis > MAX_NESTING else
                    "'[' brackets" if brackets > MAX_NESTING else "inline HTML tags")
            return [("limit-nesting", number, f"more than {MAX_NESTING} {what} are left open "
                     f"here; at most {MAX_NESTING} levels of nesting are allowed")]
    return []


_PREFIX_START = frozenset(" \t>-*+0123456789")
_INLINE_MARK_RE = re.compile(r"[\[<*_]")


def _block_depth(line: str) -> int:
    if not line.strip(" \t-*_"):
        return 0  # a horizontal rule such as `* * *`, however long
    prefix = _BLOCK_PREFIX_RE.match(line).group(0)  # type: ignore[union-attr]
    markers = sum(prefix.count(mark) for mark in ">-*+.)")
    return markers + (len(prefix.expandtabs(4)) - len(prefix.replace(" ", "").replace("\t", ""))
                      ) // 4


def _without_code(line: str) -> str:
    """The line with the content of its code spans removed (their markup is not parsed)."""
    if "`" not in line:
        return line
    parts: list[str] = []
    index = 0
    start = 0
    unclosed = len(line) + 1
    while True:
        opening = line.find("`", index)
        if opening < 0:
            break
        run = _BACKTICKS_RE.match(line, opening).end() - opening  # type: ignore[union-attr]
        close = line.find("`" * run, opening + run) if run < unclosed else -1
        if close < 0:
            unclosed = min(unclosed, run)
            index = opening + run
            continue
        parts.append(line[start:opening])
        index = start = close + run
    parts.append(line[start:])
    return " ".join(parts)


def _emphasis(text: str, depth: int) -> int:
    if depth + text.count("*") + text.count("_") <= MAX_NESTING:
        return depth
    for run in _EMPHASIS_RUN_RE.finditer(text):
        start, end = run.span()
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before in _OPENS_AFTER and after not in " \t":
            depth += end - start
        elif after in _CLOSES_BEFORE and before not in " \t":
            depth = max(0, depth - (end - start))
        if depth > MAX_NESTING:
            break
    return depth


def _brackets(text: str, depth: int) -> int:
    if depth + text.count("[") <= MAX_NESTING:
        return depth
    for char in _NOT_BRACKETS_RE.sub("", text.replace("\\[", "").replace("\\]", "")):
        depth = depth + 1 if char == "[" else max(0, depth - 1)
        if depth > MAX_NESTING:
            break
    return depth


_NOT_BRACKETS_RE = re.compile(r"[^\[\]]+")


def _tags(text: str, depth: int) -> int:
    if depth + text.count("<") <= MAX_NESTING:
        return depth
    for tag in _TAG_RE.finditer(text):
        if tag.group(2).casefold() in _VOID_TAGS:
            continue
        depth = max(0, depth - 1) if tag.group(1) else depth + 1
        if depth > MAX_NESTING:
            break
    return depth


def safe_markdown(report: Report, markdown: str) -> str:
    """The Markdown of a report page to hand the renderer.

    A report refused for nesting too deep (`limit-nesting`) would crash or stall
    Python-Markdown: under `serve`, where its page is still shown, its text is
    shown as an indented code block (core Markdown, so no extension parses any
    of it) below a note. Every other report is returned as written.
    """
    if not any(d.rule == "limit-nesting" for d in report.diagnostics):
        return markdown
    plain = "\n".join("    " + line for line in markdown.split("\n"))
    return ("This report's Markdown nests too deeply to be rendered (see its errors); "
            "it is shown as plain text until it is fixed.\n\n" + plain + "\n")
