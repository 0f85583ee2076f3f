"""Running a workflow from the terminal: the real flow, followed by the same `RunWatcher`."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from prefect.client.orchestration import get_client
from prefect.flow_engine import run_flow
from prefect.states import State
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from blocks.progress import MARKS, STATE_WORDS
from blocks.text import duration
from bot.runs.watcher import RunWatcher
from workflows.models.snapshots import RunSnapshot, StepStatus
from workflows.registry import FlowSpec

STYLES = {
    StepStatus.PENDING: "dim",
    StepStatus.RUNNING: "bold",
    StepStatus.DONE: "green",
    StepStatus.FAILED: "red",
}


def render(title: str, snapshot: RunSnapshot) -> Group:
    """The terminal view of a snapshot: a title line and one row per step."""
    state = STATE_WORDS.get(snapshot.state, snapshot.state.lower())
    head = Text.assemble((title, "bold"), f" · {state} · {duration(snapshot.elapsed_s)}")
    table = Table.grid(padding=(0, 1))
    for step in snapshot.steps:
        detail = f"({step.detail})" if step.detail else ""
        table.add_row(MARKS[step.status], Text(step.label, style=STYLES[step.status]), detail)
    return Group(head, table)


async def run_with_progress(
    spec: FlowSpec, parameters: dict[str, Any], title: str, console: Console
) -> State:
    """Create the flow run, execute it in a worker thread, and draw its progress."""
    with console.status("Starting Prefect…"):
        async with get_client() as client:
            flow_run = await client.create_flow_run(
                spec.flow, parameters=parameters, tags=["cicd", spec.workflow.value, "cli"]
            )
    execution = asyncio.create_task(
        asyncio.to_thread(
            run_flow, spec.flow, flow_run=flow_run, parameters=parameters, return_type="state"
        )
    )
    watcher = RunWatcher(flow_run.id, spec, poll_s=0.25)
    with Live(console=console, refresh_per_second=8, transient=False) as live:
        async for snapshot in watcher.snapshots():
            live.update(render(title, snapshot))
            if execution.done() and snapshot.finished:
                break
    return cast(State, await execution)  # return_type="state" gives the final state
