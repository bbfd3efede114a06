"""The catalogue of validation rules: one id per kind of problem.

Every rule here is documented, with a broken example and its fix, on the
rules page of the site (`reports/guide/rules.md`); a test keeps the two in step.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Literal["error", "warning"]
    title: str
    hint: str


_RULES = [
    # The file itself
    Rule("file-encoding", "error", "File is not UTF-8",
         "Save the file as UTF-8 (without a BOM, or with a UTF-8 BOM)."),
    Rule("file-binary", "error", "File contains NUL bytes",
         "This looks like a binary file; only Markdown text belongs in the archive."),
    Rule("page-clash", "error", "File at the URL of a page the plugin generates",
         "Rename the file (or move it): its page would replace, or be replaced by, one of "
         "the plugin's pages (tags/, browse/, compare/, feed.xml, reports.json)."),
    Rule("file-outside-archive", "error", "Symbolic link leaves the archive",
         "Copy the file into the archive, or remove the link: links that leave docs_dir are "
         "not followed, so nothing outside the archive is published."),
    Rule("file-symlink-loop", "error", "File reached through a symbolic link loop",
         "Remove the link that points back to one of its own parent folders."),
    Rule("file-not-regular", "error", "Not a regular file (pipe, device, socket)",
         "Remove it from the archive: only regular files are read and published."),
    Rule("file-empty", "warning", "File is empty",
         "Write the page, or start a report with `report-archive new`."),
    Rule("limit-file-size", "error", "File is larger than the size limit",
         "Move large data (images, logs) out of the report and link to it."),
    Rule("limit-table-rows", "error", "Table has more rows than the row limit",
         "Keep the table to its summary rows and link to the full data."),
    Rule("limit-tag-length", "error", "Tag is longer than the tag length limit",
         "Use a short tag; put the detail in the summary."),
    Rule("limit-yaml-nodes", "error", "Front matter expands past the YAML size limit",
         "Front matter is a handful of keys: remove the anchors and aliases (&x, *x) "
         "or the deep nesting."),
    Rule("limit-nesting", "error", "Markdown nests deeper than 100 levels",
         "Flatten the lists or quotes, and close the emphasis, brackets and HTML tags: "
         "deeper nesting is refused because it can stop the build."),
    Rule("limit-headings", "error", "Report has more than 5,000 headings",
         "A report has a few dozen headings; split the text or move data out of the report."),
    Rule("limit-archive-tags", "error", "Archive has more distinct tags than the archive limit",
         "Reuse the archive's existing tags; the archive keeps at most 5,000 distinct tags "
         "so that its tag pages stay cheap to build."),
    # Front matter syntax
    Rule("yaml-syntax", "error", "Front matter is not valid YAML",
         "Fix the YAML at the line shown; quote values that contain ': ' or start with "
         "a special character."),
    Rule("yaml-unclosed", "error", "Front matter is never closed",
         "End the front matter with a line of three dashes (---)."),
    Rule("yaml-not-mapping", "error", "Front matter is not a mapping of keys",
         "Write the front matter as `key: value` lines."),
    Rule("yaml-key-type", "error", "Front matter key is not a plain name",
         "Keys are plain names such as `title` or `tags`."),
    Rule("yaml-value", "error", "Front matter value MkDocs cannot load",
         "Quote the value (`title: \"2024-02-30\"`) and drop YAML tags such as "
         "`!!python/tuple`: MkDocs' safe loader rejects them and then shows the whole "
         "front matter as text."),
    Rule("yaml-duplicate-key", "error", "Front matter key appears twice",
         "Keep one of the two; YAML would silently use only the last one."),
    # Front matter fields
    Rule("report-type-missing", "warning", "Page looks like a report but has no `type`",
         "Add `type: ml-experiment-report` to publish it as a report, or `type: page` "
         "to keep it a plain page."),
    Rule("fm-type", "error", "Unknown `type`",
         "Use `type: ml-experiment-report` for a report or `type: page` for a plain page."),
    Rule("fm-required", "error", "Required front matter field missing",
         "Every report needs title, authors, date, type and tags."),
    Rule("fm-title", "error", "Title is empty or not text", "Give the report a one-line title."),
    Rule("fm-authors", "error", "Authors are empty or not names",
         "Write `authors: [Ada Lovelace, Alan Turing]` or `authors: Ada Lovelace, Alan Turing`."),
    Rule("fm-date", "error", "Date is not a real calendar date in YYYY-MM-DD form",
         "Write the date as YYYY-MM-DD, e.g. `date: 2024-03-14`."),
    Rule("fm-updated", "error", "`updated` is not a date, or is before `date`",
         "Write `updated` as YYYY-MM-DD, on or after `date`."),
    Rule("fm-tags", "error", "Tags are missing, empty or not text",
         "Write `tags: [nlp, sentiment-analysis]`: a non-empty list of non-empty strings."),
    Rule("fm-status", "error", "Unknown status",
         "Use one of draft, in-review or final."),
    Rule("fm-dataset", "error", "Dataset is empty or not text",
         "Write `dataset: SST-2` or a list of dataset names."),
    Rule("fm-summary", "error", "Summary is not text",
         "Write the summary as one paragraph of text."),
    Rule("fm-primary-metric", "error", "Primary metric is not a column of the results table",
         "Name one of the metric columns of table 5.1."),
    Rule("fm-runs", "error", "A run reference is not `<tracker>:<run id>`",
         "Write `runs: [mlflow:<run id>]`, with the run id MLflow shows on the run's page."),
    Rule("fm-code", "error", "`code` is not a repository URL and a commit",
         "Write `code: {repository: https://github.com/team/repo, commit: 3f2a9c1}`."),
    Rule("fm-unknown-key", "warning", "Unknown front matter key",
         "Remove the key, or fix its spelling."),
    # Front matter the theme receives (every page, report or not)
    Rule("fm-template", "error", "`template` names no template of the theme",
         "Name a template file of the theme or of its custom_dir (`template: main.html`), "
         "or remove the key."),
    Rule("fm-icon", "error", "`icon` names no icon of the theme",
         "Name an icon as Material does, e.g. `icon: material/flask`, or remove the key."),
    Rule("fm-unsafe-value", "error", "Front matter value would run script or break the page",
         "Remove `javascript:` and `data:` addresses; give `location` a relative or http(s) "
         "address and `status` a plain name. The value is left out of the page."),
    # Status
    Rule("status-not-chosen", "warning", "Status line still reads `Draft / Final / In Review`",
         "Keep the one status that applies: `**Status**: Final`."),
    Rule("status-mismatch", "error", "Front matter status and body status disagree",
         "Make the `status:` key and the `**Status**:` line say the same."),
    Rule("status-missing", "warning", "Report has no status",
         "Add `status: draft` (or in-review, final) to the front matter."),
    # Sections
    Rule("section-missing", "error", "Required section missing",
         "Add the section with its `##` heading, as in the template."),
    Rule("section-recommended-missing", "warning", "Recommended section missing",
         "Add the section, or mark it optional under the plugin's `sections` option."),
    Rule("section-order", "error", "Section out of order",
         "Move the section to its place in the template's order."),
    Rule("section-duplicate", "error", "Section appears twice",
         "Merge the two sections into one."),
    Rule("section-number", "error", "Section has the wrong number",
         "Number the section as the template does, or leave the number out."),
    Rule("section-unknown", "warning", "Section is not part of the template",
         "Rename it to a template section, make it a `###` subsection, or list it under "
         "the plugin's `sections: optional` option."),
    Rule("code-fence-unclosed", "warning", "Code block is never closed",
         "Close the code block with the same fence (``` or ~~~) that opened it."),
    # Tables and results
    Rule("results-table-missing", "error", "No results table under 5.1 Quantitative Results",
         "Add `### 5.1 Quantitative Results` under Results with a Model / metric table."),
    Rule("results-no-own-row", "error", "Results table has no row for the report's own model",
         "Make the first cell of your model's row bold (`**Ours**`) or include \"ours\" in it."),
    Rule("results-own-row-ambiguous", "warning", "More than one row is marked as the report's own",
         "Bold the first cell of your own model's row only."),
    Rule("metric-not-numeric", "error", "Metric cell is not a number",
         "Write a number, optionally bold, with an optional % or ± spread, or leave it "
         "empty / `-` / `N/A` when missing."),
    Rule("metric-not-finite", "error", "Metric cell is a number too large to store",
         "Write the metric as a plain number or percentage; `1e400` overflows to infinity, "
         "which no chart, comparison or JSON can hold."),
    Rule("table-row-cells", "error", "Table row has the wrong number of cells",
         "Give every row as many cells as the header; escape a literal pipe as `\\|`."),
    Rule("metric-out-of-range", "warning", "Bounded metric outside its range",
         "Write accuracy-like metrics as fractions (0.935), with a % sign (93.5%), or as "
         "points (93.5) in every row of the column."),
    Rule("metric-comma-decimal", "warning", "Metric written with a decimal comma",
         "Write the decimal point as `.` (`0.76`, `66.7%`): a comma also separates "
         "thousands, so `1,234` cannot be read safely."),
    Rule("metric-name-split", "warning", "One metric under two names on one dataset",
         "Write the metric's name the same way in every report of the dataset, or join "
         "the two names with the plugin's `metric_aliases` option as the message shows."),
    Rule("metric-f1-inconsistent", "warning", "F1 does not match precision and recall",
         "Check the row: F1 should be 2PR / (P + R) of the precision and recall beside it."),
    Rule("metric-scale-mixed", "warning", "A metric is written on two scales",
         "Write the metric on one scale in every row and every report of the dataset: with "
         "a % sign, as points (0-100) or as a fraction. Until then the cell is not ranked."),
    Rule("results-own-beaten", "warning", "An objective claims to beat a model that scores "
         "better",
         "Check the results table and table 9.2: an objective to beat, outperform or surpass "
         "a model is marked met, yet that model scores better on the primary metric."),
    Rule("dataset-missing", "warning", "Report names no dataset",
         "Fill the **Name** row of table 2.1, or add `dataset:` to the front matter."),
    Rule("chart-failed", "warning", "A leaderboard chart could not be drawn",
         "The leaderboard page is published without that chart; check the dataset's metric "
         "values and dates, and report the message if they look right."),
    Rule("template-residue", "warning", "Template text left in the report",
         "Replace the template's placeholder with the report's own content. "
         "It is an error in a final report."),
    Rule("tag-spelling", "warning", "One tag spelled two ways across the archive",
         "Write the tag as the other reports do, so that they share one tag page."),
    Rule("link-broken", "warning", "Link to a report or image that does not exist",
         "Fix the link: it is relative to the report's own file (`../images/curve.png`, "
         "`2023-02-14-bert-base-sst2.md`)."),
    Rule("rule-unknown", "error", "A report-archive-disable comment names no rule",
         "Write rule ids as this page lists them, e.g. "
         "`<!-- report-archive-disable results-own-beaten -->`."),
    # Runs in the experiment tracker (check --verify-runs)
    Rule("run-metric-mismatch", "error", "A number of the own model's row differs from the "
         "run's logged metric",
         "Copy the run's value into the cell (rounded to the digits you write), or name the "
         "run the row really comes from."),
    Rule("run-metric-missing", "warning", "A column of the results table has no metric in "
         "the run",
         "Map the run's metric name to the column with the plugin's `metric_aliases` option "
         "(`{val_acc: Accuracy}`), or leave the cell empty."),
    Rule("run-no-metrics", "warning", "The report's run has no metrics logged",
         "Name the run that logged the evaluation metrics (the first of `runs:`)."),
    Rule("run-not-found", "error", "The tracker has no run of that id",
         "Copy the run id from the tracker's run page; check that the tracking URI is the "
         "server the run was logged to."),
    Rule("tracker-unreachable", "warning", "The experiment tracker could not be reached; "
         "runs were not verified",
         "Start the tracking server or set MLFLOW_TRACKING_URI (or --tracking-uri) to its "
         "address; the reports themselves are unaffected."),
    # Declared comparisons (mkdocs.yml)
    Rule("dataset-slug-taken", "warning", "A dataset's leaderboard URL is a declared comparison's",
         "Rename the dataset (or the comparison in mkdocs.yml): until then the dataset's "
         "leaderboard is published under another URL."),
    Rule("comparison-path-missing", "warning",
         "A declared comparison names a path that is not a report of the archive",
         "Fix the path under the comparison's `paths` in mkdocs.yml: it is relative to "
         "docs_dir (e.g. `2023-11-08-bert-base-squad.md`) and must name a report."),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


LEVELS = ("off", "warning", "error")


def unknown_rule(name: str) -> str:
    """The message for a rule id that is not in the catalogue, with the closest one."""
    close = difflib.get_close_matches(name, list(RULES), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else "; the rules are listed on the rules page"
    return f"unknown rule '{name}'{hint}"
