"""Benchmark of full-text search at archive scale, as the issue's table measures it.

    python benchmarks/search_bench.py --sizes 1000 5000 --reps 3 --material-sizes 1000

For each size N it uses an archive of N real-length reports
(`generate.py --real-length`, kept under `--corpus` and reused) and
- builds Report Archive's site (`--reps` times, a fresh `mkdocs build` process
  each): build time, the time the build spent on search (text extraction and
  index writing, from the build's summary line), the peak memory of the build
  (PSS summed over the process and its children: pages shared by forked
  processes count once) and the size of the index;
- in Debian's Chromium, with an empty cache each time, opens a report page,
  opens search and types a word that only one report's body has (the failure
  case of its error analysis): whether that report is the first result, the
  bytes of every response from opening the page to that result, and the time
  from the last keystroke to that result;
- with `--material-sizes`, the same for plain MkDocs + Material with its own
  full-text lunr index (the reports as ordinary pages), and the share of its
  build that its search plugin takes (a build without `search` subtracted).

Prints the figures and writes them as JSON (`--json`).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import re
import shutil
import statistics
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench import config, run, site_bytes  # noqa: E402
from generate import generate, marker  # noqa: E402


def corpus(root: Path, size: int) -> Path:
    docs = root / str(size) / "reports"
    if not (docs / "index.md").is_file() or len(list(docs.glob("*.md"))) != size + 1:
        if docs.exists():
            shutil.rmtree(docs)
        generate(size, docs, real=True)
    return docs


def build(kind: str, work: Path, docs: Path, search: bool = True) -> dict[str, Any]:
    site = work / f"site-{kind.lower()}"
    settings = config(kind, docs, site)
    settings["theme"]["features"].append("search.highlight")
    if not search:
        settings["plugins"] = [p for p in settings["plugins"] if p != "search"]
    config_file = work / f"mkdocs-{kind.lower()}.yml"
    config_file.write_text(yaml.safe_dump(settings), encoding="utf-8")
    if site.exists():
        shutil.rmtree(site)
    result = run([sys.executable, "-m", "mkdocs", "build", "-f", str(config_file)], work)
    if result["returncode"] != 0:
        raise RuntimeError(f"build {kind} failed:\n{result['output'][-3000:]}")
    searched = re.search(r"search index ([\d.]+) s", result["output"])
    index = site / "search"
    return {"seconds": result["seconds"], "peak_mib": result["peak_mib"],
            "search_seconds": float(searched.group(1)) if searched else None,
            "index_mib": site_bytes(index) / 2**20 if index.exists() else None,
            "site": str(site)}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def in_browser(site: Path, runs: int, size: int) -> list[dict[str, Any]]:
    """Open a report, search a word of its body only; figures of each run."""
    from playwright.sync_api import sync_playwright

    data = json.loads((site / "reports.json").read_text(encoding="utf-8")) \
        if (site / "reports.json").exists() else None
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    pages = sorted(p.stem for p in (site.parent / "reports").glob("*-report-*.md")) \
        if data is None else None
    figures = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            for attempt in range(runs):
                target = (size // 3 + 97 * attempt) % size
                name = f"-report-{target:05d}"
                if data is not None:
                    wanted = next(r for r in data["reports"] if name in r["path"])
                    title, opened = wanted["title"], wanted["url"]
                else:
                    stem = next(p for p in pages or [] if name in p)
                    title, opened = f": experiment {target}", stem + "/"
                figures.append(_search_once(browser, base, opened, marker(target), title))
            browser.close()
    finally:
        server.shutdown()
    return figures


def _search_once(browser: Any, base: str, opened: str, word: str, title: str) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    responses: list[Any] = []
    outside: list[str] = []
    page.on("response", lambda response: responses.append(response))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        base) else (outside.append(route.request.url), route.abort()))
    page.goto(base + opened, wait_until="load")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.wait_for_function("""() => {
        const meta = document.querySelector('.md-search-result__meta');
        return meta && meta.textContent.trim() && !/Initializing/i.test(meta.textContent);
    }""", timeout=600_000)
    page.locator("input.md-search__input").press_sequentially(word, delay=60)
    start = time.perf_counter()  # from the last key to the report as the first result
    with contextlib.suppress(Exception):
        page.wait_for_function("""t => {
            const h = document.querySelector('.md-search-result__item h1');
            return h && h.innerText.split('\\n')[0].trim().endsWith(t);
        }""", arg=title, timeout=60_000, polling=10)
    seconds = time.perf_counter() - start
    first = page.locator(".md-search-result__item h1").first.inner_text().split("\n")[0]
    total = 0
    for response in responses:
        with contextlib.suppress(Exception):  # a response without a body (redirect)
            total += len(response.body())
    context.close()
    return {"found_first": first.strip().endswith(title), "first": first, "bytes": total,
            "requests": len(responses), "seconds": seconds, "outside": len(outside)}


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def measure(size: int, reps: int, material: bool, root: Path) -> dict[str, Any]:
    docs = corpus(root, size)
    work = root / str(size)
    builds = []
    for rep in range(reps):
        figures = build("B", work, docs)
        print(f"N={size} build {rep + 1}: {figures['seconds']:.1f} s, search "
              f"{figures['search_seconds']:.1f} s, peak {figures['peak_mib']:.0f} MiB", flush=True)
        builds.append(figures)
    searches = in_browser(Path(builds[-1]["site"]), 3, size)
    print(f"N={size} browser: {searches}", flush=True)
    entry: dict[str, Any] = {"ours": _summarise(builds, searches)}
    shutil.rmtree(builds[-1]["site"])
    if material:
        with_search = build("A", work, docs)
        found = in_browser(Path(with_search["site"]), 1, size)
        print(f"N={size} Material: {with_search['seconds']:.1f} s, {found}", flush=True)
        without = build("A", work, docs, search=False)
        shutil.rmtree(without["site"], ignore_errors=True)
        with_search["search_seconds"] = with_search["seconds"] - without["seconds"]
        entry["material"] = _summarise([with_search], found)
    return entry


def _summarise(builds: list[dict[str, Any]], searches: list[dict[str, Any]]) -> dict[str, Any]:
    shares = [b["search_seconds"] / b["seconds"] for b in builds]
    return {
        "builds": [{k: v for k, v in b.items() if k != "site"} for b in builds],
        "searches": searches,
        "build_seconds": summary([b["seconds"] for b in builds]),
        "search_share": summary(shares),
        "peak_mib": summary([b["peak_mib"] for b in builds]),
        "index_mib": builds[0]["index_mib"],
        "fetched_mib": summary([s["bytes"] / 2**20 for s in searches]),
        "keystroke_seconds": summary([s["seconds"] for s in searches]),
        "found_first": sum(s["found_first"] for s in searches),
        "runs": len(searches),
        "outside_requests": sum(s["outside"] for s in searches),
    }


START, END = "<!-- search-bench -->", "<!-- /search-bench -->"


def _cell(figures: dict[str, float], scale: float = 1.0, digits: int = 1, unit: str = "") -> str:
    median, low, high = (figures[k] * scale for k in ("median", "min", "max"))
    spread = f" ({low:.{digits}f}–{high:.{digits}f})" if high > low else ""
    return f"{median:.{digits}f}{unit}{spread}"


def write_section(results: dict[str, Any], page: Path) -> None:
    """Put the table into the benchmarks page, between its markers (added if missing)."""
    rows = ["| reports | engine | word only in one body: first? | fetched to first result, "
            "MiB | last key to that result, s | search share of build | build, s | "
            "peak memory, MiB | index on disk, MiB |",
            "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for size, entry in results["sizes"].items():
        for engine, label in (("ours", "Report Archive"), ("material", "Material lunr")):
            f = entry.get(engine)
            if f is None:
                continue
            rows.append(
                f"| {int(size):,} | {label} | {f['found_first']} of {f['runs']} | "
                f"{_cell(f['fetched_mib'], digits=2)} | {_cell(f['keystroke_seconds'], digits=2)}"
                f" | {_cell(f['search_share'], 100, 0, '%')} | {_cell(f['build_seconds'])} | "
                f"{_cell(f['peak_mib'], digits=0)} | {f['index_mib']:.1f} |")
    section = f"""{START}
