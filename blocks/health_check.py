"""The Block Kit result of a health check: the overall status, one line per component, the
run rates, approvals waiting and the active alerts. Short lines, so it reads on a phone."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.actions import retry_button
from blocks.approvals import slack_date
from blocks.text import clip, clip_lines, escape
from workflows.models.health_check import (
    ComponentHealth,
    HealthCheckResult,
    HealthStatus,
    IntegrationCheck,
    RunRates,
)

MARKS = {
    HealthStatus.OK: "🟢",
    HealthStatus.DEGRADED: "🟡",
    HealthStatus.UNHEALTHY: "🔴",
    HealthStatus.UNKNOWN: "⚪",
}
WORDS = {
    HealthStatus.OK: "Healthy",
    HealthStatus.DEGRADED: "Degraded",
    HealthStatus.UNHEALTHY: "Unhealthy",
    HealthStatus.UNKNOWN: "Unknown",
}
LABELS = {
    "cpu": "CPU",
    "memory": "Memory",
    "disk": "Disk",
    "error_rate": "Error rate",
    "workflow_failure_rate": "Worst workflow",
    "slack": "Slack",
    "github": "GitHub",
    "linear": "Linear",
    "codegen": "Codegen",
    "prefect": "Prefect",
    "approvals": "Approvals",
}
HOST = ("cpu", "memory", "disk")
RATES = ("error_rate", "workflow_failure_rate")


def label(component: str) -> str:
    """`GitHub` for `github`; unknown names as they are."""
    return LABELS.get(component, component)


def problems(result: HealthCheckResult) -> list[str]:
    """The components that are not OK (and were measured), worst first."""
    rank = {HealthStatus.UNHEALTHY: 0, HealthStatus.DEGRADED: 1}
    bad = [c for c in result.components if c.status in rank]
    return [label(c.component) for c in sorted(bad, key=lambda c: rank[c.status])]


def health_text(result: HealthCheckResult) -> str:
    """Plain-text fallback for notifications."""
    found = problems(result)
    tail = f": {', '.join(found)}" if found else ""
    return f"Health check: {WORDS[result.status].lower()}{tail}"


def health_outcome(result: HealthCheckResult) -> str:
    """The parent message's outcome: `🔴 unhealthy: Disk, GitHub`."""
    return f"{MARKS[result.status]} {health_text(result).removeprefix('Health check: ')}"


def metric_line(component: ComponentHealth) -> str:
    """`🟡 *Disk* 87% / 90% · 12 GB free at /data`."""
    mark = MARKS[component.status]
    name = f"*{label(component.component)}*"
    if component.value is None:
        return f"{mark} {name} {escape(component.detail)}".rstrip()
    limit = f" / {component.threshold:g}%" if component.threshold is not None else ""
    detail = f" · {escape(component.detail)}" if component.detail else ""
    return f"{mark} {name} {component.value:g}%{limit}{detail}"


def integration_line(component: ComponentHealth, check: IntegrationCheck | None) -> str:
    """`🟢 *GitHub* 42 ms · 4,990 of 5,000 calls left`; `⚪ *Codegen* not configured: …`."""
    mark = MARKS[component.status]
    name = f"*{label(component.component)}*"
    if check is not None and not check.configured:
        return f"{mark} {name} _{escape(check.detail)}_"
    latency = f" {component.value:,.0f} ms" if component.value is not None else ""
    detail = f" · {escape(clip(component.detail, 200))}" if component.detail else ""
    return f"{mark} {name}{latency}{detail}"


def rates_text(rates: RunRates, components: dict[str, ComponentHealth]) -> str:
    """Success rate, runs, the worst type, approvals waiting, running."""
    lines = [f"*Runs, last {rates.window_hours} h*"]
    error = components.get("error_rate")
    if rates.success_rate_percent is None:
        lines.append(f"⚪ no run completed or failed ({rates.total} ended)")
    else:
        mark = MARKS[error.status] if error else MARKS[HealthStatus.OK]
        limit = f" (alert at {error.threshold:g}% failed)" if error and error.threshold else ""
        lines.append(
            f"{mark} *{rates.success_rate_percent:g}%* succeeded of {rates.total} runs{limit}"
        )
    worst = components.get("workflow_failure_rate")
    if worst is not None and worst.value is not None and rates.worst is not None:
        lines.append(
            f"{MARKS[worst.status]} worst: `{escape(rates.worst.workflow)}` "
            f"{worst.value:g}% failed ({rates.worst.failed} of "
            f"{rates.worst.completed + rates.worst.failed})"
        )
    waiting = rates.waiting_approval
    lines.append(
        f"⏸️ {waiting} approval{'s' if waiting != 1 else ''} waiting · ▶️ {rates.running} running"
    )
    return "\n".join(lines)


def alerts_text(result: HealthCheckResult) -> str | None:
    """The active alerts and this check's crossings and recoveries; None without any."""
    lines: list[str] = []
    if result.active_alerts:
        names = ", ".join(label(m.value) for m in result.active_alerts)
        lines.append(f"🚨 *Active alerts:* {escape(names)}")
    for change in result.alerts:
        mark = "🚨" if change.kind == "crossed" else "✅"
        lines.append(f"{mark} {escape(change.detail)} (`{escape(change.alert_id)}`)")
    return clip_lines(lines, 2900) if lines else None


def health_blocks(result: HealthCheckResult, run_id: str, run_name: str = "") -> list[Block]:
    """Header, overall status, host, integrations, runs, alerts, Re-run, footer."""
    by_name = {c.component: c for c in result.components}
    checks = {c.name: c for c in result.integrations}
    host = [metric_line(by_name[name]) for name in HOST if name in by_name]
    integrations = [
        integration_line(by_name[c.name], c) for c in result.integrations if c.name in by_name
    ]
    status = (
        f"{MARKS[result.status]} *{WORDS[result.status]}* · checked {slack_date(result.checked_at)}"
    )
    found = problems(result)
    if found:
        status += f"\nNeeds a look: {escape(', '.join(found))}"
    blocks: list[Block] = [
        HeaderBlock(text="Health check"),
        SectionBlock(text=MarkdownTextObject(text=clip(status, 3000))),
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=clip_lines(["*Host*", *host], 3000))),
        SectionBlock(
            text=MarkdownTextObject(text=clip_lines(["*Integrations*", *integrations], 3000))
        ),
        SectionBlock(text=MarkdownTextObject(text=clip(rates_text(result.rates, by_name), 3000))),
    ]
    alerts = alerts_text(result)
    if alerts:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=alerts)))
    blocks.append(ActionsBlock(block_id="cicd_result_actions", elements=[retry_button(run_id)]))
    footer = f"Prefect run `{escape(run_name or run_id)}`"
    if not checks.get("slack") or not checks["slack"].configured:
        footer += " · Slack is measured by the bot that starts the run"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(footer, 3000))]))
    return blocks
