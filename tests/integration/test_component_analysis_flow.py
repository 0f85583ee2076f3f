"""`component_analysis` as a real Prefect flow, and the `RunWatcher` that follows it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.states import State
from rich.console import Console

from bot.cli.terminal import run_with_progress
from tests.conftest import git
from tests.integration.task_runs import task_names, task_runs_when
from workflows.flows.component_analysis import component_analysis
from workflows.models.component_analysis import AnalysisRequest, ComponentAnalysisResult
from workflows.models.snapshots import StepStatus
from workflows.registry import flow_specs
from workflows.types import WorkflowType

pytestmark = pytest.mark.prefect


@pytest.fixture(autouse=True)
def no_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """These runs are about the analysis: a developer's own Linear settings stay out."""
    monkeypatch.delenv("LINEAR_API_KEY", raising=False)
    monkeypatch.delenv("LINEAR_TEAM_KEY", raising=False)


def test_flow_analyses_a_local_component(prefect_api, data_dir, planted_repo: Path) -> None:
    state = component_analysis(
        AnalysisRequest(repo=str(planted_repo), component="contexten/agents"), return_state=True
    )
    assert state.is_completed(), state.message
    result = state.result()
    assert isinstance(result, ComponentAnalysisResult)
    assert result.commit == git("rev-parse", "HEAD", cwd=planted_repo)
    found = {(f.rule, f.symbol, f.path, f.line) for f in result.report.findings}
    assert ("unused-function", "planted_unused_function", "worker.py", 9) in found
    assert ("unused-import", "os", "worker.py", 1) in found
    assert any(f.rule == "bare-except" for f in result.report.findings)


def test_flow_clones_a_git_url_at_a_ref(prefect_api, data_dir, planted_repo: Path) -> None:
    git("tag", "v1", cwd=planted_repo)
    (planted_repo / "contexten" / "agents" / "worker.py").write_text("import json\n")
    git("commit", "-qam", "replace", cwd=planted_repo)
    request = AnalysisRequest(repo=f"file://{planted_repo}", component="contexten/agents", ref="v1")
    result = component_analysis(request)
    assert result.commit == git("rev-parse", "v1^{commit}", cwd=planted_repo)
    assert any(f.symbol == "planted_unused_function" for f in result.report.findings)
    assert (data_dir / "checkouts").is_dir()

    latest = component_analysis(request.model_copy(update={"ref": "main"}))
    assert [f.symbol for f in latest.report.findings] == ["json"]


def test_flow_fails_clearly_for_a_missing_component(
    prefect_api, data_dir, planted_repo: Path
) -> None:
    state = component_analysis(
        AnalysisRequest(repo=str(planted_repo), component="no/such/place"), return_state=True
    )
    assert state.is_failed()
    assert "does not exist in the repository" in (state.message or "")


def test_flow_runs_named_tasks_and_publishes_an_artifact(
    prefect_api, data_dir, planted_repo: Path
) -> None:
    state = component_analysis(AnalysisRequest(repo=str(planted_repo)), return_state=True)

    async def inspect() -> tuple[set[str], list[str]]:
        run_id = state.state_details.flow_run_id
        wanted = {"checkout", "analyse", "summarise"}
        tasks = await task_runs_when(run_id, lambda t: wanted <= task_names(t))
        async with get_client() as client:
            run_filter = FlowRunFilter(id=FlowRunFilterId(any_=[run_id]))
            artifacts = await client.read_artifacts(flow_run_filter=run_filter)
        return task_names(tasks), [a.key for a in artifacts]

    names, keys = asyncio.run(inspect())
    assert {"checkout", "analyse", "summarise"} <= names
    assert "component-analysis" in keys


async def test_watcher_follows_a_run_to_completion(
    prefect_api, data_dir, planted_repo: Path
) -> None:
    spec = flow_specs()[WorkflowType.COMPONENT_ANALYSIS]
    parameters = {"request": {"repo": str(planted_repo), "component": "contexten"}}
    console = Console(file=open("/dev/null", "w"), force_terminal=False)  # noqa: SIM115
    state = await run_with_progress(spec, parameters, "test", console)
    assert state.is_completed(), state.message
    from bot.runs.watcher import RunWatcher

    watcher = RunWatcher(state.state_details.flow_run_id, spec)
    async with get_client() as client:
        snapshot = await watcher.snapshot(client)
    assert snapshot.finished and snapshot.succeeded
    assert [s.status for s in snapshot.steps] == [StepStatus.DONE] * 3
    result = await watcher.result()
    assert isinstance(result, ComponentAnalysisResult)
    assert result.request.component == "contexten"


def test_a_missing_repository_is_not_retried(prefect_api, data_dir, tmp_path: Path) -> None:
    request = AnalysisRequest(repo=f"file://{tmp_path}/nothing.git")
    state = component_analysis(request, return_state=True)
    assert state.is_failed() and "git clone failed" in (state.message or "")
    assert asyncio.run(checkout_attempts(state)) == 1


def test_network_trouble_is_retried(prefect_api, data_dir, tmp_path: Path, monkeypatch) -> None:
    import workflows.flows.component_analysis as module

    monkeypatch.setattr(module.fetch_repository, "retry_delay_seconds", [0, 0])
    request = AnalysisRequest(repo="https://127.0.0.1:9/nobody/nothing.git")  # refused at once
    state = component_analysis(request, return_state=True)
    assert state.is_failed() and "connect" in (state.message or "").lower()
    assert asyncio.run(checkout_attempts(state)) == 3


async def checkout_attempts(state: State) -> int:
    """How many times the flow run's checkout task ran."""
    tasks = await task_runs_when(
        state.state_details.flow_run_id,
        lambda t: any(r.name.startswith("checkout") and r.state and r.state.is_final() for r in t),
    )
    return next(t.run_count for t in tasks if t.name.startswith("checkout"))
