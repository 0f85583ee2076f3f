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
        await launcher.launch(WorkflowType.BACKUP_OPERATIONS, {}, idempotency_key="k-3")


async def test_prepare_completes_the_parameters_of_its_type_only(launcher: Launcher) -> None:
    seen: list[dict] = []

    async def measured(parameters: dict) -> dict:
        seen.append(parameters)
        slack = {"name": "slack", "configured": True, "ok": True, "latency_ms": 7.0}
        return {**parameters, "request": {**parameters["request"], "slack": slack}}

    launcher.prepare = {WorkflowType.HEALTH_CHECK: measured}
    run = await launcher.launch(
        WorkflowType.HEALTH_CHECK, {"request": {"window_hours": 3}}, idempotency_key="k-5"
    )
    assert run.parameters["request"]["slack"]["latency_ms"] == 7.0
    assert run.parameters["request"]["window_hours"] == 3
    other = await launcher.launch(
        WorkflowType.COMPONENT_ANALYSIS,
        {"request": {"repo": "/nowhere", "component": "x"}},
        idempotency_key="k-6",
    )
    assert "slack" not in other.parameters["request"] and len(seen) == 1

    async def broken(parameters: dict) -> dict:
        raise RuntimeError("Slack is down")

    launcher.prepare = {WorkflowType.HEALTH_CHECK: broken}
    plain = await launcher.launch(
        WorkflowType.HEALTH_CHECK, {"request": {"window_hours": 4}}, idempotency_key="k-7"
    )
    assert plain.parameters["request"] == {"window_hours": 4}  # a failed probe never stops a run


async def test_a_launcher_that_never_gets_ready_says_so(prefect_api: str) -> None:
    waiting = Launcher(flow_specs(), ready_timeout_s=0.1)
    with pytest.raises(LaunchError, match="did not become ready"):
        await waiting.launch(WorkflowType.COMPONENT_ANALYSIS, {}, idempotency_key="k-4")
