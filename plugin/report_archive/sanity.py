"""Sanity checks on the numbers of reports: warnings that point at a likely mistake."""

from __future__ import annotations

import re
from collections import defaultdict
from statistics import median

from .diagnostics import Collector, Diagnostic
from .model import Metric, Objectives, Report, ResultRow, Results, Tables
from .settings import Settings
from .values import dataset_key, lower_is_better

BOUNDED = frozenset({"accuracy", "precision", "recall", "f1", "auc", "top-1 accuracy",
                     "top-5 accuracy", "em", "exact match", "balanced accuracy",
                     "specificity", "sensitivity", "map", "iou", "miou", "ap", "ap50", "ap75",
                     "aps", "apm", "apl", "box ap", "mask ap", "bleu", "rouge-1", "rouge-2",
                     "rouge-l", "meteor", "chrf"})
# Metrics where a number may be written as a percentage, as points or as a fraction.
_SCALED = BOUNDED | {"error", "wer", "cer", "error rate", "top-1 error", "top-5 error"}
F1_TOLERANCE = 0.02
# Values this many times apart are on two scales (points against fractions), not two results.
_SCALE_RATIO = 10.0
# An objective that claims to do better than another model: "beat X", "outperform X".
_CLAIM_RE = re.compile(
    r"\b(?:beats?|outperforms?|surpass(?:es)?|improves? (?:on|over|upon)|better\b[^|]{0,80}?"
    r"\bthan)\s+(?:the\s+)?(?P<target>[^|]{1,200})", re.I)
_EVERY_BASELINE = ("baseline", "all baselines", "every baseline", "previous", "prior",
                   "state of the art", "state-of-the-art", "sota", "all ", "every ")


def _scaled_metric(key: str) -> bool:
    return key in _SCALED or any(word in key.split() for word in ("wer", "cer", "error"))


def check_numbers(tables: Tables, primary: str | None, out: Collector,
                  settings: Settings) -> None:
    """Checks within one report: ranges, scales, F1 against P and R, a claim the table denies."""
    results = tables.results
    if results is None:
        return
    doubts = column_doubts(results)
    for key in results.metrics:
        _check_range(results, key, doubts, out)
    for (line, _key), message in sorted(doubts.items()):
        out.add("metric-scale-mixed", message, line, 1)
    for row in results.rows:
        p, r, f1 = row.value("precision"), row.value("recall"), row.value("f1")
        if p is not None and r is not None and f1 is not None and p + r > 0:
            expected = 2 * p * r / (p + r)
            scale = 100.0 if max(p, r, f1) > 1 else 1.0
            if abs(f1 - expected) > F1_TOLERANCE * scale:
                out.add("metric-f1-inconsistent", f"F1 of '{row.model}' is {f1:g}, but "
                        f"precision {p:g} and recall {r:g} give {expected:.4g}", row.line, 1)
    _claims_denied(results, tables.objectives, primary, out, settings)


def _plain_groups(cells: list[tuple[ResultRow, Metric]]
                  ) -> tuple[list[tuple[ResultRow, Metric]], list[tuple[ResultRow, Metric]]]:
    """Cells without % of one column: those up to 1 (fractions?) and those above (points?)."""
    plain = [(row, m) for row, m in cells if not m.percent and m.value is not None]
    small = [(row, m) for row, m in plain if 0 < (m.value or 0) <= 1]
    big = [(row, m) for row, m in plain if (m.value or 0) > 1]
    return small, big


def _far_apart(big: list[float], small: list[float]) -> bool:
    return median(big) >= _SCALE_RATIO * median(small)


def column_doubts(results: Results) -> dict[tuple[int, str], str]:
    """Cells whose scale is in doubt within one column of one report, by (line, metric key).

    A column may be written as fractions, with %, or in points (0-100, as SQuAD
    EM or COCO AP usually are), but on one scale: a cell on another scale than
    most of its column is in doubt, and is never ranked.
    """
    doubts: dict[tuple[int, str], str] = {}
    for key, name in results.metrics.items():
        cells = [(row, m) for row in results.rows
                 if (m := row.metrics.get(key)) is not None and m.value is not None]
        percent = [(row, m) for row, m in cells if m.percent and 0 < (m.value or 0) <= 1]
        small, big = _plain_groups(cells)
        fractions = percent + small
        if not big or not fractions:
            continue
        if not (percent or _scaled_metric(key)):
            continue
        if not _far_apart([m.value or 0 for _, m in big], [m.value or 0 for _, m in fractions]):
            continue
        odd, usual = (big, fractions) if len(big) <= len(fractions) else (fractions, big)
        example = usual[0][1]
        for row, metric in odd:
            fix = (f"; write {_emphasis_moved(metric.raw)} if it is a percentage"
                   if example.percent and not metric.percent else "")
            doubts[(row.line, key)] = (
                f"{name} of '{row.model}' is {metric.raw}, but other rows of the column are "
                f"written like {example.raw}: one of them is on another scale (percent, points "
                f"or fraction), so this cell is not ranked{fix}")
    return doubts


