/* Report Archive: full-text search for Material for MkDocs.
 *
 * Replaces Material's search worker and speaks its protocol (SETUP -> READY,
 * QUERY -> RESULT with {items: SearchItem[][]}), so Material's search box,
 * keyboard shortcuts, result list and `search.highlight` stay as they are.
 * Instead of one lunr index of the whole site, it reads the sharded index of
 * `search/fulltext/` (written by the plugin's fulltext.py): the manifest once,
 * then only the term shards a query needs, the document chunks of the results
 * and the text of the results shown. Query syntax beyond words:
 * `tag:nlp dataset:SST-2 status:final author:Raman` (quote values with spaces).
 * Facet counts go to the page's facet bar (search-facets.js) over a
 * BroadcastChannel. No request leaves the site.
 */
"use strict";

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
const ROOT = new URL("../../search/fulltext/", self.location.href);
const MAX_RESULTS = 30;       // results returned (Material renders 10, then more on scroll)
const PASSAGES = 10;          // results whose matching passage is shown
const EXPAND_BYTES = 300000;  // most shard bytes a prefix may pull in
const COMPLETION = 0.7;       // weight of a completion against the exact word
const FACET_KINDS = { status: 4, dataset: 6, tag: 10, author: 8 };
const STATUS = { draft: "Draft", "in-review": "In review", final: "Final" };
const channel = "BroadcastChannel" in self ? new BroadcastChannel("report-archive-search") : null;

let manifest = null;
let keys = new Set();
let sizes = new Map();
let numbers = new Map();
let stopwords = new Set();
let options = {};
let latest = 0;
const cache = new Map();

function get(path) {
  if (!cache.has(path)) {
    const promise = fetch(new URL(path, ROOT)).then(response => {
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      return response.json();
    });
    promise.catch(() => cache.delete(path));
    cache.set(path, promise);
  }
  return cache.get(path);
}

/* Text, as fulltext.py folds and splits it */
function fold(text) {
  return text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
}
function tokens(text) {
  return fold(text).match(/[\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]+)*/gu) || [];
}
function escapeHTML(text) {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}
function decode(text) {
  const out = [];
  let current = 0;
  for (let i = 0; i < text.length; i++) {
    const value = manifest.alphabet.indexOf(text[i]);
    current = current * 32 + (value & 31);
    if (value < 32) { out.push(current); current = 0; }
  }
  return out;
}

/* The query: words, and filters such as tag:nlp or author:"Priya Raman" */
function parse(query) {
  const filters = [];
  const rest = query.replace(/(^|\s)(tag|dataset|status|author):(?:"([^"]*)"?|(\S*))/gi,
    (match, space, kind, quoted, bare) => {
      const value = quoted !== undefined ? quoted : bare;
      if (value) filters.push({ kind: kind.toLowerCase(), value, words: tokens(value) });
      return " ";
    });
  const words = [...new Set(tokens(rest).filter(w => !stopwords.has(w)))];
  return { filters, words };
}

/* Shards: a term lives in the longest shard key that begins it */
function shardOf(term) {
  for (let length = Math.min(term.length, manifest.maxPrefix); length >= manifest.root; length--)
    if (keys.has(term.slice(0, length))) return term.slice(0, length);
  return null;
}
function shardsFor(word) {
  if (word.length < manifest.root) return [];
  const own = shardOf(word);
  const longer = [...keys].filter(key => key.length > word.length && key.startsWith(word));
  const bytes = longer.reduce((sum, key) => sum + sizes.get(key), own ? sizes.get(own) : 0);
  const wanted = bytes <= EXPAND_BYTES ? longer : [];
  return own ? [own, ...wanted] : wanted;
}

async function match(word) {
  const scores = new Map();  // doc -> [score, section]
  const shards = await Promise.all(
    shardsFor(word).map(key => get(`t/${numbers.get(key)}.json`)));
  for (const shard of shards)
    for (const term in shard) {
      if (!term.startsWith(word)) continue;
      const weight = term === word ? 1 : COMPLETION;
      const flat = decode(shard[term]);
      let doc = 0;
      for (let i = 0; i < flat.length; i += 3) {
        doc += flat[i];
        const score = flat[i + 1] * weight;
        const seen = scores.get(doc);
        if (!seen || seen[0] < score) scores.set(doc, [score, flat[i + 2]]);
      }
    }
  return scores;
}

async function facetTable() {
  const table = await get("facets.json");
  if (!table.decoded) {
    table.decoded = table.docs.map(decode);
    table.folded = table.values.map(([, label]) => new Set(tokens(label)));
  }
  return table;
}

function allowed(table, filters) {
  if (!filters.length) return null;
  const accepted = filters.map(filter => new Set(table.values.flatMap(([kind], id) =>
    kind === filter.kind && filter.words.length &&
    filter.words.every(w => table.folded[id].has(w)) ? [id] : [])));
  const docs = new Set();
  table.decoded.forEach((ids, doc) => {
    if (accepted.every(set => ids.some(id => set.has(id)))) docs.add(doc);
  });
  return docs;
}

function facetCounts(table, docs, filters) {
  const counts = new Map();
  for (const doc of docs)
    for (const id of table.decoded[doc] || []) counts.set(id, (counts.get(id) || 0) + 1);
  const chosen = new Set(filters.map(f => `${f.kind}:${f.words.join(" ")}`));
  const out = [];
  for (const [kind, limit] of Object.entries(FACET_KINDS)) {
    const values = [...counts].filter(([id]) => table.values[id][0] === kind &&
      !chosen.has(`${kind}:${[...tokens(table.values[id][1])].join(" ")}`))
      .sort((a, b) => b[1] - a[1] || table.values[a[0]][1].localeCompare(table.values[b[0]][1]))
      .slice(0, limit);
    for (const [id, count] of values) out.push({ kind, label: table.values[id][1], count });
  }
  return out;
}

