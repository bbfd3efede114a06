"""The MkDocs adapter's contracts with MkDocs and other plugins: order and navigation."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from conftest import EXAMPLE_DOCS, build_site

pytestmark = pytest.mark.slow

REPORT_COUNT = sum(1 for p in EXAMPLE_DOCS.glob("*.md") if "ml-experiment-report" in
                   p.read_text(encoding="utf-8"))


def _search_docs(site: Path) -> list[dict[str, object]]:
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs: list[dict[str, object]] = data["docs"]
    return docs


def test_plugin_order_gives_the_same_search_index(tmp_path: Path) -> None:
    first = build_site(tmp_path / "ours-first", plugins=["report-archive", "search"])
    last = build_site(tmp_path / "ours-last", plugins=["search", "report-archive"])
    assert first.error is None and last.error is None
    a, b = _search_docs(first.site), _search_docs(last.site)
    report_entries = [d for d in a if "Authors:" in str(d.get("text", ""))]
    assert len(report_entries) == REPORT_COUNT
    assert sorted(json.dumps(d, sort_keys=True) for d in a) == \
        sorted(json.dumps(d, sort_keys=True) for d in b)


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
