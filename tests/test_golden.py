"""Golden cases: each broken report in tests/golden/ and the exact diagnostics it must give.

`<case>.md` is the report, `<case>.json` the expected diagnostics as a list of
{"rule", "line", "severity"}. Every rule of the catalogue has at least one case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from report_archive.archive import Archive
from report_archive.discovery import read_files
from report_archive.markdown_scan import scan
from report_archive.rules import RULES
from report_archive.settings import ComparisonSpec, Settings

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.md"))
# Rules whose inputs are too big to keep as files: their cases are generated in tests.
GENERATED_CASES = {"limit-file-size", "limit-table-rows", "metric-scale-mixed", "limit-headings",
                   "limit-archive-tags", "chart-failed", "comparison-path-missing",
                   # links and special files cannot be golden files: tests/test_filesystem.py
                   "file-outside-archive", "file-symlink-loop", "file-not-regular",
                   # Found across reports: cases in tests/test_checks.py.
                   "metric-name-split", "tag-spelling", "link-broken",
                   # Needs a declared comparison: tests/test_site_pages.py.
                   "dataset-slug-taken", "page-clash",
                   # Against a real MLflow server: tests/test_mlflow.py.
                   "run-metric-mismatch", "run-metric-missing", "run-no-metrics",
                   "run-not-found", "tracker-unreachable"}


def diagnostics_of(path: Path) -> list[tuple[str, int | None, str]]:
    [report] = read_files([(path, path.name)], Settings())
    return sorted((d.rule, d.line, d.severity) for d in report.diagnostics)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_case(case: Path) -> None:
    expected = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
    assert diagnostics_of(case) == sorted(
        (d["rule"], d["line"], d["severity"]) for d in expected)


def test_every_rule_has_a_golden_case() -> None:
    covered = {rule for case in CASES
               for rule in (d["rule"] for d in json.loads(case.with_suffix(".json").read_text()))}
    assert set(RULES) - covered - GENERATED_CASES == set()


def test_size_limits_are_enforced(tmp_path: Path) -> None:
    base = (Path(__file__).parent.parent / "reports" / "2023-02-14-bert-base-sst2.md").read_text()
    big = tmp_path / "big.md"
    big.write_text(base + "\n" + ("x" * 99 + "\n") * 30_000, encoding="utf-8")
    assert [r for r, _, _ in diagnostics_of(big)] == ["limit-file-size"]
    rows = "\n".join(f"| Baseline {i} | 0.5 |" for i in range(1_200))
    table = base.replace("| Model |", "| Model |", 1)
    marker = "### 5.1 Quantitative Results\n\n"
    start = table.index(marker) + len(marker)
    end = table.index("\n\n", start)
    long_table = table[:start] + "| Model | Accuracy |\n|---|---|\n| **Ours** | 0.9 |\n" + \
        rows + table[end:]
    many = tmp_path / "many.md"
    many.write_text(long_table, encoding="utf-8")
    found = diagnostics_of(many)
    assert ("limit-table-rows", table[:start].count("\n") + 1, "error") in found
    assert [r for r, _, _ in found if r != "fm-primary-metric"] == ["limit-table-rows"]


def test_every_rule_is_documented_with_a_broken_example_and_its_fix() -> None:
    page = (Path(__file__).parent.parent / "reports" / "guide" / "rules.md").read_text(
        encoding="utf-8")
    lines = page.split("\n")
    headings = [h for h in scan(page).headings if h.level <= 3]
    documented = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        end = following.line - 1 if following else len(lines)
        documented[heading.text] = lines[heading.line:end]
    assert set(RULES) <= set(documented)
    for rule in RULES:
        fences = [line for line in documented[rule] if line.startswith(("```", "~~~"))]
        assert len(fences) >= 4, f"{rule}: needs a broken example and its fix"


def test_one_dataset_on_two_scales_is_reported(tmp_path: Path) -> None:
    valid = (GOLDEN / "valid.md").read_text(encoding="utf-8")
    wer = valid.replace("| Model | Accuracy |", "| Model | WER |").replace(
        "primary_metric: Accuracy", "primary_metric: WER")
    for baseline in ("93.2%", "91.3%", "90.4%"):
        wer = wer.replace(f"| {baseline} |", "| — |")
    points = tmp_path / "points.md"
    points.write_text(wer.replace("**93.5%**", "**6.5**"), encoding="utf-8")
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text(wer.replace("**93.5%**", "**0.071**"),
                                             encoding="utf-8")
    files = [(p, p.name) for p in sorted(tmp_path.glob("*.md"))]
    reports = read_files(files, Settings())
    found = [(d.path, d.rule, d.line) for d in Archive(reports, Settings()).diagnostics]
    assert found == [("points.md", "metric-scale-mixed", 195)]
    # The same numbers on one scale are fine.
    points.write_text(wer.replace("**93.5%**", "**0.065**"), encoding="utf-8")
    reports = read_files(files, Settings())
    assert Archive(reports, Settings()).diagnostics == []


def test_a_comparison_naming_no_report_of_the_archive_is_reported(tmp_path: Path) -> None:
    (tmp_path / "valid.md").write_text((GOLDEN / "valid.md").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    (tmp_path / "page.md").write_text("---\ntype: page\n---\n\n# A page\n", encoding="utf-8")
    settings = Settings(comparisons=(ComparisonSpec(
        "pair", "Pair", paths=("valid.md", "page.md", "gone.md", "gone.md")),))
    files = [(p, p.name) for p in sorted(tmp_path.glob("*.md"))]
    found = [(d.path, d.rule, d.line, d.severity)
             for d in Archive(read_files(files, settings), settings).diagnostics]
    assert found == [("gone.md", "comparison-path-missing", None, "warning"),
                     ("page.md", "comparison-path-missing", None, "warning")]
