"""The reject modal's submission: the reason goes with the rejection to the desk."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from blocks import actions as ids
from blocks.approvals import REASON_BLOCK
from bot.replies import BROKEN, NOT_READY, whisper
from bot.services import BotServices

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for the submitted reject reason."""

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
            await whisper(client, (clicked[0], meta.get("thread") or clicked[1]), user, text)

    app.view(ids.REJECT_REASON)(on_reason)
