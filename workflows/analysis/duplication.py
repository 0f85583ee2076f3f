"""Duplicated code across a project, found on normalised tree-sitter token streams.

Each module becomes a `ModuleTokens` (`module_tokens`, run where the module was parsed): the
tokens of its syntax tree's leaves, with identifiers, strings and numbers normalised to
``ID``/``STR``/``NUM`` (so renamed copies still match) and comments, docstrings, imports and
module-level assignments (constants) left out. Kinds and identifier spellings are known by the
CRC-32 of their text, so streams made in other processes, or cached by earlier runs, compare
equal. `find_duplicates_in` renumbers every stream's kinds over one vocabulary, then hashes
every window of `WINDOW` tokens that starts a line (in C, on a slice of the packed stream);
windows seen more than once are compared token by token and extended both ways into maximal
regions. Regions of at least `MIN_LINES` lines in both copies are reported. Cost is linear in
the number of tokens plus the size of the duplicates.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from zlib import crc32

from tree_sitter import Node

from workflows.analysis.parsing import ParsedModule

__all__ = [
    "MIN_LINES",
    "WINDOW",
    "Duplicate",
    "Duplication",
    "ModuleTokens",
    "Span",
    "find_duplicates",
    "find_duplicates_in",
    "module_tokens",
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
_CHUNK = 64

# What the walk does with a node, by its kind.
_INNER = 0
"""Descend into its children; a leaf is a token."""
_ATOM = 1
"""One token, children unseen (strings, numbers)."""
_NAME = 2
"""An identifier: a token with a spelling."""
_SKIP = 3
_MAYBE_SKIP = 4
"""Skipped when a docstring-like statement, ``@overload`` stub or module-level assignment."""


def _code(token: str) -> int:
    """The id of a normalised token kind: the same in every process and run."""
    return crc32(token.encode())


_ACTIONS: dict[int, int] = {}
"""What the walk does with each grammar ``kind_id`` met so far in this process."""
_CODES: dict[int, int] = {}
"""The token id (`_code`) of each of those kinds, once normalised."""


def _learn(node: Node) -> int:
    """Record and return the action and token id for ``node``'s kind."""
    kind = node.type
    if kind in _SKIPPED:
        action = _SKIP
    elif kind in _MAYBE_SKIPPED:
        action = _MAYBE_SKIP
    elif kind in _ATOMS:
        action = _ATOM
    elif kind == "identifier":
        action = _NAME
    else:
        action = _INNER
    _CODES[node.kind_id] = _code("ID" if action == _NAME else _ATOMS.get(kind, kind))
    _ACTIONS[node.kind_id] = action
    return action


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


@dataclass(frozen=True, slots=True)
class ModuleTokens:
    """One module's normalised tokens: no tree, picklable, ids valid in any process or run.

    Token kinds and identifier spellings are stored once each (as CRC-32s) and referred to by
    index; every array has the smallest unsigned type its values fit. A *line* is a source line
    with at least one token on it.
    """

    path: str
    vocabulary: array[int]
    """Id of each distinct token kind in the module (``array('I')``)."""
    kinds: array[int]
    """Each token's kind, as an index into `vocabulary`."""
    spellings: array[int]
    """Id of each distinct identifier spelling (``array('I')``)."""
    names: array[int]
    """Each token's spelling: 0 if it is not an identifier, else 1 + its index in `spellings`."""
    anchors: array[int]
    """Index of each line's first token, ascending."""
    lines: array[int]
    """0-based source row of each line."""
    indents: array[int]
    """Indentation (leading spaces and tabs, in bytes) of each line."""


def module_tokens(module: ParsedModule) -> ModuleTokens:
    """The normalised token stream of ``module``, in one cursor walk of its tree."""
    kind_ids: list[int] = []  # grammar kind of each token
    names: list[int] = []
    anchors: list[int] = []
    lines: list[int] = []
    indents: list[int] = []
    spellings: dict[bytes, int] = {}  # identifier -> 1 + its index
    actions, source = _ACTIONS, module.source
    cursor = module.root.walk()
    depth = 1 if cursor.goto_first_child() else 0
    line_start = line_end = 0  # bytes of the last token's line, its newline included
    while depth:
        node: Node = cursor.node  # type: ignore[assignment]  # never None in the walk
        kind_id = node.kind_id
        action = actions.get(kind_id)
        if action is None:
            action = _learn(node)
        if action == _MAYBE_SKIP:
            action = _SKIP if _skipped(node, top=depth == 1) else _INNER
        if action == _INNER and cursor.goto_first_child():
            depth += 1
            continue
        if action != _SKIP:
            start = node.start_byte
            if not line_start <= start < line_end:  # a new line
                point = node.start_point
                line_start = start - point.column
                line_end = source.find(b"\n", start) + 1 or len(source) + 1
                text = source[line_start:line_end]
                anchors.append(len(kind_ids))
                lines.append(point.row)
                indents.append(len(text) - len(text.lstrip(b" \t")))
            kind_ids.append(kind_id)
            if action == _NAME:
                spelling = source[start : node.end_byte]
                name = spellings.get(spelling)
                if name is None:
                    name = spellings[spelling] = len(spellings) + 1
                names.append(name)
            else:
                names.append(0)
        while not cursor.goto_next_sibling():
            depth -= 1
            if not depth:
                break
            cursor.goto_parent()
    vocabulary, kinds = _vocabulary(kind_ids)
    return ModuleTokens(
        module.path,
        array("I", vocabulary),
        kinds,
        array("I", map(crc32, spellings)),
        array(_typecode(len(spellings)), names),
        array(_typecode(len(kind_ids)), anchors),
        array(_typecode(max(lines, default=0)), lines),
        array(_typecode(max(indents, default=0)), indents),
    )


