"""Comparisons: leaderboards, declared comparisons, charts and `report-archive compare`.

Expected values are written here from the example reports' results tables.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT, Build
from report_archive.cli import main


def rows_of(html: str, table_class: str = "ra-board") -> list[list[str]]:
    table = re.search(rf'<table class="ra-table {table_class}">(.*?)</table>', html, re.S)
    assert table, table_class
    body = table.group(1).split("<tbody>")[1]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


def best_cells(html: str) -> list[str]:
    board = html.split('class="ra-baselines"')[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r'<td class="ra-num ra-best">(.*?)</td>', board, re.S)]


@pytest.fixture(scope="module")
def site(example_site: Build) -> Build:
    return example_site


def test_sst2_leaderboard_ranks_percent_and_fraction_written_reports_together(
        site: Build) -> None:
    html = site.page("compare/sst-2/")
    rows = rows_of(html)
    # Rank, report, date, status, Accuracy, hardware, training time.
    assert [(r[0], r[1].split(" RoBERTa-large (ours)")[0][:24], r[4]) for r in rows] == [
        ("1", "RoBERTa-large on SST-2: ", "96.4% ★ (best)"),
        ("2", "BERT-base Fine-tuning on", "93.5%"),
        ("3", "DistilBERT Distillation ", "91.3%"),  # written as 0.913 in its report
    ]
    assert best_cells(html) == ["96.4% ★ (best)"]
    assert "1x NVIDIA A100 80GB per run" in rows[0][5]


def test_lower_is_better_metric_ranks_ascending(site: Build) -> None:
    html = site.page("compare/librispeech-test-clean/")
    rows = rows_of(html)
    header = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html.split("<tbody>")[0])
    assert "WER test-clean" in re.sub(r"<[^>]+>", "", header[4])
    assert [r[1].split(" (ours)")[0][:30] for r in rows] == [
        "wav2vec 2.0 LARGE (LV-60k) Fin", "Conformer (L) Transducer on Li"]
    assert [r[4] for r in rows] == ["1.8 ★ (best)", "1.9"]
    assert [r[5] for r in rows] == ["3.3 ★ (best)", "3.9"]
    # Conformer gives no dev WER: shown missing, never as 0, never best.
    assert [r[6] for r in rows] == ["1.6 ★ (best)", "—"]


def test_missing_values_are_missing_and_columns_rank_their_own_way(site: Build) -> None:
    rows = rows_of(site.page("compare/cifar-10/"))
    assert [r[0] for r in rows] == ["1", "2", "3"]
    by_title = {r[1][:10]: r for r in rows}
    # Two of three reports write accuracy as a fraction, so the column shows fractions.
    assert by_title["ViT-L/16 T"][4] == "0.9942 ± 0.0003 ★ (best)"
    assert by_title["ResNet-110"][4] == "0.9357"  # written 93.57%
    assert by_title["ViT-L/16 T"][5] == "—"  # the ViT report gives no error column
    assert by_title["Wide ResNe"][5] == "0.04 ★ (best)"  # error: lower is better
    assert by_title["ResNet-110"][5] == "0.0643"


def test_baselines_are_listed_apart_and_marked(site: Build) -> None:
    html = site.page("compare/sst-2/")
    baselines = rows_of(html, "ra-board ra-board--baselines")
    assert ["OpenAI GPT baseline", "BERT-base Fine-tuning on SST-2", "91.3%"] in baselines
    assert all("baseline" in row[0] for row in baselines)
    assert "<details" in html  # collapsed, works without JavaScript


def test_leaderboard_charts_are_static_svg_with_text_alternatives(site: Build) -> None:
    html = site.page("compare/sst-2/")
    images = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html)
    assert [src for src, _ in images] == ["bars.svg", "progress.svg"]
    assert images[0][1].startswith("Bar chart of Accuracy per report on SST-2, best first: "
                                   "RoBERTa-large on SST-2: Single-Task Dev Reproduction: 96.4%")
    assert "2023-02-14: 93.5%" in images[1][1] and "2024-03-11: 96.4%" in images[1][1]
    svg = (site.site / "compare" / "sst-2" / "bars.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "http" not in re.sub(r'xmlns(:\w+)?="[^"]+"|<!DOCTYPE[^>]+>', "", svg)
    assert "96.4" in svg  # text stays text


def test_declared_comparison_cell_by_cell(site: Build) -> None:
    html = site.page("compare/squad-bert-sizes/")
    head = re.findall(r'<th scope="col"><a href="([^"]+)">', html)
    assert head[:2] == ["../../2023-11-08-bert-base-squad/", "../../2025-05-14-bert-large-squad/"]
    results = rows_of(html, 'ra-side" data-section="results')
    assert results == [["EM ≠", "80.8%", "84.1% ★ (best)"], ["F1 ≠", "88.5%", "90.9% ★ (best)"]]
    hyper = {row[0]: row[1:] for row in rows_of(html, 'ra-side" data-section="hyperparameters')}
    assert hyper["Learning Rate"] == ["5e-5", "5e-5"]
    assert hyper["Batch Size ≠"] == ["32", "32 (4 GPUs x 8)"]
    assert hyper["Seeds ≠"] == ["—", "5"]
    same = re.findall(r'<tr data-same="true"><th scope="row">([^<]+)</th>', html)
    assert "Learning Rate" in same and "Dropout" in same
    assert "Batch Size" not in " ".join(same)
    compute = {row[0]: row[1:] for row in rows_of(html, 'ra-side" data-section="compute')}
    assert compute["Hardware ≠"] == ["1x NVIDIA A100 40GB", "4x NVIDIA A100 40GB"]


def test_declared_comparison_by_dataset_and_tag(site: Build) -> None:
    html = site.page("compare/sst2-transformers/")
    results = rows_of(html, 'ra-side" data-section="results')
    assert results == [["Accuracy ≠", "96.4% ★ (best)", "91.3%", "93.5%"]]


def test_reports_json_carries_the_comparisons(site: Build) -> None:
    data = json.loads((site.site / "reports.json").read_text(encoding="utf-8"))
    boards = {b["slug"]: b for b in data["leaderboards"]}
    assert set(boards) == {"sst-2", "cifar-10", "librispeech-test-clean", "squad-v1-1"}
    wer = boards["librispeech-test-clean"]
    assert wer["primary_metric"] == "wer test-clean"
    assert [c["lower_is_better"] for c in wer["columns"]][:2] == [True, True]
    assert [(r["path"], r["rank"], r["metrics"]["wer test-clean"]) for r in wer["rows"]] == [
        ("2024-01-23-wav2vec2-large-librispeech.md", 1, 1.8),
        ("2024-11-06-conformer-l-librispeech.md", 2, 1.9)]
    assert {c["name"] for c in data["comparisons"]} == {"sst2-transformers", "squad-bert-sizes"}


BERT = str(ROOT / "reports" / "2023-11-08-bert-base-squad.md")
LARGE = str(ROOT / "reports" / "2025-05-14-bert-large-squad.md")


def run_compare(*args: str) -> Any:
    return CliRunner().invoke(main, ["compare", *args], catch_exceptions=False)


def test_compare_text() -> None:
    result = run_compare(BERT, LARGE)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    em = next(line for line in lines if line.strip().startswith("EM"))
    assert em.split() == ["EM", "80.8%", "84.1%", "(+3.3", "pt)"]
    assert "Hyperparameters that differ" in result.output
    assert "Batch Size" in result.output and "Learning Rate" not in result.output


def test_compare_json() -> None:
    data = json.loads(run_compare(BERT, LARGE, "--format", "json").output)
    f1 = next(m for m in data["metrics"] if m["key"] == "f1")
    assert f1["values"] == [0.885, 0.909]
    assert f1["deltas"][0] == 0 and f1["deltas"][1] == pytest.approx(0.024)
    assert [h["name"] for h in data["hyperparameters"]] == ["Batch Size", "Max Answer Length",
                                                            "Seeds"]


def test_compare_markdown(tmp_path: Path) -> None:
    output = run_compare(BERT, LARGE, "--format", "markdown").output
    assert "| EM | 80.8% | 84.1% (+3.3 pt) |" in output
    assert "| Batch Size | 32 | 32 (4 GPUs x 8) |" in output
    (tmp_path / "page.md").write_text("# x\n")
    broken = run_compare(BERT, str(tmp_path / "page.md"))
    assert broken.exit_code == 1
