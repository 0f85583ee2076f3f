"""GitHub operations as Prefect tasks for the flows.

Each task builds a `GitHubClient` from ``config`` (default: `load_config()`) for ``repository``
(default: ``GITHUB_REPOSITORY``). Prefect does not retry them (``retries=0``): the client's own
layer does, so it can wait exactly as long as GitHub asks. Nothing is cached: they change things.
Pass ``config`` to a task, never to a flow (flow parameters are stored by Prefect).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from workflows.config import OrchestrationConfig, load_config
from workflows.integrations.github_client import GitHubClient
from workflows.integrations.github_models import (
    Branch,
    CheckConclusion,
    CheckResult,
    ClonedRepository,
    CommitComparison,
    CommitStatus,
    Deployment,
    DeploymentState,
    DeploymentStatus,
    GitHubRepository,
    MergeMethod,
    MergeResult,
    PullRequest,
    PullRequestReview,
    ReviewComment,
    ReviewEvent,
    StatusState,
    WorkflowJob,
    WorkflowRun,
)

TASK_OPTIONS: dict[str, Any] = {"retries": 0, "cache_policy": NO_CACHE}


@contextmanager
def github_client(
    config: OrchestrationConfig | None = None, repository: str | None = None
) -> Iterator[GitHubClient]:
    """A client from the settings, closed afterwards."""
    client = GitHubClient.from_config(config or load_config(), repository=repository)
    try:
        yield client
    finally:
        client.close()


@task(name="github-get-repository", **TASK_OPTIONS)
def get_repository(
    *, repository: str | None = None, config: OrchestrationConfig | None = None
) -> GitHubRepository:
    """The repository, with its clone URL and default branch."""
    with github_client(config, repository) as gh:
        return gh.get_repository()


@task(name="github-list-workflow-runs", **TASK_OPTIONS)
def list_workflow_runs(
    branch: str | None = None,
    status: str | None = None,
    limit: int = 30,
    head_sha: str | None = None,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> list[WorkflowRun]:
    """Recent Actions runs, newest first (``status``: a status or a conclusion)."""
    with github_client(config, repository) as gh:
        return gh.list_workflow_runs(branch=branch, status=status, head_sha=head_sha, limit=limit)


@task(name="github-get-workflow-run", **TASK_OPTIONS)
def get_workflow_run(
    run_id: int, *, repository: str | None = None, config: OrchestrationConfig | None = None
) -> WorkflowRun:
    """One Actions run."""
    with github_client(config, repository) as gh:
        return gh.get_workflow_run(run_id)


@task(name="github-list-run-jobs", **TASK_OPTIONS)
def list_run_jobs(
    run_id: int,
    latest_only: bool = True,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> list[WorkflowJob]:
    """The jobs of a run's latest attempt (every attempt's unless ``latest_only``)."""
    with github_client(config, repository) as gh:
        return gh.list_run_jobs(run_id, latest_only=latest_only)


@task(name="github-download-job-log", **TASK_OPTIONS)
def download_job_log(
    job_id: int,
    max_chars: int = 1_000_000,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> str:
    """The end of a job's log."""
    with github_client(config, repository) as gh:
        return gh.download_job_log(job_id, max_chars=max_chars)


