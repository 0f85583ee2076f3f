"""`dead_code_cleanup`: find dead code with a safe fix, prepare its removal on a branch, wait
for a person to approve, then commit it (and open a pull request when GitHub is set up).

The run waits with `request_approval()`. A run from a deployment is suspended and executed
again from the top once someone decides, so every task before the approval caches its result
for this run (Prefect's default policy: inputs, task source and run id) and the prepared change
is checked against the approved digest before anything is committed.
"""

# No `from __future__ import annotations`: Prefect must resolve the parameter types.

from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import DEFAULT, NONE
from prefect.context import FlowRunContext

from workflows.analysis.fixes import apply_fixes
from workflows.analysis.options import AnalysisOptions, analyze
from workflows.config import OrchestrationConfig, load_config
from workflows.governance.approvals import ApprovalDecision, request_approval
from workflows.models.dead_code_cleanup import (
    SAFE_RULES,
    CleanupChange,
    CleanupOutcome,
    CleanupRequest,
    CleanupResult,
    approval_request,
    commit_message,
)
from workflows.models.runs import RunOrigin
from workflows.registry import FlowSpec
from workflows.repository.checkout import (
    Checkout,
    CheckoutError,
    checkout_repository,
    git,
    transient_checkout_failure,
)
from workflows.repository.components import normalise_component, resolve_component
from workflows.repository.worktrees import (
    add_worktree,
    changed_files,
    commit_all,
    diff_digest,
    remove_worktree,
)
from workflows.types import WorkflowType


@task(
    name="checkout",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=transient_checkout_failure,
    persist_result=True,
    cache_policy=DEFAULT,
)
def fetch_for_cleanup(repo: str, ref: str | None) -> Checkout:
    """The repository on disk; it must be git with a commit (the change goes on a branch)."""
    checkout = checkout_repository(repo, ref, load_config().cicd_data_dir)
    if checkout.commit is None:
        raise CheckoutError(
            f"{checkout.source} is not a git repository with a commit; dead_code_cleanup "
            "prepares its change on a branch"
        )
    return checkout


@task(name="prepare", persist_result=True, cache_policy=DEFAULT)
def prepare_change(checkout: Checkout, request: CleanupRequest, branch: str) -> CleanupChange:
    """Worktree on a new branch; analyse the whole tree, apply the component's safe fixes."""
    logger = get_run_logger()
    repo = Path(checkout.path)
    commit = checkout.commit or ""
    worktree = load_config().cicd_data_dir / "worktrees" / branch.replace("/", "-")
    add_worktree(repo, worktree, branch, commit)
    git("reset", "--quiet", "--hard", "HEAD", cwd=worktree)  # a retried task starts clean
    resolve_component(worktree, request.component)
    # The whole tree is analysed so that a use elsewhere keeps a name alive.
    options = AnalysisOptions(select=list(SAFE_RULES), min_confidence=request.min_confidence)
    report = analyze(worktree, options)
    prefix = normalise_component(request.component)
    wanted = [f for f in report.findings if f.fix is not None and _inside(f.path, prefix)]
    fixes = apply_fixes(worktree, wanted)
    files = changed_files(worktree)
    logger.info("%d finding(s) fixed in %d file(s) on %s", len(fixes.fixed), len(files), branch)
    return CleanupChange(
        source=checkout.source,
        repo_path=str(repo),
        worktree=str(worktree),
        branch=branch,
        base_commit=commit,
        base_ref=checkout.ref if checkout.cloned else _current_branch(repo),
        files=files,
        fixed=fixes.fixed,
        skipped=fixes.skipped,
        digest=diff_digest(worktree) if files else "",
    )


@task(name="approval", cache_policy=NONE)
def record_decision(decision: dict[str, Any]) -> dict[str, Any]:
    """The decision, as a step of the run (the wait itself is the run's Paused state)."""
    get_run_logger().info("Decision: %s by %s", decision["decision"], decision["who"])
    return decision