def _vocabulary(kind_ids: list[int]) -> tuple[dict[int, int], array[int]]:
    """The token ids met (`_code` -> index, in order of first use) and each token's index."""
    vocabulary: dict[int, int] = {}
    if kind_ids and max(kind_ids) < 0x100:  # the usual case: renumber them as bytes, in C
        data = bytes(kind_ids)
        table = bytearray(0x100)
        for kind in sorted(set(data), key=data.index):  # in order of first use
            table[kind] = vocabulary.setdefault(_CODES[kind], len(vocabulary))
        return vocabulary, array("B", data.translate(table))  # at most 256 ids: type "B"
    kinds = {k: vocabulary.setdefault(_CODES[k], len(vocabulary)) for k in dict.fromkeys(kind_ids)}
    return vocabulary, array(_typecode(len(vocabulary) - 1), map(kinds.__getitem__, kind_ids))


def _typecode(top: int) -> str:
    """The smallest unsigned array type that holds values up to ``top``."""
    return "B" if top <= 0xFF else "H" if top <= 0xFFFF else "I"


def _skipped(node: Node, *, top: bool) -> bool:
    """Whether ``node`` is a docstring-like string statement, an ``@overload`` stub or, at the
    ``top`` of the module, an assignment (constants, ``__all__``, loggers)."""
    if node.type == "expression_statement":
        child = node.named_child(0) if node.named_child_count == 1 else None
        return child is not None and (
            child.type in _STRINGS or (top and child.type == "assignment")
        )
    return any(
        child.type == "decorator"
        and (child.text or b"").rsplit(b".", 1)[-1].strip(b"@ \t") == b"overload"
        for child in node.named_children
    )


def find_duplicates(modules: Iterable[ParsedModule]) -> Duplication:
    """`find_duplicates_in` the token streams of ``modules`` (parsed in this process)."""
    return find_duplicates_in(module_tokens(m) for m in modules)


def find_duplicates_in(streams: Iterable[ModuleTokens]) -> Duplication:
    """Find duplicated regions of at least `MIN_LINES` lines among (and within) ``streams``.

    The order of ``streams`` decides which copy later ones are reported against: pass them in a
    stable order (e.g. by path).
    """
    tokens = list(streams)
    kinds, ids = _renumbered(tokens)
    packed = [k.tobytes() for k in kinds]
    item = kinds[0].itemsize if kinds else 1
    first: dict[int, int] = {}
    repeats: dict[int, list[int]] = {}
    size = WINDOW * item
    for index, stream in enumerate(tokens):
        data, last = packed[index], len(stream.kinds) - WINDOW
        for anchor in stream.anchors:
            if anchor > last:
                break
            key = hash(data[anchor * item : anchor * item + size])
            where = index << 32 | anchor
            seen = first.setdefault(key, where)
            if seen != where:
                repeats.setdefault(key, [seen]).append(where)
    pairs = _pairs(kinds, packed, item, repeats.values())
    trim = _Trim(_ids(ids, _DANGLING), _ids(ids, ["@"]))
    return _collect(_regions(kinds, pairs), tokens, kinds, trim)


def _renumbered(streams: list[ModuleTokens]) -> tuple[list[array[int]], dict[int, int]]:
    """Each stream's kinds over one vocabulary, all in one array type, and that vocabulary."""
    ids: dict[int, int] = {}
    for stream in streams:
        for code in stream.vocabulary:
            ids.setdefault(code, len(ids))
    typecode = _typecode(len(ids) - 1)
    renumbered: list[array[int]] = []
    for stream in streams:
        table = [ids[code] for code in stream.vocabulary]
        if typecode == "B" and stream.kinds.typecode == "B":
            mapping = bytes(table).ljust(256, b"\0")
            renumbered.append(array("B", stream.kinds.tobytes().translate(mapping)))
        else:
            renumbered.append(array(typecode, map(table.__getitem__, stream.kinds)))
    return renumbered, ids


