"""Plugin settings as plain data, shared by the MkDocs plugin and the command line.

Both read the same `report-archive` entry of `mkdocs.yml`, so a check in CI and a
build judge a report by the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .template import DEFAULT_OPTIONAL, DEFAULT_REQUIRED, TEMPLATE_SECTIONS


class SettingsError(ValueError):
    """The plugin's options are not usable; `messages` lists every problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Limits:
    """Bounds on input, each enforced with its own `limit-*` diagnostic."""

    max_file_bytes: int = 2 * 1024 * 1024
    max_table_rows: int = 1000
    max_tag_length: int = 100
    max_yaml_nodes: int = 2000


@dataclass(frozen=True)
class ComparisonSpec:
    """A comparison page declared in mkdocs.yml.

    Reports listed under `paths` are always in it; otherwise a report is in it
    when it matches every kind of criterion given: one of the `tags` (a parent
    tag matches its children) and one of the `datasets`.
    """

    name: str
    title: str
    tags: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()


_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Settings:
    required_sections: tuple[str, ...] = DEFAULT_REQUIRED
    optional_sections: tuple[str, ...] = DEFAULT_OPTIONAL
    metric_aliases: Mapping[str, str] = field(default_factory=dict)
    dataset_aliases: Mapping[str, str] = field(default_factory=dict)
    lower_is_better: tuple[str, ...] = ()
    higher_is_better: tuple[str, ...] = ()
    primary_metrics: Mapping[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    comparisons: tuple[ComparisonSpec, ...] = ()
    nav_max_reports: int = 30
    sanitize: bool = True
    # The theme's template folders (custom_dir first): not an option, set from mkdocs.yml.
    theme_dirs: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Settings:
        """Build settings from the plugin's options; raise SettingsError listing all problems."""
        data = dict(data or {})
        errors: list[str] = []
        known = {"enabled", "sections", "metric_aliases", "dataset_aliases", "lower_is_better",
                 "higher_is_better", "primary_metrics", "limits", "comparisons", "nav",
                 "sanitize"}
        for key in data:
            if key not in known:
                errors.append(f"unknown option '{key}'")

        sections = data.get("sections") or {}
        required: tuple[str, ...] = DEFAULT_REQUIRED
        optional: tuple[str, ...] = DEFAULT_OPTIONAL
        if not isinstance(sections, Mapping):
            errors.append("'sections' must be a mapping with 'required' and 'optional' lists")
        else:
            for key in sections:
                if key not in ("required", "optional"):
                    errors.append(f"unknown option 'sections.{key}'")
            if "required" in sections:
                required = _names(sections["required"], "sections.required", errors)
            if "optional" in sections:
                optional = _names(sections["optional"], "sections.optional", errors)
            both = {n.lower() for n in required} & {n.lower() for n in optional}
            if both:
                errors.append(f"sections both required and optional: {', '.join(sorted(both))}")

        limits = Limits()
        raw_limits = data.get("limits") or {}
        if not isinstance(raw_limits, Mapping):
            errors.append("'limits' must be a mapping")
        else:
            values: dict[str, int] = {}
            for key, value in raw_limits.items():
                if key not in Limits.__dataclass_fields__:
                    errors.append(f"unknown option 'limits.{key}'")
                elif not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                    errors.append(f"'limits.{key}' must be a positive whole number")
                else:
                    values[key] = value
            limits = Limits(**values)

        comparisons = _comparisons(data.get("comparisons") or [], errors)
        nav = data.get("nav") or {}
        nav_max = 30
        if not isinstance(nav, Mapping) or set(nav) - {"max_reports"}:
            errors.append("'nav' takes one option, 'max_reports'")
        elif "max_reports" in nav:
            value = nav["max_reports"]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors.append("'nav.max_reports' must be a whole number, 0 or more")
            else:
                nav_max = value

        settings = cls(
            required_sections=required,
            optional_sections=optional,
            metric_aliases=_mapping(data.get("metric_aliases"), "metric_aliases", errors),
            dataset_aliases=_mapping(data.get("dataset_aliases"), "dataset_aliases", errors),
            lower_is_better=_names(data.get("lower_is_better") or [], "lower_is_better", errors),
            higher_is_better=_names(data.get("higher_is_better") or [], "higher_is_better", errors),
            primary_metrics=_mapping(data.get("primary_metrics"), "primary_metrics", errors),
            limits=limits,
            comparisons=comparisons,
            nav_max_reports=nav_max,
            sanitize=bool(data.get("sanitize", True)),
        )
        if errors:
            raise SettingsError(errors)
        return settings

    def section_role(self, name: str) -> str:
        """'required', 'optional' or 'recommended' for a canonical section name."""
        lowered = name.lower()
        if lowered in (n.lower() for n in self.required_sections):
            return "required"
        if lowered in (n.lower() for n in self.optional_sections):
            return "optional"
        return "recommended"

    def extra_sections(self) -> tuple[str, ...]:
        """Sections named in the options that the template does not have."""
        template = {s.name.lower() for s in TEMPLATE_SECTIONS}
        named = (*self.required_sections, *self.optional_sections)
        return tuple(n for n in named if n.lower() not in template)


def _comparisons(value: Any, errors: list[str]) -> tuple[ComparisonSpec, ...]:
    if not isinstance(value, list):
        errors.append("'comparisons' must be a list")
        return ()
    result: list[ComparisonSpec] = []
    seen: set[str] = set()
    for index, entry in enumerate(value, start=1):
        where = f"comparisons[{index}]"
        if not isinstance(entry, Mapping):
            errors.append(f"'{where}' must be a mapping with name, title and a selection")
            continue
        unknown = set(entry) - {"name", "title", "tags", "datasets", "paths", "metrics"}
        if unknown:
            errors.append(f"'{where}' has unknown keys: {', '.join(sorted(map(str, unknown)))}")
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            errors.append(f"'{where}.name' must be lowercase letters, digits and '-', "
                          "e.g. sst2-transformers")
            continue
        if name in seen:
            errors.append(f"comparison '{name}' is declared twice")
        seen.add(name)
        title = entry.get("title", name)
        if not isinstance(title, str) or not title.strip():
            errors.append(f"'{where}.title' must be text")
            title = name
        lists = {key: _names(entry.get(key) or [], f"{where}.{key}", errors)
                 for key in ("tags", "datasets", "paths", "metrics")}
        if not (lists["tags"] or lists["datasets"] or lists["paths"]):
            errors.append(f"comparison '{name}' selects no reports: give tags, datasets or paths")
        result.append(ComparisonSpec(name, title.strip(), **lists))
    return tuple(result)


def _names(value: Any, option: str, errors: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        errors.append(f"'{option}' must be a list of names")
        return ()
    return tuple(v.strip() for v in value)


def _mapping(value: Any, option: str, errors: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        errors.append(f"'{option}' must map names to names")
        return {}
    return {str(k): str(v) for k, v in value.items()}
