"""Front matter of a report, validated against the JSON Schema shipped in the package."""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Collector
from .model import Provenance
from .sanitize import unsafe_meta, unsafe_text
from .settings import Settings
from .source import FrontMatter
from .tracking import RunRef, parse_ref
from .values import dataset_name

if TYPE_CHECKING:  # imported when a front matter is first validated: a cached check needs none
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_FIELD_RULES = {
    "title": "fm-title",
    "authors": "fm-authors",
    "date": "fm-date",
    "updated": "fm-updated",
    "type": "fm-type",
    "tags": "fm-tags",
    "status": "fm-status",
    "dataset": "fm-dataset",
    "summary": "fm-summary",
    "primary_metric": "fm-primary-metric",
    "runs": "fm-runs",
    "code": "fm-code",
}


def schema_text() -> str:
    return (resources.files("report_archive") / "schema" / "front-matter.schema.json").read_text(
        encoding="utf-8")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker
    return Draft202012Validator(schema(), format_checker=FormatChecker(formats=("date",)))


@dataclass
class Fields:
    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    updated: str | None = None
    tags: list[str] = field(default_factory=list)
    status: str | None = None
    status_line: tuple[int, int] = (1, 1)
    datasets: list[str] = field(default_factory=list)
    summary: str = ""
    primary_metric: str | None = None
    provenance: Provenance = field(default_factory=Provenance)


def check_front_matter(front: FrontMatter, out: Collector, settings: Settings) -> Fields:
    """Validate a report's front matter and return its fields in normalised form."""
    # An optional key left empty (`summary:`) means the same as no key.
    required = set(schema()["required"])
    data = {k: v for k, v in front.data.items() if v is not None or k in required}
    properties: dict[str, Any] = schema()["properties"]
    for name in schema()["required"]:
        if name not in data:
            out.add("fm-required", f"required field '{name}' is missing", front.start_line, 1)
    for name in data:
        if name not in properties and name not in settings.front_matter_keys:
            close = difflib.get_close_matches(name, list(properties), n=1, cutoff=0.75)
            hint = f"Did you mean '{close[0]}'?" if close else None
            out.add("fm-unknown-key", f"unknown front matter key '{name}'",
                    *front.line_of(name), hint=hint)
    reported: set[tuple[Any, ...]] = set()
    for error in _validator().iter_errors(data):
        path = tuple(error.absolute_path)
        if not path or path[0] not in properties:
            continue
        where = path[:2]
        if where in reported or path[:1] in reported:
            continue
        reported.add(where)
        name = str(path[0])
        line, column = front.line_of(*where)
        message = _message(name, error, data)
        source = front.lines[line - front.start_line - 1] if line > front.start_line else ""
        if "{{" in source:
            placeholder = source.split(":", 1)[-1].strip()
            message = f"'{name}' still holds the template's placeholder: {placeholder}"
        out.add(_FIELD_RULES.get(name, "fm-unknown-key"), message, line, column)

    fields = Fields()
    title = data.get("title")
    # A value over its length limit is an error above; under `serve` the report is still
    # shown, with the value cut to the limit, so no page carries half a megabyte of title.
    fields.title = _clip(" ".join(title.split()), 300) if isinstance(title, str) else ""
    fields.authors = [_clip(a, 200) for a in _authors(data.get("authors"))][:100]
    _semicolons(data.get("authors"), front, out)
    # A date that failed validation is left out, so nothing downstream parses it.
    fields.date = None if ("date",) in reported else _text(data.get("date"))
    fields.updated = None if ("updated",) in reported else _text(data.get("updated"))
    fields.tags = _tags(data.get("tags"), front, out, settings)
    fields.status = _text(data.get("status"))
    fields.status_line = front.line_of("status") if "status" in data else front.line_of("title")
    aliases = settings.dataset_aliases
    fields.datasets = [dataset_name(_clip(d, 200), aliases)
                       for d in _list(data.get("dataset"))][:100]
    fields.summary = _clip(" ".join(str(data.get("summary") or "").split()), 5000)
    fields.primary_metric = _text(data.get("primary_metric"))
    fields.provenance = _provenance(data, front, out, reported)
    if (fields.updated and fields.date and ("updated",) not in reported
            and ("date",) not in reported and fields.updated < fields.date):
        out.add("fm-updated", f"updated {fields.updated} is before date {fields.date}",
                *front.line_of("updated"))
    return fields


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _message(name: str, error: ValidationError, data: dict[str, Any]) -> str:
    value = data.get(name)
    if name == "code" and value is not None:
        return _code_message(error, value)
    if error.validator == "oneOf" and error.context and value:
        # Neither form matched: explain with the alternative that fits the value's kind.
        kind = "array" if isinstance(value, list) else "string"
        fitting = [e for e in error.context
                   if (isinstance(e.schema, dict) and e.schema.get("type") == kind)
                   or e.relative_schema_path[0] == (1 if kind == "array" else 0)]
        if fitting:
            from jsonschema.exceptions import best_match
            return _message(name, best_match(fitting), data)
    if value is None:
        return f"'{name}' is empty"
    if error.validator == "format" or (error.validator == "pattern" and name in ("date",
                                                                                   "updated")):
        if error.validator == "format":
            return f"{name} '{error.instance}' is not a real calendar date"
        return f"{name} '{error.instance}' is not a date in YYYY-MM-DD form"
    if name == "type":
        return f"type '{value}' is unknown: a report has type 'ml-experiment-report'"
    if name == "status":
        return f"status '{value}' is not draft, in-review or final"
    if error.validator == "minItems":
        return f"'{name}' is an empty list"
    if error.validator == "maxLength" and isinstance(error.instance, str):
        what = (f"item {int(error.absolute_path[1]) + 1} of '{name}'"
                if len(error.absolute_path) > 1 else f"'{name}'")
        return (f"{what} is {len(error.instance):,} characters long; at most "
                f"{error.validator_value} are allowed")
    if error.validator == "maxItems" and isinstance(error.instance, list):
        return f"'{name}' has {len(error.instance):,} items; at most {error.validator_value}"
    if len(error.absolute_path) > 1 and error.instance is None:
        return f"item {int(error.absolute_path[1]) + 1} of '{name}' is empty"
    if error.validator == "pattern" and isinstance(error.instance, str):
        if len(error.absolute_path) > 1:
            return f"item {int(error.absolute_path[1]) + 1} of '{name}' is empty"
        return f"'{name}' is empty"
    if error.validator == "oneOf" and isinstance(value, (list, str)) and not value:
        return f"'{name}' is empty"
    if error.validator == "oneOf" and isinstance(value, list):
        return f"'{name}' must be a list of non-empty names"
    if error.validator in ("type", "oneOf"):
        return f"'{name}' has the wrong form: {_describe(error.instance)}"
    return f"'{name}' is not valid: {error.message}"


