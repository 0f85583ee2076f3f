"""Following runs to their end: live progress in the thread, then the result, failure or cancel.

Followers run as background tasks, one per run; after a restart `adopt` finds every unfinished
run started from Slack and follows it again, into the progress message it had.
"""

from __future__ import annotations

import asyncio
import logging

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import StateType
from slack_sdk.web.async_client import AsyncWebClient

from bot.runs.control import RunControl
from bot.runs.deliveries import Deliveries, Finished
from bot.runs.progress import ThreadProgress
from bot.runs.threads import SlackRun, ThreadOutcome, run_title
from bot.runs.watcher import RunWatcher
from workflows.models.runs import RunOrigin
from workflows.models.snapshots import RunSnapshot
from workflows.registry import FlowSpec
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
PROGRESS_TAG = "slack-progress:"
SCHEDULE_TAG = "schedule:"  # a run started by a schedule: schedule:<name>
UNFINISHED = [
    StateType.SCHEDULED,
    StateType.PENDING,
    StateType.RUNNING,
    StateType.PAUSED,
    StateType.CANCELLING,
]


class RunFollower:
    """Keeps each run's thread current until the run ends."""

    def __init__(
        self,
        client: AsyncWebClient,
        specs: dict[WorkflowType, FlowSpec],
        *,
        poll_s: float = 0.5,
        control: RunControl | None = None,
    ) -> None:
        self.client = client
        self.specs = specs
        self.poll_s = poll_s
        self.control = control
        self.outcome = ThreadOutcome(client)
        self.deliveries: Deliveries | None = None  # set once the services exist
        self._tasks: set[asyncio.Task[None]] = set()
        self._following: set[str] = set()

    def follow(self, run: SlackRun, run_id: str, progress: ThreadProgress) -> None:
        """Follow `run_id` in the background (once, however often asked)."""
        if run_id in self._following:
            return
        self._following.add(run_id)
        task = asyncio.create_task(self._follow(run, self.specs[run.workflow], run_id, progress))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: self._following.discard(run_id))

    async def adopt(self) -> int:
        """After a restart: follow again every unfinished run started from Slack."""
        async with get_client() as client:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    tags=FlowRunFilterTags(all_=["slack"]),
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=UNFINISHED)),
                ),
                limit=200,
            )
            names = {}
            for flow_run in runs:
                if flow_run.flow_id not in names:
                    names[flow_run.flow_id] = (await client.read_flow(flow_run.flow_id)).name
        adopted = 0
        for flow_run in runs:
            spec = next(
                (s for s in self.specs.values() if s.flow.name == names[flow_run.flow_id]), None
            )
            origin = RunOrigin.model_validate(flow_run.parameters.get("origin") or {})
            if spec is None or not origin.channel or not origin.thread_ts:
                continue
            title = run_title(spec.workflow, flow_run.parameters.get("request") or {})
            schedule = next(
                (t[len(SCHEDULE_TAG) :] for t in flow_run.tags if t.startswith(SCHEDULE_TAG)), None
            )
            run = SlackRun(
                spec.workflow, title, origin.channel, origin.thread_ts, origin.user or "", schedule
            )
            ts = next(
                (t[len(PROGRESS_TAG) :] for t in flow_run.tags if t.startswith(PROGRESS_TAG)), None
            )
            progress = ThreadProgress(
                self.client, run.channel, run.thread_ts, title, cancellable=True, ts=ts
            )
            self.follow(run, str(flow_run.id), progress)
            adopted += 1
        if adopted:
            log.info("following %d unfinished run(s) again after a restart", adopted)
        return adopted

    async def _follow(
        self, run: SlackRun, spec: FlowSpec, run_id: str, progress: ThreadProgress
    ) -> None:
        watcher = RunWatcher(run_id, spec, poll_s=self.poll_s)
        try:
            last: RunSnapshot | None = None
            async for snapshot in watcher.snapshots():
                if snapshot.state == "PAUSED" and (last is None or last.state != "PAUSED"):
                    self._ask(run_id)
                last = snapshot
                if not snapshot.finished:
                    await progress.update(snapshot)
            # The answer first; the progress message's last state follows, spaced as usual.
            if last is not None and last.succeeded:
                result = await watcher.result()
                await self.outcome.result(run, run_id, last.run_name, result)
                await self._deliver(run, run_id, last.run_name, result)
            elif last is not None and last.state == "CANCELLED":
                await self.outcome.cancelled(run, last.message or "cancelled", run_id)
            else:
                reason = (last.message if last else None) or "the run ended without a result"
                await self.outcome.failure(run, reason, run_id)
            if last is not None:
                await progress.update(last, final=True)
        except Exception:
            log.exception("lost track of run %s (%s) in %s", run_id, run.workflow, run.channel)
            await self.outcome.failure(run, "the bot lost track of this run; see its logs", run_id)

    async def _deliver(self, run: SlackRun, run_id: str, name: str, result: object) -> None:
        """The type's delivery (a digest to its channel, alerts), after the thread's result."""
        if self.deliveries is None:
            return
        origin = RunOrigin(
            source="schedule" if run.schedule else "slack", user=run.user, channel=run.channel
        )
        finished = Finished(
            run.workflow, run_id, name, result, origin, thread=(run.channel, run.thread_ts)
        )
        await self.deliveries.deliver(finished)

    def _ask(self, run_id: str) -> None:
        """The run just paused: have its approval request posted now, not at the next scan."""
        desk = self.control.desk if self.control is not None else None
        if desk is None:
            return

        async def tick() -> None:
            try:
                await desk.tick(run_id)
            except Exception:  # the escalation loop will try again
                log.exception("approval request of run %s not posted yet", run_id)

        task = asyncio.create_task(tick())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Give running followers a moment to finish on shutdown."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout_s)
