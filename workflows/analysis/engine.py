"""Running the analysis: discover, parse and check files (in parallel, cached), judge, report.

Each file is read, parsed, walked and checked by the local rules where it is parsed, and
distilled into the facts project rules need (`FileAnalyser`). Trees of more than a few files
are spread over worker processes; results are cached on disk by content hash when a cache
directory is given, so re-analysing after a one-file change only parses that file. The main
process then judges the project rules from every file's facts and builds the import graph.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

from workflows.analysis.cache import AnalysisCache
from workflows.analysis.discovery import SourceSet, discover
from workflows.analysis.file_analysis import FileAnalyser, FileResult, suppressed
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
from workflows.analysis.project import ProjectFacts
from workflows.analysis.rules import RULES, Rule, select_rules
from workflows.analysis.symbols import ModuleSymbols, collect_symbols

__all__ = ["ProgressCallback", "analyze_path", "load_modules", "run_rules"]

ProgressCallback = Callable[[int, int], None]
"""Called as ``(files_done, files_total)`` while files are parsed."""

# Below this much source, starting worker processes costs more than it saves.
_PARALLEL_MIN_BYTES = 400_000
_BATCHES_PER_WORKER = 16
"""Small batches keep every worker busy to the end (a batch costs little to hand over)."""


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
        js = analyze_javascript(root_path, select=js_ids)
        findings = sorted([*findings, *js.findings], key=lambda f: (f.path, f.line, f.rule))
        parse_errors = sorted([*parse_errors, *js.parse_errors])
        files, lines = files + js.files_analyzed, lines + js.lines_analyzed
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
        cache.load()
    results: dict[str, FileResult] = {}
    pending: list[str] = []
    for path in sources.paths:
        cached = cache.lookup(path) if cache is not None else None
        if cached is not None:
            results[path] = cached
        else:
            pending.append(path)
    total = len(sources.paths)
    done = total - len(pending)
    if on_progress is not None:
        on_progress(done, total)
    step = max(1, total // 100)
    last = done
    for batch in _analyse(pending, sources.base, prefix, root, rule_ids, workers):
        for result in batch:
            results[result.path] = result
        done += len(batch)
        if on_progress is not None and (done - last >= step or done == total):
            on_progress(done, total)
            last = done
    ordered = [results[path] for path in sources.paths]
    if cache is not None and pending:
        with contextlib.suppress(OSError):  # a read-only cache costs speed, not results
            cache.save(ordered)
    return ordered


def _analyse(
    paths: list[str],
    base: Path,
    prefix: str,
    root: Path,
    rule_ids: list[str],
    workers: int | None,
) -> Iterator[list[FileResult]]:
    """Analyse ``paths`` in batches, in worker processes when that pays off."""
    if not paths:
        return
    sizes = {path: _size(base / path) for path in paths}
    count = _worker_count(workers, len(paths), sum(sizes.values()))
    if count <= 1:
        analyser = FileAnalyser(base, prefix, root, rule_ids)
        for path in paths:
            yield [analyser.analyse(path)]
        return
    batches = _batches(paths, sizes, count * _BATCHES_PER_WORKER)
    context = _process_context()
    with ProcessPoolExecutor(
        max_workers=count,
        mp_context=context,
        initializer=_start_worker,
        initargs=(base, prefix, root, rule_ids),
    ) as pool:
        futures = {pool.submit(_analyse_batch, batch): batch for batch in batches}
        if context.get_start_method() == "forkserver":
            yield from _while_workers_start(futures, FileAnalyser(base, prefix, root, rule_ids))
        for future in as_completed([f for f in futures if not f.cancelled()]):
            yield future.result()


def _while_workers_start(
    futures: dict[Future[list[FileResult]], list[str]], analyser: FileAnalyser
) -> Iterator[list[FileResult]]:
    """Analyse batches here until a worker reports (cancelling them in the pool).

    A fork server's workers take a while to start (a fresh interpreter imports the engine),
    and this process would only wait; it takes the smallest batches, ones no worker claimed.
    """
    for future, batch in reversed(futures.items()):
        if any(f.done() for f in futures) or not future.cancel():
            return
        yield [analyser.analyse(path) for path in batch]


def _process_context() -> multiprocessing.context.BaseContext:
    """How workers start: forked when that is safe, else from a fork server.

    Forking is instant (the engine is already imported) but only safe while this process has
    no other thread, whose locks a child could inherit held (the bot and Prefect run threads);
    a fork server starts a fresh interpreter once and forks workers from it.
    """
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _worker_count(requested: int | None, files: int, total_bytes: int) -> int:
    if requested is not None:
        return max(1, min(requested, files))
    if total_bytes < _PARALLEL_MIN_BYTES or files < 4:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, files))


def _batches(paths: list[str], sizes: dict[str, int], wanted: int) -> list[list[str]]:
    """About ``wanted`` batches of similar total size, biggest files first (they finish last)."""
    ordered = sorted(paths, key=lambda p: sizes[p], reverse=True)
    target = max(1, sum(sizes.values()) // max(1, wanted))
    batches: list[list[str]] = [[]]
    filled = 0
    for path in ordered:
        if filled >= target:
            batches.append([])
            filled = 0
        batches[-1].append(path)
        filled += sizes[path]
    return [batch for batch in batches if batch]


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0


_WORKER: FileAnalyser | None = None


def _start_worker(base: Path, prefix: str, root: Path, rule_ids: list[str]) -> None:
    global _WORKER
    _WORKER = FileAnalyser(base, prefix, root, rule_ids)


def _analyse_batch(paths: list[str]) -> list[FileResult]:
    assert _WORKER is not None, "worker not initialised"
    return [_WORKER.analyse(path) for path in paths]


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
