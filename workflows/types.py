"""The 20 workflow types, with a one-line description and whether each is implemented yet.

A type is implemented when `workflows/flows/` holds a module of its name (see `registry`).
"""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class WorkflowType(StrEnum):
    """The design document's workflow names."""

    COMPONENT_ANALYSIS = "component_analysis"
    FAILURE_ANALYSIS = "failure_analysis"
    PERFORMANCE_MONITORING = "performance_monitoring"
    CODE_QUALITY_CHECK = "code_quality_check"
    DEPENDENCY_MANAGEMENT = "dependency_management"
    SECURITY_AUDIT = "security_audit"
    TEST_OPTIMIZATION = "test_optimization"
    DEAD_CODE_CLEANUP = "dead_code_cleanup"
    LINEAR_SYNC = "linear_sync"
    GITHUB_AUTOMATION = "github_automation"
    SLACK_NOTIFICATIONS = "slack_notifications"
    HEALTH_CHECK = "health_check"
    BACKUP_OPERATIONS = "backup_operations"
    RESOURCE_OPTIMIZATION = "resource_optimization"
    AUTONOMOUS_REFACTORING = "autonomous_refactoring"
    INTELLIGENT_DEPLOYMENT = "intelligent_deployment"
    PREDICTIVE_MAINTENANCE = "predictive_maintenance"
    ERROR_HEALING = "error_healing"
    SYSTEM_RECOVERY = "system_recovery"
    DATA_RECOVERY = "data_recovery"


@dataclass(frozen=True)
class WorkflowInfo:
    """What the catalogue says about one workflow type."""

    workflow: WorkflowType
    group: str
    summary: str
    implemented: bool = False
    needs_approval: bool = False


def _flow_modules() -> frozenset[str]:
    """The workflow types with a module in `workflows/flows/` (listed, not imported)."""
    package = Path(__file__).with_name("flows")
    return frozenset(m.name for m in pkgutil.iter_modules([str(package)]) if m.name[0] != "_")


_IMPLEMENTED = _flow_modules()


def _info(t: WorkflowType, group: str, summary: str, *, approval: bool = False) -> WorkflowInfo:
    return WorkflowInfo(
        t, group, summary, implemented=t.value in _IMPLEMENTED, needs_approval=approval
    )


W = WorkflowType
CATALOG: dict[WorkflowType, WorkflowInfo] = {
    i.workflow: i
    for i in (
        _info(W.COMPONENT_ANALYSIS, "analysis", "Analyse one component with tree-sitter"),
        _info(W.FAILURE_ANALYSIS, "analysis", "Classify a failed Actions run and recommend a fix"),
        _info(W.PERFORMANCE_MONITORING, "analysis", "Track durations and detect regressions"),
        _info(W.CODE_QUALITY_CHECK, "analysis", "Quality gate on a pull request's changed lines"),
        _info(W.DEPENDENCY_MANAGEMENT, "maintenance", "Open update PRs per group", approval=True),
        _info(
            W.SECURITY_AUDIT, "maintenance", "Vulnerabilities, secrets, unsafe code", approval=True
        ),
        _info(W.TEST_OPTIMIZATION, "maintenance", "Slow and flaky tests, impact map, sharding"),
        _info(
            W.DEAD_CODE_CLEANUP,
            "maintenance",
            "Remove dead code on a branch as a PR",
            approval=True,
        ),
        _info(W.LINEAR_SYNC, "integration", "Keep Linear issues in step with GitHub"),
        _info(W.GITHUB_AUTOMATION, "integration", "Review, merge, clean up branches, create PRs"),
        _info(W.SLACK_NOTIFICATIONS, "integration", "Post results, alerts and digests"),
        _info(W.HEALTH_CHECK, "system", "Resources, connectivity and success rates"),
        _info(W.BACKUP_OPERATIONS, "system", "Export state to a checksummed archive"),
        _info(W.RESOURCE_OPTIMIZATION, "system", "Tune concurrency, prune stale runs and files"),
        _info(
            W.AUTONOMOUS_REFACTORING,
            "advanced",
            "Codegen or codemods turn findings into a PR",
            approval=True,
        ),
        _info(
            W.INTELLIGENT_DEPLOYMENT,
            "advanced",
            "Gated deploy with watch and rollback",
            approval=True,
        ),
        _info(W.PREDICTIVE_MAINTENANCE, "advanced", "Forecast failures, build times, hot spots"),
        _info(W.ERROR_HEALING, "recovery", "Pick a healing strategy by failure class"),
        _info(
            W.SYSTEM_RECOVERY, "recovery", "Restart stuck runs, restore schedules", approval=True
        ),
        _info(W.DATA_RECOVERY, "recovery", "Restore from a backup after a dry run", approval=True),
    )
}


def implemented_types() -> list[WorkflowType]:
    """The workflow types that can be run today."""
    return [t for t, info in CATALOG.items() if info.implemented]
