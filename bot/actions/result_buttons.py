"""Open issue and Ask for a fix on a result: acknowledged at once, done once per click."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks import actions as ids
from bot.replies import NOT_READY, channel_of, tell, tell_outcome
from bot.runs.fix_requests import request_fix
from bot.runs.result_issues import ResultIssues
from bot.services import BotServices


def _where(body: dict[str, Any]) -> tuple[str, str, str]:
    """(user, channel, thread ts) of a click on a message in a run's thread."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    thread_ts = (
        message.get("thread_ts")
        or container.get("thread_ts")
        or message.get("ts")
        or container.get("message_ts")
        or ""
    )
    return body["user"]["id"], channel_of(body) or "", thread_ts


def _key(kind: str, body: dict[str, Any]) -> str:
    """The click's exactly-once key: Slack's trigger id (a retried delivery repeats it)."""
    return f"slack-{kind}:{body.get('team', {}).get('id')}:{body.get('trigger_id')}"


def register(app: AsyncApp, services: BotServices) -> None:
    """Listen for Open issue (on a result or on one finding) and Ask for a fix."""
    runs = services.runs
    issues = ResultIssues(runs.client, services.config, runs.specs, services.control)

    async def on_open_issue(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        action = body["actions"][0]
        if not runs.first_time(_key("issue", body)):
            return
        if not runs.launcher.ready.is_set():
            await tell(respond, NOT_READY)
            return
        value = action.get("value", "")
        index: int | None = None
        if action["action_id"] == ids.OPEN_FINDING_ISSUE:
            try:
                value, index = ids.parse_finding_value(value)
            except ValueError:
                await tell(respond, "⚠️ That button does not name a finding; nothing was done.")
                return
        user, channel, thread_ts = _where(body)
        work = issues.open(value, index, user=user, channel=channel, thread_ts=thread_ts)
        await tell_outcome(respond, work, f"Open issue on run {value} by {user}")

    async def on_request_fix(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        key = _key("fix", body)
        if not runs.first_time(key):
            return
        if not runs.launcher.ready.is_set():
            await tell(respond, NOT_READY)
            return
        run_id = body["actions"][0].get("value", "")
        user, channel, thread_ts = _where(body)
        work = request_fix(
            runs, services.config, run_id, user=user, channel=channel, thread_ts=thread_ts, key=key
        )
        await tell_outcome(respond, work, f"Ask for a fix on run {run_id} by {user}")

    app.action(ids.OPEN_ISSUE)(on_open_issue)
    app.action(ids.OPEN_FINDING_ISSUE)(on_open_issue)
    app.action(ids.REQUEST_FIX)(on_request_fix)
