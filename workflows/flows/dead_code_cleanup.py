"""`dead_code_cleanup`: find dead code with a safe fix, prepare its removal on a branch, wait
for a person to approve, then commit it (and open a pull request when GitHub is set up).

The run waits with `request_approval()`. A run from a deployment is suspended and executed
again from the top once someone decides, so every task before the approval caches its result
for this run (Prefect's default policy: inputs, task source and run id) and the prepared change
is checked against the approved digest before anything is committed.
"""

# No `from __future__ import annotations`: Prefect must resolve the parameter types.

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import DEFAULT, NONE

from workflows.analysis.fixes import apply_fixes
from workflows.analysis.options import AnalysisOptions, analyze
from workflows.config import load_config
from workflows.governance.approvals import ApprovalDecision, request_approval
from workflows.governance.decisions import decided, record_decision
from workflows.models.dead_code_cleanup import (
    SAFE_RULES,
    CleanupChange,
    CleanupOutcome,
    CleanupRequest,
    CleanupResult,
    approval_request,
    change_title,
    commit_message,
)
from workflows.models.runs import RunOrigin
from workflows.registry import FlowSpec
from workflows.repository.branch_changes import (
    branch_name,
    checkout_for_change,
    discard,
    github_target,
    land,
    start_worktree,
)
from workflows.repository.checkout import Checkout
from workflows.repository.components import normalise_component, resolve_component
from workflows.types import WorkflowType


@task(name="prepare", persist_result=True, cache_policy=DEFAULT)
def prepare_change(checkout: Checkout, request: CleanupRequest, branch: str) -> CleanupChange:
    """Worktree on a new branch; analyse the whole tree, apply the component's safe fixes."""
    logger = get_run_logger()
    worktree = start_worktree(checkout, branch)
    resolve_component(worktree, request.component)
    # The whole tree is analysed so that a use elsewhere keeps a name alive.
    options = AnalysisOptions(select=list(SAFE_RULES), min_confidence=request.min_confidence)
    report = analyze(worktree, options)
    prefix = normalise_component(request.component)
    wanted = [f for f in report.findings if f.fix is not None and _inside(f.path, prefix)]
    fixes = apply_fixes(worktree, wanted)
    change = CleanupChange.made_in(
        checkout, worktree, branch, fixed=fixes.fixed, skipped=fixes.skipped
    )
    logger.info(
        "%d finding(s) fixed in %d file(s) on %s", len(fixes.fixed), len(change.files), branch
    )
    return change


@task(name="finish", cache_policy=NONE)
def finish(
    request: CleanupRequest, change: CleanupChange, decision: dict[str, Any]
) -> CleanupResult:
    """Approved: commit (push and open a pull request with GitHub). Otherwise: discard."""
    verdict = ApprovalDecision.model_validate(decision)
    result = CleanupResult(
        request=request, outcome=CleanupOutcome.REJECTED, change=change, **decided(verdict)
    )
    if not verdict.approved:
        discard(change)
        outcome = CleanupOutcome.TIMED_OUT if verdict.timed_out else CleanupOutcome.REJECTED
        return result.model_copy(update={"outcome": outcome})
    message = commit_message(request, change, verdict.who or "unknown")
    landed = land(change, message, change_title(request))
    opened = landed.pull_request_number is not None
    return result.model_copy(
        update={
            "outcome": CleanupOutcome.PULL_REQUEST if opened else CleanupOutcome.BRANCH,
            "commit": landed.commit,
            "pull_request_url": landed.pull_request_url,
            "pull_request_number": landed.pull_request_number,
            "warnings": [*result.warnings, *landed.warnings],
        }
    )


@flow(name="dead-code-cleanup", persist_result=True, result_serializer="json")
def dead_code_cleanup(request: CleanupRequest, origin: RunOrigin | None = None) -> CleanupResult:
    """Remove dead code from a component on a branch, after a person approves the change."""
    checkout = checkout_for_change(request.repo, request.ref, "dead_code_cleanup")
    change = prepare_change(checkout, request, branch_name("dead-code-cleanup"))
    if change.empty:
        discard(change)
        return CleanupResult(request=request, outcome=CleanupOutcome.NOTHING, change=change)
    github = github_target(load_config())
    decision = request_approval(approval_request(request, change, origin, github))
    recorded = record_decision(decision.model_dump(mode="json"))
    return finish(request, change, recorded)


def _inside(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(prefix + "/")


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
