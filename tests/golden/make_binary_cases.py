"""Write the golden cases whose bytes matter (encodings, NUL bytes, BOM, CRLF, empty file).

These files cannot be edited safely in a text editor, so they are generated from
`valid.md` (a complete, valid report) and committed together with this script:

    python tests/golden/make_binary_cases.py            # rewrite them here
    python tests/golden/make_binary_cases.py --large D  # also write the large cases into D

Each case is a `<name>.md` with a `<name>.json` beside it listing the diagnostics the
file must produce (rule, line, severity), like every other golden case.

The two large cases (`limit-file-size`, a 3 MB report, and `limit-table-rows`, a
results table of 1,001 rows) are not committed; `--large DIR` writes them, with their
expectations, into DIR (e.g. a pytest tmp_path).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
TITLE = b'title: "BERT-base Fine-tuning on SST-2"\n'


def _valid() -> bytes:
    raw = (HERE / "valid.md").read_bytes()
    assert raw.count(TITLE) == 1 and b"\r" not in raw, "valid.md changed: update this script"
    return raw


def _replace_once(raw: bytes, old: bytes, new: bytes) -> bytes:
    assert raw.count(old) == 1, old
    return raw.replace(old, new)


def _expect(*items: tuple[str, int | None, str]) -> str:
    rows = [json.dumps({"rule": r, "line": n, "severity": s}) for r, n, s in items]
    return "[]\n" if not rows else "[\n  " + ",\n  ".join(rows) + "\n]\n"


def cases() -> dict[str, tuple[bytes, str]]:
    valid = _valid()
    return {
        # A Latin-1 "é" (0xE9) in the title on line 2: not UTF-8.
        "file-encoding": (
            _replace_once(valid, TITLE, b'title: "BERT-base Fine-tuning on SST-2, r\xe9sum\xe9"\n'),
            _expect(("file-encoding", 2, "error")),
        ),
        # The whole report saved as UTF-16 (with its byte order mark).
        "file-encoding-utf16": (
            valid.decode("utf-8").encode("utf-16"),
            _expect(("file-encoding", 1, "error")),
        ),
        # A NUL byte inside the Executive Summary paragraph (line 27).
        "file-binary": (
            _replace_once(valid, b"We re-implemented", b"We re-\x00implemented"),
            _expect(("file-binary", 27, "error")),
        ),
        # Zero bytes.
        "file-empty": (b"", _expect(("file-empty", 1, "warning"))),
        # Not a problem: a UTF-8 BOM and Windows line endings are read like MkDocs reads them.
        "valid-bom-crlf": (
            b"\xef\xbb\xbf" + valid.replace(b"\n", b"\r\n"),
            _expect(),
        ),
    }


def large_cases() -> dict[str, tuple[bytes, str]]:
    valid = _valid()
    # 3 MB: the report plus a long training log in the appendix (limit is 2 MiB).
    log = b"".join(b"step %07d loss 0.%06d\n" % (i, i % 999983) for i in range(120_000))
    big = valid + b"\n### F. Training Log\n\n```text\n" + log + b"```\n"
    assert len(big) > 3_000_000
    # 1,001 rows in table 5.1 (limit is 1,000); the own row stays first, so it is read.
    header = b"| **BERT-base (ours)** | **93.5%** |\n"
    extra = b"".join(b"| Seed %04d | 92.%d%% |\n" % (i, i % 10) for i in range(1, 1001))
    rows = _replace_once(valid, header, header + extra)
    return {
        "limit-file-size": (big, _expect(("limit-file-size", None, "error"))),
        "limit-table-rows": (rows, _expect(("limit-table-rows", 193, "error"))),
    }


def write(folder: Path, made: dict[str, tuple[bytes, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (raw, expected) in made.items():
        (folder / f"{name}.md").write_bytes(raw)
        (folder / f"{name}.json").write_text(expected, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=Path, metavar="DIR",
                        help="also write the large cases (3 MB file, 1,001-row table) into DIR")
    args = parser.parse_args()
    write(HERE, cases())
    if args.large:
        write(args.large, large_cases())


if __name__ == "__main__":
    main()
