"""Generated pages in both URL modes: tag pages, feeds, home, reachability, slug clashes."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import EXAMPLE_DOCS, Build, build_site

ATOM = "{http://www.w3.org/2005/Atom}"


def site_of(mode: str, example_site: Build, example_site_flat: Build) -> Build:
    return example_site if mode == "directory" else example_site_flat


def page_file(site: Build, url: str) -> Path:
    path = site.site / unquote(url)
    return path / "index.html" if url.endswith("/") or not url else path


def hrefs(html: str, css_class: str) -> list[str]:
    return re.findall(rf'class="{css_class}"[^>]*>\s*<a href="([^"]+)"', html) + re.findall(
        rf'<a class="{css_class}[^"]*" href="([^"]+)"', html)


def follow(site: Build, from_url: str, href: str) -> str:
    """The site-relative URL a relative link leads to."""
    assert not href.startswith(("/", "http:", "https:")), href
    return urlsplit(urljoin("http://x/" + from_url, href)).path.lstrip("/")


@pytest.mark.parametrize("mode", ["directory", "flat"])
def test_each_tag_page_lists_exactly_its_reports(mode: str, example_site: Build,
                                                 example_site_flat: Build) -> None:
    site = site_of(mode, example_site, example_site_flat)
    data = json.loads((site.site / "reports.json").read_text(encoding="utf-8"))
    expected: dict[str, list[str]] = {}
    for report in data["reports"]:  # newest first
        for tag in report["tags"]:
            expected.setdefault(tag["slug"], []).append(report["url"])
    index_url = "tags/" if mode == "directory" else "tags/index.html"
    index = page_file(site, index_url).read_text(encoding="utf-8")
    cloud = re.findall(r'class="ra-cloud__tag[^"]*" href="([^"]+)"', index)
    assert len(cloud) == len(expected)
    for href in cloud:
        tag_url = follow(site, index_url, href)
        html = page_file(site, tag_url).read_text(encoding="utf-8")
        listed = [follow(site, tag_url, h) for h in
                  re.findall(r'class="ra-report__title"><a href="([^"]+)"', html)]
        slug = tag_url.removeprefix("tags/").removesuffix("/").removesuffix("/index.html")
        assert listed == expected[slug], slug


@pytest.mark.parametrize("mode", ["directory", "flat"])
def test_feeds_are_atom_newest_first(mode: str, example_site: Build,
                                     example_site_flat: Build) -> None:
    site = site_of(mode, example_site, example_site_flat)
    data = json.loads((site.site / "reports.json").read_text(encoding="utf-8"))
    root = ET.parse(site.site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [r["title"] for r in data["reports"]]
    for entry, report in zip(entries, data["reports"], strict=True):
        assert entry.findtext(f"{ATOM}id")
        assert entry.findtext(f"{ATOM}updated", "").startswith(report["updated"] or report["date"])
        assert [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")] == \
            report["authors"]
        assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == \
            [t["name"] for t in report["tags"]]
        link = entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
        target = urljoin(site.site.as_uri() + "/feed.xml", link) if mode == "flat" else link
        if mode == "directory":
            assert link == f"https://example.github.io/archive/{report['url']}"
        else:
            assert Path(urlsplit(target).path).is_file()
    nlp = ET.parse(site.site / "tags" / "nlp" / "feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in nlp.findall(f"{ATOM}entry")]
    assert titles == [r["title"] for r in data["reports"]
                      if "nlp" in [t["name"] for t in r["tags"]]]


def article(html: str) -> str:
    """The page's content, without the navigation (which lists only the newest reports)."""
    return html[html.index("<article"):html.index("</article>")]


def test_every_report_is_two_clicks_from_home(example_site: Build) -> None:
    home = article(example_site.page(""))
    first = {follow(example_site, "", h) for h in re.findall(r'<a href="([^"]+)"', home)}
    second: set[str] = set()
    for url in first:
        target = page_file(example_site, url)
        if target.suffix == ".html" and target.is_file():
            html = article(target.read_text(encoding="utf-8"))
            second |= {follow(example_site, url, h) for h in re.findall(r'<a href="([^"#]+)', html)
                       if not h.startswith(("http:", "https:", "mailto:"))}
    data = json.loads((example_site.site / "reports.json").read_text(encoding="utf-8"))
    assert {r["url"] for r in data["reports"]} <= first | second


