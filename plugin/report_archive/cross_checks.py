"""Checks that need the whole archive: links between files, one tag spelled two ways.

Each returns diagnostics by report (`id(report)`), kept apart from the report's
own (see `Archive.cross`).
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from .diagnostics import Collector, Diagnostic
from .model import Report
from .tags import tag_name

Found = dict[int, list[Diagnostic]]


def link_target(report_path: str, target: str) -> str:
    """The file a relative link of a report points to, in the report's own path space."""
    path = unquote(urlsplit(target).path)
    folder = posixpath.dirname(report_path.replace("\\", "/"))
    return posixpath.normpath(posixpath.join(folder, path))


def check_links(reports: list[Report], exists: Callable[[str], bool]) -> Found:
    """`link-broken` for each link to a file that is not in the site, at its line.

    The same links MkDocs validates in the build (relative, to a file with an
    extension), so `check` reports what the build would warn about.
    """
    found: Found = defaultdict(list)
    for report in reports:
        out = Collector(report.path)
        for line, column, target in report.links:
            resolved = link_target(report.path, target)
            if resolved.startswith("../") or not exists(resolved):
                out.add("link-broken", f"link '{target}' points to '{resolved}', which is not "
                        "a file of the site", line, column)
        if out.items:
            found[id(report)].extend(out.items)
    return found


@lru_cache(maxsize=4096)  # an archive writes a few hundred tags thousands of times
def _tag_form(tag: str) -> str:
    """Spellings of one tag fold together: case, spaces, `-` and `_` ignored."""
    return "/".join(re.sub(r"[\s_-]+", "-", s).strip("-").casefold()
                    for s in tag_name(tag).split("/"))


def check_tag_spellings(reports: list[Report]) -> Found:
    """`tag-spelling` where a report writes a tag otherwise than most reports of the archive."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for report in reports:
        for tag in dict.fromkeys(tag_name(t) for t in report.tags):
            spellings[_tag_form(tag)][tag] += 1
    found: Found = defaultdict(list)
    for report in reports:
        out = Collector(report.path)
        for index, raw in enumerate(report.tags):
            tag = tag_name(raw)
            counts = spellings[_tag_form(tag)]
            if len(counts) < 2:
                continue
            usual, _ = max(counts.items(), key=lambda i: (i[1], i[0] != tag, i[0]))
            if usual == tag:
                continue
            others = ", ".join(f"'{t}' ({n} report{'s' if n > 1 else ''})"
                               for t, n in counts.most_common() if t != tag)
            line = report.key_lines.get(f"tags/{index}") or report.key_lines.get("tags")
            out.add("tag-spelling", f"tag '{tag}' is written {others} elsewhere in the "
                    f"archive; write '{usual}' so that the reports share one tag page",
                    line, 1 if line else None)
        if out.items:
            found[id(report)].extend(out.items)
    return found