def _ids(ids: dict[int, int], tokens: Iterable[str]) -> frozenset[int]:
    """Ids (in the shared vocabulary ``ids``) of those ``tokens`` that occur in some stream."""
    return frozenset(ids[code] for code in map(_code, tokens) if code in ids)


def _pairs(
    kinds: list[array[int]], packed: list[bytes], item: int, groups: Iterable[list[int]]
) -> list[tuple[int, int, int, int]]:
    """``(module_a, module_b, offset, start_a)`` for windows equal to their first occurrence
    (``packed``: the ``kinds`` as bytes, ``item`` bytes a token)."""
    pairs: list[tuple[int, int, int, int]] = []
    size = WINDOW * item
    for group in groups:
        a, start_a = group[0] >> 32, group[0] & 0xFFFFFFFF
        window = packed[a][start_a * item : start_a * item + size]
        if len(set(kinds[a][start_a : start_a + WINDOW])) < MIN_DISTINCT:
            continue
        for where in group[1 : MAX_COPIES + 1]:
            b, start_b = where >> 32, where & 0xFFFFFFFF
            if a == b and start_b - start_a < WINDOW:
                continue  # overlapping windows: repetitive code, not a copy
            if packed[b][start_b * item : start_b * item + size] == window:
                pairs.append((a, b, start_b - start_a, start_a))
    pairs.sort()
    return pairs


def _regions(
    kinds: list[array[int]], pairs: list[tuple[int, int, int, int]]
) -> list[tuple[int, int, int, int, int]]:
    """Maximal matching regions ``(module_a, start_a, module_b, start_b, length)``."""
    regions: list[tuple[int, int, int, int, int]] = []
    diagonal: tuple[int, int, int] | None = None
    covered = 0
    for a, b, offset, start in pairs:
        if (a, b, offset) == diagonal and start < covered:
            continue
        diagonal = (a, b, offset)
        tokens_a, tokens_b = kinds[a], kinds[b]
        limit = offset if a == b else len(tokens_a) + len(tokens_b)  # copies must not overlap
        ahead = _common_length(tokens_a, tokens_b, start, start + offset, 1, limit)
        back = _common_length(tokens_a, tokens_b, start, start + offset, -1, limit - ahead)
        covered = start + ahead
        regions.append((a, start - back, b, start + offset - back, back + ahead))
    return regions


def _common_length(x: array[int], y: array[int], i: int, j: int, step: int, limit: int) -> int:
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

    def span(self, stream: ModuleTokens, kinds: array[int], start: int, end: int) -> Span:
        """Lines of tokens ``[start, end)`` (of ``stream``, whose renumbered ``kinds`` are given)
        without partial lines, a tail that opens a statement the copy does not finish, or a head
        that closes a block opened before it."""
        anchors = stream.anchors
        if 0 < start < end:  # start on a line's first token
            k = bisect_right(anchors, start)
            if anchors[k - 1] != start:
                start = min(end, anchors[k]) if k < len(anchors) else end
        if start < end < len(kinds):  # end on one
            end = max(start, anchors[bisect_right(anchors, end) - 1])
        while end > start:
            line = max(start, anchors[bisect_right(anchors, end - 1) - 1])
            if kinds[end - 1] not in self.dangling and kinds[line] not in self.decorator:
                break
            end = line
        if start >= end:
            return Span(stream.path, 1, 0)
        first, last = bisect_left(anchors, start), bisect_left(anchors, end)  # lines [first, last)
        indents = stream.indents[first:last]
        lowest = list(indents)
        for k in range(len(lowest) - 2, -1, -1):  # lowest[k]: smallest indent from line k on
            lowest[k] = min(lowest[k], lowest[k + 1])
        head = first
        for k in range(len(indents) - 1):
            if indents[k] <= lowest[k + 1]:
                break
            head = first + k + 1
        return Span(stream.path, stream.lines[head] + 1, stream.lines[last - 1] + 1)


def _similarity(a: ModuleTokens, start_a: int, b: ModuleTokens, start_b: int, length: int) -> float:
    """Share of the identifiers in a matched region spelled the same in both copies."""
    names_a = a.names[start_a : start_a + length]
    names_b = b.names[start_b : start_b + length]
    spelled_a, spelled_b = a.spellings, b.spellings
    total = sum(1 for n in names_a if n)
    same = sum(
        1
        for x, y in zip(names_a, names_b, strict=True)
        if x and y and spelled_a[x - 1] == spelled_b[y - 1]
    )
    return same / total if total else 1.0


def _collect(
    regions: list[tuple[int, int, int, int, int]],
    streams: list[ModuleTokens],
    kinds: list[array[int]],
    trim: _Trim,
) -> Duplication:
    """Turn token regions into per-file copies, dropping short ones and overlapping ones."""
    found: dict[str, list[Duplicate]] = {}
    for a, start_a, b, start_b, length in regions:
        span_a = trim.span(streams[a], kinds[a], start_a, start_a + length)
        span_b = trim.span(streams[b], kinds[b], start_b, start_b + length)
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
