"""Action ids of the buttons the bot renders; the bot's action listeners use the same names."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject

RETRY = "cicd_retry"
OPEN_ISSUE = "cicd_open_issue"
REQUEST_FIX = "cicd_request_fix"
OPEN_FINDING_ISSUE = "cicd_open_finding_issue"  # Open issue on one finding of a result
APPROVE = "cicd_approve"
REJECT = "cicd_reject"
ESCALATE = "cicd_escalate"
CANCEL = "cicd_cancel"
REJECT_REASON = "cicd_reject_reason"  # the modal Reject opens
RERUN_FAILED_JOBS = "cicd_rerun_failed_jobs"  # GitHub re-runs an Actions run's failed jobs
ALL = (RETRY, OPEN_ISSUE, REQUEST_FIX)  # the result buttons, in order
DECISIONS = (APPROVE, REJECT, ESCALATE)


def retry_button(run_id: str, *, primary: bool = False) -> ButtonElement:
    """Start a new run with the same parameters."""
    return ButtonElement(
        text="Re-run", action_id=RETRY, value=run_id, style="primary" if primary else None
    )


def result_actions(run_id: str) -> ActionsBlock:
    """The buttons under a result: re-run, open an issue, ask for a fix."""
    return ActionsBlock(
        block_id="cicd_result_actions",
        elements=[
            retry_button(run_id),
            ButtonElement(text="Open issue", action_id=OPEN_ISSUE, value=run_id),
            ButtonElement(text="Ask for a fix", action_id=REQUEST_FIX, value=run_id),
        ],
    )


def finding_issue_button(run_id: str, index: int) -> ButtonElement:
    """Open a Linear issue for the result's finding number `index` (as the result lists them)."""
    return ButtonElement(
        text="Open issue", action_id=OPEN_FINDING_ISSUE, value=finding_value(run_id, index)
    )


def finding_value(run_id: str, index: int) -> str:
    """A compact button value naming the run and one of its listed findings."""
    return f"{run_id}#{index}"


def parse_finding_value(value: str) -> tuple[str, int]:
    """(run id, finding index) from `finding_value`; ValueError if it is not one."""
    run_id, _, index = value.partition("#")
    if not run_id or not index.isdigit():
        raise ValueError(f"not a finding button value: {value!r}")
    return run_id, int(index)


def cancel_button(run_id: str) -> ButtonElement:
    """Cancel a queued, running or waiting run (asks first)."""
    return ButtonElement(
        text="Cancel",
        action_id=CANCEL,
        value=run_id,
        style="danger",
        confirm=ConfirmObject(
            title="Cancel this run?",
            text="The run stops where it is; nothing it has not finished is kept.",
            confirm="Cancel the run",
            deny="Keep it running",
        ),
    )


def approval_value(run_id: str, name: str) -> str:
    """A button value naming the run and the approval; it survives bot restarts."""
    return f"{run_id}|{name}"


def parse_approval_value(value: str) -> tuple[str, str]:
    """(run id, approval name) from `approval_value`; ValueError if it is not one."""
    run_id, _, name = value.partition("|")
    if not run_id or not name:
        raise ValueError(f"not an approval button value: {value!r}")
    return run_id, name


def rerun_failed_jobs_button(
    run_id: str, repository: str, actions_run_id: int, *, primary: bool = False
) -> ButtonElement:
    """Ask GitHub to re-run the failed jobs of Actions run `actions_run_id` (asks first)."""
    return ButtonElement(
        text="Re-run failed jobs",
        action_id=RERUN_FAILED_JOBS,
        value=rerun_failed_value(run_id, repository, actions_run_id),
        style="primary" if primary else None,
        confirm=ConfirmObject(
            title="Re-run the failed jobs?",
            text=f"GitHub starts a new attempt of run {actions_run_id} in {repository} "
            "with only its failed jobs.",
            confirm="Re-run them",
            deny="Not now",
        ),
    )


def rerun_failed_value(run_id: str, repository: str, actions_run_id: int) -> str:
    """`<flow run id>|<owner/name>|<Actions run id>`: all the click needs, restart-proof."""
    return f"{run_id}|{repository}|{actions_run_id}"


def parse_rerun_failed_value(value: str) -> tuple[str, str, int]:
    """(flow run id, repository, Actions run id); ValueError if `value` is not one."""
    parts = value.split("|")
    if len(parts) != 3:
        raise ValueError(f"not a re-run-failed-jobs button value: {value!r}")
    run_id, repository, actions_run = parts
    owner, _, name = repository.partition("/")
    if not run_id or not owner or not name or "/" in name or not actions_run.isdigit():
        raise ValueError(f"not a re-run-failed-jobs button value: {value!r}")
    return run_id, repository, int(actions_run)
