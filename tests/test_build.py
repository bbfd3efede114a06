"""Whole-site builds with real MkDocs + Material: the example archive, broken reports, serve."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import EXAMPLE_DOCS, Build, build_site, copy_archive

REPORT = "2023-02-14-bert-base-sst2"


def example_reports() -> list[Path]:
    return sorted(p for p in EXAMPLE_DOCS.glob("*.md")
                  if "type: ml-experiment-report" in p.read_text(encoding="utf-8"))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            values = dict(attrs)
            if values.get("href"):
                self.links.append((values["href"] or "", values))


def links_in(html: str, css_class: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return [href for href, attrs in parser.links if css_class in (attrs.get("class") or "")]


def resolve(site: Path, page_path: str, href: str) -> Path:
    """The file a relative link on `page_path` leads to, as a static server would serve it."""
    target = urlsplit(urljoin("http://site/" + page_path, href)).path.lstrip("/")
    path = site / unquote(target)
    return path / "index.html" if target.endswith("/") or not target else path


def test_example_archive_builds_strict_without_warnings(example_site: Build) -> None:
    assert example_site.messages() == []
    summary = [m.split(": ", 1)[1] for m in example_site.messages(0) if "Report Archive:" in m]
    count = len(example_reports())
    summary = [s.split("; plugin")[0] for s in summary]
    assert summary == [f"Report Archive: {count} reports, {count} published, 0 with warnings, "
                       f"0 with errors; {len(list(EXAMPLE_DOCS.rglob('*.md'))) - count} "
                       "other pages"]


@pytest.mark.parametrize("mode", ["directory", "flat"])
def test_report_page_has_header_card_with_working_tag_links(
        mode: str, example_site: Build, example_site_flat: Build) -> None:
    site = example_site if mode == "directory" else example_site_flat
    page_path = f"{REPORT}/index.html" if mode == "directory" else f"{REPORT}.html"
    html = (site.site / page_path).read_text(encoding="utf-8")
    card = html[html.index('class="ra-card"'):]
    card = card[:card.index("</div>\n</div>") if "</div>\n</div>" in card else 4000]
    assert "Priya Raman" in card and "Daniel Okafor" in card
    assert 'ra-status--final">Final<' in card
    assert "SST-2" in card
    assert "93.5%" in card
    tag_links = links_in(html, "ra-tag")
    assert len(tag_links) == 4
    for href in tag_links:
        assert not href.startswith(("/", "http")), href
        target = resolve(site.site, page_path, href)
        assert target.is_file(), (href, target)
        assert REPORT in target.read_text(encoding="utf-8")
    # The template's header lines are replaced by the card.
    assert "<strong>Researchers</strong>" not in html


def test_pages_are_written_with_their_characters_as_the_reports_write_them(
        example_site: Build) -> None:
    """The build holds pages' HTML with wide characters as references (memory); each page
    is written with the characters themselves, as plain MkDocs writes them."""
    source = (EXAMPLE_DOCS / "2023-02-14-bert-base-sst2.md").read_text(encoding="utf-8")
    page = example_site.page("2023-02-14-bert-base-sst2/")
    for character in ("✅", "—"):
        assert character in source and character in page
    assert "&#9989;" not in page and "&#8212;" not in page
    leaderboard = example_site.page("compare/sst-2/")
    assert "★" in leaderboard and "&#9733;" not in leaderboard


def test_reports_json_lists_every_report_with_working_urls(example_site: Build) -> None:
    data = json.loads((example_site.site / "reports.json").read_text(encoding="utf-8"))
    paths = sorted(r["path"] for r in data["reports"])
    assert paths == sorted(p.name for p in example_reports())
    for report in data["reports"]:
        assert (example_site.site / report["url"] / "index.html").is_file()
        assert report["title"] and report["authors"] and report["tags"]
    dates = [r["date"] for r in data["reports"]]
    assert dates == sorted(dates, reverse=True)


def test_tag_pages_list_exactly_the_reports_with_that_tag(example_site: Build) -> None:
    data = json.loads((example_site.site / "reports.json").read_text(encoding="utf-8"))
    expected: dict[str, set[str]] = {}
    for report in data["reports"]:
        for tag in report["tags"]:
            expected.setdefault(tag["slug"], set()).add(report["url"])
    for slug, urls in expected.items():
        html = example_site.page(f"tags/{slug}/")
        listed = set(re.findall(r'class="ra-report__title"><a href="\.\./\.\./([^"#]+)"', html))
        assert listed == urls, slug


def broken_archive(tmp: Path) -> Path:
    docs = copy_archive(tmp)
    report = docs / f"{REPORT}.md"
    text = report.read_text(encoding="utf-8")
    text = text.replace("date: 2023-02-14", "date: 2023-02-30", 1)
    text = text.replace("## 5. Results", "## 5. Outcomes", 1)
    report.write_text(text, encoding="utf-8")
    return docs


def test_build_fails_listing_every_error_of_a_broken_report(tmp_path: Path) -> None:
    result = build_site(tmp_path, broken_archive(tmp_path))
    assert result.error is not None
    errors = result.messages(40)
    assert any("1 of" in m and "have errors" in m for m in errors)
    joined = "\n".join(errors)
    source = (EXAMPLE_DOCS / f"{REPORT}.md").read_text(encoding="utf-8").split("\n")
    date_line = next(i for i, line in enumerate(source, 1) if line.startswith("date:"))
    assert f"{REPORT}.md:{date_line}:" in joined and "[fm-date]" in joined
    assert "[section-missing]" in joined and "[section-unknown]" not in joined
    assert not (tmp_path / "site" / REPORT).exists()


def test_serve_keeps_building_and_shows_problems_on_the_page(tmp_path: Path) -> None:
    result = build_site(tmp_path, broken_archive(tmp_path), command="serve")
    assert result.error is None
    html = (tmp_path / "site" / REPORT / "index.html").read_text(encoding="utf-8")
    problems = html[html.index("ra-problems"):]
    assert "2023-02-30" in problems and "fm-date" in problems
    assert "section-missing" in problems
    # Other reports are unaffected.
    other = (tmp_path / "site" / "2023-06-20-distilbert-sst2" / "index.html").read_text()
    assert "ra-problems" not in other


def test_warnings_fail_only_strict_builds(tmp_path: Path) -> None:
    docs = copy_archive(tmp_path)
    report = docs / f"{REPORT}.md"
    report.write_text(report.read_text().replace("title:", "titel: x\ntitle:", 1))
    lenient = build_site(tmp_path, docs)
    assert lenient.error is None
    assert any("[fm-unknown-key]" in m for m in lenient.messages())
    strict = build_site(tmp_path, docs, strict=True)
    assert strict.error is not None


def test_unreadable_file_is_named_and_does_not_crash_serve(tmp_path: Path) -> None:
    docs = copy_archive(tmp_path)
    (docs / "latin1.md").write_bytes(
        "---\ntitle: Caf\xe9\ntype: ml-experiment-report\n---\n".encode("latin-1"))
    built = build_site(tmp_path, docs)
    assert built.error is not None
    assert any("latin1.md:2:" in m and "[file-encoding]" in m for m in built.messages(40))
    served = build_site(tmp_path, docs, command="serve")
    assert served.error is None
    page = html.unescape((tmp_path / "site" / "latin1" / "index.html").read_text())
    assert "latin1.md:2:11" in page and "not valid UTF-8" in page


def test_generated_page_clash_is_an_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from conftest import write_config
    from report_archive.cli import main

    docs = copy_archive(tmp_path)
    (docs / "tags.md").write_text("# My tags\n", encoding="utf-8")
    (docs / "browse.md").write_text("# Browse\n", encoding="utf-8")
    result = build_site(tmp_path, docs)
    assert result.error is not None
    clashing = sorted(m.split("docs/", 1)[1].split(":", 1)[0] for m in result.messages(40)
                      if m.endswith("[page-clash]"))
    assert clashing == ["browse.md", "tags.md"]
    # `check` finds the same files, with the same rule, and fails.
    config = write_config(tmp_path, docs)
    checked = CliRunner().invoke(main, ["check", "--config", str(config), "--format", "json"])
    found = sorted(d["path"].split("docs/", 1)[1] for d in
                   json.loads(checked.stdout)["diagnostics"] if d["rule"] == "page-clash")
    assert found == clashing and checked.exit_code == 1


def test_site_loads_nothing_from_the_internet(example_site: Build) -> None:
    for page in example_site.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        sources = re.findall(r'\bsrc="((?:https?:)?//[^"]+)"', html)
        links = [tag for tag in re.findall(r"<link\b[^>]*>", html)
                 if re.search(r'href="(?:https?:)?//', tag)
                 and not re.search(r'rel="(?:canonical|alternate)"', tag)]
        assert not sources and not links, (page, sources, links)
        assert "fonts.googleapis" not in html
