"""Which flow implements which workflow type: found by placement in `workflows/flows/`.

Every module in `workflows/flows/` whose name does not start with `_` is one workflow type and
exposes `SPEC`, a `FlowSpec`: the flow, its typed request and result, the thread's title and
the steps a viewer sees. A new workflow type is one new module there plus its blocks.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from prefect import Flow
from pydantic import BaseModel

from workflows.config import ConfigError, OrchestrationConfig, load_config
from workflows.types import WorkflowType

DEPLOYMENT = "cicd"
FLOWS_PACKAGE = "workflows.flows"
Steps = tuple[tuple[str, str], ...]  # (task name, label)

LINEAR_START = ("linear-start", "Open the Linear issue")
LINEAR_RECORD = ("linear-record", "Record the results in Linear")


@dataclass(frozen=True)
class FlowSpec:
    """A runnable workflow: its flow, typed request and result, title and visible steps."""

    workflow: WorkflowType
    flow: Flow[..., Any]
    steps: Steps
    request_type: type[BaseModel]
    result_type: type[BaseModel]
    title: Callable[[Any], str]  # the thread's title, from a `request_type` instance
    tracks_linear: bool = False  # the flow records in Linear when Linear is set up

    @property
    def deployment_name(self) -> str:
        """The `flow-name/deployment` name that `run_deployment` takes."""
        return f"{self.flow.name}/{DEPLOYMENT}"

    def title_of(self, request: dict[str, Any]) -> str:
        """The thread's title from a run's `request` parameter."""
        return self.title(self.request_type.model_validate(request))


@cache
def discovered() -> dict[WorkflowType, FlowSpec]:
    """Every flow module's `SPEC`, by workflow type (imports the flows, and so Prefect)."""
    package = importlib.import_module(FLOWS_PACKAGE)
    found: dict[WorkflowType, FlowSpec] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{FLOWS_PACKAGE}.{info.name}")
        spec = getattr(module, "SPEC", None)
        if not isinstance(spec, FlowSpec):
            raise TypeError(f"{module.__name__} is in {FLOWS_PACKAGE} but has no FlowSpec SPEC")
        if spec.workflow in found:
            raise TypeError(f"{spec.workflow.value} is implemented twice ({module.__name__})")
        found[spec.workflow] = spec
    return found


def spec_of(workflow: WorkflowType) -> FlowSpec | None:
    """The implemented workflow type's spec (steps as declared), or None."""
    return discovered().get(workflow)


def _linear_enabled(config: OrchestrationConfig | None) -> bool:
    from workflows.integrations.linear import linear_configured

    if config is None:
        try:
            config = load_config()
        except ConfigError:
            return False
    return linear_configured(config)


def flow_specs(config: OrchestrationConfig | None = None) -> dict[WorkflowType, FlowSpec]:
    """All implemented workflows, with the steps a viewer should wait for.

    The Linear steps are listed only when Linear is set up (`config`, else the loaded
    configuration): without it the flow skips them, and a viewer should not wait for them.
    """
    linear = _linear_enabled(config)
    return {
        workflow: dataclasses.replace(spec, steps=(LINEAR_START, *spec.steps, LINEAR_RECORD))
        if linear and spec.tracks_linear
        else spec
        for workflow, spec in discovered().items()
    }