def _code_message(error: ValidationError, value: Any) -> str:
    path = list(error.absolute_path)
    if not isinstance(value, dict) or (error.validator == "type" and len(path) == 1):
        return ("'code' must be a mapping such as {repository: https://github.com/team/repo, "
                "commit: 3f2a9c1}")
    if error.validator == "additionalProperties":
        extra = sorted(set(value) - {"repository", "commit"})
        return f"'code' has the unknown key '{extra[0] if extra else '?'}' (keys: repository, " \
               "commit)"
    if error.validator == "minProperties":
        return "'code' is empty: give its repository and commit"
    key = str(path[1]) if len(path) > 1 else ""
    if key == "commit":
        return (f"code commit '{error.instance}' is not a commit hash (7 to 64 hexadecimal "
                "digits)")
    if key == "repository":
        return (f"code repository '{error.instance}' is not a repository URL (https://..., "
                "ssh://... or git@host:path)")
    return f"'code' is not valid: {error.message}"


def _provenance(data: dict[str, Any], front: FrontMatter, out: Collector,
                reported: set[tuple[Any, ...]]) -> Provenance:
    """Run references that name a supported tracker and a valid run id; the code's place."""
    runs: list[RunRef] = []
    lines: list[int] = []
    value = data.get("runs")
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    if ("runs",) not in reported:
        for index, item in enumerate(items):
            if not isinstance(item, str) or ("runs", index) in reported:
                continue
            where = front.line_of("runs", index) if isinstance(value, list) else \
                front.line_of("runs")
            ref = parse_ref(item)
            if isinstance(ref, str):
                out.add("fm-runs", ref, *where)
            elif ref in runs:
                out.add("fm-runs", f"run '{ref.text}' is named twice", *where)
            else:
                runs.append(ref)
                lines.append(where[0])
    code = data.get("code")
    repository = commit = None
    if isinstance(code, dict) and ("code",) not in reported:
        repository = _text(code.get("repository")) if ("code", "repository") not in reported \
            else None
        commit = _text(code.get("commit")) if ("code", "commit") not in reported else None
    return Provenance(tuple(runs), tuple(lines), repository, commit.lower() if commit else None)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping, where text or a list is expected"
    if isinstance(value, list):
        return "a list, where text is expected"
    return f"'{value}'"


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def _authors(value: Any) -> list[str]:
    """Names separated by commas (or, read with a warning, by semicolons), or a list."""
    if isinstance(value, str):
        return [name.strip() for name in re.split(r"[,;]", value) if name.strip()]
    return _list(value)


