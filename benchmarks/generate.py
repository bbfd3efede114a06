"""Generate N complete, valid, varied reports from the template (deterministic).

    python benchmarks/generate.py 1000 /tmp/archive [--seed 7] [--real-length]

Each report fills every section of the template with plausible text and real
tables: 2-5 tags from a vocabulary of 40, one of eight datasets with their own
metrics, a results table with the report's own row and two or three baselines,
hyperparameters, compute, ablation, inference speed, objectives and next steps.
The same seed gives the same archive, byte for byte.

With `--real-length`, each report is as long and varied as a real one (the
median real report has ~370 lines and a dozen filled tables): every heading
gets its own prose, drawn from a vocabulary of 60,000 words with a Zipf
distribution (as real text has: a few words everywhere, most words rare), and
the appendix adds a hyperparameter search, extra experiments, a data card and a
model card. Each report's error analysis names a failure case by a word no
other report has (`marker(index)`), for the search benchmark to look for.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import random
from pathlib import Path

TAGS = [
    "nlp", "vision", "speech", "tabular", "transformers", "cnn", "rnn", "gnn", "distillation",
    "pruning", "quantization", "self-supervised", "contrastive", "fine-tuning", "pretraining",
    "augmentation", "regularization", "optimization", "efficiency", "robustness", "fairness",
    "calibration", "few-shot", "zero-shot", "multilingual", "retrieval", "ranking",
    "classification", "detection", "segmentation", "generation", "summarization", "translation",
    "asr", "reproduction", "ablation", "scaling", "long-context", "mixture-of-experts",
    "curriculum",
]
DATASETS = {
    "SST-2": (["Accuracy", "F1"], False, (0.86, 0.97)),
    "MNLI": (["Accuracy"], False, (0.78, 0.92)),
    "SQuAD v1.1": (["EM", "F1"], False, (0.75, 0.93)),
    "CIFAR-10": (["Accuracy", "Error"], False, (0.90, 0.995)),
    "ImageNet": (["Top-1 Accuracy", "Top-5 Accuracy"], False, (0.70, 0.90)),
    "COCO": (["mAP", "AP50"], False, (0.35, 0.62)),
    "LibriSpeech test-clean": (["WER"], True, (1.6, 6.0)),
    "WMT14 En-De": (["BLEU"], False, (24.0, 35.0)),
}
FIRST = ["Priya", "Daniel", "Hannah", "Yusuf", "Clara", "Mei", "Tomás", "Aarav", "Sofia", "Kenji",
         "Olumide", "Rafael", "Ines", "Lars", "Amara", "Noah", "Zara", "Omar", "Lena", "Ivan"]
LAST = ["Raman", "Okafor", "Vogel", "Demir", "Fischer", "Zhou", "Herrera", "Mehta", "Lindqvist",
        "Watanabe", "Adeyemi", "Costa", "Moreau", "Berg", "Nwosu", "Klein", "Haddad", "Petrov"]
MODELS = ["ResNet-50", "ViT-B/16", "BERT-base", "RoBERTa-large", "DistilBERT", "T5-base",
          "Conformer-M", "wav2vec 2.0", "EfficientNet-B3", "DeBERTa-v3", "Swin-T", "GPT-2 small",
          "LSTM baseline", "Logistic regression", "XGBoost", "MobileNetV3", "ConvNeXt-T"]
VERBS = ["improves", "matches", "stabilises", "speeds up", "simplifies", "regularises"]
NOUNS = ["training", "the loss curve", "convergence", "calibration", "throughput", "recall"]
HARDWARE = ["1x NVIDIA A100 40GB", "4x NVIDIA A100 80GB", "8x NVIDIA V100 16GB",
            "2x NVIDIA RTX 4090", "1x NVIDIA T4", "TPU v3-8"]


def _sentence(rng: random.Random) -> str:
    return (f"The {rng.choice(['proposed', 'revised', 'tuned', 'smaller', 'wider'])} "
            f"{rng.choice(['schedule', 'architecture', 'objective', 'data mix', 'recipe'])} "
            f"{rng.choice(VERBS)} {rng.choice(NOUNS)} by {rng.uniform(0.5, 9.5):.1f}% "
            f"on the {rng.choice(['validation', 'held-out', 'test'])} split.")


def _paragraph(rng: random.Random, sentences: int = 3) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def _format(value: float, high: float, percent: bool) -> str:
    if high > 1.5:  # points: WER, BLEU
        return f"{value:.2f}"
    return f"{value * 100:.1f}%" if percent else f"{value:.4f}"


def report(index: int, rng: random.Random) -> tuple[str, str]:
    """The file name and text of report number `index`."""
    dataset = rng.choice(list(DATASETS))
    metrics, lower, (low, high) = DATASETS[dataset]
    if "Error" in metrics:
        metrics = ["Accuracy"]
    percent = rng.random() < 0.5
    day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2000))
    model = rng.choice(MODELS)
    title = f"{model} {rng.choice(['on', 'for', 'fine-tuned on'])} {dataset}: experiment {index}"
    authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 3))]
    authors = list(dict.fromkeys(authors))
    tags = rng.sample(TAGS, rng.randint(2, 5))
    status = rng.choice(["draft", "in-review", "final", "final"])
    label = {"draft": "Draft", "in-review": "In Review", "final": "Final"}[status]
    values = [rng.uniform(low, high) for _ in metrics]
    own = [_format(v, high, percent) for v in values]
    step = (high - low) / 20
    base_rows = []
    for name in rng.sample(MODELS, rng.randint(2, 3)):
        worse = [v + rng.uniform(step / 4, step) * (1 if lower else -1) for v in values]
        base_rows.append(f"| {name} | " + " | ".join(_format(w, high, percent) for w in worse)
                         + " |")
    header = "| Model | " + " | ".join(metrics) + " |"
    separator = "|" + "---|" * (len(metrics) + 1)
    results = "\n".join([header, separator, f"| **{model} (ours)** | " + " | ".join(
        f"**{c}**" for c in own) + " |", *base_rows])
    lr = rng.choice(["1e-5", "2e-5", "3e-4", "1e-3", "5e-4"])
    batch = rng.choice([16, 32, 64, 128, 256])
    epochs = rng.choice([3, 10, 30, 90])
    hours = rng.choice([2, 6, 12, 24, 48, 96])
    text = f"""---
