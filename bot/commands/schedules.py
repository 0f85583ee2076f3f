"""`/cicd schedule list|add|remove`: the scheduler's jobs from Slack.

Words are checked before `ack()` (a mistake is answered at once); the store lives in Prefect,
so everything else happens after the ack and is answered with `respond()`, ephemerally.
Adding or removing a schedule needs the right to start its workflow type in its channel.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks.schedules import schedules_blocks
from bot.commands.parsing import ScheduleCommand
from bot.schedules.entries import ScheduleInputError, parse_add
from bot.schedules.scheduler import next_run
from bot.services import BotServices
from workflows.governance import audit
from workflows.governance.audit import AuditKind, AuditRecord
from workflows.schedules.models import ScheduleEntry
from workflows.schedules.store import ScheduleStore, ScheduleStoreError
from workflows.types import WorkflowType

log = logging.getLogger(__name__)
UNREACHABLE = "⚠️ I couldn't reach the schedule store (Prefect); try again in a minute."


async def handle_schedule(
    services: BotServices,
    parsed: ScheduleCommand,
    command: dict[str, Any],
    ack: AsyncAck,
    respond: AsyncRespond,
) -> None:
    """List, add or remove a schedule; every answer is ephemeral."""
    if parsed.action == "list":
        await ack()
        await _list(services, respond)
    elif parsed.action == "add":
        try:
            entry = parse_add(
                parsed.words,
                channel=command.get("channel_id"),
                specs=services.runs.specs,
                repo=services.config.cicd_repo,
                source="slack",
                created_by=command.get("user_id"),
            )
        except ScheduleInputError as exc:
            await ack(response_type="ephemeral", text=f"⚠️ {exc}")
            return
        await ack()
        await _add(services, entry, command, respond)
    else:
        if len(parsed.words) != 1:
            await ack(response_type="ephemeral", text="⚠️ Say which: `/cicd schedule remove NAME`.")
            return
        await ack()
        await _remove(services, parsed.words[0].lower(), command, respond)


def store_of(services: BotServices) -> ScheduleStore:
    """The running scheduler's store (config and built-in entries included), or a new one."""
    if services.schedules is not None:
        return services.schedules.store
    return ScheduleStore(list(services.config.schedules))


async def _list(services: BotServices, respond: AsyncRespond) -> None:
    try:
        entries = await store_of(services).all()
    except Exception:
        log.exception("could not read the schedules")
        await respond(response_type="ephemeral", text=UNREACHABLE)
        return
    upcoming: dict[str, datetime | None] = {e.name: next_run(e) for e in entries}
    blocks = schedules_blocks(entries, upcoming)
    await respond(response_type="ephemeral", text="Schedules", blocks=blocks)


async def _add(
    services: BotServices, entry: ScheduleEntry, command: dict[str, Any], respond: AsyncRespond
) -> None:
    user = command["user_id"]
    what = f"tried to schedule {entry.workflow.value} as `{entry.name}` without the right"
    if not await _allowed(services, entry.workflow, user, entry.channel, what, respond):
        return
    try:
        await store_of(services).add(entry)
    except ScheduleStoreError as exc:
        await respond(response_type="ephemeral", text=f"⚠️ {exc}")
        return
    except Exception:
        log.exception("could not store schedule %s", entry.name)
        await respond(response_type="ephemeral", text=UNREACHABLE)
        return
    await _record(
        services,
        AuditKind.SCHEDULE_ADDED,
        user,
        f"scheduled `{entry.name}`: {entry.workflow.value} {entry.when()}",
        entry,
    )
    if services.schedules is not None:
        services.schedules.refresh_soon()
    upcoming = next_run(entry)
    at = upcoming.strftime("%Y-%m-%d %H:%M:%S %Z") if upcoming else "never"
    await respond(
        response_type="ephemeral",
        text=f"✅ Scheduled `{entry.name}`: {entry.workflow.value} {entry.when()} in "
        f"<#{entry.channel}>. Next run: {at}.",
    )


async def _remove(
    services: BotServices, name: str, command: dict[str, Any], respond: AsyncRespond
) -> None:
    user = command["user_id"]
    store = store_of(services)
    try:
        entry = await store.get(name)
        if entry is None or entry.read_only:
            # Refuses a fixed or unknown name, saying why; deletes a record no longer readable.
            await store.remove(name)
        else:
            what = f"tried to remove schedule `{name}` without the right"
            if not await _allowed(services, entry.workflow, user, entry.channel, what, respond):
                return
            await store.remove(name)
    except ScheduleStoreError as exc:
        await respond(response_type="ephemeral", text=f"⚠️ {exc}")
        return
    except Exception:
        log.exception("could not remove schedule %s", name)
        await respond(response_type="ephemeral", text=UNREACHABLE)
        return
    await _record(services, AuditKind.SCHEDULE_REMOVED, user, f"removed schedule `{name}`", entry)
    if services.schedules is not None:
        services.schedules.refresh_soon()
    await respond(response_type="ephemeral", text=f"🗑️ Removed schedule `{name}`.")


async def _allowed(
    services: BotServices,
    workflow: WorkflowType,
    user: str,
    channel: str,
    refused: str,
    respond: AsyncRespond,
) -> bool:
    """The start right of `workflow` in `channel`; a refusal is answered and audited."""
    control = services.control
    if control is None:
        return True
    verdict = await control.may_start(workflow, user, channel)
    if verdict.allowed:
        return True
    await respond(response_type="ephemeral", text=f"⛔ {verdict.reason}")
    await control.record(
        None, AuditKind.SCHEDULE_DENIED, user, refused, workflow=workflow.value, channel=channel
    )
    return False


async def _record(
    services: BotServices, kind: AuditKind, user: str, what: str, entry: ScheduleEntry | None
) -> None:
    record = AuditRecord(
        kind=kind,
        actor=user,
        what=what,
        workflow=entry.workflow.value if entry else None,
        channel=entry.channel if entry else None,
    )
    await audit.record(None, services.config.cicd_data_dir, record)
