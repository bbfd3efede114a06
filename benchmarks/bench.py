"""Benchmark: Report Archive against plain MkDocs + Material on the same reports.

    python benchmarks/bench.py                      # what `make bench` runs
    python benchmarks/bench.py --sizes 100 --light-sizes --reps 1 --serve-sizes 100

For each size N of the real-length corpus (and of the light one), it takes N
reports generated once into `--corpora` (benchmarks/generate.py, fixed seed;
reused by later runs) and builds them, alternating, as
  A: plain MkDocs + Material, the reports as ordinary pages in the navigation
     (what MkDocs does by default), and
  B: Report Archive's full site (reports, tag pages, leaderboards, browse page,
     feeds, reports.json, full-text search),
each build a fresh `mkdocs build` process. It times `report-archive check` on 2
processes, without and with its cache, records the peak memory of every
command (PSS summed over the process and its children: shared pages count
once), and, at the serve sizes, the seconds from saving an edited report to
`mkdocs serve` (no `--dirty`, as `make serve`) serving the edited page.

Results: a JSON file of the raw figures, and a Markdown page with the table of
issue 15 and a plot (matplotlib) for the site's guide.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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
    """Samples the memory of a process and its children until it ends.

    Memory is the proportional set size (PSS, from `/proc/<pid>/smaps_rollup`)
    summed over the process tree: a page shared by forked workers counts once
    in all, where summing their resident sizes (RSS) would count it in each.
    """

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

    def _pss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                match = re.search(r"^Pss:\s+(\d+) kB", handle.read(), re.M)
                return int(match.group(1)) if match else 0
        except OSError:
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(self._pss(pid) for pid in self._tree(self.pid))
            self.peak_kib = max(self.peak_kib, total)
            # Reading a large process's page tables costs the kernel time: every 20 ms
            # it slowed a 1,000-report build by 2-4 s; every 250 ms it costs little,
            # and memory rises and falls over seconds.
            self._stop.wait(0.25)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kib


def user_environment() -> dict[str, str]:
    """This environment as installed packages run for users: their compiled bytecode kept."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


def run(command: list[str], cwd: Path) -> dict[str, Any]:
    env = user_environment()
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
    search = re.search(r"search index ([\d.]+) s", result["output"])
    index = site / "search" / "search_index.json"
    figures = {"seconds": result["seconds"], "peak_mib": result["peak_mib"],
               "site_mib": site_bytes(site) / 2**20,
               "search_index_mib": index.stat().st_size / 2**20 if index.exists() else None,
               "own_seconds": float(own.group(1)) if own else None,
               "search_seconds": float(search.group(1)) if search else None}
    if not keep:
        shutil.rmtree(site)
    return figures


def build_keep(work: Path, docs: Path) -> Path:
    """Build B and keep the site (for the scale checks)."""
    build("B", work, docs, keep=True)
    return work / "site-b"


