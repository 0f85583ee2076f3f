"""The byte ranges of an ES import statement, read from its tree where the file is parsed.

A fix that deletes unused bindings only needs these ranges, so the rule that builds it runs
on tree-free data (in the main process, or from the cache).
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

__all__ = ["ImportLayout", "Span", "import_layout", "span", "statement_range"]

Span = tuple[int, int]
"""``(start_byte, end_byte)`` of a node in its file's source."""

_CLAUSE_PARTS = frozenset({"identifier", "namespace_import", "named_imports"})


@dataclass(frozen=True, slots=True)
class ImportLayout:
    """Where the pieces of one ES import statement are in its file's source."""

    removal: Span
    """What deleting the whole statement removes (see `statement_range`)."""
    parts: tuple[Span, ...] = ()
    """The clause's default name, ``* as ns`` and ``{...}`` parts, in source order."""
    list_part: int | None = None
    """The index in `parts` of the ``{...}`` part, if any."""
    specifiers: tuple[Span, ...] = ()
    """The specifiers inside ``{...}``."""
    comments: tuple[int, ...] = ()
    """Start bytes of the comments inside the clause."""


def span(node: Node) -> Span:
    """The byte range of ``node``."""
    return node.start_byte, node.end_byte


def statement_range(source: bytes, statement: Node) -> Span:
    """Bytes to delete to remove ``statement``: its whole line(s) when it stands alone on them
    (indentation and line break included), else just the statement and the spaces after it."""
    start, end = statement.start_byte, statement.end_byte
    line_start = source.rfind(b"\n", 0, start) + 1
    alone = not source[line_start:start].strip()
    while end < len(source) and source[end : end + 1] in (b" ", b"\t"):
        end += 1
    if alone:
        start = line_start
        if source[end : end + 2] == b"\r\n":
            end += 2
        elif source[end : end + 1] == b"\n":
            end += 1
    return start, end


def import_layout(source: bytes, statement: Node) -> ImportLayout:
    """The layout of ``import_statement`` node ``statement`` in ``source``."""
    removal = statement_range(source, statement)
    clause = next((c for c in statement.named_children if c.type == "import_clause"), None)
    if clause is None:
        return ImportLayout(removal)
    parts = [p for p in clause.named_children if p.type in _CLAUSE_PARTS]
    list_part: int | None = None
    specifiers: list[Node] = []
    for index, part in enumerate(parts):
        if part.type == "named_imports":
            list_part = index
            specifiers = [s for s in part.named_children if s.type == "import_specifier"]
    return ImportLayout(
        removal,
        tuple(span(p) for p in parts),
        list_part,
        tuple(span(s) for s in specifiers),
        tuple(c.start_byte for c in _descendants(clause) if c.type == "comment"),
    )


def _descendants(node: Node) -> list[Node]:
    found: list[Node] = []
    pending = list(node.named_children)
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(current.named_children)
    return found
