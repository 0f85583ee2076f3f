"""`RunWatcher`: follow a flow run through the Prefect API and turn it into snapshots."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterType,
    FlowRunFilter,
    FlowRunFilterId,
)
from prefect.client.schemas.objects import FlowRun, TaskRun

from workflows.governance.approvals import APPROVAL_STEP
from workflows.models.snapshots import RunSnapshot, StepStatus, StepView
from workflows.registry import FlowSpec

log = logging.getLogger(__name__)

_TASK_STATUS = {
    "COMPLETED": StepStatus.DONE,
    "FAILED": StepStatus.FAILED,
    "CRASHED": StepStatus.FAILED,
    "CANCELLED": StepStatus.FAILED,
}


class RunWatcher:
    """Poll one flow run and yield a `RunSnapshot` whenever asked, until it finishes."""

    def __init__(self, run_id: UUID | str, spec: FlowSpec, *, poll_s: float = 0.5) -> None:
        self.run_id = UUID(str(run_id))
        self.spec = spec
        self.poll_s = poll_s
        self.flow_run: FlowRun | None = None

    async def snapshots(self) -> AsyncIterator[RunSnapshot]:
        """Yield a snapshot every poll; the last one yielded is finished."""
        async with get_client() as client:
            while True:
                try:
                    snapshot = await self.snapshot(client)
                except Exception as exc:  # the API blinked; keep watching, say so in logs
                    log.warning("run %s: could not read state (%s); retrying", self.run_id, exc)
                    await asyncio.sleep(max(self.poll_s, 1.0))
                    continue
                if snapshot.succeeded:
                    snapshot = await self._settle(client, snapshot)
                yield snapshot
                if snapshot.finished:
                    return
                # A run waiting for people changes slowly; no need to ask twice a second.
                paused = snapshot.state == "PAUSED"
                await asyncio.sleep(max(self.poll_s, PAUSED_POLL_S) if paused else self.poll_s)

    async def _settle(self, client: PrefectClient, snapshot: RunSnapshot) -> RunSnapshot:
        """Task states reach the API a moment after the flow's: read again, briefly, while a
        step of the completed run still looks unstarted."""
        for _ in range(SETTLE_READS):
            if all(step.status is not StepStatus.PENDING for step in snapshot.steps):
                break
            await asyncio.sleep(SETTLE_PAUSE_S)
            snapshot = await self.snapshot(client)
        return snapshot

    async def snapshot(self, client: PrefectClient) -> RunSnapshot:
        """Read the run, its task runs and its progress artifacts once."""
        flow_run = await client.read_flow_run(self.run_id)
        self.flow_run = flow_run
        task_runs = await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[self.run_id]))
        )
        progress = await self._progress_details(client)
        steps = [self._step(key, label, task_runs, progress) for key, label in self.spec.steps]
        state = flow_run.state
        if state is not None and state.is_paused():
            steps = [_waiting(step) for step in steps]
        elif state is not None and state.is_completed():
            # Task states reach the API a moment after the flow's own: a completed flow's
            # started steps are done.
            steps = [_settled(step) for step in steps]
        return RunSnapshot(
            run_id=str(self.run_id),
            run_name=flow_run.name,
            workflow=self.spec.workflow.value,
            state=state.type.value if state else "SCHEDULED",
            state_name=state.name if state and state.name else "Scheduled",
            message=state.message if state and state.is_final() else None,
            steps=steps,
            elapsed_s=_elapsed(flow_run),
        )

    async def result(self) -> object:
        """The flow's typed result, or the exception it failed with."""
        async with get_client() as client:
            flow_run = await client.read_flow_run(self.run_id)
        if flow_run.state is None:
            return None
        value = await flow_run.state.aresult(raise_on_failure=False)
        if isinstance(value, dict):  # the JSON serializer hands models back as plain data
            return self.spec.result_type.model_validate(value)
        return value

    async def _progress_details(self, client: PrefectClient) -> dict[UUID, str]:
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[self.run_id]),
                type=ArtifactFilterType(any_=["progress"]),
            )
        )
        return {a.task_run_id: a.description or "" for a in artifacts if a.task_run_id}

    @staticmethod
    def _step(
        key: str, label: str, task_runs: list[TaskRun], progress: dict[UUID, str]
    ) -> StepView:
        matching = [t for t in task_runs if t.name.rsplit("-", 1)[0] == key]
        if not matching:
            return StepView(key=key, label=label)
        latest = max(matching, key=lambda t: t.expected_start_time or t.created or _EPOCH)
        state_type = latest.state.type.value if latest.state else "PENDING"
        status = _TASK_STATUS.get(state_type, StepStatus.RUNNING)
        detail = progress.get(latest.id) if status is StepStatus.RUNNING else None
        return StepView(key=key, label=label, status=status, detail=detail)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PAUSED_POLL_S = 2.0
SETTLE_READS, SETTLE_PAUSE_S = 4, 0.5  # a skipped step costs at most 2 s at the end


def _settled(step: StepView) -> StepView:
    if step.status is StepStatus.RUNNING:
        return step.model_copy(update={"status": StepStatus.DONE, "detail": None})
    return step


def _waiting(step: StepView) -> StepView:
    """While the run is paused, its approval step is the one running."""
    if step.key == APPROVAL_STEP and step.status is StepStatus.PENDING:
        return step.model_copy(
            update={"status": StepStatus.RUNNING, "detail": "waiting for a decision"}
        )
    return step


def _elapsed(flow_run: FlowRun) -> float:
    start = flow_run.created or flow_run.start_time
    if start is None:
        return 0.0
    end = flow_run.end_time or datetime.now(UTC)
    return max(0.0, (end - start).total_seconds())
