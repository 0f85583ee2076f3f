"""`Launcher`: the one way the bot starts a workflow, as an idempotent deployment run."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from prefect.client.schemas.objects import FlowRun
from prefect.deployments import arun_deployment

from workflows.registry import FlowSpec
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
# Completes a launch's parameters just before the run is created (e.g. the bot's own Slack
# measurement for a health check): every launch, from Slack or a schedule, passes here.
Prepare = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class LaunchError(RuntimeError):
    """The run could not be created; the message is fit to show a user."""


class Launcher:
    """Create flow runs of the served deployments; Slack retries never start a run twice."""

    def __init__(
        self,
        specs: dict[WorkflowType, FlowSpec],
        *,
        ready_timeout_s: float = 180,
        prepare: dict[WorkflowType, Prepare] | None = None,
    ) -> None:
        self.specs = specs
        self.prepare = dict(prepare or {})
        self.ready = asyncio.Event()
        self.ready_timeout_s = ready_timeout_s

    async def launch(
        self,
        workflow: WorkflowType,
        parameters: dict[str, Any],
        *,
        idempotency_key: str,
        tags: list[str] | None = None,
    ) -> FlowRun:
        """Create the run now (it starts as soon as a runner or worker picks it up)."""
        spec = self.specs.get(workflow)
        if spec is None:
            raise LaunchError(f"`{workflow.value}` is not implemented yet")
        try:
            await asyncio.wait_for(self.ready.wait(), self.ready_timeout_s)
        except TimeoutError:
            raise LaunchError("Prefect did not become ready in time; try again shortly") from None
        parameters = await self._prepared(workflow, parameters)
        try:
            flow_run = await arun_deployment(
                spec.deployment_name,
                parameters=parameters,
                timeout=0,
                idempotency_key=idempotency_key,
                tags=["cicd", workflow.value, *(tags or [])],
                as_subflow=False,
            )
        except Exception as exc:
            log.exception("could not create a run of %s", spec.deployment_name)
            raise LaunchError(f"Prefect refused the run: {exc}") from exc
        log.info("launched %s run %s (key %s)", workflow.value, flow_run.id, idempotency_key)
        return flow_run

    async def _prepared(self, workflow: WorkflowType, parameters: dict[str, Any]) -> dict[str, Any]:
        """The parameters completed by the type's `prepare` hook; as given if it fails."""
        hook = self.prepare.get(workflow)
        if hook is None:
            return parameters
        try:
            return await hook(parameters)
        except Exception:
            log.exception("could not prepare the parameters of a %s run", workflow.value)
            return parameters
