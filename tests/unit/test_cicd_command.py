"""The `/cicd` listener hands what it parsed to the run service: component, ref, Linear issue."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bot.commands.cicd import make_handler
from bot.services import BotServices
from workflows.config import OrchestrationConfig
from workflows.models.component_analysis import AnalysisRequest
from workflows.types import WorkflowType


class Runs:
    """Records what would be started."""

    def __init__(self) -> None:
        self.started: list[AnalysisRequest] = []
        self.specs = {
            WorkflowType.COMPONENT_ANALYSIS: SimpleNamespace(request_type=AnalysisRequest)
        }

    def first_time(self, key: str) -> bool:
        return True

    async def start(self, workflow: WorkflowType, request: AnalysisRequest, **where: Any) -> None:
        assert workflow is WorkflowType.COMPONENT_ANALYSIS
        self.started.append(request)


async def test_the_linear_issue_reaches_the_request(tmp_path: Path) -> None:
    (tmp_path / "contexten" / "agents").mkdir(parents=True)
    runs = Runs()
    config = OrchestrationConfig(cicd_repo=str(tmp_path))
    services = BotServices(config=config, runs=runs, follower=None)  # type: ignore[arg-type]
    acks: list[dict[str, Any]] = []

    async def ack(**kwargs: Any) -> None:
        acks.append(kwargs)

    async def respond(**kwargs: Any) -> None:
        raise AssertionError(kwargs)

    command = {
        "text": "analyze contexten/agents --ref main --linear-issue-id zam-1084",
        "team_id": "T1",
        "trigger_id": "tr-1",
        "user_id": "U1",
        "channel_id": "C1",
    }
    await make_handler(services)(ack=ack, command=command, respond=respond)
    assert acks == [{}]
    (request,) = runs.started
    assert (request.component, request.ref, request.linear_issue_id) == (
        "contexten/agents",
        "main",
        "ZAM-1084",
    )
