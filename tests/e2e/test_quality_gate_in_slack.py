"""`/cicd run code_quality_check pull=N` through the real bot, against the GitHub emulator:
the thread shows the verdict with the new findings, GitHub gets the review and the check."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conftest import make_repo
from tests.e2e.approval_helpers import CHANNEL, driver_for, parent
from tests.e2e.bot_process import BotProcess
from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
from tests.emulators.slack import SlackEmulator
from tests.integration.test_code_quality_check_flow import (
    ALICE,
    BASE_APP,
    HEAD_APP,
    MAIN,
    open_pull,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def github() -> Iterator[GitHubEmulator]:
    with GitHubEmulator(tokens={DEFAULT_TOKEN: "cicd-bot", ALICE: "alice"}) as emu:
        emu.push_commit(
            "main", {"pkg/__init__.py": "", "pkg/app.py": BASE_APP, "pkg/main.py": MAIN}
        )
        yield emu


@pytest.fixture(scope="module")
def gate_bot(
    slack: SlackEmulator, github: GitHubEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    workdir = tmp_path_factory.mktemp("quality-bot")
    repo = make_repo(tmp_path_factory.mktemp("quality") / "repo")
    process = BotProcess(
        workdir,
        slack.url,
        repo,
        GITHUB_TOKEN=DEFAULT_TOKEN,
        GITHUB_API_URL=github.url,
        GITHUB_REPOSITORY="acme/widgets",
        INTEGRATION_RETRY_BASE_SECONDS="0",
    )
    (workdir / "orchestration_config.yaml").write_text("quality_gate: {max_new_warnings: 2}\n")
    with process.serving():
        yield process


def _result(slack: SlackEmulator, thread_ts: str) -> dict | None:
    for message in slack.thread(CHANNEL, thread_ts)[1:]:
        if "New on the changed lines" in json.dumps(message.get("blocks", [])):
            return message
    return None


def test_slash_command_posts_the_verdict_and_reviews_the_pull_request(
    gate_bot: BotProcess, slack: SlackEmulator, github: GitHubEmulator
) -> None:
    number = open_pull(github, "feature", {"pkg/app.py": HEAD_APP})
    head_sha = github.branches()["feature"]
    with driver_for(gate_bot, slack) as driver:
        response = driver.slash_command(f"run code_quality_check pull={number}", user_id="U0001")
    assert response.status_code == 200 and response.elapsed.total_seconds() < 3.0
    top = slack.wait_for(lambda: parent(slack, f"Quality gate on pull request #{number}"), 15)
    message = slack.wait_for(lambda: _result(slack, top["ts"]), timeout=120)
    blocks = json.dumps(message["blocks"], ensure_ascii=False)
    assert "❌ *FAIL*" in blocks and "4 new warning(s) (at most 2 allowed)" in blocks
    assert f"/blob/{head_sha}/pkg/app.py#L3|pkg/app.py:3>" in blocks
    assert "`pkg/app.py` `handle`: 2 → 6 (+4)" in blocks
    assert "cicd_retry" in blocks  # result_actions
    with github.locked() as state:
        (review,) = state.reviews.values()
        (check,) = state.check_runs.values()
    assert review.state == "CHANGES_REQUESTED" and check.conclusion == "failure"
    assert check.head_sha == head_sha
