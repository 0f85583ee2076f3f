"""The quiet path of an occurrence against a real Prefect API and the Slack emulator.

A quiet type's run opens no thread: the bot waits for its end and hands the result to the
type's delivery handler, or says in the schedule's channel that it failed. The health check
and digest types are not in this branch, so `component_analysis` stands in for one by being
added to `QUIET` for the test.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.runs.deliveries import HANDLERS, Deliveries, DeliveryContext, Finished
from bot.runs.following import RunFollower
from bot.runs.launcher import Launcher
from bot.runs.starting import RunStarter
from bot.runtime.deployments import serve_deployments
from bot.schedules import occurrences
from bot.schedules.entries import request_of
from bot.services import BotServices
from tests.conftest import make_repo
from tests.emulators.slack import SlackEmulator
from workflows.config import OrchestrationConfig
from workflows.models.component_analysis import ComponentAnalysisResult
from workflows.registry import flow_specs
from workflows.schedules.models import ScheduleEntry
from workflows.types import WorkflowType

pytestmark = pytest.mark.prefect
CHANNEL = "C0QUIET"


def _services(slack: SlackEmulator, repo: Path, data_dir: Path) -> BotServices:
    specs = {WorkflowType.COMPONENT_ANALYSIS: flow_specs()[WorkflowType.COMPONENT_ANALYSIS]}
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack.url)
    launcher = Launcher(specs)
    launcher.ready.set()
    follower = RunFollower(client, specs)
    config = OrchestrationConfig(cicd_repo=str(repo), cicd_data_dir=data_dir)
    services = BotServices(
        config=config, runs=RunStarter(client, launcher, follower), follower=follower
    )
    follower.deliveries = Deliveries(DeliveryContext(client, services))
    return services


def test_a_quiet_occurrence_is_delivered_once_and_a_failure_is_told(
    prefect_api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(occurrences, "QUIET", occurrences.QUIET | {WorkflowType.COMPONENT_ANALYSIS})
    delivered: list[Finished] = []

    async def handler(_: DeliveryContext, finished: Finished) -> None:
        delivered.append(finished)

    monkeypatch.setitem(HANDLERS, WorkflowType.COMPONENT_ANALYSIS, handler)
    repo = make_repo(tmp_path / "repo")
    stamp = datetime.now(UTC).replace(microsecond=0)

    async def scenario(slack: SlackEmulator) -> None:
        services = _services(slack, repo, tmp_path / "data")
        runner = await serve_deployments(services.runs.specs, limit=2)
        serving = asyncio.create_task(runner.start())
        try:
            fire = occurrences.Occurrences(services)
            good = ScheduleEntry(
                name="quiet-good",
                every="1h",
                channel=CHANNEL,
                workflow=WorkflowType.COMPONENT_ANALYSIS,
                parameters={"component": "contexten/agents"},
            )
            request = request_of(good, services.runs.specs, str(repo))
            assert await fire.fire(good, request, stamp) is True
            assert await fire.fire(good, request, stamp) is False  # claimed already
            bad = good.model_copy(update={"name": "quiet-bad", "parameters": {"component": "nope"}})
            assert await fire.fire(bad, request_of(bad, services.runs.specs, str(repo)), stamp)
            # A replica restarted meanwhile picks up both runs too; each is delivered once.
            restarted = occurrences.Occurrences(services)
            assert await restarted.adopt() >= 2
            waiting = [*fire._tasks, *restarted._tasks]
            await asyncio.wait_for(asyncio.gather(*waiting), timeout=120)
            assert await restarted.adopt() == 0  # nothing left to deliver
        finally:
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)

    with SlackEmulator(tokens=("xoxb-test-token",)) as slack:
        slack.add_channel(CHANNEL, "quiet")
        asyncio.run(scenario(slack))
        posted = [m["text"] for m in slack.messages(CHANNEL)]

    delivered = [d for d in delivered if d.origin.channel == CHANNEL]
    assert len(delivered) == 1
    finished = delivered[0]
    assert finished.thread is None and finished.origin.source == "schedule"
    assert finished.origin.channel == CHANNEL
    assert isinstance(finished.result, ComponentAnalysisResult)
    assert finished.result.report.findings  # the planted findings
    # No thread for a quiet run; the failed one says so in the channel, with its run's name.
    assert len(posted) == 1, posted
    assert posted[0].startswith("⚠️ Scheduled `quiet-bad` (component_analysis): run `")
    assert "ended failed" in posted[0]
