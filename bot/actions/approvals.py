"""Approve, Reject, Escalate and Cancel clicks: acknowledged at once, decided by the desk."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks import actions as ids
from bot.services import BotServices

log = logging.getLogger(__name__)
NOT_READY = "⏳ I'm still starting up (Prefect is not ready yet); try again in a few seconds."
BROKEN = "⚠️ Something went wrong on my side; nothing was changed. Try again, or see my logs."


async def _tell(respond: AsyncRespond, text: str | None) -> None:
    if text:
        await respond(response_type="ephemeral", replace_original=False, text=text)


def _channel(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for the approval and cancel buttons."""

    async def on_decision(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        action = body["actions"][0]
        user = body["user"]["id"]
        desk = services.approvals
        if desk is None or not services.runs.launcher.ready.is_set():
            await _tell(respond, NOT_READY)
            return
        try:
            run_id, name = ids.parse_approval_value(action.get("value", ""))
        except ValueError:
            await _tell(respond, "⚠️ That button does not name a run; nothing was changed.")
            return
        container = body.get("container") or {}
        clicked = (_channel(body) or "", container.get("message_ts") or "")
        where = clicked if all(clicked) else None
        try:
            if action["action_id"] == ids.ESCALATE:
                text = await desk.escalate(run_id, name, user, where)
            else:
                decision = "approve" if action["action_id"] == ids.APPROVE else "reject"
                text = await desk.decide(run_id, name, user, decision, where)
        except Exception:
            log.exception("%s on run %s by %s failed", action["action_id"], run_id, user)
            text = BROKEN
        await _tell(respond, text)

    async def on_cancel(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        run_id = body["actions"][0].get("value", "")
        user = body["user"]["id"]
        control = services.control
        if control is None or not services.runs.launcher.ready.is_set():
            await _tell(respond, NOT_READY)
            return
        try:
            text = await control.cancel(run_id, user, _channel(body))
        except Exception:
            log.exception("cancel of run %s by %s failed", run_id, user)
            text = BROKEN
        await _tell(respond, text)

    for action_id in (ids.APPROVE, ids.REJECT, ids.ESCALATE):
        app.action(action_id)(on_decision)
    app.action(ids.CANCEL)(on_cancel)
