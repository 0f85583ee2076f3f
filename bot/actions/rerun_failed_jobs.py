"""The Re-run failed jobs button of a failure analysis: GitHub re-runs the failed jobs of the
analysed Actions run, once per click, for people who may start `failure_analysis` there.

The button's value names the flow run, the repository and the Actions run
(`blocks.actions.rerun_failed_value`), so a restarted bot still knows what to re-run.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from blocks import actions as ids
from blocks.analysis import slack_link
from bot.replies import NOT_READY, channel_of, tell_outcome
from bot.services import BotServices
from bot.slack_api import permalink
from workflows.config import OrchestrationConfig
from workflows.governance.audit import AuditKind
from workflows.integrations.github_models import WorkflowRun
from workflows.integrations.retrying import IntegrationError, IntegrationNotConfigured
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
WORKFLOW = WorkflowType.FAILURE_ANALYSIS


def rerun_on_github(
    config: OrchestrationConfig, repository: str, actions_run_id: int
) -> tuple[WorkflowRun, bool]:
    """The run, and whether its failed jobs were re-run now (False: it is not finished, so a
    re-run is already under way). Blocking: PyGithub."""
    from workflows.integrations.github_client import GitHubClient

    with GitHubClient.from_config(config, repository=repository) as gh:
        run = gh.get_workflow_run(actions_run_id)
        if run.status != "completed":
            return run, False
        gh.rerun_failed_jobs(actions_run_id)
        return run, True


class FailedJobsRerun:
    """One click's work: rights, GitHub, the audit record; returns the private answer."""

    def __init__(self, services: BotServices, client: AsyncWebClient) -> None:
        self.services = services
        self.client = client

    async def click(self, value: str, user: str, channel: str, message_ts: str | None) -> str:
        """Re-run the failed jobs named by the button `value` for `user`, if they may."""
        try:
            run_id, repository, actions_run_id = ids.parse_rerun_failed_value(value)
        except ValueError:
            return "⚠️ I don't recognise that button; nothing was re-run."
        control = self.services.control
        if control is None:
            return NOT_READY
        what = f"the failed jobs of Actions run {actions_run_id} in {repository}"
        verdict = await control.may_start(WORKFLOW, user, channel)
        if not verdict.allowed:
            await control.record(
                None, AuditKind.DENIED, user, f"tried to re-run {what} without the right",
                run_id=run_id, workflow=WORKFLOW.value, channel=channel,
            )  # fmt: skip
            return f"⛔ {verdict.reason} Nothing was re-run."
        try:
            run, started = await asyncio.to_thread(
                rerun_on_github, self.services.config, repository, actions_run_id
            )
        except IntegrationNotConfigured as exc:
            return (
                f"⚠️ GitHub is not set up for the bot ({exc.setting} is missing): set "
                "GITHUB_TOKEN, with the right to run Actions, where the bot runs."
            )
        except IntegrationError as exc:
            return f"⚠️ GitHub did not re-run the jobs: {exc.message}"
        link = slack_link(run.html_url, f"{run.name or 'run'} #{run.run_number}")
        if not started:
            return f"🔁 {link} is already {run.status} (attempt {run.run_attempt}); nothing new."
        await control.record(
            None,
            AuditKind.JOBS_RERUN,
            user,
            f"re-ran {what} ({run.name} #{run.run_number}, attempt {run.run_attempt + 1})",
            run_id=run_id,
            workflow=WORKFLOW.value,
            channel=channel,
            permalink=await permalink(self.client, channel, message_ts) if message_ts else None,
        )
        return f"🔁 GitHub is re-running the failed jobs of {link} (attempt {run.run_attempt + 1})."


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for the Re-run failed jobs button."""

    async def on_rerun_failed_jobs(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        # A click Slack sends again (same trigger) must not re-run twice.
        key = f"slack-rerun-failed:{body.get('team', {}).get('id')}:{body.get('trigger_id')}"
        if not services.runs.first_time(key):
            return
        value = body["actions"][0].get("value", "")
        user = body["user"]["id"]
        message_ts = (body.get("message") or {}).get("ts")
        work = FailedJobsRerun(services, client).click(
            value, user, channel_of(body) or "", message_ts
        )
        await tell_outcome(respond, work, f"re-run of failed jobs ({value}) by {user}")

    app.action(ids.RERUN_FAILED_JOBS)(on_rerun_failed_jobs)
