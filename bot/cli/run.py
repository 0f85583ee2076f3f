"""`cicd run <type> key=value ...`: any implemented workflow type, from the terminal."""

from __future__ import annotations

import sys

from prefect.client.orchestration import get_client
from pydantic import BaseModel
from rich.console import Console

from blocks.plain import plain_text
from blocks.results import render_result
from bot.cli.terminal import run_with_progress
from workflows.models.runs import RunOrigin
from workflows.registry import FlowSpec
from workflows.types import CATALOG


async def run_workflow(spec: FlowSpec, request: BaseModel, output: str) -> int:
    """Run the flow with a live progress display; print its result. 0 done, 1 failed."""
    parameters = {
        "request": request.model_dump(mode="json"),
        "origin": RunOrigin(source="cli").model_dump(mode="json"),
    }
    stderr = Console(stderr=True, highlight=False)
    if CATALOG[spec.workflow].needs_approval:
        stderr.print(
            f"{spec.workflow.value} asks a person before it changes anything: a running "
            "`cicd serve` posts the request to access_policy.approval_channel in Slack. "
            "Ctrl-C stops waiting.",
            markup=False,
        )
    state = await run_with_progress(spec, parameters, spec.title(request), stderr)
    if not stderr.is_terminal:
        stderr.line()  # rich's Live leaves the last line open when stderr is not a terminal
    result = await state.aresult(raise_on_failure=False)
    if isinstance(result, dict):  # the JSON serializer hands models back as plain data
        result = spec.result_type.model_validate(result)
    if not state.is_completed() or not isinstance(result, spec.result_type):
        reason = state.message or (str(result) if isinstance(result, Exception) else "unknown")
        stderr.print(f"[red]error:[/red] {spec.workflow.value} failed: {reason}", markup=True)
        return 1
    if output == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return 0
    run_id = state.state_details.flow_run_id
    async with get_client() as client:
        name = (await client.read_flow_run(run_id)).name if run_id else ""
    rendered = render_result(result, str(run_id or ""), name)
    text = plain_text(rendered.blocks) if rendered is not None else result.model_dump_json()
    sys.stdout.write(text + "\n")
    return 0
