"""One approval of one run as stored with the run (flow-run inputs), and what its message
should show: the state every bot replica reads, so none keeps it in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.objects import FlowRun, StateType

from blocks.approvals import Closed, Waiting
from workflows.governance.access import Rules, escalation_state
from workflows.governance.approvals import (
    TIMEOUT,
    ApprovalRequest,
    Decided,
    approval_name,
    decision_key,
    message_key,
    pause_key,
    read_values,
    request_key,
)


def now() -> datetime:
    """The time, in UTC."""
    return datetime.now(UTC)


@dataclass
class Pending:
    """One approval of one run, as stored with the run."""

    run: FlowRun
    name: str
    request: ApprovalRequest
    decided: Decided | None = None
    message: dict[str, Any] | None = None
    reached: dict[int, datetime] = field(default_factory=dict)
    copies: list[dict[str, Any]] = field(default_factory=list)  # other messages of the request

    @property
    def run_id(self) -> str:
        """The flow run id."""
        return str(self.run.id)

    @property
    def paused(self) -> bool:
        """True while the run waits for this approval."""
        state = self.run.state
        return (
            state is not None
            and state.type is StateType.PAUSED
            and state.state_details.pause_key == pause_key(self.name)
        )

    @property
    def requested_at(self) -> datetime:
        """When the flow asked."""
        if self.request.requested_at is not None:
            return self.request.requested_at
        state = self.run.state
        return state.timestamp if state is not None else datetime.now(UTC)

    @property
    def thread(self) -> tuple[str, str] | None:
        """(channel, thread ts) of the approval message."""
        if not self.message:
            return None
        return self.message["channel"], self.message.get("thread_ts") or self.message["ts"]


async def load_pending(
    client: PrefectClient, run_id: str, name: str | None = None
) -> Pending | None:
    """The run's approval `name` (default: the one it is paused on), or None."""
    run = await client.read_flow_run(UUID(run_id))
    if name is None:
        state = run.state
        name = approval_name(state.state_details.pause_key if state else None)
        if name is None:
            return None
    values = await read_values(client, run.id, f"cicd-{name}-")
    stored = values.get(request_key(name))
    if stored is None:
        return None
    pending = Pending(run=run, name=name, request=ApprovalRequest.model_validate(stored))
    if (decided := values.get(decision_key(name))) is not None:
        pending.decided = Decided.model_validate(decided)
    pending.message = values.get(message_key(name))
    prefix = f"cicd-{name}-level-"
    for key, value in values.items():
        if key.startswith(prefix) and key.removeprefix(prefix).isdigit():
            pending.reached[int(key.removeprefix(prefix))] = datetime.fromisoformat(value["since"])
    return pending


def status_of(pending: Pending, rules: Rules, note: str = "") -> Waiting | Closed:
    """What the message should show now."""
    decided = pending.decided
    if decided is not None:
        outcome = "approved" if decided.decision == "approve" else "rejected"
        if decided.who == TIMEOUT:
            outcome = "timed_out"
        return Closed(outcome, decided.who, decided.at, note or decided.comment)
    state = escalation_state(rules, pending.requested_at, pending.reached, now())
    following = state.level + 1
    return Waiting(
        level=state.level,
        levels=len(rules.levels),
        deciders=rules.deciders(state.level),
        next_at=state.next_due,
        next_notify=rules.levels[following].notify if following < len(rules.levels) else None,
    )
