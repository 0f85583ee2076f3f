"""`failure_analysis`: why did a GitHub Actions run fail, what changed since it last passed, is
it flaky, and what to do (re-run, a Linear issue, or a Codegen fix).

Every GitHub read goes through the `github-*` tasks (they show as sub-steps in the Prefect UI);
the log classifier is the pure `workflows.failure_logs` library.
"""

# No `from __future__ import annotations`: Prefect must resolve the parameter types.

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from pydantic import BaseModel

from workflows.config import load_config
from workflows.failure_logs import classify_log
from workflows.failure_logs.advice import recommend, run_kind
from workflows.integrations import github_tasks as gh
from workflows.integrations.actions_history import (
    FAILED,
    Flakiness,
    judge_flakiness,
    last_green_before,
)
from workflows.integrations.github_models import WorkflowJob, WorkflowRun
from workflows.integrations.retrying import IntegrationError
from workflows.models.failure_analysis import (
    FailureAnalysisRequest,
    FailureAnalysisResult,
    JobDiagnosis,
    RunSummary,
    SuspectCommits,
    markdown_summary,
)
from workflows.models.runs import RunOrigin
from workflows.registry import FlowSpec
from workflows.types import WorkflowType

RECENT_RUNS = 50  # runs searched for the latest failed one
GREEN_SEARCH = 100  # successful runs searched for the last green one
MAX_JOBS = 10  # failed jobs whose logs are read
LOG_CHARS = 300_000  # the end of each log: failures are reported last
MAX_SUSPECTS = 50
MAX_SAME_SHA_RUNS = 10


class FailureAnalysisError(Exception):
    """Something the person can fix: missing settings, no such run, nothing failed."""


class FoundRun(BaseModel):
    """The run to analyse and the repository it belongs to."""

    repository: str
    run: WorkflowRun


class JobLog(BaseModel):
    """A failed job and the end of its log (or why it could not be read)."""

    job: WorkflowJob
    log: str | None = None
    note: str | None = None


def _repository(request: FailureAnalysisRequest) -> str:
    """`owner/name` from the run's URL or `GITHUB_REPOSITORY`; a clear error without GitHub."""
    config = load_config()
    repository = request.repository or config.github_repository
    missing = [
        name
        for name, value in (
            ("GITHUB_TOKEN", config.github_token),
            ("GITHUB_REPOSITORY", repository),
        )
        if not value
    ]
    if missing:
        raise FailureAnalysisError(
            f"failure_analysis reads GitHub Actions, and GitHub is not set up: set "
            f"{' and '.join(missing)} (the token needs read access to Actions; the repository "
            "is owner/name)."
        )
    return str(repository)


@task(name="find-run", cache_policy=NONE)
def find_run(request: FailureAnalysisRequest) -> FoundRun:
    """The run named by id or URL, else the latest failed run on the branch."""
    repository = _repository(request)
    if request.run_id is not None:
        run = gh.get_workflow_run(request.run_id, repository=repository)
        return FoundRun(repository=repository, run=run)
    branch = request.branch or gh.get_repository(repository=repository).default_branch
    runs = gh.list_workflow_runs(
        branch=branch, status="failure", limit=RECENT_RUNS, repository=repository
    )
    wanted = [r for r in runs if not request.workflow or r.name == request.workflow]
    if not wanted:
        which = f"{request.workflow} run" if request.workflow else "run"
        raise FailureAnalysisError(
            f"No failed {which} on {branch} among its latest {RECENT_RUNS} failed runs in "
            f"{repository}; give run=<id or URL> to pick one."
        )
    return FoundRun(repository=repository, run=wanted[0])


@task(name="read-logs", cache_policy=NONE, persist_result=False)
def read_logs(found: FoundRun) -> list[JobLog]:
    """The failed jobs of the run's latest attempt, each with the end of its log."""
    jobs = gh.list_run_jobs(found.run.id, repository=found.repository)
    failed = [job for job in jobs if job.conclusion in FAILED]
    logs: list[JobLog] = []
    for job in failed[:MAX_JOBS]:
        try:
            text = gh.download_job_log(job.id, max_chars=LOG_CHARS, repository=found.repository)
        except IntegrationError as exc:  # one unreadable log must not hide the others
            get_run_logger().warning("log of job %s not read: %s", job.name, exc)
            logs.append(JobLog(job=job, note=f"log not read: {exc}"))
            continue
        logs.append(JobLog(job=job, log=text))
    return logs


@task(name="classify", cache_policy=NONE)
def classify_jobs(logs: list[JobLog]) -> list[JobDiagnosis]:
    """Each failed job's kind of failure, evidence lines and failed tests."""
    diagnoses = []
    for item in logs:
        found = classify_log(item.log or "")
        job = item.job
        diagnoses.append(
            JobDiagnosis(
                id=job.id,
                name=job.name,
                conclusion=job.conclusion,
                html_url=job.html_url,
                failed_steps=[step.name for step in job.failed_steps],
                kind=found.kind,
                evidence=found.evidence,
                tests=found.tests,
                note=item.note,
            )
        )
    return diagnoses


