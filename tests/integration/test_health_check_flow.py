"""The health check flow against the GitHub, Linear and Codegen emulators and a real Prefect."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect import flow

from tests.emulators.codegen import CodegenEmulator
from tests.emulators.github import DEFAULT_TOKEN as GITHUB_TOKEN
from tests.emulators.github import GitHubEmulator
from tests.emulators.linear import DEFAULT_KEY as LINEAR_KEY
from tests.emulators.linear import LinearEmulator
from workflows.flows.health_check import health_check
from workflows.health.alert_state import RECORD_KEY, RECORD_KIND
from workflows.models.health_check import (
    AlertMetric,
    HealthCheckRequest,
    HealthCheckResult,
    HealthStatus,
    IntegrationCheck,
)
from workflows.state.records import Records


@flow(name="failure-analysis")  # a failing run under the real flow's name, counted by type
def failing_failure_analysis() -> None:
    raise RuntimeError("the log could not be read")


@pytest.fixture(scope="module")
def emulators() -> Iterator[tuple[GitHubEmulator, LinearEmulator, CodegenEmulator]]:
    with GitHubEmulator() as github, LinearEmulator() as linear, CodegenEmulator() as codegen:
        yield github, linear, codegen


@pytest.fixture
def configured(
    prefect_api: str,
    emulators: tuple[GitHubEmulator, LinearEmulator, CodegenEmulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Every integration pointed at its emulator; the YAML file is the returned path."""
    github, linear, codegen = emulators
    github.reset()
    env = {
        "CICD_DATA_DIR": str(tmp_path / "data"),
        "CICD_CONFIG": str(tmp_path / "cicd.yaml"),
        "GITHUB_TOKEN": GITHUB_TOKEN,
        "GITHUB_API_URL": github.url,
        "LINEAR_API_KEY": LINEAR_KEY,
        "LINEAR_API_URL": linear.url,
        "CODEGEN_ORG_ID": str(codegen.org_id),
        "CODEGEN_TOKEN": codegen.token,
        "CODEGEN_API_BASE_URL": codegen.url,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = tmp_path / "cicd.yaml"
    write_thresholds(config, disk=100)
    asyncio.run(Records(RECORD_KIND).delete(RECORD_KEY))
    return config


def write_thresholds(path: Path, *, disk: float, margin: float = 5) -> None:
    path.write_text(
        "alert_thresholds:\n"
        f"  disk_usage_percent: {disk}\n"
        "  cpu_usage_percent: 100\n"
        "  memory_usage_percent: 100\n"
        "  error_rate_percent: 100\n"
        "  workflow_failure_rate_percent: 100\n"
        f"alerts:\n  margin_percent: {margin}\n",
        encoding="utf-8",
    )


def run(**request: object) -> HealthCheckResult:
    return health_check(HealthCheckRequest.model_validate(request))


def test_integrations_answer_with_their_numbers_and_latencies(configured: Path, emulators):
    result = run(window_hours=1)
    checks = {c.name: c for c in result.integrations}
    assert set(checks) == {"slack", "github", "linear", "codegen", "prefect"}
    assert checks["slack"].configured is False  # no token here: the bot measures Slack
    assert "SLACK_BOT_TOKEN" in checks["slack"].detail
    for name in ("github", "linear", "codegen", "prefect"):
        check = checks[name]
        assert check.ok is True, (name, check.error)
        assert check.latency_ms is not None and 0 < check.latency_ms < 2000
    assert checks["github"].detail == "5,000 of 5,000 calls left"  # /rate_limit is not counted
    assert checks["linear"].detail == "viewer: CI Bot"
    assert checks["codegen"].detail == "user: emulated-dev · org 1"
    github, _, codegen = emulators
    assert [r.path for r in github.requests][-1:] == ["/rate_limit"]
    assert codegen.requests_to("me")
    text = result.model_dump_json()
    for secret in (GITHUB_TOKEN, LINEAR_KEY, codegen.token):
        assert secret not in text
    assert result.status is HealthStatus.OK  # thresholds at 100: nothing can cross
    assert result.healthy


def test_slow_and_refused_integrations(configured: Path, emulators, monkeypatch):
    github, _, _ = emulators
    github.slow_next(1, 2.3)
    monkeypatch.setenv("LINEAR_API_KEY", "lin_api_wrong")
    result = run()
    by = {c.component: c for c in result.components}
    assert by["github"].status is HealthStatus.DEGRADED
    assert by["github"].value is not None and by["github"].value >= 2300
    assert by["linear"].status is HealthStatus.UNHEALTHY
    assert "lin_api_wrong" not in by["linear"].detail and by["linear"].detail
    assert result.status is HealthStatus.UNHEALTHY
    assert not result.healthy


def test_run_rates_are_counted_from_real_runs(configured: Path):
    before = run(window_hours=1).rates
    failing_failure_analysis(return_state=True)
    failing_failure_analysis(return_state=True)
    run(window_hours=1)
    after = run(window_hours=1).rates

    def count(rates, workflow: str, field: str) -> int:
        found = [r for r in rates.by_workflow if r.workflow == workflow]
        return getattr(found[0], field) if found else 0

    assert (
        count(after, "failure_analysis", "failed")
        == count(before, "failure_analysis", "failed") + 2
    )
    # The system's own checks are not the team's work: never counted, never "running".
    assert count(after, "health_check", "completed") == 0
    assert after.total == before.total + 2
    assert after.running == 0


def test_thresholds_at_0_and_100_decide_the_status(configured: Path):
    write_thresholds(configured, disk=0)
    low = run()
    disk = next(c for c in low.components if c.component == "disk")
    assert (disk.status, disk.threshold, disk.score) == (HealthStatus.UNHEALTHY, 0, 0)
    assert disk.value == low.host.disk_percent
    assert low.status is HealthStatus.UNHEALTHY
    write_thresholds(configured, disk=100)
    high = run()
    disk = next(c for c in high.components if c.component == "disk")
    assert disk.status is HealthStatus.OK and disk.score > 0
    assert high.status is HealthStatus.OK


def test_alerts_post_once_on_crossing_and_once_on_recovery(configured: Path):
    write_thresholds(configured, disk=0)
    first = run(track_alerts=True)
    assert [(a.metric, a.kind) for a in first.alerts] == [(AlertMetric.DISK, "crossed")]
    assert first.active_alerts == [AlertMetric.DISK]
    again = run(track_alerts=True)
    assert again.alerts == [] and again.active_alerts == [AlertMetric.DISK]
    looked = run()  # without track_alerts: reports the active alert, changes nothing
    assert looked.alerts == [] and looked.active_alerts == [AlertMetric.DISK]
    write_thresholds(configured, disk=100)
    recovered = run(track_alerts=True)
    assert [(a.metric, a.kind) for a in recovered.alerts] == [(AlertMetric.DISK, "recovered")]
    assert recovered.alerts[0].alert_id == first.alerts[0].alert_id
    assert recovered.active_alerts == []
    assert run(track_alerts=True).alerts == []


def test_the_bots_slack_measurement_is_used_as_given(configured: Path):
    measured = IntegrationCheck(
        name="slack", configured=True, ok=True, latency_ms=12.5, detail="@cicd in Acme"
    )
    result = run(slack=measured.model_dump())
    assert next(c for c in result.integrations if c.name == "slack") == measured


def test_the_terminal_measures_slack_itself_when_it_holds_the_token() -> None:
    from tests.emulators.slack import SlackEmulator
    from tests.emulators.slack_workspace import BOT_USER_NAME, TEAM_NAME
    from workflows.config import OrchestrationConfig
    from workflows.health.connectivity import check_slack

    with SlackEmulator(tokens=("xoxb-health-token",)) as slack:
        good = OrchestrationConfig(slack_bot_token="xoxb-health-token", slack_api_url=slack.url)
        bad = OrchestrationConfig(slack_bot_token="xoxb-wrong", slack_api_url=slack.url)
        ok, refused = check_slack(good), check_slack(bad)
    assert (ok.ok, ok.detail) == (True, f"@{BOT_USER_NAME} in {TEAM_NAME}")
    assert ok.latency_ms is not None and ok.latency_ms < 2000
    assert (refused.ok, refused.error) == (False, "Slack said invalid_auth")
    assert "xoxb-wrong" not in refused.model_dump_json()
