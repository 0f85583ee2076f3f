"""`cicd schedule list|add|remove`: the scheduler's jobs from the terminal.

Works against the Prefect API the bot uses (`PREFECT_API_URL`, or a running `cicd serve`'s
embedded server): the stored schedules live there, so a running bot picks changes up on its
next refresh (within about 30 s).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from blocks.plain import unmark
from workflows.config import OrchestrationConfig
from workflows.governance import audit
from workflows.governance.audit import AuditKind, AuditRecord
from workflows.schedules.models import ScheduleEntry

if TYPE_CHECKING:  # these import Prefect, which must see PREFECT_API_URL first
    from workflows.schedules.store import ScheduleStore

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PICKED_UP = "A running bot picks this up within about 30 s."


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`cicd schedule` and its three actions."""
    schedule = sub.add_parser(
        "schedule",
        help="list, add or remove scheduled runs (kept in the Prefect database)",
        description=f"Scheduled runs, shared with `/cicd schedule` in Slack. {PICKED_UP}",
    )
    actions = schedule.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="every schedule, configured and stored")
    listing.add_argument("--json", action="store_true", help="one JSON object per schedule")
    add = actions.add_parser(
        "add",
        help='add one: NAME "CRON"|every=30m TYPE channel=C… [key=value ...]',
        description='e.g. cicd schedule add nightly-audit "0 2 * * *" security_audit '
        "channel=C0DEPLOYS (tz=Europe/Berlin for a cron in that zone)",
    )
    add.add_argument("name")
    add.add_argument("when", metavar="WHEN", help='a quoted cron ("0 9 * * 1-5") or every=30m')
    add.add_argument("workflow", metavar="TYPE")
    add.add_argument("params", nargs="*", metavar="key=value", help="channel=C…, tz=…, parameters")
    remove = actions.add_parser("remove", help="remove a stored schedule")
    remove.add_argument("name")


async def run_schedule(args: argparse.Namespace, config: OrchestrationConfig) -> int:
    """The action's exit code: 0 done, 1 refused, 2 bad input."""
    from bot.schedules.entries import ScheduleInputError, parse_add
    from bot.schedules.scheduler import builtin_entries
    from workflows.registry import flow_specs
    from workflows.schedules.store import ScheduleStore

    specs = flow_specs(config)
    store = ScheduleStore([*config.schedules, *builtin_entries(config, specs)])
    if args.action == "add":
        try:
            entry = parse_add(
                [args.name, args.when, args.workflow, *args.params],
                channel=None,
                specs=specs,
                repo=config.cicd_repo,
                source="cli",
            )
        except ScheduleInputError as exc:
            print(f"error: {unmark(str(exc))}", file=sys.stderr)
            return EXIT_USAGE
        return await _change(config, store, entry, adding=True)
    if args.action == "remove":
        found = await store.get(args.name)
        if found is None or found.read_only:
            return await _refuse(store, args.name)
        return await _change(config, store, found, adding=False)
    entries = await store.all()
    if args.json:
        for entry in entries:
            print(json.dumps(_as_json(entry, next_run(entry))))
    else:
        _print_table(entries)
    return EXIT_OK


async def _change(
    config: OrchestrationConfig, store: ScheduleStore, entry: ScheduleEntry, *, adding: bool
) -> int:
    from workflows.schedules.store import ScheduleStoreError

    try:
        await (store.add(entry) if adding else store.remove(entry.name))
    except ScheduleStoreError as exc:
        print(f"error: {unmark(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    kind = AuditKind.SCHEDULE_ADDED if adding else AuditKind.SCHEDULE_REMOVED
    what = (
        f"scheduled `{entry.name}` from the terminal: {entry.workflow.value} {entry.when()}"
        if adding
        else f"removed schedule `{entry.name}` from the terminal"
    )
    record = AuditRecord(
        kind=kind, actor="system", what=what, workflow=entry.workflow.value, channel=entry.channel
    )
    await audit.record(None, config.cicd_data_dir, record)
    if adding:
        upcoming = next_run(entry)
        print(
            f"scheduled {entry.name}: {entry.workflow.value} {unmark(entry.when())} "
            f"in {entry.channel}; next run {_at(upcoming)}. {PICKED_UP}"
        )
    else:
        print(f"removed schedule {entry.name}. {PICKED_UP}")
    return EXIT_OK


async def _refuse(store: ScheduleStore, name: str) -> int:
    from workflows.schedules.store import ScheduleStoreError

    try:
        await store.remove(name)  # refuses a fixed or unknown name; deletes an unreadable one
    except ScheduleStoreError as exc:
        print(f"error: {unmark(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    print(f"removed {name}, a stored schedule that could no longer be read. {PICKED_UP}")
    return EXIT_OK


def next_run(entry: ScheduleEntry) -> datetime | None:
    """When `entry` fires next."""
    from bot.schedules.scheduler import next_run as upcoming

    return upcoming(entry)


def _as_json(entry: ScheduleEntry, upcoming: datetime | None) -> dict[str, object]:
    return {
        **entry.model_dump(mode="json"),
        "when": unmark(entry.when()),
        "next_run": upcoming.isoformat() if upcoming else None,
    }


def _at(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %Z") if value else "never"


def _print_table(entries: list[ScheduleEntry]) -> None:
    if not entries:
        print('no schedules; add one: cicd schedule add NAME "0 2 * * *" TYPE channel=C…')
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "when", "next run", "type", "parameters", "channel", "source")
    for entry in entries:
        table.add_row(
            entry.name,
            unmark(entry.when()),
            _at(next_run(entry)),
            entry.workflow.value,
            json.dumps(entry.parameters, sort_keys=True) if entry.parameters else "",
            entry.channel,
            entry.source,
        )
    Console(highlight=False, width=160).print(table)
