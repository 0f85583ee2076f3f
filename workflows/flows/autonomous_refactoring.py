"""`autonomous_refactoring`: turn analysis findings into a precise prompt, ask a person, run the
Codegen agent and follow it to the pull request it opens.

The findings come from the request (`path:line rule: message` words) or from the result of an
analysis run (`source_run`). A run from a deployment is suspended while it waits for approval
and executed again from the top once someone decides, so the tasks before the approval cache
their results for this run and the prompt is checked against the approved digest.
"""

# No `from __future__ import annotations`: Prefect must resolve the parameter types.

from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import DEFAULT, NONE

from workflows.config import OrchestrationConfig, load_config
from workflows.governance.approvals import ApprovalDecision, request_approval
from workflows.governance.decisions import decided, record_decision
from workflows.integrations.codegen_agent import AgentRun, codegen_configured, run_codegen_agent
from workflows.models.autonomous_refactoring import (
    FindingRef,
    FindingSet,
    RefactoringOutcome,
    RefactoringRequest,
    RefactoringResult,
    approval_request,
    build_prompt,
    codegen_not_set_up,
)
from workflows.models.result_findings import MAX_FINDINGS, findings_of, source_of
from workflows.models.runs import RunOrigin
from workflows.registry import FlowSpec, discovered
from workflows.repository.checkout import redact
from workflows.types import WorkflowType


class CodegenNotSetUp(RuntimeError):
    """The run cannot ask an agent: the message says which settings to add."""


class AgentRunFailed(RuntimeError):
    """The Codegen agent run ended without completing; the message says how and where."""


@task(name="gather", persist_result=True, cache_policy=DEFAULT)
def gather_findings(request: RefactoringRequest) -> FindingSet:
    """The findings to fix: as given, or read from the source run's result."""
    if request.findings:
        return FindingSet(
            findings=[FindingRef.parse(text) for text in request.findings],
            component=request.component,
            commit=request.commit,
        )
    result, name = _source_result(request.source_run or "")
    source = source_of(result)
    component = request.component or source.component
    found = [FindingRef.of(f, source.component) for f in findings_of(result, MAX_FINDINGS)]
    if not found:
        raise ValueError(f"run {name} has no findings to fix")
    get_run_logger().info("%d finding(s) from run %s", len(found), name)
    return FindingSet(
        findings=found,
        component=component,
        commit=request.commit or source.commit,
        source_run_name=name,
    )


@task(name="prompt", persist_result=True, cache_policy=DEFAULT)
def write_prompt(request: RefactoringRequest, found: FindingSet, repository: str) -> str:
    """The agent's prompt, also shown in the Prefect UI."""
    prompt = build_prompt(request, found, repository)
    create_markdown_artifact(
        markdown=f"```\n{prompt}```\n", key="codegen-prompt", description="The Codegen prompt"
    )
    return prompt


@task(name="report", cache_policy=NONE)
def report(
    request: RefactoringRequest, found: FindingSet, decision: dict[str, Any], agent: AgentRun | None
) -> RefactoringResult:
    """The result: the pull request, or why there is none; a failed agent run fails the run."""
    verdict = ApprovalDecision.model_validate(decision)
    result = RefactoringResult(
        request=request,
        outcome=RefactoringOutcome.REJECTED,
        findings=found.findings,
        **decided(verdict),
    )
    if agent is None:
        timed_out = verdict.timed_out
        outcome = RefactoringOutcome.TIMED_OUT if timed_out else RefactoringOutcome.REJECTED
        return result.model_copy(update={"outcome": outcome})
    if not agent.timed_out and not agent.succeeded:
        where = f" ({agent.web_url})" if agent.web_url else ""
        raise AgentRunFailed(
            f"the Codegen agent run {agent.id} ended {agent.status}: {agent.error}{where}"
        )
    if agent.timed_out:
        outcome = RefactoringOutcome.STILL_RUNNING
    elif agent.pr_url:
        outcome = RefactoringOutcome.PULL_REQUEST
    else:
        outcome = RefactoringOutcome.NO_PULL_REQUEST
    pull = next((pr for pr in agent.pull_requests if pr.url), None)
    result = result.model_copy(
        update={
            "outcome": outcome,
            "agent_run_id": agent.id,
            "agent_status": agent.status,
            "agent_url": agent.web_url,
            "pull_request_url": agent.pr_url,
            "pull_request_title": pull.title if pull else None,
            "summary": agent.summary or agent.result,
        }
    )
    create_markdown_artifact(
        markdown=f"## {result.headline()}\n\n{agent.pr_url or agent.web_url or ''}\n",
        key="autonomous-refactoring",
        description=result.headline(),
    )
    return result


@flow(name="autonomous-refactoring", persist_result=True, result_serializer="json")
def autonomous_refactoring(
    request: RefactoringRequest, origin: RunOrigin | None = None
) -> RefactoringResult:
    """Have the Codegen agent fix analysis findings in a pull request, once a person approves."""
    config = load_config()
    if not codegen_configured(config):
        raise CodegenNotSetUp(codegen_not_set_up(request.component))
    repository = _repository(config, request)
    found = gather_findings(request)
    prompt = write_prompt(request, found, repository)
    decision = request_approval(approval_request(request, found, prompt, origin, repository))
    recorded = record_decision(decision.model_dump(mode="json"))
    agent = run_codegen_agent(prompt) if decision.approved else None
    return report(request, found, recorded, agent)


def _repository(config: OrchestrationConfig, request: RefactoringRequest) -> str:
    """The repository as the agent knows it: GITHUB_REPOSITORY, else the repo (no secrets)."""
    return config.github_repository or redact(request.repo)


def _source_result(source_run: str) -> tuple[object, str]:
    """The typed result of a completed run, named by id or by name, and the run's name."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    with get_client(sync_client=True) as client:
        try:
            run = client.read_flow_run(UUID(source_run))
        except ValueError:  # not an id: a run name such as brave-fox
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[source_run])), limit=1
            )
            if not runs:
                raise ValueError(f"no run named {source_run!r}") from None
            run = runs[0]
        flow_name = client.read_flow(run.flow_id).name
    if run.state is None or not run.state.is_completed():
        raise ValueError(f"run {run.name} has not completed; its findings are not known")
    value = run.state.result(raise_on_failure=False)
    spec = next((s for s in discovered().values() if s.flow.name == flow_name), None)
    if isinstance(value, dict) and spec is not None:
        value = spec.result_type.model_validate(value)
    return value, run.name


def refactoring_title(request: RefactoringRequest) -> str:
    """`Asking Codegen to fix contexten/agents`."""
    return f"Asking Codegen to fix {request.component_label}"


SPEC = FlowSpec(
    workflow=WorkflowType.AUTONOMOUS_REFACTORING,
    flow=autonomous_refactoring,
    steps=(
        ("gather", "Gather the findings"),
        ("prompt", "Write the agent's prompt"),
        ("approval", "Wait for approval"),
        ("codegen-run-agent", "Codegen agent works on it"),
        ("report", "Link the pull request"),
    ),
    request_type=RefactoringRequest,
    result_type=RefactoringResult,
    title=refactoring_title,
)
