"""What one escalation level gets: a thread mention, DMs to each person (groups expanded with
usergroups.users.list), and the Linear issue raised to High, then Urgent (never lowered)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals.notify import Notifier
from bot.directory import SlackDirectory
from tests.emulators.linear import DEFAULT_KEY, LinearEmulator
from tests.emulators.slack import SlackEmulator
from workflows.config import OrchestrationConfig
from workflows.governance.access import Principals
from workflows.governance.approvals import ApprovalRequest
from workflows.integrations.linear import Linear
from workflows.integrations.retrying import RetryPolicy

pytestmark = pytest.mark.needs_shared("api/linear/schema.graphql")


@pytest.fixture(scope="module")
def linear() -> Iterator[LinearEmulator]:
    with LinearEmulator() as emu:
        yield emu


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emu:
        emu.add_user("U0007", "olga")
        emu.add_user("U0008", "pete")
        emu.add_usergroup("S0ONCALL", "oncall", ["U0007", "U0008"])
        yield emu


def notifier(slack: SlackEmulator, linear: LinearEmulator) -> Notifier:
    config = OrchestrationConfig(
        linear_api_key=DEFAULT_KEY,
        linear_api_url=linear.url,
        linear_team_key="ZAM",
        integration_retry_base_seconds=0,
    )
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack.url)
    directory = SlackDirectory(client)
    return Notifier(client, directory, config)


def issue(linear: LinearEmulator, priority: int = 0) -> str:
    with Linear.connect(DEFAULT_KEY, linear.url, policy=RetryPolicy(base_delay=0.01)) as client:
        team = client.team("ZAM")
        created = client.create_issue(team.id, "Dead code in contexten", priority=priority)
    return created.identifier


async def test_a_level_is_mentioned_messaged_and_the_issue_raised(
    slack: SlackEmulator, linear: LinearEmulator
) -> None:
    identifier = issue(linear)
    request = ApprovalRequest(
        workflow="dead_code_cleanup",
        title="Remove dead code in contexten",
        summary="1 file",
        target="repo",
        linear_issue=identifier,
    )
    thread = slack.add_message("C0001", "/cicd cleanup contexten")
    level = Principals(users=["U0003"], groups=["S0ONCALL"])
    done = await notifier(slack, linear).notify(
        request, 1, level, channel="C0001", thread_ts=thread, permalink="https://x/p", by=None
    )
    assert done == [
        "mentioned in the thread",
        "3 DMs",
        f"Linear {identifier} priority raised to high",
    ]
    reply = slack.thread("C0001", thread)[-1]["text"]
    assert "level 2" in reply and "<@U0003> <!subteam^S0ONCALL>" in reply
    for user in ("U0003", "U0007", "U0008"):
        assert "approval is needed" in slack.messages(user)[-1]["text"]
    assert linear.issue(identifier)["priority"] == 2

    await notifier(slack, linear).notify(
        request, 2, level, channel="C0001", thread_ts=thread, permalink=None, by="U0001"
    )
    assert linear.issue(identifier)["priority"] == 1  # urgent from the second escalation


async def test_level_one_is_not_mentioned_again_and_urgent_is_never_lowered(
    slack: SlackEmulator, linear: LinearEmulator
) -> None:
    identifier = issue(linear, priority=1)
    request = ApprovalRequest(
        workflow="dead_code_cleanup", title="t", summary="s", target="r", linear_issue=identifier
    )
    thread = slack.add_message("C0001", "start")
    first = await notifier(slack, linear).notify(
        request,
        0,
        Principals(users=["U0003"]),
        channel="C0001",
        thread_ts=thread,
        permalink=None,
        by=None,
    )
    assert first == ["1 DM"]  # the request itself mentions level 1; Linear waits for escalation
    assert len(slack.thread("C0001", thread)) == 1
    await notifier(slack, linear).notify(
        request, 1, Principals(), channel="C0001", thread_ts=thread, permalink=None, by=None
    )
    assert linear.issue(identifier)["priority"] == 1
