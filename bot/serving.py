"""Serving the deployments in-process (embedded mode) or checking they exist (scaled out)."""

from __future__ import annotations

import logging

from prefect.client.orchestration import get_client
from prefect.runner import Runner

from workflows.registry import DEPLOYMENT, FlowSpec
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0  # the default 10 s would make every run wait; see ARCHITECTURE.md


async def serve_deployments(specs: dict[WorkflowType, FlowSpec], *, limit: int) -> Runner:
    """A Runner with one deployment per implemented workflow, polling every second."""
    runner = Runner(name="cicd-embedded", query_seconds=POLL_SECONDS, limit=limit)
    for spec in specs.values():
        await runner.aadd_flow(spec.flow, name=DEPLOYMENT)
        log.info("serving deployment %s", spec.deployment_name)
    return runner


async def check_api(specs: dict[WorkflowType, FlowSpec]) -> None:
    """Scaled-out mode: the API must answer and every deployment must exist."""
    async with get_client() as client:
        problem = await client.api_healthcheck()
        if problem is not None:
            raise RuntimeError(f"Prefect API is not healthy: {problem}")
        for spec in specs.values():
            try:
                await client.read_deployment_by_name(spec.deployment_name)
            except Exception:
                raise RuntimeError(
                    f"deployment {spec.deployment_name} not found; run `cicd worker` "
                    "(it registers the deployments) or unset PREFECT_API_URL for embedded mode"
                ) from None
