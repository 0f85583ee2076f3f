"""Telling an escalation level: a thread mention, direct messages, a higher Linear priority."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from blocks.approvals import direct_text, escalation_text
from bot.directory import SlackDirectory
from bot.slack_api import call_slack
from workflows.config import OrchestrationConfig
from workflows.governance.access import Principals
from workflows.governance.approvals import ApprovalRequest

log = logging.getLogger(__name__)
MAX_DIRECT_MESSAGES = 25  # a huge group gets the thread mention, not hundreds of DMs


def linear_priority(level: int) -> int:
    """Linear priority for escalation `level` (1 = the first escalation): High, then Urgent."""
    return 2 if level <= 1 else 1


class Notifier:
    """Tells the people of one escalation level, by every channel we have."""

    def __init__(
        self, client: AsyncWebClient, directory: SlackDirectory, config: OrchestrationConfig
    ) -> None:
        self.client = client
        self.directory = directory
        self.config = config

    async def notify(
        self,
        request: ApprovalRequest,
        level: int,
        notify: Principals,
        *,
        channel: str,
        thread_ts: str,
        permalink: str | None,
        by: str | None,
    ) -> list[str]:
        """Mention in the thread (not for level 0: the request itself mentions them), DM each
        person, raise the Linear issue's priority on escalation. Returns what was done."""
        done: list[str] = []
        if level > 0:
            text = escalation_text(level, notify, permalink, by)
            try:
                await call_slack(
                    self.client.chat_postMessage, channel=channel, thread_ts=thread_ts, text=text
                )
                done.append("mentioned in the thread")
            except SlackApiError as exc:
                log.warning("escalation reply not posted: %s", exc.response.get("error"))
        people = await self.directory.people(notify.users, notify.groups)
        sent = 0
        for user in people[:MAX_DIRECT_MESSAGES]:
            try:
                await call_slack(
                    self.client.chat_postMessage,
                    channel=user,
                    text=direct_text(request, level, permalink),
                )
                sent += 1
            except SlackApiError as exc:
                log.warning("DM to %s not sent: %s", user, exc.response.get("error"))
        if sent:
            done.append(f"{sent} DM{'s' if sent != 1 else ''}")
        if level > 0 and request.linear_issue:
            raised = await asyncio.to_thread(self._raise_priority, request.linear_issue, level)
            if raised:
                done.append(raised)
        return done

    def _raise_priority(self, issue: str, level: int) -> str | None:
        """Raise (never lower) the issue's priority; a Linear problem is logged, not fatal."""
        from workflows.integrations.linear import Linear, linear_configured

        if not linear_configured(self.config):
            return None
        wanted = linear_priority(level)
        try:
            with Linear.from_config(self.config) as linear:
                found = linear.issue(issue)
                if found.priority != 0 and found.priority <= wanted:
                    return None
                linear.set_priority(found.id, wanted)
        except Exception as exc:
            log.warning("Linear issue %s priority not raised: %s", issue, exc)
            return None
        return f"Linear {issue} priority raised to {'high' if wanted == 2 else 'urgent'}"
