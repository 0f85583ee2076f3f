"""Serving the deployments in-process (embedded mode) or checking they exist (scaled out)."""

from __future__ import annotations

import asyncio
import logging
import time

from prefect.client.orchestration import PrefectClient, get_client
from prefect.exceptions import ObjectNotFound
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


async def check_api(
    specs: dict[WorkflowType, FlowSpec], *, wait_s: float = 300.0, poll_s: float = 2.0
) -> None:
    """Scaled-out mode: the API must answer and every deployment must exist.

    A worker may start after the bot, so missing deployments are waited for (and logged)
    for `wait_s` before giving up with a message that says what to run.
    """
    deadline = time.monotonic() + wait_s
    missing: list[str] = []
    async with get_client() as client:
        while True:
            problem = await client.api_healthcheck()
            if problem is None:
                missing = [
                    spec.deployment_name
                    for spec in specs.values()
                    if not await _deployment_exists(client, spec.deployment_name)
                ]
                if not missing:
                    return
            if time.monotonic() >= deadline:
                break
            log.info("waiting for %s", problem or f"deployments {', '.join(missing)}")
            await asyncio.sleep(poll_s)
    if problem is not None:
        raise RuntimeError(f"Prefect API is not healthy: {problem}")
    raise RuntimeError(
        f"deployment(s) {', '.join(missing)} not found; start `cicd worker` (it registers "
        "them) or unset PREFECT_API_URL for the embedded mode"
    )


async def _deployment_exists(client: PrefectClient, name: str) -> bool:
    try:
        await client.read_deployment_by_name(name)
    except ObjectNotFound:
        return False
    return True
