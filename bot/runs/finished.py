"""Reading a finished run back from Prefect: its workflow, title, origin and typed result."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from prefect.client.orchestration import get_client

from bot.runs.threads import run_title
from workflows.models.runs import RunOrigin
from workflows.registry import FlowSpec
from workflows.types import WorkflowType


class RunNotReadable(ValueError):
    """The run's result cannot be had; the message is fit to show the person who clicked."""


@dataclass(frozen=True)
class FinishedRun:
    """A completed run and its result, validated again as its workflow's result type."""

    run_id: str
    name: str
    spec: FlowSpec
    title: str
    origin: RunOrigin
    result: object


async def read_finished(run_id: str, specs: dict[WorkflowType, FlowSpec]) -> FinishedRun:
    """The completed run `run_id` with its typed result; `RunNotReadable` says why not."""
    try:
        wanted = UUID(run_id)
    except ValueError:
        raise RunNotReadable("That button does not name a run; nothing was done.") from None
    async with get_client() as client:
        try:
            run = await client.read_flow_run(wanted)
        except Exception as exc:  # 404 and the like: the run was deleted
            raise RunNotReadable("I couldn't find that run; it may have been deleted.") from exc
        flow = await client.read_flow(run.flow_id)
    spec = next((s for s in specs.values() if s.flow.name == flow.name), None)
    if spec is None:
        raise RunNotReadable(f"Runs of `{flow.name}` are not known to this bot.")
    if run.state is None or not run.state.is_completed():
        raise RunNotReadable(f"Run {run.name} has not completed; its result is not there yet.")
    value = await run.state.aresult(raise_on_failure=False)
    if isinstance(value, dict):  # the JSON serializer hands models back as plain data
        value = spec.result_type.model_validate(value)
    if not isinstance(value, spec.result_type):
        raise RunNotReadable(f"Run {run.name} has no readable result.")
    request = run.parameters.get("request") or {}
    return FinishedRun(
        run_id=str(run.id),
        name=run.name,
        spec=spec,
        title=run_title(spec.workflow, request),
        origin=RunOrigin.model_validate(run.parameters.get("origin") or {}),
        result=value,
    )
