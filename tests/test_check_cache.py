"""`report-archive check` keeps what it read in a cache on disk: a second check of an
unchanged archive reads nothing again, and a change to a file, to the options or to
the package is checked afresh."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import report_archive.cache as cache
from conftest import EXAMPLE_DOCS, ROOT
from report_archive.cli import main


class _Reads:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = cache.read_report

        def read_report(*args: Any) -> Any:
            self.count += 1
            return original(*args)

        monkeypatch.setattr(cache, "read_report", read_report)


def _check(project: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["check", "--config", str(project / "mkdocs.yml"),
                                       "--format", "json", "--jobs", "1", *extra],
                                catch_exceptions=False)
    return result.exit_code, json.loads(result.output[result.output.index("{"):])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copytree(EXAMPLE_DOCS, tmp_path / "reports")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = "reports"
    config["theme"]["custom_dir"] = str(ROOT / "overrides")
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp_path


def test_an_unchanged_archive_is_not_read_again(project: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _Reads(monkeypatch)
    first = _check(project)
    assert first[0] == 0 and reads.count == first[1]["checked"] > 10
    assert list((project / "cache" / "report-archive").glob("check-*.pickle"))
    assert not list(project.rglob(".cache"))  # nothing is written into the project

    reads.count = 0
    kept = next((project / "cache" / "report-archive").glob("check-*.pickle"))
    written = kept.stat().st_mtime_ns
    assert _check(project) == first and reads.count == 0
    assert kept.stat().st_mtime_ns == written  # nothing changed: the cache is not rewritten
    # --no-cache reads every file, and finds the same.
    assert _check(project, "--no-cache") == first and reads.count == 0


def test_a_changed_file_is_checked_again(project: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _Reads(monkeypatch)
    _check(project)
    report = project / "reports" / "2023-02-14-bert-base-sst2.md"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "## 5. Results", "## 5. Resultz", 1), encoding="utf-8")
    reads.count = 0
    code, data = _check(project)
    assert code == 1 and reads.count == 1
    assert any(d["path"].endswith("2023-02-14-bert-base-sst2.md") and d["severity"] == "error"
               for d in data["diagnostics"])


def test_changed_options_check_every_file_again(project: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _Reads(monkeypatch)
    code, data = _check(project)
    assert code == 0
    checked = data["checked"]
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    required = ["Executive Summary", "Objective", "Dataset", "Model", "Training", "Results",
                "Conclusions", "Glossary"]
    config["plugins"] = ["search", {"report-archive": {"sections": {"required": required}}}]
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    reads.count = 0
    code, data = _check(project)
    assert code == 1 and reads.count == checked
    assert sum("Glossary" in d["message"] for d in data["diagnostics"]) == 10  # every report


def test_a_changed_package_checks_every_file_again(project: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _Reads(monkeypatch)
    checked = _check(project)[1]["checked"]
    monkeypatch.setattr(cache, "package_signature", lambda: "another version")
    reads.count = 0
    _check(project)
    assert reads.count == checked
