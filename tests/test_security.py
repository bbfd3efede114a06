"""Script injection: no page of the site runs script or loads from another origin.

The inputs are generated (tests/adversarial.py): payload shapes in every place
a page can hold them, front matter values the theme prints, file names. They
are built once into a site, and every page is opened in Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import markdown
import pytest

import adversarial
from browser import refuse_other_origins, serve
from conftest import Build, build_site
from hostile import VALID
from report_archive.csp import add_policy, policy
from report_archive.discovery import read_files
from report_archive.sanitize import sanitize_html
from report_archive.settings import Settings

MADE = adversarial.archive()
EXTENSIONS: list[Any] = [
    "admonition", "tables", {"toc": {"permalink": True}}, "pymdownx.superfences",
    "pymdownx.details", {"pymdownx.tasklist": {"custom_checkbox": True}}, "footnotes",
    "attr_list", "abbr", "def_list", "md_in_html", {"pymdownx.tabbed": {"alternate_style": True}},
    "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.keys", "pymdownx.mark",
    "pymdownx.critic", "pymdownx.caret", "pymdownx.tilde", {"pymdownx.arithmatex":
                                                             {"generic": True}},
]

_CHECK_PAGE = """() => {
  const bad = [];
  const scope = document.querySelectorAll('.md-content *, .md-nav *, .md-header *');
  for (const el of scope) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith('on')) bad.push(el.tagName + ' ' + attr.name);
    }
  }
  for (const el of document.querySelectorAll('[href], [src], [action], [formaction]')) {
    for (const name of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
      const value = (el.getAttribute(name) || '').replace(/[\\x00-\\x20]/g, '').toLowerCase();
      if (value.startsWith('javascript:') || value.startsWith('vbscript:')
          || value.startsWith('data:text/html')) bad.push(el.tagName + ' ' + name + ' ' + value);
    }
  }
  const csp = document.head.firstElementChild;
  return {bad, pwned: window.__pwned !== undefined,
          csp: csp && csp.getAttribute('http-equiv') === 'Content-Security-Policy'
               ? csp.getAttribute('content') : null,
          text: document.body.innerText};
}"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Every generated input, built once as `mkdocs serve` builds (errors shown on pages)."""
    tmp = tmp_path_factory.mktemp("security")
    docs = tmp / "docs"
    adversarial.write(docs, MADE)
    built = build_site(tmp, docs, command="serve", markdown_extensions=EXTENSIONS)
    assert built.error is None, built.messages()
    return built


def test_there_are_enough_inputs_in_every_class() -> None:
    places = {i.place for i in MADE.inputs}
    assert len(MADE.inputs) >= 150
    for needed in ("report body", "report heading", "report admonition-title",
                   "report table-cell", "report task-item", "report blockquote",
                   "report details", "report footnote", "page-plain", "page-typed",
                   "page-broken-yaml", "root index.md", "file name"):
        assert needed in places
    for key in ("title", "subtitle", "description", "author", "template", "icon"):
        assert f"page front matter {key}" in places
    for key in ("title", "tags", "dataset", "authors"):
        assert f"report front matter {key}" in places


def _open_every_page(site: Path, browser: Any) -> tuple[list[str], list[str], dict[str, Any]]:
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    dialogs: list[str] = []
    foreign: list[str] = []
    seen: dict[str, Any] = {}
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(page.url), dialog.dismiss()))
    with serve(site) as url:
        refuse_other_origins(page, url, foreign)
        for path in pages:
            page.goto(url + quote(path), wait_until="load")
            page.wait_for_timeout(30)
            seen[path] = page.evaluate(_CHECK_PAGE)
    context.close()
    return dialogs, foreign, seen


@pytest.fixture(scope="module")
def opened(hostile_site: Build, browser: Any) -> tuple[list[str], list[str], dict[str, Any]]:
    return _open_every_page(hostile_site.site, browser)


