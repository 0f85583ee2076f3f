"""Human approvals inside flows: what is asked, the answer, and where both are kept.

A flow calls `request_approval()` in its body. The request is stored with the flow run (as a
flow-run input under `cicd-<name>-request`, plus a Markdown artifact for the Prefect UI), then
the run pauses for an `ApprovalDecision`. A run from a deployment is *suspended*: its process
exits, no worker slot is held while people think, and the run is rescheduled when someone
decides, so bots, workers and the Prefect server may all restart in between. A flow called
directly (no deployment to reschedule it) waits in-process with `pause_flow_run`.

Flow-run inputs double as a small durable store the bot and any replica share: keys are
create-only, so writing `cicd-<name>-decision` is how exactly one decision wins.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from prefect.input import RunInput
from pydantic import BaseModel, Field

from workflows.models.runs import RunOrigin

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient

    from workflows.governance.access import Rules

DEFAULT_NAME = "change"
APPROVAL_STEP = "approval"  # the task a flow runs after the decision; a step in progress views
GRACE = timedelta(minutes=10)  # Prefect's own timeout comes this long after the policy's
Risk = Literal["low", "medium", "high"]


class ApprovalDecision(RunInput):
    """What resumes a paused run: the decision, who made it, and why."""

    decision: Literal["approve", "reject"]
    who: str = Field("", description="Slack user ID, or 'timeout'")
    comment: str = ""
    at: str = Field("", description="when it was decided (ISO 8601, UTC)")

    @property
    def approved(self) -> bool:
        """True for an approval."""
        return self.decision == "approve"

    @property
    def timed_out(self) -> bool:
        """True when nobody decided in time and the policy rejected it."""
        return self.who == TIMEOUT


TIMEOUT = "timeout"


class ApprovalRequest(BaseModel):
    """What a person is asked to approve: the concrete change, its target and its risk."""

    workflow: str
    title: str = Field(description="e.g. 'Remove dead code in contexten/agents'")
    summary: str = Field(description="one line: files, lines, findings")
    target: str = Field(description="where the change goes: repository and branches")
    risk: Risk = "low"
    risk_reasons: list[str] = Field(default_factory=list)
    details: list[str] = Field(default_factory=list, description="per-file lines (mrkdwn-safe)")
    digest: str = Field("", description="identifies the exact change approved")
    requested_by: str | None = Field(None, description="Slack user ID of whoever started the run")
    origin: RunOrigin | None = None
    linear_issue: str | None = None
    name: str = DEFAULT_NAME
    flow_run_id: str | None = None
    flow_run_name: str | None = None
    requested_at: datetime | None = None
    timeout_s: float | None = None

    def markdown(self) -> str:
        """The request as Markdown, for the Prefect UI (artifact and resume form)."""
        lines = [f"## {self.title}", "", self.summary, "", f"**Target:** {self.target}"]
        lines += [
            f"**Risk:** {self.risk}"
            + (f" ({'; '.join(self.risk_reasons)})" if self.risk_reasons else "")
        ]
        if self.requested_by:
            lines.append(f"**Requested by:** {self.requested_by}")
        if self.details:
            lines += ["", *[f"- {d}" for d in self.details]]
        lines += ["", f"Change digest `{self.digest[:12]}`" if self.digest else ""]
        return "\n".join(lines).rstrip() + "\n"


def request_key(name: str) -> str:
    """Flow-run input key of the stored request."""
    return f"cicd-{name}-request"


def decision_key(name: str) -> str:
    """Flow-run input key claimed by the one decision that wins."""
    return f"cicd-{name}-decision"


def message_key(name: str) -> str:
    """Flow-run input key recording where the bot posted the request."""
    return f"cicd-{name}-message"


def level_key(name: str, level: int) -> str:
    """Flow-run input key recording that escalation `level` was reached."""
    return f"cicd-{name}-level-{level}"


def pause_key(name: str) -> str:
    """The Prefect pause key of approval `name` (the bot finds the request from it)."""
    return f"cicd-{name}"


def approval_name(state_pause_key: str | None) -> str | None:
    """The approval name behind a paused state's pause key; None for other pauses."""
    if state_pause_key and state_pause_key.startswith("cicd-"):
        return state_pause_key.removeprefix("cicd-")
    return None


POLICY = "policy"  # who "decided" when the policy requires no approval


def _rules(workflow: str) -> Rules:
    from workflows.config import load_config

    return load_config().access_policy.rules(workflow)


