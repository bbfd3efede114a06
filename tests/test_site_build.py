"""The core's build object and its parts, tested without MkDocs: planning, ranking,
feeds, search entries, page decoration and the parallel helpers."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest
from mkdocs.utils import get_relative_url

from conftest import EXAMPLE_DOCS
from report_archive.archive import Archive
from report_archive.build import BuildFailed, SiteBuild, Source
from report_archive.compare import leaderboards
from report_archive.discovery import read_many
from report_archive.parallel import Background, Pool, fork_map
from report_archive.settings import Settings
from report_archive.urls import BROWSE, HOME, REPORTS_JSON, TAG_INDEX

EXAMPLES = sorted(p for p in EXAMPLE_DOCS.glob("*.md"))


class FakeLinks:
    """URLs as MkDocs makes them with directory URLs, without MkDocs."""

    def __init__(self, site_url: str = "") -> None:
        self.site_url = site_url

    def url(self, src: str) -> str:
        if not src.endswith(".md"):
            return src
        stem = src.removesuffix(".md")
        if stem == "index" or stem.endswith("/index"):
            return stem.removesuffix("index")
        return stem + "/"

    def rel(self, from_src: str, to_src: str) -> str:
        return get_relative_url(self.url(to_src), self.url(from_src))


def _sources() -> list[Source]:
    return [Source(p.name, raw=p.read_bytes()) for p in EXAMPLES]


def _broken() -> Source:
    text = EXAMPLES[0].read_text(encoding="utf-8").replace("## 5. Results", "## 5. Resultz")
    return Source("broken.md", raw=text.encode("utf-8"))


@pytest.fixture
def site() -> SiteBuild:
    build = SiteBuild()
    build.start(Settings())
    build.read(_sources())
    return build


def test_read_uses_the_cache_for_unchanged_files(site: SiteBuild) -> None:
    first = {r.path: r for r in site.archive.files} if site.archive else {}
    site.start(Settings())
    changed = [s if s.src_uri != EXAMPLES[1].name else
               Source(s.src_uri, raw=(s.raw or b"") + b"\nMore text.\n") for s in _sources()]
    site.read(changed)
    assert site.archive is not None
    again = {r.path: r for r in site.archive.files}
    assert again[EXAMPLES[0].name] is first[EXAMPLES[0].name]
    assert again[EXAMPLES[1].name] is not first[EXAMPLES[1].name]


def test_other_settings_read_every_file_again(site: SiteBuild) -> None:
    assert site.archive is not None
    before = site.archive.files[0]
    site.start(Settings(nav_max_reports=3))
    site.read(_sources())
    assert site.archive is not None and site.archive.files[0] is not before


def test_a_report_with_errors_stops_a_build_but_not_a_preview() -> None:
    build = SiteBuild()
    build.start(Settings())
    build.read([*_sources(), _broken()])
    with pytest.raises(BuildFailed, match="1 of 11 reports have errors"):
        build.check_errors()
    build.start(Settings(), serving=True)
    build.read([*_sources(), _broken()])
    build.check_errors()
    assert "11 reports, 11 published, " in build.summary_line()


def test_unreadable_file_gets_a_page_whose_name_is_not_markdown() -> None:
    build = SiteBuild()
    build.start(Settings(), serving=True)
    name = "[x](javascript:alert(1))`.md"
    build.read([Source(name, error=PermissionError(13, "Permission denied"))])
    (page,) = build.unreadable()
    assert page.src_uri == name
    assert "](javascript:" not in page.content and "`" not in page.content
    assert "Permission denied" in page.content and "<code>&#91;x&#93;" in page.content


def test_plan_adds_listings_data_assets_and_a_home_when_missing(site: SiteBuild) -> None:
    planned = {f.src_uri for f in site.plan(site_name="Team <X>", has_home=False)}
    assert {HOME, REPORTS_JSON, TAG_INDEX, BROWSE, "compare/index.md", "feed.xml",
            "compare/sst-2/index.md", "tags/nlp/index.md",
            "assets/report-archive/browse.js"} <= planned
    home = next(f for f in site.plan(site_name="Team <X>", has_home=False) if f.src_uri == HOME)
    assert "Team &lt;X&gt;" in home.content
    assert HOME not in {f.src_uri for f in site.plan(site_name="x", has_home=True)}


def test_rendering_gives_reports_json_listings_cards_and_feeds(site: SiteBuild) -> None:
    site.plan(site_name="x", has_home=True)
    data = json.loads(site.begin_rendering(FakeLinks("https://team.example/archive/")))
    assert len(data["reports"]) == len(EXAMPLES) - 1  # index.md is a plain page
    assert data["reports"][0]["date"] >= data["reports"][-1]["date"]
    try:
        # A listing's Markdown keeps only a marker; the HTML comes back after Markdown.
        markdown = site.listing_source(TAG_INDEX)
        assert markdown is not None and "<!-- report-archive:listing -->" in markdown
        assert "<div" not in markdown.split("<!-- report-archive:listing -->")[1]
        listed = site.page_html(TAG_INDEX, "<h1>Tags</h1><!-- report-archive:listing -->")
        assert listed is not None and 'href="nlp/"' in listed
        # A report page gets its card after the title and related reports at the end.
        report = data["reports"][0]["path"]
        html = site.page_html(report, "<h1>T</h1><p>Body</p><p onclick=x>x</p>")
        assert html is not None
        assert html.index("</h1>") < html.index("ra-card") < html.index("Body")
        assert "onclick" not in html  # every page passes the sanitizer
        assert site.page_html("guide/site.md", "<p>x</p>") == "<p>x</p>"
        statics = site.static_contents()
        feed = ET.fromstring(statics["feed.xml"])
        entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
        assert len(entries) == len(data["reports"])
        assert any(src.endswith("bars.svg") and "<svg" in svg for src, svg in statics.items())
    finally:
        site.close()


def test_report_page_markdown_drops_the_header_lines_the_card_shows(site: SiteBuild) -> None:
    report = next(r for r in site.by_src.values())
    markdown = "# Title\n\n**Researchers**: A\n**Date**: 2024-01-01\n\n## Executive Summary\n"
    change = site.report_page(report.path, markdown)
    assert change is not None and "Researchers" not in change.markdown
    assert "## Executive Summary" in change.markdown
    assert site.report_page("guide/site.md", markdown) is None


def test_leaderboards_rank_lower_is_better_ascending_and_missing_last() -> None:
    archive = Archive(read_many([(p.read_bytes(), p.name) for p in EXAMPLES], Settings()),
                      Settings())
    boards = {b.dataset: b for b in leaderboards(archive)}
    speech = boards["LibriSpeech test-clean"]
    values = [e.value(speech.primary or "") for e in speech.rows]
    present = [v for v in values if v is not None]
    assert present == sorted(present)  # WER: lower is better
    assert values[len(present):] == [None] * (len(values) - len(present))
    sst = boards["SST-2"]
    accuracy = [e.value(sst.primary or "") for e in sst.rows]
    assert accuracy == sorted(accuracy, reverse=True) and sst.rows[0].rank == 1


def _square(offset: int, item: int) -> tuple[int, int]:
    return item * item + offset, os.getpid()


def test_fork_map_keeps_order_and_uses_other_processes() -> None:
    items = list(range(300))
    results = fork_map(_square, items, 1, min_items=10)
    assert [r for r, _ in results] == [i * i + 1 for i in items]
    if (os.cpu_count() or 1) > 1:
        assert {pid for _, pid in results} != {os.getpid()}


def test_background_gives_the_same_results_as_a_plain_loop() -> None:
    job = Background(_square, list(range(50)), 2, min_items=10)
    try:
        assert [r for r, _ in job.result()] == [i * i + 2 for i in range(50)]
    finally:
        job.close()
    small = Background(_square, [3], 0, min_items=10)
    assert small.result() == [(9, os.getpid())]


def test_packed_results_wait_compressed_and_come_back_unchanged() -> None:
    """Rendered pages wait for MkDocs packed (pickled, compressed); each is given back
    as the worker made it, and a chunk no worker has started is left to the caller."""
    items = list(range(200))
    pool = Pool(5)
    forked = pool.executor is not None
    try:
        batch = pool.map(_square, items, size=10, packed=True)
        first = batch.get(0)
        if forked:
            assert isinstance(batch.done[0][0], bytes)  # as it waits
        assert first[0] == 5
        assert [batch.take(i)[0] for i in items] == [i * i + 5 for i in items]
        stolen = pool.map(_square, items, size=10, from_the_end=True, packed=True)
        stolen.get(items[-1])  # the workers began with the last chunk: it is done
        taken = [stolen.take(i, steal=True) for i in items]
    finally:
        pool.close()
    assert all(r is None or r[0] == i * i + 5 for i, r in zip(items, taken, strict=True))
    assert taken[-1] is not None and taken[-1][0] == 199 * 199 + 5
    if forked:
        assert taken[-1][1] != os.getpid()
