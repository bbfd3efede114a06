"""Benchmark: Report Archive against plain MkDocs + Material on the same reports.

    python benchmarks/bench.py                      # what `make bench` runs
    python benchmarks/bench.py --sizes 50 --reps 1  # a quick look

For each size N it generates N reports (benchmarks/generate.py, fixed seed) and
builds them, alternating, as
  A: plain MkDocs + Material, the reports as ordinary pages in the navigation
     (what a team has today), and
  B: Report Archive's full site (reports, tag pages, leaderboards, browse page,
     feeds, reports.json, full-text search),
each build a fresh `mkdocs build` process. It times `report-archive check` on the
same archive, records the peak memory (RSS, summed over the process and its
children) of every command, the size of each site and of its search index, and
at one size the time for `mkdocs serve --dirty` to show an edited report.

Results: a JSON file of the raw figures, and a Markdown page with a table and a
plot (matplotlib) for the site's guide.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

EXTENSIONS: list[Any] = ["admonition", "tables", {"toc": {"permalink": True}},
                         "pymdownx.superfences", "pymdownx.details",
                         {"pymdownx.tasklist": {"custom_checkbox": True}}]


def config(kind: str, docs: Path, site: Path) -> dict[str, Any]:
    plugins: list[Any] = ["search"] + (["report-archive"] if kind == "B" else [])
    return {
        "site_name": f"Benchmark {kind}",
        "docs_dir": str(docs),
        "site_dir": str(site),
        "theme": {"name": "material", "font": False,
                  "features": ["navigation.sections", "navigation.indexes"]},
        "plugins": plugins,
        "markdown_extensions": EXTENSIONS,
    }


class PeakMemory:
    """Samples the resident memory of a process and its children until it ends."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self, pid: int) -> list[int]:
        found = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                    for child in handle.read().split():
                        found.extend(self._tree(int(child)))
        except OSError:
            pass
        return found

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as handle:
                match = re.search(r"VmRSS:\s+(\d+) kB", handle.read())
                return int(match.group(1)) if match else 0
        except OSError:
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(self._rss(pid) for pid in self._tree(self.pid))
            self.peak_kib = max(self.peak_kib, total)
            self._stop.wait(0.02)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kib


def run(command: list[str], cwd: Path) -> dict[str, Any]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    memory = PeakMemory(process.pid)
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    peak = memory.stop()
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{command} failed:\n{output[-3000:]}")
    return {"seconds": seconds, "peak_mib": peak / 1024, "output": output,
            "returncode": process.returncode}


