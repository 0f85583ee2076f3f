"""Flow parameters and results shared by the flows, the bot and `blocks/`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from workflows.analysis.models import AnalysisReport, Category, Finding
from workflows.analysis.options import AnalysisOptions


class RunOrigin(BaseModel):
    """Where a run was asked for; the flow carries it but never acts on it."""

    source: str = Field("cli", description="cli, slack, schedule, webhook or workflow_step")
    user: str | None = None
    channel: str | None = None
    thread_ts: str | None = None


class AnalysisRequest(BaseModel):
    """What `component_analysis` analyses: a path (component) inside a repository."""

    repo: str = Field(description="a local path or a git URL")
    component: str = Field("", description="path inside the repository; empty for all of it")
    ref: str | None = Field(None, description="branch, tag or commit; None for what is there")
    options: AnalysisOptions = Field(
        default_factory=AnalysisOptions,
        description="rule selection, confidence floor and whitelist; the default keeps all",
    )


class ComponentAnalysisResult(BaseModel):
    """The outcome of one component analysis, as rendered in Slack and the terminal."""

    request: AnalysisRequest
    commit: str | None = None
    report: AnalysisReport

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
