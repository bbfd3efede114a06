"""Formulas rendered to MathML at build time, and footnotes, without any script."""

from __future__ import annotations

import re

import pytest

from conftest import Build, build_site, copy_archive
from report_archive.mathml import MATHML_ATTRIBUTES, MATHML_TAGS, render_math, tex_to_mathml

FORMULAS = [
    r"\mathcal{L} = -\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(y_i \mid x_i)",
    r"\eta_t = \eta_{\max} \cdot \min\left(\frac{t}{t_w}, \frac{T - t}{T - t_w}\right)",
    r"\sqrt[3]{x} + \int_0^\infty e^{-x^2}\,dx \approx \hat{y} \leq \bar{z}",
    r"\begin{pmatrix} a & b \\ c & d \end{pmatrix} \mathbb{R}^{n \times m}",
    r"\begin{align} a &= b \\ c &= d \end{align}",
    r"\text{acc} = 93.5\% \quad \overbrace{x+y}^{n} \underset{k}{\max} \operatorname{softmax}",
    r"\color{red}{x} \boxed{y} \phantom{z} \displaystyle\frac{1}{2}",
]


def _span(tex: str) -> str:
    return f'<p>Loss <span class="arithmatex">\\({tex}\\)</span>.</p>'


@pytest.mark.parametrize("tex", FORMULAS)
def test_formulas_become_mathml_within_the_allowed_elements(tex: str) -> None:
    page, failures = render_math(_span(tex.replace("&", "&amp;").replace("<", "&lt;")))
    assert failures == []
    assert "arithmatex" not in page and page.count("<math ") == 1
    assert set(re.findall(r"</?([a-z]+)", page)) - {"p"} <= MATHML_TAGS
    attributes = set(re.findall(r'\s([\w:-]+)="', page))
    assert attributes <= MATHML_ATTRIBUTES, attributes - MATHML_ATTRIBUTES
    # The TeX is kept as the formula's annotation.
    assert '<annotation encoding="application/x-tex">' in page


def test_inline_and_display_formulas() -> None:
    page = ('<p><span class="arithmatex">\\(a &lt; b\\)</span></p>\n'
            '<div class="arithmatex">\\[\nx^2\n\\]</div>')
    converted, failures = render_math(page)
    assert failures == []
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in converted
    assert 'display="block"' in converted
    assert "<mo>&#x0003C;</mo>" in converted  # the escaped < is read as <
    assert "<annotation encoding=\"application/x-tex\">a &lt; b</annotation>" in converted


@pytest.mark.parametrize(("tex", "reason"), [
    (r"\frac{a", "unbalanced braces"),
    (r"x}", "unbalanced braces"),
    (r"\foo{x}", "unknown command \\foo"),
    (r"\frac{1}", "<mfrac> needs 2 parts, the formula gives 1"),
])
def test_a_malformed_formula_stays_as_tex_with_a_message(tex: str, reason: str) -> None:
    page = _span(tex)
    converted, failures = render_math(page)
    assert converted == page
    assert len(failures) == 1 and reason in failures[0] and "[math-failed]" in failures[0]
    assert f"'{tex}'" in failures[0]


def test_links_and_styles_from_tex_are_dropped() -> None:
    mathml = tex_to_mathml(r"\href{javascript:alert(1)}{x} \style{color:red}{y} \class{c}{z}")
    assert "javascript" not in mathml.split("<annotation")[0]
    assert not re.search(r'\s(href|style|class)="', mathml)


def test_pages_without_formulas_are_returned_as_they_are() -> None:
    page = "<p>Cost $5 and $6 (no arithmatex here).</p>"
    assert render_math(page.replace("arithmatex", "math")) == (
        page.replace("arithmatex", "math"), [])


def test_example_report_has_mathml_and_footnotes(example_site: Build) -> None:
    page = example_site.page("2023-02-14-bert-base-sst2/")
    assert page.count("<math ") >= 3 and 'display="block"' in page
    assert "\\frac" in page  # in the annotation only
    assert 'class="arithmatex"' not in page
    assert '<sup id="fnref:schedule"><a class="footnote-ref" href="#fn:schedule">' in page
    assert '<li id="fn:schedule">' in page and 'class="footnote-backref"' in page
    # Offline: no script or stylesheet for math from anywhere.
    assert not re.search(r"mathjax|katex|polyfill", page, re.I)
    guide = example_site.page("guide/math/")
    assert guide.count("<math ") == 2 and '<li id="fn:example">' in guide
    assert not [m for m in example_site.messages() if "math-failed" in m]


@pytest.mark.slow
def test_a_malformed_formula_is_a_warning_and_the_page_is_built(tmp_path: pytest.TempPathFactory
                                                                ) -> None:
    docs = copy_archive(tmp_path)
    (docs / "notes.md").write_text("# Notes\n\nBroken $\\frac{a$ and fine $x^2$.\n",
                                   encoding="utf-8")
    built = build_site(tmp_path, docs)
    assert built.error is None, built.error
    warnings = [m for m in built.messages() if "math-failed" in m]
    assert len(warnings) == 1 and "notes.md: formula '\\frac{a'" in warnings[0]
    page = built.page("notes/")
    assert '<span class="arithmatex">\\(\\frac{a\\)</span>' in page and page.count("<math ") == 1
