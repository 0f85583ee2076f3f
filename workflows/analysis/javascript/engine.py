"""Running the JS/TS analysis: discover, parse, index, check, report."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from workflows.analysis.javascript.parsing import (
    JS_SUFFIXES,
    JsModule,
    discover_js_files,
    parse_js_source,
)
from workflows.analysis.javascript.project import JsProject
from workflows.analysis.javascript.resolution import package_entry_files
from workflows.analysis.javascript.rules import JsRule, select_js_rules
from workflows.analysis.javascript.symbols import JsSymbols, collect_js_symbols
from workflows.analysis.models import Finding, ImportGraph
from workflows.analysis.parsing import SourceDecodeError, read_source

__all__ = ["JsAnalysis", "analyze_javascript", "load_js_modules", "run_js_rules"]


class JsAnalysis(BaseModel):
    """What one JS/TS analysis run found, in the shapes of the main `AnalysisReport`."""

    findings: list[Finding] = Field(default_factory=list)
    files_analyzed: int = 0
    lines_analyzed: int = 0
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


def load_js_modules(
    base: Path, paths: Iterable[str]
) -> tuple[list[JsModule], dict[str, JsSymbols], list[str]]:
    """Read, parse and walk every file; returns modules, symbols by path, and the sorted paths
    of files that could not be read or decoded (skipped) or parsed with errors (kept)."""
    modules: list[JsModule] = []
    symbols: dict[str, JsSymbols] = {}
    errors: list[str] = []
    for path in paths:
        try:
            source = read_source(base / path)
        except (OSError, SourceDecodeError):
            errors.append(path)
            continue
        module = parse_js_source(source, path)
        if module.has_error:
            errors.append(path)
        modules.append(module)
        symbols[path] = collect_js_symbols(module)
    return modules, symbols, sorted(errors)


def run_js_rules(
    modules: Iterable[JsModule], project: JsProject, rules: Iterable[JsRule]
) -> list[Finding]:
    """Run every rule on every module; findings sorted by (path, line, rule)."""
    rule_list = list(rules)
    findings = [f for module in modules for rule in rule_list for f in rule.check(module, project)]
    findings.sort(key=lambda f: (f.path, f.line, f.rule, f.symbol or ""))
    return findings


def analyze_javascript(root: Path, *, select: Collection[str] | None = None) -> JsAnalysis:
    """Analyse the JS/TS files under directory ``root`` (or the single file ``root``).

    ``select`` holds rule ids (all JS/TS rules when None); ids without the ``js-`` prefix are
    ignored and an unknown ``js-`` id raises ValueError. A missing ``root`` raises
    FileNotFoundError. The import graph is built whatever the selection.
    """
    rules = select_js_rules(select)
    started = time.perf_counter()
    base, paths = _sources(Path(root))
    modules, symbols, parse_errors = load_js_modules(base, paths)
    entry_files = package_entry_files(base, frozenset(symbols))
    project = JsProject(modules, symbols, entry_files=entry_files)
    findings = run_js_rules(modules, project, rules)
    return JsAnalysis(
        findings=findings,
        files_analyzed=len(modules),
        lines_analyzed=sum(m.line_count for m in modules),
        parse_errors=parse_errors,
        graph=project.import_graph(),
        duration_s=round(time.perf_counter() - started, 4),
    )