title: "{title}"
authors: [{", ".join(authors)}]
date: {day.isoformat()}
type: ml-experiment-report
tags: [{", ".join(tags)}]
status: {status}
dataset: "{dataset}"
primary_metric: {metrics[0]}
---

# {title}

**Machine Learning Experiment Report**

**Researchers**: {", ".join(authors)}
**Date**: {day.isoformat()}
**Status**: {label}

---

## Executive Summary

{_paragraph(rng, 4)}

### Key Findings

- {_sentence(rng)}
- {_sentence(rng)}
- {_sentence(rng)}

### Recommendations

- Adopt the {model} recipe for {dataset} workloads.
- Re-run the ablation with {rng.randint(3, 7)} seeds before the next release.

---

## 1. Objective

### 1.1 Research Question

Can {model} reach a competitive {metrics[0]} on {dataset} within a fixed budget?

### 1.2 Success Criteria

- **{metrics[0]}**: at least {own[0]}
- **Budget**: under {hours * 2} GPU-hours

### 1.3 Constraints

- {hours * 2} GPU-hours of compute
- Two weeks of calendar time

---

## 2. Dataset

### 2.1 Data Description

| Property | Value |
|----------|-------|
| **Name** | {dataset} |
| **Source** | Public benchmark release |
| **Size** | {rng.randint(10, 900) * 1000:,} examples |
| **Features** | Raw inputs, tokenised or resized |
| **Target** | Benchmark labels |
| **License** | Research use |

### 2.2 Data Splits

| Split | Size | Percentage |
|-------|------|------------|
| Train | {rng.randint(50, 900) * 1000:,} | 80% |
| Validation | {rng.randint(5, 90) * 1000:,} | 10% |
| Test | {rng.randint(5, 90) * 1000:,} | 10% |

### 2.3 Data Quality

- **Missing Values**: none after filtering
- **Outliers**: {rng.randint(0, 300)} examples removed by length filters
- **Imbalance**: largest class holds {rng.randint(20, 60)}% of examples
- **Preprocessing**: standard benchmark preprocessing

