"""Tags and their hierarchy: `vision/detection` is a child of `vision`; each tag has its page."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Report, newest_first
from .slugs import assign_slugs


@dataclass
class Tag:
    """A tag and its page; `vision/detection` is a child of `vision`."""

    name: str  # the full tag, segments joined by "/"
    label: str  # its last segment
    slug: str  # path below tags/: "vision/detection"
    parent: str | None
    children: list[str] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)  # tagged with exactly this tag
    all_reports: list[Report] = field(default_factory=list)  # this tag and its descendants


def tag_name(tag: str) -> str:
    """The canonical form of a tag: `/`-separated segments, blank segments dropped."""
    segments = [" ".join(s.split()) for s in tag.split("/")]
    segments = [s for s in segments if s]
    return "/".join(segments) if segments else " ".join(tag.split())


def build_tags(reports: list[Report]) -> dict[str, Tag]:
    """Every tag with its ancestors, slugs unique among siblings, reports newest first."""
    tags: dict[str, Tag] = {}
    for report in reports:
        for name in dict.fromkeys(tag_name(raw) for raw in report.tags):
            parts = name.split("/") if "/" in name else [name]
            for depth in range(1, len(parts) + 1):
                full = "/".join(parts[:depth])
                if full not in tags:
                    parent = "/".join(parts[:depth - 1]) or None
                    tags[full] = Tag(full, parts[depth - 1], "", parent)
                    if parent is not None:
                        tags[parent].children.append(full)
            tags[name].reports.append(report)
    siblings: dict[str | None, list[str]] = {}
    for tag in tags.values():
        siblings.setdefault(tag.parent, []).append(tag.name)
    for names in siblings.values():
        slugs = assign_slugs(tags[n].label for n in names)
        for name in names:
            tags[name].slug = slugs[tags[name].label]
    for name in sorted(tags, key=lambda n: n.count("/")):
        tag = tags[name]
        if tag.parent is not None:
            tag.slug = f"{tags[tag.parent].slug}/{tag.slug}"
    for tag in tags.values():
        tag.children.sort(key=str.casefold)
        found: dict[int, Report] = {}
        stack = [tag.name]
        while stack:
            current = tags[stack.pop()]
            found.update((id(r), r) for r in current.reports)
            stack.extend(current.children)
        tag.all_reports = newest_first(found.values())
        tag.reports = newest_first(tag.reports)
    return dict(sorted(tags.items(), key=lambda item: item[0].casefold()))
