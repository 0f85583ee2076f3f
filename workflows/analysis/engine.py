"""Running the analysis: discover, parse, index, check, report."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from workflows.analysis.discovery import SourceSet, discover
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
from workflows.analysis.project import ProjectIndex
from workflows.analysis.rules import RULES, Rule, select_rules
from workflows.analysis.symbols import ModuleSymbols, collect_symbols

__all__ = ["ProgressCallback", "analyze_path", "load_modules", "run_rules"]

ProgressCallback = Callable[[int, int], None]
"""Called as ``(files_done, files_total)`` while files are parsed."""


def analyze_path(
    root: str | os.PathLike[str],
    *,
    select: Collection[str] | None = None,
    on_progress: ProgressCallback | None = None,
) -> AnalysisReport:
    """Analyse the Python and JavaScript/TypeScript file or tree at ``root``.

    ``select`` holds rule ids of either language (all rules when None; an unknown id raises
    ValueError naming the valid ones). A missing ``root`` raises FileNotFoundError. Files
    with syntax errors are analysed as far as the tree allows; unreadable or undecodable
    files are skipped. Both are listed in ``parse_errors``.
    """
    python_ids, js_ids = split_selection(select)
    rules = select_rules(python_ids)
    root_path = Path(root)
    started = time.perf_counter()
    sources = discover(root_path)
    node_types = frozenset().union(*(rule.node_types for rule in rules))
    modules, symbols, parse_errors = load_modules(sources, node_types, on_progress)
    project = ProjectIndex(modules, symbols, root=root_path)
    findings = run_rules(modules, project, rules)
    graph = project_imports(project).graph
    files, lines = len(modules), sum(m.line_count for m in modules)
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
        findings=findings,
        graph=graph,
        parse_errors=parse_errors,
    )


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
    modules: Iterable[ParsedModule], project: ProjectIndex, rules: Iterable[Rule]
) -> list[Finding]:
    """Run every rule on every module, drop ``# noqa``-suppressed findings, sort the rest.

    Findings are sorted by (path, line, rule).
    """
    rule_list = list(rules)
    findings: list[Finding] = []
    for module in modules:
        facts = project.symbols(module)
        for rule in rule_list:
            findings.extend(
                finding
                for finding in rule.check(module, project)
                if not facts.suppresses(finding.line, rule.noqa_codes)
            )
    findings.sort(key=lambda f: (f.path, f.line, f.rule))
    return findings
