"""Our interface strings in the site's language: catalogues, plurals, templates, a German site."""

from __future__ import annotations

import html
import json
import re
import string
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, Build, build_site
from report_archive.i18n import LANGUAGES, Translator, catalogue, language_of, plural_category
from report_archive.render import Renderer

LOCALES = ROOT / "plugin" / "report_archive" / "locales"
TEMPLATES = ROOT / "plugin" / "report_archive" / "templates" / "report-archive"
# The plural categories each language's catalogue must give (CLDR, whole numbers).
CATEGORIES = {"en": {"one", "other"}, "de": {"one", "other"}, "fr": {"one", "other"},
              "es": {"one", "other"}, "zh": {"other"}, "ja": {"other"}}


def _placeholders(message: str | dict[str, str]) -> set[str]:
    texts = message.values() if isinstance(message, dict) else [message]
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_a_catalogue_file_and_nothing_else_ships() -> None:
    assert {p.stem for p in LOCALES.glob("*.json")} == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_is_in_every_catalogue_with_the_same_placeholders(language: str) -> None:
    english = catalogue("en")
    messages = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    assert set(messages) == set(english)
    for key, message in messages.items():
        assert _placeholders(message) == _placeholders(english[key]), (language, key)
        if isinstance(english[key], dict):
            assert isinstance(message, dict) and set(message) == CATEGORIES[language], key
        else:
            assert isinstance(message, str) and message.strip(), key


def test_translations_are_translated() -> None:
    english = catalogue("en")
    for language in LANGUAGES:
        if language == "en":
            continue
        same = [k for k, v in catalogue(language).items() if v == english[k]]
        # Only words the language borrows as they are (Tags, Status, Hardware, A–Z...).
        assert len(same) <= 12, (language, same)


@pytest.mark.parametrize(("code", "expected"), [
    ("de", "de"), ("DE", "de"), ("de-AT", "de"), ("fr_CA", "fr"), ("es-419", "es"),
    ("zh-Hant", "zh"), ("zh-TW", "zh"), ("ja", "ja"), ("pt-BR", "en"), ("xx", "en"),
    ("", "en"), (None, "en")])
def test_language_codes_fall_back_to_their_base_then_to_english(code: str | None,
                                                                expected: str) -> None:
    assert language_of(code) == expected
    assert Translator(code).language == expected


def test_plurals_follow_each_languages_rules() -> None:
    assert [Translator("en").tn("count.reports", n) for n in (0, 1, 2)] == [
        "0 reports", "1 report", "2 reports"]
    assert [Translator("de").tn("count.reports", n) for n in (0, 1, 2)] == [
        "0 Berichte", "1 Bericht", "2 Berichte"]
    # French treats 0 like 1.
    assert [Translator("fr").tn("count.reports", n) for n in (0, 1, 2)] == [
        "0 rapport", "1 rapport", "2 rapports"]
    assert [Translator("es").tn("count.reports", n) for n in (0, 1, 2)] == [
        "0 informes", "1 informe", "2 informes"]
    assert {plural_category(lang, n) for lang in ("zh", "ja") for n in (0, 1, 2, 5)} == {"other"}
    assert Translator("ja").tn("count.reports", 1) == "1 件のレポート"


def test_nav_labels_from_the_options_replace_the_translation() -> None:
    i18n = Translator("de", labels={"browse": "Experimente"})
    assert i18n.t("nav.browse") == "Experimente"
    assert i18n.t("nav.tags") == "Tags"
    assert Translator("de").t("nav.browse") == "Alle Berichte"


def test_values_in_templates_are_escaped_and_markup_values_are_kept() -> None:
    env = Renderer(translator=Translator("en")).env
    text = env.from_string("{{ t('tag.title', name=n) }}|{% set s %}<b>1</b>{% endset %}"
                           "{{ tn('browse.count', 2, shown=s) }}").render(n="<i>x</i>")
    assert text == "Tag: &lt;i&gt;x&lt;/i&gt;|<b>1</b> of 2 reports"


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_ATTRIBUTE_TEXT = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')


def _bare_text(path: Path) -> list[str]:
    """Words of a template outside `t()`/`tn()`: text nodes and readable attributes."""
    source = path.read_text(encoding="utf-8")
    if source.startswith("---\n"):
        front, _, source = source[4:].partition("\n---\n")
        titles = [line for line in front.splitlines() if line.startswith("title:")]
        assert not any(re.search(r"[A-Za-z]", _JINJA.sub("", line[6:])) for line in titles)
    words = [value for value in _ATTRIBUTE_TEXT.findall(source)
             if re.search(r"[A-Za-z]", _JINJA.sub("", value))]
    text = _JINJA.sub(" ", source)
    text = re.sub(r"<code>.*?</code>|<[^>]*>", " ", text)
    text = re.sub(r"&\w+;|#+ ", " ", text)
    words += re.findall(r"[A-Za-z][A-Za-z']+", text)
    return words


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.*")), ids=lambda p: p.name)
def test_templates_have_no_bare_english_text(path: Path) -> None:
    assert _bare_text(path) == []


