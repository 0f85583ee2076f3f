"""One JS/TS file's share of the analysis: read, parse, walk, and keep the facts as plain data.

`analyse_js_file` runs where the file is parsed (a worker process, or in-process for small
trees) and returns a `JsFileResult` with no tree-sitter object in it, so the result can cross
a process boundary and be cached on disk by the file's content hash. Resolution, usage and
the rules' verdicts are left to the project part (`JsProject`), which needs every file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workflows.analysis.file_analysis import content_hash
from workflows.analysis.javascript.parsing import parse_js_source
from workflows.analysis.javascript.symbols import JsSymbols, collect_js_symbols
from workflows.analysis.parsing import SourceDecodeError, normalize_source

__all__ = ["JsFile", "JsFileResult", "analyse_js_file", "js_file_analyser"]


@dataclass(frozen=True, slots=True)
class JsFile:
    """One parsed JS/TS file without its tree: what the project part and the rules read."""

    path: str
    """POSIX path relative to the analysed root."""
    line_count: int
    is_declaration: bool
    """A ``.d.ts`` file: it may be imported but is never checked for unused names."""
    is_test_file: bool
    symbols: JsSymbols


@dataclass(slots=True)
class JsFileResult:
    """What one file contributes; `file` is None when it could not be read or decoded."""

    path: str
    digest: str
    mtime_ns: int = 0
    size: int = -1
    """The file's stat taken before it was read (the cache trusts a result while it matches)."""
    file: JsFile | None = None
    has_error: bool = False
    """Unreadable, undecodable, or parsed with syntax errors (listed in ``parse_errors``)."""
    from_cache: bool = False
    """Set on results the cache handed back (never stored as True)."""


def analyse_js_file(base: Path, path: str) -> JsFileResult:
    """Read, parse and walk file ``path`` (relative to ``base``)."""
    file = base / path
    try:
        stat = file.stat()
        raw = file.read_bytes()
    except OSError:
        return JsFileResult(path, "", has_error=True)
    result = JsFileResult(path, content_hash(raw), stat.st_mtime_ns, stat.st_size)
    try:
        source = normalize_source(raw)
    except SourceDecodeError:
        result.has_error = True
        return result
    module = parse_js_source(source, path)
    result.has_error = module.has_error
    result.file = JsFile(
        path=path,
        line_count=module.line_count,
        is_declaration=module.is_declaration,
        is_test_file=module.is_test_file,
        symbols=collect_js_symbols(module),
    )
    return result


def js_file_analyser(base: Path) -> Callable[[str], JsFileResult]:
    """`analyse_js_file` for the files of ``base`` (built once per worker process)."""
    return functools.partial(analyse_js_file, base)
