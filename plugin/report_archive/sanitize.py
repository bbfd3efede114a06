"""Keeping script out of report pages.

Markdown passes raw HTML through, so a report can carry `<script>`, an
`onerror=` handler or a `javascript:` link into the site. Reports come from
many people, so the HTML Python-Markdown renders for a report is rebuilt
here with those removed: elements that run or load code are dropped with
their content, event-handler attributes are dropped, and URLs are kept only
when they are relative or use a harmless scheme. Everything else (tables,
`<details>`, images, inline styles) stays as rendered.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

# Elements dropped with everything inside them.
_DROP = frozenset({"script", "style", "iframe", "frame", "frameset", "object", "embed",
                   "applet", "noembed", "noframes", "animate", "set", "animatemotion",
                   "animatetransform", "handler", "listener"})
# Elements dropped, their content kept (they change the page, not the text).
_UNWRAP = frozenset({"base", "meta", "link", "form"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data",
                             "poster", "background", "cite", "longdesc", "ping", "srcset",
                             "codebase", "dynsrc", "lowsrc"})
_SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:", "ftp:", "#", "/", "./", "../")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_NAME_RE = re.compile(r"^[a-z][a-z0-9:._-]*$")
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "track",
                   "wbr", "param"})


def _safe_url(value: str) -> bool:
    # Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
    compact = re.sub(r"[\x00-\x20]+", "", value).lower()
    if compact.startswith("data:image/") and not compact.startswith("data:image/svg"):
        return True
    return compact.startswith(_SAFE_SCHEMES) or not _SCHEME_RE.match(compact)


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.dropping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if self.dropping:
            if tag == self.dropping[-1] and not closed and tag not in _VOID:
                self.dropping.append(tag)
            return
        if tag in _DROP:
            if not closed and tag not in _VOID:
                self.dropping.append(tag)
            return
        if tag in _UNWRAP:
            return
        if not _NAME_RE.match(tag):
            self.out.append(escape(self.get_starttag_text() or ""))
            return
        kept = []
        for name, value in attrs:
            if not _NAME_RE.match(name) or name.startswith("on") or name in ("srcdoc",):
                continue
            if value is not None and name in _URL_ATTRIBUTES:
                urls = ([part.strip().split(" ")[0] for part in value.split(",")]
                        if name == "srcset" else [value])
                if not all(_safe_url(url) for url in urls if url):
                    continue
            kept.append(name if value is None else f'{name}="{escape(value, quote=True)}"')
        inside = " ".join([tag, *kept])
        self.out.append(f"<{inside} />" if closed else f"<{inside}>")

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in _DROP or tag in _UNWRAP or not _NAME_RE.match(tag):
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(data.replace("<", "&lt;"))

    def handle_entityref(self, name: str) -> None:
        if not self.dropping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.dropping:
            self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        pass  # comments carry nothing a reader sees

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        if not self.dropping and data.upper().startswith("CDATA["):
            self.out.append(escape(data[6:]))


# What rendered HTML needs to carry script: an element that runs or loads code, an
# event handler, a scheme with "script" in it (browsers drop whitespace inside a
# scheme), a data: URL, or a character reference that could spell any of these.
_TAG_HINTS = tuple(f"<{tag}" for tag in (*_DROP, *_UNWRAP, "svg", "math"))
_REF_HINTS = ("&#", "&tab;", "&newline;", "&colon;")
_HANDLER_RE = re.compile(r"\son[a-z]+\s*=")
_SCHEME_HINT_RE = re.compile(r"s\s*c\s*r\s*i\s*p\s*t\s*:|d\s*a\s*t\s*a\s*:")


def may_carry_script(html: str) -> bool:
    """A quick test: HTML for which this is false has nothing for the sanitizer to remove."""
    low = html.lower()
    return (any(hint in low for hint in _TAG_HINTS) or any(ref in low for ref in _REF_HINTS)
            or bool(_HANDLER_RE.search(low)) or bool(_SCHEME_HINT_RE.search(low)))


_SOURCE_SCHEME_RE = re.compile(r"s\s*c\s*r\s*i\s*p\s*t\s*:|d\s*a\s*t\s*a\s*:", re.I)


def source_may_carry_script(markdown: str) -> bool:
    """The same test on Markdown source: script needs raw HTML (`<`), a character
    reference (`&`), or a link with a script or data scheme."""
    return "<" in markdown or "&" in markdown or bool(_SOURCE_SCHEME_RE.search(markdown))


def sanitize_html(html: str) -> str:
    """The same HTML without anything that runs script or loads another page into it."""
    parser = _Sanitizer()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)
