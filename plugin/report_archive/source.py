"""Reading a file's bytes into text and front matter, the way MkDocs will read them.

MkDocs decodes pages as UTF-8 (a BOM allowed), reads them with universal
newlines, and takes front matter only from a `---` line at the very top closed
by `---` or `...`. We follow the same rules so that the check and the build
agree, but report what MkDocs would silently swallow (YAML errors, duplicate
keys) at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver, Resolver

from .diagnostics import Collector
from .settings import Limits

_OPEN_RE = re.compile(r"^---[ \t]*$")
_CLOSE_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_NULL_VALUES = {"", "~", "null", "Null", "NULL"}
_SAFE_TAGS = frozenset(SafeConstructor.yaml_constructors) - {None}
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_DEFAULT_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


# The loaders compose YAML into nodes only: no constructor runs and no tag is
# resolved, so every scalar stays the text the author wrote and YAML 1.1
# surprises (`yes`, `1e3`, `2024-01-01`, `on`) cannot change a value's type.
try:  # the C parser is several times faster; both give the same nodes
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _NodeLoader(CParser, BaseResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            BaseResolver.__init__(self)

except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _NodeLoader(Reader, Scanner, Parser, Composer, BaseResolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            BaseResolver.__init__(self)


@dataclass
class FrontMatter:
    """Front matter as plain data, with the file line of every key and list item."""

    data: dict[str, Any] = field(default_factory=dict)
    positions: dict[tuple[str | int, ...], tuple[int, int]] = field(default_factory=dict)
    start_line: int = 1  # the opening `---`
    lines: list[str] = field(default_factory=list)  # the YAML text, line by line
    present: bool = False
    valid: bool = True

    def line_of(self, *path: str | int) -> tuple[int, int]:
        """File line and column of a key (or list item); the opening line if unknown."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return (self.start_line, 1)


@dataclass
class Source:
    text: str | None
    body: str = ""
    body_start: int = 1  # file line of the body's first line
    front: FrontMatter = field(default_factory=FrontMatter)


def decode(raw: bytes, out: Collector, limits: Limits) -> str | None:
    """Bytes to text with universal newlines, or None after a diagnostic."""
    if len(raw) > limits.max_file_bytes:
        out.add("limit-file-size",
                f"file is {len(raw):,} bytes; the limit (limits.max_file_bytes) is "
                f"{limits.max_file_bytes:,}")
        return None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        out.add("file-encoding", "file is UTF-16 (it starts with a UTF-16 byte order mark)", 1, 1,
                hint="Save the file as UTF-8.")
        return None
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        out.add("file-binary", "file contains NUL bytes: it is not a text file", line,
                nul - (raw.rfind(b"\n", 0, nul) + 1) + 1)
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        out.add("file-encoding",
                f"file is not valid UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
                line, column)
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_source(raw: bytes, out: Collector, limits: Limits) -> Source:
    """Decode a file and split off and load its front matter, reporting every problem."""
    text = decode(raw, out, limits)
    if text is None:
        return Source(text=None)
    lines = text.split("\n")
    if not lines or not _OPEN_RE.match(lines[0]):
        return Source(text=text, body=text, body_start=1)
    for index in range(1, len(lines)):
        if _CLOSE_RE.match(lines[index]):
            close = index
            break
    else:
        out.add("yaml-unclosed", "front matter starts at line 1 but is never closed", 1, 1)
        front = FrontMatter(present=True, valid=False)
        return Source(text=text, body=text, body_start=1, front=front)
    yaml_text = "\n".join(lines[1:close]) + "\n"
    front = load_front_matter(yaml_text, 2, out, limits)
    body = "\n".join(lines[close + 1:])
    return Source(text=text, body=body, body_start=close + 2, front=front)


