"""Approve, Reject, Escalate and Cancel clicks: acknowledged at once, decided by the desk."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks import actions as ids
from blocks.approvals import REASON_BLOCK, reject_modal
from bot.progress import call_slack
from bot.services import BotServices
from workflows.approvals import ApprovalRequest

if TYPE_CHECKING:
    from bot.approvals import ApprovalDesk

log = logging.getLogger(__name__)
NOT_READY = "⏳ I'm still starting up (Prefect is not ready yet); try again in a few seconds."
BROKEN = "⚠️ Something went wrong on my side; nothing was changed. Try again, or see my logs."
PRECHECK_S = 1.5


async def _tell(respond: AsyncRespond, text: str | None) -> None:
    if text:
        await respond(response_type="ephemeral", replace_original=False, text=text)


def _channel(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for the approval and cancel buttons."""

    async def on_decision(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
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
            elif action["action_id"] == ids.REJECT:
                text = await _ask_why(desk, client, body, run_id, name, user, where)
            else:
                text = await desk.decide(run_id, name, user, "approve", where)
        except Exception:
            log.exception("%s on run %s by %s failed", action["action_id"], run_id, user)
            text = BROKEN
        await _tell(respond, text)

    async def on_reason(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()  # the modal closes; the outcome shows on the request message
        user = body["user"]["id"]
        view = body.get("view") or {}
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            run_id, name = ids.parse_approval_value(meta.get("value", ""))
        except ValueError:
            log.warning("reject reason without a run from %s", user)
            return
        state = (view.get("state") or {}).get("values") or {}
        reason = ((state.get(REASON_BLOCK) or {}).get(REASON_BLOCK) or {}).get("value") or ""
        where = (meta.get("channel", ""), meta.get("ts", ""))
        clicked = where if all(where) else None
        desk = services.approvals
        try:
            text = (
                NOT_READY
                if desk is None
                else await desk.decide(run_id, name, user, "reject", clicked, comment=reason)
            )
        except Exception:
            log.exception("reject of run %s by %s failed", run_id, user)
            text = BROKEN
        if text and clicked is not None:
            await _whisper(client, (clicked[0], meta.get("thread") or clicked[1]), user, text)

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

    for action_id in ids.DECISIONS:
        app.action(action_id)(on_decision)
    app.view(ids.REJECT_REASON)(on_reason)
    app.action(ids.CANCEL)(on_cancel)


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


async def _whisper(client: AsyncWebClient, where: tuple[str, str], user: str, text: str) -> None:
    """An ephemeral note in the request's thread (a modal has no response_url)."""
    channel, ts = where
    try:
        await call_slack(
            client.chat_postEphemeral, channel=channel, user=user, text=text, thread_ts=ts
        )
    except SlackApiError as exc:
        log.warning("ephemeral note to %s not posted: %s", user, exc.response.get("error"))
