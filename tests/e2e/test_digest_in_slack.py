"""`/cicd digest` through the real bot: the digest of known GitHub and Linear data is posted to
the channel as a top-level message, its trend chart uploaded in its thread, and the run's
thread says where it went."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.approval_helpers import driver_for
from tests.e2e.bot_process import BotProcess
from tests.emulators.digest_data import seed_digest_actions, seed_digest_linear, seed_digest_pulls
from tests.emulators.github import DEFAULT_TOKEN, GitHubEmulator
from tests.emulators.linear import DEFAULT_KEY, LinearEmulator
from tests.emulators.slack import SlackEmulator

pytestmark = pytest.mark.e2e
CHANNEL = "C0002"  # #deploys: the command's channel, where the digest goes by default


@pytest.fixture(scope="module")
def digest_bot(
    slack: SlackEmulator, e2e_repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    with GitHubEmulator() as github, LinearEmulator() as linear:
        now = datetime.now(UTC)
        seed_digest_actions(github, now)
        seed_digest_pulls(github, now)
        seed_digest_linear(linear, now)
        process = BotProcess(
            tmp_path_factory.mktemp("digest-bot"),
            slack.url,
            e2e_repo,
            GITHUB_TOKEN=DEFAULT_TOKEN,
            GITHUB_API_URL=github.url,
            GITHUB_REPOSITORY=github.full_name,
            LINEAR_API_KEY=DEFAULT_KEY,
            LINEAR_API_URL=linear.url,
            LINEAR_TEAM_KEY="ZAM",
        )
        with process.serving():
            yield process


def _top(slack: SlackEmulator, prefix: str, after: float) -> dict[str, Any] | None:
    found = [
        m
        for m in slack.messages(CHANNEL, top_level_only=True)
        if m.get("text", "").startswith(prefix) and float(m["ts"]) > after
    ]
    return found[-1] if found else None


def _chart_reply(slack: SlackEmulator, ts: str) -> dict[str, Any] | None:
    replies = [m for m in slack.thread(CHANNEL, ts)[1:] if m.get("files")]
    return replies[0] if replies else None


def test_slash_digest_posts_the_digest_and_its_chart(
    digest_bot: BotProcess, slack: SlackEmulator
) -> None:
    started = max([float(m["ts"]) for m in slack.messages(CHANNEL)] or [0.0])
    with driver_for(digest_bot, slack) as driver:
        response = driver.slash_command("digest", channel_id=CHANNEL, channel_name="deploys")
        assert response.status_code == 200 and response.elapsed.total_seconds() < 3.0
        digest = slack.wait_for(
            lambda: _top(slack, "Channel health digest for", started), timeout=120
        )
        chart = slack.wait_for(lambda: _chart_reply(slack, digest["ts"]), timeout=60)

    text = json.dumps(digest["blocks"], ensure_ascii=False)
    assert "CI 70% green (▼5) · 2 PRs waiting · 2 blocked" in text
    assert "*Runs*\\n10 (▲6 vs 4)" in text and "*Failed*\\n3" in text
    assert "*Flaky workflows*\\n1" in text
    assert "*Open*\\n4 (1 draft)" in text and "*Waiting for review*\\n2" in text
    assert "*Stale (> 7 d)*\\n1" in text
    assert "*In progress*\\n3" in text and "*Blocked*\\n2" in text
    assert "*Done in period*\\n1" in text
    assert "Bump dependencies" in text and "Wait for the vendor" in text

    [file] = chart["files"]
    stored = next(f for f in slack.uploaded_files() if f["id"] == file["id"])
    png = stored["content"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (800, 320)
    assert stored["name"] == "cicd-digest-trend.png" and stored["thread_ts"] == digest["ts"]

    # The run's own thread says where the digest went.
    runs = [
        m
        for m in slack.messages(CHANNEL, top_level_only=True)
        if float(m["ts"]) > started and m["ts"] != digest["ts"]
    ]
    assert len(runs) == 1  # the run's parent message; the digest is not in its thread
    said = slack.wait_for(
        lambda: any(
            "Digest for the last 24 h posted to <#C0002>" in r.get("text", "")
            for r in slack.thread(CHANNEL, runs[0]["ts"])[1:]
        ),
        timeout=30,
    )
    assert said
