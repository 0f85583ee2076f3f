"""Socket Mode for the Slack emulator: ``apps.connections.open`` and the ``/link/`` websocket.

Served on the Web API emulator's own aiohttp app and port; reach it as ``emu.socket``::

    with SlackEmulator() as emu:  # accepts app token "xapp-test-token"
        ...  # start the app: AsyncSocketModeHandler(app, "xapp-test-token").connect_async()
        assert emu.socket.wait_connected(10)
        envelope_id = emu.socket.send_slash_command("help")
        assert emu.socket.wait_for_ack(envelope_id)["response_type"] == "ephemeral"

As Slack does: ``apps.connections.open`` (app token only) returns
``ws://127.0.0.1:PORT/link/?ticket=...``; on connect the server sends ``hello``, then the test
sends envelopes ``{"envelope_id", "type", "accepts_response_payload", "payload"}`` and the app
acks with ``{"envelope_id", "payload"?}``; ``disconnect`` asks the app to reconnect.
"""

from __future__ import annotations

import asyncio
import copy
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.emulators.slack_driver import SlackPayloads
from tests.emulators.slack_workspace import APP_ID, Workspace

APP_TOKEN_METHODS = frozenset({"apps.connections.open"})  # refuse bot tokens
HELLO_DEBUG_INFO = {"host": "emulator", "build_number": 1, "approximate_connection_time": 18060}


@dataclass
class RecordedEnvelope:
    """One envelope sent to the app."""

    envelope_id: str
    type: str
    payload: dict[str, Any]
    at: float  # time.monotonic() just before sending
    connection: int


@dataclass
class RecordedAck:
    """One acknowledgement the app sent back over the socket."""

    envelope_id: str
    payload: dict[str, Any]  # {} when the ack carried none
    at: float  # time.monotonic() on receipt
    envelope_type: str | None = None  # None: no such envelope was sent
    sent_at: float | None = None

    @property
    def latency(self) -> float | None:
        """Seconds from sending the envelope to receiving this ack."""
        return None if self.sent_at is None else self.at - self.sent_at


@dataclass
class SocketConnection:
    """One websocket session of the app."""

    number: int
    ticket: str
    opened_at: float
    ws: web.WebSocketResponse = field(repr=False)
    closed_at: float | None = None
    received: list[Any] = field(default_factory=list, repr=False)  # non-ack messages

    @property
    def open(self) -> bool:
        """Whether the session is still open."""
        return self.closed_at is None and not self.ws.closed


