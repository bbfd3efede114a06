"""Fixes to the theme's markup that every page needs, applied to the finished HTML.

Material's search dialog has no accessible name, and task-list checkboxes
(pymdownx.tasklist) have no label of their own. Fixing them in the HTML, rather
than with a script, also covers pages opened without JavaScript and pages
swapped in by `navigation.instant`.
"""

from __future__ import annotations

import re

from .finds import Edit, edits, sub

_SEARCH_DIALOG_RE = re.compile(r'<div class="md-search"(?![^>]*aria-label)([^>]*role="dialog")')
_TASK_BOX_RE = re.compile(r'<input type="checkbox"(?![^>]*aria-label)([^>]*)>')


def _label_box(match: re.Match[str]) -> str:
    rest = match.group(1)
    label = "Done" if re.search(r"\bchecked\b", rest) else "To do"
    return f'<input type="checkbox" aria-label="{label}"{rest}>'


def accessible(html: str) -> str:
    """The page with a name for the search dialog and a label for each task checkbox."""
    html = sub(_SEARCH_DIALOG_RE, '<div class="md-search"',
               r'<div class="md-search" aria-label="Search"\1', html, count=1)
    return sub(_TASK_BOX_RE, '<input type="checkbox"', _label_box, html)


def accessible_edits(html: str) -> list[Edit]:
    """The changes `accessible` makes (they never overlap: one is in a `<div>` tag,
    the others each in an `<input>` tag)."""
    return (edits(_SEARCH_DIALOG_RE, '<div class="md-search"',
                  r'<div class="md-search" aria-label="Search"\1', html, count=1)
            + edits(_TASK_BOX_RE, '<input type="checkbox"', _label_box, html))
