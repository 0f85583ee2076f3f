"""Open issue and Ask for a fix on an analysis result and on a failure analysis, through the
real bot with signed clicks: with Linear, Codegen and GitHub (their emulators) set up, and
without them (the session's plain bot)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.approval_helpers import (
    CHANNEL,
    approval_message,
    buttons,
    click,
    driver_for,
    ephemeral,
    parent,
    press,
    wait_until,
)
from tests.e2e.bot_process import BotProcess
from tests.emulators.codegen import CodegenEmulator
from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
from tests.emulators.github_ci_history import CiHistory, seed_ci_history
from tests.emulators.linear import DEFAULT_KEY, LinearEmulator
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import SlackDriver, new_trigger_id
from workflows.governance.audit import read_local

pytestmark = [pytest.mark.e2e, pytest.mark.needs_shared("api/linear/schema.graphql")]
REQUESTER, OUTSIDER, APPROVER = "U0001", "U0002", "U0003"
CONFIG: dict[str, Any] = {
    "max_concurrent_workflows": 4,
    "approval_poll_seconds": 1,
    "access_policy": {
        "workflows": {"autonomous_refactoring": {"start": {"users": [REQUESTER, APPROVER]}}}
    },
}


@pytest.fixture(scope="module")
def linear() -> Iterator[LinearEmulator]:
    with LinearEmulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def codegen() -> Iterator[CodegenEmulator]:
    with CodegenEmulator(polls=3) as emu:
        yield emu


@pytest.fixture(scope="module")
def github() -> Iterator[GitHubEmulator]:
    with GitHubEmulator(owner="example", repo="app") as emu:
        yield emu


@pytest.fixture(scope="module")
def history(github: GitHubEmulator) -> CiHistory:
    return seed_ci_history(github)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("buttons-bot")


@pytest.fixture(scope="module")
def wired_bot(
    slack: SlackEmulator,
    e2e_repo: Path,
    linear: LinearEmulator,
    codegen: CodegenEmulator,
    github: GitHubEmulator,
    workdir: Path,
) -> Iterator[BotProcess]:
    """The bot with Linear, Codegen and GitHub set (emulators); links go to github.com."""
    process = BotProcess(
        workdir,
        slack.url,
        e2e_repo,
        LINEAR_API_KEY=DEFAULT_KEY,
        LINEAR_API_URL=linear.url,
        LINEAR_TEAM_KEY="ZAM",
        CODEGEN_API_BASE_URL=codegen.url,
        CODEGEN_TOKEN=codegen.token,
        CODEGEN_ORG_ID=str(codegen.org_id),
        GITHUB_REPOSITORY="example/app",
        GITHUB_TOKEN=DEFAULT_TOKEN,
        GITHUB_API_URL=github.url,
        GITHUB_WEB_URL="https://github.com",
        INTEGRATION_RETRY_BASE_SECONDS="0.1",
    )
    (workdir / "orchestration_config.yaml").write_text(yaml.safe_dump(CONFIG))
    with process.serving():
        yield process


@pytest.fixture
def wired(wired_bot: BotProcess, slack: SlackEmulator) -> Iterator[SlackDriver]:
    with driver_for(wired_bot, slack) as d:
        yield d


def analysis_result(
    driver: SlackDriver, slack: SlackEmulator, user: str = REQUESTER
) -> tuple[str, dict[str, Any]]:
    """`/cicd analyze contexten/agents`; returns (thread ts, the result message)."""
    before = slack.messages(CHANNEL)[-1]["ts"] if slack.messages(CHANNEL) else "0"
    assert driver.slash_command("analyze contexten/agents", user_id=user).status_code == 200
    top = slack.wait_for(lambda: parent(slack, "Analyzing contexten/agents", before), timeout=15)

    def result() -> dict[str, Any] | None:
        for message in slack.thread(CHANNEL, top["ts"])[1:]:
            if "cicd_open_finding_issue" in json.dumps(message.get("blocks", [])):
                return message
        return None

    return top["ts"], slack.wait_for(result, timeout=90)


def finding_button(message: dict[str, Any], index: int) -> dict[str, Any]:
    block = next(b for b in message["blocks"] if b.get("block_id") == f"cicd_finding_{index}")
    return dict(block["accessory"])


def thread_note(slack: SlackEmulator, thread_ts: str, needle: str, nth: int = 0) -> str:
    def found() -> str | None:
        texts = [m.get("text", "") for m in slack.thread(CHANNEL, thread_ts)]
        hits = [t for t in texts if needle in t]
        return hits[nth] if len(hits) > nth else None

    return str(slack.wait_for(found, timeout=30))


# -- without the integrations: the session's plain bot ----------------------------------------


def test_without_linear_or_codegen_the_buttons_say_what_to_set(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver
) -> None:
    thread_ts, result = analysis_result(driver, slack)
    run_id = buttons(result)["cicd_open_issue"]

    issue = ephemeral(
        slack, press(driver, slack, result, "cicd_open_issue", run_id, REQUESTER, "i")
    )
    assert "Linear is not set up" in issue
    assert "set `LINEAR_API_KEY` and `LINEAR_TEAM_KEY`" in issue

    fix = ephemeral(slack, press(driver, slack, result, "cicd_request_fix", run_id, REQUESTER, "f"))
    assert fix == (
        "Codegen is not set up (set CODEGEN_ORG_ID and CODEGEN_TOKEN). The safe fixes can be "
        "applied now: `/cicd cleanup contexten/agents`"
    )
    # Nothing was started: the thread holds the progress message and the result only.
    assert len(slack.thread(CHANNEL, thread_ts)) == 3


# -- with Linear and Codegen --------------------------------------------------------------------


def test_open_issue_once_per_result_and_per_finding(
    wired_bot: BotProcess,
    slack: SlackEmulator,
    wired: SlackDriver,
    linear: LinearEmulator,
    workdir: Path,
) -> None:
    thread_ts, result = analysis_result(wired, slack)
    run_id = buttons(result)["cicd_open_issue"]
    main = linear.issue("ZAM-1")  # the component's main issue, from the analysis itself
    before = len(linear.issues())

    press(wired, slack, result, "cicd_open_issue", run_id, REQUESTER, "whole")
    note = thread_note(slack, thread_ts, "📋 Linear issue")
    created = linear.issues()[before:]
    assert len(created) == 1 and created[0]["parentId"] == main["id"]
    identifier = created[0]["identifier"]
    assert f"|{identifier}> opened by <@{REQUESTER}>" in note and "under ZAM-1" in note
    assert "https://github.com/example/app/blob/" in created[0]["description"]

    press(wired, slack, result, "cicd_open_issue", run_id, OUTSIDER, "again")
    again = thread_note(slack, thread_ts, "already open")
    assert f"|{identifier}>" in again and len(linear.issues()) == before + 1

    one = finding_button(result, 0)
    press(wired, slack, result, one["action_id"], one["value"], REQUESTER, "finding")
    finding_note = thread_note(slack, thread_ts, "opened by", nth=1)
    assert " for `worker.py:" in finding_note
    (single,) = linear.issues()[before + 1 :]
    assert single["parentId"] == main["id"] and "#L" in single["description"]

    def opened() -> list[Any]:  # recorded just after the note in the thread
        found = [r for r in read_local(workdir / "data") if r.kind.value == "issue_opened"]
        return found if len(found) == 3 else []

    trail = wait_until(opened, timeout=10)
    assert {r.run_id for r in trail} == {run_id}
    assert any("found again" in r.what for r in trail)


def test_ask_for_a_fix_runs_the_agent_to_its_pull_request(
    wired_bot: BotProcess,
    slack: SlackEmulator,
    wired: SlackDriver,
    codegen: CodegenEmulator,
    workdir: Path,
) -> None:
    thread_ts, result = analysis_result(wired, slack)
    run_id = buttons(result)["cicd_request_fix"]
    agents_before = len(codegen.runs)

    refused = press(wired, slack, result, "cicd_request_fix", run_id, OUTSIDER, "outsider")
    assert ephemeral(slack, refused).startswith("⛔")

    trigger = new_trigger_id()
    press(wired, slack, result, "cicd_request_fix", run_id, REQUESTER, "fix", trigger)
    press(wired, slack, result, "cicd_request_fix", run_id, REQUESTER, "fix-again", trigger)
    request = slack.wait_for(lambda: approval_message(slack, thread_ts), timeout=60)
    assert "Ask Codegen to fix findings in contexten/agents" in json.dumps(request["blocks"])
    assert len(codegen.runs) == agents_before  # nothing asked before the approval

    click(wired, slack, request, "cicd_approve", APPROVER, "approve")

    def final() -> dict[str, Any] | None:
        for message in slack.thread(CHANNEL, thread_ts):
            if "Codegen fix for contexten/agents" in json.dumps(message.get("blocks", [])):
                return message
        return None

    done = slack.wait_for(final, timeout=90)
    (agent,) = list(codegen.runs.values())[agents_before:]
    shown = json.dumps(done["blocks"])
    assert f"https://github.com/example/app/pull/{100 + agent.id}" in shown
    assert "contexten/agents/worker.py:9, unused-function:" in agent.prompt
    assert "Keep public names" in agent.prompt
    # One run for the two deliveries of the same click; its progress showed the agent's status.
    progress = [
        m
        for m in slack.thread(CHANNEL, thread_ts)
        if "Codegen agent works on it" in json.dumps(m.get("blocks", []), ensure_ascii=False)
    ]
    assert len(progress) == 1
    updates = [
        json.dumps(c.params.get("blocks"), ensure_ascii=False)
        for c in slack.calls_to("chat.update")
        if c.params.get("ts") == progress[0]["ts"]
    ]
    assert any("agent running: ACTIVE" in u for u in updates)
    started = wait_until(
        lambda: [
            r
            for r in read_local(workdir / "data")
            if r.kind.value == "started" and r.workflow == "autonomous_refactoring"
        ],
        timeout=10,
    )
    assert [r.related_run_id for r in started] == [run_id]
    denied = [r for r in read_local(workdir / "data") if r.kind.value == "start_denied"]
    assert [r.actor for r in denied if r.workflow == "autonomous_refactoring"] == [OUTSIDER]


def test_cicd_run_starts_it_from_an_analysis_run(
    wired_bot: BotProcess, slack: SlackEmulator, wired: SlackDriver, codegen: CodegenEmulator
) -> None:
    _, result = analysis_result(wired, slack)
    source = buttons(result)["cicd_request_fix"]
    agents_before = len(codegen.runs)
    before = slack.messages(CHANNEL)[-1]["ts"]
    words = f"run autonomous_refactoring source_run={source}"
    assert wired.slash_command(words, user_id=REQUESTER).status_code == 200
    top = slack.wait_for(lambda: parent(slack, "Asking Codegen to fix", before), timeout=15)
    request = slack.wait_for(lambda: approval_message(slack, top["ts"]), timeout=60)
    click(wired, slack, request, "cicd_approve", APPROVER, "approve-run")

    def final() -> dict[str, Any] | None:
        for message in slack.thread(CHANNEL, top["ts"]):
            if "Codegen fix for" in json.dumps(message.get("blocks", [])):
                return message
        return None

    done = slack.wait_for(final, timeout=90)
    (agent,) = list(codegen.runs.values())[agents_before:]
    assert f"/pull/{100 + agent.id}" in json.dumps(done["blocks"])
    assert "contexten/agents/worker.py:16, bare-except:" in agent.prompt  # read from the run


# -- on a failure analysis ----------------------------------------------------------------------


def failure_result(
    driver: SlackDriver, slack: SlackEmulator, run_id: int
) -> tuple[str, dict[str, Any]]:
    """`/cicd run failure_analysis run=<id>`; returns (thread ts, the result message)."""
    before = slack.messages(CHANNEL)[-1]["ts"] if slack.messages(CHANNEL) else "0"
    words = f"run failure_analysis run={run_id}"
    assert driver.slash_command(words, user_id=REQUESTER).status_code == 200
    top = slack.wait_for(
        lambda: parent(slack, f"Analysing the failure of run {run_id}", before), timeout=15
    )

    def result() -> dict[str, Any] | None:
        for message in slack.thread(CHANNEL, top["ts"])[1:]:
            if "Failure analysis: CI #" in json.dumps(message.get("blocks", [])):
                return message
        return None

    return top["ts"], slack.wait_for(result, timeout=120)


def test_buttons_on_a_failure_analysis_describe_and_fix_the_failing_tests(
    wired_bot: BotProcess,
    slack: SlackEmulator,
    wired: SlackDriver,
    linear: LinearEmulator,
    codegen: CodegenEmulator,
    history: CiHistory,
) -> None:
    thread_ts, result = failure_result(wired, slack, history.red)
    run_id = buttons(result)["cicd_open_issue"]
    before = len(linear.issues())

    # Open issue: one Linear issue describing the failure, its failing tests linked to GitHub.
    press(wired, slack, result, "cicd_open_issue", run_id, REQUESTER, "ci-issue")
    note = thread_note(slack, thread_ts, "📋 Linear issue")
    (issue,) = linear.issues()[before:]
    assert f"|{issue['identifier']}> opened by <@{REQUESTER}>" in note
    assert issue["title"].startswith("CI #") and " failed: test failure (run " in issue["title"]
    text = issue["description"]
    assert "**Recommendation:** Ask Codegen for a fix." in text
    assert "| ci-test-failure | tests/test_app.py::test_add failed: assert 3 == 4 |" in text
    assert "tests/test_http.py::test_parse_header failed" in text
    assert "https://github.com/example/app/blob/" in text and "/tests/test_app.py#L1)" in text
    assert "Make add faster" in text  # the suspect commit

    # Ask for a fix: an autonomous_refactoring run whose prompt names the failing tests.
    agents_before = len(codegen.runs)
    press(wired, slack, result, "cicd_request_fix", run_id, REQUESTER, "ci-fix")
    request = slack.wait_for(lambda: approval_message(slack, thread_ts), timeout=60)
    assert "Ask Codegen to fix a failed CI run" in json.dumps(request["blocks"])
    click(wired, slack, request, "cicd_approve", APPROVER, "ci-approve")

    def final() -> dict[str, Any] | None:
        for message in slack.thread(CHANNEL, thread_ts):
            if "Codegen fix for" in json.dumps(message.get("blocks", [])):
                return message
        return None

    slack.wait_for(final, timeout=90)
    (agent,) = list(codegen.runs.values())[agents_before:]
    assert "Fix it: make the failing tests pass." in agent.prompt
    assert "tests/test_app.py:1, tests/test_app.py::test_add failed: assert 3 == 4" in agent.prompt
    assert "tests/test_http.py::test_parse_header failed" in agent.prompt
    assert "All tests must pass, the failing ones included" in agent.prompt
    assert "static-analysis" not in agent.prompt


def test_a_flake_has_nothing_to_fix_but_its_issue_describes_it(
    wired_bot: BotProcess,
    slack: SlackEmulator,
    wired: SlackDriver,
    linear: LinearEmulator,
    codegen: CodegenEmulator,
    history: CiHistory,
) -> None:
    thread_ts, result = failure_result(wired, slack, history.flaky_red)
    run_id = buttons(result)["cicd_request_fix"]
    agents_before, issues_before = len(codegen.runs), len(linear.issues())
    fix = ephemeral(slack, press(wired, slack, result, "cicd_request_fix", run_id, REQUESTER, "f"))
    assert fix.startswith("✨ Nothing in the code to fix: CI #") and "Re-run" in fix
    assert len(codegen.runs) == agents_before

    press(wired, slack, result, "cicd_open_issue", run_id, REQUESTER, "flake-issue")
    thread_note(slack, thread_ts, "📋 Linear issue")
    (issue,) = linear.issues()[issues_before:]
    assert "failed: infrastructure or network flake" in issue["title"]
    assert "ECONNRESET" in issue["description"] and "| where |" not in issue["description"]
