"""Rendering an `AnalysisReport` as JSON or as compiler-style text lines (SARIF: `sarif.py`)."""

from __future__ import annotations

import json
from typing import Any

from workflows.analysis.models import AnalysisReport, Finding, Severity
from workflows.analysis.scores import category_scores, overall_score

__all__ = ["summary_line", "to_dict", "to_json", "to_text"]

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_GREEN = "\x1b[32m"
_SEVERITY_COLORS = {
    Severity.INFO: "\x1b[36m",
    Severity.WARNING: "\x1b[33m",
    Severity.ERROR: "\x1b[31m",
}


def _finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "confidence": finding.confidence,
        "path": finding.path,
        "line": finding.line,
        "end_line": finding.end_line,
        "message": finding.message,
    }


def to_dict(report: AnalysisReport) -> dict[str, Any]:
    """The report as plain JSON-ready data (the structure `to_json` serialises).

    ``summary`` holds counts, the number of findings with a safe fix, and 0-100 scores per
    category and overall (see `workflows.analysis.scores`); ``graph`` is the import graph, or
    None when it was not built.
    """
    by_rule = sorted(report.counts_by_rule().items(), key=lambda item: (-item[1], item[0]))
    return {
        "findings": [_finding_dict(f) for f in report.findings],
        "summary": {
            "files": report.files_analyzed,
            "lines": report.lines_analyzed,
            "findings": len(report.findings),
            "by_category": report.counts_by_category(),
            "by_rule": dict(by_rule),
            "fixable": sum(1 for f in report.findings if f.fix is not None),
            "scores": category_scores(report),
            "score": overall_score(report),
            "duration_s": round(report.duration_s, 3),
        },
        "graph": report.graph.model_dump(mode="json") if report.graph is not None else None,
    }


def to_json(report: AnalysisReport) -> str:
    """Pretty JSON: ``{"findings": [...], "summary": {...}, "graph": ...}``, stable key order."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def summary_line(report: AnalysisReport) -> str:
    """E.g. "3 findings in 12 files (1,234 lines) in 0.05 s"."""
    count = len(report.findings)
    head = _plural(count, "finding") if count else "No findings"
    line = (
        f"{head} in {_plural(report.files_analyzed, 'file')} "
        f"({_plural(report.lines_analyzed, 'line')}) in {report.duration_s:.2f} s"
    )
    if report.parse_errors:
        line += f"; {_plural(len(report.parse_errors), 'file')} with parse errors"
    return line


def to_text(report: AnalysisReport, *, color: bool = False) -> str:
    """One ``path:line: rule message`` line per finding, then a summary line."""
    lines: list[str] = []
    for finding in report.findings:
        location = f"{finding.path}:{finding.line}:"
        if color:
            rule_color = _SEVERITY_COLORS.get(finding.severity, "")
            location = f"{_BOLD}{location}{_RESET}"
            rule = f"{rule_color}{finding.rule}{_RESET}"
        else:
            rule = finding.rule
        lines.append(f"{location} {rule} {finding.message}")
    summary = summary_line(report)
    if color:
        summary = f"{_GREEN if not report.findings else _BOLD}{summary}{_RESET}"
    lines.append(summary)
    return "\n".join(lines)
