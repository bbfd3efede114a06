"""The plugin's options: declared once with MkDocs' config options, converted into Settings."""

from __future__ import annotations

import ast
import re
from typing import Any

import pytest

from conftest import ROOT
from report_archive.config import ReportArchiveConfig, to_settings
from report_archive.settings import ComparisonSpec, Limits, Settings


def validate(options: dict[str, Any]) -> tuple[list[str], ReportArchiveConfig]:
    """Validate options as MkDocs does for a plugin: the error messages and the config."""
    config = ReportArchiveConfig()
    config.load_dict(options)
    failed, _ = config.validate()
    return [f"{key}: {error}" for key, error in failed], config


@pytest.mark.parametrize(("options", "wrong", "meant"), [
    ({"sectons": {}}, "sectons", "sections"),
    ({"limits": {"max_file_byte": 1}}, "max_file_byte", "max_file_bytes"),
    ({"sections": {"requird": ["Dataset"]}}, "requird", "required"),
    ({"nav": {"max_report": 3}}, "max_report", "max_reports"),
    ({"nav": {"labels": {"brows": "All"}}}, "brows", "browse"),
    ({"comparisons": [{"name": "a", "tag": ["nlp"]}]}, "tag", "tags"),
    ({"santize": False}, "santize", "sanitize"),
])
def test_a_misspelled_option_is_an_error_suggesting_the_closest_name(
        options: dict[str, Any], wrong: str, meant: str) -> None:
    errors, _ = validate(options)
    assert len(errors) == 1
    assert f"unknown option '{wrong}'; did you mean '{meant}'?" in errors[0]


def test_an_unknown_option_without_a_close_name_lists_the_valid_ones() -> None:
    errors, _ = validate({"limits": {"zzz": 1}})
    assert "unknown option 'zzz'; the options here are max_file_bytes, max_table_rows" in errors[0]


@pytest.mark.parametrize(("options", "expected"), [
    ({"sanitize": "no"}, "sanitize: Expected type: <class 'bool'>"),
    ({"enabled": "yes"}, "enabled: Expected type: <class 'bool'>"),
    ({"limits": {"max_table_rows": 0}}, "whole number of at least 1, got 0"),
    ({"limits": {"max_tag_length": True}}, "whole number of at least 1, got True"),
    ({"nav": {"max_reports": -1}}, "whole number of at least 0, got -1"),
    ({"sections": {"required": 3}}, "Sub-option 'required': Expected a list of items"),
    ({"sections": {"required": ["Dataset", " "]}}, "expected a name (non-empty text)"),
    ({"sections": {"optional": ["dataset"]}}, "sections both required and optional: dataset"),
    ({"metric_aliases": ["Acc"]}, "metric_aliases: Expected a dict of items"),
    ({"primary_metrics": {"SST-2": 3}}, "expected a name (non-empty text), got 3"),
    ({"comparisons": [{"title": "x", "tags": ["a"]}]}, "give each comparison a name"),
    ({"comparisons": [{"name": "SST 2", "tags": ["a"]}]},
     "comparison 'SST 2': Sub-option 'name': 'SST 2' is not a name of lowercase letters"),
    ({"comparisons": [{"name": "a", "metrics": ["Accuracy"]}]},
     "comparison 'a' selects no reports: give tags, datasets or paths"),
    ({"comparisons": [{"name": "a", "tags": ["x"]}, {"name": "a", "paths": ["b.md"]}]},
     "comparison 'a' is declared twice"),
])
def test_wrong_values_are_refused_with_a_message_naming_the_option(
        options: dict[str, Any], expected: str) -> None:
    errors, _ = validate(options)
    assert errors, options
    assert expected in " ".join(errors)


def test_no_options_give_the_default_settings() -> None:
    errors, config = validate({})
    assert errors == []
    assert to_settings(config) == Settings()


