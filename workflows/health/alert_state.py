"""Threshold alerts with hysteresis: post once on a crossing, once on the recovery.

A metric *crosses* when its value is at or above its threshold and stays there for `duration`
(0: at once); it *recovers* when its value is below `threshold - margin` for `duration`. Values
between the two change nothing, so a metric hovering around its threshold does not flap. A
threshold of 100 switches the metric's alert off (an active one recovers).
`advance` is pure; `load_state`/`save_state` keep the state in `Records("alertstate")`, where
every bot replica and worker sees it and a restart loses nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from workflows.models.health_check import AlertChange, AlertMetric, MetricReading
from workflows.state.records import Records

RECORD_KIND = "alertstate"
RECORD_KEY = "thresholds"
OFF = 100.0  # a threshold of 100 switches a metric's alert off


class MetricState(BaseModel):
    """One metric: whether its alert is active, and a change waiting out `duration`."""

    active: bool = False
    alert_id: str | None = None
    since: datetime | None = None  # when the active alert's value first crossed
    pending_since: datetime | None = None  # first check of a crossing/recovery not yet posted


class AlertState(BaseModel):
    """Every watched metric's state."""

    metrics: dict[AlertMetric, MetricState] = Field(default_factory=dict)

    @property
    def active(self) -> list[AlertMetric]:
        """The metrics with an active alert, in `AlertMetric` order."""
        return [m for m in AlertMetric if (s := self.metrics.get(m)) is not None and s.active]


def advance(
    state: AlertState,
    readings: list[MetricReading],
    now: datetime,
    margin_percent: float,
    duration: timedelta,
) -> tuple[AlertState, list[AlertChange]]:
    """The state after this check's `readings`, and the crossings and recoveries to post.

    Metrics without a reading this time (no runs in the window) keep their state.
    """
    metrics = dict(state.metrics)
    changes: list[AlertChange] = []
    for reading in readings:
        current = metrics.get(reading.metric, MetricState())
        updated, change = _step(current, reading, now, margin_percent, duration)
        metrics[reading.metric] = updated
        if change is not None:
            changes.append(change)
    return AlertState(metrics=metrics), changes


def _step(
    state: MetricState,
    reading: MetricReading,
    now: datetime,
    margin_percent: float,
    duration: timedelta,
) -> tuple[MetricState, AlertChange | None]:
    off = reading.threshold >= OFF  # a percentage cannot pass 100: that metric never alerts
    if not state.active:
        if off or reading.value < reading.threshold:
            return MetricState(), None
        first = state.pending_since or now
        if now - first < duration:
            return MetricState(pending_since=first), None
        alert_id = f"{reading.metric.value}-{first:%Y%m%d%H%M%S}"
        change = _change(alert_id, reading, "crossed", first, margin_percent)
        return MetricState(active=True, alert_id=alert_id, since=first), change
    if not off and reading.value >= reading.threshold - margin_percent:
        return state.model_copy(update={"pending_since": None}), None
    first = state.pending_since or now
    if now - first < duration:
        return state.model_copy(update={"pending_since": first}), None
    alert_id = state.alert_id or f"{reading.metric.value}-{first:%Y%m%d%H%M%S}"
    return MetricState(), _change(alert_id, reading, "recovered", first, margin_percent)


def _change(
    alert_id: str, reading: MetricReading, kind: str, since: datetime, margin_percent: float
) -> AlertChange:
    name = reading.metric.value.replace("_", " ")
    if kind == "crossed":
        detail = f"{name} {reading.value:g}% is at or above {reading.threshold:g}%"
    else:
        floor = reading.threshold - margin_percent
        detail = (
            f"{name} {reading.value:g}% is back below {floor:g}% ({reading.threshold:g}% - margin)"
        )
    return AlertChange(
        alert_id=alert_id,
        metric=reading.metric,
        kind=kind,
        value=reading.value,
        threshold=reading.threshold,
        since=since,
        detail=detail,
    )


async def load_state(records: Records | None = None) -> AlertState:
    """The stored state, or a fresh one (nothing active)."""
    found = await (records or Records(RECORD_KIND)).get(RECORD_KEY)
    return AlertState.model_validate(found) if found else AlertState()


async def save_state(state: AlertState, records: Records | None = None) -> None:
    """Store the state for the next check (a few hundred characters of JSON)."""
    await (records or Records(RECORD_KIND)).put(RECORD_KEY, state.model_dump(mode="json"))
