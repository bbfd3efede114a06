"""Plugin settings as plain data, shared by the MkDocs plugin and the command line.

Both read the same `report-archive` entry of `mkdocs.yml`, so a check in CI and a
build judge a report by the same rules.
"""

from __future__ import annotations

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
class Settings:
    required_sections: tuple[str, ...] = DEFAULT_REQUIRED
    optional_sections: tuple[str, ...] = DEFAULT_OPTIONAL
    metric_aliases: Mapping[str, str] = field(default_factory=dict)
    dataset_aliases: Mapping[str, str] = field(default_factory=dict)
    lower_is_better: tuple[str, ...] = ()
    higher_is_better: tuple[str, ...] = ()
    primary_metrics: Mapping[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Settings:
        """Build settings from the plugin's options; raise SettingsError listing all problems."""
        data = dict(data or {})
        errors: list[str] = []
        known = {"enabled", "sections", "metric_aliases", "dataset_aliases", "lower_is_better",
                 "higher_is_better", "primary_metrics", "limits", "comparisons", "nav"}
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

        settings = cls(
            required_sections=required,
            optional_sections=optional,
            metric_aliases=_mapping(data.get("metric_aliases"), "metric_aliases", errors),
            dataset_aliases=_mapping(data.get("dataset_aliases"), "dataset_aliases", errors),
            lower_is_better=_names(data.get("lower_is_better") or [], "lower_is_better", errors),
            higher_is_better=_names(data.get("higher_is_better") or [], "higher_is_better", errors),
            primary_metrics=_mapping(data.get("primary_metrics"), "primary_metrics", errors),
            limits=limits,
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
