"""The MkDocs adapter's contracts with MkDocs and other plugins: order and navigation."""

from __future__ import annotations

import json
import logging
import re
import shutil
import warnings
from pathlib import Path

import pytest

from conftest import EXAMPLE_DOCS, build_site

pytestmark = pytest.mark.slow

REPORT_COUNT = sum(1 for p in EXAMPLE_DOCS.glob("*.md") if "ml-experiment-report" in
                   p.read_text(encoding="utf-8"))


def _search_files(site: Path) -> dict[str, str]:
    folder = site / "search"
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*.json"))}


def test_plugin_order_gives_the_same_search_index(tmp_path: Path) -> None:
    first = build_site(tmp_path / "ours-first", plugins=["report-archive", "search"])
    last = build_site(tmp_path / "ours-last", plugins=["search", "report-archive"])
    assert first.error is None and last.error is None
    a, b = _search_files(first.site), _search_files(last.site)
    assert json.loads(a["search_index.json"])["docs"] == []  # ours holds the documents
    manifest = json.loads(a["fulltext/manifest.json"])
    reports = [row for name, text in a.items() if name.startswith("fulltext/d/")
               for row in json.loads(text) if row[2] == "report"]
    assert len(reports) == REPORT_COUNT and manifest["documents"] > REPORT_COUNT
    assert a == b


def test_explicit_nav_with_omitted_files_warning_passes_strict(tmp_path: Path) -> None:
    result = build_site(tmp_path, nav=[{"Home": "index.md"},
                                       {"Guide": [{"Rules": "guide/rules.md"}]}],
                        validation={"nav": {"omitted_files": "warn"}}, strict=True)
    omitted = [m for m in result.messages(logging.INFO) if "not included in the \"nav\"" in m]
    # Only the guide pages the nav leaves out are named, never a report or a generated page.
    named = [line.strip(" -") for m in omitted for line in m.splitlines()[1:]]
    assert named and all(n.startswith("guide/") for n in named), named
    # The explicit nav is kept exactly as written: no Reports, Browse or Tags added.
    home = result.page("")
    assert "Browse reports" not in home.split('class="md-content"')[0]


def test_automatic_nav_lists_the_newest_reports_then_listings(tmp_path: Path) -> None:
    result = build_site(tmp_path, plugin_options={"nav": {"max_reports": 3}})
    assert result.error is None
    nav = result.page("").split('class="md-content"')[0]
    assert nav.count('href="2025-05-14-bert-large-squad/"') >= 1
    assert "2023-02-14-bert-base-sst2/" not in nav  # older than the newest three
    for label in ("Reports", "Browse reports", "Tags"):
        assert label in nav


def _consumer(tmp: Path, plugins: list[object], pages_file: str | None = None) -> Path:
    docs = tmp / "docs"
    (docs / "guide").mkdir(parents=True)
    for name in ("2023-02-14-bert-base-sst2.md", "2024-03-11-roberta-large-sst2.md"):
        (docs / name).write_bytes((EXAMPLE_DOCS / name).read_bytes())
    (docs / "index.md").write_text("# Home\n\nWelcome.\n", encoding="utf-8")
    (docs / "guide" / "about.md").write_text("# About\n\nUs.\n", encoding="utf-8")
    if pages_file is not None:
        (docs / ".pages").write_text(pages_file, encoding="utf-8")
    return docs


def _nav_links(html: str) -> list[str]:
    start = html.index("md-nav--primary")
    return re.findall(r'href="([^"]+)" class="md-nav__link', html[start:start + 30000])


@pytest.mark.parametrize("ours_first", [True, False], ids=["ours-first", "ours-last"])
def test_awesome_pages_keeps_a_report_where_pages_file_puts_it(tmp_path: Path,
                                                               ours_first: bool) -> None:
    docs = _consumer(tmp_path, [], "nav:\n  - index.md\n  - 2023-02-14-bert-base-sst2.md\n"
                     "  - guide\n  - ...\n")
    plugins = ["report-archive", "awesome-pages"] if ours_first else \
        ["awesome-pages", "report-archive"]
    with warnings.catch_warnings():
        # awesome-pages warns about any plugin with `on_nav` listed before it; ours runs last.
        warnings.simplefilter("ignore")
        result = build_site(tmp_path, docs, plugins=["search", *plugins], strict=True)
    assert result.error is None, result.error
    links = _nav_links(result.page(""))
    assert links.index("2023-02-14-bert-base-sst2/") < links.index("guide/about/")
    assert "2024-03-11-roberta-large-sst2/" in links  # placed by `...`
    assert links[-3:] == ["browse/", "compare/", "tags/"]


