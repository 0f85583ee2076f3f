"""Verdicts: each component's status and score against `alert_thresholds`, and the overall one.

Rules (a metric is a percentage: cpu, memory, disk, error rate, worst workflow failure rate):
- value >= threshold: UNHEALTHY; value >= threshold - margin: DEGRADED; else OK. A threshold
  of 100 switches the metric off (always OK, never alerted): a saturated CPU at 100% would
  otherwise be "past" it.
- an integration that does not answer: UNHEALTHY; slower than 2 s: DEGRADED; not configured:
  UNKNOWN. No run ended in the window: the two rates are UNKNOWN.
- the overall status is the worst of the known ones; UNKNOWN never counts against it.

Score (0-100, 100 = perfect): a metric's headroom below its threshold, `100 * (threshold -
value) / threshold` (0 at or past the threshold); an integration 100 when fast, 50 when slow,
0 when down; UNKNOWN components score 0 and are left out of the overall status.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.config import AlertThresholds
from workflows.models.health_check import (
    AlertMetric,
    ComponentHealth,
    HealthStatus,
    HostResources,
    IntegrationCheck,
    MetricReading,
    RunRates,
)

SLOW_MS = 2000.0
OFF = 100.0  # a threshold of 100 switches a metric off: reported, never judged or alerted
_RANK = {HealthStatus.OK: 0, HealthStatus.DEGRADED: 1, HealthStatus.UNHEALTHY: 2}


@dataclass(frozen=True)
class Verdict:
    """What `judge` concludes."""

    components: list[ComponentHealth]
    status: HealthStatus
    readings: list[MetricReading]


def thresholds_of(limits: AlertThresholds) -> dict[AlertMetric, float]:
    """`alert_thresholds` by metric."""
    return {
        AlertMetric.CPU: limits.cpu_usage_percent,
        AlertMetric.MEMORY: limits.memory_usage_percent,
        AlertMetric.DISK: limits.disk_usage_percent,
        AlertMetric.ERROR_RATE: limits.error_rate_percent,
        AlertMetric.WORKFLOW_FAILURE_RATE: limits.workflow_failure_rate_percent,
    }


def readings_of(
    host: HostResources, rates: RunRates, limits: AlertThresholds
) -> list[MetricReading]:
    """Every metric measured this time; the rates only when a run ended in the window."""
    threshold = thresholds_of(limits)
    values: dict[AlertMetric, float | None] = {
        AlertMetric.CPU: host.cpu_percent,
        AlertMetric.MEMORY: host.memory_percent,
        AlertMetric.DISK: host.disk_percent,
        AlertMetric.ERROR_RATE: rates.error_rate_percent,
        AlertMetric.WORKFLOW_FAILURE_RATE: rates.worst.failure_rate_percent
        if rates.worst is not None
        else None,
    }
    return [
        MetricReading(metric=metric, value=value, threshold=threshold[metric])
        for metric, value in values.items()
        if value is not None
    ]


def metric_status(value: float, threshold: float, margin_percent: float) -> HealthStatus:
    """UNHEALTHY at or past the threshold, DEGRADED within the margin below it, else OK.

    A threshold of 100 is off (a percentage cannot pass it): always OK.
    """
    if threshold >= OFF:
        return HealthStatus.OK
    if value >= threshold:
        return HealthStatus.UNHEALTHY
    if value >= threshold - margin_percent:
        return HealthStatus.DEGRADED
    return HealthStatus.OK


def metric_score(value: float, threshold: float) -> int:
    """The headroom left below the threshold, as a percentage of the threshold."""
    if threshold <= 0 or value >= threshold:
        return 0
    return max(0, min(100, round(100 * (threshold - value) / threshold)))


def integration_health(check: IntegrationCheck) -> ComponentHealth:
    """Down: UNHEALTHY; slower than `SLOW_MS`: DEGRADED; not configured: UNKNOWN."""
    if not check.configured:
        status, score = HealthStatus.UNKNOWN, 0
    elif not check.ok:
        status, score = HealthStatus.UNHEALTHY, 0
    elif check.latency_ms is not None and check.latency_ms > SLOW_MS:
        status, score = HealthStatus.DEGRADED, 50
    else:
        status, score = HealthStatus.OK, 100
    detail = check.error if check.error and not check.ok else check.detail
    return ComponentHealth(
        component=check.name,
        status=status,
        score=score,
        value=check.latency_ms,
        threshold=SLOW_MS if check.configured else None,
        detail=detail or "",
    )


def overall(components: list[ComponentHealth]) -> HealthStatus:
    """The worst known status; UNKNOWN when nothing was measured."""
    known = [c.status for c in components if c.status in _RANK]
    return max(known, key=lambda s: _RANK[s]) if known else HealthStatus.UNKNOWN


def judge(
    host: HostResources,
    integrations: list[IntegrationCheck],
    rates: RunRates,
    limits: AlertThresholds,
    margin_percent: float,
) -> Verdict:
    """Every component's verdict, the overall status, and the readings the alerts watch."""
    readings = readings_of(host, rates, limits)
    measured = {r.metric: r for r in readings}
    details = _metric_details(host, rates)
    components: list[ComponentHealth] = []
    for metric, threshold in thresholds_of(limits).items():
        reading = measured.get(metric)
        if reading is None:
            components.append(
                ComponentHealth(
                    component=metric.value,
                    status=HealthStatus.UNKNOWN,
                    score=0,
                    threshold=threshold,
                    detail=f"no run completed or failed in the last {rates.window_hours} h",
                )
            )
            continue
        components.append(
            ComponentHealth(
                component=metric.value,
                status=metric_status(reading.value, threshold, margin_percent),
                score=metric_score(reading.value, threshold),
                value=reading.value,
                threshold=threshold,
                detail=details.get(metric, ""),
            )
        )
    components += [integration_health(check) for check in integrations]
    components.append(_approvals(rates))
    return Verdict(components=components, status=overall(components), readings=readings)


def _approvals(rates: RunRates) -> ComponentHealth:
    """Informational: runs paused for a person's decision (no threshold)."""
    waiting = rates.waiting_approval
    return ComponentHealth(
        component="approvals",
        status=HealthStatus.OK,
        score=100,
        value=float(waiting),
        detail=f"{waiting} waiting" + (f", {rates.running} running" if rates.running else ""),
    )


def _metric_details(host: HostResources, rates: RunRates) -> dict[AlertMetric, str]:
    details = {
        AlertMetric.DISK: f"{host.disk_free_gb:g} GB free at {host.disk_path}",
    }
    if host.load_average is not None:
        details[AlertMetric.CPU] = "load " + " ".join(f"{v:g}" for v in host.load_average)
    if host.process_rss_mb is not None:
        details[AlertMetric.MEMORY] = f"this process {host.process_rss_mb:g} MB"
    failed = sum(r.failed for r in rates.by_workflow)
    decided = failed + sum(r.completed for r in rates.by_workflow)
    if decided:
        details[AlertMetric.ERROR_RATE] = f"{failed} of {decided} runs failed"
    worst = rates.worst
    if worst is not None:
        details[AlertMetric.WORKFLOW_FAILURE_RATE] = (
            f"{worst.workflow}: {worst.failed} of {worst.completed + worst.failed} failed"
        )
    return details
