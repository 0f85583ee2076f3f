"""Open issue on a result: a Linear issue from the run's result (or one finding), opened once.

The person needs the right to start the run's workflow type where they click (as for
Re-run). Linear is called off the event loop; presses are handled one at a time, so two
quick clicks find the issue the first one opened.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.analysis import slack_link
from blocks.results import render_result
from bot.runs.control import RunControl
from bot.runs.finished import FinishedRun, RunNotReadable, read_finished
from bot.slack_api import call_slack, permalink
from workflows.analysis.models import Finding
from workflows.config import OrchestrationConfig
from workflows.governance.audit import AuditKind
from workflows.integrations.linear_results import (
    IssueContext,
    IssueDraft,
    OpenedIssue,
    draft_for_finding,
    draft_for_result,
    github_links,
    missing_settings,
    open_issue,
)
from workflows.integrations.retrying import IntegrationError
from workflows.models.result_findings import (
    MAX_FINDINGS,
    Summarised,
    findings_of,
    nothing_to_report,
    source_of,
)
from workflows.registry import FlowSpec
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
EVERYTHING = 100_000


def not_set_up(missing: list[str]) -> str:
    """The private answer without Linear: exactly which settings to add."""
    what = " and ".join(f"`{name}`" for name in missing)
    return (
        f"📋 Linear is not set up: set {what} where the bot runs (`LINEAR_API_KEY`: a Linear "
        "personal API key; `LINEAR_TEAM_KEY`: the team's key, such as `ZAM`), restart it, "
        "then press Open issue again."
    )


class ResultIssues:
    """Opens (or finds again) the Linear issue of a result or of one of its findings."""

    def __init__(
        self,
        client: AsyncWebClient,
        config: OrchestrationConfig,
        specs: dict[WorkflowType, FlowSpec],
        control: RunControl | None,
    ) -> None:
        self.client = client
        self.config = config
        self.specs = specs
        self.control = control
        self._lock = asyncio.Lock()

    async def open(
        self, run_id: str, index: int | None, *, user: str, channel: str, thread_ts: str
    ) -> str | None:
        """Open the issue and say so in the thread; returns a private answer, if any."""
        missing = missing_settings(self.config)
        if missing:
            return not_set_up(missing)
        try:
            finished = await read_finished(run_id, self.specs)
        except RunNotReadable as exc:
            return f"⚠️ {exc}"
        refusal = await self._refusal(finished, user, channel)
        if refusal:
            return refusal
        idle = nothing_to_report(finished.result) if index is None else None
        if idle:
            return idle
        thread_url = await permalink(self.client, channel, thread_ts)
        draft, finding = self._draft(finished, index, user, thread_url)
        if draft is None:
            return "⚠️ That finding is no longer listed in the result; nothing was opened."
        try:
            async with self._lock:
                opened = await asyncio.to_thread(open_issue, self.config, draft)
        except IntegrationError as exc:
            log.warning("Open issue on run %s: %s", run_id, exc)
            return f"⚠️ Linear: {exc.message}. Nothing was opened."
        await self._announce(opened, user, channel, thread_ts, finding)
        await self._record(finished, opened, user, channel, thread_url)
        return None

    async def _refusal(self, finished: FinishedRun, user: str, channel: str) -> str | None:
        if self.control is None:
            return None
        verdict = await self.control.may_start(finished.spec.workflow, user, channel)
        if verdict.allowed:
            return None
        await self.control.record(
            None,
            AuditKind.DENIED,
            user,
            f"tried to open a Linear issue from run {finished.name} without the right",
            run_id=finished.run_id,
            run_name=finished.name,
            workflow=finished.spec.workflow.value,
            channel=channel,
        )
        return f"⛔ {verdict.reason} Nothing was opened."

    def _draft(
        self, finished: FinishedRun, index: int | None, user: str, thread_url: str | None
    ) -> tuple[IssueDraft | None, Finding | None]:
        result = finished.result
        rendered = render_result(result, finished.run_id, finished.name)
        linear_issue = getattr(result, "linear_issue", None)
        repository, web = github_links(self.config)
        source = source_of(result)
        summarised = result if isinstance(result, Summarised) else None
        context = IssueContext(
            run_id=finished.run_id,
            run_name=finished.name,
            title=finished.title,
            headline=rendered.text if rendered else finished.title,
            summary_title=summarised.issue_title() if summarised else None,
            details=summarised.issue_details() if summarised else [],
            source=source,
            thread_url=thread_url,
            requested_by=user,
            parent_issue=getattr(linear_issue, "id", None),
            github_repository=source.github_repository or repository,
            github_web=web,
        )
        if index is None:
            everything = findings_of(result, EVERYTHING)
            return draft_for_result(context, everything[:MAX_FINDINGS], len(everything)), None
        listed = findings_of(result, index + 1)
        if index >= len(listed):
            return None, None
        return draft_for_finding(context, listed[index]), listed[index]

    async def _announce(
        self, opened: OpenedIssue, user: str, channel: str, thread_ts: str, finding: Finding | None
    ) -> None:
        """`📋 Linear issue ZAM-12 opened by @user` (or `already open`) in the thread."""
        link = slack_link(opened.issue.url, opened.issue.identifier)
        about = f" for `{finding.path}:{finding.line}` {finding.rule}" if finding else ""
        if opened.created:
            under = f" under {opened.parent}" if opened.parent else ""
            text = f"📋 Linear issue {link} opened by <@{user}>{about}{under}"
        else:
            text = f"📋 Linear issue already open: {link}{about}"
        try:
            await call_slack(
                self.client.chat_postMessage, channel=channel, thread_ts=thread_ts, text=text
            )
        except SlackApiError as exc:
            log.warning("issue note not posted in %s: %s", channel, exc.response.get("error"))

    async def _record(
        self,
        finished: FinishedRun,
        opened: OpenedIssue,
        user: str,
        channel: str,
        thread_url: str | None,
    ) -> None:
        if self.control is None:
            return
        verb = "opened" if opened.created else "found again"
        await self.control.record(
            None,
            AuditKind.ISSUE_OPENED,
            user,
            f"{verb} Linear issue {opened.issue.identifier} from run {finished.name}",
            run_id=finished.run_id,
            run_name=finished.name,
            workflow=finished.spec.workflow.value,
            channel=channel,
            permalink=thread_url,
        )