def test_no_page_runs_script_or_loads_another_origin(
        opened: tuple[list[str], list[str], dict[str, Any]]) -> None:
    dialogs, foreign, seen = opened
    assert len(seen) > 60
    assert dialogs == []
    assert foreign == []
    assert [path for path, found in seen.items() if found["pwned"]] == []
    assert {path: found["bad"] for path, found in seen.items() if found["bad"]} == {}


def test_every_page_carries_the_policy(
        opened: tuple[list[str], list[str], dict[str, Any]]) -> None:
    seen = opened[2]
    missing = [path for path, found in seen.items() if not found["csp"]
               and not path.endswith("404.html")]
    assert missing == []
    for found in seen.values():
        if found["csp"]:
            assert "object-src 'none'" in found["csp"] and "base-uri 'self'" in found["csp"]


def test_text_after_every_payload_still_shows(
        opened: tuple[list[str], list[str], dict[str, Any]]) -> None:
    seen = opened[2]
    text = "\n".join(found["text"] for found in seen.values())
    shown = set(re.findall(r"MARK-\d+", text))
    body_places = {"report body", "report blockquote", "report task-item", "page-plain",
                   "page-typed", "page-broken-yaml", "root index.md"}
    lost = [(i.place, i.payload) for i in MADE.inputs
            if i.place in body_places and i.marker not in shown
            and i.payload not in adversarial.LOSES_TEXT]
    assert lost == []


