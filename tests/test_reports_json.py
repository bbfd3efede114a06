"""`reports.json` of the example archive, checked against values written here by hand.

The expected values are the published results the example reports cite (see
each report's References), normalised: percentages as fractions, WER as written.
"""

from __future__ import annotations

import json
from typing import Any

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
