"""This system's flow runs over a window, by workflow type, read from Prefect."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterEndTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType

from workflows.models.health_check import RunRates, WorkflowRate

PAGE = 200
_FAILED = {StateType.FAILED, StateType.CRASHED}


async def read_run_rates(
    flow_names: Mapping[str, str],
    window: timedelta,
    *,
    now: datetime | None = None,
    client: PrefectClient | None = None,
) -> RunRates:
    """Runs of the flows in `flow_names` (flow name -> workflow type) that ended in `window`,
    plus the ones running and the ones paused for a person's approval now."""
    end = now or datetime.now(UTC)
    if client is None:
        async with get_client() as own:
            return await read_run_rates(flow_names, window, now=end, client=own)
    flows = FlowFilter(name=FlowFilterName(any_=list(flow_names)))
    ended = await _all_runs(
        client,
        FlowRunFilter(
            end_time=FlowRunFilterEndTime.model_validate({"after_": end - window, "before_": end})
        ),
        flows,
    )
    now_running = await _all_runs(client, _in_states(StateType.RUNNING, StateType.PENDING), flows)
    paused = await _all_runs(client, _in_states(StateType.PAUSED), flows)
    names = await _flow_names(client, {r.flow_id for r in ended})
    by_type: dict[str, WorkflowRate] = {}
    for run in ended:
        workflow = flow_names.get(names.get(str(run.flow_id), ""))
        if workflow is None or run.state_type is None:
            continue
        rate = by_type.setdefault(workflow, WorkflowRate(workflow=workflow))
        rate.total += 1
        if run.state_type == StateType.COMPLETED:
            rate.completed += 1
        elif run.state_type in _FAILED:
            rate.failed += 1
        elif run.state_type == StateType.CANCELLED:
            rate.cancelled += 1
    return RunRates(
        window_hours=max(1, round(window.total_seconds() / 3600)),
        by_workflow=sorted(by_type.values(), key=lambda r: r.workflow),
        running=len(now_running),
        waiting_approval=len(paused),
    )


def _in_states(*types: StateType) -> FlowRunFilter:
    return FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=list(types))))


async def _all_runs(client: PrefectClient, runs: FlowRunFilter, flows: FlowFilter) -> list[FlowRun]:
    found: list[FlowRun] = []
    while True:
        page = await client.read_flow_runs(
            flow_filter=flows, flow_run_filter=runs, limit=PAGE, offset=len(found)
        )
        found += page
        if len(page) < PAGE:
            return found


async def _flow_names(client: PrefectClient, flow_ids: set[object]) -> dict[str, str]:
    """Flow id -> flow name, one read per flow."""
    names: dict[str, str] = {}
    for flow_id in flow_ids:
        flow = await client.read_flow(flow_id)  # type: ignore[arg-type]
        names[str(flow_id)] = flow.name
    return names


def work_flows() -> dict[str, str]:
    """Flow name -> workflow type of the runs that do the team's work.

    The system's own health checks and digests are left out: the monitor alone runs a health
    check every few minutes, and would drown the rates of the runs people care about.
    """
    from workflows.registry import discovered  # imports every flow module: only when asked
    from workflows.types import WorkflowType

    own = {WorkflowType.HEALTH_CHECK, WorkflowType.SLACK_NOTIFICATIONS}
    return {s.flow.name: s.workflow.value for s in discovered().values() if s.workflow not in own}
