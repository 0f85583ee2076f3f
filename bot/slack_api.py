"""Calling Slack's Web API: waiting out rate limits as Slack asks, and message permalinks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
MAX_RATE_LIMIT_RETRIES = 5


def retry_after_s(error: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait, or None when the error is not a rate limit."""
    response = error.response
    if response is None or response.status_code != 429:
        return None
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    value = headers.get("retry-after", "1")
    if isinstance(value, list):
        value = value[0]
    try:
        return max(0.0, float(value))
    except ValueError:
        return 1.0


async def call_slack[T](call: Callable[..., Awaitable[T]], /, **kwargs: object) -> T:
    """Make one Web API call, waiting out 429s (a few times) as Slack asks."""
    for _attempt in range(MAX_RATE_LIMIT_RETRIES):
        try:
            return await call(**kwargs)
        except SlackApiError as exc:
            wait = retry_after_s(exc)
            if wait is None:
                raise
            log.info("rate limited by Slack; waiting %.1f s as asked", wait)
            await asyncio.sleep(wait)
    return await call(**kwargs)


async def permalink(client: AsyncWebClient, channel: str, ts: str) -> str | None:
    """A link to a message, for DMs and the audit trail (None if Slack won't say)."""
    try:
        response = await call_slack(client.chat_getPermalink, channel=channel, message_ts=ts)
    except SlackApiError:
        return None
    return response.get("permalink")
