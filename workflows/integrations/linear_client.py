"""The Linear GraphQL transport: gql over requests, Linear's errors mapped onto our retry rules.

A personal API key goes in `Authorization` as it is (no "Bearer"). Every request runs through
`call_with_retries`; `classify_linear_error` decides what may be tried again. The key never
appears in a log line, an exception or a repr.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from functools import cache
from importlib import resources
from typing import Any, Self

import requests
from gql import Client, GraphQLRequest
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportProtocolError,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.requests import RequestsHTTPTransport
from graphql import DocumentNode, FragmentDefinitionNode, FragmentSpreadNode, parse, visit
from graphql.language import Visitor
from pydantic import SecretStr

from workflows.integrations.linear_models import SERVICE
from workflows.integrations.retrying import (
    DEFAULT_POLICY,
    IntegrationAuthError,
    IntegrationError,
    RetryPolicy,
    call_with_retries,
)

KEY_SETTING = "LINEAR_API_KEY"
DEFAULT_TIMEOUT_S = 30.0
_DOCUMENTS = "workflows.integrations.linear_graphql"
_RETRYABLE_TYPES = {"internal error", "lock timeout", "network error", "bootstrap error"}


class LinearNotFound(IntegrationError):
    """Linear has no entity with that id or identifier."""


# -- documents ------------------------------------------------------------------------------------


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def _spread_names(nodes: list[Any]) -> set[str]:
    found = _Spreads()
    for node in nodes:
        visit(node, found)
    return found.names


@cache
def _fragments() -> dict[str, FragmentDefinitionNode]:
    text = resources.files(_DOCUMENTS).joinpath("fragments.graphql").read_text(encoding="utf-8")
    return {
        d.name.value: d for d in parse(text).definitions if isinstance(d, FragmentDefinitionNode)
    }


@cache
def load_document(name: str) -> DocumentNode:
    """The operation in `linear_graphql/<name>.graphql` plus the fragments it spreads."""
    text = resources.files(_DOCUMENTS).joinpath(f"{name}.graphql").read_text(encoding="utf-8")
    document = parse(text)
    fragments = _fragments()
    needed: list[FragmentDefinitionNode] = []
    pending = _spread_names(list(document.definitions))
    while pending:
        fragment = fragments[pending.pop()]
        if fragment not in needed:
            needed.append(fragment)
            pending |= _spread_names([fragment]) - {f.name.value for f in needed}
    return DocumentNode(definitions=(*document.definitions, *needed))


# -- errors ---------------------------------------------------------------------------------------


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def retry_after_from_headers(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after`, else from the `x-ratelimit-*-reset` times.

    Linear sends the reset as epoch milliseconds; epoch seconds and plain delays in seconds
    are accepted too, told apart by size.
    """
    now = time.time() if now is None else now
    lowered = {k.lower(): v for k, v in headers.items()}
    retry_after = lowered.get("retry-after")
    if retry_after is not None:
        seconds = _number(retry_after)
        if seconds is None:
            try:
                seconds = parsedate_to_datetime(retry_after).timestamp() - now
            except (TypeError, ValueError):
                seconds = None
        if seconds is not None:
            return max(0.0, seconds)
    resets = [
        _number(lowered.get(f"x-ratelimit-{kind}-reset")) for kind in ("requests", "complexity")
    ]
    waits = []
    for reset in resets:
        if reset is None:
            continue
        if reset > 1e12:  # epoch milliseconds
            waits.append(reset / 1000 - now)
        elif reset > 1e9:  # epoch seconds
            waits.append(reset - now)
        else:  # a delay in seconds
            waits.append(reset)
    return max(0.0, max(waits)) if waits else None


