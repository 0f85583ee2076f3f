"""The on-disk cache of JS/TS per-file results: the engine's `ResultCache`, in its own directory.

Results hold facts, not verdicts, so the rule selection is not part of the key: any selection
judges from the same cached facts. Everything is dropped when the analysis code or the
tree-sitter grammars (TypeScript's included) change.
"""

from __future__ import annotations

from pathlib import Path

from workflows.analysis.cache import ResultCache
from workflows.analysis.javascript.file_analysis import JsFileResult

__all__ = ["JsCache"]


class JsCache(ResultCache[JsFileResult]):
    """The cached JS/TS results of one tree."""

    def __init__(self, directory: Path, base: Path) -> None:
        super().__init__(directory, base, name="js-", key=(), result_type=JsFileResult)
