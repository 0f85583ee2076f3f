"""Events API listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

MENTION_REPLY = (
    "Hi! I run CI/CD workflows. Try `/cicd analyze <path>` to analyse a component, "
    "or `/cicd help` for everything I understand."
)


def register(app: AsyncApp) -> None:
    """Answer mentions with a pointer to the slash command."""

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(
            channel=event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            text=MENTION_REPLY,
        )
