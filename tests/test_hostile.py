"""Hostile and broken input: nothing crashes, nothing is lost, nothing executes.

The inputs are made by the tests (tests/hostile.py); each is checked by
`report-archive check` and by a site build, as `mkdocs build` and as
`mkdocs serve` would run it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from browser import refuse_other_origins, serve
from conftest import Build, build_site
from hostile import MARK, XSS, Case, cases, write_archive
from report_archive.rules import RULES

pytestmark = pytest.mark.slow
CASES = cases()


def _tree(root: Path, skip: Path) -> set[Path]:
    return {p for p in root.rglob("*") if skip not in p.parents and p != skip}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Build, Build]]:
    """The hostile archive, built as `mkdocs build` and as `mkdocs serve`."""
    tmp = tmp_path_factory.mktemp("hostile")
    docs = tmp / "docs"
    write_archive(docs, CASES)
    before = _tree(tmp, tmp / "site")
    strict = build_site(tmp / "build", docs)
    served = build_site(tmp / "serve", docs, command="serve")
    after = _tree(tmp, tmp / "serve" / "site")
    created = {p for p in after - before if (tmp / "build" / "site") not in p.parents}
    # Nothing is created outside the two site folders (and their config files).
    assert {p.relative_to(tmp) for p in created} <= {
        Path("build"), Path("build/mkdocs.yml"), Path("build/site"),
        Path("serve"), Path("serve/mkdocs.yml"), Path("serve/site")}
    yield docs, strict, served


def test_check_reports_every_case_without_traceback(hostile: tuple[Path, Build, Build]) -> None:
    docs = hostile[0]
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "report_archive.cli", "check", str(docs),
                             "--format", "json"], capture_output=True, text=True, check=False,
                            timeout=120)
    assert time.monotonic() - started < 60
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert data["checked"] == len(CASES) + 1
    by_file: dict[str, set[str]] = {}
    for d in data["diagnostics"]:
        by_file.setdefault(Path(d["path"]).stem, set()).add(d["rule"])
        assert d["message"] and d["hint"] is not None
    for case in CASES:
        got = by_file.get(case.name, set())
        if case.expect is None:
            assert got == set(), case.name
        else:
            assert case.expect <= got, (case.name, got)


def test_build_fails_cleanly_naming_every_broken_file(
        hostile: tuple[Path, Build, Build]) -> None:
    strict = hostile[1]
    assert strict.error is not None
    errors = "\n".join(strict.messages(40))
    assert "Traceback" not in errors
    for case in CASES:
        if case.expect and any(RULES[rule].severity == "error" for rule in case.expect):
            assert f"{case.name}.md" in errors, case.name
    assert not (strict.site / "index.html").exists()


def test_serve_publishes_every_file(hostile: tuple[Path, Build, Build]) -> None:
    served = hostile[2]
    assert served.error is None, served.messages(40)
    data = json.loads((served.site / "reports.json").read_text(encoding="utf-8"))
    schema = json.loads((served.site / "reports.schema.json").read_text(encoding="utf-8"))
    # Broken reports published while serving (no date, no status) still fit the schema.
    assert [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)] == []
    listed = {r["path"] for r in data["reports"]}
    for case in CASES:
        page = served.site / case.name / "index.html"
        assert page.is_file(), case.name
        html = page.read_text(encoding="utf-8")
        if case.expect == {"report-type-missing"}:
            continue  # a plain page: published as such, its warning in the build log
        if case.expect:
            assert "ra-problems" in html or "Unreadable report" in html, case.name
        else:
            assert f"{case.name}.md" in listed, case.name
    for report in data["reports"]:
        for tag in report["tags"]:
            tag_page = served.site / "tags" / tag["slug"] / "index.html"
            assert tag_page.resolve().is_relative_to(served.site.resolve())
            assert report["url"] in tag_page.read_text(encoding="utf-8")


class _Handlers(HTMLParser):
    """Event-handler attributes of the elements of a page (not text that shows them)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]


def _handlers(text: str) -> list[str]:
    parser = _Handlers()
    parser.feed(text)
    return parser.found


