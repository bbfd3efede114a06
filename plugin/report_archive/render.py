"""Rendering with Jinja: the report header card (HTML) and generated pages (Markdown).

Templates are looked up in the theme's folders first, so a file of the same
name under `overrides/report-archive/` replaces ours. Autoescape is on for every
template; values placed into generated Markdown also go through `md`, which
turns Markdown's punctuation into character references so a title like
`*[x](javascript:...)*` stays text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .diagnostics import Diagnostic
from .i18n import Translator
from .values import format_metric

TEMPLATE_DIR = str(resources.files("report_archive") / "templates")
_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~^=:&\"'$%@")


def md(value: object) -> Markup:
    """Text for generated Markdown: every punctuation mark as a character reference.

    Markup (a translated message) is taken as the text it shows.
    """
    text = " ".join((value.striptags() if isinstance(value, Markup) else str(value)).split())
    return Markup("".join(f"&#{ord(c)};" if c in _MD_SPECIAL else c for c in text))


# The rules page of the project's own documentation, for sites without `guide/rules.md`.
RULES_URL = ("https://github.com/report-archive/mkdocs-report-archive/blob/main/reports/"
             "guide/rules.md")
RULES_PAGE = "guide/rules.md"


class Renderer:
    """Our templates, with the interface strings of one language (`t`, `tn` in templates)."""

    def __init__(self, theme_dirs: Sequence[str] = (),
                 translator: Translator | None = None) -> None:
        self.i18n = translator or Translator()
        self.env = Environment(
            loader=FileSystemLoader([*theme_dirs, TEMPLATE_DIR]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self.env.filters.update(md=md, metric=format_metric)
        self.env.globals.update(t=self.i18n.markup, tn=self.i18n.markup_n)

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)

    def card(self, context: Mapping[str, object], href: Callable[[str], str]) -> str:
        return self.render("report-archive/report-card.html", href=href, **context)

    def problems(self, diagnostics: Sequence[Diagnostic], rules_page: str = RULES_URL) -> str:
        """The problem box of a report page: red with an error, a warning box otherwise.

        Each rule id links to its entry on the rules page (`rules_page`, a URL
        relative to the report's page when the site has the page).
        """
        errors = any(d.severity == "error" for d in diagnostics)
        return self.render("report-archive/problems.html", diagnostics=diagnostics,
                           kind="failure" if errors else "warning", rules_page=rules_page)

