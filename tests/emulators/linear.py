"""A Linear GraphQL API emulator: aiohttp on 127.0.0.1 in a background thread.

Usage::

    with LinearEmulator() as emu:
        linear = Linear.connect("lin_api_test_key", emu.url)
        ...
        emu.fail_next(2)            # two HTTP 500s with an "internal error"
        emu.rate_limit_next(1)      # one "ratelimited" answer with Retry-After: 1

``POST /graphql`` runs each request with graphql-core against the real schema
(``../shared/api/linear/schema.graphql``, built once per process) and the in-memory workspace
of :mod:`tests.emulators.linear_store` (team ``ZAM`` with Backlog, Todo, In Progress, In Review,
Done, Canceled). Resolvers are in :mod:`tests.emulators.linear_resolvers`. Registered webhooks
receive signed deliveries (``Linear-Signature``) when issues and comments change.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import signal
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests
from aiohttp import web

from tests.emulators.background import BackgroundServer
from tests.emulators.linear_http import (
    Delivery,
    FaultPlan,
    RecordedRequest,
    auth_error,
    operation_name,
    rate_limited,
    send_webhook,
    server_error,
)
from tests.emulators.linear_resolvers import execute_graphql, load_schema
from tests.emulators.linear_store import ORG, Store

DEFAULT_KEY = "lin_api_test_key"
REQUESTS_LIMIT = 5000
COMPLEXITY_LIMIT = 3_000_000
WINDOW_S = 3600.0


class LinearEmulator(BackgroundServer):
    """Emulates the Linear GraphQL API subset the flows use; see the module docstring."""

    thread_name = "linear-emulator"

    def __init__(
        self,
        *,
        tokens: Iterable[str] = (DEFAULT_KEY,),
        oauth_tokens: Iterable[str] = (),
        port: int = 0,
        schema_path: str | Path | None = None,
    ) -> None:
        self._keys = set(tokens)
        self._oauth = set(oauth_tokens)
        super().__init__(port)
        self._schema_path = schema_path
        self.schema = load_schema(schema_path)
        self._lock = threading.RLock()
        self.store = Store.seeded()
        self._faults = FaultPlan()
        self._webhooks: dict[str, dict[str, Any]] = {}
        self.requests: list[RecordedRequest] = []
        self.deliveries: list[Delivery] = []
        self._window_start = time.time()
        self._used = 0

    # -- lifecycle ----------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        app = self.new_app()
        app.router.add_route("*", "/graphql", self._handle_graphql)
        return app

    @property
    def url(self) -> str:
        """The GraphQL endpoint, for ``LINEAR_API_URL``."""
        return f"{self.base_url}/graphql"

    # -- set-up and faults ----------------------------------------------------------------------

    def reset(self) -> None:
        """A fresh seeded workspace; forget requests, deliveries, faults and webhooks."""
        with self._lock:
            self.store = Store.seeded()
            self._faults = FaultPlan()
            self._webhooks.clear()
            self.requests.clear()
            self.deliveries.clear()
            self._used = 0

    def add_token(self, key: str) -> None:
        """Accept another personal API key."""
        with self._lock:
            self._keys.add(key)

    def fail_next(self, n: int | None = 1, status: int = 500) -> None:
        """Answer the next ``n`` requests (None: all, until :meth:`reset`) with HTTP ``status``.

        A 500 carries Linear's ``internal error`` body; other codes a plain-text body, like a
        load balancer in front of the API.
        """
        with self._lock:
            self._faults.failures.append([n, status])

    def rate_limit_next(self, n: int = 1, retry_after: float = 1, status: int = 400) -> None:
        """Answer the next ``n`` requests as rate limited (``ratelimited`` error + headers).

        Linear answers HTTP 400 with ``extensions.type == "ratelimited"``; pass ``status=429``
        for the plain HTTP variant.
        """
        with self._lock:
            self._faults.rate_limits.append([n, retry_after, status])

    def slow_next(self, n: int, seconds: float) -> None:
        """Delay the answers to the next ``n`` requests by ``seconds``."""
        with self._lock:
            self._faults.slow.append([n, seconds])

    def register_webhook(
        self, url: str, secret: str, resource_types: Iterable[str] = ("Issue", "Comment")
    ) -> str:
        """Deliver changes of these entity types to ``url``; returns the webhook id."""
        webhook_id = str(uuid.uuid4())
        with self._lock:
            self._webhooks[webhook_id] = {
                "url": url,
                "secret": secret,
                "types": set(resource_types),
            }
        return webhook_id

    # -- inspection -----------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """Requests received so far (faulted ones included)."""
        with self._lock:
            return len(self.requests)

    def requests_for(self, operation: str) -> list[RecordedRequest]:
        """Recorded requests with this operation name, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.operation == operation]

    def issues(self) -> list[dict[str, Any]]:
        """Copies of every issue, oldest first (relation ids, not objects)."""
        with self._lock:
            return copy.deepcopy(sorted(self.store.issues.values(), key=lambda i: i["number"]))

    def issue(self, identifier: str) -> dict[str, Any]:
        """A copy of one issue with its state name and label names added."""
        with self._lock:
            issue = copy.deepcopy(self.store.issue(identifier))
            issue["stateName"] = self.store.states[issue["stateId"]]["name"]
            issue["labelNames"] = [self.store.labels[i]["name"] for i in issue["labelIds"]]
            return issue

    def comments(self, identifier: str) -> list[dict[str, Any]]:
        """Comments on one issue, oldest first."""
        with self._lock:
            issue_id = self.store.issue(identifier)["id"]
            found = [c for c in self.store.comments.values() if c["issueId"] == issue_id]
            return copy.deepcopy(sorted(found, key=lambda c: c["createdAt"]))

    def attachments(self, identifier: str) -> list[dict[str, Any]]:
        """Attachments of one issue."""
        with self._lock:
            issue_id = self.store.issue(identifier)["id"]
            found = [a for a in self.store.attachments.values() if a["issueId"] == issue_id]
            return copy.deepcopy(found)

    def summary(self, last: int = 30) -> str:
        """Readable list of the last requests (no keys)."""
        with self._lock:
            lines = [f"{len(self.requests)} request(s), {len(self.store.issues)} issue(s)"]
            for r in self.requests[-last:]:
                errors = "; ".join(e.get("message", "") for e in r.errors)[:160]
                lines.append(f"  {r.operation or '?'} -> {r.status} {r.fault or ''} {errors}")
        return "\n".join(lines)

    # -- HTTP -----------------------------------------------------------------------------------

    async def _handle_graphql(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            payload = None
        payload = payload if isinstance(payload, dict) else {}
        with self._lock:
            slow = self._faults.take(self._faults.slow)
        if slow is not None:
            await asyncio.sleep(slow[1])
        with self._lock:
            status, body, headers, fault = self._answer(request, raw, payload)
            authorized = self._authorized(request.headers.get("Authorization", ""))
            self.requests.append(
                RecordedRequest(
                    operation=payload.get("operationName") or operation_name(payload),
                    query=str(payload.get("query") or ""),
                    variables=copy.deepcopy(payload.get("variables") or {}),
                    status=status,
                    body=copy.deepcopy(body),
                    at=time.monotonic(),
                    authorized=authorized,
                    fault=fault,
                )
            )
            events = self.store.drain_events()
            webhooks = list(self._webhooks.items())
        for event in events:
            for webhook_id, hook in webhooks:
                if event["type"] in hook["types"]:
                    asyncio.get_running_loop().run_in_executor(
                        None, self._deliver, webhook_id, hook, event
                    )
        headers = {**self._rate_headers(), **headers}
        if isinstance(body, str):
            return web.Response(text=body, status=status, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    def _answer(
        self, request: web.Request, raw: bytes, payload: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str], str | None]:
        if request.method != "POST":
            return 405, "Method Not Allowed", {}, "method"
        failure = self._faults.take(self._faults.failures)
        if failure is not None:
            return (*server_error(failure[1]), "failure")
        if not self._authorized(request.headers.get("Authorization", "")):
            return (*auth_error(request.headers.get("Authorization", "")), "unauthorized")
        self._used += 1
        limit = self._faults.take(self._faults.rate_limits)
        if limit is not None:
            return (*rate_limited(limit[1], limit[2]), "ratelimited")
        if not raw or not payload:
            return 400, {"errors": [{"message": "Body must be a JSON object"}]}, {}, "body"
        status, body = execute_graphql(
            self.schema,
            self.store,
            payload.get("query"),
            payload.get("variables"),
            payload.get("operationName"),
        )
        return status, body, {}, None

    def _authorized(self, header: str) -> bool:
        if header in self._keys:
            return True
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
        return token is not None and token in self._oauth

    def _rate_headers(self) -> dict[str, str]:
        now = time.time()
        with self._lock:
            if now - self._window_start >= WINDOW_S:
                self._window_start, self._used = now, 0
            reset_ms = str(int((self._window_start + WINDOW_S) * 1000))
            remaining = max(0, REQUESTS_LIMIT - self._used)
        return {
            "X-RateLimit-Requests-Limit": str(REQUESTS_LIMIT),
            "X-RateLimit-Requests-Remaining": str(remaining),
            "X-RateLimit-Requests-Reset": reset_ms,
            "X-RateLimit-Complexity-Limit": str(COMPLEXITY_LIMIT),
            "X-RateLimit-Complexity-Remaining": str(COMPLEXITY_LIMIT - 100 * self._used),
            "X-RateLimit-Complexity-Reset": reset_ms,
        }

    def _deliver(self, webhook_id: str, hook: dict[str, Any], event: dict[str, Any]) -> None:
        payload = {
            **event,
            "organizationId": ORG["id"],
            "webhookId": webhook_id,
            "actor": {"id": self.store.viewer_id, "type": "user", "name": "CI Bot"},
        }
        delivery = Delivery(hook["url"], event["type"], event["action"], payload, {})
        try:
            response = send_webhook(hook["url"], hook["secret"], payload)
            delivery.status = response.status_code
            delivery.headers = dict(response.request.headers)
            delivery.payload = json.loads(response.request.body or b"{}")
        except requests.RequestException as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            self.deliveries.append(delivery)


# -- command line ------------------------------------------------------------------------------


def run_linear(args: argparse.Namespace) -> int:
    """Run the Linear emulator until Ctrl-C or SIGTERM."""
    tokens = args.token or [DEFAULT_KEY]
    with LinearEmulator(tokens=tokens, port=args.port, schema_path=args.schema) as emu:
        if args.webhook_url:
            emu.register_webhook(args.webhook_url, args.webhook_secret)
        print(emu.url, flush=True)
        print(f"{len(tokens)} API key(s) accepted; team ZAM; Ctrl-C to stop", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        while not stop.wait(0.5):
            pass
    return 0


def add_cli(subparsers: Any) -> None:
    """Register ``linear`` on ``python -m tests.emulators``'s subparsers."""
    linear = subparsers.add_parser("linear", help="Linear GraphQL emulator (prints its URL)")
    linear.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any)")
    linear.add_argument(
        "--token", action="append", help=f"accepted API key (repeatable; default {DEFAULT_KEY})"
    )
    linear.add_argument("--schema", default=None, help="schema.graphql (default ../shared/...)")
    linear.add_argument("--webhook-url", default=None, help="deliver issue webhooks here")
    linear.add_argument("--webhook-secret", default="linear-webhook-secret", help="signing secret")
    linear.set_defaults(func=run_linear)
