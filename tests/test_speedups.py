"""The speed-ups change nothing a reader sees: report bodies rendered on other cores
or kept from an earlier build give the same pages, byte for byte, as a cold build on
one core; and under `mkdocs serve` an edit to one report reaches every page that
shows it."""

from __future__ import annotations

import logging
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from mkdocs.structure.pages import Page

import report_archive.parallel as parallel
from conftest import ROOT, copy_archive, write_config
from test_publish import _get, _wait_for, serving_example

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate

# Pages that name the day they were built.
DATED = {"sitemap.xml", "sitemap.xml.gz"}


def _archive(tmp: Path) -> Path:
    """The example archive and 40 real-length reports: enough for the workers to start."""
    docs = copy_archive(tmp)
    generated = tmp / "generated"
    generate(40, generated, real=True)
    for path in generated.glob("*.md"):
        if path.name != "index.md":
            shutil.copy(path, docs / path.name)
    return docs


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and p.name not in DATED}


class _Renders:
    """Counts the report bodies MkDocs renders itself (an empty body: rendered elsewhere)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bodies = 0
        original = Page.render

        def render(page: Page, config: Any, files: Any) -> None:
            if page.markdown and page.meta.get("type") == "ml-experiment-report":
                self.bodies += 1
            original(page, config, files)

        monkeypatch.setattr(Page, "render", render)


def _build(config_file: Path, command: str = "build") -> Any:
    """One `mkdocs build`. As under `serve`, MkDocs keeps our plugin (it has `on_startup`)
    from one build to the next in the same process, and with it what it keeps."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(config_file))
    config.plugins.on_startup(command=command, dirty=False)
    build(config)
    # Under `serve`, the search index is written just after the pages.
    config.plugins["report-archive"].site.wait_for_index()
    return config


def _forget_kept_bodies() -> None:
    """Start cold: drop what the kept plugin (see `_build`) holds from earlier tests."""
    from mkdocs.config.defaults import MkDocsConfig

    cache = MkDocsConfig.plugins.plugin_cache  # type: ignore[attr-defined]
    cache.pop("report-archive", None)


