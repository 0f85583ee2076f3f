"""The flows found by placement in `workflows/flows/` match the catalogue and each other."""

from __future__ import annotations

import importlib
import pkgutil

import workflows.flows
from blocks.results import RENDERERS
from workflows.registry import FlowSpec, discovered, flow_specs
from workflows.types import implemented_types


def test_every_flow_module_is_one_implemented_type() -> None:
    modules = [m.name for m in pkgutil.iter_modules(workflows.flows.__path__)]
    specs = discovered()
    assert sorted(w.value for w in specs) == sorted(m for m in modules if not m.startswith("_"))
    assert set(specs) == set(implemented_types())


def test_specs_are_complete_and_rendered() -> None:
    for workflow, spec in discovered().items():
        module = importlib.import_module(spec.flow.fn.__module__)
        assert module.SPEC is spec and isinstance(spec, FlowSpec)
        assert spec.workflow is workflow
        assert spec.steps and all(key and label for key, label in spec.steps)
        assert spec.result_type in RENDERERS, f"{workflow.value} has no result renderer"
        assert spec.deployment_name == f"{spec.flow.name}/cicd"


def test_titles_come_from_the_typed_request() -> None:
    specs = discovered()
    # What a type needs beyond a repository and a component.
    extra = {
        "autonomous_refactoring": {"source_run": "brave-fox"},
        "slack_notifications": {"channel": "C0123ABCD"},
    }
    titles = {
        w.value: s.title_of(
            {"repo": ".", "component": "contexten/agents", "pull": "7", **extra.get(w, {})}
        )
        for w, s in specs.items()
    }
    assert titles == {
        "component_analysis": "Analyzing contexten/agents",
        "code_quality_check": "Quality gate on pull request #7",
        "dead_code_cleanup": "Cleaning dead code in contexten/agents",
        "security_audit": "Security audit of contexten/agents",
        "failure_analysis": "Analysing the failure of the latest failed run on the default branch",
        "autonomous_refactoring": "Asking Codegen to fix contexten/agents",
        "slack_notifications": "Channel health digest",
        "health_check": "Health check",
    }


def test_linear_steps_only_for_flows_that_track_linear() -> None:
    from workflows.config import OrchestrationConfig

    config = OrchestrationConfig(linear_api_key="lin_api_x", linear_team_key="ZAM")
    with_linear = flow_specs(config)
    for workflow, spec in discovered().items():
        steps = [key for key, _ in with_linear[workflow].steps]
        if spec.tracks_linear:
            assert steps[0] == "linear-start" and steps[-1] == "linear-record"
        else:
            assert "linear-start" not in steps
    without = flow_specs(OrchestrationConfig())
    assert all(without[w].steps == s.steps for w, s in discovered().items())
