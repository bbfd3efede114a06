"""Report text values rendered by the site's own template engine (mkdocs-macros).

With the `macros` plugin, a report's title may say `BERT on SST-2 by the {{ team }}`:
macros renders the page's Markdown, but our cards, listings, feeds and titles are
built from the values we read. Values holding template markup are rendered, before
anything is built from them, by a function the adapter supplies (macros' own
environment and variables). Reports are copied, never changed: the cache keeps
what the files say, so a change of the site's variables renders them anew.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from .model import Report

# Render one text value of a report (the report is given for its path and context).
RenderText = Callable[[Report, str], str]

TEXT_FIELDS = ("title", "summary")
LIST_FIELDS = ("authors", "tags", "datasets")
MARKERS = ("{{", "{%")


def expand_reports(reports: Sequence[Report], render: RenderText,
                   markers: Sequence[str] = MARKERS) -> tuple[list[Report], list[str]]:
    """The reports with their template markup rendered, and a message per failure.

    A value that cannot be rendered is kept as written, and named in a message.
    """
    expanded: list[Report] = []
    problems: list[str] = []

    def value(report: Report, name: str, text: str) -> str:
        if not any(marker in text for marker in markers):
            return text
        try:
            return " ".join(render(report, text).split())
        except Exception as exc:  # any failure of the site's templates is this value's alone
            problems.append(f"{report.path}: the {name} '{text}' could not be rendered by "
                            f"macros ({type(exc).__name__}: {exc}); it is shown as written "
                            "[macro-failed]")
            return text

    for report in reports:
        changes: dict[str, object] = {}
        for name in TEXT_FIELDS:
            text: str = getattr(report, name)
            rendered = value(report, name, text)
            if rendered != text:
                changes[name] = rendered
        for name in LIST_FIELDS:
            items: list[str] = getattr(report, name)
            new = [value(report, name.rstrip("s"), item) for item in items]
            if new != items:
                changes[name] = new
        expanded.append(replace(report, **changes) if changes else report)  # type: ignore[arg-type]
    return expanded, problems
