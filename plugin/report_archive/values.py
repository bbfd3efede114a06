"""Values read from report tables: metric cells, metric and dataset names."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, DecimalException
from typing import Any

from .model import Metric

# Unambiguous patterns on text of bounded length (MAX_NUMBER_TEXT): no cell makes them
# backtrack more than linearly. (No possessive quantifiers: they need Python 3.11.)
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_METRIC_RE = re.compile(
    rf"(?P<value>{_NUMBER}) ?(?P<pct>%)?"
    rf"(?: ?(?:±|\+/-|\+-) ?(?P<spread>{_NUMBER}) ?(?P<spct>%)?)?"
)
# Longer text is not a number a person wrote in a table cell; it is not parsed at all.
MAX_NUMBER_TEXT = 100
MISSING = frozenset({"", "-", "—", "–", "n/a"})
_EMPHASIS_RE = re.compile(r"[*_`]")
# In a metric's name, `_` inside a word is part of the name (`val_acc`, as trackers log it).
_NAME_MARKS_RE = re.compile(r"[*`]|(?<!\w)_+|_+(?!\w)")


class NotANumber(ValueError):
    pass


class NotFinite(NotANumber):
    """A number too large for a float (`1e400`), which would become infinity."""


def parse_metric(cell: str) -> Metric:
    """Parse a metric cell; raise NotANumber for anything the spec does not allow."""
    raw = cell.strip()
    text = " ".join(_EMPHASIS_RE.sub("", raw).split())
    if text.casefold() in MISSING:
        return Metric(None, None, raw)
    match = _METRIC_RE.fullmatch(text) if len(text) <= MAX_NUMBER_TEXT else None
    if not match:
        raise NotANumber(raw)
    percent = bool(match.group("pct") or match.group("spct"))
    value = _scaled(match.group("value"), percent)
    spread = _scaled(match.group("spread"), percent) if match.group("spread") else None
    return Metric(value, spread, raw, percent)


_COMMA_DECIMAL_RE = re.compile(r"(?<![\d,])(\d+),(\d{1,2}|\d{4,})(?![\d,])")


def comma_decimal(cell: str) -> str | None:
    """A cell written with decimal commas (`0,76`, `66,7 %`), with points instead.

    None when the cell has no decimal comma, or one that may separate thousands
    (`1,234`: three digits after the comma).
    """
    if len(cell) > MAX_NUMBER_TEXT or "," not in cell:
        return None
    fixed = _COMMA_DECIMAL_RE.sub(r"\1.\2", cell)
    return fixed if fixed != cell and "," not in fixed else None

def written_number(cell: str) -> tuple[Decimal, bool] | None:
    """A metric cell's value exactly as written (its digits kept), and whether it is a
    percentage; None for a missing or malformed cell."""
    text = " ".join(_EMPHASIS_RE.sub("", cell.strip()).split())
    match = _METRIC_RE.fullmatch(text) if 0 < len(text) <= MAX_NUMBER_TEXT else None
    if not match:
        return None
    try:
        number = Decimal(match.group("value"))
    except DecimalException:
        return None
    if not number.is_finite():
        return None
    return number, bool(match.group("pct") or match.group("spct"))


def format_metric(metric: Metric | None, percent: bool | None = None) -> str:
    """A metric for display, spread kept; "—" when missing.

    Shown as a percentage when it was written as one, or when `percent` says so
    (a comparison column shows every report on the scale most of them use).
    """
    if metric is None or metric.value is None:
        return "—"
    value, spread = metric.value, metric.spread
    if metric.percent if percent is None else percent:
        text = f"{value * 100:.4g}"
        return f"{text} ± {spread * 100:.3g}%" if spread is not None else f"{text}%"
    return f"{value:.4g}" + (f" ± {spread:.3g}" if spread is not None else "")


def _scaled(number: str, percent: bool) -> float:
    value = finite(number, 100 if percent else 1)
    if value is None:
        raise NotFinite(number)
    return value


def finite(number: str, divisor: int = 1) -> float | None:
    """`number` (already known to be numeric text) as a float; None when not finite."""
    try:
        value = float(Decimal(number) / divisor)
    except (DecimalException, ArithmeticError, ValueError):
        return None
    return value if math.isfinite(value) else None


def parse_number(text: str) -> float | None:
    """A plain number from a cell such as `67,349`, `1e-4` or `**32**`; None otherwise.

    None too for a number no float can hold (`1e400`): it never reaches the data.
    """
    cleaned = _EMPHASIS_RE.sub("", text).replace(",", "").strip()
    if len(cleaned) <= MAX_NUMBER_TEXT and re.fullmatch(_NUMBER, cleaned):
        return finite(cleaned)
    return None


def parse_percentage(text: str) -> float | None:
    cleaned = " ".join(_EMPHASIS_RE.sub("", text).split())
    if len(cleaned) > MAX_NUMBER_TEXT:
        return None
    match = re.fullmatch(rf"({_NUMBER}) ?%", cleaned)
    return finite(match.group(1), 100) if match else None


def plain_text(cell: str) -> str:
    """A cell's text without Markdown emphasis or code marks."""
    text = cell.strip()
    for mark in ("**", "__"):
        if text.startswith(mark) and text.endswith(mark) and len(text) > 2 * len(mark):
            text = text[len(mark):-len(mark)].strip()
    return text.replace("\\|", "|")


