"""`ScheduleEntry`: one job of the in-bot scheduler, from `schedules:` in YAML or from Slack."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from workflows.governance.access import parse_duration
from workflows.types import CATALOG, WorkflowType

SCHEDULE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
MIN_EVERY = timedelta(seconds=1)  # short intervals are for tests; a real job says 5m or more


def check_cron(value: str) -> str:
    """A five-field crontab expression (minute hour day month weekday), or ValueError."""
    from apscheduler.triggers.cron import CronTrigger

    text = " ".join(value.split())
    if len(text.split(" ")) != 5:
        raise ValueError(
            f"'{value}' is not a cron expression of five fields (minute hour day month "
            "weekday), e.g. '0 9 * * 1-5' for 09:00 on weekdays"
        )
    try:
        CronTrigger.from_crontab(text)
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a valid cron expression: {exc}") from None
    return text


class ScheduleEntry(BaseModel):
    """Run `workflow` with `parameters` at every `cron` time in `timezone` (or `every` so
    long); report to `channel`. Exactly one of `cron` and `every`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="unique, e.g. morning-digest")
    cron: str | None = Field(None, description="five-field crontab, e.g. '0 9 * * 1-5'")
    every: timedelta | None = Field(None, description="a fixed interval instead, e.g. 30m")
    timezone: str = "UTC"
    channel: str = Field(description="Slack channel ID the run reports to, e.g. C0DEPLOYS")
    workflow: WorkflowType
    parameters: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True
    source: Literal["config", "builtin", "slack", "cli"] = "config"
    created_by: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not SCHEDULE_NAME.match(value):
            raise ValueError(
                f"'{value}' is not a schedule name: lower-case letters, digits, - and _, "
                "at most 48, e.g. morning-digest"
            )
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else check_cron(value)

    @field_validator("every", mode="before")
    @classmethod
    def _every(cls, value: object) -> timedelta | None:
        if value is None:
            return None
        every = parse_duration(value)
        if every < MIN_EVERY:
            raise ValueError("`every` must be at least 1s (e.g. 30s, 5m, 1h)")
        return every

    @model_validator(mode="after")
    def _one_timing(self) -> ScheduleEntry:
        if (self.cron is None) == (self.every is None):
            raise ValueError(
                "give exactly one of `cron` (e.g. '0 9 * * 1-5') and `every` (e.g. 30m)"
            )
        return self

    @field_serializer("every")
    def _every_text(self, value: timedelta | None) -> str | None:
        return None if value is None else format_duration(value)

    @property
    def read_only(self) -> bool:
        """Defined in the configuration file (or built in): not removable at run time."""
        return self.source in ("config", "builtin")

    def when(self) -> str:
        """When it runs, in words: `every 5m` or `cron 0 9 * * 1-5 (Europe/Berlin)`."""
        if self.every is not None:
            return f"every {format_duration(self.every)}"
        return f"cron `{self.cron}` ({self.timezone})"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"'{value}' is not a time zone name such as Europe/Berlin or UTC"
            ) from None
        return value

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not CHANNEL_ID.match(value):
            raise ValueError(f"'{value}' is not a Slack channel ID such as C0DEPLOYS")
        return value

    @field_validator("workflow")
    @classmethod
    def _implemented(cls, value: WorkflowType) -> WorkflowType:
        if not CATALOG[value].implemented:
            runnable = ", ".join(t.value for t, i in CATALOG.items() if i.implemented)
            raise ValueError(f"{value.value} is not implemented yet; types that run: {runnable}")
        return value


def format_duration(value: timedelta) -> str:
    """timedelta(seconds=5400) -> `1h30m`; the form `every:` accepts."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"
