"""GitHub's failures as `IntegrationError`s: what may succeed later, and how long to wait.

PyGithub raises `GithubException` (status, parsed body, headers) for HTTP errors and lets
`requests` exceptions through for network trouble; git failures arrive as `CheckoutError`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import requests
from github import GithubException
from github.Requester import Requester
from requests.exceptions import ChunkedEncodingError

from workflows.integrations.retrying import IntegrationAuthError, IntegrationError
from workflows.repository.checkout import CheckoutError

SERVICE = "GitHub"
TOKEN_SETTING = "GITHUB_TOKEN"
# GitHub's advice when a secondary limit comes without retry-after: wait at least a minute.
SECONDARY_LIMIT_WAIT_S = 60.0
_GIT_AUTH_WORDS = (
    "authentication failed",
    "could not read username",
    "could not read password",
    "invalid username or token",
    "returned error: 401",
    "returned error: 403",
)


def rate_limit_wait(headers: Mapping[str, Any], now: float | None = None) -> float | None:
    """Seconds GitHub asked us to wait: ``retry-after``, else until ``x-ratelimit-reset``."""
    lower = {str(k).lower(): v for k, v in headers.items()}
    try:
        if lower.get("retry-after") is not None:
            return max(0.0, float(lower["retry-after"]))
        if str(lower.get("x-ratelimit-remaining")) == "0" and lower.get("x-ratelimit-reset"):
            reset = float(lower["x-ratelimit-reset"])
            return max(0.0, reset - (time.time() if now is None else now))
    except (TypeError, ValueError):
        return None
    return None


def _is_rate_limited(exc: GithubException, headers: Mapping[str, Any]) -> bool:
    if exc.status not in (403, 429):
        return False
    if exc.status == 429 or "retry-after" in headers:
        return True
    if str(headers.get("x-ratelimit-remaining")) == "0":
        return True
    return Requester.isRateLimitError(_message(exc))


def _message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return data["message"]
    return exc.message or ""


def _validation_detail(data: object) -> str:
    """GitHub's 422 ``errors``: ``[{resource, field, code, message}]`` or plain strings."""
    errors = data.get("errors") if isinstance(data, dict) else None
    parts: list[str] = []
    for error in errors or []:
        if isinstance(error, str):
            parts.append(error)
        elif isinstance(error, dict):
            if error.get("message"):
                parts.append(str(error["message"]))
            else:
                where = ".".join(str(error[k]) for k in ("resource", "field") if error.get(k))
                parts.append(f"{where}: {error.get('code', 'invalid')}".lstrip(": "))
    return "; ".join(parts)


def classify_github_error(exc: Exception, *, what: str, subject: str) -> IntegrationError:
    """Turn PyGithub, requests and git failures into an `IntegrationError`.

    `what` names the operation ("create pull request"); `subject` what a 404 means is missing
    ("repository acme/widgets", "pull request #7 in acme/widgets"). Neither holds a secret.
    """
    if isinstance(exc, GithubException):
        return _from_http(exc, what=what, subject=subject)
    if isinstance(exc, requests.Timeout | requests.ConnectionError | ChunkedEncodingError):
        kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
        if isinstance(exc, ChunkedEncodingError):
            kind = "the answer was cut off"
        return IntegrationError(SERVICE, f"{what}: {kind} ({type(exc).__name__})", retryable=True)
    if isinstance(exc, CheckoutError):
        text = str(exc)
        if any(words in text.lower() for words in _GIT_AUTH_WORDS):
            return IntegrationAuthError(SERVICE, TOKEN_SETTING, f"git {what} was refused")
        return IntegrationError(SERVICE, f"{what}: {text}", retryable=exc.transient)
    return IntegrationError(SERVICE, f"{what}: unexpected {type(exc).__name__}: {exc}")


def _from_http(exc: GithubException, *, what: str, subject: str) -> IntegrationError:
    status = exc.status
    headers = {str(k).lower(): v for k, v in (exc.headers or {}).items()}
    message = _message(exc)
    if status == 401:
        return IntegrationAuthError(SERVICE, TOKEN_SETTING, f"{what}: {message or '401'}")
    if _is_rate_limited(exc, headers):
        wait = rate_limit_wait(headers)
        if wait is None:
            wait = SECONDARY_LIMIT_WAIT_S
        return IntegrationError(
            SERVICE,
            f"{what}: rate limited ({status}); GitHub asks to wait {wait:.0f} s",
            retryable=True,
            retry_after=wait,
            status=status,
        )
    if status >= 500:
        return IntegrationError(
            SERVICE,
            f"{what}: server error {status} {message}".rstrip(),
            retryable=True,
            status=status,
        )
    if status == 404:
        text = f"{what}: {subject} not found or the token cannot see it"
        return IntegrationError(SERVICE, text, status=status)
    if status == 422:
        detail = _validation_detail(exc.data)
        text = f"{what}: {message or 'Validation Failed'}" + (f" ({detail})" if detail else "")
        return IntegrationError(SERVICE, text, status=status)
    if status == 403:
        text = f"{what}: forbidden: {message}; the token in {TOKEN_SETTING} may lack a permission"
        return IntegrationError(SERVICE, text, status=status)
    return IntegrationError(SERVICE, f"{what}: {status} {message}".rstrip(), status=status)
