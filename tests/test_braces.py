"""Report text survives `attr_list`: braces that are not attribute lists render as written."""

from __future__ import annotations

import markdown
import pytest

from report_archive.braces import is_attribute_list, keep_braces


def _html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "attr_list"])


TABLE = ("| Hyperparameter | Value |\n|---|---|\n"
         "| Learning rate | grid {5e-5, 4e-5, 3e-5, 2e-5} |\n"
         "| Schedule | `{warmup}` then cosine {0.1} |\n")


def test_table_cell_values_survive_attr_list() -> None:
    assert "2e-5" not in _html(TABLE).split("grid")[1]  # what attr_list does unguarded
    html = _html(keep_braces(TABLE))
    assert "grid {5e-5, 4e-5, 3e-5, 2e-5}</td>" in html
    assert "<code>{warmup}</code> then cosine {0.1}</td>" in html


@pytest.mark.parametrize("inner", ["#results", ".wide", ": .wide #x data-x=1", "title='a b'"])
def test_real_attribute_lists_are_left_to_the_extension(inner: str) -> None:
    assert is_attribute_list(inner)
    text = f"## Results {{{inner}}}\n\n| a | b |\n|---|---|\n| 1 | x {{{inner}}} |\n"
    assert keep_braces(text) == text


@pytest.mark.parametrize("inner", ["5e-5, 4e-5", "a b,", "", "x y", "1e-4"])
def test_other_braces_are_not_attribute_lists(inner: str) -> None:
    assert not is_attribute_list(inner)


def test_headings_code_blocks_templates_and_math_are_handled() -> None:
    text = ("## Batch sizes {32, 64}\n\n```\n| a | {b, c} |\n```\n\n"
            "| a | {{ABSTRACT}} |\n|---|---|\n| $x^{2}$ | \\{kept\\} |\n")
    out = keep_braces(text)
    assert out.startswith("## Batch sizes \\{32, 64\\}\n")
    assert "| a | {b, c} |" in out  # in a code block: untouched
    assert "{{ABSTRACT}}" in out and "$x^{2}$" in out and "\\{kept\\}" in out
    assert "<h2>Batch sizes {32, 64}</h2>" in _html(out)


def test_long_rows_take_linear_time() -> None:
    import time

    row = "| " + "`a` " * 200_000 + "{1, 2} |\n"
    start = time.perf_counter()
    assert keep_braces(row).endswith("\\{1, 2\\} |\n")
    assert time.perf_counter() - start < 2
