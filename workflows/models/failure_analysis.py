"""`failure_analysis`'s request and result, and the result's Markdown summary."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from workflows.analysis.models import Finding
from workflows.failure_logs import LABELS, EvidenceLine, FailingTest, FailureKind
from workflows.failure_logs.advice import Advice
from workflows.failure_logs.findings import job_findings
from workflows.integrations.actions_history import Flakiness
from workflows.integrations.github_models import CommitSummary, WorkflowRun
from workflows.models.result_findings import ResultSource

# https://github.com/acme/widgets/actions/runs/123[/job/456 | /attempts/2] (any host: GHES)
RUN_URL = re.compile(
    r"^https?://[^/\s]+/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+)/actions/runs/(?P<run>\d+)(?:[/?#]\S*)?$"
)


class FailureAnalysisRequest(BaseModel):
    """Which failed GitHub Actions run to analyse."""

    run: str | None = Field(
        None,
        description="the Actions run: its id (9876543210) or its URL "
        "(https://github.com/owner/name/actions/runs/9876543210); empty: the latest failed "
        "run on `branch`",
    )
    branch: str | None = Field(
        None,
        description="without `run`: the branch whose latest failed run to analyse "
        "(default: the repository's default branch)",
    )
    workflow: str | None = Field(
        None, description="without `run`: only runs of the workflow with this name (e.g. CI)"
    )

    @field_validator("run")
    @classmethod
    def _run_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().strip("<>")  # Slack wraps links in <...>
        if value.isdigit() or RUN_URL.match(value):
            return value
        raise ValueError(
            "run must be an Actions run id or its URL "
            "(https://github.com/owner/name/actions/runs/123)"
        )

    @property
    def run_id(self) -> int | None:
        """The run's id, from the id or the URL."""
        if self.run is None:
            return None
        match = RUN_URL.match(self.run)
        return int(match["run"]) if match else int(self.run)

    @property
    def repository(self) -> str | None:
        """`owner/name` when the run was given by URL (else `GITHUB_REPOSITORY` applies)."""
        match = RUN_URL.match(self.run or "")
        return f"{match['owner']}/{match['name']}" if match else None

    def describe(self) -> str:
        """`run 123`, `the latest failed CI run on main`."""
        if self.run_id is not None:
            return f"run {self.run_id}"
        which = f"{self.workflow} run" if self.workflow else "run"
        return f"the latest failed {which} on {self.branch or 'the default branch'}"


class RunSummary(BaseModel):
    """An Actions run as the result shows it."""

    id: int
    workflow: str
    workflow_id: int
    workflow_path: str | None = Field(None, description="`.github/workflows/ci.yml`")
    number: int
    attempt: int = 1
    branch: str | None = None
    head_sha: str
    event: str
    status: str | None = None
    conclusion: str | None = None
    html_url: str
    created_at: datetime

    @classmethod
    def of(cls, run: WorkflowRun) -> RunSummary:
        """From the GitHub model."""
        return cls(
            id=run.id,
            workflow=run.name or f"workflow {run.workflow_id}",
            workflow_id=run.workflow_id,
            workflow_path=run.path.split("@", 1)[0] if run.path else None,
            number=run.run_number,
            attempt=run.run_attempt,
            branch=run.head_branch,
            head_sha=run.head_sha,
            event=run.event,
            status=run.status,
            conclusion=run.conclusion,
            html_url=run.html_url,
            created_at=run.created_at,
        )

    @property
    def title(self) -> str:
        """`CI #42 on main`."""
        where = f" on {self.branch}" if self.branch else ""
        return f"{self.workflow} #{self.number}{where}"


class JobDiagnosis(BaseModel):
    """One failed job: what kind of failure, the evidence, the failed tests."""

    id: int
    name: str
    conclusion: str | None = None
    html_url: str | None = None
    failed_steps: list[str] = Field(default_factory=list)
    kind: FailureKind
    evidence: list[EvidenceLine] = Field(default_factory=list)
    tests: list[FailingTest] = Field(default_factory=list)
    note: str | None = Field(None, description="why the log could not be read, if it could not")

    @property
    def label(self) -> str:
        """`Test failure`, ..."""
        return LABELS[self.kind]


