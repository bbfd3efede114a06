"""Our interface strings in the site's language: message catalogues and plural rules.

The language is Material's (`theme.language`): a code such as `de` or `pt-BR`
uses its base language's catalogue when there is none for the whole code, and
English when there is none at all. Catalogues are JSON files in `locales/`,
one per language, each with every key of the English one (a test checks it).
A message is text with `{name}` placeholders; a message with plural forms is
an object of CLDR plural categories (`one`, `other`), chosen by `plural_category`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources

from markupsafe import Markup

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "de", "fr", "es", "zh", "ja")

Message = str | dict[str, str]


def language_of(code: str | None) -> str:
    """The catalogue for a language code: itself, its base language, or English."""
    folded = (code or "").strip().replace("_", "-").lower()
    if folded in LANGUAGES:
        return folded
    base = folded.split("-", 1)[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def plural_category(language: str, count: int) -> str:
    """The CLDR plural category of a whole number (the categories our catalogues use).

    English, German and Spanish: `one` for 1; French: `one` for 0 and 1; Chinese
    and Japanese have a single form, `other`.
    """
    if language in ("zh", "ja"):
        return "other"
    if language == "fr":
        return "one" if count in (0, 1) else "other"
    return "one" if count == 1 else "other"


@cache
def catalogue(language: str) -> dict[str, Message]:
    """A language's messages, from `locales/<language>.json` in the package."""
    path = resources.files("report_archive") / "locales" / f"{language}.json"
    data: dict[str, Message] = json.loads(path.read_text(encoding="utf-8"))
    return data


class Translator:
    """Messages of one language; `labels` override the nav labels (`nav.browse`, ...)."""

    def __init__(self, language: str | None = DEFAULT_LANGUAGE,
                 labels: Mapping[str, str] | None = None) -> None:
        self.language = language_of(language)
        self.messages = {**catalogue(DEFAULT_LANGUAGE), **catalogue(self.language)}
        for name, label in (labels or {}).items():
            self.messages[f"nav.{name}"] = label

    def message(self, key: str, count: int | None = None) -> str:
        entry = self.messages[key]
        if isinstance(entry, str):
            return entry
        category = plural_category(self.language, count if count is not None else 0)
        return entry.get(category, entry["other"])

    def t(self, key: str, **values: object) -> str:
        """The message `key` with its placeholders filled in."""
        return self.message(key).format(**values)

    def tn(self, key: str, count: int, /, **values: object) -> str:
        """The plural form of `key` for `count`; `{count}` is the number unless given."""
        return self.message(key, count).format(**{"count": count, **values})

    # For templates: values are escaped unless they are Markup already.

    def markup(self, key: str, **values: object) -> Markup:
        return Markup.escape(self.message(key)).format(**values)

    def markup_n(self, key: str, count: int, /, **values: object) -> Markup:
        return Markup.escape(self.message(key, count)).format(**{"count": count, **values})
