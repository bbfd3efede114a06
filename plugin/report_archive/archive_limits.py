"""Bounds on the whole archive, beyond what each report may hold on its own.

Every report can stay within its own limits and the archive still grow past
what a build can afford: each distinct tag is a page of the site. The bound is
a fixed constant rather than an option: it protects the build, it is not a
matter of taste, and 5,000 is a hundred times what a large archive uses.
"""

from __future__ import annotations

from collections.abc import Callable

from .diagnostics import Collector, Diagnostic
from .model import Report

MAX_ARCHIVE_TAGS = 5000


def check_archive_tags(reports: list[Report], tag_name: Callable[[str], str]
                       ) -> dict[int, list[Diagnostic]]:
    """An error on each report that adds a distinct tag past MAX_ARCHIVE_TAGS.

    Tags are counted with their parents (`vision/detection` is two pages), in the
    order of the reports' dates, then paths, so older reports keep their tags.
    """
    seen: set[str] = set()
    found: dict[int, list[Diagnostic]] = {}
    for report in sorted(reports, key=lambda r: (r.date or "", r.path)):
        added: list[str] = []
        for raw in report.tags:
            parts = tag_name(raw).split("/")
            for depth in range(1, len(parts) + 1):
                full = "/".join(parts[:depth])
                if full not in seen:
                    seen.add(full)
                    if len(seen) > MAX_ARCHIVE_TAGS:
                        added.append(full)
        if added:
            out = Collector(report.path)
            shown = ", ".join(f"'{tag[:40]}'" for tag in added[:3])
            more = f" and {len(added) - 3:,} more" if len(added) > 3 else ""
            out.add("limit-archive-tags", f"the archive already has {MAX_ARCHIVE_TAGS:,} "
                    f"distinct tags; this report adds {shown}{more} past that limit")
            found[id(report)] = out.items
    return found
