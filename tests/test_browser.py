"""The built example site in real headless Chromium: the card, tag links, search, offline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browser import launch_browser, screenshot, serve
from conftest import Build

pytestmark = pytest.mark.browser
REPORT = "2023-02-14-bert-base-sst2/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    manager, chromium = launch_browser()
    yield chromium
    chromium.close()
    manager.stop()


@pytest.fixture(scope="module")
def site_url(example_site: Build) -> Iterator[str]:
    # Served under a project sub-path, as GitHub Pages would.
    with serve(example_site.site, prefix="archive") as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    opened = context.new_page()
    opened.on("request", lambda request: outside.append(request.url)
              if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    yield opened
    context.close()
    assert outside == [], f"requests left the machine: {outside}"


def test_report_page_card_and_tag_navigation(page: Any, site_url: str) -> None:
    page.goto(site_url + REPORT)
    card = page.locator(".ra-card")
    assert card.is_visible()
    assert "Priya Raman" in card.inner_text()
    assert page.locator(".ra-status").inner_text() == "Final"
    assert page.locator(".ra-metric__value").first.inner_text() == "93.5%"
    screenshot(page, "report-page")
    page.locator(".ra-tag", has_text="sentiment-analysis").click()
    page.wait_for_load_state()
    assert page.url == site_url + "tags/sentiment-analysis/"
    assert page.locator("h1").inner_text().rstrip("¶") == "Tag: sentiment-analysis"
    rows = page.locator("article table tbody tr")
    titles = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    assert "BERT-base Fine-tuning on SST-2" in titles
    page.locator("article table a", has_text="BERT-base Fine-tuning on SST-2").click()
    page.wait_for_load_state()
    assert page.url == site_url + REPORT


@pytest.mark.parametrize(("query", "title"), [
    ("Okafor", "BERT-base Fine-tuning on SST-2"),
    ("Priya Raman", "BERT-base Fine-tuning on SST-2"),
])
def test_search_finds_report_by_author(page: Any, site_url: str, query: str, title: str) -> None:
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").fill(query)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10_000)
    texts = [results.nth(i).inner_text() for i in range(min(results.count(), 10))]
    assert any(title in text for text in texts), texts
