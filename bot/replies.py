"""Private answers to the person who clicked or typed, shared by every Slack surface."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_api import call_slack

log = logging.getLogger(__name__)
NOT_READY = "⏳ I'm still starting up (Prefect is not ready yet); try again in a few seconds."
BROKEN = "⚠️ Something went wrong on my side; nothing was changed. Try again, or see my logs."


async def tell(respond: AsyncRespond, text: str | None) -> None:
    """An ephemeral answer to a click (nothing when there is nothing to say)."""
    if text:
        await respond(response_type="ephemeral", replace_original=False, text=text)


async def tell_outcome(respond: AsyncRespond, work: Awaitable[str | None], what: str) -> None:
    """Tell the person how `work` went: its answer, or `BROKEN` (logged as `what`) if it failed."""
    try:
        text = await work
    except Exception:
        log.exception("%s failed", what)
        text = BROKEN
    await tell(respond, text)


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel an interaction happened in."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


async def whisper(client: AsyncWebClient, where: tuple[str, str], user: str, text: str) -> None:
    """An ephemeral note in a thread (a modal has no response_url)."""
    channel, ts = where
    try:
        await call_slack(
            client.chat_postEphemeral, channel=channel, user=user, text=text, thread_ts=ts
        )
    except SlackApiError as exc:
        log.warning("ephemeral note to %s not posted: %s", user, exc.response.get("error"))
