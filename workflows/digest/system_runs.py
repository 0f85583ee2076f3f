"""This system's own runs over the period: Prefect's flow runs and the audit trail."""

from __future__ import annotations

from collections.abc import Mapping

from workflows.config import OrchestrationConfig
from workflows.governance.audit import AuditKind, read_local
from workflows.health.run_rates import read_run_rates
from workflows.models.slack_notifications import Period, Source, SourceState, SystemDigest


async def collect_system(
    config: OrchestrationConfig, period: Period, flow_names: Mapping[str, str]
) -> SystemDigest:
    """Runs that ended in the period, approvals waiting now, escalations in the period."""
    escalations = sum(
        1
        for record in read_local(config.cicd_data_dir)
        if record.kind is AuditKind.ESCALATED and period.holds(record.at)
    )
    try:
        rates = await read_run_rates(flow_names, period.length, now=period.end)
    except Exception as exc:  # the digest still reports the rest
        message = f"Prefect could not be read: {type(exc).__name__}"
        return SystemDigest(
            source=Source(state=SourceState.ERROR, message=message), escalations=escalations
        )
    worst = rates.worst
    return SystemDigest(
        runs=rates.total,
        completed=sum(r.completed for r in rates.by_workflow),
        failed=sum(r.failed for r in rates.by_workflow),
        approvals_waiting=rates.waiting_approval,
        escalations=escalations,
        worst=worst.workflow if worst is not None and worst.failed else None,
    )
