"""Verdicts with numbers: each component against its threshold, and the overall status."""

from __future__ import annotations

from workflows.config import AlertThresholds
from workflows.health.verdicts import judge, metric_score, metric_status, overall
from workflows.models.health_check import (
    AlertMetric,
    ComponentHealth,
    HealthStatus,
    HostResources,
    IntegrationCheck,
    RunRates,
    WorkflowRate,
)

LIMITS = AlertThresholds(
    cpu_usage_percent=80,
    memory_usage_percent=80,
    disk_usage_percent=90,
    error_rate_percent=10,
    workflow_failure_rate_percent=25,
)
OK, DEGRADED, UNHEALTHY, UNKNOWN = (
    HealthStatus.OK,
    HealthStatus.DEGRADED,
    HealthStatus.UNHEALTHY,
    HealthStatus.UNKNOWN,
)


def host(cpu: float = 20, memory: float = 40, disk: float = 50) -> HostResources:
    return HostResources(
        cpu_percent=cpu,
        memory_percent=memory,
        disk_percent=disk,
        disk_path="/data",
        disk_free_gb=12.5,
    )


def rates(*types: WorkflowRate, waiting: int = 0) -> RunRates:
    return RunRates(window_hours=24, by_workflow=list(types), waiting_approval=waiting)


def fast(name: str, ms: float = 40) -> IntegrationCheck:
    return IntegrationCheck(name=name, configured=True, ok=True, latency_ms=ms, detail="fine")


def test_metric_status_at_the_threshold_within_the_margin_and_below():
    assert metric_status(90, 90, 5) is UNHEALTHY
    assert metric_status(97, 90, 5) is UNHEALTHY
    assert metric_status(89.9, 90, 5) is DEGRADED
    assert metric_status(85, 90, 5) is DEGRADED
    assert metric_status(84.9, 90, 5) is OK
    assert metric_status(0, 0, 5) is UNHEALTHY  # a threshold of 0 is always crossed
    assert metric_status(99, 100, 0) is OK
    assert metric_status(100, 100, 5) is OK  # 100 is off: a saturated CPU is not "past" it


def test_metric_score_is_the_headroom_below_the_threshold():
    assert metric_score(0, 80) == 100
    assert metric_score(20, 80) == 75
    assert metric_score(60, 80) == 25
    assert metric_score(80, 80) == 0
    assert metric_score(95, 80) == 0
    assert metric_score(0, 0) == 0


def test_judge_with_numbers():
    ran = rates(
        WorkflowRate(workflow="component_analysis", total=8, completed=8),
        WorkflowRate(workflow="failure_analysis", total=2, completed=1, failed=1),
        waiting=3,
    )
    verdict = judge(
        host(cpu=20, memory=77, disk=93), [fast("github"), fast("prefect")], ran, LIMITS, 5
    )
    by = {c.component: c for c in verdict.components}
    assert (by["cpu"].status, by["cpu"].score, by["cpu"].value) == (OK, 75, 20)
    assert (by["memory"].status, by["memory"].score) == (DEGRADED, 4)
    assert (by["disk"].status, by["disk"].score, by["disk"].threshold) == (UNHEALTHY, 0, 90)
    assert by["disk"].detail == "12.5 GB free at /data"
    assert (by["error_rate"].value, by["error_rate"].status) == (10.0, UNHEALTHY)  # 1 of 10
    assert by["error_rate"].detail == "1 of 10 runs failed"
    assert by["workflow_failure_rate"].value == 50.0
    assert by["workflow_failure_rate"].detail == "failure_analysis: 1 of 2 failed"
    assert (by["github"].status, by["github"].score, by["github"].value) == (OK, 100, 40)
    assert (by["approvals"].value, by["approvals"].detail) == (3, "3 waiting")
    assert verdict.status is UNHEALTHY
    assert {r.metric: r.value for r in verdict.readings} == {
        AlertMetric.CPU: 20,
        AlertMetric.MEMORY: 77,
        AlertMetric.DISK: 93,
        AlertMetric.ERROR_RATE: 10.0,
        AlertMetric.WORKFLOW_FAILURE_RATE: 50.0,
    }


def test_no_runs_leave_the_rates_unknown_and_out_of_the_readings():
    verdict = judge(host(), [fast("prefect")], rates(), LIMITS, 5)
    by = {c.component: c for c in verdict.components}
    assert by["error_rate"].status is UNKNOWN
    assert by["workflow_failure_rate"].status is UNKNOWN
    assert by["error_rate"].detail == "no run completed or failed in the last 24 h"
    assert {r.metric for r in verdict.readings} == {
        AlertMetric.CPU,
        AlertMetric.MEMORY,
        AlertMetric.DISK,
    }
    assert verdict.status is OK


def test_integrations_down_slow_and_not_configured():
    down = IntegrationCheck(
        name="linear", configured=True, ok=False, latency_ms=5001, error="no answer within 5 s"
    )
    slow = fast("github", ms=2500)
    missing = IntegrationCheck(
        name="codegen", configured=False, detail="not configured: set CODEGEN_TOKEN"
    )
    verdict = judge(host(), [slow, missing], rates(), LIMITS, 5)
    by = {c.component: c for c in verdict.components}
    assert (by["github"].status, by["github"].score) == (DEGRADED, 50)
    assert (by["codegen"].status, by["codegen"].threshold) == (UNKNOWN, None)
    assert verdict.status is DEGRADED  # not configured does not count against it
    verdict = judge(host(), [slow, down], rates(), LIMITS, 5)
    by = {c.component: c for c in verdict.components}
    assert (by["linear"].status, by["linear"].detail) == (UNHEALTHY, "no answer within 5 s")
    assert verdict.status is UNHEALTHY


def test_overall_is_the_worst_known_and_unknown_without_any():
    def c(status: HealthStatus) -> ComponentHealth:
        return ComponentHealth(component="x", status=status, score=0)

    assert overall([c(OK), c(UNKNOWN), c(DEGRADED)]) is DEGRADED
    assert overall([c(UNKNOWN)]) is UNKNOWN
    assert overall([c(OK), c(UNHEALTHY), c(DEGRADED)]) is UNHEALTHY
