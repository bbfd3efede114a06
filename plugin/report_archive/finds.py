"""Searches in whole pages, found where their literal start is.

A finished page is some 70 KB, and every page goes through a few edits after the
theme renders it. A regular expression scans it character by character;
`str.find` looks for a literal many times faster. These helpers give the same
results as the regular expression (or `str.replace`) alone, only sooner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# Candidates that turn out not to be a match before `without` gives the work to
# `str.replace` (whose time is linear whatever the text).
_FALSE_STARTS = 16


def matches(pattern: re.Pattern[str], literal: str, text: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, for a pattern whose every match starts with `literal`
    (and is never empty)."""
    at = text.find(literal)
    while at >= 0:
        match = pattern.match(text, at)
        if match is not None:
            yield match
            at = text.find(literal, match.end())
        else:
            at = text.find(literal, at + 1)


# A change to a text: the span (start, end) replaced by the string.
Edit = tuple[int, int, str]


def edits(pattern: re.Pattern[str], literal: str, replace: str | Callable[[re.Match[str]], str],
          text: str, count: int = 0) -> list[Edit]:
    """The changes `pattern.sub(replace, text, count)` makes, for a pattern as `matches`
    takes."""
    found: list[Edit] = []
    for match in matches(pattern, literal, text):
        found.append((*match.span(),
                      match.expand(replace) if isinstance(replace, str) else replace(match)))
        if count and len(found) >= count:
            break
    return found


def apply(text: str, changes: list[Edit]) -> str | None:
    """`text` with every change made, in one copy (None: two changes overlap)."""
    if not changes:
        return text
    parts: list[str] = []
    last = 0
    for start, end, new in sorted(changes, key=lambda change: change[:2]):
        if start < last:
            return None
        parts += text[last:start], new
        last = end
    parts.append(text[last:])
    return "".join(parts)


def sub(pattern: re.Pattern[str], literal: str, replace: str | Callable[[re.Match[str]], str],
        text: str, count: int = 0) -> str:
    """`pattern.sub(replace, text, count)` for a pattern as `matches` takes."""
    done = apply(text, edits(pattern, literal, replace, text, count))
    assert done is not None  # (the matches of one pattern never overlap)
    return done


def without(text: str, part: str) -> str:
    """`text.replace(part, "")`: every occurrence of a long `part` taken out."""
    if len(part) < 256:
        return text.replace(part, "")
    head = part[:64]
    pieces: list[str] = []
    last, false_starts = 0, 0
    at = text.find(head)
    while at >= 0:
        if text.startswith(part, at):
            pieces.append(text[last:at])
            last = at + len(part)
            at = text.find(head, last)
            continue
        false_starts += 1
        if false_starts > _FALSE_STARTS:  # a text made of repeats: leave it to replace
            return "".join(pieces) + text[last:].replace(part, "")
        at = text.find(head, at + 1)
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)
