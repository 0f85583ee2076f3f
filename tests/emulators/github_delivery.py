"""Emulated statuses, check runs and deployments (with their statuses)."""

from __future__ import annotations

from typing import Any

from tests.emulators import github_shapes as shapes
from tests.emulators.github_git import MergeConflict
from tests.emulators.github_http import ApiError, Reply, invalid, not_found
from tests.emulators.github_routes import Ctx, required, resolve_sha, route
from tests.emulators.github_shapes import Urls, node_id, user
from tests.emulators.github_state import (
    CheckRun,
    Deployment,
    DeploymentStatus,
    GitHubState,
    Status,
    now_iso,
)

STATUS_STATES = {"error", "failure", "pending", "success"}
CHECK_STATUSES = {"queued", "in_progress", "completed", "waiting", "requested", "pending"}
CHECK_CONCLUSIONS = {
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "stale",
    "timed_out",
}
DEPLOYMENT_STATES = {"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}


def status_shape(urls: Urls, state: GitHubState, s: Status) -> dict[str, Any]:
    """A ``status``."""
    return {
        "url": f"{urls.repo}/statuses/{s.sha}",
        "avatar_url": None,
        "id": s.id,
        "node_id": node_id("StatusContext", s.id),
        "state": s.state,
        "description": s.description,
        "target_url": s.target_url,
        "context": s.context,
        "created_at": s.created_at,
        "updated_at": s.created_at,
        "creator": user(urls, state, s.creator),
    }


def check_run_shape(urls: Urls, state: GitHubState, c: CheckRun) -> dict[str, Any]:
    """A ``check-run``."""
    output = c.output
    return {
        "id": c.id,
        "head_sha": c.head_sha,
        "node_id": node_id("CheckRun", c.id),
        "external_id": c.external_id,
        "url": f"{urls.repo}/check-runs/{c.id}",
        "html_url": f"{urls.repo_web}/runs/{c.id}",
        "details_url": c.details_url,
        "status": c.status,
        "conclusion": c.conclusion,
        "started_at": c.started_at,
        "completed_at": c.completed_at,
        "output": {
            "title": output.get("title"),
            "summary": output.get("summary"),
            "text": output.get("text"),
            "annotations_count": len(output.get("annotations") or []),
            "annotations_url": f"{urls.repo}/check-runs/{c.id}/annotations",
        },
        "name": c.name,
        "check_suite": {"id": c.id + 1},
        "app": None,
        "pull_requests": [],
    }


def deployment_shape(urls: Urls, state: GitHubState, d: Deployment) -> dict[str, Any]:
    """A ``deployment``."""
    url = f"{urls.repo}/deployments/{d.id}"
    return {
        "url": url,
        "id": d.id,
        "node_id": node_id("Deployment", d.id),
        "sha": d.sha,
        "ref": d.ref,
        "task": d.task,
        "payload": d.payload,
        "original_environment": d.environment,
        "environment": d.environment,
        "description": d.description,
        "creator": user(urls, state, d.creator),
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "statuses_url": f"{url}/statuses",
        "repository_url": urls.repo,
        "transient_environment": d.transient_environment,
        "production_environment": d.production_environment,
    }


def deployment_status_shape(urls: Urls, state: GitHubState, s: DeploymentStatus) -> dict[str, Any]:
    """A ``deployment-status``."""
    deployment_url = f"{urls.repo}/deployments/{s.deployment_id}"
    return {
        "url": f"{deployment_url}/statuses/{s.id}",
        "id": s.id,
        "node_id": node_id("DeploymentStatus", s.id),
        "state": s.state,
        "creator": user(urls, state, s.creator),
        "description": s.description,
        "environment": s.environment,
        "target_url": s.target_url,
        "created_at": s.created_at,
        "updated_at": s.created_at,
        "deployment_url": deployment_url,
        "repository_url": urls.repo,
        "environment_url": s.environment_url,
        "log_url": s.log_url,
    }


# -- commit statuses and check runs -------------------------------------------------------------


@route("POST", r"/statuses/(?P<sha>[^/]+)")
def create_status(ctx: Ctx) -> Reply:
    """``repos/create-commit-status``."""
    sha = resolve_sha(ctx, ctx.args["sha"])
    state = ctx.field("state")
    if state not in STATUS_STATES:
        raise invalid("Status", "state")
    description = ctx.field("description")
    if description is not None and len(description) > 140:
        raise invalid("Status", "description", "custom", message="description is too long")
    status = Status(
        id=ctx.state.new_id(),
        sha=sha,
        state=state,
        context=ctx.field("context") or "default",
        description=description,
        target_url=ctx.field("target_url"),
        creator=ctx.user,
        created_at=now_iso(),
    )
    ctx.state.statuses.append(status)
    body = status_shape(ctx.urls, ctx.state, status)
    return Reply(201, body, {"Location": body["url"]})


def latest_statuses(state: GitHubState, sha: str) -> dict[str, Status]:
    """The newest status per context for ``sha``."""
    latest: dict[str, Status] = {}
    for status in state.statuses:
        if status.sha == sha:
            latest[status.context] = status
    return latest


@route("GET", r"/commits/(?P<ref>[^/]+)/statuses")
def list_statuses(ctx: Ctx) -> Reply:
    """``repos/list-commit-statuses-for-ref``: newest first."""
    sha = resolve_sha(ctx, ctx.args["ref"], refs=True)
    items = [status_shape(ctx.urls, ctx.state, s) for s in ctx.state.statuses if s.sha == sha]
    return ctx.page(items[::-1])


@route("GET", r"/commits/(?P<ref>[^/]+)/status")
def combined_status(ctx: Ctx) -> Reply:
    """``repos/get-combined-status-for-ref``."""
    sha = ctx.state.git.resolve(ctx.args["ref"])
    if not sha:
        raise not_found()
    latest = list(latest_statuses(ctx.state, sha).values())
    states = {s.state for s in latest}
    overall = (
        "failure"
        if states & {"error", "failure"}
        else "pending"
        if not states or "pending" in states
        else "success"
    )
    return Reply(
        200,
        {
            "state": overall,
            "statuses": [status_shape(ctx.urls, ctx.state, s) for s in latest],
            "sha": sha,
            "total_count": len(latest),
            "repository": shapes.repository(ctx.urls, ctx.state, full=False),
            "commit_url": f"{ctx.urls.repo}/commits/{sha}",
            "url": f"{ctx.urls.repo}/commits/{sha}/status",
        },
    )


@route("POST", "/check-runs")
def create_check_run(ctx: Ctx) -> Reply:
    """``checks/create``; answers 403 to personal tokens when the emulator says so."""
    if not ctx.check_runs_allowed:
        raise ApiError(403, "You must authenticate via a GitHub App.")
    required(ctx, "CheckRun", "name", "head_sha")
    sha = resolve_sha(ctx, str(ctx.field("head_sha")))
    status, conclusion = ctx.field("status", "queued"), ctx.field("conclusion")
    if conclusion is not None:
        if conclusion not in CHECK_CONCLUSIONS:
            raise invalid("CheckRun", "conclusion")
        status = "completed"
    if status not in CHECK_STATUSES:
        raise invalid("CheckRun", "status")
    if status == "completed" and conclusion is None:
        raise invalid("CheckRun", "conclusion", "missing_field")
    output = ctx.field("output") or {}
    if output and not (output.get("title") and output.get("summary")):
        raise invalid("CheckRun", "output", "missing_field")
    stamp = now_iso()
    run = CheckRun(
        id=ctx.state.new_id(),
        head_sha=sha,
        name=str(ctx.field("name")),
        status=status,
        conclusion=conclusion,
        started_at=ctx.field("started_at") or stamp,
        completed_at=(ctx.field("completed_at") or stamp) if status == "completed" else None,
        output=output,
        details_url=ctx.field("details_url"),
        external_id=ctx.field("external_id"),
    )
    ctx.state.check_runs[run.id] = run
    body = check_run_shape(ctx.urls, ctx.state, run)
    return Reply(201, body, {"Location": body["url"]})


@route("GET", r"/check-runs/(?P<id>\d+)")
def get_check_run(ctx: Ctx) -> Reply:
    """``checks/get``."""
    run = ctx.state.check_runs.get(int(ctx.args["id"]))
    if run is None:
        raise not_found()
    return Reply(200, check_run_shape(ctx.urls, ctx.state, run))


@route("GET", r"/commits/(?P<ref>[^/]+)/check-runs")
def list_check_runs(ctx: Ctx) -> Reply:
    """``checks/list-for-ref``."""
    sha = resolve_sha(ctx, ctx.args["ref"], refs=True)
    runs = [c for c in ctx.state.check_runs.values() if c.head_sha == sha]
    return ctx.page([check_run_shape(ctx.urls, ctx.state, c) for c in runs], "check_runs")


# -- deployments --------------------------------------------------------------------------------


@route("POST", "/deployments")
def create_deployment(ctx: Ctx) -> Reply:
    """``repos/create-deployment``: required contexts checked, auto-merge of the default branch."""
    required(ctx, "Deployment", "ref")
    ref = str(ctx.field("ref"))
    sha = ctx.state.git.resolve(ref)
    if not sha:
        raise ApiError(422, f"No ref found for: {ref}")
    git = ctx.state.git
    default_sha = git.branch_sha(git.default_branch) or ""
    if (
        ctx.field("auto_merge", True)
        and git.branch_sha(ref)
        and ref != git.default_branch
        and not git.is_ancestor(default_sha, sha)
    ):
        try:
            merged = git.merge(
                sha, default_sha, "merge", f"Merge {git.default_branch} into {ref}", ""
            )
        except MergeConflict:
            raise ApiError(409, f"Conflict merging {git.default_branch} into {ref}.") from None
        git.update_ref(f"refs/heads/{ref}", merged, sha)
        message = f"Auto-merged {git.default_branch} into {ref} on deployment."
        return Reply(202, {"message": message})
    contexts = ctx.field("required_contexts")
    latest = latest_statuses(ctx.state, sha)
    names = list(latest) if contexts is None else list(contexts)
    failing = [
        {"context": name, "state": latest[name].state if name in latest else "missing"}
        for name in names
        if name not in latest or latest[name].state != "success"
    ]
    if failing:
        raise ApiError(
            409,
            f"Conflict: Commit status checks failed for {ref}.",
            errors=[
                {"contexts": failing, "resource": "Deployment", "field": "required_contexts"}
                | {"code": "invalid"}
            ],
        )
    environment = ctx.field("environment") or "production"
    stamp = now_iso()
    deployment = Deployment(
        id=ctx.state.new_id(),
        sha=sha,
        ref=ref,
        task=ctx.field("task") or "deploy",
        payload=ctx.field("payload") or {},
        environment=environment,
        description=ctx.field("description"),
        creator=ctx.user,
        created_at=stamp,
        updated_at=stamp,
        transient_environment=bool(ctx.field("transient_environment", False)),
        production_environment=bool(
            ctx.field("production_environment", environment == "production")
        ),
    )
    ctx.state.deployments[deployment.id] = deployment
    body = deployment_shape(ctx.urls, ctx.state, deployment)
    return Reply(201, body, {"Location": body["url"]})


@route("GET", "/deployments")
def list_deployments(ctx: Ctx) -> Reply:
    """``repos/list-deployments``: newest first."""
    items = sorted(ctx.state.deployments.values(), key=lambda d: d.id, reverse=True)
    for key in ("sha", "ref", "task", "environment"):
        if ctx.query.get(key):
            items = [d for d in items if getattr(d, key) == ctx.query[key]]
    return ctx.page([deployment_shape(ctx.urls, ctx.state, d) for d in items])


def _deployment(ctx: Ctx) -> Deployment:
    deployment = ctx.state.deployments.get(int(ctx.args["id"]))
    if deployment is None:
        raise not_found()
    return deployment


@route("GET", r"/deployments/(?P<id>\d+)")
def get_deployment(ctx: Ctx) -> Reply:
    """``repos/get-deployment``."""
    return Reply(200, deployment_shape(ctx.urls, ctx.state, _deployment(ctx)))


@route("POST", r"/deployments/(?P<id>\d+)/statuses")
def create_deployment_status(ctx: Ctx) -> Reply:
    """``repos/create-deployment-status``; success makes older ones in the env inactive."""
    deployment = _deployment(ctx)
    state = ctx.field("state")
    if state not in DEPLOYMENT_STATES:
        raise invalid("DeploymentStatus", "state")
    if ctx.field("environment"):
        deployment.environment = ctx.field("environment")
    status = _add_deployment_status(ctx, deployment, state)
    if state == "success" and ctx.field("auto_inactive", True):
        for other in ctx.state.deployments.values():
            if (
                other.id != deployment.id
                and other.environment == deployment.environment
                and not other.transient_environment
                and _latest_state(ctx.state, other.id) not in (None, "inactive")
            ):
                _add_deployment_status(ctx, other, "inactive")
    body = deployment_status_shape(ctx.urls, ctx.state, status)
    return Reply(201, body, {"Location": body["url"]})


def _add_deployment_status(ctx: Ctx, deployment: Deployment, state: str) -> DeploymentStatus:
    own = deployment.id == int(ctx.args["id"])
    status = DeploymentStatus(
        id=ctx.state.new_id(),
        deployment_id=deployment.id,
        state=state,
        description=(ctx.field("description") or "") if own else "",
        environment=deployment.environment,
        target_url=(ctx.field("target_url") or ctx.field("log_url") or "") if own else "",
        log_url=(ctx.field("log_url") or ctx.field("target_url") or "") if own else "",
        environment_url=(ctx.field("environment_url") or "") if own else "",
        creator=ctx.user,
        created_at=now_iso(),
    )
    ctx.state.deployment_statuses.append(status)
    deployment.updated_at = status.created_at
    return status


def _latest_state(state: GitHubState, deployment_id: int) -> str | None:
    states = [s.state for s in state.deployment_statuses if s.deployment_id == deployment_id]
    return states[-1] if states else None


@route("GET", r"/deployments/(?P<id>\d+)/statuses")
def list_deployment_statuses(ctx: Ctx) -> Reply:
    """``repos/list-deployment-statuses``: newest first."""
    deployment = _deployment(ctx)
    items = [s for s in ctx.state.deployment_statuses if s.deployment_id == deployment.id]
    return ctx.page([deployment_status_shape(ctx.urls, ctx.state, s) for s in items[::-1]])