class SuspectCommits(BaseModel):
    """The commits between the last green run and this red one."""

    last_green: RunSummary | None = None
    commits: list[CommitSummary] = Field(default_factory=list, description="oldest first")
    total: int = 0
    compare_url: str | None = None
    note: str | None = Field(None, description="why there is no range, when there is none")


class FailureAnalysisResult(BaseModel):
    """Why an Actions run failed, what changed since it last passed, and what to do."""

    request: FailureAnalysisRequest
    repository: str
    run: RunSummary
    jobs: list[JobDiagnosis] = Field(default_factory=list, description="the failed jobs")
    kind: FailureKind = Field(description="the kind of failure that speaks for the run")
    suspects: SuspectCommits
    flakiness: Flakiness
    advice: Advice
    warnings: list[str] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """The run's kind of failure, for people."""
        return LABELS[self.kind]

    def headline(self) -> str:
        """`Test failure in 1 of the failed jobs · flaky` (short: it goes on the parent message)."""
        if not self.jobs:
            return "no failed job"
        count = len(self.jobs)
        verdict = " · flaky" if self.flakiness.flaky else ""
        return f"{self.label} ({count} failed job{'s' if count != 1 else ''}){verdict}"

    # -- what the result buttons (Open issue, Ask for a fix) read --------------------------

    def top_findings(self, limit: int = 10) -> list[Finding]:
        """The failing tests, located lint and build errors (else the failed job), job by job
        as the message lists them; the same error in several jobs (a matrix) once."""
        found: dict[tuple[str, str, int, str], Finding] = {}
        for job in self.jobs:
            where = self.run.workflow_path
            for f in job_findings(job.kind, job.name, job.tests, job.evidence, where):
                found.setdefault((f.rule, f.path, f.line, f.message), f)
        return list(found.values())[:limit]

    def result_source(self) -> ResultSource:
        """The run's repository and commit; paths are from the repository's top."""
        return ResultSource(commit=self.run.head_sha, github_repository=self.repository)

    def issue_title(self) -> str:
        """`CI #42 failed: test failure`."""
        return f"{self.run.workflow} #{self.run.number} failed: {self.label.lower()}"

    def issue_details(self) -> list[str]:
        """The run, the recommendation, each job's evidence and the suspect commits."""
        return summary_lines(self)

    def nothing_to_fix(self) -> str:
        """No job failed, or it failed outside the code (a flake, a timeout, memory)."""
        if not self.jobs:
            return "✨ No job of this run failed; there is nothing to fix."
        return (
            f"✨ Nothing in the code to fix: {self.run.title} failed with "
            f"{self.label.lower()}. Recommended: {self.advice.label}. {self.advice.reason}"
        )

    def nothing_to_report(self) -> str | None:
        """A failure is always worth an issue (it describes the failure); no failed job is not."""
        return None if self.jobs else "✨ No job of this run failed; there is nothing to report."


def summary_lines(result: FailureAnalysisResult) -> list[str]:
    """The report's body in Markdown: run, recommendation, flakiness, jobs, suspect commits."""
    run = result.run
    lines = [
        f"[Run {run.id}]({run.html_url}) · commit `{run.head_sha[:12]}` · {result.headline()}",
        "",
        f"**Recommendation:** {result.advice.label}. {result.advice.reason}",
        "",
        result.flakiness.summary(run.head_sha[:7]),
        "",
    ]
    for job in result.jobs:
        lines += [f"## {job.name}: {job.label}", ""]
        lines += [f"- `{t.id}`" + (f": {t.assertion}" if t.assertion else "") for t in job.tests]
        if job.evidence:
            lines += ["", "```", *(f"{e.line}: {e.text}" for e in job.evidence), "```"]
        lines.append("")
    suspects = result.suspects
    if suspects.commits:
        lines += [f"## Suspect commits ({suspects.total})", ""]
        lines += [f"- `{c.sha[:7]}` {c.title} ({c.author_name or '?'})" for c in suspects.commits]
    elif suspects.note:
        lines += [suspects.note]
    return lines


def markdown_summary(result: FailureAnalysisResult) -> str:
    """A Markdown report for the Prefect UI."""
    lines = [f"# Failure analysis: {result.run.title}", "", *summary_lines(result)]
    return "\n".join(lines) + "\n"
