"""Duplicated code across a project, found on normalised tree-sitter token streams.

Each module becomes a stream of tokens read from the syntax tree's leaves, with identifiers,
strings and numbers normalised to ``ID``/``STR``/``NUM`` (so renamed copies still match) and
comments, docstrings, imports and module-level assignments (constants) left out. Every window
of `WINDOW` tokens that starts a line is hashed (in C, on a slice of the packed stream); windows
seen more than once are compared token by token and extended both ways into maximal regions.
Regions of at least `MIN_LINES` lines in both copies are reported. Cost is linear in the number
of tokens plus the size of the duplicates.
"""

from __future__ import annotations

import weakref
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

from tree_sitter import Node

from workflows.analysis.parsing import ParsedModule
from workflows.analysis.project import ProjectIndex

__all__ = [
    "MIN_LINES",
    "WINDOW",
    "Duplicate",
    "Duplication",
    "Span",
    "duplication_of",
    "find_duplicates",
]

WINDOW = 50
"""Tokens in a hashed window: the shortest duplicate that can be found."""
MIN_LINES = 6
"""Lines a duplicate must span in both copies to be reported."""
MIN_DISTINCT = 10
"""Windows with fewer distinct tokens are data (``STR, STR, ...``), not code: ignored."""
MAX_COPIES = 50
"""Copies of one window compared against its first occurrence; more is boilerplate."""

_SKIPPED = frozenset(
    {
        "comment",
        "line_continuation",
        "import_statement",
        "import_from_statement",
        "future_import_statement",
    }
)
_ATOMS = {"string": "STR", "concatenated_string": "STR", "integer": "NUM", "float": "NUM"}
_STRINGS = frozenset({"string", "concatenated_string"})
_DANGLING = (":", "(", "[", "{", ",", "=", "->")
_MAYBE_SKIPPED = frozenset({"expression_statement", "decorated_definition"})
_ITEM = array("I").itemsize
_CHUNK = 64


@dataclass(frozen=True, slots=True)
class Span:
    """Lines ``line``..``end_line`` (1-based, inclusive) of the file at ``path``."""

    path: str
    line: int
    end_line: int

    @property
    def lines(self) -> int:
        """Number of lines spanned."""
        return self.end_line - self.line + 1


@dataclass(frozen=True, slots=True)
class Duplicate:
    """One copy of duplicated code and the other copy it matches."""

    copy: Span
    other: Span
    similarity: float
    """Share of identifiers spelled the same in both copies (1.0: a verbatim copy)."""


@dataclass(slots=True)
class Duplication:
    """Every reported copy, by path."""

    by_path: dict[str, list[Duplicate]] = field(default_factory=dict)

    def of(self, path: str) -> list[Duplicate]:
        """Copies located in ``path``, by first line; their lines do not overlap."""
        return self.by_path.get(path, [])


@dataclass(slots=True)
class _Stream:
    """One module's normalised tokens."""

    path: str
    kinds: array
    """Normalised token ids."""
    names: array
    """Identifier spelling ids (0 for other tokens)."""
    rows: array
    """0-based line of each token."""
    anchors: list[int]
    """Indices of the first token of each line."""
    source: bytes
    indents: list[int] | None = None
    """Indentation of each source line, computed when a copy is found in the module."""

    def indent(self, row: int) -> int:
        """Indentation (in characters) of 0-based line ``row``."""
        if self.indents is None:
            lines = self.source.split(b"\n")
            self.indents = [len(line) - len(line.lstrip(b" \t")) for line in lines]
        return self.indents[row]


class _Tokenizer:
    """Turns modules into `_Stream`s over one shared vocabulary."""

    def __init__(self) -> None:
        self.kinds: dict[str, int] = {}
        self.names: dict[bytes, int] = {b"": 0}

    def stream(self, module: ParsedModule) -> _Stream:
        kinds, names, rows = array("I"), array("I"), array("I")
        kind_ids, name_ids = self.kinds, self.names
        stack = [c for c in reversed(module.root.children) if not _is_constant(c)]
        while stack:
            node = stack.pop()
            kind = node.type
            if kind in _SKIPPED or (kind in _MAYBE_SKIPPED and _skipped(node)):
                continue
            token = _ATOMS.get(kind)
            name = b""
            if token is None:
                children = node.children
                if children:
                    stack.extend(reversed(children))
                    continue
                token = "ID" if kind == "identifier" else kind
                if token == "ID":
                    name = node.text or b""
            kinds.append(kind_ids.setdefault(token, len(kind_ids)))
            names.append(name_ids.setdefault(name, len(name_ids)))
            rows.append(node.start_point.row)
        anchors = [i for i in range(len(rows)) if i == 0 or rows[i] != rows[i - 1]]
        return _Stream(module.path, kinds, names, rows, anchors, module.source)

    def ids(self, tokens: Iterable[str]) -> frozenset[int]:
        """Ids of those ``tokens`` that occur in the streams made so far."""
        return frozenset(self.kinds[t] for t in tokens if t in self.kinds)