## Full-text search at scale

Measured by `python benchmarks/search_bench.py` on {results['date']}, on archives of
real-length reports (`generate.py --real-length`: ~370 lines, 13 filled tables,
prose from a 60,000-word Zipf vocabulary). In Chromium, with an empty cache, a
report page is opened, the search box opened and a word typed that only one
report's body has (a failure case of its error analysis); bytes are every
response from opening the page to the result (page, theme, search), time is
from the last key to that report shown first. The search share is the build's
own figure for text extraction and index writing (for Material, the build
without its search plugin subtracted). Medians, with min–max in brackets;
the machine (2 cores) was shared with other work, so times are pessimistic.
No request went to another origin.

{chr(10).join(rows)}
{END}"""
    text = page.read_text(encoding="utf-8")
    if START in text:
        text = text[:text.index(START)] + section + text[text.index(END) + len(END):]
    elif "## How to read it" in text:
        text = text.replace("## How to read it", section + "\n\n## How to read it", 1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    page.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--material-sizes", type=int, nargs="*", default=[1000])
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/report-archive-search-bench"))
    parser.add_argument("--json", type=Path, default=HERE / "search_results.json")
    parser.add_argument("--page", type=Path,
                        default=HERE.parent / "reports" / "guide" / "benchmarks.md")
    parser.add_argument("--page-only", action="store_true",
                        help="only write the page from the JSON file")
    args = parser.parse_args()
    if args.page_only:
        write_section(json.loads(args.json.read_text(encoding="utf-8")), args.page)
        return
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d"), "sizes": {}}
    for size in args.sizes:
        results["sizes"][str(size)] = measure(size, args.reps, size in args.material_sizes,
                                              args.corpus)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    write_section(results, args.page)
    print(json.dumps({s: {k: v for k, v in e["ours"].items() if k not in ("builds", "searches")}
                      for s, e in results["sizes"].items()}, indent=2))


if __name__ == "__main__":
    main()
