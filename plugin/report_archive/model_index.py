"""`report-archive export`: a report as Hugging Face `model-index` metadata; leaderboards as CSV.

`model-index` is the evaluation-results block of a model card's YAML front
matter on the Hugging Face Hub (read by `huggingface_hub.ModelCardData`). The
report's own model gives one result: its task, its dataset and every number of
its row in table 5.1, with the value as the report writes it (93.5 for
`93.5%`), so the card shows what the report shows.
"""

from __future__ import annotations

import csv
import io
import re

import yaml

from .archive import Archive
from .compare import Leaderboard, leaderboards
from .model import Report
from .values import written_number

# The metadata as Hugging Face's model card YAML holds it.
Metadata = dict[str, object]


class ExportError(Exception):
    """The report cannot be exported; the message is one line for the user."""


# Hub task ids, and tags that name one of them.
HUB_TASKS = (
    "text-classification", "token-classification", "question-answering", "summarization",
    "translation", "text-generation", "fill-mask", "zero-shot-classification",
    "sentence-similarity", "image-classification", "object-detection", "image-segmentation",
    "automatic-speech-recognition", "audio-classification", "tabular-classification",
    "tabular-regression", "text-to-image", "image-to-text", "reinforcement-learning",
)
_TAG_TASKS = {
    "sentiment-analysis": "text-classification", "text-classification": "text-classification",
    "nli": "text-classification", "ner": "token-classification", "qa": "question-answering",
    "extractive-qa": "question-answering", "asr": "automatic-speech-recognition",
    "speech-recognition": "automatic-speech-recognition", "segmentation": "image-segmentation",
    "detection": "object-detection", "language-modeling": "text-generation",
}


def task_of(report: Report) -> str | None:
    """The Hub task the report's tags or model card name, if any."""
    candidates = [*report.tags]
    for table in (report.tables.model_card, report.tables.dataset_card):
        if table is not None:
            candidates.append(table.get("task"))
    for text in candidates:
        folded = re.sub(r"[\s_]+", "-", text.strip().casefold())
        if folded in HUB_TASKS:
            return folded
        if folded in _TAG_TASKS:
            return _TAG_TASKS[folded]
    return None


def model_index(report: Report, *, task: str | None = None, dataset_type: str | None = None,
                dataset_config: str | None = None, dataset_split: str | None = None,
                url: str | None = None) -> list[Metadata]:
    """The `model-index` list for the report's own model; ExportError when it has none."""
    own = report.own_row
    if own is None:
        raise ExportError(f"{report.path} has no own model's row in table 5.1 to export")
    task = task or task_of(report)
    if not task:
        raise ExportError(f"{report.path}: no Hugging Face task in its tags or model card; "
                          "give --task (e.g. text-classification)")
    if not report.datasets:
        raise ExportError(f"{report.path} names no dataset (front matter `dataset` or table "
                          "2.1's Name row)")
    metrics = []
    for key, metric in own.metrics.items():
        written = written_number(metric.raw)
        if metric.value is None or written is None:
            continue
        metrics.append({"type": _metric_type(key), "value": float(written[0]),
                        "name": report.metric_name(key)})
    if not metrics:
        raise ExportError(f"{report.path}: the own model's row has no numbers to export")
    name = report.datasets[0]
    dataset: Metadata = {"type": dataset_type or _dataset_type(name), "name": name}
    if dataset_config:
        dataset["config"] = dataset_config
    if dataset_split:
        dataset["split"] = dataset_split
    result: Metadata = {
        "task": {"type": task, "name": task.replace("-", " ").capitalize()},
        "dataset": dataset,
        "metrics": metrics,
    }
    if url:
        result["source"] = {"name": report.title, "url": url}
    return [{"name": own.model, "results": [result]}]


def model_index_yaml(index: list[Metadata]) -> str:
    """The block for a model card's front matter (README.md of a Hub repository)."""
    dumped: str = yaml.safe_dump({"model-index": index}, sort_keys=False, allow_unicode=True)
    return dumped


def _metric_type(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", key.casefold()).strip("_") or "metric"


def _dataset_type(name: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", name.casefold()).strip("-") or "dataset"


def leaderboard_csv(board: Leaderboard) -> str:
    """One leaderboard: a row per report (ranked), then the baselines they cite.

    Metric values are numbers as in reports.json (percentages as fractions).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rank", "row", "title", "path", "model", "date", "status",
                     *(c.name for c in board.columns)])
    for kind, entries in (("report", board.rows), ("baseline", board.baselines)):
        for entry in entries:
            report = entry.report
            rank = entry.rank if entry.rank is not None and kind == "report" else ""
            writer.writerow([rank, kind,
                             _text(report.title), _text(report.path), _text(entry.model),
                             report.date or "", report.status or "",
                             *(_number(entry.value(c.key)) for c in board.columns)])
    return out.getvalue()


def _text(value: str) -> str:
    # A cell starting like a formula is run by spreadsheets; reports come from many people.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def all_leaderboards_csv(archive: Archive) -> dict[str, str]:
    """Every leaderboard's CSV, by file name (`<dataset slug>.csv`)."""
    return {f"{board.slug}.csv": leaderboard_csv(board) for board in leaderboards(archive)}
