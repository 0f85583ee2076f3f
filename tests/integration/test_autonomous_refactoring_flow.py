"""`autonomous_refactoring` as a real Prefect flow against the Codegen emulator: the prompt, the
approval, the agent run followed to its pull request, and its failure."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run

from bot.runs.watcher import RunWatcher
from tests.emulators.codegen import CodegenEmulator
from tests.integration.paused_runs import start_flow, wait_paused
from workflows.flows.autonomous_refactoring import SPEC, autonomous_refactoring
from workflows.flows.component_analysis import component_analysis
from workflows.governance.approvals import ApprovalRequest, request_key
from workflows.models.autonomous_refactoring import (
    RefactoringOutcome,
    RefactoringRequest,
    RefactoringResult,
)
from workflows.models.component_analysis import AnalysisRequest
from workflows.models.snapshots import StepStatus

pytestmark = pytest.mark.prefect
FINDINGS = [
    "contexten/agents/worker.py:1 unused-import: `os` imported but unused",
    "contexten/agents/worker.py:9 unused-function: `planted_unused_function` is never used",
]


@pytest.fixture(scope="module")
def server() -> Iterator[CodegenEmulator]:
    with CodegenEmulator(polls=2) as emu:
        yield emu


@pytest.fixture
def emu(
    server: CodegenEmulator, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> CodegenEmulator:
    server.reset()
    monkeypatch.setenv("CODEGEN_API_BASE_URL", server.url)
    monkeypatch.setenv("CODEGEN_TOKEN", server.token)
    monkeypatch.setenv("CODEGEN_ORG_ID", str(server.org_id))
    monkeypatch.setenv("GITHUB_REPOSITORY", "example/app")
    monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0")
    return server


def no_approval(data_dir: Path) -> None:
    """The policy lets autonomous_refactoring run without asking."""
    config = Path(str(data_dir.parent / "none.yaml"))
    policy = {"workflows": {"autonomous_refactoring": {"approval_required": False}}}
    config.write_text(yaml.safe_dump({"access_policy": policy}))


def request(**extra: Any) -> RefactoringRequest:
    fields: dict[str, Any] = {"repo": "/srv/repo", "component": "contexten/agents", **extra}
    fields.setdefault("findings", FINDINGS)
    return RefactoringRequest(**fields)


def agent_detail(run_id: UUID, timeout: float = 30) -> str:
    """The progress detail of the agent step while it runs, as the bot's watcher reads it."""

    async def read() -> str | None:
        watcher = RunWatcher(run_id, SPEC)
        async with get_client() as client:
            snapshot = await watcher.snapshot(client)
        step = next(s for s in snapshot.steps if s.key == "codegen-run-agent")
        return step.detail if step.status is StepStatus.RUNNING else None

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        detail = asyncio.run(read())
        if detail:
            return detail
        time.sleep(0.2)
    raise AssertionError("the agent step never showed its status")


def test_without_approval_the_agent_opens_a_pull_request(
    prefect_api: str, emu: CodegenEmulator, data_dir: Path
) -> None:
    no_approval(data_dir)
    state = autonomous_refactoring(request(commit="abc123"), return_state=True)
    assert state.is_completed(), state.message
    result: RefactoringResult = state.result()
    assert result.outcome is RefactoringOutcome.PULL_REQUEST
    (run,) = emu.runs.values()
    assert result.pull_request_url == f"https://github.com/example/app/pull/{100 + run.id}"
    assert result.agent_run_id == run.id and result.agent_status == "COMPLETE"
    assert result.decided_by == "policy" and len(result.findings) == 2
    prompt = run.prompt
    assert prompt.startswith("Refactor the repository example/app at commit abc123 ")
    assert "contexten/agents/worker.py:9, unused-function:" in prompt
    assert "Keep behaviour exactly as it is" in prompt


def test_a_failed_agent_run_fails_the_run_with_its_reason(
    prefect_api: str, emu: CodegenEmulator, data_dir: Path
) -> None:
    no_approval(data_dir)
    emu.next_run_outcome("failed", error="The test suite does not start: missing fixture.")
    state = autonomous_refactoring(request(), return_state=True)
    assert state.is_failed()
    assert "ended FAILED: The test suite does not start: missing fixture." in (state.message or "")
    assert "agent/trace" in (state.message or "")  # the agent run's page, to look at


