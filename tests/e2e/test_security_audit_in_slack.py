"""`/cicd run security_audit` through the real bot and the OSV emulator: the approval in the
thread, then the dependency fixes committed on a branch, and a result that never shows the
planted secret."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conftest import git
from tests.e2e.approval_helpers import (
    CHANNEL,
    approval_message,
    buttons,
    click,
    driver_for,
    ephemeral,
    parent,
)
from tests.e2e.bot_process import BotProcess
from tests.emulators.osv import OsvEmulator
from tests.emulators.slack import SlackEmulator
from tests.security_samples import SECRET, make_audit_repo

pytestmark = pytest.mark.e2e
REQUESTER, APPROVER = "U0SEC1", "U0SEC2"


@pytest.fixture(scope="module")
def osv() -> Iterator[OsvEmulator]:
    with OsvEmulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def audit_bot(
    slack: SlackEmulator, osv: OsvEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BotProcess, object]]:
    workdir = tmp_path_factory.mktemp("security-bot")
    repo = make_audit_repo(tmp_path_factory.mktemp("security") / "shop")
    process = BotProcess(
        workdir, slack.url, repo, OSV_API_URL=osv.url, INTEGRATION_RETRY_BASE_SECONDS="0"
    )
    with process.serving():
        yield process, repo


def _result(slack: SlackEmulator, thread_ts: str) -> dict | None:
    """The result message: it names the branch that holds the approved fixes."""
    for message in slack.thread(CHANNEL, thread_ts)[1:]:
        if "git switch cicd/security-audit-" in json.dumps(message.get("blocks", [])):
            return message
    return None


def test_audit_asks_then_commits_the_fixes_on_a_branch(
    audit_bot: tuple[BotProcess, object], slack: SlackEmulator
) -> None:
    bot, repo = audit_bot
    with driver_for(bot, slack) as driver:
        response = driver.slash_command("run security_audit", user_id=REQUESTER)
        assert response.status_code == 200 and response.elapsed.total_seconds() < 3.0
        top = slack.wait_for(lambda: parent(slack, "Security audit of"), timeout=15)
        request = slack.wait_for(lambda: approval_message(slack, top["ts"]), timeout=120)
        assert "cicd_approve" in buttons(request)
        text = json.dumps(request["blocks"], ensure_ascii=False)
        assert "django 3.2 → 3.2.19" in text

        # The requester may not approve their own run; someone else may.
        refused = ephemeral(slack, click(driver, slack, request, "cicd_approve", REQUESTER, "a1"))
        assert "someone else has to approve" in refused
        click(driver, slack, request, "cicd_approve", APPROVER, "a2")
        result = slack.wait_for(lambda: _result(slack, top["ts"]), timeout=120)
    shown = json.dumps(slack.thread(CHANNEL, top["ts"]), ensure_ascii=False)
    assert SECRET not in shown  # never posted, in any message of the thread
    blocks = json.dumps(result["blocks"], ensure_ascii=False)
    assert "GHSA-" in blocks and "hardcoded-secret" in blocks and "eval-exec" in blocks
    branch = next(
        b
        for b in git("branch", "--list", "cicd/security-audit-*", cwd=repo).split()
        if b.startswith("cicd/")
    )
    assert "requests==2.31.0" in git("show", f"{branch}:requirements-base.txt", cwd=repo)
    message = git("log", "-1", "--format=%B", branch, cwd=repo)
    assert f"Approved-by: {APPROVER}" in message