### 2.4 Exploratory Analysis

{_paragraph(rng, 2)}

---

## 3. Model

### 3.1 Architecture

```
input -> {model} encoder -> pooling -> task head -> output
```

### 3.2 Model Specifications

| Component | Configuration |
|-----------|--------------|
| **Type** | {model} |
| **Parameters** | {rng.randint(5, 400)}M |
| **Layers** | {rng.choice([12, 24, 50, 101])} |
| **Activation** | {rng.choice(["GELU", "ReLU", "SiLU"])} |
| **Dropout** | {rng.choice(["0.0", "0.1", "0.2"])} |

### 3.3 Baseline Models

{_paragraph(rng, 2)}

---

## 4. Training

### 4.1 Hyperparameters

| Hyperparameter | Value | Rationale |
|----------------|-------|-----------|
| Learning Rate | {lr} | Best of a small sweep |
| Batch Size | {batch} | Fits in memory |
| Epochs | {epochs} | Early stopping on validation |
| Optimizer | {rng.choice(["AdamW", "SGD with momentum", "LAMB"])} | Standard choice |
| Weight Decay | {rng.choice(["0.0", "0.01", "0.05"])} | Light regularisation |

### 4.2 Training Process

{_paragraph(rng, 3)}

### 4.3 Computational Resources

| Resource | Specification |
|----------|--------------|
| **Hardware** | {rng.choice(HARDWARE)} |
| **Memory** | {rng.choice([64, 128, 256])} GB RAM |
| **Training Time** | {hours} hours |
| **Cost** | ${hours * rng.randint(2, 30)} |

### 4.4 Training Curves

{_paragraph(rng, 2)}

---

## 5. Results

### 5.1 Quantitative Results

{results}

### 5.2 Statistical Significance

{_paragraph(rng, 2)}

---

## 6. Analysis

### 6.1 Ablation Study

| Configuration | Score | Change |
|---------------|-------|--------|
| Full model | {own[0]} | - |
| Without augmentation | {_format(values[0] - step, high, percent)} | -{step:.3f} |
| Without warm-up | {_format(values[0] - step / 2, high, percent)} | -{step / 2:.3f} |

### 6.2 Error Analysis

{_paragraph(rng, 3)}

---

## 7. Robustness

{_paragraph(rng, 2)}

---

## 8. Deployment Considerations

### 8.2 Inference Speed

| Batch Size | Latency | Throughput |
|------------|---------|------------|
| 1 | {rng.randint(3, 40)} ms | {rng.randint(25, 300)} QPS |
| 32 | {rng.randint(40, 400)} ms | {rng.randint(100, 3000)} QPS |

---

## 9. Conclusions

### 9.1 Summary

{_paragraph(rng, 3)}

### 9.2 Did We Meet Objectives?

| Objective | Status | Notes |
|-----------|--------|-------|
| {metrics[0]} target | ⚠️ Partial | Within noise of the target |
| Compute budget | ✅ Met | {hours} of {hours * 2} GPU-hours |

---

## 10. Next Steps

### 10.1 Short-term (1-2 weeks)

- [x] Publish the checkpoint
- [ ] Re-run with more seeds

### 10.2 Medium-term (1-2 months)

- [ ] Try a larger backbone

---

## References

1. The {dataset} benchmark paper.
2. The {model} paper.

---

## Appendix