def test_home_keeps_the_team_text_above_the_generated_part(example_site: Build) -> None:
    html = example_site.page("")
    intro = (EXAMPLE_DOCS / "index.md").read_text(encoding="utf-8").split("\n")
    first_sentence = next(line for line in intro if line.startswith("Experiment reports"))
    assert html.index(first_sentence[:40]) < html.index('class="ra-stats"')
    stats = re.sub(r"<[^>]+>", "", html[html.index('class="ra-stats"'):].split("</p>")[0])
    assert "10 reports" in stats and "Final 5" in stats and "In Review 3" in stats \
        and "Draft 2" in stats


REPORT = (EXAMPLE_DOCS / "2023-02-14-bert-base-sst2.md").read_text(encoding="utf-8")


def with_tags(tags: str, title: str) -> str:
    text = re.sub(r"^tags:.*$", f"tags: {tags}", REPORT, count=1, flags=re.M)
    text = re.sub(r"^title:.*$", f"title: {json.dumps(title)}", text, count=1, flags=re.M)
    return re.sub(r"^# .*$", f"# {title}", text, count=1, flags=re.M)


def test_tags_that_slug_alike_keep_every_report_reachable(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    tags = {"cpp": '["C++"]', "csharp": '["C#"]', "c": '["c"]', "uni": '["Ünïcode Tag"]',
            "plain": '["unicode tag"]', "nested": '["vision/detection"]', "parent": '["vision"]'}
    for name, tag_list in tags.items():
        (docs / f"{name}.md").write_text(with_tags(tag_list, f"Report {name}"), encoding="utf-8")
    result = build_site(tmp_path, docs)
    assert result.error is None, result.messages()
    data = json.loads((result.site / "reports.json").read_text(encoding="utf-8"))
    slugs = {r["path"]: r["tags"][0]["slug"] for r in data["reports"]}
    assert len(set(slugs.values())) == len(slugs)
    for report in data["reports"]:
        slug = report["tags"][0]["slug"]
        html = (result.site / "tags" / slug / "index.html").read_text(encoding="utf-8")
        assert f"Report {report['path'][:-3]}" in html, slug
    # A parent tag lists its children's reports too.
    vision = (result.site / "tags" / "vision" / "index.html").read_text(encoding="utf-8")
    assert "Report nested" in vision and "Report parent" in vision
    assert slugs["nested.md"] == "vision/detection"


def test_datasets_that_slug_alike_keep_two_leaderboards(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, dataset in (("one", "C++"), ("two", "C plus plus")):
        text = with_tags('["nlp"]', f"Report {name}")
        text = text.replace("\ntype:", f"\ndataset: {json.dumps(dataset)}\ntype:", 1)
        (docs / f"{name}.md").write_text(text, encoding="utf-8")
    result = build_site(tmp_path, docs)
    assert result.error is None, result.messages()
    data = json.loads((result.site / "reports.json").read_text(encoding="utf-8"))
    slugs = {b["dataset"]: b["slug"] for b in data["leaderboards"]}
    assert set(slugs) == {"C++", "C plus plus"} and len(set(slugs.values())) == 2
    for dataset, slug in slugs.items():
        html = (result.site / "compare" / slug / "index.html").read_text(encoding="utf-8")
        assert f"Leaderboard: {dataset}" in html.replace("&#43;", "+").replace("&#32;", " ")


def test_a_dataset_named_like_a_comparison_warns_and_both_pages_stay(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from conftest import write_config
    from report_archive.cli import main

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("one", "two"):
        text = with_tags('["nlp"]', f"Report {name}")
        text = text.replace("\ntype:", '\ndataset: "Side by side"\ntype:', 1)
        (docs / f"{name}.md").write_text(text, encoding="utf-8")
    options = {"comparisons": [{"name": "side-by-side", "title": "Ours", "tags": ["nlp"]}]}
    result = build_site(tmp_path, docs, plugin_options=options)
    assert result.error is None, result.messages()
    warned = [m for m in result.messages() if m.endswith("[dataset-slug-taken]")]
    assert len(warned) == 2 and all("compare/side-by-side-dataset/" in m for m in warned)
    assert "Ours" in result.page("compare/side-by-side/")
    board = result.page("compare/side-by-side-dataset/")
    assert "Report one" in board and "Report two" in board
    config = write_config(tmp_path, docs, plugins=["search", {"report-archive": options}])
    checked = CliRunner().invoke(main, ["check", "--config", str(config), "--format", "json"])
    rules = [d["rule"] for d in json.loads(checked.stdout)["diagnostics"]]
    assert rules.count("dataset-slug-taken") == 2 and checked.exit_code == 0
