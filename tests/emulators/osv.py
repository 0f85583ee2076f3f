"""An OSV (osv.dev) API emulator on 127.0.0.1: `POST /v1/query`, `POST /v1/querybatch`,
`GET /v1/vulns/{id}`, answering in OSV's own formats.

Usage::

    with OsvEmulator() as emu:          # serves `osv_advisories.ADVISORIES`
        client = OsvClient(emu.url)

Matching is the emulator's own (independent of the code under test): PEP 440 ordering for
PyPI, dotted numbers for npm, OSV's event evaluation, names compared as the ecosystem does.
`querybatch` answers ids and `modified` only (an empty object for a query without hits) and
pages with `next_page_token` after `page_size` hits. Errors have OSV's `{"code", "message"}`
shape. Faults: :meth:`fail_next`, :meth:`rate_limit_next`; requests are kept in `requests`.
"""

from __future__ import annotations

import argparse
import copy
import re
import threading
from collections import deque
from typing import Any

from aiohttp import web
from packaging.version import InvalidVersion, Version

from tests.emulators.background import BackgroundServer, wait_for_signal
from tests.emulators.osv_advisories import ADVISORIES

_CODES = {400: 3, 404: 5, 429: 8, 500: 13, 503: 14}  # google.rpc codes, as OSV sends them


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"code": _CODES.get(status, 2), "message": message}, status=status)


def _order(ecosystem: str, version: str) -> Any:
    """A comparable key; npm versions by their numeric parts, prereleases before releases."""
    if version == "0":
        return (0,) if ecosystem == "npm" else Version("0")
    if ecosystem == "npm":
        core, _, pre = version.partition("-")
        return (*(int(p) for p in core.split(".")), 0 if pre else 1)
    return Version(version)


def _affected_by(ecosystem: str, version: str, affected: dict[str, Any]) -> bool:
    if version in affected.get("versions", []):
        return True
    try:
        current = _order(ecosystem, version)
    except (InvalidVersion, ValueError):
        return False
    for version_range in affected.get("ranges", []):
        if version_range.get("type") == "GIT":
            continue
        events = sorted(
            version_range["events"],
            key=lambda e: _order(ecosystem, next(iter(e.values()))),
        )
        hit = False
        for event in events:
            kind, bound = next(iter(event.items()))
            if kind == "introduced":
                hit = hit or current >= _order(ecosystem, bound)
            elif kind == "fixed":
                hit = hit and current < _order(ecosystem, bound)
            elif kind == "last_affected":
                hit = hit and current <= _order(ecosystem, bound)
        if hit:
            return True
    return False


def _same_name(ecosystem: str, a: str, b: str) -> bool:
    if ecosystem == "PyPI":
        return re.sub(r"[-_.]+", "-", a).lower() == re.sub(r"[-_.]+", "-", b).lower()
    return a == b


