"""Full-text search of the whole site, as a sharded index a browser loads piece by piece.

Material's search plugin puts every section of every page into one lunr index
that each reader downloads before the first result (83 MB at 5,000 reports).
This module builds the index the site's own search worker
(`assets/report-archive/search-worker.js`) reads instead:

- `manifest.json`: the shard keys (term prefixes) with their sizes, the number
  of documents, the stopwords and the chunk sizes;
- `t/<n>.json`: the terms of one prefix, each with its postings (document,
  impact, best section) as a compact string; a prefix whose terms outgrow
  `SHARD_BYTES` is split by its next character, so any shard stays small and a
  typed prefix maps to few shards;
- `d/<n>.json`: the documents' titles, URLs, kinds, statuses and datasets, in
  chunks of `DOC_CHUNK`;
- `f/<n>.json`: one document's sections (anchor, title, text), fetched only for
  the results shown, to show the passage that matched;
- `facets.json`: the tags, datasets, statuses and authors of every document,
  for filters and their counts.

Impacts are BM25 scores with field boosts (title, tags, authors, dataset,
model, status above headings above body text), computed here and quantised, so
the browser only adds numbers. Nothing here imports MkDocs.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from html import unescape
from itertools import accumulate, chain, pairwise
from pathlib import Path
from typing import Any, Protocol

from . import finds
from .memory import Trimmer, give_back
from .model import Report

VERSION = 1
SHARD_BYTES = 48_000
ROOT_PREFIX = 2
MAX_PREFIX = 8
DOC_CHUNK = 50
MAX_SECTION_TEXT = 20_000
K1, B = 1.2, 0.75
IMPACT_SCALE = 4.0
# Field boosts: a word in the title counts as eight in the body.
BOOSTS = {"title": 8.0, "tags": 4.0, "authors": 4.0, "dataset": 4.0, "model": 3.0,
          "status": 2.0, "heading": 2.0, "body": 1.0}
STOPWORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "which", "with"])
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

_TOKEN = re.compile(r"\w+(?:\.\w+)*")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|<!--.*?-->", re.S)
_ID = re.compile(r"""\bid\s*=\s*["']([^"']*)["']""")
_SKIP = frozenset({"script", "style", "template", "svg"})
_HEADINGS = frozenset({"h1", "h2", "h3"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
# Elements whose text is never run together with the next's: a space on either side.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h4", "h5", "h6",
    "header", "hgroup", "hr", "legend", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"})
_CELLS = frozenset({"td", "th"})
# Between two cells of a table (not before its first), shown as " · " in a passage.
_CELL = "\x1f"
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


# Text ------------------------------------------------------------------------

def fold(text: str) -> str:
    """Lower case without accents: the form terms are indexed and queried in."""
    lower = text.lower()
    if lower.isascii():
        return lower
    return _MARKS.sub("", unicodedata.normalize("NFKD", lower))


def tokens(text: str) -> list[str]:
    """The terms of a text: runs of letters, digits and `_`, joined by inner dots (`v1.1`)."""
    return _TOKEN.findall(fold(text))


def terms(text: str) -> list[str]:
    """The indexed terms of a text: tokens without stopwords."""
    return [t for t in tokens(text) if len(t) > 1 and t not in STOPWORDS]


@dataclass(frozen=True)
class Section:
    """A part of a page under one heading; `anchor` is "" for the part above the first."""

    anchor: str
    title: str
    text: str


def sections(html_text: str) -> list[Section]:
    """A page's text by h1-h3 headings, in one pass over its tags.

    Scripts, styles, heading permalinks and elements marked `data-search-exclude`
    are left out, as Material's search leaves them out. The text of block
    elements (paragraphs, list items, h4-h6, cells) is never run together, and a
    table's cells are set apart by " · ".
    """
    found: list[Section] = []
    anchor, title = "", ""
    parts: list[str] = []
    heading: list[str] | None = None
    heading_id = ""
    skip_depth = 0
    skip_tag = ""
    position = 0
    first_cell = True
    for match in _TAG.finditer(html_text):
        if not skip_depth:
            chunk = html_text[position:match.start()]
            if chunk:
                (heading if heading is not None else parts).append(chunk)
        position = match.end()
        closing, name, attrs = match.group(1), (match.group(2) or "").lower(), match.group(3) or ""
        if not name:
            continue  # a comment
        if skip_depth:
            if name == skip_tag and not attrs.rstrip().endswith("/"):
                skip_depth += -1 if closing else 1
            continue
        if not closing and (name in _SKIP or "data-search-exclude" in attrs
                            or 'class="headerlink"' in attrs):
            if name not in _VOID and not attrs.rstrip().endswith("/"):
                skip_depth, skip_tag = 1, name
            continue
        if name in _HEADINGS:
            if not closing:
                found.append(Section(anchor, title, _clean("".join(parts))))
                ids = _ID.search(attrs)
                heading, heading_id, parts = [], ids.group(1) if ids else "", []
            elif heading is not None:
                anchor, title, heading = heading_id, _clean("".join(heading)), None
        elif name in _BLOCKS:
            cell = name in _CELLS and not closing and not first_cell
            (heading if heading is not None else parts).append(_CELL if cell else " ")
            if (name in _CELLS and not closing) or name == "table":
                first_cell = name == "table" and not closing
    if not skip_depth:
        parts.append(html_text[position:])
    found.append(Section(anchor, title, _clean("".join(parts))))
    return [s for s in found if s.text or s.title]


def _clean(text: str) -> str:
    """Text with its spaces collapsed; table cells apart by " · "."""
    if _CELL in text:
        text = _cell_runs(text)
    return " ".join(unescape(text).split()).removeprefix("· ").removesuffix(" ·")


def _cell_runs(text: str) -> str:
    """Each run of spaces (`str.isspace`, the mark included) that holds a cell mark, as
    " · ", in one pass (a regular expression for such runs tries every space anew)."""
    first, *middle, last = text.split(_CELL)
    return "".join([first.rstrip(), " · ", *(part.strip() + " · " for part in middle
                                             if not part.isspace() and part),
                    last.lstrip()])


# Documents -----------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    """A page as the index knows it; `fields` are the boosted metadata (name to text).

    Its text is either `sections`, or (as the build keeps it) `text`: the sections
    already counted and their passages compressed.
    """

    url: str
    title: str
    sections: tuple[Section, ...]
    kind: str = "page"  # "report" or "page"
    status: str = ""
    datasets: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)
    text: PageText | None = None

    def facets(self) -> list[tuple[str, str]]:
        return ([("status", self.status)] if self.status else []) + \
            [("dataset", d) for d in self.datasets] + [("tag", t) for t in self.tags] + \
            [("author", a) for a in self.authors]

    def page_text(self) -> PageText:
        """Its text as the index keeps it, counted."""
        return (self.text if self.text is not None else sections_text(self.sections)).counted()


@dataclass(frozen=True)
class Counts:
    """A page's weighted term frequencies and, per term, its best section, compactly.

    `terms` are the terms in the order first met, joined by spaces (a term has
    none); `weights` and `best` hold each one's weight and best section at the
    same position; `length` is the number of body words. A page of 1,500 terms
    takes some 20 kB this way, where two dictionaries took 200 kB.
    """

    terms: str
    weights: array[float]
    best: array[int]
    length: int

    def words(self) -> list[str]:
        return self.terms.split(" ") if self.terms else []


@dataclass(frozen=True)
class PageText:
    """What the index keeps of a page's text: its `f/<n>.json` (zlib-compressed) and the
    term counts of its sections (its metadata are added when the index is written).

    `counts` None: not counted yet (a page taken apart by the build's own process
    is counted when the index is written, on another core); the passages hold all
    the text the counts need.
    """

    fragment: bytes
    counts: Counts | None = None

    def passages(self) -> list[Section]:
        return [Section(*part) for part in json.loads(zlib.decompress(self.fragment))]

    def counted(self) -> PageText:
        return self if self.counts is not None else PageText(
            self.fragment, count_sections(self.passages()))


def _numbers(values: list[float]) -> array[float]:
    """Weights in four bytes each where that keeps them exact (they are sums of counts
    times boosts), else in eight."""
    small = array("f", values)
    return small if small.tolist() == values else array("d", values)


def count_sections(found: Sequence[Section]) -> Counts:
    """The term counts of a page's sections: body words once, heading words boosted."""
    weighted: dict[str, float] = {}
    best: dict[str, tuple[float, int]] = {}
    length = 0
    for index, section in enumerate(found):
        words = terms(section.text[:MAX_SECTION_TEXT])
        length += len(words)
        body: dict[str, float] = dict(Counter(words))
        for term, count in Counter(terms(section.title)).items():
            body[term] = body.get(term, 0.0) + count * BOOSTS["heading"]
        for term, weight in body.items():
            weighted[term] = weighted.get(term, 0.0) + weight
            if weight > best.get(term, (0.0, 0))[0]:
                best[term] = (weight, index)
    code = "H" if len(found) <= 0xFFFF else "I"
    return Counts(" ".join(weighted), _numbers(list(weighted.values())),
                  array(code, [best[t][1] for t in weighted]), length)


