"""The plugin's options, declared once in MkDocs' terms, and their conversion into `Settings`.

MkDocs validates these when it loads `mkdocs.yml`, for `mkdocs build` and for
`report-archive check` alike, so the two can never disagree about an option.
The core never sees them: `to_settings` turns validated options into its frozen
`Settings`.
"""

# MkDocs' Config declares `__init_subclass__` without types; every option group calls it.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import difflib
import re
from collections import Counter

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, ConfigErrors, ConfigWarnings, ValidationError

from .rules import LEVELS, RULES, unknown_rule
from .settings import ComparisonSpec, Limits, Settings, Tracking
from .template import DEFAULT_OPTIONAL, DEFAULT_REQUIRED

_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _StrictConfig(base.Config):
    """Options in which an unknown name is an error that suggests the closest valid name.

    MkDocs only warns about an unknown name, so a typo such as `max_file_byte`
    would quietly leave the default in force.
    """

    def validate(self) -> tuple[ConfigErrors, ConfigWarnings]:
        failed, warnings = super().validate()
        known = [key for key, _ in self._schema]
        unknown = [key for key in self if key not in known]
        failed = [(str(key), ValidationError(unknown_option(str(key), known)))
                  for key in unknown] + failed
        return failed, [(key, text) for key, text in warnings if key not in unknown]


def unknown_option(name: str, known: list[str]) -> str:
    """The message for an option that does not exist, with the closest valid name."""
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"unknown option '{name}'; did you mean '{close[0]}'?"
    return f"unknown option '{name}'; the options here are {', '.join(sorted(known))}"


class _Name(BaseConfigOption[str]):
    """A name written as non-empty text; the spaces around it are dropped."""

    def run_validation(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"expected a name (non-empty text), got {value!r}")
        return value.strip()


def _names(default: tuple[str, ...] = ()) -> c.ListOfItems[str]:
    return c.ListOfItems(_Name(), default=list(default))


