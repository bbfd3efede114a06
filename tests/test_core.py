"""Unit tests of the core: values, slugs, the section scanner against Python-Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from report_archive.markdown_scan import scan, split_row
from report_archive.report import read_report
from report_archive.settings import Settings
from report_archive.slugs import assign_slugs, slugify
from report_archive.template import residue_lines
from report_archive.values import (
    NotANumber,
    dataset_key,
    format_metric,
    lower_is_better,
    metric_key,
    parse_metric,
)

EXTENSIONS = ["tables", "attr_list", "md_in_html", "pymdownx.superfences"]


@pytest.mark.parametrize(("cell", "value", "spread", "percent"), [
    ("0.89", 0.89, None, False),
    ("**0.89**", 0.89, None, False),
    ("93.5%", 0.935, None, True),
    ("**93.5 %**", 0.935, None, True),
    ("0.89 ± 0.02", 0.89, 0.02, False),
    ("85.2 ± 0.3%", 0.852, 0.003, True),
    ("1.8", 1.8, None, False),
    ("-0.04", -0.04, None, False),
    ("1e-3", 0.001, None, False),
    ("", None, None, False),
    ("-", None, None, False),
    ("—", None, None, False),
    ("N/A", None, None, False),
])
def test_metric_cells(cell: str, value: float | None, spread: float | None,
                      percent: bool) -> None:
    metric = parse_metric(cell)
    assert metric.value == value
    assert metric.spread == spread
    assert metric.percent == percent


@pytest.mark.parametrize(("cell", "as_written", "as_percent", "as_fraction"), [
    ("93.5%", "93.5%", "93.5%", "0.935"),
    ("0.935", "0.935", "93.5%", "0.935"),
    ("85.2 ± 0.3%", "85.2 ± 0.3%", "85.2 ± 0.3%", "0.852 ± 0.003"),
    ("0.89 ± 0.02", "0.89 ± 0.02", "89 ± 2%", "0.89 ± 0.02"),
    ("**1.8**", "1.8", "180%", "1.8"),
    ("N/A", "—", "—", "—"),
])
def test_metric_display(cell: str, as_written: str, as_percent: str, as_fraction: str) -> None:
    """Header cards show a metric as written; comparison columns on one scale."""
    metric = parse_metric(cell)
    assert format_metric(metric) == as_written
    assert format_metric(metric, percent=True) == as_percent
    assert format_metric(metric, percent=False) == as_fraction
    assert format_metric(None) == "—"


@pytest.mark.parametrize("cell", ["93.5 (dev)", "high", "nan", "inf", "0.9.1", "12 ms", "±0.2"])
def test_non_numeric_metric_cells(cell: str) -> None:
    with pytest.raises(NotANumber):
        parse_metric(cell)


def test_metric_and_dataset_names() -> None:
    assert metric_key("Acc") == metric_key("accuracy") == "accuracy"
    assert metric_key("F1-score") == metric_key("F1 Score") == "f1"
    assert metric_key("AUROC") == metric_key("ROC AUC") == "auc"
    assert metric_key("Top-1") == metric_key("top-1 accuracy")
    assert metric_key("Acc@1", {"acc@1": "Top-1 Accuracy"}) == metric_key("Top-1")
    assert dataset_key("SST-2") == dataset_key("sst2") == dataset_key("S.S.T_2")
    assert dataset_key("IN-1k", {"IN-1k": "ImageNet"}) == dataset_key("imagenet")
    assert lower_is_better("wer test-clean") and lower_is_better("validation loss")
    assert not lower_is_better("accuracy") and not lower_is_better("bleu")
    assert not lower_is_better("error", higher=("Error",))


def test_slugs_are_safe_and_distinct() -> None:
    for hostile in ["../../x", "/etc/passwd", "..", ".", "CON", "a" * 1000, "日本語", "", "C++"]:
        slug = slugify(hostile)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug
        assert len(slug) <= 64 and slug not in ("con", "..")
    slugs = assign_slugs(["C++", "C#", "c", "Ünïcode Tag", "unicode tag", "nlp"])
    assert len(set(slugs.values())) == 6
    assert slugs["c"] == "c" and slugs["nlp"] == "nlp"
    assert slugs["unicode tag"] == "unicode-tag"  # the plain spelling keeps the plain slug
    assert assign_slugs(["unicode tag", "Ünïcode Tag"]) == assign_slugs(
        ["Ünïcode Tag", "unicode tag"])


def test_split_row_honours_escapes_and_code() -> None:
    assert split_row("| a | b \\| c | `x | y` |") == ["a", "b \\| c", "`x | y`"]
    assert split_row("a | b") == ["a", "b"]


def rendered_headings(text: str) -> list[tuple[int, str]]:
    html = markdown.markdown(text, extensions=EXTENSIONS)
    return [(int(level), re.sub(r"<[^>]+>", "", inner).strip())
            for level, inner in re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", html, re.S)]


@pytest.mark.parametrize("text", [
    "# Title\n\n## 1. Objective\n\ntext\n",
    "```\n## not a heading\n```\n\n## Real\n",
    "~~~python\n# comment\n~~~\n## After\n",
    "<!--\n## hidden\n-->\n\n## Shown\n",
    "Intro\n## Directly after a paragraph\n",
    "Setext\n------\n\ntext\n",
    "##No space\n",
    "- item\n\n    ## indented is code\n\n## Top\n",
    "```\n## unclosed fence makes this a heading\n",
    "## Heading { #custom-id }\n",
    "| a | b |\n|---|---|\n| ## x | y |\n\n## After table\n",
])
def test_scanner_sees_headings_as_python_markdown_renders_them(text: str) -> None:
    found = [(h.level, h.text) for h in scan(text).headings]
    assert found == rendered_headings(text)


def test_template_residue_covers_sample_content_only() -> None:
    residue = residue_lines()
    assert "- finding 1" in residue
    assert "baseline 1|0.65|0.64|0.66|0.65|0.70" in residue
    assert "**name**|dataset name" in residue
    assert "- time constraints" not in residue  # plausible real content
    assert "property|value" not in residue  # table headers stay


def test_example_report_reads_cleanly(tmp_path: Path) -> None:
    path = Path(__file__).parent.parent / "reports" / "2023-02-14-bert-base-sst2.md"
    report = read_report(path.read_bytes(), path.name, Settings())
    assert report.diagnostics == []
    crlf = read_report(path.read_bytes().replace(b"\n", b"\r\n"), path.name, Settings())
    bom = read_report(b"\xef\xbb\xbf" + path.read_bytes(), path.name, Settings())
    assert crlf.diagnostics == bom.diagnostics == []
    assert crlf.tables == bom.tables == report.tables
