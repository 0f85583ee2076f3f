"""OSV (osv.dev) vulnerability API: our own small client on httpx, with shared retries.

`POST /v1/querybatch` says which advisory ids affect each (package, version); its answer has
ids and `modified` only, so `GET /v1/vulns/{id}` fetches each advisory once. A batch answer
for a query with more hits carries `next_page_token`; that query is asked again with it. The
base URL comes from `OSV_API_URL` (default https://api.osv.dev); no key is needed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Self
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field

from workflows.integrations.retrying import (
    DEFAULT_POLICY,
    IntegrationError,
    RetryPolicy,
    call_with_retries,
    retry_after_seconds,
)

SERVICE = "OSV"
DEFAULT_URL = "https://api.osv.dev"
BATCH_LIMIT = 1000  # queries per querybatch request (the API's maximum)
MAX_PAGES = 20  # per query, a guard against a server that never stops paging
DEFAULT_TIMEOUT_S = 30.0


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class OsvEvent(_Lenient):
    """One range event; exactly one field is set."""

    introduced: str | None = None
    fixed: str | None = None
    last_affected: str | None = None
    limit: str | None = None


class OsvRange(_Lenient):
    """`ECOSYSTEM`, `SEMVER` or `GIT` range of affected versions."""

    type: str
    events: list[OsvEvent] = Field(default_factory=list)
    repo: str | None = None


class OsvPackage(_Lenient):
    """The package an `affected` entry is about."""

    ecosystem: str
    name: str
    purl: str | None = None


class OsvSeverity(_Lenient):
    """A severity rating: `CVSS_V3` (a vector), `CVSS_V4`, `CVSS_V2`, `Ubuntu` ..."""

    type: str
    score: str


class OsvAffected(_Lenient):
    """The versions of one package an advisory affects."""

    package: OsvPackage | None = None
    ranges: list[OsvRange] = Field(default_factory=list)
    versions: list[str] = Field(default_factory=list)
    severity: list[OsvSeverity] = Field(default_factory=list)
    database_specific: dict[str, Any] | None = None


class OsvReference(_Lenient):
    """A link: `ADVISORY`, `FIX`, `WEB`, `PACKAGE` ..."""

    type: str
    url: str


class OsvVulnerability(_Lenient):
    """An advisory in the OSV schema (the fields the audit reads)."""

    id: str
    summary: str = ""
    details: str = ""
    aliases: list[str] = Field(default_factory=list)
    modified: str = ""
    published: str | None = None
    withdrawn: str | None = None
    severity: list[OsvSeverity] = Field(default_factory=list)
    affected: list[OsvAffected] = Field(default_factory=list)
    references: list[OsvReference] = Field(default_factory=list)
    database_specific: dict[str, Any] | None = None


class PackageQuery(BaseModel):
    """One (ecosystem, name, version) to ask about."""

    ecosystem: str
    name: str
    version: str

    def body(self, page_token: str | None = None) -> dict[str, Any]:
        """The query object of the OSV API."""
        query: dict[str, Any] = {
            "package": {"name": self.name, "ecosystem": self.ecosystem},
            "version": self.version,
        }
        if page_token:
            query["page_token"] = page_token
        return query


def classify_osv_error(exc: Exception, what: str = "request") -> IntegrationError:
    """Timeouts, connection errors, 429 and 5xx may pass; other statuses will not."""
    if isinstance(exc, httpx.TimeoutException):
        return IntegrationError(SERVICE, f"{what}: timed out", retryable=True)
    if isinstance(exc, httpx.TransportError):
        return IntegrationError(SERVICE, f"{what}: could not connect", retryable=True)
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        message = _error_message(exc.response)
        if status == 429:
            wait = retry_after_seconds(exc.response.headers.get("retry-after"))
            return IntegrationError(
                SERVICE, f"{what}: rate limited", retryable=True, retry_after=wait, status=429
            )
        return IntegrationError(
            SERVICE,
            f"{what}: HTTP {status} {message}".rstrip(),
            retryable=status >= 500,
            status=status,
        )
    if isinstance(exc, ValueError):  # a body that is not the JSON we expect
        return IntegrationError(SERVICE, f"{what}: unexpected answer ({exc})")
    return IntegrationError(SERVICE, f"{what}: {exc}")


def _error_message(response: httpx.Response) -> str:
    """OSV answers errors as `{"code": 3, "message": "..."}`."""
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""


class OsvClient:
    """Queries one OSV API; use as a context manager (one connection pool)."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        timeout: float = DEFAULT_TIMEOUT_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._policy = policy
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"User-Agent": "cicd-chatops", "Accept": "application/json"},
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _json(self, method: str, path: str, what: str, body: object = None) -> Any:  # noqa: ANN401  JSON
        def call() -> Any:  # noqa: ANN401  JSON
            response = self._http.request(method, path, json=body)
            response.raise_for_status()
            return response.json()

        return call_with_retries(
            call,
            classify=lambda exc: classify_osv_error(exc, what),
            what=what,
            policy=self._policy,
            sleep=self._sleep,
        )

    def affecting_ids(self, queries: Sequence[PackageQuery]) -> list[list[str]]:
        """For each query, in order, the ids of the advisories affecting it (all pages)."""
        found: list[list[str]] = [[] for _ in queries]
        pending: list[tuple[int, str | None]] = [(i, None) for i in range(len(queries))]
        pages = 0
        while pending and pages < MAX_PAGES:
            pages += 1
            later: list[tuple[int, str | None]] = []
            for start in range(0, len(pending), BATCH_LIMIT):
                chunk = pending[start : start + BATCH_LIMIT]
                body = {"queries": [queries[i].body(token) for i, token in chunk]}
                answer = self._json("POST", "/v1/querybatch", "query vulnerabilities", body)
                results = answer.get("results") if isinstance(answer, dict) else None
                if not isinstance(results, list) or len(results) != len(chunk):
                    raise IntegrationError(SERVICE, "querybatch: answer does not match the queries")
                for (index, _), result in zip(chunk, results, strict=True):
                    result = result or {}
                    found[index] += [str(v["id"]) for v in result.get("vulns") or [] if "id" in v]
                    if result.get("next_page_token"):
                        later.append((index, str(result["next_page_token"])))
            pending = later
        return [list(dict.fromkeys(ids)) for ids in found]

    def vulnerability(self, vuln_id: str) -> OsvVulnerability:
        """The full advisory `vuln_id`."""
        path = f"/v1/vulns/{quote(vuln_id, safe='')}"
        data = self._json("GET", path, f"read advisory {vuln_id}")
        return OsvVulnerability.model_validate(data)
