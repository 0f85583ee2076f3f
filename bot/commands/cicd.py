"""The `/cicd` slash command: parse, check, ack at once, then start the work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks.audit import audit_blocks
from blocks.help import help_blocks, workflows_blocks
from bot.commands.parsing import (
    AuditCommand,
    CommandError,
    HelpCommand,
    RunCommand,
    ScheduleCommand,
    StartCommand,
    WorkflowsCommand,
    parse_command,
)
from bot.runs.starting import PostError
from bot.services import BotServices
from workflows.governance.audit import AuditKind, AuditRecord, read_audit
from workflows.parameters import ParameterError, parse_parameters, usage_lines
from workflows.repository.components import ComponentError, resolve_component
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
AUDIT_EVENTS_TIMEOUT_S = 1.5  # the ack must leave within 3 s; the local trail is instant


def make_handler(services: BotServices) -> Callable[..., Awaitable[None]]:
    """The listener for `/cicd`, closed over the bot's services."""

    async def handle_cicd(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        try:
            parsed = parse_command(command.get("text", ""))
            start = (
                _start_of(services, parsed, command.get("channel_id"))
                if isinstance(parsed, StartCommand)
                else None
            )
        except CommandError as exc:
            await ack(response_type="ephemeral", text=f"⚠️ {exc}")
            return
        if isinstance(parsed, HelpCommand):
            blocks = help_blocks(services.repo_label)
            await ack(response_type="ephemeral", text="cicd help", blocks=blocks)
            return
        if isinstance(parsed, WorkflowsCommand):
            blocks = workflows_blocks(_parameters(services))
            await ack(response_type="ephemeral", text="Workflow types", blocks=blocks)
            return
        if isinstance(parsed, AuditCommand):
            entries = await _audit_entries(services, parsed.run)
            blocks = audit_blocks(entries, parsed.run)
            await ack(response_type="ephemeral", text="Audit trail", blocks=blocks)
            return
        if isinstance(parsed, ScheduleCommand):
            from bot.commands.schedules import handle_schedule

            await handle_schedule(services, parsed, command, ack, respond)
            return
        if start is None or not await _may_start(services, start, command, ack, respond):
            return
        await _start(services, start, command, respond)

    return handle_cicd


@dataclass(frozen=True)
class Start:
    """A run to start: its type and its validated request."""

    workflow: WorkflowType
    request: BaseModel

    @property
    def component(self) -> str:
        """The component the run is about, for messages (`.` for the whole repository)."""
        return str(getattr(self.request, "component", "") or ".")


def _start_of(services: BotServices, parsed: StartCommand, channel: str | None = None) -> Start:
    """The typed request of a command that starts a run; `CommandError` saying what is wrong.

    A request with a `channel` field (a digest) defaults to the channel the command came from.
    """
    spec = services.runs.specs.get(parsed.workflow)
    if spec is None:
        raise CommandError(f"`{parsed.workflow.value}` is not served by this bot.")
    model = spec.request_type
    fixed = {"repo": services.config.cicd_repo} if "repo" in model.model_fields else {}
    if isinstance(parsed, RunCommand):
        try:
            defaults = {"channel": channel} if channel and "channel" in model.model_fields else {}
            request = parse_parameters(
                model, parsed.words, fixed=fixed, defaults=defaults, workflow=spec.workflow
            )
        except ParameterError as exc:
            raise CommandError(str(exc)) from None
    else:
        fields = {
            **fixed,
            "component": parsed.component,
            "ref": parsed.ref,
            "linear_issue_id": parsed.linear_issue_id,
        }
        try:
            request = model.model_validate(fields)
        except ValidationError as exc:
            raise CommandError(str(ParameterError.from_validation(exc))) from None
    component = getattr(request, "component", None)
    if isinstance(component, str):
        _check_component(services, component)
    return Start(parsed.workflow, request)


def _parameters(services: BotServices) -> dict[WorkflowType, list[str]]:
    """Each served type's `key=value` parameters (the repository is the bot's own)."""
    return {
        workflow: usage_lines(spec.request_type, fixed=["repo"])
        for workflow, spec in services.runs.specs.items()
    }


def _check_component(services: BotServices, component: str) -> None:
    """For a local repository, a missing or escaping path is refused before anything starts."""
    root = services.local_repo
    if root is None:
        return  # a remote repository is checked by the flow after checkout
    try:
        resolve_component(root, component)
    except ComponentError as exc:
        raise CommandError(f"{exc}. Try `/cicd analyze .` for the whole repository.") from None


async def _may_start(
    services: BotServices,
    start: Start,
    command: dict[str, Any],
    ack: AsyncAck,
    respond: AsyncRespond,
) -> bool:
    """Start rights (`access_policy`): refused at once, or after acking if groups must be read.

    Acks in every case; False when the run must not start.
    """
    control = services.control
    if control is None:
        await ack()
        return True
    user, channel = command["user_id"], command["channel_id"]
    verdict = control.start_verdict_now(start.workflow, user, channel)
    if verdict is not None and verdict.allowed:
        await ack()
        return True
    if verdict is None:  # user groups decide: ack first, Slack will not wait for them
        await ack()
        verdict = await control.may_start(start.workflow, user, channel)
        if verdict.allowed:
            return True
        await respond(response_type="ephemeral", text=f"⛔ {verdict.reason}")
    else:
        await ack(response_type="ephemeral", text=f"⛔ {verdict.reason}")
    await control.record(
        None,
        AuditKind.START_DENIED,
        user,
        f"tried to start {start.workflow.value} on {start.component} without the right",
        workflow=start.workflow.value,
        channel=channel,
    )
    return False


async def _start(
    services: BotServices, start: Start, command: dict[str, Any], respond: AsyncRespond
) -> None:
    key = f"slack:{command.get('team_id')}:{command.get('trigger_id')}"
    if not services.runs.first_time(key):
        log.info("ignoring a repeat of slash command %s", key)
        return
    where = {"user": command["user_id"], "channel": command["channel_id"], "key": key}
    try:
        await services.runs.start(start.workflow, start.request, **where)
    except PostError as exc:
        await respond(response_type="ephemeral", text=f"⚠️ {exc}")


async def _audit_entries(services: BotServices, run: str | None) -> list[AuditRecord]:
    """The local trail at once; Prefect's events too when they come back in time."""
    data_dir = services.config.cicd_data_dir
    if not services.runs.launcher.ready.is_set():
        return await read_audit(data_dir, run, limit=40)
    from prefect.client.orchestration import get_client

    try:
        async with get_client() as client:
            return await asyncio.wait_for(
                read_audit(data_dir, run, client=client, limit=40), AUDIT_EVENTS_TIMEOUT_S
            )
    except TimeoutError:
        return await read_audit(data_dir, run, limit=40)
