"""The health check's Block Kit result: compact lines, valid blocks, the right outcome."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.models.blocks import Block

from blocks.health_check import health_blocks, health_outcome, health_text
from blocks.plain import plain_text
from blocks.results import render_result
from tests.emulators.slack_blocks import validate_blocks
from workflows.config import AlertThresholds
from workflows.health.verdicts import judge
from workflows.models.health_check import (
    AlertChange,
    AlertMetric,
    HealthCheckRequest,
    HealthCheckResult,
    HostResources,
    IntegrationCheck,
    RunRates,
    WorkflowRate,
)


def mrkdwn(blocks: list[Block]) -> str:
    """Every text of the blocks, as Slack gets it."""
    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk([b.to_dict() for b in blocks])
    return "\n".join(texts)


AT = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def result(disk: float = 50, **extra: object) -> HealthCheckResult:
    host = HostResources(
        cpu_percent=12, memory_percent=40, disk_percent=disk, disk_path="/data", disk_free_gb=30
    )
    checks = [
        IntegrationCheck(
            name="slack", configured=True, ok=True, latency_ms=45.2, detail="@cicd in Acme"
        ),
        IntegrationCheck(
            name="github",
            configured=True,
            ok=True,
            latency_ms=61,
            detail="4,990 of 5,000 calls left",
        ),
        IntegrationCheck(
            name="linear", configured=True, ok=False, latency_ms=5003, error="no answer within 5 s"
        ),
        IntegrationCheck(
            name="codegen", configured=False, detail="not configured: set CODEGEN_TOKEN"
        ),
    ]
    rates = RunRates(
        window_hours=24,
        by_workflow=[
            WorkflowRate(workflow="component_analysis", total=19, completed=19),
            WorkflowRate(workflow="failure_analysis", total=5, completed=4, failed=1),
        ],
        waiting_approval=2,
    )
    verdict = judge(host, checks, rates, AlertThresholds(), 5)
    return HealthCheckResult(
        request=HealthCheckRequest(),
        checked_at=AT,
        host=host,
        integrations=checks,
        rates=rates,
        components=verdict.components,
        status=verdict.status,
        **extra,  # type: ignore[arg-type]
    )


def test_blocks_read_as_compact_lines():
    blocks = health_blocks(result(), "run-1", "brave-fox")
    assert validate_blocks([b.to_dict() for b in blocks]) == []
    text = mrkdwn(blocks)
    assert "Unhealthy" in text and "Needs a look: Linear" in text
    assert "🟢 *CPU* 12% / 80%" in text
    assert "Healthy" not in plain_text(blocks)
    assert "GitHub* 61 ms · 4,990 of 5,000 calls left" in text
    assert "Slack* 45 ms · @cicd in Acme" in text
    assert "🔴 *Linear* 5,003 ms · no answer within 5 s" in text
    assert "not configured: set CODEGEN_TOKEN" in text
    assert "95.8%* succeeded of 24 runs" in text  # 1 failed of 24 decided
    assert "worst: `failure_analysis` 20% failed (1 of 5)" in text
    assert "2 approvals waiting" in text
    assert "brave-fox" in text


def test_outcome_and_text_name_the_problems_worst_first():
    # 87 is within 5 of 90 and 20% within 5 of 25: both degraded, after the unhealthy one
    degraded_disk = result(disk=87)
    assert health_outcome(degraded_disk) == "🔴 unhealthy: Linear, Disk, Worst workflow"
    assert health_text(degraded_disk) == "Health check: unhealthy: Linear, Disk, Worst workflow"


def test_active_alerts_and_changes_are_shown():
    change = AlertChange(
        alert_id="disk-20261208090000",
        metric=AlertMetric.DISK,
        kind="crossed",
        value=93,
        threshold=90,
        since=AT,
        detail="disk 93% is at or above 90%",
    )
    blocks = health_blocks(result(disk=93, alerts=[change], active_alerts=[AlertMetric.DISK]), "r")
    text = mrkdwn(blocks)
    assert "Active alerts:* Disk" in text
    assert "disk 93% is at or above 90% (`disk-20261208090000`)" in text


def test_registered_as_the_result_renderer():
    rendered = render_result(result(), "run-1", "brave-fox")
    assert rendered is not None
    assert rendered.outcome.startswith("🔴 unhealthy")
    assert any(b.to_dict().get("block_id") == "cicd_result_actions" for b in rendered.blocks)