@task(name="github-compare-commits", **TASK_OPTIONS)
def compare_commits(
    base: str,
    head: str,
    limit: int = 250,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> CommitComparison:
    """The commits on ``head`` since its merge base with ``base``, oldest first."""
    with github_client(config, repository) as gh:
        return gh.compare_commits(base, head, limit=limit)


@task(name="github-rerun-failed-jobs", **TASK_OPTIONS)
def rerun_failed_jobs(
    run_id: int, *, repository: str | None = None, config: OrchestrationConfig | None = None
) -> None:
    """Re-run the failed jobs of a completed run."""
    with github_client(config, repository) as gh:
        gh.rerun_failed_jobs(run_id)


@task(name="github-dispatch-workflow", **TASK_OPTIONS)
def dispatch_workflow(
    workflow: str,
    ref: str,
    inputs: dict[str, str] | None = None,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> None:
    """Start a ``workflow_dispatch`` run of ``workflow`` (id or file name) on ``ref``."""
    with github_client(config, repository) as gh:
        gh.dispatch_workflow(workflow, ref, inputs)


@task(name="github-create-branch", **TASK_OPTIONS)
def create_branch(
    branch: str,
    from_ref: str | None = None,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> Branch:
    """Create ``branch`` at a sha or branch (default: the default branch)."""
    with github_client(config, repository) as gh:
        return gh.create_branch(branch, from_ref=from_ref)


@task(name="github-delete-branch", **TASK_OPTIONS)
def delete_branch(
    branch: str, *, repository: str | None = None, config: OrchestrationConfig | None = None
) -> None:
    """Delete a branch."""
    with github_client(config, repository) as gh:
        gh.delete_branch(branch)


@task(name="github-create-pull-request", **TASK_OPTIONS)
def create_pull_request(
    head: str,
    title: str,
    body: str = "",
    base: str | None = None,
    draft: bool = False,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> PullRequest:
    """Open a pull request from ``head`` (default base: the default branch)."""
    with github_client(config, repository) as gh:
        return gh.create_pull_request(head=head, title=title, body=body, base=base, draft=draft)


@task(name="github-get-pull-request", **TASK_OPTIONS)
def get_pull_request(
    number: int, *, repository: str | None = None, config: OrchestrationConfig | None = None
) -> PullRequest:
    """One pull request."""
    with github_client(config, repository) as gh:
        return gh.get_pull_request(number)


@task(name="github-review-pull-request", **TASK_OPTIONS)
def review_pull_request(
    number: int,
    event: ReviewEvent = "COMMENT",
    body: str = "",
    comments: list[ReviewComment] | None = None,
    commit_id: str | None = None,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> PullRequestReview:
    """Review a pull request, with line comments (on ``commit_id``'s lines when given)."""
    with github_client(config, repository) as gh:
        return gh.review_pull_request(
            number, event=event, body=body, comments=comments or [], commit_id=commit_id
        )


@task(name="github-merge-pull-request", **TASK_OPTIONS)
def merge_pull_request(
    number: int,
    method: MergeMethod = "squash",
    sha: str | None = None,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> MergeResult:
    """Merge a pull request (only at head ``sha`` when given)."""
    with github_client(config, repository) as gh:
        return gh.merge_pull_request(number, method=method, sha=sha)


@task(name="github-create-commit-status", **TASK_OPTIONS)
def create_commit_status(
    sha: str,
    state: StatusState,
    context: str,
    description: str | None = None,
    target_url: str | None = None,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> CommitStatus:
    """Set a commit status."""
    with github_client(config, repository) as gh:
        return gh.create_commit_status(
            sha, state=state, context=context, description=description, target_url=target_url
        )


@task(name="github-publish-check", **TASK_OPTIONS)
def publish_check(
    sha: str,
    name: str,
    conclusion: CheckConclusion,
    title: str,
    summary: str,
    details_url: str | None = None,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> CheckResult:
    """A check run with a summary (a commit status where check runs are refused)."""
    with github_client(config, repository) as gh:
        return gh.publish_check(
            sha,
            name=name,
            conclusion=conclusion,
            title=title,
            summary=summary,
            details_url=details_url,
        )


@task(name="github-create-deployment", **TASK_OPTIONS)
def create_deployment(
    ref: str,
    environment: str = "production",
    description: str | None = None,
    required_contexts: list[str] | None = None,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> Deployment:
    """Record a deployment of ``ref`` to ``environment``."""
    with github_client(config, repository) as gh:
        return gh.create_deployment(
            ref,
            environment=environment,
            description=description,
            required_contexts=required_contexts,
        )


@task(name="github-create-deployment-status", **TASK_OPTIONS)
def create_deployment_status(
    deployment_id: int,
    state: DeploymentState,
    description: str | None = None,
    log_url: str | None = None,
    environment_url: str | None = None,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> DeploymentStatus:
    """Report a deployment's progress."""
    with github_client(config, repository) as gh:
        return gh.create_deployment_status(
            deployment_id,
            state=state,
            description=description,
            log_url=log_url,
            environment_url=environment_url,
        )


@task(name="github-list-deployments", **TASK_OPTIONS)
def list_deployments(
    environment: str | None = None,
    limit: int = 30,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> list[Deployment]:
    """Deployments, newest first."""
    with github_client(config, repository) as gh:
        return gh.list_deployments(environment=environment, limit=limit)


@task(name="github-clone", **TASK_OPTIONS)
def clone(
    dest: Path,
    branch: str | None = None,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> ClonedRepository:
    """Clone the repository with real git into ``dest``."""
    with github_client(config, repository) as gh:
        return gh.clone(Path(dest), branch=branch)


@task(name="github-fetch", **TASK_OPTIONS)
def fetch(
    workdir: Path,
    refs: list[str],
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> None:
    """Fetch commits or refspecs from GitHub into a clone."""
    with github_client(config, repository) as gh:
        gh.fetch(Path(workdir), *refs)


@task(name="github-push-branch", **TASK_OPTIONS)
def push_branch(
    workdir: Path,
    branch: str,
    force: bool = False,
    *,
    repository: str | None = None,
    config: OrchestrationConfig | None = None,
) -> str:
    """Push a local branch of a clone to GitHub; returns the pushed commit."""
    with github_client(config, repository) as gh:
        return gh.push_branch(Path(workdir), branch, force=force)