# Common spellings of one metric, by task; a project adds its own with `metric_aliases`.
_BUILTIN_METRIC_ALIASES = {
    # classification
    "acc": "Accuracy",
    "acc.": "Accuracy",
    "accuracy": "Accuracy",
    "top-1": "Top-1 Accuracy",
    "top1": "Top-1 Accuracy",
    "top-1 accuracy": "Top-1 Accuracy",
    "top-1 acc": "Top-1 Accuracy",
    "top-1 acc.": "Top-1 Accuracy",
    "acc@1": "Top-1 Accuracy",
    "top-5": "Top-5 Accuracy",
    "top5": "Top-5 Accuracy",
    "top-5 accuracy": "Top-5 Accuracy",
    "top-5 acc": "Top-5 Accuracy",
    "top-5 acc.": "Top-5 Accuracy",
    "acc@5": "Top-5 Accuracy",
    "f1": "F1",
    "f1 score": "F1",
    "f1-score": "F1",
    "f1score": "F1",
    "auc": "AUC",
    "roc auc": "AUC",
    "roc-auc": "AUC",
    "auroc": "AUC",
    # question answering
    "em": "EM",
    "exact match": "EM",
    "exact-match": "EM",
    # detection (COCO's AP is the mean over classes: mAP)
    "ap": "AP",
    "map": "AP",
    "box ap": "AP",
    "ap@[.5:.95]": "AP",
    "map@[.5:.95]": "AP",
    "ap50": "AP50",
    "ap@.5": "AP50",
    "ap@0.5": "AP50",
    "map@0.5": "AP50",
    "map@.5": "AP50",
    "ap75": "AP75",
    # language modelling and speech
    "ppl": "Perplexity",
    "perplexity": "Perplexity",
    "word error rate": "WER",
}

_LOWER_IS_BETTER = ("loss", "error", "err", "perplexity", "ppl", "wer", "cer", "mae", "mse",
                    "rmse", "latency")


def _fold(name: str) -> str:
    return " ".join(_NAME_MARKS_RE.sub("", name).split()).casefold()


def metric_name(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """The canonical display name of a metric column (aliases folded together)."""
    folded = _fold(name)
    for alias, canonical in (aliases or {}).items():
        if _fold(alias) == folded:
            return canonical
    return _BUILTIN_METRIC_ALIASES.get(folded, " ".join(_NAME_MARKS_RE.sub("", name).split()))


def metric_key(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """The key that matches a metric across reports: canonical name, case-folded."""
    return _fold(metric_name(name, aliases))


def lower_is_better(key: str, lower: tuple[str, ...] = (), higher: tuple[str, ...] = ()) -> bool:
    if key in {_fold(n) for n in higher}:
        return False
    if key in {_fold(n) for n in lower}:
        return True
    words = re.split(r"[^a-z0-9]+", key)
    return any(word in _LOWER_IS_BETTER for word in words)


def dataset_key(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """Dataset names match ignoring case, spaces, `-`, `_` and `.` (SST-2 = sst2)."""
    folded = re.sub(r"[\s\-_.]+", "", name).casefold()
    for alias, canonical in (aliases or {}).items():
        if re.sub(r"[\s\-_.]+", "", alias).casefold() == folded:
            return re.sub(r"[\s\-_.]+", "", canonical).casefold()
    return folded


def dataset_name(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """The display name of a dataset, with configured aliases resolved."""
    folded = re.sub(r"[\s\-_.]+", "", name).casefold()
    for alias, canonical in (aliases or {}).items():
        if re.sub(r"[\s\-_.]+", "", alias).casefold() == folded:
            return canonical
    return " ".join(name.split())


def json_safe(data: Any) -> Any:
    """`data` with every non-finite float (inf, nan) replaced by None, for strict JSON.

    Parsing keeps such numbers out of a report's data; sums and differences of very
    large ones can still overflow, and JSON has no way to write them.
    """
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: json_safe(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(value) for value in data]
    return data
