"""Building the `Fix` that deletes unused bindings from one ES import statement.

Works on the statement's `ImportLayout` (byte ranges taken from the tree where the file was
parsed), so no syntax tree is needed here.
"""

from __future__ import annotations

from collections.abc import Collection

from workflows.analysis.javascript.import_layout import ImportLayout, Span
from workflows.analysis.javascript.imports import JsBinding, JsImport
from workflows.analysis.models import Edit, Fix

__all__ = ["import_removal_fix"]


def _list_removals(specifiers: list[Span], unused: set[Span]) -> list[Span]:
    """Ranges deleting the unused ``{a, b, c}`` specifiers (some stay) with their commas."""
    ranges: list[Span] = []
    index = 0
    while index < len(specifiers):
        if specifiers[index] not in unused:
            index += 1
            continue
        last = index
        while last + 1 < len(specifiers) and specifiers[last + 1] in unused:
            last += 1
        if last + 1 < len(specifiers):  # up to the next kept specifier: "a, " of "a, b"
            ranges.append((specifiers[index][0], specifiers[last + 1][0]))
        else:  # from the kept one before: ", b" of "a, b"
            ranges.append((specifiers[index - 1][1], specifiers[last][1]))
        index = last + 1
    return ranges


def _clause_removals(layout: ImportLayout, unused: set[Span]) -> list[Span] | None:
    """Ranges deleting the unused parts of ``d, {a, b}`` / ``d, * as ns``; None if unsure."""
    parts = layout.parts
    specifiers = list(layout.specifiers)
    kept = [
        any(s not in unused for s in specifiers)
        if index == layout.list_part
        else part not in unused
        for index, part in enumerate(parts)
    ]
    ranges: list[Span] = []
    if len(parts) == 2 and not kept[0]:
        ranges.append((parts[0][0], parts[1][0]))
    elif len(parts) == 2 and not kept[1]:
        specifiers = []
        ranges.append((parts[0][1], parts[1][1]))
    if specifiers:
        ranges.extend(_list_removals(specifiers, unused))
    if any(s <= c < e for c in layout.comments for s, e in ranges):
        return None  # a comment would go with the code: leave it to a human
    return ranges


def import_removal_fix(path: str, imp: JsImport, unused: Collection[JsBinding]) -> Fix | None:
    """The fix deleting ``unused`` bindings of ES import ``imp`` in file ``path``: the whole
    statement when nothing else is bound, else just those specifiers. None when no safe edit is
    known."""
    if imp.kind != "import" or imp.layout is None or not unused:
        return None
    names = ", ".join(f"`{b.local}`" for b in unused)
    unused_spans = {b.span for b in unused}
    if unused_spans >= {b.span for b in imp.bindings}:
        start, end = imp.layout.removal
        edits = [Edit(path=path, start_byte=start, end_byte=end)]
        return Fix(description=f"Remove the import of {names} from '{imp.specifier}'", edits=edits)
    ranges = _clause_removals(imp.layout, unused_spans)
    if not ranges:
        return None
    edits = [Edit(path=path, start_byte=s, end_byte=e) for s, e in ranges]
    return Fix(description=f"Remove {names} from the import of '{imp.specifier}'", edits=edits)
