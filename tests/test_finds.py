"""The page searches found by their literal start give what the regular expressions
(and `str.replace`) give, on pages as the theme writes them and on random mixes."""

from __future__ import annotations

import random
import re
import time

from report_archive.accessibility import (
    _SEARCH_DIALOG_RE,
    _TASK_BOX_RE,
    _label_box,
    accessible,
    accessible_edits,
)
from report_archive.csp import add_policy
from report_archive.finds import apply, matches, sub, without
from report_archive.fulltext import _CONFIG, use_worker, worker_edits

PIECES = ['<input type="checkbox"', '<input type="checkbox" checked>', ' aria-label="x"', ">",
          '<div class="md-search"', ' role="dialog"', '<script id="__config" '
          'type="application/json">', '{"search": "a/worker.js"}', "</script>", "ab", "<", " "]


def _mix(draw: random.Random, pieces: list[str], size: int) -> str:
    return "".join(draw.choice(pieces) for _ in range(draw.randrange(size)))


def test_matches_and_sub_are_the_regular_expressions() -> None:
    draw = random.Random(8)
    for _ in range(3000):
        text = _mix(draw, PIECES, 40)
        for pattern, literal in ((_TASK_BOX_RE, '<input type="checkbox"'),
                                 (_SEARCH_DIALOG_RE, '<div class="md-search"'),
                                 (_CONFIG, '<script id="__config" type="application/json">')):
            assert [m.span() for m in matches(pattern, literal, text)] == [
                m.span() for m in pattern.finditer(text)]
        assert sub(_TASK_BOX_RE, '<input type="checkbox"', _label_box, text) == \
            _TASK_BOX_RE.sub(_label_box, text)
        assert sub(_SEARCH_DIALOG_RE, '<div class="md-search"', r"<X\1>", text, count=1) == \
            _SEARCH_DIALOG_RE.sub(r"<X\1>", text, count=1)
        assert accessible(text) == _TASK_BOX_RE.sub(_label_box, _SEARCH_DIALOG_RE.sub(
            r'<div class="md-search" aria-label="Search"\1', text, count=1))
        assert use_worker(text, "../w.js") == re.sub(
            r'(<script id="__config" type="application/json">)(.*?)(</script>)',
            lambda m: m.group(1) + re.sub(r'("search":\s*")[^"]*(")', r"\1../w.js\2",
                                          m.group(2), count=1) + m.group(3),
            text, count=1, flags=re.S)
        # Both made in one copy, as a finished page is: the same page (or, where two
        # would overlap, none: then they are made one after the other).
        together = apply(text, worker_edits(text, "../w.js") + accessible_edits(text))
        assert together is None or together == accessible(use_worker(text, "../w.js"))


def test_without_is_replace() -> None:
    draw = random.Random(9)
    for _ in range(3000):
        unit = _mix(draw, ["a", "b", "ab", "<p>", "é"], 6) or "a"
        part = unit * draw.randrange(60, 120) + _mix(draw, ["a", "b", "x"], 4)
        text = _mix(draw, [part, part[:-1], part[1:], unit, "a", "x"], 12)
        assert without(text, part) == text.replace(part, "")
        assert without(text, "") == text


def test_without_stays_linear_on_repeats() -> None:
    """A report can be made of one letter: the search must not compare it at every place."""
    part = "a" * 1_000_000 + "b"
    text = "a" * 4_000_000
    start = time.perf_counter()
    assert without(text, part) == text
    assert without(text + part, part) == text
    assert time.perf_counter() - start < 1.0


def test_the_policy_goes_first_in_the_head_as_before() -> None:
    draw = random.Random(10)
    pieces = ["<head>", "<HEAD lang=x>", "<header>", "<script>a()</script>", "x", " "]
    for _ in range(2000):
        text = _mix(draw, pieces, 12)
        result = add_policy(text)
        head = re.search(r"<head\b[^>]*>", text, re.I)
        if head is None:
            assert result == text
            continue
        before, after = text[:head.end()], text[head.end():]
        assert result.startswith(before) and result.endswith(after)
        meta = result[len(before):len(result) - len(after)]
        assert meta.startswith('<meta http-equiv="Content-Security-Policy"') and (
            meta.count("<") == 1)


def _renavigated(old_nav: str, new_nav: str) -> str | None:
    """A page whose navigation alone changed since it was finished, finished again by
    putting the new navigation into the last finished page."""
    from report_archive.build import KeptPage, SiteBuild

    site = SiteBuild()
    before = f"<html><head></head><body>{old_nav}<main>text</main></body></html>"
    start = before.index(old_nav)
    output = before.replace(old_nav, new_nav)
    done = add_policy(before)
    site._pages["a.md"] = ("key", KeptPage(
        "nav", output, (start, start + len(new_nav)),
        renavigated=(id(before), (start, start + len(old_nav)))))
    result = site._renavigated("a.md", output, before, done)
    assert result is None or result == add_policy(output)
    return result


def test_a_new_navigation_is_put_into_the_finished_page_unless_finishing_touches_it() -> None:
    assert _renavigated('<nav class="a">Old title</nav>', '<nav class="a">New title</nav>')
    # A navigation with anything finishing changes or reads is finished whole.
    for inside in ('<script src="https://cdn.example/x.js"></script>', '<LINK rel=stylesheet>',
                   '<input type="checkbox">', '<div class="md-search">'):
        assert _renavigated('<nav class="a">Old</nav>', f'<nav class="a">New{inside}</nav>') \
            is None
