"""HTTP-level pieces of the GitHub emulator: errors, replies, records, faults, pagination."""

from __future__ import annotations

import base64
import binascii
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

DOCS = "https://docs.github.com/rest"
RATE_LIMIT = 5000
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
    " If you reach out to GitHub Support for help, please include the request ID."
)


class ApiError(Exception):
    """An error answer in GitHub's shape: ``{"message", "documentation_url", "status"}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body GitHub answers with."""
        body: dict[str, Any] = {"message": self.message, "documentation_url": DOCS}
        if self.errors is not None:
            body["errors"] = self.errors
        body["status"] = str(self.status)
        return body


def not_found() -> ApiError:
    """GitHub's 404 (also what a token that cannot see a private repository gets)."""
    return ApiError(404, "Not Found")


def invalid(resource: str, field: str, code: str = "invalid", **extra: Any) -> ApiError:
    """422 ``Validation Failed`` with one ``{resource, field, code}`` error."""
    return ApiError(
        422,
        "Validation Failed",
        errors=[{"resource": resource, "field": field, "code": code, **extra}],
    )


@dataclass
class Reply:
    """What a route answers: status, JSON body (None = empty) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator saw and answered it (never the token itself)."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    at: float  # time.monotonic() when it arrived
    wall: float  # time.time() when it arrived
    user: str | None  # the login the token belongs to, None if absent or refused
    auth: str | None  # "token", "bearer", "basic" or None
    body: Any = None
    kind: str = "api"  # "api", "git" or "blob"


@dataclass
class _Fault:
    status: int
    retry_after: float | None = None
    reset_in: float | None = None
    seconds: float = 0.0


class FaultPlan:
    """Thread-safe queues of injected faults; each queued fault answers one API request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: deque[_Fault] = deque()
        self._slow: deque[float] = deque()

    def fail(self, times: int, status: int) -> None:
        """The next ``times`` requests answer ``status`` (a 5xx burst)."""
        with self._lock:
            self._errors.extend(_Fault(status) for _ in range(times))

    def rate_limit(
        self, times: int, status: int, retry_after: float | None, reset_in: float | None
    ) -> None:
        """The next ``times`` requests are rate limited (primary when ``reset_in`` is given)."""
        with self._lock:
            self._errors.extend(_Fault(status, retry_after, reset_in) for _ in range(times))

    def slow(self, times: int, seconds: float) -> None:
        """The next ``times`` requests wait ``seconds`` before answering."""
        with self._lock:
            self._slow.extend([seconds] * times)

    def take_delay(self) -> float:
        """Seconds the current request must wait (0 if none queued)."""
        with self._lock:
            return self._slow.popleft() if self._slow else 0.0

    def take(self) -> ApiError | None:
        """The injected error for the current request, if one is queued."""
        with self._lock:
            fault = self._errors.popleft() if self._errors else None
        if fault is None:
            return None
        if fault.reset_in is not None:
            reset = math.ceil(time.time() + fault.reset_in)
            headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
            if fault.retry_after is not None:
                headers["retry-after"] = str(math.ceil(fault.retry_after))
            message = "API rate limit exceeded for user ID 1."
            return ApiError(fault.status, message, headers=headers)
        if fault.retry_after is not None:
            headers = {"retry-after": str(math.ceil(fault.retry_after))}
            return ApiError(fault.status, SECONDARY_MESSAGE, headers=headers)
        return ApiError(fault.status, "Server Error" if fault.status == 500 else "Bad Gateway")

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._errors.clear()
            self._slow.clear()


class RateCounter:
    """Per-user primary rate limit bookkeeping for the ``x-ratelimit-*`` headers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: dict[str, int] = {}
        self._window = int(time.time())

    def _roll(self) -> None:
        if time.time() >= self._window + 3600:
            self._window = int(time.time())
            self._used.clear()

    def count(self, user: str) -> None:
        """One request by ``user`` counts against the limit."""
        with self._lock:
            self._roll()
            self._used[user] = self._used.get(user, 0) + 1

    def headers(self, user: str | None) -> dict[str, str]:
        """The headers every answer carries."""
        with self._lock:
            self._roll()
            used = self._used.get(user or "", 0)
            return {
                "x-ratelimit-limit": str(RATE_LIMIT),
                "x-ratelimit-remaining": str(max(0, RATE_LIMIT - used)),
                "x-ratelimit-used": str(used),
                "x-ratelimit-reset": str(self._window + 3600),
                "x-ratelimit-resource": "core",
            }

    def overview(self, user: str | None) -> dict[str, Any]:
        """The body of ``GET /rate_limit``."""
        values = self.headers(user)
        core = {
            "limit": RATE_LIMIT,
            "remaining": int(values["x-ratelimit-remaining"]),
            "reset": int(values["x-ratelimit-reset"]),
            "used": int(values["x-ratelimit-used"]),
        }
        idle = {"limit": 30, "remaining": 30, "reset": core["reset"], "used": 0}
        return {"resources": {"core": core, "search": idle}, "rate": core}


def paginate(items: list[Any], query: dict[str, str], url: str) -> tuple[list[Any], dict[str, str]]:
    """One page of ``items`` and its ``Link`` header (per_page 30 by default, at most 100)."""
    try:
        per_page = min(100, max(1, int(query.get("per_page", 30))))
        page = max(1, int(query.get("page", 1)))
    except ValueError:
        raise ApiError(400, "Invalid pagination parameters") from None
    last = max(1, math.ceil(len(items) / per_page))
    chunk = items[(page - 1) * per_page : page * per_page]

    def link(number: int) -> str:
        params = {**query, "per_page": str(per_page), "page": str(number)}
        return f"<{url}?{urlencode(params)}>"

    rels = []
    if page < last:
        rels += [f'{link(page + 1)}; rel="next"', f'{link(last)}; rel="last"']
    if page > 1:
        rels += [f'{link(1)}; rel="first"', f'{link(page - 1)}; rel="prev"']
    return chunk, ({"Link": ", ".join(rels)} if rels else {})


def parse_authorization(header: str) -> tuple[str | None, str | None]:
    """(scheme, token) of ``token X``, ``Bearer X`` or Basic with the token as password."""
    scheme, _, value = header.partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme == "basic":
        try:
            _, _, value = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            value = ""
    if scheme not in ("token", "bearer", "basic") or not value:
        return None, None
    return scheme, value