def classify_linear_error(
    exc: Exception,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    what: str = "request",
    now: float | None = None,
) -> IntegrationError:
    """Map a gql/requests exception (with the HTTP status and headers seen) onto our rules."""
    headers = headers or {}
    if isinstance(exc, TransportServerError) and status is None:
        status = exc.code
    errors = (exc.errors or []) if isinstance(exc, TransportQueryError) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    extensions = first.get("extensions") or {}
    kind = str(extensions.get("type") or "").lower()
    code = str(extensions.get("code") or "").upper()
    shown = extensions.get("userPresentableMessage") or first.get("message") or str(exc)

    if kind == "ratelimited" or code == "RATELIMITED" or status == 429:
        return IntegrationError(
            SERVICE,
            f"{what}: rate limited",
            retryable=True,
            retry_after=retry_after_from_headers(headers, now),
            status=status,
        )
    if kind == "authentication error" or code == "AUTHENTICATION_ERROR":
        return IntegrationAuthError(SERVICE, KEY_SETTING, str(shown))
    if kind == "forbidden" or (not kind and status == 403):
        why = f"{what}: forbidden; the key in {KEY_SETTING} lacks access ({shown})"
        return IntegrationError(SERVICE, why, status=403)
    if kind in _RETRYABLE_TYPES or (status is not None and status >= 500 and kind in ("", "other")):
        return IntegrationError(SERVICE, f"{what}: {shown}", retryable=True, status=status)
    if isinstance(exc, TransportConnectionFailed | requests.ConnectionError | requests.Timeout):
        cause = exc.__cause__ if isinstance(exc.__cause__, requests.Timeout) else exc
        reason = "timed out" if isinstance(cause, requests.Timeout) else "could not connect"
        return IntegrationError(SERVICE, f"{what}: {reason}", retryable=True, status=status)
    if not errors and status is not None and 400 <= status < 500:
        # Linear's SDK reads a bare 4xx as an authentication failure.
        return IntegrationAuthError(SERVICE, KEY_SETTING, f"HTTP {status}")
    if str(first.get("message", "")).startswith("Entity not found"):
        return LinearNotFound(SERVICE, f"{what}: {shown}", status=status)
    if isinstance(exc, TransportProtocolError):
        return IntegrationError(SERVICE, f"{what}: unexpected answer from {SERVICE}", status=status)
    return IntegrationError(SERVICE, f"{what}: {shown}", status=status)


# -- transport ------------------------------------------------------------------------------------


class LinearTransport:
    """Sends one named document at a time, with retries; use as a context manager."""

    def __init__(
        self,
        api_key: SecretStr | str,
        url: str,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        timeout: float = DEFAULT_TIMEOUT_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self._key = SecretStr(key)
        self._policy = policy
        self._sleep = sleep
        self.url = url
        self._transport = RequestsHTTPTransport(
            url=url,
            headers={"Authorization": key, "User-Agent": "cicd-chatops"},
            timeout=timeout,  # type: ignore[arg-type]  # requests takes a float
            retries=0,  # our layer retries
        )
        self._client = Client(transport=self._transport, fetch_schema_from_transport=False)
        self._session: Any = None

    def __repr__(self) -> str:
        return f"LinearTransport(url={self.url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            self._client.close_sync()
            self._session = None

    def execute(self, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run the document `name` with `variables`; return its `data`."""
        request = GraphQLRequest(load_document(name), variable_values=variables or None)
        what = f"{name.replace('_', ' ')}"
        seen: dict[str, Any] = {}

        def remember(response: requests.Response, *args: object, **kwargs: object) -> None:
            seen["status"], seen["headers"] = response.status_code, dict(response.headers)

        def attempt() -> dict[str, Any]:
            seen.clear()
            if self._session is None:
                self._session = self._client.connect_sync()
            return self._session.execute(request, extra_args={"hooks": {"response": [remember]}})

        def classify(exc: Exception) -> IntegrationError:
            error = classify_linear_error(exc, seen.get("status"), seen.get("headers"), what=what)
            return self._redacted(error)

        return call_with_retries(
            attempt, classify=classify, what=what, policy=self._policy, sleep=self._sleep
        )

    def _redacted(self, error: IntegrationError) -> IntegrationError:
        """Drop the key from a message, should a server or library ever echo it."""
        key = self._key.get_secret_value()
        if key and key in error.message:
            error.message = error.message.replace(key, "***")
            error.args = (f"{error.service}: {error.message}",)
        return error
