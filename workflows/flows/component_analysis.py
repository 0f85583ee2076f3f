"""`component_analysis`: check out a repository, analyse one component, summarise; track it in
Linear when Linear is set up (see `workflows.integrations.linear_tracking`)."""

# No `from __future__ import annotations` here: the Runner loads this file by path and Prefect
# must resolve the parameter types (AnalysisRequest, RunOrigin) to validate them.

import time
from pathlib import Path
from typing import cast
from uuid import UUID

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NONE

from workflows.analysis import AnalysisReport
from workflows.analysis.options import AnalysisOptions, analyze
from workflows.config import load_config
from workflows.integrations.linear_tracking import LinearTracker
from workflows.models.component_analysis import (
    AnalysisRequest,
    ComponentAnalysisResult,
    markdown_summary,
)
from workflows.models.runs import RunOrigin
from workflows.registry import FlowSpec
from workflows.repository.checkout import Checkout, checkout_repository, transient_checkout_failure
from workflows.repository.components import resolve_component
from workflows.types import WorkflowType

PROGRESS_INTERVAL_S = 0.5


@task(
    name="checkout",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=transient_checkout_failure,
    cache_policy=NONE,
)
def fetch_repository(repo: str, ref: str | None) -> Checkout:
    """Use the local tree, or clone/refresh the repository with real git."""
    checkout = checkout_repository(repo, ref, load_config().cicd_data_dir)
    get_run_logger().info("Repository at %s (commit %s)", checkout.path, checkout.commit)
    return checkout


@task(name="analyse", cache_policy=NONE)
def analyse_component(
    checkout: Checkout, component: str, options: AnalysisOptions | None = None
) -> AnalysisReport:
    """Run the tree-sitter analysis on the component, reporting file progress.

    ``options`` (rules, confidence floor, whitelist, plus `.cicd-whitelist` at the component)
    decide which findings are kept.
    """
    target = resolve_component(Path(checkout.path), component)
    progress = _FileProgress()
    # Per-file results are kept by content hash: re-running on a barely changed tree only
    # re-parses the changed files.
    cache = load_config().cicd_data_dir / "analysis-cache"
    return analyze(target, options, on_progress=progress.update, cache_dir=cache)


@task(name="summarise", cache_policy=NONE)
def summarise(
    request: AnalysisRequest, checkout: Checkout, report: AnalysisReport
) -> ComponentAnalysisResult:
    """Build the typed result and publish it as a Prefect artifact."""
    result = ComponentAnalysisResult(request=request, commit=checkout.commit, report=report)
    create_markdown_artifact(
        markdown=markdown_summary(result),
        key="component-analysis",
        description=f"Component analysis of {result.component_label}",
    )
    return result


@flow(name="component-analysis", persist_result=True, result_serializer="json")
def component_analysis(
    request: AnalysisRequest, origin: RunOrigin | None = None
) -> ComponentAnalysisResult:
    """Analyse one component of a repository and return the findings.

    With Linear set up, the component's issue goes to In Progress first and gets the results
    at the end; a Linear failure becomes a warning on the result, never a failed analysis.
    """
    linear = LinearTracker.for_request(request)
    linear.start()
    try:
        checkout = fetch_repository(request.repo, request.ref)
        report = analyse_component(checkout, request.component, request.options)
    except Exception as exc:
        linear.failed(exc)
        raise
    result = summarise(request, checkout, report)
    return linear.finish(result)


class _FileProgress:
    """Mirror (files done, files total) into a Prefect progress artifact, throttled."""

    def __init__(self) -> None:
        self._artifact: UUID | None = None
        self._last = 0.0

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        percent = 100.0 * done / total if total else 100.0
        try:
            if self._artifact is None:
                # sync_compatible: called from sync code, it returns the artifact's id.
                self._artifact = cast(
                    UUID,
                    create_progress_artifact(progress=percent, description=f"{done}/{total} files"),
                )
            else:
                update_progress_artifact(
                    self._artifact, progress=percent, description=f"{done}/{total} files"
                )
        except Exception as exc:  # progress is a nicety; never fail the analysis for it
            get_run_logger().debug("progress artifact not updated: %s", exc)


def analysis_title(request: AnalysisRequest) -> str:
    """`Analyzing contexten/agents` (what the thread is about)."""
    return f"Analyzing {request.component or 'the whole repository'}"


SPEC = FlowSpec(
    workflow=WorkflowType.COMPONENT_ANALYSIS,
    flow=component_analysis,
    steps=(
        ("checkout", "Check out the repository"),
        ("analyse", "Analyse the code"),
        ("summarise", "Summarise the findings"),
    ),
    request_type=AnalysisRequest,
    result_type=ComponentAnalysisResult,
    title=analysis_title,
    tracks_linear=True,
)