def _pools(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each pool of the build had forked workers."""
    started: list[bool] = []
    original = parallel.Pool.__init__

    def init(self: parallel.Pool, context: Any, enabled: bool = True) -> None:
        original(self, context, enabled)
        started.append(self.executor is not None)

    monkeypatch.setattr(parallel.Pool, "__init__", init)
    return started


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork and two cores")
def test_parallel_and_cached_builds_match_a_cold_build_on_one_core(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _archive(tmp_path)
    config_file = write_config(tmp_path, docs)
    site = tmp_path / "site"
    renders = _Renders(monkeypatch)
    pools = _pools(monkeypatch)

    # Cold, on one core: MkDocs renders every report itself.
    _forget_kept_bodies()
    with monkeypatch.context() as one_core:
        one_core.setattr(parallel, "can_fork", lambda: False)
        _build(config_file)
    sequential = _files(site)
    assert renders.bodies == 50 and pools == [False]

    # On every core.
    renders.bodies = 0
    _build(config_file)
    assert _files(site) == sequential
    # Some on the other cores; this process renders those no worker had started.
    assert renders.bodies < 50 and pools[-1] is True
    renders.bodies = 0

    # As under `serve` (one core), whose pages differ from a build's (problems are shown,
    # the policy allows MkDocs' live-reload script): the first build renders every body,
    # the next one keeps bodies and whole pages, and gives the same pages.
    _forget_kept_bodies()
    with monkeypatch.context() as one_core:
        one_core.setattr(parallel, "can_fork", lambda: False)
        _build(config_file, "serve")
        served = _files(site)
        assert served != sequential
        assert renders.bodies == 50
        renders.bodies = 0
        kept = _Kept(monkeypatch)
        finished: list[str] = []
        import report_archive.build as site_build
        policy = site_build.add_policy
        one_core.setattr(site_build, "add_policy",
                         lambda page, *a, **k: finished.append(page) or policy(page, *a, **k))
        _build(config_file, "serve")
        assert _files(site) == served
        assert renders.bodies == 0 and kept.pages == 50 and kept.others > 50
        assert finished == []  # every page's output as last time: finished as last time

        # One report changed: only its body is rendered again, its page shows the change.
        report = docs / "2023-02-14-bert-base-sst2.md"
        report.write_text(report.read_text(encoding="utf-8").replace(
            "## 1. Objective", "## 1. Objective\n\nA sentence added since.", 1), "utf-8")
        kept.pages = 0
        _build(config_file, "serve")
    assert renders.bodies == 1 and kept.pages == 49
    page = (site / "2023-02-14-bert-base-sst2" / "index.html").read_text(encoding="utf-8")
    assert "A sentence added since." in page

    # A new title for the newest report, which the navigation of every page lists: the
    # kept pages get the new navigation, as a cold build renders it, byte for byte.
    newest = max(docs.glob("20*.md"))
    newest.write_text(newest.read_text(encoding="utf-8").replace(
        'title: "', 'title: "Retitled: ', 1), encoding="utf-8")
    with monkeypatch.context() as one_core:
        one_core.setattr(parallel, "can_fork", lambda: False)
        frames = _Frames(one_core)
        cards = _Cards(one_core)
        finished.clear()
        one_core.setattr(site_build, "add_policy",
                         lambda page, *a, **k: finished.append(page) or policy(page, *a, **k))
        keeper = _build(config_file, "serve").plugins["report-archive"].keeper
        spliced = _files(site)
        finished_whole = len(finished)
        # Pages in the navigation (each shows it its own way) got the new title put in
        # their last navigation, once that gave what the theme made for one of them.
        assert keeper.retitle_works is True
        # Made again: the retitled report's header card, and the related reports of those
        # that list it (and its own).
        assert cards.made == [newest.name]
        assert 1 < len(cards.related) < 20
        whole = sum(1 for output in keeper.kept_now.values() if output is not None)
        _forget_kept_bodies()
        _build(config_file, "serve")
    other = next(name for name in spliced if name.startswith("2023-02-14-bert-base-sst2/"))
    assert "Retitled: " in _nav(spliced[other].decode())
    assert spliced == _files(site)
    assert whole > 100  # kept with the new navigation spliced in, not rendered again
    # and most finished as they were, the new navigation put in: only pages whose content
    # changed (or that were rendered again) are finished whole.
    assert finished_whole < whole
    # Reports that list the retitled one among their related reports: their new content
    # (and navigation) spliced into the kept page.
    assert frames.content > 0

    # Twice more: the second time into pages spliced the first time (whose navigation
    # and content have moved), as a cold build renders them.
    with monkeypatch.context() as one_core:
        one_core.setattr(parallel, "can_fork", lambda: False)
        frames = _Frames(one_core)
        for again in ("Again: ", "Once more: "):
            newest.write_text(newest.read_text(encoding="utf-8").replace(
                'title: "', f'title: "{again}', 1), encoding="utf-8")
            _build(config_file, "serve")
        twice = _files(site)
        _forget_kept_bodies()
        _build(config_file, "serve")
    assert "Once more: Again: Retitled: " in _nav(twice[other].decode())
    assert twice == _files(site) and frames.content > 0


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork and two cores")
def test_listings_rendered_on_other_cores_are_kept_under_serve(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under `serve`, tag pages and feeds rendered by the workers are kept, as those
    rendered here are: the next build renders only those whose reports changed."""
    from report_archive.build import SiteBuild

    docs = _archive(tmp_path)
    config_file = write_config(tmp_path, docs)
    site = tmp_path / "site"
    pools = _pools(monkeypatch)
    kept: list[tuple[int, int]] = []
    original = SiteBuild.start_workers

    def start_workers(build: SiteBuild, bodies: Any = None) -> None:
        original(build, bodies)
        kept.append((len(build.ready), len(build.listing_keys)))

    monkeypatch.setattr(SiteBuild, "start_workers", start_workers)
    _forget_kept_bodies()
    _build(config_file, "serve")
    first = _files(site)
    _build(config_file, "serve")
    assert pools[-1] is True and _files(site) == first
    ready, keyed = kept[-1]
    assert keyed > 20 and ready == keyed
    # A retitled report: the pages of its tags (and their feeds) are rendered again.
    report = docs / "2023-02-14-bert-base-sst2.md"
    report.write_text(re.sub(r'^title: .*$', 'title: "Retitled for its tags"',
                             report.read_text(encoding="utf-8"), count=1, flags=re.M), "utf-8")
    _build(config_file, "serve")
    ready, keyed = kept[-1]
    assert 0 < keyed - ready < keyed // 2
    assert "Retitled for its tags" in (site / "tags" / "nlp" / "index.html").read_text("utf-8")


class _Cards:
    """The reports whose header card is made (not kept from the last build), and the
    lists of related reports made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from report_archive.render import Renderer

        self.made: list[str] = []
        self.related: list[Any] = []
        card_of, render = Renderer.card, Renderer.render

        def card(renderer: Renderer, context: Any, href: Any) -> str:
            self.made.append(context["report"].path)
            return card_of(renderer, context, href)

        def rendered(renderer: Renderer, name: str, **context: Any) -> str:
            if name == "report-archive/related.html":
                self.related.append(context["related"])
            return render(renderer, name, **context)

        monkeypatch.setattr(Renderer, "card", card)
        monkeypatch.setattr(Renderer, "render", rendered)


class _Frames:
    """Counts the report pages whose content changed found kept as they were around it
    (then served with the new content put in)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from report_archive.build import SiteBuild

        self.content = 0
        original = SiteBuild.kept_frame

        def kept_frame(build: SiteBuild, src_uri: str, frame: str) -> Any:
            found = original(build, src_uri, frame)
            self.content += found is not None and src_uri in build.by_src
            return found

        monkeypatch.setattr(SiteBuild, "kept_frame", kept_frame)


class _Kept:
    """Counts the report pages (and the others) served from the previous build's output."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from report_archive.build import SiteBuild

        self.pages = self.others = 0
        original = SiteBuild.kept_page

        def kept_page(build: SiteBuild, src_uri: str, key: str) -> str | None:
            found = original(build, src_uri, key)
            self.pages += found is not None and src_uri in build.by_src
            self.others += found is not None and src_uri not in build.by_src
            return found

        monkeypatch.setattr(SiteBuild, "kept_page", kept_page)


def test_cached_bodies_keep_their_link_warnings(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A body kept from an earlier `serve` build logs its broken links again."""
    docs = copy_archive(tmp_path)
    report = docs / "2023-02-14-bert-base-sst2.md"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "## 1. Objective", "## 1. Objective\n\nSee [the notes](missing-notes.md).", 1),
        encoding="utf-8")
    config_file = write_config(tmp_path, docs)
    renders = _Renders(monkeypatch)
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    messages: list[str] = []

    class Keep(__import__("logging").Handler):
        def emit(self, record: Any) -> None:
            messages.append(record.getMessage())

    handler = Keep(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        _build(config_file, "serve")
        # MkDocs' own warning, logged as it renders the body (ours, link-broken, is apart).
        first = [m for m in messages if "'missing-notes.md', but the target" in m]
        messages.clear()
        renders.bodies = 0
        _build(config_file, "serve")
        again = [m for m in messages if "'missing-notes.md', but the target" in m]
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    assert len(first) == 1 and again == first
    assert renders.bodies == 0


def _nav(page: str) -> str:
    """The primary navigation of a page (Material renders it before the content)."""
    start = page.find("md-nav--primary")
    end = page.find('<div class="md-content"', start)
    return page[start:end]


def test_serve_updates_every_page_that_shows_an_edited_report(tmp_path: Path) -> None:
    # The navigation lists the three newest reports: the oldest one is not among them.
    plugins = ["search", {"report-archive": {"nav": {"max_reports": 3}}}]
    with serving_example(tmp_path, plugins) as (base, docs, server):
        other = base + "2024-11-06-conformer-l-librispeech/"
        report = docs / "2023-02-14-bert-base-sst2.md"
        _wait_for(base, lambda s, b: s == 200, "the server", timeout=120)
        assert "BERT-base Fine-tuning on SST-2" not in _nav(_get(other)[1])
        # Another page, untouched by the edit, is served from the kept body: same HTML.
        untouched = _get(base + "2023-04-05-resnet110-cifar10/")[1]

        text = report.read_text(encoding="utf-8")
        text = text.replace('"BERT-base Fine-tuning on SST-2"', '"Edited Probe Title"', 1)
        text = re.sub(r"^date: .*$", "date: 2026-01-01", text, count=1, flags=re.M)
        text = re.sub(r"^updated: .*\n", "", text, count=1, flags=re.M)
        text = text.replace("tags: [nlp,", "tags: [edit-probe, nlp,", 1)
        report.write_text(text, encoding="utf-8")

        edited = base + "2023-02-14-bert-base-sst2/"
        _wait_for(edited, lambda s, b: "Edited Probe Title" in b, "the edited page")
        for url, what in ((base + "tags/edit-probe/", "its new tag page"),
                          (base + "tags/nlp/", "its tag page"),
                          (base + "compare/sst-2/", "its leaderboard"),
                          (base + "browse/", "browse"), (base, "home")):
            _wait_for(url, lambda s, b: s == 200 and "Edited Probe Title" in b, what)
        # The newest report now: the navigation of every other page lists it.
        _wait_for(other, lambda s, b: "Edited Probe Title" in _nav(b), "the other page's nav")
        after = _get(base + "2023-04-05-resnet110-cifar10/")[1]
        assert "Edited Probe Title" in _nav(after)
        assert _nav(untouched) != _nav(after)
        assert server.poll() is None


@pytest.mark.skipif(not parallel.can_fork(), reason="needs fork and two cores")
def test_a_search_index_process_that_dies_is_named_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process fed the pages' text for search stops at once (as the kernel's
    out-of-memory killer would stop it): the build finishes and says so."""
    import report_archive.build as build_module

    docs = _archive(tmp_path)
    config_file = write_config(tmp_path, docs)
    monkeypatch.setattr(build_module, "feed", lambda documents, result: None)
    _forget_kept_bodies()
    # Forking waits for this process to run a single thread; earlier tests may have left
    # one behind (a `serve` build's chart preloading), so the feed is forked regardless.
    monkeypatch.setattr(build_module, "can_fork", lambda: True)
    import report_archive.plugin as plugin_module

    messages: list[str] = []
    monkeypatch.setattr(plugin_module.log, "warning", lambda message, *a, **k: messages.append(
        str(message)))
    _build(config_file)
    assert any("full-text search index stopped" in m for m in messages)
    assert (tmp_path / "site" / "search" / "fulltext" / "manifest.json").is_file()


def test_an_override_that_reads_the_content_has_changed_pages_rendered_whole(
        tmp_path: Path) -> None:
    """A template of the site's own that reads `page.content` (a word count, say) may show
    more of it than the content itself: no content is spliced into a kept page then."""
    from types import SimpleNamespace

    from report_archive.relay import content_used_elsewhere

    overrides = tmp_path / "overrides"
    (overrides / "partials").mkdir(parents=True)
    (overrides / "main.html").write_text('{% extends "base.html" %}\n{% block content %}'
                                         "{{ super() }}{% endblock %}\n", encoding="utf-8")
    site = SimpleNamespace(theme=SimpleNamespace(dirs=[str(overrides)]))
    assert not content_used_elsewhere(site)  # type: ignore[arg-type]
    for reads in ("{{ page.content | wordcount }} words", "{{ page['content'] | length }}"):
        (overrides / "partials" / "words.html").write_text(reads, encoding="utf-8")
        assert content_used_elsewhere(site)  # type: ignore[arg-type]


def test_a_search_index_process_that_never_starts_holds_up_serve_only_a_while(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under `serve`, the index is written by a new interpreter, which Python starts from
    the script that runs MkDocs: one without a `__main__` guard runs itself instead,
    and the interpreter never takes its part. The next rebuild waits a while, then goes
    on and says why the last index is missing."""
    import multiprocessing
    import threading
    import time

    import report_archive.build as build_module
    import report_archive.plugin as plugin_module

    docs = copy_archive(tmp_path)
    config_file = write_config(tmp_path, docs)
    monkeypatch.setattr(build_module, "START_TIMEOUT", 0.5)
    release = threading.Event()  # (so that no thread outlives the test)
    monkeypatch.setattr(multiprocessing.get_context("spawn").Process, "start",
                        lambda process: release.wait(30))
    messages: list[str] = []
    monkeypatch.setattr(plugin_module.log, "warning", lambda message, *a, **k: messages.append(
        str(message)))
    _forget_kept_bodies()
    begin = time.monotonic()
    try:
        _build(config_file, "serve")
        _build(config_file, "serve")
    finally:
        release.set()
    assert time.monotonic() - begin < 25
    assert sum("did not start within" in m and "__main__" in m for m in messages) >= 1


