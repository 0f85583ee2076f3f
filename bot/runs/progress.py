"""One progress message per run in its thread, updated with care for Slack's limits.

Updates are coalesced (at most one `chat.update` per `min_interval_s`; the newest snapshot
wins), unchanged snapshots are only re-sent as a slow heartbeat for the clock, and a 429 is
honoured by waiting out its `Retry-After` before the next call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from blocks.progress import progress_blocks, progress_text
from bot.slack_api import call_slack, retry_after_s
from workflows.models.snapshots import RunSnapshot

log = logging.getLogger(__name__)


class ThreadProgress:
    """The live progress message of one run."""

    def __init__(
        self,
        client: AsyncWebClient,
        channel: str,
        thread_ts: str,
        title: str,
        *,
        min_interval_s: float = 1.0,
        heartbeat_s: float = 5.0,
        cancellable: bool = False,
        ts: str | None = None,
    ) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.title = title
        self.min_interval_s = min_interval_s
        self.heartbeat_s = heartbeat_s
        self.cancellable = cancellable
        self.ts: str | None = ts  # given when a restarted bot takes over a message
        self._last_sent = 0.0
        self._last_fingerprint: tuple[object, ...] | None = None
        self._blocked_until = 0.0
        self.updates_sent = 0

    async def post(self, snapshot: RunSnapshot) -> str:
        """Post the message (the thread's first reply); returns its ts."""
        response = await call_slack(
            self.client.chat_postMessage,
            channel=self.channel,
            thread_ts=self.thread_ts,
            text=progress_text(self.title, snapshot),
            blocks=self._blocks(snapshot),
        )
        self.ts = response["ts"]
        self._mark_sent(snapshot)
        return self.ts

    async def update(self, snapshot: RunSnapshot, *, final: bool = False) -> bool:
        """Send `snapshot` if it is due; a final snapshot is always sent. True if sent."""
        now = time.monotonic()
        changed = snapshot.fingerprint() != self._last_fingerprint
        if not changed and snapshot.state == "PAUSED" and not final:
            return False  # no clock ticking for hours while people decide
        due = now - self._last_sent >= (self.min_interval_s if changed else self.heartbeat_s)
        if not final and (not due or now < self._blocked_until):
            return False
        if final:  # always sent, but still spaced and after any Retry-After
            ready_at = max(self._blocked_until, self._last_sent + self.min_interval_s)
            if ready_at > now:
                await asyncio.sleep(ready_at - now)
        return await self._send(snapshot, retry=final)

    async def _send(self, snapshot: RunSnapshot, *, retry: bool) -> bool:
        if self.ts is None:
            await self.post(snapshot)
            return True
        kwargs: dict[str, Any] = {
            "channel": self.channel,
            "ts": self.ts,
            "text": progress_text(self.title, snapshot),
            "blocks": self._blocks(snapshot),
        }
        try:
            if retry:
                await call_slack(self.client.chat_update, **kwargs)
            else:
                await self.client.chat_update(**kwargs)
        except SlackApiError as exc:
            wait = retry_after_s(exc)
            if wait is None:
                log.warning("progress update failed: %s", exc.response.get("error"))
                return False
            self._blocked_until = time.monotonic() + wait
            log.info("progress updates paused %.1f s (Slack rate limit)", wait)
            return False
        self._mark_sent(snapshot)
        return True

    def _mark_sent(self, snapshot: RunSnapshot) -> None:
        self._last_sent = time.monotonic()
        self._last_fingerprint = snapshot.fingerprint()
        self.updates_sent += 1

    def _blocks(self, snapshot: RunSnapshot) -> list[Block]:
        return progress_blocks(self.title, snapshot, cancellable=self.cancellable)
