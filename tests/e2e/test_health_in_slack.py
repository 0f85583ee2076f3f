"""`/cicd health` through the real bot: the result in the thread shows Slack as the bot
measured it (the flow run never holds the Slack token)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.bot_process import BotProcess
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import SlackDriver
from tests.emulators.slack_workspace import BOT_USER_NAME, TEAM_NAME

pytestmark = pytest.mark.e2e
CHANNEL = "C0001"


def _parent(slack: SlackEmulator) -> dict[str, Any] | None:
    found = [
        m
        for m in slack.messages(CHANNEL, top_level_only=True)
        if "Health check" in m.get("text", "")
    ]
    return found[-1] if found else None


def _result(slack: SlackEmulator, thread_ts: str) -> dict[str, Any] | None:
    for message in slack.thread(CHANNEL, thread_ts)[1:]:
        if "*Integrations*" in json.dumps(message.get("blocks", []), ensure_ascii=False):
            return message
    return None


def test_health_in_slack_shows_the_bots_own_slack_probe(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver
) -> None:
    response = driver.slash_command("health window_hours=2", user_id="U0001")
    assert response.status_code == 200 and response.elapsed.total_seconds() < 3.0
    top = slack.wait_for(lambda: _parent(slack), timeout=15)
    result = slack.wait_for(lambda: _result(slack, top["ts"]), timeout=120)
    blocks = json.dumps(result["blocks"], ensure_ascii=False)
    assert "🟢 *Slack*" in blocks, blocks
    assert f"@{BOT_USER_NAME} in {TEAM_NAME}" in blocks  # auth.test, answered to the bot
    assert "Runs, last 2 h" in blocks
    assert "🟢 *Prefect*" in blocks
    assert "not configured: set GITHUB_TOKEN" in blocks
    assert "xoxb-" not in blocks
    # the parent message gets the outcome (the host's status depends on the machine)
    slack.wait_for(lambda: _outcome(slack), timeout=30)


def _outcome(slack: SlackEmulator) -> str | None:
    parent = _parent(slack)
    text = json.dumps(parent, ensure_ascii=False) if parent else ""
    return next((mark for mark in ("🟢", "🟡", "🔴") if mark in text), None)