def _is_constant(statement: Node) -> bool:
    """Whether a module-level statement is an assignment (constants, ``__all__``, loggers)."""
    children = statement.named_children
    return (
        statement.type == "expression_statement"
        and len(children) == 1
        and children[0].type == "assignment"
    )


def _skipped(node: Node) -> bool:
    """Whether ``node`` is a docstring-like string statement or an ``@overload`` stub."""
    children = node.named_children
    if node.type == "expression_statement":
        return len(children) == 1 and children[0].type in _STRINGS
    return any(
        child.type == "decorator"
        and (child.text or b"").rsplit(b".", 1)[-1].strip(b"@ \t") == b"overload"
        for child in children
    )


def find_duplicates(modules: Iterable[ParsedModule]) -> Duplication:
    """Find duplicated regions of at least `MIN_LINES` lines among (and within) ``modules``."""
    tokenizer = _Tokenizer()
    streams = [tokenizer.stream(m) for m in modules]
    packed = [s.kinds.tobytes() for s in streams]
    first: dict[int, int] = {}
    repeats: dict[int, list[int]] = {}
    size = WINDOW * _ITEM
    for index, stream in enumerate(streams):
        data, last = packed[index], len(stream.kinds) - WINDOW
        for anchor in stream.anchors:
            if anchor > last:
                break
            key = hash(data[anchor * _ITEM : anchor * _ITEM + size])
            where = index << 32 | anchor
            seen = first.setdefault(key, where)
            if seen != where:
                repeats.setdefault(key, [seen]).append(where)
    pairs = _pairs(streams, packed, repeats.values())
    trim = _Trim(tokenizer.ids(_DANGLING), tokenizer.ids(["@"]))
    return _collect(_regions(streams, pairs), streams, trim)


def _pairs(
    streams: list[_Stream], packed: list[bytes], groups: Iterable[list[int]]
) -> list[tuple[int, int, int, int]]:
    """``(module_a, module_b, offset, start_a)`` for windows equal to their first occurrence."""
    pairs: list[tuple[int, int, int, int]] = []
    size = WINDOW * _ITEM
    for group in groups:
        a, start_a = group[0] >> 32, group[0] & 0xFFFFFFFF
        window = packed[a][start_a * _ITEM : start_a * _ITEM + size]
        if len(set(streams[a].kinds[start_a : start_a + WINDOW])) < MIN_DISTINCT:
            continue
        for where in group[1 : MAX_COPIES + 1]:
            b, start_b = where >> 32, where & 0xFFFFFFFF
            if a == b and start_b - start_a < WINDOW:
                continue  # overlapping windows: repetitive code, not a copy
            if packed[b][start_b * _ITEM : start_b * _ITEM + size] == window:
                pairs.append((a, b, start_b - start_a, start_a))
    pairs.sort()
    return pairs


def _regions(
    streams: list[_Stream], pairs: list[tuple[int, int, int, int]]
) -> list[tuple[int, int, int, int, int]]:
    """Maximal matching regions ``(module_a, start_a, module_b, start_b, length)``."""
    regions: list[tuple[int, int, int, int, int]] = []
    diagonal: tuple[int, int, int] | None = None
    covered = 0
    for a, b, offset, start in pairs:
        if (a, b, offset) == diagonal and start < covered:
            continue
        diagonal = (a, b, offset)
        tokens_a, tokens_b = streams[a].kinds, streams[b].kinds
        limit = offset if a == b else len(tokens_a) + len(tokens_b)  # copies must not overlap
        ahead = _common_length(tokens_a, tokens_b, start, start + offset, 1, limit)
        back = _common_length(tokens_a, tokens_b, start, start + offset, -1, limit - ahead)
        covered = start + ahead
        regions.append((a, start - back, b, start + offset - back, back + ahead))
    return regions


