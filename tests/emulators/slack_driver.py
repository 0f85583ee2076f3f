"""Drive the bot's HTTP endpoint the way Slack does: same payload shapes, same request signing.

``SlackDriver`` is synchronous (``httpx.Client``); ``AsyncSlackDriver`` has the same methods as
coroutines (``httpx.AsyncClient``), e.g. ``await asyncio.gather(*(d.slash_command(...) ...))``.
Signing: ``v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{raw body}"))`` in ``X-Slack-Signature``,
the Unix timestamp in ``X-Slack-Request-Timestamp``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlencode

import httpx

from tests.emulators.slack_workspace import APP_ID, BOT_ID, BOT_USER_ID, FIRST_TS, TEAM_DOMAIN

_counter = itertools.count(1)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: ``"v0=" + HMAC-SHA256 hex of "v0:{ts}:{body}"``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def new_trigger_id() -> str:
    """A unique trigger id in Slack's ``"132456.7890123.abcdef"`` format."""
    return (
        f"{int(time.time())}{next(_counter):05d}.{secrets.randbelow(10**12)}.{secrets.token_hex(8)}"
    )


@dataclass
class SignedRequest:
    """A request ready to send: raw body plus Slack's headers."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class SlackPayloads[R]:
    """Builds Slack's payloads; subclasses define :meth:`send` (sync or async).

    The ``*_payload``/``*_fields`` methods only build (Socket Mode envelopes reuse them).
    """

    def __init__(
        self,
        bot_url: str = "",
        signing_secret: str = "",
        *,
        team_id: str = "T0001",
        team_domain: str = TEAM_DOMAIN,
        api_app_id: str = APP_ID,
        bot_user_id: str = BOT_USER_ID,
        default_user: str = "U0001",
        default_channel: str = "C0001",
        response_url_base: str | None = None,
        verification_token: str = "verification_token",
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.bot_url = bot_url
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.default_user = default_user
        self.default_channel = default_channel
        self.response_url_base = response_url_base
        self.verification_token = verification_token
        self.transport = transport  # e.g. httpx.MockTransport or httpx.ASGITransport

    def send(self, request: SignedRequest) -> R:
        """POST ``request`` to the bot; returns the response (or a coroutine of it)."""
        raise TypeError(
            "SlackPayloads only builds payloads; send with SlackDriver/AsyncSlackDriver"
        )

    def signed(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> SignedRequest:
        """Sign ``body`` now (or at ``timestamp``); ``signature`` forges the header."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or sign(self.signing_secret, ts, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        all_headers.update(headers or {})
        return SignedRequest(body, all_headers)

    def _response_url(self, kind: str, channel: str, message_ts: str | None = None) -> str:
        """Slack-like hooks URL, or one on the emulator; ``<channel>/<ts>/..`` binds a message."""
        if not self.response_url_base:
            return f"https://hooks.slack.com/{kind}/{self.team_id}/{next(_counter)}/{secrets.token_hex(12)}"
        if message_ts:
            return f"{self.response_url_base}{channel}/{message_ts}/{secrets.token_hex(8)}"
        return f"{self.response_url_base}{kind}/{channel}/{secrets.token_hex(8)}"

    def _interactive(self, payload: dict[str, Any], **sign_kw: Any) -> R:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.send(self.signed(body, "application/x-www-form-urlencoded", **sign_kw))

    def _json(self, payload: dict[str, Any], headers: dict[str, str] | None = None) -> R:
        body = json.dumps(payload).encode()
        return self.send(self.signed(body, "application/json", headers=headers))

    # -- what Slack sends ---------------------------------------------------------------------

    def slash_command_fields(
        self,
        text: str,
        *,
        command: str = "/cicd",
        user_id: str | None = None,
        user_name: str = "alice",
        channel_id: str | None = None,
        channel_name: str = "general",
        trigger_id: str | None = None,
        response_url: str | None = None,
    ) -> dict[str, str]:
        """The fields of a slash command (form-encoded over HTTP, JSON in Socket Mode)."""
        channel = channel_id or self.default_channel
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user_id or self.default_user,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or self._response_url("commands", channel),
            "trigger_id": trigger_id or new_trigger_id(),
        }

    def slash_command(
        self,
        text: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> R:
        """A slash command, form-encoded like ``payloads/slash_command.form.txt``.

        ``fields`` as in :meth:`slash_command_fields`; ``timestamp``, ``signature`` and
        ``headers`` alter the request (stale, forged, extra headers).
        """
        body = urlencode(self.slash_command_fields(text, **fields)).encode()
        return self.send(
            self.signed(
                body,
                "application/x-www-form-urlencoded",
                timestamp=timestamp,
                signature=signature,
                headers=headers,
            )
        )

    def block_action(
        self,
        action_id: str,
        value: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        **fields: Any,
    ) -> R:
        """A button click, form-encoded; ``fields`` as in :meth:`block_action_payload`."""
        payload = self.block_action_payload(action_id, value, **fields)
        return self._interactive(payload, timestamp=timestamp, signature=signature)

    def block_action_payload(
        self,
        action_id: str,
        value: str,
        *,
        user_id: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
        thread_ts: str | None = None,
        block_id: str = "b1",
        message: dict[str, Any] | None = None,
        button_text: str = "Click",
        trigger_id: str | None = None,
        response_url: str | None = None,
    ) -> dict[str, Any]:
        """A button click (``block_actions``) like ``payloads/block_actions.button.json``.

        ``message`` defaults to a bot message holding that button; ``message_ts`` defaults to
        ``message["ts"]`` or the emulator's first ts. The response_url is bound to the message.
        """
        channel = channel_id or self.default_channel
        user = user_id or self.default_user
        button = {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": button_text},
            "value": value,
        }
        ts = message_ts or (message or {}).get("ts") or FIRST_TS
        thread = thread_ts or (message or {}).get("thread_ts")
        if message is None:
            message = {
                "type": "message",
                "bot_id": BOT_ID,
                "user": self.bot_user_id,
                "app_id": self.api_app_id,
                "team": self.team_id,
                "ts": ts,
                "text": "",
                "blocks": [{"type": "actions", "block_id": block_id, "elements": [button]}],
            }
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": False,
        }
        if thread:
            container["thread_ts"] = thread
        action = {**button, "block_id": block_id, "action_ts": f"{time.time():.6f}"}
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user, "name": user, "team_id": self.team_id},
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "container": container,
            "trigger_id": trigger_id or new_trigger_id(),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": channel},
            "message": message,
            "state": {"values": {}},
            "response_url": response_url or self._response_url("actions", channel, ts),
            "actions": [action],
        }
        return payload

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, dict[str, Any]],
        private_metadata: str = "",
        user_id: str | None = None,
        *,
        view_id: str = "V0000000001",
        title: str = "CI/CD",
        external_id: str = "",
    ) -> R:
        """A modal submit. ``values`` is ``{block_id: {action_id: state}}``, where a plain
        string state means ``{"type": "plain_text_input", "value": <string>}``."""
        user = user_id or self.default_user
        state = {
            block: {
                action: ({"type": "plain_text_input", "value": v} if isinstance(v, str) else v)
                for action, v in actions.items()
            }
            for block, actions in values.items()
        }
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": {"id": user, "username": user, "name": user, "team_id": self.team_id},
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": new_trigger_id(),
            "view": {
                "id": view_id,
                "team_id": self.team_id,
                "type": "modal",
                "blocks": [],
                "private_metadata": private_metadata,
                "callback_id": callback_id,
                "state": {"values": state},
                "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
                "title": {"type": "plain_text", "text": title},
                "clear_on_close": False,
                "notify_on_close": False,
                "previous_view_id": None,
                "root_view_id": view_id,
                "app_id": self.api_app_id,
                "external_id": external_id,
                "app_installed_team_id": self.team_id,
                "bot_id": BOT_ID,
            },
            "response_urls": [],
        }
        return self._interactive(payload)

    def event(
        self,
        event: dict[str, Any],
        *,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        event_id: str | None = None,
    ) -> R:
        """An Events API ``event_callback``; ``retry_num`` adds Slack's retry headers."""
        payload = self.event_payload(event, event_id=event_id)
        headers = None
        if retry_num is not None:
            headers = {
                "X-Slack-Retry-Num": str(retry_num),
                "X-Slack-Retry-Reason": retry_reason or "http_timeout",
            }
        return self._json(payload, headers)

    def event_payload(
        self, event: dict[str, Any], *, event_id: str | None = None
    ) -> dict[str, Any]:
        """The ``event_callback`` body wrapping ``event`` (``event_ts`` added)."""
        now = time.time()
        inner = {"event_ts": f"{now:.6f}", **event}
        payload = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_counter):08d}{secrets.token_hex(3).upper()}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_hex(12)}",
        }
        return payload

    def function_executed(
        self,
        callback_id: str,
        inputs: dict[str, Any],
        function_execution_id: str | None = None,
        bot_access_token: str = "xwfp-test",
        *,
        input_parameters: list[dict[str, Any]] | None = None,
        output_parameters: list[dict[str, Any]] | None = None,
    ) -> R:
        """A Workflow Builder custom step run, like ``function_executed.event_callback.json``."""
        string_param = {"type": "string", "is_required": False}
        event = {
            "type": "function_executed",
            "function": {
                "id": f"Fn{callback_id.upper()[:8]}",
                "callback_id": callback_id,
                "title": callback_id,
                "description": "",
                "type": "app",
                "input_parameters": input_parameters
                if input_parameters is not None
                else [{**string_param, "name": k, "title": k} for k in inputs],
                "output_parameters": output_parameters or [],
                "app_id": self.api_app_id,
                "date_updated": int(time.time()),
            },
            "inputs": inputs,
            "function_execution_id": function_execution_id or f"Fx{next(_counter):010d}",
            "workflow_execution_id": f"Wx{next(_counter):010d}",
            "bot_access_token": bot_access_token,
        }
        return self.event(event)

    def url_verification(self, challenge: str) -> R:
        """The Events API URL check; the bot must echo ``challenge``."""
        payload = {
            "token": self.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return self._json(payload)


class SlackDriver(SlackPayloads[httpx.Response]):
    """Synchronous driver: every method returns the bot's ``httpx.Response``."""

    _client: httpx.Client | None = None

    def send(self, request: SignedRequest) -> httpx.Response:
        """POST a signed request to the bot."""
        if self._client is None:
            assert self.transport is None or isinstance(self.transport, httpx.BaseTransport)
            self._client = httpx.Client(timeout=30.0, transport=self.transport)
        return self._client.post(self.bot_url, content=request.body, headers=request.headers)

    def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncSlackDriver(SlackPayloads[Coroutine[Any, Any, httpx.Response]]):
    """Async driver: every method returns a coroutine of the bot's ``httpx.Response``.

    The ``httpx.AsyncClient`` is created lazily in the running loop and allows many concurrent
    connections (benchmarks fire hundreds of commands at once).
    """

    _client: httpx.AsyncClient | None = None

    def send(self, request: SignedRequest) -> Coroutine[Any, Any, httpx.Response]:
        """POST a signed request to the bot (coroutine)."""
        return self._post(request)

    async def _post(self, request: SignedRequest) -> httpx.Response:
        if self._client is None:
            limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
            assert self.transport is None or isinstance(self.transport, httpx.AsyncBaseTransport)
            self._client = httpx.AsyncClient(timeout=60.0, limits=limits, transport=self.transport)
        return await self._client.post(self.bot_url, content=request.body, headers=request.headers)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
