"""Keeping the build's memory down: freed memory given back, pages' HTML compact.

A build makes and frees a page's HTML, Markdown and search text thousands of
times while it keeps every page's final HTML until the end (MkDocs does). The C
library's allocator keeps freed space between the kept pieces for later use, so
a process's memory grows well past what it holds: measured at 1,000 reports, the
build process held 393 MiB of which 140 MiB was free. `malloc_trim` hands such
space back. It exists in the GNU C library only; elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes
import gc
import re
import sys
import threading
from collections.abc import Callable
from contextlib import suppress

# Pages between two trims: a trim takes about a millisecond (measured at 1,000 reports).
EVERY = 25
# Freed memory a process keeps for its next allocations rather than hand it back.
HELD_LIMIT = 32 << 20


def _find_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    with suppress(OSError, AttributeError):
        trim = ctypes.CDLL(None).malloc_trim  # the C library this process runs on
        trim.argtypes = [ctypes.c_size_t]
        trim.restype = ctypes.c_int
        return trim
    return None


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _find_info() -> Callable[[], _MallInfo2] | None:
    if _TRIM is None:
        return None
    with suppress(OSError, AttributeError):
        info = ctypes.CDLL(None).mallinfo2  # GNU C library 2.33 and later
        info.argtypes = []
        info.restype = _MallInfo2
        return info
    return None


_TRIM = _find_trim()
_INFO = _find_info()


def give_back() -> None:
    """Hand the memory this process has freed back to the system (where it can)."""
    if _TRIM is not None:
        _TRIM(0)


def held_free() -> int | None:
    """Bytes in the blocks this process has freed and its allocator keeps, some perhaps
    handed back already by a trim (None: not known)."""
    return int(_INFO().fordblks) if _INFO is not None else None


# Elements whose text a browser reads raw, references included.
_RAW_TEXT = re.compile(r"<(?:script|style|noscript|xmp|iframe|noembed|noframes|plaintext)\b",
                       re.IGNORECASE)
_WIDE_REFERENCE = re.compile(r"&#0*(\d{3,7});")


def _wide(match: re.Match[str]) -> bool:
    return 255 < int(match[1]) <= 0x10FFFF


def compact(html_text: str) -> str | None:
    """The same HTML in half the memory, characters beyond Latin-1 written as references
    (None: left as it is; then `expand` must not be applied to it).

    Python keeps a whole string at two bytes a character (four past U+FFFF) as soon
    as it holds one such character, and reports written from the template all do
    (its objectives' ✅ and ⚠️). MkDocs keeps every page's HTML until the last page
    is written. Not where a reference would not be read as one (`<script>`,
    `<style>`, `<noscript>`, ...), nor where the page already writes such a
    reference itself: `expand` turns every one back.
    """
    if (html_text.isascii() or _RAW_TEXT.search(html_text)
            or any(_wide(m) for m in _WIDE_REFERENCE.finditer(html_text))):
        return None
    return html_text.encode("latin-1", "xmlcharrefreplace").decode("latin-1")


def expand(html_text: str) -> str:
    """`compact` undone: the characters as written."""
    return _WIDE_REFERENCE.sub(lambda m: chr(int(m[1])) if _wide(m) else m[0], html_text)


def expanded_in(output: str, content: str) -> tuple[str, str]:
    """A page's output with its compact content (`page.content`) as written again, and
    that content as it now stands in the output (for what is done with it next)."""
    at = output.find(content)
    if at < 0:  # changed since by another plugin: it stays as it is (the same HTML)
        return output, content
    written = expand(content)
    return output[:at] + written + output[at + len(content):], written


class Trimmer:
    """`give_back` once every `every` calls (one call per page rendered), when the
    allocator holds more than `limit` bytes freed (or how much is not known).

    Memory handed back is handed out again by the system page by page, at a cost
    (at 1,000 reports, trimming every 25 pages regardless cost the build half a
    second to a second of system time): a process that frees little keeps it.
    """

    def __init__(self, every: int = EVERY, limit: int = HELD_LIMIT) -> None:
        self.every = every
        self.limit = limit
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        if self.count % self.every == 0:
            held = held_free()
            if held is None or held > self.limit:
                give_back()


# Seconds after a `serve` build before its leftovers are collected: the browser has
# reloaded the page by then.
IDLE_DELAY = 1.0


class IdleCollector:
    """Under `serve`, between rebuilds: every object is collected once and what is left
    set aside (`gc.freeze`), so the collections of the next build go over that build's
    objects only; the memory freed is handed back.

    What a `serve` process keeps between builds (the reports read, the pages kept,
    MkDocs' own) is millions of objects: at 1,000 reports each full collection in a
    rebuild took a quarter of a second, and a rebuild made one or two. The objects set
    aside are looked at again in the next pause (`gc.unfreeze`), so what a later build
    lets go of is still freed.
    """

    def __init__(self, delay: float = IDLE_DELAY) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None
        self.builds = 0  # builds begun: a collection waiting for an earlier one is void
        self.frozen = False

    def build_started(self) -> None:
        """A build begins: the pending collection is called off (or, begun, finished)."""
        with self.lock:
            self.builds += 1
            timer, self.timer = self.timer, None
        if timer is not None:
            timer.cancel()
            timer.join()  # (no thread of ours left: the build may fork its workers)

    def build_done(self) -> None:
        """The build is over: collect in a moment, unless another begins first."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = threading.Timer(self.delay, self.collect, args=(self.builds,))
            self.timer.daemon = True
            self.timer.start()

    def collect(self, build: int | None = None) -> bool:
        """Collect and set aside what is left (False: a build began meanwhile)."""
        with self.lock:
            if build is not None and build != self.builds:
                return False
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            give_back()  # what the build and the collection freed
            self.frozen = True
            return True

    def stop(self) -> None:
        """No build follows: no collection pending, nothing set aside."""
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            if self.frozen:
                gc.unfreeze()
                self.frozen = False


__all__ = ["EVERY", "HELD_LIMIT", "IDLE_DELAY", "IdleCollector", "Trimmer", "compact", "expand",
           "expanded_in", "give_back", "held_free"]
