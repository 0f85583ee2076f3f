"""The Slack side of an approval request: post it, keep every copy showing its state, reply
in its thread, link to it. Failures are logged; a request is never lost over a message."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.approvals import Closed, Waiting, approval_blocks, approval_text
from bot.approvals.pending import Pending
from bot.slack_api import call_slack, permalink

log = logging.getLogger(__name__)


class RequestMessages:
    """Posts and updates approval request messages with the bot's client."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(
        self,
        pending: Pending,
        status: Waiting | Closed,
        channel: str,
        thread_ts: str | None,
        mention: str = "",
    ) -> dict[str, Any] | None:
        """Post the request; where it went (channel, ts, thread, permalink), or None."""
        text = approval_text(pending.request, status) + (f" {mention}" if mention else "")
        blocks = approval_blocks(pending.request, pending.run_id, pending.run.name, status)
        try:
            posted = await call_slack(
                self.client.chat_postMessage,
                channel=channel,
                thread_ts=thread_ts,
                text=text,
                blocks=blocks,
            )
        except SlackApiError as exc:
            log.error("approval request of %s not posted: %s", pending.run.name, exc)
            return None
        return {
            "channel": posted["channel"],
            "ts": posted["ts"],
            "thread_ts": thread_ts,
            "permalink": await self.permalink(posted["channel"], posted["ts"]),
        }

    async def delete(self, where: dict[str, Any]) -> None:
        """Take back a message (another replica posted the same request first)."""
        try:
            await call_slack(self.client.chat_delete, channel=where["channel"], ts=where["ts"])
        except SlackApiError as exc:
            log.warning("duplicate request not deleted: %s", exc.response.get("error"))

    async def show(self, pending: Pending, status: Waiting | Closed) -> None:
        """Make the request's message (and any other copy clicked) show `status`."""
        if not pending.message:
            return
        blocks = approval_blocks(pending.request, pending.run_id, pending.run.name, status)
        for message in [pending.message, *pending.copies]:
            try:
                await call_slack(
                    self.client.chat_update,
                    channel=message["channel"],
                    ts=message["ts"],
                    text=approval_text(pending.request, status),
                    blocks=blocks,
                )
            except SlackApiError as exc:
                log.warning("approval message of %s not updated: %s", pending.run.name, exc)

    async def reply(self, pending: Pending, text: str) -> None:
        """A reply in the request's thread."""
        thread = pending.thread
        if thread is None:
            return
        try:
            await call_slack(
                self.client.chat_postMessage, channel=thread[0], thread_ts=thread[1], text=text
            )
        except SlackApiError as exc:
            log.warning("thread reply not posted: %s", exc.response.get("error"))

    async def permalink(self, channel: str, ts: str) -> str | None:
        """A link to the message, for DMs and the audit trail (None if Slack won't say)."""
        return await permalink(self.client, channel, ts)
