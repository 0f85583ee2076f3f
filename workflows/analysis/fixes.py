"""Applying safe fixes: byte-range edits written to the working tree, each file syntax-checked.

Fixes are atomic: all edits of a finding's fix are applied, or none. Per file, edits are applied
from the end backwards so earlier offsets stay valid. A fix whose edit overlaps one already
accepted is skipped (an identical edit counts as already done, so two findings that both remove
the same statement are both fixed). A changed Python (or JavaScript/TypeScript) file that no
longer parses cleanly is left untouched and every fix touching it is skipped.

Offsets are those of the analysed source: UTF-8 without a BOM. A file with a BOM keeps it; a
file in another encoding is not touched.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from functools import cache
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, Field
from tree_sitter import Language, Parser

from workflows.analysis.models import Edit, Finding, Fix
from workflows.analysis.parsing import PYTHON

__all__ = ["FixResult", "SkippedFix", "apply_fixes", "line_end", "line_start", "only_code_on_lines"]


class SkippedFix(BaseModel):
    """A fix that was not applied, and why."""

    finding: Finding
    reason: str


class FixResult(BaseModel):
    """What `apply_fixes` did."""

    fixed: list[Finding] = Field(default_factory=list)
    skipped: list[SkippedFix] = Field(default_factory=list)
    changed_files: list[str] = Field(default_factory=list, description="relative POSIX paths")
    line_shifts: dict[str, list[tuple[int, int]]] = Field(
        default_factory=dict,
        description="per changed file: (first old line affected, lines added or removed)",
    )

    def shifted(self, finding: Finding) -> Finding:
        """``finding`` with its lines moved to where they are after the fixes."""
        shifts = self.line_shifts.get(finding.path)
        if not shifts:
            return finding

        def move(line: int) -> int:
            return max(1, line + sum(delta for first, delta in shifts if line >= first))

        return finding.model_copy(
            update={"line": move(finding.line), "end_line": move(finding.end_line)}
        )


def apply_fixes(root: Path, findings: Iterable[Finding]) -> FixResult:
    """Apply the fixes of ``findings`` (those without one are ignored) to the files under ``root``.

    ``root`` is the analysed root the edits' paths are relative to.
    """
    result = FixResult()
    files: dict[str, _File] = {}
    accepted: list[tuple[Finding, Fix]] = []
    for finding in findings:
        fix = finding.fix
        if fix is None or not fix.edits:
            continue
        reason = _load_files(root, fix, files) or _reserve(finding, fix, files)
        if reason is None:
            accepted.append((finding, fix))
        else:
            result.skipped.append(SkippedFix(finding=finding, reason=reason))
    contents, dropped = _settle(accepted, files, result)
    for path, content in sorted(contents.items()):
        files[path].write(content)
        result.changed_files.append(path)
        result.line_shifts[path] = _line_shifts(files[path], dropped)
    result.fixed = [finding for finding, _ in accepted if id(finding) not in dropped]
    return result


_Key = tuple[int, int, str]


class _File:
    """One file to edit: its bytes as analysed, and the accepted edits with their owners."""

    def __init__(self, full: Path, raw: bytes) -> None:
        self.full = full
        self.bom = raw.startswith(codecs.BOM_UTF8)
        self.source = raw[len(codecs.BOM_UTF8) :] if self.bom else raw
        self.edits: dict[_Key, list[Finding]] = {}

    def write(self, content: bytes) -> None:
        self.full.write_bytes((codecs.BOM_UTF8 if self.bom else b"") + content)


def _key(edit: Edit) -> _Key:
    return (edit.start_byte, edit.end_byte, edit.replacement)


def _load_files(root: Path, fix: Fix, files: dict[str, _File]) -> str | None:
    """Read every file the fix touches; a reason when one cannot be edited safely."""
    for edit in fix.edits:
        if edit.path in files:
            continue
        pure = PurePosixPath(edit.path)
        if pure.is_absolute() or ".." in pure.parts:
            return f"{edit.path}: outside the analysed root"
        try:
            file = _File(root / pure, (root / pure).read_bytes())
        except OSError as exc:
            return f"{edit.path}: cannot read ({exc.strerror or exc})"
        try:
            file.source.decode("utf-8")
        except UnicodeDecodeError:
            return f"{edit.path}: not UTF-8, left alone"
        if _has_syntax_error(edit.path, file.source):
            return f"{edit.path}: already has syntax errors"
        files[edit.path] = file
    return None


def _reserve(finding: Finding, fix: Fix, files: dict[str, _File]) -> str | None:
    """Accept the fix's edits unless one is out of range or overlaps another accepted edit."""
    for edit in fix.edits:
        file = files[edit.path]
        if not 0 <= edit.start_byte <= edit.end_byte <= len(file.source):
            return f"{edit.path}: edit {edit.start_byte}-{edit.end_byte} is out of range"
        for key, owners in file.edits.items():
            if key != _key(edit) and _overlaps(_key(edit), key):
                owner = owners[0]
                return f"{edit.path}: overlaps the fix of {owner.rule} at line {owner.line}"
    for edit in fix.edits:
        owners = files[edit.path].edits.setdefault(_key(edit), [])
        if all(owner is not finding for owner in owners):
            owners.append(finding)
    return None


