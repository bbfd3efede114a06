"""Diagnostics: one problem found in one file, with its place, rule and hint."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from .rules import RULES

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """A problem in a report, as shown to the user by the CLI, the build and the page."""

    path: str
    line: int | None
    column: int | None
    severity: Severity
    rule: str
    message: str
    hint: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def location(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format_text(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message} [{self.rule}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class Collector:
    """Gathers the diagnostics of one file; the rule catalogue supplies severity and hint."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Diagnostic] = []

    def add(
        self,
        rule: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        *,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        spec = RULES[rule]
        self.items.append(
            Diagnostic(
                path=self.path,
                line=line,
                column=column if line is not None else None,
                severity=severity or spec.severity,
                rule=rule,
                message=message,
                hint=spec.hint if hint is None else hint,
            )
        )

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    return (diagnostic.path, diagnostic.line or 0, diagnostic.column or 0, diagnostic.rule)
