"""The built example site in real headless Chromium: card, navigation, search, browse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from browser import screenshot, serve
from conftest import Build

pytestmark = pytest.mark.browser
REPORT = "2023-02-14-bert-base-sst2/"
BERT = "BERT-base Fine-tuning on SST-2"


@pytest.fixture(scope="module")
def site_url(example_site: Build) -> Iterator[str]:
    # Served under a project sub-path, as GitHub Pages would.
    with serve(example_site.site, prefix="archive") as url:
        yield url


@pytest.fixture(scope="module")
def reports(example_site: Build) -> list[dict[str, Any]]:
    data = json.loads((example_site.site / "reports.json").read_text(encoding="utf-8"))
    return list(data["reports"])


def _page(browser: Any, javascript: bool = True) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  java_script_enabled=javascript)
    outside: list[str] = []
    errors: list[str] = []
    opened = context.new_page()
    opened.on("request", lambda request: outside.append(request.url)
              if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert outside == [], f"requests left the machine: {outside}"
    assert errors == [], f"script errors: {errors}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from _page(browser)


@pytest.fixture
def page_without_js(browser: Any) -> Iterator[Any]:
    yield from _page(browser, javascript=False)


def test_report_page_card(page: Any, site_url: str) -> None:
    page.goto(site_url + REPORT)
    card = page.locator(".ra-card")
    assert card.is_visible()
    assert "Priya Raman" in card.inner_text()
    assert page.locator(".ra-status").first.inner_text() == "Final"
    assert page.locator(".ra-metric__value").first.inner_text() == "93.5%"
    related = page.locator(".ra-related")
    assert "DistilBERT Distillation and SST-2 Fine-tuning" in related.inner_text()
    screenshot(page, "report-page")


def test_home_to_tag_to_report_by_clicks(page: Any, site_url: str) -> None:
    page.goto(site_url)
    assert page.locator(".ra-stats").inner_text().startswith("10 reports")
    screenshot(page, "home")
    page.locator(".ra-home .ra-cloud a", has_text="sentiment-analysis").click()
    page.wait_for_load_state()
    assert page.url == site_url + "tags/sentiment-analysis/"
    screenshot(page, "tag-page")
    titles = page.locator(".ra-report__title a").all_inner_texts()
    assert titles == ["RoBERTa-large on SST-2: Single-Task Dev Reproduction",
                      "DistilBERT Distillation and SST-2 Fine-tuning", BERT]
    page.locator(".ra-report__title a", has_text=BERT).click()
    page.wait_for_load_state()
    assert page.url == site_url + REPORT


@pytest.mark.parametrize(("query", "expected"), [
    ("Okafor", BERT),                                   # an author's surname
    ("distillation", "DistilBERT Distillation and SST-2 Fine-tuning"),  # a tag
    ("LibriSpeech", "Conformer (L) Transducer on LibriSpeech"),  # a dataset
    ("Wide ResNet", "Wide ResNet 28-10 on CIFAR-10"),  # a title
])
def test_search_finds_the_report(page: Any, site_url: str, query: str, expected: str) -> None:
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # Wait for the search worker to load the index before typing.
    page.wait_for_function("""() => {
        const meta = document.querySelector('.md-search-result__meta');
        return meta && meta.textContent.trim() && !/Initializing/i.test(meta.textContent);
    }""", timeout=15_000)
    page.locator("input.md-search__input").press_sequentially(query, delay=20)
    results = page.locator(".md-search-result__item > a .md-search-result__article h1")
    results.first.wait_for(timeout=10_000)
    # A report's status and dataset follow its title in a span of their own.
    titles = [" ".join(t.split()) for t in results.evaluate_all(
        "els => els.map(e => { const c = e.cloneNode(true);"
        " c.querySelectorAll('.ra-search-meta').forEach(m => m.remove());"
        " return c.textContent; })")]
    assert expected in titles[:3], titles
    # Listing pages are not search results, so reports come first.
    assert not any(t.startswith(("Tag:", "Browse", "Tags")) for t in titles), titles


def _rows(page: Any) -> list[str]:
    cells = page.locator(".ra-browse__table tbody tr:not([hidden]) td:nth-child(2)")
    return list(cells.all_inner_texts())


@pytest.mark.parametrize(("facet", "value"), [
    ("tag", "transformers"), ("author", "Priya Raman"), ("status", "in-review"),
    ("dataset", "CIFAR-10"), ("year", "2024"),
])
def test_browse_filters_and_the_url_restores_them(page: Any, site_url: str,
                                                  reports: list[dict[str, Any]], facet: str,
                                                  value: str) -> None:
    def keep(report: dict[str, Any]) -> bool:
        if facet == "tag":
            return value in [t["name"] for t in report["tags"]]
        if facet == "author":
            return value in report["authors"]
        if facet == "status":
            return bool(report["status"] == value)
        if facet == "dataset":
            return value in report["datasets"]
        return bool(report["date"].startswith(value))

    expected = [r["title"] for r in reports if keep(r)]  # reports.json is newest first
    assert 0 < len(expected) < len(reports)
    page.goto(site_url + "browse/")
    assert len(_rows(page)) == len(reports)
    page.select_option(f"select[name={facet}]", value)
    assert _rows(page) == expected
    assert page.locator("[data-count]").inner_text() == str(len(expected))
    shared = page.url
    assert urlsplit(shared).query
    page.goto(site_url)
    page.goto(shared)
    assert _rows(page) == expected
    assert page.locator(f"select[name={facet}]").input_value() == value


def test_browse_sorts_by_title_and_metric(page: Any, site_url: str,
                                          reports: list[dict[str, Any]]) -> None:
    page.goto(site_url + "browse/")
    screenshot(page, "browse")
    page.select_option("select[name=sort]", "title")
    assert _rows(page) == sorted((r["title"] for r in reports), key=str.lower)
    page.select_option("select[name=dataset]", "LibriSpeech test-clean")
    page.select_option("select[name=sort]", "m:wer test-clean")
    # WER is lower-is-better: best first means ascending.
    assert _rows(page) == ["wav2vec 2.0 LARGE (LV-60k) Fine-tuned on LibriSpeech 960h",
                           "Conformer (L) Transducer on LibriSpeech"]
    page.select_option("select[name=order]", "desc")
    assert _rows(page)[0] == "Conformer (L) Transducer on LibriSpeech"
    page.goto(page.url)
    assert _rows(page)[0] == "Conformer (L) Transducer on LibriSpeech"
    page.select_option("select[name=dataset]", "")
    page.select_option("select[name=order]", "")
    page.select_option("select[name=sort]", "m:accuracy")
    accuracy = sorted(((r["headline"]["accuracy"]["value"], r["title"]) for r in reports
                       if "accuracy" in r["headline"]), reverse=True)
    assert _rows(page)[:len(accuracy)] == [title for _, title in accuracy]


def test_browse_without_javascript_shows_every_report(page_without_js: Any,
                                                      site_url: str) -> None:
    page_without_js.goto(site_url + "browse/")
    assert len(_rows(page_without_js)) == 10
    assert not page_without_js.locator(".ra-browse__controls").is_visible()


def test_only_differences_hides_equal_rows(page: Any, site_url: str) -> None:
    page.goto(site_url + "compare/squad-bert-sizes/")
    rows = page.locator("table.ra-side tbody tr")
    total = rows.count()
    same = page.locator('table.ra-side tbody tr[data-same="true"]')
    assert same.count() > 0
    learning_rate = page.locator("table.ra-side tbody tr", has_text="Learning Rate")
    assert learning_rate.is_visible()
    page.locator("#ra-only-diff").check()
    assert not learning_rate.is_visible()
    visible = [rows.nth(i) for i in range(total) if rows.nth(i).is_visible()]
    assert len(visible) == total - same.count()
    assert all(row.get_attribute("data-same") == "false" for row in visible)
    screenshot(page, "comparison-only-differences")
    page.locator("#ra-only-diff").uncheck()
    assert learning_rate.is_visible()


def test_leaderboard_charts_load_and_have_text_alternatives(page: Any, site_url: str) -> None:
    page.goto(site_url + "compare/librispeech-test-clean/")
    images = page.locator("figure.ra-chart img")
    assert images.count() == 2
    for i in range(2):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=image.element_handle())
        assert "WER test-clean" in (image.get_attribute("alt") or "")
    screenshot(page, "leaderboard")
