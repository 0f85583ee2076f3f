"""Signature checks and friendly answers, against the real bot process."""

from __future__ import annotations

import time

import pytest

from tests.e2e.bot_process import BotProcess
from tests.emulators.slack import SlackEmulator
from tests.emulators.slack_driver import SlackDriver

pytestmark = pytest.mark.e2e


def _posts(slack: SlackEmulator) -> int:
    return len(slack.calls_to("chat.postMessage"))


def test_forged_signature_is_rejected_and_nothing_launches(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver
) -> None:
    before = _posts(slack)
    forged = driver.slash_command("analyze contexten/agents", signature="v0=" + "0" * 64)
    assert forged.status_code == 401
    time.sleep(1.0)
    assert _posts(slack) == before


def test_stale_timestamp_is_rejected_and_nothing_launches(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver
) -> None:
    before = _posts(slack)
    stale = driver.slash_command("analyze contexten/agents", timestamp=int(time.time()) - 600)
    assert stale.status_code == 401
    time.sleep(1.0)
    assert _posts(slack) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", "/cicd analyze"),
        ("", "/cicd analyze"),
        ("workflows", "health_check"),
        ("analzye contexten", "Did you mean `analyze`?"),
        ("analyze", "Which component?"),
        ("analyze no/such/dir", "does not exist"),
        ("analyze ../../etc", "leaves the repository"),
        ("analyze /etc", "is absolute"),
        ("backup_operations", "not implemented yet"),
        ("health slack.ok=yes", "Unknown parameter `slack.ok`"),
        ('analyze "unclosed', "quote is not closed"),
        ("workflows", "options.min_confidence=<whole number>"),
        ("run", "Which workflow?"),
        ("run component_analysis componnt=src", "Did you mean `component`?"),
        ("run component_analysis repo=/etc", "set by the bot's configuration"),
        ("run component_analysis component=../../etc", "leaves the repository"),
        ("run component_analysis options.min_confidence=200", "less than or equal to 100"),
        ("run dead_code_cleanup ref=--upload-pack=x", "not a valid git ref"),
    ],
)
def test_friendly_ephemeral_answers(
    bot: BotProcess, slack: SlackEmulator, driver: SlackDriver, text: str, expected: str
) -> None:
    before = _posts(slack)
    response = driver.slash_command(text)
    assert response.status_code == 200
    body = response.json()
    assert body.get("response_type") == "ephemeral"
    assert expected in response.text, body
    assert _posts(slack) == before


def test_healthz_reports_ready(bot: BotProcess) -> None:
    import httpx

    health = httpx.get(f"{bot.url}/healthz").json()
    assert health["ok"] and health["ready"] and health["mode"] == "http"
    assert health["prefect"] == "ready"
    assert "xoxb" not in str(health)


def test_bot_logs_hold_no_slack_secret_and_no_startup_warnings(bot: BotProcess) -> None:
    from tests.e2e.bot_process import BOT_TOKEN, SIGNING_SECRET

    logs = bot.log_path.read_text(errors="replace")
    assert BOT_TOKEN not in logs and SIGNING_SECRET not in logs
    assert "WARNING slack_bolt" not in logs


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"null", "application/json"), (b"[1, 2]", "application/json"), (b"\xff\xfe", "text/plain")],
)
def test_garbage_bodies_get_4xx_not_a_crash(
    bot: BotProcess, slack: SlackEmulator, body: bytes, content_type: str
) -> None:
    import httpx

    before = _posts(slack)
    response = httpx.post(
        f"{bot.url}/slack/events", content=body, headers={"Content-Type": content_type}
    )
    assert 400 <= response.status_code < 500
    assert _posts(slack) == before
    assert "Traceback" not in bot.log_path.read_text(errors="replace")
