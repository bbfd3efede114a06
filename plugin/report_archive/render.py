"""Rendering with Jinja: the report header card (HTML) and generated pages (Markdown).

Templates are looked up in the theme's folders first, so a file of the same
name under `overrides/report-archive/` replaces ours. Autoescape is on for every
template; values placed into generated Markdown also go through `md`, which
turns Markdown's punctuation into character references so a title like
`*[x](javascript:...)*` stays text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATE_DIR = str(resources.files("report_archive") / "templates")
_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~^=:&\"'$%@")


def md(value: object) -> Markup:
    """Text for generated Markdown: every punctuation mark as a character reference."""
    text = " ".join(str(value).split())
    return Markup("".join(f"&#{ord(c)};" if c in _MD_SPECIAL else c for c in text))


def fmt_metric(metric: dict[str, Any] | None) -> str:
    """A metric for display: fractions as written, percentages as percentages."""
    if not metric or metric.get("value") is None:
        return "—"
    value = float(metric["value"])
    spread = metric.get("spread")
    if metric.get("percent"):
        text = f"{value * 100:.4g}%"
        if spread is not None:
            text = f"{value * 100:.4g} ± {float(spread) * 100:.3g}%"
        return text
    text = f"{value:.4g}"
    if spread is not None:
        text += f" ± {float(spread):.3g}"
    return text


class Renderer:
    def __init__(self, theme_dirs: Sequence[str] = ()) -> None:
        self.env = Environment(
            loader=FileSystemLoader([*theme_dirs, TEMPLATE_DIR]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self.env.filters.update(md=md, metric=fmt_metric)

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)

    def card(self, context: dict[str, Any], href: Callable[[str], str]) -> str:
        return self.render("report-archive/report-card.html", href=href, **context)

    def problems(self, diagnostics: Sequence[Any]) -> str:
        return self.render("report-archive/problems.html", diagnostics=diagnostics)

