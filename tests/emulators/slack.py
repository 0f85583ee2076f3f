"""A Slack Web API emulator: an aiohttp server on 127.0.0.1 in a background thread.

Usage::

    with SlackEmulator() as emu:
        client = AsyncWebClient(token="xoxb-test-token", base_url=emu.url)
        ...
        emu.wait_for(lambda: emu.calls_to("chat.postMessage"))

State lives in a :class:`~tests.emulators.slack_workspace.Workspace`; the methods are in
:mod:`tests.emulators.slack_methods`, Block Kit checks in :mod:`tests.emulators.slack_blocks`,
Socket Mode (``apps.connections.open``, the ``/link/`` websocket) in ``emu.socket``, see
:mod:`tests.emulators.slack_socket`.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web

from tests.emulators.background import BackgroundServer
from tests.emulators.slack_blocks import validate_blocks
from tests.emulators.slack_files import UPLOAD_PREFIX, receive_upload
from tests.emulators.slack_http import (
    Answer,
    FaultPlan,
    RecordedCall,
    RecordedResponse,
    bearer_token,
    read_params,
)
from tests.emulators.slack_methods import METHODS
from tests.emulators.slack_socket import SocketModeServer
from tests.emulators.slack_workspace import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    ApiError,
    Workspace,
)

T = TypeVar("T")


class SlackEmulator(BackgroundServer):
    """Emulates the Slack Web API subset the bot uses; see the module docstring."""

    thread_name = "slack-emulator"

    team_id = TEAM_ID
    bot_user_id = BOT_USER_ID
    bot_id = BOT_ID

    def __init__(
        self,
        *,
        tokens: Iterable[str] = ("xoxb-test-token",),
        port: int = 0,
        workflow_tokens: Iterable[str] = ("xwfp-test",),
        app_tokens: Iterable[str] = ("xapp-test-token",),
    ) -> None:
        self._tokens = set(tokens) | set(workflow_tokens)
        super().__init__(port)
        self.socket = SocketModeServer(lambda: self.base_url, app_tokens)
        self._lock = threading.RLock()
        self._ws = Workspace.seeded()
        self._faults = FaultPlan()
        self.calls: list[RecordedCall] = []
        self.responses: list[RecordedResponse] = []

    # -- lifecycle ----------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        app = self.new_app()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{name:.*}", self._handle_response_url)
        app.router.add_post(UPLOAD_PREFIX + "{file_id}", self._handle_upload)
        self.socket.attach(app)
        return app

    @property
    def url(self) -> str:
        """Web API base URL for ``AsyncWebClient(base_url=...)``, with trailing slash."""
        return f"{self.base_url}/api/"

    @property
    def response_url_base(self) -> str:
        """Prefix of response URLs served here (``.../response/``)."""
        return f"{self.base_url}/response/"

    # -- workspace set-up ---------------------------------------------------------------------

    def add_token(self, token: str) -> None:
        """Accept another token."""
        with self._lock:
            self._tokens.add(token)

    def add_channel(self, channel_id: str, name: str, **flags: bool) -> None:
        """Add a channel; flags: ``is_private``, ``is_member`` (default True), ``is_archived``."""
        with self._lock:
            self._ws.add_channel(channel_id, name, **flags)

    def add_user(self, user_id: str, name: str, is_admin: bool = False, **extra: Any) -> None:
        """Add a user; extra: ``real_name``, ``is_bot``, ``deleted``, ``email``, ``tz``."""
        with self._lock:
            self._ws.add_user(user_id, name, is_admin, **extra)

    def add_usergroup(self, group_id: str, handle: str, users: Iterable[str]) -> None:
        """Add a user group (``S...``) with its members."""
        with self._lock:
            self._ws.add_usergroup(group_id, handle, list(users))

    def add_message(
        self, channel: str, text: str, *, user: str = "U0001", thread_ts: str | None = None
    ) -> str:
        """Seed a message from a human (e.g. the one an event refers to); returns its ts."""
        with self._lock:
            ts = self._ws.clock()
            msg: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts}
            if thread_ts:
                msg["thread_ts"] = thread_ts
            self._ws.add_message(self._ws.channel(channel).id, msg)
            return ts

    def reset(self) -> None:
        """Forget calls, responses, faults and all workspace changes (ts/ids stay unique)."""
        with self._lock:
            self.calls.clear()
            self.responses.clear()
            self._faults = FaultPlan()
            self._ws.reset_to(Workspace.seeded())
        self.socket.reset()

    # -- fault injection ----------------------------------------------------------------------

    def rate_limit(
        self,
        method: str,
        times: int = 1,
        retry_after: int = 1,
        only: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"`` = any) with HTTP 429.

        They carry ``Retry-After: <retry_after>``, are recorded (``rate_limited``) and change
        nothing. ``only`` limits it to calls with those params (e.g. one message's ``ts``), so
        other bots sharing the emulator are not hit.
        """
        self._faults.rate_limit(method, times, retry_after, only)

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": error}``."""
        self._faults.fail(method, error, times)

    def delay(self, method: str, seconds: float) -> None:
        """Delay every answer of ``method`` (``"*"`` = any) by ``seconds`` (0 = off)."""
        self._faults.delay(method, seconds)

    # -- HTTP handlers ------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await read_params(request)
        except ApiError as exc:
            params, error = {}, exc
        else:
            error = None
        token = bearer_token(request, params)
        wait = self._faults.delay_for(method)
        if wait > 0 and self._handler(method) and token in self._tokens | self.socket.app_tokens:
            await asyncio.sleep(wait)
        with self._lock:
            self._ws.base_url = self.base_url  # files.getUploadURLExternal hands out URLs here
            status, body, headers = self._answer(method, params, token, error)
            self.calls.append(
                RecordedCall(
                    method=method,
                    params=copy.deepcopy(params),
                    token=token,
                    status=status,
                    response=copy.deepcopy(body),
                    at=time.monotonic(),
                    rate_limited=status == 429,
                    http_method=request.method,
                )
            )
        return web.json_response(body, status=status, headers=headers)

    def _answer(
        self, method: str, params: dict[str, Any], token: str | None, error: ApiError | None
    ) -> Answer:
        handler = self._handler(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        token_error = self.socket.token_error(method, token, self._tokens)
        if token_error:
            return 200, {"ok": False, "error": token_error}, {}
        if error is not None:
            return 200, error.body(), {}
        fault = self._faults.take(method, params)
        if fault is not None:
            return fault
        try:
            return 200, handler(self._ws, params), {}
        except ApiError as exc:
            return 200, exc.body(), {}

    def _handler(self, method: str) -> Callable[[Workspace, dict[str, Any]], dict[str, Any]] | None:
        if method == "apps.connections.open":
            return self.socket.connections_open
        return METHODS.get(method)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """Step 2 of an external upload: the bytes, raw or as the first multipart part."""
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            part = await reader.next()
            data = await part.read() if isinstance(part, BodyPartReader) else b""
        else:
            data = await request.read()
        with self._lock:
            status, text = receive_upload(self._ws, request.match_info["file_id"], data)
        return web.Response(status=status, text=text, content_type="text/plain")

    def uploaded_files(self) -> list[dict[str, Any]]:
        """Every file reserved, uploaded or shared, with its bytes (``content``), oldest first."""
        with self._lock:
            return copy.deepcopy(list(self._ws.files.values()))

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read())
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            self._record_response(request, {}, 400)
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        errors = validate_blocks(body["blocks"]) if "blocks" in body else []
        if errors:
            self._record_response(request, body, 400)
            answer = {"ok": False, "error": "invalid_blocks"}
            answer["response_metadata"] = {"messages": errors}
            return web.json_response(answer, status=400)
        with self._lock:
            self._apply_response(request.match_info["name"], body)
            self._record_response(request, body, 200)
        return web.json_response({"ok": True})

    def _record_response(self, request: web.Request, body: dict[str, Any], status: int) -> None:
        with self._lock:
            self.responses.append(
                RecordedResponse(
                    path=request.path,
                    body=body,
                    at=time.monotonic(),
                    status=status,
                    url=f"{self.base_url}{request.path}",
                )
            )

    def _apply_response(self, name: str, body: dict[str, Any]) -> None:
        """``<channel>/<ts>/...`` URLs (see the driver) act on that message like Slack does."""
        parts = name.split("/")
        if len(parts) < 3 or parts[0] not in self._ws.channels:
            return
        try:
            msg = self._ws.find_message(parts[0], parts[1])
        except ApiError:
            return
        if body.get("delete_original"):
            self._ws.messages[parts[0]].remove(msg)
        elif body.get("replace_original"):
            for key in ("text", "blocks", "attachments"):
                if key in body:
                    msg[key] = body[key]

    # -- inspection ---------------------------------------------------------------------------

    def response_url(self, name: str = "r1") -> str:
        """A response_url served by this emulator (``<channel>/<ts>/x`` binds it to a message)."""
        return f"{self.response_url_base}{name}"

    def responses_to(self, url_or_name: str) -> list[RecordedResponse]:
        """Recorded POSTs to one response_url (full URL, path or name)."""
        with self._lock:
            return [r for r in self.responses if url_or_name in (r.url, r.path, r.name)]

    def calls_to(self, method: str) -> list[RecordedCall]:
        """Recorded calls of ``method``, oldest first."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def _channel_id(self, channel: str) -> str | None:
        if channel in self._ws.users:
            return "D" + channel[1:]
        try:
            return self._ws.channel(channel, by_name=True).id
        except ApiError:
            return None

    def messages(self, channel: str, *, top_level_only: bool = False) -> list[dict[str, Any]]:
        """Messages in ``channel`` (id, ``#name`` or user id for the DM), oldest first.

        Thread replies are included (they carry ``thread_ts``) unless ``top_level_only``.
        """
        with self._lock:
            cid = self._channel_id(channel)
            msgs = self._ws.messages.get(cid or "", [])
            if top_level_only:
                msgs = [m for m in msgs if m.get("thread_ts", m["ts"]) == m["ts"]]
            return copy.deepcopy(msgs)

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """Parent message first, then its replies."""
        with self._lock:
            return copy.deepcopy(self._ws.thread(self._channel_id(channel) or "", ts))

    def ephemerals(self, channel: str) -> list[dict[str, Any]]:
        """Ephemeral messages posted in ``channel`` (each has ``ephemeral_for``)."""
        with self._lock:
            return copy.deepcopy(self._ws.ephemerals.get(self._channel_id(channel) or "", []))

    def view(self, view_id: str) -> dict[str, Any] | None:
        """A view opened/updated/published through the API."""
        with self._lock:
            return copy.deepcopy(self._ws.views.get(view_id))

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The Home tab last published for ``user_id``."""
        with self._lock:
            return copy.deepcopy(self._ws.views.get(self._ws.home_views.get(user_id, "")))

    def summary(self, last: int = 40) -> str:
        """Readable list of the last recorded calls and responses (no tokens)."""
        with self._lock:
            lines = [f"{len(self.calls)} call(s), {len(self.responses)} response_url post(s)"]
            for c in self.calls[-last:]:
                outcome = "ok" if c.ok else c.response.get("error")
                shown = {k: v for k, v in c.params.items() if k in ("channel", "ts", "text")}
                lines.append(f"  {c.method} -> {c.status} {outcome} {json.dumps(shown)[:160]}")
            for r in self.responses[-last:]:
                lines.append(f"  response_url {r.name} -> {r.status} {json.dumps(r.body)[:160]}")
        return "\n".join(lines)

    async def wait_for_async(
        self, predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.02
    ) -> T:
        """Like :meth:`wait_for` but sleeps with asyncio (for bots in the test's loop)."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"condition not met in {timeout}s\n{self.summary()}")
            await asyncio.sleep(interval)