def site_bytes(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


def build(kind: str, work: Path, docs: Path, keep: bool = False) -> dict[str, Any]:
    site = work / f"site-{kind.lower()}"
    config_file = work / f"mkdocs-{kind.lower()}.yml"
    config_file.write_text(yaml.safe_dump(config(kind, docs, site)), encoding="utf-8")
    if site.exists():
        shutil.rmtree(site)
    result = run([sys.executable, "-m", "mkdocs", "build", "-f", str(config_file)], work)
    if result["returncode"] != 0:
        raise RuntimeError(f"build {kind} failed:\n{result['output'][-3000:]}")
    own = re.search(r"plugin's own work ([\d.]+) s", result["output"])
    index = site / "search" / "search_index.json"
    figures = {"seconds": result["seconds"], "peak_mib": result["peak_mib"],
               "site_mib": site_bytes(site) / 2**20,
               "search_index_mib": index.stat().st_size / 2**20 if index.exists() else None,
               "own_seconds": float(own.group(1)) if own else None}
    if not keep:
        shutil.rmtree(site)
    return figures


def build_keep(work: Path, docs: Path) -> Path:
    """Build B and keep the site (for the scale checks)."""
    build("B", work, docs, keep=True)
    return work / "site-b"


def check(docs: Path, work: Path) -> dict[str, Any]:
    result = run([sys.executable, "-m", "report_archive.cli", "check", str(docs), "--format",
                  "json"], work)
    data = json.loads(result["output"][result["output"].index("{"):])
    errors = [d for d in data["diagnostics"] if d["severity"] == "error"]
    if errors:
        raise RuntimeError(f"the generated archive has errors: {errors[:3]}")
    return {"seconds": result["seconds"], "peak_mib": result["peak_mib"],
            "checked": data["checked"]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_edit(work: Path, docs: Path) -> dict[str, Any]:
    """Seconds from saving an edit to `mkdocs serve --dirty` serving the changed page."""
    config_file = work / "mkdocs-b.yml"
    config_file.write_text(yaml.safe_dump(config("B", docs, work / "site-serve")), "utf-8")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--livereload", "-a",
         f"127.0.0.1:{port}", "-f", str(config_file)], cwd=work,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    target = sorted(p for p in docs.glob("*.md") if p.name != "index.md")[-1]
    url = f"http://127.0.0.1:{port}/{target.stem}/"
    try:
        _wait(url, lambda body: True, 600)
        times = []
        for attempt in range(3):
            marker = f"Edited title {attempt}"
            text = target.read_text(encoding="utf-8")
            text = re.sub(r'^title: .*$', f'title: "{marker}"', text, count=1, flags=re.M)
            start = time.perf_counter()
            target.write_text(text, encoding="utf-8")
            _wait(url, lambda body, m=marker: m in body, 300)
            times.append(time.perf_counter() - start)
            time.sleep(1)
        return {"seconds": statistics.median(times), "runs": times}
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait(url: str, ready: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if ready(response.read().decode("utf-8")):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def measure(sizes: list[int], reps: dict[int, int], a_sizes: set[int], serve_size: int,
            work_root: Path) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "date": time.strftime("%Y-%m-%d"), "sizes": {}}
    for size in sizes:
        work = work_root / str(size)
        if work.exists():
            shutil.rmtree(work)
        docs = work / "reports"
        generate(size, docs)
        runs: dict[str, list[dict[str, Any]]] = {"A": [], "B": [], "check": []}
        for rep in range(reps.get(size, 1)):
            for kind in ("A", "B"):
                if kind == "A" and size not in a_sizes:
                    continue
                figures = build(kind, work, docs)
                runs[kind].append(figures)
                print(f"N={size} rep {rep + 1} {kind}: {figures['seconds']:.1f} s, "
                      f"{figures['site_mib']:.0f} MiB", flush=True)
            runs["check"].append(check(docs, work))
        entry: dict[str, Any] = {"runs": runs}
        for kind in ("A", "B", "check"):
            if runs[kind]:
                entry[kind] = {key: summary([r[key] for r in runs[kind]])
                               for key in runs[kind][0] if isinstance(runs[kind][0][key], float)}
        if size == serve_size:
            entry["serve_edit"] = serve_edit(work, docs)
            print(f"N={size} serve edit: {entry['serve_edit']['seconds']:.2f} s", flush=True)
        results["sizes"][str(size)] = entry
        shutil.rmtree(work)
    return results


def write_page(results: dict[str, Any], page: Path, plot: Path) -> None:
    sizes = results["sizes"]

    def cell(size: str, kind: str, key: str, digits: int = 1) -> str:
        figures = sizes[size].get(kind, {}).get(key)
        if not figures:
            return "—"
        median, low, high = figures["median"], figures["min"], figures["max"]
        spread = f" ({low:.{digits}f}–{high:.{digits}f})" if high > low else ""
        return f"{median:.{digits}f}{spread}"

    rows = ["| N | A: Material, s | B: Report Archive, s | B / A | B ms per report | "
            "B plugin's own work | A site, MiB | B site, MiB | B search index, MiB | "
            "check, s | check reports/s | check peak MiB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, entry in sizes.items():
        n = int(size)
        b = entry["B"]["seconds"]["median"]
        a = entry.get("A", {}).get("seconds", {}).get("median")
        own = entry["B"].get("own_seconds", {}).get("median")
        check_s = entry["check"]["seconds"]["median"]
        rows.append(
            f"| {n:,} | {cell(size, 'A', 'seconds')} | {cell(size, 'B', 'seconds')} | "
            f"{f'{b / a:.2f}' if a else '—'} | {b / n * 1000:.1f} | "
            f"{f'{own:.2f} s ({own / b:.0%})' if own is not None else '—'} | "
            f"{cell(size, 'A', 'site_mib', 0)} | {cell(size, 'B', 'site_mib', 0)} | "
            f"{cell(size, 'B', 'search_index_mib', 2)} | {cell(size, 'check', 'seconds', 2)} | "
            f"{n / check_s:,.0f} | {cell(size, 'check', 'peak_mib', 0)} |")
    serve = [f"- **Editing one report under `mkdocs serve --dirty`** (N = {int(s):,}): the "
             f"page shows the change {e['serve_edit']['seconds']:.2f} s after saving "
             f"({e['serve_edit']['seconds'] / e['B']['seconds']['median']:.2f} of a full "
             "build)." for s, e in sizes.items() if "serve_edit" in e]
    _plot(results, plot)
    machine = results["machine"]
    page.write_text(f"""---
title: Benchmarks
---

# Benchmarks

Measured by `make bench` (`benchmarks/bench.py`) on {results['date']}, on a
machine with {machine['cpus']} cores (Python {machine['python']}). Each size is a
generated archive of complete, valid reports (`benchmarks/generate.py`, fixed
seed: 2–5 tags of 40, eight datasets, every table of the template). **A** is
plain MkDocs + Material with the reports as ordinary pages in the navigation,
what a team runs today; **B** is Report Archive's full site: reports, tag pages,
leaderboards with charts, the browse page, feeds, `reports.json` and the full-text
search index. Builds alternate A and B; figures are medians, with the range
(min–max) of the repetitions in brackets. Memory is the peak resident memory of
the process and its children.

{chr(10).join(rows)}

{chr(10).join(serve)}

A is built only at the sizes given to `--a-sizes` (`make bench`: 100 and 1,000
reports): plain Material at 5,000 reports renders a navigation of 5,000 entries
into each of 5,000 pages, which takes tens of minutes and several gigabytes of
disk. Peak memory of B sums forked workers, which share most of their pages.

![Build time against archive size, for plain Material and Report Archive]({plot.name})

## How to read it

- **B / A** is the time of a Report Archive build as a share of a plain
  Material build of the same reports.
- **B ms per report** should stay flat as the archive grows: the plugin does
  no work that grows faster than the number of reports.
- **Plugin's own work** is the time spent in the plugin's hooks (reading,
  validating, planning and rendering the generated pages), as the build's
  summary line reports it; MkDocs rendering the reports is not counted. Work
  the plugin hands to other cores (reading reports, header cards and listing
  pages in forked workers, charts in a separate process) counts only for the
  time the build waits for it.
- A plain Material site grows with the square of the number of reports,
  because every page carries the whole navigation; Report Archive's
  navigation lists the newest reports only (see
  [How the site is organised](site.md)).
""", encoding="utf-8")


def _plot(results: dict[str, Any], plot: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "bench"})
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.5), layout="constrained")
    axes = figure.add_subplot()
    sizes = sorted(int(s) for s in results["sizes"])
    for kind, label, colour in (("A", "A: MkDocs + Material", "#9e9e9e"),
                                ("B", "B: Report Archive", "#3f51b5")):
        points = [(n, results["sizes"][str(n)][kind]["seconds"]["median"]) for n in sizes
                  if kind in results["sizes"][str(n)]]
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                      label=label, color=colour)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("reports")
    axes.set_ylabel("build time, s (median)")
    axes.legend(frameon=False)
    figure.savefig(plot, format="svg", metadata={"Date": None})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--reps", type=int, default=None,
                        help="repetitions per size (default: 5, 3 and 2 for 100, 1000, 5000)")
    parser.add_argument("--a-sizes", type=int, nargs="*", default=None,
                        help="sizes at which to build A (default: every size)")
    parser.add_argument("--serve-size", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/report-archive-bench"))
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    parser.add_argument("--page", type=Path, default=ROOT / "reports" / "guide" / "benchmarks.md")
    args = parser.parse_args()
    reps = {n: args.reps or {100: 5, 1000: 3}.get(n, 2) for n in args.sizes}
    a_sizes = set(args.sizes if args.a_sizes is None else args.a_sizes)
    results = measure(args.sizes, reps, a_sizes, args.serve_size, args.work)
    for entry in results["sizes"].values():
        for runs in entry["runs"].values():
            for run_figures in runs:
                run_figures.pop("output", None)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    write_page(results, args.page, args.page.with_suffix(".svg"))
    print(f"wrote {args.json} and {args.page}")


if __name__ == "__main__":
    main()
