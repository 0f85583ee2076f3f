"""The delivery of a finished `health_check` run: its threshold crossings posted as alerts,
its recoveries announced in their alerts' threads (`bot.runs.deliveries.HANDLERS`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.alerts.desk import AlertDesk
from bot.directory import SlackDirectory
from bot.slack_api import permalink
from workflows.models.health_check import HealthCheckResult

if TYPE_CHECKING:  # bot.runs.deliveries lists this handler: no import cycle at run time
    from bot.runs.deliveries import DeliveryContext, Finished

log = logging.getLogger(__name__)


def desk_of(context: DeliveryContext) -> AlertDesk:
    """The bot's alert desk (a fresh one if the services were built without it)."""
    desk = context.services.alerts
    if desk is None:
        desk = AlertDesk(context.client, context.services.config, SlackDirectory(context.client))
    return desk


def result_of(finished: Finished) -> HealthCheckResult | None:
    """The run's result as a `HealthCheckResult` (it may arrive as its JSON)."""
    if isinstance(finished.result, HealthCheckResult):
        return finished.result
    try:
        return HealthCheckResult.model_validate(finished.result)
    except ValidationError:
        log.warning("run %s: the result is not a health check's; no alerts", finished.run_name)
        return None


async def deliver_alerts(context: DeliveryContext, finished: Finished) -> None:
    """Post each crossing once and announce each recovery once; nothing for a quiet check."""
    result = result_of(finished)
    if result is None or not result.alerts:
        return
    desk = desk_of(context)
    link = None
    if finished.thread is not None and any(c.kind == "crossed" for c in result.alerts):
        link = await permalink(context.client, *finished.thread)
    for change in result.alerts:
        try:
            if change.kind == "crossed":
                await desk.raised(
                    change,
                    run_id=finished.run_id,
                    run_name=finished.run_name,
                    origin_channel=finished.origin.channel,
                    run_link=link,
                )
            else:
                await desk.recovered(change)
        except Exception:
            log.exception("alert %s (%s) not delivered", change.alert_id, change.kind)
