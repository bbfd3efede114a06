"""Slugs for URLs: lowercase ASCII words, never a path, unique among names that slug alike."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

_SYMBOL_WORDS = {"+": " plus ", "#": " sharp ", "&": " and ", "@": " at "}


_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                     *(f"lpt{i}" for i in range(10))}


MAX_SLUG = 64


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by `-`; never empty, never a path, at most 64 chars."""
    spelled = "".join(_SYMBOL_WORDS.get(char, char) for char in text)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    if not slug:
        return f"tag-{digest}"
    if len(slug) > MAX_SLUG:
        slug = f"{slug[:MAX_SLUG - 9].rstrip('-')}-{digest}"
    if slug in _WINDOWS_RESERVED:
        slug = f"{slug}-tag"
    return slug


def assign_slugs(names: Iterable[str]) -> dict[str, str]:
    """Give each distinct name its own slug, even when two names slug alike.

    The name spelled exactly as its slug (or else the first in sorted order)
    keeps the plain slug; the others get a suffix from a hash of their exact
    text, so their URLs do not depend on the order reports are read.
    """
    groups: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        groups.setdefault(slugify(name), []).append(name)
    slugs: dict[str, str] = {}
    taken = set(groups)
    for slug, members in groups.items():
        members.sort(key=lambda n: (n != slug, n))
        slugs[members[0]] = slug
        for name in members[1:]:
            candidate = f"{slug[:MAX_SLUG - 9]}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"
            while candidate in taken:
                candidate += "x"
            taken.add(candidate)
            slugs[name] = candidate
    return slugs