class SocketModeServer:
    """The Socket Mode side of :class:`~tests.emulators.slack.SlackEmulator`."""

    def __init__(self, base_url: Callable[[], str], app_tokens: Iterable[str]) -> None:
        self.app_tokens = set(app_tokens)
        self._base_url = base_url
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tickets: set[str] = set()
        self.connections: list[SocketConnection] = []
        self.envelopes: list[RecordedEnvelope] = []
        self.acks: list[RecordedAck] = []

    @property
    def payloads(self) -> SlackPayloads[None]:
        """The driver's payload builder; response URLs are served by the emulator."""
        return SlackPayloads[None](response_url_base=f"{self._base_url()}/response/")

    def attach(self, app: web.Application) -> None:
        """Route ``GET /link/`` on the emulator's app (called in the emulator's loop)."""
        self._loop = asyncio.get_running_loop()
        app.router.add_get("/link/", self._handle_link)
        app.on_shutdown.append(self._close_all)

    def reset(self) -> None:
        """Forget envelopes and acks (connections stay open)."""
        with self._cond:
            self.envelopes.clear()
            self.acks.clear()

    # -- Web API ------------------------------------------------------------------------------

    def connections_open(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        """apps.connections.open: a fresh websocket URL with a ticket."""
        ticket = secrets.token_hex(16)
        with self._cond:
            self._tickets.add(ticket)
        url = self._base_url().replace("http://", "ws://", 1)
        return {"ok": True, "url": f"{url}/link/?ticket={ticket}"}

    def token_error(self, method: str, token: str, bot_tokens: set[str]) -> str | None:
        """``not_allowed_token_type``/``invalid_auth`` for the wrong kind of token, else None."""
        if token in self.app_tokens:
            return None if method in APP_TOKEN_METHODS else "not_allowed_token_type"
        if token in bot_tokens:
            return "not_allowed_token_type" if method in APP_TOKEN_METHODS else None
        return "invalid_auth"

    # -- websocket ----------------------------------------------------------------------------

    async def _handle_link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        with self._cond:
            known = ticket in self._tickets
        if not known:
            return web.json_response({"ok": False, "error": "invalid_ticket"}, status=401)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        with self._cond:
            conn = SocketConnection(len(self.connections) + 1, ticket, time.monotonic(), ws)
            self.connections.append(conn)
            live = sum(c.open for c in self.connections)
            self._cond.notify_all()
        hello = {
            "type": "hello",
            "num_connections": live,
            "debug_info": HELLO_DEBUG_INFO,
            "connection_info": {"app_id": APP_ID},
        }
        try:
            await ws.send_json(hello)
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_text(conn, msg.data)
        finally:
            with self._cond:
                conn.closed_at = time.monotonic()
                self._cond.notify_all()
        return ws

    def _on_text(self, conn: SocketConnection, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            message = data
        with self._cond:
            if not isinstance(message, dict) or "envelope_id" not in message:
                conn.received.append(message)
                return
            envelope_id = str(message["envelope_id"])
            sent = next((e for e in self.envelopes if e.envelope_id == envelope_id), None)
            payload = message.get("payload")
            self.acks.append(
                RecordedAck(
                    envelope_id=envelope_id,
                    payload=payload if isinstance(payload, dict) else {},
                    at=time.monotonic(),
                    envelope_type=sent.type if sent else None,
                    sent_at=sent.at if sent else None,
                )
            )
            self._cond.notify_all()

    async def _close_all(self, _: web.Application) -> None:
        for conn in list(self.connections):
            if not conn.ws.closed:
                await conn.ws.close(code=1001, message=b"emulator stopping")

    # -- test API -----------------------------------------------------------------------------

    def open_connections(self) -> list[SocketConnection]:
        """Open sessions, oldest first."""
        with self._cond:
            return [c for c in self.connections if c.open]

    def wait_connected(self, timeout: float = 10.0, count: int = 1) -> bool:
        """Wait until ``count`` sessions were ever opened and one is open now."""
        with self._cond:
            return self._cond.wait_for(
                lambda: len(self.connections) >= count and any(c.open for c in self.connections),
                timeout,
            )

    def socket_connected(self, timeout: float = 10.0) -> bool:
        """Whether the app holds an open session (waiting up to ``timeout``)."""
        return self.wait_connected(timeout)

    def _send(self, message: dict[str, Any], timeout: float) -> int:
        """Send on the newest open session; returns its number."""
        open_now = self.open_connections()
        if not open_now or self._loop is None:
            raise AssertionError("no Socket Mode connection is open")
        conn = open_now[-1]
        future = asyncio.run_coroutine_threadsafe(conn.ws.send_str(json.dumps(message)), self._loop)
        future.result(timeout)
        return conn.number

    def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = True,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        timeout: float = 5.0,
    ) -> str:
        """Send an envelope to the app (newest open session); returns its ``envelope_id``."""
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
            "payload": payload,
        }
        if type == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        record = RecordedEnvelope(envelope_id, type, copy.deepcopy(payload), time.monotonic(), 0)
        with self._cond:
            self.envelopes.append(record)
        record.connection = self._send(envelope, timeout)
        return envelope_id

    def send_slash_command(self, text: str, **fields: Any) -> str:
        """A ``slash_commands`` envelope; ``fields`` as in the driver's ``slash_command``."""
        payload = self.payloads.slash_command_fields(text, **fields)
        return self.send_envelope("slash_commands", payload)

    def send_block_action(self, action_id: str, value: str, **fields: Any) -> str:
        """An ``interactive`` envelope holding a button click (``block_actions``)."""
        payload = self.payloads.block_action_payload(action_id, value, **fields)
        return self.send_envelope("interactive", payload)

    def send_event(
        self, event: dict[str, Any], *, retry_attempt: int = 0, retry_reason: str = ""
    ) -> str:
        """An ``events_api`` envelope holding an ``event_callback``."""
        return self.send_envelope(
            "events_api",
            self.payloads.event_payload(event),
            accepts_response_payload=False,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does before recycling a session."""
        self._send({"type": "disconnect", "reason": reason, "debug_info": HELLO_DEBUG_INFO}, 5.0)

    def ack(self, envelope_id: str) -> RecordedAck | None:
        """The first ack of ``envelope_id``, if any."""
        with self._cond:
            return next((a for a in self.acks if a.envelope_id == envelope_id), None)

    def wait_for_ack_record(self, envelope_id: str, timeout: float = 10.0) -> RecordedAck:
        """Wait for the ack of ``envelope_id``; AssertionError with a summary on timeout."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.ack(envelope_id), timeout):
                raise AssertionError(f"no ack for {envelope_id} in {timeout}s\n{self.summary()}")
        ack = self.ack(envelope_id)
        assert ack is not None
        return ack

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the ack of ``envelope_id``; returns its payload (``{}`` if none)."""
        return copy.deepcopy(self.wait_for_ack_record(envelope_id, timeout).payload)

    async def wait_for_ack_async(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Like :meth:`wait_for_ack` without blocking the caller's loop (app in the same loop)."""
        deadline = time.monotonic() + timeout
        while (ack := self.ack(envelope_id)) is None:
            if time.monotonic() >= deadline:
                raise AssertionError(f"no ack for {envelope_id} in {timeout}s\n{self.summary()}")
            await asyncio.sleep(0.01)
        return copy.deepcopy(ack.payload)

    async def wait_connected_async(self, timeout: float = 10.0, count: int = 1) -> bool:
        """Like :meth:`wait_connected` without blocking the caller's loop."""
        deadline = time.monotonic() + timeout
        while not self.wait_connected(0, count):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    def summary(self) -> str:
        """Sessions, envelopes and acks, readable."""
        with self._cond:
            lines = [f"{len(self.connections)} session(s), {len(self.open_connections())} open"]
            for e in self.envelopes[-20:]:
                lines.append(f"  sent {e.type} {e.envelope_id} on session {e.connection}")
            for a in self.acks[-20:]:
                lines.append(f"  ack {a.envelope_id} {json.dumps(a.payload)[:160]}")
        return "\n".join(lines)
