"""What a team decided about each rule: the `rules` option and per-report disable comments.

The project sets a rule `off`, `warning` or `error` with the plugin option
`rules`; a report turns rules off for itself with
`<!-- report-archive-disable RULE_ID [RULE_ID ...] -->` anywhere in its text.
Both are applied to a report's diagnostics after it is read, and to the
diagnostics found across reports, so the build and `check` judge alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from .diagnostics import Collector, Diagnostic
from .rules import RULES, unknown_rule

DISABLE_RE = re.compile(r"<!--\s*report-archive-disable\b(?P<ids>[^>]*?)-->", re.S)
# Rules about the comment itself, and about files that could not be read, cannot be
# turned off from inside the file.
_ALWAYS = frozenset({"rule-unknown"})


def disabled_rules(text: str, out: Collector) -> frozenset[str]:
    """The rule ids a report turns off for itself; an unknown id is an error at its line."""
    found: set[str] = set()
    for match in DISABLE_RE.finditer(text):
        line = text.count("\n", 0, match.start("ids")) + 1
        for word in match.group("ids").split():
            if word in RULES:
                found.add(word)
            else:
                column = match.start("ids") - (text.rfind("\n", 0, match.start("ids")) + 1)
                out.add("rule-unknown", f"report-archive-disable names an {unknown_rule(word)}",
                        line, column + 1)
    return frozenset(found - _ALWAYS)


def apply_rules(diagnostics: Iterable[Diagnostic], levels: Mapping[str, str],
                disabled: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """Diagnostics with the project's severities, without the rules turned off."""
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        level = levels.get(diagnostic.rule)
        if diagnostic.rule in disabled or level == "off":
            continue
        if level == "warning" and diagnostic.severity != "warning":
            diagnostic = replace(diagnostic, severity="warning")
        elif level == "error" and diagnostic.severity != "error":
            diagnostic = replace(diagnostic, severity="error")
        kept.append(diagnostic)
    return kept
