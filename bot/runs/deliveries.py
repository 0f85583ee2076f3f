"""What happens after a run of some types ends well, beyond its thread's result.

A digest is posted to its channel with its chart; a health check's threshold crossings are
posted as alerts. The run's owner calls `deliver` once, whether it followed the run in a
thread or quietly (a schedule). Each type's handler lives with its Slack surface and is
listed in `HANDLERS`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from slack_sdk.web.async_client import AsyncWebClient

from bot.alerts.posting import deliver_alerts
from bot.digests import deliver_notification
from workflows.models.runs import RunOrigin
from workflows.state.records import Records
from workflows.types import WorkflowType

if TYPE_CHECKING:
    from bot.services import BotServices

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finished:
    """A run that completed, with its typed result and where it came from."""

    workflow: WorkflowType
    run_id: str
    run_name: str
    result: object
    origin: RunOrigin
    thread: tuple[str, str] | None  # (channel, ts) of the run's thread, when it has one


@dataclass(frozen=True)
class DeliveryContext:
    """What a handler may use: Slack, and the bot's services (configuration, approvals, ...)."""

    client: AsyncWebClient
    services: BotServices


DELIVERY_KIND = "delivery"


async def claim_delivery(run_id: str, outcome: str) -> bool:
    """True for the one caller (of any replica, before or after a restart) that delivers."""
    at = datetime.now(UTC).isoformat()
    return await Records(DELIVERY_KIND).claim(run_id, {"outcome": outcome, "at": at})


Handler = Callable[[DeliveryContext, Finished], Awaitable[None]]
HANDLERS: dict[WorkflowType, Handler] = {
    WorkflowType.SLACK_NOTIFICATIONS: deliver_notification,
    WorkflowType.HEALTH_CHECK: deliver_alerts,
}


class Deliveries:
    """Runs each finished run's handler, if its type has one; a handler's failure is logged."""

    def __init__(self, context: DeliveryContext) -> None:
        self.context = context

    async def deliver(self, finished: Finished) -> None:
        """Call the handler of `finished.workflow` (once per run: the caller sees to it)."""
        handler = HANDLERS.get(finished.workflow)
        if handler is None:
            return
        try:
            if not await claim_delivery(finished.run_id, "completed"):
                log.info("run %s was delivered already", finished.run_name)
                return
        except Exception:  # Prefect unreachable: deliver rather than lose the post
            log.warning("could not record the delivery of %s; delivering anyway", finished.run_name)
        try:
            await handler(self.context, finished)
        except Exception:
            log.exception("delivering %s of run %s failed", finished.workflow, finished.run_name)