def test_a_body_that_includes_a_file_shows_the_file_as_it_is_now_under_serve(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`pymdownx.snippets` puts another file into a report as it renders: when that file
    changes and the report does not, the next `serve` build shows the new text."""
    docs = copy_archive(tmp_path)
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    (snippets / "setup.md").write_text("Shared setup: eight GPUs.\n", encoding="utf-8")
    report = docs / "2023-02-14-bert-base-sst2.md"
    report.write_text(report.read_text(encoding="utf-8").replace(
        "## 1. Objective", '## 1. Objective\n\n--8<-- "setup.md"\n', 1), encoding="utf-8")
    config_file = write_config(tmp_path, docs, markdown_extensions=[
        "admonition", "tables", {"toc": {"permalink": True}},
        {"pymdownx.snippets": {"base_path": [str(snippets)]}}])
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    _forget_kept_bodies()
    page = tmp_path / "site" / "2023-02-14-bert-base-sst2" / "index.html"
    _build(config_file, "serve")
    assert "Shared setup: eight GPUs." in page.read_text(encoding="utf-8")
    (snippets / "setup.md").write_text("Shared setup: sixteen GPUs.\n", encoding="utf-8")
    _build(config_file, "serve")
    text = page.read_text(encoding="utf-8")
    assert "sixteen GPUs" in text and "eight GPUs" not in text


def test_serve_draws_a_changed_chart_in_its_kept_process_or_here_if_that_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under `serve`, a leaderboard chart whose data changed (a retitled report) is drawn by
    the process kept for charts, on the other core; if that process is gone, here."""
    import report_archive.charts as charts

    docs = copy_archive(tmp_path)
    config_file = write_config(tmp_path, docs)
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no chart drawn before
    _forget_kept_bodies()
    report = docs / "2023-02-14-bert-base-sst2.md"
    bars = tmp_path / "site" / "compare" / "sst-2" / "bars.svg"
    drawn_here: list[int] = []
    original = charts.render_all

    def render_all(specs: Any) -> dict[str, str]:
        if specs:
            drawn_here.append(len(specs))
        return original(specs)

    config = _build(config_file, "serve")
    site = config.plugins["report-archive"].site
    helper = site.chart_helper
    assert helper is not None and helper.process is not None  # started for later builds
    monkeypatch.setattr(charts, "render_all", render_all)
    for title, kill in (("Retitled SST-2 run", False), ("Retitled again", True)):
        if kill:
            assert helper.process is not None
            helper.process.kill()  # gone: the next build draws its chart itself
        text = report.read_text(encoding="utf-8")
        report.write_text(re.sub(r'^title: .*$', f'title: "{title}"', text, count=1,
                                 flags=re.M), encoding="utf-8")
        _build(config_file, "serve")
        assert title in bars.read_text(encoding="utf-8")
        assert drawn_here == ([1] if kill else [])


def test_the_kept_chart_process_is_read_where_pipes_cannot_be_waited_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Where `select` does not take pipes (Windows), the answer is read as it comes."""
    import select

    import report_archive.charts as charts

    def no_select(*args: Any) -> Any:
        raise OSError("not a socket")

    monkeypatch.setattr(select, "select", no_select)
    helper = charts.ChartHelper()
    try:
        spec: charts.BarSpec = {"kind": "bars", "labels": ["Probe run"], "values": [0.9],
                                "metric": "Accuracy", "percent": False,
                                "lower_is_better": False}
        number = helper.send([("compare/x/bars.svg", spec)])
        assert number is not None
        drawn = helper.receive(number, timeout=120)
    finally:
        helper.close()
    assert drawn is not None and "Probe run" in drawn["compare/x/bars.svg"]
    assert charts.chart_failure(drawn["compare/x/bars.svg"]) is None


def test_a_site_without_charts_starts_no_chart_process_under_serve(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = copy_archive(tmp_path)
    for report in docs.glob("20*.md"):
        report.unlink()
    config_file = write_config(tmp_path, docs)
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    _forget_kept_bodies()
    site = _build(config_file, "serve").plugins["report-archive"].site
    assert site.chart_keys == {} and site.chart_helper is None


def test_a_navigation_changed_only_in_titles_is_told_apart() -> None:
    from report_archive.relay import retitle, retitled

    before = [(0, "Section", "Reports", ""), (1, "Page", "BERT on SST-2", "a/"),
              (1, "Page", "T5 & friends", "b/")]
    assert retitled(before, before) == []
    now = [before[0], (1, "Page", "BERT on SST-2, again", "a/"), before[2]]
    assert retitled(before, now) == [("BERT on SST-2", "BERT on SST-2, again")]
    # Anything else changed, or an old title inside another entry's: not such a change.
    assert retitled(before, [*now[:2], (1, "Page", "T5 & friends", "c/")]) == []
    assert retitled(before, now[:2]) == []
    inside = [*before[:2], (1, "Page", "BERT on SST-2 (large)", "b/")]
    assert retitled(inside, [inside[0], now[1], inside[2]]) == []
    # The title as the theme wrote it: escaped where it is escaped.
    changes = retitled(before, [*before[:2], (1, "Page", "T5 <and> friends", "b/")])
    assert retitle('<a href="b/">T5 &amp; friends</a>', changes) == \
        '<a href="b/">T5 &lt;and&gt; friends</a>'
    assert retitle('<a href="b/">T5 & friends</a>', changes) == '<a href="b/">T5 <and> friends</a>'
