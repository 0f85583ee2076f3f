"""Emulated GitHub Actions: workflows, runs, jobs, logs, re-runs and ``workflow_dispatch``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.emulators import github_shapes as shapes
from tests.emulators.github_http import ApiError, Reply, invalid, not_found
from tests.emulators.github_routes import Ctx, route
from tests.emulators.github_shapes import Urls, node_id, user
from tests.emulators.github_state import REPO_ID, GitHubState, Job, Run, Workflow, now_iso

RUN_CONCLUSIONS = {
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "stale",
    "timed_out",
    "startup_failure",
}


def workflow_shape(urls: Urls, wf: Workflow) -> dict[str, Any]:
    """A ``workflow``."""
    return {
        "id": wf.id,
        "node_id": node_id("Workflow", wf.id),
        "name": wf.name,
        "path": wf.path,
        "state": wf.state,
        "created_at": "2020-01-08T23:48:37.000-08:00",
        "updated_at": "2020-01-08T23:50:21.000-08:00",
        "url": f"{urls.repo}/actions/workflows/{wf.id}",
        "html_url": f"{urls.repo_web}/blob/main/{wf.path}",
        "badge_url": f"{urls.repo_web}/workflows/{wf.name}/badge.svg",
    }


def workflow_run_shape(urls: Urls, state: GitHubState, run: Run) -> dict[str, Any]:
    """A ``workflow-run``."""
    base = f"{urls.repo}/actions/runs/{run.id}"
    minimal = shapes.repository(urls, state, full=False)
    prs = [
        {
            "id": p.id,
            "number": p.number,
            "url": f"{urls.repo}/pulls/{p.number}",
            "head": {"ref": p.head_ref, "sha": state.pull_shas(p)[0], "repo": _repo_ref(urls)},
            "base": {"ref": p.base_ref, "sha": state.pull_shas(p)[1], "repo": _repo_ref(urls)},
        }
        for p in state.pulls.values()
        if p.state == "open" and p.head_ref == run.head_branch
    ]
    return {
        "id": run.id,
        "name": run.name,
        "node_id": node_id("WorkflowRun", run.id),
        "check_suite_id": run.id + 1,
        "check_suite_node_id": node_id("CheckSuite", run.id + 1),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": f"{run.path}@{run.head_branch}",
        "run_number": run.run_number,
        "event": run.event,
        "display_title": run.display_title,
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": run.workflow_id,
        "url": base,
        "html_url": f"{urls.repo_web}/actions/runs/{run.id}",
        "pull_requests": prs,
        "created_at": run.created_at,
        "updated_at": run.updated_at,
        "actor": user(urls, state, run.actor),
        "triggering_actor": user(urls, state, run.actor),
        "run_attempt": run.run_attempt,
        "referenced_workflows": [],
        "run_started_at": run.created_at,
        "jobs_url": f"{base}/jobs",
        "logs_url": f"{base}/logs",
        "check_suite_url": f"{urls.repo}/check-suites/{run.id + 1}",
        "artifacts_url": f"{base}/artifacts",
        "cancel_url": f"{base}/cancel",
        "rerun_url": f"{base}/rerun",
        "previous_attempt_url": f"{base}/attempts/{run.run_attempt - 1}"
        if run.run_attempt > 1
        else None,
        "workflow_url": f"{urls.repo}/actions/workflows/{run.workflow_id}",
        "head_commit": shapes.simple_commit(state, run.head_sha),
        "repository": minimal,
        "head_repository": minimal,
    }


def _repo_ref(urls: Urls) -> dict[str, Any]:
    return {"id": REPO_ID, "url": urls.repo, "name": urls.name}


def job_shape(urls: Urls, state: GitHubState, j: Job) -> dict[str, Any]:
    """A ``job``."""
    run = state.runs[j.run_id]
    return {
        "id": j.id,
        "run_id": j.run_id,
        "workflow_name": run.name,
        "head_branch": run.head_branch,
        "run_url": f"{urls.repo}/actions/runs/{j.run_id}",
        "run_attempt": j.run_attempt,
        "node_id": node_id("CheckRun", j.id),
        "head_sha": run.head_sha,
        "url": f"{urls.repo}/actions/jobs/{j.id}",
        "html_url": f"{urls.repo_web}/actions/runs/{j.run_id}/job/{j.id}",
        "status": j.status,
        "conclusion": j.conclusion,
        "created_at": j.created_at,
        "started_at": j.started_at,
        "completed_at": j.completed_at,
        "name": j.name,
        "steps": j.steps,
        "check_run_url": f"{urls.repo}/check-runs/{j.id}",
        "labels": ["ubuntu-latest"],
        "runner_id": 1 if j.status != "queued" else None,
        "runner_name": "GitHub Actions 1" if j.status != "queued" else None,
        "runner_group_id": 1 if j.status != "queued" else None,
        "runner_group_name": "GitHub Actions" if j.status != "queued" else None,
    }


# -- Actions ------------------------------------------------------------------------------------


@route("GET", "/actions/workflows")
def list_workflows(ctx: Ctx) -> Reply:
    """``actions/list-repo-workflows``."""
    items = [workflow_shape(ctx.urls, wf) for wf in ctx.state.workflows.values()]
    return ctx.page(items, "workflows")


@route("GET", r"/actions/workflows/(?P<workflow>[^/]+)")
def get_workflow(ctx: Ctx) -> Reply:
    """``actions/get-workflow`` by id or file name."""
    wf = ctx.state.find_workflow(ctx.args["workflow"])
    if wf is None:
        raise not_found()
    return Reply(200, workflow_shape(ctx.urls, wf))


@route("POST", r"/actions/workflows/(?P<workflow>[^/]+)/dispatches")
def dispatch_workflow(ctx: Ctx) -> Reply:
    """``actions/create-workflow-dispatch``: 204, and a queued run appears."""
    wf = ctx.state.find_workflow(ctx.args["workflow"])
    if wf is None:
        raise not_found()
    ref = str(ctx.field("ref") or "")
    if not ref:
        raise invalid("Workflow", "ref", "missing_field")
    branch = ref.removeprefix("refs/heads/")
    sha = ctx.state.git.resolve(ref)
    if not sha:
        raise ApiError(422, f"No ref found for: {ref}")
    inputs = ctx.field("inputs") or {}
    unexpected = sorted(set(inputs) - set(wf.inputs))
    if unexpected:
        raise ApiError(422, f"Unexpected inputs provided: {unexpected}")
    missing = sorted(name for name, needed in wf.inputs.items() if needed and name not in inputs)
    if missing:
        raise ApiError(422, f"Required input '{missing[0]}' not provided")
    ctx.state.add_run(
        wf,
        branch=branch,
        sha=sha,
        event="workflow_dispatch",
        status="queued",
        conclusion=None,
        actor=ctx.user,
        inputs=inputs,
    )
    return Reply(204)


def _stamp(text: str, *, end: bool = False) -> datetime:
    """A date or date-time of GitHub's search syntax; a bare date's end is its last second."""
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            return day + timedelta(days=1, seconds=-1) if end else day
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("WorkflowRun", "created") from None


def created_matches(created_at: str, query: str) -> bool:
    """``created=`` as GitHub reads it: ``>=X``, ``>X``, ``<=X``, ``<X``, ``X..Y`` or ``X``."""
    moment = _stamp(created_at)
    if ".." in query:
        low, high = query.split("..", 1)
        return (low == "*" or moment >= _stamp(low)) and (
            high == "*" or moment <= _stamp(high, end=True)
        )
    for op in (">=", "<=", ">", "<"):
        if query.startswith(op):
            bound = _stamp(query[len(op) :], end=op in ("<=", ">"))
            return {
                ">=": moment >= bound,
                "<=": moment <= bound,
                ">": moment > bound,
                "<": moment < bound,
            }[op]
    return _stamp(query) <= moment <= _stamp(query, end=True)


def _run(ctx: Ctx) -> Run:
    run = ctx.state.runs.get(int(ctx.args["run"]))
    if run is None:
        raise not_found()
    return run


@route("GET", "/actions/runs")
def list_runs(ctx: Ctx) -> Reply:
    """``actions/list-workflow-runs-for-repo``: newest first, filtered like GitHub."""
    runs = sorted(ctx.state.runs.values(), key=lambda r: r.id, reverse=True)
    q = ctx.query
    if q.get("branch"):
        runs = [r for r in runs if r.head_branch == q["branch"]]
    if q.get("event"):
        runs = [r for r in runs if r.event == q["event"]]
    if q.get("head_sha"):
        runs = [r for r in runs if r.head_sha == q["head_sha"]]
    if q.get("actor"):
        runs = [r for r in runs if r.actor == q["actor"]]
    if q.get("created"):
        runs = [r for r in runs if created_matches(r.created_at, q["created"])]
    if q.get("status"):
        wanted = q["status"]
        if wanted in RUN_CONCLUSIONS:
            runs = [r for r in runs if r.conclusion == wanted]
        else:
            runs = [r for r in runs if r.status == wanted]
    items = [workflow_run_shape(ctx.urls, ctx.state, r) for r in runs]
    return ctx.page(items, "workflow_runs")


@route("GET", r"/actions/runs/(?P<run>\d+)")
def get_run(ctx: Ctx) -> Reply:
    """``actions/get-workflow-run``."""
    return Reply(200, workflow_run_shape(ctx.urls, ctx.state, _run(ctx)))


@route("GET", r"/actions/runs/(?P<run>\d+)/jobs")
def list_jobs(ctx: Ctx) -> Reply:
    """``actions/list-jobs-for-workflow-run``: ``filter=latest`` (default) or ``all``."""
    run = _run(ctx)
    jobs = ctx.state.jobs_of(run.id)
    if ctx.query.get("filter", "latest") == "latest":
        newest: dict[str, Job] = {}
        for job in jobs:
            if job.name not in newest or job.run_attempt >= newest[job.name].run_attempt:
                newest[job.name] = job
        jobs = list(newest.values())
    return ctx.page([job_shape(ctx.urls, ctx.state, j) for j in jobs], "jobs")


def _job(ctx: Ctx) -> Job:
    job = ctx.state.jobs.get(int(ctx.args["job"]))
    if job is None:
        raise not_found()
    return job


@route("GET", r"/actions/jobs/(?P<job>\d+)")
def get_job(ctx: Ctx) -> Reply:
    """``actions/get-job-for-workflow-run``."""
    return Reply(200, job_shape(ctx.urls, ctx.state, _job(ctx)))


@route("GET", r"/actions/jobs/(?P<job>\d+)/logs")
def job_logs(ctx: Ctx) -> Reply:
    """``actions/download-job-logs-for-workflow-run``: 302 to a short-lived signed URL."""
    job = _job(ctx)
    return Reply(302, None, {"Location": ctx.sign_log(job.id)})


@route("POST", r"/actions/runs/(?P<run>\d+)/rerun-failed-jobs")
def rerun_failed_jobs(ctx: Ctx) -> Reply:
    """``actions/re-run-workflow-failed-jobs``: 201, empty body; failed jobs queue again."""
    run = _run(ctx)
    if run.status != "completed":
        raise ApiError(403, "This workflow run is not completed")
    failed = [
        j
        for j in ctx.state.jobs_of(run.id)
        if j.run_attempt == run.run_attempt
        and j.conclusion in {"failure", "cancelled", "timed_out"}
    ]
    if not failed:
        raise ApiError(403, "This workflow run has no failed jobs to re-run")
    run.run_attempt += 1
    run.status, run.conclusion, run.updated_at = "queued", None, now_iso()
    for job in failed:
        ctx.state.add_job(run, {"name": job.name, "status": "queued", "log": ""})
    return Reply(201)
