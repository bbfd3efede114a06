/* Report Archive: filter and sort the browse table in the page, state in the URL query.
   Without JavaScript the full table shows; nothing here loads anything from the network. */
(function () {
  "use strict";

  function init() {
    var root = document.getElementById("ra-browse");
    if (!root || root.dataset.ready) return;
    root.dataset.ready = "1";
    var form = root.querySelector("form");
    var body = root.querySelector("tbody");
    var count = root.querySelector("[data-count]");
    var sortSelect = form.querySelector("[data-sort]");
    var orderSelect = form.querySelector("[data-order]");
    var filters = Array.prototype.slice.call(form.querySelectorAll("[data-filter]"));
    var rows = null;  // read from the table on first use, not at load

    function readRows() {
      return Array.prototype.slice.call(body.rows).map(function (tr, index) {
        return {
          tr: tr,
          index: index,
          date: tr.dataset.date,
          title: tr.dataset.title.toLowerCase(),
          status: tr.dataset.status,
          year: tr.dataset.year,
          tag: JSON.parse(tr.dataset.tag),
          author: JSON.parse(tr.dataset.author),
          dataset: JSON.parse(tr.dataset.dataset),
          metrics: JSON.parse(tr.dataset.metrics)
        };
      });
    }

    function fold(name, text) {
      var lower = text.toLowerCase();
      return name === "dataset" ? lower.replace(/[\s\-_.]+/g, "") : lower;
    }

    function matches(row, name, value) {
      if (!value) return true;
      var have = row[name];
      if (!Array.isArray(have)) return have === value;
      var want = fold(name, value);
      return have.some(function (item) {
        var folded = fold(name, item);
        // A parent tag (vision) also matches its children (vision/detection).
        return folded === want || (name === "tag" && folded.indexOf(want + "/") === 0);
      });
    }

    function compare(sort, order) {
      var descending;
      var key = function (row) { return row.date; };
      if (sort === "title") {
        key = function (row) { return row.title; };
        descending = false;
      } else if (sort.indexOf("m:") === 0) {
        var metric = sort.slice(2);
        key = function (row) {
          var cell = row.metrics[metric];
          return cell && cell.value !== null ? cell.value : null;
        };
        var option = sortSelect.querySelector('option[value="' + CSS.escape(sort) + '"]');
        descending = !(option && option.dataset.lower === "true");
      } else {
        descending = true;
      }
      if (order === "asc") descending = false;
      if (order === "desc") descending = true;
      return function (a, b) {
        var x = key(a), y = key(b);
        if (x === null && y === null) return a.index - b.index;
        if (x === null) return 1;  // missing values always last
        if (y === null) return -1;
        if (x < y) return descending ? 1 : -1;
        if (x > y) return descending ? -1 : 1;
        return a.index - b.index;
      };
    }

    function apply(push) {
      if (rows === null) rows = readRows();
      var shown = 0;
      var sorted = rows.slice().sort(compare(sortSelect.value, orderSelect.value));
      var fragment = document.createDocumentFragment();
      sorted.forEach(function (row) {
        var visible = filters.every(function (select) {
          return matches(row, select.dataset.filter, select.value);
        });
        row.tr.hidden = !visible;
        if (visible) shown += 1;
        fragment.appendChild(row.tr);
      });
      body.appendChild(fragment);
      count.textContent = String(shown);
      if (push) {
        var params = new URLSearchParams();
        filters.concat([sortSelect, orderSelect]).forEach(function (select) {
          if (select.value && !(select === sortSelect && select.value === "date")) {
            params.set(select.name, select.value);
          }
        });
        var query = params.toString();
        history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
      }
    }

    function restore() {
      var params = new URLSearchParams(location.search);
      filters.concat([sortSelect, orderSelect]).forEach(function (select) {
        var value = params.get(select.name);
        if (value === null) return;
        var option = Array.prototype.find.call(select.options, function (o) {
          return o.value === value || fold(select.name, o.value) === fold(select.name, value);
        });
        if (option) select.value = option.value;
      });
    }

    form.hidden = false;
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    // The page comes sorted newest first and unfiltered: only a shared query
    // needs the rows filtered and reordered on load.
    if (location.search) {
      restore();
      apply(false);
    }
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