def with_metadata(counts: Counts, metadata: dict[str, str]) -> Counts:
    """A page's term counts with its title and metadata added, each field boosted.

    Terms already in the text gain weight; new ones follow, with section 0.
    """
    padded = f" {counts.terms} "
    weights, best = counts.weights.tolist(), array(counts.best.typecode, counts.best)
    added: dict[str, int] = {}
    for name, text in metadata.items():
        boost = BOOSTS.get(name, 1.0)
        for term in dict.fromkeys(terms(text)):
            at = added.get(term)
            if at is None:
                found = padded.find(f" {term} ")
                at = padded.count(" ", 0, found) if found >= 0 else None
            if at is None:
                added[term] = len(weights)
                weights.append(0.0)
                best.append(0)
                at = added[term]
            weights[at] += boost
    words = " ".join([counts.terms, *added] if counts.terms else added)
    return Counts(words if added else counts.terms, array("d", weights), best, counts.length)


def sections_text(found: Sequence[Section], *, count: bool = True) -> PageText:
    """A page's text as the index keeps it, from its sections (which need not be kept);
    `count` False: counted later (`PageText.counted`)."""
    parts = [[s.anchor, s.title, s.text[:MAX_SECTION_TEXT]] for s in found]
    fragment = zlib.compress(_dump(parts).encode("utf-8"), 1)
    return PageText(fragment, count_sections(found) if count else None)


