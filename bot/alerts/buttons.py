"""Acknowledge and Escalate on an alert: acknowledged at once, done by the alert desk."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks.alerts import ACKNOWLEDGE, ACTIONS
from bot.replies import NOT_READY, tell, tell_outcome
from bot.services import BotServices


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for the alert buttons."""

    async def on_click(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        action = body["actions"][0]
        user = body["user"]["id"]
        desk = services.alerts
        if desk is None or not services.runs.launcher.ready.is_set():
            await tell(respond, NOT_READY)
            return
        alert_id = action.get("value") or ""
        if not alert_id:
            await tell(respond, "⚠️ That button does not name an alert; nothing was changed.")
            return
        if action["action_id"] == ACKNOWLEDGE:
            work = desk.acknowledge(alert_id, user)
        else:
            work = desk.escalate(alert_id, user)
        await tell_outcome(respond, work, f"{action['action_id']} on alert {alert_id} by {user}")

    for action_id in ACTIONS:
        app.action(action_id)(on_click)
