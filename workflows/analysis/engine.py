"""Running the analysis: discover, parse and check files (in parallel, cached), judge, report.

Each file is read, parsed, walked and checked by the local rules where it is parsed, and
distilled into the facts project rules need (`FileAnalyser`). Trees of more than a few files
are spread over worker processes (`pool`); results are cached on disk by content hash when a
cache directory is given (`cache`), so re-analysing after a one-file change only parses that
file. The main process then judges the project rules from every file's facts and builds the
import graph. JS/TS files go the same way through `javascript.analyze_javascript`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path

from workflows.analysis.cache import AnalysisCache, results_through_cache
from workflows.analysis.discovery import SourceSet, discover
from workflows.analysis.file_analysis import FileAnalyser, FileResult, file_analyser
from workflows.analysis.graph import project_imports
from workflows.analysis.javascript import JS_RULES, analyze_javascript
from workflows.analysis.models import AnalysisReport, Finding, ImportGraph
from workflows.analysis.parsing import (
    ParsedModule,
    SourceDecodeError,
    package_prefix,
    parse_source,
    read_source,
)
from workflows.analysis.pool import analyse_in_batches
from workflows.analysis.project import ProjectFacts
from workflows.analysis.rules import RULES, Rule, select_rules
from workflows.analysis.symbols import ModuleSymbols, collect_symbols, suppressed

__all__ = ["ProgressCallback", "analyze_path", "load_modules", "run_rules"]

ProgressCallback = Callable[[int, int], None]
"""Called as ``(files_done, files_total)`` while files are parsed."""

# Below this much source, starting worker processes costs more than it saves.
_PARALLEL_MIN_BYTES = 400_000


def analyze_path(
    root: str | os.PathLike[str],
    *,
    select: Collection[str] | None = None,
    on_progress: ProgressCallback | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
) -> AnalysisReport:
    """Analyse the Python and JavaScript/TypeScript file or tree at ``root``.

    ``select`` holds rule ids of either language (all rules when None; an unknown id raises
    ValueError naming the valid ones). A missing ``root`` raises FileNotFoundError. Files
    with syntax errors are analysed as far as the tree allows; unreadable or undecodable
    files are skipped. Both are listed in ``parse_errors``. ``cache_dir`` keeps per-file
    results between runs (None: no cache); ``workers`` caps the processes (None: one per CPU,
    1: everything in this process).
    """
    python_ids, js_ids = split_selection(select)
    rules = select_rules(python_ids)
    root_path = Path(root)
    started = time.perf_counter()
    sources = discover(root_path)
    results = _file_results(sources, root_path, rules, on_progress, cache_dir, workers)
    project, findings = judge_project(results, rules, root_path)
    graph = project_imports(project).graph
    modules = [r.info for r in results if r.info is not None]
    cached = sum(r.from_cache for r in results)
    files, lines = len(modules), sum(m.line_count for m in modules)
    parse_errors = sorted(r.path for r in results if r.has_error)
    if js_ids is None or js_ids:
        js = analyze_javascript(root_path, select=js_ids, cache_dir=cache_dir, workers=workers)
        findings = sorted([*findings, *js.findings], key=lambda f: (f.path, f.line, f.rule))
        parse_errors = sorted([*parse_errors, *js.parse_errors])
        files, lines = files + js.files_analyzed, lines + js.lines_analyzed
        cached += js.files_cached
        graph = _merge_graphs(graph, js.graph)
    return AnalysisReport(
        root=str(root_path),
        files_analyzed=files,
        lines_analyzed=lines,
        duration_s=round(time.perf_counter() - started, 4),
        files_cached=cached,
        findings=findings,
        graph=graph,
        parse_errors=parse_errors,
    )


def judge_project(
    results: Sequence[FileResult], rules: Iterable[Rule], root: Path | None = None
) -> tuple[ProjectFacts, list[Finding]]:
    """Every finding of ``results`` (local ones plus the project rules' verdicts), sorted."""
    analysed = [r for r in results if r.info is not None]
    project = ProjectFacts(
        [r.info for r in analysed if r.info is not None],
        {r.path: r.references for r in analysed},
        {r.path: r.imports for r in analysed if r.imports is not None},
        root=root,
    )
    findings = [finding for r in analysed for finding in r.findings]
    noqa = {r.path: r.noqa for r in analysed}
    for rule in rules:
        if rule.judge is None:
            continue
        facts = {r.path: r.facts.get(rule.id) for r in analysed}
        findings.extend(
            finding
            for finding in rule.judge(facts, project)
            if not suppressed(noqa.get(finding.path, {}), finding.line, rule.noqa_codes)
        )
    findings.sort(key=lambda f: (f.path, f.line, f.rule))
    return project, findings


def _file_results(
    sources: SourceSet,
    root: Path,
    rules: Sequence[Rule],
    on_progress: ProgressCallback | None,
    cache_dir: str | os.PathLike[str] | None,
    workers: int | None,
) -> list[FileResult]:
    """Every file's result, from the cache where unchanged, else analysed (maybe in parallel)."""
    prefix = package_prefix(sources.base)
    rule_ids = [rule.id for rule in rules]
    cache = None
    if cache_dir is not None:
        cache = AnalysisCache(Path(cache_dir), sources.base, prefix, rule_ids)

    def analyse(pending: list[str]) -> Iterator[list[FileResult]]:
        return analyse_in_batches(
            pending,
            sources.base,
            workers=workers,
            min_parallel_bytes=_PARALLEL_MIN_BYTES,
            make_analyser=file_analyser,
            args=(sources.base, prefix, root, rule_ids),
        )

    return results_through_cache(sources.paths, cache, analyse, on_progress)


def split_selection(
    select: Collection[str] | None,
) -> tuple[list[str] | None, list[str] | None]:
    """Rule ids per language (None: all); ValueError naming every valid id for unknown ones."""
    if select is None:
        return None, None
    wanted = {select} if isinstance(select, str) else set(select)
    unknown = sorted(wanted - RULES.keys() - JS_RULES.keys())
    if unknown:
        valid = ", ".join([*RULES, *JS_RULES])
        raise ValueError(f"unknown rule id(s): {', '.join(unknown)}; valid rule ids: {valid}")
    return [i for i in wanted if i in RULES], [i for i in wanted if i in JS_RULES]


def _merge_graphs(python: ImportGraph, js: ImportGraph) -> ImportGraph:
    """One graph: Python modules are dotted names, JS modules are paths, so none collide."""
    return ImportGraph(
        modules=[*python.modules, *js.modules],
        edges=[*python.edges, *js.edges],
        cycles=[*python.cycles, *js.cycles],
        external={**python.external, **js.external},
    )


def load_modules(
    sources: SourceSet,
    node_types: Collection[str] = (),
    on_progress: ProgressCallback | None = None,
) -> tuple[list[ParsedModule], dict[str, ModuleSymbols], list[str]]:
    """Read, parse and walk every file of ``sources`` once.

    Returns the parsed modules, their symbols by path, and the sorted paths of files that
    could not be read or decoded (skipped) or that parsed with syntax errors (kept).
    """
    prefix = package_prefix(sources.base)
    total = len(sources.paths)
    step = max(1, total // 100)
    modules: list[ParsedModule] = []
    symbols: dict[str, ModuleSymbols] = {}
    errors: list[str] = []
    if on_progress is not None:
        on_progress(0, total)
    for done, path in enumerate(sources.paths, start=1):
        try:
            source = read_source(sources.base / path)
        except (OSError, SourceDecodeError):
            errors.append(path)
        else:
            module = parse_source(source, path, prefix=prefix)
            if module.has_error:
                errors.append(path)
            modules.append(module)
            symbols[path] = collect_symbols(module, node_types)
        if on_progress is not None and (done % step == 0 or done == total):
            on_progress(done, total)
    return modules, symbols, sorted(errors)


def run_rules(
    modules: Sequence[ParsedModule], rules: Iterable[Rule], *, root: Path | None = None
) -> list[Finding]:
    """Check already parsed ``modules`` in this process with ``rules``; sorted findings.

    Findings are sorted by (path, line, rule); ``# noqa`` comments apply.
    """
    rule_list = list(rules)
    analyser = FileAnalyser(Path("."), "", root, [rule.id for rule in rule_list])
    results = [analyser.check(module) for module in modules]
    return judge_project(results, rule_list, root)[1]
