"""Button clicks on the bot's messages."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks import actions as ids
from bot.actions import approvals
from bot.launcher import LaunchError
from bot.services import BotServices

log = logging.getLogger(__name__)

NOT_YET = {
    ids.OPEN_ISSUE: "Opening a Linear issue from a result is not available in this version yet.",
    ids.REQUEST_FIX: "Asking Codegen for a fix is not available in this version yet.",
}


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for the result buttons, and the approval and cancel buttons."""

    async def on_retry(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        action = body["actions"][0]
        user = body["user"]["id"]
        channel = body.get("channel", {}).get("id") or body["container"]["channel_id"]
        message = body.get("message", {})
        thread_ts = message.get("thread_ts") or message.get("ts") or body["container"]["message_ts"]
        key = f"slack-retry:{body.get('team', {}).get('id')}:{body.get('trigger_id')}"
        if not services.runs.first_time(key):
            return
        try:
            await services.runs.retry(
                action["value"], user=user, channel=channel, thread_ts=thread_ts, key=key
            )
        except (LaunchError, ValueError, KeyError) as exc:
            await respond(response_type="ephemeral", replace_original=False, text=f"⚠️ {exc}")
        except Exception:
            log.exception("re-run of %s failed", action.get("value"))
            await respond(
                response_type="ephemeral",
                replace_original=False,
                text="⚠️ I couldn't find that run to repeat it; it may have been deleted.",
            )

    async def on_not_yet(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        action_id = body["actions"][0]["action_id"]
        await respond(response_type="ephemeral", replace_original=False, text=NOT_YET[action_id])

    app.action(ids.RETRY)(on_retry)
    for action_id in NOT_YET:
        app.action(action_id)(on_not_yet)
    approvals.register(app, services)
