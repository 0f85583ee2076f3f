"""Post a finished `slack_notifications` run where its request says.

A digest is a top-level message in the channel; its trend chart (a PNG rendered off the event
loop) is uploaded with `files_upload_v2` as a reply in the digest's thread. A message is
posted as is. When Slack refuses, the run's thread (if any) says why.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.digest import digest_blocks, digest_text
from bot.slack_api import call_slack
from workflows.digest.chart import trend_png
from workflows.models.slack_notifications import DigestResult, SlackNotificationResult

if TYPE_CHECKING:  # at run time deliveries imports this module, not the other way round
    from bot.runs.deliveries import DeliveryContext, Finished

log = logging.getLogger(__name__)
CHART_FILENAME = "cicd-digest-trend.png"
HINTS = {
    "not_in_channel": "invite the bot to the channel (`/invite @cicd`) and try again",
    "channel_not_found": "check the channel ID; for a private channel, invite the bot first",
    "is_archived": "the channel is archived",
}


async def deliver_notification(context: DeliveryContext, finished: Finished) -> None:
    """Post the digest and its chart, or the message; tell the run's thread if Slack refused."""
    result = finished.result
    if not isinstance(result, SlackNotificationResult):
        return
    request = result.request
    try:
        if result.digest is None:
            await call_slack(
                context.client.chat_postMessage,
                channel=request.channel,
                text=request.text,
                thread_ts=request.thread_ts,
                mrkdwn=True,
            )
        else:
            await post_digest(context.client, request.channel, result.digest)
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
        log.warning("posting run %s to %s failed: %s", finished.run_name, request.channel, error)
        if finished.thread is not None:
            hint = HINTS.get(error, "see the bot's logs")
            channel, ts = finished.thread
            text = f"⚠️ Could not post to <#{request.channel}>: `{error}`; {hint}."
            await call_slack(
                context.client.chat_postMessage, channel=channel, thread_ts=ts, text=text
            )


async def post_digest(client: AsyncWebClient, channel: str, digest: DigestResult) -> str:
    """The digest as a top-level message, then its chart in its thread; returns the digest's ts."""
    blocks = [block.to_dict() for block in digest_blocks(digest)]
    posted = await call_slack(
        client.chat_postMessage,
        channel=channel,
        text=digest_text(digest),
        blocks=blocks,
        unfurl_links=False,
        unfurl_media=False,
    )
    ts = str(posted["ts"])
    if digest.actions.source.ok:  # without GitHub there is no trend to draw
        png = await asyncio.to_thread(trend_png, digest.actions.series)
        await call_slack(
            client.files_upload_v2,
            channel=channel,
            thread_ts=ts,
            file=png,
            filename=CHART_FILENAME,
            title=f"CI runs per day, up to {digest.period.end:%b %d}",
            initial_comment=None,
        )
    return ts
