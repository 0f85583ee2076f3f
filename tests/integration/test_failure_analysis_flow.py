"""`failure_analysis` as a real Prefect flow against the GitHub emulator's CI history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
from tests.emulators.github_ci_history import ALICE, BOB, CiHistory, seed_ci_history
from workflows.failure_logs import FailureKind
from workflows.failure_logs.advice import Action
from workflows.flows.failure_analysis import SPEC, failure_analysis
from workflows.models.failure_analysis import FailureAnalysisRequest, FailureAnalysisResult

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def server() -> Iterator[GitHubEmulator]:
    with GitHubEmulator(tokens={DEFAULT_TOKEN: "cicd-bot", "ghp_alice": "alice"}) as emu:
        yield emu


@pytest.fixture
def history(
    server: GitHubEmulator, prefect_api: str, data_dir: object, monkeypatch: pytest.MonkeyPatch
) -> CiHistory:
    server.reset()
    monkeypatch.setenv("GITHUB_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/widgets")
    monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0.01")
    return seed_ci_history(server)


def _run(**request: str) -> FailureAnalysisResult:
    return failure_analysis(FailureAnalysisRequest(**request))


def test_a_red_run_is_classified_with_tests_suspects_and_a_fix_recommended(
    server: GitHubEmulator, history: CiHistory
) -> None:
    result = _run(run=str(history.red))

    assert (result.repository, result.run.id, result.run.branch) == (
        "acme/widgets",
        history.red,
        "release",
    )
    assert result.run.workflow_path == ".github/workflows/ci.yml"  # `path` without `@release`
    assert [job.name for job in result.jobs] == ["test"]  # lint passed
    job = result.jobs[0]
    assert job.kind is FailureKind.TEST
    assert job.failed_steps == ["Run tests"]
    assert {t.id: t.assertion for t in job.tests} == {
        "tests/test_app.py::test_add": "assert 3 == 4",
        "tests/test_http.py::test_parse_header": (
            "AssertionError: assert 'Content-Type' == 'content-type'"
        ),
    }
    assert any("FAILED tests/test_app.py::test_add" in e.text for e in job.evidence)
    suspects = result.suspects
    assert suspects.last_green is not None and suspects.last_green.id == history.green
    assert [c.sha for c in suspects.commits] == list(history.suspects)
    assert [(c.title, c.author_name) for c in suspects.commits] == [
        ("Make add faster", BOB[0]),
        ("Document add", ALICE[0]),
    ]
    assert suspects.commits[1].author_login == "alice"
    assert suspects.total == 2
    assert not result.flakiness.flaky
    assert result.advice.action is Action.CODEGEN_FIX
    assert "2 commits since the last green run" in result.advice.reason
    # Every GitHub read went through the API the emulator serves, compare included.
    assert server.requests_to("GET", r"/repos/acme/widgets/compare/[0-9a-f]{40}\.\.\.[0-9a-f]{40}")


def test_by_url_and_latest_failed_on_a_branch_find_the_same_run(history: CiHistory) -> None:
    by_branch = _run(branch="release", workflow="CI")
    assert by_branch.run.id == history.red
    url = f"https://github.com/acme/widgets/actions/runs/{history.red}/job/1"
    assert _run(run=url).run.id == history.red


def test_a_job_that_failed_and_passed_on_one_commit_is_flaky(history: CiHistory) -> None:
    result = _run(run=str(history.flaky_red))
    assert result.jobs[0].kind is FailureKind.INFRASTRUCTURE
    assert result.flakiness.flaky and result.flakiness.flaky_jobs == ["test"]
    assert {t.run_id for t in result.flakiness.tries} == {history.flaky_red, history.flaky_green}
    assert result.advice.action is Action.RERUN
    assert result.suspects.last_green is None  # no earlier green run on the branch


def test_a_timeout_on_every_try_is_real_and_needs_a_person(history: CiHistory) -> None:
    result = _run(run=str(history.slow_second))
    assert result.kind is FailureKind.TIMEOUT
    assert not result.flakiness.flaky and result.flakiness.repeated == 2
    assert result.advice.action is Action.LINEAR_ISSUE


def test_the_flow_runs_the_steps_its_spec_lists(history: CiHistory) -> None:
    import asyncio

    from tests.integration.task_runs import task_names, task_runs_when

    state = failure_analysis(FailureAnalysisRequest(run=str(history.red)), return_state=True)
    run_id = state.state_details.flow_run_id
    assert run_id is not None
    wanted = {key for key, _ in SPEC.steps}
    ran = task_names(asyncio.run(task_runs_when(run_id, lambda t: wanted <= task_names(t))))
    assert wanted <= ran
    assert {"github-get-workflow-run", "github-download-job-log", "github-compare-commits"} <= ran


def test_without_github_the_run_fails_naming_the_settings(
    history: CiHistory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.delenv("GITHUB_REPOSITORY")
    state = failure_analysis(FailureAnalysisRequest(run="42"), return_state=True)
    assert state.is_failed()
    assert "set GITHUB_TOKEN and GITHUB_REPOSITORY" in (state.message or "")
    assert "Traceback" not in (state.message or "")


def test_a_bad_run_value_is_refused_before_anything_runs() -> None:
    with pytest.raises(ValueError, match="Actions run id or its URL"):
        FailureAnalysisRequest(run="yesterday")


def test_cicd_run_in_the_terminal_prints_the_analysis_or_names_the_missing_settings(
    server: GitHubEmulator,
    history: CiHistory,
    prefect_api: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.integration.test_cli import cicd

    github = {
        "GITHUB_TOKEN": DEFAULT_TOKEN,
        "GITHUB_API_URL": server.url,
        "GITHUB_REPOSITORY": "acme/widgets",
    }
    done = cicd(
        "run", "failure_analysis", f"run={history.flaky_red}", cwd=tmp_path, api_url=prefect_api,
        **github,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (
        "Failure analysis: CI #" in done.stdout and "Flaky: test failed and passed" in done.stdout
    )
    assert "Recommended: Re-run the failed jobs." in done.stdout

    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.delenv("GITHUB_REPOSITORY")
    done = cicd("run", "failure_analysis", "branch=main", cwd=tmp_path, api_url=prefect_api)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "set GITHUB_TOKEN and GITHUB_REPOSITORY" in done.stderr
