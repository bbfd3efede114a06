"""The `##` sections of a report checked against the template's order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .diagnostics import Collector
from .markdown_scan import Heading
from .settings import Settings
from .template import TEMPLATE_SECTIONS

_NUMBERED_RE = re.compile(r"(?P<number>\d+(?:\.\d+)*)\.?(?:\s+|$)(?P<name>.*)", re.S)


def split_number(text: str) -> tuple[str | None, str]:
    """`5. Results` -> ('5', 'Results'); `Results` -> (None, 'Results')."""
    plain = re.sub(r"[*_`]", "", text).strip()
    match = _NUMBERED_RE.fullmatch(plain)
    if match and match.group("name").strip():
        return match.group("number"), match.group("name").strip()
    return None, plain


def fold_name(name: str) -> str:
    return " ".join(name.replace("&", "and").split()).strip(" :.").casefold()


@dataclass
class SectionMap:
    """Where each recognised section and subsection starts and ends (file lines)."""

    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    subsections: list[tuple[str | None, str, int, int, str | None]] = field(default_factory=list)
    first_line: int = 0

    def start_of(self, name: str) -> int | None:
        span = self.spans.get(name)
        return span[0] if span else None

    def span_of(self, name: str) -> tuple[int, int] | None:
        return self.spans.get(name)

    def find_subsection(self, section: str, number: str, name: str) -> tuple[int, int] | None:
        """A `###` subsection by its number or its name, inside `section` when present."""
        folded = fold_name(name)
        candidates = [s for s in self.subsections if s[4] == section] or [
            s for s in self.subsections if s[4] is None]
        for sub_number, _, start, end, _ in candidates:
            if sub_number == number:
                return start, end
        for _, sub_name, start, end, _ in candidates:
            if fold_name(sub_name) == folded:
                return start, end
        return None


def check_sections(headings: list[Heading], out: Collector, settings: Settings,
                   last_line: int) -> SectionMap:
    """Check the `##` headings against the template and map where each section is."""
    order = {fold_name(spec.name): index for index, spec in enumerate(TEMPLATE_SECTIONS)}
    extras = {fold_name(name): name for name in settings.extra_sections()}
    result = SectionMap()
    level2 = [h for h in headings if h.level <= 2]
    result.first_line = next((h.line for h in level2 if h.level == 2), 0)
    found: dict[int, Heading] = {}
    highest: tuple[int, Heading] | None = None

    for position, heading in enumerate(level2):
        end = level2[position + 1].line if position + 1 < len(level2) else last_line + 1
        if heading.level == 1:
            continue
        number, name = split_number(heading.text)
        folded = fold_name(name)
        if folded in extras:
            result.spans.setdefault(extras[folded], (heading.line, end))
            continue
        index = order.get(folded)
        if index is None:
            out.add("section-unknown", f"section '{heading.text}' is not one of the "
                    "template's sections", heading.line, 1)
            continue
        spec = TEMPLATE_SECTIONS[index]
        if index in found:
            out.add("section-duplicate", f"section '{spec.name}' appears again (first at line "
                    f"{found[index].line})", heading.line, 1)
            continue
        found[index] = heading
        result.spans[spec.name] = (heading.line, end)
        if number is not None and number != spec.number:
            expected = f"'{spec.number}. {spec.name}'" if spec.number else f"'{spec.name}' " \
                "without a number"
            out.add("section-number", f"section '{heading.text}' is numbered {number or 'not'}"
                    f"; the template has {expected}", heading.line, 1)
        if highest is not None and index < highest[0]:
            out.add("section-order", f"section '{spec.name}' comes after "
                    f"'{TEMPLATE_SECTIONS[highest[0]].name}' (line {highest[1].line}); the "
                    "template puts it before", heading.line, 1)
        elif highest is None or index > highest[0]:
            highest = (index, heading)

    for index, spec in enumerate(TEMPLATE_SECTIONS):
        if index in found:
            continue
        role = settings.section_role(spec.name)
        if role == "optional":
            continue
        following = [found[i].line for i in sorted(found) if i > index]
        line = following[0] if following else last_line
        label = f"{spec.number}. {spec.name}" if spec.number else spec.name
        rule = "section-missing" if role == "required" else "section-recommended-missing"
        out.add(rule, f"{role} section '{label}' is missing", line, 1)
    for name in settings.extra_sections():
        if settings.section_role(name) == "required" and name not in result.spans:
            out.add("section-missing", f"required section '{name}' is missing", last_line, 1)

    _map_subsections(headings, result, level2, last_line)
    return result


def _map_subsections(headings: list[Heading], result: SectionMap, level2: list[Heading],
                     last_line: int) -> None:
    owners = sorted((span[0], name) for name, span in result.spans.items())
    # Where each heading's subsection ends: the next heading of level 3 or above,
    # found in one backward pass (a search forward from each would be quadratic).
    ends: list[int] = []
    following = last_line + 1
    for heading in reversed(headings):
        ends.append(following)
        if heading.level <= 3:
            following = heading.line
    ends.reverse()
    for heading, end in zip(headings, ends, strict=True):
        if heading.level != 3:
            continue
        owner = None
        for start, name in owners:
            if start < heading.line and heading.line < result.spans[name][1]:
                owner = name
        number, name = split_number(heading.text)
        result.subsections.append((number, name, heading.line, end, owner))
