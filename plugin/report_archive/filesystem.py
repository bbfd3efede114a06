"""What the archive's files may be: regular files inside the archive, read with a bound.

MkDocs finds files by walking `docs_dir` and following symbolic links, so a link
can bring in files from anywhere on the machine (`/etc`), a link loop repeats
the archive under ever longer paths, and a named pipe or a device (`/dev/zero`)
would make a read wait forever or never end. Each such file is named in a
diagnostic and left out of the site; every other file is read with a bound.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable

from .diagnostics import Collector, Diagnostic

_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a folder"))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _first_link(where: str, root: str) -> str | None:
    """The first folder or file on the way from `root` down to `where` that is a link."""
    parts = os.path.relpath(where, root).split(os.sep)
    current = root
    for part in parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            return current
    return None


def problem(path: str, docs_dir: str) -> tuple[str, str, str] | None:
    """(rule, message, where) when the file at `path`, found in `docs_dir`, must be left out.

    `where` is the link that brought it in (one diagnostic names a linked folder once),
    or the file itself.
    """
    root = os.path.abspath(docs_dir)
    where = os.path.abspath(path)
    if not _inside(where, root):
        return None  # added by another plugin from its own folder, not found in the archive
    if os.path.realpath(where) != where:
        link = _first_link(where, root)
        if link is not None:
            real = os.path.realpath(link)
            if not _inside(real, os.path.realpath(root)):
                return ("file-outside-archive", f"is a symbolic link to {real}, outside the "
                        "archive; links that leave the archive are not followed", link)
            if _inside(os.path.realpath(os.path.dirname(link)), real):
                return ("file-symlink-loop", "is a symbolic link to one of its own parent "
                        "folders; what it repeats is left out (it is in the archive under its "
                        "own path)", link)
    try:
        mode = os.stat(where).st_mode
    except OSError as exc:
        return ("file-not-regular", f"cannot be examined: {exc.strerror or exc}", where)
    for test, kind in _KINDS:
        if test(mode):
            return ("file-not-regular", f"is {kind}, not a regular file; it is left out", where)
    return None


def vet(files: Iterable[tuple[str, str]], docs_dir: str) -> tuple[set[str], list[Diagnostic]]:
    """Of (path in the archive, path on disk), those to leave out, and one diagnostic for
    each link or file that is the reason."""
    root = os.path.abspath(docs_dir)
    left_out: set[str] = set()
    named: dict[str, Diagnostic] = {}
    for src_uri, path in files:
        bad = problem(path, root)
        if bad is None:
            continue
        left_out.add(src_uri)
        rule, message, where = bad
        if where not in named:
            out = Collector(os.path.relpath(where, root).replace(os.sep, "/"))
            out.add(rule, message, None)
            named[where] = out.items[0]
    return left_out, sorted(named.values(), key=lambda d: d.path)


def read_bounded(path: str, limit: int) -> bytes:
    """At most `limit` + 1 bytes of a regular file (one more than allowed shows it is too large).

    Raises OSError for anything that is not a regular file, before reading from it.
    """
    # Non-blocking open: a named pipe without a writer would otherwise wait forever.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(descriptor, "rb", buffering=0) as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = handle.read(min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
