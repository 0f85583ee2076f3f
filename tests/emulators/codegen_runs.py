"""The Codegen emulator's runs, request records, faults and HTTP shapes (see ``codegen.py``)."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

USER = {
    "id": 7,
    "email": "dev@example.com",
    "github_user_id": "1007",
    "github_username": "emulated-dev",
    "avatar_url": None,
    "full_name": "Emulated Developer",
    "role": "ADMIN",
    "is_admin": True,
}
ENDPOINTS = ("create_run", "get_run", "list_runs", "resume_run", "organizations", "me")


def now_iso() -> str:
    """Now, as the API writes timestamps."""
    return datetime.now(UTC).isoformat()


def error_response(status: int, message: str) -> web.Response:
    """The spec's error shape: ``{"message", "status_code"}``."""
    return web.json_response({"message": message, "status_code": status}, status=status)


def invalid_response(loc: list[str | int], msg: str, kind: str) -> web.Response:
    """FastAPI's 422."""
    return web.json_response({"detail": [{"loc": loc, "msg": msg, "type": kind}]}, status=422)


@dataclass
class Outcome:
    """How a run ends: its final status, text, pull request, and after how many polls."""

    status: str = "COMPLETE"
    result: str | None = None
    polls: int = 2
    pull_request: bool = True


@dataclass
class EmulatedRun:
    """One agent run and where it is in its life."""

    id: int
    organization_id: int
    prompt: str
    outcome: Outcome
    created_at: str = field(default_factory=now_iso)
    status: str = "PENDING"
    result: str | None = None
    polls: int = 0
    prompts: list[str] = field(default_factory=list)
    pull_requests: list[dict[str, Any]] = field(default_factory=list)

    def advance(self, repository: str) -> None:
        """One status request: still active, or reach the outcome."""
        if self.status not in ("PENDING", "ACTIVE"):
            return
        self.polls += 1
        if self.polls <= self.outcome.polls:
            self.status = "ACTIVE"
            return
        self.status = self.outcome.status
        if self.status == "COMPLETE":
            self.result = self.outcome.result or f"Done: {self.prompt.splitlines()[0][:80]}"
            if self.outcome.pull_request and not self.pull_requests:
                number = 100 + self.id
                self.pull_requests.append(
                    {
                        "id": 5000 + self.id,
                        "url": f"https://github.com/{repository}/pull/{number}",
                        "title": self.prompt.splitlines()[0][:72],
                        "head_branch_name": f"codegen-bot/run-{self.id}",
                        "created_at": now_iso(),
                    }
                )
        else:
            self.result = self.outcome.result or f"The agent run ended with {self.status}."

    def to_json(self, web_base: str) -> dict[str, Any]:
        """AgentRunResponse, with the spec-only fields the generated client drops."""
        return {
            "id": self.id,
            "organization_id": self.organization_id,
            "status": self.status,
            "created_at": self.created_at,
            "web_url": f"{web_base}/agent/trace/{self.id}",
            "result": self.result,
            "summary": None if self.result is None else self.result[:120],
            "source_type": "API",
            "github_pull_requests": list(self.pull_requests),
            "metadata": None,
        }


@dataclass
class RecordedRequest:
    """One request as the emulator saw it (whether its token was good, never the token)."""

    method: str
    path: str
    endpoint: str  # one of ENDPOINTS, or "unknown"
    query: dict[str, str]
    body: Any
    authorized: bool
    status: int
    at: float  # time.monotonic() on arrival


@dataclass
class _Fault:
    kind: str  # "fail", "rate_limit" or "slow"
    times: int
    value: float
    endpoint: str | None


class FaultPlan:
    """Thread-safe queue of injected faults, each for one endpoint or for any."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []

    def add(self, kind: str, n: int, value: float, endpoint: str | None) -> None:
        """The next ``n`` requests (to ``endpoint``, one of ENDPOINTS) get this fault."""
        if endpoint is not None and endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {ENDPOINTS}")
        with self._lock:
            self._faults.append(_Fault(kind, n, value, endpoint))

    def take(self, kind: str, endpoint: str) -> float | None:
        """Consume one fault of ``kind`` for ``endpoint``; its value (status, seconds)."""
        with self._lock:
            for fault in self._faults:
                if fault.kind == kind and fault.endpoint in (None, endpoint) and fault.times > 0:
                    fault.times -= 1
                    return fault.value
        return None

    def clear(self) -> None:
        """Forget every fault."""
        with self._lock:
            self._faults.clear()


def newest(run: EmulatedRun) -> int:
    """Sort key: the most recent run first."""
    return -run.id


def route(method: str, path: str) -> tuple[str, dict[str, str]]:
    """The endpoint name and path parameters of a request."""
    parts = path.strip("/").split("/")
    match method, parts:
        case "GET", ["v1", "users", "me"]:
            return "me", {}
        case "GET", ["v1", "organizations"]:
            return "organizations", {}
        case "POST", ["v1", "organizations", org, "agent", "run"]:
            return "create_run", {"org_id": org}
        case "POST", ["v1", "organizations", org, "agent", "run", "resume"]:
            return "resume_run", {"org_id": org}
        case "GET", ["v1", "organizations", org, "agent", "run", run_id]:
            return "get_run", {"org_id": org, "run_id": run_id}
        case "GET", ["v1", "organizations", org, "agent", "runs"]:
            return "list_runs", {"org_id": org}
    return "unknown", {}


def page_response(items: list[dict[str, Any]], query: dict[str, str]) -> web.Response:
    """A ``Page[T]`` of ``items`` for ``skip``/``limit`` (limit 1..100, default 100)."""
    try:
        skip = int(query.get("skip", "0"))
        limit = int(query.get("limit", "100"))
    except ValueError:
        return invalid_response(["query", "skip"], "Input should be a valid integer", "int_parsing")
    if skip < 0 or not 1 <= limit <= 100:
        return invalid_response(["query", "limit"], "limit 1..100, skip >= 0", "value_error")
    body = {
        "items": items[skip : skip + limit],
        "total": len(items),
        "page": skip // limit + 1,
        "size": limit,
        "pages": math.ceil(len(items) / limit),
    }
    return web.json_response(body)
