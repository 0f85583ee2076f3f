"""`cicd serve` in Socket Mode: the real bot connects to the emulator's websocket.

The bot gets SLACK_APP_TOKEN and no signing secret, like a Socket Mode deployment; slash
commands and clicks arrive as envelopes and are acknowledged over the socket.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import make_repo
from tests.e2e.bot_process import BOT_TOKEN, BotProcess
from tests.emulators.slack import SlackEmulator

pytestmark = pytest.mark.e2e
CHANNEL = "C0001"
APP_TOKEN = "xapp-test-token"
ACK_LIMIT_S = 3.0


@pytest.fixture(scope="module")
def socket_slack() -> Iterator[SlackEmulator]:
    """This module's own emulator, serving the Web API and Socket Mode."""
    with SlackEmulator(tokens=(BOT_TOKEN,), app_tokens=(APP_TOKEN,)) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def socket_bot(
    socket_slack: SlackEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    """The real bot in Socket Mode, connected and ready."""
    repo: Path = make_repo(tmp_path_factory.mktemp("socket") / "repo")
    process = BotProcess(
        tmp_path_factory.mktemp("socket-bot"),
        socket_slack.url,
        repo,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_SIGNING_SECRET=None,
    )
    with process.serving():
        assert socket_slack.socket.socket_connected(10), process.logs()
        yield process


def _parent(slack: SlackEmulator, needle: str) -> dict[str, Any] | None:
    for message in slack.messages(CHANNEL, top_level_only=True):
        if needle in message.get("text", ""):
            return message
    return None


def _final_result(slack: SlackEmulator, thread_ts: str, needle: str) -> dict[str, Any] | None:
    for message in slack.thread(CHANNEL, thread_ts)[1:]:
        if needle in json.dumps(message.get("blocks", [])):
            return message
    return None


def test_healthz_says_socket_mode_and_the_app_token_opened_the_socket(
    socket_bot: BotProcess, socket_slack: SlackEmulator
) -> None:
    health = httpx.get(f"{socket_bot.url}/healthz").json()
    assert health["ok"] and health["ready"] and health["mode"] == "socket", health
    assert "xapp" not in str(health) and "xoxb" not in str(health)
    opens = [c for c in socket_slack.calls_to("apps.connections.open") if c.token == APP_TOKEN]
    assert opens and all(c.ok for c in opens)
    assert len(socket_slack.socket.open_connections()) == 1
    # No HTTP endpoint for Slack in Socket Mode: nothing to forge signatures against.
    assert httpx.post(f"{socket_bot.url}/slack/events", content=b"{}").status_code in (404, 405)


def test_help_is_acked_with_an_ephemeral_payload(
    socket_bot: BotProcess, socket_slack: SlackEmulator
) -> None:
    posts = len(socket_slack.calls_to("chat.postMessage"))
    payload = socket_slack.socket.wait_for_ack(socket_slack.socket.send_slash_command("help"), 5)
    assert payload["response_type"] == "ephemeral"
    assert "/cicd analyze" in json.dumps(payload), payload
    assert len(socket_slack.calls_to("chat.postMessage")) == posts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("analzye contexten", "Did you mean `analyze`?"),
        ("analyze no/such/dir", "does not exist"),
        ("analyze ../../etc", "leaves the repository"),
    ],
)
def test_bad_commands_get_an_ephemeral_ack(
    socket_bot: BotProcess, socket_slack: SlackEmulator, text: str, expected: str
) -> None:
    payload = socket_slack.socket.wait_for_ack(socket_slack.socket.send_slash_command(text), 5)
    assert payload.get("response_type") == "ephemeral"
    assert expected in payload.get("text", ""), payload


def test_analyze_is_acked_fast_then_posts_thread_progress_and_result(
    socket_bot: BotProcess, socket_slack: SlackEmulator
) -> None:
    slack = socket_slack
    envelope_id = slack.socket.send_slash_command("analyze contexten/agents", user_id="U0001")
    ack = slack.socket.wait_for_ack_record(envelope_id, 10)
    assert ack.payload == {}  # a plain ack: the work is reported in the channel
    assert ack.latency is not None and ack.latency < ACK_LIMIT_S, ack
    print(f"\nSocket Mode ack of /cicd analyze: {ack.latency * 1000:.1f} ms")

    parent = slack.wait_for(lambda: _parent(slack, "Analyzing contexten/agents"), timeout=10)
    assert "<@U0001>" in parent["text"]
    progress = slack.wait_for(lambda: (slack.thread(CHANNEL, parent["ts"])[1:] or [None])[0])
    assert "Check out the repository" in json.dumps(progress.get("blocks", []))
    result = slack.wait_for(
        lambda: _final_result(slack, parent["ts"], "planted_unused_function"), timeout=90
    )
    text = json.dumps(result["blocks"])
    assert "worker.py:9" in text and "cicd_retry" in text


def test_retry_button_arrives_as_an_interactive_envelope(
    socket_bot: BotProcess, socket_slack: SlackEmulator
) -> None:
    slack = socket_slack
    slack.socket.send_slash_command("analyze contexten/agents/worker.py", user_id="U0003")
    parent = slack.wait_for(lambda: _parent(slack, "Analyzing contexten/agents/worker.py"))
    result = slack.wait_for(
        lambda: _final_result(slack, parent["ts"], "planted_unused_function"), timeout=90
    )
    retry = next(
        e
        for b in result["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "cicd_retry"
    )
    clicked = slack.socket.send_block_action(
        "cicd_retry",
        retry["value"],
        user_id="U0003",
        channel_id=CHANNEL,
        message=result,
        thread_ts=parent["ts"],
    )
    slack.socket.wait_for_ack(clicked, 5)
    slack.wait_for(
        lambda: (
            sum(
                "planted_unused_function" in json.dumps(m.get("blocks", []))
                for m in slack.thread(CHANNEL, parent["ts"])
            )
            >= 2
        ),
        timeout=90,
    )


def test_bot_stops_cleanly_and_closes_the_socket(
    socket_bot: BotProcess, socket_slack: SlackEmulator
) -> None:
    code = socket_bot.stop()
    assert code == 0, f"bot did not shut down cleanly ({code}):\n{socket_bot.logs()}"
    socket_slack.wait_for(lambda: not socket_slack.socket.open_connections(), timeout=5)
    assert APP_TOKEN not in socket_bot.log_path.read_text(errors="replace")


def test_a_rejected_app_token_stops_start_up(socket_slack: SlackEmulator, tmp_path: Path) -> None:
    process = BotProcess(
        tmp_path,
        socket_slack.url,
        make_repo(tmp_path / "repo"),
        SLACK_APP_TOKEN="xapp-revoked",
        SLACK_SIGNING_SECRET=None,
    )
    try:
        with pytest.raises(RuntimeError, match="SLACK_APP_TOKEN was rejected by Slack"):
            process.start(timeout_s=60)
    finally:
        process.stop()
    assert process.process is not None and process.process.returncode == 2
    assert "xapp-revoked" not in process.logs()
