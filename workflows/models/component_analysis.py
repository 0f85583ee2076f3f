"""`component_analysis`'s request and result, and their plain-text and Markdown summaries."""

from __future__ import annotations

from pydantic import BaseModel, Field

from workflows.analysis.models import AnalysisReport, Category, Finding
from workflows.analysis.options import AnalysisOptions
from workflows.integrations.linear_models import LinearIssueRef
from workflows.models.runs import GitRef, IssueId


class AnalysisRequest(BaseModel):
    """What `component_analysis` analyses: a path (component) inside a repository."""

    repo: str = Field(description="a local path or a git URL")
    component: str = Field("", description="path inside the repository; empty for all of it")
    ref: GitRef | None = Field(None, description="branch, tag or commit; None for what is there")
    options: AnalysisOptions = Field(
        default_factory=AnalysisOptions,
        description="rule selection, confidence floor and whitelist; the default keeps all",
    )
    linear_issue_id: IssueId | None = Field(
        None,
        description="a Linear issue (ZAM-1084) to track the analysis in, instead of the one "
        "the flow finds or creates for the component",
    )


class ComponentAnalysisResult(BaseModel):
    """The outcome of one component analysis, as rendered in Slack and the terminal."""

    request: AnalysisRequest
    commit: str | None = None
    report: AnalysisReport
    linear_issue: LinearIssueRef | None = Field(
        None, description="the Linear issue the analysis was recorded in, when Linear is set up"
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="what went wrong around the analysis (e.g. Linear) without spoiling it",
    )

    @property
    def component_label(self) -> str:
        """The component as a person would name it."""
        return self.request.component or "(whole repository)"

    def top_findings(self, limit: int = 10) -> list[Finding]:
        """The problems to show first: most severe, most certain, then by place.

        Integration points are an inventory, not problems: they are counted, not listed.
        """
        order = {"error": 0, "warning": 1, "info": 2}
        problems = [f for f in self.report.findings if f.category != Category.INTEGRATION]
        ranked = sorted(
            problems, key=lambda f: (order[f.severity.value], -f.confidence, f.path, f.line)
        )
        return ranked[:limit]


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
