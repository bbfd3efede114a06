"""What a reader gets from a large archive: reachability, search, the browse page.

    python benchmarks/scale_check.py 5000

Builds Report Archive's site for N generated reports, then checks that every
report is at most two clicks from the home page and has its own search entry,
and measures in Debian's Chromium (if installed) how long the browse page takes
to load and how long a search takes to show results once its index is loaded.
Prints a JSON object of the figures.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import build_keep  # noqa: E402
from generate import generate  # noqa: E402


def _links(html: str) -> list[str]:
    body = html[html.find("<article"):html.find("</article>")]
    return re.findall(r'href="([^"#?]+)', body)


def two_clicks(site: Path) -> tuple[int, int]:
    """(reports reachable within two clicks of the home page, reports in the site)."""
    def page(url: str) -> Path:
        path = site / url
        return path / "index.html" if url.endswith("/") or not url else path

    def follow(base: str, href: str) -> str:
        return urlsplit(urljoin("http://x/" + base, href)).path.lstrip("/")

    first = {follow("", h) for h in _links(page("").read_text(encoding="utf-8"))}
    reached = set(first)
    for url in first:
        target = page(url)
        if target.suffix == ".html" and target.is_file():
            reached |= {follow(url, h) for h in _links(target.read_text(encoding="utf-8"))}
    data = json.loads((site / "reports.json").read_text(encoding="utf-8"))
    urls = {r["url"] for r in data["reports"]}
    return len(urls & reached), len(urls)


def searchable(site: Path) -> tuple[int, int]:
    """(reports with a search entry carrying their title and tags, reports in the site)."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = {d["location"]: d for d in index["docs"]}
    data = json.loads((site / "reports.json").read_text(encoding="utf-8"))
    found = sum(1 for r in data["reports"] if r["url"] in entries and entries[r["url"]].get("tags"))
    return found, len(data["reports"])


def browser_figures(site: Path) -> dict[str, Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed"}
    if not Path("/usr/bin/chromium").exists():
        return {"skipped": "/usr/bin/chromium is missing"}
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    data = json.loads((site / "reports.json").read_text(encoding="utf-8"))
    title = data["reports"][len(data["reports"]) // 2]["title"]
    # The words of the title that are unique to it (punctuation is query syntax).
    query = title.split(":")[-1].strip()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(url + "browse/", wait_until="load")
            page.locator(".ra-browse__controls").wait_for(state="visible")
            browse = time.perf_counter() - start
            rows = page.locator(".ra-browse__table tbody tr").count()
            page.goto(url)
            page.locator("label.md-search__icon, .md-search__input").first.click()
            start = time.perf_counter()
            page.wait_for_function("""() => {
                const meta = document.querySelector('.md-search-result__meta');
                return meta && meta.textContent.trim() && !/Initializing/i.test(meta.textContent);
            }""", timeout=120_000)
            index_ready = time.perf_counter() - start
            page.locator("input.md-search__input").press_sequentially(query, delay=10)
            start = time.perf_counter()  # from the last key
            page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
            first_results = time.perf_counter() - start
            try:
                page.wait_for_function(
                    "t => document.querySelector('.md-search-result__list')"
                    " && document.querySelector('.md-search-result__list').innerText.includes(t)",
                    arg=title, timeout=10_000)
                found = True
            except Exception:
                found = False
            search = time.perf_counter() - start
            browser.close()
    finally:
        server.shutdown()
    return {"browse_load_seconds": browse, "browse_rows": rows,
            "search_index_ready_seconds": index_ready, "search_report_found_seconds": search,
            "search_first_results_seconds": first_results,
            "search_query": query, "search_found_title": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--work", type=Path, default=Path("/tmp/report-archive-scale"))
    args = parser.parse_args()
    if args.work.exists():
        shutil.rmtree(args.work)
    docs = args.work / "reports"
    generate(args.count, docs)
    site = build_keep(args.work, docs)
    reachable, total = two_clicks(site)
    indexed, _ = searchable(site)
    figures = {"reports": total, "two_clicks": reachable, "search_entries": indexed,
               "search_index_mib": (site / "search" / "search_index.json").stat().st_size / 2**20,
               **browser_figures(site)}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
