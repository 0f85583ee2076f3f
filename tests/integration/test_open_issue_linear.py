"""Open issue on a result: the bot's `ResultIssues` against the Linear and Slack emulators and a
real analysis run (Prefect harness)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.runs.result_issues import ResultIssues
from tests.emulators.linear import DEFAULT_KEY, LinearEmulator
from tests.emulators.slack import SlackEmulator
from workflows.config import load_config
from workflows.flows.component_analysis import component_analysis
from workflows.models.component_analysis import AnalysisRequest, ComponentAnalysisResult
from workflows.registry import flow_specs

pytestmark = [pytest.mark.prefect, pytest.mark.needs_shared("api/linear/schema.graphql")]
CHANNEL, USER = "C0001", "U0001"


@pytest.fixture(scope="module")
def linear_server() -> Iterator[LinearEmulator]:
    with LinearEmulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(tokens=("xoxb-test-token",)) as emu:
        yield emu


@pytest.fixture
def linear(
    linear_server: LinearEmulator, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> LinearEmulator:
    linear_server.reset()
    monkeypatch.setenv("LINEAR_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("LINEAR_API_URL", linear_server.url)
    monkeypatch.setenv("LINEAR_TEAM_KEY", "ZAM")
    monkeypatch.setenv("INTEGRATION_RETRY_ATTEMPTS", "2")
    monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0.01")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/app")
    return linear_server


def analysed(repo: Path) -> tuple[str, ComponentAnalysisResult]:
    state = component_analysis(
        AnalysisRequest(repo=str(repo), component="contexten/agents"), return_state=True
    )
    assert state.is_completed(), state.message
    return str(state.state_details.flow_run_id), state.result()


def issues_service(slack: SlackEmulator) -> tuple[ResultIssues, str]:
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack.url)
    thread_ts = slack.add_message(CHANNEL, "Analyzing contexten/agents…")
    return ResultIssues(client, load_config(), flow_specs(), None), thread_ts


def press(issues: ResultIssues, run_id: str, index: int | None, **where: str) -> str | None:
    """One click's work, on its own event loop as the bot would run it."""
    return asyncio.run(issues.open(run_id, index, **where))


def notes(slack: SlackEmulator, thread_ts: str) -> list[str]:
    return [m["text"] for m in slack.thread(CHANNEL, thread_ts)[1:]]


def test_open_issue_creates_once_under_the_main_issue(
    prefect_api: str, linear: LinearEmulator, slack: SlackEmulator, planted_repo: Path
) -> None:
    run_id, result = analysed(planted_repo)
    main = result.linear_issue
    assert main is not None and main.identifier == "ZAM-1"  # the component's main issue
    issues, thread_ts = issues_service(slack)
    before = len(linear.issues())

    answer = press(issues, run_id, None, user=USER, channel=CHANNEL, thread_ts=thread_ts)

    assert answer is None
    created = linear.issues()[before:]
    assert len(created) == 1
    issue = linear.issue(created[0]["identifier"])
    assert issue["parentId"] == linear.issue("ZAM-1")["id"]
    count = len(result.top_findings(1000))  # the problems; integration points are an inventory
    assert issue["title"].startswith(f"{count} findings in contexten/agents (run ")
    commit = result.commit
    assert (
        f"[contexten/agents/worker.py:9](https://github.com/acme/app/blob/{commit}/"
        "contexten/agents/worker.py#L9)" in issue["description"]
    )
    assert "Slack thread: https://" in issue["description"]
    assert "re-runs find this issue by cicd:result-issue:" in issue["description"]
    identifier = issue["identifier"]
    assert notes(slack, thread_ts)[-1].startswith(f"📋 Linear issue <{issue['url']}|{identifier}>")
    assert f"opened by <@{USER}>" in notes(slack, thread_ts)[-1]
    assert "under ZAM-1" in notes(slack, thread_ts)[-1]

    again = press(issues, run_id, None, user="U0002", channel=CHANNEL, thread_ts=thread_ts)

    assert again is None and len(linear.issues()) == before + 1
    assert notes(slack, thread_ts)[-1] == (
        f"📋 Linear issue already open: <{issue['url']}|{identifier}>"
    )


def test_open_issue_on_one_finding(
    prefect_api: str, linear: LinearEmulator, slack: SlackEmulator, planted_repo: Path
) -> None:
    run_id, result = analysed(planted_repo)
    issues, thread_ts = issues_service(slack)
    before = len(linear.issues())
    second = result.top_findings(10)[1]

    press(issues, run_id, 1, user=USER, channel=CHANNEL, thread_ts=thread_ts)
    press(issues, run_id, 1, user=USER, channel=CHANNEL, thread_ts=thread_ts)
    press(issues, run_id, 0, user=USER, channel=CHANNEL, thread_ts=thread_ts)

    created = linear.issues()[before:]
    assert len(created) == 2  # finding 1 once, finding 0 once
    issue = linear.issue(created[0]["identifier"])
    assert issue["title"].startswith(
        f"{second.rule} in contexten/agents/{second.path}:{second.line}: "
    )
    assert issue["parentId"] == linear.issue("ZAM-1")["id"]
    assert f"#L{second.line})" in issue["description"]
    said = notes(slack, thread_ts)
    assert f"for `{second.path}:{second.line}` {second.rule}" in said[0]
    assert said[1].startswith("📋 Linear issue already open:")

    gone = press(issues, run_id, 99, user=USER, channel=CHANNEL, thread_ts=thread_ts)
    assert gone is not None and "no longer listed" in gone


def test_without_a_main_issue_the_issue_stands_alone(
    prefect_api: str,
    linear: LinearEmulator,
    slack: SlackEmulator,
    planted_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LINEAR_API_KEY")  # the analysis runs without Linear
    run_id, _ = analysed(planted_repo)
    monkeypatch.setenv("LINEAR_API_KEY", DEFAULT_KEY)
    monkeypatch.delenv("GITHUB_REPOSITORY")
    issues, thread_ts = issues_service(slack)

    press(issues, run_id, None, user=USER, channel=CHANNEL, thread_ts=thread_ts)

    (issue,) = linear.issues()
    assert issue["parentId"] is None
    assert "`contexten/agents/worker.py:9`" in issue["description"]  # no GitHub: plain places


def test_the_main_issue_is_found_by_its_marker(
    prefect_api: str,
    linear: LinearEmulator,
    slack: SlackEmulator,
    planted_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analysed(planted_repo)  # tracked in Linear: the component's main issue ZAM-1
    monkeypatch.delenv("LINEAR_API_KEY")
    run_id, result = analysed(planted_repo)  # this run was not tracked
    assert result.linear_issue is None
    monkeypatch.setenv("LINEAR_API_KEY", DEFAULT_KEY)
    issues, thread_ts = issues_service(slack)
    before = len(linear.issues())

    press(issues, run_id, None, user=USER, channel=CHANNEL, thread_ts=thread_ts)

    (created,) = linear.issues()[before:]
    assert created["parentId"] == linear.issue("ZAM-1")["id"]


def test_without_linear_the_answer_says_what_to_set(
    prefect_api: str, data_dir: Path, slack: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINEAR_API_KEY", DEFAULT_KEY)
    issues, thread_ts = issues_service(slack)
    answer = press(issues, "x", None, user=USER, channel=CHANNEL, thread_ts=thread_ts)
    assert answer is not None and "set `LINEAR_TEAM_KEY`" in answer
    assert "LINEAR_API_KEY`:" in answer  # what each one is, but only the missing one to set
    assert "set `LINEAR_API_KEY`" not in answer