def request_approval(
    request: ApprovalRequest, *, timeout: timedelta | None = None
) -> ApprovalDecision:
    """Publish `request`, pause the flow run until someone decides, return the decision.

    `timeout` is Prefect's backstop (default: the policy's escalation time plus `GRACE`); the
    bot normally rejects by timeout first, after the last escalation level. When the policy
    says the workflow type needs no approval, it returns an approval by "policy" at once.
    """
    from prefect import get_run_logger
    from prefect.context import FlowRunContext
    from prefect.flow_runs import pause_flow_run, suspend_flow_run

    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        raise RuntimeError("request_approval() must be called in a flow run's body")
    flow_run = context.flow_run
    logger = get_run_logger()
    rules = _rules(request.workflow)
    # A rescheduled run that asked before waits for (and gets) that answer, whatever the
    # policy says now.
    if not rules.approval_required and not _stored(flow_run.id, request.name):
        logger.info("No approval needed for %s (access_policy)", request.workflow)
        return ApprovalDecision(
            decision="approve",
            who=POLICY,
            comment="access_policy: approval not required",
            at=datetime.now(UTC).isoformat(),
        )
    wait = timeout or rules.total_wait + GRACE
    stored = _publish(
        request.model_copy(
            update={
                "flow_run_id": str(flow_run.id),
                "flow_run_name": flow_run.name,
                "requested_at": datetime.now(UTC),
                "timeout_s": wait.total_seconds(),
            }
        ),
        flow_run.id,
    )
    logger.info("Waiting for approval: %s (%s)", stored.title, stored.summary)
    form = ApprovalDecision.with_initial_data(description=stored.markdown(), decision="approve")
    key = pause_key(stored.name)
    seconds = max(1, int(wait.total_seconds()))
    if flow_run.deployment_id is not None:
        decision = suspend_flow_run(wait_for_input=form, timeout=seconds, key=key)
    else:
        decision = pause_flow_run(wait_for_input=form, timeout=seconds, poll_interval=2, key=key)
    decision = ApprovalDecision.model_validate(decision.model_dump())
    verb = "approved" if decision.approved else "rejected"
    logger.info("The change was %s by %s", verb, decision.who or "someone")
    return decision


def _stored(flow_run_id: UUID, name: str) -> str | None:
    """The request stored by an earlier execution of this run, if any (JSON)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            return client.read_flow_run_input(flow_run_id, request_key(name)) or None
        except ObjectNotFound:
            return None
        except Exception as exc:
            if _status(exc) == 404:
                return None
            raise


def _publish(request: ApprovalRequest, flow_run_id: UUID) -> ApprovalRequest:
    """Store the request once (a rescheduled run finds the first one) and show it in the UI."""
    from prefect.artifacts import create_markdown_artifact
    from prefect.client.orchestration import get_client

    existing = _stored(flow_run_id, request.name)
    if existing:
        first = ApprovalRequest.model_validate_json(existing)
        if first.digest != request.digest:
            raise ApprovalChanged(
                "the change is no longer the one that was put up for approval "
                f"({first.digest[:12]} then, {request.digest[:12]} now); start a new run"
            )
        return first
    with get_client(sync_client=True) as client:
        client.create_flow_run_input(
            flow_run_id, request_key(request.name), request.model_dump_json()
        )
    create_markdown_artifact(
        markdown=request.markdown(), key="approval-request", description=request.title
    )
    return request


class ApprovalChanged(RuntimeError):
    """A rescheduled run produced a different change from the one put up for approval."""


# -- reading and claiming, for the bot (async) ----------------------------------------------


def _status(exc: Exception) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


async def read_value(client: PrefectClient, flow_run_id: UUID, key: str) -> dict[str, Any] | None:
    """The JSON object stored under `key`, or None when there is none."""
    try:
        raw = await client.read_flow_run_input(flow_run_id, key)
    except Exception as exc:
        if _status(exc) == 404:
            return None
        raise
    return json.loads(raw) if raw else None


async def claim(client: PrefectClient, flow_run_id: UUID, key: str, value: dict[str, Any]) -> bool:
    """Write `key` if nobody has: True for the first writer, False when it already existed."""
    try:
        await client.create_flow_run_input(flow_run_id, key, json.dumps(value, default=str))
    except Exception as exc:
        if _status(exc) == 409:
            return False
        raise
    return True


async def read_values(client: PrefectClient, flow_run_id: UUID, prefix: str) -> dict[str, Any]:
    """Every key under `prefix` with its JSON value."""
    found = await client.filter_flow_run_input(
        flow_run_id, key_prefix=prefix, limit=200, exclude_keys=set()
    )
    return {item.key: json.loads(item.value) for item in found}


class Decided(BaseModel):
    """A claimed decision, as stored under `decision_key`."""

    decision: Literal["approve", "reject"]
    who: str
    at: datetime
    comment: str = ""
    permalink: str | None = None

    def as_input(self) -> dict[str, Any]:
        """The run input that resumes the flow."""
        return ApprovalDecision(
            decision=self.decision, who=self.who, comment=self.comment, at=self.at.isoformat()
        ).model_dump(mode="json")