def check(docs: Path, work: Path, cached: bool) -> dict[str, Any]:
    """`report-archive check` on 2 processes; `cached` False: every file read again."""
    command = [sys.executable, "-m", "report_archive.cli", "check", str(docs), "--format",
               "json", "--jobs", "2"] + ([] if cached else ["--no-cache"])
    result = run(command, work)
    data = json.loads(result["output"][result["output"].index("{"):])
    errors = [d for d in data["diagnostics"] if d["severity"] == "error"]
    if errors:
        raise RuntimeError(f"the generated archive has errors: {errors[:3]}")
    return {"seconds": result["seconds"], "peak_mib": result["peak_mib"],
            "reports_per_s": data["checked"] / result["seconds"], "checked": data["checked"]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_edit(work: Path, docs: Path, kind: str = "B", edits: int = 3,
               temporary: str | None = None) -> dict[str, Any]:
    """Seconds from saving an edit to `mkdocs serve` (what `make serve` runs: every page
    rebuilt, no `--dirty`) serving the changed page; `temporary`: the folder it builds in
    (TMPDIR), else the system's."""
    config_file = work / f"mkdocs-serve-{kind.lower()}.yml"
    config_file.write_text(yaml.safe_dump(config(kind, docs, work / "site-serve")), "utf-8")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a",
         f"127.0.0.1:{port}", "-f", str(config_file)], cwd=work,
        env={**user_environment(), **({"TMPDIR": temporary} if temporary else {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    target = sorted(p for p in docs.glob("*.md") if p.name != "index.md")[-1]
    original = target.read_bytes()
    url = f"http://127.0.0.1:{port}/{target.stem}/"
    try:
        _wait(url, lambda body: True, 600)
        times = []
        for attempt in range(edits):
            marker = f"Edited title {attempt}"
            text = target.read_text(encoding="utf-8")
            text = re.sub(r'^title: .*$', f'title: "{marker}"', text, count=1, flags=re.M)
            start = time.perf_counter()
            target.write_text(text, encoding="utf-8")
            _wait(url, lambda body, m=marker: m in body, 300)
            times.append(time.perf_counter() - start)
            # MkDocs looks for changes every 0.5 s: pauses of 1.0, 1.1, ... 1.4 s put the
            # edits at every point of that cycle, as a writer's come (equal pauses would
            # put every edit at the same point, the same distance from the next look).
            time.sleep(1 + 0.1 * (attempt % 5))
        return {"seconds": statistics.median(times), "runs": times}
    finally:
        # Stopped as with Ctrl+C, MkDocs removes its temporary site (terminated, it would not).
        process.send_signal(signal.SIGINT if os.name == "posix" else signal.SIGTERM)
        process.wait(timeout=30)
        target.write_bytes(original)


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


def disk_probe(pages: int = 1000, size: int = 70_000) -> float:
    """Milliseconds to write `pages` pages of `size` bytes, each in a folder of its own, where
    `mkdocs serve` builds (the temporary folder): what MkDocs writes on every rebuild. A
    shared machine's disk can be many times slower at one hour than at another."""
    root = Path(tempfile.mkdtemp(prefix="bench-disk-"))
    try:
        start = time.perf_counter()
        for number in range(pages):
            folder = root / str(number)
            folder.mkdir()
            (folder / "index.html").write_bytes(b"x" * size)
        return (time.perf_counter() - start) * 1000
    finally:
        shutil.rmtree(root, ignore_errors=True)


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def corpus(kind: str, size: int, root: Path) -> Path:
    """The archive of `size` reports of one kind, generated once into `root` and reused."""
    docs = root / f"ra-{kind}-{size}"
    if not (docs / "index.md").exists():
        generate(size, docs, real=kind == "real")
    return docs


def _summaries(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {kind: {key: summary([r[key] for r in items]) for key in items[0]
                   if isinstance(items[0][key], float)}
            for kind, items in runs.items() if items}


def measure(plan: dict[str, dict[int, int]], a_sizes: set[int], serve: dict[int, str],
            corpora: Path, work_root: Path, example_reps: int = 0,
            builds: bool = True) -> dict[str, Any]:
    """Every figure of the table: builds A and B alternating, check, the edit loop, the
    example archive."""
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "date": time.strftime("%Y-%m-%d"), "load": {"start": os.getloadavg()},
        "disk": {"start": disk_probe()},
        "corpora": {}}
    for kind, sizes in plan.items():
        results["corpora"][kind] = {}
        for size, reps in sizes.items():
            docs = corpus(kind, size, corpora)
            work = work_root / f"{kind}-{size}"
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
            runs: dict[str, list[dict[str, Any]]] = {"A": [], "B": [], "check": [],
                                                     "check_cold": []}
            check(docs, work, cached=True)  # fills the cache the "cached" runs read
            for rep in range(reps):
                for build_kind in ("A", "B"):
                    if not builds or (build_kind == "A" and size not in a_sizes):
                        continue
                    figures = build(build_kind, work, docs)
                    runs[build_kind].append(figures)
                    print(f"{kind} N={size} rep {rep + 1} {build_kind}: "
                          f"{figures['seconds']:.1f} s, {figures['peak_mib']:.0f} MiB",
                          flush=True)
                runs["check_cold"].append(check(docs, work, cached=False))
                runs["check"].append(check(docs, work, cached=True))
            results["corpora"][kind][str(size)] = {"runs": runs, **_summaries(runs)}
            shutil.rmtree(work)
    results["serve"] = {}
    for size, kinds in serve.items():
        docs, work = corpus("real", size, corpora), work_root / f"serve-{size}"
        work.mkdir(parents=True, exist_ok=True)
        edits: dict[str, Any] = {}
        for build_kind in kinds:
            edits[build_kind] = serve_edit(work, docs, build_kind,
                                           edits=5 if build_kind == "B" else 1)
            print(f"real N={size} serve edit {build_kind}: "
                  f"{edits[build_kind]['seconds']:.2f} s", flush=True)
        # MkDocs writes every page on every rebuild: the same with its temporary folder
        # in memory shows what the disk adds.
        if size >= 1000 and Path("/dev/shm").is_dir():
            edits["B-memory"] = serve_edit(work, docs, "B", edits=5, temporary="/dev/shm")
            print(f"real N={size} serve edit B, in memory: "
                  f"{edits['B-memory']['seconds']:.2f} s", flush=True)
        results["serve"][str(size)] = edits
        shutil.rmtree(work)
    if example_reps:
        results["example"] = example(example_reps, work_root / "example")
    results["load"]["end"] = os.getloadavg()
    results["disk"]["end"] = disk_probe()
    return results


def example(reps: int, work: Path) -> dict[str, Any]:
    """The repository's example archive (ten reports and the guide), plain and ours."""
    work.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict[str, Any]]] = {"A": [], "B": []}
    for rep in range(reps):
        for kind in ("A", "B"):
            runs[kind].append(build(kind, work, ROOT / "reports"))
            print(f"example rep {rep + 1} {kind}: {runs[kind][-1]['seconds']:.2f} s", flush=True)
    shutil.rmtree(work)
    return {"runs": runs, **_summaries(runs)}


def _cell(figures: dict[str, float] | None, digits: int = 1, unit: str = "") -> str:
    if not figures:
        return "—"
    median, low, high = figures["median"], figures["min"], figures["max"]
    spread = f" ({low:.{digits}f}–{high:.{digits}f})" if high > low else ""
    return f"{median:.{digits}f}{unit}{spread}"


def table(results: dict[str, Any]) -> list[str]:
    """The issue's table: each measure for plain Material and for Report Archive."""
    rows = ["| measure (2 cores) | plain Material | Report Archive | ratio | goal |",
            "|---|---:|---:|---:|---|"]
    goals = {1000: "≤ 0.30×"}
    if "example" in results:
        a, b = results["example"]["A"]["seconds"], results["example"]["B"]["seconds"]
        rows.append(f"| full build, the example archive (10 reports and the guide), s | "
                    f"{_cell(a, 2)} | {_cell(b, 2)} | {b['median'] / a['median']:.2f}× | "
                    "≤ 1.5× |")
    for kind, label in (("real", "real-length"), ("light", "light")):
        for size, entry in results["corpora"].get(kind, {}).items():
            n = int(size)
            a, b = entry.get("A", {}).get("seconds"), entry["B"]["seconds"]
            ratio = f"{b['median'] / a['median']:.2f}×" if a else "—"
            rows.append(f"| full build, {n:,} {label} reports, s | {_cell(a)} | {_cell(b)} | "
                        f"{ratio} | {goals.get(n, '') if kind == 'real' else ''} |")
            search, whole = entry["B"].get("search_seconds"), b["median"]
            if search and kind == "real":
                rows.append(f"| search index share of the build, {n:,} {label} | — | "
                            f"{search['median']:.1f} s | {search['median'] / whole:.0%} | "
                            "≤ 15% |")
    for size, entry in results["corpora"].get("real", {}).items():
        n = int(size)
        for key, what in (("check_cold", "first run"), ("check", "cached")):
            if key in entry:
                rows.append(f"| `check`, {n:,} real-length reports, {what}, reports/s | — | "
                            f"{_cell(entry[key]['reports_per_s'], 0)} | — | "
                            f"{'≥ 2,000' if n == 1000 else ''} |")
    for size, edits in results.get("serve", {}).items():
        if edits:
            a_edit, b_edit = edits.get("A"), edits["B"]
            a_text = f"{a_edit['seconds']:.2f}" if a_edit else "≈ a full build"
            ratio = f"{b_edit['seconds'] / a_edit['seconds']:.2f}×" if a_edit else "—"
            rows.append(f"| `mkdocs serve`: edit a report → page served with the edit, "
                        f"{int(size):,} reports, s | {a_text} | {b_edit['seconds']:.2f} "
                        f"({min(b_edit['runs']):.2f}–{max(b_edit['runs']):.2f}) | {ratio} | "
                        f"{'≤ 1.0 s' if int(size) == 100 else '≤ 3 s'} |")
        if edits and "B-memory" in edits:
            b_edit = edits["B-memory"]
            rows.append(f"| same, {int(size):,} reports, `mkdocs serve` building in memory "
                        f"(`TMPDIR=/dev/shm`), s | — | {b_edit['seconds']:.2f} "
                        f"({min(b_edit['runs']):.2f}–{max(b_edit['runs']):.2f}) | — | |")
    for size, entry in results["corpora"].get("real", {}).items():
        rows.append(f"| peak memory (PSS, whole build), {int(size):,} real-length reports, "
                    f"MiB | {_cell(entry.get('A', {}).get('peak_mib'), 0)} | "
                    f"{_cell(entry['B']['peak_mib'], 0)} | — | "
                    f"{'≤ 1,536' if int(size) == 5000 else ''} |")
    return rows


def disk_note(results: dict[str, Any]) -> str:
    """How fast the disk wrote pages while the figures were measured."""
    disk = results.get("disk")
    if not disk or "end" not in disk:
        return ""
    return (f" Writing 1,000 pages, each in a folder of its own, in the temporary folder\n"
            f"(as `mkdocs serve` does on every rebuild) took {disk['start']:,.0f} ms at the\n"
            f"start and {disk['end']:,.0f} ms at the end.")


def write_page(results: dict[str, Any], page: Path, plot: Path) -> None:
    _plot(results, plot)
    machine, load = results["machine"], results["load"]
    loads = ", ".join(f"{x:.1f}" for x in load["start"]) + " at the start, " + \
        ", ".join(f"{x:.1f}" for x in load["end"]) + " at the end"
    # The search benchmark's section (search_bench.py) is kept as it was.
    old = page.read_text(encoding="utf-8") if page.exists() else ""
    start, end = old.find("<!-- search-bench -->"), old.find("<!-- /search-bench -->")
    kept = old[start:end + len("<!-- /search-bench -->")]
    search = "\n" + kept + "\n" if 0 <= start < end else ""
    page.write_text(f"""---
title: Benchmarks
---

# Benchmarks

Measured by `make bench` (`benchmarks/bench.py`) on {results['date']}, on a
machine with {machine['cpus']} cores (Python {machine['python']}), shared with
other work (load average {loads}): read the ratios, which compare builds run
one after the other, rather than the seconds.{disk_note(results)} **Plain Material** is MkDocs +
Material with the reports as ordinary pages in the navigation, as MkDocs does by
default; **Report Archive** is the full site: reports, tag pages, leaderboards
with charts, the browse page, feeds, `reports.json` and the full-text search
index. The real-length corpus (`benchmarks/generate.py --real-length`) has
reports as long and varied as real ones (~370 lines, every table filled); the
light one, shorter reports. Builds alternate plain and Report Archive; figures
are medians, with the range (min–max) of the repetitions in brackets.

{chr(10).join(table(results))}

- **Memory** is the proportional set size (PSS) summed over the build's
  processes, sampled every 250 ms: pages that forked workers share with the
  build count once.
- **`check`** runs on 2 processes; "cached" is a second run on the unchanged
  archive (each file's result is kept in the user's cache folder, keyed by its
  content, the options and the package).
- **The edit loop** is `mkdocs serve` as `make serve` runs it (no `--dirty`):
  the seconds from saving an edited report to the server answering with the
  edited page (median of five edits, spread over MkDocs' 0.5 s cycle of looking
  for changes). Each edit retitles the newest report,
  which the navigation of every page lists: the costliest kind of edit. On every
  rebuild MkDocs empties its temporary folder and writes every page again; at
  1,000 reports the loop is also measured with that folder in memory
  (`TMPDIR=/dev/shm`), which shows how much of it is the disk's.
- Plain Material is not built at 5,000 reports: a navigation of 5,000 entries in
  each of 5,000 pages takes tens of minutes and gigabytes of disk.

![Build time against archive size, for plain Material and Report Archive]({plot.name})
{search}""", encoding="utf-8")


def _plot(results: dict[str, Any], plot: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "bench"})
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.5), layout="constrained")
    axes = figure.add_subplot()
    real = results["corpora"].get("real", {})
    sizes = sorted(int(s) for s in real)
    for kind, label, colour in (("A", "plain Material", "#9e9e9e"),
                                ("B", "Report Archive", "#3f51b5")):
        points = [(n, real[str(n)][kind]["seconds"]["median"]) for n in sizes
                  if kind in real[str(n)]]
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
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 5000],
                        help="archive sizes of the real-length corpus")
    parser.add_argument("--light-sizes", type=int, nargs="*", default=[1000],
                        help="archive sizes of the light corpus")
    parser.add_argument("--reps", type=int, default=None,
                        help="repetitions per size (default: 3, 2 and 1 for 100, 1000, 5000)")
    parser.add_argument("--a-sizes", type=int, nargs="*", default=[100, 1000],
                        help="sizes at which to build plain Material")
    parser.add_argument("--serve-sizes", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--corpora", type=Path, default=Path("/tmp"),
                        help="where the generated archives are kept and reused")
    parser.add_argument("--work", type=Path, default=Path("/tmp/report-archive-bench"))
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    parser.add_argument("--page", type=Path, default=ROOT / "reports" / "guide" / "benchmarks.md")
    parser.add_argument("--example-reps", type=int, default=5,
                        help="builds of the example archive, plain and ours (0: none)")
    parser.add_argument("--checks-only", action="store_true",
                        help="at the --sizes, time `check` only (no builds)")
    parser.add_argument("--update", action="store_true",
                        help="keep the figures of the JSON file that this run does not measure")
    args = parser.parse_args()

    def reps(n: int) -> int:
        return int(args.reps or {100: 3, 1000: 2}.get(n, 1))

    plan = {"real": {n: reps(n) for n in args.sizes},
            "light": {n: 1 for n in args.light_sizes}}
    a_sizes = set(args.a_sizes)
    # Plain Material's edit loop is a full build: measured where that takes seconds.
    serve = {n: ("A", "B") if n <= 100 else ("B",) for n in args.serve_sizes}
    results = measure(plan, a_sizes, serve, args.corpora, args.work, args.example_reps,
                      builds=not args.checks_only)
    if args.update and args.json.exists():
        results = _merged(json.loads(args.json.read_text(encoding="utf-8")), results)
    for sizes in results["corpora"].values():
        for entry in sizes.values():
            for runs in entry["runs"].values():
                for run_figures in runs:
                    run_figures.pop("output", None)
    args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    write_page(results, args.page, args.page.with_suffix(".svg"))
    print(f"wrote {args.json} and {args.page}")


def _merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """`old` with every figure `new` measured put in its place."""
    merged = {**old, "date": new["date"], "load": new["load"], "disk": new.get("disk")}
    for sizes in merged.get("corpora", {}).values():
        for entry in sizes.values():
            entry.pop("serve_edit", None)  # measured apart since
    for kind, sizes in new["corpora"].items():
        for size, entry in sizes.items():
            into = merged.setdefault("corpora", {}).setdefault(kind, {}).setdefault(size, {})
            runs = {name: found for name, found in entry["runs"].items() if found}
            into.setdefault("runs", {}).update(runs)
            into.update({name: entry[name] for name in runs if name in entry})
    merged.setdefault("serve", {}).update(new.get("serve", {}))
    if "example" in new:
        merged["example"] = new["example"]
    return merged


if __name__ == "__main__":
    main()
