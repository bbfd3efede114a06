"""`report-archive new --from-mlflow RUN_ID`: the template's tables filled from a run.

What a run knows goes into the report: the front matter names the run and the
code (`mlflow.source.git.commit`, `mlflow.source.git.repoURL`); table 4.1 lists
the run's parameters; the own model's row of table 5.1 holds the latest value
of each metric it logged (named through `metric_aliases`); table 4.3 gets the
hardware, memory and training time the run's tags and system metrics tell.
Everything else stays the template's, for the author to write. What could not
be carried over as it is becomes a note for the author.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from .settings import Settings
from .tracking import Run
from .values import metric_key, metric_name, parse_number

# The template's tables that a run fills (the first line of each, up to the blank line).
_HYPERPARAMETERS_HEADER = "| Hyperparameter | Value | Rationale |"
_RESULTS_HEADER = "| Model | Accuracy | Precision | Recall | F1 | AUC |"
_COMPUTE_ROWS = {
    "hardware": "| **Hardware** | GPU model and count |",
    "memory": "| **Memory** | RAM and VRAM |",
    "training time": "| **Training Time** | Hours/days |",
}
_MAX_CELL = 120
_SYSTEM_PREFIX = "system/"
_HARDWARE_TAGS = ("hardware", "gpu", "gpu_type", "accelerator", "device", "instance_type")
_MEMORY_TAGS = ("memory", "ram")
_COMMIT_RE = re.compile(r"[0-9a-fA-F]{7,64}")
_REPOSITORY_RE = re.compile(r"(https?://|ssh://|git@)\S+")
_GPU_RE = re.compile(r"^system/gpu_(\d+)_")
# A logged name that no alias renamed and that reads like code, not like a column title.
_IDENTIFIER_RE = re.compile(r"[_/.:]")


@dataclass
class Filled:
    """The report's text with the run's data in it, and notes for the author."""

    front: list[str] = field(default_factory=list)  # front matter lines to add
    notes: list[str] = field(default_factory=list)
    dataset: str | None = None


def front_matter(run: Run) -> Filled:
    """The provenance lines of the front matter, and the dataset the run logged."""
    filled = Filled(front=[f"runs: [{_yaml(run.ref.text)}]"])
    commit = run.tags.get("mlflow.source.git.commit", "").strip()
    repository = (run.tags.get("mlflow.source.git.repoURL")
                  or run.tags.get("mlflow.gitRepoURL") or "").strip()
    code: list[str] = []
    if repository and _REPOSITORY_RE.fullmatch(repository):
        code.append(f"repository: {_yaml(repository)}")
    elif repository:
        filled.notes.append(f"the run's repository '{repository}' is not a URL; `code:` "
                            "names only the commit")
    if commit and _COMMIT_RE.fullmatch(commit):
        code.append(f"commit: {_yaml(commit.lower())}")
    elif commit:
        filled.notes.append(f"the run's commit '{commit}' is not a commit hash; left out")
    if code:
        filled.front.append("code: {" + ", ".join(code) + "}")
    if run.datasets:
        filled.dataset = run.datasets[0]
    return filled


def fill_body(body: str, run: Run, settings: Settings, filled: Filled) -> str:
    """The template's body with tables 4.1, 4.3 and 5.1 filled from the run."""
    body = _replace_table(body, _HYPERPARAMETERS_HEADER, _hyperparameters(run, filled))
    results = _results(run, settings, filled)
    if results is not None:
        body = _replace_table(body, _RESULTS_HEADER, results)
    for key, value in _compute(run).items():
        row = _COMPUTE_ROWS[key]
        body = body.replace(row, f"{row.rsplit('|', 2)[0]}| {_cell(value)} |", 1)
    return body


def _hyperparameters(run: Run, filled: Filled) -> list[str]:
    lines = ["| Hyperparameter | Value | Rationale |", "|---|---|---|"]
    if not run.params:
        filled.notes.append(f"run {run.ref.text} logged no parameters; table 4.1 is left for "
                            "you to fill")
        return [*lines, "| | | |"]
    shortened: list[str] = []
    for name in sorted(run.params):
        value = run.params[name]
        if len(value) > _MAX_CELL or "\n" in value:
            shortened.append(name)
        lines.append(f"| {_cell(name)} | {_cell(value)} | |")
    text = [name for name in sorted(run.params) if parse_number(run.params[name]) is None]
    if text:
        filled.notes.append(f"parameters that are not numbers, written as text in table 4.1: "
                            f"{', '.join(text)}")
    if shortened:
        filled.notes.append(f"parameters shortened to one line of at most {_MAX_CELL} "
                            f"characters in table 4.1: {', '.join(shortened)}")
    return lines


