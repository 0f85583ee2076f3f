"""HTTP-level pieces of the Slack emulator: request decoding, records and fault injection."""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.emulators.slack_workspace import ApiError

# Params that slack_sdk sends as JSON strings inside form bodies.
JSON_PARAMS = ("blocks", "attachments", "outputs", "view", "metadata", "files", "inputs")


@dataclass
class RecordedCall:
    """One Web API call as the emulator saw and answered it."""

    method: str
    params: dict[str, Any]
    token: str | None
    status: int
    response: dict[str, Any]
    at: float
    rate_limited: bool = False
    http_method: str = "POST"

    @property
    def ok(self) -> bool:
        """Whether the answer was ``{"ok": true, ...}``."""
        return bool(self.response.get("ok"))


@dataclass
class RecordedResponse:
    """One POST to a ``response_url``."""

    path: str
    body: dict[str, Any]
    at: float
    status: int = 200
    url: str = ""

    @property
    def name(self) -> str:
        """The part after ``/response/``."""
        return self.path.removeprefix("/response/")


Answer = tuple[int, dict[str, Any], dict[str, str]]  # status, body, headers


class FaultPlan:
    """Thread-safe queue of injected faults per method (``"*"`` matches every method)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # method -> (times left, retry_after, only calls whose params include these)
        self._rate_limits: dict[str, tuple[int, int, dict[str, str]]] = {}
        self._failures: dict[str, list[list[Any]]] = {}  # method -> [[error, times left]]
        self._delays: dict[str, float] = {}

    def rate_limit(
        self, method: str, times: int, retry_after: int, only: dict[str, str] | None = None
    ) -> None:
        """The next ``times`` calls (with ``only``'s params, if given) answer 429."""
        with self._lock:
            self._rate_limits[method] = (times, retry_after, dict(only or {}))

    def fail(self, method: str, error: str, times: int) -> None:
        """The next ``times`` calls answer ``{"ok": false, "error": error}`` (queued)."""
        with self._lock:
            self._failures.setdefault(method, []).append([error, times])

    def delay(self, method: str, seconds: float) -> None:
        """Every answer waits ``seconds`` first (0 turns it off)."""
        with self._lock:
            self._delays[method] = seconds

    def delay_for(self, method: str) -> float:
        """Seconds to wait before answering ``method``."""
        with self._lock:
            return self._delays.get(method, self._delays.get("*", 0.0))

    def take(self, method: str, params: dict[str, Any] | None = None) -> Answer | None:
        """Consume and return the next fault for ``method`` (called with ``params``), if any."""
        with self._lock:
            for key in (method, "*"):
                times, retry_after, only = self._rate_limits.get(key, (0, 0, {}))
                if times > 0 and all((params or {}).get(k) == v for k, v in only.items()):
                    self._rate_limits[key] = (times - 1, retry_after, only)
                    return (
                        429,
                        {"ok": False, "error": "ratelimited"},
                        {"Retry-After": str(retry_after)},
                    )
            for key in (method, "*"):
                queue = self._failures.get(key)
                if queue:
                    queue[0][1] -= 1
                    error = queue[0][0]
                    if queue[0][1] <= 0:
                        queue.pop(0)
                    return 200, {"ok": False, "error": error}, {}
        return None


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query + JSON or form body; JSON-in-form fields (blocks, outputs, ...) decoded."""
    params: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                data = json.loads(await request.read() or b"{}")
            except ValueError:
                raise ApiError("invalid_json") from None
            if not isinstance(data, dict):
                raise ApiError("invalid_json")
            params.update(data)
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in JSON_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            # Undecodable values stay strings: the method reports *_format / invalid_arguments.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def bearer_token(request: web.Request, params: dict[str, Any]) -> str | None:
    """Bearer token from the header, else the ``token`` param (always removed from params)."""
    token = params.pop("token", None)
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth.removeprefix("Bearer ").strip() or None
    return token if isinstance(token, str) and token else None