def _common_length(x: array, y: array, i: int, j: int, step: int, limit: int) -> int:
    """How many tokens match going forward from ``x[i]``/``y[j]`` (backward from ``i-1``/``j-1``
    when ``step`` is -1), at most ``limit``; compared in chunks, then one by one."""
    n = 0
    if step > 0:
        limit = min(limit, len(x) - i, len(y) - j)
        while n + _CHUNK <= limit and x[i + n : i + n + _CHUNK] == y[j + n : j + n + _CHUNK]:
            n += _CHUNK
        while n < limit and x[i + n] == y[j + n]:
            n += 1
        return n
    limit = min(limit, i, j)
    while n + _CHUNK <= limit and x[i - n - _CHUNK : i - n] == y[j - n - _CHUNK : j - n]:
        n += _CHUNK
    while n < limit and x[i - n - 1] == y[j - n - 1]:
        n += 1
    return n


@dataclass(frozen=True, slots=True)
class _Trim:
    """Shrinks a matched token range to the whole lines of complete statements in it."""

    dangling: frozenset[int]
    """Tokens that, ending a line, leave it open (``:``, ``(``, ``,``...)."""
    decorator: frozenset[int]

    def span(self, stream: _Stream, start: int, end: int) -> Span:
        """Lines of tokens ``[start, end)`` without partial lines, a tail that opens a statement
        the copy does not finish, or a head that closes a block opened before it."""
        rows, kinds = stream.rows, stream.kinds
        while start < end and start > 0 and rows[start] == rows[start - 1]:
            start += 1
        while end > start and end < len(rows) and rows[end] == rows[end - 1]:
            end -= 1
        while end > start:
            line = end - 1
            while line > start and rows[line - 1] == rows[end - 1]:
                line -= 1
            if kinds[end - 1] not in self.dangling and kinds[line] not in self.decorator:
                break
            end = line
        heads = [i for i in range(start, end) if i == start or rows[i] != rows[i - 1]]
        lowest = [stream.indent(rows[i]) for i in heads]
        for k in range(len(lowest) - 2, -1, -1):  # lowest[k]: smallest indent from line k on
            lowest[k] = min(lowest[k], lowest[k + 1])
        for k in range(len(heads) - 1):
            if stream.indent(rows[heads[k]]) <= lowest[k + 1]:
                break
            start = heads[k + 1]
        if start >= end:
            return Span(stream.path, 1, 0)
        return Span(stream.path, rows[start] + 1, rows[end - 1] + 1)


def _similarity(a: _Stream, start_a: int, b: _Stream, start_b: int, length: int) -> float:
    names_a = a.names[start_a : start_a + length]
    names_b = b.names[start_b : start_b + length]
    total = sum(1 for n in names_a if n)
    same = sum(1 for x, y in zip(names_a, names_b, strict=True) if x and x == y)
    return same / total if total else 1.0


def _collect(
    regions: list[tuple[int, int, int, int, int]], streams: list[_Stream], trim: _Trim
) -> Duplication:
    """Turn token regions into per-file copies, dropping short ones and overlapping ones."""
    found: dict[str, list[Duplicate]] = {}
    for a, start_a, b, start_b, length in regions:
        span_a = trim.span(streams[a], start_a, start_a + length)
        span_b = trim.span(streams[b], start_b, start_b + length)
        if min(span_a.lines, span_b.lines) < MIN_LINES:
            continue
        similarity = _similarity(streams[a], start_a, streams[b], start_b, length)
        found.setdefault(span_a.path, []).append(Duplicate(span_a, span_b, similarity))
        found.setdefault(span_b.path, []).append(Duplicate(span_b, span_a, similarity))
    result = Duplication()
    for path, copies in found.items():
        copies.sort(key=lambda d: (-d.copy.lines, d.copy.line))
        kept: list[Duplicate] = []
        for duplicate in copies:  # longest first; one finding per stretch of lines
            if all(_overlap(duplicate.copy, k.copy) * 2 <= duplicate.copy.lines for k in kept):
                kept.append(duplicate)
        result.by_path[path] = sorted(kept, key=lambda d: d.copy.line)
    return result


def _overlap(one: Span, other: Span) -> int:
    """Lines two spans of one file have in common."""
    return max(0, min(one.end_line, other.end_line) - max(one.line, other.line) + 1)


_BY_PROJECT: weakref.WeakKeyDictionary[ProjectIndex, Duplication] = weakref.WeakKeyDictionary()
"""Results live as long as their project, so the rule computes them once per analysis."""


def duplication_of(project: ProjectIndex) -> Duplication:
    """The duplication among ``project``'s non-test modules, computed once per project."""
    result = _BY_PROJECT.get(project)
    if result is None:
        result = find_duplicates(m for m in project.modules.values() if not m.is_test_file)
        _BY_PROJECT[project] = result
    return result
