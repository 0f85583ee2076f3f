"""`ScanLoop`: call a desk's `scan()` every few seconds until stopped.

The approval desk and the alert desk keep no timers of their own: each scan reads their state
from Prefect (paused runs, alert records) and derives what is due from the times recorded
there and the `access_policy` levels. A restarted bot, or a second replica, carries on from
there; the desks claim each step, so nothing is done twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

log = logging.getLogger(__name__)


class Scanner(Protocol):
    """A desk the loop drives."""

    async def scan(self) -> None:
        """Do what is due now."""


class ScanLoop:
    """Every `every_s` seconds: `desk.scan()`; one failed scan never stops the next."""

    def __init__(self, desk: Scanner, *, every_s: float, what: str) -> None:
        self.desk = desk
        self.every_s = every_s
        self.what = what  # "approval", "alert": for the log
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Finish the scan under way (a request half posted is worse than a late stop), then end."""
        self._stop.set()

    async def run(self) -> None:
        """Until stopped."""
        while not self._stop.is_set():
            try:
                await self.desk.scan()
            except Exception:
                log.exception("%s scan failed; trying again in %.0f s", self.what, self.every_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every_s)
