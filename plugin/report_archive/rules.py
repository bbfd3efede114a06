"""The catalogue of validation rules: one id per kind of problem.

Every rule here is documented, with a broken example and its fix, on the
rules page of the site (`reports/guide/rules.md`); a test keeps the two in step.
"""

from __future__ import annotations

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
    Rule("table-row-cells", "error", "Table row has the wrong number of cells",
         "Give every row as many cells as the header; escape a literal pipe as `\\|`."),
    Rule("metric-out-of-range", "warning", "Bounded metric outside [0, 1]",
         "Write accuracy-like metrics as fractions (0.935) or with a % sign (93.5%)."),
    Rule("metric-f1-inconsistent", "warning", "F1 does not match precision and recall",
         "Check the row: F1 should be 2PR / (P + R) of the precision and recall beside it."),
    Rule("metric-scale-mixed", "warning", "Reports of one dataset mix percent and fraction "
         "scales for a metric",
         "Write the metric on one scale in every report of the dataset: with a % sign, or as "
         "a fraction."),
    Rule("results-own-beaten", "warning", "A baseline beats the report's own model while its "
         "objectives say met",
         "Check the results table and table 9.2: a baseline scores better on the primary "
         "metric than the model the report proposes."),
    Rule("dataset-missing", "warning", "Report names no dataset",
         "Fill the **Name** row of table 2.1, or add `dataset:` to the front matter."),
    Rule("template-residue", "warning", "Template text left in the report",
         "Replace the template's placeholder with the report's own content. "
         "It is an error in a final report."),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
