"""`health_check`: the host's resources, each configured integration's connectivity, this
system's run rates and approvals waiting, a verdict per component against `alert_thresholds`,
and (for the monitor job) the threshold alerts' crossings and recoveries.

Started by `/cicd health`, `cicd health-check` and schedules. Slack is measured by the bot
that starts the run (`request.slack`): a flow run never holds the Slack token.
"""

# No `from __future__ import annotations`: Prefect must resolve the parameter types.

from datetime import UTC, datetime, timedelta

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.utilities.asyncutils import run_coro_as_sync
from pydantic import BaseModel, Field

from workflows.config import load_config
from workflows.health import alert_state, connectivity
from workflows.health.host import read_host
from workflows.health.run_rates import read_run_rates, work_flows
from workflows.health.verdicts import judge
from workflows.models.health_check import (
    AlertChange,
    AlertMetric,
    ComponentHealth,
    HealthCheckRequest,
    HealthCheckResult,
    HealthStatus,
    HostResources,
    IntegrationCheck,
    MetricReading,
    RunRates,
)
from workflows.models.runs import RunOrigin
from workflows.registry import FlowSpec
from workflows.types import WorkflowType


class Judgement(BaseModel):
    """The `judge` task's verdict (a model, so Prefect can hand it between tasks)."""

    components: list[ComponentHealth]
    status: HealthStatus
    readings: list[MetricReading]


class AlertTracking(BaseModel):
    """What `track-alerts` found: the changes to post and the alerts active now."""

    changes: list[AlertChange] = Field(default_factory=list)
    active: list[AlertMetric] = Field(default_factory=list)


@task(name="host-resources", cache_policy=NONE)
def host_resources() -> HostResources:
    """CPU, memory and the data directory's disk (psutil)."""
    return read_host(load_config().cicd_data_dir)


@task(name="check-integrations", cache_policy=NONE)
def check_integrations(slack: IntegrationCheck | None) -> list[IntegrationCheck]:
    """One cheap authenticated call per configured integration, timed."""
    config = load_config()
    checks = [
        slack or connectivity.check_slack(config),
        connectivity.check_github(config),
        connectivity.check_linear(config),
        connectivity.check_codegen(config),
        run_coro_as_sync(connectivity.check_prefect()),
    ]
    log = get_run_logger()
    for check in checks:
        if check.configured:
            said = check.detail if check.ok else check.error
            log.info("%s: %s in %s ms (%s)", check.name, check.ok, check.latency_ms, said)
    return checks


@task(name="run-rates", cache_policy=NONE)
def run_rates(window_hours: int) -> RunRates:
    """This system's runs that ended in the window, by workflow type; approvals waiting."""
    rates = run_coro_as_sync(read_run_rates(work_flows(), timedelta(hours=window_hours)))
    assert rates is not None
    return rates


@task(name="judge", cache_policy=NONE)
def judge_health(
    host: HostResources, integrations: list[IntegrationCheck], rates: RunRates
) -> Judgement:
    """A status and score per component against `alert_thresholds`; the overall status."""
    config = load_config()
    verdict = judge(
        host, integrations, rates, config.alert_thresholds, config.alerts.margin_percent
    )
    return Judgement(
        components=verdict.components, status=verdict.status, readings=verdict.readings
    )


@task(name="track-alerts", cache_policy=NONE)
def track_alerts(readings: list[MetricReading], advance: bool) -> AlertTracking:
    """Advance the threshold alerts (the monitor job), or only read which are active."""
    state = run_coro_as_sync(alert_state.load_state())
    assert state is not None
    if not advance:
        return AlertTracking(active=state.active)
    settings = load_config().alerts
    state, changes = alert_state.advance(
        state, readings, datetime.now(UTC), settings.margin_percent, settings.duration
    )
    run_coro_as_sync(alert_state.save_state(state))
    for change in changes:
        get_run_logger().warning("alert %s %s: %s", change.alert_id, change.kind, change.detail)
    return AlertTracking(changes=changes, active=state.active)


@flow(name="health-check", persist_result=True, result_serializer="json")
def health_check(request: HealthCheckRequest, origin: RunOrigin | None = None) -> HealthCheckResult:
    """Measure, judge, and (with `track_alerts`) advance the threshold alerts."""
    host = host_resources()
    integrations = check_integrations(request.slack)
    rates = run_rates(request.window_hours)
    verdict = judge_health(host, integrations, rates)
    alerts = track_alerts(verdict.readings, request.track_alerts)
    result = HealthCheckResult(
        request=request,
        checked_at=datetime.now(UTC),
        host=host,
        integrations=integrations,
        rates=rates,
        components=verdict.components,
        status=verdict.status,
        alerts=alerts.changes,
        active_alerts=alerts.active,
    )
    create_markdown_artifact(
        markdown=markdown_report(result), key="health-check", description="Health check"
    )
    return result


def markdown_report(result: HealthCheckResult) -> str:
    """The result as a Markdown table (the run's artifact in the Prefect UI)."""
    lines = [
        f"# Health check: {result.status.value}",
        "",
        f"Checked {result.checked_at:%Y-%m-%d %H:%M:%S} UTC; run rates over the last "
        f"{result.rates.window_hours} h.",
        "",
        "| component | status | score | value | threshold | detail |",
        "|---|---|---|---|---|---|",
    ]
    for c in result.components:
        value = "" if c.value is None else f"{c.value:g}"
        threshold = "" if c.threshold is None else f"{c.threshold:g}"
        detail = c.detail.replace("|", "\\|")
        lines.append(
            f"| {c.component} | {c.status.value} | {c.score} | {value} | {threshold} | {detail} |"
        )
    if result.active_alerts:
        lines += ["", "Active alerts: " + ", ".join(m.value for m in result.active_alerts)]
    for change in result.alerts:
        lines.append(f"- {change.kind}: {change.detail} (`{change.alert_id}`)")
    return "\n".join(lines) + "\n"


def health_title(request: HealthCheckRequest) -> str:
    """`Health check`."""
    return "Health check"


SPEC = FlowSpec(
    workflow=WorkflowType.HEALTH_CHECK,
    flow=health_check,
    steps=(
        ("host-resources", "Read the host's CPU, memory and disk"),
        ("check-integrations", "Check each integration's connectivity"),
        ("run-rates", "Count the runs' successes and failures"),
        ("judge", "Judge each component against the thresholds"),
        ("track-alerts", "Read (or advance) the threshold alerts"),
    ),
    request_type=HealthCheckRequest,
    result_type=HealthCheckResult,
    title=health_title,
)