def page_text(html_text: str, *, count: bool = True) -> PageText:
    """A page's text as the index keeps it, from its HTML."""
    return sections_text(sections(html_text), count=count)


def count_terms(doc: Document) -> Counts:
    """A document's term counts, its title and metadata included."""
    counts = doc.page_text().counts
    assert counts is not None
    return with_metadata(counts, {"title": doc.title, **doc.fields})


# Encoding --------------------------------------------------------------------------

def encode(numbers: Iterable[int]) -> str:
    """Non-negative integers as base-32 digits, most significant first; the
    first 32 characters of `ALPHABET` mark a number's last digit."""
    out: list[str] = []
    for number in numbers:
        if number < 32:
            out.append(ALPHABET[number])
            continue
        digits = [number & 31]
        number >>= 5
        while number:
            digits.append(number & 31)
            number >>= 5
        for digit in reversed(digits[1:]):
            out.append(ALPHABET[32 + digit])
        out.append(ALPHABET[digits[0]])
    return "".join(out)


def decode(text: str) -> list[int]:
    """The inverse of `encode` (the browser's worker does the same)."""
    numbers, current = [], 0
    for char in text:
        value = ALPHABET.index(char)
        current = (current << 5) | (value & 31)
        if value < 32:
            numbers.append(current)
            current = 0
    return numbers


# The index ---------------------------------------------------------------------------

@dataclass(frozen=True)
class IndexStats:
    documents: int
    terms: int
    shards: int
    bytes: int
    largest_shard: int


