"""The full-text index without MkDocs: text extraction, terms, encoding, shards, ranking."""

from __future__ import annotations

import json
from pathlib import Path

from report_archive.fulltext import (
    SHARD_BYTES,
    Collector,
    Document,
    Section,
    decode,
    encode,
    postings,
    sections,
    shard_terms,
    terms,
    use_worker,
    write_index,
    write_search_config,
)
from report_archive.model import Report

PAGE = """<h1 id="title">A report<a class="headerlink" href="#title">¶</a></h1>
<p>Intro with <em>label</em> smoothing &amp; more.</p>
<h2 id="41-hyperparameters">4.1 Hyperparameters</h2>
<table><tr><th>Optimizer</th><td>Nesterov</td></tr><tr><td>LR</td><td>1e-3</td></tr></table>
<script>var hidden = "scriptword";</script>
<div data-search-exclude><p>listing <div>nested</div> excludedword</p></div>
<h3 id="notes">Notes</h3><ul><li>Try <code>Optuna</code> next</li></ul>"""


def test_sections_split_by_heading_and_keep_cells_apart() -> None:
    found = sections(PAGE)
    assert [(s.anchor, s.title) for s in found] == [
        ("title", "A report"), ("41-hyperparameters", "4.1 Hyperparameters"), ("notes", "Notes")]
    assert found[0].text == "Intro with label smoothing & more."
    # Table cells are separate words; scripts, permalinks and excluded blocks are not text.
    assert "Optimizer Nesterov" in found[1].text and "1e-3" in found[1].text
    text = " ".join(s.text for s in found)
    assert "scriptword" not in text and "excludedword" not in text and "¶" not in text
    assert "Optuna" in found[2].text


def test_terms_fold_case_and_accents_and_keep_versions() -> None:
    assert terms("The Tomás SST-2 v1.1 split. 93.5% of a") == ["tomas", "sst", "v1.1", "split",
                                                              "93.5"]


def test_encoding_round_trips() -> None:
    numbers = [0, 1, 31, 32, 1023, 1024, 123456789]
    text = encode(numbers)
    assert decode(text) == numbers
    assert len(encode([5, 30, 2])) == 3  # small numbers take one character each


def _doc(number: int, body: str, title: str = "", **fields: str) -> Document:
    return Document(f"r{number}/", title or f"Report {number}",
                    (Section("", "", ""), Section("s", "Section", body)), "report",
                    fields=dict(fields))


def _rank(docs: list[Document], word: str) -> list[int]:
    table = postings(docs)
    return [doc for doc, _, _ in sorted(table.get(word, []), key=lambda p: -p[1])]


def test_a_rare_body_word_ranks_its_report_and_metadata_outweighs_body() -> None:
    docs = [_doc(i, "training loss validation accuracy " * 20) for i in range(30)]
    docs[17] = _doc(17, "training loss " * 20 + "specaugment")
    assert _rank(docs, "specaugment") == [17]
    docs[3] = _doc(3, "filler", authors="Priya Raman")
    docs[4] = _doc(4, "raman " + "filler " * 200)
    assert _rank(docs, "raman")[0] == 3
    best_section = postings(docs)["specaugment"][0][2]
    assert docs[17].sections[best_section].anchor == "s"


def test_shards_stay_small_and_every_term_has_one_home() -> None:
    encoded = {f"ab{i:04d}": "A" * 300 for i in range(2000)} | {"ab": "B", "cd": "C"}
    shards = shard_terms(encoded, limit=SHARD_BYTES)
    assert all(sum(len(t) + len(p) + 6 for t, p in s.items()) <= SHARD_BYTES
               for s in shards.values())
    placed = [term for shard in shards.values() for term in shard]
    assert sorted(placed) == sorted(encoded)  # each term in exactly one shard
    assert len(shards) > 10
    for key, shard in shards.items():
        for term in shard:
            longest = max((k for k in shards if term.startswith(k)), key=len)
            assert longest == key  # the worker's lookup finds it


def test_index_files(tmp_path: Path) -> None:
    docs = [_doc(i, f"word{i} common") for i in range(120)]
    stats = write_index(tmp_path, docs)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"] == stats.documents == 120
    chunks = sorted((tmp_path / "d").glob("*.json"))
    assert len(chunks) == 3 and len(list((tmp_path / "f").glob("*.json"))) == 120
    first = json.loads(chunks[0].read_text(encoding="utf-8"))[0]
    assert first == ["Report 0", "r0/", "report", "", ""]
    shard_files = sorted((tmp_path / "t").glob("*.json"))
    assert len(shard_files) == len(manifest["shards"]) == stats.shards
    assert max(s for _, s in manifest["shards"]) == stats.largest_shard
    # A rebuild with fewer documents leaves no stale files behind.
    write_index(tmp_path, docs[:10])
    assert len(list((tmp_path / "f").glob("*.json"))) == 10


def test_collector_keeps_reports_metadata_and_drops_removed_pages(tmp_path: Path) -> None:
    report = Report("a.md", is_report=True, title="DistilBERT", authors=["Priya Raman"],
                    tags=["nlp"], datasets=["SST-2"], status="final")
    collector = Collector()
    collector.add_report("a.md", "a/", PAGE, report)
    collector.add_page("guide.md", "guide/", "Guide", "<p>guide text</p>")
    collector.add_page("gone.md", "gone/", "Gone", "<p>gone</p>")
    stats = collector.write(tmp_path, ["a.md", "guide.md"])
    assert stats.documents == 2
    facets = json.loads((tmp_path / "facets.json").read_text(encoding="utf-8"))
    assert ["author", "Priya Raman"] in facets["values"] and ["tag", "nlp"] in facets["values"]
    rows = json.loads((tmp_path / "d" / "0.json").read_text(encoding="utf-8"))
    assert rows == [["DistilBERT", "a/", "report", "final", "SST-2"],
                    ["Guide", "guide/", "page", "", ""]]


def test_pages_point_at_our_worker_and_the_material_index_keeps_its_config(
        tmp_path: Path) -> None:
    page = ('<script id="__config" type="application/json">{"base": "..", "search": '
            '"../assets/javascripts/workers/search.1.min.js", "tags": null}</script>'
            '<p>"search": "x"</p>')
    changed = use_worker(page, "../assets/report-archive/search-worker.js")
    assert '"search": "../assets/report-archive/search-worker.js"' in changed
    assert changed.endswith('<p>"search": "x"</p>')
    index = tmp_path / "search_index.json"
    index.write_text(json.dumps({"config": {"separator": "[\\\\s]+"}, "docs": [{"a": 1}]}),
                     encoding="utf-8")
    write_search_config(index)
    assert json.loads(index.read_text(encoding="utf-8")) == {
        "config": {"separator": "[\\\\s]+"}, "docs": []}
