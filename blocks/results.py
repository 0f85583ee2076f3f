"""A finished run's result message, whatever its workflow type: text, blocks and outcome.

A new workflow type adds its renderer (a module here) and one line to `RENDERERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block

from blocks.analysis import analysis_blocks, analysis_text
from blocks.autonomous_refactoring import parent_outcome, refactoring_blocks, refactoring_text
from blocks.cleanup import cleanup_blocks, cleanup_text
from blocks.code_quality_check import quality_blocks, quality_outcome, quality_text
from blocks.digest import notification_blocks, notification_outcome, notification_text
from blocks.failure_analysis import failure_blocks, failure_outcome, failure_text
from blocks.health_check import health_blocks, health_outcome, health_text
from blocks.security_audit import audit_blocks, audit_outcome, audit_text
from workflows.models.autonomous_refactoring import RefactoringResult
from workflows.models.code_quality_check import QualityCheckResult
from workflows.models.component_analysis import ComponentAnalysisResult
from workflows.models.dead_code_cleanup import CleanupResult
from workflows.models.failure_analysis import FailureAnalysisResult
from workflows.models.health_check import HealthCheckResult
from workflows.models.security_audit import SecurityAuditResult
from workflows.models.slack_notifications import SlackNotificationResult


@dataclass(frozen=True)
class RenderedResult:
    """What the thread shows at the end, and the outcome its parent message gets."""

    text: str
    blocks: list[Block]
    outcome: str


def _analysis(result: ComponentAnalysisResult, run_id: str, run_name: str) -> RenderedResult:
    count = len(result.report.findings)
    return RenderedResult(
        analysis_text(result),
        analysis_blocks(result, run_id, run_name),
        f"✅ {count} finding{'s' if count != 1 else ''}",
    )


def _cleanup(result: CleanupResult, run_id: str, run_name: str) -> RenderedResult:
    return RenderedResult(
        cleanup_text(result), cleanup_blocks(result, run_id, run_name), result.headline()
    )


def _security_audit(result: SecurityAuditResult, run_id: str, run_name: str) -> RenderedResult:
    return RenderedResult(
        audit_text(result), audit_blocks(result, run_id, run_name), audit_outcome(result)
    )


def _quality(result: QualityCheckResult, run_id: str, run_name: str) -> RenderedResult:
    return RenderedResult(
        quality_text(result), quality_blocks(result, run_id, run_name), quality_outcome(result)
    )


def _failure(result: FailureAnalysisResult, run_id: str, run_name: str) -> RenderedResult:
    return RenderedResult(
        failure_text(result), failure_blocks(result, run_id, run_name), failure_outcome(result)
    )


def _refactoring(result: RefactoringResult, run_id: str, run_name: str) -> RenderedResult:
    return RenderedResult(
        refactoring_text(result),
        refactoring_blocks(result, run_id, run_name),
        parent_outcome(result),
    )


def _notification(result: SlackNotificationResult, run_id: str, run_name: str) -> RenderedResult:
    return RenderedResult(
        notification_text(result), notification_blocks(result), notification_outcome(result)
    )


def _health(result: HealthCheckResult, run_id: str, run_name: str) -> RenderedResult:
    return RenderedResult(
        health_text(result), health_blocks(result, run_id, run_name), health_outcome(result)
    )


RENDERERS: dict[type[Any], Callable[[Any, str, str], RenderedResult]] = {
    ComponentAnalysisResult: _analysis,
    CleanupResult: _cleanup,
    SecurityAuditResult: _security_audit,
    QualityCheckResult: _quality,
    FailureAnalysisResult: _failure,
    RefactoringResult: _refactoring,
    SlackNotificationResult: _notification,
    HealthCheckResult: _health,
}


def render_result(result: object, run_id: str, run_name: str) -> RenderedResult | None:
    """The result message for `result`, or None for a result type nobody renders."""
    render = RENDERERS.get(type(result))
    return render(result, run_id, run_name) if render is not None else None
