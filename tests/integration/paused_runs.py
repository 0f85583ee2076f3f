"""Flows that pause for a decision, run in a thread the way the bot meets them: start one, wait
until Prefect shows it paused, read the approval request it stored."""

from __future__ import annotations

import threading
import time
from typing import Any
from uuid import UUID

from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

from workflows.governance.approvals import ApprovalRequest, request_key


def start_flow(
    flow: Flow[..., Any], name: str, *args: object
) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``flow(*args)`` as run ``name`` in a thread; its final state lands in out["state"]."""
    out: dict[str, Any] = {}

    def run() -> None:
        out["state"] = flow.with_options(flow_run_name=name)(*args, return_state=True)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def wait_paused(name: str, out: dict[str, Any] | None = None, timeout: float = 90) -> UUID:
    """The id of run ``name`` once it is paused; fails early if it ends (``out``) first."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            if out is not None and "state" in out:
                raise AssertionError(f"{name} ended without pausing: {out['state']}")
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name]))
            )
            if runs and runs[0].state and runs[0].state.is_paused():
                return runs[0].id
            time.sleep(0.3)
    raise AssertionError(f"{name} did not pause in {timeout} s")


def stored_request(run_id: UUID, name: str = "change") -> ApprovalRequest:
    """The approval request the paused run stored."""
    with get_client(sync_client=True) as client:
        return ApprovalRequest.model_validate_json(
            client.read_flow_run_input(run_id, request_key(name))
        )
