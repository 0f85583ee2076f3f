"""Building the `Fix` that deletes unused bindings from one ES import statement."""

from __future__ import annotations

from collections.abc import Collection

from tree_sitter import Node

from workflows.analysis.javascript.imports import JsBinding, JsImport
from workflows.analysis.javascript.parsing import JsModule
from workflows.analysis.models import Edit, Fix

__all__ = ["import_removal_fix", "statement_range"]

_CLAUSE_PARTS = frozenset({"identifier", "namespace_import", "named_imports"})


def statement_range(source: bytes, statement: Node) -> tuple[int, int]:
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


def _key(node: Node) -> tuple[int, int]:
    return node.start_byte, node.end_byte


def _list_removals(specifiers: list[Node], unused: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges deleting the unused ``{a, b, c}`` specifiers (some stay) with their commas."""
    ranges: list[tuple[int, int]] = []
    index = 0
    while index < len(specifiers):
        if _key(specifiers[index]) not in unused:
            index += 1
            continue
        last = index
        while last + 1 < len(specifiers) and _key(specifiers[last + 1]) in unused:
            last += 1
        if last + 1 < len(specifiers):  # up to the next kept specifier: "a, " of "a, b"
            ranges.append((specifiers[index].start_byte, specifiers[last + 1].start_byte))
        else:  # from the kept one before: ", b" of "a, b"
            ranges.append((specifiers[index - 1].end_byte, specifiers[last].end_byte))
        index = last + 1
    return ranges


def _clause_removals(clause: Node, unused: set[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """Ranges deleting the unused parts of ``d, {a, b}`` / ``d, * as ns``; None if unsure."""
    parts = [p for p in clause.named_children if p.type in _CLAUSE_PARTS]
    specifiers: list[Node] = []
    kept: list[bool] = []
    for part in parts:
        if part.type == "named_imports":
            specifiers = [s for s in part.named_children if s.type == "import_specifier"]
            kept.append(any(_key(s) not in unused for s in specifiers))
        else:
            kept.append(_key(part) not in unused)
    ranges: list[tuple[int, int]] = []
    if len(parts) == 2 and not kept[0]:
        ranges.append((parts[0].start_byte, parts[1].start_byte))
    elif len(parts) == 2 and not kept[1]:
        specifiers = []
        ranges.append((parts[0].end_byte, parts[1].end_byte))
    if specifiers:
        ranges.extend(_list_removals(specifiers, unused))
    comments = [c for c in _descendants(clause) if c.type == "comment"]
    if any(s <= c.start_byte < e for c in comments for s, e in ranges):
        return None  # a comment would go with the code: leave it to a human
    return ranges


def _descendants(node: Node) -> list[Node]:
    found: list[Node] = []
    pending = list(node.named_children)
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(current.named_children)
    return found


def import_removal_fix(
    module: JsModule, imp: JsImport, unused: Collection[JsBinding]
) -> Fix | None:
    """The fix deleting ``unused`` bindings of ES import ``imp``: the whole statement when
    nothing else is bound, else just those specifiers. None when no safe edit is known."""
    if imp.kind != "import" or not unused:
        return None
    names = ", ".join(f"`{b.local}`" for b in unused)
    unused_keys = {_key(b.node) for b in unused}
    if unused_keys >= {_key(b.node) for b in imp.bindings}:
        start, end = statement_range(module.source, imp.statement)
        edits = [Edit(path=module.path, start_byte=start, end_byte=end)]
        return Fix(description=f"Remove the import of {names} from '{imp.specifier}'", edits=edits)
    clause = next((c for c in imp.statement.named_children if c.type == "import_clause"), None)
    ranges = _clause_removals(clause, unused_keys) if clause is not None else None
    if not ranges:
        return None
    edits = [Edit(path=module.path, start_byte=s, end_byte=e) for s, e in ranges]
    return Fix(description=f"Remove {names} from the import of '{imp.specifier}'", edits=edits)
