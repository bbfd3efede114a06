"""`report-archive new`: a report from the template with its front matter filled in."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from .from_run import fill_body, front_matter
from .report import read_report
from .settings import Settings
from .slugs import slugify
from .template import template_text
from .tracking import Run


class ScaffoldError(Exception):
    pass


def _yaml_string(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar, whatever the text holds.
    return json.dumps(" ".join(value.split()), ensure_ascii=False)


def _yaml_list(values: list[str]) -> str:
    return "[" + ", ".join(_yaml_string(v) for v in values) + "]"


SCHEMA_PATH = "schema/front-matter.schema.json"


def render_new_report(title: str, authors: list[str], tags: list[str], dataset: str | None,
                      day: dt.date, schema_ref: str | None = None, run: Run | None = None,
                      settings: Settings | None = None, notes: list[str] | None = None) -> str:
    """The template with title, authors, date, tags, status and dataset filled.

    `schema_ref` is the path from the new report to the front matter schema, for
    editors (yaml-language-server); without it the schema comment is left out.
    With a `run`, the front matter names it and its tables are filled from it
    (`from_run.py`); what could not be carried over is added to `notes`.
    """
    filled = front_matter(run) if run is not None else None
    if filled is not None and not dataset:
        dataset = filled.dataset
    text = template_text()
    front, body = text.split("\n---\n", 1)
    lines = ["---"]
    if schema_ref:
        lines.append(f"# yaml-language-server: $schema={schema_ref}")
    lines += [
        f"title: {_yaml_string(title)}",
        f"authors: {_yaml_list(authors)}",
        f"date: {day.isoformat()}",
        "type: ml-experiment-report",
        f"tags: {_yaml_list(tags) if tags else _template_tags(front)}",
        "status: draft",
    ]
    if dataset:
        lines.append(f"dataset: {_yaml_string(dataset)}")
    if filled is not None:
        lines += filled.front
    lines.append("---")
    one_line_title = " ".join(title.split())
    body = (body.replace("{{TITLE}}", one_line_title)
                .replace("{{AUTHORS}}", ", ".join(" ".join(a.split()) for a in authors))
                .replace("{{DATE}}", day.isoformat())
                .replace("**Status**: Draft / Final / In Review", "**Status**: Draft"))
    if dataset:
        body = body.replace("| **Name** | Dataset name |", f"| **Name** | {_cell(dataset)} |")
    if run is not None and filled is not None:
        body = fill_body(body, run, settings or Settings(), filled)
        if notes is not None:
            notes.extend(filled.notes)
    return "\n".join(lines) + "\n" + body


def _template_tags(front: str) -> str:
    for line in front.splitlines():
        if line.startswith("tags:"):
            return line.split(":", 1)[1].strip()
    return "[experiment-report]"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def new_report(folder: Path, title: str, authors: list[str], tags: list[str],
               dataset: str | None, day: dt.date, project_root: Path | None = None,
               settings: Settings | None = None, run: Run | None = None,
               notes: list[str] | None = None) -> Path:
    """Write the new report into `folder`; refuse to overwrite an existing file.

    The report is checked as `report-archive check` would check it before it is
    written: what `new` writes, `check` accepts (template residue aside).
    """
    if not title.strip():
        raise ScaffoldError("the title is empty")
    if not folder.is_dir():
        raise ScaffoldError(f"{folder} is not a folder")
    path = folder / f"{day.isoformat()}-{slugify(title)}.md"
    schema_ref = None
    if project_root is not None and (project_root / SCHEMA_PATH).is_file():
        schema_ref = os.path.relpath(project_root / SCHEMA_PATH, folder).replace(os.sep, "/")
    content = render_new_report(title, authors, tags, dataset, day, schema_ref, run, settings,
                                notes)
    errors = [d for d in read_report(content.encode("utf-8"), path.name,
                                     settings or Settings()).errors]
    if errors:
        raise ScaffoldError("the report would not pass the check, so it was not written: "
                            + "; ".join(f"{d.message} [{d.rule}]" for d in errors[:5]))
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
    except FileExistsError as exc:
        raise ScaffoldError(f"{path} already exists; it was left unchanged") from exc
    except OSError as exc:
        raise ScaffoldError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path
