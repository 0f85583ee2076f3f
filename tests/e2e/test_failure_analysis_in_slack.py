"""`/cicd run failure_analysis` and its Re-run failed jobs button, through the real bot, a real
Prefect server, and the Slack and GitHub emulators."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.approval_helpers import CHANNEL, click, driver_for, ephemeral, parent, wait_until
from tests.e2e.bot_process import BotProcess
from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
from tests.emulators.github_ci_history import CiHistory, seed_ci_history
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import SlackDriver

pytestmark = pytest.mark.e2e
ALLOWED, OUTSIDER = "U0TRIAGE", "U0OUTSIDER"
RERUN_PATH = r"/repos/acme/widgets/actions/runs/\d+/rerun-failed-jobs"


@pytest.fixture(scope="module")
def github() -> Iterator[GitHubEmulator]:
    with GitHubEmulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def history(github: GitHubEmulator) -> CiHistory:
    return seed_ci_history(github)


@pytest.fixture(scope="module")
def triage_bot(
    slack: SlackEmulator,
    e2e_repo: Path,
    github: GitHubEmulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotProcess]:
    """A bot with GitHub set up, where only ALLOWED may start failure_analysis."""
    workdir = tmp_path_factory.mktemp("triage-bot")
    process = BotProcess(
        workdir,
        slack.url,
        e2e_repo,
        GITHUB_TOKEN=DEFAULT_TOKEN,
        GITHUB_API_URL=github.url,
        GITHUB_REPOSITORY=github.full_name,
    )
    policy = {"workflows": {"failure_analysis": {"start": {"users": [ALLOWED]}}}}
    (workdir / "orchestration_config.yaml").write_text(yaml.safe_dump({"access_policy": policy}))
    with process.serving():
        yield process


@pytest.fixture
def triage(triage_bot: BotProcess, slack: SlackEmulator) -> Iterator[SlackDriver]:
    with driver_for(triage_bot, slack) as driver:
        yield driver


def _result(slack: SlackEmulator, thread_ts: str) -> dict[str, Any] | None:
    for message in slack.thread(CHANNEL, thread_ts)[1:]:
        if "Failure analysis: CI #" in json.dumps(message.get("blocks", []), ensure_ascii=False):
            return message
    return None


def _audit(bot: BotProcess) -> list[dict[str, Any]]:
    path = bot.workdir / "data" / "audit" / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_analysis_result_and_its_re_run_failed_jobs_button(
    triage_bot: BotProcess,
    slack: SlackEmulator,
    triage: SlackDriver,
    github: GitHubEmulator,
    history: CiHistory,
) -> None:
    response = triage.slash_command(
        f"run failure_analysis run={history.red}", user_id=ALLOWED, channel_id=CHANNEL
    )
    assert response.status_code == 200 and response.elapsed.total_seconds() < 3.0
    top = slack.wait_for(
        lambda: parent(slack, f"Analysing the failure of run {history.red}"), timeout=10
    )
    result = slack.wait_for(lambda: _result(slack, top["ts"]), timeout=120)
    text = json.dumps(result["blocks"], ensure_ascii=False)
    assert "tests/test_app.py::test_add` — assert 3 == 4" in text
    assert "Make add faster" in text and "Recommended: Ask Codegen for a fix." in text
    assert github.requests_to("POST", RERUN_PATH) == []

    # Someone who may not start failure_analysis here: refused privately, nothing re-run.
    refused = click(triage, slack, result, "cicd_rerun_failed_jobs", OUTSIDER, "outsider")
    assert "⛔" in ephemeral(slack, refused) and "Nothing was re-run" in ephemeral(slack, refused)
    assert github.requests_to("POST", RERUN_PATH) == []

    # The right person: GitHub re-runs the failed jobs, once, even if Slack sends the click twice.
    name = click(triage, slack, result, "cicd_rerun_failed_jobs", ALLOWED, "ok", trigger_id="t-1")
    assert "GitHub is re-running the failed jobs of" in ephemeral(slack, name)
    again = click(triage, slack, result, "cicd_rerun_failed_jobs", ALLOWED, "dup", trigger_id="t-1")
    time.sleep(2)
    assert slack.responses_to(again) == []
    posts = github.requests_to("POST", RERUN_PATH)
    assert [(p.path, p.status) for p in posts] == [
        (f"/repos/acme/widgets/actions/runs/{history.red}/rerun-failed-jobs", 201)
    ]
    red = next(r for r in github.runs() if r["id"] == history.red)
    assert (red["status"], red["run_attempt"]) == ("queued", 2)

    # A new click while that attempt is queued starts nothing more.
    later = click(triage, slack, result, "cicd_rerun_failed_jobs", ALLOWED, "later")
    assert "already queued" in ephemeral(slack, later)
    assert len(github.requests_to("POST", RERUN_PATH)) == 1

    records = wait_until(lambda: [r for r in _audit(triage_bot) if r["kind"] == "jobs_rerun"], 10)
    assert len(records) == 1
    assert records[0]["actor"] == ALLOWED and records[0]["workflow"] == "failure_analysis"
    assert f"Actions run {history.red} in acme/widgets" in records[0]["what"]
    denied = [r for r in _audit(triage_bot) if r["kind"] == "denied"]
    assert [r["actor"] for r in denied] == [OUTSIDER]
