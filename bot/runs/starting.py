"""Starting runs for Slack users: the parent message, the first thread reply, the launch.

A Slack request is handled once (retries and double clicks are dropped by their key, which
also goes to Prefect as the idempotency key); the run is then handed to the `RunFollower`.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun
from pydantic import BaseModel
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.runs import parent_text
from bot.runs.control import RunControl
from bot.runs.following import PROGRESS_TAG, SCHEDULE_TAG, RunFollower
from bot.runs.launcher import Launcher, LaunchError
from bot.runs.progress import ThreadProgress
from bot.runs.threads import SlackRun, post_problem, run_title
from bot.slack_api import call_slack, permalink
from workflows.governance.audit import AuditKind
from workflows.models.runs import RunOrigin
from workflows.models.snapshots import RunSnapshot, StepView
from workflows.registry import FlowSpec
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
DEDUPE_TTL_S = 600.0


class PostError(RuntimeError):
    """The bot could not post in the channel; the message tells the person why."""


class RunStarter:
    """Starts workflows for Slack users, each in its own thread, and re-runs them."""

    def __init__(
        self,
        client: AsyncWebClient,
        launcher: Launcher,
        follower: RunFollower,
        *,
        control: RunControl | None = None,
    ) -> None:
        self.client = client
        self.launcher = launcher
        self.follower = follower
        self.specs = follower.specs
        self.control = control
        self._seen: dict[str, float] = {}

    def first_time(self, key: str) -> bool:
        """False if this Slack request was already handled (a retry or a double click)."""
        now = time.monotonic()
        for old in [k for k, at in self._seen.items() if now - at > DEDUPE_TTL_S]:
            del self._seen[old]
        if key in self._seen:
            return False
        self._seen[key] = now
        return True

    async def start(
        self,
        workflow: WorkflowType,
        request: BaseModel,
        *,
        user: str,
        channel: str,
        key: str,
        schedule: str | None = None,
    ) -> FlowRun | None:
        """Open a thread for a run of `workflow` and launch it; `PostError` if we can't post.

        `schedule` names the schedule that starts it (the parent message says so).
        """
        params_request = request.model_dump(mode="json")
        title = run_title(workflow, params_request)
        text = parent_text(title, user, schedule)
        try:
            parent = await call_slack(self.client.chat_postMessage, channel=channel, text=text)
        except SlackApiError as exc:
            raise PostError(post_problem(exc)) from exc
        run = SlackRun(workflow, title, channel, parent["ts"], user, schedule)
        return await self._start_recorded(run, params_request, key, f"started {workflow.value}")

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
        await self._check_start(
            spec.workflow,
            user,
            channel,
            f"tried to re-run {old.name} without the right",
            run_id=run_id,
            run_name=old.name,
        )
        params: dict[str, Any] = dict(old.parameters)
        origin = RunOrigin(source="slack", user=user, channel=channel, thread_ts=thread_ts)
        params["origin"] = origin.model_dump()
        title = f"{run_title(spec.workflow, params['request'])} (re-run of {old.name})"
        run = SlackRun(spec.workflow, title, channel, thread_ts, user)
        new = await self._launch(run, params, key, previous=old.name)
        if new is not None and self.control is not None:
            await self.control.record(
                None,
                AuditKind.RETRIED,
                user,
                f"re-ran {old.name} as {new.name}",
                run_id=run_id,
                run_name=old.name,
                workflow=spec.workflow.value,
                channel=channel,
                related_run_id=str(new.id),
                permalink=await permalink(self.client, channel, thread_ts),
            )
        return old.name

    async def start_in_thread(
        self,
        workflow: WorkflowType,
        request: BaseModel,
        *,
        user: str,
        channel: str,
        thread_ts: str,
        key: str,
        source_run: str | None = None,
    ) -> FlowRun | None:
        """Start `workflow` with `request` in an existing thread (a result's button).

        Raises `LaunchError` (with a message for the person) when they may not start it there.
        """
        await self._check_start(
            workflow,
            user,
            channel,
            f"tried to start {workflow.value} from a result without the right",
            run_id=source_run,
        )
        params_request = request.model_dump(mode="json")
        run = SlackRun(workflow, run_title(workflow, params_request), channel, thread_ts, user)
        what = f"started {workflow.value} from a result"
        return await self._start_recorded(run, params_request, key, what, source_run)

    async def _start_recorded(
        self,
        run: SlackRun,
        params_request: dict[str, Any],
        key: str,
        what: str,
        related_run_id: str | None = None,
    ) -> FlowRun | None:
        """Launch `run` with its request and Slack origin; the start goes to the audit trail."""
        origin = RunOrigin(
            source="schedule" if run.schedule else "slack",
            user=run.user,
            channel=run.channel,
            thread_ts=run.thread_ts,
        )
        params = {"request": params_request, "origin": origin.model_dump()}
        flow_run = await self._launch(run, params, key)
        if flow_run is not None and self.control is not None:
            await self.control.record(
                None,
                AuditKind.STARTED,
                run.user,
                f"{what}: {run.title}",
                run_id=str(flow_run.id),
                run_name=flow_run.name,
                workflow=run.workflow.value,
                channel=run.channel,
                related_run_id=related_run_id,
                permalink=await permalink(self.client, run.channel, run.thread_ts),
            )
        return flow_run

    async def _check_start(
        self,
        workflow: WorkflowType,
        user: str,
        channel: str,
        refused: str,
        *,
        run_id: str | None = None,
        run_name: str | None = None,
    ) -> None:
        """`LaunchError` saying why when `user` may not start `workflow` in `channel` (recorded)."""
        if self.control is None:
            return
        verdict = await self.control.may_start(workflow, user, channel)
        if verdict.allowed:
            return
        await self.control.record(
            None,
            AuditKind.START_DENIED,
            user,
            refused,
            run_id=run_id,
            run_name=run_name,
            workflow=workflow.value,
            channel=channel,
        )
        raise LaunchError(verdict.reason)

    async def _launch(
        self, run: SlackRun, params: dict[str, Any], key: str, previous: str | None = None
    ) -> FlowRun | None:
        """The first thread reply, then the flow run; a refusal is reported in the thread."""
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
                    *(["schedule", f"{SCHEDULE_TAG}{run.schedule}"] if run.schedule else []),
                ],
            )
        except LaunchError as exc:
            await self.follower.outcome.failure(run, str(exc), None)
            return None
        self.follower.follow(run, str(flow_run.id), progress)
        return flow_run


def _waiting_snapshot(spec: FlowSpec) -> RunSnapshot:
    steps = [StepView(key=k, label=label) for k, label in spec.steps]
    return RunSnapshot(run_id="", run_name="starting…", workflow=spec.workflow.value, steps=steps)
