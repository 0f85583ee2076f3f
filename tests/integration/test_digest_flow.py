"""The channel health digest as a real Prefect flow against the GitHub and Linear emulators
(known data: tests/emulators/digest_data.py), then posted with its chart to the Slack emulator
by the bot's delivery code."""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from blocks.digest import digest_blocks
from bot.digests.delivery import CHART_FILENAME, post_digest
from tests.emulators.digest_data import (
    SeededActions,
    seed_digest_actions,
    seed_digest_linear,
    seed_digest_pulls,
)
from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
from tests.emulators.linear import DEFAULT_KEY, LinearEmulator
from tests.emulators.slack import SlackEmulator
from workflows.flows.slack_notifications import slack_notifications
from workflows.governance.audit import AuditKind, AuditRecord, append_local
from workflows.models.slack_notifications import (
    DigestResult,
    SlackNotificationRequest,
    SourceState,
)

pytestmark = pytest.mark.prefect
CHANNEL = "C0002"


@pytest.fixture(scope="module")
def github() -> Iterator[GitHubEmulator]:
    with GitHubEmulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def linear() -> Iterator[LinearEmulator]:
    with LinearEmulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emu:
        yield emu


@pytest.fixture
def seeded(
    github: GitHubEmulator,
    linear: LinearEmulator,
    prefect_api: str,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> SeededActions:
    github.reset()
    linear.reset()
    now = datetime.now(UTC)
    actions = seed_digest_actions(github, now)
    seed_digest_pulls(github, now)
    seed_digest_linear(linear, now)
    for hours in (3, 20, 30):  # two escalations in the period, one before it
        at = now - timedelta(hours=hours)
        append_local(
            data_dir, AuditRecord(kind=AuditKind.ESCALATED, actor="system", what="x", at=at)
        )
    monkeypatch.setenv("GITHUB_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/widgets")
    monkeypatch.setenv("LINEAR_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv("LINEAR_API_URL", linear.url)
    monkeypatch.setenv("LINEAR_TEAM_KEY", "ZAM")
    monkeypatch.setenv("INTEGRATION_RETRY_BASE_SECONDS", "0.01")
    return actions


def _digest() -> DigestResult:
    result = slack_notifications(SlackNotificationRequest(channel=CHANNEL))
    assert result.digest is not None
    return result.digest


def _text(blocks: list[dict[str, object]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_the_digest_counts_what_the_emulators_hold(
    seeded: SeededActions, github: GitHubEmulator
) -> None:
    digest = _digest()

    actions = digest.actions
    assert actions.source.state is SourceState.OK
    assert (actions.runs, actions.succeeded, actions.failed) == (10, 7, 3)
    assert actions.success_rate == 70.0
    assert (actions.previous_runs, actions.previous_succeeded, actions.previous_failed) == (4, 3, 1)
    assert actions.previous_success_rate == 75.0 and actions.rate_delta == -5.0
    assert [(f.name, f.failures, f.runs) for f in actions.failing] == [
        ("CI", 2, 8),
        ("Deploy", 1, 2),
    ]
    runs = {r["id"]: r for r in github.runs()}
    assert actions.failing[0].url == runs[seeded.run_ids[3]]["html_url"]  # the latest red CI
    assert [(f.title, f.detail) for f in actions.flaky] == [
        ("CI", f"failed and passed on {seeded.flaky_sha[:7]}")
    ]
    assert [(j.workflow, j.name, j.seconds) for j in actions.slowest] == [
        ("Deploy", "deploy", 1200.0),
        ("CI", "test", 900.0),
        ("CI", "test", 600.0),
    ]
    assert sum(p.runs for p in actions.series) == 15  # the run 60 h ago is in the week
    assert sum(p.failures for p in actions.series) == 4
    assert len(actions.series) >= 7
    # The runs were asked for since a moment, as GitHub's `created` filter reads it.
    asked = github.requests_to("GET", "/repos/acme/widgets/actions/runs")
    assert asked and all(r.query.get("created", "").startswith(">=") for r in asked)

    pulls = digest.pulls
    assert (pulls.open, pulls.drafts, pulls.waiting_review, pulls.stale) == (4, 1, 2, 1)
    assert [link.title for link in pulls.waiting] == ["#3 Bump dependencies", "#1 Add caching"]
    assert [link.title for link in pulls.stale_links] == ["#3 Bump dependencies"]

    linear = digest.linear
    assert (linear.in_progress, linear.blocked, linear.done) == (3, 2, 1)
    assert {link.title.split(" ", 1)[1] for link in linear.blocked_links} == {
        "Wait for the vendor",
        "Needs design input",
    }
    assert [link.title.split(" ", 1)[1] for link in linear.done_links] == ["Done today"]

    assert digest.system.source.state is SourceState.OK
    assert digest.system.escalations == 2
    assert digest.host is not None and 0 <= digest.host.disk_percent <= 100

    text = _text([b.to_dict() for b in digest_blocks(digest)])
    assert "CI 70% green (▼5) · 2 PRs waiting · 2 blocked" in text
    assert "*Runs*\\n10 (▲6 vs 4)" in text
    assert "*Success rate*\\n70% (▼5 pts)" in text
    assert "*Waiting for review*\\n2" in text and "*Stale (> 7 d)*\\n1" in text
    assert "*In progress*\\n3" in text and "*Done in period*\\n1" in text
    assert "*Escalations*\\n2" in text


def test_the_digest_and_its_chart_are_posted_through_the_external_upload(
    seeded: SeededActions, slack: SlackEmulator
) -> None:
    slack.reset()
    digest = _digest()
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack.url)

    ts = asyncio.run(post_digest(client, CHANNEL, digest))

    top = slack.messages(CHANNEL, top_level_only=True)
    assert [m["ts"] for m in top] == [ts]  # the digest is a top-level message
    assert "CI 70% green (▼5) · 2 PRs waiting · 2 blocked" in _text(top[0]["blocks"])
    [reserve] = slack.calls_to("files.getUploadURLExternal")
    assert reserve.ok and reserve.params["filename"] == CHART_FILENAME
    [complete] = slack.calls_to("files.completeUploadExternal")
    assert complete.ok and complete.params["channel_id"] == CHANNEL
    assert complete.params["thread_ts"] == ts
    [chart] = slack.uploaded_files()
    png = chart["content"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (800, 320)
    assert int(reserve.params["length"]) == len(png) == chart["length"]
    assert chart["completed"] and chart["thread_ts"] == ts
    replies = slack.thread(CHANNEL, ts)[1:]
    assert [r["files"][0]["id"] for r in replies] == [chart["id"]]
    assert replies[0]["files"][0]["mimetype"] == "image/png"


def test_without_github_and_linear_the_digest_still_reports_and_says_so(
    prefect_api: str, data_dir: Path, slack: SlackEmulator
) -> None:
    slack.reset()
    digest = _digest()

    assert digest.actions.source.state is SourceState.NOT_CONNECTED
    assert digest.pulls.source.state is SourceState.NOT_CONNECTED
    assert digest.linear.source.state is SourceState.NOT_CONNECTED
    assert digest.system.source.ok and digest.host is not None
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack.url)
    ts = asyncio.run(post_digest(client, CHANNEL, digest))
    [posted] = slack.messages(CHANNEL)
    assert posted["ts"] == ts
    text = _text(posted["blocks"])
    assert "GitHub is not connected: set GITHUB_TOKEN and GITHUB_REPOSITORY" in text
    assert "Linear is not connected: set LINEAR_API_KEY and LINEAR_TEAM_KEY" in text
    assert "*Approvals waiting*" in text and "*CPU*" in text
    assert not slack.calls_to("files.getUploadURLExternal")  # no GitHub, no trend to draw


def test_a_failing_integration_is_reported_without_its_token(
    seeded: SeededActions, github: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong_token_123")
    digest = _digest()

    assert digest.actions.source.state is SourceState.ERROR
    assert digest.actions.source.message.startswith("GitHub could not be read")
    assert "ghp_wrong_token_123" not in digest.model_dump_json()
    assert digest.linear.source.ok and digest.linear.blocked == 2  # the rest still reports
