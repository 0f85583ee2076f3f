"""Runs started from Slack: parent message, thread, launch, live progress, final result."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.analysis import analysis_blocks, analysis_text
from blocks.runs import failure_blocks, parent_done_text, parent_text
from bot.launcher import Launcher, LaunchError
from bot.progress import ThreadProgress, call_slack
from bot.watcher import RunWatcher
from workflows.models import AnalysisRequest, ComponentAnalysisResult, RunOrigin
from workflows.registry import FlowSpec
from workflows.snapshots import RunSnapshot, StepView
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
DEDUPE_TTL_S = 600.0


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


class SlackRuns:
    """Starts workflows for Slack users and keeps their threads current."""

    def __init__(
        self,
        client: AsyncWebClient,
        launcher: Launcher,
        specs: dict[WorkflowType, FlowSpec],
        *,
        poll_s: float = 0.5,
    ) -> None:
        self.client = client
        self.launcher = launcher
        self.specs = specs
        self.poll_s = poll_s
        self._seen: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()

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
        title = analysis_title(request)
        try:
            parent = await call_slack(
                self.client.chat_postMessage, channel=channel, text=parent_text(title, user)
            )
        except SlackApiError as exc:
            raise PostError(_post_problem(exc)) from exc
        run = SlackRun(WorkflowType.COMPONENT_ANALYSIS, title, channel, parent["ts"], user)
        origin = RunOrigin(source="slack", user=user, channel=channel, thread_ts=run.thread_ts)
        params = {"request": request.model_dump(), "origin": origin.model_dump()}
        await self._launch_and_follow(run, params, key)

    async def retry(self, run_id: str, *, user: str, channel: str, thread_ts: str, key: str) -> str:
        """Start a new run with the parameters of `run_id`, in the same thread."""
        async with get_client() as client:
            old = await client.read_flow_run(UUID(run_id))
            flow = await client.read_flow(old.flow_id)
        spec = next((s for s in self.specs.values() if s.flow.name == flow.name), None)
        if spec is None:
            raise LaunchError(f"runs of `{flow.name}` cannot be repeated from Slack")
        params: dict[str, Any] = dict(old.parameters)
        request = AnalysisRequest.model_validate(params["request"])
        origin = RunOrigin(source="slack", user=user, channel=channel, thread_ts=thread_ts)
        params["origin"] = origin.model_dump()
        run = SlackRun(spec.type, f"{analysis_title(request)} (re-run)", channel, thread_ts, user)
        await self._launch_and_follow(run, params, key, previous=old.name)
        return old.name

    async def _launch_and_follow(
        self, run: SlackRun, params: dict[str, Any], key: str, previous: str | None = None
    ) -> None:
        spec = self.specs[run.workflow]
        progress = ThreadProgress(self.client, run.channel, run.thread_ts, run.title)
        await progress.post(_waiting_snapshot(spec))
        try:
            flow_run = await self.launcher.launch(
                run.workflow,
                params,
                idempotency_key=key,
                tags=[
                    "slack",
                    f"channel:{run.channel}",
                    *([f"retry-of:{previous}"] if previous else []),
                ],
            )
        except LaunchError as exc:
            await self._post_failure(run, str(exc), None)
            return
        task = asyncio.create_task(self._follow(run, spec, str(flow_run.id), progress))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _follow(
        self, run: SlackRun, spec: FlowSpec, run_id: str, progress: ThreadProgress
    ) -> None:
        watcher = RunWatcher(run_id, spec, poll_s=self.poll_s)
        try:
            last: RunSnapshot | None = None
            async for snapshot in watcher.snapshots():
                last = snapshot
                if not snapshot.finished:
                    await progress.update(snapshot)
            # The answer first; the progress message's last state follows, spaced as usual.
            if last is not None and last.succeeded:
                result = await watcher.result()
                await self._post_result(run, run_id, last, result)
            else:
                reason = (last.message if last else None) or "the run ended without a result"
                await self._post_failure(run, reason, run_id)
            if last is not None:
                await progress.update(last, final=True)
        except Exception:
            log.exception("lost track of run %s (%s) in %s", run_id, run.workflow, run.channel)
            await self._post_failure(run, "the bot lost track of this run; see its logs", run_id)

    async def _post_result(
        self, run: SlackRun, run_id: str, snapshot: RunSnapshot, result: object
    ) -> None:
        if not isinstance(result, ComponentAnalysisResult):
            await self._post_failure(run, f"unexpected result: {type(result).__name__}", run_id)
            return
        await call_slack(
            self.client.chat_postMessage,
            channel=run.channel,
            thread_ts=run.thread_ts,
            text=analysis_text(result),
            blocks=analysis_blocks(result, run_id, snapshot.run_name),
        )
        count = len(result.report.findings)
        await self._update_parent(run, f"✅ {count} finding{'s' if count != 1 else ''}")

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
