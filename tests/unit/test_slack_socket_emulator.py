"""Tests of the Slack emulator's Socket Mode: raw protocol, then a real Bolt app over it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.emulators import SlackEmulator
from tests.emulators.slack_methods import TRIGGER_RE

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator(tokens=[BOT_TOKEN]) as emulator:
        yield emulator


def _call(emu: SlackEmulator, method: str, token: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{emu.url}{method}", headers=headers, json={"channel": "C0001"}).json()


def test_connections_open_takes_app_tokens_only(emu: SlackEmulator) -> None:
    opened = _call(emu, "apps.connections.open", APP_TOKEN)
    assert opened["ok"], opened
    assert opened["url"].startswith(f"ws://127.0.0.1:{emu.port}/link/?ticket=")
    assert _call(emu, "apps.connections.open", BOT_TOKEN)["error"] == "not_allowed_token_type"
    assert _call(emu, "apps.connections.open", "xapp-other")["error"] == "invalid_auth"
    assert _call(emu, "apps.connections.open", None)["error"] == "not_authed"
    assert _call(emu, "chat.postMessage", APP_TOKEN)["error"] == "not_allowed_token_type"
    emu.socket.app_tokens.add("xapp-other")
    assert _call(emu, "apps.connections.open", "xapp-other")["ok"]
    assert emu.calls_to("apps.connections.open")[0].token == APP_TOKEN


def test_raw_protocol_hello_envelopes_acks(emu: SlackEmulator) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{emu.port}/link/?ticket=forged").close()
    assert refused.value.response.status_code == 401
    assert not emu.socket.socket_connected(timeout=0.1)
    with pytest.raises(AssertionError, match="no Socket Mode connection"):
        emu.socket.send_envelope("slash_commands", {})

    url = _call(emu, "apps.connections.open", APP_TOKEN)["url"]
    with connect(url) as ws:
        hello = json.loads(ws.recv(timeout=5))
        assert hello["type"] == "hello" and hello["num_connections"] == 1
        assert hello["connection_info"] == {"app_id": "A0001"}
        assert emu.socket.wait_connected(5)

        envelope_id = emu.socket.send_slash_command("help", user_id="U0002", trigger_id="1.2.ab")
        envelope = json.loads(ws.recv(timeout=5))
        assert envelope["envelope_id"] == envelope_id
        assert envelope["type"] == "slash_commands" and envelope["accepts_response_payload"]
        payload = envelope["payload"]
        assert payload["command"] == "/cicd" and payload["text"] == "help"
        assert payload["user_id"] == "U0002" and payload["trigger_id"] == "1.2.ab"
        assert payload["response_url"].startswith(emu.response_url_base)
        ws.send(json.dumps({"envelope_id": envelope_id, "payload": {"text": "hi"}}))
        assert emu.socket.wait_for_ack(envelope_id, 5) == {"text": "hi"}
        ack = emu.socket.acks[0]
        assert ack.envelope_type == "slash_commands" and ack.latency is not None
        assert 0 <= ack.latency < 5

        event_id = emu.socket.send_event({"type": "app_mention", "text": "hi"}, retry_attempt=1)
        event = json.loads(ws.recv(timeout=5))
        assert event["type"] == "events_api" and not event["accepts_response_payload"]
        assert event["retry_attempt"] == 1 and event["payload"]["type"] == "event_callback"
        ws.send(json.dumps({"envelope_id": event_id}))
        assert emu.socket.wait_for_ack(event_id, 5) == {}

        with pytest.raises(AssertionError, match="no ack for"):
            emu.socket.wait_for_ack(emu.socket.send_envelope("interactive", {}), 0.2)
        ws.send("not json")
    emu.wait_for(lambda: not emu.socket.open_connections(), timeout=5)
    assert emu.socket.connections[0].received == ["not json"]
    emu.reset()
    assert not emu.socket.acks and not emu.socket.envelopes


async def test_bolt_app_over_socket_mode_with_reconnect(emu: SlackEmulator) -> None:
    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=emu.url),
        request_verification_enabled=False,
    )
    seen: dict[str, Any] = {}

    @app.command("/cicd")
    async def on_command(ack: Any, command: dict[str, Any]) -> None:
        seen["command"] = command
        await ack(response_type="ephemeral", text=f"you said {command['text']}")

    @app.action("cicd_retry")
    async def on_action(ack: Any, body: dict[str, Any]) -> None:
        seen["action"] = body["actions"][0]["value"]
        await ack()

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any]) -> None:
        seen["event"] = event["text"]

    handler = AsyncSocketModeHandler(app, APP_TOKEN)
    await handler.connect_async()
    try:
        assert await emu.socket.wait_connected_async(5)
        first = emu.socket.send_slash_command("analyze x", user_id="U0003")
        answer = await emu.socket.wait_for_ack_async(first, 5)
        assert answer == {"response_type": "ephemeral", "text": "you said analyze x"}
        assert seen["command"]["user_id"] == "U0003"
        assert TRIGGER_RE.match(seen["command"]["trigger_id"])

        clicked = emu.socket.send_block_action("cicd_retry", "run-7", user_id="U0003")
        assert await emu.socket.wait_for_ack_async(clicked, 5) == {}
        assert seen["action"] == "run-7"
        mention = emu.socket.send_event({"type": "app_mention", "text": "hey", "user": "U0001"})
        assert await emu.socket.wait_for_ack_async(mention, 5) == {}
        await emu.wait_for_async(lambda: seen.get("event") == "hey", timeout=5)

        emu.socket.send_disconnect()
        assert await emu.socket.wait_connected_async(5, count=2)
        await emu.wait_for_async(lambda: len(emu.socket.open_connections()) == 1, timeout=5)
        again = emu.socket.send_slash_command("again")
        assert (await emu.socket.wait_for_ack_async(again, 5))["text"] == "you said again"
        assert emu.socket.envelopes[-1].connection == 2
        assert len(emu.calls_to("apps.connections.open")) == 2
    finally:
        await handler.close_async()
    await emu.wait_for_async(lambda: not emu.socket.open_connections(), timeout=5)
