"""A Codegen REST API emulator: agent runs, organisations and the current user on 127.0.0.1.

Usage::

    with CodegenEmulator() as emu:
        client = CodegenClient(token=SecretStr(emu.token), org_id=emu.org_id, base_url=emu.url)
        run = client.follow(client.start("fix the flaky test").id)

A run answers ``PENDING`` when created, ``ACTIVE`` to its first ``polls`` status requests, then
its outcome (``COMPLETE`` with a result and a pull request by default): script it with
:meth:`~CodegenEmulator.next_run_outcome` or :meth:`~CodegenEmulator.on_prompt`. Faults:
:meth:`~CodegenEmulator.fail_next`, :meth:`~CodegenEmulator.rate_limit_next`,
:meth:`~CodegenEmulator.slow_next`; every request is recorded in ``requests``. Shapes follow
``../shared/api/codegen/openapi3.json``; ids are ints, as the generated client insists.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from tests.emulators.background import BackgroundServer
from tests.emulators.codegen_runs import (
    USER,
    EmulatedRun,
    FaultPlan,
    Outcome,
    RecordedRequest,
    error_response,
    invalid_response,
    newest,
    page_response,
    route,
)

DEFAULT_TOKEN = "codegen-test-token"
DEFAULT_ORG_ID = 1


class CodegenEmulator(BackgroundServer):
    """Emulates the Codegen endpoints the SDK and its CLI call; see the module docstring."""

    thread_name = "codegen-emulator"

    def __init__(
        self,
        *,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        org_id: int = DEFAULT_ORG_ID,
        port: int = 0,
        polls: int = 2,
        repository: str = "example/app",
        has_repos: bool = True,
    ) -> None:
        self.tokens = list(tokens)
        self.org_id = org_id
        self.orgs = {org_id: "Emulated Org"}
        self.repository = repository
        self.has_repos = has_repos
        self.default_outcome = Outcome(polls=polls)
        self.runs: dict[int, EmulatedRun] = {}
        self.requests: list[RecordedRequest] = []
        super().__init__(port)
        self._ids = itertools.count(101)
        self._next_outcomes: deque[Outcome] = deque()
        self._prompt_outcomes: list[tuple[str, Outcome]] = []
        self._faults = FaultPlan()
        self._lock = threading.RLock()

    # -- lifecycle ----------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        app = self.new_app()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    @property
    def token(self) -> str:
        """The first accepted token."""
        return self.tokens[0]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the value for CODEGEN_API_BASE_URL."""
        return f"http://127.0.0.1:{self._port}"

    # -- scripting and faults -----------------------------------------------------------------

    def next_run_outcome(
        self,
        outcome: str = "complete",
        *,
        result: str | None = None,
        error: str | None = None,
        polls: int | None = None,
        pull_request: bool = True,
    ) -> None:
        """How the next created run ends: ``complete``, ``failed``, ``error``, ``cancelled``...

        ``error`` is the failed run's text (its ``result``). Queued: one call, one run.
        """
        with self._lock:
            self._next_outcomes.append(self._outcome(outcome, result, error, polls, pull_request))

    def on_prompt(
        self,
        text: str,
        outcome: str = "complete",
        *,
        result: str | None = None,
        error: str | None = None,
        polls: int | None = None,
        pull_request: bool = True,
    ) -> None:
        """Every run whose prompt contains ``text`` ends this way (after queued outcomes)."""
        with self._lock:
            self._prompt_outcomes.append(
                (text, self._outcome(outcome, result, error, polls, pull_request))
            )

    def fail_next(self, n: int = 1, status: int = 500, *, endpoint: str | None = None) -> None:
        """Answer the next ``n`` requests (to ``endpoint``, one of ENDPOINTS) with ``status``."""
        self._faults.add("fail", n, status, endpoint)

    def rate_limit_next(
        self, n: int = 1, retry_after: float = 1, *, endpoint: str | None = None
    ) -> None:
        """Answer the next ``n`` requests with 429 and ``Retry-After: retry_after``."""
        self._faults.add("rate_limit", n, retry_after, endpoint)

    def slow_next(self, n: int = 1, seconds: float = 2.0, *, endpoint: str | None = None) -> None:
        """Hold the next ``n`` requests ``seconds`` before handling them as usual."""
        self._faults.add("slow", n, seconds, endpoint)

    def reset(self) -> None:
        """Forget runs, requests, scripts and faults (ids stay unique)."""
        with self._lock:
            self.runs.clear()
            self.requests.clear()
            self._next_outcomes.clear()
            self._prompt_outcomes.clear()
            self._faults.clear()

    def _outcome(
        self, name: str, result: str | None, error: str | None, polls: int | None, pr: bool
    ) -> Outcome:
        status = name.upper()
        if status == "COMPLETED":
            status = "COMPLETE"
        polls = self.default_outcome.polls if polls is None else polls
        return Outcome(status=status, result=error or result, polls=polls, pull_request=pr)

    # -- inspection ---------------------------------------------------------------------------

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """Recorded requests to one endpoint (``create_run``, ``get_run``...), oldest first."""
        with self._lock:
            return [r for r in self.requests if r.endpoint == endpoint]

    def summary(self, last: int = 40) -> str:
        """Readable list of the last requests (no tokens)."""
        with self._lock:
            lines = [f"{len(self.requests)} request(s), {len(self.runs)} run(s)"]
            lines += [f"  {r.method} {r.path} -> {r.status}" for r in self.requests[-last:]]
        return "\n".join(lines)

    # -- HTTP ---------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        endpoint, params = route(request.method, request.path)
        raw = await request.read()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        auth = request.headers.get("Authorization", "")
        authorized = auth.startswith("Bearer ") and auth.removeprefix("Bearer ") in self.tokens
        delay = self._faults.take("slow", endpoint)
        if delay:
            await asyncio.sleep(delay)
        with self._lock:
            response = self._answer(endpoint, params, dict(request.query), body, authorized)
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=request.path,
                    endpoint=endpoint,
                    query=dict(request.query),
                    body=body,
                    authorized=authorized,
                    status=response.status,
                    at=arrived,
                )
            )
        return response

    def _answer(
        self,
        endpoint: str,
        params: dict[str, str],
        query: dict[str, str],
        body: Any,
        authorized: bool,
    ) -> web.Response:
        if endpoint == "unknown":
            return web.json_response({"detail": "Not Found"}, status=404)
        retry_after = self._faults.take("rate_limit", endpoint)
        if retry_after is not None:
            response = error_response(429, "Rate limit exceeded. Please try again later.")
            response.headers["Retry-After"] = f"{retry_after:g}"
            return response
        status = self._faults.take("fail", endpoint)
        if status is not None:
            return error_response(int(status), "Internal Server Error")
        if not authorized:
            return error_response(401, "Invalid or missing API token.")
        for name in ("org_id", "run_id"):
            if name in params and not params[name].isdigit():
                return invalid_response(
                    ["path", name], "Input should be a valid integer", "int_parsing"
                )
        if "org_id" in params and int(params["org_id"]) not in self.orgs:
            return error_response(403, "You do not have access to this organization.")
        handler = getattr(self, f"_{endpoint}")
        return handler(params, query, body)

    def _create_run(self, params: dict[str, str], query: dict[str, str], body: Any) -> web.Response:
        prompt = body.get("prompt") if isinstance(body, dict) else None
        if not isinstance(prompt, str) or not prompt:
            return invalid_response(["body", "prompt"], "Field required", "missing")
        if not self.has_repos:
            return error_response(404, "No repos found in the organization. Please add some repos.")
        if self._next_outcomes:
            outcome = self._next_outcomes.popleft()
        else:
            scripted = (o for text, o in self._prompt_outcomes if text in prompt)
            outcome = next(scripted, self.default_outcome)
        run = EmulatedRun(next(self._ids), int(params["org_id"]), prompt, outcome)
        run.prompts.append(prompt)
        self.runs[run.id] = run
        return web.json_response(run.to_json(self.url))

    def _get_run(self, params: dict[str, str], query: dict[str, str], body: Any) -> web.Response:
        run = self._find(params, int(params["run_id"]))
        if run is None:
            return error_response(404, "Agent run not found.")
        run.advance(self.repository)
        return web.json_response(run.to_json(self.url))

    def _resume_run(self, params: dict[str, str], query: dict[str, str], body: Any) -> web.Response:
        body = body if isinstance(body, dict) else {}
        run_id, prompt = body.get("agent_run_id"), body.get("prompt")
        if not isinstance(run_id, int) or not isinstance(prompt, str):
            return invalid_response(
                ["body"], "agent_run_id (int) and prompt (str) required", "missing"
            )
        run = self._find(params, run_id)
        if run is None:
            return error_response(404, "Agent run not found.")
        run.prompts.append(prompt)
        run.outcome = self._next_outcomes.popleft() if self._next_outcomes else run.outcome
        run.status, run.polls, run.result = "ACTIVE", 0, None
        return web.json_response(run.to_json(self.url))

    def _list_runs(self, params: dict[str, str], query: dict[str, str], body: Any) -> web.Response:
        org = int(params["org_id"])
        runs = sorted((r for r in self.runs.values() if r.organization_id == org), key=newest)
        return page_response([r.to_json(self.url) for r in runs], query)

    def _organizations(
        self, params: dict[str, str], query: dict[str, str], body: Any
    ) -> web.Response:
        settings = {"enable_pr_creation": True, "enable_rules_detection": True}
        orgs = [{"id": i, "name": n, "settings": settings} for i, n in self.orgs.items()]
        return page_response(orgs, query)

    def _me(self, params: dict[str, str], query: dict[str, str], body: Any) -> web.Response:
        return web.json_response(USER)

    def _find(self, params: dict[str, str], run_id: int) -> EmulatedRun | None:
        run = self.runs.get(run_id)
        return run if run and run.organization_id == int(params["org_id"]) else None


# -- command line -----------------------------------------------------------------------------


def add_cli(subparsers: Any) -> None:
    """Register ``python -m tests.emulators codegen``."""
    cli = subparsers.add_parser("codegen", help="Codegen agent API emulator (prints its URL)")
    cli.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any)")
    cli.add_argument(
        "--token", action="append", help=f"accepted token (repeatable; default {DEFAULT_TOKEN})"
    )
    cli.add_argument("--org-id", type=int, default=DEFAULT_ORG_ID, help="the organisation id")
    cli.add_argument("--polls", type=int, default=2, help="status polls before a run ends")
    cli.set_defaults(func=run_cli)


def run_cli(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; the first line printed is the base URL."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    tokens = args.token or [DEFAULT_TOKEN]
    emulator = CodegenEmulator(tokens=tokens, org_id=args.org_id, port=args.port, polls=args.polls)
    with emulator as emu:
        print(emu.url, flush=True)
        print(f"CODEGEN_API_BASE_URL={emu.url} CODEGEN_ORG_ID={emu.org_id}", flush=True)
        print(f"{len(emu.tokens)} token(s) accepted; Ctrl-C to stop", flush=True)
        while not stop.wait(0.5):
            pass
    return 0
