"""The bot's delivery of a finished `slack_notifications` run, against the Slack emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import cast

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.digests import deliver_notification
from bot.runs.deliveries import HANDLERS, DeliveryContext, Finished
from bot.services import BotServices
from tests.emulators.slack import SlackEmulator
from workflows.models.runs import RunOrigin
from workflows.models.slack_notifications import (
    ActionsDigest,
    DigestResult,
    LinearDigest,
    Period,
    PullRequestsDigest,
    SlackNotificationRequest,
    SlackNotificationResult,
    SystemDigest,
)
from workflows.types import WorkflowType


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emu:
        yield emu


def _deliver(
    slack: SlackEmulator, result: SlackNotificationResult, thread: tuple[str, str] | None
) -> None:
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack.url)
    context = DeliveryContext(client, cast(BotServices, None))  # the handler uses Slack only
    origin = RunOrigin(source="slack", user="U0001", channel="C0001")
    finished = Finished(WorkflowType.SLACK_NOTIFICATIONS, "id", "brave-fox", result, origin, thread)
    asyncio.run(HANDLERS[WorkflowType.SLACK_NOTIFICATIONS](context, finished))


def test_the_handler_is_registered() -> None:
    assert HANDLERS[WorkflowType.SLACK_NOTIFICATIONS] is deliver_notification


def test_a_message_goes_to_its_channel_and_thread(slack: SlackEmulator) -> None:
    slack.reset()
    parent = slack.add_message("C0002", "release notes")
    request = SlackNotificationRequest(
        kind="message", channel="C0002", text="*Frozen*", thread_ts=parent
    )
    _deliver(slack, SlackNotificationResult(request=request), None)
    [reply] = slack.thread("C0002", parent)[1:]
    assert reply["text"] == "*Frozen*"


def test_a_refused_post_is_explained_in_the_run_thread(slack: SlackEmulator) -> None:
    slack.reset()
    slack.add_channel("C0SECRET", "secret", is_member=False)
    run_thread = slack.add_message("C0001", "run parent")
    digest = DigestResult(
        period=Period.ending(datetime.now(UTC), 24),
        actions=ActionsDigest(),
        pulls=PullRequestsDigest(),
        linear=LinearDigest(),
        system=SystemDigest(),
    )
    request = SlackNotificationRequest(channel="C0SECRET")
    _deliver(slack, SlackNotificationResult(request=request, digest=digest), ("C0001", run_thread))
    assert slack.messages("C0SECRET") == []
    [said] = slack.thread("C0001", run_thread)[1:]
    assert "Could not post to <#C0SECRET>: `not_in_channel`; invite the bot" in said["text"]
