"""Runs started from Slack: parent message, thread, launch, live progress, final result."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import FlowRun, StateType
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.analysis import analysis_blocks, analysis_text
from blocks.cleanup import cleanup_blocks, cleanup_text
from blocks.runs import cancelled_blocks, failure_blocks, parent_done_text, parent_text
from bot.launcher import Launcher, LaunchError
from bot.progress import ThreadProgress, call_slack
from bot.run_control import RunControl
from bot.watcher import RunWatcher
from workflows.audit import AuditKind
from workflows.cleanup import CleanupRequest, CleanupResult
from workflows.models import AnalysisRequest, ComponentAnalysisResult, RunOrigin
from workflows.registry import FlowSpec
from workflows.snapshots import RunSnapshot, StepView
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
DEDUPE_TTL_S = 600.0
PROGRESS_TAG = "slack-progress:"
UNFINISHED = [
    StateType.SCHEDULED,
    StateType.PENDING,
    StateType.RUNNING,
    StateType.PAUSED,
    StateType.CANCELLING,
]


class PostError(RuntimeError):
    """The bot could not post in the channel; the message tells the person why."""


@dataclass(frozen=True)
class SlackRun:
    """Where one run lives in Slack."""

    workflow: WorkflowType
    title: str
    channel: str
    thread_ts: str
    user: str


def analysis_title(request: AnalysisRequest) -> str:
    """`Analyzing contexten/agents` (what the thread is about)."""
    return f"Analyzing {request.component or 'the whole repository'}"


def cleanup_title(request: CleanupRequest) -> str:
    """`Cleaning dead code in contexten/agents`."""
    return f"Cleaning dead code in {request.component_label}"


TITLES: dict[WorkflowType, Callable[[dict[str, Any]], str]] = {
    WorkflowType.COMPONENT_ANALYSIS: lambda r: analysis_title(AnalysisRequest.model_validate(r)),
    WorkflowType.DEAD_CODE_CLEANUP: lambda r: cleanup_title(CleanupRequest.model_validate(r)),
}


def run_title(workflow: WorkflowType, request: dict[str, Any]) -> str:
    """What the thread is about, from the run's `request` parameter."""
    title = TITLES.get(workflow)
    return title(request) if title else workflow.value.replace("_", " ").capitalize()