def load_front_matter(yaml_text: str, first_line: int, out: Collector,
                      limits: Limits) -> FrontMatter:
    front = FrontMatter(present=True, start_line=first_line - 1, lines=yaml_text.split("\n"))
    if not yaml_text.strip():
        return front
    if yaml_text.count("[") + yaml_text.count("{") > limits.max_yaml_nodes:
        # Every bracket opens a value: refuse before the parser recurses that deep.
        out.add("limit-yaml-nodes", f"front matter has more than {limits.max_yaml_nodes:,} "
                "nested or listed values (limits.max_yaml_nodes)", first_line, 1)
        front.valid = False
        return front
    try:
        loader = _NodeLoader(yaml_text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        column = mark.column + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        unclosed = _unclosed_quote(yaml_text, mark.line if mark else 0)
        if unclosed is not None:
            # The parser read on past the line, to the next quote: the fault is where it opened.
            out.add("yaml-syntax", "front matter is not valid YAML: the quoted value that "
                    "starts here is never closed on its line", first_line + unclosed[0],
                    unclosed[1], hint="Close the quotes at the end of the value, or write the "
                    "value without quotes.")
        else:
            out.add("yaml-syntax", f"front matter is not valid YAML: {problem}", line, column)
        front.valid = False
        return front
    except RecursionError:
        out.add("limit-yaml-nodes", "front matter nests too deeply to read "
                "(limits.max_yaml_nodes)", first_line, 1)
        front.valid = False
        return front
    except (yaml.YAMLError, MemoryError) as exc:
        out.add("yaml-syntax", f"front matter cannot be read: {type(exc).__name__}",
                first_line, 1)
        front.valid = False
        return front
    if node is None:
        return front
    builder = _Builder(first_line, out, limits, front)
    if not builder.within_limits(node):
        front.valid = False
        return front
    if not isinstance(node, MappingNode):
        out.add("yaml-not-mapping", "front matter must be `key: value` lines, not a "
                f"{'list' if isinstance(node, SequenceNode) else 'single value'}",
                first_line + node.start_mark.line, node.start_mark.column + 1)
        front.valid = False
        return front
    data = builder.build(node, ())
    front.data = data if isinstance(data, dict) else {}
    return front


_RESOLVER = Resolver()
_QUOTED_VALUE_RE = re.compile(r"""^\s*(?:-\s+|[^\s:#'"][^:#]*:\s+)(?P<quote>["'])(?P<rest>.*)$""")


def _unclosed_quote(yaml_text: str, error_line: int) -> tuple[int, int] | None:
    """The first line up to the error whose quoted value does not close on it (0-based, column)."""
    for index, line in enumerate(yaml_text.split("\n")[:error_line + 1]):
        match = _QUOTED_VALUE_RE.match(line) if len(line) < 10_000 else None
        if match is None:
            continue
        rest = match.group("rest")
        if match.group("quote") == '"':
            closed = re.search(r'(?<!\\)(?:\\\\)*"', rest) is not None
        else:
            closed = "'" in rest.replace("''", "")
        if not closed:
            return index, match.start("quote") + 1
    return None


def _looks_like_timestamp(node: ScalarNode) -> bool:
    tag = _RESOLVER.resolve(ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == _TIMESTAMP_TAG)


class _Builder:
    """Turns composed nodes into plain data, recording positions and duplicate keys."""

    def __init__(self, first_line: int, out: Collector, limits: Limits,
                 front: FrontMatter) -> None:
        self.first_line = first_line
        self.out = out
        self.limits = limits
        self.front = front

    def position(self, node: Node) -> tuple[int, int]:
        return (self.first_line + node.start_mark.line, node.start_mark.column + 1)

    def within_limits(self, root: Node) -> bool:
        """Count nodes as aliases would expand them, without expanding anything."""
        sizes: dict[int, int] = {}
        stack: list[tuple[Node, bool]] = [(root, False)]
        in_progress: set[int] = set()
        budget = self.limits.max_yaml_nodes
        while stack:
            node, children_done = stack.pop()
            key = id(node)
            if key in sizes:
                continue
            children: list[Node] = []
            if isinstance(node, SequenceNode):
                children = list(node.value)
            elif isinstance(node, MappingNode):
                children = [part for pair in node.value for part in pair]
            if children_done:
                in_progress.discard(key)
                sizes[key] = 1 + sum(sizes[id(c)] for c in children)
                if sizes[key] > budget:
                    self._too_big(root, sizes[key])
                    return False
                continue
            if key in in_progress:
                self.out.add("limit-yaml-nodes", "front matter refers to itself through an alias",
                             *self.position(node))
                return False
            in_progress.add(key)
            stack.append((node, True))
            for child in children:
                if id(child) in in_progress:
                    self.out.add("limit-yaml-nodes",
                                 "front matter refers to itself through an alias",
                                 *self.position(child))
                    return False
                if id(child) not in sizes:
                    stack.append((child, False))
        return True

    def _too_big(self, root: Node, size: int) -> None:
        self.out.add("limit-yaml-nodes",
                     f"front matter expands to more than {self.limits.max_yaml_nodes:,} values "
                     f"(limits.max_yaml_nodes); aliases or nesting blow it up",
                     *self.position(root))

    def loadable(self, node: Node, path: tuple[str | int, ...]) -> None:
        """Report what MkDocs' safe loader would reject (it then drops all front matter)."""
        if node.tag not in _DEFAULT_TAGS:
            shown = node.tag.replace("tag:yaml.org,2002:", "!!")
            if node.tag not in _SAFE_TAGS:
                self.out.add("yaml-value", f"YAML tag {shown} is not allowed: MkDocs would "
                             "ignore the whole front matter", *self.position(node))
                return
            try:
                SafeConstructor().construct_object(node, deep=True)
            except (ConstructorError, ValueError, TypeError) as exc:
                self.out.add("yaml-value", f"value cannot be loaded as {shown}: "
                             f"{str(exc).splitlines()[0][:120]}", *self.position(node))
            return
        if path in (("date",), ("updated",)):
            return  # the date rules say it better
        if isinstance(node, ScalarNode) and not node.style and _looks_like_timestamp(node):
            try:
                SafeConstructor().construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                self.out.add("yaml-value", f"'{node.value}' looks like a date to YAML but is not "
                             "a real one, so MkDocs would ignore the whole front matter",
                             *self.position(node))

    def build(self, node: Node, path: tuple[str | int, ...]) -> Any:
        self.front.positions.setdefault(path, self.position(node))
        self.loadable(node, path)
        if isinstance(node, ScalarNode):
            if not node.style and node.value in _NULL_VALUES:
                return None
            return str(node.value)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                line, column = self.position(key_node)
                if not isinstance(key_node, ScalarNode):
                    if not path:
                        self.out.add("yaml-key-type", "a front matter key must be a plain name, "
                                     "not a list or mapping", line, column)
                    continue
                key = str(key_node.value)
                if key in seen:
                    self.out.add("yaml-duplicate-key",
                                 f"key '{key}' appears twice (first at line {seen[key]}); "
                                 "YAML would keep only this last value", line, column)
                seen[key] = line
                self.front.positions[(*path, key)] = (line, column)
                result[key] = self.build(value_node, (*path, key))
            return result
        return None  # pragma: no cover - PyYAML has no other node kinds
