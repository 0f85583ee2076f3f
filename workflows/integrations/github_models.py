"""What the GitHub integration hands to flows: plain pydantic models, never PyGithub objects."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

MergeMethod = Literal["merge", "squash", "rebase"]
ReviewEvent = Literal["COMMENT", "APPROVE", "REQUEST_CHANGES"]
StatusState = Literal["error", "failure", "pending", "success"]
CheckConclusion = Literal[
    "action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out"
]
DeploymentState = Literal[
    "error", "failure", "inactive", "in_progress", "queued", "pending", "success"
]


class GitHubRepository(BaseModel):
    """A repository: where to clone it from and which branch is the default."""

    full_name: str
    default_branch: str
    clone_url: str
    html_url: str
    private: bool


class WorkflowStep(BaseModel):
    """One step of a job."""

    number: int
    name: str
    status: str
    conclusion: str | None = None


class WorkflowJob(BaseModel):
    """One job of a workflow run."""

    id: int
    run_id: int
    name: str
    status: str
    conclusion: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    html_url: str | None = None
    steps: list[WorkflowStep] = Field(default_factory=list)
    run_attempt: int = 1

    @property
    def failed_steps(self) -> list[WorkflowStep]:
        """Steps that ended in failure."""
        return [step for step in self.steps if step.conclusion == "failure"]


class WorkflowRun(BaseModel):
    """A GitHub Actions workflow run."""

    id: int
    name: str | None = None
    workflow_id: int
    path: str | None = Field(None, description="the workflow file, `.github/workflows/ci.yml@main`")
    head_branch: str | None = None
    head_sha: str
    event: str
    status: str | None = None
    conclusion: str | None = None
    run_number: int
    run_attempt: int = 1
    html_url: str
    created_at: datetime
    updated_at: datetime


class CommitSummary(BaseModel):
    """A commit as a list of changes shows it: who, when, what."""

    sha: str
    message: str
    author_name: str | None = None
    author_login: str | None = Field(None, description="the GitHub account, when GitHub knows it")
    authored_at: datetime | None = None
    html_url: str | None = None

    @property
    def title(self) -> str:
        """The message's first line."""
        return self.message.splitlines()[0] if self.message else ""


class CommitComparison(BaseModel):
    """``base...head``: the commits on ``head`` since the merge base, oldest first."""

    base: str
    head: str
    status: str = Field(description="ahead, behind, diverged or identical")
    ahead_by: int
    behind_by: int
    total_commits: int
    commits: list[CommitSummary] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list, description="paths changed since the base")
    html_url: str | None = None


class PullRequest(BaseModel):
    """A pull request."""

    number: int
    title: str
    body: str | None = None
    state: str
    draft: bool = False
    author: str | None = None
    html_url: str
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str | None = None
    merged: bool = False
    mergeable: bool | None = None
    merge_commit_sha: str | None = None


class ReviewComment(BaseModel):
    """A comment on one line of a file in the pull request's diff (the new side by default)."""

    path: str
    line: int = Field(ge=1)
    body: str = Field(min_length=1)
    side: Literal["LEFT", "RIGHT"] = "RIGHT"


class PullRequestReview(BaseModel):
    """A submitted review."""

    id: int
    state: str
    body: str | None = None
    reviewer: str | None = None
    commit_id: str | None = None
    html_url: str


class MergeResult(BaseModel):
    """The outcome of merging a pull request."""

    merged: bool
    sha: str | None = None
    message: str


class Branch(BaseModel):
    """A branch and the commit it points at."""

    name: str
    sha: str


class CommitStatus(BaseModel):
    """A commit status (the small coloured dot next to a commit)."""

    id: int
    state: str
    context: str
    description: str | None = None
    target_url: str | None = None


class CheckResult(BaseModel):
    """A check published on a commit: a check run, or a commit status where runs are refused."""

    kind: Literal["check_run", "commit_status"]
    id: int
    name: str
    conclusion: str
    html_url: str | None = None


class Deployment(BaseModel):
    """A deployment of a ref to an environment."""

    id: int
    ref: str
    sha: str
    environment: str
    task: str
    description: str | None = None
    created_at: datetime


class DeploymentStatus(BaseModel):
    """One status update of a deployment."""

    id: int
    deployment_id: int
    state: str
    environment: str | None = None
    description: str | None = None
    log_url: str | None = None
    environment_url: str | None = None


class ClonedRepository(BaseModel):
    """A clone on disk; ``source`` is the clone URL without credentials."""

    path: str
    source: str
    branch: str
    commit: str