@dataclass(frozen=True)
class Postings:
    """Every term's postings (document, impact, best section), documents in order, in
    flat arrays: term `i` has positions `starts[i]` to `starts[i + 1]`; terms are in the
    order first met."""

    terms: list[str]
    starts: array[int]
    documents: array[int]
    impacts: array[int]
    sections: array[int]

    def encoded(self, index: int) -> str:
        """A term's postings as the index writes them: document gaps, impacts, sections."""
        low, high = self.starts[index], self.starts[index + 1]
        numbers = self.documents[low:high]
        gaps = [numbers[0], *(b - a for a, b in pairwise(numbers))] if numbers else []
        return encode(chain.from_iterable(zip(gaps, self.impacts[low:high],
                                              self.sections[low:high], strict=True)))

    def table(self) -> dict[str, list[tuple[int, int, int]]]:
        """The same as one list of tuples per term (for a small index)."""
        table = {}
        for i, term in enumerate(self.terms):
            low, high = self.starts[i], self.starts[i + 1]
            table[term] = list(zip(self.documents[low:high], self.impacts[low:high],
                                   self.sections[low:high], strict=True))
        return table


def build_postings(docs: Sequence[Document]) -> Postings:
    """Impacts of every term in every document, in two passes over the documents'
    compact counts (how many documents hold each term, then the impacts), without
    an object per posting."""
    frequency: Counter[str] = Counter()
    length = 0
    for doc in docs:
        counts = count_terms(doc)
        frequency.update(counts.words())
        length += counts.length
    average = length / max(1, len(docs)) or 1.0
    total = len(docs)
    words = list(frequency)
    idf = array("d", [math.log(1 + (total - n + 0.5) / (n + 0.5)) for n in frequency.values()])
    starts = array("Q", accumulate(frequency.values(), initial=0))
    del frequency
    ids = {word: i for i, word in enumerate(words)}
    size = starts[-1]
    documents, impacts, best = (array("I", [0]) * size for _ in range(3))
    cursor = array("Q", starts)
    for number, doc in enumerate(docs):
        counts = count_terms(doc)
        norm = K1 * (1 - B + B * counts.length / average)
        for term, weight, section in zip(counts.words(), counts.weights, counts.best,
                                         strict=True):
            index = ids[term]
            score = idf[index] * weight * (K1 + 1) / (weight + norm)
            at = cursor[index]
            cursor[index] = at + 1
            documents[at], impacts[at], best[at] = (
                number, max(1, round(score * IMPACT_SCALE)), section)
    return Postings(words, starts, documents, impacts, best)


def postings(docs: Sequence[Document]) -> dict[str, list[tuple[int, int, int]]]:
    """Every term's (document, impact, best section), documents in order."""
    return build_postings(docs).table()


