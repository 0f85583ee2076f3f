"""A run's thread in Slack: where it lives, its title, and the messages that end it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.results import render_result
from blocks.runs import cancelled_blocks, failure_blocks, parent_done_text
from bot.slack_api import call_slack
from workflows.registry import spec_of
from workflows.types import WorkflowType

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackRun:
    """Where one run lives in Slack."""

    workflow: WorkflowType
    title: str
    channel: str
    thread_ts: str
    user: str
    schedule: str | None = None  # the schedule that started it, if one did


def run_title(workflow: WorkflowType, request: dict[str, Any]) -> str:
    """What the thread is about, from the run's `request` parameter."""
    spec = spec_of(workflow)
    return spec.title_of(request) if spec else workflow.value.replace("_", " ").capitalize()


def post_problem(exc: SlackApiError) -> str:
    """Why the bot could not post in a channel, in words the person can act on."""
    error = exc.response.get("error") if exc.response is not None else None
    if error in ("not_in_channel", "channel_not_found"):
        return "I can't post in this channel. Invite me first: `/invite @cicd`."
    if error == "is_archived":
        return "This channel is archived; run the command in an active channel."
    return f"Slack refused my message ({error or 'unknown error'}); please try again."


class ThreadOutcome:
    """Posts how a run ended into its thread and marks the parent message."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def result(self, run: SlackRun, run_id: str, run_name: str, result: object) -> None:
        """The run's typed result, rendered by `blocks/`."""
        rendered = render_result(result, run_id, run_name)
        if rendered is None:
            await self.failure(run, f"unexpected result: {type(result).__name__}", run_id)
            return
        await call_slack(
            self.client.chat_postMessage,
            channel=run.channel,
            thread_ts=run.thread_ts,
            text=rendered.text,
            blocks=rendered.blocks,
        )
        await self.mark_parent(run, rendered.outcome)

    async def failure(self, run: SlackRun, reason: str, run_id: str | None) -> None:
        """The run failed (or never started): why, with a Re-run button when there is a run."""
        await self._post_end(
            run,
            f"{run.title} failed: {reason}",
            failure_blocks(run.title, reason, run_id),
            "❌ failed",
        )

    async def cancelled(self, run: SlackRun, reason: str, run_id: str) -> None:
        """The run was cancelled."""
        await self._post_end(
            run,
            f"{run.title} was cancelled: {reason}",
            cancelled_blocks(run.title, reason, run_id),
            "🛑 cancelled",
        )

    async def _post_end(self, run: SlackRun, text: str, blocks: list[Any], outcome: str) -> None:
        try:
            await call_slack(
                self.client.chat_postMessage,
                channel=run.channel,
                thread_ts=run.thread_ts,
                text=text,
                blocks=blocks,
            )
            await self.mark_parent(run, outcome)
        except SlackApiError as exc:
            log.error(
                "could not report %s in %s: %s", outcome, run.channel, exc.response.get("error")
            )

    async def mark_parent(self, run: SlackRun, outcome: str) -> None:
        """The thread's parent message says how the run ended."""
        try:
            await call_slack(
                self.client.chat_update,
                channel=run.channel,
                ts=run.thread_ts,
                text=parent_done_text(run.title, outcome, run.user, run.schedule),
            )
        except SlackApiError as exc:  # a re-run's thread parent may not be ours to edit
            log.info("parent message not updated: %s", exc.response.get("error"))