def test_front_matter_values_are_text_or_left_out(hostile_site: Build) -> None:
    site = hostile_site.site
    subtitle = (site / "fm-page-subtitle-1" / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=" in subtitle and "<img src=x onerror" not in subtitle
    for key in ("description", "author"):
        page = (site / f"fm-page-{key}-2" / "index.html").read_text(encoding="utf-8")
        assert f'<meta name="{key}" content="&#34;&gt;&lt;script&gt;' in page or \
            f'<meta name="{key}" content="&quot;&gt;&lt;script&gt;' in page
    redirect = (site / "fm-page-location-4" / "index.html").read_text(encoding="utf-8")
    assert "javascript:" not in redirect
    messages = "\n".join(hostile_site.messages())
    assert "[fm-template]" in messages and "[fm-icon]" in messages
    assert "[fm-unsafe-value]" in messages


def test_file_names_are_never_read_as_markdown(hostile_site: Build) -> None:
    for index, name in enumerate(adversarial.FILE_NAMES):
        page = hostile_site.page(f"{name}-{index}/")
        assert "Unreadable report" in page
        assert 'href="javascript:' not in page and "<img src=x" not in page


@pytest.mark.parametrize("element", ["script", "style", "textarea", "title", "iframe",
                                     "noscript", "xmp", "template", "object", "select"])
def test_an_unclosed_element_does_not_swallow_the_report(element: str) -> None:
    html = markdown.markdown(adversarial.unclosed_report(element).split("\n---\n", 1)[1],
                             extensions=["tables"])
    clean = sanitize_html(html)
    assert "AFTER-UNCLOSED is still shown" in clean
    assert "1. Objective" in clean and "Conclusions" in clean
    assert f"<{element}" not in clean


def _normalised(html: str) -> list[str]:
    from html.parser import HTMLParser

    class Tokens(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.out: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "tbody":
                return
            shown = " ".join(f"{k}={(v or '').replace(' ', '').rstrip(';')}"
                             for k, v in sorted(attrs))
            self.out.append(f"<{tag} {shown}>")

        def handle_endtag(self, tag: str) -> None:
            if tag not in ("hr", "br", "img", "input", "path", "col", "tbody"):
                self.out.append(f"</{tag}>")

        def handle_data(self, data: str) -> None:
            if data.strip():
                self.out.append(data.strip())

    parser = Tokens()
    parser.feed(html)
    return parser.out


KITCHEN_SINK = r"""
# Title

Text with *em*, **strong**, `code`, ==mark==, ^^ins^^, ~~del~~, H~2~O, x^2^, ++ctrl+alt+del++,
{++added++} {--removed--} {~~old~>new~~} {==marked==} {>>comment<<}, an HTML abbr,
a [link](other.md#anchor "title"), [mail](mailto:a@example.org), <https://example.org>,
![picture](image.png){ width="300" loading=lazy }, math $E=mc^2$ and :material-flask:.

*[HTML]: Hyper Text Markup Language

$$
\frac{a}{b}
$$

| Left | Centre | Right |
|:-----|:------:|------:|
| a    | b      | 1.0   |

!!! note "An admonition"
    Body of it.

??? tip "Details"
    Hidden body.

- [x] done
- [ ] to do

=== "One"
    First tab.

=== "Two"
    Second tab.

```python title="example.py" linenums="1" hl_lines="2"
def f(x):
    return x + 1
```

Term
:   Definition.

A footnote[^1].

[^1]: The note.

<div class="grid cards" markdown>
- Card
</div>

<details open><summary>Raw details</summary>raw body</details>
"""


def test_the_allowlist_keeps_everything_markdown_and_its_extensions_render() -> None:
    from material.extensions.emoji import to_svg, twemoji

    config: dict[str, Any] = {"pymdownx.emoji": {"emoji_index": twemoji,
                                                 "emoji_generator": to_svg},
                              "pymdownx.tasklist": {"custom_checkbox": True},
                              "pymdownx.tabbed": {"alternate_style": True},
                              "pymdownx.arithmatex": {"generic": True},
                              "pymdownx.highlight": {"anchor_linenums": True},
                              "toc": {"permalink": True}}
    names = [e if isinstance(e, str) else next(iter(e)) for e in EXTENSIONS]
    html = markdown.markdown(KITCHEN_SINK, extensions=[*names, "pymdownx.emoji"],
                             extension_configs=config)
    for part in ('class="twemoji"', "<svg", 'class="arithmatex"', 'class="footnote-ref"',
                 'class="tabbed-set', 'type="radio"', 'class="task-list-indicator"',
                 'class="admonition note"', "<details", 'class="headerlink"', "<abbr",
                 'class="critic', "<kbd", 'style="text-align: right;"', "__codelineno-",
                 'loading="lazy"'):
        assert part in html, part
    assert _normalised(sanitize_html(html)) == _normalised(html)


def test_the_example_reports_keep_their_content(example_site: Build) -> None:
    page = example_site.page("2023-02-14-bert-base-sst2/")
    for part in ("<table>", 'class="task-list-item"', 'class="headerlink"',
                 'type="checkbox"', "Executive Summary"):
        assert part in page, part


@pytest.mark.parametrize("payload", adversarial.BODY_PAYLOADS)
def test_the_sanitizer_strips_each_payload(payload: str) -> None:
    html = markdown.markdown(f"{payload}\n\nafter", extensions=["attr_list", "md_in_html"])
    clean = sanitize_html(html).lower()
    assert "after" in clean or payload in adversarial.LOSES_TEXT
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", clean)
    assert not re.search(r"<[^>]+=\s*[\"']?[^\"'>]*(javascript:|evil\.example|data:text/html)",
                         clean)
    for bad in ("<script", "<iframe", "<object", "<embed", "<base", "<meta", "<link",
                "<style", '"__config"', "<form"):
        assert bad not in clean, bad


def test_the_policy_allows_the_theme_scripts_by_hash_and_nothing_from_content() -> None:
    page = ("<html><head><title>t</title><script>var a=1</script>"
            '<script src="https://cdn.example.org/x.js"></script>'
            '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
            '</head><body><div>CONTENT<script>alert(1)</script></div>'
            '<script id="__config" type="application/json">{}</script></body></html>')
    result = add_policy(page, "CONTENT<script>alert(1)</script>")
    meta = re.search(r'<head><meta http-equiv="Content-Security-Policy" content="([^"]+)">',
                     result)
    assert meta is not None
    rules = dict(part.split(" ", 1) for part in meta.group(1).split("; "))
    assert rules["script-src"] == ("'self' 'sha256-" + _sha("var a=1") + "' "
                                   "https://cdn.example.org")
    assert "https://fonts.googleapis.com" in rules["style-src"]
    assert "https://fonts.gstatic.com" in rules["font-src"]
    assert "'unsafe-inline'" not in rules["script-src"]
    assert rules["object-src"] == "'none'"
    assert "'unsafe-inline'" in policy(page, inline_scripts=True)


def _sha(text: str) -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_check_names_front_matter_the_theme_cannot_take(tmp_path: Path) -> None:
    cases = {
        "template.md": ("---\ntemplate: nope.html\n---\n# x\n", "fm-template"),
        "icon.md": ("---\nicon: material/nope-nope\n---\n# x\n", "fm-icon"),
        "location.md": ("---\ntemplate: redirect.html\nlocation: 'javascript:alert(1)'\n---\n",
                        "fm-unsafe-value"),
        "status.md": ("---\nstatus: 'new\" onclick=\"x'\n---\n# x\n", "fm-unsafe-value"),
        "report.md": (VALID.replace("updated:", "subtitle: javascript:alert(1)\nupdated:"),
                      "fm-unsafe-value"),
        "fine.md": ("---\ntitle: 'JavaScript: a survey'\ntemplate: main.html\n"
                    "icon: material/flask\nstatus: new\nsubtitle: <b>x</b>\n---\n# x\n", None),
    }
    for name, (text, _) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    reports = read_files([(tmp_path / name, name) for name in cases], Settings())
    for report in reports:
        expected = cases[report.path][1]
        rules = {d.rule for d in report.diagnostics}
        assert (expected in rules) if expected else not rules, (report.path, rules)


@pytest.fixture(scope="module")
def unsanitized_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    """A site built with `sanitize: false`: only the policy stands between content and script."""
    tmp = tmp_path_factory.mktemp("unsanitized")
    docs = tmp / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    body = ("<img src=x onerror=\"window.__pwned=1\">\n\n<script>window.__pwned=1</script>\n\n"
            "<details open ontoggle=\"window.__pwned=1\">d</details>\n\nvisible text\n")
    (docs / "page.md").write_text("# Raw\n\n" + body, encoding="utf-8")
    # Characters beyond Latin-1: the build holds this page's HTML compact (see memory.py).
    (docs / "wide.md").write_text(
        "# Wide ✅\n\n<link rel=\"stylesheet\" href=\"https://styles.example.org/x.css\">\n\n"
        "Met ✅ — partial ⚠️\n", encoding="utf-8")
    built = build_site(tmp, docs, plugin_options={"sanitize": False})
    assert built.error is None, built.messages()
    yield built


def test_a_page_with_wide_characters_gets_no_origin_from_its_content(
        unsanitized_site: Build) -> None:
    """The policy is made from the theme's part of the page only, also for a page whose
    HTML the build held compact: its content adds no origin, and it is written as is."""
    page = unsanitized_site.page("wide/")
    assert "Met ✅ — partial ⚠️" in page
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert meta is not None and "styles.example.org" not in meta.group(1)


def test_the_policy_alone_stops_inline_script(unsanitized_site: Build, browser: Any) -> None:
    assert "onerror" in unsanitized_site.page("page/")
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    with serve(unsanitized_site.site) as url:
        page.goto(url + "page/", wait_until="load")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__pwned") is None
        assert "visible text" in page.inner_text("article")
        # Material's own scripts still ran: the search box opens.
        page.goto(url, wait_until="load")
        page.keyboard.press("s")
        assert page.locator(".md-search__input").is_visible()
    context.close()
    assert violations


def test_front_matter_alias_bombs_are_left_out_of_the_theme_quickly() -> None:
    import time

    from report_archive.sanitize import safe_meta

    bomb: object = ["x"]
    for _ in range(40):  # 2**40 strings once expanded, as MkDocs' YAML loader shares them
        bomb = [bomb, bomb]
    begin = time.monotonic()
    kept = safe_meta({"title": "<b>T</b>", "extra": bomb}, [])
    assert time.monotonic() - begin < 1
    assert kept == {"title": "&lt;b&gt;T&lt;/b&gt;"}
