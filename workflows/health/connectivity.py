"""Each configured integration's connectivity: one cheap authenticated call, timed.

Slack `auth.test`, GitHub `GET /rate_limit`, Linear's `viewer`, Codegen `GET /v1/users/me`, the
Prefect API's `/health`. One try each with a short timeout: a health check reports what it
sees now rather than retrying. Tokens travel in headers only; no detail or error holds one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr

from workflows.config import OrchestrationConfig
from workflows.integrations.codegen_agent import DEFAULT_API_BASE_URL as CODEGEN_API_URL
from workflows.models.health_check import IntegrationCheck

TIMEOUT_S = 5.0
VIEWER_QUERY = "query HealthViewer { viewer { id name } }"


class CheckFailed(Exception):
    """The integration answered, but not with what a healthy one says."""


def not_configured(name: str, setting: str) -> IntegrationCheck:
    """An integration this system is not set up for: not measured."""
    return IntegrationCheck(name=name, configured=False, detail=f"not configured: set {setting}")


def timed(name: str, call: Callable[[], str], secrets: list[SecretStr | None]) -> IntegrationCheck:
    """Run `call` (it returns the detail line) and time it; any failure becomes `error`."""
    started = time.perf_counter()
    try:
        detail = call()
    except Exception as exc:
        latency = round((time.perf_counter() - started) * 1000, 1)
        error = redact(_describe(exc), secrets)
        return IntegrationCheck(
            name=name, configured=True, ok=False, latency_ms=latency, error=error
        )
    latency = round((time.perf_counter() - started) * 1000, 1)
    detail = redact(detail, secrets)
    return IntegrationCheck(name=name, configured=True, ok=True, latency_ms=latency, detail=detail)


def redact(text: str, secrets: list[SecretStr | None]) -> str:
    """`text` with every secret's value masked (belt and braces: none should be there)."""
    for secret in secrets:
        value = secret.get_secret_value() if secret is not None else ""
        if value:
            text = text.replace(value, "***")
    return text


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {TIMEOUT_S:g} s"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code} from {exc.request.url.host}"
    if isinstance(exc, httpx.TransportError):
        return f"cannot connect: {type(exc).__name__}"
    response = getattr(exc, "response", None)  # slack_sdk's SlackApiError
    if response is not None and hasattr(response, "get"):
        return f"Slack said {response.get('error', 'an error')}"
    return str(exc)[:200] or type(exc).__name__


# -- the checks --------------------------------------------------------------------------------


def check_slack(config: OrchestrationConfig) -> IntegrationCheck:
    """`auth.test` with the bot token (only where the token is, e.g. the terminal)."""
    token = config.slack_bot_token
    if token is None:
        return not_configured("slack", "SLACK_BOT_TOKEN (the bot measures Slack itself)")

    def call() -> str:
        from slack_sdk import WebClient

        client = WebClient(
            token=token.get_secret_value(),
            base_url=config.slack_api_url,
            timeout=int(TIMEOUT_S),
            retry_handlers=[],
        )
        return slack_detail(client.auth_test().data)

    return timed("slack", call, [token])


def slack_detail(answer: object) -> str:
    """`@cicd in Acme` from an `auth.test` answer."""
    data: dict[str, Any] = answer if isinstance(answer, dict) else {}
    user, team = data.get("user") or data.get("user_id") or "?", data.get("team") or "?"
    return f"@{user} in {team}"


def check_github(config: OrchestrationConfig) -> IntegrationCheck:
    """`GET /rate_limit`: answers without counting against the limit, and shows what is left."""
    token = config.github_token
    if token is None:
        return not_configured("github", "GITHUB_TOKEN")

    def call() -> str:
        response = httpx.get(
            f"{config.github_api_url.rstrip('/')}/rate_limit",
            headers={
                "Authorization": f"Bearer {token.get_secret_value()}",
                "Accept": "application/vnd.github+json",
            },
            timeout=TIMEOUT_S,
        )
        response.raise_for_status()
        core = response.json().get("resources", {}).get("core", {})
        remaining, limit = int(core.get("remaining", 0)), int(core.get("limit", 0))
        if limit and not remaining:
            raise CheckFailed(f"rate limit exhausted (0 of {limit:,} calls left)")
        return f"{remaining:,} of {limit:,} calls left"

    return timed("github", call, [token])


def check_linear(config: OrchestrationConfig) -> IntegrationCheck:
    """The `viewer` query, with the API key as Linear expects it (no "Bearer")."""
    key = config.linear_api_key
    if key is None:
        return not_configured("linear", "LINEAR_API_KEY")

    def call() -> str:
        response = httpx.post(
            config.linear_api_url,
            json={"query": VIEWER_QUERY},
            headers={"Authorization": key.get_secret_value()},
            timeout=TIMEOUT_S,
        )
        body = response.json() if response.content else {}
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            message = errors[0].get("message", "error") if isinstance(errors[0], dict) else "error"
            raise CheckFailed(f"Linear said: {str(message)[:150]}")
        response.raise_for_status()
        viewer = (body.get("data") or {}).get("viewer") or {}
        return f"viewer: {viewer.get('name', '?')}"

    return timed("linear", call, [key])


def check_codegen(config: OrchestrationConfig) -> IntegrationCheck:
    """`GET /v1/users/me`: the token's user, the cheapest authenticated call."""
    token = config.codegen_token
    if token is None or not config.codegen_org_id:
        return not_configured("codegen", "CODEGEN_ORG_ID and CODEGEN_TOKEN")

    def call() -> str:
        base = (config.codegen_api_base_url or CODEGEN_API_URL).rstrip("/")
        response = httpx.get(
            f"{base}/v1/users/me",
            headers={"Authorization": f"Bearer {token.get_secret_value()}"},
            timeout=TIMEOUT_S,
        )
        response.raise_for_status()
        user = response.json()
        name = user.get("github_username") or user.get("full_name") or user.get("email") or "?"
        return f"user: {name} · org {config.codegen_org_id}"

    return timed("codegen", call, [token])


async def check_prefect() -> IntegrationCheck:
    """The Prefect API's `/health`, through the client the flows use."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    started = time.perf_counter()
    failure: BaseException | None
    try:
        async with get_client() as client:
            failure = await asyncio.wait_for(client.api_healthcheck(), TIMEOUT_S)
    except TimeoutError:
        failure = httpx.TimeoutException("health")
    latency = round((time.perf_counter() - started) * 1000, 1)
    where = PREFECT_API_URL.value() or "the ephemeral server"
    if failure is not None:
        return IntegrationCheck(
            name="prefect", configured=True, ok=False, latency_ms=latency, error=_describe(failure)
        )
    return IntegrationCheck(
        name="prefect", configured=True, ok=True, latency_ms=latency, detail=f"API at {where}"
    )
