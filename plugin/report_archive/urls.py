"""Where the plugin's files live in the site: source paths MkDocs turns into URLs.

Every link between pages is a relative URL computed from MkDocs' own URL of
each source file (given by the adapter as `Links`), so it works in both URL
modes and under a `site_url` sub-path.
"""

from __future__ import annotations

from typing import Protocol

from .tags import Tag

TAG_INDEX = "tags/index.md"


COMPARE_INDEX = "compare/index.md"


BROWSE = "browse/index.md"


FEED = "feed.xml"


HOME = "index.md"


REPORTS_JSON = "reports.json"


ASSETS = "assets/report-archive"


STYLESHEET = f"{ASSETS}/report-archive.css"


SCRIPT = f"{ASSETS}/browse.js"


# Generated pages put this line before their HTML listing, which bypasses Markdown.
LISTING_MARKER = "<!-- report-archive:listing -->"


class Links(Protocol):
    """URLs of source files, as the site will serve them (given by the adapter)."""

    site_url: str

    def rel(self, from_src: str, to_src: str) -> str:
        """The relative URL from the page of `from_src` to the page of `to_src`."""

    def url(self, src: str) -> str:
        """The site-relative URL of a source file (no leading slash)."""


def tag_page(tag: Tag) -> str:
    return f"tags/{tag.slug}/index.md"


def tag_feed(tag: Tag) -> str:
    return f"tags/{tag.slug}/feed.xml"


def compare_page(slug: str) -> str:
    return f"compare/{slug}/index.md"


def chart_file(slug: str, kind: str) -> str:
    return f"compare/{slug}/{kind}.svg"


def generated_path(path: str) -> bool:
    """Whether `path` (in docs_dir) is where the plugin may generate a file: a link from a
    report to it is not broken for lack of a file in the archive."""
    if path in (HOME, REPORTS_JSON, FEED, BROWSE, TAG_INDEX, COMPARE_INDEX,
                "reports.schema.json"):
        return True
    return path.startswith(("tags/", "compare/", f"{ASSETS}/")) and path.endswith(
        ("/index.md", ".xml", ".svg", ".css", ".js"))
