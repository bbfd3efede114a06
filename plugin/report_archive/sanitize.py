"""Keeping script out of every page: an allowlist of what Markdown renders.

Markdown passes raw HTML through, so any page of the archive can carry
`<script>`, an `onerror=` handler or a `javascript:` link into the site.
Pages come from many people, so the HTML Python-Markdown renders for every
page is rebuilt by Ammonia (`nh3`) keeping only the elements and attributes
that Python-Markdown and the extensions Material sites enable emit: headings
with permalinks, tables, code highlighting, admonitions, details, task lists,
tabbed blocks, footnotes, math markup, emoji SVG, abbreviations, critic marks.
Everything else is dropped: unknown elements keep their text, elements that
run or hold code (`script`, `style`, `iframe`, ...) lose their content too.

Front matter values that Material's templates print without escaping are
made safe here as well (`safe_meta`), with the same tests that the core's
front matter check reports (`front_matter.check_page_values`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import nh3

from .mathml import MATHML_ATTRIBUTES, MATHML_TAGS

_HEADINGS = {f"h{level}" for level in range(1, 7)}
_TEXT = {"p", "br", "hr", "a", "em", "strong", "b", "i", "u", "s", "small", "code", "kbd",
         "samp", "var", "mark", "ins", "del", "sub", "sup", "abbr", "q", "cite", "dfn", "time",
         "span", "wbr", "bdi", "bdo", "ruby", "rt", "rp"}
_BLOCKS = {"div", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "details", "summary",
           "figure", "figcaption", "nav", "label", "input"}
_TABLES = {"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"}
# Emoji and icons as inline SVG (pymdownx.emoji with Material's `to_svg`): shapes only; no
# <use>, <image>, <foreignObject>, <animate> or <set>, which load or change other content.
_SVG = {"svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon",
        "defs", "linearGradient", "radialGradient", "stop", "clipPath", "mask"}
# MathML, as `mathml.py` renders formulas at build time: exactly what it may emit.
_MATHML = set(MATHML_TAGS)
TAGS = frozenset({*_HEADINGS, *_TEXT, *_BLOCKS, *_TABLES, "img", *_SVG, *_MATHML})

# Dropped with everything inside them: their content is code, or not meant to be seen.
CLEAN_CONTENT = frozenset({"script", "style", "textarea", "title", "iframe", "noscript",
                           "noembed", "noframes", "xmp", "template", "object", "embed",
                           "applet", "select", "plaintext"})

_GENERIC = {"id", "class", "title", "lang", "dir", "role", "aria-hidden", "aria-label"}
_SVG_SHAPE = {"d", "fill", "fill-rule", "fill-opacity", "clip-rule", "stroke", "stroke-width",
              "stroke-linecap", "stroke-linejoin", "stroke-opacity", "opacity", "transform",
              "cx", "cy", "r", "rx", "ry", "x", "y", "x1", "y1", "x2", "y2", "points", "width",
              "height", "offset", "stop-color", "stop-opacity", "gradientunits",
              "gradientTransform", "clip-path", "mask"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _GENERIC,
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading", "align"},
    "th": {"style", "align", "colspan", "rowspan", "scope"},
    "td": {"style", "align", "colspan", "rowspan"},
    "col": {"span"},
    "ol": {"start", "type"},
    "li": {"value"},
    "details": {"open"},
    "label": {"for"},
    "input": {"checked", "disabled", "name"},
    "div": {"data-tabs"},
    "time": {"datetime"},
    "abbr": set(),
    "svg": {"xmlns", "viewBox", "width", "height", "fill", "preserveAspectRatio", "version"},
    **{tag: set(_SVG_SHAPE) for tag in _SVG - {"svg"}},
    **{tag: set(MATHML_ATTRIBUTES) for tag in MATHML_TAGS},
}
# Task lists and tabbed blocks are made of inputs; no other kind of input belongs in a page.
ATTRIBUTE_VALUES = {"input": {"type": {"checkbox", "radio"}}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "data"})
# Pictures may be inlined as raster images; every other data: URL is dropped.
_DATA_IMAGE_RE = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp)[;,]")
_CONTROL_RE = re.compile(r"[\x00-\x20]+")
# Material's own elements use ids starting with `__` (`__config`, `__search`, `__drawer`):
# content must not shadow them. These prefixes are the ones Markdown extensions emit.
_OWN_IDS = ("__tabbed_", "__codelineno-", "__span-", "__code_", "__fn")

# Elements whose content the parser reads as raw text up to their closing tag: opened
# and never closed, they would swallow the rest of the page.
_RAW_TEXT_RE = re.compile(r"<(script|style|textarea|title|iframe|noscript|noembed|noframes|xmp|"
                          r"template|plaintext|object|applet|select)(?=[ \t\n\r\f/>])", re.I)
_RAW_CLOSE_RE = re.compile(r"</(script|style|textarea|title|iframe|noscript|noembed|noframes|"
                           r"xmp|template|object|applet|select)(?=[ \t\n\r\f/>])")
_TAG_END = frozenset({" ", "\t", "\n", "\r", "\f", "/", ">"})


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if name in ("id", "name", "for") and value.startswith("__") and not value.startswith(
            _OWN_IDS):
        return None
    if name in ("href", "src"):
        compact = _CONTROL_RE.sub("", value).lower()
        if compact.startswith("data:") and not (tag == "img" and _DATA_IMAGE_RE.match(compact)):
            return None
    return value


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(TAGS), clean_content_tags=set(CLEAN_CONTENT), attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter, strip_comments=True, link_rel=None,
        tag_attribute_values=ATTRIBUTE_VALUES, url_schemes=set(URL_SCHEMES),
        filter_style_properties={"text-align"})


def close_unbalanced(text: str) -> str:
    """Escape each raw-text element or comment that is opened and never closed.

    A browser (and the sanitizer's HTML parser) reads everything after an
    unclosed `<script>`, `<textarea>` or `<!--` as its content; escaped, the
    opening tag shows as text and the rest of the page stays.
    """
    lowered = text.lower()
    last_close: dict[str, int] = {}
    for match in _RAW_CLOSE_RE.finditer(lowered):
        last_close[match.group(1)] = match.start()
    parts: list[str] = []
    done = 0
    for match in _RAW_TEXT_RE.finditer(text):
        if match.start() < done:
            continue
        name = match.group(1).lower()
        if name == "plaintext" or last_close.get(name, -1) < match.end():
            parts.append(text[done:match.start()] + "&lt;")
            done = match.start() + 1
            continue
        # The parser reads up to the nearest closing tag: skip what it holds.
        closing = lowered.find(f"</{name}", match.end())
        while lowered[closing + len(name) + 2:closing + len(name) + 3] not in _TAG_END:
            closing = lowered.find(f"</{name}", closing + 2)
        parts.append(text[done:closing])
        done = closing
    parts.append(text[done:])
    text = "".join(parts)
    start = text.find("<!--")
    while start >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            text = text[:start] + "&lt;" + text[start + 1:]
            break
        start = text.find("<!--", end + 3)
    return text


def sanitize_html(text: str, keep: str = "") -> str:
    """The same HTML keeping only what Markdown and its extensions produce.

    `keep` is a marker (an HTML comment) left in place between sanitized parts.
    """
    if keep and keep in text:
        return keep.join(sanitize_html(part) for part in text.split(keep))
    return str(_cleaner().clean(close_unbalanced(text)))


# --- Front matter values that reach the theme ------------------------------------------

# Keys read as names or switches, never printed: validated, not escaped.
STRUCTURAL_KEYS = frozenset({"template", "icon", "status", "hide", "search", "location"})
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:", "file:", "blob:",
                   "filesystem:")
_URL_KEYS = frozenset({"location", "url", "link", "href", "src", "image", "cover", "redirect",
                       "canonical", "logo", "favicon"})
_BARE_SCRIPT_RE = re.compile(r"^[\x00-\x20]*(?:java|vb|live)script[\x00-\x20]*:\S", re.I)
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_ICON_RE = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_.-]+)+$")
_TEMPLATE_RE = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*\.html$")
_LOCATION_RE = re.compile(r"^(?:https?://|/|\.{1,2}/|#|\?|[A-Za-z0-9_.~%-])[^\s\"'<>\\`]*$")


def is_script_url(value: str) -> bool:
    """True for text a browser would run or render as a page if used as a URL."""
    compact = _CONTROL_RE.sub("", html.unescape(value)).lower()
    return compact.startswith(_SCRIPT_SCHEMES)


def _is_url_key(key: str) -> bool:
    return key in _URL_KEYS or key.endswith(("_url", "_link", "_image", "_href"))


def _looks_like_script_url(value: str) -> bool:
    # In text that is not an address only a bare script address is flagged: a title
    # "JavaScript: a survey" is text, and is escaped wherever it is printed.
    return bool(_BARE_SCRIPT_RE.match(html.unescape(value)))


def safe_location(value: str) -> bool:
    """A redirect target Material may print into a `<meta>` and a script string."""
    return bool(_LOCATION_RE.match(value)) and (
        "://" not in value or value.startswith(("http://", "https://")))


def find_template(name: str, theme_dirs: Sequence[str | Path]) -> bool:
    """Whether `name` is a template file of one of the theme's folders."""
    if not _TEMPLATE_RE.match(name) or ".." in name.split("/"):
        return False
    return any((Path(folder) / name).is_file() for folder in theme_dirs)


def find_icon(name: str, theme_dirs: Sequence[str | Path]) -> bool:
    """Whether `name` is an icon (`.icons/<name>.svg`) of one of the theme's folders."""
    if not _ICON_RE.match(name) or ".." in name.split("/"):
        return False
    return any((Path(folder) / ".icons" / f"{name}.svg").is_file() for folder in theme_dirs)


def unsafe_meta(key: str, value: Any, theme_dirs: Sequence[str | Path],
                is_report: bool = False) -> str | None:
    """Why a front matter value cannot be handed to the theme, or None when it can."""
    if key == "template" and value is not None:
        if not isinstance(value, str) or not find_template(value, theme_dirs):
            return "template"
    elif key == "icon" and value is not None:
        if not isinstance(value, str) or not find_icon(value, theme_dirs):
            return "icon"
    elif key == "location" and value is not None:
        if not isinstance(value, str) or not safe_location(value):
            return "location"
    elif key == "status" and value is not None and not is_report and (
            not isinstance(value, str) or not _TOKEN_RE.match(value)):
        return "status"
    if any(unsafe_text(str(key), text) for text in _strings(value)):
        return "script"
    return None


_MAX_META_NODES = 10_000


def _too_big(value: Any) -> bool:
    """Whether a front matter value holds more than `_MAX_META_NODES` values, counted as
    they would be walked (shared references count every time)."""
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > _MAX_META_NODES:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escaped(v) for v in value]
    return value


def safe_meta(meta: Mapping[str, Any], theme_dirs: Sequence[str | Path]) -> dict[str, Any]:
    """Page metadata the theme may print as it likes: unusable values dropped, text escaped.

    Material prints `title`, `subtitle`, `description`, `author`, `status` and
    more without escaping, and includes `template` and `icon` as files: a value
    that would run script or name a missing file is left out (the front matter
    check reports it); every other text value is HTML-escaped.
    """
    kept: dict[str, Any] = {}
    for key, value in meta.items():
        # MkDocs reads front matter itself and expands YAML aliases: a value of
        # shared references (an "alias bomb") is left out before anything walks it.
        if _too_big(value) or unsafe_meta(str(key), value, theme_dirs) is not None:
            continue
        kept[key] = value if key in STRUCTURAL_KEYS else _escaped(value)
    if kept.get("template") == "redirect.html" and "location" not in kept:
        # Without a target Material's redirect page reloads itself forever.
        del kept["template"]
    return kept


def unsafe_text(key: str, text: str) -> bool:
    """Whether one text value of front matter key `key` is a script address."""
    return (is_script_url if _is_url_key(key) else _looks_like_script_url)(text)
