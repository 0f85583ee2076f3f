"""Rights on runs outside approvals: who may start (and so re-run) a workflow where, who may
cancel a run; and the audit records of starts, re-runs and cancels."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from uuid import UUID

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.objects import State
from prefect.states import Cancelled, Cancelling

from bot.directory import SlackDirectory
from workflows.config import OrchestrationConfig
from workflows.governance import audit
from workflows.governance.access import Verdict, may_cancel, may_start
from workflows.governance.audit import AuditKind, AuditRecord
from workflows.registry import FlowSpec
from workflows.types import WorkflowType

if TYPE_CHECKING:
    from bot.approvals.desk import ApprovalDesk

log = logging.getLogger(__name__)


class RunControl:
    """Start and cancel rights, checked against `access_policy`, and their audit trail."""

    def __init__(
        self,
        config: OrchestrationConfig,
        directory: SlackDirectory,
        specs: dict[WorkflowType, FlowSpec],
    ) -> None:
        self.config = config
        self.policy = config.access_policy
        self.directory = directory
        self.specs = specs
        self.desk: ApprovalDesk | None = None

    def start_verdict_now(self, workflow: WorkflowType, user: str, channel: str) -> Verdict | None:
        """The answer when no user group has to be looked up (so before `ack()`); else None."""
        rules = self.policy.rules(workflow)
        verdict = may_start(rules, user, channel, frozenset())
        if verdict.allowed or not rules.start.groups:
            return verdict
        if rules.start.channels and channel not in rules.start.channels:
            return verdict
        return None

    async def may_start(self, workflow: WorkflowType, user: str, channel: str) -> Verdict:
        """May `user` start `workflow` in `channel` (user groups looked up as needed)?"""
        quick = self.start_verdict_now(workflow, user, channel)
        if quick is not None:
            return quick
        rules = self.policy.rules(workflow)
        groups = await self.directory.groups_of(user, rules.start.groups)
        return may_start(rules, user, channel, groups)

    def workflow_of(self, flow_name: str) -> WorkflowType | None:
        """The workflow type a flow implements."""
        return next((t for t, s in self.specs.items() if s.flow.name == flow_name), None)

    async def cancel(self, run_id: str, user: str, channel: str | None) -> str | None:
        """Cancel the run for `user` if allowed; returns what to tell them, if anything."""
        async with get_client() as client:
            run = await client.read_flow_run(UUID(run_id))
            flow = await client.read_flow(run.flow_id)
            state = run.state
            if state is None or state.is_final():
                words = (state.name or state.type.value).lower() if state else "gone"
                return f"This run has already ended ({words})."
            workflow = self.workflow_of(flow.name)
            if workflow is None:
                return f"Runs of `{flow.name}` cannot be cancelled from Slack."
            requester = _requester(run.parameters)
            rules = self.policy.rules(workflow)
            groups = await self.directory.groups_of(user, rules.groups())
            verdict = may_cancel(rules, user, requester, groups)
            if not verdict.allowed:
                await self.record(
                    client,
                    AuditKind.DENIED,
                    user,
                    f"tried to cancel run {run.name} without the right",
                    run_id=run_id,
                    run_name=run.name,
                    workflow=workflow.value,
                    channel=channel,
                )
                return f"⛔ {verdict.reason} Nothing was changed."
            message = f"Cancelled by <@{user}> in Slack"
            # Nothing executes a paused or queued run: it can be cancelled outright.
            idle = state.is_paused() or state.is_scheduled() or state.is_pending()
            new: State = Cancelled(message=message) if idle else Cancelling(message=message)
            await client.set_flow_run_state(run.id, new, force=True)
            await self.record(
                client,
                AuditKind.CANCELLED,
                user,
                f"cancelled run {run.name} ({workflow.value}) while it was {state.name}",
                run_id=run_id,
                run_name=run.name,
                workflow=workflow.value,
                channel=channel,
            )
        if self.desk is not None:
            await self.desk.close(run_id, "cancelled", user)
        return None

    async def record(
        self,
        client: PrefectClient | None,
        kind: AuditKind,
        actor: str,
        what: str,
        **fields: Any,  # noqa: ANN401  AuditRecord's optional fields, validated by pydantic
    ) -> None:
        """One audit record (local file always, Prefect event when `client` is given)."""
        entry = AuditRecord(kind=kind, actor=actor, what=what, **fields)
        await audit.record(client, self.config.cicd_data_dir, entry)


def _requester(parameters: dict[str, Any]) -> str | None:
    origin = parameters.get("origin") or {}
    return origin.get("user") if isinstance(origin, dict) else None
