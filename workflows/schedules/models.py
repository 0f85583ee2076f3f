"""`ScheduleEntry`: one job of the in-bot scheduler, from `schedules:` in YAML or from Slack."""

from __future__ import annotations

import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from workflows.types import CATALOG, WorkflowType

SCHEDULE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")


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
    """Run `workflow` with `parameters` at every `cron` time in `timezone`; report to `channel`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="unique, e.g. morning-digest")
    cron: str = Field(description="five-field crontab, e.g. '0 9 * * 1-5'")
    timezone: str = "UTC"
    channel: str = Field(description="Slack channel ID the run reports to, e.g. C0DEPLOYS")
    workflow: WorkflowType
    parameters: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True
    source: Literal["config", "slack", "cli"] = "config"
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
    def _cron(cls, value: str) -> str:
        return check_cron(value)

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
