"""The loop that moves waiting approval requests along their policy.

It keeps no timers of its own: every `approval_poll_seconds` it reads the paused runs from
Prefect and lets the desk derive each one's level from the pause time, the policy and the
levels already recorded with the run. A bot that restarts (or a second replica) picks up
exactly where the last one was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.approvals.desk import ApprovalDesk

log = logging.getLogger(__name__)


class EscalationLoop:
    """Every few seconds: post new requests, escalate due levels, reject what timed out."""

    def __init__(self, desk: ApprovalDesk, *, every_s: float) -> None:
        self.desk = desk
        self.every_s = every_s
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Finish the scan under way (a request half posted is worse than a late stop), then end."""
        self._stop.set()

    async def run(self) -> None:
        """Until stopped; one bad run never stops the others."""
        while not self._stop.is_set():
            try:
                await self.desk.scan()
            except Exception:
                log.exception("approval scan failed; trying again in %.0f s", self.every_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every_s)
