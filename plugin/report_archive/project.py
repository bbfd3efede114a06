"""Reading the project's `mkdocs.yml` without MkDocs: where the archive is, and our options."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from .settings import Settings, SettingsError

PLUGIN_NAME = "report-archive"


class ProjectError(Exception):
    """mkdocs.yml cannot be read or our options in it are wrong."""


class _ConfigLoader(yaml.SafeLoader):
    """Safe loading that tolerates MkDocs' and Material's tags (`!ENV`, `!!python/name`)."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    return None


_ConfigLoader.add_multi_constructor("!", _ignore_tag)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


@dataclass(frozen=True)
class Project:
    config_file: Path | None
    docs_dir: Path
    settings: Settings


def load_project(config_file: Path) -> Project:
    """Read `mkdocs.yml`: the docs_dir and the plugin's options (defaults when absent)."""
    try:
        text = config_file.read_text(encoding="utf-8-sig")
        config = yaml.load(text, Loader=_ConfigLoader)
    except OSError as exc:
        raise ProjectError(f"cannot read {config_file}: {exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{config_file} is not valid YAML: {exc}") from exc
    if not isinstance(config, dict):
        raise ProjectError(f"{config_file} is not a mapping of settings")
    docs_dir = config.get("docs_dir") or "docs"
    if not isinstance(docs_dir, str):
        raise ProjectError(f"{config_file}: docs_dir must be a path")
    try:
        settings = Settings.from_mapping(plugin_options(config))
    except SettingsError as exc:
        raise ProjectError(f"{config_file}: plugin '{PLUGIN_NAME}': {exc}") from exc
    theme = config.get("theme")
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    if isinstance(custom_dir, str):
        settings = replace(settings, theme_dirs=(str(config_file.parent / custom_dir),))
    return Project(config_file, (config_file.parent / docs_dir), settings)


def plugin_options(config: dict[str, Any]) -> dict[str, Any]:
    plugins = config.get("plugins") or []
    if isinstance(plugins, dict):
        return dict(plugins.get(PLUGIN_NAME) or {})
    for entry in plugins:
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            return dict(entry[PLUGIN_NAME] or {})
    return {}
