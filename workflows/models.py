"""Flow parameters and results shared by the flows, the bot and `blocks/`."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from workflows.analysis.models import AnalysisReport, Category, Finding
from workflows.analysis.options import AnalysisOptions
from workflows.integrations.linear_models import LinearIssueRef

# A Linear issue identifier ("ZAM-1084") or an issue UUID.
LINEAR_ISSUE_ID = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9]{0,9}-[0-9]{1,9}|[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})$"
)


def normalise_issue_id(value: str) -> str:
    """`zam-1084` -> `ZAM-1084` (UUIDs in lower case); ValueError for anything else."""
    value = value.strip()
    if not LINEAR_ISSUE_ID.match(value):
        raise ValueError(f"'{value}' is not a Linear issue identifier such as ZAM-1084")
    return value.lower() if len(value) == 36 else value.upper()


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
    linear_issue_id: str | None = Field(
        None,
        description="a Linear issue (ZAM-1084) to track the analysis in, instead of the one "
        "the flow finds or creates for the component",
    )

    @field_validator("linear_issue_id")
    @classmethod
    def _issue_id_shape(cls, value: str | None) -> str | None:
        return None if value is None else normalise_issue_id(value)


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
