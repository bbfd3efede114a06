"""A team's own MkDocs site with the package installed from the built wheel.

One row of the matrix per plugin or setting teams commonly have next to ours. Rows
that fail today are strict xfails with the error they give, so they flip when fixed.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from consumer import (
    EXAMPLE_DOCS,
    REPORTS,
    REPORTS_DIR,
    REPOSITORY,
    ROOT,
    SiteBuild,
    WheelEnv,
    content,
    default_config,
    find_python,
    make_wheel_env,
    nav_titles,
    report_url,
    shared_wheel_env,
    tracked_package_files,
    write_consumer_site,
)

pytestmark = pytest.mark.slow

BERT = "2023-02-14-bert-base-sst2.md"
ROBERTA = "2024-03-11-roberta-large-sst2.md"
BERT_TITLE = "BERT-base Fine-tuning on SST-2"
ROBERTA_TITLE = "RoBERTa-large on SST-2: Single-Task Dev Reproduction"


@pytest.fixture(scope="session")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> WheelEnv:
    return shared_wheel_env(tmp_path_factory)


@pytest.fixture(scope="module")
def stock(wheel_env: WheelEnv, tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    return wheel_env.mkdocs_build(write_consumer_site(tmp_path_factory.mktemp("stock")))


def assert_archive_built(built: SiteBuild, own_tag_index: bool = True) -> None:
    """The build passed --strict and every report and listing page is in the site.

    `own_tag_index` False: the site has its own tag index at /tags/ (Material's tags
    plugin), which lists the reports under their tags instead of ours.
    """
    assert built.returncode == 0, built.output
    data = json.loads((built.site / "reports.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in data["reports"]} == {f"{REPORTS_DIR}/{n}" for n in REPORTS}
    assert ROBERTA_TITLE in {r["title"] for r in data["reports"]}
    for name in REPORTS:
        assert (built.site / report_url(name) / "index.html").is_file(), name
    # In the pages' own content, not only in the navigation every page carries.
    if own_tag_index:
        assert 'href="nlp/"' in content(built.page("tags/"))
    else:
        assert ROBERTA_TITLE in content(built.page("tags/"))
    for listing in ("tags/nlp/", "browse/", "compare/sst-2/"):
        assert ROBERTA_TITLE in content(built.page(listing)), listing
    assert 'href="sst-2/"' in content(built.page("compare/"))


# --- the wheel itself -------------------------------------------------------------------

def test_wheel_ships_every_tracked_package_file(wheel_env: WheelEnv) -> None:
    names = zipfile.ZipFile(wheel_env.wheel).namelist()
    shipped = sorted(n for n in names if not n.split("/", 1)[0].endswith(".dist-info"))
    assert shipped == tracked_package_files()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel_env.wheel).read(entry_points).decode()
    assert "report-archive = report_archive.plugin:ReportArchivePlugin" in text
    assert "report-archive = report_archive.cli:main" in text


def test_sdist_ships_every_tracked_package_file(wheel_env: WheelEnv) -> None:
    sdist = next(wheel_env.wheel.parent.glob("*.tar.gz"))
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {f"plugin/{n}" for n in tracked_package_files()} <= names
    assert {"LICENSE", "README.md", "pyproject.toml"} <= names


def test_plugin_runs_from_the_wheel_not_the_source(wheel_env: WheelEnv, tmp_path: Path) -> None:
    result = wheel_env.run([str(wheel_env.bin / "python"), "-c",
                            "import report_archive.plugin as p; print(p.__file__)"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(wheel_env.root)


def test_installed_dependencies_are_consistent(wheel_env: WheelEnv) -> None:
    assert wheel_env.pip_check.startswith("exit 0"), wheel_env.pip_check


def test_wheel_and_venv_take_reasonable_time(wheel_env: WheelEnv) -> None:
    # Building the wheel and installing it with its dependencies (pip's cache warm).
    assert wheel_env.seconds < 300, wheel_env.seconds


def test_metadata_names_the_repository_license_and_python_versions() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert all(url.startswith(REPOSITORY) for url in project["urls"].values())
    assert set(project["urls"]) == {"Homepage", "Repository", "Issues", "Documentation"}
    classifiers = set(project["classifiers"])
    assert {"Framework :: MkDocs", "Typing :: Typed", "Topic :: Documentation",
            "Operating System :: OS Independent"} <= classifiers
    assert {c for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
            } == {f"Programming Language :: Python :: 3.{n}" for n in range(10, 14)}


def test_readme_links_work_on_the_package_index() -> None:
    # PyPI renders the README without the repository: a relative link or image 404s.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme) + re.findall(r'src="([^"]+)"', readme)
    assert targets
    assert [t for t in targets if not t.startswith(("https://", "http://"))] == []
    own = [t for t in targets if t.startswith(REPOSITORY + "/")]
    assert all(t.startswith((f"{REPOSITORY}/blob/main/", f"{REPOSITORY}/raw/main/",
                             f"{REPOSITORY}#")) for t in own), own
    for target in own:
        path = re.sub(r"^.*/(blob|raw)/main/", "", target)
        if path != target:
            assert (ROOT / path).is_file(), target


def test_pre_commit_hook_shows_the_warnings_of_a_passing_check(wheel_env: WheelEnv,
                                                              tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "report-archive-check")
    # pre-commit prints the output of a passing hook only when it is verbose.
    assert hook["verbose"] is True and hook["language"] == "python"
    root = write_consumer_site(tmp_path / "site")
    looks_like_a_report = "---\nauthors: [Ada]\ndate: 2024-01-01\n---\n\n# Notes\n"
    (root / "docs" / "notes.md").write_text(looks_like_a_report, encoding="utf-8")
    staged = ["docs/notes.md", f"docs/{REPORTS_DIR}/{BERT}"]
    entry = shlex.split(hook["entry"])
    result = wheel_env.run([str(wheel_env.bin / entry[0]), *entry[1:], *staged], root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "docs/notes.md:" in result.stdout and "warning" in result.stdout


# --- the stock consumer site ------------------------------------------------------------

def test_stock_consumer_site_builds_strictly(stock: SiteBuild) -> None:
    assert_archive_built(stock)
    assert not (stock.root / "overrides").exists()
    data = json.loads((stock.site / "reports.json").read_text(encoding="utf-8"))
    assert BERT_TITLE in {r["title"] for r in data["reports"]}
    # Ordinary pages stay ordinary: no report card, own titles.
    assert "About this team" in stock.page("about/")
    assert "ra-card" not in stock.page("about/") and "ra-card" not in stock.page("handbook/")
    # The report page has its card, the home page lists the newest reports.
    assert BERT_TITLE in stock.page(report_url(BERT))
    assert ROBERTA_TITLE in stock.page("")


def test_check_from_the_wheel_passes_on_the_consumer_site(wheel_env: WheelEnv,
                                                          stock: SiteBuild) -> None:
    result = wheel_env.run([str(wheel_env.bin / "report-archive"), "check", "--strict"],
                           stock.root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"({len(REPORTS)} reports): 0 errors, 0 warnings" in result.stdout


def test_check_does_not_load_the_charting_stack(wheel_env: WheelEnv, stock: SiteBuild) -> None:
    # The pre-commit hook runs `check`: it must stay quick and not need matplotlib.
    probe = ("import sys\nfrom report_archive.cli import main\n"
             "try:\n    main(['check'])\nexcept SystemExit as done:\n    code = done.code\n"
             "print('exit', code, 'matplotlib' in sys.modules)")
    result = wheel_env.run([str(wheel_env.bin / "python"), "-c", probe], stock.root)
    # (MkDocs itself is loaded: `check` reads the configuration as MkDocs does.)
    assert result.stdout.strip().splitlines()[-1] == "exit 0 False", result.stdout


# The ends of the range the classifiers name (3.10 to 3.13), besides this interpreter.
@pytest.mark.parametrize("minor", sorted({10, 13} - {sys.version_info[1]}))
def test_wheel_builds_the_site_on_every_supported_python(minor: int, wheel_env: WheelEnv,
                                                         tmp_path: Path) -> None:
    python = find_python(minor)
    if python is None:
        pytest.skip(f"no Python 3.{minor} on this machine")
    other = make_wheel_env(tmp_path / "venv", wheel_env.wheel, python)
    assert other.pip_check.startswith("exit 0"), other.pip_check
    assert_archive_built(other.mkdocs_build(write_consumer_site(tmp_path / "site")))


# --- the matrix ---------------------------------------------------------------------------

Check = Callable[[SiteBuild], None]


@dataclass(frozen=True)
class Row:
    """A consumer site that differs from the stock one by a plugin or a setting."""

    id: str
    config: dict[str, Any] = field(default_factory=dict)  # merged into mkdocs.yml
    files: dict[str, str] = field(default_factory=dict)  # extra files of the site
    packages: tuple[str, ...] = ()  # installed into the wheel's venv first
    git: bool = False  # the site is a git repository with one commit
    check: Check | None = None  # what a user of this row would look at
    xfail: str = ""  # why it fails today

    def param(self) -> Any:
        marks = [pytest.mark.xfail(strict=True, reason=self.xfail)] if self.xfail else []
        return pytest.param(self, id=self.id, marks=marks)


def _plugins(*names: Any) -> dict[str, Any]:
    return {"plugins": list(names)}


def _theme(**options: Any) -> dict[str, Any]:
    return {"theme": {"name": "material", **options}}


def _page_has(path: str, *texts: str) -> Check:
    def check(built: SiteBuild) -> None:
        html = built.page(path)
        for text in texts:
            assert text in html, text
    return check


def _nav_has(*titles: str) -> Check:
    def check(built: SiteBuild) -> None:
        shown = nav_titles(built.page("about/"))
        assert set(titles) <= set(shown), shown
    return check


def _report_placed_where_the_nav_says(built: SiteBuild) -> None:
    titles = nav_titles(built.page("about/"))
    assert "Experiments" in titles, titles
    start = titles.index("Experiments")
    placed = titles[start:]
    assert ROBERTA_TITLE in placed and BERT_TITLE in placed, titles
    assert placed.index(ROBERTA_TITLE) < placed.index(BERT_TITLE), titles


def _one_tag_bar(built: SiteBuild) -> None:
    html = built.page(report_url(BERT))
    # Material's bar, when its tags plugin is on, is hidden: the header card shows the tags.
    visible = html.count('<nav class="md-tags">') + html.count('class="ra-tags"')
    assert visible == 1, visible


def _macros_rendered(built: SiteBuild) -> None:
    for path in ("", "tags/nlp/", "browse/", report_url(BERT), "compare/sst-2/"):
        html = built.page(path)
        assert "{{ team }}" not in html, path
        assert "by the NLP team" in html, path


def _in_german(built: SiteBuild) -> None:
    for path in ("", "browse/", "tags/"):
        html = built.page(path)
        assert "Suche" in html, path  # Material's own interface is German
        assert "Browse reports" not in html, path


def _redirected(built: SiteBuild) -> None:
    assert "browse/" in built.page("old-browse/")
    assert "compare/sst-2/" in built.page("boards/")


AWESOME_PAGES = {"docs/.pages": "nav:\n  - about.md\n  - Experiments: experiments\n  - ...\n",
                 f"docs/{REPORTS_DIR}/.pages": f"nav:\n  - {ROBERTA}\n  - {BERT}\n  - ...\n"}
REDIRECTS = {"redirects": {"redirect_maps": {"old-browse.md": "browse/index.md",
                                             "boards.md": "compare/sst-2/index.md"}}}
NAV = [{"Home": "index.md"}, {"About": "about.md"}, {"Handbook": "handbook.md"}]
SUMMARY = f"* [About](about.md)\n* [Handbook](handbook.md)\n* [BERT]({REPORTS_DIR}/{BERT})\n"
OMITTED_WARN = {"validation": {"nav": {"omitted_files": "warn"}}}
MACRO_TITLE = (EXAMPLE_DOCS / BERT).read_text(encoding="utf-8").replace(
    f'title: "{BERT_TITLE}"', 'title: "BERT-base on SST-2 by the {{ team }}"', 1)
MACROS = {"extra": {"team": "NLP team"}}
MACRO_FILES = {f"docs/{REPORTS_DIR}/{BERT}": MACRO_TITLE}
TAGS_INDEX = {"docs/tags.md": "# Tags\n\n<!-- material/tags -->\n"}

ROWS = [
    Row("stock", check=_page_has(report_url(BERT), BERT_TITLE)),
    Row("navigation.instant", _theme(features=["navigation.instant"]),
        check=_page_has("browse/", "navigation.instant")),
    Row("dark-scheme", _theme(palette={"scheme": "slate"}),
        check=_page_has(report_url(BERT), 'data-md-color-scheme="slate"')),
    Row("git-revision-date-localized",
        _plugins("search", "report-archive", "git-revision-date-localized"),
        packages=("mkdocs-git-revision-date-localized-plugin",), git=True,
        check=_page_has(report_url(BERT), "git-revision-date-localized-plugin-date")),
    Row("literate-nav", _plugins("search", "report-archive", "literate-nav"),
        files={"docs/SUMMARY.md": SUMMARY}, packages=("mkdocs-literate-nav",),
        check=_nav_has("About", "Handbook", "BERT")),
    Row("explicit-nav", {"nav": NAV}, check=_nav_has("Home", "About", "Handbook")),
    Row("redirects-after", _plugins("search", "report-archive", REDIRECTS),
        packages=("mkdocs-redirects",), check=_redirected),
    Row("attr_list", {"markdown_extensions": ["attr_list"]},
        check=_page_has(report_url(BERT), "grid {5e-5, 4e-5, 3e-5, 2e-5}")),
    Row("explicit-nav-omitted-files", {"nav": NAV, **OMITTED_WARN}),
    Row("literate-nav-omitted-files",
        {**_plugins("search", "report-archive", "literate-nav"), **OMITTED_WARN},
        files={"docs/SUMMARY.md": SUMMARY}, packages=("mkdocs-literate-nav",)),
    Row("awesome-pages-after", _plugins("search", "report-archive", "awesome-pages"),
        files=AWESOME_PAGES, packages=("mkdocs-awesome-pages-plugin",),
        check=_report_placed_where_the_nav_says),
    Row("awesome-pages-before", _plugins("search", "awesome-pages", "report-archive"),
        files=AWESOME_PAGES, packages=("mkdocs-awesome-pages-plugin",),
        check=_report_placed_where_the_nav_says),
    Row("material-tags", _plugins("search", "tags", "report-archive"), files=TAGS_INDEX,
        check=_one_tag_bar),
    Row("material-tags-no-index", _plugins("search", "tags", "report-archive"),
        check=_one_tag_bar),
    Row("redirects-before", _plugins("search", REDIRECTS, "report-archive"),
        packages=("mkdocs-redirects",), check=_redirected),
    Row("macros-after", {**_plugins("search", "report-archive", "macros"), **MACROS},
        files=MACRO_FILES, packages=("mkdocs-macros-plugin",), check=_macros_rendered),
    Row("macros-before", {**_plugins("search", "macros", "report-archive"), **MACROS},
        files=MACRO_FILES, packages=("mkdocs-macros-plugin",), check=_macros_rendered),
    Row("language-de", _theme(language="de"), check=_in_german),
]


@pytest.mark.parametrize("row", [row.param() for row in ROWS])
def test_consumer_site_matrix(row: Row, wheel_env: WheelEnv, tmp_path: Path) -> None:
    wheel_env.install(*row.packages)
    config = {**default_config(), **row.config}
    built = wheel_env.mkdocs_build(write_consumer_site(tmp_path / "site", config, row.files,
                                                       git=row.git))
    assert_archive_built(built, own_tag_index="docs/tags.md" not in row.files)
    if row.check is not None:
        row.check(built)
