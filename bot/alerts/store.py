"""Alerts as records (Prefect variables): where each was posted, its level, who acknowledged it,
when it recovered. Every replica reads the same records, and a restart loses none.

Each thing that must happen once per alert is a create-only claim: the post (the alert record
itself), each escalation step (`alertstep_<id>-<level>`), the acknowledgement (`alertack_<id>`)
and the recovery (`alertrecovery_<id>`). Whoever creates the claim acts; the others do nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field, ValidationError

from workflows.models.health_check import AlertMetric
from workflows.state.records import Records


def now() -> datetime:
    """The time, in UTC."""
    return datetime.now(UTC)


class Escalation(BaseModel):
    """A level the alert reached after the first, when and by whom (None: the schedule)."""

    level: int  # counted from 0
    at: datetime
    by: str | None = None


class Alert(BaseModel):
    """One alert, from its crossing to its recovery."""

    alert_id: str
    metric: AlertMetric
    value: float
    threshold: float
    since: datetime
    detail: str = ""
    run_id: str | None = None
    run_name: str = ""
    run_link: str | None = None
    channel: str | None = None
    ts: str | None = None  # None while (or if) the post has not gone out
    permalink: str | None = None
    posted_at: datetime = Field(default_factory=now)
    level: int = 0
    escalations: list[Escalation] = Field(default_factory=list)
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    recovered_at: datetime | None = None
    recovered_value: float | None = None

    @property
    def active(self) -> bool:
        """Posted and not recovered."""
        return self.ts is not None and self.recovered_at is None

    @property
    def reached(self) -> dict[int, datetime]:
        """Level -> when it began (for `escalation_state`)."""
        return {0: self.posted_at, **{e.level: e.at for e in self.escalations}}

    @property
    def escalated_by(self) -> str | None:
        """Who brought the alert to its current level (None: the first level or the schedule)."""
        found = [e for e in self.escalations if e.level == self.level]
        return found[-1].by if found else None


class AlertStore:
    """The alert records and their once-only claims."""

    def __init__(self) -> None:
        self.alerts = Records("alert")
        self.steps = Records("alertstep")
        self.acks = Records("alertack")
        self.recoveries = Records("alertrecovery")

    async def get(self, alert_id: str) -> Alert | None:
        """The alert, or None (unknown, or a record we cannot read)."""
        found = await self.alerts.get(alert_id)
        if found is None:
            return None
        try:
            return Alert.model_validate(found)
        except ValidationError:
            return None

    async def claim(self, alert: Alert) -> bool:
        """Create the alert's record; False when it exists (posted, or being posted)."""
        return await self.alerts.claim(alert.alert_id, alert.model_dump(mode="json"))

    async def put(self, alert: Alert) -> None:
        """Save the alert as it is now."""
        await self.alerts.put(alert.alert_id, alert.model_dump(mode="json"))

    async def forget(self, alert_id: str) -> None:
        """Drop a record whose post failed (a later crossing may post again)."""
        await self.alerts.delete(alert_id)

    async def active(self, *, prune_before: datetime | None = None) -> list[Alert]:
        """Alerts posted and not recovered; those recovered before `prune_before` are deleted
        with their claims (the audit trail keeps their story), so the scan stays short."""
        found = []
        for value in (await self.alerts.all()).values():
            try:
                alert = Alert.model_validate(value)
            except ValidationError:
                continue
            if alert.active:
                found.append(alert)
            elif prune_before and alert.recovered_at and alert.recovered_at < prune_before:
                await self._delete(alert)
        return found

    async def _delete(self, alert: Alert) -> None:
        for level in range(1, alert.level + 1):
            await self.steps.delete(f"{alert.alert_id}-{level}")
        await self.acks.delete(alert.alert_id)
        await self.recoveries.delete(alert.alert_id)
        await self.alerts.delete(alert.alert_id)

    async def claim_step(self, alert_id: str, level: int, by: str | None) -> bool:
        """The right to escalate `alert_id` to `level`, for one caller only."""
        return await self.steps.claim(f"{alert_id}-{level}", {"by": by, "at": now().isoformat()})

    async def claim_ack(self, alert_id: str, user: str) -> bool:
        """The right to acknowledge `alert_id`, for one caller only."""
        return await self.acks.claim(alert_id, {"by": user, "at": now().isoformat()})

    async def claim_recovery(self, alert_id: str) -> bool:
        """The right to announce `alert_id`'s recovery, for one caller only."""
        return await self.recoveries.claim(alert_id, {"at": now().isoformat()})
