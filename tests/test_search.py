"""Full-text search in Chromium: body words, metadata, filters, highlighting, URL modes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import serve
from conftest import Build, build_site

pytestmark = pytest.mark.browser

WRN = "Wide ResNet 28-10 on CIFAR-10"
ROBERTA = "RoBERTa-large on SST-2: Single-Task Dev Reproduction"
CONFORMER = "Conformer (L) Transducer on LibriSpeech"
SQUAD = "BERT-base Fine-tuning on SQuAD v1.1"
BERT = "BERT-base Fine-tuning on SST-2"


class Tab:
    """A page whose requests to any other origin are aborted and counted."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []
        self.errors: list[str] = []
        origin = base.split("/", 3)[:3]
        self.origin = "/".join(origin)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route: Any) -> None:
        if route.request.url.startswith((self.origin, "data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def search(self, query: str) -> list[str]:
        """Type a query into Material's search box; the titles of the results, best first."""
        page = self.page
        page.locator("label.md-search__icon, .md-search__input").first.click()
        page.wait_for_function("""() => {
            const meta = document.querySelector('.md-search-result__meta');
            return meta && meta.textContent.trim() && !/Initializing/i.test(meta.textContent);
        }""", timeout=15_000)
        field = page.locator("input.md-search__input")
        field.fill("")
        field.press_sequentially(query, delay=15)
        return self.titles(query)

    def titles(self, query: str) -> list[str]:
        page = self.page
        page.wait_for_function("""q => {
            const bar = document.querySelector('.ra-search-facets');
            const items = document.querySelectorAll('.md-search-result__item');
            return document.querySelector('input.md-search__input').value === q &&
                (items.length > 0 || /No matching/i.test(
                    document.querySelector('.md-search-result__meta').textContent)) && bar !== null;
        }""", arg=query, timeout=10_000)
        page.wait_for_timeout(150)  # the last result message wins
        heads = page.locator(".md-search-result__item > a:first-child h1")
        return [t.split("\n")[0].strip() for t in heads.all_inner_texts()]

    def close(self) -> None:
        self.context.close()
        assert self.outside == [], f"requests to other origins: {self.outside}"
        assert self.errors == [], f"script errors: {self.errors}"


@pytest.fixture(scope="module")
def site_url(example_site: Build) -> Iterator[str]:
    with serve(example_site.site, prefix="archive") as url:  # a project sub-path
        yield url


@pytest.fixture
def tab(browser: Any, site_url: str) -> Iterator[Tab]:
    opened = Tab(browser, site_url)
    opened.page.goto(site_url)
    yield opened
    opened.close()


@pytest.mark.parametrize(("query", "expected", "section"), [
    ("Nesterov", WRN, "4.1 Hyperparameters"),          # a cell of the hyperparameter table
    ("deduplication", ROBERTA, "2.3 Data Quality"),      # a data-quality note
    ("homophones", CONFORMER, ""),                       # a failure case in the analysis
    ("threshold", SQUAD, "10.2 Medium-term"),            # a next-steps item
    ("SpecAugment", CONFORMER, ""),
])
def test_a_word_of_one_report_body_finds_that_report_first(
        tab: Tab, query: str, expected: str, section: str) -> None:
    titles = tab.search(query)
    assert titles[:1] == [expected], titles
    first = tab.page.locator(".md-search-result__item").first
    marks = [m.lower() for m in first.locator("mark").all_inner_texts()]
    assert query.lower() in marks  # the passage that matched, highlighted
    if section:
        assert section in first.inner_text()


@pytest.mark.parametrize(("query", "expected"), [
    ("Okafor", BERT),                                   # an author's surname
    ("distillation", "DistilBERT Distillation and SST-2 Fine-tuning"),  # a tag
    ("LibriSpeech", CONFORMER),                         # a dataset
    ("Wide ResNet", WRN),                               # title words
])
def test_metadata_still_finds_reports(tab: Tab, query: str, expected: str) -> None:
    titles = tab.search(query)
    assert expected in titles[:3], titles


def test_a_result_shows_status_and_dataset(tab: Tab) -> None:
    tab.search("Nesterov")
    meta = tab.page.locator(".md-search-result__item").first.locator(".ra-search-meta")
    assert meta.inner_text() == "In review · CIFAR-10"


def test_filters_narrow_the_results(tab: Tab) -> None:
    everything = tab.search("accuracy")
    assert len(everything) > 4
    chip = tab.page.locator(".ra-search-facet[data-kind=dataset][data-value='SST-2']")
    count = int(chip.locator(".ra-search-facet__count").inner_text())
    assert chip.get_attribute("aria-label") == f"Only results with dataset SST-2 ({count})"
    chip.focus()
    tab.page.keyboard.press("Enter")  # a button: the keyboard works as well as the mouse
    narrowed = tab.titles("accuracy dataset:SST-2 ")
    assert 0 < len(narrowed) == count < len(everything), narrowed
    metas = tab.page.locator(".md-search-result__item .ra-search-meta").all_inner_texts()
    assert metas and all(m.endswith("SST-2") for m in metas), metas
    # Typed filters work alike, and combine.
    final = tab.search("accuracy dataset:SST-2 status:final")
    assert 0 < len(final) < len(narrowed)
    assert tab.search("tag:speech author:Okafor") == []
    assert set(tab.search("author:Okafor")) >= {BERT}


def test_the_opened_report_highlights_the_word(tab: Tab, site_url: str) -> None:
    tab.search("Nesterov")
    tab.page.locator(".md-search-result__item").first.locator("a").nth(1).click()
    tab.page.wait_for_url("**/2023-09-27-wrn-28-10-cifar10/**")
    assert "#41-hyperparameters" in tab.page.url
    marks = tab.page.locator("article mark[data-md-highlight]")
    marks.first.wait_for(timeout=5_000)
    assert {m.lower() for m in marks.all_inner_texts()} == {"nesterov"}


def test_search_works_with_file_urls(browser: Any, example_site_flat: Build) -> None:
    with serve(example_site_flat.site) as url:
        tab = Tab(browser, url)
        tab.page.goto(url + "guide/rules.html")
        assert tab.search("deduplication")[:1] == [ROBERTA]
        tab.page.locator(".md-search-result__item").first.locator("a").first.click()
        tab.page.wait_for_url("**/2024-03-11-roberta-large-sst2.html**")
        tab.close()


@pytest.fixture(scope="module")
def instant_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    tmp = tmp_path_factory.mktemp("instant")
    theme = {"name": "material", "font": False,
             "features": ["navigation.instant", "search.highlight"]}
    result = build_site(tmp, theme=theme, plugins=["report-archive", "search"])
    assert result.error is None, result.error
    return result


def test_instant_navigation_and_either_plugin_order(browser: Any, instant_site: Build) -> None:
    assert (instant_site.site / "search" / "fulltext" / "manifest.json").is_file()
    with serve(instant_site.site) as url:
        tab = Tab(browser, url)
        tab.page.goto(url)
        assert tab.search("homophones")[:1] == [CONFORMER]
        tab.page.locator(".md-search-result__item").first.locator("a").first.click()
        tab.page.wait_for_url("**/2024-11-06-conformer-l-librispeech/**")
        tab.page.locator("article mark").first.wait_for(timeout=5_000)
        # The page was replaced in place: search still answers.
        assert tab.search("Nesterov")[:1] == [WRN]
        tab.close()


def test_the_first_download_stays_small(example_site: Build) -> None:
    index = Path(example_site.site / "search" / "search_index.json")
    assert index.stat().st_size < 2_000  # the configuration only
