"""Atom feeds (RFC 4287) of the newest reports, for the site and for each tag.

Built with ElementTree, so every value from a report is escaped as XML. Links
are absolute when `site_url` is set; otherwise they are relative to the feed's
own location, which Atom allows.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

from .model import Report

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """Text that XML 1.0 can carry (control characters dropped)."""
    return _NOT_XML.sub("", text)


def _timestamp(day: str | None) -> str:
    return f"{day or '1970-01-01'}T00:00:00Z"


def _entry_id(site_url: str, url: str, path: str) -> str:
    if site_url:
        return site_url.rstrip("/") + "/" + url
    return "urn:sha1:" + hashlib.sha1(path.encode("utf-8")).hexdigest()


def atom_feed(title: str, reports: Sequence[Report], *, feed_url: str, site_url: str,
              page_link: Callable[[Report], str], home_link: str, self_link: str,
              report_url: Callable[[Report], str]) -> str:
    """An Atom document of the newest reports (at most FEED_SIZE), newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    newest = list(reports)[:FEED_SIZE]
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _clean(title)
    ET.SubElement(feed, f"{{{ATOM}}}id").text = _entry_id(site_url, feed_url, feed_url)
    updated = max((r.updated or r.date or "" for r in newest), default="")
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _timestamp(updated or None)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_link,
                  type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=home_link, type="text/html")
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "Report Archive"
    for report in newest:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _clean(report.title or report.path)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=page_link(report),
                      type="text/html")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = _entry_id(site_url, report_url(report),
                                                              report.path)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _timestamp(report.date)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _timestamp(report.updated or report.date)
        for name in report.authors or ["Unknown"]:
            author = ET.SubElement(entry, f"{{{ATOM}}}author")
            ET.SubElement(author, f"{{{ATOM}}}name").text = _clean(name)
        if report.summary:
            ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = _clean(report.summary)
        for tag in report.tags:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=_clean(tag))
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
