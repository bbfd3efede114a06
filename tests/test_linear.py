"""Every scan and regex on report text is linear: 2 MB of adversarial text checks in < 2 s.

Each shape below was quadratic (or worse) in some reader once: a long digit run in
the Training Time cell, a whitespace run in a metric cell, hundreds of thousands of
headings, a row of backtick spans, deep brackets, emphasis and tags. The time is
the CPU time of this process, so other work on a shared machine does not count.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from report_archive.report import read_report
from report_archive.settings import Limits, Settings

VALID = (Path(__file__).parent / "golden" / "valid.md").read_text(encoding="utf-8")
SIZE = 2 * 1024 * 1024
SECONDS = 2.0
TIME_CELL = "| **Training Time** | About 25 minutes per run, 2 hours for the learning-rate sweep " \
    "(estimated) |"
COST_CELL = "| **Cost** | About 8 USD on on-demand cloud pricing (estimated) |"
OWN_ROW = "| **BERT-base (ours)** | **93.5%** |"
SPEED_ROW = "| 1 | 6 ms | 167 QPS |"
HYPER_ROW = "| Learning Rate | 2e-5 |"


def _in(old: str, new: Callable[[int], str]) -> Callable[[], str]:
    def make() -> str:
        assert old in VALID
        return VALID.replace(old, new(SIZE), 1)
    return make


def _appended(text: Callable[[int], str]) -> Callable[[], str]:
    return lambda: VALID + "\n\n" + text(SIZE) + "\n"


SHAPES: dict[str, Callable[[], str]] = {
    "digit run in the duration cell": _in(TIME_CELL, lambda n: f"| **Training Time** | "
                                          f"{'1' * n} x |"),
    "space run in the duration cell": _in(TIME_CELL, lambda n: f"| **Training Time** | 1"
                                          f"{' ' * n}x |"),
    "digit and comma run in the cost cell": _in(COST_CELL, lambda n: f"| **Cost** | $"
                                                f"{'1,' * (n // 2)}x |"),
    "USD then spaces in the cost cell": _in(COST_CELL, lambda n: f"| **Cost** | USD"
                                            f"{' ' * n}x |"),
    "space run in a metric cell": _in(OWN_ROW, lambda n: f"| **BERT-base (ours)** | 1"
                                      f"{' ' * n}x |"),
    "spaces around a spread": _in(OWN_ROW, lambda n: f"| **BERT-base (ours)** | 1"
                                  f"{' ' * (n // 2)}±{' ' * (n // 2)}x |"),
    "digit run in a metric cell": _in(OWN_ROW, lambda n: f"| **BERT-base (ours)** | "
                                      f"{'1' * n}e |"),
    "digit run in a speed cell": _in(SPEED_ROW, lambda n: f"| 1 | {'1' * n} x | 1 |"),
    "digit run in a hyperparameter": _in(HYPER_ROW, lambda n: f"| Learning Rate | "
                                         f"{'1' * n}x |"),
    "status line with a space run": _in("**Status**", lambda n: "**Status" + " " * n),
    "300,000 headings and more": _appended(lambda n: "#\n" * (n // 2)),
    "level 2 and 3 headings": _appended(lambda n: "## a\n### b\n" * (n // 11)),
    "setext headings": _appended(lambda n: "a\n--\n" * (n // 5)),
    "heading with a space run and braces": _appended(lambda n: "## a" + " {" * (n // 2)),
    "table row of backtick spans": _appended(lambda n: "| a | b |\n|---|---|\n|"
                                             + "`a`|" * (n // 4)),
    "table row of unclosed backtick runs": _appended(
        lambda n: "| a | b |\n|---|---|\n|" + "".join("`" * k + "x" for k in range(1, 2000))),
    "long lines of pipes": _appended(lambda n: ("|" * (n // 2) + "\n") * 2),
    "wide table": _appended(lambda n: "|a" * (n // 6) + "\n" + "|-" * (n // 6) + "\n"
                            + "|1" * (n // 6)),
    "nested brackets": _appended(lambda n: "[" * n),
    "brackets opened and closed": _appended(lambda n: "[]" * (n // 2)),
    "emphasis run": _appended(lambda n: "*" * n + "a"),
    "emphasis opened and closed": _appended(lambda n: "*a* " * (n // 4)),
    "nested spans": _appended(lambda n: "<span>" * (n // 6)),
    "nested list": _appended(lambda n: "".join("  " * i + "- a\n" for i in range(1500))),
    "nested quotes": _appended(lambda n: ">" * n + " a"),
    "huge front matter string": lambda: VALID.replace(
        "\ntitle:", '\nsummary: "' + "a " * (SIZE // 2) + '"\ntitle:', 1),
    "many placeholders": _appended(lambda n: "{{" * (n // 2)),
    "many unfinished placeholders": _appended(lambda n: "{{ A\n" * (n // 5)),
    "unclosed comments": _appended(lambda n: "<!--\n" * (n // 5)),
    "fences": _appended(lambda n: "~~~\n" * (n // 4)),
    "task items": _appended(lambda n: "- [x] a\n" * (n // 8)),
    "links without an end": _appended(lambda n: "[a](" * (n // 4)),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_two_megabytes_of_adversarial_text_checks_in_under_two_seconds(shape: str) -> None:
    text = SHAPES[shape]()
    raw = text.encode("utf-8")
    assert len(raw) >= SIZE * 0.9 or shape in ("nested list", "table row of unclosed backtick "
                                                "runs")
    # Files past the default size limit are read all the same, to time the readers.
    settings = Settings(limits=Limits(max_file_bytes=max(len(raw), SIZE) + 1))
    begin = time.process_time()
    report = read_report(raw, "adversarial.md", settings)
    spent = time.process_time() - begin
    assert report.is_report
    assert spent < SECONDS, f"{shape}: {spent:.2f} s"