def _check_range(results: Results, key: str, doubts: dict[tuple[int, str], str],
                 out: Collector) -> None:
    """Bounded metrics: at most 100%, and no fraction above 1 in a column of fractions."""
    if key not in BOUNDED:
        return
    cells = [(row, m) for row in results.rows
             if (m := row.metrics.get(key)) is not None and m.value is not None
             and (row.line, key) not in doubts]
    small, _ = _plain_groups(cells)
    name = results.name(key)
    for row, metric in cells:
        value = metric.value or 0.0
        if value < 0 or (metric.percent and value > 1):
            bound = "below 0" if value < 0 else "above 100%"
            out.add("metric-out-of-range", f"{name} of '{row.model}' is {metric.raw}, {bound}",
                    row.line, 1)
        elif not metric.percent and value > 100:
            out.add("metric-out-of-range", f"{name} of '{row.model}' is {metric.raw}, above "
                    "100 even as points", row.line, 1)
        elif not metric.percent and value > 1 and (small or any(m.percent for _, m in cells)):
            # The rest of the column is fractions: this is not a column of points.
            shown = _emphasis_moved(metric.raw)
            out.add("metric-out-of-range", f"{name} of '{row.model}' is {metric.raw}, above 1 "
                    f"in a column of fractions: write {shown} or a fraction", row.line, 1)


def _emphasis_moved(raw: str) -> str:
    """`**41.1**` -> `**41.1%**`: the % sign goes inside the emphasis."""
    text = raw.strip()
    for mark in ("**", "__", "*", "_"):
        if text.startswith(mark) and text.endswith(mark) and len(text) > 2 * len(mark):
            return f"{mark}{text[len(mark):-len(mark)].strip()}%{mark}"
    return f"{text}%"


def _claims_denied(results: Results, objectives: Objectives | None, primary: str | None,
                   out: Collector, settings: Settings) -> None:
    """An objective marked met that claims to beat a model which scores better.

    A reproduction a little below a published figure is normal; only a claim
    the report itself makes, and its own numbers deny, is worth a warning.
    """
    own = results.own
    if not primary or not objectives or own is None or own.value(primary) is None:
        return
    mine = own.value(primary) or 0.0
    lower = lower_is_better(primary, settings.lower_is_better, settings.higher_is_better)
    for objective in objectives.items:
        claim = _CLAIM_RE.search(objective.objective)
        if objective.status != "met" or claim is None:
            continue
        for row in _claimed_rows(claim.group("target"), results):
            theirs = row.value(primary)
            if theirs is None or not ((theirs < mine) if lower else (theirs > mine)):
                continue
            out.add("results-own-beaten", f"objective '{objective.objective}' is marked met, "
                    f"but '{row.model}' scores {row.metrics[primary].raw} on "
                    f"{results.name(primary)}, better than the report's own "
                    f"{own.metrics[primary].raw}", row.line, 1)
            return


def _claimed_rows(target: str, results: Results) -> list[ResultRow]:
    """The rows an objective's claim names (every baseline for "the baselines")."""
    wanted = " ".join(re.sub(r"[^\w.+-]+", " ", target).split()).casefold()
    others = [row for row in results.rows if not row.own]
    if wanted.startswith(_EVERY_BASELINE):
        return others
    named = []
    for row in others:
        base = " ".join(re.sub(r"[^\w.+-]+", " ", re.sub(r"\(.*?\)", "", row.model))
                        .split()).casefold()
        first = wanted.split(" ")[0]
        if len(base) >= 2 and (base in wanted or (first == base.split(" ")[0]
                                                  and len(first) >= 3)):
            named.append(row)
    return named


Doubts = dict[tuple[int, str, str], str]


