"""Finding, reading and parsing JavaScript and TypeScript files with tree-sitter."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Literal

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Parser, Tree

from workflows.analysis.discovery import EXCLUDED_DIRS, discover_python_files
from workflows.analysis.parsing import SourceTree, count_lines

__all__ = [
    "JS_EXCLUDED_DIRS",
    "JS_SUFFIXES",
    "JsModule",
    "LanguageKind",
    "discover_js_files",
    "get_js_parser",
    "is_declaration_file",
    "is_entry_name",
    "is_js_test_path",
    "language_kind",
    "parse_js_source",
    "strip_js_suffix",
]

LanguageKind = Literal["javascript", "typescript", "tsx"]

_KIND_BY_SUFFIX: dict[str, LanguageKind] = {
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
}
JS_SUFFIXES: tuple[str, ...] = tuple(_KIND_BY_SUFFIX)
"""Suffixes of the files analysed (``.d.ts`` files end in ``.ts`` and are included)."""

JS_EXCLUDED_DIRS: frozenset[str] = EXCLUDED_DIRS | {
    "coverage",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".turbo",
    ".parcel-cache",
    ".cache",
    "bower_components",
}
"""Directory names never descended into: the Python exclusions plus JS build caches."""

_DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")
_TEST_DIRS = frozenset({"__tests__", "__mocks__", "test", "tests"})
_TEST_MARKERS = frozenset({"test", "spec"})
_ENTRY_STEMS = frozenset({"index", "main"})


@cache
def _language(kind: LanguageKind) -> Language:
    if kind == "javascript":
        return Language(tree_sitter_javascript.language())
    if kind == "typescript":
        return Language(tree_sitter_typescript.language_typescript())
    return Language(tree_sitter_typescript.language_tsx())


@cache
def get_js_parser(kind: LanguageKind) -> Parser:
    """The process-wide parser for ``kind`` (not thread-safe: use processes to scale)."""
    return Parser(_language(kind))


def language_kind(path: str) -> LanguageKind:
    """The grammar for ``path``: JSX-capable JavaScript, TypeScript, or TSX.

    Raises ValueError for a suffix that is not JavaScript or TypeScript.
    """
    suffix = PurePosixPath(path).suffix
    try:
        return _KIND_BY_SUFFIX[suffix]
    except KeyError:
        raise ValueError(f"not a JavaScript/TypeScript file: {path}") from None


def is_declaration_file(path: str) -> bool:
    """Whether ``path`` is a TypeScript declaration file (``.d.ts``, ``.d.mts``, ``.d.cts``)."""
    return path.endswith(_DECLARATION_SUFFIXES)


def is_entry_name(path: str) -> bool:
    """Whether ``path`` is named like an entry point: ``index.*`` or ``main.*``."""
    return PurePosixPath(path).name.split(".")[0] in _ENTRY_STEMS


def strip_js_suffix(path: str) -> str:
    """``path`` without its JS/TS extension: ``src/a.tsx`` -> ``src/a``, ``t.d.ts`` -> ``t``."""
    for suffix in _DECLARATION_SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    pure = PurePosixPath(path)
    return path[: -len(pure.suffix)] if pure.suffix in _KIND_BY_SUFFIX else path


def is_js_test_path(path: str) -> bool:
    """Whether ``path`` is test code: ``*.test.*``, ``*.spec.*``, or under ``__tests__/``,
    ``__mocks__/``, ``test/`` or ``tests/``."""
    pure = PurePosixPath(path)
    if any(part in _TEST_DIRS for part in pure.parts[:-1]):
        return True
    return not _TEST_MARKERS.isdisjoint(pure.name.split(".")[1:-1])


def discover_js_files(root: Path, *, exclude: Collection[str] = JS_EXCLUDED_DIRS) -> list[str]:
    """Sorted POSIX paths, relative to directory ``root``, of its JS/TS files (no ``*.min.js``)."""
    found = discover_python_files(root, exclude=exclude, suffixes=JS_SUFFIXES)
    return [p for p in found if not p.endswith(".min.js")]


@dataclass(frozen=True, slots=True)
class JsModule(SourceTree):
    """One parsed JavaScript or TypeScript file."""

    path: str
    """POSIX path relative to the analysed root."""
    source: bytes
    tree: Tree
    kind: LanguageKind
    line_count: int
    is_declaration: bool
    """A ``.d.ts`` file: it may be imported but is never checked for unused names."""
    is_test_file: bool


def parse_js_source(source: bytes, path: str) -> JsModule:
    """Parse UTF-8 ``source`` living at relative ``path`` with the grammar its suffix selects."""
    kind = language_kind(path)
    return JsModule(
        path=path,
        source=source,
        tree=get_js_parser(kind).parse(source),
        kind=kind,
        line_count=count_lines(source),
        is_declaration=is_declaration_file(path),
        is_test_file=is_js_test_path(path),
    )