def shard_terms(encoded: dict[str, str], limit: int = SHARD_BYTES) -> dict[str, dict[str, str]]:
    """Terms grouped by prefix: two characters, longer where a group would exceed `limit`.

    A term belongs to the longest shard key that begins it; a key's own shard
    keeps the terms no longer than the key when its group is split.
    """
    shards: dict[str, dict[str, str]] = {}

    def size(group: dict[str, str]) -> int:
        return sum(len(t) + len(p) + 6 for t, p in group.items())

    def place(prefix: str, group: dict[str, str]) -> None:
        if size(group) <= limit or len(prefix) >= MAX_PREFIX:
            shards[prefix] = group
            return
        children: dict[str, dict[str, str]] = {}
        own: dict[str, str] = {}
        for term, text in group.items():
            if len(term) <= len(prefix):
                own[term] = text
            else:
                children.setdefault(term[:len(prefix) + 1], {})[term] = text
        if own:
            shards[prefix] = own
        for key, child in children.items():
            place(key, child)

    roots: dict[str, dict[str, str]] = {}
    for term, text in encoded.items():
        roots.setdefault(term[:ROOT_PREFIX], {})[term] = text
    for key, group in roots.items():
        place(key, group)
    return shards


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_index(folder: Path, docs: Sequence[Document]) -> IndexStats:
    """Write the index of `docs` into `folder` (replacing an older one); its figures."""
    for sub in ("t", "d", "f"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for old in (folder / sub).glob("*.json"):
            old.unlink()
    if any(d.text is None or d.text.counts is None for d in docs):
        docs = [replace(d, sections=(), text=d.page_text()) for d in docs]
    table = build_postings(docs)
    encoded = {term: table.encoded(i) for i, term in enumerate(table.terms)}
    del table
    give_back()
    shards = shard_terms(encoded)
    keys = sorted(shards)
    written = 0
    sizes = []
    for number, key in enumerate(keys):
        text = _dump(shards[key])
        (folder / "t" / f"{number}.json").write_text(text, encoding="utf-8")
        sizes.append(len(text.encode("utf-8")))
    written += sum(sizes)
    for start in range(0, len(docs), DOC_CHUNK):
        rows = [[d.title, d.url, d.kind, d.status, ", ".join(d.datasets)]
                for d in docs[start:start + DOC_CHUNK]]
        written += _write(folder / "d" / f"{start // DOC_CHUNK}.json", _dump(rows))
    for number, doc in enumerate(docs):
        assert doc.text is not None
        fragment = zlib.decompress(doc.text.fragment)
        (folder / "f" / f"{number}.json").write_bytes(fragment)
        written += len(fragment)
    written += _write(folder / "facets.json", _dump(_facets(docs)))
    manifest = {"version": VERSION, "documents": len(docs), "chunk": DOC_CHUNK,
                "alphabet": ALPHABET, "root": ROOT_PREFIX,
                "maxPrefix": MAX_PREFIX, "stopwords": sorted(STOPWORDS),
                "scale": IMPACT_SCALE, "shards": [[k, s] for k, s in zip(keys, sizes,
                                                                         strict=True)]}
    written += _write(folder / "manifest.json", _dump(manifest))
    return IndexStats(len(docs), len(encoded), len(keys), written, max(sizes, default=0))


def _write(path: Path, text: str) -> int:
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def _facets(docs: Sequence[Document]) -> dict[str, object]:
    """Facet values ([kind, label]) once, and each document's value numbers, encoded."""
    values: dict[tuple[str, str], int] = {}
    rows = []
    for doc in docs:
        ids = [values.setdefault(v, len(values)) for v in dict.fromkeys(doc.facets())]
        rows.append(encode(ids))
    return {"values": [list(v) for v in values], "docs": rows}


# Material's side ---------------------------------------------------------------------

_CONFIG_START = '<script id="__config" type="application/json">'
_CONFIG = re.compile(f'({re.escape(_CONFIG_START)})(.*?)(</script>)', re.S)
_WORKER = re.compile(r'("search":\s*")[^"]*(")')


def use_worker(page_html: str, worker_url: str) -> str:
    """The page with the search worker URL of Material's `__config` replaced by ours."""
    done = finds.apply(page_html, worker_edits(page_html, worker_url))
    assert done is not None  # (one change)
    return done


def worker_edits(page_html: str, worker_url: str) -> list[finds.Edit]:
    """The change `use_worker` makes."""
    def swap(config: re.Match[str]) -> str:
        body = _WORKER.sub(lambda m: m.group(1) + worker_url + m.group(2), config.group(2), 1)
        return config.group(1) + body + config.group(3)
    return finds.edits(_CONFIG, _CONFIG_START, swap, page_html, 1)


def write_search_config(index_file: Path) -> None:
    """Keep only the configuration in Material's index: its highlighter reads it on each page,
    and the documents are in our index."""
    data = json.loads(index_file.read_text(encoding="utf-8"))
    index_file.write_text(_dump({"config": data.get("config", {}), "docs": []}),
                          encoding="utf-8")


# Collecting pages during a build ------------------------------------------------------

def report_document(url: str, html_text: str, report: Report,
                    text: PageText | None = None) -> Document:
    """A report page as the index knows it: its text, and its metadata boosted."""
    own = report.own_row
    fields = {"authors": " ".join(report.authors), "tags": " ".join(report.tags),
              "dataset": " ".join(report.datasets), "model": own.model if own else "",
              "status": report.status or ""}
    return Document(
        url, report.title or report.path, (), "report",
        report.status or "", tuple(report.datasets), tuple(report.tags),
        tuple(report.authors), fields, text if text is not None else page_text(html_text))


class Collector:
    """The documents of a site, page by page as the build renders them.

    A page's text is kept counted and compressed (`PageText`), not as its sections.
    Kept across `serve` rebuilds: a page's text is taken apart again only when its
    HTML changed, and a `--dirty` rebuild keeps the pages it did not render. Pages
    whose text was taken apart on other cores arrive counted (`prime`); the rest
    are counted when the index is written (`prepare`).
    """

    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}
        self._texts: dict[str, tuple[int, PageText]] = {}
        self.seconds = 0.0
        # Where documents go as they are made, instead of being kept here: the process
        # that writes the index (see `feed`).
        self.sink: Sender | None = None
        self.sink_lost = False

    def _text_of(self, src_uri: str, html_text: str) -> PageText:
        key = hash(html_text)
        cached = self._texts.get(src_uri)
        if cached is None or cached[0] != key:
            cached = (key, page_text(html_text, count=False))
            self._texts[src_uri] = cached
        return cached[1]

    def prime(self, src_uri: str, html_text: str, text: PageText) -> None:
        """A page's text, taken apart from this HTML on another core."""
        self._texts[src_uri] = (hash(html_text), text)

    def add_page(self, src_uri: str, url: str, title: str, html_text: str) -> None:
        self._add(src_uri, Document(url, title, (), text=self._text_of(src_uri, html_text)))

    def add_report(self, src_uri: str, url: str, html_text: str, report: Report) -> None:
        self._add(src_uri, report_document(url, html_text, report,
                                           self._text_of(src_uri, html_text)))

    def _add(self, src_uri: str, doc: Document) -> None:
        if self.sink is not None:
            self._texts.pop(src_uri, None)
            try:
                self.sink.send((src_uri, doc))
                return
            except OSError:  # the process writing the index is gone: keep them here
                self.sink = None
                self.sink_lost = True
        self.docs[src_uri] = doc

    def prepare(self, keep: Iterable[str]) -> list[Document]:
        """The documents of the pages in `keep` (in that order), counted (and kept counted
        for the next time); the other pages are forgotten."""
        wanted = [src for src in keep if src in self.docs]
        self.docs = {src: self.docs[src] for src in wanted}
        self._texts = {src: self._texts[src] for src in wanted if src in self._texts}
        for src, doc in self.docs.items():
            if doc.text is None or doc.text.counts is None:
                text = doc.page_text()
                self.docs[src] = replace(doc, text=text)
                if src in self._texts:
                    self._texts[src] = (self._texts[src][0], text)
        return list(self.docs.values())

    def write(self, folder: Path, keep: Iterable[str]) -> IndexStats:
        """Write the index of the pages in `keep` (in that order) into `folder`."""
        return write_index(folder, self.prepare(keep))


class Sender(Protocol):
    def send(self, item: Any, /) -> None: ...

    def close(self) -> None: ...


class Receiver(Protocol):
    def recv(self) -> Any: ...


def feed(documents: Receiver, result: Sender) -> None:
    """Collect the documents sent one by one, as `(src_uri, document)`, until
    `("", (folder, keep))`; write the index of those in `keep` into `folder` and send
    back its figures (runs in a process of its own, so the build does not hold them)."""
    collector = Collector()
    trim = Trimmer()
    while True:
        src_uri, item = documents.recv()
        if not src_uri:
            folder, keep = item
            break
        collector.docs[src_uri] = item
        trim()
    result.send(collector.write(folder, keep))


__all__ = [
    "Collector",
    "Counts",
    "Document",
    "IndexStats",
    "PageText",
    "Postings",
    "Receiver",
    "Section",
    "Sender",
    "build_postings",
    "count_sections",
    "count_terms",
    "decode",
    "encode",
    "feed",
    "fold",
    "page_text",
    "postings",
    "report_document",
    "sections",
    "sections_text",
    "shard_terms",
    "terms",
    "tokens",
    "use_worker",
    "with_metadata",
    "write_index",
    "write_search_config",
]