def scale_doubts(reports: list[Report], settings: Settings) -> Doubts:
    """Own-model cells whose scale is in doubt against the other reports of their dataset.

    By (id of the report, dataset key, metric key): the message that says why.
    Every metric is looked at: a cell written with % and one written as points
    (`57.9%` and `30.0`) are on two scales whatever the metric; two plain numbers
    ten times apart are, for a metric that is a rate (accuracy, AP, WER, ...).
    """
    cells: dict[tuple[str, str], list[tuple[Report, Metric]]] = defaultdict(list)
    for report in reports:
        own = report.own_row
        if own is None:
            continue
        for dataset in {dataset_key(d, settings.dataset_aliases) for d in report.datasets}:
            for key, cell in own.metrics.items():
                if cell.value is not None and cell.value > 0:
                    cells[(dataset, key)].append((report, cell))
    doubts: Doubts = {}
    for (dataset, key), entries in cells.items():
        points = [(r, m) for r, m in entries if not m.percent and (m.value or 0) > 1]
        fractions = [(r, m) for r, m in entries if (m.value or 0) <= 1]
        if not points or not fractions:
            continue
        if not (any(m.percent for _, m in fractions) or _scaled_metric(key)):
            continue
        if not _far_apart([m.value or 0 for _, m in points], [m.value or 0 for _, m in fractions]):
            continue
        odd, usual = (points, fractions) if len(points) <= len(fractions) else (fractions, points)
        other, written = usual[0]
        for report, metric in odd:
            doubts[(id(report), dataset, key)] = (
                f"{report.metric_name(key)} of the report's own model is {metric.raw} here but "
                f"{written.raw} in '{other.title}' of the same dataset: one of them is on "
                "another scale (percent, points or fraction), so this value is not ranked")
    return doubts


def check_scales(reports: list[Report], settings: Settings) -> dict[int, list[Diagnostic]]:
    """Across the reports of each dataset: one metric written on two scales."""
    by_id = {id(r): r for r in reports}
    found: dict[int, list[Diagnostic]] = defaultdict(list)
    said: set[tuple[int, str]] = set()
    for (key, _dataset, metric), message in scale_doubts(reports, settings).items():
        report = by_id[key]
        own = report.own_row
        if own is None or (key, metric) in said:
            continue
        said.add((key, metric))
        out = Collector(report.path)
        out.add("metric-scale-mixed", message, own.line, 1)
        found[key].extend(out.items)
    return found


def _letters(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def _initials(name: str) -> str:
    return "".join(word[0] for word in re.split(r"[^a-z0-9]+", name.casefold()) if word)


def same_metric(a: str, b: str) -> bool:
    """Two metric names that are likely one metric: `Acc.`/`Accuracy`, `EM`/`Exact Match`."""
    la, lb = _letters(a), _letters(b)
    if not la or not lb or la == lb:
        return bool(la) and la == lb
    short, long = sorted((a, b), key=lambda n: len(_letters(n)))
    ls, ll = _letters(short), _letters(long)
    if len(ls) >= 2 and _initials(long) == ls and len(long.split()) > 1:
        return True  # EM / Exact Match
    if len(ls) >= 3 and ll.startswith(ls) and not any(c.isdigit() for c in ll[len(ls):]):
        return True  # Acc / Accuracy
    return ll == "m" + ls or ls == "m" + ll  # AP / mAP


def check_metric_names(reports: list[Report], settings: Settings) -> dict[int, list[Diagnostic]]:
    """One metric under two names on one dataset: a warning naming both, where, and the fix."""
    names: dict[str, dict[str, list[Report]]] = defaultdict(lambda: defaultdict(list))
    for report in reports:
        results = report.tables.results
        if results is None or report.own_row is None:
            continue
        for dataset in {dataset_key(d, settings.dataset_aliases) for d in report.datasets}:
            for key in results.metrics:
                names[dataset][key].append(report)
    found: dict[int, list[Diagnostic]] = defaultdict(list)
    for by_key in names.values():
        keys = sorted(by_key, key=lambda k: (-len(by_key[k]), k))
        for index, usual in enumerate(keys):
            for odd in keys[index + 1:]:
                if not same_metric(odd, usual):
                    continue
                where = by_key[usual][0]
                usual_name = where.metric_name(usual)
                for report in by_key[odd]:
                    if report in by_key[usual]:
                        continue  # both columns in one report: two metrics, as it says
                    odd_name = report.metric_name(odd)
                    out = Collector(report.path)
                    line = report.tables.results.line if report.tables.results else None
                    out.add("metric-name-split", f"'{odd_name}' here and '{usual_name}' in "
                            f"'{where.title}' ({where.path}) look like one metric on the same "
                            "dataset; they are ranked as two. Write one name, or join them in "
                            f"mkdocs.yml: metric_aliases: {{\"{odd_name}\": \"{usual_name}\"}}",
                            line, 1)
                    found[id(report)].extend(out.items)
    return found
