"""mkdocs-macros beside ours: `{{ ... }}` in a report's title and summary, in either order."""

from __future__ import annotations

import json

import pytest

from conftest import Build, build_site, copy_archive
from report_archive.expand import expand_reports
from report_archive.model import Report

BERT = "2023-02-14-bert-base-sst2.md"
BERT_TITLE = "BERT-base Fine-tuning on SST-2"


def _upper(report: Report, text: str) -> str:
    if "{{ oops" in text:
        raise ValueError("unexpected end of template")
    return text.replace("{{ team }}", "NLP team")


def test_values_with_markup_are_rendered_into_copies() -> None:
    report = Report("a.md", is_report=True, title="By the {{ team }}", summary="plain",
                    authors=["{{ team }}", "Ann"], tags=["nlp"])
    plain = Report("b.md", is_report=True, title="Plain")
    [first, second], problems = expand_reports([report, plain], _upper)
    assert (first.title, first.summary, first.authors) == ("By the NLP team", "plain",
                                                           ["NLP team", "Ann"])
    assert first is not report and second is plain and problems == []
    # The cached report keeps what the file says.
    assert report.title == "By the {{ team }}" and report.authors == ["{{ team }}", "Ann"]


def test_a_value_that_cannot_be_rendered_is_kept_and_named() -> None:
    report = Report("a.md", is_report=True, title="By the {{ oops")
    [kept], problems = expand_reports([report], _upper)
    assert kept.title == "By the {{ oops"
    assert len(problems) == 1
    assert problems[0].startswith("a.md: the title 'By the {{ oops' could not be rendered")
    assert "unexpected end of template" in problems[0] and "[macro-failed]" in problems[0]


@pytest.fixture(scope="module", params=["macros-first", "macros-last"])
def macro_site(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Build:
    tmp = tmp_path_factory.mktemp(request.param)
    docs = copy_archive(tmp)
    source = docs / BERT
    source.write_text(source.read_text(encoding="utf-8").replace(
        f'title: "{BERT_TITLE}"', 'title: "BERT-base on SST-2 by the {{ team }}"', 1),
        encoding="utf-8")
    plugins = ["search", "macros", "report-archive"] if request.param == "macros-first" \
        else ["search", "report-archive", "macros"]
    result = build_site(tmp, docs, plugins=plugins, extra={"team": "NLP team"})
    assert result.error is None, result.error
    return result


@pytest.mark.slow
@pytest.mark.parametrize("path", ["", "tags/nlp/", "browse/", "compare/sst-2/",
                                  "2023-02-14-bert-base-sst2/"])
def test_macros_render_report_titles_everywhere(macro_site: Build, path: str) -> None:
    page = macro_site.page(path)
    assert "{{ team }}" not in page
    assert "BERT-base on SST-2 by the NLP team" in page


@pytest.mark.slow
def test_macros_render_titles_in_data_and_feeds(macro_site: Build) -> None:
    data = json.loads((macro_site.site / "reports.json").read_text(encoding="utf-8"))
    assert "BERT-base on SST-2 by the NLP team" in {r["title"] for r in data["reports"]}
    assert "by the NLP team" in (macro_site.site / "feed.xml").read_text(encoding="utf-8")
    assert not [m for m in macro_site.messages() if "macro-failed" in m]