/* The passage of a section around the first matching word, with <mark>s */
function passage(text, words) {
  if (!words.length) return text.length > 220 ? escapeHTML(text.slice(0, 220)) + "…" : escapeHTML(text);
  const alternatives = words.map(w => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})[\\p{L}\\p{N}_]*`, "giu");
  const folded = fold(text);
  const source = folded.length === text.length ? folded : text.toLowerCase();
  pattern.lastIndex = 0;
  const first = pattern.exec(source);
  if (!first) return null;
  let start = Math.max(0, first.index - 80);
  if (start > 0) start = text.indexOf(" ", start) + 1 || start;
  const end = Math.min(text.length, start + 240);
  const window = text.slice(start, end);
  const windowSource = source.slice(start, end);
  let html = start > 0 ? "…" : "", last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(windowSource); m; m = pattern.exec(windowSource)) {
    html += escapeHTML(window.slice(last, m.index)) +
      `<mark data-md-highlight>${escapeHTML(window.slice(m.index, m.index + m[0].length))}</mark>`;
    last = m.index + m[0].length;
  }
  return html + escapeHTML(window.slice(last)) + (end < text.length ? "…" : "");
}

function bestPassage(sections, best, words) {
  const order = [best, ...sections.keys()].filter(i => i < sections.length);
  for (const index of order) {
    const [anchor, title, text] = sections[index];
    const found = passage(text, words) || passage(title, words);
    if (found) return { anchor, title, text: found };
  }
  const first = sections.find(s => s[2]) || ["", "", ""];
  return { anchor: "", title: "", text: passage(first[2], []) };
}

function highlightTitle(title, words) {
  return (words.length && passage(title, words)) || escapeHTML(title);
}

async function items(ranked, words, terms, table) {
  const rows = await Promise.all(ranked.map(([doc]) =>
    get(`d/${Math.floor(doc / manifest.chunk)}.json`).then(chunk => chunk[doc % manifest.chunk])));
  const fragments = await Promise.all(ranked.slice(0, PASSAGES).map(([doc]) =>
    get(`f/${doc}.json`)));
  return ranked.map(([doc, score, , section], i) => {
    const [title, url, kind, status, dataset] = rows[i];
    let heading = highlightTitle(title, words);
    if (kind === "report") {
      const meta = [STATUS[status] || status, dataset].filter(Boolean).join(" · ");
      if (meta) heading += ` <span class="ra-search-meta">${escapeHTML(meta)}</span>`;
    }
    const tags = (table.decoded[doc] || []).map(id => table.values[id])
      .filter(([k]) => k === "tag").map(([, label]) => escapeHTML(label));
    const article = { location: url, title: heading, text: "", score, terms };
    if (tags.length) article.tags = tags;
    if (i >= fragments.length) return [article];
    const found = bestPassage(fragments[i], section, words);
    if (!found.anchor) return [{ ...article, text: found.text || "" }];
    return [article, { location: `${url}#${found.anchor}`, title: highlightTitle(found.title, words),
      text: found.text || "", score, terms }];
  });
}

async function search(query) {
  const { filters, words } = parse(query);
  if (!words.length && !filters.length) return { result: { items: [] }, total: 0, facets: [] };
  const table = await facetTable();
  const only = allowed(table, filters);
  const matches = await Promise.all(words.map(match));
  const combined = new Map();  // doc -> [coverage, score, best impact, section]
  matches.forEach(scores => {
    for (const [doc, [score, section]] of scores) {
      if (only && !only.has(doc)) continue;
      const entry = combined.get(doc) || [0, 0, -1, 0];
      entry[0] += 1;
      entry[1] += score;
      if (score > entry[2]) { entry[2] = score; entry[3] = section; }
      combined.set(doc, entry);
    }
  });
  if (!words.length && only)
    for (const doc of only) combined.set(doc, [0, 1, 0, 0]);
  const all = [...combined].sort((a, b) => b[1][0] - a[1][0] || b[1][1] - a[1][1] || b[0] - a[0]);
  const ranked = all.slice(0, MAX_RESULTS).map(([doc, [, score, , section]]) =>
    [doc, score, 0, section]);
  const terms = {};
  words.forEach((word, i) => { terms[word] = matches[i].size > 0; });
  const groups = await items(ranked, words, terms, table);
  const result = { items: groups };
  if (options.suggest) result.suggest = [];
  return { result, total: all.length, facets: facetCounts(table, all.map(([doc]) => doc), filters) };
}

async function setup(data) {
  options = (data && data.options) || {};
  try {
    manifest = await get("manifest.json");
    keys = new Set(manifest.shards.map(([key]) => key));
    sizes = new Map(manifest.shards);
    numbers = new Map(manifest.shards.map(([key], i) => [key, i]));
    stopwords = new Set(manifest.stopwords);
  } catch (error) {
    manifest = null;
  }
  self.postMessage({ type: READY });
}

async function answer(query) {
  const ticket = ++latest;
  await new Promise(resolve => setTimeout(resolve, 30));  // let fast typing settle
  if (ticket !== latest) return;
  let found = { result: { items: [] }, total: 0, facets: [] };
  if (manifest) {
    try {
      found = await search(query);
    } catch (error) {
      found = { result: { items: [] }, total: 0, facets: [] };
    }
  }
  if (ticket !== latest) return;
  if (channel)
    channel.postMessage({ query, total: found.total, shown: found.result.items.length,
      facets: found.facets });
  self.postMessage({ type: RESULT, data: found.result });
}

self.addEventListener("message", event => {
  const message = event.data;
  if (message.type === SETUP) setup(message.data);
  else if (message.type === QUERY) answer(message.data);
});