class SlackRuns:
    """Starts workflows for Slack users and keeps their threads current."""

    def __init__(
        self,
        client: AsyncWebClient,
        launcher: Launcher,
        specs: dict[WorkflowType, FlowSpec],
        *,
        poll_s: float = 0.5,
        control: RunControl | None = None,
    ) -> None:
        self.client = client
        self.launcher = launcher
        self.specs = specs
        self.poll_s = poll_s
        self.control = control
        self._seen: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._following: set[str] = set()

    def first_time(self, key: str) -> bool:
        """False if this Slack request was already handled (a retry or a double click)."""
        now = time.monotonic()
        for old in [k for k, at in self._seen.items() if now - at > DEDUPE_TTL_S]:
            del self._seen[old]
        if key in self._seen:
            return False
        self._seen[key] = now
        return True

    async def start_analysis(
        self, request: AnalysisRequest, *, user: str, channel: str, key: str
    ) -> None:
        """Open a thread for the analysis and launch it; raises `PostError` if we can't post."""
        await self.start(
            WorkflowType.COMPONENT_ANALYSIS, request, user=user, channel=channel, key=key
        )

    async def start(
        self, workflow: WorkflowType, request: Any, *, user: str, channel: str, key: str
    ) -> FlowRun | None:
        """Open a thread for a run of `workflow` and launch it; `PostError` if we can't post."""
        params_request = request.model_dump(mode="json")
        title = run_title(workflow, params_request)
        try:
            parent = await call_slack(
                self.client.chat_postMessage, channel=channel, text=parent_text(title, user)
            )
        except SlackApiError as exc:
            raise PostError(_post_problem(exc)) from exc
        run = SlackRun(workflow, title, channel, parent["ts"], user)
        origin = RunOrigin(source="slack", user=user, channel=channel, thread_ts=run.thread_ts)
        params = {"request": params_request, "origin": origin.model_dump()}
        flow_run = await self._launch_and_follow(run, params, key)
        if flow_run is not None and self.control is not None:
            await self.control.record(
                None,
                AuditKind.STARTED,
                user,
                f"started {workflow.value}: {title}",
                run_id=str(flow_run.id),
                run_name=flow_run.name,
                workflow=workflow.value,
                channel=channel,
                permalink=await self.permalink(channel, run.thread_ts),
            )
        return flow_run

    async def retry(self, run_id: str, *, user: str, channel: str, thread_ts: str, key: str) -> str:
        """Start a new run with the parameters of `run_id`, in the same thread.

        Raises `LaunchError` (with a message for the person) when it cannot, or may not.
        """
        async with get_client() as client:
            old = await client.read_flow_run(UUID(run_id))
            flow = await client.read_flow(old.flow_id)
        spec = next((s for s in self.specs.values() if s.flow.name == flow.name), None)
        if spec is None:
            raise LaunchError(f"runs of `{flow.name}` cannot be repeated from Slack")
        if self.control is not None:
            verdict = await self.control.may_start(spec.type, user, channel)
            if not verdict.allowed:
                await self.control.record(
                    None,
                    AuditKind.START_DENIED,
                    user,
                    f"tried to re-run {old.name} without the right",
                    run_id=run_id,
                    run_name=old.name,
                    workflow=spec.type.value,
                    channel=channel,
                )
                raise LaunchError(verdict.reason)
        params: dict[str, Any] = dict(old.parameters)
        origin = RunOrigin(source="slack", user=user, channel=channel, thread_ts=thread_ts)
        params["origin"] = origin.model_dump()
        title = f"{run_title(spec.type, params['request'])} (re-run of {old.name})"
        run = SlackRun(spec.type, title, channel, thread_ts, user)
        new = await self._launch_and_follow(run, params, key, previous=old.name)
        if new is not None and self.control is not None:
            await self.control.record(
                None,
                AuditKind.RETRIED,
                user,
                f"re-ran {old.name} as {new.name}",
                run_id=run_id,
                run_name=old.name,
                workflow=spec.type.value,
                channel=channel,
                related_run_id=str(new.id),
                permalink=await self.permalink(channel, thread_ts),
            )
        return old.name

    async def _launch_and_follow(
        self, run: SlackRun, params: dict[str, Any], key: str, previous: str | None = None
    ) -> FlowRun | None:
        spec = self.specs[run.workflow]
        progress = ThreadProgress(
            self.client, run.channel, run.thread_ts, run.title, cancellable=True
        )
        await progress.post(_waiting_snapshot(spec))
        try:
            flow_run = await self.launcher.launch(
                run.workflow,
                params,
                idempotency_key=key,
                tags=[
                    "slack",
                    f"channel:{run.channel}",
                    f"{PROGRESS_TAG}{progress.ts}",
                    *([f"retry-of:{previous}"] if previous else []),
                ],
            )
        except LaunchError as exc:
            await self._post_failure(run, str(exc), None)
            return None
        self._spawn_follower(run, spec, str(flow_run.id), progress)
        return flow_run

    def _spawn_follower(
        self, run: SlackRun, spec: FlowSpec, run_id: str, progress: ThreadProgress
    ) -> None:
        if run_id in self._following:
            return
        self._following.add(run_id)
        task = asyncio.create_task(self._follow(run, spec, run_id, progress))
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
            title = run_title(spec.type, flow_run.parameters.get("request") or {})
            run = SlackRun(spec.type, title, origin.channel, origin.thread_ts, origin.user or "")
            ts = next(
                (t[len(PROGRESS_TAG) :] for t in flow_run.tags if t.startswith(PROGRESS_TAG)), None
            )
            progress = ThreadProgress(
                self.client, run.channel, run.thread_ts, title, cancellable=True, ts=ts
            )
            self._spawn_follower(run, spec, str(flow_run.id), progress)
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
                await self._post_result(run, run_id, last, result)
            elif last is not None and last.state == "CANCELLED":
                await self._post_cancelled(run, last.message or "cancelled", run_id)
            else:
                reason = (last.message if last else None) or "the run ended without a result"
                await self._post_failure(run, reason, run_id)
            if last is not None:
                await progress.update(last, final=True)
        except Exception:
            log.exception("lost track of run %s (%s) in %s", run_id, run.workflow, run.channel)
            await self._post_failure(run, "the bot lost track of this run; see its logs", run_id)

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

    async def _post_result(
        self, run: SlackRun, run_id: str, snapshot: RunSnapshot, result: object
    ) -> None:
        if isinstance(result, ComponentAnalysisResult):
            text, blocks = analysis_text(result), analysis_blocks(result, run_id, snapshot.run_name)
            count = len(result.report.findings)
            outcome = f"✅ {count} finding{'s' if count != 1 else ''}"
        elif isinstance(result, CleanupResult):
            text, blocks = cleanup_text(result), cleanup_blocks(result, run_id, snapshot.run_name)
            outcome = result.headline()
        else:
            await self._post_failure(run, f"unexpected result: {type(result).__name__}", run_id)
            return
        await call_slack(
            self.client.chat_postMessage,
            channel=run.channel,
            thread_ts=run.thread_ts,
            text=text,
            blocks=blocks,
        )
        await self._update_parent(run, outcome)

    async def _post_failure(self, run: SlackRun, reason: str, run_id: str | None) -> None:
        try:
            await call_slack(
                self.client.chat_postMessage,
                channel=run.channel,
                thread_ts=run.thread_ts,
                text=f"{run.title} failed: {reason}",
                blocks=failure_blocks(run.title, reason, run_id),
            )
            await self._update_parent(run, "❌ failed")
        except SlackApiError as exc:
            log.error("could not report failure in %s: %s", run.channel, exc.response.get("error"))

    async def _post_cancelled(self, run: SlackRun, reason: str, run_id: str) -> None:
        try:
            await call_slack(
                self.client.chat_postMessage,
                channel=run.channel,
                thread_ts=run.thread_ts,
                text=f"{run.title} was cancelled: {reason}",
                blocks=cancelled_blocks(run.title, reason, run_id),
            )
            await self._update_parent(run, "🛑 cancelled")
        except SlackApiError as exc:
            log.error("could not report cancel in %s: %s", run.channel, exc.response.get("error"))

    async def _update_parent(self, run: SlackRun, outcome: str) -> None:
        try:
            await call_slack(
                self.client.chat_update,
                channel=run.channel,
                ts=run.thread_ts,
                text=parent_done_text(run.title, outcome, run.user),
            )
        except SlackApiError as exc:  # a re-run's thread parent may not be ours to edit
            log.info("parent message not updated: %s", exc.response.get("error"))

    async def permalink(self, channel: str, ts: str) -> str | None:
        """A link to a message, for the audit trail (None if Slack won't say)."""
        try:
            response = await call_slack(
                self.client.chat_getPermalink, channel=channel, message_ts=ts
            )
        except SlackApiError:
            return None
        return response.get("permalink")

    async def drain(self, timeout_s: float = 5.0) -> None:
        """Give running followers a moment to finish on shutdown."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout_s)


def _waiting_snapshot(spec: FlowSpec) -> RunSnapshot:
    steps = [StepView(key=k, label=label) for k, label in spec.steps]
    return RunSnapshot(run_id="", run_name="starting…", workflow=spec.type.value, steps=steps)


def _post_problem(exc: SlackApiError) -> str:
    error = exc.response.get("error") if exc.response is not None else None
    if error in ("not_in_channel", "channel_not_found"):
        return "I can't post in this channel. Invite me first: `/invite @cicd`."
    if error == "is_archived":
        return "This channel is archived; run the command in an active channel."
    return f"Slack refused my message ({error or 'unknown error'}); please try again."
