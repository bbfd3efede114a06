"""The full-text index without MkDocs: text extraction, terms, encoding, shards, ranking."""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter
from dataclasses import replace
from html import unescape
from pathlib import Path

from report_archive.fulltext import (
    BOOSTS,
    IMPACT_SCALE,
    K1,
    MAX_SECTION_TEXT,
    SHARD_BYTES,
    B,
    Collector,
    Document,
    Section,
    decode,
    encode,
    page_text,
    postings,
    report_document,
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
    assert "Optimizer · Nesterov · LR · 1e-3" in found[1].text
    text = " ".join(s.text for s in found)
    assert "scriptword" not in text and "excludedword" not in text and "¶" not in text
    assert "Optuna" in found[2].text


def test_passage_text_is_collapsed_as_by_the_regular_expressions_it_replaces() -> None:
    """Cell marks, spaces, references and their mixes read the same as the plain definition:
    runs of spaces holding a cell mark become " · ", any other run one space."""
    from report_archive.fulltext import _clean

    def by_definition(text: str) -> str:
        text = re.sub(r"\s*(?:\x1f\s*)+", " · ", text)
        text = re.sub(r"\s+", " ", unescape(text)).strip()
        return text.removeprefix("· ").removesuffix(" ·")

    pieces = [" ", "\n", "\t", "\x1f", "a", "b1", "&amp;", "&nbsp;", "\xa0", "·", "&#31;",
              "\u2003", "&lt;td&gt;"]
    draw = random.Random(15)
    for _ in range(20_000):
        text = "".join(draw.choice(pieces) for _ in range(draw.randint(0, 12)))
        assert _clean(text) == by_definition(text), repr(text)


def test_adjacent_cells_and_blocks_are_separate_words_and_passages_show_them_apart(
        tmp_path: Path) -> None:
    page = ("<p>Setup</p><table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>"
            "<tr><td>AdamW</td><td>0.01</td></tr><tr><td></td><td><b>Cosine</b></td></tr>"
            "</tbody></table><h4>Warmup</h4>linear<details><summary>Seeds</summary>three"
            "</details><dl><dt>Batch</dt><dd>512</dd></dl><section>Mixup</section>Cutout")
    text = sections(page)[0].text
    assert "Name · Value · AdamW · 0.01 · Cosine" in text  # cells apart, as a reader sees them
    assert text.startswith("Setup Name") and "Cosine Warmup linear Seeds three Batch 512 " \
        "Mixup Cutout" in text  # text before and after the table is not a cell
    words = terms(text)
    for word in ("adamw", "0.01", "warmup", "linear", "seeds", "three", "batch", "512",
                 "mixup", "cutout"):
        assert word in words
    write_index(tmp_path, [Document("r/", "Run", tuple(sections(page)))])
    indexed = {term for shard in sorted((tmp_path / "t").glob("*.json"))
               for term in json.loads(shard.read_text(encoding="utf-8"))}
    assert {"adamw", "0.01", "warmup", "linear"} <= indexed
    assert not {"adamw0.01", "warmuplinear", "seedsthree", "batch512", "mixupcutout"} & indexed
    passage = json.loads((tmp_path / "f" / "0.json").read_text(encoding="utf-8"))[0][2]
    assert "AdamW · 0.01" in passage


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


# The index as first written: a dictionary of weights per page, a tuple per posting. The
# compact path (counts kept as arrays, passages compressed, postings in flat arrays) must
# write exactly the same files.

def _reference_counts(doc: Document) -> tuple[dict[str, float], dict[str, int], int]:
    weighted: dict[str, float] = {}
    best: dict[str, tuple[float, int]] = {}
    length = 0
    for index, section in enumerate(doc.sections):
        words = terms(section.text[:MAX_SECTION_TEXT])
        length += len(words)
        body: dict[str, float] = dict(Counter(words))
        for term, count in Counter(terms(section.title)).items():
            body[term] = body.get(term, 0.0) + count * BOOSTS["heading"]
        for term, weight in body.items():
            weighted[term] = weighted.get(term, 0.0) + weight
            if weight > best.get(term, (0.0, 0))[0]:
                best[term] = (weight, index)
    for name, text in {"title": doc.title, **doc.fields}.items():
        for term in dict.fromkeys(terms(text)):
            weighted[term] = weighted.get(term, 0.0) + BOOSTS.get(name, 1.0)
            best.setdefault(term, (0.0, 0))
    return weighted, {t: b[1] for t, b in best.items()}, length


def _reference_shards(docs: list[Document]) -> list[str]:
    counts = [_reference_counts(d) for d in docs]
    average = sum(c[2] for c in counts) / len(counts) or 1.0
    frequency: Counter[str] = Counter()
    for c in counts:
        frequency.update(c[0].keys())
    idf = {t: math.log(1 + (len(docs) - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
    flat: dict[str, list[int]] = {}
    previous: dict[str, int] = {}
    for number, (weighted, best, length) in enumerate(counts):
        norm = K1 * (1 - B + B * length / average)
        for term, weight in weighted.items():
            score = idf[term] * weight * (K1 + 1) / (weight + norm)
            flat.setdefault(term, []).extend(
                (number - previous.get(term, 0), max(1, round(score * IMPACT_SCALE)),
                 best[term]))
            previous[term] = number
    shards = shard_terms({term: encode(numbers) for term, numbers in flat.items()})
    return [json.dumps(shards[key], ensure_ascii=False, separators=(",", ":"))
            for key in sorted(shards)]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.json"))}


def test_compact_counts_write_the_index_counting_from_the_documents_writes(
        tmp_path: Path) -> None:
    body = "".join(f"<h2 id='s{i}'>Ablation {i} héllo</h2><p>{'dropout warmup ' * i} "
                   f"<b>layer{i % 7}</b> raman tokenizer{i}</p>" for i in range(40))
    # Words of the metadata in the text too, in some pages, and in various numbers.
    pages = {f"r{n}.md": f"<h1 id='t'>Run {n}</h1><p>Raman tuned {'SST-2 ' * n}</p><p>"
             f"{'specaugment ' * (n % 4)}tag{n % 5}</p>" + body[:2000 * (n + 1)]
             for n in range(12)}
    pages["empty.md"] = ""
    reports = {src: Report(src, is_report=True, title=f"Run {n} with Raman",
                           authors=["Priya Raman"], tags=["nlp", f"tag{n % 3}", "specaugment"],
                           datasets=["SST-2"], status="final" if n % 2 else "draft")
               for n, src in enumerate(pages)}
    collector = Collector()
    for n, (src, html) in enumerate(pages.items()):
        if n % 2:  # taken apart on another core, counted there
            collector.prime(src, html, page_text(html))
        collector.add_report(src, f"{src[:-3]}/", html, reports[src])
    collector.add_page("guide.md", "guide/", "Guide to Raman", "<p>Guide text raman</p>")
    keep = [*pages, "guide.md"]
    stats = collector.write(tmp_path / "compact", keep)

    direct = [report_document(f"{src[:-3]}/", "", reports[src], None) for src in pages]
    direct = [replace(d, text=None, sections=tuple(sections(pages[src])))
              for d, src in zip(direct, pages, strict=True)]
    direct.append(Document("guide/", "Guide to Raman", tuple(sections("<p>Guide text raman</p>"))))
    write_index(tmp_path / "direct", direct)
    compact, written = _files(tmp_path / "compact"), _files(tmp_path / "direct")
    assert compact == written
    shards = [compact[f"t/{n}.json"].decode("utf-8") for n in range(stats.shards)]
    assert shards == _reference_shards(direct)
    assert compact["f/3.json"].decode("utf-8") == json.dumps(
        [[s.anchor, s.title, s.text] for s in direct[3].sections], ensure_ascii=False,
        separators=(",", ":"))
    # The same again from what the collector kept (a `serve` rebuild), without re-counting.
    collector.write(tmp_path / "again", keep)
    assert _files(tmp_path / "again") == compact
