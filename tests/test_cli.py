"""The command line: check (three formats, exit codes), new, schema, help."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_DOCS, ROOT, python
from report_archive.cli import main
from report_archive.front_matter import schema

BROKEN = """---
title: Broken
authors: [Ada Lovelace]
date: 2024-13-01
type: ml-experiment-report
tags: [nlp]
status: draft
---

# Broken
"""


def run(args: list[str], cwd: Path | None = None) -> Any:
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, args, catch_exceptions=False)
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(main, args, catch_exceptions=False)


@pytest.fixture
def in_root(chdir: Any) -> None:
    chdir(ROOT)


def test_check_example_archive_is_clean(in_root: None) -> None:
    result = run(["check", "reports/"])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output
    default = run(["check", "--format", "json"])
    data = json.loads(default.output)
    assert data["diagnostics"] == []
    assert data["checked"] == len(list(EXAMPLE_DOCS.rglob("*.md")))


def test_check_json_paths_lines_and_exit_code(tmp_path: Path, chdir: Any) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "broken.md").write_text(BROKEN, encoding="utf-8")
    chdir(tmp_path)
    result = run(["check", "sub", "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["checked"] == 1
    date = [d for d in data["diagnostics"] if d["rule"] == "fm-date"]
    assert date == [{"path": "sub/broken.md", "line": 4, "column": 1, "severity": "error",
                     "rule": "fm-date", "message": "date '2024-13-01' is not a real calendar date",
                     "hint": date[0]["hint"]}]
    assert date[0]["hint"]
    assert all(set(d) == {"path", "line", "column", "severity", "rule", "message", "hint"}
               for d in data["diagnostics"])
    assert {d["rule"] for d in data["diagnostics"]} >= {"fm-date", "section-missing"}


def test_check_github_annotations(tmp_path: Path, chdir: Any) -> None:
    (tmp_path / "b,ad.md").write_text(BROKEN, encoding="utf-8")
    chdir(tmp_path)
    result = run(["check", "b,ad.md", "--format", "github"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "::error file=b%2Cad.md,line=4,col=1,title=fm-date::date '2024-13-01' is not a " \
           "real calendar date (hint: " in lines[0] or any(
               line.startswith("::error file=b%2Cad.md,line=4,col=1,title=fm-date::")
               for line in lines)
    assert all(line.startswith(("::error ", "::warning ")) for line in lines)


def test_strict_counts_warnings(tmp_path: Path, chdir: Any) -> None:
    text = (EXAMPLE_DOCS / "2023-02-14-bert-base-sst2.md").read_text(encoding="utf-8")
    (tmp_path / "r.md").write_text(text.replace("title:", "colour: blue\ntitle:", 1))
    chdir(tmp_path)
    assert run(["check", "r.md"]).exit_code == 0
    strict = run(["check", "r.md", "--strict"])
    assert strict.exit_code == 1
    assert "[fm-unknown-key]" in strict.output


def test_bad_usage_exits_2(tmp_path: Path, chdir: Any) -> None:
    chdir(tmp_path)
    assert run(["check", "missing.md"]).exit_code == 2
    assert run(["check"]).exit_code == 2  # no mkdocs.yml here
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - report-archive:\n"
                                         "      sections: {required: 3}\n")
    result = run(["check"])
    assert result.exit_code == 2
    assert "option 'sections': Sub-option 'required'" in result.output
    assert len(result.output.splitlines()) == 1 and "Traceback" not in result.output
    (tmp_path / "mkdocs.yml").write_text("site_name: [x\n")
    assert run(["check"]).exit_code == 2


def test_check_as_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "bin.md").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "ok.md").write_text(BROKEN, encoding="utf-8")
    result = subprocess.run([python(), "-m", "report_archive.cli", "check", str(tmp_path)],
                            capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "[file-binary]" in result.stdout and "[fm-date]" in result.stdout


def test_new_writes_a_report_that_checks_with_only_template_warnings(
        tmp_path: Path, chdir: Any) -> None:
    chdir(tmp_path)
    result = run(["new", "Tiny: BERT | on SST-2", "--author", "Ada Lovelace", "--author",
                  "Alan Turing", "--tag", "nlp", "--tag", "C++", "--dataset", "SST-2",
                  "--dir", str(tmp_path), "--date", "2024-05-06"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "2024-05-06-tiny-bert-on-sst-2.md"
    assert path.is_file()
    text = path.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "Tiny: BERT | on SST-2"\n')
    assert "**Researchers**: Ada Lovelace, Alan Turing" in text
    assert "| **Name** | SST-2 |" in text
    check = json.loads(run(["check", str(path), "--format", "json"]).output)
    rules = {d["rule"] for d in check["diagnostics"]}
    assert rules == {"template-residue"}
    assert all(d["severity"] == "warning" for d in check["diagnostics"])
    again = run(["new", "Tiny: BERT | on SST-2", "--author", "X", "--dir", str(tmp_path),
                 "--date", "2024-05-06"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert path.read_text(encoding="utf-8") == text


def test_new_defaults_to_docs_dir_and_today(tmp_path: Path, chdir: Any) -> None:
    (tmp_path / "archive").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\ndocs_dir: archive\n")
    chdir(tmp_path)
    result = run(["new", "Hello", "--author", "A"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "archive" / f"{dt.date.today().isoformat()}-hello.md").is_file()


def test_schema_prints_the_shipped_json_schema() -> None:
    result = run(["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == schema()
    assert set(schema()["required"]) == {"title", "authors", "date", "type", "tags"}


@pytest.mark.parametrize("command", ["check", "new", "schema"])
def test_every_command_has_help(command: str) -> None:
    result = run([command, "--help"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 3


def test_repository_schema_and_template_comment_match_the_package() -> None:
    shipped = json.loads((ROOT / "schema" / "front-matter.schema.json").read_text())
    assert shipped == schema()
    template = (ROOT / "plugin" / "report_archive" / "report-template.md").read_text()
    comment = template.splitlines()[1]
    assert comment.startswith("# yaml-language-server: $schema=")
    target = (EXAMPLE_DOCS / comment.split("=", 1)[1]).resolve()
    assert target == (ROOT / "schema" / "front-matter.schema.json").resolve()


def test_mkdocs_warnings_go_to_stderr_and_count_under_strict(tmp_path: Path, chdir: Any) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "r.md").write_text(
        (EXAMPLE_DOCS / "2023-02-14-bert-base-sst2.md").read_text(encoding="utf-8"))
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nsite_colour: blue\n"
                                         "plugins:\n  - report-archive\n")
    chdir(tmp_path)
    result = run(["check", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"checked": 1, "diagnostics": []}
    assert "warning: Config value 'site_colour': Unrecognised configuration name" in result.stderr
    assert run(["check", "--strict"]).exit_code == 1  # as `mkdocs build --strict` aborts


def test_a_broken_configuration_is_one_line_on_stderr(tmp_path: Path, chdir: Any) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yaml").write_text("site_name: x\nplugins:\n  - report-archive:\n"
                                          "      sanitize: 'no'\n")
    chdir(tmp_path)
    result = run(["check", "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: mkdocs.yaml: ")
    assert "option 'sanitize': Expected type: <class 'bool'>" in result.stderr
    assert len(result.stderr.splitlines()) == 1