def test_options_become_settings() -> None:
    errors, config = validate({
        "sections": {"required": [" Dataset ", "Results"], "optional": ["Ethics Review"]},
        "metric_aliases": {"Acc@1": "Top-1 Accuracy"},
        "dataset_aliases": {"SST2-GLUE": "SST-2"},
        "lower_is_better": ["Hamming Loss"],
        "higher_is_better": ["Score"],
        "primary_metrics": {"SST-2": "Accuracy"},
        "limits": {"max_table_rows": 5000},
        "nav": {"max_reports": 0},
        "sanitize": False,
        "comparisons": [{"name": "sst2", "datasets": ["SST-2"], "metrics": ["Accuracy"]},
                        {"name": "pair", "title": "Two reports", "paths": ["a.md", "b.md"]}],
    })
    assert errors == []
    assert to_settings(config) == Settings(
        required_sections=("Dataset", "Results"),
        optional_sections=("Ethics Review",),
        metric_aliases={"Acc@1": "Top-1 Accuracy"},
        dataset_aliases={"SST2-GLUE": "SST-2"},
        lower_is_better=("Hamming Loss",),
        higher_is_better=("Score",),
        primary_metrics={"SST-2": "Accuracy"},
        limits=Limits(max_table_rows=5000),
        nav_max_reports=0,
        sanitize=False,
        comparisons=(ComparisonSpec("sst2", "sst2", datasets=("SST-2",), metrics=("Accuracy",)),
                     ComparisonSpec("pair", "Two reports", paths=("a.md", "b.md"))),
    )


def _options() -> dict[str, list[str]]:
    """Each option class of config.py: its options, and those without a docstring after them."""
    source = (ROOT / "plugin" / "report_archive" / "config.py").read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name.endswith("Config"):
            body = node.body
            for index, item in enumerate(body):
                if isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name):
                    name = item.targets[0].id
                    following = body[index + 1] if index + 1 < len(body) else None
                    documented = (isinstance(following, ast.Expr)
                                  and isinstance(following.value, ast.Constant)
                                  and isinstance(following.value.value, str))
                    found.setdefault(node.name, []).append(name if documented else f"!{name}")
    return found


def test_every_option_has_a_docstring() -> None:
    options = _options()
    assert set(options) == {"ReportArchiveConfig", "SectionsConfig", "LimitsConfig",
                            "NavConfig", "NavLabelsConfig", "ComparisonConfig",
                            "DraftsConfig", "TrackingConfig"}
    undocumented = [name for names in options.values() for name in names if name[0] == "!"]
    assert undocumented == []


def test_the_readme_options_table_names_every_option() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| option | default | meaning |"):]
    table = table[:table.index("\n\n")]
    named = set(re.findall(r"^\| `([a-z_.]+)`", table, flags=re.MULTILINE))
    named |= set(re.findall(r"^\| `[a-z_.]+`, `([a-z_.]+)`", table, flags=re.MULTILINE))
    nested = {"sections": "SectionsConfig", "nav": "NavConfig", "drafts": "DraftsConfig",
              "tracking": "TrackingConfig"}
    expected = set()
    for name in _options()["ReportArchiveConfig"]:
        if name in nested:
            expected |= {f"{name}.{sub}" for sub in _options()[nested[name]]}
        else:
            expected.add(name)
    assert expected == named


def test_nav_labels_reach_the_settings_and_the_translation() -> None:
    from report_archive.i18n import Translator

    errors, config = validate({"nav": {"labels": {"browse": " Experiments ", "tags": "Topics"}}})
    assert errors == []
    settings = to_settings(config)
    assert settings.nav_labels == {"browse": "Experiments", "tags": "Topics"}
    i18n = Translator("fr", labels=settings.nav_labels)
    assert (i18n.t("nav.browse"), i18n.t("nav.tags"), i18n.t("nav.compare")) == (
        "Experiments", "Topics", "Comparaisons")
    assert to_settings(validate({})[1]).nav_labels == {}