def _results(run: Run, settings: Settings, filled: Filled) -> list[str] | None:
    metrics = {name: value for name, value in run.metrics.items()
               if not name.startswith(_SYSTEM_PREFIX)}
    if not metrics:
        filled.notes.append(f"run {run.ref.text} logged no metrics; table 5.1 is left as the "
                            "template has it")
        return None
    aliases = settings.metric_aliases
    columns: dict[str, tuple[str, str, float]] = {}  # key: (column name, logged name, value)
    unmapped: list[str] = []
    for name in sorted(metrics):
        key = metric_key(name, aliases)
        if key in columns:
            filled.notes.append(f"metrics '{columns[key][1]}' and '{name}' are one column "
                                f"under metric_aliases; '{name}' was left out")
            continue
        shown = metric_name(name, aliases)
        if shown == " ".join(name.split()):
            # No alias renamed it: the column keeps the name as logged.
            shown = " ".join(name.split())
            if _IDENTIFIER_RE.search(name):
                unmapped.append(name)
            elif re.fullmatch(r"[a-z][a-z0-9 ]*", shown):
                shown = shown[0].upper() + shown[1:]
        columns[key] = (shown, name, metrics[name])
    if unmapped:
        filled.notes.append("metrics under their logged names, as no alias maps them to a "
                            f"report metric: {', '.join(unmapped)} (name them with the "
                            "plugin's metric_aliases option, e.g. {\"val_acc\": \"Accuracy\"})")
    header = "| Model | " + " | ".join(_cell(shown) for shown, _, _ in columns.values()) + " |"
    rule = "|---|" + "---|" * len(columns)
    row = "| **Ours** | " + " | ".join(_number(value, name, filled)
                                       for _, name, value in columns.values()) + " |"
    return [header, rule, row]


def _number(value: float, name: str, filled: Filled) -> str:
    if not math.isfinite(value):
        filled.notes.append(f"metric '{name}' is {value}, which no report can hold; its cell "
                            "is left empty")
        return "—"
    return f"**{value:.4g}**"


def _compute(run: Run) -> dict[str, str]:
    found: dict[str, str] = {}
    tags = {k.casefold(): v for k, v in run.tags.items()}
    hardware = next((tags[t] for t in _HARDWARE_TAGS if tags.get(t)), "")
    gpus = {m.group(1) for m in map(_GPU_RE.match, run.metrics) if m}
    if hardware:
        found["hardware"] = hardware
    elif gpus:
        found["hardware"] = f"{len(gpus)} GPU{'' if len(gpus) == 1 else 's'}"
    elif any(name.startswith(_SYSTEM_PREFIX) for name in run.metrics):
        found["hardware"] = "CPU only (no GPU in the run's system metrics)"
    memory = next((tags[t] for t in _MEMORY_TAGS if tags.get(t)), "")
    ram = run.metrics.get("system/system_memory_usage_megabytes")
    vram = sum(v for k, v in run.metrics.items()
               if _GPU_RE.match(k) and k.endswith("_memory_usage_megabytes"))
    if memory:
        found["memory"] = memory
    elif ram is not None:
        used = f"{ram / 1024:.1f} GB RAM"
        found["memory"] = used + (f", {vram / 1024:.1f} GB VRAM" if vram else "") + \
            " in use at the end of the run"
    if run.start_ms is not None and run.end_ms is not None and run.end_ms > run.start_ms:
        found["training time"] = duration((run.end_ms - run.start_ms) / 1000)
    return found


def duration(seconds: float) -> str:
    """`2 hours 13 minutes`, `45 minutes`, `under a minute` (read back by training_hours)."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n)


def _replace_table(body: str, header: str, lines: list[str]) -> str:
    start = body.find(header)
    if start < 0:
        return body
    end = body.find("\n\n", start)
    end = len(body) if end < 0 else end
    return body[:start] + "\n".join(lines) + body[end:]


def _cell(text: str) -> str:
    """A value as one table cell: one line, pipes escaped, HTML's `<` as text, bounded."""
    one = " ".join(str(text).split())
    if len(one) > _MAX_CELL:
        one = one[:_MAX_CELL - 1] + "…"
    return one.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)
