"""Checking the bot token once at start-up, with an error that names the setting."""

from __future__ import annotations

import asyncio

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.errors import ServeError

ATTEMPTS = 5


async def verify_bot_token(client: AsyncWebClient) -> AsyncSlackResponse:
    """`auth.test`; a rejected token stops start-up, a network blip is retried a few times."""
    for attempt in range(ATTEMPTS):
        try:
            return await client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error")
            if exc.response.status_code == 429:
                await asyncio.sleep(float(exc.response.headers.get("Retry-After", 1)))
                continue
            raise ServeError(
                f"SLACK_BOT_TOKEN was rejected by Slack ({error}); check the token "
                "(it starts with xoxb-) and SLACK_API_URL"
            ) from None
        except OSError as exc:
            if attempt == ATTEMPTS - 1:
                raise ServeError(f"cannot reach Slack at {client.base_url}: {exc}") from None
            await asyncio.sleep(1 + attempt)
    raise ServeError(f"Slack kept rate-limiting auth.test at {client.base_url}")
