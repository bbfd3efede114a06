"""Files that are not what they seem: links out of the archive, link loops, pipes, devices.

Each is named in a diagnostic by the build and by `check`, nothing outside the
archive is published, and nothing waits on a pipe or reads a device without end.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE_DOCS, build_site, write_config
from report_archive.cli import main
from report_archive.filesystem import problem, read_bounded

pytestmark = pytest.mark.slow

REPORT = "2023-02-14-bert-base-sst2.md"


def _archive(tmp: Path) -> tuple[Path, Path]:
    """An archive with one report, and a folder outside it holding a secret page and image."""
    docs = tmp / "docs"
    docs.mkdir()
    (docs / REPORT).write_bytes((EXAMPLE_DOCS / REPORT).read_bytes())
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    outside = tmp / "private"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nsalary table\n", encoding="utf-8")
    (outside / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\nsecret")
    return docs, outside


def _hostile(tmp: Path) -> Path:
    docs, outside = _archive(tmp)
    (docs / "shared").symlink_to(outside, target_is_directory=True)
    (docs / "one-secret.md").symlink_to(outside / "secret.md")
    (docs / "zero.md").symlink_to("/dev/zero")
    os.mkfifo(docs / "pipe.md")
    (docs / "sub").mkdir()
    (docs / "sub" / "page.md").write_text("# Page\n", encoding="utf-8")
    (docs / "sub" / "again").symlink_to("..", target_is_directory=True)
    return docs


# One diagnostic for each link (a linked folder is named once), and each odd file.
EXPECTED = {("shared", "file-outside-archive"), ("one-secret.md", "file-outside-archive"),
            ("zero.md", "file-outside-archive"), ("pipe.md", "file-not-regular"),
            ("sub/again", "file-symlink-loop")}


def _found(messages: list[str]) -> set[tuple[str, str]]:
    found = set()
    for message in messages:
        match = re.search(r"/docs/([^:]+): .*\[(file-[a-z-]+)\]$", message)
        if match and match.group(2) != "file-encoding":
            found.add((match.group(1), match.group(2)))
    return found


def test_build_names_every_such_file_and_publishes_nothing_from_outside(tmp_path: Path) -> None:
    docs = _hostile(tmp_path)
    begin = time.monotonic()
    built = build_site(tmp_path / "build", docs, plugin_options={})
    assert time.monotonic() - begin < 60
    assert built.error is not None  # errors stop a build
    assert _found(built.messages()) == EXPECTED
    served = build_site(tmp_path / "serve", docs, command="serve", plugin_options={})
    assert served.error is None
    site = served.site
    published = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert not any("secret" in p or "photo" in p or "zero" in p or "pipe" in p
                   for p in published), sorted(published)
    assert all("salary table" not in p.read_text(encoding="utf-8", errors="replace")
               for p in site.rglob("*.html"))
    assert "sub/page/index.html" in published
    assert not any(p.startswith("sub/again/") for p in published)


def test_check_agrees_with_the_build(tmp_path: Path, chdir: object) -> None:
    docs = _hostile(tmp_path)
    config = write_config(tmp_path, docs, plugins=["search", "report-archive"])
    result = CliRunner().invoke(main, ["check", "--config", str(config), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    found = {(d["path"].split("docs/", 1)[1], d["rule"]) for d in data["diagnostics"]
             if d["rule"].startswith("file-")}
    assert found == EXPECTED


def test_reads_are_bounded_and_never_wait(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    begin = time.monotonic()
    with pytest.raises(OSError):
        read_bounded(str(fifo), 100)
    with pytest.raises(OSError):
        read_bounded("/dev/zero", 100)
    assert time.monotonic() - begin < 1
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 5000)
    assert len(read_bounded(str(big), 1000)) == 1001
    assert problem(str(big), str(tmp_path)) is None
    assert problem(str(fifo), str(tmp_path)) is not None
    assert problem("/etc/passwd", str(tmp_path)) is None  # not found in the archive
