"""Scores from 0 to 100 per category (and overall), for summaries such as the Slack result.

Formula. Each finding costs ``weight(severity) * confidence / 100`` points, with weights
info 1, warning 3, error 10. A category's cost is divided by the size of the code in thousands
of lines (a code base under 1,000 lines counts as 1,000 lines), giving a density ``d`` of
weighted findings per 1,000 lines, and

    score = 100 * K / (K + d)        with K = 25

so a clean category scores 100, ``d = 25`` (about eight warnings per 1,000 lines) scores 50,
and the score falls smoothly towards 0 without reaching it. Dividing by size means a big code
base is not punished for being big. The overall score applies the same formula to the cost of
all findings together.
"""

from __future__ import annotations

from collections.abc import Iterable

from workflows.analysis.models import AnalysisReport, Category, Finding, Severity

__all__ = [
    "HALF_SCORE_DENSITY",
    "MIN_LINES",
    "SEVERITY_WEIGHTS",
    "category_scores",
    "cost",
    "overall_score",
    "score",
]

SEVERITY_WEIGHTS: dict[Severity, float] = {
    Severity.INFO: 1.0,
    Severity.WARNING: 3.0,
    Severity.ERROR: 10.0,
}
HALF_SCORE_DENSITY = 25.0
"""Weighted findings per 1,000 lines at which a score is 50."""
MIN_LINES = 1_000
"""Smaller code bases count as this many lines, so one finding in a tiny file is not fatal."""


def cost(findings: Iterable[Finding]) -> float:
    """The weighted cost of ``findings``: severity weight times confidence, summed."""
    return sum(SEVERITY_WEIGHTS[f.severity] * f.confidence / 100 for f in findings)


def score(weighted_cost: float, lines: int) -> float:
    """The 0-100 score of a cost over ``lines`` lines of code, rounded to one decimal."""
    density = weighted_cost / (max(lines, MIN_LINES) / 1_000)
    return round(100 * HALF_SCORE_DENSITY / (HALF_SCORE_DENSITY + density), 1)


def category_scores(report: AnalysisReport) -> dict[str, float]:
    """Score per category value, every category present (100.0 when it has no findings)."""
    by_category: dict[str, list[Finding]] = {c.value: [] for c in Category}
    for finding in report.findings:
        by_category[finding.category.value].append(finding)
    return {name: score(cost(found), report.lines_analyzed) for name, found in by_category.items()}


def overall_score(report: AnalysisReport) -> float:
    """One score for the whole report: the same formula over every finding."""
    return score(cost(report.findings), report.lines_analyzed)
