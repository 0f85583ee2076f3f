"""Which flow implements which workflow type, its deployment name and its visible steps."""

from __future__ import annotations

from dataclasses import dataclass

from prefect import Flow
from pydantic import BaseModel

from workflows.config import ConfigError, OrchestrationConfig, load_config
from workflows.types import WorkflowType

DEPLOYMENT = "cicd"


@dataclass(frozen=True)
class FlowSpec:
    """A runnable workflow: the flow object and the steps a viewer sees, in order."""

    type: WorkflowType
    flow: Flow
    steps: tuple[tuple[str, str], ...]  # (task name, label)
    result_type: type[BaseModel]

    @property
    def deployment_name(self) -> str:
        """The `flow-name/deployment` name that `run_deployment` takes."""
        return f"{self.flow.name}/{DEPLOYMENT}"


ANALYSIS_STEPS = (
    ("checkout", "Check out the repository"),
    ("analyse", "Analyse the code"),
    ("summarise", "Summarise the findings"),
)
CLEANUP_STEPS = (
    ("checkout", "Check out the repository"),
    ("prepare", "Find dead code and prepare a branch"),
    ("approval", "Wait for approval"),
    ("finish", "Commit, or discard, the change"),
)
LINEAR_START = ("linear-start", "Open the Linear issue")
LINEAR_RECORD = ("linear-record", "Record the results in Linear")


def _linear_enabled(config: OrchestrationConfig | None) -> bool:
    from workflows.integrations.linear import linear_configured

    if config is None:
        try:
            config = load_config()
        except ConfigError:
            return False
    return linear_configured(config)


def flow_specs(config: OrchestrationConfig | None = None) -> dict[WorkflowType, FlowSpec]:
    """All implemented workflows; imported lazily so the CLI starts fast.

    The Linear steps are listed only when Linear is set up (`config`, else the loaded
    configuration): without it the flow skips them, and a viewer should not wait for them.
    """
    from workflows.cleanup import CleanupResult
    from workflows.component_analysis import component_analysis
    from workflows.dead_code_cleanup import dead_code_cleanup
    from workflows.models import ComponentAnalysisResult

    steps = ANALYSIS_STEPS
    if _linear_enabled(config):
        steps = (LINEAR_START, *ANALYSIS_STEPS, LINEAR_RECORD)
    return {
        WorkflowType.COMPONENT_ANALYSIS: FlowSpec(
            WorkflowType.COMPONENT_ANALYSIS, component_analysis, steps, ComponentAnalysisResult
        ),
        WorkflowType.DEAD_CODE_CLEANUP: FlowSpec(
            WorkflowType.DEAD_CODE_CLEANUP, dead_code_cleanup, CLEANUP_STEPS, CleanupResult
        ),
    }