class _WholeNumber(BaseConfigOption[int]):
    """A whole number of at least `minimum` (YAML's `true` is not a number)."""

    def __init__(self, default: int, minimum: int) -> None:
        super().__init__()
        self.default = default
        self.minimum = minimum

    def run_validation(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < self.minimum:
            raise ValidationError(f"expected a whole number of at least {self.minimum}, "
                                  f"got {value!r}")
        return value


class _Slug(BaseConfigOption[str]):
    """A required name of lowercase letters, digits and single dashes: part of a URL."""

    def run_validation(self, value: object) -> str:
        if value is None:
            raise ValidationError("required: give each comparison a name, e.g. sst2-transformers")
        if not isinstance(value, str) or not _NAME_RE.match(value):
            raise ValidationError(f"{value!r} is not a name of lowercase letters, digits and "
                                  "'-', e.g. sst2-transformers")
        return value


class SectionsConfig(_StrictConfig):
    """Roles of the report's `##` sections; the template's other sections are recommended."""

    required = _names(DEFAULT_REQUIRED)
    """Sections a report must have: a missing one is an error (`section-missing`)."""
    optional = _names(DEFAULT_OPTIONAL)
    """Sections a report may leave out without a warning; a name the template does
    not have is an extra section a report may carry."""

    def validate(self) -> tuple[ConfigErrors, ConfigWarnings]:
        failed, warnings = super().validate()
        if not failed:
            both = ({n.casefold() for n in self.required}
                    & {n.casefold() for n in self.optional})
            if both:
                failed.append(("optional", ValidationError(
                    f"sections both required and optional: {', '.join(sorted(both))}")))
        return failed, warnings


class LimitsConfig(_StrictConfig):
    """Bounds on input, each enforced by its own `limit-*` rule."""

    max_file_bytes = _WholeNumber(Limits.max_file_bytes, minimum=1)
    """Size of one Markdown file, in bytes (`limit-file-size`)."""
    max_table_rows = _WholeNumber(Limits.max_table_rows, minimum=1)
    """Rows of one data table of the template (`limit-table-rows`)."""
    max_tag_length = _WholeNumber(Limits.max_tag_length, minimum=1)
    """Characters of one tag (`limit-tag-length`)."""
    max_yaml_nodes = _WholeNumber(Limits.max_yaml_nodes, minimum=1)
    """Values in the front matter, aliases expanded (`limit-yaml-nodes`)."""


class NavLabelsConfig(_StrictConfig):
    """Labels of our pages in the navigation; by default, in the site's language."""

    reports = c.Optional(_Name())
    """The section of the newest reports (English: Reports)."""
    browse = c.Optional(_Name())
    """The browse page (English: Browse reports)."""
    compare = c.Optional(_Name())
    """The comparisons page (English: Comparisons)."""
    tags = c.Optional(_Name())
    """The tag index (English: Tags)."""


class NavConfig(_StrictConfig):
    """How reports appear in the site's navigation."""

    max_reports = _WholeNumber(Settings.nav_max_reports, minimum=0)
    """How many of the newest reports the navigation lists under Reports."""
    labels = c.SubConfig(NavLabelsConfig)
    """Labels of our pages: `reports`, `browse`, `compare`, `tags` (default: translated)."""


class ComparisonConfig(_StrictConfig):
    """A side-by-side comparison page, at `compare/<name>/`.

    Reports listed under `paths` are always in it; otherwise a report is in it
    when it matches every kind of criterion given (one of the `tags`, one of the
    `datasets`).
    """

    name = _Slug()
    """The page's URL name, e.g. `sst2-transformers`."""
    title = c.Optional(_Name())
    """The page's title (default: the name)."""
    tags = _names()
    """Reports with one of these tags (a parent tag matches its children)."""
    datasets = _names()
    """Reports on one of these datasets (aliases apply)."""
    paths = _names()
    """Reports by path relative to docs_dir, e.g. `2023-11-08-bert-base-squad.md`."""
    metrics = _names()
    """Metric columns to show, first one ranks (default: every shared metric)."""

    def validate(self) -> tuple[ConfigErrors, ConfigWarnings]:
        failed, warnings = super().validate()
        if not failed and not (self.tags or self.datasets or self.paths):
            failed.append(("paths", ValidationError(
                f"comparison '{self.name}' selects no reports: give tags, datasets or paths")))
        return failed, warnings


class _Comparison(c.SubConfig[ComparisonConfig]):
    """One comparison; its problems name the comparison."""

    def run_validation(self, value: object) -> ComparisonConfig:
        try:
            return super().run_validation(value)
        except ValidationError as exc:
            name = value.get("name") if isinstance(value, dict) else None
            which = f"comparison '{name}'" if isinstance(name, str) else "a comparison"
            raise ValidationError(f"{which}: {exc}") from exc


class _Comparisons(c.ListOfItems[ComparisonConfig]):
    """The declared comparisons; two of one name would share a page."""

    def __init__(self) -> None:
        super().__init__(_Comparison(), default=[])

    def run_validation(self, value: object) -> list[ComparisonConfig]:
        items = super().run_validation(value)
        twice = [name for name, n in Counter(item.name for item in items).items() if n > 1]
        if twice:
            raise ValidationError(f"comparison '{twice[0]}' is declared twice")
        return items


class _RuleLevels(BaseConfigOption[dict[str, str]]):
    """`{RULE_ID: off | warning | error}`; an id not in the catalogue is an error."""

    def __init__(self) -> None:
        super().__init__()
        self.default: dict[str, str] = {}

    def run_validation(self, value: object) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValidationError(f"expected a mapping of rule ids to off, warning or error, "
                                  f"got {value!r}")
        levels: dict[str, str] = {}
        for rule, level in value.items():
            if not isinstance(rule, str) or rule not in RULES:
                raise ValidationError(unknown_rule(str(rule)))
            # YAML 1.1 reads an unquoted `off` as false.
            text = "off" if level is False else level
            if text not in LEVELS:
                raise ValidationError(f"rule '{rule}': expected off, warning or error, "
                                      f"got {level!r}")
            levels[rule] = str(text)
        return levels


class DraftsConfig(_StrictConfig):
    """How reports with `status: draft` are judged and shown."""

    strict = c.Type(bool, default=Settings.drafts_strict)
    """Count a draft's warnings under `mkdocs build --strict` and `check --strict`
    (default false: drafts may carry template text while the site is published)."""
    on_leaderboards = c.Type(bool, default=Settings.drafts_on_leaderboards)
    """Rank drafts on the leaderboards, marked as drafts (false: list them as not ranked)."""


class _WebAddress(BaseConfigOption[str]):
    """An http(s) address, or any tracking URI when `any_uri` (sqlite:///..., ./mlruns)."""

    def __init__(self, any_uri: bool = False) -> None:
        super().__init__()
        self.any_uri = any_uri

    def run_validation(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"expected an address (text), got {value!r}")
        text = value.strip()
        if not self.any_uri and not re.match(r"^https?://[^\s/]+", text):
            raise ValidationError(f"{text!r} is not an http:// or https:// address")
        return text


class _Seconds(BaseConfigOption[float]):
    """A positive number of seconds, at most ten minutes."""

    def __init__(self, default: float) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 600:
            raise ValidationError(f"expected seconds between 0 and 600, got {value!r}")
        return float(value)


class TrackingConfig(_StrictConfig):
    """The experiment tracker named by reports' `runs:` (MLflow)."""

    mlflow_tracking_uri = c.Optional(_WebAddress(any_uri=True))
    """The MLflow tracking server, for `new --from-mlflow` and verification; the
    environment's MLFLOW_TRACKING_URI and `--tracking-uri` take precedence."""
    mlflow_ui = c.Optional(_WebAddress())
    """The MLflow web UI the header card links runs to (default: the tracking URI when
    it is an http(s) address)."""
    verify_runs = c.Type(bool, default=False)
    """Compare each report's own results row with its run in every build (needs the
    tracker; an unreachable one is a warning)."""
    timeout = _Seconds(default=Tracking.timeout)
    """Seconds to wait for the tracker on each request."""


class ReportArchiveConfig(_StrictConfig):
    """The options of the `report-archive` plugin in `mkdocs.yml`."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from mkdocs.yml."""
    sections = c.SubConfig(SectionsConfig)
    """`required` and `optional` lists of section names."""
    metric_aliases = c.DictOfItems(_Name(), default={})
    """More names for metrics: `{"Acc@1": "Top-1 Accuracy"}`."""
    dataset_aliases = c.DictOfItems(_Name(), default={})
    """More names for datasets: `{"SST2-GLUE": "SST-2"}`."""
    lower_is_better = _names()
    """Metrics ranked ascending besides the built-in ones (loss, error, WER, ...)."""
    higher_is_better = _names()
    """Metrics ranked descending even if their name suggests otherwise."""
    primary_metrics = c.DictOfItems(_Name(), default={})
    """Per dataset, the metric leaderboards rank by: `{"SST-2": "Accuracy"}`."""
    limits = c.SubConfig(LimitsConfig)
    """Input limits: max_file_bytes, max_table_rows, max_tag_length, max_yaml_nodes."""
    comparisons = _Comparisons()
    """Declared comparison pages."""
    nav = c.SubConfig(NavConfig)
    """How reports appear in the navigation: `max_reports`."""
    sanitize = c.Type(bool, default=True)
    """Remove script, event handlers and `javascript:` links from report pages."""
    front_matter_keys = _names()
    """A team's own front matter keys (`run_id`, `doi`, ...): not warned about as unknown
    (keys MkDocs, Material and common plugins define are known already)."""
    rules = _RuleLevels()
    """Per rule id, `off`, `warning` or `error`: what blocks this project."""
    drafts = c.SubConfig(DraftsConfig)
    """`strict` and `on_leaderboards`: how draft reports are judged and shown."""
    tracking = c.SubConfig(TrackingConfig)
    """The experiment tracker: `mlflow_tracking_uri`, `mlflow_ui`, `verify_runs`, `timeout`."""


def to_settings(config: ReportArchiveConfig) -> Settings:
    """The core's frozen settings from options MkDocs has validated."""
    limits = config.limits
    return Settings(
        required_sections=tuple(config.sections.required),
        optional_sections=tuple(config.sections.optional),
        metric_aliases=dict(config.metric_aliases),
        dataset_aliases=dict(config.dataset_aliases),
        lower_is_better=tuple(config.lower_is_better),
        higher_is_better=tuple(config.higher_is_better),
        primary_metrics=dict(config.primary_metrics),
        limits=Limits(limits.max_file_bytes, limits.max_table_rows, limits.max_tag_length,
                      limits.max_yaml_nodes),
        comparisons=tuple(ComparisonSpec(
            item.name, item.title or item.name, tuple(item.tags), tuple(item.datasets),
            tuple(item.paths), tuple(item.metrics)) for item in config.comparisons),
        nav_max_reports=config.nav.max_reports,
        front_matter_keys=tuple(config.front_matter_keys),
        nav_labels={key: value for key, value in config.nav.labels.items() if value},
        sanitize=config.sanitize,
        rules=dict(config.rules),
        drafts_strict=config.drafts.strict,
        drafts_on_leaderboards=config.drafts.on_leaderboards,
        tracking=Tracking(config.tracking.mlflow_tracking_uri, config.tracking.mlflow_ui,
                          config.tracking.verify_runs, config.tracking.timeout),
    )