def _semicolons(value: Any, front: FrontMatter, out: Collector) -> None:
    """`authors: A; B` is one string: it is read as two names, with a warning."""
    if isinstance(value, str) and ";" in value:
        out.add("fm-authors", f"authors '{' '.join(value.split())}' are separated by ';': "
                "read as the names between them; separate names with commas or write a "
                "list", *front.line_of("authors"), severity="warning",
                hint="Write `authors: [Ada Lovelace, Alan Turing]` or "
                "`authors: Ada Lovelace, Alan Turing`.")


def _tags(value: Any, front: FrontMatter, out: Collector, settings: Settings) -> list[str]:
    tags: list[str] = []
    seen: set[str] = set()
    limit = settings.limits.max_tag_length
    if not isinstance(value, list):
        return tags
    for index, tag in enumerate(value):
        if not isinstance(tag, str) or not tag.strip():
            continue
        text = " ".join(tag.split())
        if len(text) > limit:
            out.add("limit-tag-length", f"tag {index + 1} is {len(text):,} characters long; the "
                    f"limit (limits.max_tag_length) is {limit}", *front.line_of("tags", index))
            continue
        if text not in seen:
            seen.add(text)
            tags.append(text)
    return tags


_UNSAFE_MESSAGES = {
    "template": "template '{value}' is not a template of the theme; MkDocs would stop with "
                "a traceback",
    "icon": "icon '{value}' is not an icon of the theme (.icons/{value}.svg)",
    "location": "redirect location '{value}' is not a relative or http(s) address",
    "status": "status '{value}' is not a plain name; the theme would print it into the page",
    "script": "'{key}' holds a script or data address ('{value}'); it is left out of the page",
}
_UNSAFE_RULES = {"template": "fm-template", "icon": "fm-icon"}


def check_page_values(front: FrontMatter, out: Collector, theme_dirs: Sequence[str | Path],
                      is_report: bool) -> None:
    """Report front matter values that the theme cannot be given as they are.

    Every page's front matter reaches Material's templates: a `template` or
    `icon` that does not exist stops MkDocs, and a script address would run.
    The build leaves such values out (`sanitize.safe_meta`); this names them.
    """
    dirs = [*theme_dirs, *default_theme_dirs()]
    for key, value in front.data.items():
        why = unsafe_meta(key, value, dirs, is_report)
        if why is None:
            continue
        shown = value if isinstance(value, str) else _describe(value)
        if why == "script":
            shown = next(s for s in _strings_in(value) if unsafe_text(key, s))
        message = _UNSAFE_MESSAGES[why].format(key=key, value=str(shown)[:80])
        out.add(_UNSAFE_RULES.get(why, "fm-unsafe-value"), message, *front.line_of(key))


def _strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings_in(v)]
    return []


@lru_cache(maxsize=1)
def default_theme_dirs() -> tuple[str, ...]:
    """Material's own template folder, found without importing it."""
    spec = importlib.util.find_spec("material")
    if spec is None or not spec.submodule_search_locations:
        return ()
    return tuple(str(Path(p) / "templates") for p in spec.submodule_search_locations)
