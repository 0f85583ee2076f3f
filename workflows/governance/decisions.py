"""A person's decision as a step of the run, and the fields a result keeps of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from workflows.governance.approvals import APPROVAL_STEP, ApprovalDecision


class Decided(TypedDict):
    """Who decided, when and why: the fields every result with an approval has."""

    decided_by: str | None
    decided_at: datetime | None
    comment: str


@task(name=APPROVAL_STEP, cache_policy=NONE)
def record_decision(decision: dict[str, Any]) -> dict[str, Any]:
    """The decision, as a step of the run (the wait itself is the run's Paused state)."""
    get_run_logger().info("Decision: %s by %s", decision["decision"], decision["who"])
    return decision


def decided(verdict: ApprovalDecision) -> Decided:
    """The decision as a result records it (no one and no time for a missing value)."""
    return Decided(
        decided_by=verdict.who or None,
        decided_at=datetime.fromisoformat(verdict.at) if verdict.at else None,
        comment=verdict.comment,
    )
