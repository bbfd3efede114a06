"""Inputs that once crashed, hung or corrupted the build: each now gives a page or a diagnostic.

Charts never read report text as math, any valid date can be drawn, reports.json
is strict JSON, deep nesting is refused before Python-Markdown sees it (and its
page still renders under `serve`), the archive's tag count is bounded, and the
command line reports a full device in one line and never writes a report that
its own check rejects.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import time
from pathlib import Path

import markdown
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, build_site, python
from report_archive.archive import Archive
from report_archive.charts import chart_failure, render
from report_archive.cli import main
from report_archive.export import dumps
from report_archive.markdown_scan import MAX_HEADINGS, safe_markdown
from report_archive.report import read_report
from report_archive.settings import Settings
from report_archive.values import json_safe

GOLDEN = Path(__file__).parent / "golden"
VALID = (GOLDEN / "valid.md").read_text(encoding="utf-8")
MATH_TITLES = ["$\\foo{$", "$" + "{" * 40 + "x" + "}" * 40 + "$", "a $x^2$ b"]


def _variant(title: str, day: str, metric: str = "Accuracy", value: str = "**93.5%**") -> str:
    return (VALID.replace('title: "BERT-base Fine-tuning on SST-2"', f"title: {json.dumps(title)}")
            .replace("date: 2023-02-14", f"date: {day}").replace("updated: 2023-03-02\n", "")
            .replace("primary_metric: Accuracy", f"primary_metric: {json.dumps(metric)}")
            .replace("| Model | Accuracy |", f"| Model | {metric} |")
            .replace("| **BERT-base (ours)** | **93.5%** |", f"| **BERT-base (ours)** | {value} |"))


def _strict(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_chart_text_from_reports_is_drawn_as_written() -> None:
    for title in MATH_TITLES:
        svg = render({"kind": "bars", "labels": [title, "b"], "values": [0.9, 0.8],
                      "metric": title, "percent": True, "lower_is_better": False})
        assert chart_failure(svg) is None
        assert title.replace("<", "&lt;") in svg


def test_the_first_and_last_valid_dates_are_drawn() -> None:
    svg = render({"kind": "progress", "dates": ["0001-01-01", "9999-12-31", "2024-05-01"],
                  "values": [0.5, 0.7, 0.6], "best_dates": ["0001-01-01", "9999-12-31"],
                  "best_values": [0.5, 0.7], "metric": "Accuracy", "percent": True,
                  "lower_is_better": False})
    assert chart_failure(svg) is None
    assert re.search(r">\d{4}-\d\d-\d\d<", svg)


def test_a_chart_that_cannot_be_drawn_is_a_note_and_a_reason() -> None:
    svg = render({"kind": "bars", "labels": ["a", "b"], "values": [1e308, -1e308],
                  "metric": "m", "percent": True, "lower_is_better": False})
    assert "could not be drawn" in svg
    reason = chart_failure(svg)
    assert reason and len(reason) <= 200  # the library's own words, bounded


def test_reports_json_never_holds_a_non_finite_number() -> None:
    data = {"a": [1.0, float("inf"), {"b": float("nan")}], "c": "x", "d": 2}
    assert _strict(json.dumps(json_safe(data), allow_nan=False)) == {
        "a": [1.0, None, {"b": None}], "c": "x", "d": 2}
    # The file's own serialiser writes them as null too, and finite data as it is.
    assert _strict(dumps(data)) == {"a": [1.0, None, {"b": None}], "c": "x", "d": 2}
    assert dumps({"a": (1.5, "é")}) == '{"a":[1.5,"é"]}'


def test_huge_numbers_are_diagnostics_and_never_data() -> None:
    text = _variant("Overflow", "2024-01-01", value="1e400").replace(
        "| Learning Rate | 2e-5 |", "| Learning Rate | 1e999 |")
    report = read_report(text.encode(), "overflow.md", Settings())
    assert [d.rule for d in report.errors] == ["metric-not-finite"]
    own = report.own_row
    assert own is not None and own.metrics["accuracy"].value is None
    params = {h.name: h for h in report.tables.hyperparameters or ()}
    assert params["Learning Rate"].number is None


def test_hostile_chart_text_and_extreme_dates_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    days = ["0001-01-01", "9999-12-31", "2024-01-01"]
    for number, (title, day) in enumerate(zip(MATH_TITLES, days, strict=True)):
        (docs / f"r{number}.md").write_text(_variant(title, day, metric="$\\foo{$ Accuracy"),
                                            encoding="utf-8")
    begin = time.monotonic()
    result = build_site(tmp_path, docs)
    assert result.error is None, result.error
    assert time.monotonic() - begin < 120
    charts = sorted((tmp_path / "site").rglob("*.svg"))
    assert charts and not any("chart-failed" in m for m in result.messages())
    drawn = "".join(chart.read_text(encoding="utf-8") for chart in charts)
    assert "$\\foo{$" in drawn and "could not be drawn" not in drawn
    data = _strict((tmp_path / "site" / "reports.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict) and len(data["reports"]) == 3


def test_deep_nesting_is_an_error_and_its_page_still_renders_under_serve(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    start = VALID.index("## 1.")
    hostile = VALID[:start] + "*" * 2000 + "a" + "*" * 2000 + "\n\n" + "[" * 16000 + "\n\n" + \
        VALID[start:]
    (docs / "deep.md").write_text(hostile, encoding="utf-8")
    report = read_report(hostile.encode(), "deep.md", Settings())
    assert [d.rule for d in report.errors] == ["limit-nesting"]
    begin = time.process_time()
    shown = markdown.markdown(safe_markdown(report, hostile), extensions=["tables"])
    assert time.process_time() - begin < 2
    assert "nests too deeply" in shown and "[[[[" in shown
    assert build_site(tmp_path / "build", docs).error is not None
    served = build_site(tmp_path / "serve", docs, command="serve")
    assert served.error is None, served.error
    assert "nests too deeply" in served.page("deep/")


def test_headings_past_the_limit_are_an_error() -> None:
    text = VALID + "\n" + "### Step\n" * (MAX_HEADINGS + 10)
    report = read_report(text.encode(), "many.md", Settings())
    assert [d.rule for d in report.errors] == ["limit-headings"]


def test_tags_past_the_archive_limit_are_errors_on_the_reports_that_add_them() -> None:
    reports = []
    for number in range(6):
        tags = ", ".join(f"t{number}-{i}" for i in range(1000))
        text = _variant(f"Report {number}", f"2024-01-0{number + 1}").replace(
            "tags: [nlp, sentiment-analysis, transformers, reproduction]", f"tags: [{tags}]")
        reports.append(read_report(text.encode(), f"r{number}.md",
                                   Settings()))
    archive = Archive(reports, Settings())
    flagged = {d.path for d in archive.diagnostics if d.rule == "limit-archive-tags"}
    assert flagged == {"r5.md"}  # the newest report adds tags 5,001 to 6,000


def test_output_to_a_full_device_is_one_line(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([python(), "-m", "report_archive.cli", "check",
                               str(GOLDEN / "valid.md")], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "report-archive: cannot write the output: No space left on device"]


def test_new_refuses_control_characters(tmp_path: Path) -> None:
    for bad in ["A\x07title", "Tab\x7fdel", "bidi\u202eevil", "nul\x00"]:
        result = CliRunner().invoke(main, ["new", bad, "--author", "Ada", "--dir",
                                           str(tmp_path)])
        assert result.exit_code == 2, result.output
        assert "control character" in result.output
    assert list(tmp_path.iterdir()) == []


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_TEXT, author=_TEXT, tags=st.lists(_TEXT, max_size=3),
       dataset=st.one_of(st.none(), _TEXT))
def test_what_new_writes_check_accepts(tmp_path_factory: object, title: str, author: str,
                                       tags: list[str], dataset: str | None) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        args = ["new", title, "--author", author, "--dir", folder, "--date", "2024-05-01"]
        for tag in tags:
            args += ["--tag", tag]
        if dataset is not None:
            args += ["--dataset", dataset]
        result = CliRunner().invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            result.exception
        written = list(Path(folder).glob("*.md"))
        if result.exit_code != 0:
            assert written == []
            return
        [path] = written
        report = read_report(path.read_bytes(), path.name, Settings())
        assert report.is_report
        assert {d.rule for d in report.diagnostics} <= {"template-residue"}, [
            d.format_text() for d in report.diagnostics]


def test_new_today_is_still_the_default(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new", "Plain", "--author", "Ada", "--dir",
                                       str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{dt.date.today().isoformat()}-plain.md").is_file()
    assert ROOT.is_dir()
