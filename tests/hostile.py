"""Hostile and broken inputs, made by the tests: every class of issue 6, with what it gets.

Each case is a file name, its bytes, and what it must get: a set of rule ids
that must all be reported for it, or None for input that is legitimate and
must be published as a correct page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
VALID = (GOLDEN / "valid.md").read_text(encoding="utf-8")
XSS = "<script>window.__pwned=1;alert(1)</script><img src=x onerror='window.__pwned=1'>"
MARK = "PWNED"  # text that shows up when a payload's tags are escaped, not run


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    expect: frozenset[str] | None  # rules that must be reported; None: a correct page


def _front(text: str, key: str, value: str) -> str:
    """Replace a top-level front matter key's whole value (a line or an indented block)."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    end = lines.index("---", 1)
    while index < len(lines):
        line = lines[index]
        if index < end and line.startswith(f"{key}:"):
            out.append(f"{key}: {value}")
            index += 1
            while index < end and lines[index].startswith((" ", "-")):
                index += 1
            continue
        out.append(line)
        index += 1
    return "\n".join(out)


def report(**front: str) -> str:
    text = VALID
    for key, value in front.items():
        text = _front(text, key, value)
    return text


def _case(name: str, text: str | bytes, *rules: str) -> Case:
    content = text if isinstance(text, bytes) else text.encode("utf-8")
    return Case(name, content, frozenset(rules) if rules else None)


def _unclosed() -> str:
    front, body = VALID.split("\n---\n", 1)
    return front + "\n" + body.replace("\n---\n", "\n***\n")


def _table(rows: int) -> str:
    body = "\n".join(f"| Baseline {i} | {i / rows:.4f} |" for i in range(rows))
    return re.sub(r"\| Model \| Accuracy \|\n\|---\|---\|\n(\|.*\|\n)+",
                  "| Model | Accuracy |\n|---|---|\n| **Ours** | 0.9 |\n" + body + "\n", VALID)


YAML_SURPRISES = ["yes", "no", "on", "1e3", "2024-01-01T10:00", "~"]
FIELDS = ["title", "authors", "date", "type", "tags", "status", "dataset", "summary",
          "primary_metric", "updated"]


def _surprise(field: str, value: str) -> Case:
    text = report(**{field: value})
    required = {"title", "authors", "date", "type", "tags"}
    if value == "~":
        rules = {"fm-required"} if field == "type" else (
            {f"fm-{field.replace('_', '-')}"} if field in required else set())
    elif field in ("date", "updated"):
        rules = {f"fm-{field}"}
    elif field == "type":
        rules = {"fm-type"}
    elif field == "status":
        rules = {"fm-status"}
    elif field == "primary_metric":
        rules = {"fm-primary-metric"}
    elif field == "tags":
        rules = {"fm-tags"}  # a single word is not a list of tags
    else:
        rules = set()  # read as text: a title, an author or a dataset may be "on"
    if field == "type" and value == "~":
        # No type: the file is a plain page that looks like a report.
        rules = {"report-type-missing"}
    return _case(f"yaml-{field}-{re.sub(r'[^a-z0-9]', '', value) or 'null'}", text, *rules)


