"""One occurrence of a schedule: claimed by exactly one replica, then started.

The key is the schedule's name plus its scheduled time (UTC). Every replica computes the same
times, so of several replicas firing the same occurrence one claim wins (an atomic create in
Prefect's database); the launch carries the key as Prefect's idempotency key too.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
    FlowRunFilterTags,
)
from pydantic import BaseModel

from bot.runs.deliveries import DELIVERY_KIND, Finished, claim_delivery
from bot.runs.finished import RunNotReadable, read_finished
from bot.runs.launcher import LaunchError
from bot.runs.starting import PostError
from bot.slack_api import call_slack
from workflows.governance import audit
from workflows.governance.audit import AuditKind, AuditRecord
from workflows.models.runs import RunOrigin
from workflows.registry import FlowSpec
from workflows.schedules.models import ScheduleEntry
from workflows.state.records import Records
from workflows.types import WorkflowType

Specs = dict[WorkflowType, FlowSpec]

if TYPE_CHECKING:
    from bot.services import BotServices

log = logging.getLogger(__name__)
# Types whose result is delivered elsewhere (a digest to its channel, alerts): no thread.
QUIET = frozenset({WorkflowType.SLACK_NOTIFICATIONS, WorkflowType.HEALTH_CHECK})
CLAIM_KIND = "occurrence"
KEEP_CLAIMS = timedelta(days=7)
QUIET_TIMEOUT_S = 3600.0
POLL_S = 1.0
ADOPT_WITHIN = timedelta(days=1)
REPLICA = f"{socket.gethostname()}:{os.getpid()}"


def occurrence_key(name: str, fire_time: datetime) -> str:
    """`schedule:nightly:2026-01-02T02:00:00+00:00`: the same on every replica."""
    return f"schedule:{name}:{fire_time.astimezone(UTC).isoformat()}"


def claim_id(key: str) -> str:
    """A record key for `key` (record names allow letters, digits, - and _ only)."""
    return hashlib.sha256(key.encode()).hexdigest()[:40]


async def claim(key: str, name: str) -> bool:
    """True for the one replica that claims the occurrence `key` first."""
    now = datetime.now(UTC).isoformat()
    record = {"key": key, "schedule": name, "at": now, "by": REPLICA}
    return await Records(CLAIM_KIND).claim(claim_id(key), record)


async def prune_claims(now: datetime | None = None) -> int:
    """Forget occurrence claims and delivery marks older than a week (nothing asks again)."""
    cutoff = (now or datetime.now(UTC)) - KEEP_CLAIMS
    removed = 0
    for kind in (CLAIM_KIND, DELIVERY_KIND):
        records = Records(kind)
        for key, value in (await records.all()).items():
            try:
                at = datetime.fromisoformat(str(value.get("at")))
            except ValueError:
                at = cutoff - timedelta(seconds=1)  # unreadable: old by definition
            if at < cutoff and await records.delete(key):
                removed += 1
    return removed


@dataclass(frozen=True)
class QuietRun:
    """A quiet scheduled run being waited for: which schedule, type and channel it reports to."""

    schedule: str
    workflow: WorkflowType
    channel: str
    run_id: str
    run_name: str
    origin: RunOrigin


class Occurrences:
    """Fires occurrences for the scheduler; quiet runs are waited for in the background."""

    def __init__(self, services: BotServices) -> None:
        self.services = services
        self._tasks: set[asyncio.Task[None]] = set()

    async def fire(self, entry: ScheduleEntry, request: BaseModel, fire_time: datetime) -> bool:
        """Start the occurrence if this replica wins its claim; True when it did."""
        key = occurrence_key(entry.name, fire_time)
        if not await claim(key, entry.name):
            log.info("occurrence %s was claimed by another replica", key)
            return False
        log.info("firing %s (%s in %s)", key, entry.workflow.value, entry.channel)
        await self._record(entry, f"fired `{entry.name}` ({entry.when()}) for {key[9:]}")
        if entry.workflow in QUIET:
            await self._quiet(entry, request, key)
        else:
            await self._threaded(entry, request, key)
        return True

    async def drain(self, timeout_s: float = 10) -> None:
        """At shutdown: let quiet runs being waited for finish a little, then stop waiting."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout_s)
        for task in list(self._tasks):
            task.cancel()

    async def _threaded(self, entry: ScheduleEntry, request: BaseModel, key: str) -> None:
        """A thread in the schedule's channel, like a run started from Slack."""
        user = entry.created_by or "system"
        try:
            await self.services.runs.start(
                entry.workflow,
                request,
                user=user,
                channel=entry.channel,
                key=key,
                schedule=entry.name,
            )
        except PostError as exc:
            log.error("schedule %s cannot post in %s: %s", entry.name, entry.channel, exc)

    async def _quiet(self, entry: ScheduleEntry, request: BaseModel, key: str) -> None:
        """Launch, then wait for the end and deliver (in the background)."""
        origin = RunOrigin(source="schedule", user=entry.created_by, channel=entry.channel)
        params = {"request": request.model_dump(mode="json"), "origin": origin.model_dump()}
        try:
            flow_run = await self.services.runs.launcher.launch(
                entry.workflow,
                params,
                idempotency_key=key,
                tags=["schedule", f"schedule:{entry.name}"],
            )
        except LaunchError as exc:
            await self._tell(entry.name, entry.workflow, entry.channel, f"could not start: {exc}")
            return
        self._wait_and_deliver(
            QuietRun(
                entry.name, entry.workflow, entry.channel, str(flow_run.id), flow_run.name, origin
            )
        )

    async def adopt(self) -> int:
        """After a restart: wait for (or deliver at once) the quiet runs nobody delivered yet."""
        adopted = 0
        for quiet in await unfinished_quiet_runs(self.services.runs.specs):
            if await Records(DELIVERY_KIND).get(quiet.run_id) is None:
                self._wait_and_deliver(quiet)
                adopted += 1
        if adopted:
            log.info("waiting again for %d scheduled run(s) after a restart", adopted)
        return adopted

    def _wait_and_deliver(self, quiet: QuietRun) -> None:
        task = asyncio.create_task(self._deliver(quiet))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, quiet: QuietRun) -> None:
        state = await wait_for_end(quiet.run_id, QUIET_TIMEOUT_S)
        where = (quiet.schedule, quiet.workflow, quiet.channel)
        if state != "COMPLETED":
            if await claim_delivery(quiet.run_id, state):  # told once, whoever waited
                ended = state.lower().replace("_", " ")
                await self._tell(*where, f"run `{quiet.run_name}` ended {ended}")
            return
        try:
            done = await read_finished(quiet.run_id, self.services.runs.specs)
        except RunNotReadable as exc:
            if await claim_delivery(quiet.run_id, "unreadable"):
                await self._tell(*where, f"run `{quiet.run_name}`: {exc}")
            return
        finished = Finished(
            quiet.workflow, quiet.run_id, quiet.run_name, done.result, quiet.origin, thread=None
        )
        deliveries = self.services.follower.deliveries
        if deliveries is not None:
            await deliveries.deliver(finished)

    async def _tell(
        self, schedule: str, workflow: WorkflowType, channel: str, problem: str
    ) -> None:
        """A quiet run that failed says so in the schedule's channel: nothing fails silently."""
        log.error("schedule %s: %s", schedule, problem)
        text = f"⚠️ Scheduled `{schedule}` ({workflow.value}): {problem}"
        try:
            await call_slack(self.services.runs.client.chat_postMessage, channel=channel, text=text)
        except Exception:
            log.exception("could not post schedule %s's failure to %s", schedule, channel)

    async def _record(self, entry: ScheduleEntry, what: str) -> None:
        record = AuditRecord(
            kind=AuditKind.SCHEDULE_FIRED,
            actor="system",
            what=what,
            workflow=entry.workflow.value,
            channel=entry.channel,
        )
        try:
            await audit.record(None, self.services.config.cicd_data_dir, record)
        except OSError:
            log.exception("could not record the occurrence of %s", entry.name)


