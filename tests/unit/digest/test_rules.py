"""The digest's rules on plain models: flaky, failing, slowest, series, waiting, stale, blocked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from workflows.digest.github_actions import summarize_actions
from workflows.digest.linear_issues import IssueFacts, blocked, summarize_linear
from workflows.digest.pull_requests import PullFacts, summarize_pulls, waiting_for_review
from workflows.integrations.github_models import WorkflowJob, WorkflowRun
from workflows.models.slack_notifications import Period, SlackNotificationRequest

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
PERIOD = Period.ending(NOW, 24)


def run(
    run_id: int,
    hours_ago: float,
    conclusion: str,
    *,
    name: str = "CI",
    sha: str = "a" * 40,
    attempt: int = 1,
) -> WorkflowRun:
    created = NOW - timedelta(hours=hours_ago)
    return WorkflowRun(
        id=run_id,
        name=name,
        workflow_id=1,
        head_sha=sha,
        event="push",
        status="completed",
        conclusion=conclusion,
        run_number=run_id,
        run_attempt=attempt,
        html_url=f"https://github.com/acme/w/actions/runs/{run_id}",
        created_at=created,
        updated_at=created,
    )


def job(run_id: int, name: str, seconds: float) -> WorkflowJob:
    start = NOW - timedelta(hours=1)
    return WorkflowJob(
        id=run_id * 10,
        run_id=run_id,
        name=name,
        status="completed",
        conclusion="success",
        started_at=start,
        completed_at=start + timedelta(seconds=seconds),
        html_url=f"https://github.com/acme/w/actions/runs/{run_id}/job/{run_id * 10}",
    )


def test_counts_rate_and_trend_against_the_previous_period() -> None:
    runs = [
        run(1, 1, "success"),
        run(2, 2, "failure", sha="b" * 40),
        run(3, 3, "cancelled"),
        run(4, 5, "success"),
        run(5, 30, "success"),
        run(6, 40, "failure", sha="c" * 40),
    ]
    digest = summarize_actions(runs, {}, PERIOD)
    assert (digest.runs, digest.succeeded, digest.failed) == (4, 2, 1)
    assert digest.success_rate == 66.7  # cancelled runs count as runs, not in the rate
    assert digest.previous_success_rate == 50.0 and digest.rate_delta == 16.7
    assert [(f.name, f.failures, f.runs) for f in digest.failing] == [("CI", 1, 4)]


def test_flaky_when_a_commit_failed_and_passed_or_a_re_run_passed() -> None:
    runs = [
        run(1, 3, "failure", sha="1" * 40),
        run(2, 2, "success", sha="1" * 40),
        run(3, 2, "success", name="Lint", sha="2" * 40, attempt=2),
        run(4, 2, "failure", name="Deploy", sha="3" * 40),
        run(5, 1, "success", name="Deploy", sha="4" * 40),  # another commit: not flaky
    ]
    flaky = summarize_actions(runs, {}, PERIOD).flaky
    assert [(f.title, f.detail, f.url.rsplit("/", 1)[1]) for f in flaky] == [
        ("CI", "failed and passed on 1111111", "1"),
        ("Lint", "passed on attempt 2 of 2222222", "3"),
    ]


def test_slowest_jobs_and_a_series_with_empty_days() -> None:
    runs = [run(1, 1, "success"), run(2, 2, "success"), run(3, 100, "failure")]
    jobs = {1: [job(1, "test", 90), job(1, "lint", 5)], 2: [job(2, "test", 300)]}
    digest = summarize_actions(runs, jobs, PERIOD)
    assert [(j.name, j.seconds) for j in digest.slowest] == [
        ("test", 300),
        ("test", 90),
        ("lint", 5),
    ]
    assert len(digest.series) == 7 and digest.series[-1].day == NOW.date()
    assert sum(p.runs for p in digest.series) == 3 and sum(p.failures for p in digest.series) == 1


def pull(
    number: int, *, draft: bool = False, reviews: int = 0, requested: int = 0, updated_days: int = 1
) -> PullFacts:
    return PullFacts(
        number=number,
        title=f"PR {number}",
        url=f"https://github.com/acme/w/pull/{number}",
        draft=draft,
        created_at=NOW - timedelta(days=30 - number),
        updated_at=NOW - timedelta(days=updated_days),
        reviews=reviews,
        requested=requested,
    )


def test_waiting_for_review_and_stale() -> None:
    assert waiting_for_review(pull(1))
    assert not waiting_for_review(pull(2, reviews=1))
    assert waiting_for_review(pull(3, reviews=1, requested=1))  # a re-review was asked
    assert not waiting_for_review(pull(4, draft=True))
    pulls = [
        pull(1),
        pull(2, reviews=1),
        pull(3, reviews=1, requested=1),
        pull(4, draft=True, updated_days=8),
    ]
    digest = summarize_pulls(pulls, NOW, stale_days=7)
    assert (digest.open, digest.drafts, digest.waiting_review, digest.stale) == (4, 1, 2, 1)
    assert [link.title for link in digest.waiting] == ["#1 PR 1", "#3 PR 3"]  # oldest first
    assert digest.stale_links[0].detail == "updated 8 d ago"


def issue(
    key: str,
    state: str,
    kind: str,
    labels: tuple[str, ...] = (),
    completed_hours: float | None = None,
) -> IssueFacts:
    done = NOW - timedelta(hours=completed_hours) if completed_hours is not None else None
    return IssueFacts(
        identifier=key,
        title=key.lower(),
        url=f"https://linear.app/x/issue/{key}",
        state=state,
        state_type=kind,
        labels=list(labels),
        updated_at=NOW,
        completed_at=done,
    )


def test_blocked_by_label_or_state_name_and_done_in_the_period() -> None:
    assert blocked(issue("A-1", "Todo", "unstarted", ("blocked",)))
    assert blocked(issue("A-2", "Blocked by vendor", "started"))
    assert not blocked(issue("A-3", "Done", "completed", ("Blocked",)))
    issues = [
        issue("A-1", "In Progress", "started"),
        issue("A-2", "In Progress", "started", ("Blocked",)),
        issue("A-3", "Done", "completed", completed_hours=2),
        issue("A-4", "Done", "completed", completed_hours=30),
    ]
    digest = summarize_linear(issues, PERIOD)
    assert (digest.in_progress, digest.blocked, digest.done) == (2, 1, 1)
    assert [link.title for link in digest.done_links] == ["A-3 a-3"]


@pytest.mark.parametrize(
    ("words", "error"),
    [
        ({"kind": "message", "channel": "C0123"}, "needs text"),
        ({"channel": "#general"}, "channel"),
        ({"channel": "C0123", "period_hours": 0}, "period_hours"),
        ({"channel": "C0123", "period_hours": 24 * 32}, "period_hours"),
        ({"channel": "C0123", "text": "hi"}, "for kind=message"),
        ({"kind": "message", "channel": "C0123", "text": "x" * 3001}, "text"),
    ],
)
def test_bad_requests_say_what_is_wrong(words: dict[str, object], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        SlackNotificationRequest.model_validate(words)


def test_period_labels() -> None:
    assert PERIOD.label() == "the last 24 h"
    assert Period.ending(NOW, 24 * 7).label() == "the last 7 days"
    assert PERIOD.previous.end == PERIOD.start