def cases() -> list[Case]:
    bomb = "\n".join(
        [f"a0: &a0 [{', '.join(['x'] * 9)}]"]
        + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)])
    found = [
        # YAML
        _case("yaml-syntax", VALID.replace("tags: [", "tags: [[", 1), "yaml-syntax"),
        _case("yaml-tabs", VALID.replace("\ntype:", "\n\ttype:", 1), "yaml-syntax"),
        _case("yaml-alias-bomb", VALID.replace("---\n", "---\n" + bomb + "\n", 1),
              "limit-yaml-nodes"),
        _case("yaml-deep", VALID.replace("---\n", "---\nx: " + "[" * 5000 + "]" * 5000 + "\n",
                                         1), "limit-yaml-nodes"),
        _case("yaml-key-types", VALID.replace("---\n", "---\n[a, b]: 1\n? {c: 1}\n: 2\n", 1),
              "yaml-key-type"),
        _case("yaml-huge-scalar", report(title="T" * 500_000), "fm-title"),
        _case("yaml-python-tag", report(tags="!!python/object/apply:os.system [echo]"),
              "yaml-value"),
        # Bytes
        _case("bytes-nul", b"\x00\x01\x02" * 1000 + VALID.encode(), "file-binary"),
        _case("bytes-latin1", VALID.replace("Fine-tuning", "Fïne-tuning").encode(
            "latin-1", errors="replace"),
              "file-encoding"),
        _case("bytes-utf16", VALID.encode("utf-16"), "file-encoding"),
        _case("bytes-utf8-bom", b"\xef\xbb\xbf" + VALID.encode()),
        _case("bytes-crlf", VALID.replace("\n", "\r\n")),
        _case("bytes-lone-cr", VALID.replace("\n", "\r")),
        _case("bytes-empty", b"", "file-empty"),
        _case("bytes-unclosed", _unclosed(), "yaml-unclosed"),
        _case("bytes-20mb", VALID + ("lorem ipsum " * 8 + "\n") * 210_000, "limit-file-size"),
        _case("bytes-5000-rows", _table(5000), "limit-table-rows"),
        # Values: script and HTML from the report, which must render as text.
        _case("value-title", report(title=f'"{XSS} {MARK} title"')),
        _case("value-authors", report(authors=f'["{XSS}", "{MARK} Author"]')),
        _case("value-tags", report(tags=f'["{XSS}", "{MARK}-tag", "nlp"]')),
        _case("value-dataset", report(dataset=f'"{XSS} {MARK} set"')),
        _case("value-summary", report(summary=f'"{XSS} {MARK} summary"')),
        _case("value-cells", VALID.replace("| BiLSTM+ELMo+Attn |",
                                           f"| {XSS} {MARK} \\| [x](javascript:alert(1)) |", 1)),
        _case("value-body-html", VALID.replace(
            "## 1. Objective", f"{XSS}\n\n<a href=\"javascript:alert(1)\">{MARK} link</a>\n\n"
            "<svg onload=\"window.__pwned=1\"><a xlink:href=\"javascript:alert(1)\">x</a></svg>"
            "\n\n## 1. Objective", 1)),
        _case("value-heading", VALID.replace(
            "### 1.1 Research Question", "### 1.1 &lt;img src=x onerror=alert(1)&gt; "
            f"{MARK} question", 1)),
        # Tags that try to leave the site folder, or name devices, or slug alike.
        _case("tags-escape", report(tags='["../../x", "/etc/passwd", "..", ".", "a/../../b"]')),
        _case("tags-windows", report(tags='["CON", "nul", "com1", "LPT9", "aux.txt"]')),
        _case("tags-long", report(tags=f'["{"t" * 1000}", "nlp"]'), "limit-tag-length"),
        _case("tags-alike-1", report(tags='["C++", "Ünïcode Tag"]', title='"Alike one"')),
        # `unicode tag` and `UNICODE-TAG` are one tag spelled two ways: each points at the other.
        _case("tags-alike-2", report(tags='["C#", "unicode tag"]', title='"Alike two"'),
              "tag-spelling"),
        _case("tags-alike-3", report(tags='["c", "UNICODE-TAG"]', title='"Alike three"'),
              "tag-spelling"),
        _case("metric-nan", VALID.replace("**93.5%**", "NaN", 1), "metric-not-numeric"),
        _case("metric-inf", VALID.replace("| 93.2% |", "| inf |", 1), "metric-not-numeric"),
        _case("metric-minus-inf", VALID.replace("| 91.3% |", "| -Infinity |", 1),
              "metric-not-numeric"),
    ]
    found += [_surprise(field, value) for field in FIELDS for value in YAML_SURPRISES]
    names = [c.name for c in found]
    assert len(names) == len(set(names)), "case names must be distinct"
    return found


def write_archive(folder: Path, chosen: list[Case]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.md").write_text("# Hostile archive\n", encoding="utf-8")
    for case in chosen:
        (folder / f"{case.name}.md").write_bytes(case.content)
