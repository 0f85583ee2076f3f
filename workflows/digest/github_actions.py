"""GitHub Actions over the digest's period: runs, success rate, failing, flaky and slow.

Rules:
- a run counts in the period it was *created* in; its success rate is succeeded among
  succeeded and failed (`failure`, `timed_out`, `startup_failure`); cancelled and skipped
  runs count as runs but not in the rate;
- a workflow is *flaky* when, in the period, its runs on one commit both failed and
  succeeded, or a run succeeded on a re-run (attempt 2 or later);
- the slowest jobs are read from the newest `JOB_RUNS` completed runs of the period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from workflows.config import OrchestrationConfig
from workflows.integrations.github_actions import _run as run_model
from workflows.integrations.github_client import GitHubClient
from workflows.integrations.github_models import WorkflowJob, WorkflowRun
from workflows.integrations.retrying import IntegrationError
from workflows.models.slack_notifications import (
    ActionsDigest,
    DayPoint,
    Link,
    Period,
    SlowJob,
    Source,
    SourceState,
    WorkflowFailures,
)

FAILED = frozenset({"failure", "timed_out", "startup_failure"})
MAX_RUNS = 1000
JOB_RUNS = 50
SERIES_DAYS = 7  # the chart shows at least a week
TOP_FAILING = 5
TOP_SLOW = 3
NOT_CONNECTED = "GitHub is not connected: set GITHUB_TOKEN and GITHUB_REPOSITORY"


class ActionsReader(GitHubClient):
    """The runs created since a moment, newest first."""

    def runs_since(self, since: datetime) -> list[WorkflowRun]:
        """Every run created at or after `since` (at most `MAX_RUNS`)."""

        def call() -> list[WorkflowRun]:
            stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
            found: list[WorkflowRun] = []
            for run in self._repo.get_workflow_runs(created=f">={stamp}"):
                model = run_model(run)
                if model.created_at < since:  # newest first: the rest is older
                    break
                found.append(model)
                if len(found) >= MAX_RUNS:
                    break
            return found

        return self._call("list workflow runs", call)


def series_start(period: Period) -> datetime:
    """The first moment the chart and the trend need: a week of days or the previous period."""
    days = max(SERIES_DAYS, -(-period.hours // 24))
    first_day = (period.end - timedelta(days=days - 1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return min(first_day, period.previous.start)


def collect_actions(config: OrchestrationConfig, period: Period) -> ActionsDigest:
    """Read the runs (and the newest runs' jobs) and summarise them; never raises."""
    if config.github_token is None or not config.github_repository:
        return ActionsDigest(source=Source(state=SourceState.NOT_CONNECTED, message=NOT_CONNECTED))
    try:
        with ActionsReader.from_config(config) as github:
            runs = github.runs_since(series_start(period))
            newest = sorted(
                (r for r in runs if period.holds(r.created_at) and r.status == "completed"),
                key=lambda r: (r.created_at, r.id),
                reverse=True,
            )[:JOB_RUNS]
            jobs = {r.id: github.list_run_jobs(r.id) for r in newest}
    except IntegrationError as exc:
        message = f"GitHub could not be read: {exc.message}"
        return ActionsDigest(source=Source(state=SourceState.ERROR, message=message))
    return summarize_actions(runs, jobs, period, repository=config.github_repository)


def summarize_actions(
    runs: list[WorkflowRun],
    jobs: dict[int, list[WorkflowJob]],
    period: Period,
    *,
    repository: str = "",
) -> ActionsDigest:
    """The digest's Actions numbers from the runs (any order) and some runs' jobs."""
    current = [r for r in runs if period.holds(r.created_at)]
    previous = [r for r in runs if period.previous.holds(r.created_at)]
    return ActionsDigest(
        repository=repository,
        runs=len(current),
        succeeded=sum(1 for r in current if r.conclusion == "success"),
        failed=sum(1 for r in current if r.conclusion in FAILED),
        previous_runs=len(previous),
        previous_succeeded=sum(1 for r in previous if r.conclusion == "success"),
        previous_failed=sum(1 for r in previous if r.conclusion in FAILED),
        failing=failing_workflows(current),
        flaky=flaky_workflows(current),
        slowest=slowest_jobs(current, jobs),
        series=daily_series(runs, series_start(period), period.end),
    )


def _name(run: WorkflowRun) -> str:
    return run.name or (run.path or "").split("@")[0] or f"workflow {run.workflow_id}"


def _newest(runs: list[WorkflowRun]) -> WorkflowRun:
    return max(runs, key=lambda r: (r.created_at, r.id))


def failing_workflows(runs: list[WorkflowRun]) -> list[WorkflowFailures]:
    """Workflows with failed runs, most failures first, each with its latest failed run."""
    by_name: dict[str, list[WorkflowRun]] = defaultdict(list)
    for run in runs:
        by_name[_name(run)].append(run)
    found = []
    for name, all_runs in by_name.items():
        failed = [r for r in all_runs if r.conclusion in FAILED]
        if failed:
            found.append(
                WorkflowFailures(
                    name=name,
                    failures=len(failed),
                    runs=len(all_runs),
                    url=_newest(failed).html_url,
                )
            )
    found.sort(key=lambda f: (-f.failures, f.name))
    return found[:TOP_FAILING]


def flaky_workflows(runs: list[WorkflowRun]) -> list[Link]:
    """One link per flaky workflow (see the module docstring), to the run that shows it."""
    by_commit: dict[tuple[str, str], list[WorkflowRun]] = defaultdict(list)
    for run in runs:
        by_commit[(_name(run), run.head_sha)].append(run)
    flaky: dict[str, Link] = {}
    for (name, sha), same in sorted(by_commit.items()):
        failed = [r for r in same if r.conclusion in FAILED]
        passed = [r for r in same if r.conclusion == "success"]
        retried = [r for r in passed if r.run_attempt > 1]
        if failed and passed:
            detail = f"failed and passed on {sha[:7]}"
            flaky.setdefault(name, Link(title=name, url=_newest(failed).html_url, detail=detail))
        elif retried:
            run = _newest(retried)
            detail = f"passed on attempt {run.run_attempt} of {sha[:7]}"
            flaky.setdefault(name, Link(title=name, url=run.html_url, detail=detail))
    return sorted(flaky.values(), key=lambda link: link.title)


def slowest_jobs(runs: list[WorkflowRun], jobs: dict[int, list[WorkflowJob]]) -> list[SlowJob]:
    """The `TOP_SLOW` longest finished jobs of `runs` (of those whose jobs were read)."""
    timed = []
    for run in runs:
        for job in jobs.get(run.id, []):
            if job.started_at is None or job.completed_at is None:
                continue
            seconds = (job.completed_at - job.started_at).total_seconds()
            url = job.html_url or run.html_url
            timed.append(SlowJob(name=job.name, workflow=_name(run), seconds=seconds, url=url))
    timed.sort(key=lambda j: (-j.seconds, j.workflow, j.name))
    return timed[:TOP_SLOW]


def daily_series(runs: list[WorkflowRun], start: datetime, end: datetime) -> list[DayPoint]:
    """Runs and failures per UTC day from `start`'s day to `end`'s day, empty days included."""
    points: dict[object, DayPoint] = {}
    day = start.date()
    while day <= end.date():
        points[day] = DayPoint(day=day)
        day += timedelta(days=1)
    for run in runs:
        point = points.get(run.created_at.date())
        if point is None or not start <= run.created_at < end:
            continue
        point.runs += 1
        point.failures += run.conclusion in FAILED
    return list(points.values())
