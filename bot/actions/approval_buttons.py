"""Approve, Reject and Escalate clicks: acknowledged at once, decided by the desk."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from blocks import actions as ids
from blocks.approvals import reject_modal
from bot.replies import NOT_READY, channel_of, tell, tell_outcome
from bot.services import BotServices
from workflows.governance.approvals import ApprovalRequest

if TYPE_CHECKING:
    from bot.approvals.desk import ApprovalDesk

log = logging.getLogger(__name__)
PRECHECK_S = 1.5


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for Approve, Reject and Escalate."""

    async def on_decision(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        action = body["actions"][0]
        user = body["user"]["id"]
        desk = services.approvals
        if desk is None or not services.runs.launcher.ready.is_set():
            await tell(respond, NOT_READY)
            return
        try:
            run_id, name = ids.parse_approval_value(action.get("value", ""))
        except ValueError:
            await tell(respond, "⚠️ That button does not name a run; nothing was changed.")
            return
        container = body.get("container") or {}
        clicked = (channel_of(body) or "", container.get("message_ts") or "")
        where = clicked if all(clicked) else None
        if action["action_id"] == ids.ESCALATE:
            work = desk.escalate(run_id, name, user, where)
        elif action["action_id"] == ids.REJECT:
            work = _ask_why(desk, client, body, run_id, name, user, where)
        else:
            work = desk.decide(run_id, name, user, "approve", where)
        await tell_outcome(respond, work, f"{action['action_id']} on run {run_id} by {user}")

    for action_id in ids.DECISIONS:
        app.action(action_id)(on_decision)


async def _ask_why(
    desk: ApprovalDesk,
    client: AsyncWebClient,
    body: dict[str, Any],
    run_id: str,
    name: str,
    user: str,
    where: tuple[str, str] | None,
) -> str | None:
    """Reject: refuse at once if the person may not; else open the modal asking why.

    The trigger id expires 3 s after the click, so a slow check opens the modal anyway (the
    rights are checked again when it is submitted).
    """
    try:
        request, refusal = await asyncio.wait_for(
            desk.precheck(run_id, name, user, "reject"), PRECHECK_S
        )
    except TimeoutError:
        request, refusal = None, None
    if refusal:
        return refusal
    channel, ts = where or ("", "")
    thread = (body.get("container") or {}).get("thread_ts") or ""
    value = ids.approval_value(run_id, name)
    # A slow check leaves no request to name: the modal says "this change".
    view = reject_modal(request or _unnamed(), value, channel, ts, thread)
    await client.views_open(trigger_id=body["trigger_id"], view=view)
    return None


def _unnamed() -> ApprovalRequest:
    return ApprovalRequest(workflow="", title="this change", summary="", target="")