def _overlaps(a: _Key, b: _Key) -> bool:
    """Whether two edits touch the same bytes (insertions conflict at the same place too)."""
    if a[0] == a[1] or b[0] == b[1]:
        return b[0] <= a[0] <= b[1] or a[0] <= b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]


def _settle(
    accepted: list[tuple[Finding, Fix]], files: dict[str, _File], result: FixResult
) -> tuple[dict[str, bytes], set[int]]:
    """New contents per changed file, and the ids of findings whose fix broke a file's syntax.

    A broken file is recomputed without every fix that touches it, and so are the other files
    those fixes touched, until nothing is broken.
    """
    dropped: set[int] = set()
    while True:
        contents: dict[str, bytes] = {}
        broken: set[str] = set()
        for path, file in files.items():
            edits = [
                key
                for key, owners in file.edits.items()
                if any(id(owner) not in dropped for owner in owners)
            ]
            if not edits:
                continue
            content = _edited(file.source, edits)
            if _has_syntax_error(path, content):
                broken.add(path)
            else:
                contents[path] = content
        if not broken:
            return contents, dropped
        for finding, fix in accepted:
            paths = sorted({edit.path for edit in fix.edits} & broken)
            if id(finding) in dropped or not paths:
                continue
            dropped.add(id(finding))
            reason = f"{', '.join(paths)}: the fix would introduce a syntax error; not applied"
            result.skipped.append(SkippedFix(finding=finding, reason=reason))


def _line_shifts(file: _File, dropped: set[int]) -> list[tuple[int, int]]:
    """How applied edits move the lines after them: (first old line moved, delta)."""
    shifts = []
    for start, end, replacement in sorted(file.edits):
        if all(id(owner) in dropped for owner in file.edits[(start, end, replacement)]):
            continue
        delta = replacement.count("\n") - file.source.count(b"\n", start, end)
        if delta:
            shifts.append((file.source.count(b"\n", 0, end) + 1, delta))
    return shifts


def _edited(source: bytes, edits: list[_Key]) -> bytes:
    """``source`` with the (non-overlapping) edits applied from the last one backwards."""
    out = source
    for start, end, replacement in sorted(edits, reverse=True):
        out = out[:start] + replacement.encode("utf-8") + out[end:]
    return out


@cache
def _parser(suffix: str) -> Parser | None:
    language: Language | None = None
    if suffix in (".py", ".pyi"):
        language = PYTHON
    elif suffix in (".js", ".mjs", ".cjs", ".jsx"):
        import tree_sitter_javascript

        language = Language(tree_sitter_javascript.language())
    elif suffix in (".ts", ".mts", ".cts", ".tsx"):
        import tree_sitter_typescript

        tsx = suffix == ".tsx"
        grammar = (
            tree_sitter_typescript.language_tsx()
            if tsx
            else tree_sitter_typescript.language_typescript()
        )
        language = Language(grammar)
    return Parser(language) if language is not None else None


def _has_syntax_error(path: str, source: bytes) -> bool:
    parser = _parser(PurePosixPath(path).suffix)
    return parser is not None and parser.parse(source).root_node.has_error


# -- building edits (used by the rules) ------------------------------------------------------


def line_start(source: bytes, offset: int) -> int:
    """Offset of the first byte of the line holding ``offset``."""
    return source.rfind(b"\n", 0, offset) + 1


def line_end(source: bytes, offset: int) -> int:
    """Offset just past the newline that ends the line holding ``offset`` (or the end)."""
    newline = source.find(b"\n", offset)
    return len(source) if newline == -1 else newline + 1


def only_code_on_lines(source: bytes, start: int, end: int) -> bool:
    """Whether bytes [start, end) are all the code on their lines (a trailing comment is fine)."""
    before = source[line_start(source, start) : start]
    after = source[end : line_end(source, end)].strip()
    return not before.strip() and (not after or after.startswith(b"#"))
