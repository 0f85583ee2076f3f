"""The approval desk against a real Prefect API and the Slack emulator: rights, exactly one
decision across two desks (two bot replicas), escalation walking its levels to a timeout.

The flow runs in a thread of this process (no deployment, so it waits in-process); the
end-to-end tests cover the suspended form through the real bot.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals.desk import ApprovalDesk
from bot.approvals.notify import Notifier
from bot.directory import SlackDirectory
from tests.conftest import git
from tests.emulators.slack import SlackEmulator
from workflows.config import OrchestrationConfig
from workflows.flows.dead_code_cleanup import dead_code_cleanup
from workflows.governance.audit import AuditKind, read_local
from workflows.models.dead_code_cleanup import CleanupOutcome, CleanupRequest
from workflows.models.runs import RunOrigin

pytestmark = pytest.mark.prefect
CHANNEL = "C0001"
DEAD = "import json\n\n\ndef _dead():\n    return 1\n"


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        emulator.add_usergroup("S0SRE", "sre", ["U0005"])
        emulator.add_user("U0005", "erin")
        emulator.add_user("U0009", "oscar")
        yield emulator


@pytest.fixture
def repo(planted_repo: Path) -> Path:
    (planted_repo / "contexten" / "agents" / "dead.py").write_text(DEAD)
    git("add", "-A", cwd=planted_repo)
    git("commit", "-qm", "dead", cwd=planted_repo)
    return planted_repo


def make_desk(slack: SlackEmulator, data_dir: Path, policy: dict[str, Any]) -> ApprovalDesk:
    config = OrchestrationConfig(access_policy=policy, cicd_data_dir=data_dir)
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack.url)
    directory = SlackDirectory(client, ttl_s=0)
    return ApprovalDesk(client, config, directory, Notifier(client, directory, config))


def start(repo: Path, slack: SlackEmulator, name: str) -> tuple[str, dict[str, Any]]:
    """Start a cleanup as U0001 from a thread in #general; returns (thread ts, outcome box)."""
    thread_ts = slack.add_message(CHANNEL, f"/cicd cleanup ({name})", user="U0001")
    origin = RunOrigin(source="slack", user="U0001", channel=CHANNEL, thread_ts=thread_ts)
    request = CleanupRequest(repo=str(repo), component="contexten/agents")
    box: dict[str, Any] = {}

    def run() -> None:
        box["state"] = dead_code_cleanup.with_options(flow_run_name=name)(
            request, origin, return_state=True
        )

    threading.Thread(target=run, daemon=True).start()
    return thread_ts, box


async def paused_run(name: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    async with get_client() as client:
        while time.monotonic() < deadline:
            runs = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name]))
            )
            if runs and runs[0].state and runs[0].state.is_paused():
                return str(runs[0].id)
            await asyncio.sleep(0.2)
    raise AssertionError(f"{name} never paused")