class OsvEmulator(BackgroundServer):
    """Serves a set of OSV advisories; see the module docstring."""

    thread_name = "osv-emulator"

    def __init__(
        self,
        advisories: list[dict[str, Any]] | None = None,
        *,
        port: int = 0,
        page_size: int = 1000,
    ) -> None:
        super().__init__(port)
        source = ADVISORIES if advisories is None else advisories
        self.advisories = {a["id"]: copy.deepcopy(a) for a in source}
        self.page_size = page_size
        self.requests: list[tuple[str, str, Any]] = []
        self._faults: deque[tuple[int, dict[str, str]]] = deque()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The base URL to give as `OSV_API_URL`."""
        return self.base_url

    def fail_next(self, status: int = 503, times: int = 1) -> None:
        """Answer the next `times` requests with `status`."""
        with self._lock:
            self._faults.extend([(status, {})] * times)

    def rate_limit_next(self, retry_after: float = 0) -> None:
        """Answer the next request with 429 and `Retry-After`."""
        with self._lock:
            self._faults.append((429, {"Retry-After": str(retry_after)}))

    def build_app(self) -> web.Application:
        app = self.new_app()
        app.router.add_post("/v1/query", self._query)
        app.router.add_post("/v1/querybatch", self._querybatch)
        app.router.add_get("/v1/vulns/{id}", self._vuln)
        return app

    def summary(self, last: int = 10) -> str:
        lines = [f"OsvEmulator on {self.base_url}: {len(self.requests)} request(s)"]
        lines += [f"  {method} {path}" for method, path, _ in self.requests[-last:]]
        return "\n".join(lines)

    # -- handlers ---------------------------------------------------------------------------

    async def _record(self, request: web.Request) -> tuple[Any, web.Response | None]:
        body = None
        if request.method == "POST":
            try:
                body = await request.json()
            except ValueError:
                body = None
        with self._lock:
            self.requests.append((request.method, request.path, body))
            fault = self._faults.popleft() if self._faults else None
        if fault is not None:
            status, headers = fault
            response = _error(status, "emulated failure")
            response.headers.update(headers)
            return body, response
        if request.method == "POST" and not isinstance(body, dict):
            return body, _error(400, "Invalid JSON body.")
        return body, None

    def _matches(self, query: dict[str, Any]) -> list[dict[str, Any]] | str:
        package = query.get("package") or {}
        version, ecosystem, name = (
            query.get("version"),
            package.get("ecosystem"),
            package.get("name"),
        )
        if query.get("commit"):
            return []  # no git ranges are served
        if not ecosystem or not name:
            return "Invalid query: package name and ecosystem are required."
        if version and package.get("purl") and "@" in package["purl"]:
            return "Invalid query: version specified in both purl and version."
        found = []
        for advisory in self.advisories.values():
            for affected in advisory.get("affected", []):
                pkg = affected.get("package") or {}
                if pkg.get("ecosystem") != ecosystem or not _same_name(
                    ecosystem, pkg["name"], name
                ):
                    continue
                if version is None or _affected_by(ecosystem, version, affected):
                    found.append(advisory)
                    break
        return sorted(found, key=lambda a: a["id"])

    def _page(self, found: list[dict[str, Any]], token: str | None) -> tuple[list[Any], str | None]:
        start = int(token) if token and token.isdigit() else 0
        page = found[start : start + self.page_size]
        more = start + self.page_size < len(found)
        return page, str(start + self.page_size) if more else None

    async def _query(self, request: web.Request) -> web.Response:
        body, fault = await self._record(request)
        if fault is not None:
            return fault
        found = self._matches(body)
        if isinstance(found, str):
            return _error(400, found)
        page, token = self._page(found, body.get("page_token"))
        answer: dict[str, Any] = {"vulns": page} if page else {}
        if token:
            answer["next_page_token"] = token
        return web.json_response(answer)

    async def _querybatch(self, request: web.Request) -> web.Response:
        body, fault = await self._record(request)
        if fault is not None:
            return fault
        queries = body.get("queries")
        if not isinstance(queries, list):
            return _error(400, "Invalid query: queries must be a list.")
        if len(queries) > 1000:
            return _error(400, "Too many queries (the maximum is 1000).")
        results = []
        for query in queries:
            found = self._matches(query if isinstance(query, dict) else {})
            if isinstance(found, str):
                return _error(400, found)
            page, token = self._page(found, query.get("page_token"))
            result: dict[str, Any] = {}
            if page:
                result["vulns"] = [{"id": a["id"], "modified": a["modified"]} for a in page]
            if token:
                result["next_page_token"] = token
            results.append(result)
        return web.json_response({"results": results})

    async def _vuln(self, request: web.Request) -> web.Response:
        _, fault = await self._record(request)
        if fault is not None:
            return fault
        advisory = self.advisories.get(request.match_info["id"])
        if advisory is None:
            return _error(404, "Bug not found.")
        return web.json_response(advisory)


# -- command line -----------------------------------------------------------------------------


def add_cli(subparsers: Any) -> None:
    """Register ``python -m tests.emulators osv``."""
    cli = subparsers.add_parser("osv", help="OSV vulnerability API emulator (prints its URL)")
    cli.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any)")
    cli.set_defaults(func=run_cli)


def run_cli(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; the first line printed is the base URL."""
    with OsvEmulator(port=args.port) as emu:
        print(emu.url, flush=True)
        print(f"OSV_API_URL={emu.url}  ({len(emu.advisories)} advisories)", flush=True)
        wait_for_signal()
    return 0