def test_the_template_scan_finds_bare_text(tmp_path: Path) -> None:
    sample = tmp_path / "x.html"
    sample.write_text('<p aria-label="Some tags">{{ t("a") }} Newest reports</p>\n')
    assert _bare_text(sample) == ["Some tags", "Newest", "reports"]


# --- a German site ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def german_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    theme = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["theme"]
    theme.update(language="de", custom_dir=str(ROOT / "overrides"))
    result = build_site(tmp_path_factory.mktemp("german"), theme=theme)
    assert result.error is None, result.error
    return result


def _ours(page: str) -> str:
    """The text our plugin put on a page: a generated page's content; a report's card and
    related reports (its body is the author's)."""
    if '<div class="ra-card"' in page:
        parts = re.findall(r'<div class="ra-card".*?</dl>|<section class="ra-related".*?'
                           r'</section>', page, re.S)
    else:
        parts = [page[page.index("<h1"):page.rindex("</article>")]]
    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(parts)))


def _english_leftovers(text: str) -> list[str]:
    german = catalogue("de")
    found = []
    for key, message in catalogue("en").items():
        texts = message.values() if isinstance(message, dict) else [message]
        for english in texts:
            if english in (german[key].values() if isinstance(german[key], dict)
                           else [german[key]]):
                continue
            for piece in re.split(r"\{\w+\}", english):
                if len(piece.strip(" .,;:()")) >= 10 and piece.strip() in text:
                    found.append(f"{key}: {piece.strip()}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("path", "german"), [
    ("", ["Neueste Berichte", "Alle Berichte durchsehen und filtern", "Datensätze und Bestenlisten",
          "10 Berichte", "Endfassung"]),
    ("browse/", ["Alle Berichte", "Sortieren nach", "10 von 10 Berichten", "Hauptmetrik"]),
    ("tags/", ["14 Tags in 10 Berichten.", 'aria-label="Tags nach Anzahl der Berichte"']),
    ("tags/nlp/", ["Tag: nlp", "5 Berichte, neueste zuerst.", "Alle Tags"]),
    ("2023-02-14-bert-base-sst2/", ["Autoren", "Datum", "(aktualisiert am", "Datensatz",
                                    "Endfassung", "Verwandte Berichte", "Gleicher Datensatz"]),
    ("compare/sst-2/", ["Bestenliste: SST-2", "Trainingsdauer", "höher ist besser",
                        "Baselines aus diesen Berichten", "(bester Wert)"]),
    ("compare/", ["Bestenlisten nach Datensatz", "Festgelegte Vergleiche"]),
    ("compare/sst2-transformers/", ["Nur Unterschiede anzeigen", "Hyperparameter"]),
])
def test_a_german_site_shows_our_strings_in_german(german_site: Build, path: str,
                                                   german: list[str]) -> None:
    page = german_site.page(path)
    assert 'lang="de"' in page and "Suche" in page  # Material's own interface
    ours = " ".join(_ours(page).split())
    for text in german:
        # Attributes are looked for in the HTML, text in what our plugin shows.
        assert text in (page if "=" in text else ours), (path, text)
    assert _english_leftovers(ours) == [], path


@pytest.mark.slow
def test_a_german_site_has_german_nav_feeds_and_charts(german_site: Build) -> None:
    home = german_site.page("")
    for label in ("Berichte", "Alle Berichte", "Vergleiche"):
        assert re.search(rf'md-ellipsis">\s*{label}\s*<', home), label
    assert "<title>Neueste Berichte</title>" in (german_site.site / "feed.xml").read_text("utf-8")
    assert "<title>Berichte mit dem Tag nlp</title>" in (
        german_site.site / "tags" / "nlp" / "feed.xml").read_text("utf-8")
    board = german_site.page("compare/sst-2/")
    assert 'alt="Balkendiagramm von Accuracy je Bericht zu SST-2' in board
    chart = (german_site.site / "compare" / "sst-2" / "progress.svg").read_text("utf-8")
    assert "Accuracy (%), höher ist besser" in chart and "bis dahin bester Wert" in chart
