"""`component_analysis` with Linear set up: the real flow (Prefect harness) against the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from rich.console import Console

from bot.cli.terminal import run_with_progress
from bot.runs.watcher import RunWatcher
from tests.conftest import git
from tests.emulators.linear import DEFAULT_KEY, LinearEmulator
from workflows.flows.component_analysis import component_analysis
from workflows.integrations.linear import Linear
from workflows.integrations.linear_tracking import analysis_marker
from workflows.integrations.retrying import RetryPolicy
from workflows.models.component_analysis import AnalysisRequest, ComponentAnalysisResult
from workflows.models.snapshots import StepStatus
from workflows.registry import flow_specs
from workflows.types import WorkflowType

pytestmark = [pytest.mark.prefect, pytest.mark.needs_shared("api/linear/schema.graphql")]
CLEAN = "def used() -> int:\n    return 1\n\n\nprint(used())\n"


@pytest.fixture(scope="module")
def server() -> Iterator[LinearEmulator]:
    with LinearEmulator() as emu:
        yield emu


@pytest.fixture
def emu(server: LinearEmulator, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> LinearEmulator:
    """The emulator, fresh, and the environment pointing the flow at it."""
    server.reset()
    monkeypatch.setenv("LINEAR_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("LINEAR_API_URL", server.url)
    monkeypatch.setenv("LINEAR_TEAM_KEY", "ZAM")
    monkeypatch.setenv("INTEGRATION_RETRY_ATTEMPTS", "3")
    monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0.01")
    return server


def analyse(repo: Path, component: str = "contexten/agents", **extra) -> ComponentAnalysisResult:
    state = component_analysis(
        AnalysisRequest(repo=str(repo), component=component, **extra), return_state=True
    )
    assert state.is_completed(), state.message
    return state.result()


def state_names(emu: LinearEmulator, updates: list) -> list[str]:
    names = {s["id"]: s["name"] for s in emu.store.states.values()}
    return [
        names[r.variables["input"]["stateId"]] for r in updates if "stateId" in r.variables["input"]
    ]


def test_first_run_creates_the_issue_sub_issues_and_comment(
    prefect_api, emu: LinearEmulator, planted_repo: Path
) -> None:
    result = analyse(planted_repo)
    assert result.warnings == []
    assert any(f.symbol == "planted_unused_function" for f in result.report.findings)

    main = emu.issue("ZAM-1")
    assert result.linear_issue is not None
    assert (result.linear_issue.identifier, result.linear_issue.url) == ("ZAM-1", main["url"])
    assert main["title"] == "Component Analysis: contexten/agents"
    assert (
        "## Analysis Scope" in main["description"]
        and "- [ ] Code quality analysis" in main["description"]
    )
    assert analysis_marker(result.request) in main["description"]
    assert main["labelNames"] == ["component-analysis"]
    # In Progress while it ran, In Review at the end: there are problems to look at.
    assert state_names(emu, emu.requests_for("IssueUpdate"))[:1] == ["In Progress"]
    assert main["stateName"] == "In Review"

    subs = [i for i in emu.issues() if i["parentId"] == main["id"]]
    categories = {f.category for f in result.report.findings}
    assert len(subs) == len(categories)
    quality = next(s for s in subs if s["title"].startswith("Code quality analysis"))
    assert (
        "planted_unused_function" in quality["description"] or "worker.py" in quality["description"]
    )

    (comment,) = emu.comments("ZAM-1")
    assert comment["body"].startswith("**Analysis results** · Prefect run `")
    assert "| code_quality |" in comment["body"] and "worker.py" in comment["body"]


def test_a_second_run_finds_everything_again(
    prefect_api, emu: LinearEmulator, planted_repo: Path
) -> None:
    first = analyse(planted_repo)
    count = len(emu.issues())
    second = analyse(planted_repo)
    assert second.linear_issue == first.linear_issue
    assert len(emu.issues()) == count and not emu.requests_for("IssueCreate")[count:]
    assert len(emu.comments("ZAM-1")) == 2
    assert emu.issue("ZAM-1")["stateName"] == "In Review"


def test_fixed_code_closes_the_issue_and_its_sub_issues(
    prefect_api, emu: LinearEmulator, planted_repo: Path
) -> None:
    analyse(planted_repo)
    (planted_repo / "contexten" / "agents" / "worker.py").write_text(CLEAN)
    git("commit", "-qam", "fix", cwd=planted_repo)
    result = analyse(planted_repo)
    assert result.report.findings == [] and result.linear_issue.identifier == "ZAM-1"
    assert {i["identifier"]: emu.issue(i["identifier"])["stateName"] for i in emu.issues()} == {
        i["identifier"]: "Done" for i in emu.issues()
    }


def test_a_given_issue_is_used(prefect_api, emu: LinearEmulator, planted_repo: Path) -> None:
    with Linear.connect(DEFAULT_KEY, emu.url, policy=RetryPolicy(base_delay=0.01)) as linear:
        team = linear.team("ZAM")
        linear.create_issue(team.id, "Unrelated")
        given = linear.create_issue(team.id, "Analyse the agents", "Asked for in planning")
    result = analyse(planted_repo, linear_issue_id=given.identifier.lower())
    assert result.request.linear_issue_id == "ZAM-2"
    assert result.linear_issue.identifier == "ZAM-2" and result.warnings == []
    issue = emu.issue("ZAM-2")
    assert (issue["title"], issue["description"]) == ("Analyse the agents", "Asked for in planning")
    assert issue["stateName"] == "In Review" and len(emu.comments("ZAM-2")) == 1
    subs = [i for i in emu.issues() if i["parentId"] == issue["id"]]
    assert subs and all(s["title"].endswith(": contexten/agents") for s in subs)
    assert not [i for i in emu.issues() if i["title"].startswith("Component Analysis")]


def test_linear_down_still_returns_the_analysis_with_a_warning(
    prefect_api, emu: LinearEmulator, planted_repo: Path
) -> None:
    emu.fail_next(None, status=503)
    result = analyse(planted_repo)
    assert any(f.symbol == "planted_unused_function" for f in result.report.findings)
    assert result.linear_issue is None
    assert len(result.warnings) == 2
    assert result.warnings[0].startswith("Linear: could not open the issue at the start (")
    assert result.warnings[1].startswith("Linear: results not recorded (")
    assert "the analysis is complete" in result.warnings[1]
    assert emu.request_count == 6  # 3 attempts at the start, 3 at the end
    assert emu.store.issues == {}


def test_a_failed_analysis_is_noted_in_the_issue(
    prefect_api, emu: LinearEmulator, planted_repo: Path
) -> None:
    state = component_analysis(
        AnalysisRequest(repo=str(planted_repo), component="no/such/place"), return_state=True
    )
    assert state.is_failed() and "does not exist in the repository" in (state.message or "")
    issue = emu.issue("ZAM-1")
    assert issue["stateName"] == "Todo"
    assert "does not exist" in emu.comments("ZAM-1")[0]["body"]


def test_without_linear_settings_nothing_is_sent(
    prefect_api, emu: LinearEmulator, planted_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINEAR_API_KEY")
    result = analyse(planted_repo, linear_issue_id="ZAM-1084")
    assert result.linear_issue is None and emu.request_count == 0
    assert result.warnings == [
        "Linear is not set up (LINEAR_API_KEY, LINEAR_TEAM_KEY): ZAM-1084 was not updated"
    ]
    assert [k for k, _ in flow_specs()[WorkflowType.COMPONENT_ANALYSIS].steps] == [
        "checkout",
        "analyse",
        "summarise",
    ]


async def test_the_progress_shows_the_linear_steps(
    prefect_api, emu: LinearEmulator, planted_repo: Path
) -> None:
    spec = flow_specs()[WorkflowType.COMPONENT_ANALYSIS]
    assert [k for k, _ in spec.steps] == [
        "linear-start",
        "checkout",
        "analyse",
        "summarise",
        "linear-record",
    ]
    parameters = {"request": {"repo": str(planted_repo), "component": "contexten"}}
    console = Console(file=open("/dev/null", "w"), force_terminal=False)  # noqa: SIM115
    state = await run_with_progress(spec, parameters, "test", console)
    assert state.is_completed(), state.message
    watcher = RunWatcher(state.state_details.flow_run_id, spec)
    async with get_client() as client:
        snapshot = await watcher.snapshot(client)
    assert [s.status for s in snapshot.steps] == [StepStatus.DONE] * 5
    result = await watcher.result()
    assert result.linear_issue.identifier == "ZAM-1"
