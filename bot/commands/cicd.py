"""The `/cicd` slash command: parse, check, ack at once, then start the work."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks.help import help_blocks, workflows_blocks
from bot.commands.parsing import (
    AnalyzeCommand,
    CommandError,
    HelpCommand,
    WorkflowsCommand,
    parse_command,
)
from bot.services import BotServices
from bot.slack_runs import PostError
from workflows.components import ComponentError, resolve_component
from workflows.models import AnalysisRequest

log = logging.getLogger(__name__)


def make_handler(services: BotServices) -> Any:
    """The listener for `/cicd`, closed over the bot's services."""

    async def handle_cicd(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        try:
            parsed = parse_command(command.get("text", ""))
            if isinstance(parsed, AnalyzeCommand):
                _check_component(services, parsed.component)
        except CommandError as exc:
            await ack(response_type="ephemeral", text=f"⚠️ {exc}")
            return
        if isinstance(parsed, HelpCommand):
            blocks = help_blocks(services.repo_label)
            await ack(response_type="ephemeral", text="cicd help", blocks=blocks)
            return
        if isinstance(parsed, WorkflowsCommand):
            await ack(response_type="ephemeral", text="Workflow types", blocks=workflows_blocks())
            return
        await ack()
        await _start_analysis(services, parsed, command, respond)

    return handle_cicd


def _check_component(services: BotServices, component: str) -> None:
    """For a local repository, a missing or escaping path is refused before anything starts."""
    root = services.local_repo
    if root is None:
        return  # a remote repository is checked by the flow after checkout
    try:
        resolve_component(root, component)
    except ComponentError as exc:
        raise CommandError(f"{exc}. Try `/cicd analyze .` for the whole repository.") from None


async def _start_analysis(
    services: BotServices, parsed: AnalyzeCommand, command: dict[str, Any], respond: AsyncRespond
) -> None:
    key = f"slack:{command.get('team_id')}:{command.get('trigger_id')}"
    if not services.runs.first_time(key):
        log.info("ignoring a repeat of slash command %s", key)
        return
    request = AnalysisRequest(
        repo=services.config.cicd_repo,
        component=parsed.component,
        ref=parsed.ref,
        linear_issue_id=parsed.linear_issue_id,
    )
    try:
        await services.runs.start_analysis(
            request, user=command["user_id"], channel=command["channel_id"], key=key
        )
    except PostError as exc:
        await respond(response_type="ephemeral", text=f"⚠️ {exc}")
