"""The benchmark's own parts, at a small size, so that `make bench` cannot rot."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))

import bench
from generate import generate

pytestmark = pytest.mark.slow


def test_generator_and_one_build_at_50(tmp_path: Path) -> None:
    docs = tmp_path / "reports"
    written = generate(50, docs)
    assert len(written) == 50
    assert generate(50, tmp_path / "again") and all(
        (tmp_path / "again" / p.name).read_bytes() == p.read_bytes() for p in written)
    checked = bench.check(docs, tmp_path, cached=False)
    assert checked["checked"] == 51  # the reports and the home page, none with errors
    built = bench.build("B", tmp_path, docs, keep=True)
    assert built["own_seconds"] is not None and built["site_mib"] > 0
    data = json.loads((tmp_path / "site-b" / "reports.json").read_text(encoding="utf-8"))
    assert len(data["reports"]) == 50
    tags = {t["name"] for r in data["reports"] for t in r["tags"]}
    assert len(tags) > 20 and len({d for r in data["reports"] for d in r["datasets"]}) >= 5
    results = {"machine": {"cpus": 2, "python": "3"}, "date": "today",
               "load": {"start": (1.0, 1.0, 1.0), "end": (2.0, 2.0, 2.0)},
               "corpora": {"real": {"50": {
                   "runs": {}, "B": {k: {"median": v, "min": v, "max": v}
                                     for k, v in built.items() if isinstance(v, float)},
                   "check": {k: {"median": v, "min": v, "max": v}
                             for k, v in checked.items() if isinstance(v, float)}}}}}
    page = tmp_path / "benchmarks.md"
    bench.write_page(results, page, page.with_suffix(".svg"))
    text = page.read_text(encoding="utf-8")
    assert "| full build, 50 real-length reports, s |" in text
    assert "| `check`, 50 real-length reports, cached, reports/s |" in text
    assert page.with_suffix(".svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
