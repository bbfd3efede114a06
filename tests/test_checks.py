"""Checks that correct reports pass, and mistakes that must be caught across reports.

The corpus of correct reports written by other people (tests/corpus/independent)
must pass nearly silently; the cross-report mistakes (one metric under two
names, on two scales, one tag spelled two ways, broken links, the template's
sample results) must be caught and kept off the leaderboards. Then the rules
interface: the `rules` option, per-report disable comments and drafts, in
`check` and in the build.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import build_site, copy_archive
from report_archive.archive import Archive
from report_archive.build import SiteBuild, Source
from report_archive.chart_specs import bar_spec, has_progress
from report_archive.charts import bar_limits
from report_archive.cli import main
from report_archive.compare import leaderboards
from report_archive.discovery import read_files
from report_archive.export import reports_json
from report_archive.i18n import Translator
from report_archive.render import Renderer
from report_archive.report import read_report
from report_archive.settings import Settings

ROOT = Path(__file__).parent.parent
CORPUS = ROOT / "tests" / "corpus" / "independent"
VALID = (ROOT / "tests" / "golden" / "valid.md").read_text(encoding="utf-8")
RESULTS = """| Model | Accuracy |
|---|---|
| **BERT-base (ours)** | **93.5%** |
| Pre-OpenAI SOTA | 93.2% |
| OpenAI GPT | 91.3% |
| BiLSTM+ELMo+Attn | 90.4% |"""


def run(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def report_with(results: str, *, title: str = "A report", status: str = "final",
                tags: str = "[nlp, sentiment-analysis, transformers, reproduction]",
                date: str = "2023-02-14", extra: str = "") -> str:
    text = VALID.replace(RESULTS, results, 1).replace("primary_metric: Accuracy\n", "", 1)
    text = text.replace('title: "BERT-base Fine-tuning on SST-2"', f'title: "{title}"', 1)
    text = text.replace("status: final", f"status: {status}", 1)
    text = text.replace("**Status**: Final", f"**Status**: {status.title()}", 1)
    text = text.replace("tags: [nlp, sentiment-analysis, transformers, reproduction]",
                        f"tags: {tags}", 1)
    text = text.replace("date: 2023-02-14", f"date: {date}", 1)
    return text + extra


def archive_of(tmp: Path, reports: dict[str, str], settings: Settings | None = None) -> Archive:
    for name, text in reports.items():
        (tmp / name).write_text(text, encoding="utf-8")
    settings = settings or Settings()
    files = [(tmp / name, name) for name in sorted(reports)]
    known = {name for name in reports}
    return Archive(read_files(files, settings), settings, known_files=known.__contains__)


# The corpus ---------------------------------------------------------------------------


def test_correct_reports_by_other_teams_pass_nearly_silently() -> None:
    """At most one report in twelve carries any warning, and none an error."""
    result = run(["check", "--format", "json", str(CORPUS)])
    data = json.loads(result.output)
    files = sorted(CORPUS.glob("*.md"))
    assert data["checked"] == len(files) >= 12
    errors = [d for d in data["diagnostics"] if d["severity"] == "error"]
    assert errors == []
    warned = {d["path"] for d in data["diagnostics"]}
    assert len(warned) * 12 <= len(files), data["diagnostics"]


# One metric under two names ------------------------------------------------------------


def test_common_synonyms_share_one_column(tmp_path: Path) -> None:
    archive = archive_of(tmp_path, {
        "a.md": report_with("| Model | mAP |\n|---|---|\n| **Ours** | **0.41** |", title="A"),
        "b.md": report_with("| Model | AP |\n|---|---|\n| **Ours** | **0.43** |", title="B"),
        "c.md": report_with("| Model | Exact Match |\n|---|---|\n| **Ours** | **0.80** |",
                            title="C", tags="[qa]")})
    [board] = leaderboards(archive)
    assert board.columns[0].name == "AP"
    assert [e.rank for e in board.rows if e.report.title in ("A", "B")] == [1, 2]
    assert [d for d in archive.diagnostics if d.rule == "metric-name-split"] == []


def test_two_names_for_one_metric_are_named_with_the_line_that_joins_them(
        tmp_path: Path) -> None:
    archive = archive_of(tmp_path, {
        "a.md": report_with("| Model | Matched Accuracy |\n|---|---|\n| **Ours** | **0.84** |",
                            title="A"),
        "b.md": report_with("| Model | Matched Accuracy |\n|---|---|\n| **Ours** | **0.85** |",
                            title="B"),
        "c.md": report_with("| Model | Matched Acc |\n|---|---|\n| **Ours** | **0.86** |",
                            title="C")})
    [split] = [d for d in archive.diagnostics if d.rule == "metric-name-split"]
    assert split.path == "c.md" and split.line == 192
    assert "'Matched Acc'" in split.message and "'Matched Accuracy'" in split.message
    assert 'metric_aliases: {"Matched Acc": "Matched Accuracy"}' in split.message
    [board] = leaderboards(archive)
    c = next(e for e in board.rows if e.report.title == "C")
    assert c.rank is None and c.reason is not None and "Matched Acc" in c.reason


def test_a_report_without_a_row_to_rank_is_listed_with_the_reason(tmp_path: Path) -> None:
    archive = archive_of(tmp_path, {
        "a.md": report_with("| Model | Accuracy |\n|---|---|\n| **Ours** | **0.84** |"),
        "b.md": report_with("| Model | Accuracy |\n|---|---|\n| Baseline | 0.84 |",
                            title="No own row")})
    [board] = leaderboards(archive)
    assert [(r.title, why) for r, why in board.unranked] == [
        ("No own row", "no row of its own model in the results table")]
    html = _leaderboard_page(archive)
    assert "No own row" in html and "no row of its own model" in html


def _leaderboard_page(archive: Archive) -> str:
    from report_archive.plan import plan_pages

    class Links:
        site_url = ""

        def rel(self, a: str, b: str) -> str:
            return b

        def url(self, src: str) -> str:
            return src

    page = next(p for p in plan_pages(archive, Renderer())
                if p.src_uri.startswith("compare/") and p.src_uri != "compare/index.md"
                and p.render is not None)
    assert page.render is not None
    return page.render(Links())


# One metric on two scales --------------------------------------------------------------


def test_one_metric_on_two_scales_is_never_ranked_against_itself(tmp_path: Path) -> None:
    archive = archive_of(tmp_path, {
        "a.md": report_with("| Model | AP50 |\n|---|---|\n| **Ours** | **57.9%** |", title="A"),
        "b.md": report_with("| Model | AP50 |\n|---|---|\n| **Ours** | **60.1%** |", title="B"),
        "c.md": report_with("| Model | AP50 |\n|---|---|\n| **Ours** | **30.0** |", title="C")})
    [mixed] = [d for d in archive.diagnostics if d.rule == "metric-scale-mixed"]
    assert (mixed.path, mixed.line) == ("c.md", 194)
    assert "**30.0**" in mixed.message and "%" in mixed.message
    [board] = leaderboards(archive)
    ranked = [(e.report.title, e.rank) for e in board.rows]
    assert ranked == [("B", 1), ("A", 2), ("C", None)]
    c = board.rows[-1]
    assert c.reason is not None and "scale" in c.reason and "best" not in c.best
    spec = bar_spec(board, Translator("en"))
    assert spec["values"] == [0.601, 0.579]


# The template's sample results ---------------------------------------------------------


SAMPLE = """| Model | Accuracy | Precision | Recall | F1 | AUC |
|-------|----------|-----------|--------|-------|-----|
| Baseline 1 | 0.65 | 0.64 | 0.66 | 0.65 | 0.70 |
| Baseline 2 | 0.78 | 0.77 | 0.79 | 0.78 | 0.82 |
| **Ours** | **0.89** | **0.88** | **0.90** | **0.89** | **0.93** |"""


def test_sample_results_are_never_ranked_charted_or_published(tmp_path: Path) -> None:
    archive = archive_of(tmp_path, {
        "fresh.md": report_with(SAMPLE, title="Fresh", status="draft"),
        "real.md": report_with("| Model | Accuracy |\n|---|---|\n| **Ours** | **0.84** |",
                               title="Real")})
    [board] = leaderboards(archive)
    assert [(e.report.title, e.rank) for e in board.rows] == [("Real", 1)]
    assert [(r.title, why) for r, why in board.unranked] == [
        ("Fresh", "no row of its own model in the results table")]
    assert board.baselines == []
    assert bar_spec(board, Translator("en"))["labels"] == ["Real"]
    data = reports_json(archive, lambda r: r.path)
    fresh = next(r for r in data["reports"] if r["title"] == "Fresh")
    assert fresh.get("results", {}).get("rows", []) == []
    assert "0.89" not in json.dumps(fresh.get("headline"))


# Tags ------------------------------------------------------------------------------------


def test_one_tag_spelled_two_ways_points_at_the_other_spelling(tmp_path: Path) -> None:
    results = "| Model | Accuracy |\n|---|---|\n| **Ours** | **0.84** |"
    archive = archive_of(tmp_path, {
        "a.md": report_with(results, tags="[LoRA, Math Reasoning]"),
        "b.md": report_with(results, tags="[LoRA, math-reasoning]"),
        "c.md": report_with(results, tags="[lora, math-reasoning]")})
    found = sorted((d.path, d.line, d.message) for d in archive.diagnostics
                   if d.rule == "tag-spelling")
    assert [(p, line) for p, line, _ in found] == [("a.md", 8), ("c.md", 8)]
    assert "'Math Reasoning'" in found[0][2] and "'math-reasoning' (2 reports)" in found[0][2]
    assert "'lora'" in found[1][2] and "'LoRA' (2 reports)" in found[1][2]


def test_new_splits_a_tag_list_written_with_commas(tmp_path: Path) -> None:
    result = run(["new", "Tags", "--author", "Ada", "--tag", "a, b", "--tag", "c",
                  "--dir", str(tmp_path), "--date", "2024-05-06"])
    assert result.exit_code == 0, result.output
    report = read_report(next(tmp_path.glob("*.md")).read_bytes(), "new.md", Settings())
    assert report.tags == ["a", "b", "c"]


def test_new_says_an_impossible_date_is_not_a_real_date(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new", "T", "--author", "Ada", "--dir", str(tmp_path),
                                       "--date", "2024-02-30"])
    assert result.exit_code == 2 and "not a real calendar date" in result.output


# Links -------------------------------------------------------------------------------------


LINKS = ("\nSee [the other report](b.md), [a gone one](gone.md#part), ![curve](img/x.png),"
         " [a site](https://example.com/a.md) and `[code](nothing.md)`.\n")


def test_broken_links_are_reported_at_their_line(tmp_path: Path) -> None:
    results = "| Model | Accuracy |\n|---|---|\n| **Ours** | **0.84** |"
    archive = archive_of(tmp_path, {"a.md": report_with(results, extra=LINKS),
                                    "b.md": report_with(results)})
    line = report_with(results, extra=LINKS).count("\n")
    found = [(d.path, d.line, d.message) for d in archive.diagnostics
             if d.rule == "link-broken"]
    assert [(p, n) for p, n, _ in found] == [("a.md", line), ("a.md", line)]
    assert "gone.md" in found[0][2] and "img/x.png" in found[1][2]


def test_check_reports_broken_links_of_named_files(tmp_path: Path) -> None:
    results = "| Model | Accuracy |\n|---|---|\n| **Ours** | **0.84** |"
    (tmp_path / "a.md").write_text(report_with(results, extra=LINKS), encoding="utf-8")
    (tmp_path / "b.md").write_text(report_with(results), encoding="utf-8")
    data = json.loads(run(["check", "--format", "json", str(tmp_path)]).output)
    assert sorted(d["rule"] for d in data["diagnostics"]) == ["link-broken", "link-broken"]


# The rules interface ------------------------------------------------------------------------


def test_project_rules_change_severity_and_turn_rules_off() -> None:
    text = VALID.replace("primary_metric: Accuracy", "primary_metric: Accuracy\nreviewer: Ada")
    assert [d.severity for d in read_report(text.encode(), "a.md", Settings()).diagnostics
            ] == ["warning"]
    as_error = Settings(rules={"fm-unknown-key": "error"})
    assert [d.severity for d in read_report(text.encode(), "a.md", as_error).diagnostics
            ] == ["error"]
    off = Settings(rules={"fm-unknown-key": "off"})
    assert read_report(text.encode(), "a.md", off).diagnostics == []


def _project(tmp: Path, options: str, reports: dict[str, str]) -> Path:
    docs = tmp / "docs"
    docs.mkdir()
    for name, text in reports.items():
        (docs / name).write_text(text, encoding="utf-8")
    config = tmp / "mkdocs.yml"
    config.write_text("site_name: t\ndocs_dir: docs\ntheme: {name: material}\nplugins:\n"
                      "  - report-archive:\n" + options, encoding="utf-8")
    return config


def test_check_honours_the_rules_option_and_rejects_an_unknown_rule(tmp_path: Path) -> None:
    text = VALID.replace("primary_metric: Accuracy", "primary_metric: Accuracy\nreviewer: Ada")
    config = _project(tmp_path, "      rules:\n        fm-unknown-key: error\n",
                      {"a.md": text})
    result = run(["check", "--config", str(config), "--format", "json"])
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert [(d["rule"], d["severity"]) for d in data["diagnostics"]] == [
        ("fm-unknown-key", "error")]
    config.write_text(config.read_text().replace("error", "off"))
    assert run(["check", "--config", str(config), "--strict"]).exit_code == 0
    config.write_text(config.read_text().replace("fm-unknown-key", "fm-unknown-kye"))
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2
    assert "unknown rule 'fm-unknown-kye'; did you mean 'fm-unknown-key'?" in result.output


def test_drafts_warnings_do_not_fail_strict_unless_the_option_says_so(tmp_path: Path) -> None:
    draft = report_with(SAMPLE, title="Fresh", status="draft")
    config = _project(tmp_path, "      drafts: {strict: false}\n", {"fresh.md": draft})
    result = run(["check", "--config", str(config), "--strict"])
    assert result.exit_code == 0
    assert "3 warnings (3 in drafts, not counted by --strict)" in result.output
    config.write_text(config.read_text().replace("strict: false", "strict: true"))
    assert run(["check", "--config", str(config), "--strict"]).exit_code == 1
    # A final report's warnings still fail --strict.
    final = VALID.replace("primary_metric: Accuracy", "primary_metric: Accuracy\nreviewer: A")
    (tmp_path / "docs" / "final.md").write_text(final, encoding="utf-8")
    config.write_text(config.read_text().replace("strict: true", "strict: false"))
    assert run(["check", "--config", str(config), "--strict"]).exit_code == 1


def test_summary_line_counts_drafts_warnings() -> None:
    site = SiteBuild()
    site.read([Source("fresh.md", report_with(SAMPLE, status="draft").encode())])
    assert "1 with warnings (3 warnings in drafts, not counted by --strict)" in \
        site.summary_line()


def test_drafts_can_be_left_off_the_leaderboards(tmp_path: Path) -> None:
    results = "| Model | Accuracy |\n|---|---|\n| **Ours** | **0.84** |"
    reports = {"a.md": report_with(results, title="Draft", status="draft"),
               "b.md": report_with(results, title="Final")}
    [board] = leaderboards(archive_of(tmp_path, reports))
    assert [e.report.title for e in board.rows] == ["Draft", "Final"]
    left_out = Settings(drafts_on_leaderboards=False)
    [board] = leaderboards(archive_of(tmp_path, reports, left_out))
    assert [e.report.title for e in board.rows] == ["Final"]
    assert [(r.title, "drafts.on_leaderboards" in why) for r, why in board.unranked] == [
        ("Draft", True)]


@pytest.mark.slow
def test_build_strict_agrees_with_check_on_drafts_rules_and_links(tmp_path: Path) -> None:
    docs = copy_archive(tmp_path)
    draft = docs / "2024-08-19-vit-l16-cifar10.md"  # a draft of the example archive
    draft.write_text(draft.read_text().replace("title:", "titel: x\ntitle:", 1))
    assert build_site(tmp_path, docs, strict=True).error is None
    final = docs / "2023-02-14-bert-base-sst2.md"
    text = final.read_text()
    final.write_text(text + "\nSee [the gone report](gone.md).\n")
    result = build_site(tmp_path, docs, strict=True)
    assert result.error is not None
    assert any("[link-broken]" in m for m in result.messages(logging.WARNING))
    final.write_text(text + "\nSee [the gone report](gone.md).\n"
                     "<!-- report-archive-disable link-broken -->\n")
    result = build_site(tmp_path, docs, strict=True, validation={"links": {"not_found": "info"}})
    assert result.error is None
    assert any("(3 warnings in drafts" in m or "in drafts" in m
               for m in result.messages(logging.INFO))


# Pages and charts ---------------------------------------------------------------------------


def test_problem_box_is_red_only_with_an_error_and_links_each_rule() -> None:
    text = VALID.replace("primary_metric: Accuracy", "primary_metric: Accuracy\nreviewer: Ada")
    warnings = read_report(text.encode(), "a.md", Settings()).diagnostics
    box = Renderer().problems(warnings, "../guide/rules.md")
    assert "admonition warning" in box and "failure" not in box
    assert 'href="../guide/rules.md#fm-unknown-key"' in box
    errors = read_report(text.replace("date: 2023-02-14", "date: 2023-02-30").encode(),
                         "a.md", Settings()).diagnostics
    assert "admonition failure" in Renderer().problems(errors)


def test_bars_start_at_zero_and_one_report_gets_no_time_axis(tmp_path: Path) -> None:
    low, high = bar_limits([0.89])
    assert low == 0.0 and high > 0.89
    assert bar_limits([0.85, 0.93])[0] == 0.0
    assert bar_limits([-2.0, 3.0])[0] < -2.0
    archive = archive_of(tmp_path, {"a.md": report_with(
        "| Model | Accuracy |\n|---|---|\n| **Ours** | **0.89** |")})
    [board] = leaderboards(archive)
    assert not has_progress(board)


def test_links_to_generated_pages_are_not_broken(tmp_path: Path) -> None:
    text = report_with("| Model | Accuracy |\n|---|---|\n| **Ours** | **91.0%** |", title="L")
    text += ("\nSee [the board](compare/sst-2/index.md), [nlp](tags/nlp/index.md) and "
             "[a typo](compare/sst-2/indx.md).\n")
    archive = archive_of(tmp_path, {"l.md": text})
    broken = [d.message for d in archive.diagnostics if d.rule == "link-broken"]
    assert len(broken) == 1 and "indx.md" in broken[0]
