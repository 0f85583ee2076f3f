"""Reading a flow run's task runs, which reach Prefect's API through events a moment late."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import TaskRun


async def task_runs_when(
    flow_run_id: UUID, ready: Callable[[list[TaskRun]], bool], timeout_s: float = 15
) -> list[TaskRun]:
    """The run's task runs once `ready` holds for them (or as they are after `timeout_s`)."""
    run_filter = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    deadline = time.monotonic() + timeout_s
    async with get_client() as client:
        while True:
            tasks = await client.read_task_runs(flow_run_filter=run_filter)
            if ready(tasks) or time.monotonic() > deadline:
                return tasks
            await asyncio.sleep(0.3)


def task_names(tasks: list[TaskRun]) -> set[str]:
    """`checkout-3f2` -> `checkout`."""
    return {t.name.rsplit("-", 1)[0] for t in tasks}
