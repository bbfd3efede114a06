"""`reports.json` of the example archive, checked against values written here by hand.

The expected values are the published results the example reports cite (see
each report's References), normalised: percentages as fractions, WER as written.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from conftest import Build

EXPECTED = {
    "2023-02-14-bert-base-sst2.md": ("final", ["SST-2"], "BERT-base (ours)", "accuracy",
                                     {"accuracy": 0.935}),
    "2023-04-05-resnet110-cifar10.md": ("final", ["CIFAR-10"], "ResNet-110 (ours)", "accuracy",
                                        {"accuracy": 0.9357, "error": 0.0643}),
    "2023-06-20-distilbert-sst2.md": ("in-review", ["SST-2"], "DistilBERT (ours)", "accuracy",
                                      {"accuracy": 0.913}),
    "2023-09-27-wrn-28-10-cifar10.md": ("in-review", ["CIFAR-10"], "WRN-28-10 (ours)",
                                        "accuracy", {"accuracy": 0.96, "error": 0.04}),
    "2023-11-08-bert-base-squad.md": ("final", ["SQuAD v1.1"], "BERT-base (ours)", "em",
                                      {"em": 0.808, "f1": 0.885}),
    "2024-01-23-wav2vec2-large-librispeech.md": (
        "final", ["LibriSpeech test-clean"], "wav2vec 2.0 LARGE, LV-60k + Transformer LM (ours)",
        "wer test-clean", {"wer test-clean": 1.8, "wer test-other": 3.3, "wer dev-clean": 1.6,
                           "wer dev-other": 3.0}),
    "2024-03-11-roberta-large-sst2.md": ("final", ["SST-2"], "RoBERTa-large (ours)", "accuracy",
                                         {"accuracy": 0.964}),
    "2024-08-19-vit-l16-cifar10.md": ("draft", ["CIFAR-10"],
                                      "ViT-L/16, JFT-300M pre-training (ours)", "accuracy",
                                      {"accuracy": 0.9942}),
    "2024-11-06-conformer-l-librispeech.md": ("in-review", ["LibriSpeech test-clean"],
                                              "Conformer (L) + LSTM LM (ours)", "wer test-clean",
                                              {"wer test-clean": 1.9, "wer test-other": 3.9}),
    "2025-05-14-bert-large-squad.md": ("draft", ["SQuAD v1.1"], "BERT-large (ours)", "f1",
                                       {"em": 0.841, "f1": 0.909}),
}


@pytest.fixture(scope="module")
def reports(example_site: Build) -> dict[str, dict[str, Any]]:
    data = json.loads((example_site.site / "reports.json").read_text(encoding="utf-8"))
    return {r["path"]: r for r in data["reports"]}


def test_every_example_report_is_in_reports_json(reports: dict[str, dict[str, Any]]) -> None:
    assert set(reports) == set(EXPECTED)


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_report_data(path: str, reports: dict[str, dict[str, Any]]) -> None:
    status, datasets, model, primary, metrics = EXPECTED[path]
    report = reports[path]
    assert report["status"] == status
    assert report["datasets"] == datasets
    assert report["own_model"] == model
    assert report["primary_metric"] == primary
    own = [row for row in report["results"]["rows"] if row["own"]]
    assert len(own) == 1 and own[0]["model"] == model
    values = {key: cell["value"] for key, cell in own[0]["metrics"].items()}
    assert values == pytest.approx(metrics)
    assert report["headline"] == own[0]["metrics"]
    baselines = [row for row in report["results"]["rows"] if not row["own"]]
    assert baselines, "every example report compares against published baselines"


def test_tables_are_read(reports: dict[str, dict[str, Any]]) -> None:
    bert = reports["2023-02-14-bert-base-sst2.md"]
    assert bert["dataset_card"]["Name"] == "SST-2"
    assert bert["hyperparameters"]["Learning Rate"]["number"] == pytest.approx(2e-5)
    assert bert["hyperparameters"]["Batch Size"]["number"] == 32
    assert [s["split"] for s in bert["splits"]] == ["Train", "Validation", "Test (labels hidden)"]
    assert bert["splits"][0]["examples"] == 67349
    assert bert["compute"]["hardware"]
    assert bert["objectives"]["met"] + bert["objectives"]["partial"] + \
        bert["objectives"]["not_met"] == len(bert["objectives"]["items"]) > 0
    assert bert["next_steps"]["total"] >= bert["next_steps"]["done"] >= 0
    assert bert["next_steps"]["total"] > 0
    baselines = {row["model"]: row["metrics"]["accuracy"]["value"]
                 for row in bert["results"]["rows"] if not row["own"]}
    assert baselines == pytest.approx({"Pre-OpenAI SOTA": 0.932, "OpenAI GPT": 0.913,
                                            "BiLSTM+ELMo+Attn": 0.904})
    percent_written = reports["2024-03-11-roberta-large-sst2.md"]["headline"]["accuracy"]
    fraction_written = [r for r in reports.values() if r["headline"].get("accuracy")
                        and not r["headline"]["accuracy"]["percent"]]
    assert percent_written["percent"] or fraction_written


def shipped_schema() -> dict[str, Any]:
    text = (resources.files("report_archive") / "schema" / "reports.schema.json").read_text(
        encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def problems(payload: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(shipped_schema())
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(payload)]


@pytest.fixture(scope="module")
def payload(example_site: Build) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((example_site.site / "reports.json").read_text(
        encoding="utf-8"))
    return data


def test_reports_json_validates_against_the_shipped_schema(payload: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(shipped_schema())
    assert problems(payload) == []


def test_the_schema_is_published_beside_reports_json(example_site: Build) -> None:
    published = json.loads((example_site.site / "reports.schema.json").read_text(
        encoding="utf-8"))
    assert published == shipped_schema()


def test_every_field_the_schema_describes_is_in_the_example_archive(
        payload: dict[str, Any]) -> None:
    described = set(shipped_schema()["$defs"]["report"]["properties"])
    published = {key for report in payload["reports"] for key in report}
    assert described == published


def test_source_line_numbers_are_not_published(payload: dict[str, Any]) -> None:
    def keys(value: object) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    assert "line" not in keys(payload)


@pytest.mark.parametrize("change, where", [
    (lambda p: p["reports"][0].update(line=12), "$.reports[0]"),
    (lambda p: p["reports"][0]["headline"]["accuracy"].update(value="93.5%"),
     "$.reports[0].headline.accuracy.value"),
    (lambda p: p["reports"][0].update(status="done"), "$.reports[0].status"),
    (lambda p: p["reports"][0]["results"]["rows"][0].pop("own"),
     "$.reports[0].results.rows[0]"),
    (lambda p: p["leaderboards"][0]["rows"][0].update(rank="1"),
     "$.leaderboards[0].rows[0].rank"),
    (lambda p: p.update(version=2), "$.version"),
])
def test_the_schema_rejects_a_wrong_file(payload: dict[str, Any], change: Any,
                                         where: str) -> None:
    wrong = copy.deepcopy(payload)
    wrong["reports"].sort(key=lambda r: "accuracy" not in r["headline"])
    change(wrong)
    found = problems(wrong)
    assert found and all(p.startswith(where) for p in found), found