def test_approved_the_agent_runs_and_its_status_is_shown(
    prefect_api: str, emu: CodegenEmulator, data_dir: Path, planted_repo: Path
) -> None:
    analysis = component_analysis(
        AnalysisRequest(repo=str(planted_repo), component="contexten/agents"), return_state=True
    )
    source = analysis.state_details.flow_run_id
    req = RefactoringRequest(repo=str(planted_repo), source_run=str(source), findings=[])
    thread, out = start_flow(autonomous_refactoring, "refactor-approve", req)
    run_id = wait_paused("refactor-approve")
    with get_client(sync_client=True) as client:
        asked = ApprovalRequest.model_validate_json(
            client.read_flow_run_input(run_id, request_key("change"))
        )
    assert asked.workflow == "autonomous_refactoring" and asked.digest
    assert asked.title == "Ask Codegen to fix findings in contexten/agents"
    assert any("worker.py" in line for line in asked.details)
    assert not emu.runs  # nothing is asked of the agent before the approval

    resume_flow_run(run_id, run_input={"decision": "approve", "who": "U0003"})
    assert agent_detail(run_id).startswith("agent running: ")
    thread.join(60)
    result: RefactoringResult = out["state"].result()
    assert result.outcome is RefactoringOutcome.PULL_REQUEST and result.decided_by == "U0003"
    (run,) = emu.runs.values()
    assert "contexten/agents/worker.py:9, unused-function:" in run.prompt
    assert "contexten/agents/worker.py:16, bare-except:" in run.prompt
    assert f"Found by the analysis run {analysis.state_details.flow_run_id}" not in run.prompt
    assert "Found by the analysis run " in run.prompt  # named by the run's name


def test_rejected_no_agent_is_asked(prefect_api: str, emu: CodegenEmulator, data_dir: Path) -> None:
    thread, out = start_flow(autonomous_refactoring, "refactor-reject", request())
    run_id = wait_paused("refactor-reject")
    resume_flow_run(run_id, run_input={"decision": "reject", "who": "U0002", "comment": "not now"})
    thread.join(60)
    result: RefactoringResult = out["state"].result()
    assert result.outcome is RefactoringOutcome.REJECTED
    assert (result.decided_by, result.comment) == ("U0002", "not now")
    assert not emu.runs and not emu.requests


def test_without_codegen_the_run_says_what_to_set(
    prefect_api: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CODEGEN_TOKEN", "CODEGEN_ORG_ID"):
        monkeypatch.delenv(name, raising=False)
    state = autonomous_refactoring(request(), return_state=True)
    assert state.is_failed()
    assert "set CODEGEN_ORG_ID and CODEGEN_TOKEN" in (state.message or "")
    assert "`/cicd cleanup contexten/agents`" in (state.message or "")


def test_cicd_run_starts_it_from_the_terminal(
    prefect_api: str,
    emu: CodegenEmulator,
    planted_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.integration.test_cli import cicd

    config = tmp_path / "policy.yaml"
    policy = {"workflows": {"autonomous_refactoring": {"approval_required": False}}}
    config.write_text(yaml.safe_dump({"access_policy": policy}))
    codegen = {
        "CODEGEN_API_BASE_URL": emu.url,
        "CODEGEN_TOKEN": emu.token,
        "CODEGEN_ORG_ID": str(emu.org_id),
        "CICD_CONFIG": str(config),
    }
    finding = "findings=contexten/agents/worker.py:1 unused-import: `os` imported but unused"
    done = cicd(
        "run",
        "autonomous_refactoring",
        "component=contexten/agents",
        finding,
        cwd=planted_repo,
        api_url=prefect_api,
        **codegen,
    )
    assert done.returncode == 0, done.stderr
    (run,) = emu.runs.values()
    assert "1. contexten/agents/worker.py:1, unused-import: `os` imported but unused" in run.prompt
    assert "Codegen fix for contexten/agents" in done.stdout
    assert f"https://github.com/example/app/pull/{100 + run.id}" in done.stdout
    assert "Codegen agent works on it" in done.stderr  # the progress display

    for name in ("CODEGEN_TOKEN", "CODEGEN_ORG_ID"):
        monkeypatch.delenv(name)
    missing = cicd(
        "run",
        "autonomous_refactoring",
        "source_run=brave-fox",
        cwd=planted_repo,
        api_url=prefect_api,
        CICD_CONFIG=str(config),
    )
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "set CODEGEN_ORG_ID and CODEGEN_TOKEN" in missing.stderr