def test_values_are_escaped_in_title_and_nav(hostile: tuple[Path, Build, Build]) -> None:
    site = hostile[2].site
    html = (site / "value-title" / "index.html").read_text(encoding="utf-8")
    title = html.split("<title>")[1].split("</title>")[0]
    assert "<script>" not in title and "&lt;script&gt;" in title
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in text, page
        assert _handlers(text) == [], page
        assert 'href="javascript:' not in text, page


def test_no_script_from_a_report_runs_on_any_page(hostile: tuple[Path, Build, Build],
                                                  browser: Any) -> None:
    site = hostile[2].site
    # Every page the plugin generates, and every report page that carries a payload.
    carriers = {c.name for c in CASES if c.name.startswith(("value-", "tags-"))}
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if p.parent.name in carriers or p.relative_to(site).parts[0] in
                   ("tags", "compare", "browse", "index.html"))
    dialogs: list[str] = []
    foreign: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(page.url), dialog.dismiss()))
    ran: list[str] = []
    with serve(site) as url:
        refuse_other_origins(page, url, foreign)
        for path in pages:
            page.goto(url + path, wait_until="load")
            if page.evaluate("window.__pwned"):
                ran.append(path)
            for link in page.locator('a[href^="javascript:"]').all():
                ran.append(f"{path}: {link.get_attribute('href')}")
    context.close()
    assert dialogs == [] and ran == []
    assert foreign == []
    assert len(pages) > 40


def test_alias_bomb_check_is_fast_and_small(tmp_path: Path) -> None:
    bomb = next(c for c in CASES if c.name == "yaml-alias-bomb")
    (tmp_path / "bomb.md").write_bytes(bomb.content)
    # VmHWM is the peak of this process alone (ru_maxrss survives exec from pytest).
    probe = ("import re, sys, time\n"
             "from report_archive.cli import main\n"
             "start = time.perf_counter()\n"
             "try:\n    main([\"check\", sys.argv[1], \"--format\", \"json\"])\n"
             "except SystemExit:\n    pass\n"
             "status = open('/proc/self/status').read()\n"
             "peak = re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)\n"
             "print('RESULT', time.perf_counter() - start, peak)\n")
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "bomb.md")],
                            capture_output=True, text=True, check=False, timeout=60)
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT"))
    seconds, peak_kib = float(line.split()[1]), int(line.split()[2])
    assert "limit-yaml-nodes" in result.stdout
    assert seconds < 2.0
    assert peak_kib < 200 * 1024


def test_two_builds_are_identical(tmp_path: Path) -> None:
    first = build_site(tmp_path / "one")
    second = build_site(tmp_path / "two")
    assert first.error is None and second.error is None
    dated = {"sitemap.xml", "sitemap.xml.gz"}  # MkDocs puts build dates in these

    def files(site: Path) -> dict[str, bytes]:
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*")
                if p.is_file() and p.name not in dated}

    one, two = files(first.site), files(second.site)
    assert one.keys() == two.keys()
    differ = [name for name in one if one[name] != two[name]]
    assert differ == []


def test_case_inventory_covers_every_class() -> None:
    names = {c.name for c in CASES}
    for needed in ["yaml-syntax", "yaml-tabs", "yaml-alias-bomb", "yaml-deep", "yaml-key-types",
                   "yaml-huge-scalar", "bytes-nul", "bytes-latin1", "bytes-utf16",
                   "bytes-utf8-bom", "bytes-crlf", "bytes-lone-cr", "bytes-empty",
                   "bytes-unclosed", "bytes-20mb", "bytes-5000-rows", "value-title",
                   "value-authors", "value-tags", "value-dataset", "value-summary",
                   "value-cells", "tags-escape", "tags-windows", "tags-long", "metric-nan",
                   "metric-inf"]:
        assert needed in names
    assert sum(1 for n in names if n.startswith("yaml-") and n.count("-") >= 2) >= 60
    assert MARK and XSS
    assert all(isinstance(c, Case) for c in CASES)
    assert os.sep not in "".join(names)
