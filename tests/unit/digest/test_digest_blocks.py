"""The digest's Block Kit: the numbers where a reader looks, valid for Slack at any size."""

from __future__ import annotations

import json
import struct
from datetime import UTC, date, datetime

import pytest

from blocks.digest import delta, digest_blocks, headline, notification_text, percent
from blocks.results import render_result
from tests.emulators.slack_blocks import validate_blocks
from workflows.digest.chart import trend_png
from workflows.models.health_check import HostResources
from workflows.models.slack_notifications import (
    ActionsDigest,
    DayPoint,
    DigestResult,
    LinearDigest,
    Link,
    Period,
    PullRequestsDigest,
    SlackNotificationRequest,
    SlackNotificationResult,
    SlowJob,
    Source,
    SourceState,
    SystemDigest,
    WorkflowFailures,
)

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
HOST = HostResources(
    cpu_percent=12.5, memory_percent=40, disk_percent=71, disk_path="/d", disk_free_gb=20.5
)


def links(n: int, title: str = "x" * 200) -> list[Link]:
    return [
        Link(title=f"{title} {i}", url=f"https://example.com/{i}", detail="d" * 80)
        for i in range(n)
    ]


def full(n: int) -> DigestResult:
    return DigestResult(
        period=Period.ending(NOW, 24),
        actions=ActionsDigest(
            repository="acme/widgets",
            runs=12,
            succeeded=11,
            failed=1,
            previous_runs=8,
            previous_succeeded=7,
            previous_failed=1,
            failing=[
                WorkflowFailures(name=f"wf {i}", failures=1, runs=2, url="https://g/1")
                for i in range(n)
            ],
            flaky=links(n),
            slowest=[SlowJob(name="test", workflow="CI", seconds=754, url="https://g/j")],
            series=[DayPoint(day=date(2026, 3, d), runs=d, failures=1) for d in range(4, 11)],
        ),
        pulls=PullRequestsDigest(
            open=9,
            waiting_review=3,
            stale=n,
            waiting=links(min(n, 5)),
            stale_links=links(min(n, 5)),
        ),
        linear=LinearDigest(
            team="ZAM",
            in_progress=4,
            blocked=2,
            done=n,
            blocked_links=links(2),
            done_links=links(min(n, 5)),
        ),
        system=SystemDigest(
            runs=20,
            completed=19,
            failed=1,
            approvals_waiting=1,
            escalations=0,
            worst="security_audit",
        ),
        host=HOST,
    )


def test_headline_with_trend() -> None:
    digest = full(2)
    assert (
        headline(digest) == "CI 91.7% green (▲4.2) · 3 PRs waiting · 2 blocked · 1 approval waiting"
    )
    assert (percent(None), percent(70.0), delta(-5.0), delta(0.0), delta(None)) == (
        "n/a",
        "70%",
        "▼5",
        "±0",
        "",
    )


@pytest.mark.parametrize("n", [0, 1, 5, 40])
def test_blocks_are_valid_at_any_size(n: int) -> None:
    blocks = [b.to_dict() for b in digest_blocks(full(n))]
    assert validate_blocks(blocks) == []
    assert len(blocks) <= 50
    text = json.dumps(blocks, ensure_ascii=False)
    assert "*Runs*\\n12 (▲4 vs 8)" in text and "12 min 34 s" in text
    assert "Trend chart in the thread." in text
    assert text.count("<https://example.com/") <= 5 * 5  # at most five links per list


def test_areas_not_connected_say_what_to_set() -> None:
    digest = DigestResult(
        period=Period.ending(NOW, 24),
        actions=ActionsDigest(
            source=Source(
                state=SourceState.NOT_CONNECTED,
                message="GitHub is not connected: set GITHUB_TOKEN and GITHUB_REPOSITORY",
            )
        ),
        pulls=PullRequestsDigest(
            source=Source(state=SourceState.NOT_CONNECTED, message="GitHub is not connected")
        ),
        linear=LinearDigest(
            source=Source(state=SourceState.ERROR, message="Linear could not be read: rate limited")
        ),
        system=SystemDigest(runs=2, completed=2),
        host=None,
        host_error="host not measured: OSError",
    )
    blocks = [b.to_dict() for b in digest_blocks(digest)]
    assert validate_blocks(blocks) == []
    text = json.dumps(blocks, ensure_ascii=False)
    assert "🔌 GitHub is not connected: set GITHUB_TOKEN and GITHUB_REPOSITORY" in text
    assert "⚠️ Linear could not be read: rate limited" in text
    assert "host not measured: OSError" in text
    assert "Trend chart" not in text  # no GitHub, no chart
    assert headline(digest) == "Nothing connected to report on"


def test_the_thread_result_says_what_was_posted_where() -> None:
    request = SlackNotificationRequest(channel="C0DIGEST")
    rendered = render_result(SlackNotificationResult(request=request, digest=full(1)), "id", "run")
    assert rendered is not None
    assert rendered.text == "Digest for the last 24 h posted to <#C0DIGEST>"
    message = SlackNotificationRequest(kind="message", channel="C0DIGEST", text="hi")
    assert (
        notification_text(SlackNotificationResult(request=message))
        == "Message posted to <#C0DIGEST>"
    )


def test_chart_is_a_png_of_the_documented_size_even_when_empty() -> None:
    for series in (
        [DayPoint(day=date(2026, 3, d), runs=d, failures=d % 2) for d in range(1, 8)],
        [],
    ):
        png = trend_png(series)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
        assert struct.unpack(">II", png[16:24]) == (800, 320)
