"""Ask for a fix on a result: an `autonomous_refactoring` run in the same thread, handed the
result's findings, or (without Codegen) a pointer to the deterministic safe fixes."""

from __future__ import annotations

from bot.runs.finished import RunNotReadable, read_finished
from bot.runs.launcher import LaunchError
from bot.runs.starting import RunStarter
from workflows.config import OrchestrationConfig
from workflows.integrations.codegen_agent import codegen_configured
from workflows.models.autonomous_refactoring import (
    FindingRef,
    RefactoringRequest,
    codegen_not_set_up,
)
from workflows.models.result_findings import (
    MAX_FINDINGS,
    Summarised,
    findings_of,
    nothing_to_fix,
    source_of,
)
from workflows.types import WorkflowType

FIXER = WorkflowType.AUTONOMOUS_REFACTORING


async def request_fix(
    starter: RunStarter,
    config: OrchestrationConfig,
    run_id: str,
    *,
    user: str,
    channel: str,
    thread_ts: str,
    key: str,
) -> str | None:
    """Start the fix for the result of `run_id`; returns a private answer, if any."""
    try:
        finished = await read_finished(run_id, starter.specs)
    except RunNotReadable as exc:
        return f"⚠️ {exc}"
    source = source_of(finished.result)
    findings = findings_of(finished.result, MAX_FINDINGS)
    if not findings:
        return nothing_to_fix(finished.result)
    if not codegen_configured(config):
        # The deterministic cleanup only resolves a component analysis's findings.
        analysis = not isinstance(finished.result, Summarised)
        return codegen_not_set_up(source.component, safe_fixes=analysis)
    if FIXER not in starter.specs:
        return f"`{FIXER.value}` is not served by this bot."
    request = RefactoringRequest(
        repo=source.repo or config.cicd_repo,
        component=source.component,
        source_run=finished.run_id,
        findings=[FindingRef.of(f, source.component).words() for f in findings],
        commit=source.commit,
    )
    try:
        await starter.start_in_thread(
            FIXER,
            request,
            user=user,
            channel=channel,
            thread_ts=thread_ts,
            key=key,
            source_run=finished.run_id,
        )
    except LaunchError as exc:
        return f"⛔ {exc}"
    return None
