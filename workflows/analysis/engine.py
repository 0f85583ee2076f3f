"""Running the analysis: discover, parse, index, check, report."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from workflows.analysis.discovery import SourceSet, discover
from workflows.analysis.models import AnalysisReport, Finding
from workflows.analysis.parsing import (
    ParsedModule,
    SourceDecodeError,
    package_prefix,
    parse_source,
    read_source,
)
from workflows.analysis.project import ProjectIndex
from workflows.analysis.rules import Rule, select_rules
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
    """Analyse the Python file or directory tree at ``root`` with the selected rules.

    ``select`` holds rule ids (all rules when None; an unknown id raises ValueError).
    A missing ``root`` raises FileNotFoundError. Files with syntax errors are analysed as far
    as the tree allows; unreadable or undecodable files are skipped. Both are listed in
    ``parse_errors``.
    """
    rules = select_rules(select)
    root_path = Path(root)
    started = time.perf_counter()
    sources = discover(root_path)
    node_types = frozenset().union(*(rule.node_types for rule in rules))
    modules, symbols, parse_errors = load_modules(sources, node_types, on_progress)
    project = ProjectIndex(modules, symbols)
    findings = run_rules(modules, project, rules)
    return AnalysisReport(
        root=str(root_path),
        files_analyzed=len(modules),
        lines_analyzed=sum(m.line_count for m in modules),
        duration_s=round(time.perf_counter() - started, 4),
        findings=findings,
        parse_errors=parse_errors,
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
