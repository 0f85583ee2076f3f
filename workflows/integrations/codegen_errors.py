"""How the Codegen client's and urllib3's exceptions become `IntegrationError`s.

Retryable: 5xx, 408, 429 (with its Retry-After), connection errors, and a status request that
got no answer. Not retryable: refused tokens, unknown organisations or runs, rejected input,
and a create request that got no answer (the agent may have started: never start two).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from workflows.integrations.retrying import (
    IntegrationAuthError,
    IntegrationError,
    retry_after_seconds,
)

if TYPE_CHECKING:
    from codegen_api_client.exceptions import ApiException

SERVICE = "Codegen"


def to_integration_error(
    exc: Exception, *, what: str, org_id: int, run_id: int | None, base: str
) -> IntegrationError:
    """Turn a client or transport exception into an `IntegrationError` (retryable or not)."""
    from codegen_api_client.exceptions import ApiException
    from urllib3.exceptions import ConnectTimeoutError, HTTPError, MaxRetryError

    if isinstance(exc, ApiException) and exc.status:
        return _classify_status(exc, what=what, org_id=org_id, run_id=run_id)
    if isinstance(exc, MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    if isinstance(exc, ConnectTimeoutError):  # includes refused connections and DNS errors
        return IntegrationError(
            SERVICE,
            f"{what}: cannot connect to {base} (CODEGEN_API_BASE_URL): {type(exc).__name__}",
            retryable=True,
        )
    if isinstance(exc, HTTPError):  # the request was sent; the answer timed out or broke off
        if run_id is None:
            # Creating twice would start two agents (and two pull requests): let a person look.
            return IntegrationError(
                SERVICE,
                f"{what}: no answer from {base} ({type(exc).__name__}); the agent run may have "
                "started, check Codegen before trying again",
            )
        return IntegrationError(
            SERVICE, f"{what}: no answer ({type(exc).__name__})", retryable=True
        )
    if isinstance(exc, ValueError):  # includes pydantic's ValidationError
        return IntegrationError(SERVICE, f"{what}: unexpected answer from {base}")
    return IntegrationError(SERVICE, f"{what} failed: {type(exc).__name__}")


def _classify_status(
    exc: ApiException, *, what: str, org_id: int, run_id: int | None
) -> IntegrationError:
    status = int(exc.status)
    said = _server_message(exc.body)
    error: IntegrationError
    if status == 401:
        error = IntegrationAuthError(SERVICE, "CODEGEN_TOKEN", "HTTP 401")
    elif status == 403:
        error = IntegrationAuthError(
            SERVICE,
            "CODEGEN_TOKEN",
            f"HTTP 403: {said or 'forbidden'} Is organisation {org_id} in CODEGEN_ORG_ID right?",
        )
    elif status == 404 and run_id is None:
        error = IntegrationError(
            SERVICE,
            f"{what}: organisation {org_id} (CODEGEN_ORG_ID) not found or without repositories"
            + (f": {said}" if said else ""),
        )
    elif status == 404:
        error = IntegrationError(
            SERVICE, f"agent run {run_id} not found in organisation {org_id} (CODEGEN_ORG_ID)"
        )
    elif status == 429:
        wait = exc.headers.get("Retry-After") if exc.headers is not None else None
        error = IntegrationError(
            SERVICE, f"{what}: rate limited", retryable=True, retry_after=retry_after_seconds(wait)
        )
    elif status == 408 or status >= 500:
        error = IntegrationError(SERVICE, f"{what}: HTTP {status}", retryable=True)
    else:  # 402 (plan exhausted), 422 (rejected input), ...
        error = IntegrationError(SERVICE, f"{what}: HTTP {status}" + (f": {said}" if said else ""))
    error.status = status
    return error


def _server_message(body: str | None, limit: int = 200) -> str:
    """The `message` (or FastAPI `detail`) of an error body, shortened."""
    try:
        data = json.loads(body or "")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    said = data.get("message") or data.get("detail") or ""
    if isinstance(said, list):  # FastAPI validation errors
        said = "; ".join(str(item.get("msg", item)) for item in said if isinstance(item, dict))
    return str(said)[:limit]
