"""`report-archive check --strict` and `mkdocs build --strict` agree on every setup.

Each setup is a project folder; in it the check runs through its command line
and a real MkDocs build runs as `mkdocs build --strict` would (MkDocs' own
`load_config`, no file named). Both must find the same set of
(path in docs_dir, rule, line) and pass or fail together.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import EXAMPLE_DOCS, ROOT
from report_archive.cli import main
from report_archive.rules import RULES

pytestmark = pytest.mark.slow

Found = set[tuple[str, str, int | None]]

BROKEN = """---
title: Broken
authors: [Ada Lovelace]
date: 2024-13-01
type: ml-experiment-report
tags: [nlp]
---

# Broken
"""
REPORTS = ("2023-02-14-bert-base-sst2.md", "2023-06-20-distilbert-sst2.md")
THEME = {"name": "material", "custom_dir": str(ROOT / "overrides"), "font": False}
# What the plugin logs for a diagnostic: "<docs_dir>/<file>[:line[:col]]: message [rule]".
LOGGED = re.compile(r"^(?:report_archive: )?(?P<path>.+?)(?::(?P<line>\d+)(?::\d+)?)?: "
                    r".* \[(?P<rule>[a-z0-9-]+)\](?: \(draft\))?$", re.DOTALL)


@dataclass
class Outcome:
    passed: bool
    found: Found
    text: str  # what the user saw: the check's output, or the build's log and error


def write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def archive(folder: Path, *extra: tuple[str, str]) -> Path:
    """A small archive: two example reports, a home page and the given (path, text) files."""
    folder.mkdir(parents=True)
    for name in REPORTS:
        shutil.copy(EXAMPLE_DOCS / name, folder / name)
    (folder / "index.md").write_text("# Reports\n", encoding="utf-8")
    for name, text in extra:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def in_docs(path: str, docs: Path) -> str:
    """A shown path (relative to the current folder) as a path inside docs_dir."""
    return Path(os.path.relpath(Path.cwd() / path, docs)).as_posix()


def run_check(docs: Path) -> Outcome:
    result = CliRunner().invoke(main, ["check", "--strict", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code == 2:
        return Outcome(False, set(), result.output)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    found = {(in_docs(d["path"], docs), d["rule"], d["line"]) for d in data["diagnostics"]}
    return Outcome(result.exit_code == 0, found, result.output)


class _Records(logging.Handler):
    # Info too: a draft's warnings are logged at info level (they do not fail --strict).
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def run_build(docs: Path) -> Outcome:
    """`mkdocs build --strict` in the current folder, as MkDocs' command line runs it."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    handler = _Records()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    error: Exception | None = None
    try:
        config = load_config(strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except Exception as exc:  # the outcome is compared, not raised
        error = exc
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    found: Found = set()
    messages = [r.getMessage() for r in handler.records]
    for message in messages:
        match = LOGGED.match(message)
        if match and match["rule"] in RULES:
            line = int(match["line"]) if match["line"] else None
            found.add((in_docs(match["path"], docs), match["rule"], line))
    return Outcome(error is None, found, "\n".join([*messages, str(error)]))


@pytest.fixture
def project(tmp_path: Path, chdir: Any) -> Iterator[Path]:
    chdir(tmp_path)
    yield tmp_path


def agree(docs: Path) -> tuple[Outcome, Outcome]:
    checked, built = run_check(docs), run_build(docs)
    assert checked.found == built.found, (checked.text, built.text)
    assert checked.passed == built.passed, (checked.text, built.text)
    return checked, built


def test_options_from_an_inherited_file(project: Path) -> None:
    docs = archive(project / "docs")
    required = ["Executive Summary", "Objective", "Dataset", "Model", "Training", "Results",
                "Conclusions", "Ethics Review"]
    write_yaml(project / "base.yml", {"theme": THEME, "plugins": [
        "search", {"report-archive": {"sections": {"required": required}}}]})
    write_yaml(project / "mkdocs.yml", {"INHERIT": "base.yml", "site_name": "Inherited"})
    checked, _ = agree(docs)
    assert not checked.passed
    assert {(path, rule) for path, rule, _ in checked.found} >= {
        (name, "section-missing") for name in REPORTS}


def test_docs_dir_from_an_environment_variable(project: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    archive(project / "reports")  # the fallback: clean
    docs = archive(project / "archive", ("broken.md", BROKEN))
    monkeypatch.setenv("REPORT_ARCHIVE_DOCS", "archive")
    (project / "mkdocs.yml").write_text(
        "site_name: From the environment\n"
        "docs_dir: !ENV [REPORT_ARCHIVE_DOCS, reports]\n"
        + yaml.safe_dump({"theme": THEME, "plugins": ["search", "report-archive"]}),
        encoding="utf-8")
    checked, _ = agree(docs)
    assert not checked.passed
    assert ("broken.md", "fm-date", 4) in checked.found


def test_excluded_draft_and_hidden_files_are_not_judged(project: Path) -> None:
    docs = archive(project / "docs", ("drafts/broken.md", BROKEN), ("wip/broken.md", BROKEN),
                   (".hidden.md", BROKEN), ("templates/broken.md", BROKEN),
                   ("hidden-from-nav/ok.md", (EXAMPLE_DOCS / REPORTS[0]).read_text()))
    write_yaml(project / "mkdocs.yml", {
        "site_name": "Excluded", "theme": THEME, "plugins": ["search", "report-archive"],
        "exclude_docs": "drafts/\n", "draft_docs": "wip/\n", "not_in_nav": "hidden-from-nav/\n"})
    checked, _ = agree(docs)
    assert checked.passed, checked.text
    assert checked.found == set()


def test_a_configuration_named_mkdocs_yaml(project: Path) -> None:
    unknown_key = (EXAMPLE_DOCS / REPORTS[0]).read_text().replace("title:", "colour: blue\ntitle:",
                                                                   1)
    docs = archive(project / "docs", ("colour.md", unknown_key))
    write_yaml(project / "mkdocs.yaml", {"site_name": "YAML", "theme": THEME,
                                         "plugins": ["search", "report-archive"]})
    checked, _ = agree(docs)
    assert not checked.passed  # a warning, under --strict
    assert {rule for _, rule, _ in checked.found} == {"fm-unknown-key"}


def test_a_comparison_naming_a_missing_report(project: Path) -> None:
    docs = archive(project / "docs")
    write_yaml(project / "mkdocs.yml", {"site_name": "Compared", "theme": THEME, "plugins": [
        "search", {"report-archive": {"comparisons": [
            {"name": "pair", "paths": [REPORTS[0], "2023-06-20-distilbert.md"]}]}}]})
    checked, built = agree(docs)
    assert not checked.passed
    assert checked.found == {("2023-06-20-distilbert.md", "comparison-path-missing", None)}
    assert "Aborted with 1 warnings in strict mode" in built.text


def test_the_example_archive(project: Path) -> None:
    docs = project / "reports"
    shutil.copytree(EXAMPLE_DOCS, docs)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"]["custom_dir"] = str(ROOT / "overrides")
    write_yaml(project / "mkdocs.yml", config)
    checked, _ = agree(docs)
    assert checked.passed, checked.text
    assert checked.found == set()


def test_a_misspelled_nested_option_fails_both_with_a_suggestion(project: Path) -> None:
    docs = archive(project / "docs")
    write_yaml(project / "mkdocs.yml", {"site_name": "Typo", "theme": THEME, "plugins": [
        "search", {"report-archive": {"limits": {"max_file_byte": 1}}}]})
    checked, built = agree(docs)
    assert not checked.passed and not built.passed
    for text in (checked.text, built.text):
        assert "unknown option 'max_file_byte'; did you mean 'max_file_bytes'?" in text
    assert len(checked.text.splitlines()) == 1
