"""In-memory state of the emulated GitHub repository, next to its real bare git repository.

Not thread-safe by itself: :class:`~tests.emulators.github.GitHubEmulator` guards it with a lock.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.emulators.github_git import BareRepo

REPO_ID = 1296269


def now_iso() -> str:
    """The current time the way GitHub writes it (``2024-01-01T00:00:00Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Workflow:
    """An Actions workflow file; ``inputs`` maps name -> required."""

    id: int
    name: str
    path: str
    jobs: list[str]
    inputs: dict[str, bool] = field(default_factory=dict)
    state: str = "active"


@dataclass
class Job:
    """One job of a workflow run, with its steps and log text."""

    id: int
    run_id: int
    name: str
    status: str
    conclusion: str | None
    steps: list[dict[str, Any]]
    log: str
    created_at: str
    started_at: str
    completed_at: str | None
    run_attempt: int = 1


@dataclass
class Run:
    """A workflow run."""

    id: int
    workflow_id: int
    name: str
    path: str
    head_branch: str
    head_sha: str
    event: str
    status: str
    conclusion: str | None
    run_number: int
    actor: str
    created_at: str
    updated_at: str
    run_attempt: int = 1
    display_title: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Pull:
    """A pull request; head/base shas are live until it is closed."""

    number: int
    id: int
    title: str
    body: str | None
    head_ref: str
    base_ref: str
    user: str
    draft: bool
    created_at: str
    updated_at: str
    maintainer_can_modify: bool = True
    state: str = "open"
    closed_at: str | None = None
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    merged_by: str | None = None
    head_sha: str | None = None  # frozen at close
    base_sha: str | None = None  # frozen at close


@dataclass
class Review:
    """A pull request review."""

    id: int
    number: int
    user: str
    body: str
    state: str
    commit_id: str
    submitted_at: str | None


@dataclass
class ReviewComment:
    """A line comment of a review."""

    id: int
    review_id: int
    number: int
    path: str
    line: int
    side: str
    body: str
    commit_id: str
    user: str
    created_at: str


@dataclass
class Status:
    """A commit status."""

    id: int
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None
    creator: str
    created_at: str


@dataclass
class CheckRun:
    """A check run."""

    id: int
    head_sha: str
    name: str
    status: str
    conclusion: str | None
    started_at: str
    completed_at: str | None
    output: dict[str, Any]
    details_url: str | None
    external_id: str | None


@dataclass
class Deployment:
    """A deployment of a ref to an environment."""

    id: int
    sha: str
    ref: str
    task: str
    payload: Any
    environment: str
    description: str | None
    creator: str
    created_at: str
    updated_at: str
    transient_environment: bool
    production_environment: bool


@dataclass
class DeploymentStatus:
    """One status of a deployment."""

    id: int
    deployment_id: int
    state: str
    description: str
    environment: str
    target_url: str
    log_url: str
    environment_url: str
    creator: str
    created_at: str


class GitHubState:
    """One repository: its bare git repository, users, Actions, pulls, statuses, deployments."""

    def __init__(self, root: Path, owner: str, name: str, users: dict[str, str]) -> None:
        self.owner = owner
        self.name = name
        self.git = BareRepo(root, owner, name)
        self.users = {login: index for index, login in enumerate(sorted(set(users.values())), 2)}
        self.users.setdefault(owner, 1)
        self.created_at = now_iso()
        self.pushed_at = self.created_at
        self._ids = itertools.count(1000)
        self.workflows: dict[int, Workflow] = {}
        self.runs: dict[int, Run] = {}
        self.jobs: dict[int, Job] = {}
        self.pulls: dict[int, Pull] = {}
        self.reviews: dict[int, Review] = {}
        self.review_comments: dict[int, ReviewComment] = {}
        self.statuses: list[Status] = []
        self.check_runs: dict[int, CheckRun] = {}
        self.deployments: dict[int, Deployment] = {}
        self.deployment_statuses: list[DeploymentStatus] = []
        self.next_number = 1

    @property
    def full_name(self) -> str:
        """``owner/name``."""
        return f"{self.owner}/{self.name}"

    def new_id(self) -> int:
        """A fresh id, unique across every kind of object."""
        return next(self._ids)

    def user_id(self, login: str) -> int:
        """The numeric id of ``login`` (new logins get one)."""
        return self.users.setdefault(login, len(self.users) + 2)

    def add_workflow(
        self, name: str, path: str, jobs: list[str], inputs: dict[str, bool] | None = None
    ) -> Workflow:
        """Declare a workflow file."""
        workflow = Workflow(self.new_id(), name, path, jobs, dict(inputs or {}))
        self.workflows[workflow.id] = workflow
        return workflow

    def find_workflow(self, id_or_file: str) -> Workflow | None:
        """A workflow by numeric id or by file name (``ci.yml``)."""
        for workflow in self.workflows.values():
            if id_or_file in (str(workflow.id), Path(workflow.path).name, workflow.path):
                return workflow
        return None

    def add_run(
        self,
        workflow: Workflow,
        *,
        branch: str,
        sha: str,
        event: str = "push",
        status: str = "completed",
        conclusion: str | None = "success",
        jobs: list[dict[str, Any]] | None = None,
        actor: str | None = None,
        inputs: dict[str, Any] | None = None,
    ) -> Run:
        """A workflow run and its jobs; each job spec: name, conclusion, log, failed_step."""
        stamp = now_iso()
        number = 1 + sum(1 for r in self.runs.values() if r.workflow_id == workflow.id)
        run = Run(
            id=self.new_id(),
            workflow_id=workflow.id,
            name=workflow.name,
            path=workflow.path,
            head_branch=branch,
            head_sha=sha,
            event=event,
            status=status,
            conclusion=conclusion if status == "completed" else None,
            run_number=number,
            actor=actor or self.owner,
            created_at=stamp,
            updated_at=stamp,
            display_title=f"{workflow.name} on {branch}",
            inputs=dict(inputs or {}),
        )
        self.runs[run.id] = run
        specs = jobs if jobs is not None else [{"name": name} for name in workflow.jobs]
        for spec in specs:
            self.add_job(run, spec)
        return run

    def add_job(self, run: Run, spec: dict[str, Any]) -> Job:
        """One job of ``run`` (status follows the run unless the spec says otherwise)."""
        status = spec.get("status", run.status)
        conclusion = spec.get("conclusion", run.conclusion) if status == "completed" else None
        stamp = now_iso()
        name = spec["name"]
        failed_step = spec.get("failed_step", "Run tests")
        steps = [
            {"name": "Set up job", "status": status, "conclusion": conclusion and "success"},
            {"name": failed_step, "status": status, "conclusion": conclusion},
            {"name": "Complete job", "status": status, "conclusion": conclusion and "success"},
        ]
        for number, step in enumerate(steps, 1):
            step.update(
                number=number,
                started_at=stamp,
                completed_at=stamp if status == "completed" else None,
            )
        log = spec.get("log")
        if log is None:
            log = f"{stamp} ##[group]Run {name}\n{stamp} {name}: {conclusion or status}\n"
        job = Job(
            id=self.new_id(),
            run_id=run.id,
            name=name,
            status=status,
            conclusion=conclusion,
            steps=steps,
            log=log,
            created_at=stamp,
            started_at=stamp,
            completed_at=stamp if status == "completed" else None,
            run_attempt=run.run_attempt,
        )
        self.jobs[job.id] = job
        return job

    def jobs_of(self, run_id: int) -> list[Job]:
        """The jobs of a run, in creation order."""
        return [job for job in self.jobs.values() if job.run_id == run_id]

    def pull_shas(self, pull: Pull) -> tuple[str, str]:
        """Head and base shas: frozen once closed, else the branches' current heads."""
        head = pull.head_sha or self.git.branch_sha(pull.head_ref) or ""
        base = pull.base_sha or self.git.branch_sha(pull.base_ref) or ""
        return head, base


def seed_actions(state: GitHubState) -> None:
    """Two workflows (CI; Deploy with inputs) and two CI runs on main: one green, one red."""
    ci = state.add_workflow("CI", ".github/workflows/ci.yml", ["lint", "test"])
    state.add_workflow(
        "Deploy",
        ".github/workflows/deploy.yml",
        ["deploy"],
        inputs={"environment": True, "version": False},
    )
    sha = state.git.seed_sha
    state.add_run(ci, branch="main", sha=sha)
    failing_log = (
        "2024-01-01T00:00:00.0000000Z ##[group]Run pytest\n"
        "2024-01-01T00:00:01.0000000Z FAILED tests/test_app.py::test_add - assert 3 == 4\n"
        "2024-01-01T00:00:01.1000000Z ##[error]Process completed with exit code 1.\n"
    )
    state.add_run(
        ci,
        branch="main",
        sha=sha,
        conclusion="failure",
        jobs=[
            {"name": "lint", "conclusion": "success"},
            {"name": "test", "conclusion": "failure", "log": failing_log},
        ],
    )
