"""`cicd analyze`: run `component_analysis` through Prefect and print a readable result."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from bot.terminal import run_with_progress
from workflows.analysis.formatting import to_json, to_text
from workflows.models import AnalysisRequest, ComponentAnalysisResult, RunOrigin
from workflows.registry import flow_specs
from workflows.types import WorkflowType


async def run_analyze(repo: str, component: str, ref: str | None, output: str) -> int:
    """Exit code 0 when the analysis completed, 1 when it failed (the reason on stderr)."""
    spec = flow_specs()[WorkflowType.COMPONENT_ANALYSIS]
    request = AnalysisRequest(repo=repo, component=component, ref=ref)
    parameters = {
        "request": request.model_dump(mode="json"),
        "origin": RunOrigin(source="cli").model_dump(mode="json"),
    }
    stderr = Console(stderr=True, highlight=False)
    title = f"Analyzing {component or Path(repo).name or repo}"
    state = await run_with_progress(spec, parameters, title, stderr)
    result = await state.aresult(raise_on_failure=False)
    if not state.is_completed() or not isinstance(result, ComponentAnalysisResult):
        reason = state.message or (str(result) if isinstance(result, Exception) else "unknown")
        stderr.print(f"[red]error:[/red] the analysis failed: {reason}")
        return 1
    if output == "json":
        sys.stdout.write(to_json(result.report) + "\n")
    else:
        sys.stdout.write(to_text(result.report, color=sys.stdout.isatty()) + "\n")
    return 0
