"""`dead_code_cleanup` as a real Prefect flow: it pauses for a decision and acts on it.

Called directly (no deployment) the flow waits in-process; the test resumes it through the
Prefect API, as the bot does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.flow_runs import resume_flow_run

from tests.conftest import git
from tests.integration.paused_runs import start_flow, stored_request, wait_paused
from workflows.flows.dead_code_cleanup import dead_code_cleanup
from workflows.governance.approvals import decision_key
from workflows.models.dead_code_cleanup import CleanupOutcome, CleanupRequest, CleanupResult

pytestmark = pytest.mark.prefect

DEAD = """\
import json
import os


def _dead_helper():
    return json.dumps({})


def used():
    return os.getcwd()
"""


@pytest.fixture
def dead_repo(planted_repo: Path) -> Path:
    (planted_repo / "contexten" / "agents" / "dead.py").write_text(DEAD)
    git("add", "-A", cwd=planted_repo)
    git("commit", "-qm", "dead code", cwd=planted_repo)
    return planted_repo


def test_approved_change_is_committed_on_a_branch(prefect_api, data_dir, dead_repo: Path) -> None:
    head = git("rev-parse", "HEAD", cwd=dead_repo)
    request = CleanupRequest(repo=str(dead_repo), component="contexten/agents")
    thread, out = start_flow(dead_code_cleanup, "cleanup-approve", request)
    run_id = wait_paused("cleanup-approve")

    stored = stored_request(run_id)
    assert stored.title == "Remove dead code in contexten/agents"
    assert stored.risk == "medium" and "1 function deleted" in stored.risk_reasons
    assert any("dead.py" in line for line in stored.details)
    assert stored.digest and stored.flow_run_id == str(run_id)

    resume_flow_run(run_id, run_input={"decision": "approve", "who": "U0003", "comment": "ok"})
    thread.join(60)
    result: CleanupResult = out["state"].result()
    assert result.outcome is CleanupOutcome.BRANCH
    assert result.decided_by == "U0003"
    branch = result.change.branch
    assert git("rev-parse", f"{branch}^", cwd=dead_repo) == head
    dead = git("show", f"{branch}:contexten/agents/dead.py", cwd=dead_repo)
    assert "_dead_helper" not in dead and "def used" in dead
    worker = git("show", f"{branch}:contexten/agents/worker.py", cwd=dead_repo)
    assert "import os" not in worker and "import sys" in worker
    message = git("log", "-1", "--format=%B", branch, cwd=dead_repo)
    assert "Approved-by: U0003" in message
    # The user's own checkout is untouched and the worktree is gone.
    assert git("rev-parse", "HEAD", cwd=dead_repo) == head
    assert "_dead_helper" in (dead_repo / "contexten/agents/dead.py").read_text()
    assert not Path(result.change.worktree).exists()


def test_rejected_change_is_discarded(prefect_api, data_dir, dead_repo: Path) -> None:
    request = CleanupRequest(repo=str(dead_repo), component="contexten")
    thread, out = start_flow(dead_code_cleanup, "cleanup-reject", request)
    run_id = wait_paused("cleanup-reject")
    resume_flow_run(run_id, run_input={"decision": "reject", "who": "U0002"})
    thread.join(60)
    result: CleanupResult = out["state"].result()
    assert result.outcome is CleanupOutcome.REJECTED and result.decided_by == "U0002"
    branches = git("branch", "--list", "cicd/*", cwd=dead_repo)
    assert branches == ""
    assert not Path(result.change.worktree).exists()


def test_nothing_to_clean_does_not_ask(prefect_api, data_dir, planted_repo: Path) -> None:
    # Only a public unused function (confidence 60) and an unused `os`, outside the component.
    request = CleanupRequest(repo=str(planted_repo), component="README.md")
    result = dead_code_cleanup(request)
    assert result.outcome is CleanupOutcome.NOTHING
    assert git("branch", "--list", "cicd/*", cwd=planted_repo) == ""


def test_decision_key_is_claimed_once(prefect_api, data_dir, dead_repo: Path) -> None:
    import asyncio

    from workflows.governance.approvals import claim

    request = CleanupRequest(repo=str(dead_repo), component="contexten/agents")
    thread, out = start_flow(dead_code_cleanup, "cleanup-claim", request)
    run_id = wait_paused("cleanup-claim")

    async def race() -> list[bool]:
        async with get_client() as client:
            key = decision_key("change")
            return await asyncio.gather(
                *(claim(client, run_id, key, {"who": f"U000{i}"}) for i in range(5))
            )

    wins = asyncio.run(race())
    assert wins.count(True) == 1
    resume_flow_run(run_id, run_input={"decision": "reject", "who": "U0001"})
    thread.join(60)
    assert out["state"].result().outcome is CleanupOutcome.REJECTED


def test_no_approval_when_the_policy_says_so(
    prefect_api, data_dir, dead_repo: Path, tmp_path: Path
) -> None:
    (tmp_path / "none.yaml").write_text(
        "access_policy:\n  workflows:\n    dead_code_cleanup:\n      approval_required: false\n"
    )
    result = dead_code_cleanup(CleanupRequest(repo=str(dead_repo), component="contexten"))
    assert result.outcome is CleanupOutcome.BRANCH and result.decided_by == "policy"


def test_approved_change_becomes_a_pull_request_with_github(
    prefect_api, data_dir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
    from workflows.integrations.github_client import GitHubClient

    with GitHubEmulator(owner="acme", repo="widgets") as emu:
        emu.push_commit("main", {"pkg/__init__.py": "", "pkg/dead.py": DEAD})
        with GitHubClient(token=DEFAULT_TOKEN, api_url=emu.url, repository="acme/widgets") as gh:
            clone = gh.clone(tmp_path / "widgets").path
        monkeypatch.setenv("GITHUB_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("GITHUB_API_URL", emu.url)
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/widgets")
        monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0")
        thread, out = start_flow(
            dead_code_cleanup, "cleanup-github", CleanupRequest(repo=clone, component="pkg")
        )
        run_id = wait_paused("cleanup-github")
        stored = stored_request(run_id)
        assert stored.target.startswith("acme/widgets: branch `cicd/dead-code-cleanup-")
        assert stored.target.endswith("→ `main` (pull request)")
        resume_flow_run(run_id, run_input={"decision": "approve", "who": "U0003"})
        thread.join(90)
        result: CleanupResult = out["state"].result()
        assert result.outcome is CleanupOutcome.PULL_REQUEST, result.warnings
        branch = result.change.branch
        assert branch in emu.branches() and result.commit == emu.branches()[branch]
        with emu.locked() as state:
            (pull,) = state.pulls.values()
        assert result.pull_request_number == pull.number
        assert result.pull_request_url and result.pull_request_url.endswith(f"/{pull.number}")