@task(name="finish", cache_policy=NONE)
def finish(
    request: CleanupRequest, change: CleanupChange, decision: dict[str, Any]
) -> CleanupResult:
    """Approved: commit (push and open a pull request with GitHub). Otherwise: discard."""
    verdict = ApprovalDecision.model_validate(decision)
    result = CleanupResult(
        request=request,
        outcome=CleanupOutcome.REJECTED,
        change=change,
        decided_by=verdict.who or None,
        decided_at=datetime.fromisoformat(verdict.at) if verdict.at else None,
        comment=verdict.comment,
    )
    repo, worktree = Path(change.repo_path), Path(change.worktree)
    if not verdict.approved:
        remove_worktree(repo, worktree, branch=change.branch)
        outcome = CleanupOutcome.TIMED_OUT if verdict.timed_out else CleanupOutcome.REJECTED
        return result.model_copy(update={"outcome": outcome})
    _ensure_prepared(change)
    commit = commit_all(worktree, commit_message(request, change, verdict.who or "unknown"))
    result = result.model_copy(update={"outcome": CleanupOutcome.BRANCH, "commit": commit})
    config = load_config()
    if _github_ready(config):
        result = _open_pull_request(config, request, change, result)
    remove_worktree(repo, worktree)  # the branch stays
    return result


@flow(name="dead-code-cleanup", persist_result=True, result_serializer="json")
def dead_code_cleanup(request: CleanupRequest, origin: RunOrigin | None = None) -> CleanupResult:
    """Remove dead code from a component on a branch, after a person approves the change."""
    checkout = fetch_for_cleanup(request.repo, request.ref)
    change = prepare_change(checkout, request, _branch_name())
    if change.empty:
        remove_worktree(Path(change.repo_path), Path(change.worktree), branch=change.branch)
        return CleanupResult(request=request, outcome=CleanupOutcome.NOTHING, change=change)
    config = load_config()
    github = config.github_repository if _github_ready(config) else None
    decision = request_approval(approval_request(request, change, origin, github))
    recorded = record_decision(decision.model_dump(mode="json"))
    return finish(request, change, recorded)


def _branch_name() -> str:
    context = FlowRunContext.get()
    run = str(context.flow_run.id)[:8] if context and context.flow_run else "local"
    return f"cicd/dead-code-cleanup-{run}"


def _inside(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(prefix + "/")


def _current_branch(repo: Path) -> str | None:
    try:
        name = git("rev-parse", "--abbrev-ref", "HEAD", cwd=repo)
    except CheckoutError:
        return None
    return None if name == "HEAD" else name


def _ensure_prepared(change: CleanupChange) -> None:
    """The worktree holds exactly the approved change; rebuilt from its fixes if it is gone."""
    worktree = Path(change.worktree)
    if not (worktree / ".git").exists():
        add_worktree(Path(change.repo_path), worktree, change.branch, change.base_commit)
        git("reset", "--quiet", "--hard", change.base_commit, cwd=worktree)
        apply_fixes(worktree, change.fixed)
    if diff_digest(worktree) != change.digest:
        raise RuntimeError(
            "the branch no longer holds the change that was approved; nothing was committed. "
            "Start a new run."
        )


def _github_ready(config: OrchestrationConfig) -> bool:
    return config.github_token is not None and bool(config.github_repository)


def _open_pull_request(
    config: OrchestrationConfig,
    request: CleanupRequest,
    change: CleanupChange,
    result: CleanupResult,
) -> CleanupResult:
    """Push the branch and open the pull request; trouble leaves the local branch and a warning."""
    from workflows.integrations.github_client import GitHubClient
    from workflows.integrations.retrying import IntegrationError

    body = commit_message(request, change, result.decided_by or "unknown")
    try:
        with GitHubClient.from_config(config) as gh:
            gh.push_branch(Path(change.worktree), change.branch)
            pull = gh.create_pull_request(
                head=change.branch,
                base=change.base_ref,
                title=f"Remove dead code in {request.component_label}",
                body=body,
            )
    except (IntegrationError, CheckoutError) as exc:
        get_run_logger().warning("pull request not opened: %s", exc)
        return result.model_copy(
            update={"warnings": [*result.warnings, f"pull request not opened: {exc}"]}
        )
    return result.model_copy(
        update={
            "outcome": CleanupOutcome.PULL_REQUEST,
            "pull_request_url": pull.html_url,
            "pull_request_number": pull.number,
        }
    )


def cleanup_title(request: CleanupRequest) -> str:
    """`Cleaning dead code in contexten/agents`."""
    return f"Cleaning dead code in {request.component_label}"


SPEC = FlowSpec(
    workflow=WorkflowType.DEAD_CODE_CLEANUP,
    flow=dead_code_cleanup,
    steps=(
        ("checkout", "Check out the repository"),
        ("prepare", "Find dead code and prepare a branch"),
        ("approval", "Wait for approval"),
        ("finish", "Commit, or discard, the change"),
    ),
    request_type=CleanupRequest,
    result_type=CleanupResult,
    title=cleanup_title,
)
