"""Keeping the build's memory down: compact page HTML reads the same; freed memory goes back."""

from __future__ import annotations

import gc
import sys
import time
import weakref
from html.parser import HTMLParser

from report_archive.memory import (
    IdleCollector,
    Trimmer,
    compact,
    expand,
    expanded_in,
    give_back,
    held_free,
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(f"<{tag} {attrs}>")


def _read(html_text: str) -> list[str]:
    parser = _Text()
    parser.feed(html_text)
    parser.close()
    return parser.parts


def test_compact_html_takes_one_byte_a_character_and_reads_the_same() -> None:
    page = ('<h1 id="a">Results ✅</h1><p title="⚠️ partial">Top-1 — 91.2 % · café 🚀</p>'
            "<table><tr><td>≤ 0.5</td></tr></table>" + "x" * 5000)
    small = compact(page)
    assert small is not None
    assert max(map(ord, small)) < 256  # Python stores it at one byte a character
    assert sys.getsizeof(small) < sys.getsizeof(page) / 1.9
    assert "&#9989;" in small and "café" in small  # Latin-1 stays as written
    assert _read(small) == _read(page)
    assert expand(small) == page
    # The page is written as it was: its content put back where the theme placed it.
    output = f"<html><body><article>{small}</article><footer>&#169; ★</footer></body></html>"
    assert expanded_in(output, small) == (output.replace(small, page), page)
    assert expanded_in("<html>changed</html>", small) == ("<html>changed</html>", small)


def test_compact_leaves_alone_what_it_could_not_write_back() -> None:
    assert compact("<p>plain &amp; simple &#9733;</p>") is None
    # A reference is not read as one in a script or a style.
    assert compact('<p>✅</p><script>const s = "✅";</script>') is None
    assert compact('<style>p::after { content: "→"; }</style><p>→</p>') is None
    assert compact("<noscript><p>→ needs JavaScript</p></noscript><p>→</p>") is None
    # A page that writes such a reference itself would not be written back as it was.
    assert compact("<p>✅ &#9733; &#0009734;</p>") is None
    assert compact("<p>✅ &#169;</p>") == "<p>&#9989; &#169;</p>"


def test_trimmer_gives_back_every_nth_call(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    monkeypatch.setattr("report_archive.memory._TRIM", lambda pad: calls.append(pad) or 1)
    trim = Trimmer(every=3, limit=-1)
    for _ in range(7):
        trim()
    assert calls == [0, 0]
    give_back()
    assert calls == [0, 0, 0]


def test_trimmer_gives_back_only_when_much_is_freed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    monkeypatch.setattr("report_archive.memory._TRIM", lambda pad: calls.append(pad) or 1)
    trim = Trimmer(every=1, limit=32 << 20)
    monkeypatch.setattr("report_archive.memory.held_free", lambda: 10 << 20)
    trim()
    assert calls == []  # little freed: kept for the next allocations
    monkeypatch.setattr("report_archive.memory.held_free", lambda: 40 << 20)
    trim()
    assert calls == [0]
    monkeypatch.setattr("report_archive.memory.held_free", lambda: None)
    trim()
    assert calls == [0, 0]  # not known (a C library without `mallinfo2`): as before


def test_freed_memory_is_seen_where_the_c_library_tells() -> None:
    if held_free() is None:
        return  # not the GNU C library: nothing to see
    blocks = [bytearray(8192) for _ in range(8_000)]
    held = held_free()
    del blocks[::2]  # 32 MB freed between kept blocks: the allocator keeps it
    assert held_free() >= held + (30 << 20)  # type: ignore[operator]
    del blocks


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> tuple[_Node, weakref.ref[_Node]]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return a, weakref.ref(b)


def test_between_serve_builds_the_leftovers_are_collected_and_the_rest_set_aside() -> None:
    idle = IdleCollector(delay=0.05)
    try:
        _garbage, gone = _cycle()
        del _garbage
        kept, later = _cycle()
        idle.build_started()
        idle.build_done()
        deadline = time.monotonic() + 10
        while not idle.frozen and time.monotonic() < deadline:
            time.sleep(0.01)
        # Collected in the pause; what is still held is set aside from collections.
        assert gone() is None and later() is not None
        assert gc.get_freeze_count() > 0
        # Let go of by a later build, it is freed in the next pause all the same.
        del kept
        idle.build_started()
        gc.collect()
        assert later() is not None  # (set aside: the build's own collections skip it)
        assert idle.collect()
        assert later() is None
    finally:
        idle.stop()
    assert gc.get_freeze_count() == 0


def test_a_build_that_begins_first_calls_the_collection_off() -> None:
    idle = IdleCollector(delay=0.2)
    try:
        idle.build_started()
        idle.build_done()
        idle.build_started()  # an edit saved at once
        time.sleep(0.5)
        assert not idle.frozen and gc.get_freeze_count() == 0
        assert not idle.collect(build=idle.builds - 1)  # one planned for an earlier build
    finally:
        idle.stop()
