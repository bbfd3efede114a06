"""Provenance on the header card, "Cite this report" and printing, without a tracker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser import serve
from conftest import Build
from report_archive.archive import Archive
from report_archive.citation import bibtex, repository_web_url
from report_archive.model import Report
from report_archive.render import Renderer
from report_archive.report import read_report
from report_archive.settings import Settings, Tracking
from report_archive.views import card_context

GOLDEN = Path(__file__).parent / "golden" / "valid.md"
RUN = "6c1ea75537b3428d94bffb4a7733dfdd"
REPORT = "2023-02-14-bert-base-sst2/"


def _report(extra: str, settings: Settings | None = None) -> tuple[Report, Archive]:
    text = GOLDEN.read_text(encoding="utf-8").replace(
        "primary_metric: Accuracy", "primary_metric: Accuracy\n" + extra)
    settings = settings or Settings()
    report = read_report(text.encode(), "r.md", settings)
    assert report.errors == []
    return report, Archive([report], settings)


def _card(report: Report, archive: Archive) -> str:
    return Renderer().card(card_context(report, archive), lambda src: src)


def test_card_names_runs_and_code_and_links_them_only_when_it_knows_where() -> None:
    extra = (f"runs: [mlflow:{RUN}]\n"
             "code: {repository: 'git@github.com:team/sst2.git', commit: 3F2A9C1D5E}")
    report, archive = _report(extra)
    html = _card(report, archive)
    assert f"<code>mlflow:{RUN}</code>" in html and "#/runs/" not in html
    assert '<a href="https://github.com/team/sst2">git@github.com:team/sst2.git</a>' in html
    assert 'href="https://github.com/team/sst2/commit/3f2a9c1d5e"' in html
    linked = Settings(tracking=Tracking(mlflow_tracking_uri="http://mlflow.lan:5000"))
    report, archive = _report(extra, linked)
    assert f'href="http://mlflow.lan:5000/#/runs/{RUN}"' in _card(report, archive)


def test_a_report_without_provenance_has_no_run_or_code_fact() -> None:
    report, archive = _report("")
    html = _card(report, archive)
    assert "ra-card__provenance" not in html and "Cite this report" in html


@pytest.mark.parametrize(("given", "web"), [
    ("https://github.com/team/repo.git", "https://github.com/team/repo"),
    ("https://user:token@gitlab.com/team/repo", "https://gitlab.com/team/repo"),
    ("git@github.com:team/repo.git", "https://github.com/team/repo"),
    ("ssh://git@gitlab.example.org:2222/ml/repo.git", "https://gitlab.example.org/ml/repo"),
])
def test_repository_addresses_become_web_pages(given: str, web: str) -> None:
    assert repository_web_url(given) == web


def test_bibtex_escapes_what_latex_would_read() -> None:
    report, _ = _report("")
    report.title = "50% faster {BERT} & co_training"
    report.authors = ["José Núñez", "Ada Lovelace"]
    entry = bibtex(report, "https://team.github.io/archive/r/")
    assert entry.startswith("@misc{nunez2023faster,")
    assert r"title = {{50\% faster \{BERT\} \& co\_training}}," in entry
    assert "author = {José Núñez and Ada Lovelace}," in entry
    assert "month = feb," in entry and "url = {https://team.github.io/archive/r/}," in entry
    assert entry.count("{") == entry.count("}") + entry.count(r"\}") - entry.count(r"\{")


@pytest.fixture(scope="module")
def site_url(example_site: Build) -> Any:
    with serve(example_site.site, prefix="archive") as url:
        yield url


@pytest.mark.browser
def test_cite_this_report_and_print(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site_url + REPORT)
    cite = page.locator("details.ra-cite")
    assert not page.locator(".ra-cite__bibtex").is_visible()
    cite.locator("summary").click()
    text = page.locator(".ra-cite__bibtex").inner_text()
    assert "title = {{BERT-base Fine-tuning on SST-2}}" in text
    assert "author = {Priya Raman and Daniel Okafor}" in text
    assert f"url = {{https://example.github.io/archive/{REPORT}}}" in text
    page.emulate_media(media="print")
    for hidden in (".md-header", ".md-sidebar--primary", ".md-footer", ".ra-related",
                   ".ra-cite"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator(".ra-card").is_visible()
    breaks = page.evaluate("getComputedStyle(document.querySelector('.md-typeset table'))"
                           ".breakInside")
    assert breaks == "avoid"
    # A link to another site prints its address after its text.
    after = page.evaluate("""() => {
        const link = document.createElement('a');
        link.href = 'https://arxiv.org/abs/1810.04805';
        link.textContent = 'BERT';
        document.querySelector('.md-content .md-typeset p').append(link);
        return getComputedStyle(link, '::after').content;
    }""")
    assert after == '" (https://arxiv.org/abs/1810.04805)"'
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
    context.close()
