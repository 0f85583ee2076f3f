"""Running the JS/TS analysis: discover, analyse files (in parallel, cached), judge, report.

Each file is read, parsed and walked where it is parsed, and distilled into tree-free facts
(`analyse_js_file`). Big trees are spread over worker processes; results are cached on disk
by content hash when a cache directory is given, so re-analysing after a one-file change only
parses that file. The main process then resolves imports, runs the rules over every file's
facts and builds the import graph.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, Field

from workflows.analysis.cache import results_through_cache
from workflows.analysis.javascript.cache import JsCache
from workflows.analysis.javascript.file_analysis import JsFile, JsFileResult, js_file_analyser
from workflows.analysis.javascript.parsing import JS_SUFFIXES, discover_js_files
from workflows.analysis.javascript.project import JsProject
from workflows.analysis.javascript.resolution import package_entry_files
from workflows.analysis.javascript.rules import JsRule, select_js_rules
from workflows.analysis.models import Finding, ImportGraph
from workflows.analysis.pool import analyse_in_batches

__all__ = ["JsAnalysis", "analyze_javascript", "run_js_rules"]

# Below this much source, starting worker processes costs more than it saves: 2 MB of JS/TS
# takes about a second to parse and walk, and a fork-server pool half a second to start.
_PARALLEL_MIN_BYTES = 2_000_000


class JsAnalysis(BaseModel):
    """What one JS/TS analysis run found, in the shapes of the main `AnalysisReport`."""

    findings: list[Finding] = Field(default_factory=list)
    files_analyzed: int = 0
    lines_analyzed: int = 0
    files_cached: int = Field(
        default=0, description="files whose facts came from the cache instead of being parsed"
    )
    parse_errors: list[str] = Field(
        default_factory=list,
        description="paths (relative) that could not be read or that parsed with syntax errors",
    )
    graph: ImportGraph = Field(default_factory=ImportGraph)
    duration_s: float = 0.0


def _sources(root: Path) -> tuple[Path, list[str]]:
    if not root.exists():
        raise FileNotFoundError(f"analysis root does not exist: {root}")
    if root.is_file():
        return root.parent, [root.name] if root.name.endswith(JS_SUFFIXES) else []
    return root, discover_js_files(root)


def _file_results(
    base: Path,
    paths: list[str],
    cache_dir: str | os.PathLike[str] | None,
    workers: int | None,
) -> list[JsFileResult]:
    """Every file's result in ``paths`` order, from the cache where unchanged, else analysed."""
    cache = JsCache(Path(cache_dir), base) if cache_dir is not None else None

    def analyse(pending: list[str]) -> Iterator[list[JsFileResult]]:
        return analyse_in_batches(
            pending,
            base,
            workers=workers,
            min_parallel_bytes=_PARALLEL_MIN_BYTES,
            make_analyser=js_file_analyser,
            args=(base,),
        )

    return results_through_cache(paths, cache, analyse)


def run_js_rules(
    files: Iterable[JsFile], project: JsProject, rules: Iterable[JsRule]
) -> list[Finding]:
    """Run every rule on every file; findings sorted by (path, line, rule)."""
    rule_list = list(rules)
    findings = [f for file in files for rule in rule_list for f in rule.check(file, project)]
    findings.sort(key=lambda f: (f.path, f.line, f.rule, f.symbol or ""))
    return findings


def analyze_javascript(
    root: str | os.PathLike[str],
    *,
    select: Collection[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
) -> JsAnalysis:
    """Analyse the JS/TS files under directory ``root`` (or the single file ``root``).

    ``select`` holds rule ids (all JS/TS rules when None); ids without the ``js-`` prefix are
    ignored and an unknown ``js-`` id raises ValueError. A missing ``root`` raises
    FileNotFoundError. The import graph is built whatever the selection. ``cache_dir`` keeps
    per-file results between runs (None: no cache); ``workers`` caps the processes (None: one
    per CPU when the tree is big enough, 1: everything in this process).
    """
    rules = select_js_rules(select)
    started = time.perf_counter()
    base, paths = _sources(Path(root))
    results = _file_results(base, paths, cache_dir, workers)
    files = [result.file for result in results if result.file is not None]
    entry_files = package_entry_files(base, frozenset(file.path for file in files))
    project = JsProject(files, entry_files=entry_files)
    return JsAnalysis(
        findings=run_js_rules(files, project, rules),
        files_analyzed=len(files),
        lines_analyzed=sum(file.line_count for file in files),
        files_cached=sum(result.from_cache for result in results),
        parse_errors=sorted(result.path for result in results if result.has_error),
        graph=project.import_graph(),
        duration_s=round(time.perf_counter() - started, 4),
    )
