"""What the bot measures itself before a run starts: flows never hold the Slack token.

`slack_probe` times `auth.test` with the bot's own client; `health_check_parameters` puts the
measurement into a health check's request (`request.slack`), on every launch of that type.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.runs.launcher import Prepare
from workflows.health.connectivity import TIMEOUT_S, slack_detail
from workflows.models.health_check import IntegrationCheck


async def slack_probe(client: AsyncWebClient) -> IntegrationCheck:
    """`auth.test` with the bot token, timed; a failure is reported, never raised."""
    started = time.perf_counter()
    try:
        answer = await asyncio.wait_for(client.auth_test(), TIMEOUT_S)
    except SlackApiError as exc:
        error = f"Slack said {exc.response.get('error', 'an error')}"
    except TimeoutError:
        error = f"no answer within {TIMEOUT_S:g} s"
    except Exception as exc:
        error = f"cannot reach Slack: {type(exc).__name__}"
    else:
        return IntegrationCheck(
            name="slack",
            configured=True,
            ok=True,
            latency_ms=_since(started),
            detail=slack_detail(answer.data),
        )
    return IntegrationCheck(
        name="slack", configured=True, ok=False, latency_ms=_since(started), error=error
    )


def health_check_parameters(client: AsyncWebClient) -> Prepare:
    """A launch's parameters with a fresh Slack measurement in `request.slack`."""

    async def prepare(parameters: dict[str, Any]) -> dict[str, Any]:
        request = dict(parameters.get("request") or {})
        request["slack"] = (await slack_probe(client)).model_dump(mode="json")
        return {**parameters, "request": request}

    return prepare


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
