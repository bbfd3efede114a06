"""Consumer sites built from the wheel: the package as a team installs it.

The wheel is built from the tracked files of the repository, copied out of it, and
installed with its dependencies into a fresh virtual environment outside the
repository. Sites are built with that environment's `mkdocs` in a subprocess, with
no PYTHONPATH, so nothing of the source tree can leak in.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# The project's repository: pyproject's URLs, README links and the hook's docs use it.
REPOSITORY = "https://github.com/report-archive/mkdocs-report-archive"
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DOCS = ROOT / "reports"

# Reports of the consumer site: three on SST-2 (a leaderboard), one on CIFAR-10.
REPORTS = ("2023-02-14-bert-base-sst2.md", "2023-06-20-distilbert-sst2.md",
           "2024-03-11-roberta-large-sst2.md", "2023-04-05-resnet110-cifar10.md")
# Teams keep reports in a folder of their docs, next to their own pages.
REPORTS_DIR = "experiments"

# Variables that would make the consumer's Python see the source tree or another venv.
_LEAKY = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH",
          "__PYVENV_LAUNCHER__")


def tracked_package_files() -> list[str]:
    """The package's files as git knows them, relative to plugin/ (no bytecode)."""
    listed = subprocess.run(["git", "ls-files", "plugin"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split()
    return sorted(name.removeprefix("plugin/") for name in listed
                  if not name.endswith(".pyc"))


def _copy_tracked_tree(target: Path) -> Path:
    """Copy what git tracks (and new files not yet ignored) out of the repository."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout
    for name in listed.splitlines():
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def build_wheel(out: Path) -> Path:
    """Build sdist, then the wheel from that sdist (as `make dist` does), into `out`."""
    source = _copy_tracked_tree(out / "source")
    dist = out / "dist"
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(source)],
                   check=True, capture_output=True, text=True, env=clean_env())
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY}
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["DISABLE_MKDOCS_2_WARNING"] = "true"  # the same banner, printed by other plugins
    env.update(extra or {})
    return env


@dataclass
class SiteBuild:
    root: Path
    returncode: int
    output: str

    @property
    def site(self) -> Path:
        return self.root / "site"

    def page(self, url_path: str) -> str:
        target = self.site / url_path
        if url_path.endswith("/") or not url_path:
            target = target / "index.html"
        return target.read_text(encoding="utf-8")


@dataclass
class WheelEnv:
    """A virtual environment with the wheel (and its dependencies) installed."""

    wheel: Path
    root: Path
    installed: set[str] = field(default_factory=set)
    pip_check: str = ""  # `pip check` right after the wheel was installed
    seconds: float = 0.0  # how long building the wheel and the venv took

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def env(self) -> dict[str, str]:
        return clean_env({"PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"})

    def run(self, args: Sequence[str], cwd: Path,
            extra_env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **(extra_env or {})}
        return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True,
                              check=False, timeout=600)

    def pip(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run([str(self.bin / "python"), "-m", "pip", *args], cwd=self.root)

    def install(self, *packages: str) -> None:
        """Install extra packages (another plugin a team uses) on demand, once each."""
        missing = [name for name in packages if name not in self.installed]
        if not missing:
            return
        result = self.pip("install", "--quiet", *missing)
        assert result.returncode == 0, result.stdout + result.stderr
        self.installed.update(missing)

    def mkdocs_build(self, site_root: Path, *, strict: bool = True) -> SiteBuild:
        args = [str(self.bin / "mkdocs"), "build", "--clean"]
        if strict:
            args.append("--strict")
        result = self.run(args, cwd=site_root)
        return SiteBuild(site_root, result.returncode, result.stdout + result.stderr)


def make_wheel_env(root: Path, wheel: Path, python: str | None = None) -> WheelEnv:
    """A fresh venv (no system site-packages) with the wheel installed from pip."""
    if python is None:
        venv.EnvBuilder(with_pip=True, clear=True, system_site_packages=False).create(root)
    else:
        subprocess.run([python, "-m", "venv", "--clear", str(root)], check=True,
                       capture_output=True, env=clean_env())
    env = WheelEnv(wheel=wheel, root=root)
    result = env.pip("install", "--quiet", str(wheel))
    assert result.returncode == 0, result.stdout + result.stderr
    checked = env.pip("check")
    env.pip_check = f"exit {checked.returncode}: {checked.stdout}{checked.stderr}"
    return env


_SHARED: dict[str, WheelEnv] = {}


def shared_wheel_env(tmp_path_factory: Any) -> WheelEnv:
    """The wheel in its venv, made once per test session (call from a session fixture)."""
    if "env" not in _SHARED:
        started = time.monotonic()
        base = tmp_path_factory.mktemp("wheel")
        wheel = build_wheel(base)
        env = make_wheel_env(base / "venv", wheel)
        env.seconds = time.monotonic() - started
        _SHARED["env"] = env
    return _SHARED["env"]


def find_python(minor: int) -> str | None:
    """An interpreter of Python 3.<minor> on this machine (PATH or pyenv), if any."""
    name = f"python3.{minor}"
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    installed = sorted(pyenv.glob(f"versions/3.{minor}.*/bin/{name}"))
    candidates = [shutil.which(name), *map(str, installed)]
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[1])"],
                               capture_output=True, text=True, check=False, env=clean_env())
        if probe.returncode == 0 and probe.stdout.strip() == str(minor):
            return candidate
    return None


def default_config() -> dict[str, Any]:
    return {
        "site_name": "Team docs",
        "site_url": "https://docs.example.org/team/",
        "theme": {"name": "material"},
        "plugins": ["search", "report-archive"],
    }


ABOUT = "# About this team\n\nWe train models and write down what we learnt.\n"
HANDBOOK = ("---\ntitle: Handbook\ntype: page\n---\n\n# Handbook\n\n"
            "How we run experiments. Read the [about page](about.md).\n")


def write_consumer_site(root: Path, config: Mapping[str, Any] | None = None,
                        files: Mapping[str, str] | None = None, *,
                        git: bool = False) -> Path:
    """A team's site: docs/ with reports in a folder and ordinary pages, mkdocs.yml."""
    root.mkdir(parents=True, exist_ok=True)
    docs = root / "docs"
    (docs / REPORTS_DIR).mkdir(parents=True, exist_ok=True)
    for name in REPORTS:
        shutil.copy2(EXAMPLE_DOCS / name, docs / REPORTS_DIR / name)
    (docs / "about.md").write_text(ABOUT, encoding="utf-8")
    (docs / "handbook.md").write_text(HANDBOOK, encoding="utf-8")
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    data = copy.deepcopy(dict(config) if config is not None else default_config())
    (root / "mkdocs.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    if git:
        _commit_all(root)
    return root


def _commit_all(root: Path) -> None:
    env = clean_env({"GIT_AUTHOR_NAME": "Team", "GIT_AUTHOR_EMAIL": "team@localhost",
                     "GIT_COMMITTER_NAME": "Team", "GIT_COMMITTER_EMAIL": "team@localhost"})
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "docs"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def report_url(name: str) -> str:
    return f"{REPORTS_DIR}/{name.removesuffix('.md')}/"


def nav_titles(html: str) -> list[str]:
    """The titles in Material's navigation of a page, in the order shown."""
    start = html.find("md-nav--primary")
    end = html.find("md-sidebar--secondary", start)
    return [t.strip() for t in re.findall(r'md-ellipsis">\s*([^<]*?)\s*<', html[start:end])]


def content(html: str) -> str:
    """The page's own content (Material's article), without navigation and header."""
    start = html.index('<article class="md-content__inner')
    return html[start:html.rindex("</article>")]  # cards are articles too