@pytest.mark.parametrize("order", [("material/tags", "report-archive", "redirects"),
                                   ("report-archive", "redirects", "material/tags"),
                                   ("redirects", "report-archive", "material/tags")])
def test_material_tags_and_redirects_in_any_order(tmp_path: Path,
                                                  order: tuple[str, ...]) -> None:
    docs = _consumer(tmp_path, [])
    (docs / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n", encoding="utf-8")
    plugins: list[object] = [
        {"redirects": {"redirect_maps": {"old-board.md": "compare/sst-2/index.md",
                                         "old-nlp.md": "tags/nlp/index.md"}}}
        if name == "redirects" else name for name in order]
    result = build_site(tmp_path, docs, plugins=["search", *plugins], strict=True)
    assert result.error is None, result.error
    for old, new in (("old-board", "compare/sst-2/"), ("old-nlp", "tags/nlp/")):
        assert new in result.page(f"{old}/")
    report = result.page("2023-02-14-bert-base-sst2/")
    # One visible tag bar: our card's; Material's is hidden on report pages.
    assert '<nav class="md-tags" hidden>' in report
    assert 'href="../tags/nlp/"' in report
    # Material's index is the one at /tags/ and lists the reports under their tags.
    index = result.page("tags/")
    assert "2023-02-14-bert-base-sst2/" in index and 'id="tag:nlp"' in index


def test_attr_list_does_not_eat_report_text(tmp_path: Path) -> None:
    # The BERT report's hyperparameter table has "... grid {5e-5, 4e-5, 3e-5, 2e-5}".
    docs = _consumer(tmp_path, [])
    (docs / "guide" / "ids.md").write_text("# Ids\n\n## Kept {#custom-id .wide}\n",
                                           encoding="utf-8")
    extensions = ["tables", "attr_list", {"toc": {"permalink": True}}]
    result = build_site(tmp_path, docs, markdown_extensions=extensions, strict=True,
                        plugin_options={})
    assert result.error is None, result.error
    report = result.page("2023-02-14-bert-base-sst2/")
    assert "grid {5e-5, 4e-5, 3e-5, 2e-5}</td>" in report
    # A team's own attribute lists still work.
    assert 'id="custom-id"' in result.page("guide/ids/")


HOOK = '''
def on_post_page(output, page, config):
    return output + f"<!-- search meta: {page.meta.get('search')!r} -->"
'''


def test_search_front_matter_is_honoured_and_left_as_written(tmp_path: Path) -> None:
    """The search plugin is told to skip every page (ours indexes them all); a page left
    out of search stays out of ours, and every page's own setting reaches the others."""
    docs = tmp_path / "docs"
    shutil.copytree(EXAMPLE_DOCS, docs)
    (docs / "guide" / "hidden.md").write_text(
        "---\nsearch:\n  exclude: true\n---\n\n# Hidden\n\nZanzibarword here.\n", "utf-8")
    (docs / "guide" / "boosted.md").write_text(
        "---\nsearch:\n  boost: 2\n---\n\n# Boosted\n\nQuokkaword here.\n", "utf-8")
    (tmp_path / "hook.py").write_text(HOOK, encoding="utf-8")
    result = build_site(tmp_path, docs, hooks=[str(tmp_path / "hook.py")])
    assert result.error is None
    index = _search_files(result.site)
    documents = " ".join(text for name, text in index.items() if name.startswith("fulltext/"))
    assert "boosted/" in documents and "hidden/" not in documents
    assert json.loads(index["search_index.json"])["docs"] == []
    assert "<!-- search meta: {'exclude': True} -->" in result.page("guide/hidden/")
    assert "<!-- search meta: {'boost': 2} -->" in result.page("guide/boosted/")
    assert "<!-- search meta: None -->" in result.page("guide/rules/")
