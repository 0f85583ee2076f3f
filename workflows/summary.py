"""Plain-text and Markdown summaries of a component analysis (for artifacts and logs)."""

from __future__ import annotations

from workflows.models import ComponentAnalysisResult


def headline(result: ComponentAnalysisResult) -> str:
    """One line: how many findings in how much code."""
    report = result.report
    count = len(report.findings)
    noun = "finding" if count == 1 else "findings"
    return (
        f"{count} {noun} in {report.files_analyzed} files "
        f"({report.lines_analyzed:,} lines) in {report.duration_s:.2f} s"
    )


def markdown_summary(result: ComponentAnalysisResult, limit: int = 20) -> str:
    """A Markdown report for the Prefect UI: counts, then the top findings."""
    lines = [f"# Component analysis: {result.component_label}", "", headline(result), ""]
    if result.commit:
        lines += [f"Commit `{result.commit[:12]}`", ""]
    lines += ["| category | findings |", "|---|---|"]
    lines += [f"| {name} | {n} |" for name, n in result.report.counts_by_category().items()]
    top = result.top_findings(limit)
    if top:
        lines += ["", "| where | rule | message |", "|---|---|---|"]
        lines += [f"| `{f.path}:{f.line}` | {f.rule} | {f.message} |" for f in top]
    return "\n".join(lines) + "\n"
