"""Front matter is open to the ecosystem: other tools' keys are known, a team adds its own."""

from __future__ import annotations

from conftest import EXAMPLE_DOCS
from report_archive.report import read_report
from report_archive.settings import Settings

REPORT = (EXAMPLE_DOCS / "2023-02-14-bert-base-sst2.md").read_text(encoding="utf-8")


def _with(keys: str) -> str:
    return REPORT.replace("type: ml-experiment-report\n", f"type: ml-experiment-report\n{keys}", 1)


def _unknown(text: str, settings: Settings | None = None) -> list[str]:
    report = read_report(text.encode(), "r.md", settings or Settings())
    return [d.message + " " + d.hint for d in report.diagnostics if d.rule == "fm-unknown-key"]


def test_keys_of_mkdocs_material_and_common_plugins_are_known() -> None:
    text = _with("render_macros: true\nsocial:\n  cards: false\nhide: [toc]\nsearch:\n"
                 "  boost: 2\ntemplate: main.html\ncomments: true\nsubtitle: A study\n")
    assert _unknown(text) == []


def test_a_teams_own_keys_are_known_when_listed() -> None:
    text = _with("run_id: 1a2b\ngit_commit: abc123\ndoi: 10.1000/182\n")
    assert len(_unknown(text)) == 3
    assert _unknown(text, Settings(front_matter_keys=("run_id", "git_commit", "doi"))) == []


def test_a_misspelled_key_of_ours_still_gets_did_you_mean() -> None:
    [message] = _unknown(_with("primry_metric: Accuracy\n"), Settings(front_matter_keys=("doi",)))
    assert "primry_metric" in message and "primary_metric" in message