async def finished(box: dict[str, Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while "state" not in box:
        assert time.monotonic() < deadline, "the run did not finish"
        await asyncio.sleep(0.2)
    return await box["state"].aresult()


def approval_message(slack: SlackEmulator, thread_ts: str) -> dict[str, Any]:
    found = [
        m
        for m in slack.thread(CHANNEL, thread_ts)
        if any(b.get("type") == "header" for b in m.get("blocks", []))
    ]
    assert len(found) == 1, slack.summary()
    return found[0]


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        e["action_id"]
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
    ]


async def test_rights_then_one_decision_across_two_desks(
    prefect_api, data_dir: Path, repo: Path, slack: SlackEmulator
) -> None:
    policy = {"defaults": {"approvers": {"users": ["U0003"], "groups": ["S0SRE"]}}}
    desk, replica = make_desk(slack, data_dir, policy), make_desk(slack, data_dir, policy)
    thread_ts, box = start(repo, slack, "desk-decide")
    run_id = await paused_run("desk-decide")

    await asyncio.gather(desk.tick(run_id), replica.tick(run_id))  # both replicas try to post
    message = approval_message(slack, thread_ts)
    assert buttons(message) == ["cicd_approve", "cicd_reject", "cicd_escalate"]
    assert "Remove dead code in contexten/agents" in json.dumps(message["blocks"])

    refused = await desk.decide(run_id, "change", "U0002", "approve")
    assert refused and refused.startswith("⛔") and "<@U0003>" in refused
    own = await desk.decide(run_id, "change", "U0001", "approve")
    assert own and "someone else" in own
    assert buttons(approval_message(slack, thread_ts))  # nothing changed

    answers = await asyncio.gather(
        desk.decide(run_id, "change", "U0003", "approve"),
        replica.decide(run_id, "change", "U0005", "reject"),  # in S0SRE
    )
    assert answers.count(None) == 1, answers
    loser = next(a for a in answers if a)
    assert loser.startswith("Already ")
    winner = "approve" if answers[0] is None else "reject"
    result = await finished(box)
    expected = CleanupOutcome.BRANCH if winner == "approve" else CleanupOutcome.REJECTED
    assert result.outcome is expected
    closed = approval_message(slack, thread_ts)
    assert buttons(closed) == []
    assert ("Approved" if winner == "approve" else "Rejected") in json.dumps(closed["blocks"])
    late = await desk.decide(run_id, "change", "U0003", "reject")
    assert late and late.startswith("Already ")

    kinds = [r.kind for r in read_local(data_dir) if r.run_id == run_id]
    assert kinds.count(AuditKind.REQUESTED) == 1
    assert kinds.count(AuditKind.DENIED) == 2
    assert kinds.count(AuditKind.APPROVED) + kinds.count(AuditKind.REJECTED) == 1
    decided = next(
        r
        for r in read_local(data_dir)
        if r.kind.value == {"approve": "approved", "reject": "rejected"}[winner]
    )
    assert decided.permalink and decided.permalink.startswith("https://")


async def test_escalation_walks_the_levels_then_times_out(
    prefect_api, data_dir: Path, repo: Path, slack: SlackEmulator
) -> None:
    policy = {
        "defaults": {
            "approvers": {"users": ["U0003"]},
            "escalation": [
                {"notify": {"users": ["U0003"]}, "wait": "2s"},
                {"notify": {"groups": ["S0SRE"]}, "wait": "2s"},
                {"notify": {"users": ["U0009"]}, "wait": "2s"},
            ],
        }
    }
    desk = make_desk(slack, data_dir, policy)
    thread_ts, box = start(repo, slack, "desk-escalate")
    run_id = await paused_run("desk-escalate")
    await desk.tick(run_id)
    assert "Level 1 of 3" in json.dumps(approval_message(slack, thread_ts)["blocks"])
    # The SRE member may not decide yet: level 2 has not been reached.
    early = await desk.decide(run_id, "change", "U0005", "approve")
    assert early and early.startswith("⛔")

    deadline = time.monotonic() + 30
    while "state" not in box and time.monotonic() < deadline:
        await desk.tick(run_id)
        await asyncio.sleep(0.3)
    result = await finished(box, timeout=5)
    assert result.outcome is CleanupOutcome.TIMED_OUT and result.decided_by == "timeout"

    replies = [m.get("text", "") for m in slack.thread(CHANNEL, thread_ts)]
    assert any("Escalated to level 2" in t and "<!subteam^S0SRE>" in t for t in replies)
    assert any("Escalated to level 3" in t and "<@U0009>" in t for t in replies)
    assert any(t.startswith("⌛ Rejected: nobody decided within 6.0 s (3 levels)") for t in replies)
    dms = {
        c.params["channel"]
        for c in slack.calls_to("chat.postMessage")
        if c.params["channel"].startswith("U")
    }
    assert {"U0003", "U0005", "U0009"} <= dms
    closed = approval_message(slack, thread_ts)
    assert buttons(closed) == [] and "nobody decided in time" in json.dumps(closed["blocks"])
    kinds = [(r.kind, r.level) for r in read_local(data_dir) if r.run_id == run_id]
    assert (AuditKind.ESCALATED, 2) in kinds and (AuditKind.ESCALATED, 3) in kinds
    assert (AuditKind.TIMED_OUT, 3) in kinds
