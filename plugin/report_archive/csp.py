"""A Content-Security-Policy for every page: a sanitizer miss is still not an execution.

The policy goes into the page as `<meta http-equiv="Content-Security-Policy">`
(GitHub Pages cannot send headers). Script runs only from the site's own files
and from the inline `<script>` elements of the finished page, each allowed by
its SHA-256: every page's content has passed the sanitizer by then, so the
inline scripts left are the theme's own (Material's `__md_scope`, palette and
tab scripts, the `overrides/` of the site). Inline event handlers, `javascript:`
URLs, plugins, `<base>` and forms to other sites are refused.

Scripts and stylesheets that the theme or `mkdocs.yml` load from another
origin (`extra_javascript`, Google Fonts) are in the finished page as
`<script src>` and `<link rel=stylesheet>`; content cannot add such elements,
so their origins are allowed as found.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from .finds import without

_SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_SRC_RE = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_TYPE_RE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_LINK_RE = re.compile(r"<link\b[^>]*>", re.I)
_HREF_RE = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_HEAD_RE = re.compile(r"<head\b[^>]*>", re.I)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
_FONT_CSS = {"https://fonts.googleapis.com": "https://fonts.gstatic.com"}


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _origin(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    if not parts.scheme and url.strip().startswith("//") and parts.netloc:
        return f"https://{parts.netloc}"
    return None


def _attr(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return next((g for g in match.groups() if g is not None), "") if match else None


def policy(page: str, *, inline_scripts: bool = False) -> str:
    """The policy for a finished page, given without its content (the Markdown's HTML).

    `inline_scripts` allows every inline script instead of the page's own by
    hash: `mkdocs serve` adds a live-reload script, different on every request,
    after the page is finished.
    """
    hashes: list[str] = []
    script_origins: set[str] = set()
    for match in _SCRIPT_RE.finditer(page):
        attributes, body = match.group(1), match.group(2)
        src = _attr(_SRC_RE, attributes)
        if src is not None:
            origin = _origin(src)
            if origin:
                script_origins.add(origin)
        elif (_attr(_TYPE_RE, attributes) or "").lower() in _JS_TYPES:
            hashes.append(_hash(body))
    style_origins: set[str] = set()
    for link in _LINK_RE.findall(page):
        if "stylesheet" in link.lower():
            origin = _origin(_attr(_HREF_RE, link) or "")
            if origin:
                style_origins.add(origin)
    fonts = {_FONT_CSS[o] for o in style_origins if o in _FONT_CSS}
    scripts = ["'unsafe-inline'"] if inline_scripts else list(dict.fromkeys(hashes))
    directives = [
        "default-src 'self'",
        " ".join(["script-src 'self'", *scripts, *sorted(script_origins)]),
        " ".join(["style-src 'self' 'unsafe-inline'", *sorted(style_origins)]),
        "img-src 'self' data: https: http:",
        " ".join(["font-src 'self' data:", *sorted(fonts)]),
        "object-src 'none'",
        "frame-src 'self'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


def add_policy(page: str, content: str = "", *, inline_scripts: bool = False) -> str:
    """The page with its policy as the first element of `<head>`.

    `content` is the page's own HTML, rendered from its Markdown: nothing in it
    is allowed to run, even when the sanitizer is switched off.
    """
    head = _HEAD_RE.search(page)
    if head is None:
        return page
    theme_only = without(page, content) if content else page
    meta = (f'<meta http-equiv="Content-Security-Policy" '
            f'content="{policy(theme_only, inline_scripts=inline_scripts)}">')
    # (the first such tag is the one found: one copy of the page, where slices make three)
    return page.replace(head.group(0), head.group(0) + meta, 1)
