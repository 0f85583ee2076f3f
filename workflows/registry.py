"""Which flow implements which workflow type, its deployment name and its visible steps."""

from __future__ import annotations

from dataclasses import dataclass

from prefect import Flow
from pydantic import BaseModel

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


def flow_specs() -> dict[WorkflowType, FlowSpec]:
    """All implemented workflows; imported lazily so the CLI starts fast."""
    from workflows.component_analysis import component_analysis
    from workflows.models import ComponentAnalysisResult

    return {
        WorkflowType.COMPONENT_ANALYSIS: FlowSpec(
            WorkflowType.COMPONENT_ANALYSIS,
            component_analysis,
            (
                ("checkout", "Check out the repository"),
                ("analyse", "Analyse the code"),
                ("summarise", "Summarise the findings"),
            ),
            ComponentAnalysisResult,
        ),
    }
