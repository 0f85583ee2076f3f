"""`Scheduler`: APScheduler inside `cicd serve`, its jobs the configured and stored schedules.

Each replica runs the same jobs and re-reads the store every `refresh_s` (at once after its
own add or remove); an occurrence starts one run whichever replica fires it (occurrences.py).
Interval jobs are anchored at a fixed epoch so every replica computes the same times. Missed
occurrences are coalesced, and one older than `MISFIRE_GRACE_S` is not fired at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import BaseModel, ValidationError

from bot.errors import ServeError
from bot.schedules.entries import ScheduleInputError, Specs, request_of
from bot.schedules.occurrences import Occurrences, prune_claims
from workflows.config import OrchestrationConfig
from workflows.schedules.models import ScheduleEntry
from workflows.schedules.store import ScheduleStore
from workflows.types import WorkflowType

if TYPE_CHECKING:
    from bot.services import BotServices

log = logging.getLogger(__name__)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MISFIRE_GRACE_S = 60
MAX_IN_FLIGHT = 4  # occurrences of one job being claimed and launched at once
STOP_WAIT_S = 10.0
REFRESH_S = 30.0
PRUNE_EVERY = 120  # refreshes between two prunes of old claims (an hour at 30 s)
ALERT_MONITOR = "alert-monitor"


def trigger_of(entry: ScheduleEntry) -> BaseTrigger:
    """The APScheduler trigger of `entry`: cron in its time zone, or an anchored interval."""
    if entry.every is not None:
        return IntervalTrigger(seconds=entry.every.total_seconds(), start_date=EPOCH, timezone=UTC)
    assert entry.cron is not None
    return CronTrigger.from_crontab(entry.cron, timezone=entry.timezone)


def next_run(entry: ScheduleEntry, now: datetime | None = None) -> datetime | None:
    """When `entry` fires next (in its own time zone)."""
    now = now or datetime.now(UTC)
    return trigger_of(entry).get_next_fire_time(None, now)


def builtin_entries(config: OrchestrationConfig, specs: Specs) -> list[ScheduleEntry]:
    """The alert monitor: health checks tracking alerts, when monitoring is on and served."""
    if not config.monitoring_enabled or WorkflowType.HEALTH_CHECK not in specs:
        return []
    channel = config.alerts.channel or config.access_policy.approval_channel
    if not channel:
        log.info("alert monitor off: set alerts.channel or access_policy.approval_channel")
        return []
    try:
        entry = ScheduleEntry(
            name=ALERT_MONITOR,
            every=config.alerts.check_every,
            channel=channel,
            workflow=WorkflowType.HEALTH_CHECK,
            parameters={"track_alerts": True},
            source="builtin",
        )
        request_of(entry, specs, config.cicd_repo)
    except (ValidationError, ScheduleInputError) as exc:
        log.warning("alert monitor off: %s", exc)
        return []
    return [entry]


def check_config_schedules(config: OrchestrationConfig, specs: Specs) -> None:
    """At start: each `schedules:` entry names a served type with valid parameters, once."""
    seen: set[str] = set()
    for entry in config.schedules:
        if entry.name in seen or entry.name == ALERT_MONITOR:
            raise ServeError(f"schedules: `{entry.name}` is named twice; names must be unique")
        seen.add(entry.name)
        try:
            request_of(entry, specs, config.cicd_repo)
        except ScheduleInputError as exc:
            raise ServeError(f"schedules: `{entry.name}` ({entry.workflow.value}): {exc}") from None


class Scheduler:
    """The jobs of this replica; `refresh()` brings them in line with the store."""

    def __init__(self, services: BotServices, *, refresh_s: float = REFRESH_S) -> None:
        self.services = services
        self.refresh_s = refresh_s
        config = services.config
        self.store = ScheduleStore(
            [*config.schedules, *builtin_entries(config, services.runs.specs)]
        )
        self.occurrences = Occurrences(services)
        self._aps: AsyncIOScheduler | None = None
        self._entries: dict[str, tuple[ScheduleEntry, BaseModel]] = {}
        self._fire_times: dict[str, datetime] = {}
        self._firing: set[asyncio.Task[object]] = set()
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        """Once Prefect is ready: start the jobs, then keep them in line with the store."""
        await self.services.runs.launcher.ready.wait()
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": MISFIRE_GRACE_S,
                # A slow launch must not make the next occurrence skip.
                "max_instances": MAX_IN_FLIGHT,
            },
        )
        self._aps.add_listener(self._submitted, EVENT_JOB_SUBMITTED)
        self._aps.start()
        try:
            await self.occurrences.adopt()
        except Exception:
            log.exception("could not pick up scheduled runs after the restart")
        refreshes = 0
        while not self._stopped.is_set():
            self._wake.clear()
            try:
                await self.refresh()
                if refreshes % PRUNE_EVERY == 0:
                    await prune_claims()
            except Exception:
                log.exception("could not read the schedules; trying again")
            refreshes += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.refresh_s)

    def refresh_soon(self) -> None:
        """Re-read the store now (after this replica's own add or remove)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop firing; wait a little for quiet runs being followed."""
        self._stopped.set()
        self._wake.set()
        if self._aps is not None and self._aps.running:
            self._aps.pause()  # no new occurrences; the executor would cancel running ones
            if self._firing:  # an occurrence being launched is finished, not cut in half
                await asyncio.wait(set(self._firing), timeout=STOP_WAIT_S)
            self._aps.shutdown(wait=False)
        await self.occurrences.drain()

    def entries(self) -> list[ScheduleEntry]:
        """The jobs this replica runs now."""
        return [entry for entry, _ in self._entries.values()]

    async def refresh(self) -> None:
        """Add, replace and remove jobs so they match the configured and stored schedules."""
        wanted: dict[str, tuple[ScheduleEntry, BaseModel]] = {}
        for entry in await self.store.all():
            if not entry.enabled:
                continue
            try:
                wanted[entry.name] = (
                    entry,
                    request_of(entry, self.services.runs.specs, self.services.config.cicd_repo),
                )
            except ScheduleInputError as exc:
                log.warning("skipping schedule %s: %s", entry.name, exc)
        for name in set(self._entries) - set(wanted):
            self._remove_job(name)
        for name, (entry, request) in wanted.items():
            known = self._entries.get(name)
            if known is not None and known[0] == entry:
                continue
            self._remove_job(name)
            self._add_job(entry, request)

    def _add_job(self, entry: ScheduleEntry, request: BaseModel) -> None:
        assert self._aps is not None
        self._aps.add_job(
            self._fire, trigger_of(entry), args=[entry.name], id=entry.name, name=entry.name
        )
        self._entries[entry.name] = (entry, request)
        log.info(
            "scheduled %s: %s %s in %s",
            entry.name,
            entry.workflow.value,
            entry.when(),
            entry.channel,
        )

    def _remove_job(self, name: str) -> None:
        if self._aps is not None and self._aps.get_job(name) is not None:
            self._aps.remove_job(name)
        if self._entries.pop(name, None) is not None:
            log.info("unscheduled %s", name)

    def _submitted(self, event: JobSubmissionEvent) -> None:
        # Called before the job's coroutine runs: it tells the job its scheduled time.
        self._fire_times[event.job_id] = max(event.scheduled_run_times)

    async def _fire(self, name: str) -> None:
        fire_time = self._fire_times.pop(name, None)
        known = self._entries.get(name)
        if fire_time is None or known is None:
            return
        entry, request = known
        task = asyncio.current_task()
        if task is not None:
            self._firing.add(task)
            task.add_done_callback(self._firing.discard)
        try:
            await self.occurrences.fire(entry, request, fire_time)
        except Exception:
            log.exception("occurrence of %s at %s failed", name, fire_time.isoformat())
