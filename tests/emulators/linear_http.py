"""HTTP-level pieces of the Linear emulator: records, fault plan, Linear's error answers, and
the signed webhook sender."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import requests

from workflows.integrations.linear_webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    linear_signature,
)

Answer = tuple[int, Any, dict[str, str]]  # status, JSON body (or text), headers


@dataclass
class RecordedRequest:
    """One POST to ``/graphql`` as the emulator saw and answered it."""

    operation: str | None
    query: str
    variables: dict[str, Any]
    status: int
    body: Any
    at: float
    authorized: bool
    fault: str | None = None

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The GraphQL errors answered, if any."""
        return list(self.body.get("errors") or []) if isinstance(self.body, dict) else []


@dataclass
class Delivery:
    """One webhook delivery attempt."""

    url: str
    event: str
    action: str
    payload: dict[str, Any]
    headers: dict[str, str]
    status: int | None = None
    error: str | None = None


@dataclass
class FaultPlan:
    failures: list[list[Any]] = field(default_factory=list)  # [[times left or None, status]]
    rate_limits: list[list[Any]] = field(default_factory=list)  # [[times, retry_after, status]]
    slow: list[list[Any]] = field(default_factory=list)  # [[times, seconds]]

    @staticmethod
    def take(queue: list[list[Any]]) -> list[Any] | None:
        if not queue:
            return None
        entry = queue[0]
        if entry[0] is not None:
            entry[0] -= 1
            if entry[0] <= 0:
                queue.pop(0)
        return entry


def send_webhook(
    url: str,
    secret: str,
    payload: dict[str, Any],
    *,
    delivery_id: str | None = None,
    timestamp_ms: int | None = None,
    timeout: float = 10.0,
) -> requests.Response:
    """POST ``payload`` to ``url`` signed like Linear (sets ``webhookTimestamp`` if missing)."""
    body = dict(payload)
    body.setdefault("webhookTimestamp", timestamp_ms or int(time.time() * 1000))
    raw = json.dumps(body, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Linear-Webhook",
        SIGNATURE_HEADER: linear_signature(secret, raw),
        DELIVERY_HEADER: delivery_id or str(uuid.uuid4()),
        EVENT_HEADER: str(body.get("type", "")),
        TIMESTAMP_HEADER: str(body["webhookTimestamp"]),
    }
    return requests.post(url, data=raw, headers=headers, timeout=timeout)


def operation_name(payload: dict[str, Any]) -> str | None:
    query = payload.get("query")
    if not isinstance(query, str):
        return None
    words = query.replace("(", " ").replace("{", " ").split()
    for kind, name in pairwise(words):
        if kind in ("query", "mutation"):
            return name
    return None


def server_error(status: int) -> Answer:
    if status == 500:
        message = "Internal server error"
        extensions = {"type": "internal error", "userPresentableMessage": "Something went wrong."}
        return (
            status,
            {"data": None, "errors": [{"message": message, "extensions": extensions}]},
            {},
        )
    return status, f"upstream error {status}", {}


def auth_error(header: str) -> Answer:
    shown = "You need to authenticate to access this operation."
    if header.startswith("Bearer lin_api_"):
        shown = "Personal API keys are sent without 'Bearer'."
    error = {
        "message": "Authentication required, not authenticated",
        "extensions": {
            "type": "authentication error",
            "code": "AUTHENTICATION_ERROR",
            "statusCode": 401,
            "userError": True,
            "userPresentableMessage": shown,
        },
    }
    return 400, {"data": None, "errors": [error]}, {}


def rate_limited(retry_after: float, status: int) -> Answer:
    reset_ms = int((time.time() + retry_after) * 1000)
    error = {
        "message": "Rate limit exceeded",
        "extensions": {
            "type": "ratelimited",
            "code": "RATELIMITED",
            "statusCode": 429,
            "userError": True,
            "userPresentableMessage": "Too many requests; try again later.",
        },
    }
    headers = {
        "Retry-After": f"{retry_after:g}",
        "X-RateLimit-Requests-Remaining": "0",
        "X-RateLimit-Requests-Reset": str(reset_ms),
    }
    return status, {"data": None, "errors": [error]}, headers
