"""Buttons on a run's messages: Re-run and Cancel (the result buttons: `result_buttons`)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks import actions as ids
from bot.replies import NOT_READY, channel_of, tell, tell_outcome
from bot.runs.launcher import LaunchError
from bot.services import BotServices

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for Re-run and Cancel."""

    async def on_retry(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        action = body["actions"][0]
        user = body["user"]["id"]
        channel = channel_of(body) or ""
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
            await tell(respond, f"⚠️ {exc}")
        except Exception:
            log.exception("re-run of %s failed", action.get("value"))
            await tell(
                respond, "⚠️ I couldn't find that run to repeat it; it may have been deleted."
            )

    async def on_cancel(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        run_id = body["actions"][0].get("value", "")
        user = body["user"]["id"]
        control = services.control
        if control is None or not services.runs.launcher.ready.is_set():
            await tell(respond, NOT_READY)
            return
        work = control.cancel(run_id, user, channel_of(body))
        await tell_outcome(respond, work, f"cancel of run {run_id} by {user}")

    app.action(ids.RETRY)(on_retry)
    app.action(ids.CANCEL)(on_cancel)
