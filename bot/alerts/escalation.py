"""The loop that escalates alerts nobody acknowledged.

It keeps no timers: every `approval_poll_seconds` it reads the active alert records and lets
the desk derive each one's due level from its post time, the `health_check` escalation levels
and the levels already recorded. A restarted bot (or a second replica) carries on from there;
each step is claimed once, so two replicas never page a level twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.alerts.desk import AlertDesk

log = logging.getLogger(__name__)


class AlertEscalationLoop:
    """Every few seconds: escalate the alerts whose level has waited its time."""

    def __init__(self, desk: AlertDesk, *, every_s: float) -> None:
        self.desk = desk
        self.every_s = every_s
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Finish the scan under way, then end."""
        self._stop.set()

    async def run(self) -> None:
        """Until stopped; one bad alert never stops the others."""
        while not self._stop.is_set():
            try:
                await self.desk.scan()
            except Exception:
                log.exception("alert scan failed; trying again in %.0f s", self.every_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every_s)
