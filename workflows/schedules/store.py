"""Schedules added at run time (Slack, terminal), kept as records where the runs are kept.

They live in Prefect's database (`Records("schedule")`), so they survive restarts and every
bot replica sees the same list. Entries of `schedules:` in the configuration file are read-only
here; names are unique across both.
"""

from __future__ import annotations

import logging

from pydantic import ValidationError

from workflows.schedules.models import ScheduleEntry
from workflows.state.records import Records

log = logging.getLogger(__name__)
KIND = "schedule"


class ScheduleStoreError(ValueError):
    """An add or remove that cannot be done; the message says why and what to do."""


class ScheduleStore:
    """The stored schedules, next to the read-only ones from the configuration."""

    def __init__(self, fixed: list[ScheduleEntry], records: Records | None = None) -> None:
        self.fixed = {entry.name: entry for entry in fixed}
        self.records = records or Records(KIND)

    async def stored(self) -> list[ScheduleEntry]:
        """The stored entries that are still valid; a bad one is skipped with a warning."""
        entries = []
        for key, value in sorted((await self.records.all()).items()):
            try:
                entries.append(ScheduleEntry.model_validate(value))
            except ValidationError as exc:
                log.warning("skipping stored schedule %r: %s", key, _one_line(exc))
        return entries

    async def all(self) -> list[ScheduleEntry]:
        """Configuration entries first, then the stored ones (a clashing stored name loses)."""
        stored = [e for e in await self.stored() if e.name not in self.fixed]
        return [*self.fixed.values(), *stored]

    async def add(self, entry: ScheduleEntry) -> None:
        """Store `entry`; `ScheduleStoreError` when its name is taken (atomic across replicas)."""
        if entry.name in self.fixed:
            raise ScheduleStoreError(
                f"A schedule named `{entry.name}` is defined in orchestration_config.yaml; "
                "choose another name."
            )
        if not await self.records.claim(entry.name, entry.model_dump(mode="json")):
            raise ScheduleStoreError(
                f"A schedule named `{entry.name}` exists already; remove it first or choose "
                "another name."
            )

    async def get(self, name: str) -> ScheduleEntry | None:
        """The entry called `name`, from the configuration or the store."""
        if name in self.fixed:
            return self.fixed[name]
        value = await self.records.get(name)
        try:
            return ScheduleEntry.model_validate(value) if value is not None else None
        except ValidationError:
            return None

    async def remove(self, name: str) -> None:
        """Delete the stored entry `name`; `ScheduleStoreError` for a fixed or unknown one."""
        if name in self.fixed:
            where = (
                "built into the bot (set monitoring_enabled: false to turn it off)"
                if self.fixed[name].source == "builtin"
                else "defined in orchestration_config.yaml; remove it there"
            )
            raise ScheduleStoreError(f"`{name}` is {where}.")
        if not await self.records.delete(name):
            raise ScheduleStoreError(
                f"There is no schedule named `{name}`. `/cicd schedule list` shows them."
            )


def _one_line(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}"
        for e in exc.errors(include_url=False)
    )
