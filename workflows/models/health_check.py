"""`health_check`: what a health check asks for and what it finds.

Shared by the flow (which measures), the alerts (which post crossings and recoveries) and the
blocks (which render it). A component's status is judged against `alert_thresholds`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class HealthStatus(StrEnum):
    """How a component or the whole system is doing, best first."""

    OK = "ok"
    DEGRADED = "degraded"  # working, but near or past a threshold, or an integration is slow
    UNHEALTHY = "unhealthy"  # past a threshold, or an integration does not answer
    UNKNOWN = "unknown"  # not measured (not configured, no runs in the window)


class AlertMetric(StrEnum):
    """What `alert_thresholds` watches."""

    CPU = "cpu"
    MEMORY = "memory"
    DISK = "disk"
    ERROR_RATE = "error_rate"
    WORKFLOW_FAILURE_RATE = "workflow_failure_rate"


class IntegrationCheck(BaseModel):
    """One integration's connectivity: answered or not, and how fast."""

    name: str  # slack, github, linear, codegen, prefect
    configured: bool
    ok: bool | None = None  # None when not configured
    latency_ms: float | None = None
    detail: str = ""  # e.g. "rate limit 4,990 of 5,000 left", "viewer: Ada"
    error: str | None = None


class HealthCheckRequest(BaseModel):
    """`/cicd health`, `cicd health-check`, or a schedule."""

    window_hours: int = Field(24, ge=1, le=24 * 31, description="period of the run rates")
    track_alerts: bool = Field(
        False, description="advance the alert state and report crossings (the monitor job)"
    )
    # Slack's connectivity as measured by the bot that started the run: flows never hold the
    # Slack token (`cicd serve` keeps it out of their environment). Not a user parameter.
    slack: IntegrationCheck | None = Field(None, json_schema_extra={"set_by_caller": True})


class HostResources(BaseModel):
    """The machine the check ran on (psutil)."""

    cpu_percent: float
    memory_percent: float
    disk_percent: float
    disk_path: str = Field(description="the data directory whose disk was measured")
    disk_free_gb: float
    load_average: tuple[float, float, float] | None = None
    process_rss_mb: float | None = None


class WorkflowRate(BaseModel):
    """One workflow type's runs that ended in the window."""

    workflow: str
    total: int = 0
    completed: int = 0
    failed: int = 0  # FAILED and CRASHED
    cancelled: int = 0

    @property
    def failure_rate_percent(self) -> float | None:
        """Failed among those that finished without being cancelled; None without any."""
        decided = self.completed + self.failed
        return round(100 * self.failed / decided, 1) if decided else None


class RunRates(BaseModel):
    """This system's flow runs that ended in the window, from Prefect."""

    window_hours: int
    by_workflow: list[WorkflowRate] = Field(default_factory=list)
    running: int = 0
    waiting_approval: int = 0  # PAUSED runs: approvals waiting

    @property
    def total(self) -> int:
        """Runs that ended in the window."""
        return sum(r.total for r in self.by_workflow)

    @property
    def error_rate_percent(self) -> float | None:
        """Failed or crashed among the window's decided runs, all types; None without any."""
        failed = sum(r.failed for r in self.by_workflow)
        decided = failed + sum(r.completed for r in self.by_workflow)
        return round(100 * failed / decided, 1) if decided else None

    @property
    def success_rate_percent(self) -> float | None:
        """100 minus the error rate; None without any run."""
        rate = self.error_rate_percent
        return None if rate is None else round(100 - rate, 1)

    @property
    def worst(self) -> WorkflowRate | None:
        """The workflow type with the highest failure rate, if any ran."""
        rated = [r for r in self.by_workflow if r.failure_rate_percent is not None]
        return max(rated, key=lambda r: r.failure_rate_percent or 0.0, default=None)


class ComponentHealth(BaseModel):
    """One component's verdict, with the value and the threshold it was judged by."""

    component: str  # an AlertMetric value, an integration name, or "approvals"
    status: HealthStatus
    score: int = Field(ge=0, le=100)  # 100 = perfect
    value: float | None = None
    threshold: float | None = None
    detail: str = ""


class MetricReading(BaseModel):
    """A watched metric's value against its threshold, as the alerts see it."""

    metric: AlertMetric
    value: float
    threshold: float


class AlertChange(BaseModel):
    """A metric crossed its threshold (and stayed long enough), or recovered."""

    alert_id: str  # stable for one incident: crossing and recovery share it
    metric: AlertMetric
    kind: str = Field(pattern="^(crossed|recovered)$")
    value: float
    threshold: float
    since: datetime  # when the value first crossed (or first recovered)
    detail: str = ""


class HealthCheckResult(BaseModel):
    """Everything one health check found, and its overall verdict."""

    request: HealthCheckRequest
    checked_at: datetime
    host: HostResources
    integrations: list[IntegrationCheck] = Field(default_factory=list)
    rates: RunRates
    components: list[ComponentHealth] = Field(default_factory=list)
    status: HealthStatus
    alerts: list[AlertChange] = Field(default_factory=list)  # with track_alerts only
    active_alerts: list[AlertMetric] = Field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """No component is unhealthy (`cicd health-check` exits 0)."""
        return self.status in (HealthStatus.OK, HealthStatus.DEGRADED, HealthStatus.UNKNOWN)
