"""`cicd health-check`: run the health check here, print a table, exit 1 when unhealthy."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from blocks.health_check import MARKS, WORDS, label
from bot.cli.terminal import run_with_progress
from workflows.flows.health_check import SPEC
from workflows.models.health_check import ComponentHealth, HealthCheckRequest, HealthCheckResult
from workflows.models.runs import RunOrigin

EXIT_HEALTHY, EXIT_UNHEALTHY = 0, 1
STYLES = {"ok": "green", "degraded": "yellow", "unhealthy": "bold red", "unknown": "dim"}


async def run_health_check(request: HealthCheckRequest, *, as_json: bool) -> int:
    """Run the flow with a progress display on stderr; the table (or JSON) on stdout."""
    parameters = {
        "request": request.model_dump(mode="json"),
        "origin": RunOrigin(source="cli").model_dump(mode="json"),
    }
    stderr = Console(stderr=True, highlight=False)
    state = await run_with_progress(SPEC, parameters, SPEC.title(request), stderr)
    if not stderr.is_terminal:
        stderr.line()
    result = await state.aresult(raise_on_failure=False)
    if isinstance(result, dict):  # the JSON serializer hands models back as plain data
        result = HealthCheckResult.model_validate(result)
    if not state.is_completed() or not isinstance(result, HealthCheckResult):
        reason = state.message or (str(result) if isinstance(result, Exception) else "unknown")
        stderr.print(f"[red]error:[/red] the health check failed: {reason}", markup=True)
        return EXIT_UNHEALTHY
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        Console(highlight=False).print(health_table(result))
    return EXIT_HEALTHY if result.healthy else EXIT_UNHEALTHY


def health_table(result: HealthCheckResult) -> Table:
    """Component, status, value, threshold or latency, detail; the overall status as title."""
    status = result.status
    table = Table(
        title=f"{MARKS[status]} {WORDS[status]} · run rates over {result.rates.window_hours} h",
        title_justify="left",
    )
    for column in ("component", "status", "value", "threshold", "detail"):
        table.add_column(column, overflow="fold")
    checks = {c.name: c for c in result.integrations}
    for component in result.components:
        table.add_row(
            label(component.component),
            Text(component.status.value, style=STYLES[component.status.value]),
            *_value_and_limit(component, component.component in checks),
            Text(component.detail),
        )
    rates = result.rates
    if rates.success_rate_percent is not None:
        table.caption = (
            f"{rates.success_rate_percent:g}% of {rates.total} runs succeeded · "
            f"{rates.waiting_approval} approvals waiting · {rates.running} running"
        )
    if result.active_alerts:
        active = ", ".join(m.value for m in result.active_alerts)
        table.caption = f"{table.caption or ''}\nactive alerts: {active}".strip()
    return table


def _value_and_limit(component: ComponentHealth, integration: bool) -> tuple[str, str]:
    if integration:
        latency = f"{component.value:,.0f} ms" if component.value is not None else ""
        limit = f"< {component.threshold:,.0f} ms" if component.threshold is not None else ""
        return latency, limit
    if component.component == "approvals":
        return (f"{component.value:g}" if component.value is not None else ""), ""
    value = f"{component.value:g}%" if component.value is not None else ""
    limit = f"{component.threshold:g}%" if component.threshold is not None else ""
    return value, limit