async def unfinished_quiet_runs(specs: Specs, within: timedelta = ADOPT_WITHIN) -> list[QuietRun]:
    """Quiet scheduled runs of the last day (any state): candidates for delivery after a restart."""
    quiet_flows = {specs[w].flow.name: w for w in QUIET if w in specs}
    async with get_client() as client:
        runs = await client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=list(quiet_flows))),
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=["schedule"]),
                expected_start_time=FlowRunFilterExpectedStartTime.model_validate(
                    {"after_": datetime.now(UTC) - within}
                ),
            ),
            limit=200,
        )
        names = {
            f.id: f.name
            for f in await client.read_flows(
                flow_filter=FlowFilter(name=FlowFilterName(any_=list(quiet_flows)))
            )
        }
    found: list[QuietRun] = []
    for run in runs:
        workflow = quiet_flows.get(names.get(run.flow_id, ""))
        schedule = next((t.split(":", 1)[1] for t in run.tags if t.startswith("schedule:")), None)
        origin = RunOrigin.model_validate(run.parameters.get("origin") or {})
        if workflow is None or schedule is None or not origin.channel:
            continue
        found.append(QuietRun(schedule, workflow, origin.channel, str(run.id), run.name, origin))
    return found


async def wait_for_end(run_id: str, timeout_s: float) -> str:
    """The run's final state type (`COMPLETED`, `FAILED`, ...), or `TIMED_OUT` waiting."""
    from uuid import UUID

    deadline = asyncio.get_running_loop().time() + timeout_s
    async with get_client() as client:
        while asyncio.get_running_loop().time() < deadline:
            run = await client.read_flow_run(UUID(run_id))
            if run.state is not None and run.state.is_final():
                return run.state.type.value
            await asyncio.sleep(POLL_S)
    return "TIMED_OUT"