{_paragraph(rng, 1)}
"""
    return f"{day.isoformat()}-report-{index:05d}.md", text


_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "qua", "bri", "dro", "fen",
              "gal", "hos", "jur", "kel", "lum", "mor", "nix", "pel", "rax", "sor", "tum", "vek",
              "wil", "yar", "zon", "chi", "pha", "ster", "tion", "ment", "ic", "al", "ous"]
_COMMON = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "by",
           "we", "this", "are", "from", "at", "be", "was", "it", "an", "model", "data",
           "training", "loss", "we", "our", "results", "validation", "accuracy", "baseline",
           "run", "runs", "batch", "epoch", "learning", "rate", "set", "test", "split", "error",
           "metric", "seed", "seeds", "compute", "higher", "lower", "than", "after", "before",
           "while", "because", "which", "when", "also", "but", "not", "more", "less"]


def _vocabulary(size: int = 60_000) -> tuple[list[str], list[float]]:
    """Pseudo-words of two to four syllables and Zipf weights (rank ** -1.1)."""
    words = list(_COMMON)
    seen = set(words)
    for length in (2, 3, 4):
        for combo in itertools.product(_SYLLABLES, repeat=length):
            word = "".join(combo)
            if word not in seen:
                seen.add(word)
                words.append(word)
            if len(words) >= size:
                break
        if len(words) >= size:
            break
    shuffled = words[len(_COMMON):]
    random.Random(11).shuffle(shuffled)
    words = words[:len(_COMMON)] + shuffled
    cumulative = list(itertools.accumulate((rank + 1) ** -1.1 for rank in range(len(words))))
    return words, cumulative


_VOCABULARY: tuple[list[str], list[float]] | None = None


def _prose(rng: random.Random, sentences: int) -> str:
    global _VOCABULARY
    if _VOCABULARY is None:
        _VOCABULARY = _vocabulary()
    words, cumulative = _VOCABULARY
    out = []
    for _ in range(sentences):
        count = rng.randint(10, 24)
        picked = [words[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
                  for _ in range(count)]
        out.append(" ".join(picked).capitalize() + ".")
        if rng.random() < 0.3:
            out.append(_sentence(rng))
    return " ".join(out)


def marker(index: int) -> str:
    """A word only report `index` has: its failure case in the error analysis."""
    letters = "bcdfghjklmnpqrstvwxz"
    digits = []
    number = index
    for _ in range(4):
        digits.append(letters[number % 20])
        number //= 20
    return "glitch" + "".join(digits) + "oid"


def _table(rng: random.Random, header: list[str], rows: int) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for _ in range(rows):
        lines.append("| " + " | ".join(_prose(rng, 1).split(".")[0][:40] if c else
                                        f"{rng.uniform(0, 100):.2f}"
                                        for c in range(len(header))) + " |")
    return "\n".join(lines)


def real_length(index: int, text: str, rng: random.Random) -> str:
    """A report made as long and varied as a real one (see the module's docstring)."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        out.append(line)
        if line.startswith(("## ", "### ")) and not line.startswith("## References"):
            out += ["", _prose(rng, rng.randint(2, 5))]
            if line.startswith("### 6.2"):
                out += ["", f"- **Failure case**: the {marker(index)} inputs are misread "
                        f"in {rng.randint(2, 40)} of the held-out examples.",
                        f"- **Failure case**: {_prose(rng, 1)}",
                        f"- **Failure case**: {_prose(rng, 1)}"]
    values = ["1e-4", "0.1", "32", "cosine", "AdamW", "0.9"]
    hyper = [f"| {_prose(rng, 1).split()[0]} | {rng.choice(values)} | {_prose(rng, 1)[:60]} |"
             for _ in range(8)]
    text = "\n".join(out).replace("| Weight Decay |", "\n".join(hyper) + "\n| Weight Decay |", 1)
    appendix = ["", "### A. Hyperparameter Search", "",
                _table(rng, ["Trial", "Learning Rate", "Batch Size", "Score", "Notes"], 10),
                "", "### B. Additional Experiments", "",
                _table(rng, ["Experiment", "Setting", "Score", "Notes"], 6), "",
                "### D. Data Card", "", _table(rng, ["Field", "Value"], 8), "",
                "### E. Model Card", "", _table(rng, ["Field", "Value"], 8), "",
                _prose(rng, 4), ""]
    return text.rstrip("\n") + "\n" + "\n".join(appendix)


def generate(count: int, folder: Path, seed: int = 7, real: bool = False) -> list[Path]:
    """Write `count` reports and a home page into `folder` (created if needed)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.md").write_text("---\ntitle: Home\n---\n\n# Benchmark archive\n",
                                     encoding="utf-8")
    written = []
    for index in range(count):
        name, text = report(index, rng)
        if real:
            text = real_length(index, text, rng)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--real-length", action="store_true",
                        help="reports as long and varied as real ones")
    args = parser.parse_args()
    generate(args.count, args.folder, args.seed, args.real_length)


if __name__ == "__main__":
    main()
