"""Keeping a report's text whole under Python-Markdown's `attr_list` extension.

Almost every Material site enables `attr_list`, which reads a `{...}` at the
end of a table cell or heading as HTML attributes: a hyperparameter cell
`grid {5e-5, 4e-5, 3e-5}` renders as `<td 3e-5 4e-5_ 5e-5_>grid</td>` and its
values vanish from the page while `reports.json` keeps them. Braces that do
not hold a real attribute list (`#id`, `.class`, `key=value`) are escaped, so
they render as written; real attribute lists are left to the extension.
"""

from __future__ import annotations

import re

_ATTRIBUTE = r"""(?:#[\w-]+|\.[\w-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s"'{}]+))"""
_ATTRIBUTE_LIST_RE = re.compile(rf"\s*:?\s*(?:{_ATTRIBUTE}\s+)*{_ATTRIBUTE}\s*")
_TICKS_RE = re.compile(r"`+")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TRAILING_GROUP_RE = re.compile(r"\{([^{}\n]*)\}(\s*)$")


def is_attribute_list(inner: str) -> bool:
    """Whether `{inner}` is what `attr_list` means by an attribute list."""
    return _ATTRIBUTE_LIST_RE.fullmatch(inner) is not None


def _escape_trailing(text: str) -> str:
    """`text` with a trailing `{...}` that is no attribute list escaped (`\\{...\\}`)."""
    match = _TRAILING_GROUP_RE.search(text)
    if (match is None or is_attribute_list(match.group(1)) or "$" in text
            or text[:match.start()].endswith(("{", "\\")) or match.group(1).startswith(("{", "%"))):
        return text
    return (text[:match.start()] + "\\{" + match.group(1) + "\\}" + match.group(2))


def _cells(line: str) -> list[str]:
    """A table row split at its unescaped pipes outside code spans (pipes kept)."""
    parts: list[str] = []
    start = 0
    index = 0
    ticks = 0
    while index < len(line):
        char = line[index]
        if char == "`":
            ticks_at = _TICKS_RE.match(line, index)
            assert ticks_at is not None
            run = ticks_at.end() - index
            ticks = 0 if ticks == run else (ticks or run)
            index += run
            continue
        if char == "\\":
            index += 2
            continue
        if char == "|" and not ticks:
            parts.append(line[start:index])
            parts.append("|")
            start = index + 1
        index += 1
    parts.append(line[start:])
    return parts


def keep_braces(markdown: str) -> str:
    """The Markdown with every non-attribute `{...}` ending a table cell or heading escaped."""
    if "{" not in markdown:
        return markdown
    lines = markdown.split("\n")
    fence = ""
    for number, line in enumerate(lines):
        opened = _FENCE_RE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        if "{" not in line or "}" not in line:
            continue
        stripped = line.lstrip()
        if stripped.startswith("#"):
            lines[number] = _escape_trailing(line)
        elif "|" in line:
            lines[number] = "".join(_escape_trailing(part) if part != "|" else part
                                    for part in _cells(line))
    return "\n".join(lines)