@task(name="suspect-commits", cache_policy=NONE)
def suspect_commits(found: FoundRun) -> SuspectCommits:
    """The commits between the last green run of this workflow and branch, and this run."""
    run, repository = found.run, found.repository
    if not run.head_branch:
        return SuspectCommits(note="The run has no branch, so no earlier green run to compare.")
    runs = gh.list_workflow_runs(
        branch=run.head_branch, status="success", limit=GREEN_SEARCH, repository=repository
    )
    green = last_green_before(runs, run)
    if green is None:
        return SuspectCommits(
            note=f"No earlier successful run of {run.name} on {run.head_branch} among the "
            f"latest {GREEN_SEARCH}: no range of commits to suspect."
        )
    last_green = RunSummary.of(green)
    if green.head_sha == run.head_sha:
        return SuspectCommits(
            last_green=last_green,
            note=f"Run #{green.run_number} passed on this same commit: no code changed.",
        )
    try:
        comparison = gh.compare_commits(
            green.head_sha, run.head_sha, limit=MAX_SUSPECTS, repository=repository
        )
    except IntegrationError as exc:  # e.g. a force-push removed the green commit
        return SuspectCommits(last_green=last_green, note=f"Commits not compared: {exc}")
    return SuspectCommits(
        last_green=last_green,
        commits=comparison.commits,
        total=comparison.total_commits,
        compare_url=comparison.html_url,
    )


@task(name="flakiness", cache_policy=NONE)
def flakiness(found: FoundRun, failed_jobs: list[str]) -> Flakiness:
    """Did the failed jobs also pass on this commit (other runs, other attempts)?"""
    run, repository = found.run, found.repository
    if not failed_jobs:
        return Flakiness(flaky=False)
    runs = gh.list_workflow_runs(head_sha=run.head_sha, limit=30, repository=repository)
    same = [r for r in runs if r.workflow_id == run.workflow_id and r.id != run.id]
    tries: list[tuple[WorkflowRun, WorkflowJob]] = []
    for other in [run, *same[: MAX_SAME_SHA_RUNS - 1]]:
        jobs = gh.list_run_jobs(other.id, latest_only=False, repository=repository)
        tries += [(other, job) for job in jobs]
    return judge_flakiness(failed_jobs, tries)


@task(name="recommend", cache_policy=NONE)
def summarise(
    request: FailureAnalysisRequest,
    found: FoundRun,
    jobs: list[JobDiagnosis],
    suspects: SuspectCommits,
    flaky: Flakiness,
) -> FailureAnalysisResult:
    """The recommendation and the typed result, also published as a Prefect artifact."""
    kinds = [job.kind for job in jobs]
    advice = recommend(
        kinds,
        flaky=flaky.flaky,
        repeated=flaky.repeated,
        suspects=suspects.total if suspects.last_green else None,
    )
    result = FailureAnalysisResult(
        request=request,
        repository=found.repository,
        run=RunSummary.of(found.run),
        jobs=jobs,
        kind=run_kind(kinds),
        suspects=suspects,
        flakiness=flaky,
        advice=advice,
        warnings=[f"{job.name}: {job.note}" for job in jobs if job.note],
    )
    create_markdown_artifact(
        markdown=markdown_summary(result),
        key="failure-analysis",
        description=f"Failure analysis of {result.run.title}",
    )
    return result


@flow(name="failure-analysis", persist_result=True, result_serializer="json")
def failure_analysis(
    request: FailureAnalysisRequest, origin: RunOrigin | None = None
) -> FailureAnalysisResult:
    """Classify a failed Actions run's jobs, name suspect commits, judge flakiness, advise."""
    found = find_run(request)
    jobs = classify_jobs(read_logs(found))
    suspects = suspect_commits(found)
    flaky = flakiness(found, [job.name for job in jobs])
    return summarise(request, found, jobs, suspects, flaky)


def failure_title(request: FailureAnalysisRequest) -> str:
    """`Analysing the failure of run 123`."""
    return f"Analysing the failure of {request.describe()}"


SPEC = FlowSpec(
    workflow=WorkflowType.FAILURE_ANALYSIS,
    flow=failure_analysis,
    steps=(
        ("find-run", "Find the run"),
        ("read-logs", "Read the failed jobs' logs"),
        ("classify", "Classify the failures"),
        ("suspect-commits", "Find the commits since the last green run"),
        ("flakiness", "Check this commit's other runs for flakiness"),
        ("recommend", "Recommend what to do"),
    ),
    request_type=FailureAnalysisRequest,
    result_type=FailureAnalysisResult,
    title=failure_title,
)
