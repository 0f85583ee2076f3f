"""The `Launcher` against a real Prefect API: one run per idempotency key."""

from __future__ import annotations

import pytest

from bot.runs.launcher import Launcher, LaunchError
from workflows.registry import DEPLOYMENT, flow_specs
from workflows.types import WorkflowType

pytestmark = pytest.mark.prefect


@pytest.fixture
async def launcher(prefect_api: str) -> Launcher:
    specs = flow_specs()
    for spec in specs.values():  # deployments exist; no runner needed to create runs
        deployment = await spec.flow.ato_deployment(name=DEPLOYMENT)
        await deployment.aapply()
    ready = Launcher(specs)
    ready.ready.set()
    return ready


async def test_same_key_gives_the_same_run(launcher: Launcher) -> None:
    params = {"request": {"repo": "/nowhere", "component": "x"}}
    first = await launcher.launch(WorkflowType.COMPONENT_ANALYSIS, params, idempotency_key="k-1")
    again = await launcher.launch(WorkflowType.COMPONENT_ANALYSIS, params, idempotency_key="k-1")
    other = await launcher.launch(WorkflowType.COMPONENT_ANALYSIS, params, idempotency_key="k-2")
    assert first.id == again.id != other.id
    assert {"cicd", "component_analysis"} <= set(first.tags)


async def test_unimplemented_type_is_refused(launcher: Launcher) -> None:
    with pytest.raises(LaunchError, match="not implemented yet"):
        await launcher.launch(WorkflowType.HEALTH_CHECK, {}, idempotency_key="k-3")


async def test_a_launcher_that_never_gets_ready_says_so(prefect_api: str) -> None:
    waiting = Launcher(flow_specs(), ready_timeout_s=0.1)
    with pytest.raises(LaunchError, match="did not become ready"):
        await waiting.launch(WorkflowType.COMPONENT_ANALYSIS, {}, idempotency_key="k-4")
