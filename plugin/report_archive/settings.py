"""The core's settings as frozen plain data, made from the plugin's options.

The options are declared and validated once, in MkDocs' terms, in `config.py`;
its `to_settings` makes these from them for the build and the command line alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .template import DEFAULT_OPTIONAL, DEFAULT_REQUIRED, TEMPLATE_SECTIONS


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


@dataclass(frozen=True)
class Tracking:
    """Where the experiment trackers named by `runs:` live (the `tracking` option)."""

    mlflow_tracking_uri: str | None = None  # MLFLOW_TRACKING_URI and --tracking-uri win
    mlflow_ui: str | None = None  # the web UI the header card links runs to
    verify_runs: bool = False  # compare results with the runs in every build
    timeout: float = 5.0  # seconds for each request to a tracker

    def ui_bases(self) -> dict[str, str]:
        """The web UI of each tracker, by reference prefix: the option, else an http(s)
        tracking URI (MLflow serves its UI at its tracking address)."""
        bases: dict[str, str] = {}
        uri = self.mlflow_tracking_uri or ""
        ui = self.mlflow_ui or (uri if uri.startswith(("http://", "https://")) else "")
        if ui:
            bases["mlflow"] = ui
        return bases


@dataclass(frozen=True)
class Settings:
    """What the core needs of the plugin's options (see `config.py`)."""

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
    # Front matter keys a team uses for itself (run_id, doi, ...): not warned about.
    front_matter_keys: tuple[str, ...] = ()
    # Labels of our pages in the navigation (`reports`, `browse`, `compare`, `tags`);
    # those not given are the translation of the site's language.
    nav_labels: Mapping[str, str] = field(default_factory=dict)
    sanitize: bool = True
    # Rule id -> "off", "warning" or "error" (the `rules` option).
    rules: Mapping[str, str] = field(default_factory=dict)
    # Warnings of draft reports count under `--strict` only when this is True.
    drafts_strict: bool = False
    # Draft reports are ranked (and marked) on leaderboards unless this is False.
    drafts_on_leaderboards: bool = True
    # The theme's template folders (custom_dir first): not an option, set from mkdocs.yml.
    theme_dirs: tuple[str, ...] = ()
    tracking: Tracking = field(default_factory=Tracking)

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

