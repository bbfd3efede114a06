"""TeX formulas rendered to MathML at build time: no script, no CDN, shown natively.

`pymdownx.arithmatex` with `generic: true` leaves each formula as TeX in
`<span class="arithmatex">\\(...\\)</span>` (inline) or
`<div class="arithmatex">\\[...\\]</div>` (display). `render_math` replaces each
with a `<math>` element made by `latex2mathml`, keeping the TeX as its
annotation. A formula that cannot be converted stays as written (its TeX is
shown) and is named in a message; it never stops the build.

The output has only the elements and attributes of `MATHML_TAGS` and
`MATHML_ATTRIBUTES` (others that `latex2mathml` can emit, such as `href` from
`\\href` or `style` from `\\style`, are dropped), so a sanitizer that allows these
lets every formula through and nothing else.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

MATHML_TAGS = frozenset({
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror", "none",
})
MATHML_ATTRIBUTES = frozenset({
    "xmlns", "display", "encoding", "mathvariant", "mathcolor", "mathbackground", "mathsize",
    "stretchy", "fence", "separator", "accent", "accentunder", "movablelimits", "largeop",
    "symmetric", "form", "lspace", "rspace", "minsize", "maxsize", "width", "height", "depth",
    "voffset", "linethickness", "displaystyle", "scriptlevel", "columnalign", "columnspacing",
    "columnlines", "rowspacing", "rowlines", "rowalign", "frame", "notation", "linebreak",
})

_FORMULA_RE = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<open>\\\(|\\\[)(?P<tex>.*?)(?:\\\)|\\\])'
    r"</(?P=tag)>", re.S)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][\w:-]*)([^>]*?)(/?)>")
_ATTRIBUTE_RE = re.compile(r'\s([\w:-]+)="([^"]*)"')
# latex2mathml writes a command it does not know as an identifier or operator.
_UNKNOWN_RE = re.compile(r"<m[io][^>]*>\\[A-Za-z]+</m[io]>")
# Elements that need an exact number of children (`\frac{1}` gives a fraction of one).
_ARITY = {"mfrac": 2, "mroot": 2, "msub": 2, "msup": 2, "munder": 2, "mover": 2,
          "msubsup": 3, "munderover": 3}
_MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"


class MathError(ValueError):
    """A formula that cannot be written as MathML."""


def tex_to_mathml(tex: str, *, block: bool = False) -> str:
    """A `<math>` element for a TeX formula, the TeX kept as its annotation."""
    from latex2mathml.converter import convert

    if _unbalanced(tex):
        raise MathError("unbalanced braces")
    try:
        converted = convert(tex.strip(), display="block" if block else "inline")
    except Exception as exc:  # the converter's own errors name the problem
        raise MathError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
    unknown = _UNKNOWN_RE.search(converted)
    if unknown:
        raise MathError(f"unknown command {html.unescape(re.sub('<[^>]+>', '', unknown[0]))}")
    _check_structure(converted)
    body = _allowed(converted)
    start, end = body.index(">") + 1, body.rindex("</math>")
    return (f"{body[:start]}<semantics><mrow>{body[start:end]}</mrow>"
            f'<annotation encoding="application/x-tex">{html.escape(tex.strip())}</annotation>'
            "</semantics></math>")


def _check_structure(mathml: str) -> None:
    for element in ET.fromstring(mathml).iter():
        name = element.tag.removeprefix(_MATHML_NS)
        if name in _ARITY and len(element) != _ARITY[name]:
            raise MathError(f"<{name}> needs {_ARITY[name]} parts, the formula gives "
                            f"{len(element)}")


def _unbalanced(tex: str) -> bool:
    depth = 0
    escaped = False
    for char in tex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return True
    return depth != 0


def _allowed(markup: str) -> str:
    """`markup` with only MathML's allowed attributes; an unknown element is an error."""
    def tag(match: re.Match[str]) -> str:
        closing, name, attributes, self_closing = match.groups()
        if name not in MATHML_TAGS:
            raise MathError(f"unexpected element <{name}>")
        kept = "".join(f' {key}="{value}"' for key, value in _ATTRIBUTE_RE.findall(attributes)
                       if key in MATHML_ATTRIBUTES)
        return f"<{closing}{name}{kept}{self_closing}>"

    return _TAG_RE.sub(tag, markup)


def render_math(page: str) -> tuple[str, list[str]]:
    """`page` with every arithmatex formula as MathML, and a message per formula left as TeX."""
    if "arithmatex" not in page:
        return page, []
    failures: list[str] = []

    def formula(match: re.Match[str]) -> str:
        tex = html.unescape(match["tex"])
        try:
            return tex_to_mathml(tex, block=match["open"] == "\\[")
        except MathError as exc:
            short = " ".join(tex.split())
            short = short if len(short) <= 80 else short[:79] + "…"
            failures.append(f"formula '{short}' could not be rendered as MathML and is shown "
                            f"as TeX: {exc} [math-failed]")
            return match[0]

    return _FORMULA_RE.sub(formula, page), failures
