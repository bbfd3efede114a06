/* Report Archive: filters above Material's search results.
 *
 * The search worker (search-worker.js) sends, for each query, how many pages
 * match and the tags, datasets, statuses and authors most common among them.
 * This script shows them as buttons above the results: pressing one adds the
 * filter to the query (`tag:nlp`), and an active filter's button removes it.
 */
(function () {
  "use strict";
  if (!("BroadcastChannel" in window)) return;
  var channel = new BroadcastChannel("report-archive-search");

  function field() { return document.querySelector("input.md-search__input"); }

  function quote(label) { return /\s/.test(label) ? '"' + label + '"' : label; }

  function search(value) {
    var input = field();
    input.value = value;
    input.focus();
    input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }

  function filters(query) {
    var found = [];
    var pattern = /(^|\s)(tag|dataset|status|author):("[^"]*"?|\S*)/gi;
    var m;
    while ((m = pattern.exec(query)) !== null)
      if (m[3]) found.push({ text: m[0].trim(), kind: m[2].toLowerCase(), label: m[3].replace(/"/g, "") });
    return found;
  }

  function button(text, label, onPress, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "ra-search-facet " + (className || "");
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", function (event) { event.preventDefault(); onPress(); });
    return b;
  }

  function render(data) {
    var input = field();
    var output = document.querySelector(".md-search-result");
    if (!input || !output || data.query !== input.value) return;
    var bar = output.querySelector(".ra-search-facets");
    if (!bar) {
      bar = document.createElement("div");
      bar.className = "ra-search-facets";
      bar.setAttribute("role", "group");
      bar.setAttribute("aria-label", "Narrow the search results");
      var meta = output.querySelector(".md-search-result__meta");
      if (meta) meta.after(bar); else output.prepend(bar);
    }
    bar.replaceChildren();
    var active = filters(data.query);
    if (!data.total && !active.length) { bar.hidden = true; return; }
    bar.hidden = false;
    if (data.total > data.shown) {
      var note = document.createElement("p");
      note.className = "ra-search-facets__note";
      note.textContent = "Best " + data.shown + " of " + data.total.toLocaleString("en") +
        " matching pages: narrow them with a filter.";
      bar.append(note);
    }
    active.forEach(function (f) {
      bar.append(button(f.kind + ": " + f.label + " ✕", "Remove the filter " + f.kind + " " + f.label,
        function () { search(data.query.replace(f.text, "").replace(/\s+/g, " ").trim() + " "); },
        "ra-search-facet--active"));
    });
    data.facets.forEach(function (f) {
      var b = button(f.kind + ": " + f.label, "Only results with " + f.kind + " " + f.label +
        " (" + f.count + ")", function () {
          search((data.query.trim() + " " + f.kind + ":" + quote(f.label)).trim() + " ");
        });
      b.dataset.kind = f.kind;
      b.dataset.value = f.label;
      var count = document.createElement("span");
      count.className = "ra-search-facet__count";
      count.textContent = String(f.count);
      count.setAttribute("aria-hidden", "true");
      b.append(" ", count);
      bar.append(b);
    });
  }

  channel.addEventListener("message", function (event) { render(event.data); });
})();
